/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-conflicts-window.c: conflicts and refused changes. */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-content-order.h"
#include "cdm-i18n.h"
#include "cdm-labels.h"
#include "cdm-partner-editor.h"
#include "cdm-sync-conflicts-window.h"
#include "cdm-sync-store.h"
#include "cdm-sync-ui-queries.h"

struct _CdmSyncConflictsWindow
{
  AdwWindow parent_instance;

  CdmSyncController *controller;
  GCancellable *cancellable;

  GtkWidget *empty_page;
  GtkWidget *lists;
  GtkWidget *conflicts_box;
  GtkWidget *parked_group;
  GList *parked_rows;

  gboolean loading;
  gboolean load_again;
  gboolean loaded;
  gint64 shown_conflicts, shown_parked;
};

G_DEFINE_FINAL_TYPE (CdmSyncConflictsWindow, cdm_sync_conflicts_window, ADW_TYPE_WINDOW)

/* One conflict or parked entry, in words, made in a worker thread. */
typedef struct {
  gboolean parked;
  char *id;            /* conflict id, or outbox key */
  CdmEntity entity;
  char *record_id;
  char *record_title;
  char *field_title;
  char *kept_text;
  char *other_text;
  JsonNode *kept;
  JsonNode *other;
  char *reason;
  char *op;
  char *fields_text;
} Item;

static void
item_free (gpointer data)
{
  Item *item = data;

  g_free (item->id);
  g_free (item->record_id);
  g_free (item->record_title);
  g_free (item->field_title);
  g_free (item->kept_text);
  g_free (item->other_text);
  g_clear_pointer (&item->kept, json_node_unref);
  g_clear_pointer (&item->other, json_node_unref);
  g_free (item->reason);
  g_free (item->op);
  g_free (item->fields_text);
  g_free (item);
}

/* The labels of cdm-labels.h are named after the vocabulary. */
static const char *
vocabulary_name (const CdmField *field)
{
  if (field->codes == cdm_circles)
    return "circle";
  if (field->codes == cdm_organisation_kinds)
    return "organisation_kind";
  if (field->codes == cdm_resource_kinds)
    return "resource_kind";
  if (field->codes == cdm_audiences)
    return "audience";
  if (field->codes == cdm_tally_kinds)
    return "tally_kind";
  if (field->codes == cdm_activity_modes)
    return "activity_mode";
  if (field->codes == cdm_activity_statuses)
    return "activity_status";
  if (field->codes == cdm_closure_scopes)
    return "closure_scope";
  if (field->codes == cdm_frequencies)
    return "frequency";
  return field->name;
}

/* "phone" → "Phone", "desk_days" → "Desk days". */
static char *
field_title (const char *name)
{
  g_autofree char *spaced = g_strdelimit (g_strdup (name), "_", ' ');
  g_autofree char *first = g_utf8_strup (spaced, 1);

  return g_strconcat (first, spaced + 1, NULL);
}

/* What is read in the worker thread: the store, and the content order
 * copied on the main thread (cdm-content-order.h is not for threads). */
typedef struct {
  CdmStore *store;
  GStrv order;
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_object_unref (load->store);
  g_strfreev (load->order);
  g_free (load);
}

