/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-handout.c: the printed list of resources a visitor takes home.
 *
 * The handout is exported to PDF (the same drawing as on paper) and read
 * back with pdftotext; a picture of the page goes to screenshots/ in the
 * build directory (pdftoppm).  Runs under Xvfb: printing needs GTK.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cdm-contact-dialog.h"
#include "cdm-demo.h"
#include "cdm-desk-test-util.h"
#include "cdm-handout.h"
#include "cdm-store.h"

typedef struct {
  char *dir;
  CdmStore *store;
} Fixture;

static char *shared_dir;
static char *shared_store;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("cdm-handout-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = cdm_store_open (shared_store, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  cdm_desk_test_remove_dir (fixture->dir);
  g_free (fixture->dir);
}

typedef struct {
  GPtrArray *ids;
  GPtrArray *titles;
} Picked;

/* The first resources of the library, with a location, a URL or both. */
static gboolean
pick_resource (JsonObject *record,
               gpointer    user_data)
{
  Picked *picked = user_data;

  g_ptr_array_add (picked->ids, g_strdup (json_object_get_string_member (record, "id")));
  g_ptr_array_add (picked->titles, g_strdup (json_object_get_string_member (record, "title")));
  return picked->ids->len < 4;
}

static void
on_printed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
print (CdmStore           *store,
       const char * const *ids,
       const char         *pdf,
       GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  cdm_handout_print_async (store, ids, NULL, pdf, NULL, on_printed, &result);
  while (result == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for the handout");
      g_main_context_iteration (NULL, TRUE);
    }
  return cdm_handout_print_finish (result, error);
}

/* The text of @pdf with every run of white space made one space. */
static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_regex_replace_literal (spaces, out, -1, 0, " ", 0, NULL);
}

static void
test_handout_lists_resources (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (fixture->dir, "handout.pdf", NULL);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  Picked picked = { ids, titles };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdftoppm = g_find_program_in_path ("pdftoppm");

  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext is not installed (poppler-utils)");
      return;
    }

  cdm_store_foreach (fixture->store, CDM_ENTITY_RESOURCE, FALSE, pick_resource, &picked, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 4);
  g_ptr_array_add (ids, NULL);

  g_assert_true (print (fixture->store, (const char * const *) ids->pdata, pdf, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));

  text = pdf_text (pdf);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Resources for you"));
  g_assert_nonnull (strstr (text, "Cité des métiers de Bruxelles"));
  for (guint i = 0; i < titles->len; i++)
    {
      g_autoptr(GRegex) spaces = g_regex_new ("\\s+", 0, 0, NULL);
      g_autofree char *title = g_regex_replace_literal (spaces, g_ptr_array_index (titles, i),
                                                        -1, 0, " ", 0, NULL);

      if (strstr (text, title) == NULL)
        g_error ("“%s” is not on the handout", title);
    }

  /* A picture of the page, to look at. */
  if (pdftoppm != NULL)
    {
      g_autofree char *dir = g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
      g_autofree char *prefix = g_build_filename (dir, "handout", NULL);
      const char *argv[] = { "pdftoppm", "-png", "-r", "60", "-singlefile", pdf, prefix, NULL };
      int status;

      g_mkdir_with_parents (dir, 0755);
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                    NULL, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
}

static void
test_handout_of_nothing (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (fixture->dir, "handout.pdf", NULL);
  const char *ids[] = { "00000000-0000-4000-8000-000000000000", NULL };
  g_autoptr(GError) error = NULL;

  /* A resource withdrawn from the library since: nothing to print, and
   * the user is told so. */
  g_assert_false (print (fixture->store, ids, pdf, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
}

/* The log-a-contact form offers the handout once something is handed
 * over, and not before. */
static void
test_dialog_offers_handout (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  Picked picked = { ids, titles };
  g_autoptr(GError) error = NULL;
  CdmContactDialog *dialog;
  GtkWidget *button;

  cdm_store_foreach (fixture->store, CDM_ENTITY_RESOURCE, FALSE, pick_resource, &picked, NULL, &error);
  g_assert_no_error (error);

  dialog = cdm_contact_dialog_new (NULL, fixture->store);
  g_assert_null (cdm_desk_test_find_named (GTK_WIDGET (dialog), "print-handout"));

  cdm_contact_dialog_add_resource (dialog, g_ptr_array_index (ids, 0), g_ptr_array_index (titles, 0));
  button = cdm_desk_test_find_named (GTK_WIDGET (dialog), "print-handout");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (gtk_widget_get_ancestor (button, ADW_TYPE_PREFERENCES_GROUP)));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Print for the Visitor");

  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  int status;

  gtk_test_init (&argc, &argv, NULL);

  shared_dir = g_dir_make_tmp ("cdm-handout-store-XXXXXX", &error);
  g_assert_no_error (error);
  shared_store = g_build_filename (shared_dir, "desk.sqlite", NULL);
  store = cdm_store_open (shared_store, &error);
  g_assert_no_error (error);
  now = g_date_time_new_now_local ();
  cdm_demo_fill (store, g_date_time_get_year (now), NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_test_add ("/desk/handout/lists-resources", Fixture, NULL,
              fixture_set_up, test_handout_lists_resources, fixture_tear_down);
  g_test_add ("/desk/handout/nothing-to-print", Fixture, NULL,
              fixture_set_up, test_handout_of_nothing, fixture_tear_down);
  g_test_add ("/desk/handout/contact-dialog", Fixture, NULL,
              fixture_set_up, test_dialog_offers_handout, fixture_tear_down);

  status = g_test_run ();

  cdm_desk_test_remove_dir (shared_dir);
  g_free (shared_store);
  g_free (shared_dir);
  return status;
}
