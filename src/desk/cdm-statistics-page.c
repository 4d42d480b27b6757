/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-statistics-page.c: the year's key figures, from libcdm's report.
 *
 * Every figure on the page is read from cdm_report_to_json(), so the page
 * shows exactly what `cdmctl report` prints: the rules live in libcdm
 * only.  The report is computed in libcdm's worker thread; choosing
 * another year cancels the computation still running, so the page never
 * shows the figures of a year it has left.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-labels.h"
#include "cdm-report.h"
#include "cdm-schema.h"
#include "cdm-statistics-page.h"

#define N_MONTHS 12

/* The columns of the month table, after the month's name. */
static const char * const month_columns[] = {
  "individual_advice", "group_participants", "multimedia", "total",
};
#define N_MONTH_COLUMNS G_N_ELEMENTS (month_columns)

/* One row of figures: a count, and for some a share beside it. */
typedef struct {
  AdwActionRow *row;
  GtkLabel *value;
  GtkLabel *share;
} FigureRow;

enum {
  ACTIVITIES_IN_PERSON,
  ACTIVITIES_ONLINE,
  ACTIVITIES_PARTICIPANTS,
  ACTIVITIES_MULTIMEDIA,
  N_ACTIVITY_ROWS
};

enum {
  REMOTE_REQUESTS,
  REMOTE_WITHIN_48H,
  REMOTE_LATE,
  N_REMOTE_ROWS
};

enum {
  SATISFACTION_RESPONSES,
  SATISFACTION_SATISFIED,
  SATISFACTION_EXCELLENT,
  SATISFACTION_RECOMMEND,
  SATISFACTION_FOUND,
  N_SATISFACTION_ROWS
};

struct _CdmStatisticsPage
{
  GtkWidget parent_instance;

  GtkLabel *year_label;
  GtkSpinner *spinner;
  GtkLabel *origin_label;
  GtkLabel *total_label;
  GtkLevelBar *objective_bar;
  GtkLabel *objective_label;
  AdwPreferencesGroup *advice_group;
  AdwPreferencesGroup *remote_group;
  AdwPreferencesGroup *activities_group;
  AdwPreferencesGroup *programmes_group;
  AdwPreferencesGroup *satisfaction_group;
  GtkGrid *months_grid;

  FigureRow advice_total;
  FigureRow *channels;           /* one per cdm_channels code */
  FigureRow activities[N_ACTIVITY_ROWS];
  FigureRow *programmes;         /* one per cdm_programmes code */
  FigureRow remote[N_REMOTE_ROWS];
  FigureRow satisfaction[N_SATISFACTION_ROWS];
  GtkLabel *month_cells[N_MONTHS + 1][N_MONTH_COLUMNS + 1];  /* last row: the year */
  GtkLabel *closed_cells[N_MONTHS];

  CdmStore *store;
  int year;
  GCancellable *cancellable;
  /* The figures shown are older than the store: computed again when the
   * page is next shown, so that a hidden page costs the store nothing. */
  gboolean stale;
};

G_DEFINE_FINAL_TYPE (CdmStatisticsPage, cdm_statistics_page, GTK_TYPE_WIDGET)

