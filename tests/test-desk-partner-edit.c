/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-partner-edit.c: creating and editing a partner, in the real
 * window under Xvfb.
 *
 * One application per process on a demo year in a temporary folder, as
 * in test-desk.c.  What the editor wrote is read back through a store
 * connection of the test's own.  Screenshots go to screenshots/ in the
 * build directory.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-desk-test-util.h"
#include "cdm-detail-window.h"
#include "cdm-partner-editor.h"
#include "cdm-search.h"
#include "cdm-store.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

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

static gboolean
total_is_shown (gpointer data)
{
  return cdm_desk_test_label_count (cdm_desk_test_get_named (data, "today-total")) >= 0;
}

static CdmPartnerEditor *
find_editor (void)
{
  return (CdmPartnerEditor *) cdm_desk_test_find_toplevel (CDM_TYPE_PARTNER_EDITOR);
}

static gboolean
editor_is_shown (gpointer data)
{
  return find_editor () != NULL;
}

static gboolean
entry_is_filled (gpointer data)
{
  return gtk_editable_get_text (GTK_EDITABLE (data))[0] != '\0';
}

/* The first partner the store finds for @query, or NULL. */
static char *
find_partner (const char *query)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  hits = cdm_search (store, CDM_ENTITY_ORGANISATION, query, 10, NULL, &error);
  g_assert_no_error (error);
  if (hits->len == 0)
    return NULL;
  return g_strdup (((CdmSearchHit *) g_ptr_array_index (hits, 0))->id);
}

static JsonObject *
get_partner (const char *id)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *record;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  record = cdm_store_get (store, CDM_ENTITY_ORGANISATION, id, FALSE, &error);
  g_assert_no_error (error);
  return record;
}

static gint64
count_partners (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  count = cdm_store_count (store, CDM_ENTITY_ORGANISATION, &error);
  g_assert_no_error (error);
  return count;
}

static char *
people_text (JsonObject *record)
{
  JsonNode *people = json_object_get_member (record, "people");

  g_assert_nonnull (people);
  return json_to_string (people, FALSE);
}

static void
set_entry (GtkWidget  *root,
           const char *name,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (root, name)), text);
}

