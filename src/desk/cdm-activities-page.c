/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-activities-page.c: the group activities, a week at a time.
 *
 * The week is read in one query (cdm_activity_query_days_async) and drawn
 * as one group per day; a newer navigation cancels the read still
 * running, so the page never shows an older week than its title.  The
 * detail view shows the summary of the week's query, so after a headcount
 * or a change of status the week is read again and both views follow.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "cdm-activities-page.h"
#include "cdm-content-order.h"
#include "cdm-activity-editor.h"
#include "cdm-activity-query.h"
#include "cdm-labels.h"

/* The largest headcount a dialog accepts: the schema's bound. */
#define MAX_HEADCOUNT 100000

struct _CdmActivitiesPage
{
  GtkWidget parent_instance;

  GtkStack *view_stack;
  GtkLabel *week_label;
  GtkButton *previous_button;
  GtkStack *week_stack;
  GtkSpinner *spinner;
  AdwStatusPage *error_page;
  GtkScrolledWindow *days_scroll;
  GtkBox *days_box;
  GtkLabel *detail_title;
  GtkLabel *detail_when;
  GtkButton *headcount_button;
  AdwActionRow *participants_row;
  AdwActionRow *status_row;
  AdwActionRow *mode_row;
  AdwActionRow *link_row;
  GtkImage *link_icon;
  AdwActionRow *place_row;
  AdwActionRow *organisers_row;
  AdwActionRow *audience_row;
  AdwActionRow *programmes_row;
  AdwActionRow *languages_row;
  AdwActionRow *titles_row;
  GtkLabel *summary_label;

