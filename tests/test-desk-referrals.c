/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-referrals.c: the log-a-contact form's referrals, picked by
 * searching the partners, and the follow-up of requests from a distance.
 *
 * Drives the real form over a store filled with the demo data; pictures of
 * the form go to screenshots/ in the build directory.  Runs under Xvfb.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "cdm-contact-dialog.h"
#include "cdm-desk-test-util.h"
#include "cdm-demo.h"
#include "cdm-search.h"
#include "cdm-store.h"

typedef struct {
  CdmStore *store;
} Fixture;

static char *shared_dir;
static char *shared_store;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->store = cdm_store_open (shared_store, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
}

/* The action row titled @title below @root, or NULL. */
static GtkWidget *
find_row (GtkWidget  *root,
          const char *title)
{
  if (ADW_IS_ACTION_ROW (root) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_saved (CdmContactDialog *dialog,
          const char       *id,
          char            **out)
{
  *out = g_strdup (id);
}

static gboolean
pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static gboolean
results_shown (gpointer data)
{
  GtkWidget *results = data;

  return gtk_widget_get_visible (results) && gtk_widget_get_first_child (results) != NULL;
}

/* How many action rows shown below @root are titled @title. */
static guint
count_rows (GtkWidget  *root,
            const char *title)
{
  guint n;

  if (!gtk_widget_get_visible (root))
    return 0;
  n = ADW_IS_ACTION_ROW (root) &&
            g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_rows (child, title);
  return n;
}

/* Gives @widget's own key handlers a key press, as the keyboard would. */
static void
press_key (GtkWidget *widget,
           guint      keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && !handled; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        g_signal_emit_by_name (controller, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
    }
  g_assert_true (handled);
}

/* Saves @dialog and returns the stored record. */
static JsonObject *
save_and_read (CdmStore         *store,
               CdmContactDialog *dialog)
{
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *record;

  g_signal_connect (dialog, "saved", G_CALLBACK (on_saved), &id);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "contact.save", NULL);
  cdm_desk_test_wait_until (pointer_set, &id, 20, "the contact to be saved");

  record = cdm_store_get (store, CDM_ENTITY_CONTACT, id, FALSE, &error);
  g_assert_no_error (error);
  return record;
}

static gboolean
null_or_absent (JsonObject *record,
                const char *member)
{
  return !json_object_has_member (record, member) || json_object_get_null_member (record, member);
}

static gboolean
original_loaded (gpointer data)
{
  return cdm_contact_dialog_get_original (data) != NULL;
}

/* Typing a partner's name and Enter refers the visitor there; the record
 * gets the partner's id, and editing shows the partner by name. */
static void
put_partner (CdmStore   *store,
             const char *name_fr,
             gboolean    active)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *name = json_object_new ();

  json_object_set_string_member (name, "fr", name_fr);
  json_object_set_object_member (record, "name", name);
  json_object_set_string_member (record, "circle", "second");
  json_object_set_string_member (record, "kind", "association");
  json_object_set_boolean_member (record, "active", active);
  cdm_store_put (store, CDM_ENTITY_ORGANISATION, record, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* A partner that no longer works with the centre is still found, but
 * after the active ones, marked, and Enter takes an active one. */
static void
test_inactive_offered_last (Fixture       *fixture,
                            gconstpointer  data)
{
  CdmContactDialog *dialog;
  GtkWidget *entry, *results, *first, *second, *tag;

  /* The inactive one written first, and named closer to what is typed. */
  put_partner (fixture->store, "Zèbre emploi", FALSE);
  put_partner (fixture->store, "Zèbre emploi et formation", TRUE);

  dialog = cdm_contact_dialog_new (NULL, fixture->store);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  entry = cdm_desk_test_get_named (GTK_WIDGET (dialog), "referral-search");
  results = cdm_desk_test_get_named (GTK_WIDGET (dialog), "referral-results");
  gtk_editable_set_text (GTK_EDITABLE (entry), "zebre emploi");
  cdm_desk_test_wait_until (results_shown, results, 20, "the partners found");

  first = gtk_widget_get_first_child (results);
  second = gtk_widget_get_next_sibling (first);
  g_assert_nonnull (second);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (first)), ==, "Zèbre emploi et formation");
  g_assert_null (cdm_desk_test_find_named (first, "inactive-tag"));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (second)), ==, "Zèbre emploi");
  tag = cdm_desk_test_get_named (second, "inactive-tag");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (tag)), ==, "Inactive");
  g_assert_true (gtk_widget_has_css_class (second, "dim-label"));
  cdm_desk_test_settle (0.2);
  cdm_desk_test_save_screenshot (GTK_WIDGET (dialog), "referrals-inactive-last");

  g_signal_emit_by_name (entry, "activate");
  g_assert_nonnull (find_row (cdm_desk_test_get_named (GTK_WIDGET (dialog), "referrals"), "Zèbre emploi et formation"));
  {
    /* Not the inactive one, which at most is still among the results. */
    GtkWidget *row = find_row (cdm_desk_test_get_named (GTK_WIDGET (dialog), "referrals"), "Zèbre emploi");

    g_assert_true (row == NULL || gtk_widget_is_ancestor (row, results));
  }

  gtk_window_destroy (GTK_WINDOW (dialog));
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &dialog, 10, "the dialog to close");
}

