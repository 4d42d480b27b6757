/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-closures-dialog.c: the periods the centre or a service was closed.
 *
 * Two pages in one window: the list, and the form that adds or edits one
 * closure.  The form is checked by libcdm's cdm_closure_check() before
 * anything is written, so the rules (from <= to, a reason) are the ones
 * the import and the server apply too; the field at fault is marked and
 * the message shows under the form, which stays open.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-closures.h"
#include "cdm-closures-dialog.h"
#include "cdm-labels.h"

struct _CdmClosuresDialog
{
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *title;
  GtkStack *stack;
  GtkWidget *add_button;
  GtkWidget *cancel_button;
  GtkWidget *save_button;
  GtkWidget *empty_page;
  GtkListBox *list;
  GtkLabel *error_label;
  AdwEntryRow *from_row;
  AdwEntryRow *to_row;
  AdwComboRow *scope_row;
  AdwEntryRow *reason_row;

  CdmStore *store;
  GCancellable *cancellable;
  GPtrArray *closures;          /* JsonObject, as listed */
  char *editing_id;             /* NULL for a new closure */
  gboolean saving;
};

G_DEFINE_FINAL_TYPE (CdmClosuresDialog, cdm_closures_dialog, ADW_TYPE_WINDOW)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void reload (CdmClosuresDialog *self);

/* "16 March 2020", from "2020-03-16". */
static char *
format_day (const char *day)
{
  int year, month, mday;
  g_autoptr(GDateTime) date = NULL;

  if (day == NULL || sscanf (day, "%d-%d-%d", &year, &month, &mday) != 3)
    return g_strdup (day != NULL ? day : "");
  date = g_date_time_new_utc (year, month, mday, 0, 0, 0);
  if (date == NULL)
    return g_strdup (day);
  /* Translators: a day in the list of closures, see g_date_time_format()
   * ("%-d": the day of the month without padding) */
  return g_date_time_format (date, _("%-d %B %Y"));
}

/* "16 March 2020 – 28 June 2020", or one day when from = to. */
char *
cdm_closures_dialog_format_period (const char *from,
                                   const char *to)
{
  g_autofree char *first = format_day (from);
  g_autofree char *last = format_day (to);

  if (g_strcmp0 (from, to) == 0)
    return g_steal_pointer (&first);
  /* Translators: a closed period, from its first to its last day */
  return g_strdup_printf (_("%s – %s"), first, last);
}

static void
show_error (CdmClosuresDialog *self,
            const char        *message,
            const char        *field)
{
  struct { const char *field; GtkWidget *row; } rows[] = {
    { "from", GTK_WIDGET (self->from_row) },
    { "to", GTK_WIDGET (self->to_row) },
    { "scope", GTK_WIDGET (self->scope_row) },
    { "reason", GTK_WIDGET (self->reason_row) },
  };

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      if (g_strcmp0 (rows[i].field, field) == 0)
        {
          gtk_widget_add_css_class (rows[i].row, "error");
          gtk_accessible_update_property (GTK_ACCESSIBLE (rows[i].row),
                                          GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                          -1);
          gtk_accessible_update_state (GTK_ACCESSIBLE (rows[i].row),
                                       GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                       -1);
        }
      else
        {
          gtk_widget_remove_css_class (rows[i].row, "error");
          gtk_accessible_reset_property (GTK_ACCESSIBLE (rows[i].row),
                                         GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
          gtk_accessible_reset_state (GTK_ACCESSIBLE (rows[i].row), GTK_ACCESSIBLE_STATE_INVALID);
        }
    }
}

static void
show_page (CdmClosuresDialog *self,
           gboolean           form)
{
  gtk_stack_set_visible_child_name (self->stack, form ? "form" : "list");
  gtk_widget_set_visible (self->add_button, !form);
  gtk_widget_set_visible (self->cancel_button, form);
  gtk_widget_set_visible (self->save_button, form);
  if (!form)
    adw_window_title_set_title (self->title, _("Closures"));
  else
    adw_window_title_set_title (self->title, self->editing_id != NULL ? _("Edit Closure") : _("New Closure"));
}

