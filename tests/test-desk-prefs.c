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
#include <string.h>

#include "cdm-application.h"
#include "cdm-activities-page.h"
#include "cdm-contact-dialog.h"
#include "cdm-desk-test-util.h"
#include "cdm-detail-window.h"
#include "cdm-preferences-window.h"
#include "cdm-store.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static gboolean
store_is_set (gpointer data)
{
  /* The Log a Contact action is enabled once the store is open. */
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "log-contact");
}

/* The window, once its store is open. */
static CdmWindow *
get_window (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);

  cdm_desk_test_wait_until (store_is_set, window, 30, "the store to open");
  return window;
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
  prefs = CDM_PREFERENCES_WINDOW (cdm_desk_test_find_toplevel (CDM_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  cdm_desk_test_wait_until (is_mapped, prefs, 10, "the preferences to show");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (prefs)) == GTK_WINDOW (window));

  /* The rows show the settings. */
  channel_row = ADW_COMBO_ROW (cdm_desk_test_get_named (GTK_WIDGET (prefs), "default-channel"));
  site_row = ADW_COMBO_ROW (cdm_desk_test_get_named (GTK_WIDGET (prefs), "site"));
  languages_row = ADW_COMBO_ROW (cdm_desk_test_get_named (GTK_WIDGET (prefs), "content-languages"));
  g_assert_cmpuint (adw_combo_row_get_selected (channel_row), ==, code_position (cdm_channels, "in_person"));
  g_assert_cmpuint (adw_combo_row_get_selected (site_row), ==, code_position (cdm_sites, "centre"));
  g_assert_cmpuint (adw_combo_row_get_selected (languages_row), ==, 0);

  /* A person picks e-mail, the Formtruck, Dutch first, and names the desk. */
  adw_combo_row_set_selected (channel_row, code_position (cdm_channels, "email"));
  adw_combo_row_set_selected (site_row, code_position (cdm_sites, "formtruck"));
  adw_combo_row_set_selected (languages_row, 3);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (prefs), "desk-name")), "Formtruck laptop");
  cdm_desk_test_settle (0.3);

  assert_setting (settings, "default-channel", "email");
  assert_setting (settings, "site", "formtruck");
  assert_setting (settings, "desk-name", "Formtruck laptop");
  languages = g_settings_get_strv (settings, "content-languages");
  g_assert_cmpstrv (languages, ((const char * const []) { "nl", "fr", "en", NULL }));

  cdm_desk_test_save_screenshot (GTK_WIDGET (prefs), "prefs-preferences");

  /* Escape closes it. */
  gtk_widget_activate_action (GTK_WIDGET (prefs), "window.close", NULL);
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &prefs, 10, "the preferences to close");

  /* The next contact form starts with them. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-contact", NULL);
  dialog = CDM_CONTACT_DIALOG (cdm_desk_test_find_toplevel (CDM_TYPE_CONTACT_DIALOG));
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  cdm_desk_test_settle (0.3);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (dialog), "channel-email"))));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (dialog), "channel-in_person"))));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (GTK_WIDGET (dialog), "site"))),
                    ==, code_position (cdm_sites, "formtruck"));

  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (dialog), "themes-work"));
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (dialog), "save"));
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &dialog, 10, "the dialog to close");

  contact = cdm_desk_test_last_contact (store_path);
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
  prefs = CDM_PREFERENCES_WINDOW (cdm_desk_test_find_toplevel (CDM_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  channel_row = ADW_COMBO_ROW (cdm_desk_test_get_named (GTK_WIDGET (prefs), "default-channel"));

  g_settings_set_string (settings, "default-channel", "chat");
  g_assert_cmpuint (adw_combo_row_get_selected (channel_row), ==, code_position (cdm_channels, "chat"));

  /* A language list no row offers shows the order of its first language. */
  g_settings_set_strv (settings, "content-languages", (const char * const []) { "en", NULL });
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (GTK_WIDGET (prefs), "content-languages"))),
                    ==, 5);

  gtk_window_close (GTK_WINDOW (prefs));
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &prefs, 10, "the preferences to close");
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
  shortcuts = cdm_desk_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (shortcuts);
  cdm_desk_test_wait_until (is_mapped, shortcuts, 10, "the shortcuts window to show");
  cdm_desk_test_settle (0.3);
  cdm_desk_test_save_screenshot (GTK_WIDGET (shortcuts), "prefs-shortcuts");

  /* The shortcuts window is kept by the main window; it only hides. */
  gtk_widget_set_visible (GTK_WIDGET (shortcuts), FALSE);
}

