/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-activity-editor.c: a form to create or edit a group activity.
 *
 * Editing starts from the stored record, read in a worker thread, and
 * changes only the fields of the form, so that organisers, audience and
 * programmes set elsewhere (an import, another desk) are kept.  The form
 * is checked before anything is written; the store checks it again.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cdm-activity-editor.h"
#include "cdm-labels.h"

struct _CdmActivityEditor
{
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkButton *save_button;
  AdwEntryRow *title_fr_row;
  AdwEntryRow *title_nl_row;
  AdwEntryRow *title_en_row;
  AdwEntryRow *date_row;
  AdwEntryRow *time_row;
  GtkSpinButton *duration_spin;
  AdwComboRow *mode_row;
  AdwEntryRow *platform_row;
  AdwEntryRow *link_row;
  AdwEntryRow *place_row;
  GtkSpinButton *capacity_spin;
  AdwComboRow *status_row;

  CdmStore *store;
  GTimeZone *zone;
  char *activity_id;            /* NULL for a new activity */
  JsonObject *record;           /* the stored record being edited */
  GCancellable *cancellable;
  gboolean saving;
};

G_DEFINE_FINAL_TYPE (CdmActivityEditor, cdm_activity_editor, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (CdmActivityEditor *self,
            const char        *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static GtkStringList *
labels_model (const char         *field,
              const char * const *codes)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; codes[i] != NULL; i++)
    gtk_string_list_append (list, cdm_label_for_code (field, codes[i]));
  return list;
}

static void
set_text (AdwEntryRow *row,
          const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

/* The text of @row without surrounding spaces, or NULL when empty. */
static char *
get_text (AdwEntryRow *row)
{
  char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (text[0] == '\0')
    g_clear_pointer (&text, g_free);
  return text;
}

static void
set_optional_string (JsonObject *record,
                     const char *name,
                     char       *value)
{
  if (value != NULL)
    json_object_set_string_member (record, name, value);
  else
    json_object_set_null_member (record, name);
  g_free (value);
}

static void
on_mode_changed (CdmActivityEditor *self)
{
  guint mode = adw_combo_row_get_selected (self->mode_row);
  gboolean online = mode < g_strv_length ((char **) cdm_activity_modes) &&
                    g_str_equal (cdm_activity_modes[mode], "online");

  /* Platform and link matter online; a place otherwise. */
  gtk_widget_set_visible (GTK_WIDGET (self->platform_row), online);
  gtk_widget_set_visible (GTK_WIDGET (self->link_row), online);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
show_record (CdmActivityEditor *self)
{
  JsonObject *record = self->record;
  JsonObject *title = json_object_has_member (record, "title") &&
                      JSON_NODE_HOLDS_OBJECT (json_object_get_member (record, "title"))
                      ? json_object_get_object_member (record, "title") : NULL;
  const char *starts_at = member_string (record, "starts_at");
  int mode = cdm_code_index (cdm_activity_modes, member_string (record, "mode"));
  int status = cdm_code_index (cdm_activity_statuses, member_string (record, "status"));
  gint64 unix_time;

  set_text (self->title_fr_row, member_string (title, "fr"));
  set_text (self->title_nl_row, member_string (title, "nl"));
  set_text (self->title_en_row, member_string (title, "en"));

  if (starts_at != NULL && cdm_parse_timestamp (starts_at, &unix_time, NULL))
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->zone);
      g_autofree char *day = g_date_time_format (local, "%Y-%m-%d");
      g_autofree char *time = g_date_time_format (local, "%H:%M");

      set_text (self->date_row, day);
      set_text (self->time_row, time);
    }

  if (json_object_has_member (record, "duration_min") &&
      !json_object_get_null_member (record, "duration_min"))
    gtk_spin_button_set_value (self->duration_spin, json_object_get_int_member (record, "duration_min"));
  if (mode >= 0)
    adw_combo_row_set_selected (self->mode_row, mode);
  set_text (self->platform_row, member_string (record, "platform"));
  set_text (self->link_row, member_string (record, "link"));
  set_text (self->place_row, member_string (record, "place"));
  if (json_object_has_member (record, "capacity") &&
      !json_object_get_null_member (record, "capacity"))
    gtk_spin_button_set_value (self->capacity_spin, json_object_get_int_member (record, "capacity"));
  if (status >= 0)
    adw_combo_row_set_selected (self->status_row, status);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", TRUE);
}

