/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-core.c: the HTTP core of cdm-server.
 *
 * The main thread runs the SoupServer: it checks everything that needs no
 * database (route, method, content type, size, UTF-8, JSON, the shape of
 * the token), pauses the message and hands a Job to the worker pool.  A
 * worker takes a database connection of its own, checks the token and
 * the role, runs the handler, and sends the reply back to the main
 * context, which unpauses the message.  Bad input is always a 4xx with a
 * JSON error; a 5xx means the database is unavailable (503) or a bug.
 */

#include "config.h"

#include <string.h>

#include <glib-unix.h>
#include <gio/gio.h>
#include <libsoup/soup.h>

#include "cdm-server-core.h"

typedef struct {
  char           *method;
  char          **segments;   /* "{name}" for a parameter */
  guint           n_segments;
  guint           roles;
  CdmHandlerFunc  handler;
} Route;

/* One database connection; the queue hands each to one worker at a time. */
typedef struct {
  PGconn *conn;
} Slot;

/* Worker threads and the connections they share.  Long reads (routes
 * with CDM_ROUTE_LONG_READ: pull, snapshot, checksums, figures, record
 * lists) have a lane of their own when read_workers > 0, so that a push
 * never waits behind a bootstrap or a morning of pulls: at most
 * read_workers of them run at once, and the other workers stay free for
 * the short requests. */
typedef struct {
  GThreadPool *pool;
  GAsyncQueue *slots;       /* of Slot*, free connections */
  GPtrArray   *all_slots;
} Lane;

struct _CdmServer {
  CdmServerConfig  config;
  GPtrArray       *routes;        /* of Route*, fixed once serving */
  SoupServer      *soup;
  GSocketService  *service;
  GTlsCertificate *certificate;   /* NULL: plain HTTP */
  GMainContext    *context;
  GMainLoop       *loop;
  Lane             lane;          /* everything but long reads (or all) */
  Lane             read_lane;     /* long reads (no pool: read_workers 0, they use lane) */
  guint            in_flight;     /* main thread: jobs not yet finished */
  gboolean         stopping;      /* main thread */
  guint            stop_timeout;
};

/* Attached to every message for the request log line. */
typedef struct {
  char    *method;
  char    *path;
  char    *user;
  gint64   started;
  gboolean finished;
  gboolean counted;   /* a job: counts in in_flight until finished */
} LogInfo;

typedef struct {
  CdmRequest         req;
  CdmServer         *server;
  SoupServerMessage *msg;      /* a reference */
  const Route       *route;
  Lane              *lane;
  char              *method;
  char              *path;
  GHashTable        *path_params;
  GHashTable        *query;
  char              *token;
  JsonNode          *body;
  CdmUser           *user;
  /* The reply, set by the worker. */
  guint              status;
  GBytes            *reply;
} Job;

static void
route_free (gpointer data)
{
  Route *route = data;

  g_free (route->method);
  g_strfreev (route->segments);
  g_free (route);
}

static void
log_info_free (gpointer data)
{
  LogInfo *info = data;

  g_free (info->method);
  g_free (info->path);
  g_free (info->user);
  g_free (info);
}

static void
job_free (Job *job)
{
  g_clear_object (&job->msg);
  g_free (job->method);
  g_free (job->path);
  g_clear_pointer (&job->path_params, g_hash_table_unref);
  g_clear_pointer (&job->query, g_hash_table_unref);
  if (job->token != NULL)
    memset (job->token, 0, strlen (job->token));
  g_free (job->token);
  g_clear_pointer (&job->body, json_node_unref);
  g_clear_pointer (&job->user, cdm_user_free);
  g_clear_pointer (&job->reply, g_bytes_unref);
  g_free (job);
}

void
cdm_server_config_init (CdmServerConfig *config)
{
  memset (config, 0, sizeof *config);
  config->listen = g_strdup ("127.0.0.1");
  config->port = 8080;
  config->database = g_strdup ("");
  config->workers = CDM_SERVER_DEFAULT_WORKERS;
  config->read_workers = CDM_SERVER_DEFAULT_READ_WORKERS;
  config->max_body = CDM_SERVER_DEFAULT_MAX_BODY;
  config->max_batch = CDM_SERVER_DEFAULT_MAX_BATCH;
  config->token_ttl = CDM_SERVER_DEFAULT_TOKEN_TTL;
  config->retention_days = CDM_SERVER_DEFAULT_RETENTION_DAYS;
}

