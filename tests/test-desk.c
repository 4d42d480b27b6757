/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk.c: the desk in a real window, driven the way a person does.
 *
 * Runs under Xvfb (see tests/meson.build).  One application per process,
 * so the tests share one store: a demo year in a fresh temporary folder;
 * each test asserts what changed.  Screenshots of the pages at 1366×768
 * and 800×600 go to screenshots/ in the build directory.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-contact-dialog.h"
#include "cdm-demo.h"
#include "cdm-store.h"
#include "cdm-window.h"
#include "cdm-desk-test-util.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

static CdmWindow *
get_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (CDM_IS_WINDOW (window));
  return CDM_WINDOW (window);
}

static gboolean
total_is_shown (gpointer data)
{
  return cdm_desk_test_label_count (cdm_desk_test_get_named (data, "today-total")) >= 0;
}

typedef struct {
  GtkWidget *label;
  gint64 value;
} CountWait;

static gboolean
count_is (gpointer data)
{
  CountWait *wait = data;

  return cdm_desk_test_label_count (wait->label) == wait->value;
}

static gint64
count_contacts (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  count = cdm_store_count (store, CDM_ENTITY_CONTACT, &error);
  g_assert_no_error (error);
  return count;
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

static CdmContactDialog *
find_contact_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CDM_IS_CONTACT_DIALOG (window))
        return CDM_CONTACT_DIALOG (window);
    }
  return NULL;
}

static void
test_today_shows_the_year (void)
{
  CdmWindow *window = get_window ();
  GtkWidget *state;

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");

  g_assert_cmpint (cdm_desk_test_label_count (cdm_desk_test_get_named (GTK_WIDGET (window), "today-total")), >, 0);
  state = cdm_desk_test_get_named (GTK_WIDGET (window), "desk-state");
  g_assert_true (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (state)),
                                   "Local only — "));
  g_assert_true (gtk_widget_get_visible (cdm_desk_test_get_named (GTK_WIDGET (window), "log-contact")));

  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "today-1366x768");
  cdm_desk_test_resize (GTK_WIDGET (window), 800, 600);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "today-800x600");
}

static void
test_log_contact (void)
{
  CdmWindow *window = get_window ();
  GtkWidget *total_label;
  g_autoptr(JsonObject) contact = NULL;
  CdmContactDialog *dialog;
  JsonArray *themes;
  CountWait wait;
  gint64 contacts_before, total_before;

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  total_label = cdm_desk_test_get_named (GTK_WIDGET (window), "today-total");
  total_before = cdm_desk_test_label_count (total_label);
  contacts_before = count_contacts ();

  /* Ctrl+N: the same action as the button. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-contact", NULL);
  dialog = find_contact_dialog ();
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  cdm_desk_test_settle (0.3);
  cdm_desk_test_save_screenshot (GTK_WIDGET (dialog), "log-contact");

  /* In person and individual advice are chosen already. */
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (dialog), "channel-in_person"))));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (dialog), "service-individual_advice"))));

  /* One click on a theme, one on Save. */
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (dialog), "themes-work"));
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (dialog), "save"));
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &dialog, 10, "the dialog to close");

  wait = (CountWait) { total_label, total_before + 1 };
  cdm_desk_test_wait_until (count_is, &wait, 30, "the Today total to go up by one");

  g_assert_cmpint (count_contacts (), ==, contacts_before + 1);
  contact = last_contact ();
  g_assert_cmpstr (json_object_get_string_member (contact, "channel"), ==, "in_person");
  g_assert_cmpstr (json_object_get_string_member (contact, "service"), ==, "individual_advice");
  g_assert_cmpstr (json_object_get_string_member (contact, "site"), ==, "centre");
  themes = json_object_get_array_member (contact, "themes");
  g_assert_cmpuint (json_array_get_length (themes), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (themes, 0), ==, "work");
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

static void
search (CdmWindow  *window,
        const char *section,
        const char *query,
        const char *expected)
{
  g_autofree char *shot = NULL;
  GtkWidget *page;
  LabelWait wait;

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string (section));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), section);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (page, "search-entry")), query);

  wait = (LabelWait) { cdm_desk_test_get_named (page, "results"), expected };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, expected);

  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  shot = g_strconcat (section, "-1366x768", NULL);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), shot);
  cdm_desk_test_resize (GTK_WIDGET (window), 800, 600);
  g_free (shot);
  shot = g_strconcat (section, "-800x600", NULL);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), shot);
}

static void
test_search_partners (void)
{
  CdmWindow *window = get_window ();

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  search (window, "partners", "Actiris", "Actiris");
}

static void
test_search_library (void)
{
  CdmWindow *window = get_window ();

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  /* Diacritics folded: "metier" finds "métier". */
  search (window, "library", "metier", "étier");
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

  store_dir = g_dir_make_tmp ("cdm-desk-XXXXXX", &error);
  g_assert_no_error (error);
  store_path = g_build_filename (store_dir, "desk.sqlite", NULL);
  g_setenv ("CDM_DESK_STORE", store_path, TRUE);

  /* The demo year the app would make on its first start, made here so
   * that the tests know it is there. */
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

  g_test_add_func ("/desk/today", test_today_shows_the_year);
  g_test_add_func ("/desk/log-contact", test_log_contact);
  g_test_add_func ("/desk/search-partners", test_search_partners);
  g_test_add_func ("/desk/search-library", test_search_library);

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
  cdm_desk_test_settle (0.2);
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
