/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-generate.c: generated stores, as a benchmark run relies on them.
 *
 * The counts asked for are the counts written; every row is a record the
 * store would have accepted (an export imports into a fresh store and
 * gives the same report); every timestamp's unix time and local day are
 * those the store computes; the same seed gives the same store; and bad
 * options, a store with records in it or a cancellation write nothing at
 * all, since everything is written in one transaction.
 */
#include "config.h"

#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "cdm-demo.h"
#include "cdm-interchange.h"
#include "cdm-report.h"
#include "cdm-search.h"
#include "cdm-test-util.h"

#define YEAR 2020

/* Small, so that the whole test stays within seconds, yet with every kind
 * of row (activities of 2020 are held, so they have attendance). */
static const CdmGenerateOptions small = {
  .contacts = 5000,
  .resources = 500,
  .partners = 50,
  .activities = 200,
  .year = YEAR,
  .seed = 42,
};

typedef struct {
  char *dir;
  char *path;
  CdmStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("cdm-test-generate-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "desk.sqlite", NULL);
  fixture->store = cdm_store_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  cdm_test_remove_tree (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

/* Helpers */

static CdmStore *
open_store (const char *dir,
            const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  CdmStore *store = cdm_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
generate (CdmStore                 *store,
          const CdmGenerateOptions *options)
{
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  g_assert_true (cdm_demo_generate (store, options, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("generated %u contacts, %u resources, %u partners, %u activities in %.2f s",
                  options->contacts, options->resources, options->partners, options->activities,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
}

static gint64
count (CdmStore  *store,
       CdmEntity  entity)
{
  g_autoptr(GError) error = NULL;
  gint64 n = cdm_store_count (store, entity, &error);

  g_assert_no_error (error);
  return n;
}

/* A second, read-only connection to the store's file, to look at rows as
 * a benchmark's bare SQL would. */
static sqlite3 *
open_sql (CdmStore *store)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (cdm_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  return db;
}

/* The first column of the first row of @sql. */
static gint64
sql_int (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Every row of @sql, its columns joined by '|', rows by '\n'. */
static char *
sql_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  GString *text = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_string_append_printf (text, "%s%s", i ? "|" : "",
                                sqlite3_column_type (stmt, i) == SQLITE_NULL
                                    ? "NULL"
                                    : (const char *) sqlite3_column_text (stmt, i));
      g_string_append_c (text, '\n');
    }
  sqlite3_finalize (stmt);
  return g_string_free (text, FALSE);
}

static char *
report_json (CdmStore *store,
             int       year)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmReport) report = cdm_report_compute (store, year, NULL, &error);
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_no_error (error);
  object = cdm_report_to_json (report);
  node = json_node_init_object (json_node_alloc (), object);
  return json_to_string (node, TRUE);
}

/* The store holds no record, no setting of origin and nothing to push. */
static void
assert_untouched (CdmStore *store)
{
  g_autofree char *origin = cdm_store_get_setting (store, "origin");
  g_autoptr(GError) error = NULL;

  for (CdmEntity e = 0; e < CDM_N_ENTITIES; e++)
    g_assert_cmpint (count (store, e), ==, 0);
  g_assert_null (origin);
  g_assert_cmpint (cdm_store_outbox_count (store, &error), ==, 0);
  g_assert_no_error (error);
}

/* Tests */

static void
test_counts (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *origin = NULL;
  sqlite3 *db;

  generate (fixture->store, &small);

  g_assert_cmpint (count (fixture->store, CDM_ENTITY_CONTACT), ==, small.contacts);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_RESOURCE), ==, small.resources);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_ORGANISATION), ==, small.partners);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_ACTIVITY), ==, small.activities);
  /* The rest of a year: attendance of the activities held, a few
   * closures, the multimedia tallies and some satisfaction responses. */
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_ATTENDANCE), >, 0);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_CLOSURE), >=, 3);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_CLOSURE), <=, 10);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_MULTIMEDIA_TALLY), >, 0);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_SATISFACTION), >, 0);

  /* Never to be pushed to a server. */
  origin = cdm_store_get_setting (fixture->store, "origin");
  g_assert_cmpstr (origin, ==, "generated");
  g_assert_cmpint (cdm_store_outbox_count (fixture->store, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (cdm_store_check_integrity (fixture->store, &error));
  g_assert_no_error (error);

  db = open_sql (fixture->store);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM contacts WHERE sync_state <> 0 OR version <> 0 OR deleted <> 0"), ==, 0);
  /* Every held activity has its headcount, and only held ones. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM activities a WHERE status = 'held'"
                                " AND NOT EXISTS (SELECT 1 FROM attendance WHERE activity = a.id)"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM attendance t JOIN activities a ON a.id = t.activity"
                                " WHERE a.status <> 'held'"), ==, 0);
  /* Referrals, resources handed over and organisers point at records
   * the store has (foreign keys are on, but say so). */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM contact_referrals"), >, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM contact_resources"), >, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM activity_organisers"), >, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  sqlite3_close (db);
}