  CdmStore *store;
  GTimeZone *zone;
  char *week_start;             /* the Monday shown, "YYYY-MM-DD" */
  GPtrArray *activities;        /* CdmActivitySummary of the week shown */
  char *detail_id;              /* the activity in the detail view, or NULL */
  GHashTable *rows;             /* activity id → its row in the week (unowned) */
  GCancellable *cancellable;    /* the week being read */
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (CdmActivitiesPage, cdm_activities_page, GTK_TYPE_WIDGET)

static void load_week (CdmActivitiesPage *self);

static void
add_toast (CdmActivitiesPage *self,
           AdwToast          *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
show_message (CdmActivitiesPage *self,
              const char        *message)
{
  add_toast (self, adw_toast_new (message));
}

/* "Monday 16 March" with a capital, in the user's language. */
static char *
format_day_heading (GDateTime *date)
{
  /* TRANSLATORS: a day of the week view, a strftime format:
   * "Monday 16 March" */
  g_autofree char *text = g_date_time_format (date, C_("activities day", "%A %-d %B"));
  g_autofree char *first = NULL;

  if (text == NULL || text[0] == '\0')
    return g_strdup ("");

  /* The day name comes lower-case in French and Dutch. */
  first = g_utf8_strup (text, g_utf8_next_char (text) - text);
  return g_strconcat (first, g_utf8_next_char (text), NULL);
}

static GDateTime *
parse_day (const char *day)
{
  int year, month, mday;

  if (day == NULL || sscanf (day, "%d-%d-%d", &year, &month, &mday) != 3)
    return NULL;
  /* Noon, so that adding days never crosses a daylight saving change
   * into the wrong day. */
  return g_date_time_new_utc (year, month, mday, 12, 0, 0);
}

static GDateTime *
local_time (CdmActivitiesPage *self,
            gint64             unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_to_timezone (utc, self->zone);
}

/* "10:00" or "10:00–11:30". */
static char *
format_hours (CdmActivitiesPage        *self,
              const CdmActivitySummary *s,
              gboolean                  with_end)
{
  g_autoptr(GDateTime) starts = local_time (self, s->starts_unix);
  g_autofree char *start = g_date_time_format (starts, "%H:%M");
  g_autoptr(GDateTime) ends = NULL;
  g_autofree char *end = NULL;

  if (!with_end || s->duration_min <= 0)
    return g_steal_pointer (&start);

  ends = g_date_time_add_minutes (starts, s->duration_min);
  end = g_date_time_format (ends, "%H:%M");
  /* TRANSLATORS: a time range, "10:00–11:30" */
  return g_strdup_printf (_("%s–%s"), start, end);
}

/* "Online (Teams)" or "At the centre". */
static char *
format_mode (const CdmActivitySummary *s)
{
  const char *mode = cdm_label_for_code ("activity_mode", s->mode);

  if (s->platform != NULL && s->platform[0] != '\0')
    /* TRANSLATORS: a mode and a platform, "Online (Teams)" */
    return g_strdup_printf (_("%s (%s)"), mode, s->platform);
  return g_strdup (mode);
}

/* "12 / 20" participants of the capacity, or "12". */
static char *
format_participants (const CdmActivitySummary *s)
{
  if (s->capacity >= 0)
    /* TRANSLATORS: participants of the places, "12 / 20" */
    return g_strdup_printf (_("%'lld / %'d"), (long long) s->attendance, s->capacity);
  return g_strdup_printf ("%'" G_GINT64_FORMAT, s->attendance);
}

static char *
join_labels (const char  *field,
             char       **codes)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, field != NULL ? cdm_label_for_code (field, codes[i]) : codes[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gboolean
is_online (const CdmActivitySummary *s)
{
  return g_strcmp0 (s->mode, "online") == 0;
}

/* The title in the desk's content language order (Preferences). */
static const char *
activity_title (const CdmActivitySummary *s)
{
  const char *title = cdm_content_pick (s->title_fr, s->title_nl, s->title_en);

  return title != NULL ? title : "";
}

static void
set_status_style (GtkWidget  *label,
                  const char *status)
{
  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "error");
  gtk_widget_remove_css_class (label, "dim-label");
  if (g_strcmp0 (status, "held") == 0)
    gtk_widget_add_css_class (label, "success");
  else if (g_strcmp0 (status, "cancelled") == 0)
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_add_css_class (label, "dim-label");
}

static const CdmActivitySummary *
find_activity (CdmActivitiesPage *self,
               const char        *id)
{
  for (guint i = 0; self->activities != NULL && i < self->activities->len; i++)
    {
      const CdmActivitySummary *s = self->activities->pdata[i];

      if (g_strcmp0 (s->id, id) == 0)
        return s;
    }
  return NULL;
}

static void
set_row (AdwActionRow *row,
         const char   *value)
{
  gboolean known = value != NULL && value[0] != '\0';

  gtk_widget_set_visible (GTK_WIDGET (row), known);
  adw_action_row_set_subtitle (row, known ? value : "");
}

static void
set_detail_actions (CdmActivitiesPage        *self,
                    const CdmActivitySummary *s)
{
  gboolean shown = s != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "activity.record-headcount",
                                 shown && g_strcmp0 (s->status, "cancelled") != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "activity.mark-held",
                                 shown && g_strcmp0 (s->status, "held") != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "activity.mark-cancelled",
                                 shown && g_strcmp0 (s->status, "cancelled") != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "activity.edit", shown);
}

static void
show_detail (CdmActivitiesPage        *self,
             const CdmActivitySummary *s)
{
  g_autoptr(GDateTime) starts = local_time (self, s->starts_unix);
  g_autofree char *day = format_day_heading (starts);
  g_autofree char *hours = format_hours (self, s, TRUE);
  g_autofree char *when = NULL;
  g_autofree char *mode = format_mode (s);
  g_autofree char *participants = NULL;
  g_autofree char *organisers = NULL;
  g_autofree char *programmes = join_labels ("programmes", s->programmes);
  g_autofree char *languages = join_labels (NULL, s->languages);
  g_autoptr(GString) titles = g_string_new (NULL);
  gboolean web_link;

  g_free (self->detail_id);
  self->detail_id = g_strdup (s->id);

  gtk_label_set_text (self->detail_title, activity_title (s));
  /* TRANSLATORS: when an activity takes place, "Monday 16 March 2020, 10:00–11:30" */
  when = g_strdup_printf (_("%s %d, %s"), day, g_date_time_get_year (starts), hours);
  gtk_label_set_text (self->detail_when, when);

  if (s->capacity >= 0)
    /* TRANSLATORS: "12 of 20 places" */
    participants = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'lld of %'d place",
                                                 "%'lld of %'d places",
                                                 (gulong) s->capacity),
                                    (long long) s->attendance, s->capacity);
  else
    participants = g_strdup_printf ("%'" G_GINT64_FORMAT, s->attendance);
  set_row (self->participants_row, participants);
  set_row (self->status_row, cdm_label_for_code ("activity_status", s->status));

  set_row (self->mode_row, mode);
  adw_action_row_set_icon_name (self->mode_row,
                                is_online (s) ? "camera-web-symbolic" : "mark-location-symbolic");
  set_row (self->link_row, s->link);
  /* Only web addresses open in the browser; anything else stays text. */
  web_link = s->link != NULL &&
             (g_str_has_prefix (s->link, "https://") || g_str_has_prefix (s->link, "http://"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self->link_row), web_link);
  gtk_widget_set_visible (GTK_WIDGET (self->link_icon), web_link);
  set_row (self->place_row, s->place);

  organisers = s->organisers != NULL ? g_strjoinv (", ", s->organisers) : NULL;
  set_row (self->organisers_row, organisers);
  set_row (self->audience_row, s->audience != NULL ? cdm_label_for_code ("audience", s->audience) : NULL);
  set_row (self->programmes_row, programmes);
  set_row (self->languages_row, languages);

  /* Every variant of the title, for a person who answers in another
   * language than the desk's. */
  if (s->title_fr != NULL && s->title_fr[0] != '\0')
    g_string_append_printf (titles, "FR: %s", s->title_fr);
  if (s->title_nl != NULL && s->title_nl[0] != '\0')
    g_string_append_printf (titles, "%sNL: %s", titles->len > 0 ? "\n" : "", s->title_nl);
  if (s->title_en != NULL && s->title_en[0] != '\0')
    g_string_append_printf (titles, "%sEN: %s", titles->len > 0 ? "\n" : "", s->title_en);
  set_row (self->titles_row, titles->str);

  gtk_label_set_text (self->summary_label, s->summary != NULL ? s->summary : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), s->summary != NULL && s->summary[0] != '\0');

  set_detail_actions (self, s);
}