static void
load_record (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  JsonObject *record;

  record = cdm_store_get (CDM_STORE (source_object), CDM_ENTITY_ACTIVITY, task_data, FALSE, &error);
  if (record == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, record, (GDestroyNotify) json_object_unref);
}

static void
on_record_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CdmActivityEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  JsonObject *record;

  record = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (record == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The activity could not be read: %s"), error->message);

      show_error (self, message);
      return;
    }

  self->record = record;
  show_record (self);
}

/* The start time from the form, or NULL with the faulty row marked. */
static char *
read_starts_at (CdmActivityEditor *self)
{
  g_autofree char *day = get_text (self->date_row);
  g_autofree char *time = get_text (self->time_row);
  g_autoptr(GDateTime) starts = NULL;
  int year, month, mday, hour, minute;
  char end;

  gtk_widget_remove_css_class (GTK_WIDGET (self->date_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->time_row), "error");

  if (day == NULL || sscanf (day, "%d-%d-%d%c", &year, &month, &mday, &end) != 3 ||
      !g_date_valid_dmy (mday, month, year))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->date_row), "error");
      show_error (self, _("The date is not a date such as 2020-03-16"));
      gtk_widget_grab_focus (GTK_WIDGET (self->date_row));
      return NULL;
    }
  if (time == NULL || sscanf (time, "%d:%d%c", &hour, &minute, &end) != 2 ||
      hour < 0 || hour > 23 || minute < 0 || minute > 59)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->time_row), "error");
      show_error (self, _("The time is not a time such as 09:30"));
      gtk_widget_grab_focus (GTK_WIDGET (self->time_row));
      return NULL;
    }

  starts = g_date_time_new (self->zone, year, month, mday, hour, minute, 0);
  if (starts == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->date_row), "error");
      show_error (self, _("The date is not a date such as 2020-03-16"));
      return NULL;
    }
  return g_date_time_format (starts, "%Y-%m-%dT%H:%M:%S%:z");
}

static void
on_record_saved (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CdmActivityEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  self->saving = FALSE;
  id = cdm_store_put_finish (CDM_STORE (source), result, &error);
  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The activity could not be saved: %s"), error->message);

      gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", TRUE);
      show_error (self, message);
      return;
    }

  {
    g_autofree char *day = get_text (self->date_row);

    g_signal_emit (self, signals[SAVED], 0, id, day);
  }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdmActivityEditor *self = CDM_ACTIVITY_EDITOR (widget);
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *starts_at = NULL;
  char *fr = get_text (self->title_fr_row);
  char *nl = get_text (self->title_nl_row);
  char *en = get_text (self->title_en_row);
  JsonObject *title;
  guint mode = adw_combo_row_get_selected (self->mode_row);
  guint status = adw_combo_row_get_selected (self->status_row);

  if (self->saving)
    {
      g_free (fr);
      g_free (nl);
      g_free (en);
      return;
    }

  if (fr == NULL && nl == NULL && en == NULL)
    {
      show_error (self, _("Give the activity a title in at least one language"));
      gtk_widget_grab_focus (GTK_WIDGET (self->title_fr_row));
      return;
    }

  starts_at = read_starts_at (self);
  if (starts_at == NULL)
    {
      g_free (fr);
      g_free (nl);
      g_free (en);
      return;
    }

  /* Fields the form does not show keep their stored values. */
  record = self->record != NULL ? json_object_ref (self->record) : json_object_new ();
  title = json_object_new ();
  set_optional_string (title, "fr", fr);
  set_optional_string (title, "nl", nl);
  set_optional_string (title, "en", en);
  json_object_set_object_member (record, "title", title);
  json_object_set_string_member (record, "starts_at", starts_at);
  gtk_spin_button_update (self->duration_spin);
  json_object_set_int_member (record, "duration_min", gtk_spin_button_get_value_as_int (self->duration_spin));
  json_object_set_string_member (record, "mode", cdm_activity_modes[MIN (mode, g_strv_length ((char **) cdm_activity_modes) - 1)]);
  if (g_str_equal (json_object_get_string_member (record, "mode"), "online"))
    {
      set_optional_string (record, "platform", get_text (self->platform_row));
      set_optional_string (record, "link", get_text (self->link_row));
    }
  else
    {
      json_object_set_null_member (record, "platform");
      json_object_set_null_member (record, "link");
    }
  set_optional_string (record, "place", get_text (self->place_row));
  gtk_spin_button_update (self->capacity_spin);
  json_object_set_int_member (record, "capacity", gtk_spin_button_get_value_as_int (self->capacity_spin));
  json_object_set_string_member (record, "status",
                                 cdm_activity_statuses[MIN (status, g_strv_length ((char **) cdm_activity_statuses) - 1)]);

  self->saving = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", FALSE);
  cdm_store_put_async (self->store, CDM_ENTITY_ACTIVITY, record, self->cancellable,
                       on_record_saved, g_object_ref (self));
}

