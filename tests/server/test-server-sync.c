/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The server side of sync (DESIGN.md section 5) against a real PostgreSQL
 * and the real cdm-server: pushes apply once whatever is retried, the
 * change feed never skips nor repeats a change even with many writers,
 * same-field collisions keep one value and record the other, tombstones
 * and the re-bootstrap answer, a restart loses nothing, and who sees and
 * writes what. */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "cdm-server-test-util.h"

static CdmTestServer *server;

#define OTHER_ORG "5b1e2d3c-0000-4000-8000-0000000000b2"

static char *
uuid (void)
{
  return g_uuid_string_random ();
}

/* A contact of 2020 in the interchange format. */
static char *
contact_json (const char *channel,
              const char *organisation)
{
  if (organisation != NULL)
    return g_strdup_printf ("{\"occurred_at\": \"2020-03-02T10:00:00+01:00\", \"site\": \"centre\", "
                            "\"service\": \"individual_advice\", \"channel\": \"%s\", \"organisation\": \"%s\"}",
                            channel, organisation);
  return g_strdup_printf ("{\"occurred_at\": \"2020-03-02T10:00:00+01:00\", \"site\": \"centre\", "
                          "\"service\": \"individual_advice\", \"channel\": \"%s\"}", channel);
}

static char *
entry_json (const char *key,
            const char *type,
            const char *id,
            const char *op,
            gint64      base_version,
            const char *fields,
            const char *old)
{
  return g_strdup_printf ("{\"key\": \"%s\", \"type\": \"%s\", \"id\": \"%s\", \"op\": \"%s\", "
                          "\"base_version\": %" G_GINT64_FORMAT ", \"fields\": %s, \"old\": %s}",
                          key, type, id, op, base_version, fields ? fields : "null", old ? old : "null");
}

/* {"entries": [e1, e2, …]} from the NULL-terminated entries. */
static char *
batch_json (char **entries)
{
  g_autofree char *joined = g_strjoinv (", ", entries);

  return g_strdup_printf ("{\"entries\": [%s]}", joined);
}

static CdmTestReply *
push (const char *role,
      const char *body)
{
  return cdm_test_request (server, "POST", "/api/v1/sync/push", cdm_test_server_token (server, role), body);
}

/* Pushes one entry and returns its result (owned by *out_reply). */
static JsonObject *
push_one (const char    *role,
          const char    *entry,
          CdmTestReply **out_reply)
{
  g_autofree char *body = g_strdup_printf ("{\"entries\": [%s]}", entry);
  CdmTestReply *reply = push (role, body);
  JsonNode *results;

  g_assert_cmpuint (reply->status, ==, 200);
  results = cdm_test_reply_member (reply, "results");
  g_assert_nonnull (results);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (results)), ==, 1);
  *out_reply = reply;
  return json_array_get_object_element (json_node_get_array (results), 0);
}

static char *
node_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static gint64
cursor_now (const char *role)
{
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", "/api/v1/sync/cursor",
                                                    cdm_test_server_token (server, role), NULL);
  g_assert_cmpuint (reply->status, ==, 200);
  return json_node_get_int (cdm_test_reply_member (reply, "cursor"));
}

static gint64
count_where (const char *sql_prefix,
             const char *id)
{
  /* Only ids this test made (UUIDs) go into the query text. */
  g_autofree char *sql = g_strdup_printf ("%s '%s'", sql_prefix, id);
  g_autofree char *value = NULL;

  g_assert_true (g_uuid_string_is_valid (id));
  value = cdm_test_query_value (server, sql);
  return g_ascii_strtoll (value, NULL, 10);
}

/* The same batch sent twice applies once, and the second answer is the
 * first, word for word. */
static void
test_idempotent (void)
{
  g_autofree char *k1 = uuid (), *k2 = uuid (), *k3 = uuid ();
  g_autofree char *i1 = uuid (), *i2 = uuid (), *i3 = uuid ();
  g_autofree char *c1 = contact_json ("email", NULL), *c2 = contact_json ("chat", NULL), *c3 = contact_json ("phone", NULL);
  char *entries[4] = { 0 };
  g_autofree char *body = NULL;
  g_autoptr(CdmTestReply) first = NULL;
  g_autoptr(CdmTestReply) second = NULL;
  g_autofree char *first_text = NULL, *second_text = NULL;
  gint64 contacts_before = cdm_test_count_rows (server, "contacts");
  gint64 log_before = cdm_test_count_rows (server, "change_log");
  JsonArray *results;

  entries[0] = entry_json (k1, "contact", i1, "create", 0, c1, NULL);
  entries[1] = entry_json (k2, "contact", i2, "create", 0, c2, NULL);
  entries[2] = entry_json (k3, "contact", i3, "create", 0, c3, NULL);
  body = batch_json (entries);
  for (guint i = 0; i < 3; i++)
    g_free (entries[i]);

  first = push ("counsellor", body);
  g_assert_cmpuint (first->status, ==, 200);
  results = json_node_get_array (cdm_test_reply_member (first, "results"));
  g_assert_cmpuint (json_array_get_length (results), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *r = json_array_get_object_element (results, i);
      g_assert_cmpstr (json_object_get_string_member (r, "status"), ==, "applied");
      g_assert_cmpint (json_object_get_int_member (r, "version"), ==, 1);
    }
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "key"), ==, k1);

  second = push ("counsellor", body);
  g_assert_cmpuint (second->status, ==, 200);
  first_text = node_text (cdm_test_reply_member (first, "results"));
  second_text = node_text (cdm_test_reply_member (second, "results"));
  g_assert_cmpstr (first_text, ==, second_text);

  g_assert_cmpint (cdm_test_count_rows (server, "contacts"), ==, contacts_before + 3);
  g_assert_cmpint (cdm_test_count_rows (server, "change_log"), ==, log_before + 3);
}

