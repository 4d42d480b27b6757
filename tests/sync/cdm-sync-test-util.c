/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cdm-sync-test-util.h"

#include <sqlite3.h>

#include "cdm-sync-store.h"

char *
cdm_sync_test_make_tmpdir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *tmpdir = g_dir_make_tmp (tmpl, &error);
  g_autofree char *config = NULL;

  g_assert_no_error (error);
  config = g_build_filename (tmpdir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  return tmpdir;
}

CdmStore *
cdm_sync_test_store_new (const char *dir,
                         const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/%s-%u.sqlite", dir, name, g_random_int ());
  CdmStore *store = cdm_store_open (path, &error);

  g_assert_no_error (error);
  cdm_store_set_identity (store, "counsellor", NULL, NULL);
  return store;
}

char *
cdm_sync_test_put (CdmStore   *store,
                   CdmEntity   entity,
                   const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  char *id = NULL;

  g_assert_no_error (error);
  g_assert_true (cdm_store_put (store, entity, json_node_get_object (node), &id, NULL, &error));
  g_assert_no_error (error);
  return id;
}

char *
cdm_sync_test_put_contact (CdmStore   *store,
                           const char *note)
{
  g_autofree char *json = g_strdup_printf ("{\"occurred_at\": \"2026-03-02T10:00:00+01:00\", \"site\": \"centre\", "
                                           "\"service\": \"individual_advice\", \"channel\": \"in_person\", "
                                           "\"themes\": [\"work\"], \"note\": \"%s\"}", note);
  return cdm_sync_test_put (store, CDM_ENTITY_CONTACT, json);
}

void
cdm_sync_test_assert_same_checksums (CdmTestServer *server,
                                     const char    *token,
                                     CdmStore      *store)
{
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", "/api/v1/sync/checksums", token, NULL);
  JsonObject *types;

  g_assert_cmpuint (reply->status, ==, 200);
  types = json_object_get_object_member (json_node_get_object (reply->json), "types");
  for (guint i = 0; i < cdm_sync_n_entities; i++)
    {
      const char *name = cdm_entity_info (cdm_sync_entities[i])->name;
      JsonObject *theirs = json_object_get_object_member (types, name);
      g_autofree char *sum = NULL;
      gint64 count = 0;

      g_assert_true (cdm_sync_store_checksum (store, cdm_sync_entities[i], &count, &sum, NULL));
      g_assert_cmpint (count, ==, json_object_get_int_member (theirs, "count"));
      g_assert_cmpstr (sum, ==, json_object_get_string_member (theirs, "checksum"));
    }
}

