/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-statistics-page.c: the figures of the annual report, from libcdm.
 *
 * Every figure on the page is a cell of libcdm's report
 * (cdm_report_lookup()), so the page states exactly what `cdmctl report`,
 * the CSV and the PDF state, suppression included: a count withheld in an
 * organisation's figures reads "< 5" here as everywhere.  The report is
 * computed in libcdm's worker thread; choosing another year, period or
 * organisation cancels the computation still running, so the page never
 * shows figures of a choice it has left.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-closures-dialog.h"
#include "cdm-labels.h"
#include "cdm-report.h"
#include "cdm-report-pdf.h"
#include "cdm-schema.h"
#include "cdm-statistics-page.h"

#define N_MONTHS 12

/* The series of the charts and of the month table's columns. */
static const CdmReportSeries month_series[] = {
  CDM_REPORT_SERIES_INDIVIDUAL_ADVICE,
  CDM_REPORT_SERIES_GROUP_PARTICIPANTS,
  CDM_REPORT_SERIES_MULTIMEDIA,
  CDM_REPORT_SERIES_TOTAL,
};
#define N_SERIES G_N_ELEMENTS (month_series)

/* The closure scopes that shade each series' chart, as bits over
 * cdm_closure_scopes: the whole centre closes every service, a service
 * its own chart.  "By appointment only" is open, as the annual report
 * has it: listed and in the table, not shaded. */
#define SCOPE_BIT(code) (1u << cdm_code_index (cdm_closure_scopes, code))

/* The profile items, in the order of the report. */
static const struct {
  const char *item;
  const char *title;
} profile_items[] = {
  { "gender", N_("Gender") },
  { "age_band", N_("Age") },
  { "region", N_("Place of residence") },
  { "status", N_("Situation") },
  { "education", N_("Education level") },
  { "foreign_diploma", N_("Foreign diploma without equivalence") },
  { "language", N_("Language") },
  { "first_visit", N_("First visit") },
  { "heard_from", N_("Heard of the centre through") },
};
#define N_PROFILE_ITEMS G_N_ELEMENTS (profile_items)

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

enum {
  HEADLINE_ADVICE,
  HEADLINE_PARTICIPANTS,
  HEADLINE_MULTIMEDIA,
  N_HEADLINES
};

typedef struct {
  char *id;
  char *name;
} Organisation;

struct _CdmStatisticsPage
{
  GtkWidget parent_instance;

  GtkScrolledWindow *scrolled;
  GtkLabel *year_label;
  GtkDropDown *from_dropdown;
  GtkDropDown *to_dropdown;
  GtkDropDown *organisation_dropdown;
  GtkSpinner *spinner;
  GtkLabel *origin_label;
  GtkLabel *total_label;
  GtkWidget *objective_box;
  GtkLevelBar *objective_bar;
  GtkLabel *objective_label;
  GtkLabel *projection_label;
  GtkBox *headline_box;
  GtkToggleButton *table_toggle;
  GtkWidget *legend_label;
  GtkStack *months_stack;
  GtkFlowBox *charts_box;
  GtkGrid *months_grid;
  AdwPreferencesGroup *advice_group;
  AdwPreferencesGroup *remote_group;
  AdwPreferencesGroup *activities_group;
  AdwPreferencesGroup *programmes_group;
  AdwPreferencesGroup *satisfaction_group;
  AdwPreferencesGroup *closures_group;
  GtkListBox *closures_list;
  AdwPreferencesGroup *profile_group;

  GtkLabel *headlines[N_HEADLINES];
  FigureRow advice_total;
  FigureRow *channels;           /* one per cdm_channels code */
  FigureRow activities[N_ACTIVITY_ROWS];
  FigureRow *programmes;         /* one per cdm_programmes code */
  FigureRow remote[N_REMOTE_ROWS];
  FigureRow satisfaction[N_SATISFACTION_ROWS];
  CdmChart *charts[N_SERIES];
  GtkLabel *month_cells[N_MONTHS + 1][N_SERIES + 1];  /* last row: the period */
  GtkLabel *closed_cells[N_MONTHS];
  AdwExpanderRow *profile_rows[N_PROFILE_ITEMS];
  GPtrArray *profile_children[N_PROFILE_ITEMS];       /* the rows added under each */

  CdmStore *store;
  CdmReport *report;             /* the one shown */
  int year;
  guint from_month;
  guint to_month;
  char *organisation;            /* NULL: the whole centre */
  GPtrArray *organisations;      /* Organisation, as the drop-down lists them after "whole centre" */
  gboolean updating_dropdowns;
  GCancellable *cancellable;
  GCancellable *organisations_cancellable;
  /* The figures shown are older than the store: computed again when the
   * page is next shown, so that a hidden page costs the store nothing. */
  gboolean stale;
};

G_DEFINE_FINAL_TYPE (CdmStatisticsPage, cdm_statistics_page, GTK_TYPE_WIDGET)

static void compute (CdmStatisticsPage *self);

static void
organisation_free (gpointer data)
{
  Organisation *organisation = data;

  g_free (organisation->id);
  g_free (organisation->name);
  g_free (organisation);
}

/* Names a control for assistive technologies, the way the a11y test
 * reads it back. */
static void
set_accessible_name (GtkWidget  *widget,
                     const char *name)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_object_set_data_full (G_OBJECT (widget), "cdm-accessible-name", g_strdup (name), g_free);
}