static void
open_detail (CdmActivitiesPage *self,
             const char        *id)
{
  const CdmActivitySummary *s = find_activity (self, id);

  if (s == NULL)
    return;

  show_detail (self, s);
  gtk_stack_set_visible_child_name (self->view_stack, "detail");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "activity.back", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "week.previous", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "week.next", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "week.current", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "week.new-activity", FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->headcount_button));
}

static void
close_detail (CdmActivitiesPage *self)
{
  GtkWidget *row = NULL;

  /* Back where the person was: the keyboard continues from the row. */
  if (self->detail_id != NULL)
    row = g_hash_table_lookup (self->rows, self->detail_id);
  g_clear_pointer (&self->detail_id, g_free);
  set_detail_actions (self, NULL);

  gtk_stack_set_visible_child_name (self->view_stack, "week");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "activity.back", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "week.previous", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "week.next", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "week.current", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "week.new-activity", TRUE);

  if (row != NULL)
    gtk_widget_grab_focus (row);
}

static void
on_activity_row_activated (AdwActionRow      *row,
                           CdmActivitiesPage *self)
{
  open_detail (self, g_object_get_data (G_OBJECT (row), "activity-id"));
}

static GtkWidget *
make_activity_row (CdmActivitiesPage        *self,
                   const CdmActivitySummary *s)
{
  g_autofree char *name = g_strconcat ("activity-", s->id, NULL);
  g_autofree char *time = format_hours (self, s, FALSE);
  g_autofree char *mode = format_mode (s);
  g_autofree char *subtitle = NULL;
  g_autofree char *participants = format_participants (s);
  g_autofree char *participants_name = NULL;
  g_autofree char *organisers = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *time_label = gtk_label_new (time);
  GtkWidget *mode_icon = gtk_image_new_from_icon_name (is_online (s) ? "camera-web-symbolic"
                                                                     : "mark-location-symbolic");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *people = gtk_image_new_from_icon_name ("system-users-symbolic");
  GtkWidget *count = gtk_label_new (participants);
  GtkWidget *status = gtk_label_new (cdm_label_for_code ("activity_status", s->status));
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  gtk_widget_set_name (row, name);
  g_object_set_data_full (G_OBJECT (row), "activity-id", g_strdup (s->id), g_free);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), activity_title (s));
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);

  organisers = s->organisers != NULL ? g_strjoinv (", ", s->organisers) : g_strdup ("");
  if (organisers[0] != '\0')
    /* TRANSLATORS: the second line of an activity, "Online (Teams) · Actiris" */
    subtitle = g_strdup_printf (_("%s · %s"), mode, organisers);
  else
    subtitle = g_strdup (mode);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);

  gtk_widget_add_css_class (time_label, "numeric");
  gtk_widget_add_css_class (time_label, "heading");
  gtk_label_set_width_chars (GTK_LABEL (time_label), 5);
  gtk_label_set_xalign (GTK_LABEL (time_label), 0);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), time_label);
  gtk_widget_set_tooltip_text (mode_icon, cdm_label_for_code ("activity_mode", s->mode));
  gtk_accessible_update_property (GTK_ACCESSIBLE (mode_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  cdm_label_for_code ("activity_mode", s->mode), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), mode_icon);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  set_status_style (status, s->status);
  gtk_widget_add_css_class (status, "caption-heading");
  gtk_box_append (GTK_BOX (box), status);
  gtk_widget_set_margin_start (people, 6);
  gtk_widget_add_css_class (people, "dim-label");
  gtk_box_append (GTK_BOX (box), people);
  participants_name = g_strconcat ("participants-", s->id, NULL);
  gtk_widget_set_name (count, participants_name);
  gtk_widget_add_css_class (count, "numeric");
  gtk_label_set_width_chars (GTK_LABEL (count), 7);
  gtk_label_set_xalign (GTK_LABEL (count), 1);
  gtk_widget_set_tooltip_text (count, _("Participants / places"));
  gtk_box_append (GTK_BOX (box), count);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  g_signal_connect_object (row, "activated", G_CALLBACK (on_activity_row_activated), self, 0);
  return row;
}

