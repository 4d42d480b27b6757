/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-window.c: the desk's main window.
 *
 * Today's figures come from one worker-thread computation (the report of
 * the year and the number of records), started again after every contact
 * logged or undone; a newer refresh cancels the older one.  The same
 * computation reads the next activities (today to the end of next week)
 * and the remote requests still waiting for an answer, so that the main
 * thread never queries the store.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cdm-activities-page.h"
#include "cdm-activity-query.h"
#include "cdm-contact-dialog.h"
#include "cdm-contacts-page.h"
#include "cdm-content-order.h"
#include "cdm-detail-window.h"
#include "cdm-hit.h"
#include "cdm-labels.h"
#include "cdm-multimedia-page.h"
#include "cdm-open-requests.h"
#include "cdm-report.h"
#include "cdm-search-page.h"
#include "cdm-statistics-page.h"
#include "cdm-sync-status.h"
#include "cdm-window.h"

struct _CdmWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkStack *main_stack;
  AdwStatusPage *error_page;
  GtkSpinner *loading_spinner;
  AdwViewStack *view_stack;
  GtkLabel *date_label;
  GtkLabel *desk_label;
  GtkLabel *year_label;
  GtkLabel *total_label;
  GtkLevelBar *objective_bar;
  GtkLabel *objective_label;
  GtkLabel *advice_label;
  GtkLabel *participants_label;
  GtkLabel *multimedia_label;
  AdwActionRow *state_row;
  GtkListBox *today_list;
  GtkListBox *week_list;
  GtkListBox *next_week_list;
  AdwPreferencesGroup *requests_group;
  GtkListBox *requests_list;
  CdmSearchPage *partners_page;
  CdmSearchPage *library_page;

  CdmStore *store;
  GCancellable *refresh_cancellable;

  /* The minute tick of the open requests' time left, while Today shows. */
  guint tick_id;
  CdmWindowClock clock;
  gpointer clock_data;
};

G_DEFINE_FINAL_TYPE (CdmWindow, cdm_window, ADW_TYPE_APPLICATION_WINDOW)

/* The most open requests the Today page lists; the rest are counted. */
#define OPEN_REQUESTS_SHOWN 20

/* What the Today page asks for: the store and the language of titles,
 * which is read on the main thread. */
typedef struct {
  CdmStore *store;
  char *language;
} TodayQuery;

static void
today_query_free (TodayQuery *query)
{
  g_clear_object (&query->store);
  g_free (query->language);
  g_free (query);
}

/* What the Today page shows, computed in a worker thread.  @activities
 * holds the planned or held activities not yet over, from today to the
 * Sunday of next week; @week_end is the Sunday of this week. */
typedef struct {
  CdmReport *report;
  gint64 records;
  char *origin;
  gint64 now;
  char *today;
  char *week_end;
  GPtrArray *activities;
  CdmOpenRequests *requests;
  char *language;
} TodayFigures;

static void
today_figures_free (TodayFigures *figures)
{
  g_clear_pointer (&figures->report, cdm_report_unref);
  g_free (figures->origin);
  g_free (figures->today);
  g_free (figures->week_end);
  g_clear_pointer (&figures->activities, g_ptr_array_unref);
  g_clear_pointer (&figures->requests, cdm_open_requests_free);
  g_free (figures->language);
  g_free (figures);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TodayFigures, today_figures_free)

/* A count the way the user's locale groups digits: "14,466", "14 466". */
static char *
format_count (gint64 value)
{
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

static void
set_count (GtkLabel *label,
           gint64    value)
{
  g_autofree char *text = format_count (value);

  gtk_label_set_text (label, text);
}

static void
set_action_enabled (CdmWindow  *self,
                    const char *name,
                    gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static int
current_year (CdmStore *store)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);

  return g_date_time_get_year (now);
}