static void
cdm_activity_editor_dispose (GObject *object)
{
  CdmActivityEditor *self = CDM_ACTIVITY_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_ACTIVITY_EDITOR);

  G_OBJECT_CLASS (cdm_activity_editor_parent_class)->dispose (object);
}

static void
cdm_activity_editor_finalize (GObject *object)
{
  CdmActivityEditor *self = CDM_ACTIVITY_EDITOR (object);

  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_pointer (&self->record, json_object_unref);
  g_free (self->activity_id);

  G_OBJECT_CLASS (cdm_activity_editor_parent_class)->finalize (object);
}

static void
cdm_activity_editor_class_init (CdmActivityEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_activity_editor_dispose;
  object_class->finalize = cdm_activity_editor_finalize;

  /**
   * CdmActivityEditor::saved:
   * @id: the activity's id
   * @day: its local day, "YYYY-MM-DD"
   *
   * The activity is on disk; the editor closes.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-activity-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, title_fr_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, title_nl_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, title_en_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, date_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, time_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, duration_spin);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, mode_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, platform_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, link_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, place_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, capacity_spin);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, status_row);
  gtk_widget_class_bind_template_callback (widget_class, on_mode_changed);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cdm_activity_editor_init (CdmActivityEditor *self)
{
  g_autoptr(GtkStringList) modes = labels_model ("activity_mode", cdm_activity_modes);
  g_autoptr(GtkStringList) statuses = labels_model ("activity_status", cdm_activity_statuses);

  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->mode_row, G_LIST_MODEL (modes));
  adw_combo_row_set_model (self->status_row, G_LIST_MODEL (statuses));
  on_mode_changed (self);
  self->cancellable = g_cancellable_new ();
}

CdmActivityEditor *
cdm_activity_editor_new (GtkWindow  *parent,
                         CdmStore   *store,
                         const char *activity_id,
                         const char *day)
{
  CdmActivityEditor *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  self = g_object_new (CDM_TYPE_ACTIVITY_EDITOR,
                       "transient-for", parent,
                       "title", activity_id != NULL ? _("Edit Activity") : _("New Activity"),
                       NULL);
  self->store = g_object_ref (store);
  self->zone = cdm_store_get_time_zone (store);
  self->activity_id = g_strdup (activity_id);

  if (activity_id != NULL)
    {
      g_autoptr(GTask) task = g_task_new (store, self->cancellable, on_record_loaded, g_object_ref (self));

      /* Nothing to save until the stored record is in the form. */
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", FALSE);
      g_task_set_source_tag (task, cdm_activity_editor_new);
      g_task_set_task_data (task, g_strdup (activity_id), g_free);
      g_task_run_in_thread (task, load_record);
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now (self->zone);
      g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

      set_text (self->date_row, day != NULL ? day : today);
      set_text (self->time_row, "10:00");
      adw_combo_row_set_selected (self->mode_row, 0);
      adw_combo_row_set_selected (self->status_row, 0);
    }

  return self;
}