/* A count the way the user's locale groups digits: "14,466", "14 466". */
static char *
format_count (gint64 value)
{
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

/* "52.3 %" with the locale's decimal mark, or a dash when unknown. */
static char *
format_share (double share)
{
  if (share < 0)
    return g_strdup ("–");
  /* Translators: a percentage, e.g. "97.2 %" */
  return g_strdup_printf (_("%.1f %%"), 100.0 * share);
}

static void
set_label_count (GtkLabel *label,
                 gint64    value)
{
  g_autofree char *text = format_count (value);

  gtk_label_set_text (label, text);
}

static gint64
get_count (JsonObject *object,
           const char *member)
{
  if (object == NULL)
    return 0;
  return json_object_get_int_member_with_default (object, member, 0);
}

/* A share between 0 and 1, or -1 when unknown (null: nobody to count). */
static double
get_share (JsonObject *object,
           const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return -1;
  return json_node_get_double (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
set_figure (FigureRow *figure,
            gint64     value,
            double     share)
{
  g_autofree char *share_text = NULL;

  set_label_count (figure->value, value);
  if (figure->share == NULL)
    return;

  share_text = format_share (share);
  gtk_label_set_text (figure->share, share_text);
}

/* A share only: the count goes to the subtitle's place, in the value. */
static void
set_share_figure (FigureRow *figure,
                  double     share)
{
  g_autofree char *text = format_share (share);

  gtk_label_set_text (figure->value, text);
}

static void
add_figure_row (AdwPreferencesGroup *group,
                FigureRow           *figure,
                const char          *title,
                gboolean             with_share)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *value = gtk_label_new ("–");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (value, "numeric");
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
  figure->row = ADW_ACTION_ROW (row);
  figure->value = GTK_LABEL (value);

  if (with_share)
    {
      GtkWidget *share = gtk_label_new ("–");

      /* Room for "100.0 %", so that the counts line up. */
      gtk_label_set_width_chars (GTK_LABEL (share), 7);
      gtk_label_set_xalign (GTK_LABEL (share), 1);
      gtk_widget_add_css_class (share, "numeric");
      gtk_widget_add_css_class (share, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), share);
      figure->share = GTK_LABEL (share);
    }

  adw_preferences_group_add (group, row);
}

static GtkLabel *
add_cell (GtkGrid    *grid,
          int         column,
          int         row,
          const char *text,
          gboolean    number)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), number ? 1 : 0);
  if (number)
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (grid, label, column, row, 1, 1);
  return GTK_LABEL (label);
}

/* "January", capitalised as a table's row heading. */
static char *
month_name (int year,
            int month)
{
  g_autoptr(GDateTime) date = g_date_time_new_utc (year, month, 1, 0, 0, 0);
  g_autofree char *name = g_date_time_format (date, "%B");
  g_autofree char *first = NULL;

  if (name == NULL || name[0] == '\0')
    return g_strdup_printf ("%02d", month);
  first = g_utf8_strup (name, g_utf8_next_char (name) - name);
  return g_strconcat (first, g_utf8_next_char (name), NULL);
}

static void
build_months_grid (CdmStatisticsPage *self)
{
  /* Translators: the headings of the month table's columns */
  const char *headings[] = {
    C_("month table", "Month"),
    C_("month table", "Individual advice"),
    C_("month table", "Group participants"),
    C_("month table", "Multimedia"),
    C_("month table", "Total"),
    C_("month table", "Closed"),
  };

  for (guint c = 0; c < G_N_ELEMENTS (headings); c++)
    {
      gboolean number = c > 0 && c <= N_MONTH_COLUMNS;
      GtkLabel *label = add_cell (self->months_grid, c, 0, headings[c], number);

      gtk_label_set_wrap (label, TRUE);
      /* Headings wrap the same way at every width: "Individual / advice". */
      gtk_label_set_max_width_chars (label, 12);
      gtk_label_set_justify (label, number ? GTK_JUSTIFY_RIGHT : GTK_JUSTIFY_LEFT);
      gtk_widget_set_valign (GTK_WIDGET (label), GTK_ALIGN_END);
      gtk_widget_add_css_class (GTK_WIDGET (label), "heading");
    }

  for (int m = 0; m <= N_MONTHS; m++)
    {
      GtkLabel *name = add_cell (self->months_grid, 0, m + 1, "", FALSE);

      self->month_cells[m][0] = name;
      for (guint c = 0; c < N_MONTH_COLUMNS; c++)
        self->month_cells[m][c + 1] = add_cell (self->months_grid, c + 1, m + 1, "–", TRUE);

      if (m < N_MONTHS)
        {
          GtkLabel *closed = add_cell (self->months_grid, N_MONTH_COLUMNS + 1, m + 1, "", FALSE);

          gtk_label_set_wrap (closed, TRUE);
          gtk_widget_set_hexpand (GTK_WIDGET (closed), TRUE);
          gtk_widget_add_css_class (GTK_WIDGET (closed), "dim-label");
          self->closed_cells[m] = closed;
        }
      else
        {
          gtk_label_set_text (name, _("Year"));
          for (guint c = 0; c <= N_MONTH_COLUMNS; c++)
            gtk_widget_add_css_class (GTK_WIDGET (self->month_cells[m][c]), "heading");
        }
    }
}

