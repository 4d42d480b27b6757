/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-server-http.c: the HTTP core of cdm-server against hostile input
 * (tests/server/bad-input.txt), its life cycle (graceful stop with a
 * request in flight, restart on the same data) and its command line.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <stdlib.h>

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <glib/gstdio.h>

#include "cdm-server-test-util.h"

#define MAX_BODY 65536

static CdmTestServer *ts;

/* \xNN and \\ escapes; the result may hold NUL bytes. */
static GBytes *
unescape (const char *text)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  for (const char *p = text; *p; p++)
    {
      guint8 c = (guint8) *p;

      if (p[0] == '\\' && p[1] == 'x' && g_ascii_isxdigit (p[2]) && g_ascii_isxdigit (p[3]))
        {
          c = (guint8) (g_ascii_xdigit_value (p[2]) * 16 + g_ascii_xdigit_value (p[3]));
          p += 3;
        }
      else if (p[0] == '\\' && p[1] == '\\')
        p++;
      g_byte_array_append (bytes, &c, 1);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

typedef struct {
  guint  line;
  char  *method;
  char  *path;
  char  *role;
  guint  status;
  char  *code;
  char  *body;
} Case;

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->method);
  g_free (c->path);
  g_free (c->role);
  g_free (c->code);
  g_free (c->body);
  g_free (c);
}

static GPtrArray *
load_cases (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "bad-input.txt", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *cases = g_ptr_array_new_with_free_func (case_free);

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      Case *c;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], " | ", 6);
      if (g_strv_length (fields) != 6)
        g_error ("bad-input.txt:%u: six fields separated by “ | ” expected", i + 1);
      c = g_new0 (Case, 1);
      c->line = i + 1;
      c->method = g_strdup (g_strstrip (fields[0]));
      c->path = g_strdup (g_strstrip (fields[1]));
      c->role = g_strdup (g_strstrip (fields[2]));
      c->status = (guint) g_ascii_strtoull (fields[3], NULL, 10);
      c->code = g_strdup (g_strstrip (fields[4]));
      c->body = g_strdup (fields[5]);
      g_ptr_array_add (cases, c);
    }
  return cases;
}

static GBytes *
case_body (const Case  *c,
           char       **content_type)
{
  *content_type = NULL;
  if (g_str_equal (c->body, "-"))
    return NULL;
  *content_type = g_strdup ("application/json");
  if (g_str_equal (c->body, "@big"))
    {
      char *text = g_malloc (MAX_BODY + 1);

      memset (text, 'a', MAX_BODY + 1);
      text[0] = '"';
      text[MAX_BODY] = '"';
      return g_bytes_new_take (text, MAX_BODY + 1);
    }
  if (g_str_equal (c->body, "@deep"))
    {
      char *text = g_malloc (60000);

      memset (text, '[', 60000);
      return g_bytes_new_take (text, 60000);
    }
  if (g_str_has_prefix (c->body, "@file:"))
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, c->body + 6, NULL);
      g_autoptr(GError) error = NULL;
      char *text;
      gsize len;

      g_file_get_contents (path, &text, &len, &error);
      g_assert_no_error (error);
      return g_bytes_new_take (text, len);
    }
  if (c->body[0] == '<')
    {
      const char *end = strchr (c->body, '>');

      g_assert_nonnull (end);
      g_free (*content_type);
      *content_type = g_strndup (c->body + 1, end - c->body - 1);
      return unescape (end + 2);
    }
  return unescape (c->body);
}