static void
clear_days (CdmActivitiesPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->days_box))) != NULL)
    gtk_box_remove (self->days_box, child);
}

/* One group per day: Monday to Friday always, so that a free day reads
 * as free; the weekend only when something happens then. */
static void
show_week (CdmActivitiesPage *self)
{
  g_autoptr(GDateTime) monday = parse_day (self->week_start);
  guint next = 0;

  clear_days (self);
  g_hash_table_remove_all (self->rows);

  for (int d = 0; d < 7; d++)
    {
      g_autoptr(GDateTime) date = g_date_time_add_days (monday, d);
      g_autofree char *day = g_date_time_format (date, "%Y-%m-%d");
      g_autofree char *heading = format_day_heading (date);
      g_autofree char *group_name = g_strconcat ("day-", day, NULL);
      GtkWidget *group;
      guint first = next;

      while (next < self->activities->len &&
             g_strcmp0 (((CdmActivitySummary *) self->activities->pdata[next])->day, day) == 0)
        next++;

      if (d >= 5 && next == first)
        continue;

      group = adw_preferences_group_new ();
      gtk_widget_set_name (group, group_name);
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), heading);

      if (next == first)
        adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), _("No activity"));

      for (guint i = first; i < next; i++)
        {
          CdmActivitySummary *s = self->activities->pdata[i];
          GtkWidget *row = make_activity_row (self, s);

          g_hash_table_insert (self->rows, g_strdup (s->id), row);
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
        }

      gtk_box_append (self->days_box, group);
    }

  gtk_stack_set_visible_child_name (self->week_stack,
                                    self->activities->len > 0 ? "days" : "empty");
}