static void
compute_today (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TodayQuery *query = task_data;
  CdmStore *store = query->store;
  g_autoptr(TodayFigures) figures = g_new0 (TodayFigures, 1);
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
  g_autofree char *monday = NULL;
  g_autofree char *last_day = NULL;
  g_autoptr(GDateTime) week_start = NULL;
  g_autoptr(GPtrArray) activities = NULL;
  GError *error = NULL;

  figures->report = cdm_report_compute (store, current_year (store), cancellable, &error);
  if (figures->report == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (CdmEntity entity = 0; entity < CDM_N_ENTITIES; entity++)
    {
      gint64 count = cdm_store_count (store, entity, &error);

      if (count < 0)
        {
          g_task_return_error (task, error);
          return;
        }
      figures->records += count;
    }

  figures->origin = cdm_store_get_setting (store, "origin");

  figures->now = g_get_real_time () / G_USEC_PER_SEC;
  figures->today = cdm_local_day (zone, figures->now);
  figures->language = g_strdup (query->language);
  monday = cdm_activity_week_start (figures->today);
  {
    /* Days are calendar dates: noon UTC only serves to add days. */
    g_autofree char *at_noon = g_strconcat (monday, "T12:00:00Z", NULL);

    week_start = g_date_time_new_from_iso8601 (at_noon, NULL);
  }
  {
    g_autoptr(GDateTime) sunday = g_date_time_add_days (week_start, 6);
    g_autoptr(GDateTime) next_sunday = g_date_time_add_days (week_start, 13);

    figures->week_end = g_date_time_format (sunday, "%Y-%m-%d");
    last_day = g_date_time_format (next_sunday, "%Y-%m-%d");
  }

  activities = cdm_activity_query_days (store, figures->today, last_day, query->language,
                                        cancellable, &error);
  if (activities == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  figures->activities = g_ptr_array_new_with_free_func ((GDestroyNotify) cdm_activity_summary_free);
  for (guint i = 0; i < activities->len; i++)
    {
      CdmActivitySummary *activity = g_ptr_array_index (activities, i);
      gint64 ends = activity->starts_unix + MAX (activity->duration_min, 0) * 60;

      /* One under way still shows; a cancelled one does not. */
      if (!g_str_equal (activity->status, "planned") && !g_str_equal (activity->status, "held"))
        continue;
      if (ends < figures->now)
        continue;
      g_ptr_array_add (figures->activities, g_ptr_array_steal_index (activities, i));
      i--;
    }

  figures->requests = cdm_open_requests_list (store, OPEN_REQUESTS_SHOWN, cancellable, &error);
  if (figures->requests == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&figures), (GDestroyNotify) today_figures_free);
}

static void on_answered_clicked (GtkButton *button,
                                 CdmWindow *self);

/* The title in the desk's content language order (Preferences). */
static const char *
activity_title (const CdmActivitySummary *activity)
{
  const char *title = cdm_content_pick (activity->title_fr, activity->title_nl, activity->title_en);

  return title != NULL ? title : "";
}

/* GtkListBox of GTK 4.8 has no remove_all(). */
static void
clear_list (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

static void
show_activities (CdmWindow    *self,
                 TodayFigures *figures)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (self->store);

  clear_list (self->today_list);
  clear_list (self->week_list);
  clear_list (self->next_week_list);

  for (guint i = 0; i < figures->activities->len; i++)
    {
      const CdmActivitySummary *activity = g_ptr_array_index (figures->activities, i);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (activity->starts_unix);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);
      gboolean today = g_str_equal (activity->day, figures->today);
      g_autofree char *when = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkListBox *list;

      if (today)
        list = self->today_list;
      else if (strcmp (activity->day, figures->week_end) <= 0)
        list = self->week_list;
      else
        list = self->next_week_list;

      /* TRANSLATORS: when an activity of today starts, a strftime format */
      when = g_date_time_format (local, today ? C_("activity today", "%H:%M")
                                              : C_("next activity", "%a %-d %b, %H:%M"));
      /* TRANSLATORS: "Tue 24 Nov, 14:00 · Online" */
      subtitle = g_strdup_printf (C_("next activity", "%s · %s"), when != NULL ? when : "",
                                  cdm_label_for_code ("activity_mode", activity->mode));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     activity_title (activity));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (list, row);
    }
}