static GBytes *
case_request (const Case *c)
{
  g_autoptr(GByteArray) request = g_byte_array_new ();
  g_autoptr(GBytes) path = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *head = NULL;
  const char *token = NULL;
  gsize len;
  const guint8 *data;

  if (g_str_equal (c->path, "@longpath"))
    {
      g_autoptr(GString) long_path = g_string_new ("/api/v1/");

      while (long_path->len < 5000)
        g_string_append (long_path, "aaaaaaaaa/");
      path = g_bytes_new (long_path->str, long_path->len);
    }
  else
    path = unescape (c->path);
  body = case_body (c, &content_type);

  if (g_str_equal (c->role, "forged"))
    token = "Zm9yZ2VkLXRva2VuLXRoYXQtbm9ib2R5LWV2ZXItZ2F";
  else if (!g_str_equal (c->role, "-"))
    token = cdm_test_server_token (ts, c->role);

  g_byte_array_append (request, (const guint8 *) c->method, strlen (c->method));
  g_byte_array_append (request, (const guint8 *) " ", 1);
  data = g_bytes_get_data (path, &len);
  g_byte_array_append (request, data, len);
  head = g_strdup_printf (" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s",
                          token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
  g_byte_array_append (request, (const guint8 *) head, strlen (head));
  if (g_str_equal (c->body, "@huge"))
    {
      static const char huge[] = "Content-Type: application/json\r\nContent-Length: 1000000000\r\n";

      g_byte_array_append (request, (const guint8 *) huge, strlen (huge));
      g_clear_pointer (&body, g_bytes_unref);
      body = g_bytes_new_static ("[1,2,3", 6);
    }
  else if (body != NULL)
    {
      g_autofree char *headers = g_strdup_printf ("Content-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n",
                                                  content_type, g_bytes_get_size (body));

      g_byte_array_append (request, (const guint8 *) headers, strlen (headers));
    }
  else if (g_str_equal (c->method, "POST") || g_str_equal (c->method, "PATCH") || g_str_equal (c->method, "PUT"))
    g_byte_array_append (request, (const guint8 *) "Content-Length: 0\r\n", 19);
  g_byte_array_append (request, (const guint8 *) "\r\n", 2);
  if (body != NULL)
    {
      data = g_bytes_get_data (body, &len);
      g_byte_array_append (request, data, len);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&request));
}

static void
test_bad_input (void)
{
  g_autoptr(GPtrArray) cases = load_cases ();
  g_autofree char *before = NULL;
  guint failures = 0;

  g_assert_cmpuint (cases->len, >=, 50);
  /* Log every role in first, so that the digest does not see it. */
  for (guint i = 0; cdm_test_roles[i] != NULL; i++)
    cdm_test_server_token (ts, cdm_test_roles[i]);
  before = cdm_test_database_digest (ts);

  for (guint i = 0; i < cases->len; i++)
    {
      const Case *c = g_ptr_array_index (cases, i);
      g_autoptr(GBytes) request = case_request (c);
      g_autoptr(CdmTestReply) reply = NULL;
      g_autofree char *after = NULL;
      const char *code;
      gsize len;
      const char *data = g_bytes_get_data (request, &len);

      reply = cdm_test_request_raw (ts, data, len);
      code = cdm_test_reply_error_code (reply);
      after = cdm_test_database_digest (ts);

      if (reply->status < 400 || reply->status >= 500 || reply->status != c->status ||
          (!g_str_equal (c->code, "-") && g_strcmp0 (code, c->code) != 0) ||
          !g_str_equal (before, after))
        {
          g_autofree char *body = reply->body ? g_strndup (g_bytes_get_data (reply->body, NULL),
                                                           MIN (g_bytes_get_size (reply->body), 300)) : NULL;

          g_test_message ("bad-input.txt:%u: %s %.60s as %s: got %u %s (%s), expected %u %s%s",
                          c->line, c->method, c->path, c->role, reply->status, code ? code : "-",
                          body ? body : "", c->status, c->code,
                          g_str_equal (before, after) ? "" : "; THE DATABASE CHANGED");
          failures++;
          g_free (before);
          before = g_steal_pointer (&after);
          continue;
        }
      /* A JSON error says what is wrong, in a sentence. */
      if (!g_str_equal (c->code, "-"))
        {
          JsonObject *error = json_node_get_object (cdm_test_reply_member (reply, "error"));

          g_assert_cmpstr (reply->content_type, ==, "application/json");
          g_assert_cmpuint (strlen (json_object_get_string_member (error, "message")), >, 10);
        }
    }
  g_assert_cmpuint (failures, ==, 0);

  /* And the server is still there. */
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/health", NULL, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }
}

