/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-partner-editor.c: a form to create or edit a partner organisation.
 *
 * Editing starts from the stored record, read in a worker thread, and
 * changes only the fields of the form, so that members it does not show
 * are written back unchanged.  Contact people are rows that fold out to
 * their name, role, phone and e-mail; they are checked before anything is
 * written (a name, an e-mail that looks like one), each fault said under
 * the person's fields.  When the store refuses the record (a language
 * code it does not know, say), its message shows above the form, which
 * stays open.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-labels.h"
#include "cdm-partner-editor.h"

struct _CdmPartnerEditor
{
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkLabel *error_label;
  AdwEntryRow *name_fr_row;
  AdwEntryRow *name_nl_row;
  AdwEntryRow *name_en_row;
  AdwEntryRow *acronym_row;
  AdwComboRow *circle_row;
  AdwComboRow *kind_row;
  GtkFlowBox *themes_box;
  AdwEntryRow *languages_row;
  AdwEntryRow *address_row;
  AdwEntryRow *phone_row;
  AdwEntryRow *email_row;
  AdwEntryRow *website_row;
  AdwEntryRow *hours_row;
  GtkFlowBox *days_box;
  AdwEntryRow *notes_row;
  GtkSwitch *active_switch;
  AdwPreferencesGroup *people_group;
  GtkWidget *add_person_button;
  GPtrArray *people;            /* Person, in the order shown */
  gboolean people_error;        /* the message above is about them */

  GtkToggleButton *theme_buttons[8];
  GtkToggleButton *day_buttons[7];

  CdmStore *store;
  char *partner_id;             /* NULL for a new partner */
  JsonObject *record;           /* the stored record being edited */
  GCancellable *cancellable;
  gboolean saving;
};

G_DEFINE_FINAL_TYPE (CdmPartnerEditor, cdm_partner_editor, ADW_TYPE_WINDOW)

/* One contact person's rows; the widgets belong to people_group. */
typedef struct {
  CdmPartnerEditor *editor;
  GtkWidget *expander;
  AdwEntryRow *name_row;
  AdwEntryRow *role_row;
  AdwEntryRow *phone_row;
  AdwEntryRow *email_row;
  GtkWidget *error_row;
  GtkLabel *error_label;
} Person;

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (CdmPartnerEditor *self,
            const char       *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
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

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (node), value) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
show_codes (GtkToggleButton    **buttons,
            const char * const  *codes,
            JsonArray           *array)
{
  for (guint i = 0; codes[i] != NULL; i++)
    gtk_toggle_button_set_active (buttons[i], array_has_string (array, codes[i]));
}

static JsonArray *
read_codes (GtkToggleButton    **buttons,
            const char * const  *codes)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; codes[i] != NULL; i++)
    if (gtk_toggle_button_get_active (buttons[i]))
      json_array_add_string_element (array, codes[i]);
  return array;
}

/* Whether @text looks like an e-mail address: something, one @, and a
 * domain with a dot.  The mail program says the rest. */
static gboolean
is_email (const char *text)
{
  return g_regex_match_simple ("^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$", text, 0, 0);
}

static void
person_show_error (Person     *person,
                   const char *message)
{
  gtk_label_set_text (person->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (person->error_row, message != NULL);
  if (message == NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (person->name_row), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (person->email_row), "error");
    }
}

/* The row folded shows who it is: the name, the role under it. */
static void
on_person_changed (Person *person)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (person->name_row));
  const char *role = gtk_editable_get_text (GTK_EDITABLE (person->role_row));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (person->expander),
                                 name[0] != '\0' ? name : _("New contact person"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (person->expander), role);
  /* What was said is about what the person has now changed. */
  if (gtk_widget_get_visible (person->error_row))
    {
      CdmPartnerEditor *self = person->editor;
      gboolean any = FALSE;

      person_show_error (person, NULL);
      for (guint i = 0; i < self->people->len && !any; i++)
        any = gtk_widget_get_visible (((Person *) g_ptr_array_index (self->people, i))->error_row);
      if (!any && self->people_error)
        {
          show_error (self, NULL);
          self->people_error = FALSE;
        }
    }
}

static void
on_remove_person_clicked (GtkButton *button,
                          Person    *person)
{
  CdmPartnerEditor *self = person->editor;

  adw_preferences_group_remove (self->people_group, person->expander);
  /* Frees @person. */
  g_ptr_array_remove (self->people, person);
  gtk_widget_grab_focus (self->add_person_button);
}

