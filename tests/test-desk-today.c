/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-today.c: the next activities and the open requests of the
 * Today page, in a real window.
 *
 * Runs under Xvfb (see tests/meson.build) on a demo year in a fresh
 * temporary folder, to which the test adds an e-mail received two hours
 * ago, one received fifty hours ago, and a planned and a cancelled
 * activity tomorrow.  Screenshots at 1366×768 and 800×600 go to
 * screenshots/ in the build directory.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-demo.h"
#include "cdm-open-requests.h"
#include "cdm-desk-test-util.h"
#include "cdm-store.h"
#include "cdm-window.h"

#define RECENT_NOTE "Asks about the evening welding course"
#define LATE_NOTE "Wants a call back about a work permit"
#define PLANNED_TITLE "CV Workshop of the Today test"
#define CANCELLED_TITLE "Cancelled Talk of the Today test"

static CdmApplication *app;
static char *store_dir;
static char *store_path;
static char *recent_id;
static gboolean tomorrow_this_week;

/* @unix_time in the store's zone, with its offset. */
static char *
timestamp (CdmStore *store,
           gint64    unix_time)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);

  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

static char *
put_request (CdmStore   *store,
             gint64      received_unix,
             const char *note)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *received = timestamp (store, received_unix);
  char *id = NULL;

  json_object_set_string_member (record, "occurred_at", received);
  json_object_set_string_member (record, "site", "remote");
  json_object_set_string_member (record, "service", "individual_advice");
  json_object_set_string_member (record, "channel", "email");
  json_object_set_string_member (record, "received_at", received);
  json_object_set_string_member (record, "note", note);
  cdm_store_put (store, CDM_ENTITY_CONTACT, record, &id, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static void
put_activity (CdmStore   *store,
              const char *starts_at,
              const char *title_en,
              const char *status)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *title = json_object_new ();

  json_object_set_string_member (title, "fr", "Atelier du test");
  json_object_set_string_member (title, "en", title_en);
  json_object_set_object_member (record, "title", title);
  json_object_set_string_member (record, "starts_at", starts_at);
  json_object_set_int_member (record, "duration_min", 90);
  json_object_set_string_member (record, "mode", "on_site");
  json_object_set_string_member (record, "status", status);
  json_object_set_array_member (record, "organisers", json_array_new ());
  cdm_store_put (store, CDM_ENTITY_ACTIVITY, record, NULL, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
store_is_open (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "log-contact");
}

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
label_is_gone (gpointer data)
{
  return !label_is_shown (data);
}

/* The row of @list whose subtitle is @subtitle, or NULL. */
static GtkWidget *
find_row (GtkWidget  *list,
          const char *subtitle)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), i)) != NULL; i++)
    if (ADW_IS_ACTION_ROW (row) &&
        g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), subtitle) == 0)
      return GTK_WIDGET (row);
  return NULL;
}

/* The label under @root whose text contains @text, or NULL. */
static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static JsonObject *
get_contact (const char *id)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *contact;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  contact = cdm_store_get (store, CDM_ENTITY_CONTACT, id, FALSE, &error);
  g_assert_no_error (error);
  return contact;
}

/* Scrolls the Today page so that @widget is at its top. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));

  /* The viewport is the visible part; its child is the whole page. */
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));

  /* Twice: a window just resized lays out again after the first. */
  for (int pass = 0; pass < 2; pass++)
    {
      graphene_point_t point;

      g_assert_true (gtk_widget_compute_point (widget, content, &GRAPHENE_POINT_INIT (0, 0), &point));
      gtk_adjustment_set_value (adjustment, point.y - 12);
      cdm_desk_test_settle (0.3);
    }
}

static void
screenshots (CdmWindow  *window,
             const char *group,
             const char *name)
{
  g_autofree char *large = g_strconcat (name, "-1366x768", NULL);
  g_autofree char *small = g_strconcat (name, "-800x600", NULL);
  GtkWidget *target = cdm_desk_test_get_named (GTK_WIDGET (window), group);

  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  scroll_to (target);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), large);
  cdm_desk_test_resize (GTK_WIDGET (window), 800, 600);
  scroll_to (target);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), small);
}

