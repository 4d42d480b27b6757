/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-contacts.c: the Contacts section in a real window.
 *
 * Runs under Xvfb (see tests/meson.build) on a demo year: the list shows
 * the year's contacts, narrows to a channel, and a contact removed from
 * it comes back with Undo; a contact edited from it keeps its id and
 * time, and Undo puts the edit back.  Screenshots at 1366×768 and 800×600 go to
 * screenshots/ in the build directory.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-contact-dialog.h"
#include "cdm-contact-item.h"
#include "cdm-desk-test-util.h"
#include "cdm-report.h"
#include "cdm-store.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

typedef struct {
  const char *channel;   /* NULL for any */
  int year;
  gint64 n;
} Tally;

static gboolean
tally_contact (JsonObject *record,
               gpointer    user_data)
{
  Tally *tally = user_data;
  g_autofree char *prefix = g_strdup_printf ("%d-", tally->year);
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Europe/Brussels");
  g_autofree char *day = NULL;
  gint64 unix_time = 0;

  g_assert_true (cdm_parse_timestamp (json_object_get_string_member (record, "occurred_at"),
                                      &unix_time, NULL));
  day = cdm_local_day (zone, unix_time);
  if (!g_str_has_prefix (day, prefix))
    return TRUE;
  if (tally->channel == NULL)
    {
      /* What the report does not show apart: multimedia contact records. */
      if (g_strcmp0 (json_object_get_string_member (record, "service"), "multimedia") == 0)
        tally->n++;
    }
  else if (g_strcmp0 (json_object_get_string_member (record, "channel"), tally->channel) == 0)
    {
      tally->n++;
    }
  return TRUE;
}

/* The contacts of this year: individual advice as the report counts it,
 * plus the multimedia contact records; or those of @channel. */
static gint64
expected_count (const char *channel)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  Tally tally = { channel, g_date_time_get_year (now), 0 };

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  cdm_store_foreach (store, CDM_ENTITY_CONTACT, FALSE, tally_contact, &tally, NULL, &error);
  g_assert_no_error (error);

  if (channel == NULL)
    {
      g_autoptr(CdmReport) report = cdm_report_compute (store, tally.year, NULL, &error);

      g_assert_no_error (error);
      tally.n += cdm_report_get_individual_advice (report);
    }
  return tally.n;
}

typedef struct {
  GtkWidget *label;
  gint64 value;
} CountWait;

static gboolean
count_is (gpointer data)
{
  CountWait *wait = data;

  return cdm_desk_test_label_count (wait->label) == wait->value;
}

static gboolean
first_row_loaded (gpointer data)
{
  GListModel *model = data;
  g_autoptr(CdmContactItem) item = g_list_model_get_item (model, 0);

  return item != NULL && cdm_contact_item_get_row (item) != NULL;
}

typedef struct {
  GListModel *model;
  guint position;
} ItemWait;

static gboolean
item_loaded (gpointer data)
{
  ItemWait *wait = data;
  g_autoptr(CdmContactItem) item = g_list_model_get_item (wait->model, wait->position);

  return item != NULL && cdm_contact_item_get_row (item) != NULL;
}