/* A body of unknown length could grow without limit: refused unread. */
static void
test_chunked (void)
{
  static const char request[] = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "2\r\n{}\r\n";
  g_autoptr(CdmTestReply) reply = cdm_test_request_raw (ts, request, strlen (request));

  g_assert_cmpuint (reply->status, ==, 411);
  g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "length_required");
}

/* Requests made of random pieces, valid and broken: never a 5xx, never a
 * crash, never a change. */
static void
test_garbage (void)
{
  static const char * const methods[] = { "GET", "POST", "PATCH", "PUT", "DELETE", "G\x01T", "" };
  static const char * const paths[] = {
    "/api/v1/auth/login", "/api/v1/admin/users", "/api/v1/admin/users/admin", "/api/v1/admin/desks",
    "/api/v1/admin/audit?limit=", "/api/v1/auth/me", "/", "*", "/api/v1/admin/users/x/revoke",
  };
  static const char * const bodies[] = {
    "{\"login\":", "{\"login\": \"admin\", \"password\": 1e999}", "[[[[[[[[", "{}", "null",
    "{\"role\": \"admin\", \"login\": \"\\u0000\"}", "\"\\ud800\"", "{\"a\":{\"b\":[1,2,{\"c\":null}]}}",
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  const char *token = cdm_test_server_token (ts, "admin");
  g_autofree char *before = cdm_test_database_digest (ts);
  g_autofree char *after = NULL;

  for (int i = 0; i < 200; i++)
    {
      g_autoptr(GString) request = g_string_new (NULL);
      g_autoptr(GString) body = g_string_new (bodies[g_rand_int_range (rand, 0, G_N_ELEMENTS (bodies))]);
      g_autoptr(CdmTestReply) reply = NULL;
      int noise = g_rand_int_range (rand, 0, 4);

      /* Some random bytes in the body. */
      for (int n = 0; n < noise; n++)
        body->str[g_rand_int_range (rand, 0, (gint32) body->len)] = (char) g_rand_int_range (rand, 1, 256);
      g_string_append_printf (request, "%s %s", methods[g_rand_int_range (rand, 0, G_N_ELEMENTS (methods))],
                              paths[g_rand_int_range (rand, 0, G_N_ELEMENTS (paths))]);
      if (g_rand_boolean (rand))
        g_string_append_c (request, (char) g_rand_int_range (rand, 33, 256));
      g_string_append (request, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
      if (g_rand_boolean (rand))
        g_string_append_printf (request, "Authorization: Bearer %s\r\n", token);
      if (g_rand_boolean (rand))
        g_string_append (request, "Content-Type: application/json\r\n");
      g_string_append_printf (request, "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", body->len);
      g_string_append_len (request, body->str, body->len);

      reply = cdm_test_request_raw (ts, request->str, request->len);
      if (reply->status >= 500)
        g_error ("request %d got %u: %.*s", i, reply->status, (int) MIN (request->len, 200), request->str);
    }
  after = cdm_test_database_digest (ts);
  g_assert_cmpstr (before, ==, after);
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/health", NULL, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }
}

static void
test_errors_are_json (void)
{
  g_autoptr(CdmTestReply) missing = cdm_test_request (ts, "GET", "/api/v1/nothing/here", NULL, NULL);
  g_autoptr(CdmTestReply) method = cdm_test_request (ts, "DELETE", "/api/v1/auth/me", NULL, NULL);
  g_autoptr(CdmTestReply) bad = cdm_test_request (ts, "POST", "/api/v1/auth/login", NULL, "{\"login\": tru}");
  const char *message;

  g_assert_cmpuint (missing->status, ==, 404);
  g_assert_cmpstr (missing->content_type, ==, "application/json");
  g_assert_cmpstr (cdm_test_reply_error_code (missing), ==, "not_found");
  g_assert_cmpuint (method->status, ==, 405);
  g_assert_cmpstr (cdm_test_reply_error_code (method), ==, "method_not_allowed");
  g_assert_cmpuint (bad->status, ==, 400);
  g_assert_cmpstr (cdm_test_reply_error_code (bad), ==, "bad_json");
  /* The message says where the JSON went wrong. */
  message = json_object_get_string_member (json_node_get_object (cdm_test_reply_member (bad, "error")), "message");
  g_assert_nonnull (strstr (message, "1:"));
}

static void
test_field_named (void)
{
  g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "POST", "/api/v1/admin/desks",
                                                    cdm_test_server_token (ts, "admin"),
                                                    "{\"name\": \"x\", \"site\": \"moon\"}");
  JsonObject *error;

  g_assert_cmpuint (reply->status, ==, 400);
  error = json_node_get_object (cdm_test_reply_member (reply, "error"));
  g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, "site");
}