static gint64
advice_by_channel (sqlite3    *db,
                   const char *channel)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT count(*) FROM contacts"
                                       " WHERE service = 'individual_advice' AND channel = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, channel, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* The channels mix like the 2020 report's, with some multimedia. */
static void
test_plausible (Fixture       *fixture,
                gconstpointer  data)
{
  static const struct {
    const char *channel;
    double share;
  } expected[] = {
    { "in_person", 0.53 },
    { "email", 0.17 },
    { "call_centre", 0.20 },
    { "chat", 0.06 },
    { "after_group_activity", 0.03 },
    { "neet_outreach", 0.01 },
  };
  sqlite3 *db;
  double advice, within_48h, requests, profiles;

  generate (fixture->store, &small);
  db = open_sql (fixture->store);

  advice = sql_int (db, "SELECT count(*) FROM contacts WHERE service = 'individual_advice'");
  g_assert_cmpfloat (advice, >, 0.8 * small.contacts);
  g_assert_cmpfloat (advice, <, small.contacts);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      double share = advice_by_channel (db, expected[i].channel) / advice;

      g_test_message ("%s: %.3f", expected[i].channel, share);
      g_assert_cmpfloat_with_epsilon (share, expected[i].share, 0.02);
    }

  /* Remote requests: most answered within 48 hours, not all. */
  requests = sql_int (db, "SELECT count(*) FROM contacts WHERE received_unix IS NOT NULL");
  within_48h = sql_int (db, "SELECT count(*) FROM contacts WHERE received_unix IS NOT NULL"
                            " AND answered_unix - received_unix <= 48 * 3600");
  g_assert_cmpfloat (requests, >, 0);
  g_assert_cmpfloat (within_48h / requests, >, 0.9);
  g_assert_cmpfloat (within_48h / requests, <, 1.0);

  /* Profiles filled in for a majority, with unknowns. */
  profiles = sql_int (db, "SELECT count(*) FROM contacts WHERE p_gender IS NOT NULL OR p_age_band IS NOT NULL");
  g_assert_cmpfloat (profiles / small.contacts, >, 0.5);
  g_assert_cmpfloat (profiles / small.contacts, <, 0.7);

  /* One or two themes, a programme now and then. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM contacts WHERE themes = 0 OR themes >= 32"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM contacts WHERE programmes <> 0"), >, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM contacts WHERE programmes <> 0"), <, small.contacts / 5);

  /* Activities on site and online; titles in French at least. */
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM activities WHERE mode = 'online'"), >, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM activities WHERE mode = 'on_site'"), >, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM activities WHERE title_fr IS NULL"), ==, 0);
  /* Resources in the three languages. */
  g_assert_cmpint (sql_int (db, "SELECT count(DISTINCT language) FROM resources"), ==, 3);
  sqlite3_close (db);
}

/* Checks that @text parses to @unix_time and that @day is its local day,
 * as cdm_store_put() would have computed them. */
static void
assert_timestamp (GTimeZone  *zone,
                  const char *text,
                  gint64      unix_time,
                  const char *day)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *local_day = NULL;
  gint64 parsed = 0;

  g_assert_true (cdm_parse_timestamp (text, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsed, ==, unix_time);
  if (day != NULL)
    {
      local_day = cdm_local_day (zone, unix_time);
      g_assert_cmpstr (day, ==, local_day);
    }
}

/* Every contact of the year falls in it, in the centre's local days, and
 * the derived columns are those the store would write, also in years
 * beyond the time zone database's table of transitions. */