/* A count the way the user's locale groups digits: "14,466", "14 466". */
static char *
format_count (gint64 value)
{
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

/* "52.3 %" with the locale's decimal mark. */
static char *
format_share (double share)
{
  /* Translators: a percentage, e.g. "97.2 %" */
  return g_strdup_printf (_("%.1f %%"), 100.0 * share);
}

/* "< 5": a count withheld so that nobody can be recognised. */
static char *
format_suppressed (CdmReport *report)
{
  return g_strdup_printf ("< %d", MAX (cdm_report_get_threshold (report), 1));
}

/* A cell as the page shows it: "14,466", "97.2 %", "< 5", "withheld", or "–" for
 * a share of nobody or a figure the report does not have. */
static char *
format_cell (CdmReport           *report,
             const CdmReportCell *cell)
{
  if (cell == NULL)
    return g_strdup ("–");
  /* A cell hidden only so that another cannot be worked out from a
   * total may be of any size: "< 5" would be untrue, so it reads
   * "withheld", as in the PDF. */
  if (cell->suppressed && cell->complementary)
    return g_strdup (_("withheld"));
  if (cell->suppressed)
    return format_suppressed (report);
  if (cell->kind == CDM_REPORT_CELL_SHARE)
    return cell->known ? format_share (cell->share) : g_strdup ("–");
  return format_count (cell->count);
}

static char *
lookup_text (CdmReport  *report,
             const char *figure,
             const char *breakdown)
{
  return format_cell (report, cdm_report_lookup (report, figure, breakdown, 0));
}

static void
set_label_text (GtkLabel *label,
                char     *text)
{
  gtk_label_set_text (label, text);
  g_free (text);
}

static void
set_figure (FigureRow  *figure,
            CdmReport  *report,
            const char *count_figure,
            const char *breakdown,
            const char *share_figure)
{
  set_label_text (figure->value, lookup_text (report, count_figure, breakdown));
  if (figure->share != NULL)
    set_label_text (figure->share, share_figure != NULL ? lookup_text (report, share_figure, breakdown)
                                                        : g_strdup (""));
}

static void
add_figure_row (AdwPreferencesGroup *group,
                FigureRow           *figure,
                const char          *title,
                const char          *name,
                gboolean             with_share)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *value = gtk_label_new ("–");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  /* Figures and names are text: "< 5" is not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_add_css_class (value, "numeric");
  gtk_label_set_xalign (GTK_LABEL (value), 1);
  if (name != NULL)
    gtk_widget_set_name (value, name);
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

/* "January" (or "Jan" when @abbreviated), capitalised. */
static char *
month_name (int      month,
            gboolean abbreviated)
{
  g_autoptr(GDateTime) date = g_date_time_new_utc (2000, month, 1, 0, 0, 0);
  g_autofree char *name = g_date_time_format (date, abbreviated ? "%b" : "%B");
  g_autofree char *first = NULL;

  if (name == NULL || name[0] == '\0')
    return g_strdup_printf ("%02d", month);
  first = g_utf8_strup (name, g_utf8_next_char (name) - name);
  return g_strconcat (first, g_utf8_next_char (name), NULL);
}

static const char *
series_title (CdmReportSeries series)
{
  switch (series)
    {
    case CDM_REPORT_SERIES_INDIVIDUAL_ADVICE:
      return _("Contacts in individual advice");
    case CDM_REPORT_SERIES_GROUP_PARTICIPANTS:
      return _("Participants in group activities");
    case CDM_REPORT_SERIES_MULTIMEDIA:
      return _("Contacts in the multimedia area");
    case CDM_REPORT_SERIES_TOTAL:
    default:
      return _("Total contacts");
    }
}

static guint
series_scopes (CdmReportSeries series)
{
  switch (series)
    {
    case CDM_REPORT_SERIES_INDIVIDUAL_ADVICE:
      return SCOPE_BIT ("all") | SCOPE_BIT ("advice");
    case CDM_REPORT_SERIES_GROUP_PARTICIPANTS:
      return SCOPE_BIT ("all") | SCOPE_BIT ("activities");
    case CDM_REPORT_SERIES_MULTIMEDIA:
      return SCOPE_BIT ("all") | SCOPE_BIT ("multimedia");
    case CDM_REPORT_SERIES_TOTAL:
    default:
      return SCOPE_BIT ("all");
    }
}

static void
build_months_grid (CdmStatisticsPage *self)
{
  const char *headings[] = {
    /* Translators: the headings of the month table's columns */
    C_("month table", "Month"),
    C_("month table", "Individual advice"),
    C_("month table", "Group participants"),
    C_("month table", "Multimedia"),
    C_("month table", "Total"),
    C_("month table", "Closed"),
  };

  for (guint c = 0; c < G_N_ELEMENTS (headings); c++)
    {
      gboolean number = c > 0 && c <= N_SERIES;
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
      g_autofree char *name = m < N_MONTHS ? month_name (m + 1, FALSE) : NULL;

      self->month_cells[m][0] = add_cell (self->months_grid, 0, m + 1, name != NULL ? name : _("Period"), FALSE);
      for (guint c = 0; c < N_SERIES; c++)
        self->month_cells[m][c + 1] = add_cell (self->months_grid, c + 1, m + 1, "–", TRUE);

      if (m < N_MONTHS)
        {
          GtkLabel *closed = add_cell (self->months_grid, N_SERIES + 1, m + 1, "", FALSE);

          gtk_label_set_wrap (closed, TRUE);
          gtk_widget_set_hexpand (GTK_WIDGET (closed), TRUE);
          gtk_widget_add_css_class (GTK_WIDGET (closed), "dim-label");
          self->closed_cells[m] = closed;
        }
      else
        {
          for (guint c = 0; c <= N_SERIES; c++)
            gtk_widget_add_css_class (GTK_WIDGET (self->month_cells[m][c]), "heading");
        }
    }
}

static void
build_charts (CdmStatisticsPage *self)
{
  for (guint s = 0; s < N_SERIES; s++)
    {
      GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *title = gtk_label_new (series_title (month_series[s]));
      GtkWidget *chart = cdm_chart_new ();
      g_autofree char *name = g_strdup_printf ("statistics-chart-%s", cdm_report_series_code (month_series[s]));

      gtk_widget_add_css_class (card, "card");
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_wrap (GTK_LABEL (title), TRUE);
      gtk_widget_add_css_class (title, "heading");
      gtk_widget_set_margin_top (title, 12);
      gtk_widget_set_margin_start (title, 12);
      gtk_widget_set_margin_end (title, 12);
      gtk_box_append (GTK_BOX (card), title);

      gtk_widget_set_name (chart, name);
      gtk_widget_set_margin_start (chart, 12);
      gtk_widget_set_margin_end (chart, 12);
      gtk_widget_set_margin_bottom (chart, 12);
      cdm_chart_set_title (CDM_CHART (chart), series_title (month_series[s]));
      gtk_box_append (GTK_BOX (card), chart);
      self->charts[s] = CDM_CHART (chart);

      gtk_flow_box_append (self->charts_box, card);
    }
}

static void
build_headlines (CdmStatisticsPage *self)
{
  const char *titles[N_HEADLINES] = {
    _("Individual advice"), _("Group activity participants"), _("Multimedia area"),
  };
  const char *names[N_HEADLINES] = {
    "statistics-advice", "statistics-participants", "statistics-multimedia",
  };

  for (guint h = 0; h < N_HEADLINES; h++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *value = gtk_label_new ("–");
      GtkWidget *title = gtk_label_new (titles[h]);

      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_widget_set_name (value, names[h]);
      gtk_widget_add_css_class (value, "title-2");
      gtk_widget_add_css_class (value, "numeric");
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_wrap (GTK_LABEL (title), TRUE);
      gtk_widget_add_css_class (title, "dim-label");
      gtk_box_append (GTK_BOX (box), value);
      gtk_box_append (GTK_BOX (box), title);
      gtk_box_append (self->headline_box, box);
      self->headlines[h] = GTK_LABEL (value);
    }
}

static void
build_profile (CdmStatisticsPage *self)
{
  for (guint i = 0; i < N_PROFILE_ITEMS; i++)
    {
      GtkWidget *row = adw_expander_row_new ();
      g_autofree char *name = g_strdup_printf ("statistics-profile-%s", profile_items[i].item);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(profile_items[i].title));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_name (row, name);
      adw_preferences_group_add (self->profile_group, row);
      self->profile_rows[i] = ADW_EXPANDER_ROW (row);
      self->profile_children[i] = g_ptr_array_new ();
    }
}

