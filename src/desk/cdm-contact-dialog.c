/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contact-dialog.c: the form that logs one contact, or edits one.
 *
 * Channel and service are groups of toggle buttons where exactly one is
 * down; themes are toggles where any may be.  Each is one click, or Tab
 * and Space.  Ctrl+Enter saves from anywhere in the form; a plain Enter
 * saves from a toggle and from the note, and keeps its usual meaning on
 * the rows that open a list or fold out.
 *
 * To edit, the form starts from the stored record and changes only the
 * fields it shows: the id, the times and who logged it stay as they were.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "cdm-contact-dialog.h"
#include "cdm-content-order.h"
#include "cdm-handout.h"
#include "cdm-labels.h"
#include "cdm-search.h"

/* A search entry over partners or the library, with its results below:
 * typing searches (the previous search is cancelled), Down goes to the
 * results, Enter or a click picks one. */
typedef struct {
  CdmContactDialog *self;
  CdmEntity entity;
  GtkSearchEntry *entry;
  GtkListBox *results;
  GCancellable *cancellable;
  /* Enter was pressed before the results came: pick the first. */
  gboolean pick_first;
  /* The text of the search under way, and the one the results are for. */
  char *searched_query;
  char *results_query;
} Picker;

struct _CdmContactDialog
{
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkWidget *save_button;
  GtkFlowBox *theme_box;
  GtkFlowBox *channel_box;
  GtkFlowBox *service_box;
  AdwComboRow *site_row;
  AdwExpanderRow *programme_row;
  AdwComboRow *gender_row;
  AdwComboRow *age_band_row;
  AdwComboRow *region_row;
  GtkSwitch *first_visit_switch;
  AdwEntryRow *note_row;

  /* The buttons and switches, in vocabulary order. */
  GPtrArray *theme_buttons;
  GPtrArray *channel_buttons;
  GPtrArray *service_buttons;
  GPtrArray *programme_switches;

  /* Resources handed over, added from the library's detail window. */
  GPtrArray *resource_ids;
  AdwPreferencesGroup *resources_group;
  AdwPreferencesGroup *handover_group;
  Picker *resource_picker;

  /* Partners the visitor was referred to: ids, and their rows. */
  GPtrArray *referral_ids;
  AdwPreferencesGroup *referrals_group;
  Picker *referral_picker;

  /* Follow-up of a request from a distance (e-mail, call centre, chat). */
  AdwPreferencesGroup *followup_group;
  AdwEntryRow *received_row;
  GtkSwitch *answered_switch;
  AdwEntryRow *answered_row;
  GtkLabel *due_label;
  /* The texts prefilled when editing, to keep the stored times (with
   * their seconds) when they were not changed. */
  char *received_shown;
  char *answered_shown;

  CdmStore *store;
  GCancellable *cancellable;
  gboolean saving;

  /* Editing: the record as loaded, NULL while it loads or when logging. */
  char *edit_id;
  JsonObject *original;
};

G_DEFINE_FINAL_TYPE (CdmContactDialog, cdm_contact_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Adds one toggle per code to @box; with @exclusive the toggles form a
 * group where exactly one is down. */
static GPtrArray *
add_toggles (GtkFlowBox         *box,
             const char         *field,
             const char * const *codes,
             gboolean            exclusive)
{
  GPtrArray *buttons = g_ptr_array_new ();
  GtkToggleButton *group = NULL;

  for (guint i = 0; codes[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%s", field, codes[i]);
      GtkWidget *button = gtk_toggle_button_new_with_label (cdm_label_for_code (field, codes[i]));
      GtkWidget *child;

      gtk_widget_set_name (button, name);
      if (exclusive)
        {
          if (group != NULL)
            gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), group);
          else
            group = GTK_TOGGLE_BUTTON (button);
        }
      gtk_flow_box_append (box, button);
      /* The buttons take the focus, not the flow box's cells: one Tab
       * stop per choice. */
      child = gtk_widget_get_parent (button);
      gtk_widget_set_focusable (child, FALSE);
      g_ptr_array_add (buttons, button);
    }

  return buttons;
}

static void
select_code (GPtrArray          *buttons,
             const char * const *codes,
             const char         *code,
             const char         *fallback)
{
  int index = code != NULL ? cdm_code_index (codes, code) : -1;

  if (index < 0)
    index = cdm_code_index (codes, fallback);
  if (index >= 0)
    gtk_toggle_button_set_active (g_ptr_array_index (buttons, index), TRUE);
}

static const char *
chosen_code (GPtrArray          *buttons,
             const char * const *codes)
{
  for (guint i = 0; i < buttons->len; i++)
    {
      if (gtk_toggle_button_get_active (g_ptr_array_index (buttons, i)))
        return codes[i];
    }
  return NULL;
}

/* A combo row whose first item says the question was not asked. */
static void
fill_combo (AdwComboRow        *row,
            const char         *field,
            const char * const *codes,
            const char         *unset_label)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  if (unset_label != NULL)
    gtk_string_list_append (list, unset_label);
  for (guint i = 0; codes[i] != NULL; i++)
    gtk_string_list_append (list, cdm_label_for_code (field, codes[i]));

  adw_combo_row_set_model (row, G_LIST_MODEL (list));
}

/* The code of a profile combo row, or NULL when not asked. */
static const char *
combo_code (AdwComboRow        *row,
            const char * const *codes)
{
  guint selected = adw_combo_row_get_selected (row);

  if (selected == GTK_INVALID_LIST_POSITION || selected == 0)
    return NULL;
  return codes[selected - 1];
}

