/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-sync.c: the desk's sync status, signing in and the Conflicts
 * window, in real windows, against the real cdm-server over a throwaway
 * PostgreSQL (tests/server/cdm-server-test-util.h).
 *
 * The desk starts pointed at an address where nothing answers: the
 * status says Offline.  A wrong password and a plain-http address are
 * refused in the preferences with a sentence; the right password brings
 * the status to Synced with nothing waiting.  A local change shows
 * "1 waiting", then goes.  A partner's phone changed on the server and
 * here at the same time shows in the Conflicts window with both values;
 * a click keeps this desk's, and the server ends up with it.
 *
 * Runs under Xvfb and a session bus with no keyring, with a temporary
 * XDG_CONFIG_HOME: the first token is put in the file directly
 * (CDM_DESK_TOKEN_FILE); the sign-in asks the keyring, finds none, and
 * keeps the token in the file, readable by the user only.
 * Screenshots go to screenshots/ in the build directory, named sync-*.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/stat.h>

#include "cdm-desk-test-util.h"
#include "cdm-preferences-window.h"
#include "cdm-server-test-util.h"
#include "cdm-store.h"
#include "cdm-sync-conflicts-window.h"
#include "cdm-sync-controller.h"
#include "cdm-sync-status.h"
#include "cdm-sync-store.h"
#include "cdm-sync.h"

#define PARTNER "5b1d2c3e-4f50-4a61-8b72-9c8d7e6f5a4b"
#define LOCAL_ONLY "6c2e3d4f-5061-4b72-9c83-ad9e8f7a6b5c"

static CdmTestServer *server;
static CdmApplication *app;
static char *store_dir;
static char *store_path;

/* A PUT on a connection of its own (see test-server-records.c). */
static CdmTestReply *
put_record (const char *role,
            const char *type,
            const char *id,
            const char *body)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, "proxy-resolver", NULL, NULL);
  g_autofree char *uri = g_strdup_printf ("%s/api/v1/records/%s/%s", cdm_test_server_url (server), type, id);
  g_autofree char *header = g_strconcat ("Bearer ", cdm_test_server_token (server, role), NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("PUT", uri);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  CdmTestReply *reply = g_new0 (CdmTestReply, 1);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  reply->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (msg);
  if (json_parser_load_from_data (parser, g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body), NULL))
    reply->json = json_parser_steal_root (parser);
  if (reply->status != 200)
    g_test_message ("PUT %s: %u %.*s", uri, reply->status,
                    (int) g_bytes_get_size (reply->body), (const char *) g_bytes_get_data (reply->body, NULL));
  return reply;
}