/* The words for an answer of a profile item. */
static const char *
profile_answer_label (const char *item,
                      const char *code)
{
  static const struct { const char *code; const char *label; } languages[] = {
    { "fr", N_("French") }, { "nl", N_("Dutch") }, { "en", N_("English") },
    { "de", N_("German") }, { "ar", N_("Arabic") }, { "es", N_("Spanish") },
    { "pt", N_("Portuguese") }, { "it", N_("Italian") }, { "tr", N_("Turkish") },
    { "ro", N_("Romanian") }, { "pl", N_("Polish") },
  };

  if (g_strcmp0 (code, "unknown") == 0)
    return _("Unknown");
  if (g_str_equal (item, "foreign_diploma") || g_str_equal (item, "first_visit"))
    return g_strcmp0 (code, "yes") == 0 ? _("Yes") : _("No");
  if (g_str_equal (item, "language"))
    {
      for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
        if (g_strcmp0 (code, languages[l].code) == 0)
          return _(languages[l].label);
      return code;
    }
  return cdm_label_for_code (item, code);
}

static void
show_profile (CdmStatisticsPage *self)
{
  guint n_cells = 0;
  const CdmReportCell *cells = cdm_report_get_cells (self->report, &n_cells);

  for (guint i = 0; i < N_PROFILE_ITEMS; i++)
    {
      g_autofree char *figure = g_strconcat ("profile_", profile_items[i].item, NULL);
      g_autofree char *share_figure = g_strconcat (figure, "_share", NULL);
      const CdmReportCell *unknown = cdm_report_lookup (self->report, figure, "unknown", 0);
      g_autofree char *unknown_text = format_cell (self->report, unknown);
      g_autofree char *subtitle = NULL;
      GPtrArray *children = self->profile_children[i];
      gboolean answered_withheld = FALSE;
      gint64 answered = 0;
      /* The plural follows the unknown; a withheld one ("< 5") reads as several. */
      gulong n_unknown = unknown != NULL && !unknown->suppressed ? (gulong) MAX (unknown->count, 0) : 2;

      for (guint c = 0; c < children->len; c++)
        adw_expander_row_remove (self->profile_rows[i], g_ptr_array_index (children, c));
      g_ptr_array_set_size (children, 0);

      for (guint c = 0; c < n_cells; c++)
        if (cells[c].month == 0 && g_strcmp0 (cells[c].figure, figure) == 0 &&
            g_strcmp0 (cells[c].breakdown, "unknown") != 0)
          {
            answered_withheld |= cells[c].suppressed;
            answered += cells[c].count;
          }
      if (answered_withheld)
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 /* Translators: the subtitle of a profile item: "1,234 unknown" */
                                                 "%s unknown", "%s unknown", n_unknown),
                                    unknown_text);
      else
        {
          g_autofree char *answered_text = format_count (answered);

          subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                   /* Translators: the subtitle of a profile item: "7,506 answered ·
                                                    * 1,234 unknown"; the plural follows the second number */
                                                   "%s answered · %s unknown", "%s answered · %s unknown",
                                                   n_unknown),
                                      answered_text, unknown_text);
        }
      adw_expander_row_set_subtitle (self->profile_rows[i], subtitle);

      for (guint c = 0; c < n_cells; c++)
        {
          const CdmReportCell *cell = &cells[c];
          GtkWidget *row, *value, *share;
          g_autofree char *name = NULL;

          if (cell->month != 0 || g_strcmp0 (cell->figure, figure) != 0)
            continue;

          row = adw_action_row_new ();
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                         profile_answer_label (profile_items[i].item, cell->breakdown));
          value = gtk_label_new (NULL);
          set_label_text (GTK_LABEL (value), format_cell (self->report, cell));
          name = g_strdup_printf ("statistics-profile-%s-%s", profile_items[i].item, cell->breakdown);
          gtk_widget_set_name (value, name);
          gtk_widget_add_css_class (value, "numeric");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);

          share = gtk_label_new (NULL);
          if (g_strcmp0 (cell->breakdown, "unknown") != 0)
            set_label_text (GTK_LABEL (share), lookup_text (self->report, share_figure, cell->breakdown));
          gtk_label_set_width_chars (GTK_LABEL (share), 7);
          gtk_label_set_xalign (GTK_LABEL (share), 1);
          gtk_widget_add_css_class (share, "numeric");
          gtk_widget_add_css_class (share, "dim-label");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), share);

          adw_expander_row_add_row (self->profile_rows[i], row);
          g_ptr_array_add (children, row);
        }
    }
}

/* Where a day of the year falls on a chart of months @from..: bar i is
 * [i, i + 1), a day one slice of its month's bar. */
static double
day_position (int      year,
              guint    day_of_year,
              guint    from_month,
              gboolean end)
{
  g_autoptr(GDateTime) date = g_date_time_new_utc (year, 1, 1, 0, 0, 0);
  g_autoptr(GDateTime) day = g_date_time_add_days (date, (int) day_of_year - 1);
  int month = g_date_time_get_month (day);
  int mday = g_date_time_get_day_of_month (day);
  int days_in_month = g_date_get_days_in_month ((GDateMonth) month, (GDateYear) year);

  return (month - (int) from_month) + (double) (mday - (end ? 0 : 1)) / days_in_month;
}