/* A push whose answer never reaches the desk (the connection drops after
 * the request went out) is retried: the retry gets the stored answer and
 * the contact exists once. */
static void
test_dropped_answer (void)
{
  g_autofree char *key = uuid (), *id = uuid ();
  g_autofree char *contact = contact_json ("in_person", NULL);
  g_autofree char *entry = entry_json (key, "contact", id, "create", 0, contact, NULL);
  g_autofree char *body = g_strdup_printf ("{\"entries\": [%s]}", entry);
  g_autofree char *request = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GUri) uri = g_uri_parse (cdm_test_server_url (server), G_URI_FLAGS_NONE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmTestReply) retry = NULL;
  JsonObject *result;
  gint64 deadline;

  request = g_strdup_printf ("POST /api/v1/sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\n\r\n%s",
                             cdm_test_server_token (server, "counsellor"), strlen (body), body);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);

  /* The server commits what it received although nobody hears the answer. */
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (count_where ("SELECT count(*) FROM applied_ops WHERE key =", key) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }

  result = push_one ("counsellor", entry, &retry);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "applied");
  g_assert_cmpint (json_object_get_int_member (result, "version"), ==, 1);
  g_assert_cmpint (count_where ("SELECT count(*) FROM contacts WHERE id =", id), ==, 1);
  g_assert_cmpint (count_where ("SELECT count(*) FROM change_log WHERE id =", id), ==, 1);
}

/* Many writers, many readers. */

#define WRITERS 6
#define READERS 3
#define BATCHES 12
#define BATCH   8

typedef struct {
  const char *url;
  const char *token;
  GPtrArray *ids;        /* writer: what it created */
  GArray *seqs;          /* reader: what it saw */
  GPtrArray *seen;       /* reader: ids it saw */
  gint64 start;
  gint *done;            /* set when the writers finished */
  gint64 *final;         /* the cursor then */
  char *failure;
} Worker;

static JsonNode *
thread_request (SoupSession *session,
                Worker      *w,
                const char  *method,
                const char  *path,
                const char  *body,
                guint       *out_status)
{
  g_autofree char *uri = g_strconcat (w->url, path, NULL);
  g_autofree char *header = g_strconcat ("Bearer ", w->token, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (session, msg, NULL, NULL);
  *out_status = soup_message_get_status (msg);
  if (answer == NULL ||
      !json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

static gpointer
writer_thread (gpointer data)
{
  Worker *w = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);

  for (guint b = 0; b < BATCHES && w->failure == NULL; b++)
    {
      char *entries[BATCH + 1] = { 0 };
      g_autofree char *body = NULL;
      g_autoptr(JsonNode) answer = NULL;
      guint status = 0;

      for (guint i = 0; i < BATCH; i++)
        {
          g_autofree char *key = uuid ();
          char *id = uuid ();
          g_autofree char *contact = contact_json ("email", NULL);

          entries[i] = entry_json (key, "contact", id, "create", 0, contact, NULL);
          g_ptr_array_add (w->ids, id);
        }
      body = batch_json (entries);
      for (guint i = 0; i < BATCH; i++)
        g_free (entries[i]);
      answer = thread_request (session, w, "POST", "/api/v1/sync/push", body, &status);
      if (status != 200 || answer == NULL)
        w->failure = g_strdup_printf ("push answered %u", status);
    }
  return NULL;
}

static gpointer
reader_thread (gpointer data)
{
  Worker *w = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  gint64 cursor = w->start;

  while (w->failure == NULL)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT "&limit=5", cursor);
      gboolean finished = g_atomic_int_get (w->done);
      g_autoptr(JsonNode) answer = NULL;
      JsonArray *changes;
      guint status = 0;

      answer = thread_request (session, w, "GET", path, NULL, &status);
      if (status != 200 || answer == NULL)
        {
          w->failure = g_strdup_printf ("pull answered %u", status);
          break;
        }
      changes = json_object_get_array_member (json_node_get_object (answer), "changes");
      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          JsonObject *change = json_array_get_object_element (changes, i);
          gint64 seq = json_object_get_int_member (change, "seq");
          g_array_append_val (w->seqs, seq);
          g_ptr_array_add (w->seen, g_strdup (json_object_get_string_member (change, "id")));
        }
      cursor = json_object_get_int_member (json_node_get_object (answer), "cursor");
      /* Done once the writers are and the feed is read up to where they
       * left it. */
      if (finished && cursor >= *w->final)
        break;
    }
  return NULL;
}