static void
test_open_requests (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  GtkWidget *list;
  GtkWidget *row;
  GtkWidget *late_row;
  GtkWidget *label;
  GtkWidget *undo;
  g_autoptr(JsonObject) answered = NULL;
  g_autoptr(JsonObject) reopened = NULL;
  LabelWait wait;

  cdm_desk_test_wait_until (store_is_open, window, 30, "the store to open");
  list = cdm_desk_test_get_named (GTK_WIDGET (window), "open-requests-list");
  wait = (LabelWait) { list, RECENT_NOTE };
  cdm_desk_test_wait_until (label_is_shown, &wait, 30, "the open request");

  /* Received two hours ago: 46 hours left (45 once a few seconds pass). */
  row = find_row (list, RECENT_NOTE);
  g_assert_nonnull (row);
  g_assert_true (cdm_desk_test_shows_label (row, "E-mail · received "));
  label = find_label (row, " h left");
  g_assert_nonnull (label);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "46 h") ||
                 g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "45 h"));
  g_assert_false (gtk_widget_has_css_class (label, "error"));

  /* Received fifty hours ago: two hours late, in red, listed first. */
  late_row = find_row (list, LATE_NOTE);
  g_assert_nonnull (late_row);
  label = find_label (late_row, " late");
  g_assert_nonnull (label);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, "2 h late");
  g_assert_true (gtk_widget_has_css_class (label, "error"));
  g_assert_cmpint (gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (late_row)), <,
                   gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)));

  screenshots (window, "open-requests", "today-requests");

  /* Answered: written in the store, gone from the list. */
  gtk_widget_activate (cdm_desk_test_get_named (row, "answered-button"));
  cdm_desk_test_wait_until (label_is_gone, &wait, 30, "the answered request to go");
  answered = get_contact (recent_id);
  g_assert_false (json_object_get_null_member (answered, "answered_at"));
  g_assert_true (cdm_desk_test_shows_label (list, LATE_NOTE));

  /* Undo: open again, back in the list. */
  undo = cdm_desk_test_find_button (GTK_WIDGET (window), "_Undo");
  g_assert_nonnull (undo);
  gtk_widget_activate (undo);
  cdm_desk_test_wait_until (label_is_shown, &wait, 30, "the request to come back");
  reopened = get_contact (recent_id);
  g_assert_true (json_object_get_null_member (reopened, "answered_at"));
}

/* The clock the window reads in test_tick(): the real time plus an offset. */
static gint64 clock_offset;

static gint64
moved_clock (gpointer data)
{
  return g_get_real_time () / G_USEC_PER_SEC + clock_offset;
}

static gboolean
is_ticking (gpointer data)
{
  return cdm_window_is_ticking (data);
}

static gboolean
is_not_ticking (gpointer data)
{
  return !cdm_window_is_ticking (data);
}

static void
test_tick (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  GtkWidget *list, *row, *late_row, *left, *late;
  LabelWait wait;

  cdm_desk_test_wait_until (store_is_open, window, 30, "the store to open");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("today"));
  list = cdm_desk_test_get_named (GTK_WIDGET (window), "open-requests-list");
  wait = (LabelWait) { list, RECENT_NOTE };
  cdm_desk_test_wait_until (label_is_shown, &wait, 30, "the open request");
  row = find_row (list, RECENT_NOTE);
  late_row = find_row (list, LATE_NOTE);
  left = cdm_desk_test_get_named (row, "time-left");
  late = cdm_desk_test_get_named (late_row, "time-left");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (late)), ==, "2 h late");

  /* Today shows: the minute tick runs. */
  cdm_desk_test_wait_until (is_ticking, window, 10, "the tick to start");

  /* Three hours later, without reading the store again. */
  clock_offset = 3 * 3600;
  cdm_window_set_clock (window, moved_clock, NULL);
  cdm_window_tick (window);
  g_test_message ("after 3 h: %s, %s", gtk_label_get_text (GTK_LABEL (left)), gtk_label_get_text (GTK_LABEL (late)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (left)), "43 h left") ||
                 g_str_has_prefix (gtk_label_get_text (GTK_LABEL (left)), "42 h left"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (late)), ==, "5 h late");

  /* Past its 48 hours, the recent one turns late, in red. */
  clock_offset = 47 * 3600;
  cdm_window_tick (window);
  g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (left)), "late"));
  g_assert_true (gtk_widget_has_css_class (left, "error"));
  clock_offset = 0;
  cdm_window_tick (window);
  g_assert_true (g_str_has_suffix (gtk_label_get_text (GTK_LABEL (left)), "left"));
  g_assert_false (gtk_widget_has_css_class (left, "error"));

  /* Another section: no tick; back on Today: the tick again. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("partners"));
  cdm_desk_test_wait_until (is_not_ticking, window, 10, "the tick to stop on Partners");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("today"));
  cdm_desk_test_wait_until (is_ticking, window, 10, "the tick to start again");

  /* A hidden window: no tick. */
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  cdm_desk_test_wait_until (is_not_ticking, window, 10, "the tick to stop with the window hidden");
  gtk_window_present (GTK_WINDOW (window));
  cdm_desk_test_wait_until (is_ticking, window, 10, "the tick to start with the window shown");

  cdm_window_set_clock (window, NULL, NULL);
}

