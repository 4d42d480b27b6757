/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The retention window applied by `cdm-server serve` itself (docs/server.md,
 * "Retention"): with a window of two seconds (the undocumented
 * --retention-seconds) the change log empties by itself and a desk whose
 * cursor is older is told to re-bootstrap; the default is 90 days, 0
 * turns it off, and a bad value stops the server at start with a message
 * naming the setting. */
#include "config.h"

#include <string.h>

#include "cdm-server-test-util.h"

static CdmTestServer *server;

static char *
push_partner (void)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *body =
    g_strdup_printf ("{\"entries\": [{\"key\": \"%s\", \"type\": \"organisation\", \"id\": \"%s\", "
                     "\"op\": \"create\", \"base_version\": 0, \"fields\": "
                     "{\"name\": {\"fr\": \"Maison de l'emploi\", \"nl\": \"Huis van het werk\"}, "
                     "\"circle\": \"first\", \"kind\": \"public_employment\"}, \"old\": null}]}",
                     key, id);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "POST", "/api/v1/sync/push",
                                                    cdm_test_server_token (server, "counsellor"), body);
  JsonArray *results;

  g_assert_cmpuint (reply->status, ==, 200);
  results = json_node_get_array (cdm_test_reply_member (reply, "results"));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "status"), ==,
                   "applied");
  return g_steal_pointer (&id);
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
pull_status (gint64 cursor)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/sync/pull?cursor=%" G_GINT64_FORMAT, cursor);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", path,
                                                    cdm_test_server_token (server, "counsellor"), NULL);

  if (reply->status == 410)
    g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "rebootstrap");
  return reply->status;
}

/* Waits up to @seconds for the server's log to contain @text. */
static gboolean
log_shows (const char *text,
           guint       seconds)
{
  for (guint i = 0; i < seconds * 10; i++)
    {
      g_autofree char *log = cdm_test_server_log (server);

      if (strstr (log, text) != NULL)
        return TRUE;
      g_usleep (G_USEC_PER_SEC / 10);
    }
  return FALSE;
}

