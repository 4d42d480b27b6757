/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-detail-window.c: one partner or one library resource, in full.
 *
 * The rows are built from the record once it has been read in a worker
 * thread.  A field the record leaves empty gets no row: an empty row
 * reads like missing data.  Phone numbers, e-mail addresses and websites
 * carry a button that hands a tel:, mailto: or https: address to the
 * desktop, which opens the phone, mail or web application.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-content-order.h"
#include "cdm-detail-window.h"
#include "cdm-labels.h"
#include "cdm-partner-editor.h"

struct _CdmDetailWindow
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkWidget *hand_over_button;
  GtkWidget *edit_button;
  GtkStack *stack;
  GtkSpinner *spinner;
  AdwStatusPage *error_page;
  GtkBox *record_box;
  GtkLabel *heading_label;

  CdmEntity entity;
  char *id;
  char *title;
  CdmStore *store;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (CdmDetailWindow, cdm_detail_window, ADW_TYPE_WINDOW)

enum {
  HAND_OVER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
language_name (const char *code)
{
  static const struct {
    const char *code;
    const char *name;
  } names[] = {
    { "fr", N_("French") },
    { "nl", N_("Dutch") },
    { "en", N_("English") },
    { "de", N_("German") },
    { "es", N_("Spanish") },
    { "it", N_("Italian") },
    { "pt", N_("Portuguese") },
    { "ar", N_("Arabic") },
    { "tr", N_("Turkish") },
    { "pl", N_("Polish") },
    { "ro", N_("Romanian") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_str_equal (names[i].code, code))
        return _(names[i].name);
    }
  return code;
}

/* The weekday's name in the user's locale, from a known Monday. */
static char *
weekday_name (guint index)
{
  g_autoptr(GDateTime) monday = g_date_time_new_utc (2024, 1, 1, 12, 0, 0);
  g_autoptr(GDateTime) day = g_date_time_add_days (monday, (int) index);
  g_autofree char *name = g_date_time_format (day, "%A");
  g_autofree char *first = NULL;

  if (name == NULL || name[0] == '\0')
    return g_strdup (cdm_weekdays[index]);
  /* French and Dutch write day names lower-case; a list item starts
   * with a capital. */
  first = g_utf8_strup (name, g_utf8_next_char (name) - name);
  return g_strconcat (first, g_utf8_next_char (name), NULL);
}

static const char *
get_string (JsonObject *record,
            const char *name)
{
  JsonNode *node = json_object_get_member (record, name);
  const char *value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  value = json_node_get_string (node);
  return value != NULL && value[0] != '\0' ? value : NULL;
}

static JsonArray *
get_array (JsonObject *record,
           const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

/* The strings of @array, each through @label, joined by ", ". */
static char *
join_array (JsonArray  *array,
            const char *(*label) (const char *field, const char *code),
            const char *field)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (array == NULL)
    return NULL;

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *code = json_array_get_string_element (array, i);

      if (code == NULL)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, label != NULL ? label (field, code) : code);
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static const char *
language_label (const char *field,
                const char *code)
{
  return language_name (code);
}

static AdwPreferencesGroup *
add_group (CdmDetailWindow *self,
           const char      *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (self->record_box, group);
  return ADW_PREFERENCES_GROUP (group);
}

/* A row whose title says what the value is and whose subtitle is the
 * value, as in the system settings; the value is never read as markup. */
static AdwActionRow *
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (group, row);
  g_object_set_data (G_OBJECT (group), "n-rows",
                     GUINT_TO_POINTER (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (group), "n-rows")) + 1));
  return ADW_ACTION_ROW (row);
}

static void
on_open_clicked (GtkButton *button,
                 gpointer   user_data)
{
  const char *uri = g_object_get_data (G_OBJECT (button), "uri");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));

  gtk_show_uri (GTK_WINDOW (root), uri, GDK_CURRENT_TIME);
}

/* Adds to @row a button that opens @uri; @what names it for a screen
 * reader and in its tooltip ("Call +32 2 505 14 11"). */
static void
add_open_button (AdwActionRow *row,
                 const char   *icon,
                 const char   *uri,
                 const char   *what)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, what);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, what,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "uri", g_strdup (uri), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_open_clicked), NULL);
  adw_action_row_add_suffix (row, button);
}

/* tel: takes the digits and a leading +, without the spaces people
 * write for reading. */