void
cdm_server_config_clear (CdmServerConfig *config)
{
  g_clear_pointer (&config->listen, g_free);
  g_clear_pointer (&config->port_file, g_free);
  g_clear_pointer (&config->tls_cert, g_free);
  g_clear_pointer (&config->tls_key, g_free);
  g_clear_pointer (&config->database, g_free);
}

const CdmServerConfig *
cdm_server_get_config (CdmServer *server)
{
  return &server->config;
}

/* Roles */

static const char * const role_names[] = {
  "admin", "manager", "counsellor", "steward", "partner_staff",
};

const char *
cdm_role_to_string (CdmRole role)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (role == (CdmRole) (1 << i))
      return role_names[i];
  return NULL;
}

CdmRole
cdm_role_from_string (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (role_names); i++)
    if (strcmp (name, role_names[i]) == 0)
      return (CdmRole) (1 << i);
  return CDM_ROLE_NONE;
}

/* Connections */

PGconn *
cdm_server_connect (const char  *conninfo,
                    GError     **error)
{
  /* conninfo may be "key=value …" or a URI; the application name shows
   * cdm-server's sessions in pg_stat_activity unless conninfo names one. */
  const char * const keywords[] = { "dbname", "fallback_application_name", NULL };
  const char * const values[] = { conninfo ? conninfo : "", "cdm-server", NULL };
  PGconn *db = PQconnectdbParams (keywords, values, 1);

  if (PQstatus (db) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (db)));

      g_set_error (error, CDM_DB_ERROR, CDM_DB_ERROR_CONNECTION,
                   "Cannot connect to the database: %s", message);
      PQfinish (db);
      return NULL;
    }
  /* Times in answers are UTC; no request may hold a worker forever. */
  if (!cdm_db_exec_script (db, "SET TIME ZONE 'UTC'; SET statement_timeout = '60s'", error))
    {
      PQfinish (db);
      return NULL;
    }
  return db;
}

/* Routes */

void
cdm_server_add_route (CdmServer      *server,
                      const char     *method,
                      const char     *pattern,
                      guint           roles,
                      CdmHandlerFunc  handler)
{
  Route *route;

  g_return_if_fail (server != NULL);
  g_return_if_fail (method != NULL && pattern != NULL && handler != NULL);
  g_return_if_fail (pattern[0] == '/');
  g_return_if_fail (server->soup == NULL);

  route = g_new0 (Route, 1);
  route->method = g_strdup (method);
  route->segments = g_strsplit (pattern + 1, "/", -1);
  route->n_segments = g_strv_length (route->segments);
  route->roles = roles;
  route->handler = handler;
  g_ptr_array_add (server->routes, route);
}

static gboolean
is_param (const char *segment)
{
  gsize len = strlen (segment);

  return len > 2 && segment[0] == '{' && segment[len - 1] == '}';
}

static gboolean
route_matches (const Route *route,
               char       **segments,
               guint        n_segments)
{
  if (route->n_segments != n_segments)
    return FALSE;
  for (guint i = 0; i < n_segments; i++)
    if (!is_param (route->segments[i]) && strcmp (route->segments[i], segments[i]) != 0)
      return FALSE;
  return TRUE;
}

static GHashTable *
route_params (const Route *route,
              char       **segments)
{
  GHashTable *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < route->n_segments; i++)
    if (is_param (route->segments[i]))
      g_hash_table_insert (params,
                           g_strndup (route->segments[i] + 1, strlen (route->segments[i]) - 2),
                           g_strdup (segments[i]));
  return params;
}

/* Replies */