/* The record as the server has it now. */
static JsonObject *
server_record (const char *type,
               const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/%s", type, id);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "manager"), NULL);

  if (reply->status != 200)
    return NULL;
  return json_object_ref (json_node_get_object (reply->json));
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
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

/* The main window with the status popover open under its button, as a
 * person sees it, at both sizes and in both styles. */
static void popover_screenshots (CdmSyncStatus *status, const char *name, gboolean quick);

static void
popover_screenshot (CdmSyncStatus *status,
                    const char    *name)
{
  popover_screenshots (status, name, FALSE);
}

/* @quick: the large light one only, for a state that does not last. */
static void
popover_screenshots (CdmSyncStatus *status,
                     const char    *name,
                     gboolean       quick)
{
  GtkWidget *window = GTK_WIDGET (get_window ());
  GtkWidget *button = cdm_sync_status_get_button (status);
  GtkPopover *popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  const int sizes[][2] = { { 1366, 768 }, { 800, 600 } };

  for (guint dark = 0; dark < (quick ? 1 : 2); dark++)
    {
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      for (guint i = 0; i < (quick ? 1 : G_N_ELEMENTS (sizes)); i++)
        {
          g_autofree char *file = g_strdup_printf ("%s-%dx%d%s", name, sizes[i][0], sizes[i][1], dark ? "-dark" : "");
          g_autofree char *dir = g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
          g_autofree char *png = g_strconcat (file, ".png", NULL);
          g_autofree char *path = g_build_filename (dir, png, NULL);
          g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
          g_autoptr(GskRenderNode) node = NULL;
          g_autoptr(GdkTexture) texture = NULL;
          g_autoptr(GdkPaintable) window_paint = gtk_widget_paintable_new (window);
          g_autoptr(GdkPaintable) popover_paint = gtk_widget_paintable_new (GTK_WIDGET (popover));
          graphene_point_t at;
          double px, py;

          if (!quick)
            cdm_desk_test_resize (window, sizes[i][0], sizes[i][1]);
          gtk_menu_button_popup (GTK_MENU_BUTTON (button));
          cdm_desk_test_wait_until (is_mapped, popover, 10, "the status popover to show");
          /* A frame drawn, so that there is something to render. */
          cdm_desk_test_settle (quick ? 0.05 : 0.2);

          g_assert_true (gtk_widget_compute_point (button, window,
                                                   &GRAPHENE_POINT_INIT (gtk_widget_get_width (button) / 2.0,
                                                                         gtk_widget_get_height (button)), &at));
          px = MIN (MAX (at.x - gtk_widget_get_width (GTK_WIDGET (popover)) / 2.0, 0),
                    sizes[i][0] - gtk_widget_get_width (GTK_WIDGET (popover)));
          py = at.y;

          g_mkdir_with_parents (dir, 0755);
          gdk_paintable_snapshot (window_paint, GDK_SNAPSHOT (snapshot), sizes[i][0], sizes[i][1]);
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (px, py));
          gdk_paintable_snapshot (popover_paint, GDK_SNAPSHOT (snapshot),
                                  gtk_widget_get_width (GTK_WIDGET (popover)),
                                  gtk_widget_get_height (GTK_WIDGET (popover)));
          gtk_snapshot_restore (snapshot);
          node = gtk_snapshot_to_node (snapshot);
          texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                                 &GRAPHENE_RECT_INIT (0, 0, sizes[i][0], sizes[i][1]));
          g_assert_true (gdk_texture_save_to_png (texture, path));
          g_test_message ("Screenshot %s", path);
          gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
        }
    }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

/* A dialog over the main window, in both styles. */
static void
dialog_screenshots (GtkWidget  *dialog,
                    const char *name)
{
  g_autofree char *dark = g_strconcat (name, "-dark", NULL);
  GtkWidget *window = GTK_WIDGET (get_window ());

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  cdm_desk_test_settle (0.1);
  cdm_desk_test_screen_screenshots (window, dialog, name);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  cdm_desk_test_settle (0.1);
  cdm_desk_test_screen_screenshots (window, dialog, dark);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

/* Pointed at an address where nothing answers, the desk says Offline,
 * keeps working, and says why in the popover. */
static gboolean
tried_and_failed (gpointer data)
{
  CdmSyncController *controller = data;

  return !cdm_sync_controller_is_syncing (controller) && cdm_sync_controller_get_last_error (controller) != NULL;
}

static void
test_offline (void)
{
  CdmSyncStatus *status = get_status ();

  cdm_desk_test_wait_until (tried_and_failed, cdm_sync_status_get_controller (status), 30, "a first try");
  g_assert_cmpstr (cdm_sync_status_get_label (status), ==, "Offline");
  g_assert_cmpstr (cdm_sync_status_get_headline (status), ==, "Offline");
  g_assert_true (g_str_has_prefix (cdm_sync_status_get_detail (status), "Never synced"));
  g_assert_cmpint (cdm_sync_controller_get_link (cdm_sync_status_get_controller (status)), ==,
                   CDM_SYNC_LINK_OFFLINE);
  g_assert_nonnull (strstr (cdm_sync_controller_get_last_error (cdm_sync_status_get_controller (status)),
                            "Cannot reach the server"));
  popover_screenshot (status, "sync-offline");
}

typedef struct {
  GtkWidget *label;
  const char *text;
} ErrorWait;

static gboolean
error_shows (gpointer data)
{
  ErrorWait *wait = data;

  return gtk_widget_is_visible (wait->label) &&
         strstr (gtk_label_get_label (GTK_LABEL (wait->label)), wait->text) != NULL;
}

static GtkWindow *
open_sign_in (CdmSyncStatus *status)
{
  GtkWindow *prefs;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (status), "sync.sign-in", NULL));
  prefs = cdm_desk_test_find_toplevel (CDM_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  cdm_desk_test_wait_until (is_mapped, prefs, 10, "the preferences to show");
  g_assert_cmpstr (adw_preferences_window_get_visible_page_name (ADW_PREFERENCES_WINDOW (prefs)), ==, "server");
  return prefs;
}