static JsonArray *
chosen_codes (GPtrArray          *toggles,
              const char * const *codes,
              gboolean            switches)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < toggles->len; i++)
    {
      gpointer widget = g_ptr_array_index (toggles, i);
      gboolean on = switches ? gtk_switch_get_active (widget)
                             : gtk_toggle_button_get_active (widget);

      if (on)
        json_array_add_string_element (array, codes[i]);
    }
  return array;
}

/* A copy that shares nothing with @object (json_object_ref() would). */
static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(JsonNode) copy = json_from_string (text, NULL);

  return json_node_dup_object (copy);
}

static void add_referral (CdmContactDialog *self,
                          const char       *id,
                          const char       *name);

/* The channels of a request from a distance, answered later. */
static const char * const remote_channels[] = { "email", "call_centre", "chat", NULL };

static gboolean
is_remote (CdmContactDialog *self)
{
  const char *channel = chosen_code (self->channel_buttons, cdm_channels);

  return channel != NULL && g_strv_contains (remote_channels, channel);
}

/* "YYYY-MM-DD HH:MM" in the centre's time zone, as typed; NULL when the
 * text is not that or names no such time. */
static GDateTime *
parse_local_time (CdmContactDialog *self,
                  const char       *text)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (self->store);
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  int year, month, day, hour, minute, end = -1;

  if (sscanf (trimmed, "%4d-%2d-%2d %2d:%2d%n", &year, &month, &day, &hour, &minute, &end) != 5 ||
      end != (int) strlen (trimmed))
    return NULL;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 ||
      hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    return NULL;
  return g_date_time_new (zone, year, month, day, hour, minute, 0);
}

static char *
format_local_time (CdmContactDialog *self,
                   gint64            unix_time)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (self->store);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static void
update_followup (CdmContactDialog *self)
{
  const char *received_text = gtk_editable_get_text (GTK_EDITABLE (self->received_row));
  g_autoptr(GDateTime) received = parse_local_time (self, received_text);
  g_autofree char *due_text = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->followup_group), is_remote (self));
  gtk_widget_set_visible (GTK_WIDGET (self->answered_row),
                          gtk_switch_get_active (self->answered_switch));

  if (received != NULL)
    {
      g_autoptr(GDateTime) due = g_date_time_add_hours (received, 48);
      /* TRANSLATORS: a weekday and a time, as in "Wednesday 14:30" */
      g_autofree char *when = g_date_time_format (due, _("%A %H:%M"));

      /* TRANSLATORS: %s is a weekday and a time */
      due_text = g_strdup_printf (_("Due by %s"), when);
      gtk_widget_remove_css_class (GTK_WIDGET (self->received_row), "error");
    }
  else if (strspn (received_text, " ") == strlen (received_text))
    {
      due_text = g_strdup (_("Type when the request was received, as YYYY-MM-DD HH:MM."));
      gtk_widget_remove_css_class (GTK_WIDGET (self->received_row), "error");
    }
  else
    {
      due_text = g_strdup (_("Type the time received as YYYY-MM-DD HH:MM, for example 2026-03-02 14:30."));
      gtk_widget_add_css_class (GTK_WIDGET (self->received_row), "error");
    }
  gtk_label_set_text (self->due_label, due_text);
}

static void
on_followup_changed (CdmContactDialog *self)
{
  update_followup (self);
}

/* The stored value of a time row: the record's own when the row still
 * shows it (seconds and offset kept), else what is typed; an empty row
 * gives NULL without an error. */
static gboolean
row_time (CdmContactDialog  *self,
          AdwEntryRow       *row,
          const char        *shown,
          const char        *member,
          const char        *label,
          char             **out_text,
          gint64            *out_unix,
          GError           **error)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  g_autoptr(GDateTime) time = NULL;

  *out_text = NULL;
  if (shown != NULL && g_str_equal (text, shown) && self->original != NULL &&
      json_object_has_member (self->original, member) &&
      !json_object_get_null_member (self->original, member))
    {
      const char *stored = json_object_get_string_member (self->original, member);

      if (cdm_parse_timestamp (stored, out_unix, NULL))
        {
          *out_text = g_strdup (stored);
          return TRUE;
        }
    }
  if (trimmed[0] == '\0')
    return TRUE;

  time = parse_local_time (self, trimmed);
  if (time == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* TRANSLATORS: %s is the name of a field, "Received" or "Answered" */
                   _("%s: type the date and time as YYYY-MM-DD HH:MM"), label);
      return FALSE;
    }
  *out_text = g_date_time_format (time, "%Y-%m-%dT%H:%M:%S%:z");
  *out_unix = g_date_time_to_unix (time);
  return TRUE;
}

/* The follow-up times to store, checked; both NULL for a contact that
 * is not a request from a distance. */
static gboolean
followup_times (CdmContactDialog  *self,
                char             **received_at,
                char             **answered_at,
                GError           **error)
{
  gint64 received = 0, answered = 0;

  *received_at = NULL;
  *answered_at = NULL;
  if (!is_remote (self))
    return TRUE;

  if (!row_time (self, self->received_row, self->received_shown, "received_at",
                 _("Received"), received_at, &received, error))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->received_row));
      return FALSE;
    }
  if (!gtk_switch_get_active (self->answered_switch))
    return TRUE;

  if (!row_time (self, self->answered_row, self->answered_shown, "answered_at",
                 C_("follow-up field", "Answered"), answered_at, &answered, error))
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->answered_row));
      goto failed;
    }
  if (*answered_at == NULL)
    {
      g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (self->store);
      g_autoptr(GDateTime) now = g_date_time_new_now (zone);

      *answered_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z");
      answered = g_date_time_to_unix (now);
    }
  if (*received_at == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Received: say when the request came before it is answered"));
      gtk_widget_grab_focus (GTK_WIDGET (self->received_row));
      goto failed;
    }
  if (answered < received)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("Answered: a request cannot be answered before it was received"));
      gtk_widget_grab_focus (GTK_WIDGET (self->answered_row));
      goto failed;
    }
  return TRUE;