static char *
tel_uri (const char *phone)
{
  g_autoptr(GString) uri = g_string_new ("tel:");

  for (const char *p = phone; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p) || (*p == '+' && uri->len == 4))
        g_string_append_c (uri, *p);
    }
  return g_string_free (g_steal_pointer (&uri), FALSE);
}

static void
add_phone_row (AdwPreferencesGroup *group,
               const char          *title,
               const char          *phone,
               const char          *name)
{
  AdwActionRow *row = add_row (group, title, phone);
  g_autofree char *uri = tel_uri (phone);
  /* TRANSLATORS: a button's name; %s is a phone number or a person */
  g_autofree char *what = g_strdup_printf (_("Call %s"), name != NULL ? name : phone);

  gtk_widget_set_name (GTK_WIDGET (row), "phone");
  add_open_button (row, "call-start-symbolic", uri, what);
}

static void
add_email_row (AdwPreferencesGroup *group,
               const char          *title,
               const char          *email,
               const char          *name)
{
  AdwActionRow *row = add_row (group, title, email);
  g_autofree char *escaped = g_uri_escape_string (email, "@", FALSE);
  g_autofree char *uri = g_strconcat ("mailto:", escaped, NULL);
  /* TRANSLATORS: a button's name; %s is an e-mail address or a person */
  g_autofree char *what = g_strdup_printf (_("Write to %s"), name != NULL ? name : email);

  gtk_widget_set_name (GTK_WIDGET (row), "email");
  add_open_button (row, "mail-unread-symbolic", uri, what);
}

static void
add_web_row (AdwPreferencesGroup *group,
             const char          *title,
             const char          *address)
{
  AdwActionRow *row = add_row (group, title, address);
  g_autofree char *scheme = g_uri_parse_scheme (address);
  g_autofree char *uri = NULL;
  /* TRANSLATORS: a button's name; %s is a web address */
  g_autofree char *what = g_strdup_printf (_("Open %s"), address);

  /* Partners' sites are often written without "https://". */
  if (scheme != NULL)
    uri = g_strdup (address);
  else
    uri = g_strconcat ("https://", address, NULL);
  gtk_widget_set_name (GTK_WIDGET (row), "website");
  add_open_button (row, "web-browser-symbolic", uri, what);
}

static void
add_text_row (AdwPreferencesGroup *group,
              const char          *title,
              const char          *value)
{
  if (value != NULL)
    add_row (group, title, value);
}

static void
add_codes_row (AdwPreferencesGroup *group,
               const char          *title,
               JsonObject          *record,
               const char          *field)
{
  g_autofree char *text = join_array (get_array (record, field), cdm_label_for_code, field);

  add_text_row (group, title, text);
}

/* Hides a group that got no rows. */
static void
hide_if_empty (AdwPreferencesGroup *group)
{
  gtk_widget_set_visible (GTK_WIDGET (group), g_object_get_data (G_OBJECT (group), "n-rows") != NULL);
}

