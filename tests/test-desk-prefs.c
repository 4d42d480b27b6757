/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-prefs.c: the desk's preferences, shortcuts and dark style, in
 * real windows.
 *
 * Runs under Xvfb (see tests/meson.build) with the memory GSettings
 * backend and the schema compiled in the build folder.  One application
 * per process on a demo year in a fresh temporary folder.  Screenshots go
 * to screenshots/ in the build directory, named prefs-*.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-contact-dialog.h"
#include "cdm-demo.h"
#include "cdm-preferences-window.h"
#include "cdm-store.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

/* Iterates the main loop until @done says so, or fails after @seconds. */
static void
wait_until (gboolean  (*done) (gpointer data),
            gpointer    data,
            double      seconds,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
settle (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
get_named (GtkWidget  *root,
           const char *name)
{
  GtkWidget *widget = find_named (root, name);

  if (widget == NULL)
    g_error ("No widget named %s", name);
  return widget;
}

/* The shown toplevel of @type, or NULL. */
static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

/* Renders @widget as it is drawn now into dir/name.png. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  g_mkdir_with_parents (dir, 0755);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot %s (%d×%d)", path, width, height);
}

typedef struct {
  GtkWidget *widget;
  int width, height;
} SizeWait;

static gboolean
has_size (gpointer data)
{
  SizeWait *wait = data;

  return gtk_widget_get_width (wait->widget) == wait->width &&
         gtk_widget_get_height (wait->widget) == wait->height;
}

/* Gives the window's content exactly @width × @height (see test-desk.c). */
static void
resize (GtkWidget *window,
        int        width,
        int        height)
{
  SizeWait wait = { window, width, height };
  int request_width = width, request_height = height;

  for (int attempt = 0; attempt < 3 && !has_size (&wait); attempt++)
    {
      gtk_widget_set_visible (window, FALSE);
      gtk_window_set_default_size (GTK_WINDOW (window), request_width, request_height);
      gtk_window_present (GTK_WINDOW (window));
      settle (0.5);
      request_width += width - gtk_widget_get_width (window);
      request_height += height - gtk_widget_get_height (window);
    }
  wait_until (has_size, &wait, 10, "the window to take its size");
  settle (0.3);
}

static gboolean
store_is_set (gpointer data)
{
  /* The Log a Contact action is enabled once the store is open. */
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "log-contact");
}

static CdmWindow *
get_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (CDM_IS_WINDOW (window));
  wait_until (store_is_set, window, 30, "the store to open");
  return CDM_WINDOW (window);
}

static gboolean
keep_last (JsonObject *record,
           gpointer    user_data)
{
  JsonObject **last = user_data;

  g_clear_pointer (last, json_object_unref);
  *last = json_object_ref (record);
  return TRUE;
}

