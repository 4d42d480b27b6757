/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-activities.c: the Activities section in a real window.
 *
 * Runs under Xvfb (see tests/meson.build) on a demo year in a fresh
 * temporary folder.  The week shown is found through libcdm, as a person
 * would find it with the arrows; each test asserts what the person sees
 * and what the store then holds.  Screenshots go to screenshots/ in the
 * build directory.
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <string.h>

#include "cdm-activities-page.h"
#include "cdm-activity-editor.h"
#include "cdm-activity-query.h"
#include "cdm-application.h"
#include "cdm-demo.h"
#include "cdm-search.h"
#include "cdm-desk-test-util.h"
#include "cdm-store.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

/* The activities the tests act on, found in the demo year: a held one
 * that gets a headcount and one, of the same week, that gets cancelled. */
static char *week_day;
static char *counted_id;
static char *cancelled_id;

/* The activity @id as the store has it now, through a connection of its
 * own, as another desk would see it. */
static CdmActivitySummary *
stored_activity (const char *id)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) week = NULL;
  g_autofree char *monday = cdm_activity_week_start (week_day);
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *sunday = NULL;
  int y, m, d;

  g_autoptr(GDateTime) noon = NULL;

  g_assert_cmpint (sscanf (monday, "%d-%d-%d", &y, &m, &d), ==, 3);
  noon = g_date_time_new_utc (y, m, d, 12, 0, 0);
  date = g_date_time_add_days (noon, 6);
  sunday = g_date_time_format (date, "%Y-%m-%d");

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  week = cdm_activity_query_days (store, monday, sunday, "en", NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < week->len; i++)
    {
      CdmActivitySummary *s = week->pdata[i];

      if (g_str_equal (s->id, id))
        return g_ptr_array_steal_index (week, i);
    }
  return NULL;
}

/* Idle with a week read: the store is open and nothing is being read. */
static gboolean
page_is_idle (gpointer data)
{
  return cdm_activities_page_get_week_start (data) != NULL &&
         !cdm_activities_page_is_loading (data);
}

static CdmActivitiesPage *
show_activities (CdmWindow *window)
{
  GtkWidget *page = cdm_desk_test_get_named (GTK_WIDGET (window), "activities");

  g_assert_true (CDM_IS_ACTIVITIES_PAGE (page));
  /* The sections open once the store is. */
  cdm_desk_test_wait_until (page_is_idle, page, 30, "the activities of the week");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("activities"));
  return CDM_ACTIVITIES_PAGE (page);
}

typedef struct {
  CdmActivitiesPage *page;
  const char *name;
} RowWait;

static gboolean
row_is_shown (gpointer data)
{
  RowWait *wait = data;

  return !cdm_activities_page_is_loading (wait->page) &&
         cdm_desk_test_find_named (GTK_WIDGET (wait->page), wait->name) != NULL &&
         gtk_widget_get_mapped (cdm_desk_test_find_named (GTK_WIDGET (wait->page), wait->name));
}

static GtkWidget *
wait_for_row (CdmActivitiesPage *page,
              const char        *id)
{
  g_autofree char *name = g_strconcat ("activity-", id, NULL);
  RowWait wait = { page, name };

  cdm_desk_test_wait_until (row_is_shown, &wait, 20, name);
  return cdm_desk_test_get_named (GTK_WIDGET (page), name);
}


/* The participants shown on an activity's row: "27 / 30" gives 27. */
static gint64
shown_participants (CdmActivitiesPage *page,
                    const char        *id)
{
  g_autofree char *name = g_strconcat ("participants-", id, NULL);
  const char *text = gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (GTK_WIDGET (page), name)));
  gint64 value = 0;

  for (const char *p = text; *p != '\0' && *p != '/'; p++)
    if (g_ascii_isdigit (*p))
      value = value * 10 + (*p - '0');
  return value;
}

