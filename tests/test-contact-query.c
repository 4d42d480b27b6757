/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-contact-query.c: the contact log as a filtered list, page by page. */
#include "config.h"

#include <string.h>

#include "cdm-contact-query.h"
#include "cdm-demo.h"
#include "cdm-test-util.h"

#define N_CONTACTS 2000

typedef struct {
  char *dir;
  CdmStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  CdmGenerateOptions options = { 0, };

  fixture->dir = g_dir_make_tmp ("cdm-test-contact-query-XXXXXX", &error);
  g_assert_no_error (error);

  path = g_build_filename (fixture->dir, "desk.sqlite", NULL);
  fixture->store = cdm_store_open (path, &error);
  g_assert_no_error (error);

  options.contacts = N_CONTACTS;
  options.year = 2024;
  options.seed = 7;
  g_assert_true (cdm_demo_generate (fixture->store, &options, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  cdm_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static gboolean
array_has (JsonObject *record,
           const char *member,
           const char *code)
{
  JsonArray *array;

  if (!json_object_has_member (record, member) || json_object_get_null_member (record, member))
    return FALSE;
  array = json_object_get_array_member (record, member);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), code) == 0)
      return TRUE;
  return FALSE;
}

typedef struct {
  const CdmContactFilter *filter;
  GTimeZone *zone;
  GHashTable *ids;
} Expect;

/* Whether @record passes @filter, decided from the interchange record,
 * independently of the query's SQL. */
static gboolean
record_matches (JsonObject             *record,
                const CdmContactFilter *filter,
                GTimeZone              *zone)
{
  if (filter->from_day != NULL || filter->to_day != NULL)
    {
      g_autofree char *day = NULL;
      gint64 unix_time = 0;

      g_assert_true (cdm_parse_timestamp (json_object_get_string_member (record, "occurred_at"),
                                          &unix_time, NULL));
      day = cdm_local_day (zone, unix_time);
      if (filter->from_day != NULL && strcmp (day, filter->from_day) < 0)
        return FALSE;
      if (filter->to_day != NULL && strcmp (day, filter->to_day) > 0)
        return FALSE;
    }
  if (filter->channel != NULL &&
      g_strcmp0 (json_object_get_string_member (record, "channel"), filter->channel) != 0)
    return FALSE;
  if (filter->service != NULL &&
      g_strcmp0 (json_object_get_string_member (record, "service"), filter->service) != 0)
    return FALSE;
  if (filter->site != NULL &&
      g_strcmp0 (json_object_get_string_member (record, "site"), filter->site) != 0)
    return FALSE;
  if (filter->theme != NULL && !array_has (record, "themes", filter->theme))
    return FALSE;
  if (filter->programme != NULL && !array_has (record, "programmes", filter->programme))
    return FALSE;
  return TRUE;
}

static gboolean
collect_expected (JsonObject *record,
                  gpointer    user_data)
{
  Expect *expect = user_data;

  if (record_matches (record, expect->filter, expect->zone))
    g_hash_table_add (expect->ids, g_strdup (json_object_get_string_member (record, "id")));
  return TRUE;
}

static GHashTable *
expected_ids (Fixture                *fixture,
              const CdmContactFilter *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (fixture->store);
  Expect expect = { filter, zone, g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };

  g_assert_true (cdm_store_foreach (fixture->store, CDM_ENTITY_CONTACT, FALSE,
                                    collect_expected, &expect, NULL, &error));
  g_assert_no_error (error);
  return expect.ids;
}

/* Reads every page of @filter, @page rows at a time, and checks that the
 * rows come newest first and each exactly once. */
static GPtrArray *
fetch_all (Fixture                *fixture,
           const CdmContactFilter *filter,
           CdmContactCount        *count,
           guint                   page)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) cdm_contact_row_free);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) rows = NULL;

      rows = cdm_contact_query_fetch (fixture->store, filter, count, all->len, page, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (rows);
      g_assert_cmpuint (rows->len, <=, page);

      for (guint i = 0; i < rows->len; i++)
        {
          CdmContactRow *row = rows->pdata[i];

          g_assert_false (g_hash_table_contains (seen, row->id));
          g_hash_table_add (seen, row->id);
          if (all->len > 0)
            {
              CdmContactRow *prev = all->pdata[all->len - 1];
              g_assert_cmpstr (prev->day, >=, row->day);
            }
          g_ptr_array_add (all, row);
        }
      g_ptr_array_set_free_func (rows, NULL);

      if (rows->len < page)
        break;
    }

  return all;
}