failed:
  g_clear_pointer (received_at, g_free);
  g_clear_pointer (answered_at, g_free);
  return FALSE;
}

static void
picker_clear_results (Picker *picker)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (picker->results))) != NULL)
    gtk_list_box_remove (picker->results, child);
  gtk_widget_set_visible (GTK_WIDGET (picker->results), FALSE);
}

static void
picker_pick (Picker        *picker,
             GtkListBoxRow *row)
{
  CdmContactDialog *self = picker->self;
  g_autofree char *id = g_strdup (g_object_get_data (G_OBJECT (row), "hit-id"));
  g_autofree char *title = g_strdup (g_object_get_data (G_OBJECT (row), "hit-title"));

  if (picker->entity == CDM_ENTITY_ORGANISATION)
    add_referral (self, id, title);
  else
    cdm_contact_dialog_add_resource (self, id, title);

  /* Ready for the next one. */
  g_cancellable_cancel (picker->cancellable);
  picker->pick_first = FALSE;
  /* Only hidden: @row may be in the middle of its activation. */
  gtk_widget_set_visible (GTK_WIDGET (picker->results), FALSE);
  g_clear_pointer (&picker->results_query, g_free);
  gtk_editable_set_text (GTK_EDITABLE (picker->entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (picker->entry));
}

static void
on_picker_search_done (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = cdm_search_finish (CDM_STORE (source), result, &error);
  Picker *picker;

  /* Cancelled: a newer search, or the form closed (@user_data is gone). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  picker = user_data;
  picker_clear_results (picker);
  g_free (picker->results_query);
  picker->results_query = g_strdup (picker->searched_query);
  if (hits == NULL)
    {
      g_warning ("Search failed: %s", error->message);
      return;
    }

  /* A partner that no longer works with the centre is rarely where a
   * visitor is sent, but a counsellor who types its name should learn
   * why it is not offered first: it comes last, marked. */
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
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          if (hit->detail != NULL)
            adw_action_row_set_subtitle (ADW_ACTION_ROW (row), hit->detail);
          if (hit->inactive)
            {
              GtkWidget *tag = gtk_label_new (hit->entity == CDM_ENTITY_RESOURCE
                                              ? C_("resource", "Inactive") : C_("partner", "Inactive"));

              gtk_widget_set_name (tag, "inactive-tag");
              gtk_widget_add_css_class (tag, "caption");
              gtk_widget_add_css_class (tag, "dim-label");
              adw_action_row_add_suffix (ADW_ACTION_ROW (row), tag);
              gtk_widget_add_css_class (row, "dim-label");
            }
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          g_object_set_data_full (G_OBJECT (row), "hit-id", g_strdup (hit->id), g_free);
          g_object_set_data_full (G_OBJECT (row), "hit-title", g_strdup (title), g_free);
          gtk_list_box_append (picker->results, row);
        }
    }
  gtk_widget_set_visible (GTK_WIDGET (picker->results), hits->len > 0);

  if (picker->pick_first && hits->len > 0)
    picker_pick (picker, gtk_list_box_get_row_at_index (picker->results, 0));
  picker->pick_first = FALSE;
}

static void
picker_search (Picker *picker)
{
  CdmContactDialog *self = picker->self;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (picker->entry));

  g_cancellable_cancel (picker->cancellable);
  g_clear_object (&picker->cancellable);
  if (text[0] == '\0')
    {
      picker->pick_first = FALSE;
      gtk_widget_set_visible (GTK_WIDGET (picker->results), FALSE);
      return;
    }
  g_free (picker->searched_query);
  picker->searched_query = g_strdup (text);
  picker->cancellable = g_cancellable_new ();
  cdm_search_async (self->store, picker->entity, text, 8, picker->cancellable,
                    on_picker_search_done, picker);
}

static void
on_picker_search_changed (GtkSearchEntry *entry,
                          Picker         *picker)
{
  picker_search (picker);
}

/* Enter: the first result; the search runs now if it has not yet. */
static void
on_picker_activate (GtkSearchEntry *entry,
                    Picker         *picker)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (picker->results, 0);

  if (first != NULL && gtk_widget_get_visible (GTK_WIDGET (picker->results)) &&
      g_strcmp0 (picker->results_query, gtk_editable_get_text (GTK_EDITABLE (picker->entry))) == 0)
    {
      picker_pick (picker, first);
      return;
    }
  picker->pick_first = TRUE;
  picker_search (picker);
}

static void
on_picker_row_activated (GtkListBox    *box,
                         GtkListBoxRow *row,
                         Picker        *picker)
{
  picker_pick (picker, row);
}

/* Down goes from the entry to the results. */
static gboolean
on_picker_key_pressed (GtkEventControllerKey *controller,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       Picker                *picker)
{
  GtkListBoxRow *first;

  if (keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down)
    return FALSE;
  first = gtk_list_box_get_row_at_index (picker->results, 0);
  if (first == NULL || !gtk_widget_get_visible (GTK_WIDGET (picker->results)))
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (first));
  return TRUE;
}

/* Up from the first result goes back to the entry. */
static gboolean
on_results_key_pressed (GtkEventControllerKey *controller,
                        guint                  keyval,
                        guint                  keycode,
                        GdkModifierType        state,
                        Picker                *picker)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (picker->results)));
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (picker->results, 0);

  if ((keyval != GDK_KEY_Up && keyval != GDK_KEY_KP_Up) || first == NULL ||
      focus == NULL || !(focus == GTK_WIDGET (first) || gtk_widget_is_ancestor (focus, GTK_WIDGET (first))))
    return FALSE;
  gtk_widget_grab_focus (GTK_WIDGET (picker->entry));
  return TRUE;
}