static GBytes *
error_body (const char *code,
            const char *field,
            const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  if (field != NULL)
    {
      json_builder_set_member_name (builder, "field");
      json_builder_add_string_value (builder, field);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static void
set_reply (Job     *job,
           guint    status,
           GBytes  *body)
{
  if (job->reply != NULL || job->status != 0)
    {
      g_critical ("%s %s: a second reply", job->method, job->path);
      g_clear_pointer (&body, g_bytes_unref);
      return;
    }
  job->status = status;
  job->reply = body;
}

void
cdm_request_reply_json (CdmRequest *req,
                        guint       status,
                        JsonNode   *node)
{
  Job *job = req->priv;
  GBytes *body = NULL;

  if (node != NULL)
    {
      char *text = json_to_string (node, FALSE);

      body = g_bytes_new_take (text, strlen (text));
      json_node_unref (node);
    }
  set_reply (job, status, body);
}

void
cdm_request_reply_json_bytes (CdmRequest *req,
                              guint       status,
                              GBytes     *json)
{
  set_reply (req->priv, status, json);
}

static void
reply_error_valist (CdmRequest *req,
                    guint       status,
                    const char *code,
                    const char *field,
                    const char *format,
                    va_list     args) G_GNUC_PRINTF (5, 0);

static void
reply_error_valist (CdmRequest *req,
                    guint       status,
                    const char *code,
                    const char *field,
                    const char *format,
                    va_list     args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  set_reply (req->priv, status, error_body (code, field, message));
}

void
cdm_request_reply_error (CdmRequest *req,
                         guint       status,
                         const char *code,
                         const char *format,
                         ...)
{
  va_list args;

  va_start (args, format);
  reply_error_valist (req, status, code, NULL, format, args);
  va_end (args);
}

void
cdm_request_reply_error_field (CdmRequest *req,
                               guint       status,
                               const char *code,
                               const char *field,
                               const char *format,
                               ...)
{
  va_list args;

  va_start (args, format);
  reply_error_valist (req, status, code, field, format, args);
  va_end (args);
}

void
cdm_request_reply_db_error (CdmRequest   *req,
                            const GError *error)
{
  Job *job = req->priv;

  g_message ("database error: method=%s path=%s error=\"%s\"",
             job->method, job->path, error ? error->message : "unknown");
  if (error == NULL || error->domain != CDM_DB_ERROR)
    {
      cdm_request_reply_error (req, 503, "unavailable", "The database is unavailable");
      return;
    }
  switch ((CdmDbError) error->code)
    {
    case CDM_DB_ERROR_UNIQUE:
      cdm_request_reply_error (req, 409, "conflict", "A record with this identifier already exists");
      break;
    case CDM_DB_ERROR_SERIALIZATION:
      cdm_request_reply_error (req, 409, "conflict", "A concurrent change got in the way; retry the request");
      break;
    case CDM_DB_ERROR_FOREIGN_KEY:
      cdm_request_reply_error (req, 400, "bad_request", "The request refers to a record that does not exist");
      break;
    case CDM_DB_ERROR_CONSTRAINT:
      cdm_request_reply_error (req, 400, "bad_request", "A value of the request is not allowed");
      break;
    case CDM_DB_ERROR_CONNECTION:
    case CDM_DB_ERROR_FAILED:
    default:
      cdm_request_reply_error (req, 503, "unavailable", "The database is unavailable");
      break;
    }
}

/* Parameters */

const char *
cdm_request_get_path_param (CdmRequest *req,
                            const char *name)
{
  Job *job = req->priv;

  return g_hash_table_lookup (job->path_params, name);
}

const char *
cdm_request_get_query (CdmRequest *req,
                       const char *name)
{
  Job *job = req->priv;

  return job->query ? g_hash_table_lookup (job->query, name) : NULL;
}

gboolean
cdm_request_get_query_int64 (CdmRequest *req,
                             const char *name,
                             gint64      fallback,
                             gint64      min,
                             gint64      max,
                             gint64     *out)
{
  const char *text = cdm_request_get_query (req, name);
  gint64 value;

  if (text == NULL)
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", name,
                                     "The parameter “%s” must be an integer from %" G_GINT64_FORMAT
                                     " to %" G_GINT64_FORMAT, name, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

const char *
cdm_server_request_token (CdmRequest *req)
{
  Job *job = req->priv;

  return job->token;
}

JsonObject *
cdm_request_require_object (CdmRequest *req)
{
  if (req->body == NULL || !JSON_NODE_HOLDS_OBJECT (req->body))
    {
      cdm_request_reply_error (req, 400, "bad_request", "The body must be a JSON object");
      return NULL;
    }
  return json_node_get_object (req->body);
}

/* The worker side */

static gboolean
slot_ready (CdmServer *server,
            Slot      *slot)
{
  if (slot->conn != NULL && PQstatus (slot->conn) == CONNECTION_OK)
    return TRUE;
  g_clear_pointer (&slot->conn, PQfinish);
  {
    g_autoptr(GError) error = NULL;

    slot->conn = cdm_server_connect (server->config.database, &error);
    if (slot->conn == NULL)
      {
        g_message ("database connection failed: %s", error->message);
        return FALSE;
      }
  }
  return TRUE;
}

static gboolean
finish_in_main (gpointer data)
{
  Job *job = data;
  CdmServer *server = job->server;
  LogInfo *info = g_object_get_data (G_OBJECT (job->msg), "cdm-log");

  if (job->user != NULL)
    {
      g_free (info->user);
      info->user = g_strdup (job->user->id);
    }
  if (!info->finished)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (job->msg);

      if (job->reply != NULL)
        {
          gsize len;
          const char *bytes = g_bytes_get_data (job->reply, &len);

          soup_server_message_set_response (job->msg, "application/json",
                                            SOUP_MEMORY_COPY, bytes, len);
        }
      if (server->stopping)
        soup_message_headers_replace (headers, "Connection", "close");
      soup_server_message_set_status (job->msg, job->status, NULL);
      soup_server_message_unpause (job->msg);
    }
  job_free (job);
  return G_SOURCE_REMOVE;
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  CdmServer *server = user_data;
  Slot *slot = g_async_queue_pop (job->lane->slots);

  if (!slot_ready (server, slot))
    {
      cdm_request_reply_error (&job->req, 503, "unavailable", "The database is unavailable");
      goto out;
    }

  if (!(job->route->roles & CDM_ROUTE_PUBLIC))
    {
      g_autoptr(GError) error = NULL;

      job->user = cdm_server_auth_lookup (slot->conn, job->token, &error);
      if (error != NULL)
        {
          cdm_request_reply_db_error (&job->req, error);
          goto out;
        }
      if (job->user == NULL)
        {
          cdm_request_reply_error (&job->req, 401, "unauthorized",
                                   "The token is unknown, expired or revoked; log in again");
          goto out;
        }
      job->req.user = job->user;
      if (!(job->route->roles & job->user->role))
        {
          cdm_request_reply_error (&job->req, 403, "forbidden",
                                   "The role “%s” may not %s %s",
                                   cdm_role_to_string (job->user->role), job->method, job->path);
          goto out;
        }
    }

  job->route->handler (&job->req, slot->conn);

  if (job->status == 0)
    {
      g_critical ("%s %s: the handler did not reply", job->method, job->path);
      cdm_request_reply_error (&job->req, 500, "internal", "The server could not answer");
    }
  if (PQtransactionStatus (slot->conn) == PQTRANS_INTRANS ||
      PQtransactionStatus (slot->conn) == PQTRANS_INERROR)
    {
      /* A handler that returns inside a transaction is a bug; never let
       * it leak into the next request on this connection. */
      g_critical ("%s %s: the handler left a transaction open", job->method, job->path);
      cdm_db_rollback (slot->conn);
    }

out:
  g_async_queue_push (job->lane->slots, slot);
  g_main_context_invoke (server->context, finish_in_main, job);
}

/* The main thread side */

static void
reply_now (SoupServerMessage *msg,
           guint              status,
           const char        *code,
           const char        *field,
           const char        *message)
{
  g_autoptr(GBytes) body = error_body (code, field, message);
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, data, len);
  soup_server_message_set_status (msg, status, NULL);
}

static void
maybe_quit (CdmServer *server)
{
  if (server->stopping && server->in_flight == 0 && g_main_loop_is_running (server->loop))
    g_main_loop_quit (server->loop);
}

static void
on_message_finished (SoupServerMessage *msg,
                     gpointer           user_data)
{
  CdmServer *server = user_data;
  LogInfo *info = g_object_get_data (G_OBJECT (msg), "cdm-log");
  g_autofree char *path = NULL;

  if (info == NULL || info->finished)
    return;
  info->finished = TRUE;
  /* Never the query string (it may carry anything) and never a header. */
  path = g_strescape (info->path, NULL);
  if (strlen (path) > 200)
    strcpy (path + 197, "...");
  g_message ("request method=%s path=\"%s\" status=%u ms=%.1f user=%s",
             info->method, path, soup_server_message_get_status (msg),
             (g_get_monotonic_time () - info->started) / 1000.0,
             info->user ? info->user : "-");
  if (info->counted)
    {
      info->counted = FALSE;
      server->in_flight--;
      maybe_quit (server);
    }
}

static void
on_message_disconnected (SoupServerMessage *msg,
                         gpointer           user_data)
{
  on_message_finished (msg, user_data);
}

/* What json-glib's parser, built on GScanner, would let through but JSON
 * does not (single quotes, comments, bare words), and nesting deeper than
 * the parser should recurse.  Returns the offset of the first offending
 * byte, or -1 when the text may go to the parser. */
static gssize
json_prescan (const char *data,
              gsize       len,
              guint       max_depth,
              gboolean   *too_deep)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  *too_deep = FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > max_depth)
            {
              *too_deep = TRUE;
              return (gssize) i;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          /* Structure, numbers, true/false/null and white space only. */
          if (strchr (" \t\n\r,:-+.0123456789eEtruefalsn", c) == NULL)
            return (gssize) i;
          break;
        }
    }
  return -1;
}

