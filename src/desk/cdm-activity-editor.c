/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-activity-editor.c: a form to create or edit a group activity.
 *
 * Editing starts from the stored record, read in a worker thread with
 * its organisers' names, and changes only the fields of the form, so that
 * members it does not show are kept.  Organisers are picked by searching
 * partners (the search runs in libcdm's worker, each keystroke cancelling
 * the one before); the audience is one of its vocabulary or none; the
 * programmes are toggles.  The form is checked before anything is
 * written; the store checks it again.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "cdm-activity-editor.h"
#include "cdm-content-order.h"
#include "cdm-labels.h"
#include "cdm-search.h"

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
  AdwPreferencesGroup *organisers_group;
  AdwEntryRow *organiser_search_row;
  GtkListBox *organiser_results;
  AdwComboRow *audience_row;
  GtkFlowBox *programmes_box;

  GPtrArray *programme_buttons;  /* GtkToggleButton, in cdm_programmes order */
  GPtrArray *organiser_ids;      /* char *, in the order shown */
  GCancellable *search_cancellable;

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

static void on_remove_organiser_clicked (GtkButton         *button,
                                         CdmActivityEditor *self);

/* Adds the partner @id as an organiser, named @name; once only. */
static void
add_organiser (CdmActivityEditor *self,
               const char        *id,
               const char        *name)
{
  GtkWidget *row, *button;
  g_autofree char *tooltip = NULL;

  for (guint i = 0; i < self->organiser_ids->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->organiser_ids, i), id))
        return;
    }
  g_ptr_array_add (self->organiser_ids, g_strdup (id));

  row = adw_action_row_new ();
  gtk_widget_set_name (row, "organiser");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  g_object_set_data_full (G_OBJECT (row), "organiser-id", g_strdup (id), g_free);

  button = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_name (button, "remove-organiser");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  /* TRANSLATORS: the tooltip of the button that removes an organiser */
  tooltip = g_strdup_printf (_("Remove %s from the organisers"), name);
  gtk_widget_set_tooltip_text (button, tooltip);
  g_signal_connect (button, "clicked", G_CALLBACK (on_remove_organiser_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  adw_preferences_group_add (self->organisers_group, row);
}

static void
on_remove_organiser_clicked (GtkButton         *button,
                             CdmActivityEditor *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ACTION_ROW);
  const char *id = g_object_get_data (G_OBJECT (row), "organiser-id");

  for (guint i = 0; i < self->organiser_ids->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->organiser_ids, i), id))
        {
          g_ptr_array_remove_index (self->organiser_ids, i);
          break;
        }
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->organiser_search_row));
  adw_preferences_group_remove (self->organisers_group, row);
}

/* GtkListBox of GTK 4.8 has no remove_all(). */
static void
clear_results (CdmActivityEditor *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->organiser_results))) != NULL)
    gtk_list_box_remove (self->organiser_results, child);
  gtk_widget_set_visible (GTK_WIDGET (self->organiser_results), FALSE);
}

static void
on_organiser_search_done (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = cdm_search_finish (CDM_STORE (source), result, &error);
  CdmActivityEditor *self;
  guint shown = 0;

  /* Cancelled: a newer keystroke, or the form closed (@user_data is gone). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  clear_results (self);
  if (hits == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Partners could not be searched: %s"), error->message);

      show_error (self, message);
      return;
    }

  /* Partners that no longer work with the centre come last, marked. */
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < hits->len; i++)
        {
          CdmSearchHit *hit = g_ptr_array_index (hits, i);
          const char *title = cdm_content_pick (hit->titles[0], hit->titles[1], hit->titles[2]);
          GtkWidget *row;

          if (hit->inactive != (pass == 1))
            continue;
          if (title == NULL)
            title = hit->title;
          row = adw_action_row_new ();
          gtk_widget_set_name (row, "organiser-hit");
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          if (hit->detail != NULL && hit->detail[0] != '\0')
            adw_action_row_set_subtitle (ADW_ACTION_ROW (row), hit->detail);
          if (hit->inactive)
            {
              GtkWidget *tag = gtk_label_new (C_("partner", "Inactive"));

              gtk_widget_add_css_class (tag, "caption");
              gtk_widget_add_css_class (tag, "dim-label");
              adw_action_row_add_suffix (ADW_ACTION_ROW (row), tag);
              gtk_widget_add_css_class (row, "dim-label");
            }
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          g_object_set_data_full (G_OBJECT (row), "hit-id", g_strdup (hit->id), g_free);
          g_object_set_data_full (G_OBJECT (row), "hit-title", g_strdup (title), g_free);
          gtk_list_box_append (self->organiser_results, row);
          shown++;
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (self->organiser_results), shown > 0);
}

