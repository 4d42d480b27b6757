/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-keyring.c: the desk's sign-in kept in a real desktop keyring,
 * against the real cdm-server over a throwaway PostgreSQL.
 *
 * Runs under Xvfb and a session bus on which the test starts GNOME's
 * keyring daemon (gnome-keyring-daemon, secrets only), with its keyrings
 * in a temporary folder, unlocked with a password of the test's own:
 * what a counsellor's desktop has.
 *
 * - The app's first start filled its store with demo data; the sign-in
 *   form says that signing in removes it, and after the first download
 *   the desk holds only what the server has.
 * - Signing in in the preferences puts the token in the keyring, not in a
 *   file, and the preferences say "Kept in the Keyring".
 * - Closing the desk and opening it again finds the sign-in there: the
 *   desk syncs without asking for the password.
 * - Signing out takes the token out of the keyring.
 *
 * Screenshots go to screenshots/ in the build directory, named keyring-*.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>

#include "cdm-desk-test-util.h"
#include "cdm-preferences-window.h"
#include "cdm-server-test-util.h"
#include "cdm-store.h"
#include "cdm-sync-controller.h"
#include "cdm-sync-status.h"
#include "cdm-sync.h"

static CdmTestServer *server;
static CdmApplication *app;
static char *store_dir;
static char *store_path;

/* The schema the desk stores its token under (cdm-sync-controller.c). */
static const SecretSchema token_schema = {
  "brussels.cdm_bp.Desk.Token", SECRET_SCHEMA_NONE,
  {
    { "store", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

typedef struct {
  gboolean done;
  char *token;
} Lookup;

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Lookup *lookup = user_data;
  g_autoptr(GError) error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  g_assert_no_error (error);
  lookup->token = g_strdup (secret);
  secret_password_free (secret);
  lookup->done = TRUE;
}

static gboolean
lookup_done (gpointer data)
{
  return ((Lookup *) data)->done;
}

/* The token the keyring holds for the test's store, or NULL.  Asked the
 * way the desk asks, without blocking its main loop. */
static char *
keyring_token (void)
{
  Lookup lookup = { FALSE, NULL };

  secret_password_lookup (&token_schema, NULL, on_looked_up, &lookup, "store", store_path, NULL);
  cdm_desk_test_wait_until (lookup_done, &lookup, 10, "the keyring to answer");
  return lookup.token;
}

static gboolean
keyring_has_token (gpointer data)
{
  g_autofree char *token = keyring_token ();

  return token != NULL && strlen (token) >= 32;
}

static gboolean
keyring_is_empty (gpointer data)
{
  g_autofree char *token = keyring_token ();

  return token == NULL;
}

static CdmWindow *
get_window (void)
{
  return cdm_desk_test_get_open_window (app);
}

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

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static GtkWindow *
open_preferences (CdmSyncStatus *status)
{
  GtkWindow *prefs;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (status), "sync.sign-in", NULL));
  prefs = cdm_desk_test_find_toplevel (CDM_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  cdm_desk_test_wait_until (is_mapped, prefs, 10, "the preferences to show");
  return prefs;
}

typedef struct {
  GtkWidget *row;
  const char *title;
} TitleWait;

static gboolean
title_is (gpointer data)
{
  TitleWait *wait = data;

  return g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (wait->row)), wait->title) == 0;
}

static gboolean
demo_said (gpointer data)
{
  GtkWidget *group = cdm_desk_test_find_named (data, "sign-in-demo");

  return group != NULL &&
         strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), "demo data") != NULL;
}

/* Signing in keeps the token in the keyring and nowhere else. */
static void
test_sign_in (void)
{
  CdmSyncStatus *status = get_status ();
  CdmSyncController *controller = cdm_sync_status_get_controller (status);
  GtkWindow *prefs = open_preferences (status);
  g_autofree char *password = cdm_test_password ("counsellor");
  g_autofree char *token_path = cdm_sync_token_path (store_path);
  TitleWait storage = { NULL, "Kept in the Keyring" };
  g_autofree char *origin = NULL;

  g_assert_cmpstr (cdm_sync_status_get_label (status), ==, "Not synced");
  g_assert_true (keyring_is_empty (NULL));
  /* The app filled its empty store with demo data: the form says that
   * signing in removes it. */
  g_assert_cmpint (cdm_desk_test_count_contacts (store_path), >, 1000);
  cdm_desk_test_wait_until (demo_said, prefs, 10, "the form to mention the demo data");
  cdm_desk_test_screen_screenshots (GTK_WIDGET (get_window ()), GTK_WIDGET (prefs), "keyring-sign-in-demo");

  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (prefs), "server-url")),
                         cdm_test_server_url (server));
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (prefs), "server-user")), "counsellor");
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (prefs), "server-password")), password);
  g_signal_emit_by_name (cdm_desk_test_get_named (GTK_WIDGET (prefs), "sign-in"), "clicked");

  wait_for_label (status, "Synced", 60);
  /* The demo data is gone: the desk holds what the server has. */
  g_assert_cmpint (cdm_desk_test_count_contacts (store_path), ==, 0);
  g_assert_cmpint (cdm_store_count (cdm_sync_controller_get_store (controller), CDM_ENTITY_ORGANISATION, NULL), ==, 0);
  origin = cdm_store_get_setting (cdm_sync_controller_get_store (controller), "origin");
  g_assert_null (origin);
  cdm_desk_test_wait_until (keyring_has_token, NULL, 10, "the keyring to hold the sign-in");
  g_assert_false (cdm_sync_controller_get_token_in_file (controller));
  g_assert_false (g_file_test (token_path, G_FILE_TEST_EXISTS));

  storage.row = cdm_desk_test_get_named (GTK_WIDGET (prefs), "token-storage");
  cdm_desk_test_wait_until (title_is, &storage, 10, "the preferences to say where the sign-in is");
  cdm_desk_test_screen_screenshots (GTK_WIDGET (get_window ()), GTK_WIDGET (prefs), "keyring-signed-in");
  gtk_window_destroy (prefs);
}

