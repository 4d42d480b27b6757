/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "cdm-test-util.h"

void
cdm_test_remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        cdm_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (dir);
}

JsonNode *
cdm_test_parse_json (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

void
cdm_test_store_fixture_set_up (CdmTestStoreFixture *fixture,
                               const char          *tmpl)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "desk.sqlite", NULL);
  fixture->store = cdm_store_open (path, &error);
  g_assert_no_error (error);
}

void
cdm_test_store_fixture_tear_down (CdmTestStoreFixture *fixture)
{
  g_clear_object (&fixture->store);
  cdm_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}