static void
open_form (CdmClosuresDialog *self,
           JsonObject        *closure)
{
  const char *scope = closure != NULL ? json_object_get_string_member_with_default (closure, "scope", "all") : "all";
  int index = cdm_code_index (cdm_closure_scopes, scope);

  g_clear_pointer (&self->editing_id, g_free);
  if (closure != NULL)
    self->editing_id = g_strdup (json_object_get_string_member_with_default (closure, "id", NULL));

  gtk_editable_set_text (GTK_EDITABLE (self->from_row),
                         closure != NULL ? json_object_get_string_member_with_default (closure, "from", "") : "");
  gtk_editable_set_text (GTK_EDITABLE (self->to_row),
                         closure != NULL ? json_object_get_string_member_with_default (closure, "to", "") : "");
  adw_combo_row_set_selected (self->scope_row, index >= 0 ? (guint) index : 0);
  gtk_editable_set_text (GTK_EDITABLE (self->reason_row),
                         closure != NULL ? json_object_get_string_member_with_default (closure, "reason", "") : "");
  show_error (self, NULL, NULL);
  show_page (self, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->from_row));
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CdmClosuresDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  self->saving = FALSE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "closures.save", TRUE);
  id = cdm_store_put_finish (CDM_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The closure could not be saved: %s"), error->message);

      show_error (self, message, NULL);
      return;
    }

  show_page (self, FALSE);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Closure saved")));
  reload (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* "16/3/2020" or "16.03.2020", as people write days here, becomes
 * "2020-03-16"; anything else is left for the check to judge. */
static char *
iso_day (const char *text)
{
  g_autofree char *day = g_strstrip (g_strdup (text));
  int d, m, y;
  char end;

  if ((sscanf (day, "%d/%d/%d%c", &d, &m, &y, &end) == 3 ||
       sscanf (day, "%d.%d.%d%c", &d, &m, &y, &end) == 3) &&
      y >= 1000 && y <= 9999 && g_date_valid_dmy (d, m, y))
    return g_strdup_printf ("%04d-%02d-%02d", y, m, d);
  return g_steal_pointer (&day);
}

static void
save (CdmClosuresDialog *self)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *from = iso_day (gtk_editable_get_text (GTK_EDITABLE (self->from_row)));
  g_autofree char *to = iso_day (gtk_editable_get_text (GTK_EDITABLE (self->to_row)));
  g_autofree char *reason = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reason_row))));
  guint scope = adw_combo_row_get_selected (self->scope_row);
  const char *field = NULL;

  if (self->saving || self->store == NULL)
    return;

  json_object_set_string_member (record, "type", "closure");
  if (self->editing_id != NULL)
    json_object_set_string_member (record, "id", self->editing_id);
  json_object_set_string_member (record, "from", from);
  json_object_set_string_member (record, "to", to);
  if (scope < g_strv_length ((char **) cdm_closure_scopes))
    json_object_set_string_member (record, "scope", cdm_closure_scopes[scope]);
  json_object_set_string_member (record, "reason", reason);

  if (!cdm_closure_check (record, &field, &error))
    {
      GtkWidget *row = g_str_equal (field, "from") ? GTK_WIDGET (self->from_row) :
                       g_str_equal (field, "to") ? GTK_WIDGET (self->to_row) :
                       g_str_equal (field, "scope") ? GTK_WIDGET (self->scope_row) :
                       GTK_WIDGET (self->reason_row);

      show_error (self, error->message, field);
      gtk_widget_grab_focus (row);
      return;
    }

  show_error (self, NULL, NULL);
  self->saving = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "closures.save", FALSE);
  cdm_store_put_async (self->store, CDM_ENTITY_CLOSURE, record, self->cancellable,
                       on_saved, g_object_ref (self));
}

/* Deleting and putting back, in a worker thread. */
static void
delete_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  const char *id = task_data;
  gboolean undo = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "undo"));
  GError *error = NULL;
  gboolean done;

  if (undo)
    done = cdm_store_undelete (CDM_STORE (source_object), CDM_ENTITY_CLOSURE, id, &error);
  else
    done = cdm_store_delete (CDM_STORE (source_object), CDM_ENTITY_CLOSURE, id, &error);
  if (!done)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void start_delete (CdmClosuresDialog *self,
                          const char        *id,
                          gboolean           undo);

