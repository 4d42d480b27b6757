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
#include <glib/gstdio.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-demo.h"
#include "cdm-report.h"
#include "cdm-statistics-page.h"
#include "cdm-store.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;
static int demo_year;

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

/* The figure of a label such as "27422", "27,422" or "27 422". */
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

static CdmWindow *
get_window (void)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (CDM_IS_WINDOW (window));
  return CDM_WINDOW (window);
}

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

  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (get_named (page, "statistics-year"))), year) == 0 &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (get_named (page, "statistics-total"))),
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

/* See test-desk.c: a shown window takes a new size when mapped again. */
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

/* Scrolls the page to its top, or to its end where the month table is. */
static void
scroll_page (CdmStatisticsPage *page,
             gboolean           to_end)
{
  GtkWidget *months = get_named (GTK_WIDGET (page), "statistics-months");
  GtkWidget *scrolled = gtk_widget_get_ancestor (months, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

  gtk_adjustment_set_value (adjustment, to_end ? gtk_adjustment_get_upper (adjustment) : 0);
  settle (0.3);
}

static CdmStatisticsPage *
open_statistics (CdmWindow *window)
{
  wait_until (store_is_open, window, 30, "the desk to open its store");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("statistics"));
  return CDM_STATISTICS_PAGE (get_named (GTK_WIDGET (window), "statistics"));
}

static void
test_year_figures (void)
{
  CdmWindow *window = get_window ();
  CdmStatisticsPage *page;
  gint64 total = report_total (demo_year);
  g_autofree char *total_text = g_strdup_printf ("%'" G_GINT64_FORMAT, total);
  ShownWait wait;

  /* The demo fills the year: a figure that says nothing would be 0. */
  g_assert_cmpint (total, >, 0);

  page = open_statistics (window);
  g_assert_cmpint (cdm_statistics_page_get_year (page), ==, demo_year);
  wait = (ShownWait) { page, demo_year, total_text };
  wait_until (figures_shown, &wait, 30, "the year's total");
  g_assert_cmpint (label_count (get_named (GTK_WIDGET (page), "statistics-total")), ==, total);

  /* The current year is the last one with figures. */
  g_assert_false (gtk_widget_is_sensitive (get_named (GTK_WIDGET (page), "statistics-next")));

  resize (GTK_WIDGET (window), 1366, 768);
  save_screenshot (GTK_WIDGET (window), "statistics-1366x768");
  scroll_page (page, TRUE);
  save_screenshot (GTK_WIDGET (window), "statistics-months-1366x768");
  resize (GTK_WIDGET (window), 800, 600);
  scroll_page (page, FALSE);
  save_screenshot (GTK_WIDGET (window), "statistics-800x600");
  scroll_page (page, TRUE);
  save_screenshot (GTK_WIDGET (window), "statistics-months-800x600");
}

static void
test_previous_year (void)
{
  CdmWindow *window = get_window ();
  CdmStatisticsPage *page = open_statistics (window);
  g_autofree char *total_text = NULL;
  ShownWait wait;

  /* The demo store holds one year: the one before has nothing. */
  g_assert_cmpint (report_total (demo_year - 1), ==, 0);

  gtk_widget_activate (get_named (GTK_WIDGET (page), "statistics-previous"));
  wait = (ShownWait) { page, demo_year - 1, "0" };
  wait_until (figures_shown, &wait, 30, "the previous year's figures");
  g_assert_true (gtk_widget_is_sensitive (get_named (GTK_WIDGET (page), "statistics-next")));

  /* Two years back and forth at once: the last one chosen wins. */
  gtk_widget_activate_action (GTK_WIDGET (page), "statistics.previous-year", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "statistics.next-year", NULL);
  gtk_widget_activate_action (GTK_WIDGET (page), "statistics.next-year", NULL);
  total_text = g_strdup_printf ("%'" G_GINT64_FORMAT, report_total (demo_year));
  wait = (ShownWait) { page, demo_year, total_text };
  wait_until (figures_shown, &wait, 30, "the current year's figures again");
  settle (0.3);
  g_assert_true (figures_shown (&wait));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  store_dir = g_dir_make_tmp ("cdm-desk-statistics-XXXXXX", &error);
  g_assert_no_error (error);
  store_path = g_build_filename (store_dir, "desk.sqlite", NULL);
  g_setenv ("CDM_DESK_STORE", store_path, TRUE);

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

  app = g_object_new (CDM_TYPE_APPLICATION,
                      "application-id", "brussels.cdm_bp.Desk.Test",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/brussels/cdm_bp/Desk",
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/desk/statistics/year", test_year_figures);
  g_test_add_func ("/desk/statistics/previous-year", test_previous_year);

  status = g_test_run ();

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
