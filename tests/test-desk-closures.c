/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-closures.c: the closures editor in a real window.
 *
 * Runs under Xvfb (see tests/meson.build) on a demo store in a fresh
 * temporary folder.  A closure whose last day is before its first, or
 * without a reason, is refused with a message beside the form and nothing
 * is written; a good one is listed; editing changes it in place; a
 * deleted one goes, and Undo brings it back.  Ctrl+Enter saves, as in
 * the other editors, and Ctrl+S still does.  Screenshots of the list and
 * of the refused form go to screenshots/.
 */

#include "config.h"

#include <adwaita.h>

#include "cdm-application.h"
#include "cdm-closures.h"
#include "cdm-closures-dialog.h"
#include "cdm-desk-test-util.h"
#include "cdm-store.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

static gboolean
store_is_open (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "log-contact");
}

static gint64
stored_closures (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  count = cdm_store_count (store, CDM_ENTITY_CLOSURE, &error);
  g_assert_no_error (error);
  return count;
}

/* The closure of the store that starts on @from, or NULL. */
static JsonObject *
stored_closure (const char *from)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) closures = NULL;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  closures = cdm_closures_list (store, from, from, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < closures->len; i++)
    {
      JsonObject *closure = g_ptr_array_index (closures, i);

      if (g_strcmp0 (json_object_get_string_member (closure, "from"), from) == 0)
        return json_object_ref (closure);
    }
  return NULL;
}

static gboolean
closures_read (gpointer data)
{
  return cdm_closures_dialog_get_n_closures (data) >= 0;
}

typedef struct {
  CdmClosuresDialog *dialog;
  int n;
} CountWait;

static gboolean
closures_counted (gpointer data)
{
  CountWait *wait = data;

  return cdm_closures_dialog_get_n_closures (wait->dialog) == wait->n;
}

static CdmClosuresDialog *
open_dialog (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  CdmClosuresDialog *dialog;

  cdm_desk_test_wait_until (store_is_open, window, 30, "the desk to open its store");
  /* The dialog works on a store of its own, as the page's would. */
  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  dialog = cdm_closures_dialog_new (GTK_WINDOW (window), store);
  gtk_window_present (GTK_WINDOW (dialog));
  cdm_desk_test_wait_until (closures_read, dialog, 30, "the closures");
  return dialog;
}

/* Whether a visible label under @root has a text. */
static gboolean
has_label_inside (GtkWidget *root)
{
  if (!gtk_widget_get_visible (root))
    return FALSE;
  if (GTK_IS_LABEL (root) && gtk_label_get_text (GTK_LABEL (root))[0] != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (has_label_inside (child))
      return TRUE;
  return FALSE;
}

/* Every control a screen reader reaches under @root has a name: a label,
 * a tooltip, an accessible label or its row's title (the rule of
 * test-desk-a11y.c, for the windows that test does not open). */
static void
assert_controls_named (GtkWidget *root)
{
  GtkWidget *row;

  /* Window controls and toasts are named by GTK and libadwaita. */
  if (!gtk_widget_get_mapped (root) || GTK_IS_WINDOW_CONTROLS (root) ||
      g_str_equal (G_OBJECT_TYPE_NAME (root), "AdwToastWidget"))
    return;
  if (GTK_IS_BUTTON (root) || GTK_IS_DROP_DOWN (root) || ADW_IS_COMBO_ROW (root) || ADW_IS_ENTRY_ROW (root))
    {
      const char *tooltip = gtk_widget_get_tooltip_text (root);

      row = ADW_IS_PREFERENCES_ROW (root) ? root : NULL;
      if (!(gtk_test_accessible_has_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
            (tooltip != NULL && tooltip[0] != '\0') ||
            (GTK_IS_BUTTON (root) && has_label_inside (root)) ||
            (row != NULL && adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row))[0] != '\0')))
        g_error ("%s \"%s\" in %s has no accessible name", G_OBJECT_TYPE_NAME (root), gtk_widget_get_name (root),
                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (root)));
      if (!GTK_IS_BUTTON (root))
        return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    assert_controls_named (child);
}