/* The contact written last. */
static JsonObject *
last_contact (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *last = NULL;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  cdm_store_foreach (store, CDM_ENTITY_CONTACT, FALSE, keep_last, &last, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (last);
  return last;
}

static void
assert_accel (const char *action,
              const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  g_assert_true (g_strv_contains ((const char * const *) accels, accel));
}

static void
assert_setting (GSettings  *settings,
                const char *key,
                const char *expected)
{
  g_autofree char *value = g_settings_get_string (settings, key);

  g_assert_cmpstr (value, ==, expected);
}

static guint
code_position (const char * const *codes,
               const char         *code)
{
  int index = cdm_code_index (codes, code);

  g_assert_cmpint (index, >=, 0);
  return (guint) index;
}

/* Preferences opened with their action, changed through their rows: the
 * next contact form starts with the new site and channel, and the contact
 * saved carries the desk's name. */
static void
test_preferences_set_the_defaults (void)
{
  CdmWindow *window = get_window ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(JsonObject) contact = NULL;
  CdmPreferencesWindow *prefs;
  CdmContactDialog *dialog;
  AdwComboRow *channel_row, *site_row, *languages_row;
  g_auto(GStrv) languages = NULL;

  assert_accel ("app.preferences", "<Control>comma");
  assert_accel ("app.help", "F1");

  /* The defaults before anything is changed. */
  assert_setting (settings, "default-channel", "in_person");

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = CDM_PREFERENCES_WINDOW (find_toplevel (CDM_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  wait_until (is_mapped, prefs, 10, "the preferences to show");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (prefs)) == GTK_WINDOW (window));

  /* The rows show the settings. */
  channel_row = ADW_COMBO_ROW (get_named (GTK_WIDGET (prefs), "default-channel"));
  site_row = ADW_COMBO_ROW (get_named (GTK_WIDGET (prefs), "site"));
  languages_row = ADW_COMBO_ROW (get_named (GTK_WIDGET (prefs), "content-languages"));
  g_assert_cmpuint (adw_combo_row_get_selected (channel_row), ==, code_position (cdm_channels, "in_person"));
  g_assert_cmpuint (adw_combo_row_get_selected (site_row), ==, code_position (cdm_sites, "centre"));
  g_assert_cmpuint (adw_combo_row_get_selected (languages_row), ==, 0);

  /* A person picks e-mail, the Formtruck, Dutch first, and names the desk. */
  adw_combo_row_set_selected (channel_row, code_position (cdm_channels, "email"));
  adw_combo_row_set_selected (site_row, code_position (cdm_sites, "formtruck"));
  adw_combo_row_set_selected (languages_row, 2);
  gtk_editable_set_text (GTK_EDITABLE (get_named (GTK_WIDGET (prefs), "desk-name")), "Formtruck laptop");
  settle (0.3);

  assert_setting (settings, "default-channel", "email");
  assert_setting (settings, "site", "formtruck");
  assert_setting (settings, "desk-name", "Formtruck laptop");
  languages = g_settings_get_strv (settings, "content-languages");
  g_assert_cmpstrv (languages, ((const char * const []) { "nl", "fr", "en", NULL }));

  save_screenshot (GTK_WIDGET (prefs), "prefs-preferences");

  /* Escape closes it. */
  gtk_widget_activate_action (GTK_WIDGET (prefs), "window.close", NULL);
  wait_until (pointer_cleared, &prefs, 10, "the preferences to close");

  /* The next contact form starts with them. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-contact", NULL);
  dialog = CDM_CONTACT_DIALOG (find_toplevel (CDM_TYPE_CONTACT_DIALOG));
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  settle (0.3);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (get_named (GTK_WIDGET (dialog), "channel-email"))));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (get_named (GTK_WIDGET (dialog), "channel-in_person"))));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (get_named (GTK_WIDGET (dialog), "site"))),
                    ==, code_position (cdm_sites, "formtruck"));

  gtk_widget_activate (get_named (GTK_WIDGET (dialog), "themes-work"));
  gtk_widget_activate (get_named (GTK_WIDGET (dialog), "save"));
  wait_until (pointer_cleared, &dialog, 10, "the dialog to close");

  contact = last_contact ();
  g_assert_cmpstr (json_object_get_string_member (contact, "channel"), ==, "email");
  g_assert_cmpstr (json_object_get_string_member (contact, "site"), ==, "formtruck");
  g_assert_cmpstr (json_object_get_string_member (contact, "desk"), ==, "Formtruck laptop");

  g_settings_reset (settings, "default-channel");
  g_settings_reset (settings, "site");
  g_settings_reset (settings, "content-languages");
  g_settings_reset (settings, "desk-name");
}

/* A preference set elsewhere (another window, dconf) shows in an open
 * preferences window at once. */
static void
test_preferences_follow_the_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  CdmPreferencesWindow *prefs;
  AdwComboRow *channel_row;

  get_window ();
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = CDM_PREFERENCES_WINDOW (find_toplevel (CDM_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  channel_row = ADW_COMBO_ROW (get_named (GTK_WIDGET (prefs), "default-channel"));

  g_settings_set_string (settings, "default-channel", "chat");
  g_assert_cmpuint (adw_combo_row_get_selected (channel_row), ==, code_position (cdm_channels, "chat"));

  /* A language list no row offers shows the order of its first language. */
  g_settings_set_strv (settings, "content-languages", (const char * const []) { "en", NULL });
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (get_named (GTK_WIDGET (prefs), "content-languages"))),
                    ==, 4);

  gtk_window_close (GTK_WINDOW (prefs));
  wait_until (pointer_cleared, &prefs, 10, "the preferences to close");
  g_settings_reset (settings, "default-channel");
  g_settings_reset (settings, "content-languages");
}

static void
test_shortcuts_window (void)
{
  CdmWindow *window = get_window ();
  GtkWindow *shortcuts;

  assert_accel ("win.show-help-overlay", "<Control>question");

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (shortcuts);
  wait_until (is_mapped, shortcuts, 10, "the shortcuts window to show");
  settle (0.3);
  save_screenshot (GTK_WIDGET (shortcuts), "prefs-shortcuts");

  /* The shortcuts window is kept by the main window; it only hides. */
  gtk_widget_set_visible (GTK_WIDGET (shortcuts), FALSE);
}

static gboolean
total_is_shown (gpointer data)
{
  const char *text = gtk_label_get_text (GTK_LABEL (get_named (data, "today-total")));

  return strpbrk (text, "0123456789") != NULL;
}

/* The desk follows a dark style: libadwaita's colours, nothing
 * hard-coded light. */
static void
test_dark_style (void)
{
  CdmWindow *window = get_window ();
  AdwStyleManager *style = adw_style_manager_get_default ();

  wait_until (total_is_shown, window, 30, "the Today figures");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("today"));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  settle (0.3);
  g_assert_true (adw_style_manager_get_dark (style));

  resize (GTK_WIDGET (window), 1366, 768);
  save_screenshot (GTK_WIDGET (window), "prefs-today-dark-1366x768");
  resize (GTK_WIDGET (window), 800, 600);
  save_screenshot (GTK_WIDGET (window), "prefs-today-dark-800x600");

  /* The preferences fit the small screen, in the dark style too. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  {
    GtkWindow *prefs = find_toplevel (CDM_TYPE_PREFERENCES_WINDOW);

    g_assert_nonnull (prefs);
    wait_until (is_mapped, prefs, 10, "the preferences to show");
    settle (0.3);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (prefs)), <=, 800);
    g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (prefs)), <=, 600);
    save_screenshot (GTK_WIDGET (prefs), "prefs-preferences-dark");
    gtk_window_destroy (prefs);
  }

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  settle (0.2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  store_dir = g_dir_make_tmp ("cdm-desk-prefs-XXXXXX", &error);
  g_assert_no_error (error);
  store_path = g_build_filename (store_dir, "desk.sqlite", NULL);
  g_setenv ("CDM_DESK_STORE", store_path, TRUE);

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  now = g_date_time_new_now_local ();
  cdm_demo_fill (store, g_date_time_get_year (now), NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  app = g_object_new (CDM_TYPE_APPLICATION,
                      "application-id", "brussels.cdm_bp.Desk.Test",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/brussels/cdm_bp/Desk",
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/desk-prefs/defaults", test_preferences_set_the_defaults);
  g_test_add_func ("/desk-prefs/follow-settings", test_preferences_follow_the_settings);
  g_test_add_func ("/desk-prefs/shortcuts", test_shortcuts_window);
  g_test_add_func ("/desk-prefs/dark", test_dark_style);

  status = g_test_run ();

  /* Close the windows so their workers finish before the files go. */
  {
    GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

    while (windows != NULL)
      {
        gtk_window_destroy (windows->data);
        windows = gtk_application_get_windows (GTK_APPLICATION (app));
      }
  }
  settle (0.2);
  g_clear_object (&app);

  {
    g_autoptr(GDir) dir = g_dir_open (store_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (store_dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (store_dir);
  }
  g_free (store_path);
  g_free (store_dir);

  return status;
}