/* "23 h left", "40 min left", "5 h late". */
static char *
format_time_left (gint64    seconds,
                  gboolean *late)
{
  gint64 span = ABS (seconds);

  *late = seconds < 0;
  if (span < 3600)
    {
      gulong minutes = (gulong) MAX (span / 60, 1);

      return g_strdup_printf (*late ? g_dngettext (GETTEXT_PACKAGE, "%lu min late", "%lu min late", minutes)
                                    : g_dngettext (GETTEXT_PACKAGE, "%lu min left", "%lu min left", minutes),
                              minutes);
    }
  else
    {
      gulong hours = (gulong) (span / 3600);

      return g_strdup_printf (*late ? g_dngettext (GETTEXT_PACKAGE, "%lu h late", "%lu h late", hours)
                                    : g_dngettext (GETTEXT_PACKAGE, "%lu h left", "%lu h left", hours),
                              hours);
    }
}

/* The widget under @root named @name, or NULL. */
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

static gint64
window_now (CdmWindow *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
show_requests (CdmWindow    *self,
               TodayFigures *figures)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (self->store);
  GPtrArray *requests = figures->requests->requests;
  g_autofree char *waiting = NULL;

  clear_list (self->requests_list);

  if (figures->requests->total > 0)
    {
      g_autofree char *count = format_count ((gint64) figures->requests->total);

      waiting = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              /* TRANSLATORS: the description of Open Requests; %s is a number */
                                              "%s waiting. E-mails, calls and chats are answered within 48 hours of their reception.",
                                              "%s waiting. E-mails, calls and chats are answered within 48 hours of their reception.",
                                              (gulong) figures->requests->total),
                                 count);
    }
  adw_preferences_group_set_description (self->requests_group,
                                         waiting != NULL ? waiting
                                                         : _("E-mails, calls and chats are answered within 48 hours of their reception."));

  for (guint i = 0; i < requests->len; i++)
    {
      const CdmOpenRequest *request = g_ptr_array_index (requests, i);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (request->received_unix);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);
      g_autofree char *received = NULL;
      g_autofree char *title = NULL;
      g_autofree char *left = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *left_label;
      GtkWidget *button;
      gboolean late;

      /* TRANSLATORS: when a request was received, a strftime format */
      received = g_date_time_format (local, C_("request received", "%a %-d %b, %H:%M"));
      /* TRANSLATORS: "E-mail · received Mon 23 Nov, 09:12" */
      title = g_strdup_printf (_("%s · received %s"),
                               cdm_label_for_code ("channel", request->channel),
                               received != NULL ? received : "");
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      if (request->note != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), request->note);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);

      left = format_time_left (request->due_unix - window_now (self), &late);
      left_label = gtk_label_new (left);
      gtk_widget_set_name (left_label, "time-left");
      g_object_set_data_full (G_OBJECT (left_label), "due-unix",
                              g_memdup2 (&request->due_unix, sizeof (gint64)), g_free);
      gtk_widget_add_css_class (left_label, "numeric");
      if (late)
        gtk_widget_add_css_class (left_label, "error");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), left_label);

      /* No mnemonic: every row has one, and Alt would only cycle them. */
      /* TRANSLATORS: a button that marks a remote request answered */
      button = gtk_button_new_with_label (C_("request button", "Answered"));
      gtk_widget_set_name (button, "answered-button");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Mark this request answered"));
      g_object_set_data_full (G_OBJECT (button), "request-id", g_strdup (request->id), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_answered_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

      gtk_widget_set_name (row, "open-request");
      gtk_list_box_append (self->requests_list, row);
    }

  if (figures->requests->total > requests->len)
    {
      guint64 more = figures->requests->total - requests->len;
      g_autofree char *count = format_count ((gint64) more);
      /* TRANSLATORS: below the list of the oldest open requests */
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "and %s more waiting",
                                                            "and %s more waiting", (gulong) more),
                                               count);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->requests_list, row);
    }
}