static void
fill_form (CdmClosuresDialog *dialog,
           const char        *from,
           const char        *to,
           guint              scope,
           const char        *reason)
{
  GtkWidget *root = GTK_WIDGET (dialog);

  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (root, "closure-from")), from);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (root, "closure-to")), to);
  adw_combo_row_set_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (root, "closure-scope")), scope);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (root, "closure-reason")), reason);
}

static void
save (CdmClosuresDialog *dialog)
{
  gtk_widget_activate_action (GTK_WIDGET (dialog), "closures.save", NULL);
  cdm_desk_test_settle (0.3);
}

/* What pressing @accel in @widget does: the shortcut bound to it among
 * the widget's own (gtk_widget_class_add_binding_action() and shortcut
 * controllers) is activated.  The machine has no XTest to send real key
 * events; the key reaches the dialog from the fields, which leave
 * Ctrl+Enter alone.  FALSE when nothing is bound to @accel. */
static gboolean
press_shortcut (GtkWidget  *widget,
                const char *accel)
{
  g_autoptr(GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accel);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean found = FALSE;

  g_assert_nonnull (wanted);
  for (guint i = 0; !found && i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; !found && j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (!gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted))
            continue;
          found = TRUE;
          gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                        widget, gtk_shortcut_get_arguments (shortcut));
        }
    }
  cdm_desk_test_settle (0.3);
  return found;
}

static void
test_bad_input (void)
{
  CdmClosuresDialog *dialog = open_dialog ();
  GtkWidget *root = GTK_WIDGET (dialog);
  GtkWidget *error_label = cdm_desk_test_get_named (root, "closure-error");
  gint64 before = stored_closures ();
  int listed = cdm_closures_dialog_get_n_closures (dialog);

  g_assert_cmpint (listed, ==, before);
  cdm_closures_dialog_add (dialog);

  /* The last day before the first. */
  fill_form (dialog, "2026-05-10", "2026-05-01", 0, "Works");
  save (dialog);
  g_assert_true (gtk_widget_get_mapped (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "The last day is before the first day.");
  g_assert_true (gtk_widget_has_css_class (cdm_desk_test_get_named (root, "closure-to"), "error"));
  g_assert_false (gtk_widget_has_css_class (cdm_desk_test_get_named (root, "closure-from"), "error"));
  cdm_desk_test_resize (root, 800, 600);
  cdm_desk_test_save_screenshot (root, "closures-error-800x600");
  assert_controls_named (root);

  /* No reason. */
  fill_form (dialog, "2026-05-01", "2026-05-10", 0, "   ");
  save (dialog);
  g_assert_true (gtk_widget_get_mapped (error_label));
  g_assert_true (gtk_widget_has_css_class (cdm_desk_test_get_named (root, "closure-reason"), "error"));
  g_assert_false (gtk_widget_has_css_class (cdm_desk_test_get_named (root, "closure-to"), "error"));

  /* Not a date. */
  fill_form (dialog, "1 May", "2026-05-10", 0, "Works");
  save (dialog);
  g_assert_true (gtk_widget_has_css_class (cdm_desk_test_get_named (root, "closure-from"), "error"));

  /* Nothing was written, and the form is still open. */
  g_assert_cmpint (stored_closures (), ==, before);
  g_assert_cmpint (cdm_closures_dialog_get_n_closures (dialog), ==, listed);
  g_assert_true (gtk_widget_get_mapped (cdm_desk_test_get_named (root, "closure-save")));

  /* Escape leaves the form without saving. */
  gtk_widget_activate_action (root, "closures.cancel", NULL);
  cdm_desk_test_settle (0.3);
  g_assert_false (gtk_widget_get_mapped (cdm_desk_test_get_named (root, "closure-save")));
  g_assert_cmpint (stored_closures (), ==, before);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static GtkWidget *
delete_button_of (GtkWidget  *root,
                  const char *period)
{
  GtkWidget *list = cdm_desk_test_get_named (root, "closures-list");

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), period) == 0)
      return cdm_desk_test_get_named (row, "closure-delete");
  return NULL;
}