static void
check_filter (Fixture                *fixture,
              const CdmContactFilter *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) expected = expected_ids (fixture, filter);
  g_autoptr(CdmContactCount) count = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) seeked = NULL;

  count = cdm_contact_query_count (fixture->store, filter, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (count);
  g_assert_cmpuint (cdm_contact_count_get_total (count), ==, g_hash_table_size (expected));

  rows = fetch_all (fixture, filter, NULL, 97);
  g_assert_cmpuint (rows->len, ==, g_hash_table_size (expected));
  for (guint i = 0; i < rows->len; i++)
    {
      CdmContactRow *row = rows->pdata[i];

      g_assert_true (g_hash_table_contains (expected, row->id));
      if (filter->channel != NULL)
        g_assert_cmpstr (row->channel, ==, filter->channel);
      if (filter->service != NULL)
        g_assert_cmpstr (row->service, ==, filter->service);
      if (filter->site != NULL)
        g_assert_cmpstr (row->site, ==, filter->site);
      if (filter->theme != NULL)
        g_assert_true (g_strv_contains ((const char * const *) row->themes, filter->theme));
      if (filter->programme != NULL)
        g_assert_true (g_strv_contains ((const char * const *) row->programmes, filter->programme));
      if (filter->from_day != NULL)
        g_assert_cmpstr (row->day, >=, filter->from_day);
      if (filter->to_day != NULL)
        g_assert_cmpstr (row->day, <=, filter->to_day);
      g_assert_cmpuint (strlen (row->time), ==, 5);
    }

  /* Pages that start from their day give the very same list. */
  seeked = fetch_all (fixture, filter, count, 53);
  g_assert_cmpuint (seeked->len, ==, rows->len);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (((CdmContactRow *) seeked->pdata[i])->id, ==,
                     ((CdmContactRow *) rows->pdata[i])->id);
}

static void
test_filters_narrow (Fixture       *fixture,
                     gconstpointer  data)
{
  const CdmContactFilter filters[] = {
    { NULL, },
    { .from_day = "2024-03-01", .to_day = "2024-03-31" },
    { .from_day = "2024-11-15" },
    { .to_day = "2024-02-10" },
    { .channel = "email" },
    { .service = "multimedia" },
    { .theme = "work" },
    { .programme = "neet" },
    { .site = "school" },
    { .from_day = "2024-06-01", .to_day = "2024-09-30", .channel = "in_person", .theme = "learn" },
  };
  g_autoptr(GHashTable) all = NULL;

  all = expected_ids (fixture, &filters[0]);
  g_assert_cmpuint (g_hash_table_size (all), ==, N_CONTACTS);

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_autoptr(GHashTable) expected = expected_ids (fixture, &filters[i]);

      g_test_message ("filter %u: %u contacts", i, g_hash_table_size (expected));
      /* Each filter narrows, and matches something: otherwise the test
       * would prove nothing. */
      g_assert_cmpuint (g_hash_table_size (expected), >, 0);
      if (i > 0)
        g_assert_cmpuint (g_hash_table_size (expected), <, N_CONTACTS);
      check_filter (fixture, &filters[i]);
    }
}

