/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-statistics.c: the Statistics section in a real window.
 *
 * Runs under Xvfb (see tests/meson.build) on a demo year in a fresh
 * temporary folder.  The page must show exactly the figures libcdm
 * computes for the year, the months and the organisation chosen, "< 5"
 * where an organisation's count is withheld; a closure added in the
 * closures editor must shade the charts and be listed; the export must
 * write libcdm's CSV.  Screenshots at 1366×768 and 800×600, light and
 * dark, go to screenshots/ in the build directory.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-chart.h"
#include "cdm-closures-dialog.h"
#include "cdm-demo.h"
#include "cdm-desk-test-util.h"
#include "cdm-report.h"
#include "cdm-statistics-page.h"
#include "cdm-store.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;
static int demo_year;

static gboolean
store_is_open (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "log-contact");
}

typedef struct {
  CdmStatisticsPage *page;
  int year;
  const char *total_text;
} ShownWait;

/* The page shows @year, computed: its total reads exactly @total_text. */
static gboolean
figures_shown (gpointer data)
{
  ShownWait *wait = data;
  GtkWidget *page = GTK_WIDGET (wait->page);
  g_autofree char *year = g_strdup_printf ("%d", wait->year);

  return cdm_statistics_page_get_report (wait->page) != NULL &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (page, "statistics-year"))), year) == 0 &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (page, "statistics-total"))),
                    wait->total_text) == 0;
}

static gboolean
report_shown (gpointer data)
{
  return cdm_statistics_page_get_report (data) != NULL;
}

static CdmReport *
compute_report (int         year,
                guint       from_month,
                guint       to_month,
                const char *organisation)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  CdmReportOptions options;
  CdmReport *report;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  cdm_report_options_init (&options, year);
  options.from_month = from_month;
  options.to_month = to_month;
  options.organisation = organisation;
  report = cdm_report_compute_full (store, &options, NULL, &error);
  g_assert_no_error (error);
  return report;
}

static gint64
report_total (int year)
{
  g_autoptr(CdmReport) report = compute_report (year, 1, 12, NULL);

  return cdm_report_get_total_contacts (report);
}

/* A cell as the page must write it. */
static char *
expected_text (CdmReport  *report,
               const char *figure,
               const char *breakdown)
{
  const CdmReportCell *cell = cdm_report_lookup (report, figure, breakdown, 0);

  g_assert_nonnull (cell);
  if (cell->suppressed && cell->complementary)
    return g_strdup ("withheld");
  if (cell->suppressed)
    return g_strdup_printf ("< %d", cdm_report_get_threshold (report));
  if (cell->kind == CDM_REPORT_CELL_SHARE)
    return cell->known ? g_strdup_printf ("%.1f %%", 100.0 * cell->share) : g_strdup ("–");
  return g_strdup_printf ("%'" G_GINT64_FORMAT, cell->count);
}

static const char *
shown_text (CdmStatisticsPage *page,
            const char        *name)
{
  return gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (GTK_WIDGET (page), name)));
}

/* Every figure the page names reads what libcdm's @report says; returns
 * how many were withheld. */