static char *
record_title (Load       *load,
              CdmEntity   entity,
              const char *id)
{
  CdmStore *store = load->store;
  g_autoptr(JsonObject) record = cdm_store_get (store, entity, id, TRUE, NULL);
  const char *title = NULL;

  if (record != NULL)
    {
      if (json_object_has_member (record, "name") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (record, "name")))
        title = cdm_i18n_pick_object (json_object_get_object_member (record, "name"),
                                      (const char * const *) load->order);
      else if (json_object_has_member (record, "title") &&
               JSON_NODE_HOLDS_OBJECT (json_object_get_member (record, "title")))
        title = cdm_i18n_pick_object (json_object_get_object_member (record, "title"),
                                      (const char * const *) load->order);
      else if (json_object_has_member (record, "name") &&
               JSON_NODE_HOLDS_VALUE (json_object_get_member (record, "name")))
        title = json_object_get_string_member (record, "name");
    }
  if (title != NULL && title[0] != '\0')
    return g_strdup (title);
  if (record == NULL)
    return g_strdup (_("A record no longer on this desk"));

  /* Records without a name: what a person would recognise them by. */
  if (json_object_has_member (record, "reason") && !json_object_get_null_member (record, "reason"))
    return g_strdup (json_object_get_string_member (record, "reason"));
  if (json_object_has_member (record, "from") && json_object_has_member (record, "to") &&
      !json_object_get_null_member (record, "from") && !json_object_get_null_member (record, "to"))
    /* TRANSLATORS: a period, "2026-12-24 – 2027-01-01" */
    return g_strdup_printf (_("%s – %s"), json_object_get_string_member (record, "from"),
                            json_object_get_string_member (record, "to"));
  if (json_object_has_member (record, "occurred_at") && !json_object_get_null_member (record, "occurred_at"))
    return g_strdup (json_object_get_string_member (record, "occurred_at"));
  return g_strdup (_("Untitled"));
}

static void
append_value (GString        *text,
              Load           *load,
              const CdmField *field,
              JsonNode       *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (text, _("(empty)"));
      return;
    }

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      if (n == 0)
        g_string_append (text, _("(none)"));
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append (text, ", ");
          append_value (text, load, field, json_array_get_element (array, i));
        }
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);

      if (field != NULL && field->kind == CDM_FIELD_I18N)
        {
          const char * const *order = (const char * const *) load->order;
          gboolean first = TRUE;

          for (guint i = 0; order[i] != NULL; i++)
            {
              const char *variant = json_object_has_member (object, order[i]) &&
                                    JSON_NODE_HOLDS_VALUE (json_object_get_member (object, order[i]))
                                    ? json_object_get_string_member (object, order[i]) : NULL;

              if (variant == NULL || variant[0] == '\0')
                continue;
              /* TRANSLATORS: a name in one language, "Actiris (fr)" */
              g_string_append_printf (text, _("%s%s (%s)"), first ? "" : " · ", variant, order[i]);
              first = FALSE;
            }
          if (first)
            g_string_append (text, _("(empty)"));
          return;
        }
      if (json_object_has_member (object, "name"))
        {
          JsonNode *name = json_object_get_member (object, "name");

          if (JSON_NODE_HOLDS_VALUE (name) && json_node_get_value_type (name) == G_TYPE_STRING)
            {
              g_string_append (text, json_node_get_string (name));
              return;
            }
        }
      {
        g_autofree char *json = json_to_string (node, FALSE);
        g_string_append (text, json);
      }
      return;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      g_string_append (text, json_node_get_boolean (node) ? _("Yes") : _("No"));
      return;
    case G_TYPE_STRING:
      {
        const char *value = json_node_get_string (node);

        if (field != NULL && (field->kind == CDM_FIELD_CODE || field->kind == CDM_FIELD_CODES))
          g_string_append (text, cdm_label_for_code (vocabulary_name (field), value));
        else if (field != NULL && (field->kind == CDM_FIELD_REF || field->kind == CDM_FIELD_REFS))
          {
            g_autofree char *title = record_title (load, field->ref_entity, value);
            g_string_append (text, title);
          }
        else if (value[0] == '\0')
          g_string_append (text, _("(empty)"));
        else
          g_string_append (text, value);
        return;
      }
    default:
      {
        g_autofree char *json = json_to_string (node, FALSE);
        g_string_append (text, json);
      }
    }
}

static char *
value_text (Load           *load,
            const CdmField *field,
            JsonNode       *node)
{
  GString *text = g_string_new (NULL);

  append_value (text, load, field, node);
  return g_string_free (text, FALSE);
}