/* Splits the (decoded) path; NULL with *status set when it is not one
 * any route could have. */
static char **
split_path (const char  *path,
            guint       *status,
            const char **message)
{
  g_auto(GStrv) raw = NULL;
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func (g_free);

  if (path == NULL || path[0] != '/')
    {
      *status = 400;
      *message = "The path must start with “/”";
      return NULL;
    }
  if (strlen (path) > CDM_SERVER_MAX_PATH)
    {
      *status = 414;
      *message = "The path is too long";
      return NULL;
    }
  raw = g_strsplit (path + 1, "/", -1);
  for (guint i = 0; raw[i] != NULL; i++)
    {
      char *segment = g_strdup (raw[i]);

      if (!g_utf8_validate (segment, -1, NULL))
        {
          g_free (segment);
          *status = 400;
          *message = "The path is not valid UTF-8";
          return NULL;
        }
      if (segment[0] == '\0' || strcmp (segment, ".") == 0 || strcmp (segment, "..") == 0)
        {
          g_free (segment);
          *status = 404;
          *message = "There is nothing at this path";
          return NULL;
        }
      g_ptr_array_add (segments, segment);
    }
  g_ptr_array_add (segments, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&segments), FALSE);
}

static gboolean
query_is_utf8 (GHashTable *query)
{
  GHashTableIter iter;
  gpointer key, value;

  if (query == NULL)
    return TRUE;
  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_utf8_validate (key, -1, NULL) || (value && !g_utf8_validate (value, -1, NULL)))
      return FALSE;
  return TRUE;
}