/* Each "h left" of the open requests again, from the due time it keeps. */
static void
update_time_left (CdmWindow *self)
{
  gint64 now = window_now (self);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->requests_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *label = g_str_equal (gtk_widget_get_name (row), "open-request")
                         ? find_named (row, "time-left") : NULL;
      const gint64 *due = label != NULL ? g_object_get_data (G_OBJECT (label), "due-unix") : NULL;
      g_autofree char *left = NULL;
      gboolean late;

      if (due == NULL)
        continue;
      left = format_time_left (*due - now, &late);
      gtk_label_set_text (GTK_LABEL (label), left);
      if (late)
        gtk_widget_add_css_class (label, "error");
      else
        gtk_widget_remove_css_class (label, "error");
    }
}

static gboolean
on_tick (gpointer user_data)
{
  update_time_left (user_data);
  return G_SOURCE_CONTINUE;
}

/* The time left counts down while a person can see it, and costs
 * nothing otherwise: the tick runs only while Today is the visible page
 * of a mapped window. */
static void
update_tick (CdmWindow *self)
{
  gboolean visible = self->store != NULL &&
                     gtk_widget_get_mapped (GTK_WIDGET (self)) &&
                     g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "today") == 0;

  if (visible && self->tick_id == 0)
    {
      /* Back on the page after a while: up to date at once. */
      update_time_left (self);
      self->tick_id = g_timeout_add_seconds (60, on_tick, self);
      g_source_set_name_by_id (self->tick_id, "[cdm-desk] open requests tick");
    }
  else if (!visible && self->tick_id != 0)
    g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
show_today (CdmWindow    *self,
            TodayFigures *figures)
{
  CdmReport *report = figures->report;
  gint64 total = cdm_report_get_total_contacts (report);
  gint64 objective = cdm_report_get_objective (report);
  double progress = objective > 0 ? (double) total / (double) objective : 0;
  g_autofree char *year = g_strdup_printf (_("Contacts in %d"), cdm_report_get_year (report));
  g_autofree char *total_text = format_count (total);
  g_autofree char *objective_text = format_count (objective);
  g_autofree char *objective_line = NULL;
  g_autofree char *records_text = format_count (figures->records);
  g_autofree char *state = NULL;

  gtk_label_set_text (self->year_label, year);
  gtk_label_set_text (self->total_label, total_text);
  gtk_level_bar_set_value (self->objective_bar, CLAMP (progress, 0, 1));
  /* TRANSLATORS: "12,345 of 50,000 — 25 % of the year's objective" */
  objective_line = g_strdup_printf (_("%s of %s — %d %% of the year’s objective"),
                                    total_text, objective_text, (int) (progress * 100));
  gtk_label_set_text (self->objective_label, objective_line);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->objective_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, objective_line,
                                  -1);

  set_count (self->advice_label, cdm_report_get_individual_advice (report));
  set_count (self->participants_label, cdm_report_get_group_participants (report));
  set_count (self->multimedia_label, cdm_report_get_multimedia (report));

  /* TRANSLATORS: the desk's state; %s is a number of records */
  state = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Local only — %s record",
                                        "Local only — %s records",
                                        (gulong) figures->records),
                           records_text);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->state_row), state);
  adw_action_row_set_subtitle (self->state_row, cdm_store_get_path (self->store));

  if (g_strcmp0 (figures->origin, "demo") == 0)
    gtk_label_set_text (self->desk_label,
                        _("Demo data: invented records shaped like the centre’s 2020 report"));
  else
    gtk_label_set_text (self->desk_label, _("Figures of this desk’s records"));

  show_activities (self, figures);
  show_requests (self, figures);
}

static void
on_today_computed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CdmWindow) self = user_data;
  g_autoptr(TodayFigures) figures = NULL;
  g_autoptr(GError) error = NULL;

  figures = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (figures == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The figures could not be computed: %s"),
                                                  error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  show_today (self, figures);
}