static void
check_days (CdmStore *store,
            int       year)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
  g_autofree char *first = g_strdup_printf ("%04d-01-01", year);
  g_autofree char *last = g_strdup_printf ("%04d-12-31", year);
  sqlite3 *db = open_sql (store);
  sqlite3_stmt *stmt = NULL;
  guint rows = 0, requests = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT occurred_at, occurred_unix, day, received_at, received_unix,"
                                       " received_day, answered_at, answered_unix FROM contacts",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *day = (const char *) sqlite3_column_text (stmt, 2);

      g_assert_cmpstr (day, >=, first);
      g_assert_cmpstr (day, <=, last);
      assert_timestamp (zone, (const char *) sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1), day);
      if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
        {
          const char *received_day = (const char *) sqlite3_column_text (stmt, 5);

          requests++;
          g_assert_cmpstr (received_day, >=, first);
          g_assert_cmpstr (received_day, <=, day);
          assert_timestamp (zone, (const char *) sqlite3_column_text (stmt, 3),
                            sqlite3_column_int64 (stmt, 4), received_day);
          g_assert_cmpint (sqlite3_column_int64 (stmt, 4), <=, sqlite3_column_int64 (stmt, 1));
        }
      if (sqlite3_column_type (stmt, 6) != SQLITE_NULL)
        {
          g_assert_cmpint (sqlite3_column_type (stmt, 3), !=, SQLITE_NULL);
          assert_timestamp (zone, (const char *) sqlite3_column_text (stmt, 6),
                            sqlite3_column_int64 (stmt, 7), NULL);
        }
      rows++;
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (rows, ==, count (store, CDM_ENTITY_CONTACT));
  g_assert_cmpuint (requests, >, 0);

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT starts_at, starts_unix, day FROM activities", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *day = (const char *) sqlite3_column_text (stmt, 2);

      g_assert_cmpstr (day, >=, first);
      g_assert_cmpstr (day, <=, last);
      assert_timestamp (zone, (const char *) sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1), day);
    }
  sqlite3_finalize (stmt);

  /* Days of tallies, closures and responses are in the year too. */
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT day FROM multimedia_tallies UNION ALL SELECT from_day FROM closures"
                                       " UNION ALL SELECT to_day FROM closures UNION ALL SELECT answered_on FROM satisfaction",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *day = (const char *) sqlite3_column_text (stmt, 0);

      g_assert_true (cdm_parse_date (day, NULL));
      g_assert_cmpstr (day, >=, first);
      g_assert_cmpstr (day, <=, last);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_days (Fixture       *fixture,
           gconstpointer  data)
{
  /* 2150 is past the transitions that time zone files list; 1900 is
   * before summer time. */
  const int years[] = { 2150, 1900 };

  generate (fixture->store, &small);
  check_days (fixture->store, YEAR);

  for (guint i = 0; i < G_N_ELEMENTS (years); i++)
    {
      g_autofree char *name = g_strdup_printf ("year-%d.sqlite", years[i]);
      g_autoptr(CdmStore) store = open_store (fixture->dir, name);
      CdmGenerateOptions options = { .contacts = 1000, .resources = 20, .partners = 10,
                                     .activities = 50, .year = years[i], .seed = 7 };

      generate (store, &options);
      g_assert_cmpint (count (store, CDM_ENTITY_CONTACT), ==, 1000);
      check_days (store, years[i]);
    }
}

/* What a benchmark compares between two runs: the channels, the ids, the
 * titles, and the report. */
static char *
fingerprint (CdmStore *store)
{
  sqlite3 *db = open_sql (store);
  g_autofree char *channels = sql_text (db, "SELECT channel, service, count(*) FROM contacts GROUP BY 1, 2 ORDER BY 1, 2");
  g_autofree char *contacts = sql_text (db, "SELECT id, occurred_at, themes, programmes FROM contacts ORDER BY rid LIMIT 100");
  g_autofree char *links = sql_text (db, "SELECT count(*), sum(position) FROM contact_referrals"
                                         " UNION ALL SELECT count(*), sum(position) FROM contact_resources");
  g_autofree char *resources = sql_text (db, "SELECT id, title FROM resources ORDER BY rid LIMIT 100");
  g_autofree char *partners = sql_text (db, "SELECT id, name_fr FROM organisations ORDER BY rid LIMIT 20");
  g_autofree char *report = report_json (store, YEAR);

  sqlite3_close (db);
  return g_strjoin ("\n", channels, contacts, links, resources, partners, report, NULL);
}