static void
show_charts (CdmStatisticsPage *self)
{
  guint n_months = self->to_month - self->from_month + 1;
  guint n_closures = 0;
  const CdmReportClosure *closures = cdm_report_get_closures (self->report, &n_closures);
  int year = cdm_report_get_year (self->report);

  for (guint s = 0; s < N_SERIES; s++)
    {
      gint64 values[N_MONTHS];
      char *labels[N_MONTHS + 1] = { NULL };
      char *long_labels[N_MONTHS + 1] = { NULL };
      guint scopes = series_scopes (month_series[s]);

      for (guint i = 0; i < n_months; i++)
        {
          guint month = self->from_month + i;

          values[i] = cdm_report_get_series_value (self->report, month_series[s], month);
          labels[i] = month_name (month, TRUE);
          long_labels[i] = month_name (month, FALSE);
        }
      cdm_chart_set_suppression_threshold (self->charts[s], MAX (cdm_report_get_threshold (self->report), 1));
      cdm_chart_set_values (self->charts[s], values, n_months,
                            (const char * const *) labels, (const char * const *) long_labels);
      for (guint i = 0; i < n_months; i++)
        {
          g_free (labels[i]);
          g_free (long_labels[i]);
        }

      cdm_chart_clear_shading (self->charts[s]);
      for (guint c = 0; c < n_closures; c++)
        {
          int scope = cdm_code_index (cdm_closure_scopes, closures[c].scope);
          g_autofree char *period = NULL;
          g_autofree char *description = NULL;

          if (scope < 0 || (scopes & (1u << scope)) == 0)
            continue;
          period = cdm_closures_dialog_format_period (closures[c].from, closures[c].to);
          /* Translators: a closed period on a chart, read aloud:
           * "16 March 2020 – 28 June 2020, whole centre" */
          description = g_strdup_printf (_("%s, %s"), period,
                                         cdm_label_for_code ("closure_scope", closures[c].scope));
          cdm_chart_add_shading (self->charts[s],
                                 day_position (year, closures[c].first_day, self->from_month, FALSE),
                                 day_position (year, closures[c].last_day, self->from_month, TRUE),
                                 description);
        }
    }
}

static void
show_months (CdmStatisticsPage *self)
{
  for (guint m = 1; m <= N_MONTHS; m++)
    {
      gboolean shown = m >= self->from_month && m <= self->to_month;
      guint mask = cdm_report_get_closed_scopes (self->report, m);
      g_autoptr(GString) closed = g_string_new (NULL);

      for (guint c = 0; c <= N_SERIES; c++)
        gtk_widget_set_visible (GTK_WIDGET (self->month_cells[m - 1][c]), shown);
      gtk_widget_set_visible (GTK_WIDGET (self->closed_cells[m - 1]), shown);
      if (!shown)
        continue;

      for (guint s = 0; s < N_SERIES; s++)
        {
          gint64 value = cdm_report_get_series_value (self->report, month_series[s], m);

          set_label_text (self->month_cells[m - 1][s + 1],
                          value == CDM_REPORT_SUPPRESSED ? format_suppressed (self->report) : format_count (value));
        }

      for (guint i = 0; cdm_closure_scopes[i] != NULL; i++)
        {
          if ((mask & (1u << i)) == 0)
            continue;
          if (closed->len > 0)
            g_string_append (closed, ", ");
          g_string_append (closed, cdm_label_for_code ("closure_scope", cdm_closure_scopes[i]));
        }
      gtk_label_set_text (self->closed_cells[m - 1], closed->str);
    }

  /* The period's own figures, not a sum of the shown months: a withheld
   * month must not be given away by its year. */
  set_label_text (self->month_cells[N_MONTHS][CDM_REPORT_SERIES_INDIVIDUAL_ADVICE + 1],
                  lookup_text (self->report, "individual_advice", ""));
  set_label_text (self->month_cells[N_MONTHS][CDM_REPORT_SERIES_GROUP_PARTICIPANTS + 1],
                  lookup_text (self->report, "group_participants", ""));
  set_label_text (self->month_cells[N_MONTHS][CDM_REPORT_SERIES_MULTIMEDIA + 1],
                  lookup_text (self->report, "multimedia", ""));
  set_label_text (self->month_cells[N_MONTHS][CDM_REPORT_SERIES_TOTAL + 1],
                  lookup_text (self->report, "total_contacts", ""));
}

static void
show_closures (CdmStatisticsPage *self)
{
  guint n_closures = 0;
  const CdmReportClosure *closures = cdm_report_get_closures (self->report, &n_closures);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->closures_list))) != NULL)
    gtk_list_box_remove (self->closures_list, child);

  for (guint c = 0; c < n_closures; c++)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *period = cdm_closures_dialog_format_period (closures[c].from, closures[c].to);
      const char *scope = cdm_label_for_code ("closure_scope", closures[c].scope);
      g_autofree char *subtitle = NULL;

      if (closures[c].reason != NULL && closures[c].reason[0] != '\0')
        subtitle = g_strdup_printf (_("%s · %s"), scope, closures[c].reason);
      else
        subtitle = g_strdup (scope);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), period);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      /* Reasons can be long: two lines, the whole text in the tooltip. */
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      gtk_widget_set_tooltip_text (row, subtitle);
      gtk_list_box_append (self->closures_list, row);
    }

  if (n_closures == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No closure in this period"));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->closures_list, row);
    }
}

static void
show_objective (CdmStatisticsPage *self)
{
  const CdmReportCell *progress = cdm_report_lookup (self->report, "objective", "progress", 0);
  gint64 target = cdm_report_get_objective (self->report);
  gint64 projection = 0;
  g_autofree char *total_text = lookup_text (self->report, "total_contacts", "");
  g_autofree char *target_text = format_count (target);
  g_autofree char *progress_text = format_cell (self->report, progress);
  g_autofree char *line = NULL;

  /* An organisation has no objective of its own. */
  gtk_widget_set_visible (self->objective_box, cdm_report_get_organisation (self->report) == NULL && target > 0);
  if (cdm_report_get_organisation (self->report) != NULL || target <= 0)
    return;

  gtk_level_bar_set_value (self->objective_bar,
                           progress != NULL && progress->known ? CLAMP (progress->share, 0, 1) : 0);
  /* Translators: "29,523 of the objective of 50,000 (59.0 %)" */
  line = g_strdup_printf (_("%s of the objective of %s (%s)"), total_text, target_text, progress_text);
  gtk_label_set_text (self->objective_label, line);
  set_accessible_name (GTK_WIDGET (self->objective_bar), line);

  if (cdm_report_get_projection (self->report, &projection, NULL, NULL))
    {
      g_autofree char *projection_text = format_count (projection);
      g_autofree char *projection_line = NULL;

      projection_line = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                      /* Translators: the year-end projection: "At this pace, 52,310 contacts by the end of the year" */
                                                      "At this pace, %s contact by the end of the year",
                                                      "At this pace, %s contacts by the end of the year",
                                                      (gulong) MAX (projection, 0)),
                                         projection_text);
      gtk_label_set_text (self->projection_label, projection_line);
      gtk_widget_set_visible (GTK_WIDGET (self->projection_label), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->projection_label), FALSE);
    }
}