static void
refresh_today (CdmWindow *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autofree char *date = NULL;
  TodayQuery *query;

  g_return_if_fail (self->store != NULL);

  zone = cdm_store_get_time_zone (self->store);
  now = g_date_time_new_now (zone);
  /* TRANSLATORS: the heading of the Today page, a strftime format:
   * "Monday 23 November" */
  date = g_date_time_format (now, C_("today heading", "%A %-d %B"));
  if (date != NULL)
    {
      /* The day name comes lower-case in French and Dutch. */
      g_autofree char *first = g_utf8_strup (date, g_utf8_next_char (date) - date);
      g_autofree char *heading = g_strconcat (first, g_utf8_next_char (date), NULL);

      gtk_label_set_text (self->date_label, heading);
    }

  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  self->refresh_cancellable = g_cancellable_new ();

  task = g_task_new (NULL, self->refresh_cancellable, on_today_computed, g_object_ref (self));
  g_task_set_source_tag (task, refresh_today);
  query = g_new0 (TodayQuery, 1);
  query->store = g_object_ref (self->store);
  query->language = g_strdup (cdm_content_order_get ()[0]);
  g_task_set_task_data (task, query, (GDestroyNotify) today_query_free);
  g_task_run_in_thread (task, compute_today);

  cdm_statistics_page_refresh (CDM_STATISTICS_PAGE (adw_view_stack_get_child_by_name (self->view_stack, "statistics")));
}

/* The Contacts section, after a contact was logged or undone here. */
static void
refresh_contacts (CdmWindow *self)
{
  cdm_contacts_page_refresh (CDM_CONTACTS_PAGE (adw_view_stack_get_child_by_name (self->view_stack, "contacts")));
}

static void
on_request_reopened (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CdmWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cdm_open_request_mark_answered_finish (CDM_STORE (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The request could not be put back: %s"),
                                                  error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }
  refresh_today (self);
  refresh_contacts (self);
}

static void
on_answered_undo_clicked (AdwToast  *toast,
                          CdmWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (toast), "request-id");

  cdm_open_request_mark_answered_async (self->store, id, -1, NULL,
                                        on_request_reopened, g_object_ref (self));
}

/* What the answer's callback needs: the window and the request. */
typedef struct {
  CdmWindow *self;
  char *id;
} Answer;