static void
test_week_view (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmActivitiesPage *page = show_activities (window);
  g_autofree char *monday = cdm_activity_week_start (week_day);
  g_autoptr(CdmActivitySummary) counted = stored_activity (counted_id);
  /* Today in the centre's time zone, as the page counts weeks. */
  g_autoptr(GTimeZone) zone = cdm_default_time_zone ();
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *this_monday = cdm_activity_week_start (today);
  const char *title;
  GtkWidget *row;

  /* The current week comes first. */
  cdm_desk_test_wait_until (page_is_idle, page, 30, "the current week");
  g_assert_cmpstr (cdm_activities_page_get_week_start (page), ==, this_monday);

  cdm_activities_page_show_week (page, week_day);
  row = wait_for_row (page, counted_id);
  g_assert_cmpstr (cdm_activities_page_get_week_start (page), ==, monday);
  title = gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (GTK_WIDGET (page), "week-title")));
  g_assert_true (g_str_has_prefix (title, "Week of "));
  /* The title in the UI language (English here), with the demo's titles. */
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==,
                   cdm_activity_summary_get_title (counted, "en"));
  g_assert_cmpint (shown_participants (page, counted_id), ==, counted->attendance);

  cdm_desk_test_screenshots (GTK_WIDGET (window), "activities");

  /* Next week and back, as Alt+Right and Alt+Left do. */
  gtk_widget_activate_action (GTK_WIDGET (page), "week.next", NULL);
  cdm_desk_test_wait_until (page_is_idle, page, 20, "the next week");
  g_assert_cmpstr (cdm_activities_page_get_week_start (page), !=, monday);
  gtk_widget_activate_action (GTK_WIDGET (page), "week.previous", NULL);
  wait_for_row (page, counted_id);
  g_assert_cmpstr (cdm_activities_page_get_week_start (page), ==, monday);

  /* This week, as Ctrl+T does. */
  gtk_widget_activate_action (GTK_WIDGET (page), "week.current", NULL);
  cdm_desk_test_wait_until (page_is_idle, page, 20, "this week");
  g_assert_cmpstr (cdm_activities_page_get_week_start (page), ==, this_monday);
}

static GtkWidget *
find_headcount_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (window), "headcount-dialog") == 0 &&
          gtk_widget_get_visible (window))
        return window;
    }
  return NULL;
}

static gboolean
dialog_is_shown (gpointer data)
{
  return find_headcount_dialog () != NULL;
}

static gboolean
dialog_is_gone (gpointer data)
{
  return find_headcount_dialog () == NULL;
}

typedef struct {
  CdmActivitiesPage *page;
  const char *id;
  gint64 attendance;
} AttendanceWait;

static gboolean
attendance_is_shown (gpointer data)
{
  AttendanceWait *wait = data;
  g_autofree char *name = g_strconcat ("participants-", wait->id, NULL);

  return !cdm_activities_page_is_loading (wait->page) &&
         cdm_desk_test_find_named (GTK_WIDGET (wait->page), name) != NULL &&
         shown_participants (wait->page, wait->id) == wait->attendance;
}

static void
open_activity (CdmActivitiesPage *page,
               const char        *id)
{
  GtkWidget *row = wait_for_row (page, id);

  gtk_widget_activate (row);
  cdm_desk_test_settle (0.3);
  g_assert_true (gtk_widget_get_mapped (cdm_desk_test_get_named (GTK_WIDGET (page), "activity-detail")));
}

static void
test_record_headcount (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmActivitiesPage *page = show_activities (window);
  g_autoptr(CdmActivitySummary) before = stored_activity (counted_id);
  g_autoptr(CdmActivitySummary) after = NULL;
  GtkWidget *dialog;
  GtkWidget *record;
  AttendanceWait wait;

  cdm_activities_page_show_week (page, week_day);
  open_activity (page, counted_id);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (GTK_WIDGET (page), "activity-title"))), ==,
                   cdm_activity_summary_get_title (before, "en"));
  cdm_desk_test_screenshots (GTK_WIDGET (window), "activity-detail");

  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "record-headcount"));
  cdm_desk_test_wait_until (dialog_is_shown, NULL, 10, "the headcount dialog");
  dialog = find_headcount_dialog ();
  record = cdm_desk_test_find_button (dialog, "_Record");
  g_assert_nonnull (record);
  /* Nothing to record until a number is typed. */
  g_assert_false (gtk_widget_get_sensitive (record));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cdm_desk_test_get_named (dialog, "headcount-count")), 12);
  g_assert_true (gtk_widget_get_sensitive (record));
  cdm_desk_test_settle (0.2);
  cdm_desk_test_save_screenshot (dialog, "activity-headcount");
  gtk_widget_activate (record);
  cdm_desk_test_wait_until (dialog_is_gone, NULL, 10, "the headcount dialog to close");

  /* Back in the week, the row shows the new sum... */
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "back"));
  wait = (AttendanceWait) { page, counted_id, before->attendance + 12 };
  cdm_desk_test_wait_until (attendance_is_shown, &wait, 20, "the row to show 12 more participants");

  /* ... and so does the store. */
  after = stored_activity (counted_id);
  g_assert_cmpint (after->attendance, ==, before->attendance + 12);
}