/* The token: 32 random bytes in base64url without padding. */
static char *
bearer_token (SoupServerMessage *msg)
{
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                     "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;
  header += 7;
  while (*header == ' ')
    header++;
  if (strlen (header) != 43)
    return NULL;
  for (const char *p = header; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return NULL;
  return g_strdup (header);
}

static LogInfo *
log_info_attach (CdmServer         *server,
                 SoupServerMessage *msg,
                 const char        *path)
{
  LogInfo *info = g_object_get_data (G_OBJECT (msg), "cdm-log");

  if (info != NULL)
    return info;
  info = g_new0 (LogInfo, 1);
  info->method = g_strdup (soup_server_message_get_method (msg));
  info->path = g_strdup (path ? path : "");
  info->started = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), "cdm-log", info, log_info_free);
  g_signal_connect (msg, "finished", G_CALLBACK (on_message_finished), server);
  g_signal_connect (msg, "disconnected", G_CALLBACK (on_message_disconnected), server);
  return info;
}

/* Answers before the body is read, and closes the connection: libsoup
 * would still read (and keep) the whole body before sending an early
 * answer. */
static void
refuse_early (SoupServerMessage *msg,
              const char        *path,
              guint              status,
              const char        *reason,
              const char        *code,
              const char        *message)
{
  g_autoptr(GBytes) body = error_body (code, NULL, message);
  g_autoptr(GIOStream) stream = NULL;
  g_autofree char *head = NULL;
  g_autofree char *escaped = NULL;
  const char *data;
  gsize len;

  data = g_bytes_get_data (body, &len);
  head = g_strdup_printf ("HTTP/1.1 %u %s\r\nContent-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                          status, reason, len);
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL)
    {
      GOutputStream *out = g_io_stream_get_output_stream (stream);

      /* A few hundred bytes into an empty socket buffer: no wait. */
      if (g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL))
        g_output_stream_write_all (out, data, len, NULL, NULL, NULL);
      g_io_stream_close (stream, NULL, NULL);
    }
  escaped = g_strescape (path ? path : "", NULL);
  g_message ("request method=%s path=\"%.200s\" status=%u ms=0.0 user=-",
             soup_server_message_get_method (msg), escaped, status);
}

/* Before the body is read: a declared length over the limit, or a body
 * of unknown length (chunked), is refused without reading it. */
static void
early_callback (SoupServer        *soup,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  CdmServer *server = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  goffset length = soup_message_headers_get_content_length (headers);

  if (encoding == SOUP_ENCODING_CHUNKED)
    {
      refuse_early (msg, path, 411, "Length Required", "length_required",
                    "Send the body with a Content-Length, not in chunks");
    }
  else if (encoding == SOUP_ENCODING_CONTENT_LENGTH && length > 0 &&
           (guint64) length > server->config.max_body)
    {
      g_autofree char *text = g_strdup_printf ("The body is larger than the limit of %" G_GSIZE_FORMAT " bytes",
                                               server->config.max_body);

      refuse_early (msg, path, 413, "Payload Too Large", "too_large", text);
    }
}