static Picker *
picker_new (CdmContactDialog    *self,
            AdwPreferencesGroup *group,
            CdmEntity            entity,
            const char          *name,
            const char          *placeholder)
{
  Picker *picker = g_new0 (Picker, 1);
  g_autofree char *entry_name = g_strdup_printf ("%s-search", name);
  g_autofree char *results_name = g_strdup_printf ("%s-results", name);
  GtkEventController *keys;

  picker->self = self;
  picker->entity = entity;
  picker->entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_widget_set_name (GTK_WIDGET (picker->entry), entry_name);
  /* Apart from the rows already picked above it. */
  gtk_widget_set_margin_top (GTK_WIDGET (picker->entry), 6);
  g_object_set (picker->entry, "placeholder-text", placeholder, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picker->entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, placeholder,
                                  -1);
  g_signal_connect (picker->entry, "search-changed", G_CALLBACK (on_picker_search_changed), picker);
  g_signal_connect (picker->entry, "activate", G_CALLBACK (on_picker_activate), picker);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_picker_key_pressed), picker);
  gtk_widget_add_controller (GTK_WIDGET (picker->entry), keys);

  picker->results = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_set_name (GTK_WIDGET (picker->results), results_name);
  gtk_list_box_set_selection_mode (picker->results, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (picker->results), "boxed-list");
  gtk_widget_set_margin_top (GTK_WIDGET (picker->results), 6);
  gtk_widget_set_visible (GTK_WIDGET (picker->results), FALSE);
  g_signal_connect (picker->results, "row-activated", G_CALLBACK (on_picker_row_activated), picker);
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_results_key_pressed), picker);
  gtk_widget_add_controller (GTK_WIDGET (picker->results), keys);

  adw_preferences_group_add (group, GTK_WIDGET (picker->entry));
  adw_preferences_group_add (group, GTK_WIDGET (picker->results));
  return picker;
}

static void
picker_free (Picker *picker)
{
  g_cancellable_cancel (picker->cancellable);
  g_clear_object (&picker->cancellable);
  g_free (picker->searched_query);
  g_free (picker->results_query);
  g_free (picker);
}

static JsonObject *
build_record (CdmContactDialog *self,
              const char       *received_at,
              const char       *answered_at)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) profile = NULL;
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->note_row))));
  guint site = adw_combo_row_get_selected (self->site_row);
  JsonArray *programmes;
  const struct {
    const char *name;
    AdwComboRow *row;
    const char * const *codes;
  } items[] = {
    { "gender", self->gender_row, cdm_genders },
    { "age_band", self->age_band_row, cdm_age_bands },
    { "region", self->region_row, cdm_regions },
  };

  if (self->original != NULL)
    {
      const char * const meta[] = { "version", "updated_at", "updated_by", "deleted" };

      /* Everything the form does not show is kept as it was. */
      record = copy_object (self->original);
      for (guint i = 0; i < G_N_ELEMENTS (meta); i++)
        json_object_remove_member (record, meta[i]);
      if (json_object_has_member (record, "profile") &&
          JSON_NODE_HOLDS_OBJECT (json_object_get_member (record, "profile")))
        profile = json_object_ref (json_object_get_object_member (record, "profile"));
      else
        profile = json_object_new ();
      json_object_remove_member (record, "profile");
    }
  else
    {
      g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (self->store);
      g_autoptr(GDateTime) now = g_date_time_new_now (zone);
      g_autofree char *occurred_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z");

      record = json_object_new ();
      profile = json_object_new ();
      json_object_set_string_member (record, "occurred_at", occurred_at);
    }

  json_object_set_string_member (record, "site",
                                 cdm_sites[site != GTK_INVALID_LIST_POSITION ? site : 0]);
  json_object_set_string_member (record, "service", chosen_code (self->service_buttons, cdm_services));
  json_object_set_string_member (record, "channel", chosen_code (self->channel_buttons, cdm_channels));
  json_object_set_array_member (record, "themes", chosen_codes (self->theme_buttons, cdm_themes, FALSE));
  programmes = chosen_codes (self->programme_switches, cdm_programmes, TRUE);
  json_object_set_array_member (record, "programmes", programmes);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      const char *code = combo_code (items[i].row, items[i].codes);

      if (code != NULL)
        json_object_set_string_member (profile, items[i].name, code);
      else
        json_object_remove_member (profile, items[i].name);
    }
  /* Only a "yes" was said; an untouched switch is "not asked".  A "no"
   * stored by another desk stays while the switch is off. */
  if (gtk_switch_get_active (self->first_visit_switch))
    json_object_set_boolean_member (profile, "first_visit", TRUE);
  else if (json_object_has_member (profile, "first_visit") &&
           json_object_get_boolean_member (profile, "first_visit"))
    json_object_remove_member (profile, "first_visit");
  if (json_object_get_size (profile) > 0)
    json_object_set_object_member (record, "profile", g_steal_pointer (&profile));

  json_object_remove_member (record, "note");
  if (note[0] != '\0')
    json_object_set_string_member (record, "note", note);

  json_object_remove_member (record, "resources");
  if (self->resource_ids->len > 0)
    {
      JsonArray *resources = json_array_new ();

      for (guint i = 0; i < self->resource_ids->len; i++)
        json_array_add_string_element (resources, g_ptr_array_index (self->resource_ids, i));
      json_object_set_array_member (record, "resources", resources);
    }

  json_object_remove_member (record, "referrals");
  if (self->referral_ids->len > 0)
    {
      JsonArray *referrals = json_array_new ();

      for (guint i = 0; i < self->referral_ids->len; i++)
        json_array_add_string_element (referrals, g_ptr_array_index (self->referral_ids, i));
      json_object_set_array_member (record, "referrals", referrals);
    }

  /* Only a request from a distance has them (followup_times()). */
  json_object_remove_member (record, "received_at");
  json_object_remove_member (record, "answered_at");
  if (received_at != NULL)
    json_object_set_string_member (record, "received_at", received_at);
  if (answered_at != NULL)
    json_object_set_string_member (record, "answered_at", answered_at);

  return g_steal_pointer (&record);
}