static AdwEntryRow *
add_person_entry (Person          *person,
                  const char      *title,
                  const char      *name,
                  GtkInputPurpose  purpose,
                  const char      *text)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  gtk_widget_set_name (row, name);
  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), purpose);
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
  g_signal_connect_swapped (row, "changed", G_CALLBACK (on_person_changed), person);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (person->expander), row);
  return ADW_ENTRY_ROW (row);
}

/* Adds the rows of a contact person, filled from @record when not NULL. */
static Person *
add_person (CdmPartnerEditor *self,
            JsonObject       *record)
{
  Person *person = g_new0 (Person, 1);
  GtkWidget *remove;
  GtkWidget *label;
  g_autofree char *tooltip = NULL;

  person->editor = self;
  person->expander = adw_expander_row_new ();
  gtk_widget_set_name (person->expander, "person");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (person->expander), FALSE);

  person->name_row = add_person_entry (person, _("Name"), "person-name", GTK_INPUT_PURPOSE_NAME,
                                       member_string (record, "name"));
  person->role_row = add_person_entry (person, _("Role"), "person-role", GTK_INPUT_PURPOSE_FREE_FORM,
                                       member_string (record, "role"));
  person->phone_row = add_person_entry (person, _("Phone"), "person-phone", GTK_INPUT_PURPOSE_PHONE,
                                        member_string (record, "phone"));
  person->email_row = add_person_entry (person, _("E-mail"), "person-email", GTK_INPUT_PURPOSE_EMAIL,
                                        member_string (record, "email"));

  /* What is wrong with this person, under their fields. */
  label = gtk_label_new (NULL);
  gtk_widget_set_name (label, "person-error");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "error");
  person->error_label = GTK_LABEL (label);
  person->error_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (person->error_row), FALSE);
  gtk_widget_set_focusable (person->error_row, FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (person->error_row), label);
  gtk_widget_set_visible (person->error_row, FALSE);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (person->expander), person->error_row);

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_name (remove, "remove-person");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove this contact person"));
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove_person_clicked), person);
  adw_expander_row_add_action (ADW_EXPANDER_ROW (person->expander), remove);

  on_person_changed (person);
  adw_preferences_group_add (self->people_group, person->expander);
  g_ptr_array_add (self->people, person);
  return person;
}

/* Scrolls the form so that the last person's rows show: they unfold
 * over a quarter of a second, after which their size is known. */
static gboolean
show_last_person (gpointer user_data)
{
  g_autoptr(CdmPartnerEditor) self = user_data;
  Person *person;
  GtkWidget *scrolled, *content;
  graphene_rect_t bounds;

  if (self->people == NULL || self->people->len == 0)
    return G_SOURCE_REMOVE;
  person = g_ptr_array_index (self->people, self->people->len - 1);
  scrolled = gtk_widget_get_ancestor (person->expander, GTK_TYPE_SCROLLED_WINDOW);
  if (scrolled == NULL)
    return G_SOURCE_REMOVE;
  content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  if (gtk_widget_compute_bounds (person->expander, content, &bounds))
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
      double bottom = bounds.origin.y + bounds.size.height + 12;
      double page = gtk_adjustment_get_page_size (adjustment);

      if (bottom > gtk_adjustment_get_value (adjustment) + page)
        gtk_adjustment_set_value (adjustment, MAX (bounds.origin.y - 12, bottom - page));
    }
  return G_SOURCE_REMOVE;
}

static void
add_person_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CdmPartnerEditor *self = CDM_PARTNER_EDITOR (widget);
  Person *person = add_person (self, NULL);

  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (person->expander), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (person->name_row));
  g_timeout_add (300, show_last_person, g_object_ref (self));
}

/* The people of the form as the record's people[], or NULL with the
 * faults said under each person and the focus on the first. */