static void
show_partner (CdmDetailWindow *self,
              JsonObject      *record)
{
  JsonNode *name_node = json_object_get_member (record, "name");
  JsonObject *names = name_node != NULL && JSON_NODE_HOLDS_OBJECT (name_node)
                      ? json_node_get_object (name_node) : NULL;
  const char * const *order = cdm_content_order_get ();
  const char *title = NULL;
  JsonNode *active = json_object_get_member (record, "active");
  const char *acronym = get_string (record, "acronym");
  AdwPreferencesGroup *group;
  g_autofree char *subtitle = NULL;
  JsonArray *people, *days;

  /* In the desk's content language order (Preferences). */
  title = cdm_content_pick_object (names);
  if (title == NULL)
    title = acronym != NULL ? acronym : _("Partner");

  self->title = g_strdup (title);
  gtk_label_set_text (self->heading_label, title);
  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  if (active != NULL && JSON_NODE_HOLDS_VALUE (active) && !json_node_get_boolean (active))
    {
      GtkWidget *label = gtk_label_new (_("Inactive: no longer works with the centre"));

      gtk_widget_set_name (label, "inactive-label");
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_add_css_class (GTK_WIDGET (self->heading_label), "dim-label");
      gtk_box_insert_child_after (self->record_box, label, GTK_WIDGET (self->heading_label));
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->heading_label), "dim-label");
  if (get_string (record, "circle") != NULL && get_string (record, "kind") != NULL)
    {
      /* TRANSLATORS: a partner's circle and kind: "First circle · Public employment service" */
      subtitle = g_strdup_printf (_("%s · %s"),
                                  cdm_label_for_code ("circle", get_string (record, "circle")),
                                  cdm_label_for_code ("organisation_kind", get_string (record, "kind")));
      adw_window_title_set_subtitle (self->window_title, subtitle);
    }

  group = add_group (self, _("Names"));
  /* One row per distinct name, titled with the languages that use it:
   * "Actiris" is "French, Dutch, English" at once. */
  for (guint i = 0; i < 3 && names != NULL; i++)
    {
      const char *value = get_string (names, order[i]);
      g_autoptr(GString) languages = NULL;
      gboolean seen = FALSE;

      if (value == NULL)
        continue;
      for (guint j = 0; j < i && !seen; j++)
        seen = g_strcmp0 (get_string (names, order[j]), value) == 0;
      if (seen)
        continue;

      languages = g_string_new (language_name (order[i]));
      for (guint j = i + 1; j < 3; j++)
        {
          if (g_strcmp0 (get_string (names, order[j]), value) == 0)
            g_string_append_printf (languages, ", %s", language_name (order[j]));
        }
      add_row (group, languages->str, value);
    }
  add_text_row (group, _("Acronym"), acronym);
  hide_if_empty (group);

  group = add_group (self, _("Contact"));
  if (get_string (record, "phone") != NULL)
    add_phone_row (group, _("Phone"), get_string (record, "phone"), NULL);
  if (get_string (record, "email") != NULL)
    add_email_row (group, _("E-mail"), get_string (record, "email"), NULL);
  if (get_string (record, "website") != NULL)
    add_web_row (group, _("Website"), get_string (record, "website"));
  add_text_row (group, _("Address"), get_string (record, "address"));
  add_text_row (group, _("Opening hours"), get_string (record, "hours"));
  hide_if_empty (group);

  group = add_group (self, _("At the Centre"));
  days = get_array (record, "desk_days");
  if (days != NULL && json_array_get_length (days) > 0)
    {
      g_autoptr(GString) text = g_string_new (NULL);

      /* In week order, whatever the order of the record. */
      for (guint d = 0; cdm_weekdays[d] != NULL; d++)
        {
          for (guint i = 0; i < json_array_get_length (days); i++)
            {
              if (g_strcmp0 (json_array_get_string_element (days, i), cdm_weekdays[d]) == 0)
                {
                  g_autofree char *day = weekday_name (d);

                  if (text->len > 0)
                    g_string_append (text, ", ");
                  g_string_append (text, day);
                  break;
                }
            }
        }
      gtk_widget_set_name (GTK_WIDGET (add_row (group, _("Desk days"), text->str)), "desk-days");
    }
  else
    add_row (group, _("Desk days"), _("Not at the centre’s desks"));
  add_text_row (group, _("Circle"),
                get_string (record, "circle") != NULL
                ? cdm_label_for_code ("circle", get_string (record, "circle")) : NULL);
  add_text_row (group, _("Kind"),
                get_string (record, "kind") != NULL
                ? cdm_label_for_code ("organisation_kind", get_string (record, "kind")) : NULL);
  add_codes_row (group, _("Themes"), record, "themes");
  {
    g_autofree char *languages = join_array (get_array (record, "languages"), language_label, NULL);

    add_text_row (group, _("Languages"), languages);
  }

  people = get_array (record, "people");
  if (people != NULL && json_array_get_length (people) > 0)
    {
      group = add_group (self, _("People"));
      for (guint i = 0; i < json_array_get_length (people); i++)
        {
          JsonNode *node = json_array_get_element (people, i);
          JsonObject *person;
          const char *person_name, *role, *phone, *email;
          GtkWidget *expander;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            continue;
          person = json_node_get_object (node);
          person_name = get_string (person, "name");
          role = get_string (person, "role");
          phone = get_string (person, "phone");
          email = get_string (person, "email");
          if (person_name == NULL)
            person_name = role != NULL ? role : _("Contact person");

          /* A person is a row; their phone and e-mail fold out, each with
           * its own button, so that a long list stays short. */
          expander = adw_expander_row_new ();
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), person_name);
          if (role != NULL && role != person_name)
            adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), role);
          adw_preferences_group_add (group, expander);

          if (phone != NULL)
            {
              GtkWidget *row = adw_action_row_new ();
              g_autofree char *uri = tel_uri (phone);
              g_autofree char *what = g_strdup_printf (_("Call %s"), person_name);

              adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Phone"));
              adw_action_row_set_subtitle (ADW_ACTION_ROW (row), phone);
              gtk_widget_add_css_class (row, "property");
              add_open_button (ADW_ACTION_ROW (row), "call-start-symbolic", uri, what);
              adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
            }
          if (email != NULL)
            {
              GtkWidget *row = adw_action_row_new ();
              g_autofree char *escaped = g_uri_escape_string (email, "@", FALSE);
              g_autofree char *uri = g_strconcat ("mailto:", escaped, NULL);
              g_autofree char *what = g_strdup_printf (_("Write to %s"), person_name);

              adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
              adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("E-mail"));
              adw_action_row_set_subtitle (ADW_ACTION_ROW (row), email);
              gtk_widget_add_css_class (row, "property");
              add_open_button (ADW_ACTION_ROW (row), "mail-unread-symbolic", uri, what);
              adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
            }
          gtk_widget_set_sensitive (expander, phone != NULL || email != NULL);
        }
    }

  if (get_string (record, "notes") != NULL)
    {
      group = add_group (self, _("Notes"));
      add_row (group, _("Notes"), get_string (record, "notes"));
    }
}