static void
on_undo_clicked (AdwToast          *toast,
                 CdmClosuresDialog *self)
{
  start_delete (self, g_object_get_data (G_OBJECT (toast), "closure-id"), TRUE);
}

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CdmClosuresDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean undo = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "undo"));
  const char *id = g_task_get_task_data (G_TASK (result));
  AdwToast *toast;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = g_strdup_printf (undo ? _("The closure could not be put back: %s")
                                      : _("The closure could not be deleted: %s"),
                                 error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  reload (self);
  g_signal_emit (self, signals[CHANGED], 0);
  if (undo)
    return;

  toast = adw_toast_new (_("Closure deleted"));
  adw_toast_set_button_label (toast, _("_Undo"));
  /* Undo is offered at once, not after the toasts before it. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "closure-id", g_strdup (id), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
start_delete (CdmClosuresDialog *self,
              const char        *id,
              gboolean           undo)
{
  g_autoptr(GTask) task = NULL;

  if (self->store == NULL || id == NULL)
    return;

  task = g_task_new (self->store, self->cancellable, on_deleted, g_object_ref (self));
  g_task_set_source_tag (task, start_delete);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_object_set_data (G_OBJECT (task), "undo", GINT_TO_POINTER (undo));
  g_task_run_in_thread (task, delete_in_thread);
}

static void
on_delete_clicked (GtkButton         *button,
                   CdmClosuresDialog *self)
{
  start_delete (self, g_object_get_data (G_OBJECT (button), "closure-id"), FALSE);
}

static void
on_row_activated (GtkListBox        *list,
                  GtkListBoxRow     *row,
                  CdmClosuresDialog *self)
{
  int index = gtk_list_box_row_get_index (row);

  if (self->closures == NULL || index < 0 || (guint) index >= self->closures->len)
    return;
  open_form (self, g_ptr_array_index (self->closures, index));
}

static GtkWidget *
make_row (CdmClosuresDialog *self,
          JsonObject        *closure)
{
  const char *from = json_object_get_string_member_with_default (closure, "from", NULL);
  const char *to = json_object_get_string_member_with_default (closure, "to", NULL);
  const char *scope = json_object_get_string_member_with_default (closure, "scope", "all");
  const char *reason = json_object_get_string_member_with_default (closure, "reason", NULL);
  g_autofree char *period = cdm_closures_dialog_format_period (from, to);
  g_autofree char *subtitle = NULL;
  g_autofree char *delete_label = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *edit = gtk_image_new_from_icon_name ("document-edit-symbolic");
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  g_signal_connect (delete, "clicked", G_CALLBACK (on_delete_clicked), self);

  if (reason != NULL && reason[0] != '\0')
    /* Translators: what was closed, and why: "Whole centre · Lockdown" */
    subtitle = g_strdup_printf (_("%s · %s"), cdm_label_for_code ("closure_scope", scope), reason);
  else
    subtitle = g_strdup (cdm_label_for_code ("closure_scope", scope));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), period);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, _("Edit this closure"));

  /* Translators: the accessible name of a closure's delete button */
  delete_label = g_strdup_printf (_("Delete the closure of %s"), period);
  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (delete, "flat");
  gtk_widget_set_tooltip_text (delete, _("Delete"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete), GTK_ACCESSIBLE_PROPERTY_LABEL, delete_label, -1);
  g_object_set_data_full (G_OBJECT (delete), "closure-id",
                          g_strdup (json_object_get_string_member_with_default (closure, "id", NULL)), g_free);
  gtk_widget_set_name (delete, "closure-delete");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), edit);

  return row;
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CdmClosuresDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) closures = NULL;
  GtkWidget *child;

  closures = cdm_closures_list_finish (CDM_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (closures == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The closures could not be read: %s"), error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  g_clear_pointer (&self->closures, g_ptr_array_unref);
  self->closures = g_steal_pointer (&closures);
  for (guint i = 0; i < self->closures->len; i++)
    {
      GtkWidget *row = make_row (self, g_ptr_array_index (self->closures, i));
      gtk_list_box_append (self->list, row);
    }

  gtk_widget_set_visible (self->empty_page, self->closures->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->list), self->closures->len > 0);
}