static gboolean
total_is_shown (gpointer data)
{
  const char *text = gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (data, "today-total")));

  return strpbrk (text, "0123456789") != NULL;
}

/* The desk follows a dark style: libadwaita's colours, nothing
 * hard-coded light. */
static void
test_dark_style (void)
{
  CdmWindow *window = get_window ();
  AdwStyleManager *style = adw_style_manager_get_default ();

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("today"));

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  cdm_desk_test_settle (0.3);
  g_assert_true (adw_style_manager_get_dark (style));

  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "prefs-today-dark-1366x768");
  cdm_desk_test_resize (GTK_WIDGET (window), 800, 600);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "prefs-today-dark-800x600");

  /* The preferences fit the small screen, in the dark style too. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  {
    GtkWindow *prefs = cdm_desk_test_find_toplevel (CDM_TYPE_PREFERENCES_WINDOW);

    g_assert_nonnull (prefs);
    cdm_desk_test_wait_until (is_mapped, prefs, 10, "the preferences to show");
    cdm_desk_test_settle (0.3);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (prefs)), <=, 800);
    g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (prefs)), <=, 600);
    cdm_desk_test_save_screenshot (GTK_WIDGET (prefs), "prefs-preferences-dark");
    gtk_window_destroy (prefs);
  }

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  cdm_desk_test_settle (0.2);
}

/* A partner and an activity of today named differently in each language,
 * as test_content_order() reads them. */
static void
put_multilingual (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) partner = json_object_new ();
  g_autoptr(JsonObject) activity = json_object_new ();
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) later = NULL;
  g_autofree char *starts_at = NULL;
  JsonObject *name = json_object_new ();
  JsonObject *title = json_object_new ();

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);

  json_object_set_string_member (name, "fr", "Maison polyglotte");
  json_object_set_string_member (name, "nl", "Veeltalig huis");
  json_object_set_string_member (name, "en", "Polyglot house");
  json_object_set_object_member (partner, "name", name);
  json_object_set_string_member (partner, "circle", "second");
  json_object_set_string_member (partner, "kind", "association");
  cdm_store_put (store, CDM_ENTITY_ORGANISATION, partner, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Later today, or in the first minutes of tomorrow near midnight:
   * either way on Today's list of next activities. */
  zone = cdm_store_get_time_zone (store);
  now = g_date_time_new_now (zone);
  later = g_date_time_add_minutes (now, 30);
  starts_at = g_date_time_format (later, "%Y-%m-%dT%H:%M:%S%:z");
  json_object_set_string_member (title, "fr", "Atelier polyglotte");
  json_object_set_string_member (title, "nl", "Veeltalige workshop");
  json_object_set_string_member (title, "en", "Polyglot workshop");
  json_object_set_object_member (activity, "title", title);
  json_object_set_string_member (activity, "starts_at", starts_at);
  json_object_set_int_member (activity, "duration_min", 60);
  json_object_set_string_member (activity, "mode", "on_site");
  json_object_set_string_member (activity, "status", "planned");
  cdm_store_put (store, CDM_ENTITY_ACTIVITY, activity, NULL, NULL, &error);
  g_assert_no_error (error);
}

typedef struct {
  GtkWidget *root;
  const char *text;
} LabelWait;

static gboolean
label_is_shown (gpointer data)
{
  LabelWait *wait = data;

  return cdm_desk_test_shows_label (wait->root, wait->text);
}

/* Whether an AdwPreferencesRow under @root has the title @text. */
static gboolean
row_title_is_shown (gpointer data)
{
  LabelWait *wait = data;
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, wait->root);
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

      if (ADW_IS_PREFERENCES_ROW (w) && gtk_widget_get_visible (w) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)), wait->text) == 0)
        return TRUE;
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (stack, c);
    }
  return FALSE;
}

/* The content language order of Preferences applies to partners' names
 * and activities' titles in lists and details, at once. */