typedef struct {
  char         *request;
  CdmTestReply *reply;
} InFlight;

static gpointer
send_in_thread (gpointer data)
{
  InFlight *flight = data;

  flight->reply = cdm_test_request_raw (ts, flight->request, strlen (flight->request));
  return NULL;
}

typedef struct {
  const char *role;
  char       *request;
} Client;

static gpointer
hammer (gpointer data)
{
  Client *client = data;
  guint ok = 0;

  for (int i = 0; i < 25; i++)
    {
      g_autoptr(CdmTestReply) reply = cdm_test_request_raw (ts, client->request, strlen (client->request));
      JsonNode *login = reply->status == 200 ? cdm_test_reply_member (reply, "login") : NULL;

      if (login != NULL && g_strcmp0 (json_node_get_string (login), client->role) == 0)
        ok++;
    }
  return GUINT_TO_POINTER (ok);
}

/* More clients than workers: every request is answered, by the right user. */
static void
test_concurrent (void)
{
  Client clients[8];
  GThread *threads[8];
  guint ok = 0;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      clients[i].role = cdm_test_roles[i % 5];
      clients[i].request = g_strdup_printf ("GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                            "Authorization: Bearer %s\r\n\r\n",
                                            cdm_test_server_token (ts, clients[i].role));
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("client", hammer, &clients[i]);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    ok += GPOINTER_TO_UINT (g_thread_join (threads[i]));
  g_assert_cmpuint (ok, ==, 8 * 25);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    g_free (clients[i].request);
}

/* SIGTERM while a request waits on the database: the request is
 * answered, then the server exits 0. */
