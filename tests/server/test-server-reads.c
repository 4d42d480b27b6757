/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The long reads of the server (snapshot and pull pages) against a real
 * PostgreSQL and the real cdm-server: every record carries its version
 * and "deleted" exactly once, whatever was pushed or is stored, also an
 * empty body; snapshot pages walk the ids in order without a gap or a
 * repeat; and a push is answered while every read worker is held by a
 * long read. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <libsoup/soup.h>

#include "cdm-server-test-util.h"

static CdmTestServer *server;

static char *
uuid (void)
{
  return g_uuid_string_random ();
}

/* A create of a contact of 2020; extra: more members of its fields, or
 * "". */
static char *
create_entry (const char *id,
              const char *extra)
{
  g_autofree char *key = uuid ();

  return g_strdup_printf ("{\"key\": \"%s\", \"type\": \"contact\", \"id\": \"%s\", \"op\": \"create\", "
                          "\"base_version\": 0, \"fields\": {\"occurred_at\": \"2020-03-02T10:00:00+01:00\", "
                          "\"site\": \"centre\", \"service\": \"individual_advice\", \"channel\": \"email\"%s}, "
                          "\"old\": null}", key, id, extra);
}

static void
push_created (const char *id,
              const char *extra)
{
  g_autofree char *entry = create_entry (id, extra);
  g_autofree char *body = g_strdup_printf ("{\"entries\": [%s]}", entry);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "POST", "/api/v1/sync/push",
                                                    cdm_test_server_token (server, "counsellor"), body);
  JsonObject *result;

  g_assert_cmpuint (reply->status, ==, 200);
  result = json_array_get_object_element (json_node_get_array (cdm_test_reply_member (reply, "results")), 0);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "applied");
}

static gint64
cursor_now (void)
{
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", "/api/v1/sync/cursor",
                                                    cdm_test_server_token (server, "counsellor"), NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  return json_node_get_int (cdm_test_reply_member (reply, "cursor"));
}

static guint
count_text (GBytes     *bytes,
            const char *needle)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autofree char *text = g_strndup (data, len);
  guint n = 0;

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/* The pull from @cursor holding only the change of @id: the reply, and
 * its record in *out_record. */
static CdmTestReply *
pull_one (gint64       cursor,
          const char  *id,
          JsonObject **out_record)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT, cursor);
  CdmTestReply *reply = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "counsellor"), NULL);
  JsonArray *changes;
  JsonObject *change;

  g_assert_cmpuint (reply->status, ==, 200);
  changes = json_node_get_array (cdm_test_reply_member (reply, "changes"));
  g_assert_cmpuint (json_array_get_length (changes), ==, 1);
  change = json_array_get_object_element (changes, 0);
  g_assert_cmpstr (json_object_get_string_member (change, "id"), ==, id);
  *out_record = json_object_get_object_member (change, "record");
  return reply;
}

/* The contacts' snapshot, page after page, up to the one holding @id
 * (NULL: the one holding a record without an id): that page, and the
 * record in *out_record. */
static CdmTestReply *
snapshot_find (const char  *id,
               JsonObject **out_record)
{
  g_autofree char *after = NULL;

  for (;;)
    {
      g_autofree char *path = after == NULL ? g_strdup ("/api/v1/sync/snapshot?type=contact&limit=50") :
                              g_strdup_printf ("/api/v1/sync/snapshot?type=contact&limit=50&after=%s", after);
      CdmTestReply *page = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "counsellor"), NULL);
      JsonArray *records;
      JsonNode *next;

      g_assert_cmpuint (page->status, ==, 200);
      g_assert_nonnull (page->json);
      records = json_node_get_array (cdm_test_reply_member (page, "records"));
      for (guint i = 0; i < json_array_get_length (records); i++)
        {
          JsonObject *record = json_array_get_object_element (records, i);

          if (g_strcmp0 (json_object_get_string_member_with_default (record, "id", NULL), id) == 0)
            {
              *out_record = record;
              return page;
            }
        }
      next = cdm_test_reply_member (page, "next");
      g_assert_false (JSON_NODE_HOLDS_NULL (next));
      g_free (after);
      after = g_strdup (json_node_get_string (next));
      cdm_test_reply_free (page);
    }
}