static void
on_organiser_search_changed (CdmActivityEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->organiser_search_row));

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  if (text[0] == '\0')
    {
      clear_results (self);
      return;
    }
  self->search_cancellable = g_cancellable_new ();
  cdm_search_async (self->store, CDM_ENTITY_ORGANISATION, text, 8, self->search_cancellable,
                    on_organiser_search_done, self);
}

static void
pick_organiser (CdmActivityEditor *self,
                GtkListBoxRow     *row)
{
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;

  if (row == NULL)
    return;
  id = g_strdup (g_object_get_data (G_OBJECT (row), "hit-id"));
  title = g_strdup (g_object_get_data (G_OBJECT (row), "hit-title"));
  add_organiser (self, id, title);
  /* Ready for the next one. */
  gtk_editable_set_text (GTK_EDITABLE (self->organiser_search_row), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->organiser_search_row));
}

static void
on_organiser_result_activated (GtkListBox        *box,
                               GtkListBoxRow     *row,
                               CdmActivityEditor *self)
{
  pick_organiser (self, row);
}

/* Enter in the search takes the first partner found. */
static void
on_organiser_entry_activated (CdmActivityEditor *self)
{
  pick_organiser (self, gtk_list_box_get_row_at_index (self->organiser_results, 0));
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* What the worker read: the record, and its organisers' names. */
typedef struct {
  JsonObject *record;
  GPtrArray *organiser_names;   /* JsonObject {fr, nl, en}, or empty */
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_pointer (&loaded->record, json_object_unref);
  g_clear_pointer (&loaded->organiser_names, g_ptr_array_unref);
  g_free (loaded);
}

static void
show_record (CdmActivityEditor *self,
             GPtrArray         *organiser_names)
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

  /* Item 0 is "Not set". */
  adw_combo_row_set_selected (self->audience_row,
                              cdm_code_index (cdm_audiences, member_string (record, "audience")) + 1);
  {
    JsonArray *programmes = member_array (record, "programmes");

    for (guint i = 0; i < self->programme_buttons->len; i++)
      {
        gboolean on = FALSE;

        for (guint j = 0; programmes != NULL && j < json_array_get_length (programmes); j++)
          {
            JsonNode *node = json_array_get_element (programmes, j);

            if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
                g_str_equal (json_node_get_string (node), cdm_programmes[i]))
              on = TRUE;
          }
        gtk_toggle_button_set_active (g_ptr_array_index (self->programme_buttons, i), on);
      }
  }
  {
    JsonArray *organisers = member_array (record, "organisers");

    for (guint i = 0; organisers != NULL && i < json_array_get_length (organisers); i++)
      {
        const char *id = json_array_get_string_element (organisers, i);
        const char *name = i < organiser_names->len
                           ? cdm_content_pick_object (g_ptr_array_index (organiser_names, i)) : NULL;

        if (id != NULL)
          add_organiser (self, id, name != NULL ? name : id);
      }
  }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", TRUE);
}