static void
show_months (CdmStatisticsPage *self,
             JsonObject        *root)
{
  JsonNode *node = json_object_get_member (root, "months");
  JsonArray *months = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  gint64 sums[N_MONTH_COLUMNS] = { 0 };

  for (int m = 0; m < N_MONTHS; m++)
    {
      JsonObject *month = NULL;
      g_autoptr(GString) closed = g_string_new (NULL);
      g_autofree char *name = month_name (self->year, m + 1);

      if (months != NULL && (guint) m < json_array_get_length (months))
        month = json_array_get_object_element (months, m);

      gtk_label_set_text (self->month_cells[m][0], name);
      for (guint c = 0; c < N_MONTH_COLUMNS; c++)
        {
          gint64 value = get_count (month, month_columns[c]);

          set_label_count (self->month_cells[m][c + 1], value);
          sums[c] += value;
        }

      if (month != NULL && json_object_has_member (month, "closed"))
        {
          JsonArray *scopes = json_object_get_array_member (month, "closed");

          for (guint i = 0; scopes != NULL && i < json_array_get_length (scopes); i++)
            {
              if (closed->len > 0)
                g_string_append (closed, ", ");
              g_string_append (closed, cdm_label_for_code ("closure_scope",
                                                           json_array_get_string_element (scopes, i)));
            }
        }
      gtk_label_set_text (self->closed_cells[m], closed->str);
    }

  for (guint c = 0; c < N_MONTH_COLUMNS; c++)
    set_label_count (self->month_cells[N_MONTHS][c + 1], sums[c]);
}

static void
show_report (CdmStatisticsPage *self,
             CdmReport         *report)
{
  g_autoptr(JsonObject) root = cdm_report_to_json (report);
  JsonObject *advice = get_object (root, "individual_advice");
  JsonObject *by_channel = get_object (advice, "by_channel");
  JsonObject *groups = get_object (root, "group_activities");
  JsonObject *multimedia = get_object (root, "multimedia");
  JsonObject *programmes = get_object (root, "programmes");
  JsonObject *remote = get_object (root, "remote");
  JsonObject *satisfaction = get_object (root, "satisfaction");
  JsonObject *objective = get_object (root, "objective");
  gint64 total = get_count (root, "total_contacts");
  gint64 advice_total = get_count (advice, "total");
  gint64 target = get_count (objective, "target");
  double progress = get_share (objective, "progress");
  g_autofree char *total_text = format_count (total);
  g_autofree char *target_text = format_count (target);
  g_autofree char *progress_text = format_share (progress);
  g_autofree char *objective_line = NULL;
  g_autofree char *requests_text = NULL;
  g_autofree char *within_text = NULL;
  g_autofree char *subtitle = NULL;

  gtk_label_set_text (self->total_label, total_text);
  gtk_level_bar_set_value (self->objective_bar, CLAMP (progress, 0, 1));
  /* Translators: "29,523 of the objective of 50,000 (59.0 %)" */
  objective_line = g_strdup_printf (_("%s of the objective of %s (%s)"),
                                    total_text, target_text, progress_text);
  gtk_label_set_text (self->objective_label, objective_line);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->objective_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, objective_line,
                                  -1);

  set_figure (&self->advice_total, advice_total, -1);
  for (guint ch = 0; cdm_channels[ch] != NULL; ch++)
    {
      gint64 count = get_count (by_channel, cdm_channels[ch]);

      set_figure (&self->channels[ch], count,
                  advice_total > 0 ? (double) count / (double) advice_total : -1);
    }

  set_figure (&self->activities[ACTIVITIES_IN_PERSON], get_count (groups, "in_person"), -1);
  set_figure (&self->activities[ACTIVITIES_ONLINE], get_count (groups, "online"), -1);
  set_figure (&self->activities[ACTIVITIES_PARTICIPANTS], get_count (groups, "participants"), -1);
  set_figure (&self->activities[ACTIVITIES_MULTIMEDIA], get_count (multimedia, "contacts"), -1);

  for (guint p = 0; cdm_programmes[p] != NULL; p++)
    set_figure (&self->programmes[p], get_count (programmes, cdm_programmes[p]), -1);

  set_figure (&self->remote[REMOTE_REQUESTS], get_count (remote, "requests"), -1);
  set_share_figure (&self->remote[REMOTE_WITHIN_48H], get_share (root, "remote_answered_within_48h"));
  requests_text = format_count (get_count (remote, "requests"));
  within_text = format_count (get_count (remote, "within_48h"));
  /* Translators: the subtitle of "Answered within 48 h": "412 of 425 requests" */
  subtitle = g_strdup_printf (_("%s of %s requests"), within_text, requests_text);
  adw_action_row_set_subtitle (self->remote[REMOTE_WITHIN_48H].row, subtitle);
  set_figure (&self->remote[REMOTE_LATE], get_count (remote, "late"), -1);

  set_figure (&self->satisfaction[SATISFACTION_RESPONSES], get_count (satisfaction, "responses"), -1);
  set_share_figure (&self->satisfaction[SATISFACTION_SATISFIED], get_share (satisfaction, "satisfied"));
  set_share_figure (&self->satisfaction[SATISFACTION_EXCELLENT], get_share (satisfaction, "excellent"));
  set_share_figure (&self->satisfaction[SATISFACTION_RECOMMEND], get_share (satisfaction, "recommend"));
  set_share_figure (&self->satisfaction[SATISFACTION_FOUND], get_share (satisfaction, "found"));

  show_months (self, root);
}