static guint
assert_page_shows (CdmStatisticsPage *page,
                   CdmReport         *report)
{
  const struct {
    const char *name;
    const char *figure;
    const char *breakdown;
  } figures[] = {
    { "statistics-total", "total_contacts", "" },
    { "statistics-advice", "individual_advice", "" },
    { "statistics-participants", "group_participants", "" },
    { "statistics-multimedia", "multimedia", "" },
    { "statistics-advice-total", "individual_advice", "" },
    { "statistics-held-in-person", "group_activities_held", "in_person" },
    { "statistics-held-online", "group_activities_held", "online" },
    { "statistics-remote-requests", "remote_requests", "" },
    { "statistics-remote-within-48h", "remote_answered_within_48h", "" },
    { "statistics-remote-late", "remote_requests", "late" },
    { "statistics-satisfaction-responses", "satisfaction_responses", "" },
    { "statistics-satisfaction-satisfied", "satisfaction", "satisfied" },
    { "statistics-satisfaction-excellent", "satisfaction", "excellent" },
    { "statistics-satisfaction-recommend", "satisfaction", "recommend" },
    { "statistics-satisfaction-found", "satisfaction", "found" },
    { "statistics-profile-gender-unknown", "profile_gender", "unknown" },
    { "statistics-profile-age_band-18_24", "profile_age_band", "18_24" },
  };
  const char * const channels[] = { "in_person", "email", "call_centre", "chat", "neet_outreach", NULL };
  const char * const programmes[] = { "neet", "skills_validation", "euroguidance", "formtruck", NULL };
  guint withheld = 0;

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      g_autofree char *expected = expected_text (report, figures[i].figure, figures[i].breakdown);

      g_assert_cmpstr (shown_text (page, figures[i].name), ==, expected);
      withheld += g_str_has_prefix (expected, "<") || g_str_equal (expected, "withheld");
    }
  for (guint i = 0; channels[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("statistics-channel-%s", channels[i]);
      g_autofree char *expected = expected_text (report, "individual_advice", channels[i]);

      g_assert_cmpstr (shown_text (page, name), ==, expected);
      withheld += g_str_has_prefix (expected, "<") || g_str_equal (expected, "withheld");
    }
  for (guint i = 0; programmes[i] != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("statistics-programme-%s", programmes[i]);
      g_autofree char *expected = expected_text (report, "programmes", programmes[i]);

      g_assert_cmpstr (shown_text (page, name), ==, expected);
      withheld += g_str_has_prefix (expected, "<") || g_str_equal (expected, "withheld");
    }

  /* The charts draw the report's monthly series, withheld months too. */
  for (CdmReportSeries s = 0; s < CDM_REPORT_N_SERIES; s++)
    {
      CdmChart *chart = cdm_statistics_page_get_chart (page, s);
      guint from = cdm_report_get_from_month (report);

      g_assert_cmpuint (cdm_chart_get_n_values (chart), ==, cdm_report_get_to_month (report) - from + 1);
      for (guint i = 0; i < cdm_chart_get_n_values (chart); i++)
        {
          gint64 value = cdm_report_get_series_value (report, s, from + i);

          g_assert_cmpint (cdm_chart_get_value (chart, i), ==,
                           value == CDM_REPORT_SUPPRESSED ? CDM_CHART_SUPPRESSED : value);
        }
    }
  return withheld;
}

/* Scrolls the page so that @name is at the top, or to the top. */
static void
scroll_to (CdmStatisticsPage *page,
           const char        *name)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-total"),
                                                 GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  graphene_point_t point = GRAPHENE_POINT_INIT (0, 0);

  if (name != NULL)
    {
      GtkWidget *target = cdm_desk_test_get_named (GTK_WIDGET (page), name);
      GtkWidget *viewport = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
      /* The viewport's child scrolls: its coordinates are the page's. */
      GtkWidget *content = gtk_viewport_get_child (GTK_VIEWPORT (viewport));

      cdm_desk_test_settle (0.2);
      g_assert_true (gtk_widget_compute_point (target, content, &GRAPHENE_POINT_INIT (0, 0), &point));
    }
  gtk_adjustment_set_value (adjustment, MAX (point.y - 48, 0));
  cdm_desk_test_settle (0.3);
}

static CdmStatisticsPage *
open_statistics (CdmWindow *window)
{
  CdmStatisticsPage *page;

  cdm_desk_test_wait_until (store_is_open, window, 30, "the desk to open its store");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("statistics"));
  page = CDM_STATISTICS_PAGE (cdm_desk_test_get_named (GTK_WIDGET (window), "statistics"));
  cdm_desk_test_wait_until (report_shown, page, 30, "the figures");
  return page;
}