static void
test_graceful_stop (void)
{
  PGconn *db = cdm_test_server_db (ts);
  const char *token = cdm_test_server_token (ts, "admin");
  InFlight flight = { 0 };
  GThread *thread;
  PGresult *res;
  GPid pid = cdm_test_server_pid (ts);

  res = PQexec (db, "BEGIN; LOCK TABLE desks IN ACCESS EXCLUSIVE MODE");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);

  flight.request = g_strdup_printf ("GET /api/v1/admin/desks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                    "Authorization: Bearer %s\r\n\r\n", token);
  thread = g_thread_new ("in-flight", send_in_thread, &flight);
  /* Until the request waits on the lock. */
  for (int i = 0; i < 3000; i++)
    {
      g_autofree char *waiting = cdm_test_query_value (ts, "SELECT count (*) FROM pg_stat_activity"
                                                           " WHERE wait_event_type = 'Lock'");

      if (g_str_equal (waiting, "1"))
        break;
      g_usleep (10 * 1000);
    }
  g_assert_cmpint (kill (pid, SIGTERM), ==, 0);
  g_usleep (300 * 1000);
  /* Still there, finishing its request, but taking no new connection. */
  g_assert_cmpint (kill (pid, 0), ==, 0);
  g_assert_null (flight.reply);
  {
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    g_autoptr(GSocketConnection) refused = NULL;
    g_autoptr(GUri) uri = g_uri_parse (cdm_test_server_url (ts), G_URI_FLAGS_NONE, NULL);
    g_autoptr(GError) error = NULL;

    g_socket_client_set_enable_proxy (client, FALSE);
    refused = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) g_uri_get_port (uri), NULL, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  }

  res = PQexec (db, "COMMIT");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);
  g_thread_join (thread);
  g_assert_nonnull (flight.reply);
  g_assert_cmpuint (flight.reply->status, ==, 200);
  g_assert_nonnull (cdm_test_reply_member (flight.reply, "desks"));

  /* It stops by itself once the request is answered. */
  g_assert_cmpint (cdm_test_server_wait_exit (ts), ==, 0);
  cdm_test_reply_free (flight.reply);
  g_free (flight.request);
  cdm_test_server_start_serving (ts);
}

/* What was written before a restart is there after it. */
static void
test_restart (void)
{
  g_autofree char *password = cdm_test_password ("steward");

  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "POST", "/api/v1/admin/desks",
                                                      cdm_test_server_token (ts, "admin"),
                                                      "{\"name\": \"Before the restart\", \"site\": \"school\"}");

    g_assert_cmpuint (reply->status, ==, 201);
  }
  g_assert_cmpint (cdm_test_server_stop_serving (ts), ==, 0);
  cdm_test_server_start_serving (ts);
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/admin/desks",
                                                      cdm_test_server_token (ts, "admin"), NULL);
    g_autofree char *text = NULL;

    g_assert_cmpuint (reply->status, ==, 200);
    text = g_strndup (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body));
    g_assert_nonnull (strstr (text, "Before the restart"));
  }
  g_assert_cmpint (cdm_test_count_rows (ts, "users"), >=, 5);
}

/* ALTER DATABASE cdm_test … ALLOW_CONNECTIONS, from another database. */
static void
allow_connections (gboolean allow)
{
  const char * const keywords[] = { "dbname", "dbname", NULL };
  const char * const values[] = { cdm_test_server_conninfo (ts), "postgres", NULL };
  PGconn *db = PQconnectdbParams (keywords, values, 1);
  PGresult *res;

  g_assert_cmpint (PQstatus (db), ==, CONNECTION_OK);
  res = PQexec (db, allow ? "ALTER DATABASE cdm_test WITH ALLOW_CONNECTIONS true"
                          : "ALTER DATABASE cdm_test WITH ALLOW_CONNECTIONS false");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);
  PQfinish (db);
}

/* PostgreSQL drops cdm-server's connections: the requests that hit a
 * dead connection get 503 (never another 5xx), the next ones reconnect. */