static int
current_year (CdmStatisticsPage *self)
{
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) now = NULL;

  zone = self->store != NULL ? cdm_store_get_time_zone (self->store) : g_time_zone_new_local ();
  now = g_date_time_new_now (zone);
  return g_date_time_get_year (now);
}

static void
update_year_actions (CdmStatisticsPage *self)
{
  gboolean ready = self->store != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "statistics.previous-year",
                                 ready && self->year > CDM_REPORT_MIN_YEAR);
  /* Next year has no figures yet. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "statistics.next-year",
                                 ready && self->year < current_year (self));
}

static void
on_report_computed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CdmStatisticsPage) self = user_data;
  g_autoptr(CdmReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = cdm_report_compute_finish (CDM_STORE (source), result, &error);
  /* Another year was chosen: its figures are on their way. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  gtk_spinner_stop (self->spinner);
  g_clear_object (&self->cancellable);

  if (report == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The figures could not be computed: %s"),
                                                  error->message);

      gtk_label_set_text (self->origin_label, message);
      return;
    }

  gtk_label_set_text (self->origin_label,
                      _("Figures of the centre’s annual report, from this desk’s records"));
  show_report (self, report);
}

static void
compute (CdmStatisticsPage *self)
{
  g_autofree char *year = g_strdup_printf ("%d", self->year);

  gtk_label_set_text (self->year_label, year);
  update_year_actions (self);
  self->stale = FALSE;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  gtk_spinner_start (self->spinner);
  cdm_report_compute_async (self->store, self->year, self->cancellable,
                            on_report_computed, g_object_ref (self));
}

/* Computes now if the page is on screen, or when it is next shown. */
static void
compute_when_shown (CdmStatisticsPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      compute (self);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_spinner_stop (self->spinner);
  self->stale = TRUE;
}

static void
previous_year_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CdmStatisticsPage *self = CDM_STATISTICS_PAGE (widget);

  cdm_statistics_page_set_year (self, self->year - 1);
}

static void
next_year_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CdmStatisticsPage *self = CDM_STATISTICS_PAGE (widget);

  cdm_statistics_page_set_year (self, self->year + 1);
}

static void
cdm_statistics_page_map (GtkWidget *widget)
{
  CdmStatisticsPage *self = CDM_STATISTICS_PAGE (widget);

  GTK_WIDGET_CLASS (cdm_statistics_page_parent_class)->map (widget);

  if (self->stale)
    compute (self);
}