/* Refused at start, with the setting named; the database is untouched. */
static void
test_bad_values (void)
{
  g_autofree char *conf_negative = cdm_test_server_file (server, "negative.conf");
  g_autofree char *conf_text = cdm_test_server_file (server, "text.conf");
  g_autofree char *before = cdm_test_database_digest (server);
  g_autofree char *after = NULL;
  struct {
    const char *args[7];
    const char *message;
  } cases[] = {
    { { "serve", "--port", "0", "--retention-days", "-1", NULL }, "--retention-days must be from 0 to 36500" },
    { { "serve", "--port", "0", "--retention-days", "-90", NULL }, "--retention-days must be from 0 to 36500" },
    { { "serve", "--port", "0", "--retention-days", "36501", NULL }, "--retention-days must be from 0 to 36500" },
    { { "serve", "--port", "0", "--retention-days", "ninety", NULL }, "ninety" },
    { { "serve", "--port", "0", "--retention-days", "", NULL }, "retention-days" },
    { { "serve", "--port", "0", "--retention-seconds", "-5", NULL }, "--retention-seconds must be from 0" },
    { { "serve", "--port", "0", "--config", conf_negative, NULL }, "“retention-days” must be an integer from 0 to 36500" },
    { { "serve", "--port", "0", "--config", conf_text, NULL }, "“retention-days” must be an integer from 0 to 36500" },
  };

  g_assert_true (g_file_set_contents (conf_negative, "[server]\nretention-days=-3\n", -1, NULL));
  g_assert_true (g_file_set_contents (conf_text, "[server]\nretention-days=three months\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = cdm_test_server_command (server, cases[i].args, NULL, &out, &err);

      g_test_message ("%s %s: %s", cases[i].args[3], cases[i].args[4], err);
      g_assert_cmpint (status, !=, 0);
      g_assert_true (g_str_has_prefix (err, "cdm-server: "));
      g_assert_nonnull (strstr (err, cases[i].message));
      g_assert_null (strstr (out, "listening"));
    }

  after = cdm_test_database_digest (server);
  g_assert_cmpstr (before, ==, after);
}

/* The server prunes by itself, at start and then on its timer: an old
 * cursor gets 410 "rebootstrap", a fresh one goes on. */
static void
test_prunes_by_itself (void)
{
  gint64 old_cursor;
  g_autofree char *id = NULL;
  g_autofree char *log = NULL;

  /* The pruning at start was logged. */
  g_assert_true (log_shows ("retention window_s=2 every_s=2", 10));
  g_assert_true (log_shows ("prune window_s=2 horizon=", 10));

  old_cursor = cursor_now ();
  id = push_partner ();
  g_assert_cmpint (pull_status (old_cursor), ==, 200);
  g_assert_cmpint (cdm_test_count_rows (server, "change_log"), >=, 1);

  /* Nobody runs `cdm-server prune`: the change ages past two seconds and
   * the next tick forgets it. */
  for (guint i = 0; i < 200 && cdm_test_count_rows (server, "change_log") > 0; i++)
    g_usleep (G_USEC_PER_SEC / 10);
  g_assert_cmpint (cdm_test_count_rows (server, "change_log"), ==, 0);

  g_assert_cmpint (pull_status (old_cursor), ==, 410);
  g_assert_cmpint (pull_status (cursor_now ()), ==, 200);
  /* The record itself stays; only the log of its change is gone. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM organisations WHERE id = '%s'", id);
    g_autofree char *count = NULL;

    g_assert_true (g_uuid_string_is_valid (id));
    count = cdm_test_query_value (server, sql);
    g_assert_cmpstr (count, ==, "1");
  }

  log = cdm_test_server_log (server);
  g_assert_null (strstr (log, "prune failed"));
}

/* Without options: 90 days, every hour, nothing recent pruned. */
static void
test_default (void)
{
  gint64 old_cursor;
  g_autofree char *id = NULL;

  g_assert_cmpint (cdm_test_server_stop_serving (server), ==, 0);
  cdm_test_server_set_serve_args (server, NULL);
  cdm_test_server_start_serving (server);
  g_assert_true (log_shows ("retention window_s=7776000 every_s=3600", 10));
  g_assert_true (log_shows ("prune window_s=7776000 horizon=", 10));

  old_cursor = cursor_now ();
  id = push_partner ();
  g_usleep (3 * G_USEC_PER_SEC);
  g_assert_cmpint (cdm_test_count_rows (server, "change_log"), ==, 1);
  g_assert_cmpint (pull_status (old_cursor), ==, 200);
}

/* retention-days=0 in the configuration file: never pruned by itself. */
static void
test_off (void)
{
  g_autofree char *conf = cdm_test_server_file (server, "off.conf");
  const char * const args[] = { "--config", conf, NULL };
  gint64 rows;
  g_autofree char *log = NULL;

  g_assert_true (g_file_set_contents (conf, "[server]\nretention-days=0\n", -1, NULL));
  g_assert_cmpint (cdm_test_server_stop_serving (server), ==, 0);
  cdm_test_server_set_serve_args (server, args);
  cdm_test_server_start_serving (server);
  g_assert_true (log_shows ("retention off", 10));

  g_free (push_partner ());
  rows = cdm_test_count_rows (server, "change_log");
  g_assert_cmpint (rows, >=, 1);
  g_usleep (3 * G_USEC_PER_SEC);
  g_assert_cmpint (cdm_test_count_rows (server, "change_log"), ==, rows);
  log = cdm_test_server_log (server);
  g_assert_null (strstr (log, "prune window_s="));
}

int
main (int   argc,
      char *argv[])
{
  const char * const serve_args[] = { "--retention-seconds", "2", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-retention/bad-values", test_bad_values);
  g_test_add_func ("/server-retention/prunes-by-itself", test_prunes_by_itself);
  g_test_add_func ("/server-retention/default", test_default);
  g_test_add_func ("/server-retention/off", test_off);

  server = cdm_test_server_new (serve_args);
  /* Last: every answer the tests got follows docs/api/openapi.yaml. */
  cdm_test_server_add_api_test (server);
  status = g_test_run ();
  cdm_test_server_free (server);
  return status;
}