static void
show_resource (CdmDetailWindow *self,
               JsonObject      *record)
{
  const char *title = get_string (record, "title");
  const char *kind = get_string (record, "kind");
  AdwPreferencesGroup *group;
  JsonNode *node;
  g_autofree char *authors = join_array (get_array (record, "authors"), NULL, NULL);
  g_autofree char *tags = join_array (get_array (record, "tags"), NULL, NULL);

  if (title == NULL)
    title = _("Resource");
  self->title = g_strdup (title);
  gtk_label_set_text (self->heading_label, title);
  adw_window_title_set_title (self->window_title, title);
  gtk_window_set_title (GTK_WINDOW (self), title);
  if (kind != NULL)
    adw_window_title_set_subtitle (self->window_title, cdm_label_for_code ("resource_kind", kind));

  group = add_group (self, _("Reference"));
  add_text_row (group, _("Kind"), kind != NULL ? cdm_label_for_code ("resource_kind", kind) : NULL);
  add_text_row (group, _("Authors"), authors);
  add_text_row (group, _("Publisher"), get_string (record, "publisher"));
  node = json_object_get_member (record, "year");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *year = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

      add_row (group, _("Year"), year);
    }
  add_text_row (group, _("ISBN"), get_string (record, "isbn"));
  add_text_row (group, _("Language"),
                get_string (record, "language") != NULL
                ? language_name (get_string (record, "language")) : NULL);
  add_codes_row (group, _("Themes"), record, "themes");
  add_text_row (group, _("Audience"),
                get_string (record, "audience") != NULL
                ? cdm_label_for_code ("audience", get_string (record, "audience")) : NULL);
  add_text_row (group, _("Tags"), tags);
  hide_if_empty (group);

  group = add_group (self, _("Where to Find It"));
  add_text_row (group, _("Shelf"), get_string (record, "location"));
  if (get_string (record, "url") != NULL)
    add_web_row (group, _("Address"), get_string (record, "url"));
  node = json_object_get_member (record, "copies");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *copies = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

      add_row (group, _("Copies"), copies);
    }
  hide_if_empty (group);

  if (get_string (record, "summary") != NULL)
    {
      group = add_group (self, _("Summary"));
      add_row (group, _("Summary"), get_string (record, "summary"));
    }

  gtk_widget_set_sensitive (self->hand_over_button, TRUE);
}

static void load_record (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable);
static void on_record_loaded (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data);

/* Reads the record again and shows it anew, the heading kept. */
static void
reload (CdmDetailWindow *self)
{
  g_autoptr(GTask) task = NULL;
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->record_box));

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (child != GTK_WIDGET (self->heading_label))
        gtk_box_remove (self->record_box, child);
      child = next;
    }
  /* Set again from the record. */
  g_clear_pointer (&self->title, g_free);

  task = g_task_new (self, self->cancellable, on_record_loaded, NULL);
  g_task_set_source_tag (task, reload);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, load_record);
}