static JsonArray *
read_people (CdmPartnerEditor *self)
{
  g_autoptr(JsonArray) people = json_array_new ();
  GtkWidget *first_fault = NULL;

  for (guint i = 0; i < self->people->len; i++)
    {
      Person *person = g_ptr_array_index (self->people, i);
      g_autofree char *name = get_text (person->name_row);
      g_autofree char *role = get_text (person->role_row);
      g_autofree char *phone = get_text (person->phone_row);
      g_autofree char *email = get_text (person->email_row);
      JsonObject *object;

      person_show_error (person, NULL);
      /* A person added and left blank is no one. */
      if (name == NULL && role == NULL && phone == NULL && email == NULL)
        continue;

      if (name == NULL)
        {
          person_show_error (person, _("Give this person a name"));
          gtk_widget_add_css_class (GTK_WIDGET (person->name_row), "error");
          if (first_fault == NULL)
            first_fault = GTK_WIDGET (person->name_row);
        }
      else if (email != NULL && !is_email (email))
        {
          g_autofree char *message =
            g_strdup_printf (_("“%s” is not an e-mail address such as name@example.org"), email);

          person_show_error (person, message);
          gtk_widget_add_css_class (GTK_WIDGET (person->email_row), "error");
          if (first_fault == NULL)
            first_fault = GTK_WIDGET (person->email_row);
        }
      if (gtk_widget_get_visible (person->error_row))
        {
          adw_expander_row_set_expanded (ADW_EXPANDER_ROW (person->expander), TRUE);
          continue;
        }

      object = json_object_new ();
      set_optional_string (object, "name", g_steal_pointer (&name));
      set_optional_string (object, "role", g_steal_pointer (&role));
      set_optional_string (object, "phone", g_steal_pointer (&phone));
      set_optional_string (object, "email", g_steal_pointer (&email));
      json_array_add_object_element (people, object);
    }

  if (first_fault != NULL)
    {
      gtk_widget_grab_focus (first_fault);
      return NULL;
    }
  return g_steal_pointer (&people);
}

