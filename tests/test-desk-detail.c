/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-detail.c: the detail of a partner and of a library resource,
 * reached from the search lists, in the real window under Xvfb.
 *
 * One application per process on a demo year in a temporary folder, as
 * in test-desk.c.  Screenshots go to screenshots/ in the build directory.
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-contact-dialog.h"
#include "cdm-desk-test-util.h"
#include "cdm-detail-window.h"
#include "cdm-hit.h"
#include "cdm-store.h"
#include "cdm-tally.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

static gboolean
total_is_shown (gpointer data)
{
  return cdm_desk_test_label_count (cdm_desk_test_get_named (data, "today-total")) >= 0;
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

  return cdm_desk_test_shows_label (wait->root, wait->text);
}

static CdmDetailWindow *
find_detail_window (void)
{
  return (CdmDetailWindow *) cdm_desk_test_find_toplevel (CDM_TYPE_DETAIL_WINDOW);
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
  page = cdm_desk_test_get_named (GTK_WIDGET (window), section);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (page, "search-entry")), query);
  results = cdm_desk_test_get_named (page, "results");
  wait = (LabelWait) { results, expected };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, expected);
  cdm_desk_test_settle (0.2);

  g_assert_null (find_detail_window ());
  gtk_widget_activate_action (results, "list.activate-item", "u", 0);
  detail = find_detail_window ();
  g_assert_nonnull (detail);
  return detail;
}

static void
test_partner_detail (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmDetailWindow *detail;
  GtkWidget *phone;
  LabelWait wait;

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  detail = open_first_hit (window, "partners", "Actiris", "Actiris");
  g_object_add_weak_pointer (G_OBJECT (detail), (gpointer *) &detail);

  wait = (LabelWait) { GTK_WIDGET (detail), "Actiris" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the partner's name");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (cdm_desk_test_get_named (GTK_WIDGET (detail), "detail-heading"))),
                   ==, "Actiris");
  /* The phone, with its button to call. */
  phone = cdm_desk_test_get_named (GTK_WIDGET (detail), "phone");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (phone)), ==, "+32 2 505 14 11");
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (detail), "+32 2 505 14 11"));
  g_assert_nonnull (cdm_desk_test_find_named (GTK_WIDGET (detail), "desk-days"));
  /* The days are the locale's weekday names, not codes. */
  g_assert_true (cdm_desk_test_shows_label (cdm_desk_test_get_named (GTK_WIDGET (detail), "desk-days"), "Monday"));
  /* Contact people fold out with their roles. */
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (detail), "Conseill"));
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (detail), "Public employment service"));

  cdm_desk_test_settle (0.5);
  cdm_desk_test_save_screenshot (GTK_WIDGET (detail), "partner-detail");
  {
    /* The end of the page: the people and the notes. */
    GtkWidget *scrolled = gtk_widget_get_ancestor (cdm_desk_test_get_named (GTK_WIDGET (detail), "detail"),
                                                   GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    cdm_desk_test_settle (0.3);
    cdm_desk_test_save_screenshot (GTK_WIDGET (detail), "partner-detail-end");
  }

  /* Escape closes it. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "window.close", NULL);
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &detail, 10, "the detail to close");
}

static void
test_hand_over (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  CdmDetailWindow *detail;
  CdmContactDialog *dialog;
  GtkWidget *hand_over, *heading;
  g_autoptr(JsonObject) contact = NULL;
  g_autofree char *title = NULL;
  JsonArray *resources;
  gint64 contacts_before;
  LabelWait wait;

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  contacts_before = cdm_desk_test_count_contacts (store_path);
  detail = open_first_hit (window, "library", "metier", "étier");
  g_object_add_weak_pointer (G_OBJECT (detail), (gpointer *) &detail);

  hand_over = cdm_desk_test_get_named (GTK_WIDGET (detail), "hand-over");
  g_assert_true (gtk_widget_get_visible (hand_over));
  wait = (LabelWait) { GTK_WIDGET (detail), "étier" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the resource's title");
  heading = cdm_desk_test_get_named (GTK_WIDGET (detail), "detail-heading");
  title = g_strdup (gtk_label_get_text (GTK_LABEL (heading)));
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (detail), "Shelf") ||
                 cdm_desk_test_shows_label (GTK_WIDGET (detail), "Address"));
  cdm_desk_test_settle (0.5);
  cdm_desk_test_save_screenshot (GTK_WIDGET (detail), "resource-detail");

  /* Hand Over: the log-a-contact form opens with the resource in it. */
  g_assert_true (gtk_widget_get_sensitive (hand_over));
  gtk_widget_activate (hand_over);
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &detail, 10, "the detail to close");
  dialog = find_contact_dialog ();
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (cdm_desk_test_shows_label (cdm_desk_test_get_named (GTK_WIDGET (dialog), "resources"), title));
  cdm_desk_test_settle (0.3);
  cdm_desk_test_save_screenshot (GTK_WIDGET (dialog), "log-contact-with-resource");

  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (dialog), "themes-learn"));
  gtk_widget_activate (cdm_desk_test_get_named (GTK_WIDGET (dialog), "save"));
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &dialog, 10, "the dialog to close");

  g_assert_cmpint (cdm_desk_test_count_contacts (store_path), ==, contacts_before + 1);
  contact = cdm_desk_test_last_contact (store_path);
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

typedef struct {
  GtkWidget *results;
  const char *member;
  const char *value;
  gboolean none_is_fine;
} FilterWait;

/* The list shows hits, and the store says that every one has @value in
 * @member. */
