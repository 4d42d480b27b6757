/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-network.c: when the network comes back, the desk syncs at
 * once instead of at the end of its backoff, against the real cdm-server
 * over a throwaway PostgreSQL.
 *
 * Runs in a network namespace of its own (tests/netns-run.sh): loopback
 * up and no default route, so GLib's network monitor (netlink) says "no
 * network".  The server is stopped and the desk goes Offline, with its
 * next try minutes away; the server comes back on the same port and the
 * desk stays Offline; a default route appears, as when a cable is
 * plugged in or a Wi-Fi joined, and the desk is Synced within seconds.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cdm-desk-test-util.h"
#include "cdm-server-test-util.h"
#include "cdm-store.h"
#include "cdm-sync-controller.h"
#include "cdm-sync-status.h"
#include "cdm-sync-store.h"
#include "cdm-sync.h"

#define LOCAL_ONLY "6c2e3d4f-5061-4b72-9c83-ad9e8f7a6b5c"

static CdmTestServer *server;
static CdmApplication *app;
static char *store_dir;
static char *store_path;

static CdmSyncStatus *
get_status (void)
{
  return cdm_desk_test_get_sync_status (app);
}

static void
wait_for_label (CdmSyncStatus *status,
                const char    *label,
                double         seconds)
{
  cdm_desk_test_wait_for_sync_label (status, label, seconds);
}

/* Runs `ip ARGS…` in the test's network namespace. */
static void
ip (const char *args)
{
  g_autofree char *command = g_strconcat ("ip ", args, NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_assert_true (g_spawn_command_line_sync (command, NULL, &err, &wait_status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (wait_status, NULL))
    g_error ("“%s” failed: %s", command, err);
}

static gboolean
network_available (gpointer data)
{
  return g_network_monitor_get_network_available (g_network_monitor_get_default ());
}

static void
test_network_returns (void)
{
  CdmSyncStatus *status = get_status ();
  CdmSyncController *controller = cdm_sync_status_get_controller (status);
  g_autofree char *port = NULL;
  const char *serve_args[3] = { "--port", NULL, NULL };
  g_autofree char *url = NULL;
  gint64 offline_since;

  /* The namespace has no default route: no network, as far as GLib can
   * tell, while loopback still carries the desk's requests. */
  g_assert_false (network_available (NULL));
  wait_for_label (status, "Synced", 60);

  /* The server goes away; the desk says Offline and waits minutes. */
  cdm_sync_controller_set_first_attempt (controller, 10);
  url = g_strdup (cdm_test_server_url (server));
  port = g_strndup (strrchr (url, ':') + 1, strspn (strrchr (url, ':') + 1, "0123456789"));
  g_assert_cmpint (cdm_test_server_stop_serving (server), ==, 0);
  cdm_sync_controller_sync_now (controller);
  wait_for_label (status, "Offline", 30);

  /* Back on the same address, but the desk does not know: still Offline
   * a few seconds later. */
  serve_args[1] = port;
  cdm_test_server_set_serve_args (server, serve_args);
  cdm_test_server_start_serving (server);
  g_assert_cmpstr (cdm_test_server_url (server), ==, url);
  offline_since = g_get_monotonic_time ();
  cdm_desk_test_settle (3);
  g_assert_cmpstr (cdm_sync_status_get_label (status), ==, "Offline");

  /* The network comes back: the desk tries at once. */
  ip ("route add default dev lo");
  cdm_desk_test_wait_until (network_available, NULL, 10, "GLib to see the network");
  wait_for_label (status, "Synced", 10);
  g_test_message ("Synced %.1f s after the server came back, %.1f s after the network",
                  (g_get_monotonic_time () - offline_since) / (double) G_USEC_PER_SEC,
                  (g_get_monotonic_time () - offline_since) / (double) G_USEC_PER_SEC - 3);
  ip ("route del default dev lo");
}

static void
prepare_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) store = cdm_store_open (store_path, &error);
  g_autoptr(JsonNode) local = json_from_string ("{\"type\": \"organisation\", \"id\": \"" LOCAL_ONLY "\", "
                                                "\"name\": {\"fr\": \"Partenaire local\"}, \"circle\": \"second\", "
                                                "\"kind\": \"training\"}", NULL);
  g_autofree char *server_url = g_strdup (cdm_test_server_url (server));

  g_assert_no_error (error);
  /* A store with a record of its own: the app fills no demo data. */
  cdm_store_set_queue_changes (store, FALSE);
  g_assert_true (cdm_store_put (store, CDM_ENTITY_ORGANISATION, json_node_get_object (local), NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cdm_sync_store_set_state (store, CDM_SYNC_KEY_SERVER, server_url, &error));
  g_assert_no_error (error);
  g_assert_true (cdm_sync_save_token (store_path, cdm_test_server_token (server, "counsellor"), &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_dir = NULL;
  int status;

  config_dir = g_dir_make_tmp ("cdm-desk-network-config-XXXXXX", NULL);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_setenv ("CDM_DESK_TOKEN_FILE", "1", TRUE);

  cdm_desk_test_init (&argc, &argv);

  server = cdm_test_server_new (NULL);
  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-network-XXXXXX", &store_path);
  prepare_store ();
  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk-network/returns", test_network_returns);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);
  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);
  cdm_test_server_free (server);
  {
    g_autofree char *desk_config = g_build_filename (config_dir, "cdm-desk", NULL);

    if (g_file_test (desk_config, G_FILE_TEST_IS_DIR))
      cdm_desk_test_remove_dir (desk_config);
    cdm_desk_test_remove_dir (config_dir);
  }
  return status;
}