static void
test_next_activities (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  const char *expected = tomorrow_this_week ? "activities-this-week" : "activities-next-week";
  const char *other = tomorrow_this_week ? "activities-next-week" : "activities-this-week";
  GtkWidget *today;
  LabelWait wait;

  cdm_desk_test_wait_until (store_is_open, window, 30, "the store to open");
  wait = (LabelWait) { cdm_desk_test_get_named (GTK_WIDGET (window), expected), PLANNED_TITLE };
  cdm_desk_test_wait_until (label_is_shown, &wait, 30, "tomorrow's activity");

  /* Under one heading only, in the desk's language; a cancelled one nowhere. */
  today = cdm_desk_test_get_named (GTK_WIDGET (window), "activities-today");
  g_assert_false (cdm_desk_test_shows_label (today, PLANNED_TITLE));
  g_assert_false (cdm_desk_test_shows_label (cdm_desk_test_get_named (GTK_WIDGET (window), other),
                                             PLANNED_TITLE));
  g_assert_false (cdm_desk_test_shows_label (GTK_WIDGET (window), CANCELLED_TITLE));
  g_assert_false (cdm_desk_test_shows_label (GTK_WIDGET (window), "Atelier du test"));
  g_assert_true (cdm_desk_test_shows_label (wait.root, "14:00 · At the centre"));

  screenshots (window, "next-activities", "today-activities");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *late_id = NULL;
  int status;

  cdm_desk_test_init (&argc, &argv);

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-today-XXXXXX", &store_path);

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
    g_autoptr(GDateTime) now = g_date_time_new_now (zone);
    g_autoptr(GDateTime) tomorrow = g_date_time_add_days (now, 1);
    g_autoptr(GDateTime) at_two = NULL;
    g_autofree char *starts_at = NULL;
    gint64 now_unix = g_date_time_to_unix (now);

    cdm_demo_fill (store, g_date_time_get_year (now), NULL, &error);
    g_assert_no_error (error);
    /* The demo year ends now, with requests of its last two days still
     * open: how many depends on the time of day.  They are answered
     * here, so that the list (the oldest first, 20 at most) holds the
     * two of the test whatever the hour. */
    {
      g_autoptr(CdmOpenRequests) open = cdm_open_requests_list (store, 1000, NULL, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < open->requests->len; i++)
        {
          CdmOpenRequest *request = g_ptr_array_index (open->requests, i);
          g_autoptr(JsonObject) record = cdm_store_get (store, CDM_ENTITY_CONTACT, request->id, FALSE, &error);

          g_assert_no_error (error);
          /* Answered as soon as received: never before it, whatever the
           * demo's last request. */
          json_object_set_string_member (record, "answered_at", request->received_at);
          cdm_store_put (store, CDM_ENTITY_CONTACT, record, NULL, NULL, &error);
          g_assert_no_error (error);
        }
    }

    recent_id = put_request (store, now_unix - 2 * 3600, RECENT_NOTE);
    late_id = put_request (store, now_unix - 50 * 3600 - 600, LATE_NOTE);

    at_two = g_date_time_new (zone, g_date_time_get_year (tomorrow),
                              g_date_time_get_month (tomorrow),
                              g_date_time_get_day_of_month (tomorrow), 14, 0, 0);
    starts_at = g_date_time_format (at_two, "%Y-%m-%dT%H:%M:%S%:z");
    put_activity (store, starts_at, PLANNED_TITLE, "planned");
    put_activity (store, starts_at, CANCELLED_TITLE, "cancelled");
    /* Monday (1) to Sunday (7): tomorrow is this week unless today is Sunday. */
    tomorrow_this_week = g_date_time_get_day_of_week (now) != 7;
  }
  g_clear_object (&store);

  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk/today/open-requests", test_open_requests);
  g_test_add_func ("/desk/today/next-activities", test_next_activities);
  g_test_add_func ("/desk/today/tick", test_tick);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);

  cdm_desk_test_remove_dir (store_dir);
  g_free (recent_id);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