static gboolean
on_server (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/records/contact/%s", (const char *) data);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "manager"),
                                                    NULL);

  return reply->status == 200 &&
         g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (reply->json), "note", NULL),
                    "after reopening") == 0;
}

/* Opened again, the desk finds its sign-in in the keyring and syncs
 * without asking; what is typed then reaches the server. */
static void
test_reopen (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) contact = json_from_string ("{\"occurred_at\": \"2026-03-04T10:00:00+01:00\", "
                                                  "\"site\": \"centre\", \"service\": \"individual_advice\", "
                                                  "\"channel\": \"phone\", \"note\": \"after reopening\"}", NULL);
  g_autofree char *contact_id = NULL;
  CdmSyncStatus *status;
  CdmSyncController *controller;

  /* Another application id: the first one's object path stays taken on
   * the bus for as long as this process lives. */
  cdm_desk_test_close_application (&app);
  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test.Reopened");
  status = get_status ();
  controller = cdm_sync_status_get_controller (status);

  wait_for_label (status, "Synced", 60);
  g_assert_false (cdm_sync_controller_get_token_in_file (controller));
  g_assert_null (cdm_desk_test_find_toplevel (CDM_TYPE_PREFERENCES_WINDOW));

  g_assert_true (cdm_store_put (cdm_sync_controller_get_store (controller), CDM_ENTITY_CONTACT,
                                json_node_get_object (contact), &contact_id, NULL, &error));
  g_assert_no_error (error);
  cdm_desk_test_wait_until (on_server, contact_id, 30, "the contact to reach the server");
  wait_for_label (status, "Synced", 30);
}

/* Signing out, confirmed, takes the token out of the keyring. */
static void
test_sign_out (void)
{
  CdmSyncStatus *status = get_status ();
  GtkWindow *prefs = open_preferences (status);

  g_signal_emit_by_name (cdm_desk_test_get_named (GTK_WIDGET (prefs), "sign-out"), "clicked");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (cdm_desk_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)),
                               "sign-out");
  wait_for_label (status, "Not synced", 10);
  cdm_desk_test_wait_until (keyring_is_empty, NULL, 10, "the keyring to forget the sign-in");
  gtk_window_destroy (prefs);
}

/* Starts GNOME's keyring daemon on the session bus, its keyrings in
 * @data_dir, the login keyring created and unlocked with a password. */
static void
start_keyring (const char *data_dir)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_dir, TRUE);
  daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--unlock",
                                        "--components=secrets", NULL);
  if (daemon == NULL)
    g_error ("Cannot start gnome-keyring-daemon (tools/install-deps test installs it): %s", error->message);
  /* The password on its standard input, then end of file: it starts the
   * daemon in the background and exits. */
  if (!g_subprocess_communicate_utf8 (daemon, "keyring-test-password", NULL, NULL, NULL, &error) ||
      !g_subprocess_wait_check (daemon, NULL, &error))
    g_error ("gnome-keyring-daemon failed: %s", error->message);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_dir = NULL;
  g_autofree char *data_dir = NULL;
  int status;

  config_dir = g_dir_make_tmp ("cdm-desk-keyring-config-XXXXXX", NULL);
  data_dir = g_dir_make_tmp ("cdm-desk-keyring-data-XXXXXX", NULL);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);
  g_unsetenv ("CDM_DESK_TOKEN_FILE");

  cdm_desk_test_init (&argc, &argv);
  start_keyring (data_dir);

  server = cdm_test_server_new (NULL);
  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-keyring-XXXXXX", &store_path);
  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk-keyring/sign-in", test_sign_in);
  g_test_add_func ("/desk-keyring/reopen", test_reopen);
  g_test_add_func ("/desk-keyring/sign-out", test_sign_out);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);
  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);
  cdm_test_server_free (server);
  /* libsecret keeps its connection to the secret service for the life of
   * the process; let it go before the leak check. */
  secret_service_disconnect ();
  {
    g_autofree char *desk_config = g_build_filename (config_dir, "cdm-desk", NULL);

    if (g_file_test (desk_config, G_FILE_TEST_IS_DIR))
      cdm_desk_test_remove_dir (desk_config);
    cdm_desk_test_remove_dir (config_dir);
  }
  {
    g_autofree char *keyrings = g_build_filename (data_dir, "keyrings", NULL);

    cdm_desk_test_remove_dir (keyrings);
    cdm_desk_test_remove_dir (data_dir);
  }
  return status;
}
