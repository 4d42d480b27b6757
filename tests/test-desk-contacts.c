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
#include <glib/gstdio.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-contact-dialog.h"
#include "cdm-contact-item.h"
#include "cdm-demo.h"
#include "cdm-report.h"
#include "cdm-store.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

/* Iterates the main loop until @done says so, or fails after @seconds. */
static void
wait_until (gboolean  (*done) (gpointer data),
            gpointer    data,
            double      seconds,
            const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
settle (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
get_named (GtkWidget  *root,
           const char *name)
{
  GtkWidget *widget = find_named (root, name);

  if (widget == NULL)
    g_error ("No widget named %s", name);
  return widget;
}

/* A button under @root whose label is @label. */
static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The figure of a label such as "27422 contacts" or "27,422 contacts";
 * -1 while it shows none. */
static gint64
label_count (GtkWidget *label)
{
  const char *text = gtk_label_get_text (GTK_LABEL (label));
  gint64 value = 0;
  gboolean any = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          value = value * 10 + (*p - '0');
          any = TRUE;
        }
    }
  return any ? value : -1;
}

/* Renders @widget as it is drawn now into dir/name.png. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  g_mkdir_with_parents (dir, 0755);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot %s (%d×%d)", path, width, height);
}

typedef struct {
  GtkWidget *widget;
  int width, height;
} SizeWait;

static gboolean
has_size (gpointer data)
{
  SizeWait *wait = data;

  return gtk_widget_get_width (wait->widget) == wait->width &&
         gtk_widget_get_height (wait->widget) == wait->height;
}

/* Gives the window's content exactly @width × @height (see test-desk.c). */
static void
resize (GtkWidget *window,
        int        width,
        int        height)
{
  SizeWait wait = { window, width, height };
  int request_width = width, request_height = height;

  for (int attempt = 0; attempt < 3 && !has_size (&wait); attempt++)
    {
      gtk_widget_set_visible (window, FALSE);
      gtk_window_set_default_size (GTK_WINDOW (window), request_width, request_height);
      gtk_window_present (GTK_WINDOW (window));
      settle (0.5);
      request_width += width - gtk_widget_get_width (window);
      request_height += height - gtk_widget_get_height (window);
    }
  wait_until (has_size, &wait, 10, "the window to take its size");
  settle (0.3);
}

static CdmWindow *
get_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (CDM_IS_WINDOW (window));
  return CDM_WINDOW (window);
}

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

  return label_count (wait->label) == wait->value;
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
  CdmWindow *window = get_window ();
  GtkWidget *page = get_named (GTK_WIDGET (window), "contacts");
  GtkWidget *count_label = get_named (page, "contacts-count");
  GtkColumnView *view = GTK_COLUMN_VIEW (get_named (page, "contacts-list"));
  GtkDropDown *channel = GTK_DROP_DOWN (get_named (page, "filter-channel"));
  GtkSingleSelection *selection;
  GListModel *model;
  GtkWidget *undo;
  g_autofree char *first_id = NULL;
  CountWait wait = { count_label, expected_count (NULL) };
  gint64 email;
  guint email_index = 0;

  g_assert_cmpint (wait.value, >, 0);

  /* "This year" is the period shown first. */
  wait_until (count_is, &wait, 30, "the year's contacts to be counted");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("contacts"));
  g_assert_true (gtk_widget_get_mapped (page));
  selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
  model = G_LIST_MODEL (selection);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, wait.value);
  wait_until (first_row_loaded, model, 10, "the first row");

  resize (GTK_WIDGET (window), 1366, 768);
  save_screenshot (GTK_WIDGET (window), "contacts-1366x768");
  resize (GTK_WIDGET (window), 800, 600);
  save_screenshot (GTK_WIDGET (window), "contacts-800x600");

  /* One channel: every row is of that channel, and as many as the store has. */
  for (guint i = 0; cdm_channels[i] != NULL; i++)
    if (g_str_equal (cdm_channels[i], "email"))
      email_index = i + 1;
  g_assert_cmpuint (email_index, >, 0);
  email = expected_count ("email");
  g_assert_cmpint (email, >, 0);
  gtk_drop_down_set_selected (channel, email_index);
  wait.value = email;
  wait_until (count_is, &wait, 30, "the e-mails to be counted");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, email);
  /* The newest is selected, ready for the keyboard. */
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      ItemWait item_wait = { model, i };
      g_autoptr(CdmContactItem) item = NULL;

      wait_until (item_loaded, &item_wait, 10, "a row of e-mails");
      item = g_list_model_get_item (model, i);
      g_assert_cmpstr (cdm_contact_item_get_row (item)->channel, ==, "email");
    }
  settle (0.3);
  save_screenshot (GTK_WIDGET (window), "contacts-email-800x600");

  /* Remove the first row, with the Delete key's action. */
  gtk_single_selection_set_selected (selection, 0);
  wait_until (first_row_loaded, model, 10, "the first row");
  {
    g_autoptr(CdmContactItem) item = g_list_model_get_item (model, 0);
    first_id = g_strdup (cdm_contact_item_get_row (item)->id);
  }
  g_assert_true (gtk_widget_activate_action (page, "contacts.delete", NULL));
  wait.value = email - 1;
  wait_until (count_is, &wait, 30, "the list without the removed contact");
  g_assert_cmpint (expected_count ("email"), ==, email - 1);
  wait_until (first_row_loaded, model, 10, "the first row");
  {
    g_autoptr(CdmContactItem) item = g_list_model_get_item (model, 0);
    g_assert_cmpstr (cdm_contact_item_get_row (item)->id, !=, first_id);
  }
  /* The next contact is selected in its place: Delete again would remove it. */
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);
  g_assert_true (gtk_widget_get_sensitive (get_named (page, "delete-contact")));

  /* Undo puts it back, at its place. */
  undo = find_button (page, "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  wait.value = email;
  wait_until (count_is, &wait, 30, "the list with the contact back");
  g_assert_cmpint (expected_count ("email"), ==, email);
  wait_until (first_row_loaded, model, 10, "the first row");
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

static gint64
stored_contact_count (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  n = cdm_store_count (store, CDM_ENTITY_CONTACT, &error);
  g_assert_no_error (error);
  return n;
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
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CDM_IS_CONTACT_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return CDM_CONTACT_DIALOG (window);
    }
  return NULL;
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
  return gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (get_named (root, name)));
}