static void
fill_sign_in (GtkWindow  *prefs,
              const char *url,
              const char *user,
              const char *password)
{
  g_assert_true (gtk_widget_is_visible (cdm_desk_test_get_named (GTK_WIDGET (prefs), "server-url")));
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (prefs), "server-url")), url);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (prefs), "server-user")), user);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (prefs), "server-password")), password);
  g_signal_emit_by_name (cdm_desk_test_get_named (GTK_WIDGET (prefs), "sign-in"), "clicked");
}

/* Mistakes in the sign-in form are said under it, in words; nothing is
 * kept and the desk stays offline. */
static void
test_sign_in_errors (void)
{
  CdmSyncStatus *status = get_status ();
  GtkWindow *prefs = open_sign_in (status);
  ErrorWait wait = { cdm_desk_test_get_named (GTK_WIDGET (prefs), "sign-in-error"), NULL };
  g_autofree char *token_path = cdm_sync_token_path (store_path);
  g_autofree char *right = cdm_test_password ("counsellor");
  g_autofree char *wrong = g_strconcat (right, "x", NULL);

  fill_sign_in (prefs, "http://desk.example.org", "counsellor", "whatever");
  wait.text = "must start with https://";
  cdm_desk_test_wait_until (error_shows, &wait, 10, "the plain-http error");

  fill_sign_in (prefs, cdm_test_server_url (server), "counsellor", wrong);
  wait.text = "The user name or the password is wrong";
  cdm_desk_test_wait_until (error_shows, &wait, 30, "the wrong-password error");
  dialog_screenshots (GTK_WIDGET (prefs), "sync-sign-in-error");

  /* Nothing changed: the bogus token of the start is still the one kept. */
  g_assert_cmpstr (cdm_sync_status_get_label (status), ==, "Offline");
  g_assert_true (g_file_test (token_path, G_FILE_TEST_EXISTS));
  gtk_window_destroy (prefs);
}

static gboolean
shows_progress (gpointer data)
{
  CdmSyncController *controller = cdm_sync_status_get_controller (data);
  guint64 done, total;

  cdm_sync_controller_get_progress (controller, &done, &total);
  return (total > 0 && done > 0 && done < total) || g_str_equal (cdm_sync_status_get_label (data), "Synced");
}

static gboolean
wait_for_progress (CdmSyncStatus *status)
{
  CdmSyncController *controller = cdm_sync_status_get_controller (status);
  guint64 done, total;

  cdm_desk_test_wait_until (shows_progress, status, 60, "the first load to start");
  cdm_sync_controller_get_progress (controller, &done, &total);
  g_test_message ("First load: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT ", “%s”", done, total,
                  cdm_sync_status_get_label (status));
  return !g_str_equal (cdm_sync_status_get_label (status), "Synced");
}

static gboolean
token_in_file (gpointer data)
{
  g_autofree char *token = cdm_sync_load_token (store_path, NULL);

  return cdm_sync_controller_get_token_in_file (data) && token != NULL &&
         !g_str_equal (token, "not-a-real-token");
}

static gboolean
detail_says_synced (gpointer data)
{
  return g_str_has_prefix (cdm_sync_status_get_detail (data), "Synced just now");
}

/* The right password: the desk loads what the server has and says
 * Synced, nothing waiting; the sign-in is in a file only the user can
 * read, and the preferences say so. */
