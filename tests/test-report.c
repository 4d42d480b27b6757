/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The figures of DESIGN.md section 4: the published 2020 figures from a
 * store built to them, the day boundaries in Brussels time, tombstones,
 * remote requests, satisfaction, profile shares, closures, the objective,
 * the JSON, text and CSV forms of a report, and the per-day contact
 * figures (contact_stats) against a count of the contacts themselves
 * through every kind of write. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cdm-interchange.h"
#include "cdm-report.h"
#include "cdm-report-private.h"
#include "fixture-2020.h"
#include "cdm-test-util.h"

typedef struct {
  char *dir;
  char *path;
  CdmStore *store;
} Fixture;

/* The 2020 fixture is built once and copied into each test's folder. */
static char *fixture_2020_dir;
static char *fixture_2020_path;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("cdm-test-report-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "desk.sqlite", NULL);
  fx->store = cdm_store_open (fx->path, &error);
  g_assert_no_error (error);
}

static const char *
built_fixture_2020 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) store = NULL;
  gint64 start;
  gboolean ok;

  if (fixture_2020_path != NULL)
    return fixture_2020_path;

  fixture_2020_dir = g_dir_make_tmp ("cdm-test-report-2020-XXXXXX", &error);
  g_assert_no_error (error);
  fixture_2020_path = g_build_filename (fixture_2020_dir, "desk.sqlite", NULL);
  store = cdm_store_open (fixture_2020_path, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  ok = fixture_2020_fill (store, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_test_message ("2020 fixture built in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  /* Closing the store (here) folds its WAL into the file, which is then
   * copied for each test. */
  return fixture_2020_path;
}

/* Should the store have left a WAL behind, it goes with the copy. */
static void
copy_wal (const char *from,
          const char *to)
{
  g_autofree char *from_wal = g_strconcat (from, "-wal", NULL);
  g_autofree char *to_wal = g_strconcat (to, "-wal", NULL);
  g_autoptr(GFile) source = g_file_new_for_path (from_wal);
  g_autoptr(GFile) copy = g_file_new_for_path (to_wal);
  g_autoptr(GError) error = NULL;

  if (g_file_test (from_wal, G_FILE_TEST_EXISTS))
    {
      g_assert_true (g_file_copy (source, copy, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_set_up_2020 (Fixture       *fx,
                     gconstpointer  data)
{
  const char *built = built_fixture_2020 ();
  g_autoptr(GFile) source = g_file_new_for_path (built);
  g_autoptr(GFile) copy = NULL;
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("cdm-test-report-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "desk.sqlite", NULL);
  copy = g_file_new_for_path (fx->path);
  g_assert_true (g_file_copy (source, copy, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  copy_wal (built, fx->path);
  fx->store = cdm_store_open (fx->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->store);
  cdm_test_remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
}

/* Helpers */

static CdmReport *
compute (CdmStore *store,
         int       year)
{
  g_autoptr(GError) error = NULL;
  CdmReport *report = cdm_report_compute (store, year, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static JsonObject *
compute_json (CdmStore *store,
              int       year)
{
  g_autoptr(CdmReport) report = compute (store, year);

  return cdm_report_to_json (report);
}

/* The node at @path ("a.b.c"; a number picks an array element). */
static JsonNode *
member (JsonObject *object,
        const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          guint index = atoi (parts[i]);

          g_assert_cmpuint (index, <, json_array_get_length (array));
          node = json_array_get_element (array, index);
          continue;
        }
      if (node != NULL)
        {
          g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
          object = json_node_get_object (node);
        }
      if (!json_object_has_member (object, parts[i]))
        g_error ("the report has no “%s” (in %s)", parts[i], path);
      node = json_object_get_member (object, parts[i]);
    }
  return node;
}

static gint64
get_int (JsonObject *object,
         const char *path)
{
  JsonNode *node = member (object, path);

  if (json_node_get_value_type (node) != G_TYPE_INT64)
    g_error ("“%s” is not an integer", path);
  return json_node_get_int (node);
}

static double
get_share (JsonObject *object,
           const char *path)
{
  JsonNode *node = member (object, path);

  if (json_node_get_value_type (node) != G_TYPE_DOUBLE)
    g_error ("“%s” is not a number with a fraction", path);
  return json_node_get_double (node);
}

static gboolean
is_null (JsonObject *object,
         const char *path)
{
  return JSON_NODE_HOLDS_NULL (member (object, path));
}

/* Asserts the "closed" scopes of month @m (1..12), as "a,b,c". */
#define assert_closed(report, m, expected) \
  G_STMT_START { \
    g_autofree char *closed_ = closed_of (report, m); \
    g_assert_cmpstr (closed_, ==, expected); \
  } G_STMT_END

static char *
closed_of (JsonObject *report,
           guint       m)
{
  g_autofree char *path = g_strdup_printf ("months.%u.closed", m - 1);
  JsonArray *closed = json_node_get_array (member (report, path));
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (closed); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, json_array_get_string_element (closed, i));
    }
  return g_string_free (out, FALSE);
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_dup_object (node);
}

static char *
put_json (CdmStore   *store,
          CdmEntity   entity,
          const char *json)
{
  g_autoptr(JsonObject) record = parse_object (json);
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  g_assert_true (cdm_store_put (store, entity, record, &id, NULL, &error));
  g_assert_no_error (error);
  return id;
}

static char *
json_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

/* RFC 4180: fields separated by commas, records by CRLF, quoted fields
 * with doubled quotes.  Fails the test on anything else. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GPtrArray *fields = g_ptr_array_new ();
  GString *field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          for (p++; ; p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"' && p[1] == '"')
                g_string_append_c (field, *p++);
              else if (*p == '"')
                break;
              else
                g_string_append_c (field, *p);
            }
          p++;
        }
      else
        {
          while (*p != '\0' && *p != ',' && *p != '\r' && *p != '\n' && *p != '"')
            g_string_append_c (field, *p++);
          g_assert_true (*p != '"');
        }

      g_ptr_array_add (fields, g_strdup (field->str));
      g_string_truncate (field, 0);
      if (*p == ',')
        {
          p++;
          continue;
        }
      /* End of record: CRLF, never a bare LF. */
      g_assert_true (p[0] == '\r' && p[1] == '\n');
      p += 2;
      g_ptr_array_add (fields, NULL);
      g_ptr_array_add (rows, g_ptr_array_steal (fields, NULL));
    }

  g_assert_cmpuint (fields->len, ==, 0);
  g_ptr_array_free (fields, TRUE);
  g_string_free (field, TRUE);
  return rows;
}

/* The value of the CSV row (figure, breakdown, period), which must be
 * there once. */
static const char *
csv_value (GPtrArray  *rows,
           const char *figure,
           const char *breakdown,
           const char *period)
{
  const char *value = NULL;

  for (guint i = 1; i < rows->len; i++)
    {
      char **row = rows->pdata[i];

      if (g_str_equal (row[0], figure) && g_str_equal (row[1], breakdown) &&
          g_str_equal (row[2], period))
        {
          g_assert_null (value);
          value = row[3];
        }
    }
  if (value == NULL)
    g_error ("no CSV row %s,%s,%s", figure, breakdown, period);
  return value;
}

static gint64
csv_int (GPtrArray  *rows,
         const char *figure,
         const char *breakdown,
         const char *period)
{
  const char *value = csv_value (rows, figure, breakdown, period);
  gint64 n;

  g_assert_true (g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &n, NULL));
  return n;
}

/* The published 2020 figures */

static void
test_published_2020 (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(CdmReport) report = compute (fx->store, 2020);
  g_autoptr(JsonObject) json = cdm_report_to_json (report);
  gint64 advice = 0, participants = 0, multimedia = 0, total = 0, held = 0;

  g_assert_cmpint (cdm_report_get_year (report), ==, 2020);
  g_assert_cmpint (cdm_report_get_individual_advice (report), ==, 14466);
  g_assert_cmpint (cdm_report_get_group_participants (report), ==, 10380);
  g_assert_cmpint (cdm_report_get_multimedia (report), ==, 4677);
  g_assert_cmpint (cdm_report_get_total_contacts (report), ==, 29523);

  g_assert_cmpint (get_int (json, "year"), ==, 2020);
  g_assert_cmpint (get_int (json, "total_contacts"), ==, 29523);
  g_assert_cmpint (get_int (json, "individual_advice.total"), ==, 14466);
  g_assert_cmpint (get_int (json, "individual_advice.by_channel.in_person"), ==, 7684);
  g_assert_cmpint (get_int (json, "individual_advice.by_channel.email"), ==, 2459);
  g_assert_cmpint (get_int (json, "individual_advice.by_channel.call_centre"), ==, 2828);
  g_assert_cmpint (get_int (json, "individual_advice.by_channel.chat"), ==, 937);
  g_assert_cmpint (get_int (json, "individual_advice.by_channel.after_group_activity"), ==, 419);
  g_assert_cmpint (get_int (json, "individual_advice.by_channel.neet_outreach"), ==, 139);
  g_assert_cmpint (get_int (json, "individual_advice.by_channel.phone"), ==, 0);
  g_assert_cmpint (get_int (json, "individual_advice.by_channel.video"), ==, 0);

  g_assert_cmpint (get_int (json, "group_activities.held"), ==, 831);
  g_assert_cmpint (get_int (json, "group_activities.in_person"), ==, 263);
  g_assert_cmpint (get_int (json, "group_activities.online"), ==, 568);
  g_assert_cmpint (get_int (json, "group_activities.participants"), ==, 10380);

  g_assert_cmpint (get_int (json, "multimedia.contacts"), ==, 4677);
  g_assert_cmpint (get_int (json, "multimedia.tallies"), ==, FIXTURE_2020_MULTIMEDIA_TALLIES);
  g_assert_cmpint (get_int (json, "multimedia.contact_records"), ==, FIXTURE_2020_MULTIMEDIA_RECORDS);

  g_assert_cmpint (get_int (json, "programmes.skills_validation"), ==, 233);
  g_assert_cmpint (get_int (json, "programmes.skills_identification"), ==, 94);
  g_assert_cmpint (get_int (json, "programmes.euroguidance"), ==, 46);
  g_assert_cmpint (get_int (json, "programmes.prison_reintegration"), ==, 24);
  g_assert_cmpint (get_int (json, "programmes.disability"), ==, 244);
  g_assert_cmpint (get_int (json, "programmes.formtruck"), ==, 239);
  g_assert_cmpint (get_int (json, "programmes.neet"), ==, 249);
  g_assert_cmpint (get_int (json, "programmes.schools"), ==, 0);
  g_assert_cmpint (get_int (json, "programmes_detail.neet.contacts"), ==, 139);
  g_assert_cmpint (get_int (json, "programmes_detail.neet.participants"), ==, 110);
  g_assert_cmpint (get_int (json, "programmes_detail.disability.participants"), ==, 64);

  g_assert_cmpint (get_int (json, "objective.target"), ==, 50000);
  g_assert_cmpint (get_int (json, "objective.reached"), ==, 29523);

  /* The months add up to the year, and show the closures. */
  g_assert_cmpuint (json_array_get_length (json_node_get_array (member (json, "months"))), ==, 12);
  for (guint m = 1; m <= 12; m++)
    {
      g_autofree char *prefix = g_strdup_printf ("months.%u.", m - 1);
      g_autofree char *month = g_strdup_printf ("2020-%02u", m);
      g_autofree char *key = g_strconcat (prefix, "month", NULL);
      g_autofree char *k_advice = g_strconcat (prefix, "individual_advice", NULL);
      g_autofree char *k_group = g_strconcat (prefix, "group_participants", NULL);
      g_autofree char *k_multimedia = g_strconcat (prefix, "multimedia", NULL);
      g_autofree char *k_total = g_strconcat (prefix, "total", NULL);
      g_autofree char *k_held = g_strdup_printf ("group_activities.by_month.%u.held", m - 1);

      g_assert_cmpstr (json_node_get_string (member (json, key)), ==, month);
      g_assert_cmpint (get_int (json, k_total), ==,
                       get_int (json, k_advice) + get_int (json, k_group) + get_int (json, k_multimedia));
      g_assert_cmpint (cdm_report_get_month_total (report, m), ==, get_int (json, k_total));
      advice += get_int (json, k_advice);
      participants += get_int (json, k_group);
      multimedia += get_int (json, k_multimedia);
      total += get_int (json, k_total);
      held += get_int (json, k_held);
    }
  g_assert_cmpint (advice, ==, 14466);
  g_assert_cmpint (participants, ==, 10380);
  g_assert_cmpint (multimedia, ==, 4677);
  g_assert_cmpint (total, ==, 29523);
  g_assert_cmpint (held, ==, 831);

  /* Face-to-face advice stopped from 16 March to 28 June and from
   * November; the first online activity was on 7 April. */
  g_assert_cmpint (get_int (json, "months.3.by_channel.in_person"), ==, 0);
  g_assert_cmpint (get_int (json, "months.10.by_channel.in_person"), ==, 0);
  g_assert_cmpint (get_int (json, "months.11.by_channel.in_person"), ==, 0);
  g_assert_cmpint (get_int (json, "months.1.by_channel.call_centre"), ==, 0);
  g_assert_cmpint (get_int (json, "group_activities.by_month.1.online"), ==, 0);
  g_assert_cmpint (get_int (json, "months.4.multimedia"), ==, 0);
  /* 00:30 on 1 January in Brussels (23:30Z the day before) is January
   * 2020, for a chat and for an activity. */
  g_assert_cmpint (get_int (json, "months.0.by_channel.chat"), ==, 1);
  g_assert_cmpint (get_int (json, "group_activities.by_month.0.in_person"), >, 0);

  assert_closed (json, 1, "activities");
  assert_closed (json, 2, "");
  assert_closed (json, 3, "multimedia,advice,activities");
  assert_closed (json, 4, "multimedia,advice,activities");
  assert_closed (json, 5, "multimedia,advice");
  assert_closed (json, 6, "multimedia,advice");
  for (guint m = 7; m <= 10; m++)
    assert_closed (json, m, "");  /* August's closure was tombstoned */
  assert_closed (json, 11, "all");
  assert_closed (json, 12, "all");

  /* Remote requests: received in 2020, whenever answered. */
  g_assert_cmpint (get_int (json, "remote.requests"), ==, FIXTURE_2020_REMOTE_REQUESTS);
  g_assert_cmpint (get_int (json, "remote.within_48h"), ==, FIXTURE_2020_REMOTE_WITHIN);
  g_assert_cmpint (get_int (json, "remote.answered_late"), ==, FIXTURE_2020_REMOTE_ANSWERED_LATE);
  g_assert_cmpint (get_int (json, "remote.unanswered"), ==, FIXTURE_2020_REMOTE_UNANSWERED);
  g_assert_cmpint (get_int (json, "remote.late"), ==, FIXTURE_2020_REMOTE_ANSWERED_LATE + FIXTURE_2020_REMOTE_UNANSWERED);
  g_assert_cmpfloat_with_epsilon (get_share (json, "remote_answered_within_48h"),
                                  5136.0 / 5287.0, 1e-12);

  /* The survey as published: 500 responses, 95 % satisfied, 91 % would
   * recommend, 9 out of 10 found what they were looking for. */
  g_assert_cmpint (get_int (json, "satisfaction.responses"), ==, 500);
  g_assert_cmpfloat_with_epsilon (get_share (json, "satisfaction.satisfied"), 0.95, 1e-12);
  g_assert_cmpfloat_with_epsilon (get_share (json, "satisfaction.excellent"), 0.35, 1e-12);
  g_assert_cmpfloat_with_epsilon (get_share (json, "satisfaction.recommend"), 0.91, 1e-12);
  g_assert_cmpfloat_with_epsilon (get_share (json, "satisfaction.found"), 0.90, 1e-12);
  g_assert_cmpint (get_int (json, "satisfaction.recommend_answers"), ==, 400);
  g_assert_cmpint (get_int (json, "satisfaction.found_answers"), ==, 450);

  /* Profile over the 14,643 live contact records of 2020; the tombstoned
   * ones (all "f", all "en") count nowhere. */
  g_assert_cmpint (get_int (json, "profile.gender.counts.f"), ==, 3661);
  g_assert_cmpint (get_int (json, "profile.gender.counts.m"), ==, 3661);
  g_assert_cmpint (get_int (json, "profile.gender.counts.x"), ==, 3661);
  g_assert_cmpint (get_int (json, "profile.gender.unknown"), ==, 3660);
  g_assert_cmpint (get_int (json, "profile.gender.answered"), ==, 3 * 3661);
  g_assert_cmpint (get_int (json, "profile.language.counts.fr"), ==, 4881);
  g_assert_cmpint (get_int (json, "profile.language.counts.nl"), ==, 4881);
  g_assert_cmpint (get_int (json, "profile.language.unknown"), ==, 4881);
  g_assert_false (json_object_has_member (json_object_get_object_member (
                    json_object_get_object_member (json_object_get_object_member (json, "profile"),
                                                   "language"), "counts"), "en"));
  g_assert_cmpint (get_int (json, "profile.region.unknown"), ==, 14643);
  g_assert_true (is_null (json, "profile.region.shares.brussels"));
}

/* Records just past the year's ends belong to the neighbouring years. */
static void
test_year_boundaries (Fixture       *fx,
                      gconstpointer  data)
{
  g_autoptr(JsonObject) y2021 = compute_json (fx->store, 2021);
  g_autoptr(JsonObject) y2019 = compute_json (fx->store, 2019);

  /* 2021-01-01T00:30:00+01:00 and 2020-12-31T23:30:00Z are both 00:30 on
   * 1 January 2021 in Brussels. */
  g_assert_cmpint (get_int (y2021, "months.0.by_channel.chat"), ==, 2);
  g_assert_cmpint (get_int (y2021, "individual_advice.total"), ==, FIXTURE_2021_ADVICE);
  g_assert_cmpint (get_int (y2021, "group_activities.held"), ==, 1);
  g_assert_cmpint (get_int (y2021, "group_activities.participants"), ==, FIXTURE_2021_PARTICIPANTS);
  g_assert_cmpint (get_int (y2021, "multimedia.contacts"), ==, FIXTURE_2021_MULTIMEDIA);
  g_assert_cmpint (get_int (y2021, "total_contacts"), ==, FIXTURE_2021_TOTAL);
  g_assert_cmpint (get_int (y2021, "satisfaction.responses"), ==, 1);
  /* The e-mail logged in 2021 was received in 2020: no 2021 request. */
  g_assert_cmpint (get_int (y2021, "remote.requests"), ==, 0);
  g_assert_true (is_null (y2021, "remote_answered_within_48h"));
  assert_closed (y2021, 1, "");

  /* 2019: a tally, a survey response, a request received on 31 December
   * and answered in 2020 (42 h later), and the closure that runs into 2020. */
  g_assert_cmpint (get_int (y2019, "individual_advice.total"), ==, 0);
  g_assert_cmpint (get_int (y2019, "multimedia.contacts"), ==, 10);
  g_assert_cmpint (get_int (y2019, "total_contacts"), ==, 10);
  g_assert_cmpint (get_int (y2019, "remote.requests"), ==, 1);
  g_assert_cmpint (get_int (y2019, "remote.within_48h"), ==, 1);
  g_assert_cmpint (get_int (y2019, "satisfaction.responses"), ==, 1);
  g_assert_cmpfloat_with_epsilon (get_share (y2019, "satisfaction.satisfied"), 0.0, 1e-12);
  assert_closed (y2019, 12, "activities");
  assert_closed (y2019, 11, "");
}

/* A store spanning decades is read through the day indexes instead of a
 * scan of the table: the figures are the same. */
static void
test_index_route (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) before = compute_json (fx->store, 2020);
  g_autoptr(JsonObject) after = NULL;
  g_autofree char *before_text = json_text (before);
  g_autofree char *after_text = NULL;
  g_autofree char *a = NULL, *b = NULL;

  a = put_json (fx->store, CDM_ENTITY_CONTACT,
                "{\"occurred_at\":\"2001-05-02T10:00:00+02:00\",\"site\":\"centre\","
                "\"service\":\"individual_advice\",\"channel\":\"in_person\"}");
  b = put_json (fx->store, CDM_ENTITY_CONTACT,
                "{\"occurred_at\":\"2039-05-02T10:00:00+02:00\",\"site\":\"centre\","
                "\"service\":\"individual_advice\",\"channel\":\"in_person\"}");

  after = compute_json (fx->store, 2020);
  after_text = json_text (after);
  g_assert_cmpstr (after_text, ==, before_text);
  g_clear_pointer (&after, json_object_unref);
  after = compute_json (fx->store, 2039);
  g_assert_cmpint (get_int (after, "individual_advice.total"), ==, 1);
}

/* The keys of DESIGN.md section 7, with their types. */
static void
test_json_keys (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(JsonObject) json = compute_json (fx->store, 2020);
  static const char * const ints[] = {
    "year", "total_contacts", "individual_advice.total",
    "group_activities.held", "group_activities.in_person", "group_activities.online",
    "group_activities.participants", "multimedia.contacts", "satisfaction.responses",
    "objective.target", "objective.reached",
  };
  static const char * const shares[] = {
    "remote_answered_within_48h", "satisfaction.satisfied", "satisfaction.excellent",
    "satisfaction.recommend", "satisfaction.found",
  };
  static const char * const month_ints[] = {
    "individual_advice", "group_participants", "multimedia", "total",
  };
  JsonObject *by_channel = json_node_get_object (member (json, "individual_advice.by_channel"));
  JsonObject *programmes = json_node_get_object (member (json, "programmes"));
  JsonArray *months = json_node_get_array (member (json, "months"));

  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    get_int (json, ints[i]);
  for (guint i = 0; i < G_N_ELEMENTS (shares); i++)
    {
      double share = get_share (json, shares[i]);

      g_assert_cmpfloat (share, >=, 0.0);
      g_assert_cmpfloat (share, <=, 1.0);
    }

  /* Every code of its vocabulary, and nothing else. */
  g_assert_cmpuint (json_object_get_size (by_channel), ==, g_strv_length ((char **) cdm_channels));
  for (guint i = 0; cdm_channels[i] != NULL; i++)
    g_assert_true (json_object_has_member (by_channel, cdm_channels[i]));
  g_assert_cmpuint (json_object_get_size (programmes), ==, g_strv_length ((char **) cdm_programmes));
  for (guint i = 0; cdm_programmes[i] != NULL; i++)
    g_assert_true (json_object_has_member (programmes, cdm_programmes[i]));

  g_assert_cmpuint (json_array_get_length (months), ==, 12);
  for (guint m = 0; m < 12; m++)
    {
      JsonObject *month = json_array_get_object_element (months, m);
      g_autofree char *name = g_strdup_printf ("2020-%02u", m + 1);
      JsonArray *closed;

      g_assert_cmpstr (json_object_get_string_member (month, "month"), ==, name);
      for (guint i = 0; i < G_N_ELEMENTS (month_ints); i++)
        g_assert_cmpint (json_node_get_value_type (json_object_get_member (month, month_ints[i])),
                         ==, G_TYPE_INT64);
      closed = json_object_get_array_member (month, "closed");
      g_assert_nonnull (closed);
      for (guint i = 0; i < json_array_get_length (closed); i++)
        g_assert_true (cdm_code_valid (cdm_closure_scopes, json_array_get_string_element (closed, i)));
    }

  /* It serialises and parses back to the same numbers. */
  {
    g_autofree char *text = json_text (json);
    g_autoptr(JsonObject) back = parse_object (text);

    g_assert_cmpint (get_int (back, "total_contacts"), ==, 29523);
    g_assert_cmpint (get_int (back, "months.2.total"), ==, get_int (json, "months.2.total"));
  }
}

/* The CSV is a tidy RFC 4180 table that says what the JSON says. */
static void
test_csv (Fixture       *fx,
          gconstpointer  data)
{
  g_autoptr(CdmReport) report = compute (fx->store, 2020);
  g_autoptr(JsonObject) json = cdm_report_to_json (report);
  g_autofree char *csv = cdm_report_to_csv (report);
  g_autoptr(GPtrArray) rows = parse_csv (csv);
  char **header = rows->pdata[0];
  gint64 month_sum = 0;

  g_assert_cmpstrv (header, ((const char * const[]) { "figure", "breakdown", "period", "value", NULL }));
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpuint (g_strv_length (rows->pdata[i]), ==, 4);

  g_assert_cmpint (csv_int (rows, "total_contacts", "", "2020"), ==, 29523);
  g_assert_cmpint (csv_int (rows, "individual_advice", "", "2020"), ==, 14466);
  g_assert_cmpint (csv_int (rows, "individual_advice", "call_centre", "2020"), ==, 2828);
  g_assert_cmpint (csv_int (rows, "group_activities_held", "online", "2020"), ==, 568);
  g_assert_cmpint (csv_int (rows, "group_participants", "", "2020"), ==, 10380);
  g_assert_cmpint (csv_int (rows, "multimedia", "", "2020"), ==, 4677);
  g_assert_cmpint (csv_int (rows, "programmes", "neet", "2020"), ==, 249);
  g_assert_cmpint (csv_int (rows, "profile_gender", "unknown", "2020"), ==, 3660);
  g_assert_cmpint (csv_int (rows, "remote_requests", "unanswered", "2020"), ==, 50);
  g_assert_cmpint (csv_int (rows, "objective", "target", "2020"), ==, 50000);
  g_assert_cmpstr (csv_value (rows, "satisfaction", "satisfied", "2020"), ==, "0.9500");
  g_assert_cmpstr (csv_value (rows, "remote_answered_within_48h", "", "2020"), ==, "0.9714");
  /* Unknown shares are empty. */
  g_assert_cmpstr (csv_value (rows, "profile_region_share", "brussels", "2020"), ==, "");

  for (guint m = 1; m <= 12; m++)
    {
      g_autofree char *period = g_strdup_printf ("2020-%02u", m);
      g_autofree char *path = g_strdup_printf ("months.%u.total", m - 1);

      g_assert_cmpint (csv_int (rows, "total_contacts", "", period), ==, get_int (json, path));
      month_sum += csv_int (rows, "total_contacts", "", period);
    }
  g_assert_cmpint (month_sum, ==, 29523);
  g_assert_cmpint (csv_int (rows, "closed", "advice", "2020-04"), ==, 1);
  g_assert_cmpint (csv_int (rows, "closed", "all", "2020-12"), ==, 1);
}

static void
test_text (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(CdmReport) report = compute (fx->store, 2020);
  g_autofree char *text = cdm_report_to_text (report);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_nonnull (strstr (text, "2020"));
  g_assert_nonnull (strstr (text, "29523"));
  g_assert_nonnull (strstr (text, "14466"));
  g_assert_nonnull (strstr (text, "10380"));
  g_assert_nonnull (strstr (text, "4677"));
  g_assert_nonnull (strstr (text, "2020-11"));
}

/* Small stores */

static void
put_contact (CdmStore   *store,
             const char *occurred_at,
             const char *extra)
{
  g_autofree char *json = g_strdup_printf ("{\"occurred_at\":\"%s\",\"site\":\"remote\","
                                           "\"service\":\"individual_advice\",\"channel\":\"email\"%s%s}",
                                           occurred_at, extra != NULL ? "," : "", extra != NULL ? extra : "");
  g_autofree char *id = put_json (store, CDM_ENTITY_CONTACT, json);
}

static void
test_remote_48h (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *deleted = NULL;

  /* In time: 2 h, exactly 48 h (across a change of offset), answered on
   * the next day. */
  put_contact (fx->store, "2022-05-03T10:00:00+02:00",
               "\"received_at\":\"2022-05-03T08:00:00+02:00\",\"answered_at\":\"2022-05-03T10:00:00+02:00\"");
  put_contact (fx->store, "2022-05-05T10:00:00+02:00",
               "\"received_at\":\"2022-05-03T08:00:00Z\",\"answered_at\":\"2022-05-05T10:00:00+02:00\"");
  put_contact (fx->store, "2022-06-01T09:00:00+02:00",
               "\"received_at\":\"2022-05-31T17:00:00+02:00\",\"answered_at\":\"2022-06-01T09:00:00+02:00\"");
  /* Late: one second past 48 h, and a week. */
  put_contact (fx->store, "2022-05-05T10:00:01+02:00",
               "\"received_at\":\"2022-05-03T10:00:00+02:00\",\"answered_at\":\"2022-05-05T10:00:01+02:00\"");
  put_contact (fx->store, "2022-09-12T10:00:00+02:00",
               "\"received_at\":\"2022-09-05T10:00:00+02:00\",\"answered_at\":\"2022-09-12T10:00:00+02:00\"");
  /* Not answered: late. */
  put_contact (fx->store, "2022-10-03T10:00:00+02:00",
               "\"received_at\":\"2022-10-03T09:00:00+02:00\"");
  /* Not a remote request at all. */
  put_contact (fx->store, "2022-10-03T10:00:00+02:00", NULL);
  /* A tombstoned request counts nowhere. */
  deleted = put_json (fx->store, CDM_ENTITY_CONTACT,
                      "{\"occurred_at\":\"2022-10-04T10:00:00+02:00\",\"site\":\"remote\","
                      "\"service\":\"individual_advice\",\"channel\":\"email\","
                      "\"received_at\":\"2022-10-04T09:00:00+02:00\"}");
  g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_CONTACT, deleted, &error));
  g_assert_no_error (error);

  json = compute_json (fx->store, 2022);
  g_assert_cmpint (get_int (json, "remote.requests"), ==, 6);
  g_assert_cmpint (get_int (json, "remote.within_48h"), ==, 3);
  g_assert_cmpint (get_int (json, "remote.answered_late"), ==, 2);
  g_assert_cmpint (get_int (json, "remote.unanswered"), ==, 1);
  g_assert_cmpint (get_int (json, "remote.late"), ==, 3);
  g_assert_cmpfloat_with_epsilon (get_share (json, "remote_answered_within_48h"), 0.5, 1e-12);
  g_assert_cmpint (get_int (json, "individual_advice.total"), ==, 7);
}

static void
put_response (CdmStore   *store,
              const char *json)
{
  g_autofree char *id = put_json (store, CDM_ENTITY_SATISFACTION, json);
}

static void
test_satisfaction (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) empty = compute_json (fx->store, 2022);
  g_autoptr(JsonObject) json = NULL;

  /* No response: unknown shares, not zero. */
  g_assert_cmpint (get_int (empty, "satisfaction.responses"), ==, 0);
  g_assert_true (is_null (empty, "satisfaction.satisfied"));
  g_assert_true (is_null (empty, "satisfaction.excellent"));
  g_assert_true (is_null (empty, "satisfaction.recommend"));
  g_assert_true (is_null (empty, "satisfaction.found"));

  put_response (fx->store, "{\"answered_on\":\"2022-03-01\",\"score\":10,\"recommend\":true,\"found\":true}");
  put_response (fx->store, "{\"answered_on\":\"2022-03-02\",\"score\":9,\"recommend\":true}");
  put_response (fx->store, "{\"answered_on\":\"2022-03-03\",\"score\":6,\"recommend\":false,\"found\":false}");
  put_response (fx->store, "{\"answered_on\":\"2022-03-04\",\"score\":5}");
  put_response (fx->store, "{\"answered_on\":\"2023-01-01\",\"score\":0,\"recommend\":false,\"found\":false}");

  json = compute_json (fx->store, 2022);
  g_assert_cmpint (get_int (json, "satisfaction.responses"), ==, 4);
  g_assert_cmpfloat_with_epsilon (get_share (json, "satisfaction.satisfied"), 0.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (get_share (json, "satisfaction.excellent"), 0.5, 1e-12);
  /* Over those who answered the question. */
  g_assert_cmpfloat_with_epsilon (get_share (json, "satisfaction.recommend"), 2.0 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (get_share (json, "satisfaction.found"), 0.5, 1e-12);
  g_assert_cmpint (get_int (json, "satisfaction.recommend_answers"), ==, 3);
  g_assert_cmpint (get_int (json, "satisfaction.found_answers"), ==, 2);
}

static void
test_profile (Fixture       *fx,
              gconstpointer  data)
{
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *deleted = NULL;

  put_contact (fx->store, "2022-02-01T10:00:00+01:00",
               "\"profile\":{\"gender\":\"f\",\"age_band\":\"18_24\",\"region\":\"brussels\","
               "\"status\":\"job_seeker\",\"education\":\"higher\",\"foreign_diploma\":true,"
               "\"language\":\"fr\",\"first_visit\":true,\"heard_from\":\"social_media\"}");
  put_contact (fx->store, "2022-02-02T10:00:00+01:00",
               "\"profile\":{\"gender\":\"m\",\"age_band\":\"18_24\",\"foreign_diploma\":false,"
               "\"language\":\"ar\",\"first_visit\":false}");
  put_contact (fx->store, "2022-02-03T10:00:00+01:00",
               "\"profile\":{\"gender\":\"f\",\"language\":\"fr\"}");
  put_contact (fx->store, "2022-02-04T10:00:00+01:00", NULL);
  /* Not of 2022, or tombstoned: nowhere. */
  put_contact (fx->store, "2021-12-31T22:00:00Z", "\"profile\":{\"gender\":\"x\",\"language\":\"nl\"}");
  deleted = put_json (fx->store, CDM_ENTITY_CONTACT,
                      "{\"occurred_at\":\"2022-02-05T10:00:00+01:00\",\"site\":\"centre\","
                      "\"service\":\"multimedia\",\"channel\":\"in_person\","
                      "\"profile\":{\"gender\":\"x\",\"language\":\"nl\"}}");
  g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_CONTACT, deleted, &error));
  g_assert_no_error (error);

  json = compute_json (fx->store, 2022);
  g_assert_cmpint (get_int (json, "profile.gender.answered"), ==, 3);
  g_assert_cmpint (get_int (json, "profile.gender.unknown"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.gender.counts.f"), ==, 2);
  g_assert_cmpint (get_int (json, "profile.gender.counts.m"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.gender.counts.x"), ==, 0);
  g_assert_cmpfloat_with_epsilon (get_share (json, "profile.gender.shares.f"), 2.0 / 3.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (get_share (json, "profile.gender.shares.x"), 0.0, 1e-12);
  g_assert_cmpint (get_int (json, "profile.age_band.counts.18_24"), ==, 2);
  g_assert_cmpint (get_int (json, "profile.age_band.unknown"), ==, 2);
  g_assert_cmpint (get_int (json, "profile.region.counts.brussels"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.region.unknown"), ==, 3);
  g_assert_cmpint (get_int (json, "profile.status.counts.job_seeker"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.education.counts.higher"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.foreign_diploma.counts.yes"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.foreign_diploma.counts.no"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.foreign_diploma.unknown"), ==, 2);
  g_assert_cmpint (get_int (json, "profile.first_visit.counts.yes"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.heard_from.counts.social_media"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.heard_from.unknown"), ==, 3);
  g_assert_cmpint (get_int (json, "profile.language.counts.fr"), ==, 2);
  g_assert_cmpint (get_int (json, "profile.language.counts.ar"), ==, 1);
  g_assert_cmpint (get_int (json, "profile.language.unknown"), ==, 1);
  g_assert_false (json_object_has_member (json_node_get_object (member (json, "profile.language.counts")), "nl"));
  g_assert_cmpfloat_with_epsilon (get_share (json, "profile.language.shares.ar"), 1.0 / 3.0, 1e-12);
}

static void
test_objective (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autoptr(JsonObject) bad = NULL;

  put_contact (fx->store, "2022-02-01T10:00:00+01:00", NULL);
  g_assert_cmpint (cdm_report_objective (fx->store), ==, 50000);

  g_assert_true (cdm_store_set_setting (fx->store, "objective", "4", &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_report_objective (fx->store), ==, 4);
  json = compute_json (fx->store, 2022);
  g_assert_cmpint (get_int (json, "objective.target"), ==, 4);
  g_assert_cmpint (get_int (json, "objective.reached"), ==, 1);
  g_assert_cmpfloat_with_epsilon (get_share (json, "objective.progress"), 0.25, 1e-12);

  /* A setting that is not a positive number falls back to the default. */
  g_assert_true (cdm_store_set_setting (fx->store, "objective", "many", &error));
  g_assert_cmpint (cdm_report_objective (fx->store), ==, 50000);
  g_assert_true (cdm_store_set_setting (fx->store, "objective", "0", &error));
  g_assert_cmpint (cdm_report_objective (fx->store), ==, 50000);
  bad = compute_json (fx->store, 2022);
  g_assert_cmpint (get_int (bad, "objective.target"), ==, 50000);
}

static void
test_empty (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(CdmReport) report = compute (fx->store, 2020);
  g_autoptr(JsonObject) json = cdm_report_to_json (report);
  g_autofree char *text = cdm_report_to_text (report);
  g_autofree char *csv = cdm_report_to_csv (report);
  g_autoptr(GPtrArray) rows = parse_csv (csv);

  g_assert_cmpint (get_int (json, "total_contacts"), ==, 0);
  g_assert_cmpint (get_int (json, "months.11.total"), ==, 0);
  g_assert_cmpstr (json_node_get_string (member (json, "months.11.month")), ==, "2020-12");
  g_assert_true (is_null (json, "remote_answered_within_48h"));
  g_assert_true (is_null (json, "satisfaction.satisfied"));
  g_assert_cmpfloat_with_epsilon (get_share (json, "objective.progress"), 0.0, 1e-12);
  g_assert_nonnull (strstr (text, "2020"));
  g_assert_cmpint (csv_int (rows, "total_contacts", "", "2020"), ==, 0);
  g_assert_cmpstr (csv_value (rows, "remote_answered_within_48h", "", "2020"), ==, "");
}

static void
test_bad_year (Fixture       *fx,
               gconstpointer  data)
{
  static const int years[] = { 0, 999, 10000, -2020 };

  for (guint i = 0; i < G_N_ELEMENTS (years); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CdmReport) report = cdm_report_compute (fx->store, years[i], NULL, &error);

      g_assert_null (report);
      g_assert_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_BAD_YEAR);
    }
}

/* Async, and cancellation */

typedef struct {
  GMainLoop *loop;
  CdmReport *report;
  GError *error;
} AsyncResult;

static void
on_computed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->report = cdm_report_compute_finish (CDM_STORE (source), result, &r->error);
  g_main_loop_quit (r->loop);
}

static void
test_async (Fixture       *fx,
            gconstpointer  data)
{
  AsyncResult r = { g_main_loop_new (NULL, FALSE), NULL, NULL };
  g_autoptr(CdmReport) sync = compute (fx->store, 2020);
  g_autoptr(JsonObject) sync_json = cdm_report_to_json (sync);
  g_autoptr(JsonObject) async_json = NULL;
  g_autofree char *a = json_text (sync_json);
  g_autofree char *b = NULL;

  cdm_report_compute_async (fx->store, 2020, NULL, on_computed, &r);
  g_main_loop_run (r.loop);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.report);
  async_json = cdm_report_to_json (r.report);
  b = json_text (async_json);
  g_assert_cmpstr (a, ==, b);

  cdm_report_unref (r.report);
  g_main_loop_unref (r.loop);
}

static void
test_cancelled (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmReport) report = NULL;
  AsyncResult r = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  g_cancellable_cancel (cancellable);
  report = cdm_report_compute (fx->store, 2020, cancellable, &error);
  g_assert_null (report);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  cdm_report_compute_async (fx->store, 2020, cancellable, on_computed, &r);
  g_main_loop_run (r.loop);
  g_assert_null (r.report);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  g_main_loop_unref (r.loop);

  /* The store is still usable. */
  g_clear_pointer (&report, cdm_report_unref);
  report = compute (fx->store, 2020);
  g_assert_cmpint (cdm_report_get_total_contacts (report), ==, 29523);
}

/* The per-day contact figures.  The report reads contact figures from
 * contact_stats, kept by triggers; after every kind of write it must be
 * the report a count of the contacts themselves gives. */

/* contact_stats recounted from the live contacts, with the keys written
 * out again here rather than taken from the schema: rows (day, key, n)
 * that one side has and the other has not. */
static const char stats_mismatch_sql[] =
  "WITH k (day, key) AS ("
  "  SELECT day, 'channel:' || service || ':' || channel FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT day, 'programmes:' || programmes FROM contacts WHERE deleted = 0 AND programmes <> 0"
  "  UNION ALL SELECT day, 'gender:' || ifnull (p_gender, '') FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT day, 'age_band:' || ifnull (p_age_band, '') FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT day, 'region:' || ifnull (p_region, '') FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT day, 'status:' || ifnull (p_status, '') FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT day, 'education:' || ifnull (p_education, '') FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT day, 'foreign_diploma:' || ifnull (p_foreign_diploma, '') FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT day, 'language:' || ifnull (p_language, '') FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT day, 'first_visit:' || ifnull (p_first_visit, '') FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT day, 'heard_from:' || ifnull (p_heard_from, '') FROM contacts WHERE deleted = 0"
  "  UNION ALL SELECT received_day, CASE WHEN answered_unix IS NULL THEN 'remote:unanswered'"
  "                                      WHEN answered_unix - received_unix <= 48 * 3600 THEN 'remote:within_48h'"
  "                                      ELSE 'remote:answered_late' END"
  "    FROM contacts WHERE deleted = 0 AND received_day IS NOT NULL),"
  " expected (day, key, n) AS (SELECT day, key, count (*) FROM k GROUP BY 1, 2) "
  "SELECT 'missing', * FROM (SELECT * FROM expected EXCEPT SELECT * FROM contact_stats) "
  "UNION ALL "
  "SELECT 'extra', * FROM (SELECT * FROM contact_stats EXCEPT SELECT * FROM expected) "
  "LIMIT 10";

/* Every row of contact_stats is the count of its day and key, and no
 * other row is there (zero counts included), read on a connection of
 * its own, so only what was committed. */
static void
assert_stats_table_exact (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *mismatches = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, stats_mismatch_sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (mismatches, "%s %s %s %lld; ",
                            sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2), (long long) sqlite3_column_int64 (stmt, 3));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpstr (mismatches->str, ==, "");
  g_string_free (mismatches, TRUE);
}

/* The path of the first place where @a and @b differ ("remote.unanswered",
 * "months.3.by_channel.chat"), or NULL. (transfer full) */
static char *
first_difference (JsonNode   *a,
                  JsonNode   *b,
                  const char *path)
{
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return g_strdup (path);

  if (JSON_NODE_HOLDS_OBJECT (a))
    {
      JsonObject *oa = json_node_get_object (a);
      JsonObject *ob = json_node_get_object (b);
      g_autoptr(GList) members = json_object_get_members (oa);

      if (json_object_get_size (oa) != json_object_get_size (ob))
        return g_strdup (path);
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *child = g_strconcat (path, *path != '\0' ? "." : "", l->data, NULL);
          char *found;

          if (!json_object_has_member (ob, l->data))
            return g_steal_pointer (&child);
          found = first_difference (json_object_get_member (oa, l->data),
                                    json_object_get_member (ob, l->data), child);
          if (found != NULL)
            return found;
        }
      return NULL;
    }

  if (JSON_NODE_HOLDS_ARRAY (a))
    {
      JsonArray *aa = json_node_get_array (a);
      JsonArray *ab = json_node_get_array (b);

      if (json_array_get_length (aa) != json_array_get_length (ab))
        return g_strdup (path);
      for (guint i = 0; i < json_array_get_length (aa); i++)
        {
          g_autofree char *child = g_strdup_printf ("%s.%u", path, i);
          char *found = first_difference (json_array_get_element (aa, i),
                                          json_array_get_element (ab, i), child);

          if (found != NULL)
            return found;
        }
      return NULL;
    }

  return json_node_equal (a, b) ? NULL : g_strdup (path);
}

/* The report of @year from contact_stats is the recount's. */
static void
assert_report_exact (CdmStore *store,
                     int       year)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmReport) fast = compute (store, year);
  g_autoptr(CdmReport) slow = _cdm_report_compute_recount (store, year, NULL, &error);
  g_autoptr(JsonNode) a = json_node_alloc ();
  g_autoptr(JsonNode) b = json_node_alloc ();

  g_assert_no_error (error);
  g_assert_nonnull (slow);
  json_node_take_object (a, cdm_report_to_json (fast));
  json_node_take_object (b, cdm_report_to_json (slow));
  if (!json_node_equal (a, b))
    {
      g_autofree char *where = first_difference (a, b, "");
      g_autofree char *fast_value = NULL;
      g_autofree char *slow_value = NULL;

      if (where != NULL && *where != '\0')
        {
          fast_value = json_to_string (member (json_node_get_object (a), where), FALSE);
          slow_value = json_to_string (member (json_node_get_object (b), where), FALSE);
        }
      g_error ("the report of %d from contact_stats differs from the recount at “%s”: %s, recounted %s",
               year, where != NULL ? where : "", fast_value != NULL ? fast_value : "",
               slow_value != NULL ? slow_value : "");
    }
}