static void
show_origin (CdmStatisticsPage *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  int threshold = cdm_report_get_threshold (self->report);

  if (self->organisation == NULL)
    g_string_append (text, _("Figures of the centre’s annual report, from this desk’s records."));
  else
    {
      g_autofree char *name = cdm_report_get_organisation_name (self->report, cdm_labels_content_language ());

      /* Translators: the origin of an organisation's figures */
      g_string_append_printf (text, _("Contacts logged by the counsellors of %s and the activities it "
                                      "organised or co-organised."), name);
      if (threshold > 0)
        {
          g_string_append_c (text, ' ');
          g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                     /* Translators: the small-count rule, %d the threshold (5) */
                                                     "Counts below %d are shown as “< %d” so that nobody can be recognised.",
                                                     "Counts below %d are shown as “< %d” so that nobody can be recognised.",
                                                     (gulong) threshold),
                                  threshold, threshold);
        }
    }
  gtk_label_set_text (self->origin_label, text->str);
}

static void
show_report (CdmStatisticsPage *self)
{
  CdmReport *report = self->report;
  gboolean centre = cdm_report_get_organisation (report) == NULL;

  show_origin (self);
  set_label_text (self->total_label, lookup_text (report, "total_contacts", ""));
  show_objective (self);
  set_label_text (self->headlines[HEADLINE_ADVICE], lookup_text (report, "individual_advice", ""));
  set_label_text (self->headlines[HEADLINE_PARTICIPANTS], lookup_text (report, "group_participants", ""));
  set_label_text (self->headlines[HEADLINE_MULTIMEDIA], lookup_text (report, "multimedia", ""));

  set_figure (&self->advice_total, report, "individual_advice", "", NULL);
  for (guint ch = 0; cdm_channels[ch] != NULL; ch++)
    {
      const CdmReportCell *count = cdm_report_lookup (report, "individual_advice", cdm_channels[ch], 0);
      const CdmReportCell *total = cdm_report_lookup (report, "individual_advice", "", 0);

      set_label_text (self->channels[ch].value, format_cell (report, count));
      /* The share of a channel, unless either count is withheld. */
      if (count != NULL && total != NULL && !count->suppressed && !total->suppressed && total->count > 0)
        set_label_text (self->channels[ch].share, format_share ((double) count->count / (double) total->count));
      else
        gtk_label_set_text (self->channels[ch].share, "");
    }

  set_figure (&self->activities[ACTIVITIES_IN_PERSON], report, "group_activities_held", "in_person", NULL);
  set_figure (&self->activities[ACTIVITIES_ONLINE], report, "group_activities_held", "online", NULL);
  set_figure (&self->activities[ACTIVITIES_PARTICIPANTS], report, "group_participants", "", NULL);
  set_figure (&self->activities[ACTIVITIES_MULTIMEDIA], report, "multimedia", "", NULL);

  for (guint p = 0; cdm_programmes[p] != NULL; p++)
    set_figure (&self->programmes[p], report, "programmes", cdm_programmes[p], NULL);

  set_figure (&self->remote[REMOTE_REQUESTS], report, "remote_requests", "", NULL);
  set_figure (&self->remote[REMOTE_WITHIN_48H], report, "remote_answered_within_48h", "", NULL);
  {
    g_autofree char *within = lookup_text (report, "remote_requests", "within_48h");
    g_autofree char *requests = lookup_text (report, "remote_requests", "");
    const CdmReportCell *total = cdm_report_lookup (report, "remote_requests", "", 0);
    /* A withheld total ("< 5") reads as several. */
    gulong n = total != NULL && !total->suppressed ? (gulong) MAX (total->count, 0) : 2;
    g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              /* Translators: the subtitle of "Answered within 48 h": "412 of 425 requests" */
                                                              "%s of %s request", "%s of %s requests", n),
                                                 within, requests);

    adw_action_row_set_subtitle (self->remote[REMOTE_WITHIN_48H].row, subtitle);
  }
  set_figure (&self->remote[REMOTE_LATE], report, "remote_requests", "late", NULL);

  set_figure (&self->satisfaction[SATISFACTION_RESPONSES], report, "satisfaction_responses", "", NULL);
  set_figure (&self->satisfaction[SATISFACTION_SATISFIED], report, "satisfaction", "satisfied", NULL);
  set_figure (&self->satisfaction[SATISFACTION_EXCELLENT], report, "satisfaction", "excellent", NULL);
  set_figure (&self->satisfaction[SATISFACTION_RECOMMEND], report, "satisfaction", "recommend", NULL);
  set_figure (&self->satisfaction[SATISFACTION_FOUND], report, "satisfaction", "found", NULL);
  adw_preferences_group_set_description (self->satisfaction_group,
                                         centre ? NULL : _("The survey is anonymous: these are the centre’s figures."));

  show_charts (self);
  show_months (self);
  show_closures (self);
  show_profile (self);
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
update_actions (CdmStatisticsPage *self)
{
  gboolean ready = self->store != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "statistics.previous-year",
                                 ready && self->year > CDM_REPORT_MIN_YEAR);
  /* Next year has no figures yet. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "statistics.next-year",
                                 ready && self->year < current_year (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "statistics.closures", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "statistics.export", self->report != NULL);
}

static void
on_report_computed (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CdmStatisticsPage) self = user_data;
  g_autoptr(CdmReport) report = NULL;
  g_autoptr(GError) error = NULL;

  report = cdm_report_compute_full_finish (CDM_STORE (source), result, &error);
  /* Another choice was made: its figures are on their way. */
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

  g_clear_pointer (&self->report, cdm_report_unref);
  self->report = g_steal_pointer (&report);
  show_report (self);
  update_actions (self);
}