/* The current year, light and dark, at both sizes. */
static void
take_screenshots (CdmWindow         *window,
                  CdmStatisticsPage *page,
                  const char        *prefix)
{
  const struct { int width, height; } sizes[] = { { 1366, 768 }, { 800, 600 } };

  for (guint dark = 0; dark <= 1; dark++)
    {
      adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                          dark ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
      for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
        {
          g_autofree char *top = g_strdup_printf ("%s%s-%dx%d", prefix, dark ? "-dark" : "",
                                                  sizes[s].width, sizes[s].height);
          g_autofree char *charts = g_strdup_printf ("%s-charts%s-%dx%d", prefix, dark ? "-dark" : "",
                                                     sizes[s].width, sizes[s].height);
          g_autofree char *groups = g_strdup_printf ("%s-groups%s-%dx%d", prefix, dark ? "-dark" : "",
                                                     sizes[s].width, sizes[s].height);

          cdm_desk_test_resize (GTK_WIDGET (window), sizes[s].width, sizes[s].height);
          scroll_to (page, NULL);
          cdm_desk_test_save_screenshot (GTK_WIDGET (window), top);
          scroll_to (page, "statistics-chart-individual_advice");
          cdm_desk_test_save_screenshot (GTK_WIDGET (window), charts);
          scroll_to (page, "statistics-advice-total");
          cdm_desk_test_save_screenshot (GTK_WIDGET (window), groups);
        }
    }
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  scroll_to (page, NULL);
}