static void
test_edit (void)
{
  CdmWindow *window = get_window ();
  GtkWidget *page = get_named (GTK_WIDGET (window), "contacts");
  GtkColumnView *view = GTK_COLUMN_VIEW (get_named (page, "contacts-list"));
  GtkSingleSelection *selection;
  GListModel *model;
  CdmContactDialog *dialog;
  GtkWidget *undo;
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autofree char *id = NULL;
  g_autofree char *button = NULL;
  gint64 n_contacts = stored_contact_count ();
  guint position = 0;
  ChannelWait wait;

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("contacts"));
  resize (GTK_WIDGET (window), 1366, 768);
  selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
  model = G_LIST_MODEL (selection);
  wait_until (first_row_loaded, model, 10, "the first row");

  /* The first contact that is not a chat about learning. */
  for (;; position++)
    {
      ItemWait item_wait = { model, position };
      g_autoptr(CdmContactItem) item = NULL;

      g_assert_cmpuint (position, <, g_list_model_get_n_items (model));
      wait_until (item_loaded, &item_wait, 10, "a row");
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
  wait_until (dialog_open, NULL, 10, "the contact form");
  dialog = find_contact_dialog ();
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Edit Contact");
  wait_until (dialog_loaded, dialog, 10, "the contact to be read");
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

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (get_named (GTK_WIDGET (dialog), "note"))), ==,
                     note != NULL ? note : "");
  }
  settle (0.5);
  save_screenshot (GTK_WIDGET (dialog), "contact-edit");

  /* A chat about learning, then: saved in place. */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (get_named (GTK_WIDGET (dialog), "channel-chat")), TRUE);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (get_named (GTK_WIDGET (dialog), "themes-learn")), TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "contact.save", NULL));
  wait_until (dialog_closed, NULL, 10, "the form to close");
  wait = (ChannelWait) { id, "chat" };
  wait_until (channel_is, &wait, 10, "the edit to be stored");
  after = stored_contact (id);
  g_assert_cmpstr (json_object_get_string_member (after, "id"), ==, id);
  g_assert_true (has_theme (after, "learn"));
  g_assert_cmpstr (json_object_get_string_member (after, "occurred_at"), ==,
                   json_object_get_string_member (before, "occurred_at"));
  g_assert_cmpstr (json_object_get_string_member (after, "service"), ==,
                   json_object_get_string_member (before, "service"));
  g_assert_cmpint (stored_contact_count (), ==, n_contacts);
  {
    RowWait row_wait = { model, position, id, "chat" };

    wait_until (row_shows, &row_wait, 10, "the list to show the edit");
  }

  /* Undo writes it back as it was. */
  undo = find_button (page, "_Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  wait = (ChannelWait) { id, json_object_get_string_member (before, "channel") };
  wait_until (channel_is, &wait, 10, "the edit to be undone");
  g_clear_pointer (&after, json_object_unref);
  after = stored_contact (id);
  g_assert_false (has_theme (after, "learn"));
  g_assert_cmpstr (json_object_get_string_member (after, "occurred_at"), ==,
                   json_object_get_string_member (before, "occurred_at"));
  g_assert_cmpint (stored_contact_count (), ==, n_contacts);
  {
    RowWait row_wait = { model, position, id, json_object_get_string_member (before, "channel") };

    wait_until (row_shows, &row_wait, 10, "the list to show the contact as it was");
  }
  settle (0.3);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  store_dir = g_dir_make_tmp ("cdm-desk-contacts-XXXXXX", &error);
  g_assert_no_error (error);
  store_path = g_build_filename (store_dir, "desk.sqlite", NULL);
  g_setenv ("CDM_DESK_STORE", store_path, TRUE);

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  now = g_date_time_new_now_local ();
  cdm_demo_fill (store, g_date_time_get_year (now), NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  app = g_object_new (CDM_TYPE_APPLICATION,
                      "application-id", "brussels.cdm_bp.Desk.Test",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/brussels/cdm_bp/Desk",
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/desk/contacts", test_contacts);
  g_test_add_func ("/desk/contacts/edit", test_edit);

  status = g_test_run ();

  /* Close the windows so their workers finish before the files go. */
  {
    GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

    while (windows != NULL)
      {
        gtk_window_destroy (windows->data);
        windows = gtk_application_get_windows (GTK_APPLICATION (app));
      }
  }
  settle (0.2);
  g_clear_object (&app);

  {
    g_autoptr(GDir) dir = g_dir_open (store_dir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (store_dir, name, NULL);
        g_unlink (path);
      }
    g_rmdir (store_dir);
  }
  g_free (store_path);
  g_free (store_dir);

  return status;
}