static void
load_items (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Load *load = task_data;
  CdmStore *store = load->store;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (item_free);
  g_autoptr(JsonArray) conflicts = NULL;
  g_autoptr(JsonArray) parked = NULL;
  GError *error = NULL;

  conflicts = cdm_sync_store_list_conflicts (store, &error);
  if (conflicts != NULL)
    parked = cdm_sync_list_parked (store, &error);
  if (parked == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = 0; i < json_array_get_length (conflicts); i++)
    {
      JsonObject *conflict = json_array_get_object_element (conflicts, i);
      const char *field_name = json_object_get_string_member (conflict, "field");
      Item *item = g_new0 (Item, 1);
      const CdmField *field = NULL;

      item->id = g_strdup (json_object_get_string_member (conflict, "id"));
      item->record_id = g_strdup (json_object_get_string_member (conflict, "record"));
      if (!cdm_entity_from_name (json_object_get_string_member (conflict, "type"), &item->entity))
        {
          item_free (item);
          continue;
        }
      field = cdm_entity_field (item->entity, field_name);
      item->record_title = record_title (load, item->entity, item->record_id);
      item->field_title = field_title (field_name);
      item->kept = json_node_copy (json_object_get_member (conflict, "kept"));
      item->other = json_node_copy (json_object_get_member (conflict, "other"));
      item->kept_text = value_text (load, field, item->kept);
      item->other_text = value_text (load, field, item->other);
      g_ptr_array_add (items, item);
    }

  for (guint i = 0; i < json_array_get_length (parked); i++)
    {
      JsonObject *entry = json_array_get_object_element (parked, i);
      JsonNode *fields = json_object_get_member (entry, "fields");
      Item *item = g_new0 (Item, 1);
      g_autoptr(GString) text = g_string_new (NULL);

      item->parked = TRUE;
      item->id = g_strdup (json_object_get_string_member (entry, "key"));
      item->record_id = g_strdup (json_object_get_string_member (entry, "id"));
      item->op = g_strdup (json_object_get_string_member (entry, "op"));
      item->reason = g_strdup (json_object_get_string_member_with_default (entry, "reason", NULL));
      /* The server's messages start in lower case ("a counsellor may
       * not…"); shown alone, they read as a sentence. */
      if (item->reason != NULL && item->reason[0] != '\0')
        {
          g_autofree char *first = g_utf8_strup (item->reason, 1);
          char *sentence = g_strconcat (first, g_utf8_next_char (item->reason), NULL);

          g_free (item->reason);
          item->reason = sentence;
        }
      if (!cdm_entity_from_name (json_object_get_string_member (entry, "type"), &item->entity))
        {
          item_free (item);
          continue;
        }
      item->record_title = record_title (load, item->entity, item->record_id);
      if (fields != NULL && JSON_NODE_HOLDS_OBJECT (fields))
        {
          JsonObjectIter iter;
          const char *name;
          JsonNode *value;

          json_object_iter_init (&iter, json_node_get_object (fields));
          while (json_object_iter_next (&iter, &name, &value))
            {
              g_autofree char *title = field_title (name);
              g_autofree char *shown = value_text (load, cdm_entity_field (item->entity, name), value);

              if (g_str_equal (name, "id") || g_str_equal (name, "type"))
                continue;
              g_string_append_printf (text, "%s%s: %s", text->len > 0 ? "\n" : "", title, shown);
            }
        }
      item->fields_text = g_strdup (text->str);
      g_ptr_array_add (items, item);
    }

  g_task_return_pointer (task, g_steal_pointer (&items), (GDestroyNotify) g_ptr_array_unref);
}

static void reload (CdmSyncConflictsWindow *self);

static const char *
entity_label (CdmEntity entity)
{
  switch (entity)
    {
    case CDM_ENTITY_ORGANISATION:
      return _("Partner");
    case CDM_ENTITY_RESOURCE:
      return _("Resource");
    case CDM_ENTITY_ACTIVITY:
      return _("Activity");
    case CDM_ENTITY_CONTACT:
      return C_("record type", "Contact");
    case CDM_ENTITY_CLOSURE:
      return _("Closure");
    default:
      return _("Record");
    }
}