static void
assert_same_json (JsonObject *a,
                  JsonObject *b)
{
  g_autoptr(JsonNode) na = json_node_init_object (json_node_alloc (), a);
  g_autoptr(JsonNode) nb = json_node_init_object (json_node_alloc (), b);

  g_assert_true (json_node_equal (na, nb));
}

/* The reports of @first_year..@last_year are the recount's, and the
 * table itself is exact. */
static void
assert_stats_exact (Fixture *fx,
                    int      first_year,
                    int      last_year)
{
  for (int year = first_year; year <= last_year; year++)
    assert_report_exact (fx->store, year);
  assert_stats_table_exact (fx->path);
}

static JsonObject *
get_contact (CdmStore   *store,
             const char *id)
{
  g_autoptr(GError) error = NULL;
  JsonObject *record = cdm_store_get (store, CDM_ENTITY_CONTACT, id, FALSE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static void
put_record (CdmStore   *store,
            JsonObject *record)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_store_put (store, CDM_ENTITY_CONTACT, record, NULL, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
collect_id (JsonObject *record,
            gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (json_object_get_string_member (record, "id")));
  return TRUE;
}

/* The ids of the store's live contacts, in creation order. */
static GPtrArray *
contact_ids (CdmStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (cdm_store_foreach (store, CDM_ENTITY_CONTACT, FALSE, collect_id, ids, NULL, &error));
  g_assert_no_error (error);
  return ids;
}

/* The figure at @path ("individual_advice.total") of @year. */
static gint64
report_int (CdmStore   *store,
            int         year,
            const char *path)
{
  g_autoptr(JsonObject) json = compute_json (store, year);

  return get_int (json, path);
}

static void
test_stats_fixture (Fixture       *fx,
                    gconstpointer  data)
{
  assert_stats_exact (fx, 2019, 2021);
}

/* Edits move counts between keys, days, months and years. */
static void
test_stats_edits (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = contact_ids (fx->store);
  gint64 chats = report_int (fx->store, 2020, "individual_advice.by_channel.chat");
  gint64 advice_2021 = report_int (fx->store, 2021, "individual_advice.total");

  g_assert_cmpuint (ids->len, >, 100);

  /* The channel changed: one chat more. */
  {
    g_autoptr(JsonObject) c = get_contact (fx->store, ids->pdata[0]);

    g_assert_cmpstr (json_object_get_string_member (c, "service"), ==, "individual_advice");
    g_assert_cmpstr (json_object_get_string_member (c, "channel"), !=, "chat");
    json_object_set_string_member (c, "channel", "chat");
    put_record (fx->store, c);
  }
  g_assert_cmpint (report_int (fx->store, 2020, "individual_advice.by_channel.chat"), ==, chats + 1);
  assert_report_exact (fx->store, 2020);

  /* The profile filled in, changed, then emptied. */
  for (guint i = 1; i <= 3; i++)
    {
      g_autoptr(JsonObject) c = get_contact (fx->store, ids->pdata[i]);
      g_autoptr(JsonObject) profile = parse_object (
        i == 1 ? "{\"gender\":\"x\",\"age_band\":\"50_plus\",\"region\":\"abroad\",\"status\":\"student\","
                 "\"education\":\"primary\",\"foreign_diploma\":true,\"language\":\"es\","
                 "\"first_visit\":false,\"heard_from\":\"campaign\"}"
        : i == 2 ? "{\"gender\":\"m\",\"language\":\"nl\"}"
        : "{}");

      json_object_set_object_member (c, "profile", g_steal_pointer (&profile));
      put_record (fx->store, c);
      assert_report_exact (fx->store, 2020);
    }

  /* Programmes, service, the remote request and its answer. */
  {
    g_autoptr(JsonObject) c = get_contact (fx->store, ids->pdata[4]);
    g_autoptr(JsonObject) remote = get_contact (fx->store, ids->pdata[5]);

    json_object_set_array_member (c, "programmes", json_array_new ());
    json_array_add_string_element (json_object_get_array_member (c, "programmes"), "neet");
    json_array_add_string_element (json_object_get_array_member (c, "programmes"), "schools");
    json_object_set_string_member (c, "service", "multimedia");
    put_record (fx->store, c);
    assert_report_exact (fx->store, 2020);

    json_object_set_string_member (remote, "occurred_at", "2020-06-03T10:00:00+02:00");
    json_object_set_string_member (remote, "received_at", "2020-05-29T10:00:00+02:00");
    json_object_set_null_member (remote, "answered_at");
    put_record (fx->store, remote);
    assert_report_exact (fx->store, 2020);
    json_object_set_string_member (remote, "answered_at", "2020-05-30T10:00:00+02:00");
    put_record (fx->store, remote);
    assert_report_exact (fx->store, 2020);
    json_object_set_null_member (remote, "received_at");
    json_object_set_null_member (remote, "answered_at");
    put_record (fx->store, remote);
    assert_report_exact (fx->store, 2020);
  }

  /* To another month, then to another year (Brussels time). */
  {
    g_autoptr(JsonObject) c = get_contact (fx->store, ids->pdata[6]);

    json_object_set_string_member (c, "occurred_at", "2020-09-15T12:00:00+02:00");
    put_record (fx->store, c);
    assert_report_exact (fx->store, 2020);
    json_object_set_string_member (c, "service", "individual_advice");
    json_object_set_string_member (c, "occurred_at", "2020-12-31T23:30:00Z");
    put_record (fx->store, c);
  }
  g_assert_cmpint (report_int (fx->store, 2021, "individual_advice.total"), ==, advice_2021 + 1);
  assert_report_exact (fx->store, 2020);
  assert_report_exact (fx->store, 2021);

  /* A change that is none of the figures' business. */
  {
    g_autoptr(JsonObject) c = get_contact (fx->store, ids->pdata[7]);

    json_object_set_string_member (c, "note", "called back");
    json_object_set_int_member (c, "duration_min", 25);
    put_record (fx->store, c);
  }
  assert_stats_exact (fx, 2019, 2021);
}

/* Tombstones (deletes and "deleted": true), undeletes, and rows removed
 * outright. */
static void
test_stats_deletes (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = contact_ids (fx->store);
  g_autoptr(GError) error = NULL;
  gint64 total = report_int (fx->store, 2020, "total_contacts");

  for (guint i = 0; i < 10; i++)
    {
      g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_CONTACT, ids->pdata[i], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (report_int (fx->store, 2020, "total_contacts"), ==, total - 10);
  assert_report_exact (fx->store, 2020);
  assert_report_exact (fx->store, 2021);

  /* Deleting again changes nothing. */
  g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_CONTACT, ids->pdata[0], &error));
  g_assert_no_error (error);
  assert_report_exact (fx->store, 2020);

  for (guint i = 0; i < 5; i++)
    {
      g_assert_true (cdm_store_undelete (fx->store, CDM_ENTITY_CONTACT, ids->pdata[i], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (report_int (fx->store, 2020, "total_contacts"), ==, total - 5);
  assert_report_exact (fx->store, 2020);

  /* A tombstone put over a live contact, then undone; one put as a new
   * record that is born deleted; a put that edits and deletes at once. */
  {
    g_autoptr(JsonObject) c = get_contact (fx->store, ids->pdata[20]);
    g_autoptr(JsonObject) d = get_contact (fx->store, ids->pdata[21]);
    g_autofree char *born_deleted = NULL;

    json_object_set_boolean_member (c, "deleted", TRUE);
    put_record (fx->store, c);
    g_assert_cmpint (report_int (fx->store, 2020, "total_contacts"), ==, total - 6);
    assert_report_exact (fx->store, 2020);
    g_assert_true (cdm_store_undelete (fx->store, CDM_ENTITY_CONTACT, ids->pdata[20], &error));
    g_assert_no_error (error);
    assert_report_exact (fx->store, 2020);

    born_deleted = put_json (fx->store, CDM_ENTITY_CONTACT,
                             "{\"occurred_at\":\"2020-03-02T10:00:00+01:00\",\"site\":\"centre\","
                             "\"service\":\"individual_advice\",\"channel\":\"in_person\","
                             "\"profile\":{\"gender\":\"f\"},\"deleted\":true}");
    g_assert_cmpint (report_int (fx->store, 2020, "total_contacts"), ==, total - 5);

    json_object_set_string_member (d, "channel", "video");
    json_object_set_boolean_member (d, "deleted", TRUE);
    put_record (fx->store, d);
    g_assert_cmpint (report_int (fx->store, 2020, "total_contacts"), ==, total - 6);
    assert_report_exact (fx->store, 2020);
  }

  /* Rows removed outright (as a benchmark cleans up), live or not. */
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    g_assert_cmpint (sqlite3_exec (db, "DELETE FROM contacts WHERE rid IN "
                                   "(SELECT rid FROM contacts ORDER BY rid LIMIT 50)",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  assert_stats_exact (fx, 2019, 2021);
}

/* Values written behind the store's back that it would have refused
 * count as the recount counts them: nowhere, or as unknown. */
static void
test_stats_raw_values (Fixture       *fx,
                       gconstpointer  data)
{
  sqlite3 *db = NULL;

  for (guint i = 0; i < 8; i++)
    put_contact (fx->store, "2022-03-01T10:00:00+01:00",
                 "\"received_at\":\"2022-03-01T08:00:00+01:00\","
                 "\"profile\":{\"gender\":\"f\",\"language\":\"fr\",\"first_visit\":true}");
  assert_stats_exact (fx, 2022, 2022);

  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE contacts SET channel = 'fax' WHERE rid = 1;"
                                 "UPDATE contacts SET service = 'individual_advice:email', channel = '' WHERE rid = 2;"
                                 "UPDATE contacts SET p_gender = '', p_language = 'FR' WHERE rid = 3;"
                                 "UPDATE contacts SET p_language = 'fra', p_heard_from = 'radio' WHERE rid = 4;"
                                 "UPDATE contacts SET programmes = -1 WHERE rid = 5;"
                                 "UPDATE contacts SET day = '2022-3-01' WHERE rid = 6;"
                                 "UPDATE contacts SET received_day = '2021-12-31' WHERE rid = 7;"
                                 "UPDATE contacts SET answered_unix = received_unix + 3 * 86400 WHERE rid = 8;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  assert_stats_exact (fx, 2021, 2022);
}

static void
import_text (CdmStore   *store,
             const char *ndjson,
             gboolean    ok)
{
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (ndjson, -1, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (cdm_import_ndjson (store, input, NULL, NULL, &error), ==, ok);
  if (ok)
    g_assert_no_error (error);
  else
    g_assert_error (error, CDM_IMPORT_ERROR, CDM_IMPORT_ERROR_BAD_LINE);
}

#define IMPORT_CONTACT(id, occurred, channel, extra) \
  "{\"type\":\"contact\",\"id\":\"" id "\",\"occurred_at\":\"" occurred "\",\"site\":\"centre\"," \
  "\"service\":\"individual_advice\",\"channel\":\"" channel "\"" extra "}\n"

static void
test_stats_import (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) before = NULL;
  g_autoptr(JsonObject) after = NULL;

  import_text (fx->store,
               IMPORT_CONTACT ("3f0e1c9a-0d7e-4a59-9d0e-000000000001", "2022-01-10T10:00:00+01:00", "in_person",
                               ",\"programmes\":[\"neet\"],\"profile\":{\"gender\":\"f\",\"language\":\"fr\"}")
               IMPORT_CONTACT ("3f0e1c9a-0d7e-4a59-9d0e-000000000002", "2022-02-10T10:00:00+01:00", "email",
                               ",\"received_at\":\"2022-02-07T10:00:00+01:00\","
                               "\"answered_at\":\"2022-02-10T10:00:00+01:00\"")
               IMPORT_CONTACT ("3f0e1c9a-0d7e-4a59-9d0e-000000000003", "2021-12-31T23:30:00Z", "chat", ""),
               TRUE);
  assert_stats_exact (fx, 2021, 2022);

  /* The same file again changes nothing; one that edits a contact. */
  import_text (fx->store,
               IMPORT_CONTACT ("3f0e1c9a-0d7e-4a59-9d0e-000000000001", "2022-01-10T10:00:00+01:00", "in_person",
                               ",\"programmes\":[\"neet\"],\"profile\":{\"gender\":\"f\",\"language\":\"fr\"}"),
               TRUE);
  import_text (fx->store,
               IMPORT_CONTACT ("3f0e1c9a-0d7e-4a59-9d0e-000000000001", "2022-04-10T10:00:00+02:00", "phone",
                               ",\"profile\":{\"gender\":\"m\"}"),
               TRUE);
  assert_stats_exact (fx, 2021, 2022);

  /* A file with a bad line writes nothing, the figures included. */
  before = compute_json (fx->store, 2022);
  import_text (fx->store,
               IMPORT_CONTACT ("3f0e1c9a-0d7e-4a59-9d0e-000000000004", "2022-05-10T10:00:00+02:00", "phone", "")
               IMPORT_CONTACT ("3f0e1c9a-0d7e-4a59-9d0e-000000000002", "2022-05-10T10:00:00+02:00", "video", "")
               IMPORT_CONTACT ("3f0e1c9a-0d7e-4a59-9d0e-000000000005", "2022-05-10T10:00:00+02:00", "telegraph", ""),
               FALSE);
  after = compute_json (fx->store, 2022);
  assert_same_json (before, after);
  assert_stats_exact (fx, 2021, 2022);
}

/* Writes in a transaction that is rolled back leave the figures as they
 * were. */
static void
test_stats_rollback (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = contact_ids (fx->store);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) before = compute_json (fx->store, 2020);
  g_autoptr(JsonObject) after = NULL;

  g_assert_true (cdm_store_begin (fx->store, FALSE, &error));
  g_assert_no_error (error);
  {
    g_autoptr(JsonObject) c = get_contact (fx->store, ids->pdata[0]);
    g_autofree char *added = NULL;

    json_object_set_string_member (c, "channel", "video");
    put_record (fx->store, c);
    g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_CONTACT, ids->pdata[1], &error));
    added = put_json (fx->store, CDM_ENTITY_CONTACT,
                      "{\"occurred_at\":\"2020-04-02T10:00:00+02:00\",\"site\":\"centre\","
                      "\"service\":\"individual_advice\",\"channel\":\"phone\"}");
    /* Inside the transaction, the figures see its writes. */
    assert_report_exact (fx->store, 2020);
    g_assert_cmpint (report_int (fx->store, 2020, "individual_advice.by_channel.video"), ==,
                     get_int (before, "individual_advice.by_channel.video") + 1);
  }
  cdm_store_rollback (fx->store);

  after = compute_json (fx->store, 2020);
  assert_same_json (before, after);
  assert_stats_exact (fx, 2020, 2020);
}

/* Random writes */

static const char * const random_offsets[] = { "Z", "+01:00", "+02:00", "-05:00" };

/* An optional code of @codes, absent one time in four. */
static void
maybe_code (GRand              *rand,
            JsonObject         *object,
            const char         *member,
            const char * const *codes)
{
  guint n = g_strv_length ((char **) codes);

  if (g_rand_int_range (rand, 0, 4) > 0)
    json_object_set_string_member (object, member, codes[g_rand_int_range (rand, 0, n)]);
}

/* Random contact fields around the turn of 2021 to 2022, in @c. */
static void
randomize_contact (GRand      *rand,
                   JsonObject *c)
{
  static const char * const languages[] = { "fr", "nl", "en", "ar", "es", NULL };
  JsonObject *profile = json_object_new ();
  JsonArray *programmes = json_array_new ();
  GDateTime *base = g_date_time_new_utc (2021, 12, 20, 0, 0, 0);
  g_autoptr(GDateTime) occurred = g_date_time_add_seconds (base, g_rand_int_range (rand, 0, 24 * 86400));
  g_autofree char *occurred_at = g_date_time_format (occurred, "%Y-%m-%dT%H:%M:%S");
  const char *offset = random_offsets[g_rand_int_range (rand, 0, G_N_ELEMENTS (random_offsets))];

  g_date_time_unref (base);
  json_object_set_string_member (c, "occurred_at", occurred_at);
  /* The text carries its offset; occurred_at above is a wall time in it. */
  {
    g_autofree char *with_offset = g_strconcat (occurred_at, offset, NULL);

    json_object_set_string_member (c, "occurred_at", with_offset);
  }
  json_object_set_string_member (c, "site", cdm_sites[g_rand_int_range (rand, 0, g_strv_length ((char **) cdm_sites))]);
  json_object_set_string_member (c, "service", cdm_services[g_rand_int_range (rand, 0, 2)]);
  json_object_set_string_member (c, "channel",
                                 cdm_channels[g_rand_int_range (rand, 0, g_strv_length ((char **) cdm_channels))]);

  for (guint i = 0; cdm_programmes[i] != NULL; i++)
    if (g_rand_int_range (rand, 0, 6) == 0)
      json_array_add_string_element (programmes, cdm_programmes[i]);
  json_object_set_array_member (c, "programmes", programmes);

  maybe_code (rand, profile, "gender", cdm_genders);
  maybe_code (rand, profile, "age_band", cdm_age_bands);
  maybe_code (rand, profile, "region", cdm_regions);
  maybe_code (rand, profile, "status", cdm_statuses);
  maybe_code (rand, profile, "education", cdm_education_levels);
  maybe_code (rand, profile, "language", languages);
  maybe_code (rand, profile, "heard_from", cdm_heard_from);
  if (g_rand_boolean (rand))
    json_object_set_boolean_member (profile, "foreign_diploma", g_rand_boolean (rand));
  if (g_rand_boolean (rand))
    json_object_set_boolean_member (profile, "first_visit", g_rand_boolean (rand));
  json_object_set_object_member (c, "profile", profile);

  json_object_set_null_member (c, "received_at");
  json_object_set_null_member (c, "answered_at");
  if (g_rand_int_range (rand, 0, 3) == 0)
    {
      /* Received up to four days before, answered (or not) after it. */
      g_autoptr(GDateTime) received = g_date_time_add_seconds (occurred, -g_rand_int_range (rand, 0, 4 * 86400));
      g_autofree char *received_at = g_date_time_format (received, "%Y-%m-%dT%H:%M:%S");
      g_autofree char *received_text = g_strconcat (received_at, offset, NULL);

      json_object_set_string_member (c, "received_at", received_text);
      if (g_rand_int_range (rand, 0, 5) > 0)
        {
          g_autoptr(GDateTime) answered = g_date_time_add_seconds (received, g_rand_int_range (rand, 0, 4 * 86400));
          g_autofree char *answered_at = g_date_time_format (answered, "%Y-%m-%dT%H:%M:%S");
          g_autofree char *answered_text = g_strconcat (answered_at, offset, NULL);

          json_object_set_string_member (c, "answered_at", answered_text);
        }
    }
}

/* One random change to one random field or two of @c. */
static void
edit_contact (GRand      *rand,
              JsonObject *c)
{
  g_autoptr(JsonObject) other = json_object_new ();
  static const char * const fields[] = {
    "occurred_at", "service", "channel", "programmes", "profile", "received_at", "note",
  };
  const char *field = fields[g_rand_int_range (rand, 0, G_N_ELEMENTS (fields))];

  randomize_contact (rand, other);
  if (g_str_equal (field, "note"))
    json_object_set_string_member (c, "note", g_rand_boolean (rand) ? "called back" : "sent the link");
  else if (g_str_equal (field, "received_at"))
    {
      /* The pair goes together: an answer needs its request. */
      json_object_set_member (c, "received_at", json_node_copy (json_object_get_member (other, "received_at")));
      json_object_set_member (c, "answered_at", json_node_copy (json_object_get_member (other, "answered_at")));
      json_object_set_member (c, "occurred_at", json_node_copy (json_object_get_member (other, "occurred_at")));
    }
  else if (g_str_equal (field, "occurred_at"))
    {
      /* Moves the whole request with it, so that it stays valid. */
      json_object_set_member (c, "occurred_at", json_node_copy (json_object_get_member (other, "occurred_at")));
      json_object_set_member (c, "received_at", json_node_copy (json_object_get_member (other, "received_at")));
      json_object_set_member (c, "answered_at", json_node_copy (json_object_get_member (other, "answered_at")));
    }
  else
    json_object_set_member (c, field, json_node_copy (json_object_get_member (other, field)));
}

#define RANDOM_OPERATIONS 2000
#define RANDOM_BATCH 50

static void
test_stats_random (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());
  guint counts[5] = { 0 };
  guint rolled_back = 0;

  for (guint done = 0; done < RANDOM_OPERATIONS; done += RANDOM_BATCH)
    {
      g_autoptr(GError) error = NULL;
      guint kept = ids->len;
      gboolean roll_back = g_rand_int_range (rand, 0, 5) == 0;

      g_assert_true (cdm_store_begin (fx->store, TRUE, &error));
      g_assert_no_error (error);

      for (guint i = 0; i < RANDOM_BATCH; i++)
        {
          guint op = ids->len < 10 ? 0 : g_rand_int_range (rand, 0, 100);
          const char *id = ids->len > 0 ? ids->pdata[g_rand_int_range (rand, 0, ids->len)] : NULL;
          g_autoptr(JsonObject) c = NULL;

          if (op < 35)
            {
              /* Create; now and then born deleted. */
              char *new_id = NULL;

              c = json_object_new ();
              randomize_contact (rand, c);
              if (g_rand_int_range (rand, 0, 20) == 0)
                json_object_set_boolean_member (c, "deleted", TRUE);
              g_assert_true (cdm_store_put (fx->store, CDM_ENTITY_CONTACT, c, &new_id, NULL, &error));
              g_assert_no_error (error);
              g_ptr_array_add (ids, new_id);
              counts[0]++;
            }
          else if (op < 65)
            {
              /* Edit, or fail on a tombstone and change nothing. */
              c = cdm_store_get (fx->store, CDM_ENTITY_CONTACT, id, TRUE, &error);
              g_assert_no_error (error);
              edit_contact (rand, c);
              if (json_object_get_boolean_member (c, "deleted"))
                {
                  /* Without "deleted": true, an attempt to revive it. */
                  json_object_remove_member (c, "deleted");
                  g_assert_false (cdm_store_put (fx->store, CDM_ENTITY_CONTACT, c, NULL, NULL, &error));
                  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_DELETED);
                  g_clear_error (&error);
                }
              else
                {
                  g_assert_true (cdm_store_put (fx->store, CDM_ENTITY_CONTACT, c, NULL, NULL, &error));
                  g_assert_no_error (error);
                }
              counts[1]++;
            }
          else if (op < 80)
            {
              g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_CONTACT, id, &error));
              g_assert_no_error (error);
              counts[2]++;
            }
          else if (op < 88)
            {
              /* A tombstone put, with an edit in it at times. */
              c = cdm_store_get (fx->store, CDM_ENTITY_CONTACT, id, TRUE, &error);
              g_assert_no_error (error);
              if (g_rand_boolean (rand))
                edit_contact (rand, c);
              json_object_set_boolean_member (c, "deleted", TRUE);
              g_assert_true (cdm_store_put (fx->store, CDM_ENTITY_CONTACT, c, NULL, NULL, &error));
              g_assert_no_error (error);
              counts[3]++;
            }
          else
            {
              /* Undelete: refused unless the record's newest change is its
               * delete, still waiting to be sent. */
              if (!cdm_store_undelete (fx->store, CDM_ENTITY_CONTACT, id, &error))
                {
                  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_DELETED);
                  g_clear_error (&error);
                }
              counts[4]++;
            }
        }

      if (roll_back)
        {
          cdm_store_rollback (fx->store);
          g_ptr_array_set_size (ids, kept);
          rolled_back++;
        }
      else
        {
          g_assert_true (cdm_store_commit (fx->store, &error));
          g_assert_no_error (error);
        }
      if ((done / RANDOM_BATCH) % 10 == 9)
        assert_stats_exact (fx, 2021, 2022);
    }

  g_test_message ("%u creates, %u edits, %u deletes, %u tombstone puts, %u undeletes; "
                  "%u batches of %u rolled back; %u contacts",
                  counts[0], counts[1], counts[2], counts[3], counts[4],
                  rolled_back, RANDOM_BATCH, ids->len);
  assert_stats_exact (fx, 2020, 2023);
  g_rand_free (rand);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/report/published-2020", Fixture, NULL, fixture_set_up_2020, test_published_2020, fixture_tear_down);
  g_test_add ("/report/year-boundaries", Fixture, NULL, fixture_set_up_2020, test_year_boundaries, fixture_tear_down);
  g_test_add ("/report/index-route", Fixture, NULL, fixture_set_up_2020, test_index_route, fixture_tear_down);
  g_test_add ("/report/json-keys", Fixture, NULL, fixture_set_up_2020, test_json_keys, fixture_tear_down);
  g_test_add ("/report/csv", Fixture, NULL, fixture_set_up_2020, test_csv, fixture_tear_down);
  g_test_add ("/report/text", Fixture, NULL, fixture_set_up_2020, test_text, fixture_tear_down);
  g_test_add ("/report/async", Fixture, NULL, fixture_set_up_2020, test_async, fixture_tear_down);
  g_test_add ("/report/cancelled", Fixture, NULL, fixture_set_up_2020, test_cancelled, fixture_tear_down);
  g_test_add ("/report/remote-48h", Fixture, NULL, fixture_set_up, test_remote_48h, fixture_tear_down);
  g_test_add ("/report/satisfaction", Fixture, NULL, fixture_set_up, test_satisfaction, fixture_tear_down);
  g_test_add ("/report/profile", Fixture, NULL, fixture_set_up, test_profile, fixture_tear_down);
  g_test_add ("/report/objective", Fixture, NULL, fixture_set_up, test_objective, fixture_tear_down);
  g_test_add ("/report/empty", Fixture, NULL, fixture_set_up, test_empty, fixture_tear_down);
  g_test_add ("/report/bad-year", Fixture, NULL, fixture_set_up, test_bad_year, fixture_tear_down);
  g_test_add ("/report/stats/fixture", Fixture, NULL, fixture_set_up_2020, test_stats_fixture, fixture_tear_down);
  g_test_add ("/report/stats/edits", Fixture, NULL, fixture_set_up_2020, test_stats_edits, fixture_tear_down);
  g_test_add ("/report/stats/deletes", Fixture, NULL, fixture_set_up_2020, test_stats_deletes, fixture_tear_down);
  g_test_add ("/report/stats/raw-values", Fixture, NULL, fixture_set_up, test_stats_raw_values, fixture_tear_down);
  g_test_add ("/report/stats/import", Fixture, NULL, fixture_set_up, test_stats_import, fixture_tear_down);
  g_test_add ("/report/stats/rollback", Fixture, NULL, fixture_set_up_2020, test_stats_rollback, fixture_tear_down);
  g_test_add ("/report/stats/random", Fixture, NULL, fixture_set_up, test_stats_random, fixture_tear_down);

  status = g_test_run ();

  if (fixture_2020_dir != NULL)
    cdm_test_remove_tree (fixture_2020_dir);
  g_free (fixture_2020_dir);
  g_free (fixture_2020_path);
  return status;
}