static void
test_sign_in (void)
{
  CdmSyncStatus *status = get_status ();
  CdmSyncController *controller = cdm_sync_status_get_controller (status);
  GtkWindow *prefs = open_sign_in (status);
  g_autofree char *token_path = cdm_sync_token_path (store_path);
  g_autofree char *password = cdm_test_password ("counsellor");
  g_autoptr(JsonObject) partner = NULL;
  GtkWidget *storage;
  struct stat st;

  /* Small pages: a first load long enough to be seen. */
  cdm_sync_controller_set_page_size (controller, 200);
  /* From here on the keyring is asked first, as on a desktop: the test's
   * bus has none, so the desk falls back to the file, and says so. */
  g_unsetenv ("CDM_DESK_TOKEN_FILE");
  cdm_desk_test_resize (GTK_WIDGET (get_window ()), 1366, 768);
  fill_sign_in (prefs, cdm_test_server_url (server), "counsellor", password);

  /* The first load shows how far it is; it may be over before a frame is
   * drawn on a fast machine, so the picture is taken when it can be. */
  if (wait_for_progress (status))
    popover_screenshots (status, "sync-progress", TRUE);
  else
    g_test_message ("The first load ended before its progress could be seen");

  wait_for_label (status, "Synced", 120);
  g_assert_cmpint (cdm_sync_controller_get_link (controller), ==, CDM_SYNC_LINK_ONLINE);
  g_assert_cmpint (cdm_sync_controller_get_pending (controller), ==, 0);
  g_assert_cmpstr (cdm_sync_status_get_headline (status), ==, "Online");
  cdm_desk_test_wait_until (detail_says_synced, status, 10, "the time of the last sync");

  /* The server's partner came down. */
  partner = cdm_store_get (cdm_sync_controller_get_store (controller), CDM_ENTITY_ORGANISATION, PARTNER, FALSE, NULL);
  g_assert_nonnull (partner);
  g_assert_cmpstr (json_object_get_string_member (partner, "phone"), ==, "02 111 11 11");

  cdm_desk_test_wait_until (token_in_file, controller, 10, "the sign-in to be kept");
  g_assert_cmpint (g_stat (token_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (cdm_sync_controller_get_token_in_file (controller));
  storage = cdm_desk_test_get_named (GTK_WIDGET (prefs), "token-storage");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (storage)), ==, "No Keyring");
  dialog_screenshots (GTK_WIDGET (prefs), "sync-signed-in");
  gtk_window_destroy (prefs);

  popover_screenshot (status, "sync-synced");
}

/* A contact logged here is "1 waiting" at once, and gone to the server a
 * few seconds later. */
static void
test_local_change (void)
{
  CdmSyncStatus *status = get_status ();
  CdmSyncController *controller = cdm_sync_status_get_controller (status);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string ("{\"occurred_at\": \"2026-03-02T10:00:00+01:00\", "
                                               "\"site\": \"centre\", \"service\": \"individual_advice\", "
                                               "\"channel\": \"in_person\", \"note\": \"from the desk\"}", NULL);
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) on_server = NULL;

  cdm_sync_controller_set_delays (controller, 2000, 120);
  g_assert_true (cdm_store_put (cdm_sync_controller_get_store (controller), CDM_ENTITY_CONTACT,
                                json_node_get_object (node), &id, NULL, &error));
  g_assert_no_error (error);

  wait_for_label (status, "1 waiting", 5);
  popover_screenshot (status, "sync-waiting");
  wait_for_label (status, "Synced", 30);
  g_assert_cmpint (cdm_sync_controller_get_pending (controller), ==, 0);

  on_server = server_record ("contact", id);
  g_assert_nonnull (on_server);
  g_assert_cmpstr (json_object_get_string_member (on_server, "note"), ==, "from the desk");
}

typedef struct {
  CdmSyncController *controller;
  gint64 conflicts;
} ConflictWait;

static gboolean
conflicts_are (gpointer data)
{
  ConflictWait *wait = data;

  return cdm_sync_controller_get_conflicts (wait->controller) == wait->conflicts &&
         !cdm_sync_controller_is_syncing (wait->controller);
}

static gboolean
window_loaded (gpointer data)
{
  return cdm_sync_conflicts_window_is_loaded (data);
}

/* The same phone changed on the server and here: the Conflicts window
 * shows both, a click keeps this desk's, and the server takes it. */