static void
test_add_edit_delete (void)
{
  CdmClosuresDialog *dialog = open_dialog ();
  GtkWidget *root = GTK_WIDGET (dialog);
  g_autofree char *period = cdm_closures_dialog_format_period ("2026-05-01", "2026-05-10");
  g_autoptr(JsonObject) stored = NULL;
  g_autoptr(JsonObject) edited = NULL;
  gint64 before = stored_closures ();
  CountWait wait = { dialog, cdm_closures_dialog_get_n_closures (dialog) + 1 };
  GtkWidget *list = cdm_desk_test_get_named (root, "closures-list");
  GtkWidget *delete;

  cdm_closures_dialog_add (dialog);
  /* Scope 2 is "advice" (cdm_closure_scopes order). */
  /* Days as people write them here are understood. */
  fill_form (dialog, "1/5/2026", "10.05.2026", 2, "Training day");
  save (dialog);
  cdm_desk_test_wait_until (closures_counted, &wait, 30, "the new closure in the list");
  g_assert_cmpint (stored_closures (), ==, before + 1);
  stored = stored_closure ("2026-05-01");
  g_assert_nonnull (stored);
  g_assert_cmpstr (json_object_get_string_member (stored, "to"), ==, "2026-05-10");
  g_assert_cmpstr (json_object_get_string_member (stored, "scope"), ==, "advice");
  g_assert_cmpstr (json_object_get_string_member (stored, "reason"), ==, "Training day");
  g_assert_true (cdm_desk_test_shows_label (list, period));
  assert_controls_named (root);

  cdm_desk_test_resize (root, 800, 600);
  cdm_desk_test_save_screenshot (root, "closures-800x600");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  cdm_desk_test_settle (0.3);
  cdm_desk_test_save_screenshot (root, "closures-dark-800x600");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* Editing: the row opens the form with its values; saving changes the
   * same record. */
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), period) == 0)
      g_signal_emit_by_name (list, "row-activated", row);
  cdm_desk_test_settle (0.3);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cdm_desk_test_get_named (root, "closure-reason"))), ==,
                   "Training day");
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (root, "closure-reason")), "Team training day");
  save (dialog);
  cdm_desk_test_wait_until (closures_counted, &wait, 30, "the list after the edit");
  cdm_desk_test_settle (0.5);
  g_assert_cmpint (stored_closures (), ==, before + 1);
  edited = stored_closure ("2026-05-01");
  g_assert_cmpstr (json_object_get_string_member (edited, "id"), ==, json_object_get_string_member (stored, "id"));
  g_assert_cmpstr (json_object_get_string_member (edited, "reason"), ==, "Team training day");

  /* Deleting, then Undo. */
  delete = delete_button_of (root, period);
  g_assert_nonnull (delete);
  g_signal_emit_by_name (delete, "clicked");
  wait.n--;
  cdm_desk_test_wait_until (closures_counted, &wait, 30, "the closure to go");
  g_assert_cmpint (stored_closures (), ==, before);
  g_assert_null (delete_button_of (root, period));

  {
    GtkWidget *undo = cdm_desk_test_find_button (root, "_Undo");

    g_assert_nonnull (undo);
    g_signal_emit_by_name (undo, "clicked");
  }
  wait.n++;
  cdm_desk_test_wait_until (closures_counted, &wait, 30, "the closure to come back");
  g_assert_cmpint (stored_closures (), ==, before + 1);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Ctrl+Enter (either Enter key) saves the form like Save does; Ctrl+S
 * still does; in the list, they do nothing. */