static void
test_concurrent_feed (void)
{
  Worker writers[WRITERS] = { 0 };
  Worker readers[READERS] = { 0 };
  GThread *threads[WRITERS + READERS];
  const char *token = cdm_test_server_token (server, "counsellor");
  gint64 start = cursor_now ("counsellor");
  gint64 final = G_MAXINT64;
  gint done = 0;
  g_autoptr(GHashTable) created = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < READERS; i++)
    {
      readers[i] = (Worker) { .url = cdm_test_server_url (server), .token = token, .start = start,
                              .done = &done, .final = &final,
                              .seqs = g_array_new (FALSE, FALSE, sizeof (gint64)),
                              .seen = g_ptr_array_new_with_free_func (g_free) };
      threads[WRITERS + i] = g_thread_new ("reader", reader_thread, &readers[i]);
    }
  for (guint i = 0; i < WRITERS; i++)
    {
      writers[i] = (Worker) { .url = cdm_test_server_url (server), .token = token,
                              .ids = g_ptr_array_new_with_free_func (g_free) };
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }
  for (guint i = 0; i < WRITERS; i++)
    g_thread_join (threads[i]);
  final = cursor_now ("counsellor");
  g_atomic_int_set (&done, 1);
  for (guint i = 0; i < READERS; i++)
    g_thread_join (threads[WRITERS + i]);

  for (guint i = 0; i < WRITERS; i++)
    {
      g_assert_null (writers[i].failure);
      for (guint j = 0; j < writers[i].ids->len; j++)
        g_hash_table_add (created, g_ptr_array_index (writers[i].ids, j));
    }
  g_assert_cmpuint (g_hash_table_size (created), ==, WRITERS * BATCHES * BATCH);

  /* The numbers come from a sequence: a transaction rolled back (a
   * deadlock retried) leaves a gap.  What the log holds in the end, in
   * order, is what every reader saw while the writers were at work:
   * nothing skipped, nothing twice, nothing out of order. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT COALESCE (string_agg (seq::text, ',' ORDER BY seq), '') "
                                            "FROM change_log WHERE seq > %" G_GINT64_FORMAT
                                            " AND seq <= %" G_GINT64_FORMAT, start, final);
    g_autofree char *logged = cdm_test_query_value (server, sql);
    g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM change_log WHERE seq > %" G_GINT64_FORMAT,
                                                  final);

    g_autofree char *after = cdm_test_query_value (server, count_sql);

    g_assert_cmpstr (after, ==, "0");
    for (guint i = 0; i < READERS; i++)
      {
        g_autoptr(GString) seen = g_string_new (NULL);
        g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

        g_assert_null (readers[i].failure);
        g_assert_cmpuint (readers[i].seqs->len, ==, WRITERS * BATCHES * BATCH);
        for (guint j = 0; j < readers[i].seqs->len; j++)
          g_string_append_printf (seen, "%s%" G_GINT64_FORMAT, j > 0 ? "," : "",
                                  g_array_index (readers[i].seqs, gint64, j));
        g_assert_cmpstr (seen->str, ==, logged);
        for (guint j = 0; j < readers[i].seen->len; j++)
          {
            g_assert_true (g_hash_table_contains (created, g_ptr_array_index (readers[i].seen, j)));
            g_assert_true (g_hash_table_add (ids, g_ptr_array_index (readers[i].seen, j)));
          }
      }
  }

  for (guint i = 0; i < WRITERS; i++)
    g_ptr_array_unref (writers[i].ids);
  for (guint i = 0; i < READERS; i++)
    {
      g_array_unref (readers[i].seqs);
      g_ptr_array_unref (readers[i].seen);
    }
}

/* Pulls everything from @cursor; the seqs and ids seen go to @seqs and
 * @ids, the new cursor is returned. */
static gint64
pull_all (gint64     cursor,
          GArray    *seqs,
          GPtrArray *ids)
{
  for (;;)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT, cursor);
      g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", path,
                                                        cdm_test_server_token (server, "counsellor"), NULL);
      JsonArray *changes;

      g_assert_cmpuint (reply->status, ==, 200);
      changes = json_node_get_array (cdm_test_reply_member (reply, "changes"));
      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          JsonObject *change = json_array_get_object_element (changes, i);
          gint64 seq = json_object_get_int_member (change, "seq");

          g_array_append_val (seqs, seq);
          g_ptr_array_add (ids, g_strdup (json_object_get_string_member (change, "id")));
        }
      cursor = json_node_get_int (cdm_test_reply_member (reply, "cursor"));
      if (!json_node_get_boolean (cdm_test_reply_member (reply, "more")))
        return cursor;
    }
}

