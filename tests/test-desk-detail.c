/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-detail.c: the detail of a partner and of a library resource,
 * reached from the search lists, in the real window under Xvfb.
 *
 * One application per process on a demo year in a temporary folder, as
 * in test-desk.c.  Screenshots go to screenshots/ in the build directory.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-contact-dialog.h"
#include "cdm-demo.h"
#include "cdm-detail-window.h"
#include "cdm-store.h"
#include "cdm-tally.h"
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

/* A visible label under @root whose text contains @text. */
static gboolean
shows_label (GtkWidget  *root,
             const char *text)
{
  if (!gtk_widget_get_child_visible (root) || !gtk_widget_get_visible (root))
    return FALSE;
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (shows_label (child, text))
        return TRUE;
    }
  return FALSE;
}

/* The figure of a label such as "27422" or "27,422". */
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
total_is_shown (gpointer data)
{
  return label_count (get_named (data, "today-total")) >= 0;
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
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

/* Gives the window's content exactly @width × @height.  A shown window
 * keeps its size: the new one is applied when it is mapped again; and
 * the frame that GTK draws without a window manager takes a few pixels,
 * which a second pass adds back. */
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

static gint64
count_contacts (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  count = cdm_store_count (store, CDM_ENTITY_CONTACT, &error);
  g_assert_no_error (error);
  return count;
}

static gboolean
keep_last (JsonObject *record,
           gpointer    user_data)
{
  JsonObject **last = user_data;

  g_clear_pointer (last, json_object_unref);
  *last = json_object_ref (record);
  return TRUE;
}

/* The contact written last. */
static JsonObject *
last_contact (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *last = NULL;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  cdm_store_foreach (store, CDM_ENTITY_CONTACT, FALSE, keep_last, &last, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (last);
  return last;
}

static CdmContactDialog *
find_contact_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CDM_IS_CONTACT_DIALOG (window))
        return CDM_CONTACT_DIALOG (window);
    }
  return NULL;
}

typedef struct {
  GtkWidget *root;
  const char *text;
} LabelWait;

static gboolean
label_is_shown (gpointer data)
{
  LabelWait *wait = data;

  return shows_label (wait->root, wait->text);
}

static CdmDetailWindow *
find_detail_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CDM_IS_DETAIL_WINDOW (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return CDM_DETAIL_WINDOW (window);
    }
  return NULL;
}

/* Types @query in the section's search field, waits for @expected in
 * the results and chooses the first hit, as Enter on it does. */
static CdmDetailWindow *
open_first_hit (CdmWindow  *window,
                const char *section,
                const char *query,
                const char *expected)
{
  GtkWidget *page, *results;
  LabelWait wait;
  CdmDetailWindow *detail;

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string (section));
  page = get_named (GTK_WIDGET (window), section);
  gtk_editable_set_text (GTK_EDITABLE (get_named (page, "search-entry")), query);
  results = get_named (page, "results");
  wait = (LabelWait) { results, expected };
  wait_until (label_is_shown, &wait, 10, expected);
  settle (0.2);

  g_assert_null (find_detail_window ());
  gtk_widget_activate_action (results, "list.activate-item", "u", 0);
  detail = find_detail_window ();
  g_assert_nonnull (detail);
  return detail;
}

static void
shoot (GtkWidget  *window,
       const char *name)
{
  g_autofree char *large = g_strconcat (name, "-1366x768", NULL);
  g_autofree char *small = g_strconcat (name, "-800x600", NULL);

  resize (window, 1366, 768);
  save_screenshot (window, large);
  resize (window, 800, 600);
  save_screenshot (window, small);
}