static void
set_loading (CdmActivitiesPage *self,
             gboolean           loading)
{
  self->loading = loading;
  if (loading)
    gtk_spinner_start (self->spinner);
  else
    gtk_spinner_stop (self->spinner);
}

static void
on_week_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CdmActivitiesPage) self = user_data;
  g_autoptr(GPtrArray) activities = NULL;
  g_autoptr(GError) error = NULL;
  const CdmActivitySummary *shown;

  activities = cdm_activity_query_days_finish (CDM_STORE (source), result, &error);
  /* A newer week replaced this one; its own read is on its way. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_loading (self, FALSE);

  if (activities == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->week_stack, "error");
      return;
    }

  g_clear_pointer (&self->activities, g_ptr_array_unref);
  self->activities = g_steal_pointer (&activities);
  show_week (self);

  /* The detail view follows what changed: a headcount, a status. */
  if (self->detail_id != NULL)
    {
      shown = find_activity (self, self->detail_id);
      if (shown != NULL)
        show_detail (self, shown);
      else
        close_detail (self);
    }
}

static void
load_week (CdmActivitiesPage *self)
{
  g_autoptr(GDateTime) monday = parse_day (self->week_start);
  g_autoptr(GDateTime) sunday = g_date_time_add_days (monday, 6);
  g_autofree char *last_day = g_date_time_format (sunday, "%Y-%m-%d");
  /* TRANSLATORS: the title of the week view, a strftime format:
   * "Week of 16 March 2020" */
  g_autofree char *title = g_date_time_format (monday, _("Week of %-d %B %Y"));

  gtk_label_set_text (self->week_label, title != NULL ? title : self->week_start);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->store == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  /* Keep the old week on screen while the new one is read: a read takes
   * a few milliseconds, and a spinner would only flash. */
  if (self->activities == NULL)
    gtk_stack_set_visible_child_name (self->week_stack, "loading");

  cdm_activity_query_days_async (self->store, self->week_start, last_day,
                                 cdm_content_order_get ()[0],
                                 self->cancellable, on_week_read, g_object_ref (self));
}

/* Titles and organisers' names show in the new order. */
static void
on_content_order_changed (CdmActivitiesPage *self)
{
  if (self->store != NULL && self->week_start != NULL)
    load_week (self);
}

static void
move_week (CdmActivitiesPage *self,
           int                weeks)
{
  g_autoptr(GDateTime) monday = parse_day (self->week_start);
  g_autoptr(GDateTime) moved = g_date_time_add_weeks (monday, weeks);
  g_autofree char *day = g_date_time_format (moved, "%Y-%m-%d");

  cdm_activities_page_show_week (self, day);
}

static void
week_previous_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  move_week (CDM_ACTIVITIES_PAGE (widget), -1);
}

static void
week_next_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  move_week (CDM_ACTIVITIES_PAGE (widget), 1);
}

static void
week_current_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  cdm_activities_page_show_week (CDM_ACTIVITIES_PAGE (widget), NULL);
}

static void
activity_back_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  close_detail (CDM_ACTIVITIES_PAGE (widget));
}

static void
on_link_row_activated (CdmActivitiesPage *self,
                       AdwActionRow      *row)
{
  const CdmActivitySummary *s = find_activity (self, self->detail_id);

  if (s == NULL || s->link == NULL)
    return;

  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), s->link, GDK_CURRENT_TIME);
}

/* Create and edit */

static void
on_activity_saved (CdmActivityEditor *editor,
                   const char        *id,
                   const char        *day,
                   CdmActivitiesPage *self)
{
  g_autofree char *monday = cdm_activity_week_start (day);

  show_message (self, _("Activity saved"));
  /* A new or moved activity is shown in its week. */
  if (monday != NULL && g_strcmp0 (monday, self->week_start) != 0)
    {
      if (self->detail_id != NULL)
        close_detail (self);
      cdm_activities_page_show_week (self, day);
    }
  else
    {
      load_week (self);
    }
}