static void
test_reproducible (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(CdmStore) again = open_store (fixture->dir, "again.sqlite");
  g_autoptr(CdmStore) other = open_store (fixture->dir, "other.sqlite");
  CdmGenerateOptions other_seed = small;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  generate (fixture->store, &small);
  generate (again, &small);
  other_seed.seed = small.seed + 1;
  generate (other, &other_seed);

  first = fingerprint (fixture->store);
  second = fingerprint (again);
  third = fingerprint (other);
  g_assert_cmpstr (first, ==, second);
  g_assert_cmpstr (first, !=, third);

  /* Same counts whatever the seed. */
  g_assert_cmpint (count (other, CDM_ENTITY_CONTACT), ==, small.contacts);
  g_assert_cmpint (count (other, CDM_ENTITY_RESOURCE), ==, small.resources);
}

/* Searching for the words of @sql's title (of four letters or more, as
 * one types them) finds the record @sql names. */
static void
assert_found (CdmStore   *store,
              CdmEntity   entity,
              const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *row = NULL;
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GString) query = g_string_new (NULL);
  gboolean found = FALSE;
  sqlite3 *db = open_sql (store);

  row = sql_text (db, sql);
  sqlite3_close (db);
  g_strchomp (row);
  parts = g_strsplit (row, "|", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  words = g_strsplit_set (parts[1], " :,'()", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (g_utf8_strlen (words[i], -1) >= 4)
      g_string_append_printf (query, "%s%s", query->len ? " " : "", words[i]);
  g_test_message ("searching “%s” for “%s”", query->str, parts[1]);
  g_assert_cmpuint (query->len, >, 0);

  hits = cdm_search (store, entity, query->str, 1000, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < hits->len; i++)
    {
      CdmSearchHit *hit = g_ptr_array_index (hits, i);
      found |= g_str_equal (hit->id, parts[0]);
    }
  g_assert_true (found);
}

/* Generated records are in the search index, as for the benchmark of
 * search-as-you-type. */
static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  generate (fixture->store, &small);

  assert_found (fixture->store, CDM_ENTITY_RESOURCE,
                "SELECT id, title FROM resources WHERE kind = 'book' ORDER BY rid LIMIT 1 OFFSET 100");
  assert_found (fixture->store, CDM_ENTITY_RESOURCE,
                "SELECT id, title FROM resources ORDER BY rid DESC LIMIT 1");
  assert_found (fixture->store, CDM_ENTITY_ORGANISATION,
                "SELECT id, name_fr FROM organisations ORDER BY rid LIMIT 1 OFFSET 10");
  assert_found (fixture->store, CDM_ENTITY_ACTIVITY,
                "SELECT id, title_fr FROM activities ORDER BY rid DESC LIMIT 1");
}

/* Every generated row is a record the store accepts: an export imports
 * into a fresh store, references and all, and gives the same report. */
static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(CdmStore) copy = open_store (fixture->dir, "copy.sqlite");
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  CdmImportStats stats = { 0 };
  CdmGenerateOptions options = small;

  /* Smaller: the import goes through cdm_store_put(). */
  options.contacts = 2000;
  generate (fixture->store, &options);

  g_assert_true (cdm_export_ndjson (fixture->store, CDM_N_ENTITIES, output, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (output, NULL, &error));
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (output));
  input = g_memory_input_stream_new_from_bytes (bytes);

  g_assert_true (cdm_import_ndjson (copy, input, &stats, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.created, >, options.contacts + options.resources + options.partners + options.activities);
  g_assert_cmpuint (stats.updated, ==, 0);

  for (CdmEntity e = 0; e < CDM_N_ENTITIES; e++)
    g_assert_cmpint (count (copy, e), ==, count (fixture->store, e));
  before = report_json (fixture->store, YEAR);
  after = report_json (copy, YEAR);
  g_assert_cmpstr (before, ==, after);
}

/* Absurd options are refused with a clear error, before anything is
 * written. */
static void
test_bad_options (Fixture       *fixture,
                  gconstpointer  data)
{
  const struct {
    CdmGenerateOptions options;
    const char *message;
  } cases[] = {
    { { .contacts = 10, .year = 1899 }, "between 1900 and 2199" },
    { { .contacts = 10, .year = 2200 }, "between 1900 and 2199" },
    { { .contacts = 10, .year = 0 }, "not 0" },
    { { .contacts = 50000001, .year = YEAR }, "contacts" },
    { { .resources = G_MAXUINT, .year = YEAR }, "resources" },
    { { .partners = 1000001, .year = YEAR }, "partners" },
    { { .activities = 5000001, .year = YEAR }, "activities" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cdm_demo_generate (fixture->store, &cases[i].options, NULL, &error));
      g_assert_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_INVALID_OPTIONS);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      assert_untouched (fixture->store);
    }
}