/* A writer that has taken its number and not committed yet (a slow
 * commit) holds the feed back: a change numbered after it and committed
 * before it is not served until it ends, then both come, in order.  The
 * writer in flight is played by a connection of the test, as the server's
 * push does it (the feed's lock shared, then the number). */
static void
test_late_commit (void)
{
  PGconn *admin = cdm_test_server_db (server);
  const char *keys[] = { "host", "port", "dbname", "user", NULL };
  const char *values[] = { PQhost (admin), PQport (admin), PQdb (admin), PQuser (admin), NULL };
  PGconn *late = PQconnectdbParams (keys, values, 0);
  g_autofree char *late_id = uuid (), *after_id = uuid ();
  g_autofree char *late_contact = contact_json ("email", NULL), *after_contact = contact_json ("chat", NULL);
  g_autofree char *k1 = uuid (), *k2 = uuid ();
  g_autofree char *e1 = entry_json (k1, "contact", late_id, "create", 0, late_contact, NULL);
  g_autofree char *e2 = entry_json (k2, "contact", after_id, "create", 0, after_contact, NULL);
  g_autoptr(CdmTestReply) r1 = NULL;
  g_autoptr(CdmTestReply) r2 = NULL;
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  PGresult *res;
  gint64 cursor, late_seq, after_seq;

  g_assert_cmpint (PQstatus (late), ==, CONNECTION_OK);
  /* The record the late change names. */
  g_assert_cmpstr (json_object_get_string_member (push_one ("counsellor", e1, &r1), "status"), ==, "applied");
  cursor = pull_all (cursor_now ("counsellor"), seqs, ids);
  g_array_set_size (seqs, 0);
  g_ptr_array_set_size (ids, 0);

  res = PQexec (late, "BEGIN");
  PQclear (res);
  res = PQexec (late, "SELECT pg_advisory_xact_lock_shared (27985517314352484)");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  PQclear (res);
  {
    const char *params[] = { late_id };
    res = PQexecParams (late, "INSERT INTO change_log (seq, tx, last, type, id, version, deleted) "
                              "SELECT s, s, s, 'contact', $1::uuid, 1, false FROM nextval ('change_seq') AS s "
                              "RETURNING seq", 1, NULL, params, NULL, NULL, 0);
    g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
    late_seq = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
    PQclear (res);
  }

  /* Pushes do not wait for it... */
  g_assert_cmpstr (json_object_get_string_member (push_one ("counsellor", e2, &r2), "status"), ==, "applied");
  after_seq = late_seq + 1;
  /* ...but the feed does, and serves nothing past it (the reader waits
   * its time for the writer, then answers with what is safe). */
  cursor = pull_all (cursor, seqs, ids);
  g_assert_cmpuint (seqs->len, ==, 0);
  g_assert_cmpint (cursor, <, late_seq);

  res = PQexec (late, "COMMIT");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  PQclear (res);
  PQfinish (late);

  cursor = pull_all (cursor, seqs, ids);
  g_assert_cmpuint (seqs->len, ==, 2);
  g_assert_cmpint (g_array_index (seqs, gint64, 0), ==, late_seq);
  g_assert_cmpint (g_array_index (seqs, gint64, 1), >=, after_seq);
  g_assert_cmpstr (g_ptr_array_index (ids, 0), ==, late_id);
  g_assert_cmpstr (g_ptr_array_index (ids, 1), ==, after_id);
  g_assert_cmpint (cursor, ==, cursor_now ("counsellor"));
}

/* A partner in the directory, created by a counsellor. */
static char *
create_partner (void)
{
  g_autofree char *id = uuid ();
  g_autofree char *key = uuid ();
  g_autofree char *entry = entry_json (key, "organisation", id, "create", 0,
                                       "{\"name\": {\"fr\": \"Maison de l'emploi\", \"nl\": \"Huis van het werk\"}, "
                                       "\"circle\": \"first\", \"kind\": \"public_employment\", "
                                       "\"phone\": \"02 111 11 11\", \"email\": \"info@example.org\"}", NULL);
  g_autoptr(CdmTestReply) reply = NULL;
  JsonObject *result = push_one ("counsellor", entry, &reply);

  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "applied");
  return g_steal_pointer (&id);
}

static JsonObject *
get_record (CdmTestReply **out_reply,
            const char    *table,
            const char    *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/%s", table, id);
  CdmTestReply *reply = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "manager"), NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  *out_reply = reply;
  return json_node_get_object (reply->json);
}

/* Two desks edit the same partner from version 1: different fields merge,
 * the same field keeps the first value and records the second. */