static void
open_editor (CdmActivitiesPage *self,
             const char        *id)
{
  CdmActivityEditor *editor;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *today = NULL;
  g_autofree char *this_week = NULL;

  if (self->store == NULL)
    return;

  /* A new activity goes today in this week, else on the Monday shown. */
  now = g_date_time_new_now (self->zone);
  today = g_date_time_format (now, "%Y-%m-%d");
  this_week = cdm_activity_week_start (today);
  editor = cdm_activity_editor_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                    self->store, id,
                                    g_strcmp0 (this_week, self->week_start) == 0 ? today : self->week_start);
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_activity_saved), self, 0);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_activity_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  open_editor (CDM_ACTIVITIES_PAGE (widget), NULL);
}

static void
edit_activity_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CdmActivitiesPage *self = CDM_ACTIVITIES_PAGE (widget);

  if (self->detail_id != NULL)
    open_editor (self, self->detail_id);
}

/* Headcounts */

typedef struct {
  CdmActivitiesPage *self;
  gint64 count;
} Headcount;

static void
headcount_free (Headcount *headcount)
{
  g_clear_object (&headcount->self);
  g_free (headcount);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Headcount, headcount_free)

static void
on_headcount_recorded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(Headcount) headcount = user_data;
  CdmActivitiesPage *self = headcount->self;
  gint64 count = headcount->count;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  id = cdm_activity_record_attendance_finish (CDM_STORE (source), result, &error);
  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The headcount could not be recorded: %s"),
                                                  error->message);

      show_message (self, message);
      return;
    }

  {
    g_autofree char *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             /* TRANSLATORS: a toast after a headcount, "12 participants recorded" */
                                                             "%'lld participant recorded",
                                                             "%'lld participants recorded",
                                                             (gulong) count),
                                                (long long) count);

    show_message (self, message);
  }
  load_week (self);
}

static void
on_headcount_value_changed (GtkSpinButton    *spin,
                            AdwMessageDialog *dialog)
{
  adw_message_dialog_set_response_enabled (dialog, "record",
                                           gtk_spin_button_get_value_as_int (spin) > 0);
}

static void
on_headcount_response (AdwMessageDialog  *dialog,
                       const char        *response,
                       CdmActivitiesPage *self)
{
  GtkSpinButton *spin = g_object_get_data (G_OBJECT (dialog), "spin");
  const char *id = g_object_get_data (G_OBJECT (dialog), "activity-id");
  Headcount *headcount;
  int count;

  if (!g_str_equal (response, "record") || self->store == NULL)
    return;

  gtk_spin_button_update (spin);
  count = gtk_spin_button_get_value_as_int (spin);
  if (count <= 0)
    return;

  headcount = g_new0 (Headcount, 1);
  headcount->self = g_object_ref (self);
  headcount->count = count;
  cdm_activity_record_attendance_async (self->store, id, count, NULL,
                                        on_headcount_recorded, headcount);
}