static void
cdm_statistics_page_dispose (GObject *object)
{
  CdmStatisticsPage *self = CDM_STATISTICS_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  /* A plain GtkWidget must let go of its children itself. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_STATISTICS_PAGE);

  G_OBJECT_CLASS (cdm_statistics_page_parent_class)->dispose (object);
}

static void
cdm_statistics_page_finalize (GObject *object)
{
  CdmStatisticsPage *self = CDM_STATISTICS_PAGE (object);

  g_free (self->channels);
  g_free (self->programmes);

  G_OBJECT_CLASS (cdm_statistics_page_parent_class)->finalize (object);
}

static void
cdm_statistics_page_class_init (CdmStatisticsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_statistics_page_dispose;
  object_class->finalize = cdm_statistics_page_finalize;
  widget_class->map = cdm_statistics_page_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-statistics-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, year_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, origin_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, total_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, objective_bar);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, objective_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, advice_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, remote_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, activities_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, programmes_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, satisfaction_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, months_grid);

  gtk_widget_class_install_action (widget_class, "statistics.previous-year", NULL, previous_year_action);
  gtk_widget_class_install_action (widget_class, "statistics.next-year", NULL, next_year_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK,
                                       "statistics.previous-year", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK,
                                       "statistics.next-year", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cdm_statistics_page_init (CdmStatisticsPage *self)
{
  guint n_channels = g_strv_length ((char **) cdm_channels);
  guint n_programmes = g_strv_length ((char **) cdm_programmes);

  gtk_widget_init_template (GTK_WIDGET (self));

  add_figure_row (self->advice_group, &self->advice_total, _("All channels"), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->advice_total.value), "heading");
  self->channels = g_new0 (FigureRow, n_channels);
  for (guint ch = 0; ch < n_channels; ch++)
    add_figure_row (self->advice_group, &self->channels[ch],
                    cdm_label_for_code ("channel", cdm_channels[ch]), TRUE);

  add_figure_row (self->activities_group, &self->activities[ACTIVITIES_IN_PERSON],
                  _("Activities held in person"), FALSE);
  add_figure_row (self->activities_group, &self->activities[ACTIVITIES_ONLINE],
                  _("Activities held online"), FALSE);
  add_figure_row (self->activities_group, &self->activities[ACTIVITIES_PARTICIPANTS],
                  _("Participants in group activities"), FALSE);
  add_figure_row (self->activities_group, &self->activities[ACTIVITIES_MULTIMEDIA],
                  _("Contacts in the multimedia area"), FALSE);

  self->programmes = g_new0 (FigureRow, n_programmes);
  for (guint p = 0; p < n_programmes; p++)
    add_figure_row (self->programmes_group, &self->programmes[p],
                    cdm_label_for_code ("programmes", cdm_programmes[p]), FALSE);

  add_figure_row (self->remote_group, &self->remote[REMOTE_REQUESTS],
                  _("Requests received"), FALSE);
  add_figure_row (self->remote_group, &self->remote[REMOTE_WITHIN_48H],
                  _("Answered within 48 h"), FALSE);
  add_figure_row (self->remote_group, &self->remote[REMOTE_LATE],
                  _("Answered late or not answered"), FALSE);

  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_RESPONSES],
                  _("Responses"), FALSE);
  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_SATISFIED],
                  _("Satisfied (6 or more out of 10)"), FALSE);
  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_EXCELLENT],
                  _("Excellent (9 or more out of 10)"), FALSE);
  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_RECOMMEND],
                  _("Would recommend the centre"), FALSE);
  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_FOUND],
                  _("Found what they were looking for"), FALSE);

  build_months_grid (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->months_grid),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Month by Month"),
                                  -1);

  self->year = current_year (self);
  compute_when_shown (self);
}

void
cdm_statistics_page_set_store (CdmStatisticsPage *self,
                               CdmStore          *store)
{
  g_return_if_fail (CDM_IS_STATISTICS_PAGE (self));
  g_return_if_fail (store == NULL || CDM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  self->year = current_year (self);
  compute_when_shown (self);
}

void
cdm_statistics_page_refresh (CdmStatisticsPage *self)
{
  g_return_if_fail (CDM_IS_STATISTICS_PAGE (self));

  compute_when_shown (self);
}

void
cdm_statistics_page_set_year (CdmStatisticsPage *self,
                              int                year)
{
  g_return_if_fail (CDM_IS_STATISTICS_PAGE (self));
  g_return_if_fail (year >= CDM_REPORT_MIN_YEAR && year <= CDM_REPORT_MAX_YEAR);

  if (year > current_year (self) || year == self->year)
    return;

  self->year = year;
  compute (self);
}

int
cdm_statistics_page_get_year (CdmStatisticsPage *self)
{
  g_return_val_if_fail (CDM_IS_STATISTICS_PAGE (self), 0);

  return self->year;
}