static void
test_conflict (void)
{
  CdmSyncStatus *status = get_status ();
  CdmSyncController *controller = cdm_sync_status_get_controller (status);
  CdmStore *store = cdm_sync_controller_get_store (controller);
  g_autoptr(CdmTestReply) changed = NULL;
  g_autoptr(JsonObject) partner = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autoptr(GError) error = NULL;
  ConflictWait wait = { controller, 1 };
  GtkWindow *window;
  GtkWidget *keep;

  /* Another desk, through the server, first. */
  changed = put_record ("manager", "organisation", PARTNER,
                        "{\"name\": {\"fr\": \"Maison de l’emploi\"}, \"circle\": \"first\", "
                        "\"kind\": \"public_employment\", \"phone\": \"02 222 22 22\", \"base_version\": 1}");
  g_assert_cmpuint (changed->status, ==, 200);

  /* This desk, not knowing it yet. */
  partner = cdm_store_get (store, CDM_ENTITY_ORGANISATION, PARTNER, FALSE, &error);
  g_assert_no_error (error);
  json_object_set_string_member (partner, "phone", "02 333 33 33");
  g_assert_true (cdm_store_put (store, CDM_ENTITY_ORGANISATION, partner, NULL, NULL, &error));
  g_assert_no_error (error);

  cdm_desk_test_wait_until (conflicts_are, &wait, 30, "the conflict to come back");
  wait_for_label (status, "1 conflict", 10);
  popover_screenshot (status, "sync-conflict");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (status), "sync.conflicts", NULL));
  window = cdm_desk_test_find_toplevel (CDM_TYPE_SYNC_CONFLICTS_WINDOW);
  g_assert_nonnull (window);
  cdm_desk_test_wait_until (window_loaded, window, 10, "the conflicts to show");
  cdm_desk_test_wait_until (is_mapped, window, 10, "the Conflicts window to show");
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "Partner: Maison de l’emploi"));
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "02 222 22 22"));
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "02 333 33 33"));
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "“Phone” was changed"));
  dialog_screenshots (GTK_WIDGET (window), "sync-conflicts");

  keep = cdm_desk_test_get_named (GTK_WIDGET (window), "keep-this-desk");
  g_signal_emit_by_name (keep, "clicked");

  wait.conflicts = 0;
  cdm_desk_test_wait_until (conflicts_are, &wait, 10, "the conflict to be resolved");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (status), "sync.now", NULL));
  wait_for_label (status, "Synced", 30);
  cdm_desk_test_wait_until (window_loaded, window, 10, "the conflicts to show again");
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "Nothing to Resolve"));
  gtk_window_destroy (window);

  on_server = server_record ("organisation", PARTNER);
  g_assert_cmpstr (json_object_get_string_member (on_server, "phone"), ==, "02 333 33 33");
  g_clear_pointer (&partner, json_object_unref);
  partner = cdm_store_get (store, CDM_ENTITY_ORGANISATION, PARTNER, FALSE, &error);
  g_assert_cmpstr (json_object_get_string_member (partner, "phone"), ==, "02 333 33 33");
}

static gboolean
parked_is (gpointer data)
{
  ConflictWait *wait = data;

  return cdm_sync_controller_get_parked (wait->controller) == wait->conflicts &&
         !cdm_sync_controller_is_syncing (wait->controller);
}

/* A change this account may not make (a counsellor closing the centre)
 * is refused and set aside with the server's reason, the rest goes on;
 * it shows in the same window, and is discarded after a confirmation. */