static gboolean
is_cancelled_in_store (gpointer data)
{
  g_autoptr(CdmActivitySummary) s = stored_activity (cancelled_id);

  return s != NULL && g_str_equal (s->status, "cancelled");
}

static void
test_mark_cancelled (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmActivitiesPage *page = show_activities (window);
  g_autoptr(CdmActivitySummary) before = stored_activity (cancelled_id);
  GtkWidget *status;

  g_assert_cmpstr (before->status, !=, "cancelled");

  cdm_activities_page_show_week (page, week_day);
  open_activity (page, cancelled_id);
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "mark-cancelled"));
  cdm_desk_test_wait_until (is_cancelled_in_store, NULL, 20, "the activity to be cancelled in the store");

  /* The detail follows, and cancelling twice is not offered. */
  cdm_desk_test_wait_until (page_is_idle, page, 20, "the week to be read again");
  cdm_desk_test_settle (0.2);
  status = cdm_desk_test_get_named (GTK_WIDGET (page), "detail-status");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (status)), ==, "Cancelled");
  g_assert_false (gtk_widget_get_sensitive (cdm_desk_test_get_named (GTK_WIDGET (page), "mark-cancelled")));
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "back"));
}

static GtkWidget *
find_editor (void)
{
  return (GtkWidget *) cdm_desk_test_find_toplevel (CDM_TYPE_ACTIVITY_EDITOR);
}

static gboolean
editor_is_shown (gpointer data)
{
  return find_editor () != NULL;
}

static gboolean
editor_is_gone (gpointer data)
{
  return find_editor () == NULL;
}

static void
set_row_text (GtkWidget  *editor,
              const char *name,
              const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (editor, name)), text);
}

typedef struct {
  CdmActivitiesPage *page;
  const char *title;
} TitleWait;

/* A row of the week shows @title. */
static gboolean
title_is_shown (gpointer data)
{
  TitleWait *wait = data;
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  if (cdm_activities_page_is_loading (wait->page))
    return FALSE;

  g_ptr_array_add (stack, cdm_desk_test_get_named (GTK_WIDGET (wait->page), "days"));
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

      if (ADW_IS_ACTION_ROW (w) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)), wait->title) == 0)
        return TRUE;
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (stack, c);
    }
  return FALSE;
}