static void
test_contacts (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  GtkWidget *page = cdm_desk_test_get_named (GTK_WIDGET (window), "contacts");
  GtkWidget *count_label = cdm_desk_test_get_named (page, "contacts-count");
  GtkColumnView *view = GTK_COLUMN_VIEW (cdm_desk_test_get_named (page, "contacts-list"));
  GtkDropDown *channel = GTK_DROP_DOWN (cdm_desk_test_get_named (page, "filter-channel"));
  GtkSingleSelection *selection;
  GListModel *model;
  GtkWidget *undo;
  g_autofree char *first_id = NULL;
  CountWait wait = { count_label, expected_count (NULL) };
  gint64 email;
  guint email_index = 0;

  g_assert_cmpint (wait.value, >, 0);

  /* "This year" is the period shown first. */
  cdm_desk_test_wait_until (count_is, &wait, 30, "the year's contacts to be counted");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("contacts"));
  g_assert_true (gtk_widget_get_mapped (page));
  selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
  model = G_LIST_MODEL (selection);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, wait.value);
  cdm_desk_test_wait_until (first_row_loaded, model, 10, "the first row");

  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "contacts-1366x768");
  cdm_desk_test_resize (GTK_WIDGET (window), 800, 600);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "contacts-800x600");

  /* One channel: every row is of that channel, and as many as the store has. */
  for (guint i = 0; cdm_channels[i] != NULL; i++)
    if (g_str_equal (cdm_channels[i], "email"))
      email_index = i + 1;
  g_assert_cmpuint (email_index, >, 0);
  email = expected_count ("email");
  g_assert_cmpint (email, >, 0);
  gtk_drop_down_set_selected (channel, email_index);
  wait.value = email;
  cdm_desk_test_wait_until (count_is, &wait, 30, "the e-mails to be counted");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, email);
  /* The newest is selected, ready for the keyboard. */
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      ItemWait item_wait = { model, i };
      g_autoptr(CdmContactItem) item = NULL;

      cdm_desk_test_wait_until (item_loaded, &item_wait, 10, "a row of e-mails");
      item = g_list_model_get_item (model, i);
      g_assert_cmpstr (cdm_contact_item_get_row (item)->channel, ==, "email");
    }
  cdm_desk_test_settle (0.3);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "contacts-email-800x600");

  /* Remove the first row, with the Delete key's action. */
  gtk_single_selection_set_selected (selection, 0);
  cdm_desk_test_wait_until (first_row_loaded, model, 10, "the first row");
  {
    g_autoptr(CdmContactItem) item = g_list_model_get_item (model, 0);
    first_id = g_strdup (cdm_contact_item_get_row (item)->id);
  }
  g_assert_true (gtk_widget_activate_action (page, "contacts.delete", NULL));
  wait.value = email - 1;
  cdm_desk_test_wait_until (count_is, &wait, 30, "the list without the removed contact");
  g_assert_cmpint (expected_count ("email"), ==, email - 1);
  cdm_desk_test_wait_until (first_row_loaded, model, 10, "the first row");
  {
    g_autoptr(CdmContactItem) item = g_list_model_get_item (model, 0);
    g_assert_cmpstr (cdm_contact_item_get_row (item)->id, !=, first_id);
  }
  /* The next contact is selected in its place: Delete again would remove it. */
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);
  g_assert_true (gtk_widget_get_sensitive (cdm_desk_test_get_named (page, "delete-contact")));

  /* Undo puts it back, at its place. */
  undo = cdm_desk_test_find_button (page, "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  wait.value = email;
  cdm_desk_test_wait_until (count_is, &wait, 30, "the list with the contact back");
  g_assert_cmpint (expected_count ("email"), ==, email);
  cdm_desk_test_wait_until (first_row_loaded, model, 10, "the first row");
  {
    g_autoptr(CdmContactItem) item = g_list_model_get_item (model, 0);
    g_assert_cmpstr (cdm_contact_item_get_row (item)->id, ==, first_id);
  }

  gtk_drop_down_set_selected (channel, 0);
}

/* The contact as stored now, read through a connection of its own. */
static JsonObject *
stored_contact (const char *id)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *record;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  record = cdm_store_get (store, CDM_ENTITY_CONTACT, id, FALSE, &error);
  g_assert_no_error (error);
  return record;
}

static gboolean
has_theme (JsonObject *record,
           const char *theme)
{
  JsonArray *themes = json_object_get_array_member (record, "themes");

  for (guint i = 0; themes != NULL && i < json_array_get_length (themes); i++)
    if (g_str_equal (json_array_get_string_element (themes, i), theme))
      return TRUE;
  return FALSE;
}

typedef struct {
  const char *id;
  const char *channel;
} ChannelWait;

static gboolean
channel_is (gpointer data)
{
  ChannelWait *wait = data;
  g_autoptr(JsonObject) record = stored_contact (wait->id);

  /* Not too often: each look opens the store. */
  g_usleep (20000);
  return g_strcmp0 (json_object_get_string_member (record, "channel"), wait->channel) == 0;
}

typedef struct {
  GListModel *model;
  guint position;
  const char *id;
  const char *channel;
} RowWait;

/* The list, read anew, shows the contact at its place with @channel. */
static gboolean
row_shows (gpointer data)
{
  RowWait *wait = data;
  g_autoptr(CdmContactItem) item = g_list_model_get_item (wait->model, wait->position);
  const CdmContactRow *row = item != NULL ? cdm_contact_item_get_row (item) : NULL;

  return row != NULL && g_str_equal (row->id, wait->id) && g_str_equal (row->channel, wait->channel);
}

static CdmContactDialog *
find_contact_dialog (void)
{
  return (CdmContactDialog *) cdm_desk_test_find_toplevel (CDM_TYPE_CONTACT_DIALOG);
}

static gboolean
dialog_open (gpointer data)
{
  return find_contact_dialog () != NULL;
}

static gboolean
dialog_closed (gpointer data)
{
  return find_contact_dialog () == NULL;
}

static gboolean
dialog_loaded (gpointer data)
{
  return cdm_contact_dialog_get_original (data) != NULL;
}

static gboolean
toggle_active (GtkWidget  *root,
               const char *name)
{
  return gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (root, name)));
}