static void
test_database_lost (void)
{
  const char *token = cdm_test_server_token (ts, "counsellor");
  g_autofree char *killed = NULL;
  guint unavailable = 0;

  /* docs/api/openapi.yaml has 503 on /health only so far: these answers
   * stay out of the conformance check. */
  cdm_test_server_record (ts, FALSE);
  killed = cdm_test_query_value (ts, "SELECT count (pg_terminate_backend (pid)) FROM pg_stat_activity"
                                     " WHERE application_name = 'cdm-server'");
  g_assert_cmpint (atoi (killed), >=, 1);
  for (int i = 0; i < 12; i++)
    {
      g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/auth/me", token, NULL);

      if (reply->status == 503)
        {
          g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "unavailable");
          unavailable++;
        }
      else
        g_assert_cmpuint (reply->status, ==, 200);
    }
  /* At most one failure per worker connection. */
  g_assert_cmpuint (unavailable, <=, 4);
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/health", NULL, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }

  /* The database refuses connections: health says so, with 503. */
  allow_connections (FALSE);
  g_free (cdm_test_query_value (ts, "SELECT count (pg_terminate_backend (pid)) FROM pg_stat_activity"
                                    " WHERE application_name = 'cdm-server'"));
  /* Until those sessions are really gone. */
  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *left = cdm_test_query_value (ts, "SELECT count (*) FROM pg_stat_activity"
                                                        " WHERE application_name = 'cdm-server'");

      if (g_str_equal (left, "0"))
        break;
      g_usleep (10 * 1000);
    }
  for (int i = 0; i < 6; i++)
    {
      g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/health", NULL, NULL);

      g_assert_cmpuint (reply->status, ==, 503);
      g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "unavailable");
    }
  allow_connections (TRUE);
  /* And it comes back by itself. */
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/auth/me", token, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }
  cdm_test_server_record (ts, TRUE);
}

/* A configuration file; the command line wins over it. */
static void
test_config_file (void)
{
  g_autofree char *conf = cdm_test_server_file (ts, "server.conf");
  g_autofree char *port_file = cdm_test_server_file (ts, "port");
  g_autofree char *text = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "serve", "--config", conf, "--max-body", "2048", NULL };
  char big[3000];

  text = g_strdup_printf ("[server]\nlisten=127.0.0.1\nport=0\nport-file=%s\nworkers=2\nmax-body=999999\n",
                          port_file);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  server = cdm_test_server_spawn (ts, args, &url);
  g_assert_nonnull (server);
  g_assert_true (g_file_get_contents (port_file, &port, NULL, NULL));
  g_assert_true (g_str_has_suffix (url, g_strstrip (port)));

  memset (big, ' ', sizeof big);
  request = g_strdup_printf ("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%.*s{}",
                             sizeof big + 2, (int) sizeof big, big);
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request_raw_to (url, request, strlen (request));

    g_assert_cmpuint (reply->status, ==, 413);
  }
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);
}

static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return TRUE;  /* the test's own self-signed certificate */
}

/* HTTPS with a certificate and key, on any address. */
static void
test_tls (void)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert = cdm_test_server_file (ts, "cert.pem");
  g_autofree char *key = cdm_test_server_file (ts, "key.pem");
  g_autofree char *url = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) make = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *args[] = { "serve", "--listen", "127.0.0.1", "--port", "0", "--tls-cert", cert, "--tls-key", key, NULL };

  if (openssl == NULL)
    {
      g_test_skip ("openssl is not installed (tools/install-deps test)");
      return;
    }
  make = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                           openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (make, NULL, &error));

  server = cdm_test_server_spawn (ts, args, &url);
  g_assert_nonnull (server);
  g_assert_true (g_str_has_prefix (url, "https://127.0.0.1:"));

  session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);
  uri = g_strconcat (url, "/api/v1/health", NULL);
  msg = soup_message_new ("GET", uri);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), NULL);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);
}

static void
test_migrate_idempotent (void)
{
  const char *migrate[] = { "migrate", NULL };
  g_autofree char *out = NULL;
  g_autofree char *digest = cdm_test_database_digest (ts);
  g_autofree char *after = NULL;

  g_assert_cmpint (cdm_test_server_command (ts, migrate, NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "(0 migrations applied)"));
  after = cdm_test_database_digest (ts);
  g_assert_cmpstr (digest, ==, after);
}