static void
test_create_activity (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmActivitiesPage *page = show_activities (window);
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GPtrArray) week = NULL;
  g_autoptr(GError) error = NULL;
  const CdmActivitySummary *created = NULL;
  GtkWidget *editor;
  TitleWait wait;

  cdm_activities_page_show_week (page, week_day);
  wait_for_row (page, counted_id);

  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "new-activity"));
  cdm_desk_test_wait_until (editor_is_shown, NULL, 10, "the activity form");
  editor = find_editor ();
  cdm_desk_test_settle (0.2);
  cdm_desk_test_save_screenshot (editor, "activity-editor");

  /* Without a title nothing is written and the form stays. */
  gtk_widget_activate (cdm_desk_test_get_named (editor, "save-activity"));
  cdm_desk_test_settle (0.2);
  g_assert_true (find_editor () == editor);

  set_row_text (editor, "title-fr", "Atelier d’essai");
  set_row_text (editor, "title-en", "Trial workshop");
  set_row_text (editor, "date", week_day);
  set_row_text (editor, "time", "16:45");
  adw_combo_row_set_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (editor, "mode")), 1);
  set_row_text (editor, "platform", "Teams");
  set_row_text (editor, "link", "https://meet.example/trial");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (cdm_desk_test_get_named (editor, "capacity")), 18);
  gtk_widget_activate (cdm_desk_test_get_named (editor, "save-activity"));
  cdm_desk_test_wait_until (editor_is_gone, NULL, 10, "the activity form to close");

  wait = (TitleWait) { page, "Trial workshop" };
  cdm_desk_test_wait_until (title_is_shown, &wait, 20, "the new activity in its week");

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  week = cdm_activity_query_days (store, week_day, week_day, "en", NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < week->len; i++)
    if (g_strcmp0 (((CdmActivitySummary *) week->pdata[i])->title_en, "Trial workshop") == 0)
      created = week->pdata[i];
  g_assert_nonnull (created);
  g_assert_cmpstr (created->title_fr, ==, "Atelier d’essai");
  g_assert_cmpstr (created->day, ==, week_day);
  g_assert_cmpstr (created->mode, ==, "online");
  g_assert_cmpstr (created->platform, ==, "Teams");
  g_assert_cmpstr (created->link, ==, "https://meet.example/trial");
  g_assert_cmpint (created->capacity, ==, 18);
  g_assert_cmpstr (created->status, ==, "planned");
}

static gboolean
editor_is_filled (gpointer data)
{
  GtkWidget *editor = find_editor ();

  return editor != NULL &&
         gtk_editable_get_text (GTK_EDITABLE (cdm_desk_test_get_named (editor, "date")))[0] != '\0';
}

static void
test_edit_activity (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmActivitiesPage *page = show_activities (window);
  g_autoptr(CdmActivitySummary) before = stored_activity (counted_id);
  g_autoptr(CdmActivitySummary) after = NULL;
  GtkWidget *editor;
  TitleWait wait;

  cdm_activities_page_show_week (page, week_day);
  open_activity (page, counted_id);
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "edit-activity"));
  cdm_desk_test_wait_until (editor_is_filled, NULL, 10, "the activity in the form");
  editor = find_editor ();
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cdm_desk_test_get_named (editor, "title-fr"))), ==,
                   before->title_fr);

  set_row_text (editor, "title-en", "Renamed session");
  gtk_widget_activate (cdm_desk_test_get_named (editor, "save-activity"));
  cdm_desk_test_wait_until (editor_is_gone, NULL, 10, "the activity form to close");
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "back"));

  wait = (TitleWait) { page, "Renamed session" };
  cdm_desk_test_wait_until (title_is_shown, &wait, 20, "the new title in the week");

  /* Only what the form changed has changed. */
  after = stored_activity (counted_id);
  g_assert_cmpstr (after->title_en, ==, "Renamed session");
  g_assert_cmpstr (after->title_fr, ==, before->title_fr);
  g_assert_cmpstr (after->starts_at, ==, before->starts_at);
  g_assert_cmpint (after->attendance, ==, before->attendance);
  g_assert_cmpuint (g_strv_length (after->organisers), ==, g_strv_length (before->organisers));
  g_assert_cmpuint (g_strv_length (after->programmes), ==, g_strv_length (before->programmes));
  g_assert_cmpstr (after->audience, ==, before->audience);
}

static JsonObject *
stored_record (CdmEntity   entity,
               const char *id)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *record;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  record = cdm_store_get (store, entity, id, FALSE, &error);
  g_assert_no_error (error);
  return record;
}

static char *
find_partner_id (const char *query)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  hits = cdm_search (store, CDM_ENTITY_ORGANISATION, query, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  return g_strdup (((CdmSearchHit *) hits->pdata[0])->id);
}

static gboolean
array_has (JsonArray  *array,
           const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

/* The organiser rows of @editor, in order. */
static GPtrArray *
organiser_rows (GtkWidget *editor)
{
  GPtrArray *rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, cdm_desk_test_get_named (editor, "organisers"));
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, 0);

      if (g_strcmp0 (gtk_widget_get_name (w), "organiser") == 0)
        g_ptr_array_add (rows, w);
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (stack, c);
    }
  return rows;
}