static void
test_merge_and_conflict (void)
{
  g_autofree char *id = create_partner ();
  g_autofree char *k1 = uuid (), *k2 = uuid ();
  g_autofree char *e1 = entry_json (k1, "organisation", id, "update", 1,
                                    "{\"phone\": \"02 222 22 22\", \"notes\": \"Desk A\"}",
                                    "{\"phone\": \"02 111 11 11\", \"notes\": null}");
  g_autofree char *e2 = entry_json (k2, "organisation", id, "update", 1,
                                    "{\"email\": \"new@example.org\", \"notes\": \"Desk B\"}",
                                    "{\"email\": \"info@example.org\", \"notes\": null}");
  g_autoptr(CdmTestReply) r1 = NULL, r2 = NULL, stored = NULL;
  JsonObject *a, *b, *record, *conflict;
  gint64 conflicts_before = cdm_test_count_rows (server, "conflicts");

  a = push_one ("counsellor", e1, &r1);
  g_assert_cmpstr (json_object_get_string_member (a, "status"), ==, "applied");
  g_assert_cmpint (json_object_get_int_member (a, "version"), ==, 2);

  b = push_one ("manager", e2, &r2);
  g_assert_cmpstr (json_object_get_string_member (b, "status"), ==, "conflict");
  g_assert_cmpint (json_object_get_int_member (b, "version"), ==, 3);
  conflict = json_array_get_object_element (json_object_get_array_member (b, "conflicts"), 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, "notes");
  g_assert_cmpstr (json_object_get_string_member (conflict, "kept"), ==, "Desk A");
  g_assert_cmpstr (json_object_get_string_member (conflict, "other"), ==, "Desk B");

  record = get_record (&stored, "organisation", id);
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "02 222 22 22");
  g_assert_cmpstr (json_object_get_string_member (record, "email"), ==, "new@example.org");
  g_assert_cmpstr (json_object_get_string_member (record, "notes"), ==, "Desk A");
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 3);

  /* Exactly one conflict record, naming the loser's value. */
  g_assert_cmpint (cdm_test_count_rows (server, "conflicts"), ==, conflicts_before + 1);
  g_assert_cmpint (count_where ("SELECT count(*) FROM conflicts WHERE field = 'notes' AND other = '\"Desk B\"' "
                                "AND record =", id), ==, 1);
}

/* An entry that breaks a rule is refused with the field named; the rest
 * of the batch applies; nothing of the refused one is stored. */
static void
test_rejected_entry (void)
{
  g_autofree char *k1 = uuid (), *k2 = uuid (), *k3 = uuid ();
  g_autofree char *i1 = uuid (), *i2 = uuid (), *i3 = uuid ();
  g_autofree char *good = contact_json ("email", NULL);
  g_autofree char *bad = contact_json ("fax", NULL);
  char *entries[4] = { 0 };
  g_autofree char *body = NULL;
  g_autoptr(CdmTestReply) reply = NULL;
  JsonArray *results;
  JsonObject *refused, *error;

  entries[0] = entry_json (k1, "contact", i1, "create", 0, bad, NULL);
  entries[1] = entry_json (k2, "contact", i2, "create", 0, good, NULL);
  entries[2] = entry_json (k3, "attendance", i3, "create", 0,
                           "{\"activity\": \"7d1b2c3a-0000-4000-8000-00000000dead\", \"count\": 3, "
                           "\"recorded_at\": \"2020-03-02T10:00:00+01:00\"}", NULL);
  body = batch_json (entries);
  for (guint i = 0; i < 3; i++)
    g_free (entries[i]);

  reply = push ("counsellor", body);
  g_assert_cmpuint (reply->status, ==, 200);
  results = json_node_get_array (cdm_test_reply_member (reply, "results"));
  refused = json_array_get_object_element (results, 0);
  g_assert_cmpstr (json_object_get_string_member (refused, "status"), ==, "rejected");
  error = json_object_get_object_member (refused, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "invalid_record");
  g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, "channel");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), "fax"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 1), "status"), ==, "applied");
  refused = json_array_get_object_element (results, 2);
  g_assert_cmpstr (json_object_get_string_member (refused, "status"), ==, "rejected");
  error = json_object_get_object_member (refused, "error");
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, "unknown_reference");
  g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, "activity");

  g_assert_cmpint (count_where ("SELECT count(*) FROM contacts WHERE id =", i1), ==, 0);
  g_assert_cmpint (count_where ("SELECT count(*) FROM contacts WHERE id =", i2), ==, 1);
  g_assert_cmpint (count_where ("SELECT count(*) FROM attendance WHERE id =", i3), ==, 0);
  g_assert_cmpint (count_where ("SELECT count(*) FROM applied_ops WHERE key =", k1), ==, 0);
  g_assert_cmpint (count_where ("SELECT count(*) FROM applied_ops WHERE key =", k3), ==, 0);
}