static void
test_edit (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  GtkWidget *page = cdm_desk_test_get_named (GTK_WIDGET (window), "contacts");
  GtkColumnView *view = GTK_COLUMN_VIEW (cdm_desk_test_get_named (page, "contacts-list"));
  GtkSingleSelection *selection;
  GListModel *model;
  CdmContactDialog *dialog;
  GtkWidget *undo;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autofree char *id = NULL;
  g_autofree char *button = NULL;
  gint64 n_contacts = cdm_desk_test_count_contacts (store_path);
  guint position = 0;
  ChannelWait wait;

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("contacts"));
  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
  model = G_LIST_MODEL (selection);
  cdm_desk_test_wait_until (first_row_loaded, model, 10, "the first row");

  /* The first contact that is not a chat about learning. */
  for (;; position++)
    {
      ItemWait item_wait = { model, position };
      g_autoptr(CdmContactItem) item = NULL;

      g_assert_cmpuint (position, <, g_list_model_get_n_items (model));
      cdm_desk_test_wait_until (item_loaded, &item_wait, 10, "a row");
      item = g_list_model_get_item (model, position);
      g_clear_pointer (&before, json_object_unref);
      before = stored_contact (cdm_contact_item_get_row (item)->id);
      if (!g_str_equal (json_object_get_string_member (before, "channel"), "chat") &&
          !has_theme (before, "learn"))
        {
          id = g_strdup (cdm_contact_item_get_row (item)->id);
          break;
        }
    }

  /* Enter on the row opens it in the form, read from the store. */
  gtk_single_selection_set_selected (selection, position);
  g_signal_emit_by_name (view, "activate", position);
  cdm_desk_test_wait_until (dialog_open, NULL, 10, "the contact form");
  dialog = find_contact_dialog ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Edit Contact");
  cdm_desk_test_wait_until (dialog_loaded, dialog, 10, "the contact to be read");
  button = g_strdup_printf ("channel-%s", json_object_get_string_member (before, "channel"));
  g_assert_true (toggle_active (GTK_WIDGET (dialog), button));
  g_free (button);
  button = g_strdup_printf ("service-%s", json_object_get_string_member (before, "service"));
  g_assert_true (toggle_active (GTK_WIDGET (dialog), button));
  for (guint i = 0; cdm_themes[i] != NULL; i++)
    {
      g_free (button);
      button = g_strdup_printf ("themes-%s", cdm_themes[i]);
      g_assert_cmpint (toggle_active (GTK_WIDGET (dialog), button), ==, has_theme (before, cdm_themes[i]));
    }
  {
    const char *note = json_object_get_string_member (before, "note");

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (dialog), "note"))), ==,
                     note != NULL ? note : "");
  }
  cdm_desk_test_settle (0.5);
  cdm_desk_test_save_screenshot (GTK_WIDGET (dialog), "contact-edit");

  /* A chat about learning, then: saved in place. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (dialog), "channel-chat")), TRUE);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (GTK_WIDGET (dialog), "themes-learn")), TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "contact.save", NULL));
  cdm_desk_test_wait_until (dialog_closed, NULL, 10, "the form to close");
  wait = (ChannelWait) { id, "chat" };
  cdm_desk_test_wait_until (channel_is, &wait, 10, "the edit to be stored");
  after = stored_contact (id);
  g_assert_cmpstr (json_object_get_string_member (after, "id"), ==, id);
  g_assert_true (has_theme (after, "learn"));
  g_assert_cmpstr (json_object_get_string_member (after, "occurred_at"), ==,
                   json_object_get_string_member (before, "occurred_at"));
  g_assert_cmpstr (json_object_get_string_member (after, "service"), ==,
                   json_object_get_string_member (before, "service"));
  g_assert_cmpint (cdm_desk_test_count_contacts (store_path), ==, n_contacts);
  {
    RowWait row_wait = { model, position, id, "chat" };

    cdm_desk_test_wait_until (row_shows, &row_wait, 10, "the list to show the edit");
  }

  /* Undo writes it back as it was. */
  undo = cdm_desk_test_find_button (page, "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  wait = (ChannelWait) { id, json_object_get_string_member (before, "channel") };
  cdm_desk_test_wait_until (channel_is, &wait, 10, "the edit to be undone");
  g_clear_pointer (&after, json_object_unref);
  after = stored_contact (id);
  g_assert_false (has_theme (after, "learn"));
  g_assert_cmpstr (json_object_get_string_member (after, "occurred_at"), ==,
                   json_object_get_string_member (before, "occurred_at"));
  g_assert_cmpint (cdm_desk_test_count_contacts (store_path), ==, n_contacts);
  {
    RowWait row_wait = { model, position, id, json_object_get_string_member (before, "channel") };

    cdm_desk_test_wait_until (row_shows, &row_wait, 10, "the list to show the contact as it was");
  }
  cdm_desk_test_settle (0.3);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  cdm_desk_test_init (&argc, &argv);

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-contacts-XXXXXX", &store_path);

  cdm_desk_test_fill_demo (store_path);

  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk/contacts", test_contacts);
  g_test_add_func ("/desk/contacts/edit", test_edit);

  status = g_test_run ();

  /* Close the windows so their workers finish before the files go. */
  cdm_desk_test_close_application (&app);

  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