/* Resolving */

typedef struct {
  char *conflict_id;
  JsonNode *value;
} Resolve;

static void
resolve_free (gpointer data)
{
  Resolve *resolve = data;

  g_free (resolve->conflict_id);
  json_node_unref (resolve->value);
  g_free (resolve);
}

static void
resolve_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CdmSyncConflictsWindow *self = source_object;
  Resolve *resolve = task_data;
  GError *error = NULL;

  if (cdm_sync_resolve_conflict (cdm_sync_controller_get_store (self->controller),
                                 resolve->conflict_id, resolve->value, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
show_error (CdmSyncConflictsWindow *self,
            const char             *heading,
            const GError           *error)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_action_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CdmSyncConflictsWindow *self = CDM_SYNC_CONFLICTS_WINDOW (source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, _("This Did Not Work"), error);
    }
  /* The local change of a resolution is sent by the controller a few
   * seconds later, with whatever else was typed meanwhile. */
  cdm_sync_controller_refresh (self->controller);
  reload (self);
}

static void
on_value_clicked (GtkButton              *button,
                  CdmSyncConflictsWindow *self)
{
  Item *item = g_object_get_data (G_OBJECT (button), "item");
  gboolean keep_other = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "other"));
  g_autoptr(GTask) task = NULL;
  Resolve *resolve = g_new0 (Resolve, 1);

  resolve->conflict_id = g_strdup (item->id);
  resolve->value = json_node_copy (keep_other ? item->other : item->kept);
  gtk_widget_set_sensitive (gtk_widget_get_parent (GTK_WIDGET (button)), FALSE);

  task = g_task_new (self, self->cancellable, on_action_done, NULL);
  g_task_set_source_tag (task, on_value_clicked);
  g_task_set_task_data (task, resolve, resolve_free);
  g_task_run_in_thread (task, resolve_thread);
}

static GtkWidget *
value_button (CdmSyncConflictsWindow *self,
              Item                   *item,
              gboolean                other)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *caption = gtk_label_new (other ? _("Typed on this desk") : _("On the server, from another desk"));
  GtkWidget *value = gtk_label_new (other ? item->other_text : item->kept_text);
  g_autofree char *accessible = NULL;

  gtk_widget_add_css_class (button, "card");
  gtk_widget_add_css_class (button, "sync-value");
  gtk_widget_set_name (button, other ? "keep-this-desk" : "keep-server");
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_wrap (GTK_LABEL (caption), TRUE);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (value, "heading");
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), value);
  gtk_button_set_child (GTK_BUTTON (button), box);

  /* TRANSLATORS: the accessible name of a button: "Keep “02 111 11 11”" */
  accessible = g_strdup_printf (_("Keep “%s”"), other ? item->other_text : item->kept_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  other ? _("Typed on this desk") : _("On the server, from another desk"),
                                  -1);
  gtk_widget_set_tooltip_text (button, _("Keep this value"));

  g_object_set_data (G_OBJECT (button), "item", item);
  g_object_set_data (G_OBJECT (button), "other", GINT_TO_POINTER (other));
  g_signal_connect (button, "clicked", G_CALLBACK (on_value_clicked), self);
  return button;
}

static GtkWidget *
conflict_group (CdmSyncConflictsWindow *self,
                Item                   *item)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *values = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  /* TRANSLATORS: the title of a conflict: "Partner: Actiris" */
  g_autofree char *title = g_strdup_printf (_("%s: %s"), entity_label (item->entity), item->record_title);
  g_autofree char *description =
    /* TRANSLATORS: %s is a field, "Phone" */
    g_strdup_printf (_("“%s” was changed here and on another desk at the same time. "
                       "Click the value to keep."), item->field_title);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  gtk_box_set_homogeneous (GTK_BOX (values), TRUE);
  gtk_box_append (GTK_BOX (values), value_button (self, item, FALSE));
  gtk_box_append (GTK_BOX (values), value_button (self, item, TRUE));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), values);
  return group;
}