static void
test_year_figures (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmStatisticsPage *page;
  g_autoptr(CdmReport) report = compute_report (demo_year, 1, 12, NULL);
  gint64 total = cdm_report_get_total_contacts (report);
  g_autofree char *total_text = g_strdup_printf ("%'" G_GINT64_FORMAT, total);
  ShownWait wait;

  /* The demo fills the year: a figure that says nothing would be 0. */
  g_assert_cmpint (total, >, 0);

  page = open_statistics (window);
  g_assert_cmpint (cdm_statistics_page_get_year (page), ==, demo_year);
  wait = (ShownWait) { page, demo_year, total_text };
  cdm_desk_test_wait_until (figures_shown, &wait, 30, "the year's total");
  /* The whole centre: nothing withheld. */
  g_assert_cmpuint (assert_page_shows (page, report), ==, 0);

  /* The current year is the last one with figures. */
  g_assert_false (gtk_widget_is_sensitive (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-next")));

  /* The demo's closures shade the charts: the whole centre closed in
   * November and December, individual advice from mid-March. */
  g_assert_true (cdm_chart_is_shaded (cdm_statistics_page_get_chart (page, CDM_REPORT_SERIES_TOTAL), 10));
  g_assert_false (cdm_chart_is_shaded (cdm_statistics_page_get_chart (page, CDM_REPORT_SERIES_TOTAL), 1));
  g_assert_true (cdm_chart_is_shaded (cdm_statistics_page_get_chart (page, CDM_REPORT_SERIES_INDIVIDUAL_ADVICE), 3));
  {
    g_autofree char *summary = cdm_chart_dup_summary (cdm_statistics_page_get_chart (page, CDM_REPORT_SERIES_TOTAL));

    /* The chart in words, for a screen reader. */
    g_assert_nonnull (strstr (summary, "January: "));
    g_assert_nonnull (strstr (summary, "Closed "));
  }

  take_screenshots (window, page, "statistics");

  /* Who came, and the closures of the year, at the end of the page. */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (cdm_desk_test_get_named (GTK_WIDGET (page),
                                                                            "statistics-profile-age_band")), TRUE);
  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  scroll_to (page, "statistics-closures-list");
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-profile-1366x768");
  cdm_desk_test_resize (GTK_WIDGET (window), 800, 600);
  scroll_to (page, "statistics-profile-gender");
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-profile-800x600");

  /* The table instead of the charts. */
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-show-table"));
  cdm_desk_test_settle (0.3);
  g_assert_true (gtk_widget_get_mapped (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-months")));
  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  scroll_to (page, "statistics-months");
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-table-1366x768");
  cdm_desk_test_resize (GTK_WIDGET (window), 800, 600);
  scroll_to (page, "statistics-months");
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-table-800x600");
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-show-table"));
  scroll_to (page, NULL);
}

static void
test_previous_year (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmStatisticsPage *page = open_statistics (window);
  g_autofree char *total_text = NULL;
  ShownWait wait;

  /* The demo store holds one year: the one before has nothing. */
  g_assert_cmpint (report_total (demo_year - 1), ==, 0);

  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-previous"));
  wait = (ShownWait) { page, demo_year - 1, "0" };
  cdm_desk_test_wait_until (figures_shown, &wait, 30, "the previous year's figures");
  g_assert_true (gtk_widget_is_sensitive (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-next")));

  /* Two years back and forth at once: the last one chosen wins. */
  gtk_widget_activate_action (GTK_WIDGET (page), "statistics.previous-year", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "statistics.next-year", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "statistics.next-year", NULL);
  total_text = g_strdup_printf ("%'" G_GINT64_FORMAT, report_total (demo_year));
  wait = (ShownWait) { page, demo_year, total_text };
  cdm_desk_test_wait_until (figures_shown, &wait, 30, "the current year's figures again");
  cdm_desk_test_settle (0.3);
  g_assert_true (figures_shown (&wait));
}

typedef struct {
  CdmStatisticsPage *page;
  guint from, to;
  const char *organisation;
} ChoiceWait;

/* The report shown is the one of the months and organisation chosen. */
static gboolean
choice_shown (gpointer data)
{
  ChoiceWait *wait = data;
  CdmReport *report = cdm_statistics_page_get_report (wait->page);

  return report != NULL &&
         cdm_report_get_from_month (report) == wait->from &&
         cdm_report_get_to_month (report) == wait->to &&
         g_strcmp0 (cdm_report_get_organisation (report), wait->organisation) == 0;
}

static gboolean
organisations_listed (gpointer data)
{
  return cdm_statistics_page_get_n_organisations (data) > 0;
}

static gboolean
collect_id (JsonObject *record,
            gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (json_object_get_string_member (record, "id")));
  return TRUE;
}

static void
test_months_and_organisation (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmStatisticsPage *page = open_statistics (window);
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *busiest = NULL, *withheld = NULL;
  gint64 busiest_total = -1;
  ChoiceWait wait;

  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);

  /* March to May of the whole centre. */
  cdm_statistics_page_set_months (page, 3, 5);
  wait = (ChoiceWait) { page, 3, 5, NULL };
  cdm_desk_test_wait_until (choice_shown, &wait, 30, "the figures of March to May");
  {
    g_autoptr(CdmReport) report = compute_report (demo_year, 3, 5, NULL);

    g_assert_cmpuint (assert_page_shows (page, report), ==, 0);
    g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (cdm_desk_test_get_named (GTK_WIDGET (page),
                                                                                          "statistics-from-month"))), ==, 2);
  }

  /* A period that would end before it starts moves its other end. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-from-month")), 6);
  wait = (ChoiceWait) { page, 7, 7, NULL };
  cdm_desk_test_wait_until (choice_shown, &wait, 30, "the figures of July");
  cdm_statistics_page_set_months (page, 1, 12);

  /* The organisation that logged the most contacts, and one whose
   * figures are withheld somewhere. */
  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  g_assert_true (cdm_store_foreach (store, CDM_ENTITY_ORGANISATION, FALSE, collect_id, ids, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CdmReport) report = compute_report (demo_year, 1, 12, g_ptr_array_index (ids, i));
      gint64 total = cdm_report_get_total_contacts (report);
      const CdmReportCell *chat = cdm_report_lookup (report, "individual_advice", "chat", 0);

      if (total > busiest_total)
        {
          busiest_total = total;
          busiest = g_ptr_array_index (ids, i);
        }
      if (withheld == NULL && total != CDM_REPORT_SUPPRESSED && chat != NULL && chat->suppressed)
        withheld = g_ptr_array_index (ids, i);
    }
  g_assert_nonnull (busiest);
  g_assert_cmpint (busiest_total, >, 100);

  cdm_desk_test_wait_until (organisations_listed, page, 30, "the list of organisations");
  g_assert_cmpint (cdm_statistics_page_get_n_organisations (page), ==, ids->len);
  g_assert_true (cdm_statistics_page_set_organisation (page, busiest));
  wait = (ChoiceWait) { page, 1, 12, busiest };
  cdm_desk_test_wait_until (choice_shown, &wait, 30, "the busiest organisation's figures");
  {
    g_autoptr(CdmReport) report = compute_report (demo_year, 1, 12, busiest);

    assert_page_shows (page, report);
    g_assert_cmpint (cdm_desk_test_label_count (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-total")),
                     ==, busiest_total);
    /* An organisation has no objective of its own. */
    g_assert_false (gtk_widget_get_mapped (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-objective")));
  }
  cdm_desk_test_settle (0.5);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-organisation-1366x768");
  cdm_desk_test_resize (GTK_WIDGET (window), 800, 600);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-organisation-800x600");
  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);

  if (withheld != NULL)
    {
      g_autoptr(CdmReport) report = compute_report (demo_year, 1, 12, withheld);

      g_assert_true (cdm_statistics_page_set_organisation (page, withheld));
      wait = (ChoiceWait) { page, 1, 12, withheld };
      cdm_desk_test_wait_until (choice_shown, &wait, 30, "a small organisation's figures");
      g_assert_cmpuint (assert_page_shows (page, report), >, 0);
      /* No withheld count leaks as a number: below the threshold it reads
       * "< 5", hidden to protect another cell it reads "withheld". */
      {
        const char *chat = shown_text (page, "statistics-channel-chat");
        g_assert_true (g_str_equal (chat, "< 5") || g_str_equal (chat, "withheld"));
      }
      scroll_to (page, "statistics-advice-total");
      cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-withheld-1366x768");
    }
  else
    {
      g_test_message ("No organisation of the demo has a withheld chat count");
    }

  /* Back to the whole centre. */
  cdm_statistics_page_set_organisation (page, NULL);
  wait = (ChoiceWait) { page, 1, 12, NULL };
  cdm_desk_test_wait_until (choice_shown, &wait, 30, "the whole centre's figures again");
  scroll_to (page, NULL);
}

static gboolean
closures_dialog_shown (gpointer data)
{
  return cdm_desk_test_find_toplevel (CDM_TYPE_CLOSURES_DIALOG) != NULL;
}

static gboolean
closures_read (gpointer data)
{
  return cdm_closures_dialog_get_n_closures (data) >= 0;
}

typedef struct {
  CdmClosuresDialog *dialog;
  int n;
} CountWait;

static gboolean
closures_counted (gpointer data)
{
  CountWait *wait = data;

  return cdm_closures_dialog_get_n_closures (wait->dialog) == wait->n;
}

static gboolean
february_shaded (gpointer data)
{
  CdmStatisticsPage *page = data;

  return cdm_statistics_page_get_report (page) != NULL &&
         cdm_chart_is_shaded (cdm_statistics_page_get_chart (page, CDM_REPORT_SERIES_TOTAL), 1);
}

static void
test_closure_shades (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmStatisticsPage *page = open_statistics (window);
  g_autofree char *from = g_strdup_printf ("%d-02-10", demo_year);
  g_autofree char *to = g_strdup_printf ("%d-02-12", demo_year);
  g_autofree char *period = cdm_closures_dialog_format_period (from, to);
  CdmClosuresDialog *dialog;
  CountWait count;

  g_assert_false (cdm_chart_is_shaded (cdm_statistics_page_get_chart (page, CDM_REPORT_SERIES_TOTAL), 1));
  g_assert_false (cdm_desk_test_shows_label (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-closures-list"),
                                             period));

  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-closures"));
  cdm_desk_test_wait_until (closures_dialog_shown, NULL, 10, "the closures editor");
  dialog = CDM_CLOSURES_DIALOG (cdm_desk_test_find_toplevel (CDM_TYPE_CLOSURES_DIALOG));
  cdm_desk_test_wait_until (closures_read, dialog, 30, "the closures");
  count = (CountWait) { dialog, cdm_closures_dialog_get_n_closures (dialog) + 1 };

  /* A button activated by keyboard clicks once its press is shown. */
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (dialog), "closures-add"));
  cdm_desk_test_settle (0.3);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (dialog), "closure-from")), from);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (dialog), "closure-to")), to);
  adw_combo_row_set_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (GTK_WIDGET (dialog), "closure-scope")), 0);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (GTK_WIDGET (dialog), "closure-reason")), "Inventory");
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (dialog), "closure-save"));
  cdm_desk_test_wait_until (closures_counted, &count, 30, "the closure to be listed");
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (dialog), period));

  /* The page follows at once: February shaded and the closure listed. */
  cdm_desk_test_wait_until (february_shaded, page, 30, "February to be shaded");
  g_assert_true (cdm_desk_test_shows_label (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-closures-list"),
                                            period));
  g_assert_false (cdm_chart_is_shaded (cdm_statistics_page_get_chart (page, CDM_REPORT_SERIES_TOTAL), 0));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