static gboolean
every_hit_is (gpointer data)
{
  FilterWait *wait = data;
  GListModel *model = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (wait->results)));
  g_autoptr(CdmStore) store = NULL;
  guint n = g_list_model_get_n_items (model);

  if (wait->none_is_fine)
    {
      GtkWidget *stack = gtk_widget_get_ancestor (wait->results, GTK_TYPE_STACK);

      if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (stack)), "none") == 0)
        return TRUE;
    }

  if (n == 0 || !gtk_widget_get_mapped (wait->results))
    return FALSE;

  store = cdm_store_open (store_path, NULL);
  g_assert_nonnull (store);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CdmHit) hit = g_list_model_get_item (model, i);
      g_autoptr(JsonObject) resource = NULL;
      g_autoptr(GError) error = NULL;

      resource = cdm_store_get (store, CDM_ENTITY_RESOURCE, cdm_hit_get_id (hit), FALSE, &error);
      g_assert_no_error (error);
      if (g_strcmp0 (json_object_get_string_member_with_default (resource, wait->member, ""),
                     wait->value) != 0)
        return FALSE;
    }
  return TRUE;
}

static void
test_library_filters (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);
  GtkWidget *page, *entry, *results;
  GtkDropDown *kind, *language;
  FilterWait wait;

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("library"));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), "library");
  entry = cdm_desk_test_get_named (page, "search-entry");
  results = cdm_desk_test_get_named (page, "results");
  kind = GTK_DROP_DOWN (cdm_desk_test_get_named (page, "filter-kind"));
  language = GTK_DROP_DOWN (cdm_desk_test_get_named (page, "filter-language"));
  g_assert_true (gtk_widget_get_visible (cdm_desk_test_get_named (page, "filters")));
  g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (kind), "All kinds"));

  /* The partners have no filters. */
  g_assert_false (gtk_widget_get_visible (cdm_desk_test_get_named (cdm_desk_test_get_named (GTK_WIDGET (window), "partners"),
                                                                   "filters")));

  /* Nothing typed, job sheets chosen: the job sheets, to browse. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_drop_down_set_selected (kind, 1 + cdm_code_index (cdm_resource_kinds, "job_sheet"));
  wait = (FilterWait) { results, "kind", "job_sheet", FALSE };
  cdm_desk_test_wait_until (every_hit_is, &wait, 10, "only job sheets");
  cdm_desk_test_settle (0.3);
  cdm_desk_test_screenshots (GTK_WIDGET (window), "library-filters");

  /* "metier" in Dutch: only Dutch resources, or none (the demo's Dutch
   * titles say "beroep"), where without the filter there are French ones. */
  gtk_drop_down_set_selected (kind, 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), "metier");
  {
    LabelWait french = { results, "étier" };

    cdm_desk_test_wait_until (label_is_shown, &french, 10, "the hits of “metier”");
  }
  gtk_drop_down_set_selected (language, 2);
  wait = (FilterWait) { results, "language", "nl", TRUE };
  cdm_desk_test_wait_until (every_hit_is, &wait, 10, "only Dutch resources");
  cdm_desk_test_settle (0.3);
  cdm_desk_test_screenshots (GTK_WIDGET (window), "library-filters-nl");

  gtk_drop_down_set_selected (language, 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
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

  return cdm_desk_test_label_count (wait->label) == wait->value && printing_today () == wait->value;
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
  CdmWindow *window = cdm_desk_test_get_window (app);
  GtkWidget *page, *count, *undo;
  TallyWait wait;
  gint64 before;

  cdm_desk_test_wait_until (total_is_shown, window, 30, "the Today figures");
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section",
                                  g_variant_new_string ("multimedia"));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), "multimedia");
  count = cdm_desk_test_get_named (page, "tally-count-printing");
  before = printing_today ();
  wait = (TallyWait) { count, before };
  cdm_desk_test_wait_until (tally_is, &wait, 10, "today's printing tally");

  /* Two clicks on "Printing": two visits. */
  g_assert_true (cdm_desk_test_shows_label (cdm_desk_test_get_named (page, "tally-printing"), "Printing"));
  gtk_widget_activate (cdm_desk_test_get_named (page, "tally-printing"));
  wait = (TallyWait) { count, before + 1 };
  cdm_desk_test_wait_until (tally_is, &wait, 10, "the printing tally to go up by one");
  gtk_widget_activate (cdm_desk_test_get_named (page, "tally-printing"));
  wait = (TallyWait) { count, before + 2 };
  cdm_desk_test_wait_until (tally_is, &wait, 10, "the printing tally to go up by two");
  g_assert_cmpint (cdm_desk_test_label_count (cdm_desk_test_get_named (page, "multimedia-total")), >=, before + 2);

  cdm_desk_test_screenshots (GTK_WIDGET (window), "multimedia");

  /* Undo takes back the last click only. */
  cdm_desk_test_settle (0.5);
  undo = find_undo (page);
  g_assert_nonnull (undo);
  gtk_widget_activate (undo);
  wait = (TallyWait) { count, before + 1 };
  cdm_desk_test_wait_until (tally_is, &wait, 10, "the printing tally to go down by one");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  cdm_desk_test_init (&argc, &argv);

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-XXXXXX", &store_path);

  /* The demo year the app would make on its first start, made here so
   * that the tests know it is there. */
  cdm_desk_test_fill_demo (store_path);

  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.TestDetail");

  g_test_add_func ("/desk/detail/partner", test_partner_detail);
  g_test_add_func ("/desk/detail/hand-over", test_hand_over);
  g_test_add_func ("/desk/multimedia", test_multimedia);
  g_test_add_func ("/desk/library-filters", test_library_filters);

  status = g_test_run ();

  /* Close the windows so their workers finish before the files go. */
  cdm_desk_test_close_application (&app);

  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