static void
test_keyboard (void)
{
  CdmClosuresDialog *dialog = open_dialog ();
  GtkWidget *root = GTK_WIDGET (dialog);
  GtkWidget *error_label = cdm_desk_test_get_named (root, "closure-error");
  gint64 before = stored_closures ();
  CountWait wait = { dialog, cdm_closures_dialog_get_n_closures (dialog) };
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) third = NULL;

  /* In the list, nothing to save: no error, nothing written. */
  g_assert_true (press_shortcut (root, "<Control>Return"));
  g_assert_false (gtk_widget_get_mapped (error_label));
  g_assert_false (gtk_widget_get_mapped (cdm_desk_test_get_named (root, "closure-save")));
  g_assert_cmpint (stored_closures (), ==, before);

  /* Ctrl+N, the form, Ctrl+Enter. */
  g_assert_true (press_shortcut (root, "<Control>n"));
  g_assert_true (gtk_widget_get_mapped (cdm_desk_test_get_named (root, "closure-save")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (cdm_desk_test_get_named (root, "closure-save")), ==,
                   "Save (Ctrl+Enter)");
  fill_form (dialog, "2026-06-01", "2026-06-02", 0, "Move to the new building");
  gtk_widget_grab_focus (cdm_desk_test_get_named (root, "closure-reason"));
  cdm_desk_test_resize (root, 1366, 768);
  cdm_desk_test_save_screenshot (root, "closures-form-1366x768");
  cdm_desk_test_resize (root, 360, 600);
  cdm_desk_test_save_screenshot (root, "closures-form-360x600");
  g_assert_true (press_shortcut (root, "<Control>Return"));
  wait.n++;
  cdm_desk_test_wait_until (closures_counted, &wait, 30, "the closure saved with Ctrl+Enter");
  g_assert_false (gtk_widget_get_mapped (cdm_desk_test_get_named (root, "closure-save")));
  first = stored_closure ("2026-06-01");
  g_assert_nonnull (first);
  g_assert_cmpstr (json_object_get_string_member (first, "reason"), ==, "Move to the new building");

  /* The keypad's Enter. */
  cdm_closures_dialog_add (dialog);
  fill_form (dialog, "2026-06-08", "2026-06-08", 0, "Inventory");
  g_assert_true (press_shortcut (root, "<Control>KP_Enter"));
  wait.n++;
  cdm_desk_test_wait_until (closures_counted, &wait, 30, "the closure saved with Ctrl+Enter (keypad)");
  second = stored_closure ("2026-06-08");
  g_assert_nonnull (second);

  /* Ctrl+S, as before. */
  cdm_closures_dialog_add (dialog);
  fill_form (dialog, "2026-06-15", "2026-06-15", 0, "Staff day");
  g_assert_true (press_shortcut (root, "<Control>s"));
  wait.n++;
  cdm_desk_test_wait_until (closures_counted, &wait, 30, "the closure saved with Ctrl+S");
  third = stored_closure ("2026-06-15");
  g_assert_nonnull (third);
  g_assert_cmpint (stored_closures (), ==, before + 3);

  /* A refused form stays refused with Ctrl+Enter: nothing written. */
  cdm_closures_dialog_add (dialog);
  fill_form (dialog, "2026-06-30", "2026-06-20", 0, "Works");
  g_assert_true (press_shortcut (root, "<Control>Return"));
  g_assert_true (gtk_widget_get_mapped (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==, "The last day is before the first day.");
  g_assert_cmpint (stored_closures (), ==, before + 3);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  cdm_desk_test_init (&argc, &argv);

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-closures-XXXXXX", &store_path);
  cdm_desk_test_fill_demo (store_path);

  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk/closures/bad-input", test_bad_input);
  g_test_add_func ("/desk/closures/add-edit-delete", test_add_edit_delete);
  g_test_add_func ("/desk/closures/keyboard", test_keyboard);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);

  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
