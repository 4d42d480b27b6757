/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-client.c: the REST client of cdm-server's API (cdm-client.h). */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "cdm-client.h"
#include "cdm-sync.h"

/* Answers larger than this are refused rather than parsed: a page of
 * 5,000 records is a few megabytes. */
#define MAX_ANSWER (256 * 1024 * 1024)

struct _CdmClient
{
  SoupSession *session;
  char *base;      /* "http://host:port/api/v1", no trailing slash */
  char *authorization;
};

CdmClient *
cdm_client_new (const char *base_url,
                const char *token,
                guint       timeout_seconds)
{
  CdmClient *client;
  g_autofree char *base = NULL;

  g_return_val_if_fail (base_url != NULL, NULL);

  base = g_strdup (base_url);
  while (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  if (!g_str_has_suffix (base, "/api/v1"))
    {
      char *full = g_strconcat (base, "/api/v1", NULL);
      g_free (base);
      base = full;
    }

  client = g_new0 (CdmClient, 1);
  client->base = g_steal_pointer (&base);
  client->session = soup_session_new_with_options ("timeout", timeout_seconds,
                                                   "idle-timeout", 60,
                                                   "user-agent", "cdm-desk/" PACKAGE_VERSION,
                                                   NULL);
  if (token != NULL)
    client->authorization = g_strdup_printf ("Bearer %s", token);
  return client;
}

void
cdm_client_free (CdmClient *client)
{
  if (client == NULL)
    return;
  g_clear_object (&client->session);
  g_free (client->base);
  g_free (client->authorization);
  g_free (client);
}

/* Transport failures, by what the user can do about them. */
static void
set_transport_error (GError     **error,
                     GError      *cause,
                     const char  *url)
{
  CdmSyncError code = CDM_SYNC_ERROR_NETWORK;
  const char *what = _("The connection to the server broke");

  if (cause->domain == G_RESOLVER_ERROR)
    {
      code = CDM_SYNC_ERROR_OFFLINE;
      what = _("The server's name cannot be found (offline?)");
    }
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
           g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
           g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    {
      code = CDM_SYNC_ERROR_OFFLINE;
      what = _("The server cannot be reached (offline?)");
    }
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      code = CDM_SYNC_ERROR_TIMEOUT;
      what = _("The server did not answer in time");
    }
  g_set_error (error, CDM_SYNC_ERROR, code, "%s: %s (%s)", what, url, cause->message);
}

/* The "message" of a JSON error answer, if any. */
static const char *
server_message (JsonNode *json)
{
  JsonObject *object, *err;
  JsonNode *node;

  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json))
    return NULL;
  object = json_node_get_object (json);
  node = json_object_get_member (object, "error");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  err = json_node_get_object (node);
  node = json_object_get_member (err, "message");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
set_status_error (GError     **error,
                  guint        status,
                  JsonNode    *json,
                  const char  *method,
                  const char  *path)
{
  const char *message = server_message (json);
  CdmSyncError code;
  const char *what;

  if (status == 401)
    code = CDM_SYNC_ERROR_UNAUTHORIZED, what = _("Sign in again");
  else if (status == 403)
    code = CDM_SYNC_ERROR_FORBIDDEN, what = _("Not allowed");
  else if (status == 429)
    code = CDM_SYNC_ERROR_LOCKED, what = _("Too many attempts, wait a while");
  else if (status == 410)
    code = CDM_SYNC_ERROR_REBOOTSTRAP, what = _("The server asks for a new download");
  else if (status >= 500)
    code = CDM_SYNC_ERROR_SERVER, what = _("The server failed");
  else
    code = CDM_SYNC_ERROR_REFUSED, what = _("The server refused the request");

  g_set_error (error, CDM_SYNC_ERROR, code, "%s (%s %s: %u%s%s)", what, method, path, status,
               message ? ", " : "", message ? message : "");
}

/* With @out_answer, a 2xx answer is not parsed: its bytes are returned
 * there (and the null node). */
static JsonNode *
call (CdmClient     *client,
      const char    *method,
      const char    *path,
      JsonNode      *body,
      guint         *out_status,
      GBytes       **out_answer,
      GCancellable  *cancellable,
      GError       **error)
{
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(JsonNode) json = NULL;
  guint status;
  gsize size = 0;
  const char *data;

  g_return_val_if_fail (client != NULL, NULL);
  g_return_val_if_fail (method != NULL && path != NULL, NULL);

  url = g_strconcat (client->base, path, NULL);
  msg = soup_message_new (method, url);
  if (msg == NULL)
    {
      g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_NOT_CONFIGURED,
                   _("“%s” is not a server address"), url);
      return NULL;
    }
  if (client->authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  client->authorization);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept", "application/json");
  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);
      gsize len = strlen (text);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, len);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  answer = soup_session_send_and_read (client->session, msg, cancellable, &local_error);
  if (answer == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_transport_error (error, local_error, url);
      return NULL;
    }

  status = soup_message_get_status (msg);
  if (out_status != NULL)
    *out_status = status;
  data = g_bytes_get_data (answer, &size);

  if (size > MAX_ANSWER)
    {
      g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BAD_ANSWER,
                   _("The server's answer to %s %s is too large"), method, path);
      return NULL;
    }

  /* JSON is parsed whatever the content type says; only its shape counts. */
  if (size > 0 && (out_answer == NULL || status < 200 || status >= 300))
    {
      parser = json_parser_new_immutable ();
      if (json_parser_load_from_data (parser, data, size, NULL))
        json = json_parser_steal_root (parser);
    }

  if (status < 200 || status >= 300)
    {
      set_status_error (error, status, json, method, path);
      return NULL;
    }

  /* A connection cut at the end of a header line, before Content-Length
   * arrived, looks to libsoup like complete headers and a body that runs
   * to the end of the connection: an empty one.  Our server always frames
   * its answers (Content-Length or chunked; none for 204), so that is a
   * broken connection to try again, not an empty answer. */
  if (size == 0 &&
      soup_message_headers_get_encoding (soup_message_get_response_headers (msg)) == SOUP_ENCODING_EOF)
    {
      g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_NETWORK, "%s: %s (%s)",
                   _("The connection to the server broke"), url,
                   _("the answer ended before its headers did"));
      return NULL;
    }
  if (size == 0 || out_answer != NULL)
    {
      if (out_answer != NULL)
        *out_answer = g_steal_pointer (&answer);
      return json_node_new (JSON_NODE_NULL);
    }
  if (json == NULL)
    {
      g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BAD_ANSWER,
                   _("The server's answer to %s %s is not JSON; nothing of it was applied"), method, path);
      return NULL;
    }
  return g_steal_pointer (&json);
}

JsonNode *
cdm_client_call (CdmClient     *client,
                 const char    *method,
                 const char    *path,
                 JsonNode      *body,
                 guint         *out_status,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return call (client, method, path, body, out_status, NULL, cancellable, error);
}

GBytes *
cdm_client_get_bytes (CdmClient     *client,
                      const char    *path,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonNode) json = call (client, "GET", path, NULL, NULL, &answer, cancellable, error);

  if (json == NULL)
    return NULL;
  return answer != NULL ? g_steal_pointer (&answer) : g_bytes_new (NULL, 0);
}

JsonObject *
cdm_client_call_object (CdmClient     *client,
                        const char    *method,
                        const char    *path,
                        JsonNode      *body,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(JsonNode) json = cdm_client_call (client, method, path, body, NULL, cancellable, error);

  if (json == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json))
    {
      g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BAD_ANSWER,
                   _("The server's answer to %s %s is not a JSON object; nothing of it was applied"),
                   method, path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (json));
}