static void
set_saving (CdmContactDialog *self,
            gboolean          saving)
{
  self->saving = saving;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contact.save", !saving);
}

static void
on_put_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CdmContactDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  id = cdm_store_put_finish (CDM_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_saving (self, FALSE);

  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The contact was not saved: %s"), error->message);
      AdwToast *toast = adw_toast_new (message);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  g_signal_emit (self, signals[SAVED], 0, id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save (CdmContactDialog *self)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received_at = NULL;
  g_autofree char *answered_at = NULL;

  if (self->saving)
    return;
  /* Editing, the record must be read before it can be written. */
  if (self->edit_id != NULL && self->original == NULL)
    return;

  if (!followup_times (self, &received_at, &answered_at, &error))
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  record = build_record (self, received_at, answered_at);
  set_saving (self, TRUE);
  cdm_store_put_async (self->store, CDM_ENTITY_CONTACT, record, self->cancellable,
                       on_put_done, g_object_ref (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  save (CDM_CONTACT_DIALOG (widget));
}

static void
on_note_row_entry_activated (CdmContactDialog *self,
                             AdwEntryRow      *row)
{
  save (self);
}

static gboolean
is_choice_toggle (CdmContactDialog *self,
                  GtkWidget        *widget)
{
  GPtrArray *groups[] = { self->theme_buttons, self->channel_buttons, self->service_buttons };

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      if (g_ptr_array_find (groups[i], widget, NULL))
        return TRUE;
    }
  return FALSE;
}

/* Runs before the focused widget sees the key: a toggle would otherwise
 * take Enter as a click. */
static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                gpointer               user_data)
{
  CdmContactDialog *self = user_data;
  GdkModifierType modifiers = state & gtk_accelerator_get_default_mod_mask ();
  GtkWidget *focus;

  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;

  if (modifiers == GDK_CONTROL_MASK)
    {
      save (self);
      return TRUE;
    }

  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (modifiers == 0 && focus != NULL && is_choice_toggle (self, focus))
    {
      save (self);
      return TRUE;
    }

  return FALSE;
}

static void
cdm_contact_dialog_dispose (GObject *object)
{
  CdmContactDialog *self = CDM_CONTACT_DIALOG (object);

  /* A save in flight completes in the store; only its answer is dropped. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->referral_picker, picker_free);
  g_clear_pointer (&self->resource_picker, picker_free);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_CONTACT_DIALOG);

  G_OBJECT_CLASS (cdm_contact_dialog_parent_class)->dispose (object);
}

static void
cdm_contact_dialog_finalize (GObject *object)
{
  CdmContactDialog *self = CDM_CONTACT_DIALOG (object);

  g_ptr_array_unref (self->theme_buttons);
  g_ptr_array_unref (self->channel_buttons);
  g_ptr_array_unref (self->service_buttons);
  g_ptr_array_unref (self->programme_switches);
  g_ptr_array_unref (self->resource_ids);
  g_ptr_array_unref (self->referral_ids);
  g_free (self->received_shown);
  g_free (self->answered_shown);
  g_free (self->edit_id);
  g_clear_pointer (&self->original, json_object_unref);

  G_OBJECT_CLASS (cdm_contact_dialog_parent_class)->finalize (object);
}

static void
find_partner_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CdmContactDialog *self = CDM_CONTACT_DIALOG (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->referral_picker->entry));
}

static void
cdm_contact_dialog_class_init (CdmContactDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_contact_dialog_dispose;
  object_class->finalize = cdm_contact_dialog_finalize;

  /**
   * CdmContactDialog::saved:
   * @id: the id of the new, or edited, contact
   *
   * The contact is in the store; the dialog closes right after.  When
   * editing, cdm_contact_dialog_get_original() still gives the record as
   * it was.
   */
  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-contact-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, theme_box);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, channel_box);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, service_box);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, site_row);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, programme_row);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, gender_row);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, age_band_row);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, region_row);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, first_visit_switch);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, note_row);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, referrals_group);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, handover_group);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, followup_group);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, received_row);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, answered_switch);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, answered_row);
  gtk_widget_class_bind_template_child (widget_class, CdmContactDialog, due_label);
  gtk_widget_class_bind_template_callback (widget_class, on_note_row_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_followup_changed);

  gtk_widget_class_install_action (widget_class, "contact.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_install_action (widget_class, "contact.find-partner", NULL, find_partner_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "contact.find-partner", NULL);
}