/* A desk that sends "version" and "deleted" in a record's fields (they
 * are the store's own columns, accepted and ignored) gets them back once,
 * with the server's values: never stored in the body, never twice in a
 * page. */
static void
test_sync_members (void)
{
  g_autofree char *id = uuid ();
  g_autofree char *sql = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(CdmTestReply) pulled = NULL;
  g_autoptr(CdmTestReply) snapshot = NULL;
  gint64 cursor = cursor_now ();
  JsonObject *record;
  JsonArray *records;

  push_created (id, ", \"version\": 99, \"deleted\": true");

  /* Only an id this test made (a UUID) goes into the query text. */
  g_assert_true (g_uuid_string_is_valid (id));
  sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE id = '%s' AND (body ? 'version' OR body ? 'deleted')", id);
  stored = cdm_test_query_value (server, sql);
  g_assert_cmpstr (stored, ==, "0");

  pulled = pull_one (cursor, id, &record);
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 1);
  g_assert_false (json_object_get_boolean_member (record, "deleted"));
  g_assert_cmpstr (json_object_get_string_member (record, "channel"), ==, "email");
  /* Once in the change, once in its record. */
  g_assert_cmpuint (count_text (pulled->body, "\"version\""), ==, 2);
  g_assert_cmpuint (count_text (pulled->body, "\"deleted\""), ==, 2);

  /* The snapshot page that holds it: each record of the page says its
   * version and "deleted" once. */
  snapshot = snapshot_find (id, &record);
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 1);
  g_assert_false (json_object_get_boolean_member (record, "deleted"));
  records = json_node_get_array (cdm_test_reply_member (snapshot, "records"));
  g_assert_cmpuint (count_text (snapshot->body, "\"version\""), ==, json_array_get_length (records));
  g_assert_cmpuint (count_text (snapshot->body, "\"deleted\""), ==, json_array_get_length (records));
}

/* A stored body that is an empty object (written by hand, or damaged)
 * still goes out as a valid record with its version, in a pull and in
 * a snapshot, and the pages around it stay valid JSON. */
static void
test_empty_body (void)
{
  g_autofree char *id = uuid ();
  g_autofree char *sql = NULL;
  g_autofree char *changed = NULL;
  g_autoptr(CdmTestReply) pulled = NULL;
  g_autoptr(CdmTestReply) snapshot = NULL;
  gint64 cursor = cursor_now ();
  JsonObject *record;

  push_created (id, "");
  g_assert_true (g_uuid_string_is_valid (id));
  sql = g_strdup_printf ("WITH u AS (UPDATE contacts SET body = '{}' WHERE id = '%s' RETURNING 1) "
                         "SELECT count(*) FROM u", id);
  changed = cdm_test_query_value (server, sql);
  g_assert_cmpstr (changed, ==, "1");

  /* Not a record the API description allows: the exchanges are left
   * out of the conformance check. */
  cdm_test_server_record (server, FALSE);
  pulled = pull_one (cursor, id, &record);
  g_assert_cmpuint (json_object_get_size (record), ==, 2);
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 1);
  g_assert_false (json_object_get_boolean_member (record, "deleted"));

  /* Its snapshot page, valid JSON all through. */
  snapshot = snapshot_find (NULL, &record);
  g_assert_cmpuint (json_object_get_size (record), ==, 2);
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 1);
  g_assert_false (json_object_get_boolean_member (record, "deleted"));
  cdm_test_server_record (server, TRUE);
}

/* Snapshot pages follow the ids: each id after the one before, each
 * page after the last id of the page before, every live record once. */