static void
compute (CdmStatisticsPage *self)
{
  g_autofree char *year = g_strdup_printf ("%d", self->year);
  CdmReportOptions options;

  gtk_label_set_text (self->year_label, year);
  self->stale = FALSE;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* Figures of another choice must not stay under this one's title. */
  g_clear_pointer (&self->report, cdm_report_unref);
  update_actions (self);
  if (self->store == NULL)
    return;

  cdm_report_options_init (&options, self->year);
  options.from_month = self->from_month;
  options.to_month = self->to_month;
  options.organisation = self->organisation;

  self->cancellable = g_cancellable_new ();
  gtk_spinner_start (self->spinner);
  cdm_report_compute_full_async (self->store, &options, self->cancellable,
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

/* The organisations, read in a worker thread, sorted by name. */
static gboolean
collect_organisation (JsonObject *record,
                      gpointer    user_data)
{
  GPtrArray *organisations = user_data;
  JsonNode *names = json_object_get_member (record, "name");
  const char *language = cdm_labels_content_language ();
  const char *order[] = { language, "fr", "nl", "en" };
  const char *name = NULL;
  Organisation *organisation;

  if (json_object_has_member (record, "active") && !json_object_get_null_member (record, "active") &&
      !json_object_get_boolean_member (record, "active"))
    return TRUE;

  if (names != NULL && JSON_NODE_HOLDS_OBJECT (names))
    for (guint i = 0; name == NULL && i < G_N_ELEMENTS (order); i++)
      {
        const char *candidate = json_object_get_string_member_with_default (json_node_get_object (names),
                                                                            order[i], NULL);

        if (candidate != NULL && candidate[0] != '\0')
          name = candidate;
      }
  if (name == NULL)
    name = json_object_get_string_member_with_default (record, "acronym", NULL);

  organisation = g_new0 (Organisation, 1);
  organisation->id = g_strdup (json_object_get_string_member (record, "id"));
  organisation->name = g_strdup (name != NULL ? name : organisation->id);
  g_ptr_array_add (organisations, organisation);
  return TRUE;
}

static int
compare_organisations (gconstpointer a,
                       gconstpointer b)
{
  const Organisation *first = *(Organisation **) a;
  const Organisation *second = *(Organisation **) b;
  g_autofree char *first_key = g_utf8_collate_key (first->name, -1);
  g_autofree char *second_key = g_utf8_collate_key (second->name, -1);

  return strcmp (first_key, second_key);
}

static void
list_organisations (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(GPtrArray) organisations = g_ptr_array_new_with_free_func (organisation_free);
  GError *error = NULL;

  if (!cdm_store_foreach (CDM_STORE (source_object), CDM_ENTITY_ORGANISATION, FALSE,
                          collect_organisation, organisations, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_ptr_array_sort (organisations, compare_organisations);
  g_task_return_pointer (task, g_steal_pointer (&organisations), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_organisations_listed (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(CdmStatisticsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) organisations = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  if (organisations == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot list the organisations: %s", error->message);
      return;
    }

  gtk_string_list_append (names, _("The whole centre"));
  for (guint i = 0; i < organisations->len; i++)
    gtk_string_list_append (names, ((Organisation *) g_ptr_array_index (organisations, i))->name);

  g_clear_pointer (&self->organisations, g_ptr_array_unref);
  self->organisations = g_steal_pointer (&organisations);
  for (guint i = 0; self->organisation != NULL && i < self->organisations->len; i++)
    if (g_strcmp0 (((Organisation *) g_ptr_array_index (self->organisations, i))->id, self->organisation) == 0)
      selected = i + 1;

  self->updating_dropdowns = TRUE;
  gtk_drop_down_set_model (self->organisation_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->organisation_dropdown, selected);
  self->updating_dropdowns = FALSE;

  /* The organisation shown is gone (deleted, made inactive): back to
   * the whole centre. */
  if (self->organisation != NULL && selected == 0)
    {
      g_clear_pointer (&self->organisation, g_free);
      compute_when_shown (self);
    }
}

static void
load_organisations (CdmStatisticsPage *self)
{
  g_autoptr(GTask) task = NULL;

  g_cancellable_cancel (self->organisations_cancellable);
  g_clear_object (&self->organisations_cancellable);
  if (self->store == NULL)
    return;

  self->organisations_cancellable = g_cancellable_new ();
  task = g_task_new (self->store, self->organisations_cancellable, on_organisations_listed, g_object_ref (self));
  g_task_set_source_tag (task, load_organisations);
  g_task_run_in_thread (task, list_organisations);
}

static void
on_organisation_selected (GtkDropDown       *dropdown,
                          GParamSpec        *pspec,
                          CdmStatisticsPage *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  const char *id = NULL;

  if (self->updating_dropdowns)
    return;
  if (selected != GTK_INVALID_LIST_POSITION && selected > 0 &&
      self->organisations != NULL && selected - 1 < self->organisations->len)
    id = ((Organisation *) g_ptr_array_index (self->organisations, selected - 1))->id;

  if (g_strcmp0 (id, self->organisation) == 0)
    return;
  g_free (self->organisation);
  self->organisation = g_strdup (id);
  compute (self);
}

static void
on_month_selected (GtkDropDown       *dropdown,
                   GParamSpec        *pspec,
                   CdmStatisticsPage *self)
{
  guint from = gtk_drop_down_get_selected (self->from_dropdown) + 1;
  guint to = gtk_drop_down_get_selected (self->to_dropdown) + 1;

  if (self->updating_dropdowns)
    return;

  /* A period ends after it starts: move the other end along. */
  self->updating_dropdowns = TRUE;
  if (from > to)
    {
      if (dropdown == self->from_dropdown)
        to = from;
      else
        from = to;
      gtk_drop_down_set_selected (self->from_dropdown, from - 1);
      gtk_drop_down_set_selected (self->to_dropdown, to - 1);
    }
  self->updating_dropdowns = FALSE;

  cdm_statistics_page_set_months (self, from, to);
}

static void
on_table_toggled (GtkToggleButton   *toggle,
                  CdmStatisticsPage *self)
{
  gboolean table = gtk_toggle_button_get_active (toggle);

  gtk_stack_set_visible_child_name (self->months_stack, table ? "table" : "charts");
  /* The table says what was closed in words. */
  gtk_widget_set_visible (self->legend_label, !table);
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
on_closures_changed (CdmStatisticsPage *self)
{
  compute_when_shown (self);
}

static void
closures_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CdmStatisticsPage *self = CDM_STATISTICS_PAGE (widget);
  CdmClosuresDialog *dialog;

  if (self->store == NULL)
    return;
  dialog = cdm_closures_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->store);
  g_signal_connect_object (dialog, "changed", G_CALLBACK (on_closures_changed), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Export: the file is chosen, then written in a worker thread. */
typedef struct {
  CdmReport *report;
  char *format;
  GFile *file;
  char *language;
} ExportData;

static void
export_data_free (gpointer data)
{
  ExportData *export = data;

  cdm_report_unref (export->report);
  g_free (export->format);
  g_object_unref (export->file);
  g_free (export->language);
  g_free (export);
}

static void
export_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  ExportData *export = task_data;
  g_autofree char *path = g_file_get_path (export->file);
  GError *error = NULL;
  gboolean done = FALSE;

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Only files on this computer can be written"));
      return;
    }

  if (g_str_equal (export->format, "csv"))
    {
      g_autofree char *csv = cdm_report_to_csv (export->report);

      done = g_file_set_contents (path, csv, -1, &error);
    }
  else if (g_str_equal (export->format, "csv-folder"))
    {
      done = cdm_report_write_csv_dir (export->report, path, &error);
    }
  else
    {
      done = cdm_report_write_pdf (export->report, path, export->language, &error);
    }

  if (done)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_open_clicked (AdwToast          *toast,
                 CdmStatisticsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                g_object_get_data (G_OBJECT (toast), "uri"), GDK_CURRENT_TIME);
}

static void
add_toast (CdmStatisticsPage *self,
           AdwToast          *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CdmStatisticsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  ExportData *export = g_task_get_task_data (G_TASK (result));
  g_autofree char *basename = g_file_get_basename (export->file);
  g_autofree char *message = NULL;
  AdwToast *toast;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      message = g_strdup_printf (_("The figures could not be exported: %s"), error->message);
      toast = adw_toast_new (message);
      adw_toast_set_timeout (toast, 0);
      add_toast (self, toast);
      return;
    }

  /* Translators: a toast once the figures are written: "Figures saved as figures-2026.pdf" */
  message = g_strdup_printf (_("Figures saved as %s"), basename);
  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Open"));
  g_object_set_data_full (G_OBJECT (toast), "uri", g_file_get_uri (export->file), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_open_clicked), self, 0);
  add_toast (self, toast);
}

void
cdm_statistics_page_export_to (CdmStatisticsPage *self,
                               const char        *format,
                               GFile             *file)
{
  g_autoptr(GTask) task = NULL;
  ExportData *export;

  g_return_if_fail (CDM_IS_STATISTICS_PAGE (self));
  g_return_if_fail (format != NULL);
  g_return_if_fail (G_IS_FILE (file));

  if (self->report == NULL)
    return;

  export = g_new0 (ExportData, 1);
  export->report = cdm_report_ref (self->report);
  export->format = g_strdup (format);
  export->file = g_object_ref (file);
  export->language = g_strdup (cdm_labels_content_language ());

  task = g_task_new (self, NULL, on_exported, g_object_ref (self));
  g_task_set_source_tag (task, cdm_statistics_page_export_to);
  g_task_set_task_data (task, export, export_data_free);
  g_task_run_in_thread (task, export_in_thread);
}

static void
on_export_chosen (GtkNativeDialog   *chooser,
                  int                response,
                  CdmStatisticsPage *self)
{
  const char *format = g_object_get_data (G_OBJECT (chooser), "format");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        cdm_statistics_page_export_to (self, format, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

/* "figures-2026", "figures-2026-03-06-actiris": what the file is called
 * unless the user says otherwise. */
static char *
export_basename (CdmStatisticsPage *self)
{
  g_autoptr(GString) name = g_string_new (NULL);

  /* Translators: the start of an exported file's name, no spaces */
  g_string_append_printf (name, "%s-%d", C_("file name", "figures"), self->year);
  if (self->from_month != 1 || self->to_month != 12)
    g_string_append_printf (name, "-%02u-%02u", self->from_month, self->to_month);
  if (self->organisation != NULL && self->organisations != NULL)
    for (guint i = 0; i < self->organisations->len; i++)
      {
        Organisation *organisation = g_ptr_array_index (self->organisations, i);

        if (g_strcmp0 (organisation->id, self->organisation) == 0)
          {
            g_autofree char *plain = g_str_to_ascii (organisation->name, NULL);

            g_string_append_c (name, '-');
            for (const char *p = plain; *p != '\0' && name->len < 60; p++)
              g_string_append_c (name, g_ascii_isalnum (*p) ? g_ascii_tolower (*p) : '-');
          }
      }
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CdmStatisticsPage *self = CDM_STATISTICS_PAGE (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  gboolean folder = g_str_equal (format, "csv-folder");
  g_autofree char *basename = export_basename (self);
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->report == NULL)
    return;

  chooser = gtk_file_chooser_native_new (folder ? _("Export the Figures into a Folder")
                                                : _("Export the Figures"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                : GTK_FILE_CHOOSER_ACTION_SAVE,
                                         folder ? _("_Select") : _("_Export"),
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data_full (G_OBJECT (chooser), "format", g_strdup (format), g_free);
  if (!folder)
    {
      gboolean pdf = g_str_equal (format, "pdf");

      name = g_strconcat (basename, pdf ? ".pdf" : ".csv", NULL);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
      gtk_file_filter_set_name (filter, pdf ? _("PDF documents") : _("CSV tables"));
      gtk_file_filter_add_mime_type (filter, pdf ? "application/pdf" : "text/csv");
      gtk_file_filter_add_suffix (filter, pdf ? "pdf" : "csv");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
    }
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
cdm_statistics_page_map (GtkWidget *widget)
{
  CdmStatisticsPage *self = CDM_STATISTICS_PAGE (widget);

  GTK_WIDGET_CLASS (cdm_statistics_page_parent_class)->map (widget);

  if (self->stale)
    {
      /* Partners may have been added or renamed meanwhile. */
      load_organisations (self);
      compute (self);
    }
}

static void
cdm_statistics_page_dispose (GObject *object)
{
  CdmStatisticsPage *self = CDM_STATISTICS_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->organisations_cancellable);
  g_clear_object (&self->organisations_cancellable);
  g_clear_object (&self->store);
  g_clear_pointer (&self->report, cdm_report_unref);
  g_clear_pointer (&self->organisations, g_ptr_array_unref);

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
  g_free (self->organisation);
  for (guint i = 0; i < N_PROFILE_ITEMS; i++)
    g_clear_pointer (&self->profile_children[i], g_ptr_array_unref);

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

  g_type_ensure (CDM_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-statistics-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, scrolled);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, year_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, from_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, to_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, organisation_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, origin_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, total_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, objective_box);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, objective_bar);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, objective_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, projection_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, headline_box);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, table_toggle);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, legend_label);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, months_stack);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, charts_box);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, months_grid);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, advice_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, remote_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, activities_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, programmes_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, satisfaction_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, closures_group);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, closures_list);
  gtk_widget_class_bind_template_child (widget_class, CdmStatisticsPage, profile_group);

  gtk_widget_class_install_action (widget_class, "statistics.previous-year", NULL, previous_year_action);
  gtk_widget_class_install_action (widget_class, "statistics.next-year", NULL, next_year_action);
  gtk_widget_class_install_action (widget_class, "statistics.closures", NULL, closures_action);
  gtk_widget_class_install_action (widget_class, "statistics.export", "s", export_action);
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
  g_autoptr(GtkStringList) from_months = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) to_months = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) organisations = gtk_string_list_new (NULL);
  g_autoptr(GtkExpression) name_expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");

  gtk_widget_init_template (GTK_WIDGET (self));

  self->from_month = 1;
  self->to_month = N_MONTHS;
  for (int m = 1; m <= N_MONTHS; m++)
    {
      g_autofree char *name = month_name (m, FALSE);

      gtk_string_list_append (from_months, name);
      gtk_string_list_append (to_months, name);
    }
  self->updating_dropdowns = TRUE;
  gtk_drop_down_set_model (self->from_dropdown, G_LIST_MODEL (from_months));
  gtk_drop_down_set_model (self->to_dropdown, G_LIST_MODEL (to_months));
  gtk_drop_down_set_selected (self->from_dropdown, 0);
  gtk_drop_down_set_selected (self->to_dropdown, N_MONTHS - 1);
  gtk_string_list_append (organisations, _("The whole centre"));
  gtk_drop_down_set_model (self->organisation_dropdown, G_LIST_MODEL (organisations));
  self->updating_dropdowns = FALSE;
  g_signal_connect (self->from_dropdown, "notify::selected", G_CALLBACK (on_month_selected), self);
  g_signal_connect (self->to_dropdown, "notify::selected", G_CALLBACK (on_month_selected), self);
  g_signal_connect (self->organisation_dropdown, "notify::selected", G_CALLBACK (on_organisation_selected), self);
  g_signal_connect (self->table_toggle, "toggled", G_CALLBACK (on_table_toggled), self);
  /* The names' list can be long: let the user type to find one. */
  gtk_drop_down_set_expression (self->organisation_dropdown, name_expression);

  build_headlines (self);
  build_charts (self);

  add_figure_row (self->advice_group, &self->advice_total, _("All channels"), "statistics-advice-total", FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->advice_total.value), "heading");
  self->channels = g_new0 (FigureRow, n_channels);
  for (guint ch = 0; ch < n_channels; ch++)
    {
      g_autofree char *name = g_strdup_printf ("statistics-channel-%s", cdm_channels[ch]);

      add_figure_row (self->advice_group, &self->channels[ch],
                      cdm_label_for_code ("channel", cdm_channels[ch]), name, TRUE);
    }

  add_figure_row (self->activities_group, &self->activities[ACTIVITIES_IN_PERSON],
                  _("Activities held in person"), "statistics-held-in-person", FALSE);
  add_figure_row (self->activities_group, &self->activities[ACTIVITIES_ONLINE],
                  _("Activities held online"), "statistics-held-online", FALSE);
  add_figure_row (self->activities_group, &self->activities[ACTIVITIES_PARTICIPANTS],
                  _("Participants in group activities"), NULL, FALSE);
  add_figure_row (self->activities_group, &self->activities[ACTIVITIES_MULTIMEDIA],
                  _("Contacts in the multimedia area"), NULL, FALSE);

  self->programmes = g_new0 (FigureRow, n_programmes);
  for (guint p = 0; p < n_programmes; p++)
    {
      g_autofree char *name = g_strdup_printf ("statistics-programme-%s", cdm_programmes[p]);

      add_figure_row (self->programmes_group, &self->programmes[p],
                      cdm_label_for_code ("programmes", cdm_programmes[p]), name, FALSE);
    }

  add_figure_row (self->remote_group, &self->remote[REMOTE_REQUESTS],
                  _("Requests received"), "statistics-remote-requests", FALSE);
  add_figure_row (self->remote_group, &self->remote[REMOTE_WITHIN_48H],
                  _("Answered within 48 h"), "statistics-remote-within-48h", FALSE);
  add_figure_row (self->remote_group, &self->remote[REMOTE_LATE],
                  _("Answered late or not answered"), "statistics-remote-late", FALSE);

  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_RESPONSES],
                  _("Responses"), "statistics-satisfaction-responses", FALSE);
  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_SATISFIED],
                  _("Satisfied (6 or more out of 10)"), "statistics-satisfaction-satisfied", FALSE);
  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_EXCELLENT],
                  _("Excellent (9 or more out of 10)"), "statistics-satisfaction-excellent", FALSE);
  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_RECOMMEND],
                  _("Would recommend the centre"), "statistics-satisfaction-recommend", FALSE);
  add_figure_row (self->satisfaction_group, &self->satisfaction[SATISFACTION_FOUND],
                  _("Found what they were looking for"), "statistics-satisfaction-found", FALSE);

  build_profile (self);
  build_months_grid (self);
  set_accessible_name (GTK_WIDGET (self->months_grid), _("Month by Month"));

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
  g_clear_pointer (&self->organisation, g_free);
  load_organisations (self);
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