static void
test_edit_phone (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  g_autofree char *id = find_partner ("Actiris");
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autofree char *people_before = NULL;
  g_autofree char *people_after = NULL;
  CdmDetailWindow *detail;
  CdmPartnerEditor *editor;
  GtkWidget *page, *results, *phone;
  LabelWait wait;

  g_assert_nonnull (id);
  before = get_partner (id);
  people_before = people_text (before);
  g_assert_cmpstr (json_object_get_string_member (before, "phone"), ==, "+32 2 505 14 11");

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("partners"));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), "partners");
  set_entry (page, "search-entry", "Actiris");
  results = cdm_desk_test_get_named (page, "results");
  wait = (LabelWait) { results, "Actiris" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "Actiris in the list");
  cdm_desk_test_settle (0.2);
  gtk_widget_activate_action (results, "list.activate-item", "u", 0);
  detail = (CdmDetailWindow *) cdm_desk_test_find_toplevel (CDM_TYPE_DETAIL_WINDOW);
  g_assert_nonnull (detail);
  g_object_add_weak_pointer (G_OBJECT (detail), (gpointer *) &detail);
  wait = (LabelWait) { GTK_WIDGET (detail), "+32 2 505 14 11" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the partner's phone");

  /* Edit opens the form filled with the stored record. */
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (detail), "edit-partner"));
  cdm_desk_test_wait_until (editor_is_shown, NULL, 10, "the editor");
  editor = find_editor ();
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  phone = cdm_desk_test_get_named (GTK_WIDGET (editor), "phone");
  cdm_desk_test_wait_until (entry_is_filled, phone, 10, "the phone in the form");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (phone)), ==, "+32 2 505 14 11");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (editor), "name-fr"))),
                   ==, "Actiris");
  gtk_editable_set_text (GTK_EDITABLE (phone), "+32 2 800 42 42");
  cdm_desk_test_settle (0.3);
  cdm_desk_test_screenshots (GTK_WIDGET (editor), "partner-editor");
  {
    /* The end of the form: the desk days, the notes, active. */
    GtkWidget *scrolled = gtk_widget_get_ancestor (phone, GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    cdm_desk_test_settle (0.3);
    cdm_desk_test_save_screenshot (GTK_WIDGET (editor), "partner-editor-end");
  }

  /* Ctrl+Enter saves; the editor closes and the detail shows the new phone. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &editor, 10, "the editor to close");
  wait = (LabelWait) { GTK_WIDGET (detail), "+32 2 800 42 42" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the new phone in the detail");
  g_assert_false (cdm_desk_test_shows_label (GTK_WIDGET (detail), "+32 2 505 14 11"));

  after = get_partner (id);
  g_assert_cmpstr (json_object_get_string_member (after, "phone"), ==, "+32 2 800 42 42");
  people_after = people_text (after);
  g_assert_cmpstr (people_after, ==, people_before);
  g_assert_cmpstr (json_object_get_string_member (after, "circle"), ==,
                   json_object_get_string_member (before, "circle"));
  g_assert_cmpstr (json_object_get_string_member (after, "address"), ==,
                   json_object_get_string_member (before, "address"));

  gtk_widget_activate_action (GTK_WIDGET (detail), "window.close", NULL);
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &detail, 10, "the detail to close");
}

static CdmPartnerEditor *
open_new_partner (CdmWindow *window)
{
  GtkWidget *page;
  CdmPartnerEditor *editor;

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("partners"));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), "partners");
  g_assert_true (gtk_widget_get_visible (cdm_desk_test_get_named (page, "new-partner")));
  g_assert_null (find_editor ());
  gtk_widget_activate (cdm_desk_test_get_named (page, "new-partner"));
  cdm_desk_test_wait_until (editor_is_shown, NULL, 10, "the new partner's editor");
  editor = find_editor ();
  g_assert_nonnull (editor);
  return editor;
}

static void
test_new_partner (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmPartnerEditor *editor;
  GtkWidget *page;
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) record = NULL;
  gint64 partners_before = count_partners ();
  LabelWait wait;

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  g_assert_null (find_partner ("Maison emploi test"));

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("partners"));
  cdm_desk_test_settle (0.3);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "partners-new-button");
  editor = open_new_partner (window);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  set_entry (GTK_WIDGET (editor), "name-fr", "Maison de l'emploi de test");
  set_entry (GTK_WIDGET (editor), "languages", "fr, nl");
  set_entry (GTK_WIDGET (editor), "phone", "+32 2 111 22 33");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (editor), "theme-work")), TRUE);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (editor), "day-tue")), TRUE);
  cdm_desk_test_settle (0.2);
  cdm_desk_test_save_screenshot (GTK_WIDGET (editor), "partner-editor-new");
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &editor, 10, "the editor to close");

  g_assert_cmpint (count_partners (), ==, partners_before + 1);
  id = find_partner ("Maison emploi test");
  g_assert_nonnull (id);
  record = get_partner (id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (record, "name"), "fr"),
                   ==, "Maison de l'emploi de test");
  g_assert_cmpstr (json_object_get_string_member (record, "circle"), ==, "second");
  g_assert_cmpstr (json_object_get_string_member (record, "kind"), ==, "association");
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "+32 2 111 22 33");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (record, "languages")), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (record, "themes"), 0), ==, "work");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (record, "desk_days"), 0), ==, "tue");
  g_assert_true (json_object_get_boolean_member (record, "active"));

  /* The Partners page finds it. */
  page = cdm_desk_test_get_named (GTK_WIDGET (window), "partners");
  set_entry (page, "search-entry", "Maison de l'emploi de test");
  wait = (LabelWait) { cdm_desk_test_get_named (page, "results"), "Maison de l'emploi de test" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the new partner in the list");
}

static void
test_refused (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmPartnerEditor *editor;
  GtkWidget *error_label;
  gint64 partners_before = count_partners ();
  LabelWait wait;

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");

  /* No name: the form says so and writes nothing. */
  editor = open_new_partner (window);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  error_label = cdm_desk_test_get_named (GTK_WIDGET (editor), "editor-error");
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "name"));

  /* A language the store does not know: its message shows, the form stays. */
  set_entry (GTK_WIDGET (editor), "name-en", "Refused partner");
  set_entry (GTK_WIDGET (editor), "languages", "french");
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  wait = (LabelWait) { GTK_WIDGET (editor), "could not be saved" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the store's refusal");
  g_test_message ("refusal: %s", gtk_label_get_text (GTK_LABEL (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "language code"));
  g_assert_true (gtk_widget_has_css_class (cdm_desk_test_get_named (GTK_WIDGET (editor), "languages"), "error"));
  cdm_desk_test_settle (0.2);
  g_assert_nonnull (editor);
  cdm_desk_test_save_screenshot (GTK_WIDGET (editor), "partner-editor-refused");
  g_assert_cmpint (count_partners (), ==, partners_before);
  g_assert_null (find_partner ("Refused partner"));

  /* Escape cancels. */
  gtk_widget_activate_action (GTK_WIDGET (editor), "window.close", NULL);
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &editor, 10, "the editor to close");
  g_assert_cmpint (count_partners (), ==, partners_before);
}