/* Counted records: created once, never updated. */
static void
test_counted (void)
{
  g_autofree char *key = uuid (), *again = uuid (), *upd = uuid (), *id = uuid ();
  const char *tally = "{\"day\": \"2020-03-02\", \"kind\": \"printing\", \"count\": 4}";
  g_autofree char *e1 = entry_json (key, "multimedia_tally", id, "create", 0, tally, NULL);
  g_autofree char *e2 = entry_json (again, "multimedia_tally", id, "create", 0, tally, NULL);
  g_autofree char *e3 = entry_json (upd, "multimedia_tally", id, "update", 1, "{\"count\": 5}", "{\"count\": 4}");
  g_autoptr(CdmTestReply) r1 = NULL, r2 = NULL, r3 = NULL;
  JsonObject *result;

  result = push_one ("steward", e1, &r1);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "applied");
  result = push_one ("steward", e2, &r2);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "duplicate");
  result = push_one ("steward", e3, &r3);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "rejected");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (result, "error"), "code"), ==,
                   "append_only");
  g_assert_cmpint (count_where ("SELECT count FROM multimedia_tallies WHERE id =", id), ==, 4);
}

/* One batch that creates a partner, changes it, repeats a key and
 * creates and deletes another: each entry sees the ones before it. */
static void
test_same_batch (void)
{
  g_autofree char *k1 = uuid (), *k2 = uuid (), *k3 = uuid (), *k4 = uuid ();
  g_autofree char *a = uuid (), *b = uuid ();
  const char *partner = "{\"name\": {\"fr\": \"Leerwinkel\"}, \"circle\": \"second\", \"kind\": \"education\", "
                        "\"phone\": \"02 500 00 00\"}";
  char *entries[6] = { 0 };
  g_autofree char *body = NULL;
  g_autoptr(CdmTestReply) reply = NULL;
  g_autoptr(CdmTestReply) stored = NULL;
  g_autoptr(CdmTestReply) gone = NULL;
  g_autofree char *first = NULL, *repeated = NULL;
  JsonArray *results;
  JsonObject *record;

  entries[0] = entry_json (k1, "organisation", a, "create", 0, partner, NULL);
  entries[1] = entry_json (k2, "organisation", a, "update", 1, "{\"phone\": \"02 600 00 00\"}",
                           "{\"phone\": \"02 500 00 00\"}");
  entries[2] = entry_json (k1, "organisation", a, "create", 0, partner, NULL);
  entries[3] = entry_json (k3, "organisation", b, "create", 0, partner, NULL);
  entries[4] = entry_json (k4, "organisation", b, "delete", 1, NULL, NULL);
  body = batch_json (entries);
  for (guint i = 0; i < 5; i++)
    g_free (entries[i]);

  reply = push ("counsellor", body);
  g_assert_cmpuint (reply->status, ==, 200);
  results = json_node_get_array (cdm_test_reply_member (reply, "results"));
  g_assert_cmpuint (json_array_get_length (results), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 1), "status"), ==, "applied");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 1), "version"), ==, 2);
  first = node_text (json_array_get_element (results, 0));
  repeated = node_text (json_array_get_element (results, 2));
  g_assert_cmpstr (first, ==, repeated);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 4), "status"), ==, "applied");

  record = get_record (&stored, "organisation", a);
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "02 600 00 00");
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 2);
  record = get_record (&gone, "organisation", b);
  g_assert_true (json_object_get_boolean_member (record, "deleted"));
  g_assert_cmpint (count_where ("SELECT count(*) FROM change_log WHERE id =", a), ==, 2);
  g_assert_cmpint (count_where ("SELECT count(*) FROM applied_ops WHERE key =", k1), ==, 1);
}

/* A change pushed before a restart of the server is pulled after it. */
static void
test_restart (void)
{
  g_autofree char *key = uuid (), *id = uuid ();
  g_autofree char *contact = contact_json ("video", NULL);
  g_autofree char *entry = entry_json (key, "contact", id, "create", 0, contact, NULL);
  g_autoptr(CdmTestReply) pushed = NULL;
  g_autoptr(CdmTestReply) pulled = NULL;
  g_autofree char *path = NULL;
  gint64 cursor = cursor_now ("counsellor");
  JsonArray *changes;

  push_one ("counsellor", entry, &pushed);
  g_assert_cmpint (cdm_test_server_stop_serving (server), ==, 0);
  cdm_test_server_start_serving (server);

  path = g_strdup_printf ("/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT, cursor);
  pulled = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "counsellor"), NULL);
  g_assert_cmpuint (pulled->status, ==, 200);
  changes = json_node_get_array (cdm_test_reply_member (pulled, "changes"));
  g_assert_cmpuint (json_array_get_length (changes), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (changes, 0), "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_array_get_object_element (changes, 0),
                                                                                 "record"), "channel"), ==, "video");
}