static void
cdm_contact_dialog_init (CdmContactDialog *self)
{
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->resource_ids = g_ptr_array_new_with_free_func (g_free);
  self->referral_ids = g_ptr_array_new_with_free_func (g_free);
  self->theme_buttons = add_toggles (self->theme_box, "themes", cdm_themes, FALSE);
  self->channel_buttons = add_toggles (self->channel_box, "channel", cdm_channels, TRUE);
  self->service_buttons = add_toggles (self->service_box, "service", cdm_services, TRUE);
  for (guint i = 0; i < self->channel_buttons->len; i++)
    g_signal_connect_swapped (g_ptr_array_index (self->channel_buttons, i), "toggled",
                              G_CALLBACK (update_followup), self);
  self->referral_picker = picker_new (self, self->referrals_group, CDM_ENTITY_ORGANISATION,
                                      "referral", _("Search partners (Ctrl+R)"));
  self->resource_picker = picker_new (self, self->handover_group, CDM_ENTITY_RESOURCE,
                                      "resource", _("Search the library"));

  self->programme_switches = g_ptr_array_new ();
  for (guint i = 0; cdm_programmes[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("programmes-%s", cdm_programmes[i]);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *toggle = gtk_switch_new ();

      gtk_widget_set_name (toggle, name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (toggle),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      cdm_label_for_code ("programmes", cdm_programmes[i]),
                                      -1);
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     cdm_label_for_code ("programmes", cdm_programmes[i]));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
      adw_expander_row_add_row (self->programme_row, row);
      g_ptr_array_add (self->programme_switches, toggle);
    }

  fill_combo (self->site_row, "site", cdm_sites, NULL);
  fill_combo (self->gender_row, "gender", cdm_genders, _("Not asked"));
  fill_combo (self->age_band_row, "age_band", cdm_age_bands, _("Not asked"));
  fill_combo (self->region_row, "region", cdm_regions, _("Not asked"));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

/**
 * cdm_contact_dialog_new:
 * @parent: the window it is modal to
 * @store: where the contact goes
 *
 * Returns: (transfer none): the dialog, not yet shown
 */
CdmContactDialog *
cdm_contact_dialog_new (GtkWindow *parent,
                        CdmStore  *store)
{
  CdmContactDialog *self;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *site = NULL;
  g_autofree char *channel = NULL;
  int site_index;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  self = g_object_new (CDM_TYPE_CONTACT_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->store = g_object_ref (store);

  /* The desk's usual answers, from its preferences. */
  settings = g_settings_new (APP_ID);
  site = g_settings_get_string (settings, "site");
  channel = g_settings_get_string (settings, "default-channel");
  site_index = site != NULL ? cdm_code_index (cdm_sites, site) : -1;
  adw_combo_row_set_selected (self->site_row, site_index >= 0 ? (guint) site_index : 0);
  select_code (self->channel_buttons, cdm_channels, channel, "in_person");
  select_code (self->service_buttons, cdm_services, NULL, "individual_advice");
  {
    g_autofree char *now = format_local_time (self, g_get_real_time () / G_USEC_PER_SEC);

    gtk_editable_set_text (GTK_EDITABLE (self->received_row), now);
  }
  update_followup (self);

  /* The first Tab stop is the first theme: most contacts need nothing else. */
  gtk_widget_grab_focus (g_ptr_array_index (self->theme_buttons, 0));

  return self;
}

typedef struct {
  JsonObject *record;
  /* The titles of its resources, in the record's order. */
  GPtrArray *titles;
  /* The names of the partners it was referred to, likewise, and each
   * one's {fr, nl, en}, chosen from on the main thread. */
  GPtrArray *names;
  GPtrArray *name_variants;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_pointer (&loaded->record, json_object_unref);
  g_clear_pointer (&loaded->titles, g_ptr_array_unref);
  g_clear_pointer (&loaded->names, g_ptr_array_unref);
  g_clear_pointer (&loaded->name_variants, g_ptr_array_unref);
  g_free (loaded);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CdmStore *store = source_object;
  GError *error = NULL;
  Loaded *loaded = g_new0 (Loaded, 1);

  loaded->titles = g_ptr_array_new_with_free_func (g_free);
  loaded->names = g_ptr_array_new_with_free_func (g_free);
  loaded->name_variants = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  loaded->record = cdm_store_get (store, CDM_ENTITY_CONTACT, task_data, FALSE, &error);
  if (loaded->record == NULL)
    {
      loaded_free (loaded);
      g_task_return_error (task, error);
      return;
    }

  if (json_object_has_member (loaded->record, "resources") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (loaded->record, "resources")))
    {
      JsonArray *resources = json_object_get_array_member (loaded->record, "resources");

      for (guint i = 0; i < json_array_get_length (resources); i++)
        {
          const char *id = json_array_get_string_element (resources, i);
          /* A resource removed since is still named, by its old title. */
          g_autoptr(JsonObject) resource = cdm_store_get (store, CDM_ENTITY_RESOURCE, id, TRUE, NULL);
          const char *title = resource != NULL && json_object_has_member (resource, "title")
                              ? json_object_get_string_member (resource, "title") : NULL;

          g_ptr_array_add (loaded->titles, g_strdup (title != NULL ? title : id));
        }
    }

  if (json_object_has_member (loaded->record, "referrals") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (loaded->record, "referrals")))
    {
      JsonArray *referrals = json_object_get_array_member (loaded->record, "referrals");
      const char * const languages[] = { "fr", "nl", "en" };

      for (guint i = 0; i < json_array_get_length (referrals); i++)
        {
          const char *id = json_array_get_string_element (referrals, i);
          /* A partner removed since is still named, by its old name. */
          g_autoptr(JsonObject) partner = cdm_store_get (store, CDM_ENTITY_ORGANISATION, id, TRUE, NULL);
          JsonNode *node = partner != NULL ? json_object_get_member (partner, "name") : NULL;
          JsonObject *names = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          const char *name = NULL;

          for (guint j = 0; names != NULL && name == NULL && j < G_N_ELEMENTS (languages); j++)
            {
              JsonNode *value = json_object_get_member (names, languages[j]);

              if (value != NULL && JSON_NODE_HOLDS_VALUE (value))
                name = json_node_get_string (value);
            }
          g_ptr_array_add (loaded->names, g_strdup (name != NULL ? name : id));
          g_ptr_array_add (loaded->name_variants, names != NULL ? json_object_ref (names) : json_object_new ());
        }
    }

  g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

/* Turns on the toggles (or switches) of the codes in @record's @field. */
static gboolean
select_codes (GPtrArray          *toggles,
              const char * const *codes,
              JsonObject         *record,
              const char         *field,
              gboolean            switches)
{
  JsonNode *node = json_object_get_member (record, field);
  JsonArray *array = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  gboolean any = FALSE;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      int index = cdm_code_index (codes, json_array_get_string_element (array, i));

      if (index < 0)
        continue;
      if (switches)
        gtk_switch_set_active (g_ptr_array_index (toggles, index), TRUE);
      else
        gtk_toggle_button_set_active (g_ptr_array_index (toggles, index), TRUE);
      any = TRUE;
    }
  return any;
}