static void
test_newer_schema_refused (void)
{
  const char *migrate[] = { "migrate", NULL };
  const char *serve[] = { "serve", "--port", "0", NULL };
  g_autofree char *err = NULL;
  g_autofree char *serve_err = NULL;

  g_free (cdm_test_query_value (ts, "WITH v AS (INSERT INTO schema_version (version) VALUES (999) RETURNING 1)"
                                    " SELECT count (*) FROM v"));
  g_assert_cmpint (cdm_test_server_command (ts, migrate, NULL, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "newer than this cdm-server"));
  g_assert_cmpint (cdm_test_server_command (ts, serve, NULL, NULL, &serve_err), ==, 1);
  g_assert_nonnull (strstr (serve_err, "use a newer cdm-server"));
  g_free (cdm_test_query_value (ts, "WITH v AS (DELETE FROM schema_version WHERE version = 999 RETURNING 1)"
                                    " SELECT count (*) FROM v"));
}

static void
test_plain_http_refused (void)
{
  const char *serve[] = { "serve", "--listen", "0.0.0.0", "--port", "0", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (cdm_test_server_command (ts, serve, NULL, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "not a loopback address"));
}

static void
test_command_line (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cdm-server-conf-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (dir, "bad.conf", NULL);
  const char *migrate[] = { "migrate", "--config", conf, NULL };
  const char *bad_role[] = { "user-add", "someone", "--role", "root", NULL };
  const char *bad_login[] = { "user-add", "Some One", "--role", "manager", NULL };
  const char *no_password[] = { "user-add", "someone", "--role", "manager", NULL };
  const char *bad_site[] = { "desk-add", "Desk", "--site", "moon", NULL };
  const char *unknown[] = { "frobnicate", NULL };
  g_autofree char *err = NULL;
  g_autofree char *digest = cdm_test_database_digest (ts);
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (conf, "[server]\nworkers=many\n", -1, NULL));
  g_assert_cmpint (cdm_test_server_command (ts, migrate, NULL, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "workers"));
  g_assert_cmpint (cdm_test_server_command (ts, bad_role, "a-good-password", NULL, NULL), ==, 2);
  g_assert_cmpint (cdm_test_server_command (ts, bad_login, "a-good-password", NULL, NULL), ==, 2);
  /* No password on stdin: refused, nothing added. */
  g_assert_cmpint (cdm_test_server_command (ts, no_password, "", NULL, NULL), ==, 1);
  g_assert_cmpint (cdm_test_server_command (ts, bad_site, NULL, NULL, NULL), ==, 2);
  g_assert_cmpint (cdm_test_server_command (ts, unknown, NULL, NULL, NULL), ==, 2);
  after = cdm_test_database_digest (ts);
  g_assert_cmpstr (digest, ==, after);

  g_unlink (conf);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  const char * const serve_args[] = { "--max-body", G_STRINGIFY (MAX_BODY), NULL };
  int status;

  g_test_init (&argc, &argv, NULL);

  ts = cdm_test_server_new (serve_args);

  g_test_add_func ("/server/http/errors-are-json", test_errors_are_json);
  g_test_add_func ("/server/http/field-named", test_field_named);
  g_test_add_func ("/server/http/chunked", test_chunked);
  g_test_add_func ("/server/http/garbage", test_garbage);
  g_test_add_func ("/server/http/bad-input", test_bad_input);
  g_test_add_func ("/server/http/concurrent", test_concurrent);
  g_test_add_func ("/server/http/graceful-stop", test_graceful_stop);
  g_test_add_func ("/server/http/restart", test_restart);
  g_test_add_func ("/server/http/database-lost", test_database_lost);
  g_test_add_func ("/server/http/tls", test_tls);
  g_test_add_func ("/server/cli/config-file", test_config_file);
  g_test_add_func ("/server/cli/migrate-idempotent", test_migrate_idempotent);
  g_test_add_func ("/server/cli/newer-schema-refused", test_newer_schema_refused);
  g_test_add_func ("/server/cli/plain-http-refused", test_plain_http_refused);
  g_test_add_func ("/server/cli/command-line", test_command_line);

  cdm_test_server_add_api_test (ts);

  status = g_test_run ();
  cdm_test_server_free (ts);
  return status;
}