static void
test_parked (void)
{
  CdmSyncStatus *status = get_status ();
  CdmSyncController *controller = cdm_sync_status_get_controller (status);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) closure = json_from_string ("{\"from\": \"2026-12-24\", \"to\": \"2027-01-01\", "
                                                  "\"scope\": \"all\", \"reason\": \"Winter holidays\"}", NULL);
  g_autoptr(JsonNode) contact = json_from_string ("{\"occurred_at\": \"2026-03-03T10:00:00+01:00\", "
                                                  "\"site\": \"centre\", \"service\": \"individual_advice\", "
                                                  "\"channel\": \"phone\", \"note\": \"after the closure\"}", NULL);
  g_autofree char *contact_id = NULL;
  g_autofree char *closure_id = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autoptr(JsonObject) gone = NULL;
  ConflictWait wait = { controller, 1 };
  GtkWindow *window;
  GtkWindow *confirm;
  GtkWidget *row;

  g_assert_true (cdm_store_put (cdm_sync_controller_get_store (controller), CDM_ENTITY_CLOSURE,
                                json_node_get_object (closure), &closure_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cdm_store_put (cdm_sync_controller_get_store (controller), CDM_ENTITY_CONTACT,
                                json_node_get_object (contact), &contact_id, NULL, &error));
  g_assert_no_error (error);

  cdm_desk_test_wait_until (parked_is, &wait, 30, "the closure to be refused");
  wait_for_label (status, "1 refused", 10);
  /* The contact behind it went on. */
  on_server = server_record ("contact", contact_id);
  g_assert_nonnull (on_server);
  g_assert_cmpint (cdm_sync_controller_get_pending (controller), ==, 0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (status), "sync.conflicts", NULL));
  window = cdm_desk_test_find_toplevel (CDM_TYPE_SYNC_CONFLICTS_WINDOW);
  g_assert_nonnull (window);
  cdm_desk_test_wait_until (window_loaded, window, 10, "the refused change to show");
  cdm_desk_test_wait_until (is_mapped, window, 10, "the Conflicts window to show");
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "Closure: Winter holidays"));
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "A counsellor may not write records of type closure"));
  dialog_screenshots (GTK_WIDGET (window), "sync-refused");

  row = cdm_desk_test_get_named (GTK_WIDGET (window), "parked");
  g_signal_emit_by_name (cdm_desk_test_get_named (row, "discard"), "clicked");
  confirm = cdm_desk_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (confirm);
  /* Cancel first: nothing goes. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "cancel");
  cdm_desk_test_settle (0.5);
  g_assert_cmpint (cdm_sync_store_count_parked (cdm_sync_controller_get_store (controller), NULL), ==, 1);

  g_signal_emit_by_name (cdm_desk_test_get_named (row, "discard"), "clicked");
  confirm = cdm_desk_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (confirm);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "discard");

  wait.conflicts = 0;
  cdm_desk_test_wait_until (parked_is, &wait, 10, "the refused change to go");
  wait_for_label (status, "Synced", 10);
  cdm_desk_test_wait_until (window_loaded, window, 10, "the window to show nothing");
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "Nothing to Resolve"));
  /* The closure the server never took is not left on this desk alone. */
  gone = cdm_store_get (cdm_sync_controller_get_store (controller), CDM_ENTITY_CLOSURE, closure_id, FALSE, &error);
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
  g_assert_null (gone);
  g_clear_error (&error);
  gtk_window_destroy (window);
}

/* The sign-in withdrawn on the server: the desk asks to sign in again and
 * keeps what was typed meanwhile, which goes once signed in. */
static void
test_sign_in_again (void)
{
  CdmSyncStatus *status = get_status ();
  CdmSyncController *controller = cdm_sync_status_get_controller (status);
  g_autoptr(CdmTestReply) revoked = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) contact = json_from_string ("{\"occurred_at\": \"2026-03-04T10:00:00+01:00\", "
                                                  "\"site\": \"centre\", \"service\": \"individual_advice\", "
                                                  "\"channel\": \"email\", \"note\": \"typed while revoked\"}", NULL);
  g_autofree char *contact_id = NULL;
  g_autofree char *password = cdm_test_password ("counsellor");
  g_autoptr(JsonObject) on_server = NULL;
  GtkWindow *prefs;

  revoked = cdm_test_request (server, "POST", "/api/v1/admin/users/counsellor/revoke",
                              cdm_test_server_token (server, "admin"), NULL);
  g_assert_cmpuint (revoked->status, ==, 204);
  cdm_test_server_forget_tokens (server);

  g_assert_true (cdm_store_put (cdm_sync_controller_get_store (controller), CDM_ENTITY_CONTACT,
                                json_node_get_object (contact), &contact_id, NULL, &error));
  g_assert_no_error (error);
  wait_for_label (status, "Sign in again", 30);
  g_assert_cmpint (cdm_sync_controller_get_link (controller), ==, CDM_SYNC_LINK_SIGN_IN_AGAIN);
  g_assert_cmpint (cdm_sync_controller_get_pending (controller), ==, 1);
  popover_screenshot (status, "sync-sign-in-again");

  prefs = open_sign_in (status);
  g_setenv ("CDM_DESK_TOKEN_FILE", "1", TRUE);
  fill_sign_in (prefs, cdm_test_server_url (server), "counsellor", password);
  wait_for_label (status, "Synced", 30);
  g_assert_cmpint (cdm_sync_controller_get_pending (controller), ==, 0);
  on_server = server_record ("contact", contact_id);
  g_assert_nonnull (on_server);
  g_assert_cmpstr (json_object_get_string_member (on_server, "note"), ==, "typed while revoked");

  /* Signing out, confirmed: the desk works on its own, the token goes. */
  g_signal_emit_by_name (cdm_desk_test_get_named (GTK_WIDGET (prefs), "sign-out"), "clicked");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (cdm_desk_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG)),
                               "sign-out");
  wait_for_label (status, "Not synced", 10);
  {
    g_autofree char *token = cdm_sync_load_token (store_path, NULL);
    g_assert_null (token);
  }
  g_assert_true (gtk_widget_is_visible (cdm_desk_test_get_named (GTK_WIDGET (prefs), "server-url")));
  gtk_window_destroy (prefs);
  popover_screenshot (status, "sync-signed-out");
}