static void
test_tombstones_excluded (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(CdmContactCount) count = NULL;
  g_autoptr(GHashTable) deleted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  first = cdm_contact_query_fetch (fixture->store, NULL, NULL, 0, 3, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 3);
  for (guint i = 0; i < first->len; i++)
    {
      CdmContactRow *row = first->pdata[i];

      g_assert_true (cdm_store_delete (fixture->store, CDM_ENTITY_CONTACT, row->id, &error));
      g_assert_no_error (error);
      g_hash_table_add (deleted, g_strdup (row->id));
    }

  count = cdm_contact_query_count (fixture->store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cdm_contact_count_get_total (count), ==, N_CONTACTS - 3);

  after = fetch_all (fixture, NULL, count, 500);
  g_assert_cmpuint (after->len, ==, N_CONTACTS - 3);
  for (guint i = 0; i < after->len; i++)
    g_assert_false (g_hash_table_contains (deleted, ((CdmContactRow *) after->pdata[i])->id));

  /* Undo brings it back at its place. */
  g_assert_true (cdm_store_undelete (fixture->store, CDM_ENTITY_CONTACT,
                                     ((CdmContactRow *) first->pdata[0])->id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = cdm_contact_query_fetch (fixture->store, NULL, NULL, 0, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((CdmContactRow *) after->pdata[0])->id, ==,
                   ((CdmContactRow *) first->pdata[0])->id);
}

static void
test_paging_out_of_range (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmContactCount) count = NULL;
  g_autoptr(GPtrArray) past = NULL;
  g_autoptr(GPtrArray) past_seek = NULL;
  g_autoptr(GPtrArray) last = NULL;

  count = cdm_contact_query_count (fixture->store, NULL, NULL, &error);
  g_assert_no_error (error);

  past = cdm_contact_query_fetch (fixture->store, NULL, NULL, N_CONTACTS, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (past->len, ==, 0);
  past_seek = cdm_contact_query_fetch (fixture->store, NULL, count, N_CONTACTS + 5, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (past_seek->len, ==, 0);
  last = cdm_contact_query_fetch (fixture->store, NULL, count, N_CONTACTS - 4, 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last->len, ==, 4);
}

static void
count_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_bad_filter (Fixture       *fixture,
                 gconstpointer  data)
{
  const struct {
    CdmContactFilter filter;
    int code;
    const char *value;
  } bad[] = {
    { { .channel = "pigeon" }, CDM_RECORD_ERROR_UNKNOWN_CODE, "pigeon" },
    { { .service = "in_person" }, CDM_RECORD_ERROR_UNKNOWN_CODE, "in_person" },
    { { .theme = "Work" }, CDM_RECORD_ERROR_UNKNOWN_CODE, "Work" },
    { { .programme = "x" }, CDM_RECORD_ERROR_UNKNOWN_CODE, "x" },
    { { .site = "'; DROP TABLE contacts; --" }, CDM_RECORD_ERROR_UNKNOWN_CODE, "DROP TABLE" },
    { { .from_day = "2024-13-01" }, CDM_RECORD_ERROR_BAD_VALUE, "2024-13-01" },
    { { .to_day = "yesterday" }, CDM_RECORD_ERROR_BAD_VALUE, "yesterday" },
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmContactCount) count = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) count_error = NULL;
      g_autoptr(GError) fetch_error = NULL;
      g_autoptr(CdmContactCount) bad_count = NULL;
      g_autoptr(GPtrArray) rows = NULL;

      bad_count = cdm_contact_query_count (fixture->store, &bad[i].filter, NULL, &count_error);
      g_assert_null (bad_count);
      g_assert_error (count_error, CDM_RECORD_ERROR, bad[i].code);
      g_assert_nonnull (strstr (count_error->message, bad[i].value));

      rows = cdm_contact_query_fetch (fixture->store, &bad[i].filter, NULL, 0, 10, NULL, &fetch_error);
      g_assert_null (rows);
      g_assert_error (fetch_error, CDM_RECORD_ERROR, bad[i].code);
    }

  /* The async path says the same, on the caller's thread. */
  cdm_contact_query_count_async (fixture->store, &bad[0].filter, NULL, count_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (cdm_contact_query_count_finish (fixture->store, result, &error));
  g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE);
  g_clear_error (&error);

  /* Nothing changed. */
  count = cdm_contact_query_count (fixture->store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cdm_contact_count_get_total (count), ==, N_CONTACTS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/contact-query/filters-narrow", test_filters_narrow);
  ADD ("/contact-query/tombstones-excluded", test_tombstones_excluded);
  ADD ("/contact-query/paging-out-of-range", test_paging_out_of_range);
  ADD ("/contact-query/bad-filter", test_bad_filter);

#undef ADD

  return g_test_run ();
}