static void
test_referral_picked_by_search (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) again = NULL;
  CdmSearchHit *actiris;
  CdmContactDialog *dialog;
  GtkWidget *entry, *results, *focus;
  JsonArray *referrals;
  g_autofree char *contact_id = NULL;

  hits = cdm_search (fixture->store, CDM_ENTITY_ORGANISATION, "Actiris", 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  actiris = g_ptr_array_index (hits, 0);
  g_assert_cmpstr (actiris->title, ==, "Actiris");

  dialog = cdm_contact_dialog_new (NULL, fixture->store);
  gtk_window_present (GTK_WINDOW (dialog));
  entry = cdm_desk_test_get_named (GTK_WIDGET (dialog), "referral-search");
  results = cdm_desk_test_get_named (GTK_WIDGET (dialog), "referral-results");
  g_assert_false (gtk_widget_get_visible (results));

  /* Ctrl+R's action goes to the search. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "contact.find-partner", NULL);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (dialog)), entry));

  gtk_editable_set_text (GTK_EDITABLE (entry), "actir");
  cdm_desk_test_wait_until (results_shown, results, 20, "the partners found");
  {
    GtkWidget *first = gtk_widget_get_first_child (results);

    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (first)), ==, "Actiris");
  }
  cdm_desk_test_settle (0.2);
  cdm_desk_test_save_screenshot (GTK_WIDGET (dialog), "referrals-search");

  /* Enter picks the first: a row that can be removed, and the search is
   * ready for the next partner. */
  g_signal_emit_by_name (entry, "activate");
  g_assert_nonnull (find_row (cdm_desk_test_get_named (GTK_WIDGET (dialog), "referrals"), "Actiris"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_false (gtk_widget_get_visible (results));
  /* Picking it again, with Down and Enter on the row, lists it once. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "Actiris");
  cdm_desk_test_wait_until (results_shown, results, 20, "the partners found again");
  press_key (entry, GDK_KEY_Down);
  focus = gtk_root_get_focus (GTK_ROOT (dialog));
  g_assert_true (GTK_IS_LIST_BOX_ROW (focus));
  g_assert_true (gtk_widget_get_parent (focus) == results);
  gtk_widget_activate (focus);
  g_assert_cmpuint (count_rows (cdm_desk_test_get_named (GTK_WIDGET (dialog), "referrals"), "Actiris"), ==, 1);
  cdm_desk_test_settle (0.2);
  cdm_desk_test_save_screenshot (GTK_WIDGET (dialog), "referrals-picked");

  record = save_and_read (fixture->store, dialog);
  contact_id = g_strdup (json_object_get_string_member (record, "id"));
  referrals = json_object_get_array_member (record, "referrals");
  g_assert_nonnull (referrals);
  g_assert_cmpuint (json_array_get_length (referrals), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (referrals, 0), ==, actiris->id);
  /* In person: no follow-up times. */
  g_assert_true (null_or_absent (record, "received_at"));
  g_assert_true (null_or_absent (record, "answered_at"));

  /* Editing shows the partner by name, and keeps it on save. */
  dialog = cdm_contact_dialog_new_for_contact (NULL, fixture->store, contact_id);
  gtk_window_present (GTK_WINDOW (dialog));
  cdm_desk_test_wait_until (original_loaded, dialog, 20, "the contact to be read");
  g_assert_nonnull (find_row (cdm_desk_test_get_named (GTK_WIDGET (dialog), "referrals"), "Actiris"));
  again = save_and_read (fixture->store, dialog);
  referrals = json_object_get_array_member (again, "referrals");
  g_assert_cmpuint (json_array_get_length (referrals), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (referrals, 0), ==, actiris->id);
}

/* The library can be searched from the form too. */
static void
test_resource_picked_by_search (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) resource = NULL;
  g_autofree char *title = NULL;
  CdmContactDialog *dialog;
  GtkWidget *entry, *results, *first;
  JsonArray *resources;

  dialog = cdm_contact_dialog_new (NULL, fixture->store);
  gtk_window_present (GTK_WINDOW (dialog));
  entry = cdm_desk_test_get_named (GTK_WIDGET (dialog), "resource-search");
  results = cdm_desk_test_get_named (GTK_WIDGET (dialog), "resource-results");
  gtk_editable_set_text (GTK_EDITABLE (entry), "emploi");
  cdm_desk_test_wait_until (results_shown, results, 20, "the resources found");
  first = gtk_widget_get_first_child (results);
  title = g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (first)));
  /* A click (activation) on the first result. */
  g_signal_emit_by_name (results, "row-activated", first);
  g_assert_nonnull (find_row (cdm_desk_test_get_named (GTK_WIDGET (dialog), "resources"), title));

  record = save_and_read (fixture->store, dialog);
  resources = json_object_get_array_member (record, "resources");
  g_assert_cmpuint (json_array_get_length (resources), ==, 1);
  resource = cdm_store_get (fixture->store, CDM_ENTITY_RESOURCE,
                            json_array_get_string_element (resources, 0), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (resource, "title"), ==, title);
}

