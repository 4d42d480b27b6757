/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-statistics.c: the Statistics section in a real window.
 *
 * Runs under Xvfb (see tests/meson.build) on a demo year in a fresh
 * temporary folder.  The page must show the figures libcdm computes for
 * the year chosen, and follow the year selector.  Screenshots at
 * 1366×768 and 800×600 go to screenshots/ in the build directory.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "cdm-application.h"
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

  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (page, "statistics-year"))), year) == 0 &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (page, "statistics-total"))),
                    wait->total_text) == 0;
}

static gint64
report_total (int year)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(CdmReport) report = NULL;
  g_autoptr(GError) error = NULL;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  report = cdm_report_compute (store, year, NULL, &error);
  g_assert_no_error (error);
  return cdm_report_get_total_contacts (report);
}

/* Scrolls the page to its top, or to its end where the month table is. */
static void
scroll_page (CdmStatisticsPage *page,
             gboolean           to_end)
{
  GtkWidget *months = cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-months");
  GtkWidget *scrolled = gtk_widget_get_ancestor (months, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

  gtk_adjustment_set_value (adjustment, to_end ? gtk_adjustment_get_upper (adjustment) : 0);
  cdm_desk_test_settle (0.3);
}

static CdmStatisticsPage *
open_statistics (CdmWindow *window)
{
  cdm_desk_test_wait_until (store_is_open, window, 30, "the desk to open its store");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("statistics"));
  return CDM_STATISTICS_PAGE (cdm_desk_test_get_named (GTK_WIDGET (window), "statistics"));
}

static void
test_year_figures (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmStatisticsPage *page;
  gint64 total = report_total (demo_year);
  g_autofree char *total_text = g_strdup_printf ("%'" G_GINT64_FORMAT, total);
  ShownWait wait;

  /* The demo fills the year: a figure that says nothing would be 0. */
  g_assert_cmpint (total, >, 0);

  page = open_statistics (window);
  g_assert_cmpint (cdm_statistics_page_get_year (page), ==, demo_year);
  wait = (ShownWait) { page, demo_year, total_text };
  cdm_desk_test_wait_until (figures_shown, &wait, 30, "the year's total");
  g_assert_cmpint (cdm_desk_test_label_count (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-total")), ==, total);

  /* The current year is the last one with figures. */
  g_assert_false (gtk_widget_is_sensitive (cdm_desk_test_get_named (GTK_WIDGET (page), "statistics-next")));

  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-1366x768");
  scroll_page (page, TRUE);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-months-1366x768");
  cdm_desk_test_resize (GTK_WIDGET (window), 800, 600);
  scroll_page (page, FALSE);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-800x600");
  scroll_page (page, TRUE);
  cdm_desk_test_save_screenshot (GTK_WIDGET (window), "statistics-months-800x600");
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

  status = g_test_run ();

  cdm_desk_test_close_application (&app);

  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