/* Generated records never mix with real ones, nor with an earlier
 * generation. */
static void
test_not_empty (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(CdmStore) generated = open_store (fixture->dir, "generated.sqlite");
  g_autoptr(JsonObject) contact = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *origin = NULL;
  CdmGenerateOptions options = small;

  json_object_set_string_member (contact, "occurred_at", "2020-03-16T09:30:00+01:00");
  json_object_set_string_member (contact, "site", "centre");
  json_object_set_string_member (contact, "service", "individual_advice");
  json_object_set_string_member (contact, "channel", "in_person");
  g_assert_true (cdm_store_put (fixture->store, CDM_ENTITY_CONTACT, contact, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_false (cdm_demo_generate (fixture->store, &small, NULL, &error));
  g_assert_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_NOT_EMPTY);
  g_clear_error (&error);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_CONTACT), ==, 1);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_RESOURCE), ==, 0);
  g_assert_cmpint (cdm_store_outbox_count (fixture->store, &error), ==, 1);
  origin = cdm_store_get_setting (fixture->store, "origin");
  g_assert_null (origin);

  /* A second generation, even with another seed, is refused too. */
  options.contacts = 100;
  generate (generated, &options);
  options.seed++;
  g_assert_false (cdm_demo_generate (generated, &options, NULL, &error));
  g_assert_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_NOT_EMPTY);
  g_assert_cmpint (count (generated, CDM_ENTITY_CONTACT), ==, 100);
}

static void
test_cancelled_before (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (cdm_demo_generate (fixture->store, &small, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_untouched (fixture->store);
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (G_USEC_PER_SEC / 10);
  g_cancellable_cancel (data);
  return NULL;
}

/* Cancelled half-way, from another thread as a window closing would: the
 * one transaction is rolled back and the store is as it was, with no
 * batch of it committed. */
static void
test_cancelled_during (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  /* Seconds of work on any machine: it is cancelled long before the end. */
  CdmGenerateOptions options = { .contacts = 2000000, .resources = 1000, .partners = 100,
                                 .activities = 100, .year = YEAR, .seed = 3 };
  gint64 started = g_get_monotonic_time ();

  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  g_assert_false (cdm_demo_generate (fixture->store, &options, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_test_message ("cancelled after %.2f s", (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  g_thread_join (g_steal_pointer (&thread));
  assert_untouched (fixture->store);
  g_clear_error (&error);
  g_assert_true (cdm_store_check_integrity (fixture->store, &error));
  g_assert_no_error (error);

  /* And the store takes a generation afterwards. */
  generate (fixture->store, &small);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_CONTACT), ==, small.contacts);
}

/* Counts of 0: contacts without partners have no referrals, without
 * resources nothing handed over; activities without partners have no
 * organisers. */
static void
test_zero_counts (Fixture       *fixture,
                  gconstpointer  data)
{
  CdmGenerateOptions options = { .contacts = 2000, .activities = 100, .year = YEAR, .seed = 5 };
  sqlite3 *db;

  generate (fixture->store, &options);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_CONTACT), ==, 2000);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_ACTIVITY), ==, 100);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_ORGANISATION), ==, 0);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_RESOURCE), ==, 0);

  db = open_sql (fixture->store);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM contact_referrals"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM contact_resources"), ==, 0);
  g_assert_cmpint (sql_int (db, "SELECT count(*) FROM activity_organisers"), ==, 0);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/generate/counts", test_counts);
  ADD ("/generate/plausible", test_plausible);
  ADD ("/generate/days", test_days);
  ADD ("/generate/reproducible", test_reproducible);
  ADD ("/generate/search", test_search);
  ADD ("/generate/round-trip", test_round_trip);
  ADD ("/generate/bad-options", test_bad_options);
  ADD ("/generate/not-empty", test_not_empty);
  ADD ("/generate/cancelled-before", test_cancelled_before);
  ADD ("/generate/cancelled-during", test_cancelled_during);
  ADD ("/generate/zero-counts", test_zero_counts);

#undef ADD

  return g_test_run ();
}