static void
server_callback (SoupServer        *soup,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  CdmServer *server = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  LogInfo *info;
  g_auto(GStrv) segments = NULL;
  const Route *route = NULL;
  g_autoptr(GString) allow = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *token = NULL;
  guint status = 0;
  const char *message = NULL;
  Job *job;

  info = log_info_attach (server, msg, path);

  if (server->stopping)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      reply_now (msg, 503, "unavailable", NULL, "The server is shutting down");
      return;
    }

  /* libsoup has decoded the path once already (and refused "%00", bad
   * escapes and "/../"): never decode it again. */
  segments = split_path (path, &status, &message);
  if (segments == NULL)
    {
      reply_now (msg, status, status == 404 ? "not_found" : status == 414 ? "uri_too_long" : "bad_request",
                 NULL, message);
      return;
    }

  for (guint i = 0; i < server->routes->len; i++)
    {
      const Route *candidate = g_ptr_array_index (server->routes, i);

      if (!route_matches (candidate, segments, g_strv_length (segments)))
        continue;
      if (strcmp (candidate->method, method) == 0)
        {
          route = candidate;
          break;
        }
      if (allow == NULL)
        allow = g_string_new (candidate->method);
      else
        g_string_append_printf (allow, ", %s", candidate->method);
    }
  if (route == NULL && allow == NULL)
    {
      reply_now (msg, 404, "not_found", NULL, "There is nothing at this path");
      return;
    }
  if (route == NULL)
    {
      g_autofree char *text = g_strdup_printf ("The method %s is not allowed here; use %s",
                                               g_utf8_validate (method, -1, NULL) ? method : "?",
                                               allow->str);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow->str);
      reply_now (msg, 405, "method_not_allowed", NULL, text);
      return;
    }

  if (!query_is_utf8 (query))
    {
      reply_now (msg, 400, "bad_request", NULL, "The query string is not valid UTF-8");
      return;
    }

  if ((gsize) request_body->length > server->config.max_body)
    {
      g_autofree char *text = g_strdup_printf ("The body is larger than the limit of %" G_GSIZE_FORMAT " bytes",
                                               server->config.max_body);

      reply_now (msg, 413, "too_large", NULL, text);
      return;
    }

  if (request_body->length > 0)
    {
      g_autoptr(GHashTable) params = NULL;
      const char *type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg),
                                                                &params);
      const char *charset = params ? g_hash_table_lookup (params, "charset") : NULL;
      const char *end = NULL;
      g_autoptr(JsonParser) parser = NULL;
      g_autoptr(GError) error = NULL;
      gboolean too_deep;
      gssize offset;

      if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0 ||
          (charset != NULL && g_ascii_strcasecmp (charset, "utf-8") != 0))
        {
          reply_now (msg, 415, "unsupported_media_type", NULL,
                     "The body must be JSON, sent as “Content-Type: application/json”");
          return;
        }
      if (!g_utf8_validate_len (request_body->data, request_body->length, &end) ||
          memchr (request_body->data, '\0', request_body->length) != NULL)
        {
          g_autofree char *text = NULL;

          if (end == NULL || (end - request_body->data) > (gssize) request_body->length)
            end = memchr (request_body->data, '\0', request_body->length);
          text = g_strdup_printf ("The body is not valid UTF-8 (at byte %" G_GSSIZE_FORMAT ")",
                                  end ? (gssize) (end - request_body->data) : (gssize) 0);
          reply_now (msg, 400, "bad_json", NULL, text);
          return;
        }
      offset = json_prescan (request_body->data, request_body->length, CDM_SERVER_MAX_JSON_DEPTH, &too_deep);
      if (offset >= 0)
        {
          g_autofree char *text = NULL;

          if (too_deep)
            text = g_strdup_printf ("The body nests deeper than %d levels (at byte %" G_GSSIZE_FORMAT ")",
                                    CDM_SERVER_MAX_JSON_DEPTH, offset);
          else
            text = g_strdup_printf ("The body is not valid JSON: unexpected character at byte %" G_GSSIZE_FORMAT,
                                    offset);
          reply_now (msg, 400, "bad_json", NULL, text);
          return;
        }
      parser = json_parser_new_immutable ();
      if (!json_parser_load_from_data (parser, request_body->data, request_body->length, &error))
        {
          g_autofree char *text = g_strdup_printf ("The body is not valid JSON: %s", error->message);

          reply_now (msg, 400, "bad_json", NULL, text);
          return;
        }
      body = json_parser_steal_root (parser);
    }

  if (!(route->roles & CDM_ROUTE_PUBLIC))
    {
      token = bearer_token (msg);
      if (token == NULL)
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "WWW-Authenticate", "Bearer");
          reply_now (msg, 401, "unauthorized",
                     NULL, "A valid “Authorization: Bearer” token is needed; log in first");
          return;
        }
    }

  job = g_new0 (Job, 1);
  job->server = server;
  job->msg = g_object_ref (msg);
  job->route = route;
  job->method = g_strdup (method);
  {
    g_autofree char *joined = g_strjoinv ("/", segments);

    job->path = g_strconcat ("/", joined, NULL);
  }
  job->path_params = route_params (route, segments);
  if (query != NULL)
    job->query = g_hash_table_ref (query);
  job->token = g_steal_pointer (&token);
  job->body = g_steal_pointer (&body);
  job->req.server = server;
  job->req.method = job->method;
  job->req.path = job->path;
  job->req.body = job->body;
  job->req.priv = job;

  info->counted = TRUE;
  server->in_flight++;
  soup_server_message_pause (msg);
  job->lane = (route->roles & CDM_ROUTE_LONG_READ) && server->read_lane.pool != NULL ?
              &server->read_lane : &server->lane;
  g_thread_pool_push (job->lane->pool, job, NULL);
}