void
cdm_statistics_page_set_months (CdmStatisticsPage *self,
                                guint              from_month,
                                guint              to_month)
{
  g_return_if_fail (CDM_IS_STATISTICS_PAGE (self));
  g_return_if_fail (from_month >= 1 && from_month <= to_month && to_month <= N_MONTHS);

  if (from_month == self->from_month && to_month == self->to_month)
    return;

  self->from_month = from_month;
  self->to_month = to_month;
  self->updating_dropdowns = TRUE;
  gtk_drop_down_set_selected (self->from_dropdown, from_month - 1);
  gtk_drop_down_set_selected (self->to_dropdown, to_month - 1);
  self->updating_dropdowns = FALSE;
  compute (self);
}

gboolean
cdm_statistics_page_set_organisation (CdmStatisticsPage *self,
                                      const char        *id)
{
  g_return_val_if_fail (CDM_IS_STATISTICS_PAGE (self), FALSE);

  if (id == NULL)
    {
      gtk_drop_down_set_selected (self->organisation_dropdown, 0);
      return TRUE;
    }
  if (self->organisations == NULL)
    return FALSE;

  for (guint i = 0; i < self->organisations->len; i++)
    {
      Organisation *organisation = g_ptr_array_index (self->organisations, i);

      if (g_strcmp0 (organisation->id, id) == 0)
        {
          gtk_drop_down_set_selected (self->organisation_dropdown, i + 1);
          return TRUE;
        }
    }
  return FALSE;
}

const char *
cdm_statistics_page_get_organisation (CdmStatisticsPage *self)
{
  g_return_val_if_fail (CDM_IS_STATISTICS_PAGE (self), NULL);

  return self->organisation;
}

int
cdm_statistics_page_get_n_organisations (CdmStatisticsPage *self)
{
  g_return_val_if_fail (CDM_IS_STATISTICS_PAGE (self), -1);

  return self->organisations != NULL ? (int) self->organisations->len : -1;
}

CdmReport *
cdm_statistics_page_get_report (CdmStatisticsPage *self)
{
  g_return_val_if_fail (CDM_IS_STATISTICS_PAGE (self), NULL);

  return self->report;
}

CdmChart *
cdm_statistics_page_get_chart (CdmStatisticsPage *self,
                               CdmReportSeries    series)
{
  g_return_val_if_fail (CDM_IS_STATISTICS_PAGE (self), NULL);
  g_return_val_if_fail ((guint) series < N_SERIES, NULL);

  for (guint s = 0; s < N_SERIES; s++)
    if (month_series[s] == series)
      return self->charts[s];
  return NULL;
}