static void
answer_free (Answer *answer)
{
  g_object_unref (answer->self);
  g_free (answer->id);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static void
on_request_answered (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(Answer) answer = user_data;
  CdmWindow *self = answer->self;
  const char *id = answer->id;
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  if (!cdm_open_request_mark_answered_finish (CDM_STORE (source), result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The request could not be marked answered: %s"),
                                                  error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      refresh_today (self);
      return;
    }

  toast = adw_toast_new (_("Request marked answered"));
  adw_toast_set_button_label (toast, _("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "request-id", g_strdup (id), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_answered_undo_clicked), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  refresh_today (self);
  refresh_contacts (self);
}

static void
on_answered_clicked (GtkButton *button,
                     CdmWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "request-id");
  Answer *answer;

  /* Once: the row goes with the next refresh. */
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);

  answer = g_new0 (Answer, 1);
  answer->self = g_object_ref (self);
  answer->id = g_strdup (id);
  cdm_open_request_mark_answered_async (self->store, id, g_get_real_time () / G_USEC_PER_SEC,
                                        NULL, on_request_answered, answer);
}

/* Undo: the contact becomes a tombstone, in a worker thread because the
 * write waits for the disk. */
static void
delete_contact (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CdmStore *store = source_object;
  GError *error = NULL;

  if (!cdm_store_delete (store, CDM_ENTITY_CONTACT, task_data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_contact_deleted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CdmWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = g_strdup_printf (_("The contact could not be removed: %s"),
                                                  error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Contact removed")));
  refresh_today (self);
  refresh_contacts (self);
}

static void
on_undo_clicked (AdwToast  *toast,
                 CdmWindow *self)
{
  const char *id = g_object_get_data (G_OBJECT (toast), "contact-id");
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self->store, NULL, on_contact_deleted, g_object_ref (self));
  g_task_set_source_tag (task, on_undo_clicked);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_task_run_in_thread (task, delete_contact);
}

static void
on_contact_saved (CdmContactDialog *dialog,
                  const char       *id,
                  CdmWindow        *self)
{
  AdwToast *toast = adw_toast_new (_("Contact saved"));

  adw_toast_set_button_label (toast, _("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "contact-id", g_strdup (id), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  refresh_today (self);
  refresh_contacts (self);
}

static void
log_contact_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CdmWindow *self = user_data;
  CdmContactDialog *dialog;

  if (self->store == NULL)
    return;

  dialog = cdm_contact_dialog_new (GTK_WINDOW (self), self->store);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_contact_saved), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* "Hand Over" in a resource's detail: the resource goes to the contact
 * being logged, in the form already open or in a new one. */
static void
on_hand_over (CdmDetailWindow *detail,
              const char      *id,
              const char      *title,
              CdmWindow       *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  CdmContactDialog *dialog = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CDM_IS_CONTACT_DIALOG (window) &&
          gtk_window_get_transient_for (GTK_WINDOW (window)) == GTK_WINDOW (self))
        dialog = CDM_CONTACT_DIALOG (window);
    }

  if (dialog == NULL)
    {
      dialog = cdm_contact_dialog_new (GTK_WINDOW (self), self->store);
      g_signal_connect_object (dialog, "saved", G_CALLBACK (on_contact_saved), self, 0);
    }
  cdm_contact_dialog_add_resource (dialog, id, title);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_hit_activated (CdmSearchPage *page,
                  CdmHit        *hit,
                  CdmWindow     *self)
{
  CdmDetailWindow *detail;

  if (self->store == NULL)
    return;

  detail = cdm_detail_window_new (GTK_WINDOW (self), self->store,
                                  cdm_hit_get_entity (hit), cdm_hit_get_id (hit));
  g_signal_connect_object (detail, "hand-over", G_CALLBACK (on_hand_over), self, 0);
  gtk_window_present (GTK_WINDOW (detail));
}

static void
show_section_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  CdmWindow *self = user_data;
  const char *name = g_variant_get_string (parameter, NULL);

  if (self->store == NULL || adw_view_stack_get_child_by_name (self->view_stack, name) == NULL)
    return;

  adw_view_stack_set_visible_child_name (self->view_stack, name);
  if (g_str_equal (name, "partners"))
    cdm_search_page_focus_entry (self->partners_page);
  else if (g_str_equal (name, "library"))
    cdm_search_page_focus_entry (self->library_page);
  else if (g_str_equal (name, "activities"))
    cdm_activities_page_focus (CDM_ACTIVITIES_PAGE (adw_view_stack_get_child_by_name (self->view_stack, name)));
  else if (g_str_equal (name, "contacts"))
    cdm_contacts_page_focus_list (CDM_CONTACTS_PAGE (adw_view_stack_get_child_by_name (self->view_stack, name)));
}

static void
cdm_window_dispose (GObject *object)
{
  CdmWindow *self = CDM_WINDOW (object);

  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_WINDOW);

  G_OBJECT_CLASS (cdm_window_parent_class)->dispose (object);
}

static void
cdm_window_class_init (CdmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_window_dispose;

  g_type_ensure (CDM_TYPE_ACTIVITIES_PAGE);
  g_type_ensure (CDM_TYPE_SEARCH_PAGE);
  g_type_ensure (CDM_TYPE_MULTIMEDIA_PAGE);
  g_type_ensure (CDM_TYPE_CONTACTS_PAGE);
  g_type_ensure (CDM_TYPE_STATISTICS_PAGE);
  g_type_ensure (CDM_TYPE_SYNC_STATUS);

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, date_label);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, desk_label);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, year_label);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, total_label);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, objective_bar);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, objective_label);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, advice_label);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, participants_label);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, multimedia_label);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, state_row);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, today_list);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, week_list);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, next_week_list);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, requests_group);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, requests_list);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, partners_page);
  gtk_widget_class_bind_template_child (widget_class, CdmWindow, library_page);
  /* Reached with gtk_widget_get_template_child (cdm-sync-status.h). */
  gtk_widget_class_bind_template_child_full (widget_class, "sync_status", FALSE, 0);
}

static void
on_content_order_changed (CdmWindow *self)
{
  if (self->store != NULL)
    refresh_today (self);
}