/* Life cycle */

CdmServer *
cdm_server_new (const CdmServerConfig *config)
{
  CdmServer *server = g_new0 (CdmServer, 1);

  server->config = *config;
  server->config.listen = g_strdup (config->listen);
  server->config.port_file = g_strdup (config->port_file);
  server->config.tls_cert = g_strdup (config->tls_cert);
  server->config.tls_key = g_strdup (config->tls_key);
  server->config.database = g_strdup (config->database);
  if (server->config.workers == 0)
    server->config.workers = 1;
  server->routes = g_ptr_array_new_with_free_func (route_free);
  return server;
}

void
cdm_server_free (CdmServer *server)
{
  if (server == NULL)
    return;
  g_clear_object (&server->soup);
  g_clear_object (&server->service);
  g_clear_object (&server->certificate);
  g_clear_pointer (&server->loop, g_main_loop_unref);
  g_clear_pointer (&server->routes, g_ptr_array_unref);
  cdm_server_config_clear (&server->config);
  g_free (server);
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  CdmServer *server = user_data;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GError) error = NULL;

  if (server->stopping)
    return TRUE;  /* dropped: the connection closes */
  local = g_socket_connection_get_local_address (connection, NULL);
  remote = g_socket_connection_get_remote_address (connection, NULL);
  if (server->certificate != NULL)
    {
      stream = (GIOStream *) g_tls_server_connection_new (G_IO_STREAM (connection), server->certificate, &error);
      if (stream == NULL)
        {
          g_message ("TLS: %s", error->message);
          return TRUE;
        }
    }
  else
    stream = g_object_ref (G_IO_STREAM (connection));
  if (!soup_server_accept_iostream (server->soup, stream, local, remote, &error))
    g_message ("connection refused: %s", error->message);
  return TRUE;
}

static gboolean on_stop_timeout (gpointer user_data);

static gboolean
on_stop_signal (gpointer user_data)
{
  CdmServer *server = user_data;

  if (!server->stopping)
    {
      g_message ("stopping: finishing %u request(s) in flight", server->in_flight);
      server->stopping = TRUE;
      g_socket_service_stop (server->service);
      g_socket_listener_close (G_SOCKET_LISTENER (server->service));
      server->stop_timeout = g_timeout_add_seconds (30, on_stop_timeout, server);
    }
  maybe_quit (server);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  CdmServer *server = user_data;

  if (server->stopping && g_main_loop_is_running (server->loop))
    {
      g_message ("stopping: %u request(s) still in flight after 30 s", server->in_flight);
      g_main_loop_quit (server->loop);
    }
  server->stop_timeout = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
lane_init (Lane       *lane,
           CdmServer  *server,
           guint       workers,
           GError    **error)
{
  lane->pool = g_thread_pool_new (run_job, server, workers, FALSE, error);
  if (lane->pool == NULL)
    return FALSE;
  lane->slots = g_async_queue_new ();
  lane->all_slots = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < workers; i++)
    {
      Slot *slot = g_new0 (Slot, 1);

      g_ptr_array_add (lane->all_slots, slot);
      g_async_queue_push (lane->slots, slot);
    }
  return TRUE;
}