static void
test_partner_detail (void)
{
  CdmWindow *window = get_window ();
  CdmDetailWindow *detail;
  GtkWidget *phone;
  LabelWait wait;

  wait_until (total_is_shown, window, 30, "the Today figures");
  detail = open_first_hit (window, "partners", "Actiris", "Actiris");
  g_object_add_weak_pointer (G_OBJECT (detail), (gpointer *) &detail);

  wait = (LabelWait) { GTK_WIDGET (detail), "Actiris" };
  wait_until (label_is_shown, &wait, 10, "the partner's name");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (get_named (GTK_WIDGET (detail), "detail-heading"))),
                   ==, "Actiris");
  /* The phone, with its button to call. */
  phone = get_named (GTK_WIDGET (detail), "phone");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (phone)), ==, "+32 2 505 14 11");
  g_assert_true (shows_label (GTK_WIDGET (detail), "+32 2 505 14 11"));
  g_assert_nonnull (find_named (GTK_WIDGET (detail), "desk-days"));
  /* The days are the locale's weekday names, not codes. */
  g_assert_true (shows_label (get_named (GTK_WIDGET (detail), "desk-days"), "Monday"));
  /* Contact people fold out with their roles. */
  g_assert_true (shows_label (GTK_WIDGET (detail), "Conseill"));
  g_assert_true (shows_label (GTK_WIDGET (detail), "Public employment service"));

  settle (0.5);
  save_screenshot (GTK_WIDGET (detail), "partner-detail");
  {
    /* The end of the page: the people and the notes. */
    GtkWidget *scrolled = gtk_widget_get_ancestor (get_named (GTK_WIDGET (detail), "detail"),
                                                   GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    settle (0.3);
    save_screenshot (GTK_WIDGET (detail), "partner-detail-end");
  }

  /* Escape closes it. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "window.close", NULL);
  wait_until (pointer_cleared, &detail, 10, "the detail to close");
}

static void
test_hand_over (void)
{
  CdmWindow *window = get_window ();
  CdmDetailWindow *detail;
  CdmContactDialog *dialog;
  GtkWidget *hand_over, *heading;
  g_autoptr(JsonObject) contact = NULL;
  g_autofree char *title = NULL;
  JsonArray *resources;
  gint64 contacts_before;
  LabelWait wait;

  wait_until (total_is_shown, window, 30, "the Today figures");
  contacts_before = count_contacts ();
  detail = open_first_hit (window, "library", "metier", "étier");
  g_object_add_weak_pointer (G_OBJECT (detail), (gpointer *) &detail);

  hand_over = get_named (GTK_WIDGET (detail), "hand-over");
  g_assert_true (gtk_widget_get_visible (hand_over));
  wait = (LabelWait) { GTK_WIDGET (detail), "étier" };
  wait_until (label_is_shown, &wait, 10, "the resource's title");
  heading = get_named (GTK_WIDGET (detail), "detail-heading");
  title = g_strdup (gtk_label_get_text (GTK_LABEL (heading)));
  g_assert_true (shows_label (GTK_WIDGET (detail), "Shelf") ||
                 shows_label (GTK_WIDGET (detail), "Address"));
  settle (0.5);
  save_screenshot (GTK_WIDGET (detail), "resource-detail");

  /* Hand Over: the log-a-contact form opens with the resource in it. */
  g_assert_true (gtk_widget_get_sensitive (hand_over));
  gtk_widget_activate (hand_over);
  wait_until (pointer_cleared, &detail, 10, "the detail to close");
  dialog = find_contact_dialog ();
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (shows_label (get_named (GTK_WIDGET (dialog), "resources"), title));
  settle (0.3);
  save_screenshot (GTK_WIDGET (dialog), "log-contact-with-resource");

  gtk_widget_activate (get_named (GTK_WIDGET (dialog), "themes-learn"));
  gtk_widget_activate (get_named (GTK_WIDGET (dialog), "save"));
  wait_until (pointer_cleared, &dialog, 10, "the dialog to close");

  g_assert_cmpint (count_contacts (), ==, contacts_before + 1);
  contact = last_contact ();
  resources = json_object_get_array_member (contact, "resources");
  g_assert_nonnull (resources);
  g_assert_cmpuint (json_array_get_length (resources), ==, 1);
  {
    g_autoptr(CdmStore) store = cdm_store_open (store_path, NULL);
    g_autoptr(JsonObject) resource = NULL;
    g_autoptr(GError) error = NULL;

    resource = cdm_store_get (store, CDM_ENTITY_RESOURCE,
                              json_array_get_string_element (resources, 0), FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (resource, "title"), ==, title);
  }
}