static void
show_record (CdmPartnerEditor *self)
{
  JsonObject *record = self->record;
  JsonNode *name_node = json_object_get_member (record, "name");
  JsonObject *name = name_node != NULL && JSON_NODE_HOLDS_OBJECT (name_node)
                     ? json_node_get_object (name_node) : NULL;
  JsonArray *languages = member_array (record, "languages");
  int circle = cdm_code_index (cdm_circles, member_string (record, "circle"));
  int kind = cdm_code_index (cdm_organisation_kinds, member_string (record, "kind"));
  JsonNode *active = json_object_get_member (record, "active");

  set_text (self->name_fr_row, member_string (name, "fr"));
  set_text (self->name_nl_row, member_string (name, "nl"));
  set_text (self->name_en_row, member_string (name, "en"));
  set_text (self->acronym_row, member_string (record, "acronym"));
  if (circle >= 0)
    adw_combo_row_set_selected (self->circle_row, circle);
  if (kind >= 0)
    adw_combo_row_set_selected (self->kind_row, kind);
  show_codes (self->theme_buttons, cdm_themes, member_array (record, "themes"));

  if (languages != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) codes = NULL;
      g_autofree char *text = NULL;

      for (guint i = 0; i < json_array_get_length (languages); i++)
        {
          JsonNode *node = json_array_get_element (languages, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (node));
        }
      codes = g_strv_builder_end (builder);
      text = g_strjoinv (", ", codes);
      set_text (self->languages_row, text);
    }

  set_text (self->address_row, member_string (record, "address"));
  set_text (self->phone_row, member_string (record, "phone"));
  set_text (self->email_row, member_string (record, "email"));
  set_text (self->website_row, member_string (record, "website"));
  set_text (self->hours_row, member_string (record, "hours"));
  show_codes (self->day_buttons, cdm_weekdays, member_array (record, "desk_days"));
  set_text (self->notes_row, member_string (record, "notes"));
  gtk_switch_set_active (self->active_switch,
                         active == NULL || !JSON_NODE_HOLDS_VALUE (active) ||
                         json_node_get_boolean (active));

  {
    JsonArray *people = member_array (record, "people");

    for (guint i = 0; people != NULL && i < json_array_get_length (people); i++)
      {
        JsonNode *node = json_array_get_element (people, i);

        if (JSON_NODE_HOLDS_OBJECT (node))
          add_person (self, json_node_get_object (node));
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
  GError *error = NULL;
  JsonObject *record;

  record = cdm_store_get (CDM_STORE (source_object), CDM_ENTITY_ORGANISATION, task_data, FALSE, &error);
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
  g_autoptr(CdmPartnerEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  JsonObject *record;

  record = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (record == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The partner could not be read: %s"), error->message);

      show_error (self, message);
      return;
    }

  self->record = record;
  show_record (self);
}

/* "fr, nl en;de" as ["fr", "nl", "en", "de"]; the store checks the codes. */
static JsonArray *
read_languages (CdmPartnerEditor *self)
{
  g_autofree char *text = get_text (self->languages_row);
  g_auto(GStrv) parts = NULL;
  JsonArray *array = json_array_new ();

  if (text == NULL)
    return array;
  parts = g_regex_split_simple ("[\\s,;/]+", text, 0, 0);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0' && !array_has_string (array, parts[i]))
      {
        g_autofree char *code = g_ascii_strdown (parts[i], -1);

        json_array_add_string_element (array, code);
      }
  return array;
}

static void
on_record_saved (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CdmPartnerEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  self->saving = FALSE;
  id = cdm_store_put_finish (CDM_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The partner could not be saved: %s"), error->message);

      gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", TRUE);
      show_error (self, message);
      /* The store names the field first ("languages[0]: …"): point at it. */
      if (g_str_has_prefix (error->message, "languages"))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->languages_row), "error");
          gtk_widget_grab_focus (GTK_WIDGET (self->languages_row));
        }
      return;
    }

  g_signal_emit (self, signals[SAVED], 0, id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdmPartnerEditor *self = CDM_PARTNER_EDITOR (widget);
  g_autoptr(JsonObject) record = NULL;
  JsonArray *people;
  char *fr, *nl, *en;
  JsonObject *name;
  guint circle = adw_combo_row_get_selected (self->circle_row);
  guint kind = adw_combo_row_get_selected (self->kind_row);

  if (self->saving)
    return;

  fr = get_text (self->name_fr_row);
  nl = get_text (self->name_nl_row);
  en = get_text (self->name_en_row);
  if (fr == NULL && nl == NULL && en == NULL)
    {
      show_error (self, _("Give the partner a name in at least one language"));
      gtk_widget_grab_focus (GTK_WIDGET (self->name_fr_row));
      return;
    }
  show_error (self, NULL);
  self->people_error = FALSE;
  gtk_widget_remove_css_class (GTK_WIDGET (self->languages_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->email_row), "error");

  {
    g_autofree char *email = get_text (self->email_row);

    if (email != NULL && !is_email (email))
      {
        g_autofree char *message =
          g_strdup_printf (_("“%s” is not an e-mail address such as name@example.org"), email);

        g_free (fr);
        g_free (nl);
        g_free (en);
        show_error (self, message);
        gtk_widget_add_css_class (GTK_WIDGET (self->email_row), "error");
        gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
        return;
      }
  }
  people = read_people (self);
  if (people == NULL)
    {
      g_free (fr);
      g_free (nl);
      g_free (en);
      show_error (self, _("A contact person needs a correction, marked below"));
      self->people_error = TRUE;
      return;
    }

  /* A copy, so that a refused save leaves the loaded record as it was;
   * members the form does not show keep their stored values. */
  record = json_object_new ();
  if (self->record != NULL)
    {
      JsonObjectIter iter;
      const char *member;
      JsonNode *node;

      /* Members the form sets are replaced, never changed in place, so
       * sharing the others' nodes is enough. */
      json_object_iter_init (&iter, self->record);
      while (json_object_iter_next (&iter, &member, &node))
        json_object_set_member (record, member, json_node_copy (node));
    }

  name = json_object_new ();
  set_optional_string (name, "fr", fr);
  set_optional_string (name, "nl", nl);
  set_optional_string (name, "en", en);
  json_object_set_object_member (record, "name", name);
  set_optional_string (record, "acronym", get_text (self->acronym_row));
  json_object_set_string_member (record, "circle",
                                 cdm_circles[MIN (circle, g_strv_length ((char **) cdm_circles) - 1)]);
  json_object_set_string_member (record, "kind",
                                 cdm_organisation_kinds[MIN (kind, g_strv_length ((char **) cdm_organisation_kinds) - 1)]);
  json_object_set_array_member (record, "themes", read_codes (self->theme_buttons, cdm_themes));
  json_object_set_array_member (record, "languages", read_languages (self));
  set_optional_string (record, "address", get_text (self->address_row));
  set_optional_string (record, "phone", get_text (self->phone_row));
  set_optional_string (record, "email", get_text (self->email_row));
  set_optional_string (record, "website", get_text (self->website_row));
  set_optional_string (record, "hours", get_text (self->hours_row));
  json_object_set_array_member (record, "desk_days", read_codes (self->day_buttons, cdm_weekdays));
  set_optional_string (record, "notes", get_text (self->notes_row));
  json_object_set_boolean_member (record, "active", gtk_switch_get_active (self->active_switch));
  json_object_set_array_member (record, "people", people);

  self->saving = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", FALSE);
  cdm_store_put_async (self->store, CDM_ENTITY_ORGANISATION, record, self->cancellable,
                       on_record_saved, g_object_ref (self));
}

static void
cdm_partner_editor_dispose (GObject *object)
{
  CdmPartnerEditor *self = CDM_PARTNER_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_PARTNER_EDITOR);

  G_OBJECT_CLASS (cdm_partner_editor_parent_class)->dispose (object);
}

