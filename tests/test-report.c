/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The figures of DESIGN.md section 4: the published 2020 figures from a
 * store built to them, the day boundaries in Brussels time, tombstones,
 * remote requests, satisfaction, profile shares, closures, the objective,
 * and the JSON, text and CSV forms of a report. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdm-report.h"
#include "fixture-2020.h"

typedef struct {
  char *dir;
  char *path;
  CdmStore *store;
} Fixture;

/* The 2020 fixture is built once and copied into each test's folder. */
static char *fixture_2020_dir;
static char *fixture_2020_path;

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (dir);
}

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
  remove_tree (fx->dir);
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

  status = g_test_run ();

  if (fixture_2020_dir != NULL)
    remove_tree (fixture_2020_dir);
  g_free (fixture_2020_dir);
  g_free (fixture_2020_path);
  return status;
}