static void
record_headcount_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  CdmActivitiesPage *self = CDM_ACTIVITIES_PAGE (widget);
  const CdmActivitySummary *s = find_activity (self, self->detail_id);
  GtkWidget *dialog;
  GtkWidget *spin;
  g_autofree char *body = NULL;

  if (s == NULL)
    return;

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      /* TRANSLATORS: %s is an activity's title; the count so far follows */
                                      "How many people took part in “%s”? The number is added to the %'lld already recorded.",
                                      "How many people took part in “%s”? The number is added to the %'lld already recorded.",
                                      (gulong) MAX (s->attendance, 0)),
                          activity_title (s), (long long) s->attendance);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Record a Headcount"), body);
  gtk_widget_set_name (dialog, "headcount-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "record", _("_Record"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "record",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "record");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "record", FALSE);

  spin = gtk_spin_button_new_with_range (0, MAX_HEADCOUNT, 1);
  gtk_widget_set_name (spin, "headcount-count");
  gtk_widget_set_halign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  /* Enter records: the spin button's text activates the default. */
  gtk_text_set_activates_default (GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (spin))), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Number of participants"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), spin);
  g_signal_connect_object (spin, "value-changed", G_CALLBACK (on_headcount_value_changed), dialog, 0);

  g_object_set_data (G_OBJECT (dialog), "spin", spin);
  g_object_set_data_full (G_OBJECT (dialog), "activity-id", g_strdup (s->id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_headcount_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (spin);
}

/* Status */

typedef struct {
  CdmActivitiesPage *self;
  char *id;
  char *title;
  char *status;
  char *previous;
  gboolean undo;
} StatusChange;

static void
status_change_free (StatusChange *change)
{
  g_clear_object (&change->self);
  g_free (change->id);
  g_free (change->title);
  g_free (change->status);
  g_free (change->previous);
  g_free (change);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StatusChange, status_change_free)

static void set_status (CdmActivitiesPage *self,
                        const char        *id,
                        const char        *title,
                        const char        *status,
                        const char        *previous,
                        gboolean           undo);

static void
on_undo_status_clicked (AdwToast     *toast,
                        StatusChange *change)
{
  set_status (change->self, change->id, change->title, change->previous, change->status, TRUE);
}

static void
on_status_set (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(StatusChange) change = user_data;
  CdmActivitiesPage *self = change->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  AdwToast *toast;

  if (!cdm_activity_set_status_finish (CDM_STORE (source), result, &error))
    {
      message = g_strdup_printf (_("The activity could not be changed: %s"), error->message);
      show_message (self, message);
      return;
    }

  if (g_str_equal (change->status, "held"))
    /* TRANSLATORS: a toast, %s is an activity's title */
    message = g_strdup_printf (_("“%s” marked held"), change->title);
  else if (g_str_equal (change->status, "cancelled"))
    message = g_strdup_printf (_("“%s” marked cancelled"), change->title);
  else
    message = g_strdup_printf (_("“%s” is planned again"), change->title);

  toast = adw_toast_new (message);
  if (!change->undo)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo_status_clicked),
                             g_steal_pointer (&change), (GClosureNotify) status_change_free, 0);
    }
  add_toast (self, toast);
  load_week (self);
}

static void
set_status (CdmActivitiesPage *self,
            const char        *id,
            const char        *title,
            const char        *status,
            const char        *previous,
            gboolean           undo)
{
  StatusChange *change;

  if (self->store == NULL)
    return;

  change = g_new0 (StatusChange, 1);
  change->self = g_object_ref (self);
  change->id = g_strdup (id);
  change->title = g_strdup (title);
  change->status = g_strdup (status);
  change->previous = g_strdup (previous);
  change->undo = undo;

  cdm_activity_set_status_async (self->store, id, status, NULL, on_status_set, change);
}

static void
mark_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdmActivitiesPage *self = CDM_ACTIVITIES_PAGE (widget);
  const CdmActivitySummary *s = find_activity (self, self->detail_id);
  const char *status = g_str_equal (action_name, "activity.mark-held") ? "held" : "cancelled";

  if (s == NULL)
    return;

  set_status (self, s->id, activity_title (s),
              status, s->status, FALSE);
}

static void
cdm_activities_page_dispose (GObject *object)
{
  CdmActivitiesPage *self = CDM_ACTIVITIES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_ACTIVITIES_PAGE);

  G_OBJECT_CLASS (cdm_activities_page_parent_class)->dispose (object);
}

static void
cdm_activities_page_finalize (GObject *object)
{
  CdmActivitiesPage *self = CDM_ACTIVITIES_PAGE (object);

  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_pointer (&self->activities, g_ptr_array_unref);
  g_free (self->week_start);
  g_free (self->detail_id);
  g_clear_pointer (&self->rows, g_hash_table_unref);

  G_OBJECT_CLASS (cdm_activities_page_parent_class)->finalize (object);
}