/* Which role may call which sync endpoint; stewards never see contacts. */
static void
test_roles (void)
{
  static const char * const paths[] = {
    "/api/v1/sync/cursor", "/api/v1/sync/pull?cursor=0&limit=1", "/api/v1/sync/snapshot?type=organisation",
    "/api/v1/sync/checksums", "/api/v1/figures?year=2020",
  };

  for (guint r = 0; cdm_test_roles[r] != NULL; r++)
    {
      const char *role = cdm_test_roles[r];
      const char *token = cdm_test_server_token (server, role);
      gboolean steward = g_str_equal (role, "steward");
      g_autoptr(CdmTestReply) contacts = NULL;
      g_autoptr(CdmTestReply) checksums = NULL;
      g_autoptr(CdmTestReply) anonymous = NULL;

      for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
        {
          g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", paths[p], token, NULL);
          g_assert_cmpuint (reply->status, ==, 200);
        }
      contacts = cdm_test_request (server, "GET", "/api/v1/sync/snapshot?type=contact", token, NULL);
      g_assert_cmpuint (contacts->status, ==, steward ? 403 : 200);
      if (steward)
        g_assert_cmpstr (cdm_test_reply_error_code (contacts), ==, "forbidden");
      checksums = cdm_test_request (server, "GET", "/api/v1/sync/checksums", token, NULL);
      g_assert_cmpint (json_object_has_member (json_object_get_object_member (json_node_get_object (checksums->json), "types"),
                                               "contact"), ==, !steward);
      anonymous = cdm_test_request (server, "GET", "/api/v1/sync/cursor", NULL, NULL);
      g_assert_cmpuint (anonymous->status, ==, 401);
    }

  /* Writes: each role pushes one record of each type it may not write. */
  {
    static const struct { const char *role; const char *type; } refused[] = {
      { "steward", "organisation" }, { "steward", "contact" }, { "steward", "activity" },
      { "manager", "contact" }, { "counsellor", "closure" }, { "partner_staff", "closure" },
      { "partner_staff", "resource" }, { "admin", "satisfaction" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
      {
        g_autofree char *key = uuid (), *id = uuid ();
        g_autofree char *entry = entry_json (key, refused[i].type, id, "create", 0, "{}", NULL);
        g_autoptr(CdmTestReply) reply = NULL;
        JsonObject *result = push_one (refused[i].role, entry, &reply);

        g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "rejected");
        g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (result, "error"), "code"), ==,
                         "forbidden");
      }
  }
}

static gboolean
pull_has (const char *role,
          const char *id,
          gint64      cursor)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT "&limit=1000", cursor);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", path, cdm_test_server_token (server, role), NULL);
  JsonArray *changes;

  g_assert_cmpuint (reply->status, ==, 200);
  changes = json_node_get_array (cdm_test_reply_member (reply, "changes"));
  for (guint i = 0; i < json_array_get_length (changes); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (changes, i), "id"), id))
      return TRUE;
  return FALSE;
}

static void
set_partner_organisation (const char *organisation)
{
  g_autofree char *body = g_strdup_printf ("{\"organisation\": \"%s\"}", organisation);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "PATCH", "/api/v1/admin/users/partner_staff",
                                                    cdm_test_server_token (server, "admin"), body);
  g_assert_cmpuint (reply->status, ==, 200);
}

/* A partner's staff sees their organisation's contacts only — in pull,
 * snapshot and records — and a change of organisation counts at once. */
static void
test_partner_scope (void)
{
  g_autofree char *k1 = uuid (), *k2 = uuid (), *k3 = uuid (), *ours = uuid (), *theirs = uuid ();
  g_autofree char *c_ours = contact_json ("chat", OTHER_ORG);  /* forced to the partner's own */
  g_autofree char *c_theirs = contact_json ("chat", OTHER_ORG);
  g_autofree char *e1 = entry_json (k1, "contact", ours, "create", 0, c_ours, NULL);
  g_autofree char *e2 = entry_json (k2, "contact", theirs, "create", 0, c_theirs, NULL);
  g_autofree char *e3 = entry_json (k3, "contact", theirs, "update", 1, "{\"note\": \"peek\"}", "{\"note\": null}");
  g_autofree char *path_theirs = g_strdup_printf ("/api/v1/records/contact/%s", theirs);
  g_autoptr(CdmTestReply) r1 = NULL, r2 = NULL, r3 = NULL, mine = NULL, other = NULL, snapshot = NULL;
  gint64 cursor = cursor_now ("counsellor");
  JsonObject *result;
  JsonArray *records;

  result = push_one ("partner_staff", e1, &r1);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "applied");
  push_one ("counsellor", e2, &r2);

  mine = cdm_test_request (server, "GET", "/api/v1/records/contact?limit=1000", cdm_test_server_token (server, "partner_staff"), NULL);
  g_assert_cmpuint (mine->status, ==, 200);
  records = json_node_get_array (cdm_test_reply_member (mine, "records"));
  g_assert_cmpuint (json_array_get_length (records), >=, 1);
  for (guint i = 0; i < json_array_get_length (records); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, i), "organisation"), ==,
                     CDM_TEST_PARTNER_ORG);

  g_assert_true (pull_has ("partner_staff", ours, cursor));
  g_assert_false (pull_has ("partner_staff", theirs, cursor));
  g_assert_true (pull_has ("counsellor", theirs, cursor));
  g_assert_false (pull_has ("steward", ours, cursor));
  other = cdm_test_request (server, "GET", path_theirs, cdm_test_server_token (server, "partner_staff"), NULL);
  g_assert_cmpuint (other->status, ==, 404);
  result = push_one ("partner_staff", e3, &r3);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "rejected");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (result, "error"), "code"), ==, "forbidden");
  g_assert_cmpint (count_where ("SELECT count(*) FROM contacts WHERE body->>'note' IS NULL AND id =", theirs), ==, 1);

  /* Moved to the other organisation: the view follows at once. */
  set_partner_organisation (OTHER_ORG);
  g_assert_true (pull_has ("partner_staff", theirs, cursor));
  g_assert_false (pull_has ("partner_staff", ours, cursor));
  snapshot = cdm_test_request (server, "GET", "/api/v1/sync/snapshot?type=contact&limit=5000",
                               cdm_test_server_token (server, "partner_staff"), NULL);
  records = json_node_get_array (cdm_test_reply_member (snapshot, "records"));
  for (guint i = 0; i < json_array_get_length (records); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, i), "organisation"), ==,
                     OTHER_ORG);
  set_partner_organisation (CDM_TEST_PARTNER_ORG);
  g_assert_false (pull_has ("partner_staff", theirs, cursor));
}