static void
reload (CdmClosuresDialog *self)
{
  if (self->store == NULL)
    return;
  cdm_closures_list_async (self->store, NULL, NULL, self->cancellable, on_listed, g_object_ref (self));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  CdmClosuresDialog *self = CDM_CLOSURES_DIALOG (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "list") == 0)
    cdm_closures_dialog_add (self);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CdmClosuresDialog *self = CDM_CLOSURES_DIALOG (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "form") == 0)
    show_page (self, FALSE);
  else
    gtk_window_close (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdmClosuresDialog *self = CDM_CLOSURES_DIALOG (widget);

  /* The shortcuts reach the list too, where there is nothing to save. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "form") != 0)
    return;
  save (self);
}

static void
cdm_closures_dialog_dispose (GObject *object)
{
  CdmClosuresDialog *self = CDM_CLOSURES_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->closures, g_ptr_array_unref);
  g_clear_pointer (&self->editing_id, g_free);

  G_OBJECT_CLASS (cdm_closures_dialog_parent_class)->dispose (object);
}

static void
cdm_closures_dialog_class_init (CdmClosuresDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_closures_dialog_dispose;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "closures.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "closures.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "closures.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "closures.add", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "closures.cancel", NULL);
  /* Ctrl+Enter saves, as in every other editor of the desk; Ctrl+S too,
   * which people used here first. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "closures.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "closures.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_ISO_Enter, GDK_CONTROL_MASK, "closures.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "closures.save", NULL);
}

static GtkWidget *
clamped (GtkWidget *child)
{
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 640);
  gtk_widget_set_margin_top (child, 18);
  gtk_widget_set_margin_bottom (child, 18);
  gtk_widget_set_margin_start (child, 12);
  gtk_widget_set_margin_end (child, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), child);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}

static GtkWidget *
build_list_page (CdmClosuresDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *intro = gtk_label_new (_("The statistics shade these periods grey, as the annual report does, "
                                      "and the report lists them."));

  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_widget_add_css_class (intro, "dim-label");
  gtk_box_append (GTK_BOX (box), intro);

  self->empty_page = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->empty_page), "x-office-calendar-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (self->empty_page), _("No Closures"));
  adw_status_page_set_description (ADW_STATUS_PAGE (self->empty_page),
                                   _("Add the days the centre or one of its services was closed."));
  gtk_widget_set_visible (self->empty_page, FALSE);
  gtk_box_append (GTK_BOX (box), self->empty_page);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_set_name (GTK_WIDGET (self->list), "closures-list");
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_valign (GTK_WIDGET (self->list), GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Closures"), -1);
  g_signal_connect (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list));

  return clamped (box);
}

static GtkWidget *
build_form_page (CdmClosuresDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *group = adw_preferences_group_new ();
  g_autoptr(GtkStringList) scopes = gtk_string_list_new (NULL);

  for (guint i = 0; cdm_closure_scopes[i] != NULL; i++)
    gtk_string_list_append (scopes, cdm_label_for_code ("closure_scope", cdm_closure_scopes[i]));

  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Days as 2026-03-16 or 16/03/2026; the last day is included."));

  self->from_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->from_row), "closure-from");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->from_row), _("_First day"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->from_row), TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->from_row));

  self->to_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->to_row), "closure-to");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->to_row), _("_Last day"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->to_row), TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->to_row));

  self->scope_row = ADW_COMBO_ROW (adw_combo_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->scope_row), "closure-scope");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->scope_row), _("What was _closed"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->scope_row), TRUE);
  adw_combo_row_set_model (self->scope_row, G_LIST_MODEL (scopes));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->scope_row));

  self->reason_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->reason_row), "closure-reason");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->reason_row), _("_Reason"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (self->reason_row), TRUE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->reason_row));

  gtk_box_append (GTK_BOX (box), group);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->error_label), "closure-error");
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  /* Enter in the last field saves. */
  g_signal_connect_swapped (self->reason_row, "entry-activated", G_CALLBACK (save), self);
  adw_entry_row_set_activates_default (self->reason_row, FALSE);

  return clamped (box);
}

static void
cdm_closures_dialog_init (CdmClosuresDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();

  self->cancellable = g_cancellable_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("Closures"));
  gtk_window_set_default_size (GTK_WINDOW (self), 560, 560);

  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("Closures"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));

  self->add_button = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_set_name (self->add_button, "closures-add");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->add_button), "closures.add");
  gtk_widget_set_tooltip_text (self->add_button, _("Add a Closure (Ctrl+N)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Add a Closure"), -1);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->add_button);

  self->cancel_button = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_widget_set_name (self->cancel_button, "closure-cancel");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->cancel_button), "closures.cancel");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->cancel_button);

  self->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_set_name (self->save_button, "closure-save");
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->save_button), "closures.save");
  gtk_widget_set_tooltip_text (self->save_button, _("Save (Ctrl+Enter)"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);

  gtk_box_append (GTK_BOX (box), header);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  gtk_stack_add_named (self->stack, build_list_page (self), "list");
  gtk_stack_add_named (self->stack, build_form_page (self), "form");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, box);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));

  show_page (self, FALSE);
}

CdmClosuresDialog *
cdm_closures_dialog_new (GtkWindow *parent,
                         CdmStore  *store)
{
  CdmClosuresDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  self = g_object_new (CDM_TYPE_CLOSURES_DIALOG,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
  self->store = g_object_ref (store);
  reload (self);
  return self;
}

int
cdm_closures_dialog_get_n_closures (CdmClosuresDialog *self)
{
  g_return_val_if_fail (CDM_IS_CLOSURES_DIALOG (self), -1);

  return self->closures != NULL ? (int) self->closures->len : -1;
}

void
cdm_closures_dialog_add (CdmClosuresDialog *self)
{
  g_return_if_fail (CDM_IS_CLOSURES_DIALOG (self));

  open_form (self, NULL);
}