static void
fill_form (CdmContactDialog *self,
           JsonObject       *record,
           GPtrArray        *titles,
           GPtrArray        *names)
{
  JsonNode *profile_node = json_object_get_member (record, "profile");
  JsonObject *profile = profile_node != NULL && JSON_NODE_HOLDS_OBJECT (profile_node)
                        ? json_node_get_object (profile_node) : NULL;
  const char *note = member_string (record, "note");
  int site_index = cdm_code_index (cdm_sites, member_string (record, "site"));
  const struct {
    const char *name;
    AdwComboRow *row;
    const char * const *codes;
  } items[] = {
    { "gender", self->gender_row, cdm_genders },
    { "age_band", self->age_band_row, cdm_age_bands },
    { "region", self->region_row, cdm_regions },
  };

  select_codes (self->theme_buttons, cdm_themes, record, "themes", FALSE);
  select_code (self->channel_buttons, cdm_channels, member_string (record, "channel"), "in_person");
  select_code (self->service_buttons, cdm_services, member_string (record, "service"), "individual_advice");
  if (site_index >= 0)
    adw_combo_row_set_selected (self->site_row, (guint) site_index);
  if (select_codes (self->programme_switches, cdm_programmes, record, "programmes", TRUE))
    adw_expander_row_set_expanded (self->programme_row, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      int index = cdm_code_index (items[i].codes, member_string (profile, items[i].name));

      adw_combo_row_set_selected (items[i].row, index >= 0 ? (guint) index + 1 : 0);
    }
  gtk_switch_set_active (self->first_visit_switch,
                         profile != NULL && json_object_has_member (profile, "first_visit") &&
                         json_object_get_boolean_member (profile, "first_visit"));

  gtk_editable_set_text (GTK_EDITABLE (self->note_row), note != NULL ? note : "");

  if (json_object_has_member (record, "resources") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (record, "resources")))
    {
      JsonArray *resources = json_object_get_array_member (record, "resources");

      for (guint i = 0; i < json_array_get_length (resources) && i < titles->len; i++)
        cdm_contact_dialog_add_resource (self, json_array_get_string_element (resources, i),
                                         g_ptr_array_index (titles, i));
    }

  if (json_object_has_member (record, "referrals") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (record, "referrals")))
    {
      JsonArray *referrals = json_object_get_array_member (record, "referrals");

      for (guint i = 0; i < json_array_get_length (referrals) && i < names->len; i++)
        add_referral (self, json_array_get_string_element (referrals, i),
                      g_ptr_array_index (names, i));
    }

  /* The follow-up as stored; no time is made up for an older record. */
  {
    const char *received_at = member_string (record, "received_at");
    const char *answered_at = member_string (record, "answered_at");
    gint64 when;

    g_clear_pointer (&self->received_shown, g_free);
    g_clear_pointer (&self->answered_shown, g_free);
    if (received_at != NULL && cdm_parse_timestamp (received_at, &when, NULL))
      self->received_shown = format_local_time (self, when);
    gtk_editable_set_text (GTK_EDITABLE (self->received_row),
                           self->received_shown != NULL ? self->received_shown : "");
    if (answered_at != NULL && cdm_parse_timestamp (answered_at, &when, NULL))
      {
        self->answered_shown = format_local_time (self, when);
        gtk_editable_set_text (GTK_EDITABLE (self->answered_row), self->answered_shown);
        gtk_switch_set_active (self->answered_switch, TRUE);
      }
    update_followup (self);
  }
}

static void
on_load_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CdmContactDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  Loaded *loaded = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (loaded == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The contact could not be read: %s"), error->message);
      AdwToast *toast = adw_toast_new (message);

      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  /* Partners' names in the desk's content language order. */
  for (guint i = 0; i < loaded->names->len && i < loaded->name_variants->len; i++)
    {
      const char *name = cdm_content_pick_object (g_ptr_array_index (loaded->name_variants, i));

      if (name != NULL)
        {
          g_free (g_ptr_array_index (loaded->names, i));
          g_ptr_array_index (loaded->names, i) = g_strdup (name);
        }
    }

  /* The loaded record goes in last, so that save() waits for the form. */
  fill_form (self, loaded->record, loaded->titles, loaded->names);
  self->original = g_steal_pointer (&loaded->record);
  loaded_free (loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contact.save", TRUE);
}

/**
 * cdm_contact_dialog_new_for_contact:
 * @parent: the window it is modal to
 * @store: where the contact is
 * @id: the contact's id
 *
 * The form to edit a logged contact.  It reads the contact in a worker
 * thread and can save once the form shows it; saving keeps its id and
 * times and emits ::saved.
 *
 * Returns: (transfer none): the dialog, not yet shown
 */
CdmContactDialog *
cdm_contact_dialog_new_for_contact (GtkWindow  *parent,
                                    CdmStore   *store,
                                    const char *id)
{
  CdmContactDialog *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  self = cdm_contact_dialog_new (parent, store);
  self->edit_id = g_strdup (id);
  gtk_window_set_title (GTK_WINDOW (self), _("Edit Contact"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contact.save", FALSE);
  /* The form shows the record's choices, not the desk's usual ones. */
  for (guint i = 0; i < self->theme_buttons->len; i++)
    gtk_toggle_button_set_active (g_ptr_array_index (self->theme_buttons, i), FALSE);

  task = g_task_new (store, self->cancellable, on_load_done, g_object_ref (self));
  g_task_set_source_tag (task, cdm_contact_dialog_new_for_contact);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_task_run_in_thread (task, load_thread);

  return self;
}

/**
 * cdm_contact_dialog_get_original:
 *
 * Returns: (transfer none) (nullable): the contact as it was read for
 *   editing, with its "version"; %NULL when logging a new one
 */
JsonObject *
cdm_contact_dialog_get_original (CdmContactDialog *self)
{
  g_return_val_if_fail (CDM_IS_CONTACT_DIALOG (self), NULL);

  return self->original;
}

static void
on_remove_resource_clicked (GtkButton        *button,
                            CdmContactDialog *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ACTION_ROW);
  const char *id = g_object_get_data (G_OBJECT (row), "resource-id");

  for (guint i = 0; i < self->resource_ids->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->resource_ids, i), id))
        {
          g_ptr_array_remove_index (self->resource_ids, i);
          break;
        }
    }
  adw_preferences_group_remove (self->resources_group, row);
  gtk_widget_set_visible (GTK_WIDGET (self->resources_group), self->resource_ids->len > 0);
}