/* Parked entries */

static void
resend_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CdmSyncConflictsWindow *self = source_object;
  CdmStore *store = cdm_sync_controller_get_store (self->controller);
  gboolean discard = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "discard"));
  GError *error = NULL;
  gboolean ok;

  if (discard)
    ok = cdm_sync_discard_parked (store, task_data, &error);
  else
    ok = cdm_sync_store_resend (store, task_data, &error);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Resent, the change goes at once; discarded, the record is loaded again
 * from the server at once (cdm_sync_discard_parked()). */
static void
on_entry_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CdmSyncConflictsWindow *self = CDM_SYNC_CONFLICTS_WINDOW (source);
  gboolean ok = !g_task_had_error (G_TASK (result));

  on_action_done (source, result, user_data);
  if (ok)
    cdm_sync_controller_sync_now (self->controller);
}

static void
run_on_entry (CdmSyncConflictsWindow *self,
              const char             *key,
              gboolean                discard)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_entry_done, NULL);

  g_task_set_source_tag (task, run_on_entry);
  g_task_set_task_data (task, g_strdup (key), g_free);
  g_object_set_data (G_OBJECT (task), "discard", GINT_TO_POINTER (discard));
  g_task_run_in_thread (task, resend_thread);
}

static void
on_resend_clicked (GtkButton              *button,
                   CdmSyncConflictsWindow *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  run_on_entry (self, ((Item *) g_object_get_data (G_OBJECT (button), "item"))->id, FALSE);
}

static void
on_discard_response (AdwMessageDialog       *dialog,
                     const char             *response,
                     CdmSyncConflictsWindow *self)
{
  if (g_str_equal (response, "discard"))
    run_on_entry (self, g_object_get_data (G_OBJECT (dialog), "key"), TRUE);
}

static void
on_discard_clicked (GtkButton              *button,
                    CdmSyncConflictsWindow *self)
{
  Item *item = g_object_get_data (G_OBJECT (button), "item");
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Discard This Change?"),
                                   _("It will never reach the server, and other desks will not see it. "
                                     "This cannot be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  /* A copy: the list may be read again while the dialog is open. */
  g_object_set_data_full (G_OBJECT (dialog), "key", g_strdup (item->id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discard_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_show_clicked (GtkButton              *button,
                 CdmSyncConflictsWindow *self)
{
  Item *item = g_object_get_data (G_OBJECT (button), "item");
  GtkWidget *dialog;

  /* A partner has an editor: fix the record there, then discard the
   * refused change (the fix is a change of its own). */
  if (item->entity == CDM_ENTITY_ORGANISATION && g_strcmp0 (item->op, "delete") != 0)
    {
      CdmPartnerEditor *editor = cdm_partner_editor_new (GTK_WINDOW (self),
                                                         cdm_sync_controller_get_store (self->controller),
                                                         item->record_id);
      gtk_window_present (GTK_WINDOW (editor));
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), item->record_title,
                                   item->fields_text[0] != '\0' ? item->fields_text : _("The record was deleted."));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
icon_button (Item       *item,
             const char *name,
             const char *icon,
             const char *label,
             GCallback   callback,
             gpointer    self)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_name (button, name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data (G_OBJECT (button), "item", item);
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static GtkWidget *
parked_row (CdmSyncConflictsWindow *self,
            Item                   *item)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = g_strdup_printf (_("%s: %s"), entity_label (item->entity), item->record_title);
  g_autofree char *escaped = g_markup_escape_text (title, -1);
  g_autofree char *reason = g_markup_escape_text (item->reason != NULL ? item->reason
                                                  : _("The server gave no reason."), -1);
  const char *show_label = item->entity == CDM_ENTITY_ORGANISATION ? _("Edit the Partner") : _("Show the Change");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), reason);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             icon_button (item, "show", item->entity == CDM_ENTITY_ORGANISATION
                                                ? "document-edit-symbolic" : "view-reveal-symbolic",
                                          show_label, G_CALLBACK (on_show_clicked), self));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             icon_button (item, "resend", "view-refresh-symbolic", _("Send Again"),
                                          G_CALLBACK (on_resend_clicked), self));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             icon_button (item, "discard", "user-trash-symbolic", _("Discard the Change"),
                                          G_CALLBACK (on_discard_clicked), self));
  return row;
}