static gboolean
results_are_shown (gpointer data)
{
  GtkWidget *results = cdm_desk_test_get_named (data, "organiser-results");

  return gtk_widget_get_visible (results) && gtk_widget_get_first_child (results) != NULL;
}

static GtkWidget *
open_editor_of (CdmActivitiesPage *page,
                const char        *id)
{
  cdm_activities_page_show_week (page, week_day);
  open_activity (page, id);
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "edit-activity"));
  cdm_desk_test_wait_until (editor_is_filled, NULL, 10, "the activity in the form");
  return find_editor ();
}

static void
test_organisers_audience_programmes (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmActivitiesPage *page = show_activities (window);
  g_autoptr(JsonObject) before = stored_record (CDM_ENTITY_ACTIVITY, counted_id);
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *actiris = find_partner_id ("Actiris");
  JsonArray *organisers_before = json_object_get_array_member (before, "organisers");
  guint n_before = json_array_get_length (organisers_before);
  g_autofree char *removed = NULL;
  GtkWidget *editor, *search;
  JsonArray *organisers, *programmes;
  int jobseekers = -1;

  for (guint i = 0; cdm_audiences[i] != NULL; i++)
    if (g_str_equal (cdm_audiences[i], "jobseekers"))
      jobseekers = (int) i;
  g_assert_cmpint (jobseekers, >=, 0);
  /* The demo year gives activities an organiser or more; Actiris is
   * added here, so it must not be one already. */
  g_assert_false (array_has (organisers_before, actiris));

  editor = open_editor_of (page, counted_id);
  rows = organiser_rows (editor);
  g_assert_cmpuint (rows->len, ==, n_before);
  if (n_before > 0)
    {
      /* Named, never shown as an id. */
      g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[0]), !=,
                       json_array_get_string_element (organisers_before, 0));
      removed = g_strdup (json_array_get_string_element (organisers_before, 0));
      gtk_widget_activate (cdm_desk_test_get_named (rows->pdata[0], "remove-organiser"));
      cdm_desk_test_settle (0.5);
    }
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Organisers are found by typing; Enter takes the first one found. */
  search = cdm_desk_test_get_named (editor, "organiser-search");
  gtk_editable_set_text (GTK_EDITABLE (search), "Actiris");
  cdm_desk_test_wait_until (results_are_shown, editor, 10, "partners found for the organiser");
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (search, GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    cdm_desk_test_settle (0.2);
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    cdm_desk_test_settle (0.3);
    cdm_desk_test_save_screenshot (editor, "activity-editor-organiser-search");
  }
  g_signal_emit_by_name (search, "entry-activated");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "");
  rows = organiser_rows (editor);
  g_assert_cmpuint (rows->len, ==, n_before);
  g_assert_nonnull (strstr (adw_preferences_row_get_title (rows->pdata[rows->len - 1]), "Actiris"));
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* The audience from its vocabulary (item 0 is "Not set"), two programmes. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (editor, "audience")), jobseekers + 1);
  for (guint i = 0; cdm_programmes[i] != NULL; i++)
    {
      g_autofree char *name = g_strconcat ("programme-", cdm_programmes[i], NULL);

      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (editor, name)),
                                    g_str_equal (cdm_programmes[i], "neet") ||
                                    g_str_equal (cdm_programmes[i], "euroguidance"));
    }
  cdm_desk_test_settle (0.2);
  cdm_desk_test_screenshots (editor, "activity-editor-edit");
  gtk_widget_activate (cdm_desk_test_get_named (editor, "save-activity"));
  cdm_desk_test_wait_until (editor_is_gone, NULL, 10, "the activity form to close");

  after = stored_record (CDM_ENTITY_ACTIVITY, counted_id);
  organisers = json_object_get_array_member (after, "organisers");
  g_assert_cmpuint (json_array_get_length (organisers), ==, n_before);
  g_assert_true (array_has (organisers, actiris));
  if (removed != NULL)
    g_assert_false (array_has (organisers, removed));
  g_assert_cmpstr (json_object_get_string_member (after, "audience"), ==, "jobseekers");
  programmes = json_object_get_array_member (after, "programmes");
  g_assert_cmpuint (json_array_get_length (programmes), ==, 2);
  g_assert_true (array_has (programmes, "neet"));
  g_assert_true (array_has (programmes, "euroguidance"));

  /* Round trip: the form shows what was stored. */
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "back"));
  cdm_desk_test_settle (0.3);
  editor = open_editor_of (page, counted_id);
  cdm_desk_test_settle (0.3);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (editor, "audience"))),
                    ==, (guint) jobseekers + 1);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (editor, "programme-neet"))));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (editor, "programme-schools"))));
  rows = organiser_rows (editor);
  g_assert_cmpuint (rows->len, ==, n_before);

  /* No audience: stored as none. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (editor, "audience")), 0);
  gtk_widget_activate (cdm_desk_test_get_named (editor, "save-activity"));
  cdm_desk_test_wait_until (editor_is_gone, NULL, 10, "the activity form to close");
  g_clear_pointer (&after, json_object_unref);
  after = stored_record (CDM_ENTITY_ACTIVITY, counted_id);
  g_assert_true (json_object_get_null_member (after, "audience"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (after, "organisers")), ==, n_before);
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "back"));
  cdm_desk_test_settle (0.3);
}

/* Picks, in the demo year, the busiest week already past with two
 * activities that are not cancelled. */