/* Today's printing tally, as the store has it. */
static gint64
printing_today (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *day = NULL;
  CdmTallyCounts counts;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  zone = cdm_store_get_time_zone (store);
  now = g_date_time_new_now (zone);
  day = g_date_time_format (now, "%Y-%m-%d");
  cdm_tally_count_day (store, day, &counts, &error);
  g_assert_no_error (error);
  return counts.kinds[cdm_code_index (cdm_tally_kinds, "printing")];
}

typedef struct {
  GtkWidget *label;
  gint64 value;
} TallyWait;

/* The page and the store both say @value. */
static gboolean
tally_is (gpointer data)
{
  TallyWait *wait = data;

  return label_count (wait->label) == wait->value && printing_today () == wait->value;
}

/* The Undo button of the newest toast under @root. */
static GtkWidget *
find_undo (GtkWidget *root)
{
  GtkWidget *found = NULL;

  if (GTK_IS_BUTTON (root) && gtk_widget_get_visible (root) &&
      g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), "_Undo") == 0)
    found = root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *inner = find_undo (child);

      if (inner != NULL)
        found = inner;
    }
  return found;
}

static void
test_multimedia (void)
{
  CdmWindow *window = get_window ();
  GtkWidget *page, *count, *undo;
  TallyWait wait;
  gint64 before;

  wait_until (total_is_shown, window, 30, "the Today figures");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("multimedia"));
  page = get_named (GTK_WIDGET (window), "multimedia");
  count = get_named (page, "tally-count-printing");
  before = printing_today ();
  wait = (TallyWait) { count, before };
  wait_until (tally_is, &wait, 10, "today's printing tally");

  /* Two clicks on "Printing": two visits. */
  g_assert_true (shows_label (get_named (page, "tally-printing"), "Printing"));
  gtk_widget_activate (get_named (page, "tally-printing"));
  wait = (TallyWait) { count, before + 1 };
  wait_until (tally_is, &wait, 10, "the printing tally to go up by one");
  gtk_widget_activate (get_named (page, "tally-printing"));
  wait = (TallyWait) { count, before + 2 };
  wait_until (tally_is, &wait, 10, "the printing tally to go up by two");
  g_assert_cmpint (label_count (get_named (page, "multimedia-total")), >=, before + 2);

  shoot (GTK_WIDGET (window), "multimedia");

  /* Undo takes back the last click only. */
  settle (0.5);
  undo = find_undo (page);
  g_assert_nonnull (undo);
  gtk_widget_activate (undo);
  wait = (TallyWait) { count, before + 1 };
  wait_until (tally_is, &wait, 10, "the printing tally to go down by one");
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

  store_dir = g_dir_make_tmp ("cdm-desk-XXXXXX", &error);
  g_assert_no_error (error);
  store_path = g_build_filename (store_dir, "desk.sqlite", NULL);
  g_setenv ("CDM_DESK_STORE", store_path, TRUE);

  /* The demo year the app would make on its first start, made here so
   * that the tests know it is there. */
  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  now = g_date_time_new_now_local ();
  cdm_demo_fill (store, g_date_time_get_year (now), NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  app = g_object_new (CDM_TYPE_APPLICATION,
                      "application-id", "brussels.cdm_bp.Desk.TestDetail",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/brussels/cdm_bp/Desk",
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/desk/detail/partner", test_partner_detail);
  g_test_add_func ("/desk/detail/hand-over", test_hand_over);
  g_test_add_func ("/desk/multimedia", test_multimedia);

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