static void
test_snapshot_order (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *after = NULL;
  g_autofree char *live = NULL;
  g_autofree char *last = NULL;

  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *id = uuid ();

      push_created (id, "");
    }
  live = cdm_test_query_value (server, "SELECT count(*) FROM contacts WHERE NOT deleted");

  for (;;)
    {
      g_autofree char *path = after == NULL ? g_strdup ("/api/v1/sync/snapshot?type=contact&limit=3") :
                              g_strdup_printf ("/api/v1/sync/snapshot?type=contact&limit=3&after=%s", after);
      g_autoptr(CdmTestReply) page = cdm_test_request (server, "GET", path,
                                                       cdm_test_server_token (server, "counsellor"), NULL);
      JsonArray *records;
      JsonNode *next;

      g_assert_cmpuint (page->status, ==, 200);
      records = json_node_get_array (cdm_test_reply_member (page, "records"));
      for (guint i = 0; i < json_array_get_length (records); i++)
        {
          JsonObject *record = json_array_get_object_element (records, i);
          const char *id = json_object_get_string_member (record, "id");

          g_assert_cmpint (json_object_get_int_member (record, "version"), >=, 1);
          /* Lower-case UUIDs: their text order is the order of the ids. */
          if (last != NULL)
            g_assert_cmpstr (last, <, id);
          g_free (last);
          last = g_strdup (id);
          g_assert_true (g_hash_table_add (seen, g_strdup (id)));
        }
      next = cdm_test_reply_member (page, "next");
      if (JSON_NODE_HOLDS_NULL (next))
        break;
      g_free (after);
      after = g_strdup (json_node_get_string (next));
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, g_ascii_strtoull (live, NULL, 10));
}

/* A request sent from a thread of its own (each with its own session). */
typedef struct {
  char *url;
  char *token;
  const char *method;
  char *path;
  char *body;
  guint status;
  gint done;
} Call;

