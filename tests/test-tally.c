/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The multimedia counter's day figures: sums per kind of the day's live
 * tallies; other days and tombstones (undo) do not count; a malformed day
 * is refused. */
#include "config.h"

#include <string.h>

#include "cdm-store.h"
#include "cdm-tally.h"
#include "cdm-test-util.h"

typedef struct {
  char *dir;
  CdmStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fx->dir = g_dir_make_tmp ("cdm-test-tally-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fx->dir, "desk.sqlite", NULL);
  fx->store = cdm_store_open (path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->store);
  cdm_test_remove_tree (fx->dir);
  g_free (fx->dir);
}

/* Records one tally; returns its id. */
static char *
put_tally (CdmStore   *store,
           const char *day,
           const char *kind,
           gint64      count)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  json_object_set_string_member (record, "day", day);
  json_object_set_string_member (record, "kind", kind);
  json_object_set_int_member (record, "count", count);
  cdm_store_put (store, CDM_ENTITY_MULTIMEDIA_TALLY, record, &id, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static int
kind_index (const char *kind)
{
  int index = cdm_code_index (cdm_tally_kinds, kind);

  g_assert_cmpint (index, >=, 0);
  return index;
}

static void
test_empty_day (Fixture       *fx,
                gconstpointer  data)
{
  CdmTallyCounts counts;
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_tally_count_day (fx->store, "2026-11-23", &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.total, ==, 0);
  for (guint i = 0; i < CDM_N_TALLY_KINDS; i++)
    g_assert_cmpint (counts.kinds[i], ==, 0);
}

static void
test_sums_per_kind (Fixture       *fx,
                    gconstpointer  data)
{
  CdmTallyCounts counts;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = put_tally (fx->store, "2026-11-23", "printing", 1);
  g_autofree char *b = put_tally (fx->store, "2026-11-23", "printing", 1);
  g_autofree char *c = put_tally (fx->store, "2026-11-23", "computer_access", 5);
  g_autofree char *d = put_tally (fx->store, "2026-11-22", "printing", 7);
  g_autofree char *e = put_tally (fx->store, "2026-11-24", "other", 3);

  g_assert_cmpuint (g_strv_length ((char **) cdm_tally_kinds), ==, CDM_N_TALLY_KINDS);
  g_assert_true (cdm_tally_count_day (fx->store, "2026-11-23", &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.kinds[kind_index ("printing")], ==, 2);
  g_assert_cmpint (counts.kinds[kind_index ("computer_access")], ==, 5);
  g_assert_cmpint (counts.kinds[kind_index ("other")], ==, 0);
  g_assert_cmpint (counts.total, ==, 7);

  g_assert_true (cdm_tally_count_day (fx->store, "2026-11-22", &counts, &error));
  g_assert_cmpint (counts.kinds[kind_index ("printing")], ==, 7);
  g_assert_cmpint (counts.total, ==, 7);
}

/* Undo tombstones the click's tally: it no longer counts. */
static void
test_undo_does_not_count (Fixture       *fx,
                          gconstpointer  data)
{
  CdmTallyCounts counts;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = put_tally (fx->store, "2026-11-23", "printing", 1);
  g_autofree char *b = put_tally (fx->store, "2026-11-23", "printing", 1);

  g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, b, &error));
  g_assert_no_error (error);
  g_assert_true (cdm_tally_count_day (fx->store, "2026-11-23", &counts, &error));
  g_assert_cmpint (counts.kinds[kind_index ("printing")], ==, 1);
  g_assert_cmpint (counts.total, ==, 1);
}

static void
test_bad_day (Fixture       *fx,
              gconstpointer  data)
{
  const char *bad[] = { "", "2026-13-01", "2026-02-30", "23/11/2026", "2026-11-2x", "2026-11-233" };
  g_autofree char *a = put_tally (fx->store, "2026-11-23", "printing", 1);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      CdmTallyCounts counts = { .total = 99 };
      g_autoptr(GError) error = NULL;

      g_assert_false (cdm_tally_count_day (fx->store, bad[i], &counts, &error));
      g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE);
      g_assert_nonnull (strstr (error->message, "YYYY-MM-DD"));
      g_assert_cmpint (counts.total, ==, 0);
    }
  /* Nothing changed. */
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, NULL), ==, 1);
}

static void
on_counted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  CdmTallyCounts **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cdm_tally_count_day_finish (CDM_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async (Fixture       *fx,
            gconstpointer  data)
{
  g_autofree CdmTallyCounts *counts = NULL;
  g_autofree char *a = put_tally (fx->store, "2026-11-23", "documents", 2);

  cdm_tally_count_day_async (fx->store, "2026-11-23", NULL, on_counted, &counts);
  while (counts == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (counts->kinds[kind_index ("documents")], ==, 2);
  g_assert_cmpint (counts->total, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/tally/empty-day", test_empty_day);
  ADD ("/tally/sums-per-kind", test_sums_per_kind);
  ADD ("/tally/undo-does-not-count", test_undo_does_not_count);
  ADD ("/tally/bad-day", test_bad_day);
  ADD ("/tally/async", test_async);
#undef ADD

  return g_test_run ();
}