/* The person rows of the editor, in order. */
static GPtrArray *
person_rows (CdmPartnerEditor *editor)
{
  GtkWidget *group = cdm_desk_test_get_named (GTK_WIDGET (editor), "people");
  GPtrArray *rows = g_ptr_array_new ();
  GQueue queue = G_QUEUE_INIT;

  g_queue_push_tail (&queue, group);
  while (!g_queue_is_empty (&queue))
    {
      GtkWidget *widget = g_queue_pop_head (&queue);

      if (ADW_IS_EXPANDER_ROW (widget) && g_strcmp0 (gtk_widget_get_name (widget), "person") == 0)
        {
          g_ptr_array_add (rows, widget);
          continue;
        }
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_queue_push_tail (&queue, child);
    }
  return rows;
}

static gboolean
editor_has_people (gpointer data)
{
  g_autoptr(GPtrArray) rows = person_rows (data);

  return rows->len > 0;
}

static void
test_people (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  g_autofree char *id = find_partner ("Actiris");
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  CdmPartnerEditor *editor;
  GtkWidget *page, *person, *error_label;
  JsonArray *people;
  guint n_before;
  LabelWait wait;

  g_assert_nonnull (id);
  before = get_partner (id);
  n_before = json_array_get_length (json_object_get_array_member (before, "people"));
  g_assert_cmpuint (n_before, >, 0);

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("partners"));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), "partners");
  set_entry (page, "search-entry", "Actiris");
  wait = (LabelWait) { cdm_desk_test_get_named (page, "results"), "Actiris" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "Actiris in the list");
  cdm_desk_test_settle (0.2);
  gtk_widget_activate_action (cdm_desk_test_get_named (page, "results"), "list.activate-item", "u", 0);
  {
    CdmDetailWindow *detail = (CdmDetailWindow *) cdm_desk_test_find_toplevel (CDM_TYPE_DETAIL_WINDOW);

    g_assert_nonnull (detail);
    g_object_add_weak_pointer (G_OBJECT (detail), (gpointer *) &detail);
    wait = (LabelWait) { GTK_WIDGET (detail), "+32 2" };
    cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the partner's detail");
    gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (detail), "edit-partner"));
    cdm_desk_test_wait_until (editor_is_shown, NULL, 10, "the editor");
    editor = find_editor ();
    g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);

    /* The stored people are rows of the form, named as stored. */
    cdm_desk_test_wait_until (editor_has_people, editor, 10, "the people in the form");
    rows = person_rows (editor);
    g_assert_cmpuint (rows->len, ==, n_before);
    {
      JsonObject *first = json_array_get_object_element (json_object_get_array_member (before, "people"), 0);

      g_assert_cmpstr (adw_preferences_row_get_title (g_ptr_array_index (rows, 0)), ==,
                       json_object_get_string_member (first, "name"));
    }
    g_clear_pointer (&rows, g_ptr_array_unref);

    /* A person with an e-mail but no name: said under the person, and
     * nothing is written. */
    gtk_widget_activate_action (GTK_WIDGET (editor), "editor.add-person", NULL);
    rows = person_rows (editor);
    g_assert_cmpuint (rows->len, ==, n_before + 1);
    person = g_ptr_array_index (rows, rows->len - 1);
    g_assert_true (adw_expander_row_get_expanded (ADW_EXPANDER_ROW (person)));
    set_entry (person, "person-email", "marie.dupont@example.org");
    gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
    cdm_desk_test_settle (0.3);
    g_assert_nonnull (editor);
    error_label = cdm_desk_test_get_named (person, "person-error");
    g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (error_label)));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "name"));
    g_assert_true (gtk_widget_has_css_class (cdm_desk_test_get_named (person, "person-name"), "error"));
    g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (editor), "contact person"));

    /* A name, and an e-mail that is not one. */
    set_entry (person, "person-name", "Marie Dupont");
    /* Typing clears what was said. */
    g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (error_label)));
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (person)), ==, "Marie Dupont");
    set_entry (person, "person-email", "marie.dupont at example");
    gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
    cdm_desk_test_settle (0.3);
    g_assert_nonnull (editor);
    g_assert_true (gtk_widget_get_visible (gtk_widget_get_parent (error_label)));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "not an e-mail address"));
    g_assert_true (gtk_widget_has_css_class (cdm_desk_test_get_named (person, "person-email"), "error"));
    cdm_desk_test_save_screenshot (GTK_WIDGET (editor), "partner-editor-person-error");
    {
      g_autoptr(JsonObject) unchanged = get_partner (id);

      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (unchanged, "people")), ==, n_before);
    }

    /* Fixed: what was said goes, and it is saved with the others, the
     * first stored person removed. */
    set_entry (person, "person-email", "marie.dupont@example.org");
    g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (error_label)));
    g_assert_false (gtk_widget_get_visible (cdm_desk_test_get_named (GTK_WIDGET (editor), "editor-error")));
    set_entry (person, "person-role", "Job coach");
    set_entry (person, "person-phone", "+32 2 555 01 02");
    /* A button activated by the keyboard clicks once it has shown itself pressed. */
    gtk_widget_activate (cdm_desk_test_get_named (g_ptr_array_index (rows, 0), "remove-person"));
    cdm_desk_test_settle (0.5);
    g_clear_pointer (&rows, g_ptr_array_unref);
    rows = person_rows (editor);
    g_assert_cmpuint (rows->len, ==, n_before);
    cdm_desk_test_settle (0.2);
    cdm_desk_test_save_screenshot (GTK_WIDGET (editor), "partner-editor-people");
    gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
    cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &editor, 10, "the editor to close");

    after = get_partner (id);
    people = json_object_get_array_member (after, "people");
    g_assert_cmpuint (json_array_get_length (people), ==, n_before);
    {
      JsonObject *last = json_array_get_object_element (people, n_before - 1);
      JsonObject *old_first = json_array_get_object_element (json_object_get_array_member (before, "people"), 0);

      g_assert_cmpstr (json_object_get_string_member (last, "name"), ==, "Marie Dupont");
      g_assert_cmpstr (json_object_get_string_member (last, "role"), ==, "Job coach");
      g_assert_cmpstr (json_object_get_string_member (last, "phone"), ==, "+32 2 555 01 02");
      g_assert_cmpstr (json_object_get_string_member (last, "email"), ==, "marie.dupont@example.org");
      for (guint i = 0; i < json_array_get_length (people); i++)
        g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (people, i), "name"), !=,
                         json_object_get_string_member (old_first, "name"));
    }

    /* The detail shows the new person, with a button to write to them. */
    wait = (LabelWait) { GTK_WIDGET (detail), "Marie Dupont" };
    cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the new person in the detail");
    g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (detail), "Job coach"));
    gtk_widget_activate_action (GTK_WIDGET (detail), "window.close", NULL);
    cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &detail, 10, "the detail to close");
  }
}