static void
pick_activities (CdmStore *store,
                 int       year)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) week_ago = g_date_time_add_weeks (now, -1);
  g_autofree char *first = g_strdup_printf ("%d-01-01", year);
  g_autofree char *last = g_date_time_format (week_ago, "%Y-%m-%d");
  guint best = 0;

  /* In the first week of January, no week of the year is past yet: the
   * planned ones do. */
  if (g_date_time_get_year (week_ago) < year)
    {
      g_free (last);
      last = g_strdup_printf ("%d-12-31", year);
    }

  all = cdm_activity_query_days (store, first, last, "en", NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < all->len; )
    {
      CdmActivitySummary *start = all->pdata[i];
      g_autofree char *monday = cdm_activity_week_start (start->day);
      CdmActivitySummary *counted = NULL, *other = NULL;
      guint j;

      for (j = i; j < all->len; j++)
        {
          CdmActivitySummary *a = all->pdata[j];
          g_autofree char *its_monday = cdm_activity_week_start (a->day);

          if (!g_str_equal (monday, its_monday))
            break;
          if (counted == NULL && !g_str_equal (a->status, "cancelled"))
            counted = a;
          else if (other == NULL && !g_str_equal (a->status, "cancelled"))
            other = a;
        }

      if (counted != NULL && other != NULL && j - i > best)
        {
          best = j - i;
          g_free (week_day);
          g_free (counted_id);
          g_free (cancelled_id);
          week_day = g_strdup (counted->day);
          counted_id = g_strdup (counted->id);
          cancelled_id = g_strdup (other->id);
        }
      i = j;
    }

  g_assert_nonnull (cancelled_id);
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

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-XXXXXX", &store_path);

  /* The demo year the app would make on its first start. */
  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  now = g_date_time_new_now_local ();
  cdm_demo_fill (store, g_date_time_get_year (now), NULL, &error);
  g_assert_no_error (error);
  pick_activities (store, g_date_time_get_year (now));
  g_clear_object (&store);

  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk-activities/week-view", test_week_view);
  g_test_add_func ("/desk-activities/record-headcount", test_record_headcount);
  g_test_add_func ("/desk-activities/mark-cancelled", test_mark_cancelled);
  g_test_add_func ("/desk-activities/create", test_create_activity);
  g_test_add_func ("/desk-activities/edit", test_edit_activity);
  g_test_add_func ("/desk-activities/organisers", test_organisers_audience_programmes);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);

  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);
  g_free (week_day);
  g_free (counted_id);
  g_free (cancelled_id);

  return status;
}