file_written (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static void
test_export (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmStatisticsPage *page = open_statistics (window);
  g_autofree char *csv_path = g_build_filename (store_dir, "figures.csv", NULL);
  g_autofree char *folder = g_build_filename (store_dir, "figures", NULL);
  g_autofree char *headline = g_build_filename (folder, "headline.csv", NULL);
  g_autofree char *closures = g_build_filename (folder, "closures.csv", NULL);
  g_autoptr(GFile) csv_file = g_file_new_for_path (csv_path);
  g_autoptr(GFile) folder_file = g_file_new_for_path (folder);
  g_autofree char *pdf_path = g_build_filename (store_dir, "figures.pdf", NULL);
  g_autoptr(GFile) pdf_file = g_file_new_for_path (pdf_path);
  g_autofree char *pdf = NULL;
  gsize pdf_length = 0;
  g_autoptr(CdmReport) report = compute_report (demo_year, 1, 12, NULL);
  g_autofree char *expected = cdm_report_to_csv (report);
  g_autofree char *written = NULL;
  g_autoptr(GError) error = NULL;

  cdm_statistics_page_export_to (page, "csv", csv_file);
  cdm_desk_test_wait_until (file_written, csv_path, 30, "the CSV file");
  cdm_desk_test_settle (0.2);
  g_assert_true (g_file_get_contents (csv_path, &written, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (written, ==, expected);
  /* The toast says where, and offers to open it. */
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "figures.csv"));

  /* The PDF, in the desk's language. */
  cdm_statistics_page_export_to (page, "pdf", pdf_file);
  cdm_desk_test_wait_until (file_written, pdf_path, 30, "the PDF file");
  cdm_desk_test_settle (0.2);
  g_assert_true (g_file_get_contents (pdf_path, &pdf, &pdf_length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pdf_length, >, 1000);
  g_assert_true (g_str_has_prefix (pdf, "%PDF-"));

  cdm_statistics_page_export_to (page, "csv-folder", folder_file);
  cdm_desk_test_wait_until (file_written, closures, 30, "the CSV folder");
  g_assert_true (g_file_test (headline, G_FILE_TEST_EXISTS));

  /* The store's folder is removed file by file at the end. */
  cdm_desk_test_remove_dir (folder);
  g_assert_cmpint (g_remove (csv_path), ==, 0);
  g_assert_cmpint (g_remove (pdf_path), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  cdm_desk_test_init (&argc, &argv);

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-statistics-XXXXXX", &store_path);

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
    g_autoptr(GDateTime) now = g_date_time_new_now (zone);

    demo_year = g_date_time_get_year (now);
  }
  cdm_demo_fill (store, demo_year, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk/statistics/year", test_year_figures);
  g_test_add_func ("/desk/statistics/previous-year", test_previous_year);
  g_test_add_func ("/desk/statistics/months-and-organisation", test_months_and_organisation);
  g_test_add_func ("/desk/statistics/closure-shades", test_closure_shades);
  g_test_add_func ("/desk/statistics/export", test_export);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);

  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