static void
test_content_order (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  CdmWindow *window = get_window ();
  CdmPreferencesWindow *prefs;
  CdmDetailWindow *detail;
  GtkWidget *page, *results, *today, *activities;
  AdwComboRow *languages_row;
  LabelWait wait;

  /* The desk runs in English (C locale): with no order chosen, English
   * first. */
  g_settings_reset (settings, "content-languages");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("today"));
  /* The Today page: what scrolls around its figures. */
  today = gtk_widget_get_ancestor (cdm_desk_test_get_named (GTK_WIDGET (window), "today-total"),
                                   GTK_TYPE_SCROLLED_WINDOW);
  wait = (LabelWait) { today, "Polyglot workshop" };
  cdm_desk_test_wait_until (row_title_is_shown, &wait, 20, "the English title on Today");

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("partners"));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), "partners");
  results = cdm_desk_test_get_named (page, "results");
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (page, "search-entry")), "polyglotte");
  wait = (LabelWait) { results, "Polyglot house" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the English name in the list");

  gtk_widget_activate_action (results, "list.activate-item", "u", 0);
  detail = (CdmDetailWindow *) cdm_desk_test_find_toplevel (CDM_TYPE_DETAIL_WINDOW);
  g_assert_nonnull (detail);
  g_object_add_weak_pointer (G_OBJECT (detail), (gpointer *) &detail);
  wait = (LabelWait) { cdm_desk_test_get_named (GTK_WIDGET (detail), "detail-heading"), "Polyglot house" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the English name in the detail");

  /* Dutch first, chosen in Preferences: the open detail, the list and
   * Today follow without a restart. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = CDM_PREFERENCES_WINDOW (cdm_desk_test_find_toplevel (CDM_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (prefs);
  g_object_add_weak_pointer (G_OBJECT (prefs), (gpointer *) &prefs);
  languages_row = ADW_COMBO_ROW (cdm_desk_test_get_named (GTK_WIDGET (prefs), "content-languages"));
  g_assert_cmpuint (adw_combo_row_get_selected (languages_row), ==, 0);
  adw_combo_row_set_selected (languages_row, 3);
  {
    g_auto(GStrv) languages = g_settings_get_strv (settings, "content-languages");

    g_assert_cmpstrv (languages, ((const char * const []) { "nl", "fr", "en", NULL }));
  }
  gtk_window_close (GTK_WINDOW (prefs));
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &prefs, 10, "the preferences to close");

  wait = (LabelWait) { cdm_desk_test_get_named (GTK_WIDGET (detail), "detail-heading"), "Veeltalig huis" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the Dutch name in the open detail");
  cdm_desk_test_settle (0.3);
  cdm_desk_test_save_screenshot (GTK_WIDGET (detail), "prefs-detail-dutch-first");
  gtk_window_close (GTK_WINDOW (detail));
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &detail, 10, "the detail to close");

  wait = (LabelWait) { results, "Veeltalig huis" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the Dutch name in the list");
  g_assert_false (cdm_desk_test_shows_label (results, "Polyglot house"));

  wait = (LabelWait) { today, "Veeltalige workshop" };
  cdm_desk_test_wait_until (row_title_is_shown, &wait, 20, "the Dutch title on Today");

  activities = cdm_desk_test_get_named (GTK_WIDGET (window), "activities");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("activities"));
  cdm_activities_page_show_week (CDM_ACTIVITIES_PAGE (activities), NULL);
  wait = (LabelWait) { activities, "Veeltalige workshop" };
  cdm_desk_test_wait_until (row_title_is_shown, &wait, 20, "the Dutch title in the week");

  /* French first: the week follows too. */
  g_settings_set_strv (settings, "content-languages", (const char * const []) { "fr", "en", "nl", NULL });
  wait = (LabelWait) { activities, "Atelier polyglotte" };
  cdm_desk_test_wait_until (row_title_is_shown, &wait, 20, "the French title in the week");

  g_settings_reset (settings, "content-languages");
  wait = (LabelWait) { activities, "Polyglot workshop" };
  cdm_desk_test_wait_until (row_title_is_shown, &wait, 20, "the English title again");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("today"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  cdm_desk_test_init (&argc, &argv);

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-prefs-XXXXXX", &store_path);

  cdm_desk_test_fill_demo (store_path);
  put_multilingual ();

  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk-prefs/defaults", test_preferences_set_the_defaults);
  g_test_add_func ("/desk-prefs/follow-settings", test_preferences_follow_the_settings);
  g_test_add_func ("/desk-prefs/shortcuts", test_shortcuts_window);
  g_test_add_func ("/desk-prefs/dark", test_dark_style);
  g_test_add_func ("/desk-prefs/content-order", test_content_order);

  status = g_test_run ();

  /* Close the windows so their workers finish before the files go. */
  cdm_desk_test_close_application (&app);

  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