static void
cdm_activities_page_class_init (CdmActivitiesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_activities_page_dispose;
  object_class->finalize = cdm_activities_page_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-activities-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, week_label);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, previous_button);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, week_stack);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, days_scroll);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, days_box);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, detail_title);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, detail_when);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, headcount_button);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, participants_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, mode_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, link_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, link_icon);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, place_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, organisers_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, audience_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, programmes_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, languages_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, titles_row);
  gtk_widget_class_bind_template_child (widget_class, CdmActivitiesPage, summary_label);
  gtk_widget_class_bind_template_callback (widget_class, on_link_row_activated);

  gtk_widget_class_install_action (widget_class, "week.previous", NULL, week_previous_action);
  gtk_widget_class_install_action (widget_class, "week.next", NULL, week_next_action);
  gtk_widget_class_install_action (widget_class, "week.current", NULL, week_current_action);
  gtk_widget_class_install_action (widget_class, "week.new-activity", NULL, new_activity_action);
  gtk_widget_class_install_action (widget_class, "activity.back", NULL, activity_back_action);
  gtk_widget_class_install_action (widget_class, "activity.edit", NULL, edit_activity_action);
  gtk_widget_class_install_action (widget_class, "activity.record-headcount", NULL, record_headcount_action);
  gtk_widget_class_install_action (widget_class, "activity.mark-held", NULL, mark_action);
  gtk_widget_class_install_action (widget_class, "activity.mark-cancelled", NULL, mark_action);

  /* Alt+Left goes back from the detail and to the previous week in the
   * week view: only one of the two actions is enabled at a time. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "week.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "activity.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "activity.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "week.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "week.current", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "week.current", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "activity.edit", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cdm_activities_page_init (CdmActivitiesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "activity.back", FALSE);
  set_detail_actions (self, NULL);
  g_signal_connect_object (cdm_content_order_get_notifier (), "changed",
                           G_CALLBACK (on_content_order_changed), self, G_CONNECT_SWAPPED);
}

void
cdm_activities_page_set_store (CdmActivitiesPage *self,
                               CdmStore          *store)
{
  g_return_if_fail (CDM_IS_ACTIVITIES_PAGE (self));
  g_return_if_fail (CDM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  g_clear_pointer (&self->zone, g_time_zone_unref);
  self->zone = cdm_store_get_time_zone (store);
  g_clear_pointer (&self->activities, g_ptr_array_unref);
  cdm_activities_page_show_week (self, NULL);
}

void
cdm_activities_page_show_week (CdmActivitiesPage *self,
                               const char        *day)
{
  g_autofree char *today = NULL;
  g_autofree char *monday = NULL;

  g_return_if_fail (CDM_IS_ACTIVITIES_PAGE (self));

  if (day == NULL)
    {
      g_autoptr(GDateTime) now = NULL;

      if (self->zone == NULL)
        return;
      now = g_date_time_new_now (self->zone);
      today = g_date_time_format (now, "%Y-%m-%d");
      day = today;
    }

  monday = cdm_activity_week_start (day);
  g_return_if_fail (monday != NULL);

  g_free (self->week_start);
  self->week_start = g_steal_pointer (&monday);
  load_week (self);
}

const char *
cdm_activities_page_get_week_start (CdmActivitiesPage *self)
{
  g_return_val_if_fail (CDM_IS_ACTIVITIES_PAGE (self), NULL);

  return self->week_start;
}

gboolean
cdm_activities_page_is_loading (CdmActivitiesPage *self)
{
  g_return_val_if_fail (CDM_IS_ACTIVITIES_PAGE (self), FALSE);

  return self->loading;
}

void
cdm_activities_page_focus (CdmActivitiesPage *self)
{
  g_return_if_fail (CDM_IS_ACTIVITIES_PAGE (self));

  if (self->detail_id != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->headcount_button));
  else if (!gtk_widget_child_focus (GTK_WIDGET (self->days_box), GTK_DIR_TAB_FORWARD))
    gtk_widget_grab_focus (GTK_WIDGET (self->previous_button));
}