/* Ctrl+Shift+N from any section: the Partners page's editor. */
static void
new_partner_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CdmWindow *self = user_data;

  if (self->store != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->partners_page), "search.new-partner", NULL);
}

static const GActionEntry win_actions[] = {
  { "log-contact", log_contact_action },
  { "new-partner", new_partner_action },
  { "show-section", show_section_action, "s" },
};

static void
cdm_window_init (CdmWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  if (g_str_equal (PROFILE, "development"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);
  g_signal_connect (self->partners_page, "hit-activated", G_CALLBACK (on_hit_activated), self);
  g_signal_connect (self->library_page, "hit-activated", G_CALLBACK (on_hit_activated), self);
  /* A contact removed from the list changes Today's figures. */
  g_signal_connect_swapped (adw_view_stack_get_child_by_name (self->view_stack, "contacts"),
                            "contacts-changed", G_CALLBACK (refresh_today), self);
  set_action_enabled (self, "log-contact", FALSE);
  set_action_enabled (self, "new-partner", FALSE);
  gtk_spinner_start (self->loading_spinner);

  g_signal_connect_swapped (self->view_stack, "notify::visible-child-name", G_CALLBACK (update_tick), self);
  g_signal_connect (self, "map", G_CALLBACK (update_tick), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (update_tick), NULL);
  /* Titles show in the order chosen in Preferences. */
  g_signal_connect_object (cdm_content_order_get_notifier (), "changed",
                           G_CALLBACK (on_content_order_changed), self, G_CONNECT_SWAPPED);
}

CdmWindow *
cdm_window_new (GtkApplication *application)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (CDM_TYPE_WINDOW, "application", application, NULL);
}

void
cdm_window_set_store (CdmWindow *self,
                      CdmStore  *store)
{
  g_return_if_fail (CDM_IS_WINDOW (self));
  g_return_if_fail (CDM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  cdm_contacts_page_set_store (CDM_CONTACTS_PAGE (adw_view_stack_get_child_by_name (self->view_stack, "contacts")), store);
  cdm_search_page_set_store (self->partners_page, store);
  cdm_search_page_set_store (self->library_page, store);
  cdm_activities_page_set_store (CDM_ACTIVITIES_PAGE (adw_view_stack_get_child_by_name (self->view_stack, "activities")), store);
  cdm_multimedia_page_set_store (CDM_MULTIMEDIA_PAGE (adw_view_stack_get_child_by_name (self->view_stack, "multimedia")), store);
  cdm_statistics_page_set_store (CDM_STATISTICS_PAGE (adw_view_stack_get_child_by_name (self->view_stack, "statistics")), store);
  cdm_sync_status_set_store (CDM_SYNC_STATUS (gtk_widget_get_template_child (GTK_WIDGET (self), CDM_TYPE_WINDOW, "sync_status")), store);
  gtk_spinner_stop (self->loading_spinner);
  gtk_stack_set_visible_child_name (self->main_stack, "desk");
  set_action_enabled (self, "log-contact", TRUE);
  set_action_enabled (self, "new-partner", TRUE);
  refresh_today (self);
  update_tick (self);
}

void
cdm_window_set_clock (CdmWindow      *self,
                      CdmWindowClock  clock,
                      gpointer        data)
{
  g_return_if_fail (CDM_IS_WINDOW (self));

  self->clock = clock;
  self->clock_data = data;
  update_time_left (self);
}

gboolean
cdm_window_is_ticking (CdmWindow *self)
{
  g_return_val_if_fail (CDM_IS_WINDOW (self), FALSE);

  return self->tick_id != 0;
}

void
cdm_window_tick (CdmWindow *self)
{
  g_return_if_fail (CDM_IS_WINDOW (self));

  update_time_left (self);
}

void
cdm_window_show_error (CdmWindow    *self,
                       const GError *error)
{
  g_return_if_fail (CDM_IS_WINDOW (self));
  g_return_if_fail (error != NULL);

  adw_status_page_set_description (self->error_page, error->message);
  gtk_spinner_stop (self->loading_spinner);
  gtk_stack_set_visible_child_name (self->main_stack, "error");
}