typedef struct {
  GtkWidget *results;
  const char *title;
} TagWait;

/* Whether the row of @title in the results shows the "Inactive" tag. */
static gboolean
row_is_marked_inactive (gpointer data)
{
  TagWait *wait = data;
  GQueue queue = G_QUEUE_INIT;
  gboolean found = FALSE;

  g_queue_push_tail (&queue, wait->results);
  while (!g_queue_is_empty (&queue) && !found)
    {
      GtkWidget *widget = g_queue_pop_head (&queue);

      if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), wait->title) == 0)
        {
          GtkWidget *tag = gtk_widget_get_next_sibling (widget);

          found = tag != NULL && gtk_widget_get_visible (tag) &&
                  g_strcmp0 (gtk_widget_get_name (tag), "inactive-tag") == 0 &&
                  gtk_widget_has_css_class (widget, "dim-label");
        }
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_queue_push_tail (&queue, child);
    }
  g_queue_clear (&queue);
  return found;
}

static void
test_inactive (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmPartnerEditor *editor;
  CdmDetailWindow *detail;
  GtkWidget *page, *results;
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_auto(GStrv) accels = NULL;
  TagWait tag_wait;
  LabelWait wait;

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");

  /* Ctrl+Shift+N is the window's, so it works from Today too. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.new-partner");
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Shift><Control>n") ||
                 g_strv_contains ((const char * const *) accels, "<Control><Shift>n"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("today"));
  g_assert_null (find_editor ());
  g_action_group_activate_action (G_ACTION_GROUP (window), "new-partner", NULL);
  cdm_desk_test_wait_until (editor_is_shown, NULL, 10, "the new partner's editor from Today");
  editor = find_editor ();
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);

  set_entry (GTK_WIDGET (editor), "name-fr", "Ancien partenaire fermé");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (cdm_desk_test_get_named (GTK_WIDGET (editor), "active"))));
  gtk_switch_set_active (GTK_SWITCH (cdm_desk_test_get_named (GTK_WIDGET (editor), "active")), FALSE);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &editor, 10, "the editor to close");

  id = find_partner ("Ancien partenaire");
  g_assert_nonnull (id);
  record = get_partner (id);
  g_assert_false (json_object_get_boolean_member (record, "active"));

  /* The list shows it dimmed and marked. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("partners"));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), "partners");
  results = cdm_desk_test_get_named (page, "results");
  set_entry (page, "search-entry", "Ancien partenaire");
  tag_wait = (TagWait) { results, "Ancien partenaire fermé" };
  cdm_desk_test_wait_until (row_is_marked_inactive, &tag_wait, 10, "the partner marked inactive");
  cdm_desk_test_settle (0.2);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "partners-inactive");

  /* An active one is not. */
  set_entry (page, "search-entry", "Actiris");
  wait = (LabelWait) { results, "Actiris" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "Actiris in the list");
  tag_wait = (TagWait) { results, "Actiris" };
  g_assert_false (row_is_marked_inactive (&tag_wait));

  /* The detail says so. */
  set_entry (page, "search-entry", "Ancien partenaire");
  tag_wait = (TagWait) { results, "Ancien partenaire fermé" };
  cdm_desk_test_wait_until (row_is_marked_inactive, &tag_wait, 10, "the partner marked inactive");
  gtk_widget_activate_action (results, "list.activate-item", "u", 0);
  detail = (CdmDetailWindow *) cdm_desk_test_find_toplevel (CDM_TYPE_DETAIL_WINDOW);
  g_assert_nonnull (detail);
  g_object_add_weak_pointer (G_OBJECT (detail), (gpointer *) &detail);
  wait = (LabelWait) { GTK_WIDGET (detail), "Inactive" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the detail marked inactive");
  g_assert_true (gtk_widget_has_css_class (cdm_desk_test_get_named (GTK_WIDGET (detail), "detail-heading"), "dim-label"));
  cdm_desk_test_settle (0.5);
  cdm_desk_test_save_screenshot (GTK_WIDGET (detail), "partner-detail-inactive");
  gtk_widget_activate_action (GTK_WIDGET (detail), "window.close", NULL);
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &detail, 10, "the detail to close");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  cdm_desk_test_init (&argc, &argv);

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-XXXXXX", &store_path);
  cdm_desk_test_fill_demo (store_path);
  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.TestPartnerEdit");

  g_test_add_func ("/desk/partner/edit", test_edit_phone);
  g_test_add_func ("/desk/partner/new", test_new_partner);
  g_test_add_func ("/desk/partner/refused", test_refused);
  g_test_add_func ("/desk/partner/people", test_people);
  g_test_add_func ("/desk/partner/inactive", test_inactive);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);
  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