static void
load_record (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CdmStore *store = CDM_STORE (source_object);
  GError *error = NULL;
  Loaded *loaded = g_new0 (Loaded, 1);
  JsonArray *organisers;

  loaded->organiser_names = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  loaded->record = cdm_store_get (store, CDM_ENTITY_ACTIVITY, task_data, FALSE, &error);
  if (loaded->record == NULL)
    {
      loaded_free (loaded);
      g_task_return_error (task, error);
      return;
    }

  organisers = member_array (loaded->record, "organisers");
  for (guint i = 0; organisers != NULL && i < json_array_get_length (organisers); i++)
    {
      const char *id = json_array_get_string_element (organisers, i);
      /* A partner removed since is still named, by its last name. */
      g_autoptr(JsonObject) partner = id != NULL
                                      ? cdm_store_get (store, CDM_ENTITY_ORGANISATION, id, TRUE, NULL) : NULL;
      JsonNode *node = partner != NULL ? json_object_get_member (partner, "name") : NULL;

      g_ptr_array_add (loaded->organiser_names,
                       node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                       ? json_object_ref (json_node_get_object (node)) : json_object_new ());
    }
  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

static void
on_record_loaded (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CdmActivityEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  Loaded *loaded;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (loaded == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The activity could not be read: %s"), error->message);

      show_error (self, message);
      return;
    }

  self->record = g_steal_pointer (&loaded->record);
  show_record (self, loaded->organiser_names);
  loaded_free (loaded);
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
  {
    guint audience = adw_combo_row_get_selected (self->audience_row);
    JsonArray *programmes = json_array_new ();
    JsonArray *organisers = json_array_new ();

    if (audience >= 1 && audience <= g_strv_length ((char **) cdm_audiences))
      json_object_set_string_member (record, "audience", cdm_audiences[audience - 1]);
    else
      json_object_set_null_member (record, "audience");
    for (guint i = 0; i < self->programme_buttons->len; i++)
      {
        if (gtk_toggle_button_get_active (g_ptr_array_index (self->programme_buttons, i)))
          json_array_add_string_element (programmes, cdm_programmes[i]);
      }
    json_object_set_array_member (record, "programmes", programmes);
    for (guint i = 0; i < self->organiser_ids->len; i++)
      json_array_add_string_element (organisers, g_ptr_array_index (self->organiser_ids, i));
    json_object_set_array_member (record, "organisers", organisers);
  }

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
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
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
  g_clear_pointer (&self->programme_buttons, g_ptr_array_unref);
  g_clear_pointer (&self->organiser_ids, g_ptr_array_unref);
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
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, organisers_group);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, organiser_search_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, organiser_results);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, audience_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivityEditor, programmes_box);
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
  g_autoptr(GtkStringList) audiences = labels_model ("audience", cdm_audiences);

  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->mode_row, G_LIST_MODEL (modes));
  adw_combo_row_set_model (self->status_row, G_LIST_MODEL (statuses));
  on_mode_changed (self);
  self->cancellable = g_cancellable_new ();

  /* "Not set", then the vocabulary. */
  gtk_string_list_splice (audiences, 0, 0, (const char * const []) { C_("audience", "Not set"), NULL });
  adw_combo_row_set_model (self->audience_row, G_LIST_MODEL (audiences));
  adw_combo_row_set_selected (self->audience_row, 0);

  self->programme_buttons = g_ptr_array_new ();
  for (guint i = 0; cdm_programmes[i] != NULL; i++)
    {
      GtkWidget *button = gtk_toggle_button_new_with_label (cdm_label_for_code ("programmes", cdm_programmes[i]));
      g_autofree char *name = g_strconcat ("programme-", cdm_programmes[i], NULL);

      gtk_widget_set_name (button, name);
      gtk_flow_box_append (self->programmes_box, button);
      /* The flow box child would take the focus first; the button is enough. */
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
      g_ptr_array_add (self->programme_buttons, button);
    }

  self->organiser_ids = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect_swapped (self->organiser_search_row, "changed",
                            G_CALLBACK (on_organiser_search_changed), self);
  g_signal_connect_swapped (self->organiser_search_row, "entry-activated",
                            G_CALLBACK (on_organiser_entry_activated), self);
  g_signal_connect (self->organiser_results, "row-activated",
                    G_CALLBACK (on_organiser_result_activated), self);
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