static gpointer
call_thread (gpointer data)
{
  Call *call = data;
  /* Loopback only: no proxy (nor libproxy's threads). */
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 120, "proxy-resolver", NULL, NULL);
  g_autofree char *uri = g_strconcat (call->url, call->path, NULL);
  g_autofree char *header = g_strconcat ("Bearer ", call->token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (call->method, uri);
  g_autoptr(GBytes) answer = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
  if (call->body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (call->body, strlen (call->body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, NULL);
  call->status = soup_message_get_status (msg);
  g_atomic_int_set (&call->done, 1);
  return NULL;
}

static GThread *
call_start (Call       *call,
            const char *method,
            const char *path,
            const char *body)
{
  call->url = g_strdup (cdm_test_server_url (server));
  call->token = g_strdup (cdm_test_server_token (server, "counsellor"));
  call->method = method;
  call->path = g_strdup (path);
  call->body = g_strdup (body);
  return g_thread_new ("call", call_thread, call);
}

static void
call_clear (Call *call)
{
  g_free (call->url);
  g_free (call->token);
  g_free (call->path);
  g_free (call->body);
}

/* Waits up to @seconds for @call to end. */
static gboolean
call_wait (Call  *call,
           guint  seconds)
{
  for (guint i = 0; i < seconds * 20 && !g_atomic_int_get (&call->done); i++)
    g_usleep (G_USEC_PER_SEC / 20);
  return g_atomic_int_get (&call->done);
}

/* The server's sessions waiting for a lock (seen from outside the
 * locking transaction: a transaction sees pg_stat_activity as it was at
 * its first look). */
static gint64
waiting_backends (void)
{
  g_autofree char *value = cdm_test_query_value (server, "SELECT count(*) FROM pg_stat_activity "
                                                         "WHERE wait_event_type = 'Lock' "
                                                         "AND application_name = 'cdm-server'");

  return g_ascii_strtoll (value, NULL, 10);
}

/* One worker for pushes and one for long reads: while a snapshot holds
 * the read worker (it waits for a table another session locked) and a
 * pull waits for it, a push is answered at once; then both reads are. */
static void
test_push_while_reads_busy (void)
{
  const char * const args[] = { "--workers", "1", "--read-workers", "1", NULL };
  g_autofree char *id = uuid ();
  g_autofree char *entry = create_entry (id, "");
  g_autofree char *body = g_strdup_printf ("{\"entries\": [%s]}", entry);
  g_autofree char *pull_path = g_strdup_printf ("/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT, cursor_now ());
  g_autofree char *log = NULL;
  Call snapshot = { 0 }, pull = { 0 }, pushed = { 0 };
  GThread *threads[3];
  PGconn *locker;
  PGresult *res;
  gboolean held = TRUE;

  cdm_test_server_set_serve_args (server, args);
  g_assert_cmpint (cdm_test_server_stop_serving (server), ==, 0);
  cdm_test_server_start_serving (server);

  locker = PQconnectdb (cdm_test_server_conninfo (server));
  g_assert_cmpint (PQstatus (locker), ==, CONNECTION_OK);
  res = PQexec (locker, "BEGIN; LOCK TABLE closures IN ACCESS EXCLUSIVE MODE");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);

  threads[0] = call_start (&snapshot, "GET", "/api/v1/sync/snapshot?type=closure", NULL);
  for (guint i = 0; i < 200 && waiting_backends () == 0; i++)
    g_usleep (G_USEC_PER_SEC / 20);
  g_assert_cmpint (waiting_backends (), ==, 1);
  threads[1] = call_start (&pull, "GET", pull_path, NULL);
  g_usleep (G_USEC_PER_SEC / 5);

  threads[2] = call_start (&pushed, "POST", "/api/v1/sync/push", body);
  if (!call_wait (&pushed, 20))
    {
      /* Let everything end before failing. */
      PQclear (PQexec (locker, "ROLLBACK"));
      held = FALSE;
    }
  g_assert_true (g_atomic_int_get (&pushed.done));
  g_assert_cmpuint (pushed.status, ==, 200);
  /* The reads are still waiting: the push did not wait for them. */
  g_assert_true (held);
  g_assert_false (g_atomic_int_get (&snapshot.done));
  g_assert_false (g_atomic_int_get (&pull.done));

  PQclear (PQexec (locker, "ROLLBACK"));
  PQfinish (locker);
  g_assert_true (call_wait (&snapshot, 60));
  g_assert_true (call_wait (&pull, 60));
  g_assert_cmpuint (snapshot.status, ==, 200);
  g_assert_cmpuint (pull.status, ==, 200);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  call_clear (&snapshot);
  call_clear (&pull);
  call_clear (&pushed);

  log = cdm_test_server_log (server);
  g_assert_nonnull (strstr (log, "workers=1 read_workers=1"));

  cdm_test_server_set_serve_args (server, NULL);
  g_assert_cmpint (cdm_test_server_stop_serving (server), ==, 0);
  cdm_test_server_start_serving (server);
}

/* --read-workers takes 0 (long reads share the workers) to 256; anything
 * else stops serve at start with a message naming the option. */
static void
test_read_workers_option (void)
{
  const char * const zero[] = { "serve", "--listen", "127.0.0.1", "--port", "0", "--read-workers", "0", NULL };
  const char * const bad[] = { "serve", "--listen", "127.0.0.1", "--port", "0", "--read-workers=-1", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *url = NULL;
  g_autofree char *err = NULL;
  g_autoptr(CdmTestReply) reply = NULL;
  g_autofree char *request = g_strdup ("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  int status;

  process = cdm_test_server_spawn (server, zero, &url);
  g_assert_nonnull (process);
  reply = cdm_test_request_raw_to (url, request, strlen (request));
  g_assert_cmpuint (reply->status, ==, 200);
  g_subprocess_send_signal (process, SIGTERM);
  g_assert_true (g_subprocess_wait (process, NULL, NULL));

  status = cdm_test_server_command (server, bad, NULL, NULL, &err);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "read-workers"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-reads/sync-members", test_sync_members);
  g_test_add_func ("/server-reads/snapshot-order", test_snapshot_order);
  /* After the others that page through every contact: the empty body
   * it stores is not a record the API description allows. */
  g_test_add_func ("/server-reads/empty-body", test_empty_body);
  g_test_add_func ("/server-reads/push-while-reads-busy", test_push_while_reads_busy);
  g_test_add_func ("/server-reads/read-workers-option", test_read_workers_option);

  server = cdm_test_server_new (NULL);
  /* Last: every answer the tests got follows docs/api/openapi.yaml. */
  cdm_test_server_add_api_test (server);
  status = g_test_run ();
  cdm_test_server_free (server);
  return status;
}