/* Deletes travel as tombstones; a late update does not bring the record
 * back; after pruning, an old cursor is told to re-bootstrap.  Runs last:
 * pruning forgets every other test's changes. */
static void
test_tombstones_and_rebootstrap (void)
{
  g_autofree char *id = create_partner ();
  g_autofree char *k1 = uuid (), *k2 = uuid ();
  g_autofree char *del = entry_json (k1, "organisation", id, "delete", 1, NULL, NULL);
  g_autofree char *late = entry_json (k2, "organisation", id, "update", 1, "{\"phone\": \"1\"}",
                                      "{\"phone\": \"02 111 11 11\"}");
  g_autoptr(CdmTestReply) r1 = NULL, r2 = NULL, stored = NULL, old = NULL, fresh = NULL, snapshot = NULL;
  g_autofree char *path = NULL;
  const char * const prune[] = { "prune", "--older-than", "0", NULL };
  g_autofree char *out = NULL, *err = NULL;
  gint64 cursor = cursor_now ("manager");
  JsonObject *result, *record;
  JsonArray *records;

  result = push_one ("manager", del, &r1);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "applied");
  g_assert_cmpint (json_object_get_int_member (result, "version"), ==, 2);
  g_assert_true (pull_has ("counsellor", id, cursor));

  result = push_one ("counsellor", late, &r2);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "conflict");
  record = get_record (&stored, "organisation", id);
  g_assert_true (json_object_get_boolean_member (record, "deleted"));
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 2);

  snapshot = cdm_test_request (server, "GET", "/api/v1/sync/snapshot?type=organisation&limit=5000",
                               cdm_test_server_token (server, "manager"), NULL);
  records = json_node_get_array (cdm_test_reply_member (snapshot, "records"));
  for (guint i = 0; i < json_array_get_length (records); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, i), "id"), !=, id);

  g_assert_cmpint (cdm_test_server_command (server, prune, NULL, &out, &err), ==, 0);
  g_assert_cmpint (cdm_test_count_rows (server, "change_log"), ==, 0);

  path = g_strdup_printf ("/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT, cursor);
  old = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "counsellor"), NULL);
  g_assert_cmpuint (old->status, ==, 410);
  g_assert_cmpstr (cdm_test_reply_error_code (old), ==, "rebootstrap");

  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT, cursor_now ("counsellor"));
  fresh = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "counsellor"), NULL);
  g_assert_cmpuint (fresh->status, ==, 200);
  /* The tombstone itself stays: the record cannot come back. */
  g_assert_cmpint (count_where ("SELECT count(*) FROM organisations WHERE deleted AND id =", id), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-sync/idempotent", test_idempotent);
  g_test_add_func ("/server-sync/dropped-answer", test_dropped_answer);
  g_test_add_func ("/server-sync/concurrent-feed", test_concurrent_feed);
  g_test_add_func ("/server-sync/late-commit", test_late_commit);
  g_test_add_func ("/server-sync/merge-and-conflict", test_merge_and_conflict);
  g_test_add_func ("/server-sync/rejected-entry", test_rejected_entry);
  g_test_add_func ("/server-sync/counted", test_counted);
  g_test_add_func ("/server-sync/same-batch", test_same_batch);
  g_test_add_func ("/server-sync/restart", test_restart);
  g_test_add_func ("/server-sync/roles", test_roles);
  g_test_add_func ("/server-sync/partner-scope", test_partner_scope);
  g_test_add_func ("/server-sync/tombstones-and-rebootstrap", test_tombstones_and_rebootstrap);

  server = cdm_test_server_new (NULL);
  /* Last: every answer the tests got follows docs/api/openapi.yaml. */
  cdm_test_server_add_api_test (server);
  status = g_test_run ();
  cdm_test_server_free (server);
  return status;
}