static void
on_partner_saved (CdmDetailWindow *self,
                  const char      *id)
{
  reload (self);
}

static void
on_edit_clicked (CdmDetailWindow *self,
                 GtkButton       *button)
{
  CdmPartnerEditor *editor = cdm_partner_editor_new (GTK_WINDOW (self), self->store, self->id);

  g_signal_connect_object (editor, "saved", G_CALLBACK (on_partner_saved), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
load_record (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CdmDetailWindow *self = source_object;
  CdmStore *store = task_data;
  GError *error = NULL;
  JsonObject *record;

  /* Only the entity and id are read here; both are set at construction
   * and never change. */
  record = cdm_store_get (store, self->entity, self->id, FALSE, &error);
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
  CdmDetailWindow *self = CDM_DETAIL_WINDOW (source);
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;

  record = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_spinner_stop (self->spinner);
  if (record == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  if (self->entity == CDM_ENTITY_RESOURCE)
    show_resource (self, record);
  else
    show_partner (self, record);
  gtk_stack_set_visible_child_name (self->stack, "record");
}

static void
on_hand_over_clicked (CdmDetailWindow *self,
                      GtkButton       *button)
{
  g_signal_emit (self, signals[HAND_OVER], 0, self->id, self->title);
  gtk_window_close (GTK_WINDOW (self));
}

static void
cdm_detail_window_dispose (GObject *object)
{
  CdmDetailWindow *self = CDM_DETAIL_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_DETAIL_WINDOW);

  G_OBJECT_CLASS (cdm_detail_window_parent_class)->dispose (object);
}

static void
cdm_detail_window_finalize (GObject *object)
{
  CdmDetailWindow *self = CDM_DETAIL_WINDOW (object);

  g_free (self->id);
  g_free (self->title);

  G_OBJECT_CLASS (cdm_detail_window_parent_class)->finalize (object);
}

static void
cdm_detail_window_class_init (CdmDetailWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_detail_window_dispose;
  object_class->finalize = cdm_detail_window_finalize;

  /**
   * CdmDetailWindow::hand-over:
   * @id: the resource's id
   * @title: its title
   *
   * "Hand Over" was clicked on a resource.
   */
  signals[HAND_OVER] =
    g_signal_new ("hand-over", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-detail-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmDetailWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CdmDetailWindow, hand_over_button);
  gtk_widget_class_bind_template_child (widget_class, CdmDetailWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CdmDetailWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdmDetailWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, CdmDetailWindow, record_box);
  gtk_widget_class_bind_template_child (widget_class, CdmDetailWindow, heading_label);
  gtk_widget_class_bind_template_child (widget_class, CdmDetailWindow, edit_button);
  gtk_widget_class_bind_template_callback (widget_class, on_hand_over_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_edit_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cdm_detail_window_init (CdmDetailWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CdmDetailWindow *
cdm_detail_window_new (GtkWindow  *parent,
                       CdmStore   *store,
                       CdmEntity   entity,
                       const char *id)
{
  CdmDetailWindow *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (entity == CDM_ENTITY_ORGANISATION || entity == CDM_ENTITY_RESOURCE, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (CDM_TYPE_DETAIL_WINDOW, "transient-for", parent, NULL);
  self->entity = entity;
  self->id = g_strdup (id);
  gtk_widget_set_visible (self->hand_over_button, entity == CDM_ENTITY_RESOURCE);
  gtk_widget_set_visible (self->edit_button, entity == CDM_ENTITY_ORGANISATION);
  self->store = g_object_ref (store);
  gtk_window_set_title (GTK_WINDOW (self),
                        entity == CDM_ENTITY_RESOURCE ? _("Resource") : _("Partner"));
  gtk_spinner_start (self->spinner);

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, on_record_loaded, NULL);
  g_task_set_source_tag (task, cdm_detail_window_new);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  g_task_run_in_thread (task, load_record);

  /* A partner's names show in the order chosen in Preferences. */
  if (entity == CDM_ENTITY_ORGANISATION)
    g_signal_connect_object (cdm_content_order_get_notifier (), "changed",
                             G_CALLBACK (reload), self, G_CONNECT_SWAPPED);

  return self;
}