/* The store the desk starts with: one record of its own (so no demo
 * year), the address of a server that is not there, and a token. */
static void
prepare_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) store = cdm_store_open (store_path, &error);
  g_autoptr(JsonNode) local = json_from_string ("{\"type\": \"organisation\", \"id\": \"" LOCAL_ONLY "\", "
                                                "\"name\": {\"fr\": \"Partenaire local\"}, \"circle\": \"second\", "
                                                "\"kind\": \"training\"}", NULL);

  g_assert_no_error (error);
  cdm_store_set_queue_changes (store, FALSE);
  g_assert_true (cdm_store_put (store, CDM_ENTITY_ORGANISATION, json_node_get_object (local), NULL, NULL, &error));
  g_assert_no_error (error);
  /* Port 9 (discard) on loopback: nobody answers, at once. */
  g_assert_true (cdm_sync_store_set_state (store, CDM_SYNC_KEY_SERVER, "http://127.0.0.1:9/", &error));
  g_assert_no_error (error);
  g_assert_true (cdm_sync_save_token (store_path, "not-a-real-token", &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdmTestReply) created = NULL;
  g_autofree char *config_dir = NULL;
  int status;

  /* No keyring on the test's bus: the sign-in goes to a file, in a
   * folder of the test's own. */
  config_dir = g_dir_make_tmp ("cdm-desk-sync-config-XXXXXX", NULL);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_setenv ("CDM_DESK_TOKEN_FILE", "1", TRUE);

  cdm_desk_test_init (&argc, &argv);

  server = cdm_test_server_new (NULL);
  created = put_record ("counsellor", "organisation", PARTNER,
                        "{\"name\": {\"fr\": \"Maison de l’emploi\"}, \"circle\": \"first\", "
                        "\"kind\": \"public_employment\", \"phone\": \"02 111 11 11\"}");
  g_assert_cmpuint (created->status, ==, 200);

  /* Enough partners for the first load to take several pages. */
  {
    PGresult *result = PQexec (cdm_test_server_db (server),
      "INSERT INTO organisations (id, version, body, circle, kind) "
      "SELECT u, 1, jsonb_build_object ('type', 'organisation', 'id', u, 'version', 1, 'deleted', false, "
      "  'name', jsonb_build_object ('fr', 'Partenaire ' || n), 'circle', 'second', 'kind', 'training', "
      "  'active', true), 'second', 'training' "
      "FROM (SELECT gen_random_uuid () AS u, n FROM generate_series (1, 8000) AS n) AS g");

    if (PQresultStatus (result) != PGRES_COMMAND_OK)
      g_error ("Cannot add the partners: %s", PQresultErrorMessage (result));
    PQclear (result);
  }

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-sync-XXXXXX", &store_path);
  prepare_store ();
  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk-sync/offline", test_offline);
  g_test_add_func ("/desk-sync/sign-in-errors", test_sign_in_errors);
  g_test_add_func ("/desk-sync/sign-in", test_sign_in);
  g_test_add_func ("/desk-sync/local-change", test_local_change);
  g_test_add_func ("/desk-sync/conflict", test_conflict);
  g_test_add_func ("/desk-sync/parked", test_parked);
  g_test_add_func ("/desk-sync/sign-in-again", test_sign_in_again);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);
  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);
  cdm_test_server_free (server);
  {
    g_autofree char *token_dir = g_build_filename (config_dir, "cdm-desk", NULL);
    g_autoptr(GDir) dir = g_dir_open (token_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (token_dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (token_dir);
    g_rmdir (config_dir);
  }

  return status;
}