/* Loading */

static void
clear_lists (CdmSyncConflictsWindow *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->conflicts_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->conflicts_box), child);
  for (GList *l = self->parked_rows; l != NULL; l = l->next)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->parked_group), l->data);
  g_clear_pointer (&self->parked_rows, g_list_free);
}

static void
on_items_loaded (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CdmSyncConflictsWindow *self = CDM_SYNC_CONFLICTS_WINDOW (source);
  g_autoptr(GError) error = NULL;
  GPtrArray *items = g_task_propagate_pointer (G_TASK (result), &error);
  guint n_conflicts = 0, n_parked = 0;

  if (items == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  if (self->load_again)
    {
      self->load_again = FALSE;
      g_clear_pointer (&items, g_ptr_array_unref);
      reload (self);
      return;
    }
  if (items == NULL)
    {
      show_error (self, _("Cannot Read the Conflicts"), error);
      return;
    }

  clear_lists (self);
  /* The items live as long as the widgets that point at them. */
  g_object_set_data_full (G_OBJECT (self), "items", items, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < items->len; i++)
    {
      Item *item = g_ptr_array_index (items, i);

      if (item->parked)
        {
          GtkWidget *row = parked_row (self, item);

          adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->parked_group), row);
          self->parked_rows = g_list_prepend (self->parked_rows, row);
          n_parked++;
        }
      else
        {
          gtk_box_append (GTK_BOX (self->conflicts_box), conflict_group (self, item));
          n_conflicts++;
        }
    }

  gtk_widget_set_visible (self->conflicts_box, n_conflicts > 0);
  gtk_widget_set_visible (self->parked_group, n_parked > 0);
  gtk_widget_set_visible (self->lists, n_conflicts + n_parked > 0);
  gtk_widget_set_visible (self->empty_page, n_conflicts + n_parked == 0);
  self->shown_conflicts = n_conflicts;
  self->shown_parked = n_parked;
  self->loaded = TRUE;
}

static void
reload (CdmSyncConflictsWindow *self)
{
  g_autoptr(GTask) task = NULL;
  Load *load;

  self->loaded = FALSE;
  if (self->loading)
    {
      self->load_again = TRUE;
      return;
    }
  self->loading = TRUE;
  task = g_task_new (self, self->cancellable, on_items_loaded, NULL);
  g_task_set_source_tag (task, reload);
  load = g_new0 (Load, 1);
  load->store = g_object_ref (cdm_sync_controller_get_store (self->controller));
  load->order = g_strdupv ((char **) cdm_content_order_get ());
  g_task_set_task_data (task, load, load_free);
  g_task_run_in_thread (task, load_items);
}

/* A sync brought or settled conflicts while the window is open. */
static void
on_controller_changed (CdmSyncController      *controller,
                       CdmSyncConflictsWindow *self)
{
  if (!self->loading &&
      (cdm_sync_controller_get_conflicts (controller) != self->shown_conflicts ||
       cdm_sync_controller_get_parked (controller) != self->shown_parked))
    reload (self);
}

static void
cdm_sync_conflicts_window_dispose (GObject *object)
{
  CdmSyncConflictsWindow *self = CDM_SYNC_CONFLICTS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);
  g_clear_pointer (&self->parked_rows, g_list_free);

  G_OBJECT_CLASS (cdm_sync_conflicts_window_parent_class)->dispose (object);
}