/* Once its pool is gone: closes the connections. */
static void
lane_clear (Lane *lane)
{
  if (lane->pool != NULL)
    g_thread_pool_free (g_steal_pointer (&lane->pool), FALSE, TRUE);
  for (guint i = 0; lane->all_slots != NULL && i < lane->all_slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (lane->all_slots, i);

      g_clear_pointer (&slot->conn, PQfinish);
    }
  g_clear_pointer (&lane->all_slots, g_ptr_array_unref);
  g_clear_pointer (&lane->slots, g_async_queue_unref);
}

static gboolean
write_port_file (const char  *path,
                 guint        port,
                 GError     **error)
{
  g_autofree char *text = g_strdup_printf ("%u\n", port);

  return g_file_set_contents (path, text, -1, error);
}

gboolean
cdm_server_run (CdmServer  *server,
                GError    **error)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *url = NULL;
  gboolean tls = server->config.tls_cert != NULL;
  guint port = 0;
  guint sigterm, sigint;

  address = g_inet_address_new_from_string (server->config.listen);
  if (address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address to listen on", server->config.listen);
      return FALSE;
    }
  if (!tls && !g_inet_address_get_is_loopback (address) && !server->config.allow_plain_http)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Refusing plain HTTP on %s, which is not a loopback address: "
                   "give --tls-cert and --tls-key (or --allow-plain-http behind a TLS proxy)",
                   server->config.listen);
      return FALSE;
    }
  if (tls)
    {
      certificate = g_tls_certificate_new_from_files (server->config.tls_cert,
                                                      server->config.tls_key
                                                        ? server->config.tls_key
                                                        : server->config.tls_cert,
                                                      error);
      if (certificate == NULL)
        return FALSE;
    }

  server->context = g_main_context_default ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->certificate = g_steal_pointer (&certificate);
  server->soup = soup_server_new ("server-header", "cdm-server", NULL);
  soup_server_add_early_handler (server->soup, NULL, early_callback, server, NULL);
  soup_server_add_handler (server->soup, NULL, server_callback, server, NULL);

  /* Our own listener hands each connection to libsoup: it stops
   * accepting at once on SIGTERM, and it does the TLS handshake itself
   * (libsoup 3.2's listener also keeps every accepted socket object). */
  server->service = g_socket_service_new ();
  /* GLib's default backlog is 10: a morning's worth of desks connecting
   * at once overflowed it, and the kernel's drops surfaced as resets. */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (server->service), 1024);
  socket_address = g_inet_socket_address_new (address, server->config.port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), socket_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, error))
    {
      g_prefix_error (error, "Cannot listen on %s port %u: ", server->config.listen, server->config.port);
      return FALSE;
    }
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_incoming), server);
  g_socket_service_start (server->service);
  if (server->config.port_file != NULL && !write_port_file (server->config.port_file, port, error))
    return FALSE;

  if (!lane_init (&server->lane, server, server->config.workers, error) ||
      (server->config.read_workers > 0 &&
       !lane_init (&server->read_lane, server, server->config.read_workers, error)))
    {
      lane_clear (&server->read_lane);
      lane_clear (&server->lane);
      return FALSE;
    }

  sigterm = g_unix_signal_add (SIGTERM, on_stop_signal, server);
  sigint = g_unix_signal_add (SIGINT, on_stop_signal, server);
  server->stop_timeout = 0;

  {
    g_autofree char *host = g_inet_address_to_string (address);
    gboolean v6 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;

    url = g_strdup_printf ("%s://%s%s%s:%u", tls ? "https" : "http",
                           v6 ? "[" : "", host, v6 ? "]" : "", port);
  }
  g_print ("listening on %s\n", url);
  fflush (stdout);
  g_message ("listening url=%s workers=%u read_workers=%u", url, server->config.workers,
             server->config.read_workers);

  g_main_loop_run (server->loop);

  /* The requests in flight are done (or timed out): close everything. */
  if (server->stop_timeout != 0)
    g_source_remove (server->stop_timeout);
  g_source_remove (sigterm);
  g_source_remove (sigint);
  if (!server->stopping)
    g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  soup_server_disconnect (server->soup);
  if (server->read_lane.pool != NULL)
    g_thread_pool_free (g_steal_pointer (&server->read_lane.pool), FALSE, TRUE);
  g_thread_pool_free (g_steal_pointer (&server->lane.pool), FALSE, TRUE);
  /* Replies the workers queued after the loop stopped. */
  while (g_main_context_iteration (server->context, FALSE))
    ;
  lane_clear (&server->read_lane);
  lane_clear (&server->lane);
  g_message ("stopped");
  return TRUE;
}