static void
cdm_partner_editor_finalize (GObject *object)
{
  CdmPartnerEditor *self = CDM_PARTNER_EDITOR (object);

  g_clear_pointer (&self->record, json_object_unref);
  g_clear_pointer (&self->people, g_ptr_array_unref);
  g_free (self->partner_id);

  G_OBJECT_CLASS (cdm_partner_editor_parent_class)->finalize (object);
}

static void
cdm_partner_editor_class_init (CdmPartnerEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_partner_editor_dispose;
  object_class->finalize = cdm_partner_editor_finalize;

  /**
   * CdmPartnerEditor::saved:
   * @id: the partner's id
   *
   * The partner is on disk; the editor closes.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-partner-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, name_fr_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, name_nl_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, name_en_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, acronym_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, circle_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, kind_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, themes_box);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, languages_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, address_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, phone_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, email_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, website_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, hours_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, days_box);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, notes_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, active_switch);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, people_group);
  gtk_widget_class_bind_template_child (widget_class, CdmPartnerEditor, add_person_button);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.add-person", NULL, add_person_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

/* The weekday's short name in the user's locale, from a known Monday. */
static char *
weekday_name (guint index)
{
  g_autoptr(GDateTime) day = g_date_time_new_utc (2024, 1, 1 + index, 12, 0, 0);
  char *name = g_date_time_format (day, "%a");

  return name != NULL ? name : g_strdup (cdm_weekdays[index]);
}

static GtkToggleButton *
add_toggle (GtkFlowBox *box,
            const char *label,
            const char *name)
{
  GtkWidget *button = gtk_toggle_button_new_with_label (label);

  gtk_widget_set_name (button, name);
  gtk_flow_box_append (box, button);
  /* The flow box child would take the focus first; the button is enough. */
  gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
  return GTK_TOGGLE_BUTTON (button);
}

static void
cdm_partner_editor_init (CdmPartnerEditor *self)
{
  g_autoptr(GtkStringList) circles = labels_model ("circle", cdm_circles);
  g_autoptr(GtkStringList) kinds = labels_model ("organisation_kind", cdm_organisation_kinds);

  gtk_widget_init_template (GTK_WIDGET (self));
  self->people = g_ptr_array_new_with_free_func (g_free);

  adw_combo_row_set_model (self->circle_row, G_LIST_MODEL (circles));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kinds));

  G_STATIC_ASSERT (G_N_ELEMENTS (self->day_buttons) == 7);
  for (guint i = 0; cdm_themes[i] != NULL && i < G_N_ELEMENTS (self->theme_buttons); i++)
    {
      g_autofree char *name = g_strconcat ("theme-", cdm_themes[i], NULL);

      self->theme_buttons[i] = add_toggle (self->themes_box, cdm_label_for_code ("themes", cdm_themes[i]), name);
    }
  for (guint i = 0; cdm_weekdays[i] != NULL && i < G_N_ELEMENTS (self->day_buttons); i++)
    {
      g_autofree char *name = g_strconcat ("day-", cdm_weekdays[i], NULL);
      g_autofree char *label = weekday_name (i);

      self->day_buttons[i] = add_toggle (self->days_box, label, name);
    }

  self->cancellable = g_cancellable_new ();
}

CdmPartnerEditor *
cdm_partner_editor_new (GtkWindow  *parent,
                        CdmStore   *store,
                        const char *partner_id)
{
  CdmPartnerEditor *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  self = g_object_new (CDM_TYPE_PARTNER_EDITOR,
                       "transient-for", parent,
                       "title", partner_id != NULL ? _("Edit Partner") : _("New Partner"),
                       NULL);
  self->store = g_object_ref (store);
  self->partner_id = g_strdup (partner_id);

  if (partner_id != NULL)
    {
      g_autoptr(GTask) task = g_task_new (store, self->cancellable, on_record_loaded, g_object_ref (self));

      /* Nothing to save until the stored record is in the form. */
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", FALSE);
      g_task_set_source_tag (task, cdm_partner_editor_new);
      g_task_set_task_data (task, g_strdup (partner_id), g_free);
      g_task_run_in_thread (task, load_record);
    }
  else
    {
      /* Most new partners are second-circle associations. */
      adw_combo_row_set_selected (self->circle_row, MAX (cdm_code_index (cdm_circles, "second"), 0));
      adw_combo_row_set_selected (self->kind_row, MAX (cdm_code_index (cdm_organisation_kinds, "association"), 0));
      gtk_switch_set_active (self->active_switch, TRUE);
    }

  return self;
}