static void
cdm_sync_conflicts_window_finalize (GObject *object)
{
  CdmSyncConflictsWindow *self = CDM_SYNC_CONFLICTS_WINDOW (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cdm_sync_conflicts_window_parent_class)->finalize (object);
}

static void
cdm_sync_conflicts_window_class_init (CdmSyncConflictsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_sync_conflicts_window_dispose;
  object_class->finalize = cdm_sync_conflicts_window_finalize;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cdm_sync_conflicts_window_init (CdmSyncConflictsWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *stack_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *conflicts_intro;

  self->cancellable = g_cancellable_new ();
  self->shown_conflicts = self->shown_parked = -1;

  gtk_window_set_title (GTK_WINDOW (self), _("Conflicts and Refused Changes"));
  gtk_window_set_default_size (GTK_WINDOW (self), 720, 560);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);

  gtk_box_append (GTK_BOX (box), header);

  self->empty_page = adw_status_page_new ();
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (self->empty_page), "emblem-ok-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (self->empty_page), _("Nothing to Resolve"));
  adw_status_page_set_description (ADW_STATUS_PAGE (self->empty_page),
                                   _("Every change made here agrees with the server."));
  gtk_widget_set_vexpand (self->empty_page, TRUE);
  gtk_widget_set_visible (self->empty_page, FALSE);

  self->lists = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_margin_top (self->lists, 24);
  gtk_widget_set_margin_bottom (self->lists, 24);
  gtk_widget_set_margin_start (self->lists, 12);
  gtk_widget_set_margin_end (self->lists, 12);

  self->conflicts_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_name (self->conflicts_box, "conflicts");
  conflicts_intro = gtk_label_new (_("Conflicts"));
  gtk_widget_add_css_class (conflicts_intro, "title-2");
  gtk_label_set_xalign (GTK_LABEL (conflicts_intro), 0);
  gtk_box_append (GTK_BOX (self->lists), conflicts_intro);
  g_object_bind_property (self->conflicts_box, "visible", conflicts_intro, "visible", G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (self->lists), self->conflicts_box);

  self->parked_group = adw_preferences_group_new ();
  gtk_widget_set_name (self->parked_group, "parked");
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->parked_group), _("Changes Refused by the Server"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->parked_group),
                                         _("The server said why. Fix the record and discard the refused change, "
                                           "or send it again once the reason is gone. The other changes went on."));
  gtk_box_append (GTK_BOX (self->lists), self->parked_group);

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  adw_clamp_set_child (ADW_CLAMP (clamp), self->lists);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  g_object_bind_property (self->lists, "visible", scrolled, "visible", G_BINDING_SYNC_CREATE);

  gtk_box_append (GTK_BOX (stack_box), self->empty_page);
  gtk_box_append (GTK_BOX (stack_box), scrolled);
  gtk_widget_set_vexpand (stack_box, TRUE);
  gtk_box_append (GTK_BOX (box), stack_box);
  adw_window_set_content (ADW_WINDOW (self), box);
}

/**
 * cdm_sync_conflicts_window_new:
 * @parent: (nullable): the window it is modal to
 *
 * Returns: (transfer none): the window, not yet shown
 */
CdmSyncConflictsWindow *
cdm_sync_conflicts_window_new (GtkWindow         *parent,
                               CdmSyncController *controller)
{
  CdmSyncConflictsWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (controller), NULL);

  self = g_object_new (CDM_TYPE_SYNC_CONFLICTS_WINDOW, "transient-for", parent, NULL);
  self->controller = g_object_ref (controller);
  g_signal_connect (controller, "changed", G_CALLBACK (on_controller_changed), self);
  reload (self);
  return self;
}

gboolean
cdm_sync_conflicts_window_is_loaded (CdmSyncConflictsWindow *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONFLICTS_WINDOW (self), FALSE);
  return self->loaded;
}