static CdmContactDialog *
email_dialog (Fixture *fixture)
{
  CdmContactDialog *dialog = cdm_contact_dialog_new (NULL, fixture->store);
  GtkWidget *group;

  gtk_window_present (GTK_WINDOW (dialog));
  group = cdm_desk_test_get_named (GTK_WIDGET (dialog), "follow-up");
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (dialog), "channel-in_person")), TRUE);
  g_assert_false (gtk_widget_get_visible (group));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (dialog), "channel-email")), TRUE);
  g_assert_true (gtk_widget_get_visible (group));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (group, "due"))), "Due by "));
  return dialog;
}

static void
test_email_unanswered (Fixture       *fixture,
                       gconstpointer  data)
{
  CdmContactDialog *dialog = email_dialog (fixture);
  g_autoptr(JsonObject) record = NULL;
  gint64 received, now = g_get_real_time () / G_USEC_PER_SEC;

  cdm_desk_test_settle (0.2);
  cdm_desk_test_save_screenshot (GTK_WIDGET (dialog), "referrals-follow-up");

  record = save_and_read (fixture->store, dialog);
  g_assert_cmpstr (json_object_get_string_member (record, "channel"), ==, "email");
  g_assert_false (null_or_absent (record, "received_at"));
  g_assert_true (cdm_parse_timestamp (json_object_get_string_member (record, "received_at"), &received, NULL));
  /* Now, to the minute typed. */
  g_assert_cmpint (received, <=, now);
  g_assert_cmpint (received, >, now - 120);
  g_assert_true (null_or_absent (record, "answered_at"));
}