gint64
cdm_sync_test_peek_value (const char *path,
                          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_busy_timeout (db, 1000) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

void
cdm_sync_test_cdmctl_login (CdmTestServer *server,
                            const char    *password_file,
                            const char    *store_path)
{
  g_autofree char *password = cdm_test_password ("counsellor");
  const char *argv[] = { g_getenv ("CDMCTL"), "--store", store_path, "login", "--server",
                         cdm_test_server_url (server), "--user", "counsellor", "--password-file",
                         password_file, NULL };
  int status = -1;

  g_assert_true (g_file_set_contents (password_file, password, -1, NULL));
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

void
cdm_sync_test_cdmctl_sync (const char *store_path)
{
  const char *argv[] = { g_getenv ("CDMCTL"), "--store", store_path, "sync", NULL };
  g_autofree char *err = NULL;
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("cdmctl sync failed: %s", err);
}

void
cdm_sync_test_wait_done (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  CdmSyncTestWait *wait = user_data;

  wait->ok = cdm_sync_run_finish (CDM_SYNC (source), result, &wait->report, &wait->error);
  wait->done = TRUE;
}

gboolean
cdm_sync_test_run_and_wait (CdmSync          *sync,
                            CdmSyncRunFlags   flags,
                            CdmSyncReport    *report,
                            GError          **error)
{
  CdmSyncTestWait wait = { 0 };

  cdm_sync_run_async (sync, flags, NULL, cdm_sync_test_wait_done, &wait);
  while (!wait.done)
    g_main_context_iteration (NULL, TRUE);
  /* The last "changed" signals may still be queued. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (report != NULL)
    *report = wait.report;
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.ok;
}

gint64
cdm_sync_test_server_count (CdmTestServer *server,
                            const char    *sql)
{
  g_autofree char *value = cdm_test_query_value (server, sql);

  return g_ascii_strtoll (value, NULL, 10);
}

/* The proxy */

typedef struct {
  CdmSyncTestProxy *proxy;
  GSocketConnection *client;
  GSocketConnection *upstream;
  CdmSyncTestFate fate;
  gsize offset;             /* where a cut falls */
  gboolean answers;         /* this pump carries server → desk */
} Pump;

static gpointer
pump_thread (gpointer data)
{
  Pump *pump = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (pump->answers ? pump->upstream : pump->client));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (pump->answers ? pump->client : pump->upstream));
  gboolean cuts = pump->answers ? pump->fate == CDM_SYNC_TEST_FATE_CUT_ANSWER : pump->fate == CDM_SYNC_TEST_FATE_CUT_REQUEST;
  gsize done = 0;
  char buffer[16384];
  gssize n;

  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
    {
      if (pump->answers && g_atomic_int_compare_and_exchange (&pump->proxy->drop_next_answer, 1, 0))
        break;
      if (pump->answers && pump->fate == CDM_SYNC_TEST_FATE_DROP_ANSWER)
        break;
      if (pump->answers && pump->fate == CDM_SYNC_TEST_FATE_CUT_AFTER_HEADERS)
        {
          /* The test's answers are small: the headers end in the first read. */
          const char *end = g_strstr_len (buffer, n, "\r\n\r\n");

          if (end != NULL)
            g_output_stream_write_all (out, buffer, end + 4 - buffer, NULL, NULL, NULL);
          break;
        }
      if (cuts && done + n >= pump->offset)
        {
          g_output_stream_write_all (out, buffer, pump->offset - done, NULL, NULL, NULL);
          break;
        }
      if (!g_output_stream_write_all (out, buffer, n, NULL, NULL, NULL))
        break;
      done += n;
    }
  /* Either side gone: shut both down, which wakes the other pump too,
   * and the desk sees the connection end. */
  g_socket_shutdown (g_socket_connection_get_socket (pump->client), TRUE, TRUE, NULL);
  g_socket_shutdown (g_socket_connection_get_socket (pump->upstream), TRUE, TRUE, NULL);
  return NULL;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source,
             gpointer           user_data)
{
  CdmSyncTestProxy *proxy = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GUri) uri = g_uri_parse (cdm_test_server_url (proxy->server), G_URI_FLAGS_NONE, NULL);
  GSocketConnection *upstream;
  CdmSyncTestFate fate = CDM_SYNC_TEST_FATE_PASS;
  gsize offset = 0;
  Pump *pumps[2];
  GThread *threads[2];

  if (proxy->choose != NULL)
    proxy->choose (proxy->user_data, &fate, &offset);
  if (g_atomic_int_get (&proxy->force) > 0)
    {
      fate = g_atomic_int_get (&proxy->force) - 1;
      offset = g_atomic_int_get (&proxy->force_offset);
    }
  g_atomic_int_inc (&proxy->fates[fate]);

  upstream = g_socket_client_connect_to_host (client, g_uri_get_host (uri), g_uri_get_port (uri), NULL, NULL);
  if (upstream == NULL)
    return TRUE;
  for (guint i = 0; i < 2; i++)
    {
      pumps[i] = g_new0 (Pump, 1);
      pumps[i]->proxy = proxy;
      pumps[i]->client = g_object_ref (connection);
      pumps[i]->upstream = g_object_ref (upstream);
      pumps[i]->fate = fate;
      pumps[i]->offset = offset;
      pumps[i]->answers = i == 1;
      threads[i] = g_thread_new ("proxy-pump", pump_thread, pumps[i]);
    }
  /* The threaded service gives each connection its own thread: wait here
   * so that the pumps' data outlive them. */
  for (guint i = 0; i < 2; i++)
    {
      g_thread_join (threads[i]);
      g_object_unref (pumps[i]->client);
      g_object_unref (pumps[i]->upstream);
      g_free (pumps[i]);
    }
  g_object_unref (upstream);
  return TRUE;
}

CdmSyncTestProxy *
cdm_sync_test_proxy_new (CdmTestServer         *server,
                         int                    max_threads,
                         CdmSyncTestChooseFunc  choose,
                         gpointer               user_data)
{
  CdmSyncTestProxy *proxy = g_new0 (CdmSyncTestProxy, 1);
  g_autoptr(GError) error = NULL;
  guint16 port;

  proxy->server = server;
  proxy->choose = choose;
  proxy->user_data = user_data;
  proxy->service = g_threaded_socket_service_new (max_threads);
  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (proxy->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (proxy->service, "run", G_CALLBACK (on_incoming), proxy);
  g_socket_service_start (proxy->service);
  proxy->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  return proxy;
}

void
cdm_sync_test_proxy_free (CdmSyncTestProxy *proxy)
{
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_object_unref (proxy->service);
  g_free (proxy->url);
  g_free (proxy);
}