static void
on_handout_printed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CdmContactDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cdm_handout_print_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("The handout could not be printed: %s"),
                                                  error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
    }
}

/* The paper the visitor takes home: the resources handed over. */
static void
on_print_handout_clicked (GtkButton        *button,
                          CdmContactDialog *self)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  if (self->resource_ids->len == 0)
    return;

  for (guint i = 0; i < self->resource_ids->len; i++)
    g_ptr_array_add (ids, g_ptr_array_index (self->resource_ids, i));
  g_ptr_array_add (ids, NULL);

  cdm_handout_print_async (self->store, (const char * const *) ids->pdata, GTK_WINDOW (self),
                           NULL, NULL, on_handout_printed, g_object_ref (self));
}

void
cdm_contact_dialog_add_resource (CdmContactDialog *self,
                                 const char       *id,
                                 const char       *title)
{
  GtkWidget *row, *button;
  g_autofree char *what = NULL;

  g_return_if_fail (CDM_IS_CONTACT_DIALOG (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (title != NULL);

  for (guint i = 0; i < self->resource_ids->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->resource_ids, i), id))
        return;
    }

  /* The group appears with the first resource. */
  if (self->resources_group == NULL)
    {
      GtkWidget *note_group = gtk_widget_get_ancestor (GTK_WIDGET (self->note_row),
                                                       ADW_TYPE_PREFERENCES_GROUP);

      self->resources_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      gtk_widget_set_name (GTK_WIDGET (self->resources_group), "resources");
      adw_preferences_group_set_title (self->resources_group, _("Handed Over"));
      {
        GtkWidget *print = gtk_button_new_with_mnemonic (_("_Print for the Visitor"));

        gtk_widget_set_name (print, "print-handout");
        gtk_widget_set_valign (print, GTK_ALIGN_CENTER);
        gtk_widget_set_tooltip_text (print, _("Print the list of these resources for the visitor to take home"));
        g_signal_connect (print, "clicked", G_CALLBACK (on_print_handout_clicked), self);
        adw_preferences_group_set_header_suffix (self->resources_group, print);
      }
      /* At the top: it is why the form was opened. */
      gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (note_group)),
                                  GTK_WIDGET (self->resources_group), NULL);
    }

  g_ptr_array_add (self->resource_ids, g_strdup (id));

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  g_object_set_data_full (G_OBJECT (row), "resource-id", g_strdup (id), g_free);
  button = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  /* TRANSLATORS: a button's name; %s is a resource's title */
  what = g_strdup_printf (_("Remove %s"), title);
  gtk_widget_set_tooltip_text (button, what);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, what,
                                  -1);
  g_signal_connect (button, "clicked", G_CALLBACK (on_remove_resource_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (self->resources_group, row);
  gtk_widget_set_visible (GTK_WIDGET (self->resources_group), TRUE);
}

static void
on_remove_referral_clicked (GtkButton        *button,
                            CdmContactDialog *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ACTION_ROW);
  const char *id = g_object_get_data (G_OBJECT (row), "referral-id");

  for (guint i = 0; i < self->referral_ids->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->referral_ids, i), id))
        {
          g_ptr_array_remove_index (self->referral_ids, i);
          break;
        }
    }
  /* The focus goes back to the search, not to the top of the form. */
  gtk_widget_grab_focus (GTK_WIDGET (self->referral_picker->entry));
  adw_preferences_group_remove (self->referrals_group, row);
}

/* One row per partner, like the resources handed over; a partner picked
 * twice is listed once. */
static void
add_referral (CdmContactDialog *self,
              const char       *id,
              const char       *name)
{
  GtkWidget *row, *button;
  g_autofree char *what = NULL;

  for (guint i = 0; i < self->referral_ids->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->referral_ids, i), id))
        return;
    }

  g_ptr_array_add (self->referral_ids, g_strdup (id));

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  g_object_set_data_full (G_OBJECT (row), "referral-id", g_strdup (id), g_free);
  button = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  /* TRANSLATORS: a button's name; %s is a partner's name */
  what = g_strdup_printf (_("Remove %s"), name);
  gtk_widget_set_tooltip_text (button, what);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, what,
                                  -1);
  g_signal_connect (button, "clicked", G_CALLBACK (on_remove_referral_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (self->referrals_group, row);
}