static void
test_email_answered_now (Fixture       *fixture,
                         gconstpointer  data)
{
  CdmContactDialog *dialog = email_dialog (fixture);
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) edited = NULL;
  gint64 received, answered;
  const char *received_at;

  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (dialog), "received")), "2026-03-02 09:15");
  gtk_switch_set_active (GTK_SWITCH (cdm_desk_test_get_named (GTK_WIDGET (dialog), "answered-now")), TRUE);
  g_assert_true (gtk_widget_get_visible (cdm_desk_test_get_named (GTK_WIDGET (dialog), "answered")));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (GTK_WIDGET (dialog), "due"))), "09:15"));
  cdm_desk_test_settle (0.2);
  cdm_desk_test_save_screenshot (GTK_WIDGET (dialog), "referrals-answered");

  record = save_and_read (fixture->store, dialog);
  received_at = json_object_get_string_member (record, "received_at");
  g_assert_true (g_str_has_prefix (received_at, "2026-03-02T09:15:00+01:00"));
  g_assert_false (null_or_absent (record, "answered_at"));
  g_assert_true (cdm_parse_timestamp (received_at, &received, NULL));
  g_assert_true (cdm_parse_timestamp (json_object_get_string_member (record, "answered_at"), &answered, NULL));
  g_assert_cmpint (answered, >=, received);

  /* Editing shows both and keeps them as they were. */
  id = g_strdup (json_object_get_string_member (record, "id"));
  dialog = cdm_contact_dialog_new_for_contact (NULL, fixture->store, id);
  gtk_window_present (GTK_WINDOW (dialog));
  cdm_desk_test_wait_until (original_loaded, dialog, 20, "the contact to be read");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (dialog), "received"))), ==,
                   "2026-03-02 09:15");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (cdm_desk_test_get_named (GTK_WIDGET (dialog), "answered-now"))));
  edited = save_and_read (fixture->store, dialog);
  g_assert_cmpstr (json_object_get_string_member (edited, "received_at"), ==, received_at);
  g_assert_cmpstr (json_object_get_string_member (edited, "answered_at"), ==,
                   json_object_get_string_member (record, "answered_at"));
}

/* A time that is not one is said, and nothing is stored. */
static void
test_bad_received_time (Fixture       *fixture,
                        gconstpointer  data)
{
  CdmContactDialog *dialog = email_dialog (fixture);
  GtkWidget *received = cdm_desk_test_get_named (GTK_WIDGET (dialog), "received");
  g_autoptr(GError) error = NULL;
  gint64 before = cdm_store_count (fixture->store, CDM_ENTITY_CONTACT, &error);

  g_assert_no_error (error);
  gtk_editable_set_text (GTK_EDITABLE (received), "2026-02-30 25:00");
  g_assert_true (gtk_widget_has_css_class (received, "error"));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "contact.save", NULL);
  cdm_desk_test_settle (0.5);
  g_assert_cmpint (cdm_store_count (fixture->store, CDM_ENTITY_CONTACT, &error), ==, before);
  /* Still open, for the time to be put right. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  int status;

  cdm_desk_test_init (&argc, &argv);

  shared_dir = g_dir_make_tmp ("cdm-referrals-store-XXXXXX", &error);
  g_assert_no_error (error);
  shared_store = g_build_filename (shared_dir, "desk.sqlite", NULL);
  store = cdm_store_open (shared_store, &error);
  g_assert_no_error (error);
  now = g_date_time_new_now_local ();
  cdm_demo_fill (store, g_date_time_get_year (now), NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_test_add ("/desk/referrals/picked-by-search", Fixture, NULL,
              fixture_set_up, test_referral_picked_by_search, fixture_tear_down);
  g_test_add ("/desk/referrals/resource-picked-by-search", Fixture, NULL,
              fixture_set_up, test_resource_picked_by_search, fixture_tear_down);
  g_test_add ("/desk/referrals/email-unanswered", Fixture, NULL,
              fixture_set_up, test_email_unanswered, fixture_tear_down);
  g_test_add ("/desk/referrals/email-answered-now", Fixture, NULL,
              fixture_set_up, test_email_answered_now, fixture_tear_down);
  g_test_add ("/desk/referrals/bad-received-time", Fixture, NULL,
              fixture_set_up, test_bad_received_time, fixture_tear_down);
  g_test_add ("/desk/referrals/inactive-offered-last", Fixture, NULL,
              fixture_set_up, test_inactive_offered_last, fixture_tear_down);

  status = g_test_run ();

  cdm_desk_test_remove_dir (shared_dir);
  g_free (shared_store);
  g_free (shared_dir);
  return status;
}
