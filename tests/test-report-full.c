/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The figures with options (cdm_report_compute_full()): the same numbers
 * in JSON, CSV (long and one file per table), text and the PDF's text on
 * the published 2020 figures; a small store whose every figure is known
 * (profile, 48 h, satisfaction, closures, per organisation); month
 * ranges; the projection; small-count suppression in every output; the
 * PDF in French, Dutch and English drawn to non-blank pages; bad input
 * refused with a clear error and no file written, here and in cdmctl.
 *
 * The PDF is read back with pdftotext and pdftoppm (poppler-utils, from
 * PDFTOTEXT and PDFTOPPM); the tests that need them are skipped when
 * they are not there.  The translations are the build's (po/ in the
 * build folder). */
#include "config.h"

#include <glib/gstdio.h>
#include <libintl.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <sqlite3.h>

#include "cdm-report.h"
#include "cdm-report-pdf.h"
#include "cdm-report-private.h"
#include "cdm-schema.h"
#include "cdm-sync-store.h"
#include "fixture-2020.h"
#include "cdm-test-util.h"

typedef struct {
  char *dir;
  char *path;
  CdmStore *store;
  /* The small store's organisations. */
  char *org_a;
  char *org_b;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("cdm-test-report-full-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "desk.sqlite", NULL);
  fx->store = cdm_store_open (fx->path, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up_2020 (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture_set_up (fx, data);
  g_assert_true (fixture_2020_fill (fx->store, &error));
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
  g_free (fx->org_a);
  g_free (fx->org_b);
}

static char *
put_json (CdmStore   *store,
          CdmEntity   entity,
          const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  char *id = NULL;

  g_assert_no_error (error);
  g_assert_true (cdm_store_put (store, entity, json_node_get_object (node), &id, NULL, &error));
  g_assert_no_error (error);
  return id;
}

/* @n contacts logged by @organisation (NULL: nobody's) on @day. */
static void
put_contacts (CdmStore   *store,
              const char *organisation,
              guint       n,
              const char *day,
              const char *service,
              const char *channel,
              const char *extra)
{
  cdm_store_set_identity (store, NULL, organisation, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"occurred_at\":\"%sT10:%02u:00+01:00\",\"site\":\"centre\","
                                               "\"service\":\"%s\",\"channel\":\"%s\"%s%s}",
                                               day, i % 60, service, channel,
                                               extra != NULL ? "," : "", extra != NULL ? extra : "");
      g_autofree char *id = put_json (store, CDM_ENTITY_CONTACT, json);
    }
  cdm_store_set_identity (store, NULL, NULL, NULL);
}

static char *
put_activity (CdmStore   *store,
              const char *starts_at,
              const char *mode,
              const char *status,
              const char *organisers,
              const char *programmes,
              const int  *counts)
{
  g_autofree char *json = g_strdup_printf ("{\"title\":{\"fr\":\"Atelier\"},\"starts_at\":\"%s\","
                                           "\"duration_min\":60,\"mode\":\"%s\",\"status\":\"%s\","
                                           "\"organisers\":[%s],\"programmes\":[%s]}",
                                           starts_at, mode, status, organisers, programmes);
  char *id = put_json (store, CDM_ENTITY_ACTIVITY, json);

  for (guint i = 0; counts[i] > 0; i++)
    {
      g_autofree char *attendance = g_strdup_printf ("{\"activity\":\"%s\",\"count\":%d,"
                                                     "\"recorded_at\":\"%s\"}", id, counts[i], starts_at);
      g_autofree char *attendance_id = put_json (store, CDM_ENTITY_ATTENDANCE, attendance);
    }
  return id;
}

/* The small store, every figure of 2022 known:
 *
 *   organisation A: 12 in-person contacts in March (gender f 7, m 3, 2
 *     unknown; age 18_24 6, 30_49 4, 2 unknown), 8 remote e-mail
 *     requests in April (6 answered within 48 h, 2 never), 1 multimedia
 *     contact record in May;
 *   organisation B: 30 chat contacts in June;
 *   nobody's: 5 phone contacts in November;
 *   activities: A's in person on 15 March (NEET, 10 + 4 participants),
 *     A and B's online on 20 September (25), B's in person in October
 *     (40), B's cancelled one (50, counted nowhere);
 *   a multimedia tally of 100 in May;
 *   10 satisfaction answers: scores 10 9 9 8 7 6 6 5 3 2, 8 say whether
 *     they would recommend (6 yes), 5 whether they found (4 yes);
 *   closures: the whole centre 20 December 2021 to 5 January 2022 and 7
 *     to 20 March, the multimedia area 18 July to 15 August.
 *
 * So for the centre: advice 55 (in person 12, e-mail 8, chat 30, phone
 * 5), 3 activities held (2 in person, 1 online), 79 participants,
 * multimedia 101, total 235. */
#define SMALL_ADVICE 55
#define SMALL_PARTICIPANTS 79
#define SMALL_MULTIMEDIA 101
#define SMALL_TOTAL 235
/* For A: advice 20, 2 activities, 39 participants, 1 multimedia record. */
#define SMALL_A_TOTAL 60

static void
fixture_set_up_small (Fixture       *fx,
                      gconstpointer  data)
{
  static const int act1[] = { 10, 4, 0 }, act2[] = { 25, 0 }, act3[] = { 40, 0 }, act4[] = { 50, 0 };
  static const int scores[] = { 10, 9, 9, 8, 7, 6, 6, 5, 3, 2 };
  g_autofree char *a_only = NULL, *a_and_b = NULL, *b_only = NULL;
  g_autofree char *id1 = NULL, *id2 = NULL, *id3 = NULL, *id4 = NULL;

  fixture_set_up (fx, data);
  fx->org_a = put_json (fx->store, CDM_ENTITY_ORGANISATION,
                        "{\"name\":{\"fr\":\"Organisation A\",\"nl\":\"Organisatie A\",\"en\":\"Organisation A\"},"
                        "\"acronym\":\"OA\",\"circle\":\"first\",\"kind\":\"public_employment\"}");
  fx->org_b = put_json (fx->store, CDM_ENTITY_ORGANISATION,
                        "{\"name\":{\"fr\":\"Organisation B\"},\"circle\":\"second\",\"kind\":\"training\"}");

  put_contacts (fx->store, fx->org_a, 5, "2022-03-02", "individual_advice", "in_person",
                "\"profile\":{\"gender\":\"f\",\"age_band\":\"18_24\"}");
  put_contacts (fx->store, fx->org_a, 2, "2022-03-03", "individual_advice", "in_person",
                "\"profile\":{\"gender\":\"f\",\"age_band\":\"30_49\"}");
  put_contacts (fx->store, fx->org_a, 3, "2022-03-04", "individual_advice", "in_person",
                "\"profile\":{\"gender\":\"m\",\"age_band\":\"30_49\",\"region\":\"brussels\"}");
  put_contacts (fx->store, fx->org_a, 1, "2022-03-05", "individual_advice", "in_person",
                "\"profile\":{\"age_band\":\"18_24\"}");
  put_contacts (fx->store, fx->org_a, 1, "2022-03-21", "individual_advice", "in_person", NULL);
  put_contacts (fx->store, fx->org_a, 6, "2022-04-06", "individual_advice", "email",
                "\"received_at\":\"2022-04-05T10:00:00+02:00\",\"answered_at\":\"2022-04-06T10:00:00+02:00\"");
  put_contacts (fx->store, fx->org_a, 2, "2022-04-06", "individual_advice", "email",
                "\"received_at\":\"2022-04-05T11:00:00+02:00\"");
  put_contacts (fx->store, fx->org_a, 1, "2022-05-10", "multimedia", "in_person", NULL);
  put_contacts (fx->store, fx->org_b, 30, "2022-06-14", "individual_advice", "chat", NULL);
  put_contacts (fx->store, NULL, 5, "2022-11-08", "individual_advice", "phone", NULL);

  a_only = g_strdup_printf ("\"%s\"", fx->org_a);
  a_and_b = g_strdup_printf ("\"%s\",\"%s\"", fx->org_a, fx->org_b);
  b_only = g_strdup_printf ("\"%s\"", fx->org_b);
  id1 = put_activity (fx->store, "2022-03-15T14:00:00+01:00", "on_site", "held", a_only, "\"neet\"", act1);
  id2 = put_activity (fx->store, "2022-09-20T14:00:00+02:00", "online", "held", a_and_b, "", act2);
  id3 = put_activity (fx->store, "2022-10-11T14:00:00+02:00", "school", "held", b_only, "", act3);
  id4 = put_activity (fx->store, "2022-10-12T14:00:00+02:00", "on_site", "cancelled", b_only, "", act4);

  g_free (put_json (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY,
                    "{\"day\":\"2022-05-02\",\"kind\":\"printing\",\"count\":100}"));
  for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"answered_on\":\"2022-06-%02u\",\"score\":%d%s%s}",
                                               i + 1, scores[i],
                                               i < 8 ? (i < 6 ? ",\"recommend\":true" : ",\"recommend\":false") : "",
                                               i < 5 ? (i < 4 ? ",\"found\":true" : ",\"found\":false") : "");

      g_free (put_json (fx->store, CDM_ENTITY_SATISFACTION, json));
    }
  g_free (put_json (fx->store, CDM_ENTITY_CLOSURE,
                    "{\"from\":\"2022-03-07\",\"to\":\"2022-03-20\",\"scope\":\"all\",\"reason\":\"Works, \\\"lift\\\"\"}"));
  g_free (put_json (fx->store, CDM_ENTITY_CLOSURE,
                    "{\"from\":\"2022-07-18\",\"to\":\"2022-08-15\",\"scope\":\"multimedia\",\"reason\":\"Summer\"}"));
  g_free (put_json (fx->store, CDM_ENTITY_CLOSURE,
                    "{\"from\":\"2021-12-20\",\"to\":\"2022-01-05\",\"scope\":\"all\",\"reason\":\"Holidays\"}"));
}

static CdmReport *
compute_options (CdmStore               *store,
                 const CdmReportOptions *options)
{
  g_autoptr(GError) error = NULL;
  CdmReport *report = cdm_report_compute_full (store, options, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static CdmReport *
compute_year (CdmStore   *store,
              int         year,
              const char *organisation)
{
  CdmReportOptions options;

  cdm_report_options_init (&options, year);
  options.organisation = organisation;
  return compute_options (store, &options);
}

static gint64
count_of (CdmReport  *report,
          const char *figure,
          const char *breakdown,
          guint       month)
{
  const CdmReportCell *cell = cdm_report_lookup (report, figure, breakdown, month);

  g_assert_nonnull (cell);
  g_assert_cmpint (cell->kind, ==, CDM_REPORT_CELL_COUNT);
  g_assert_false (cell->suppressed);
  return cell->count;
}

static double
share_of (CdmReport  *report,
          const char *figure,
          const char *breakdown)
{
  const CdmReportCell *cell = cdm_report_lookup (report, figure, breakdown, 0);

  g_assert_nonnull (cell);
  g_assert_cmpint (cell->kind, ==, CDM_REPORT_CELL_SHARE);
  g_assert_false (cell->suppressed);
  g_assert_true (cell->known);
  return cell->share;
}

static gboolean
is_suppressed (CdmReport  *report,
               const char *figure,
               const char *breakdown,
               guint       month)
{
  const CdmReportCell *cell = cdm_report_lookup (report, figure, breakdown, month);

  g_assert_nonnull (cell);
  return cell->suppressed;
}

/* The JSON node at a dotted path ("individual_advice.by_channel.chat",
 * "months.0.total"). */
static JsonNode *
member (JsonObject *root,
        const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;
  JsonObject *object = root;
  JsonArray *array = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (array != NULL)
        node = json_array_get_element (array, atoi (parts[i]));
      else
        {
          g_assert_true (json_object_has_member (object, parts[i]));
          node = json_object_get_member (object, parts[i]);
        }
      object = NULL;
      array = NULL;
      if (JSON_NODE_HOLDS_OBJECT (node))
        object = json_node_get_object (node);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        array = json_node_get_array (node);
    }
  return node;
}

static gint64
json_int (JsonObject *root,
          const char *path)
{
  JsonNode *node = member (root, path);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

static const char *
json_string (JsonObject *root,
             const char *path)
{
  JsonNode *node = member (root, path);

  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  return json_node_get_string (node);
}

/* CSV: RFC 4180 records, checked strictly. */
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
          for (p++; !(*p == '"' && p[1] != '"'); p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"')
                p++;
              g_string_append_c (field, *p);
            }
          p++;
        }
      else
        {
          while (*p != ',' && *p != '\r' && *p != '\0')
            {
              g_assert_true (*p != '\n' && *p != '"');
              g_string_append_c (field, *p++);
            }
        }
      g_ptr_array_add (fields, g_strdup (field->str));
      g_string_truncate (field, 0);
      if (*p == ',')
        {
          p++;
          continue;
        }
      g_assert_cmpint (*p, ==, '\r');
      g_assert_cmpint (p[1], ==, '\n');
      p += 2;
      g_ptr_array_add (fields, NULL);
      g_ptr_array_add (rows, g_ptr_array_steal (fields, NULL));
    }
  g_ptr_array_unref (fields);
  g_string_free (field, TRUE);
  return rows;
}

/* The value of the row (figure, breakdown, period) of a tidy table. */
static const char *
csv_value (GPtrArray  *rows,
           const char *figure,
           const char *breakdown,
           const char *period)
{
  for (guint i = 1; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);

      g_assert_cmpuint (g_strv_length (row), ==, 4);
      if (g_str_equal (row[0], figure) && g_str_equal (row[1], breakdown) && g_str_equal (row[2], period))
        return row[3];
    }
  g_error ("no CSV row %s,%s,%s", figure, breakdown, period);
  return NULL;
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

/* Text with the digit groups of every language joined: "29 523",
 * "29.523" and "29,523" all read "29523" (a separator between two
 * digits goes; a decimal comma or point is kept only when it is
 * followed by one digit, as the shares are "97,2 %"). */
static char *
join_digit_groups (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0';)
    {
      gunichar c = g_utf8_get_char (p);
      const char *next = g_utf8_next_char (p);

      if ((c == ',' || c == '.' || c == ' ' || c == 0x202f || c == 0xa0) &&
          out->len > 0 && g_ascii_isdigit (out->str[out->len - 1]) &&
          g_ascii_isdigit (next[0]) && g_ascii_isdigit (next[1]) && g_ascii_isdigit (next[2]) &&
          !g_ascii_isdigit (next[3]))
        {
          p = next;
          continue;
        }
      g_string_append_len (out, p, next - p);
      p = next;
    }
  return g_string_free (out, FALSE);
}

/* @number appears in @text as a whole number, not inside another one. */
static gboolean
has_number (const char *text,
            gint64      number)
{
  g_autofree char *needle = g_strdup_printf ("%" G_GINT64_FORMAT, number);
  gsize len = strlen (needle);

  for (const char *p = strstr (text, needle); p != NULL; p = strstr (p + 1, needle))
    if ((p == text || !g_ascii_isdigit (p[-1])) && !g_ascii_isdigit (p[len]))
      return TRUE;
  return FALSE;
}

static char *
run_tool (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static const char *
tool (const char *variable)
{
  const char *path = g_getenv (variable);

  return path != NULL && path[0] != '\0' ? path : NULL;
}

static char *
pdf_text (const char *pdf)
{
  const char *argv[] = { tool ("PDFTOTEXT"), "-layout", "-enc", "UTF-8", pdf, "-", NULL };
  g_autofree char *text = run_tool (argv);

  return join_digit_groups (text);
}

static char *
write_pdf (Fixture    *fx,
           CdmReport  *report,
           const char *language)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("figures-%s.pdf", language);
  char *path = g_build_filename (fx->dir, name, NULL);

  g_assert_true (cdm_report_write_pdf (report, path, language, &error));
  g_assert_no_error (error);
  return path;
}

/* The published figures, and the figures of the fixture, as every output
 * states them. */
static const struct {
  const char *figure;
  const char *breakdown;
  const char *json;
  gint64 value;
} figures_2020[] = {
  { "total_contacts", "", "total_contacts", FIXTURE_2020_TOTAL },
  { "individual_advice", "", "individual_advice.total", FIXTURE_2020_ADVICE },
  { "individual_advice", "in_person", "individual_advice.by_channel.in_person", FIXTURE_2020_IN_PERSON },
  { "individual_advice", "email", "individual_advice.by_channel.email", FIXTURE_2020_EMAIL },
  { "individual_advice", "call_centre", "individual_advice.by_channel.call_centre", FIXTURE_2020_CALL_CENTRE },
  { "individual_advice", "chat", "individual_advice.by_channel.chat", FIXTURE_2020_CHAT },
  { "individual_advice", "after_group_activity", "individual_advice.by_channel.after_group_activity",
    FIXTURE_2020_AFTER_GROUP },
  { "group_activities_held", "", "group_activities.held", FIXTURE_2020_HELD },
  { "group_activities_held", "in_person", "group_activities.in_person", FIXTURE_2020_HELD_IN_PERSON },
  { "group_activities_held", "online", "group_activities.online", FIXTURE_2020_HELD_ONLINE },
  { "group_participants", "", "group_activities.participants", FIXTURE_2020_PARTICIPANTS },
  { "multimedia", "", "multimedia.contacts", FIXTURE_2020_MULTIMEDIA },
  { "multimedia", "tallies", "multimedia.tallies", FIXTURE_2020_MULTIMEDIA_TALLIES },
  { "programmes", "neet", "programmes.neet", FIXTURE_2020_NEET },
  { "programmes", "skills_validation", "programmes.skills_validation", FIXTURE_2020_SKILLS_VALIDATION },
  { "programmes", "disability", "programmes.disability", FIXTURE_2020_DISABILITY },
  { "programmes", "formtruck", "programmes.formtruck", FIXTURE_2020_FORMTRUCK },
  { "programme_contacts", "neet", "programmes_detail.neet.contacts", FIXTURE_2020_NEET_CONTACTS },
  { "programme_participants", "neet", "programmes_detail.neet.participants", FIXTURE_2020_NEET_PARTICIPANTS },
  { "remote_requests", "", "remote.requests", FIXTURE_2020_REMOTE_REQUESTS },
  { "remote_requests", "within_48h", "remote.within_48h", FIXTURE_2020_REMOTE_WITHIN },
  { "satisfaction_responses", "", "satisfaction.responses", FIXTURE_2020_RESPONSES },
  { "objective", "target", "objective.target", CDM_REPORT_DEFAULT_OBJECTIVE },
};

static void
test_same_numbers_2020 (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(CdmReport) report = compute_year (fx->store, 2020, NULL);
  g_autoptr(JsonObject) json = cdm_report_to_json (report);
  g_autofree char *csv = cdm_report_to_csv (report);
  g_autoptr(GPtrArray) rows = parse_csv (csv);
  g_autofree char *text = cdm_report_to_text (report);
  g_autofree char *folder = g_build_filename (fx->dir, "tables", NULL);
  g_autofree char *headline_path = g_build_filename (folder, "headline.csv", NULL);
  g_autofree char *monthly_path = g_build_filename (folder, "monthly-series.csv", NULL);
  g_autofree char *headline_csv = NULL, *monthly_csv = NULL;
  g_autoptr(GPtrArray) headline = NULL, monthly = NULL;
  g_autoptr(GError) error = NULL;
  gint64 month_sum[CDM_REPORT_N_SERIES] = { 0, };

  for (guint i = 0; i < G_N_ELEMENTS (figures_2020); i++)
    {
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, figures_2020[i].value);

      g_test_message ("%s %s", figures_2020[i].figure, figures_2020[i].breakdown);
      g_assert_cmpint (count_of (report, figures_2020[i].figure, figures_2020[i].breakdown, 0), ==,
                       figures_2020[i].value);
      g_assert_cmpint (json_int (json, figures_2020[i].json), ==, figures_2020[i].value);
      g_assert_cmpstr (csv_value (rows, figures_2020[i].figure, figures_2020[i].breakdown, "2020"), ==, value);
      g_assert_true (has_number (text, figures_2020[i].value));
    }
  g_assert_cmpint (cdm_report_get_total_contacts (report), ==, FIXTURE_2020_TOTAL);
  g_assert_cmpint (cdm_report_get_threshold (report), ==, 0);
  g_assert_true (JSON_NODE_HOLDS_NULL (member (json, "organisation")));
  /* Nothing withheld: no marker ("< 0" was printed once). */
  g_assert_cmpint (json_int (json, "suppression.threshold"), ==, 0);
  g_assert_true (JSON_NODE_HOLDS_NULL (member (json, "suppression.marker")));
  g_assert_true (JSON_NODE_HOLDS_NULL (member (json, "suppression.complementary_marker")));
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), json);
    g_autofree char *json_text = json_to_string (node, FALSE);

    g_assert_null (strstr (json_text, "< 0"));
  }

  /* One file per table, and the monthly series adding up to the year. */
  g_assert_true (cdm_report_write_csv_dir (report, folder, &error));
  g_assert_no_error (error);
  headline_csv = read_file (headline_path);
  headline = parse_csv (headline_csv);
  g_assert_cmpstr (csv_value (headline, "total_contacts", "", "2020"), ==, "29523");
  monthly_csv = read_file (monthly_path);
  monthly = parse_csv (monthly_csv);
  g_assert_cmpuint (monthly->len, ==, 13);
  g_assert_cmpstrv (g_ptr_array_index (monthly, 0),
                    ((const char * const[]) { "month", "individual_advice", "group_participants", "multimedia",
                                              "total_contacts", "closed", NULL }));
  for (guint m = 1; m <= 12; m++)
    {
      char **row = g_ptr_array_index (monthly, m);

      for (guint s = 0; s < CDM_REPORT_N_SERIES; s++)
        {
          month_sum[s] += g_ascii_strtoll (row[s + 1], NULL, 10);
          g_assert_cmpint (g_ascii_strtoll (row[s + 1], NULL, 10), ==,
                           cdm_report_get_series_value (report, s, m));
        }
    }
  g_assert_cmpint (month_sum[CDM_REPORT_SERIES_INDIVIDUAL_ADVICE], ==, FIXTURE_2020_ADVICE);
  g_assert_cmpint (month_sum[CDM_REPORT_SERIES_GROUP_PARTICIPANTS], ==, FIXTURE_2020_PARTICIPANTS);
  g_assert_cmpint (month_sum[CDM_REPORT_SERIES_MULTIMEDIA], ==, FIXTURE_2020_MULTIMEDIA);
  g_assert_cmpint (month_sum[CDM_REPORT_SERIES_TOTAL], ==, FIXTURE_2020_TOTAL);
  for (const char * const *table = (const char * const[]) { "individual_advice", "group_activities",
                                                             "multimedia", "programmes", "profile", "remote",
                                                             "satisfaction", "objective", "monthly",
                                                             "closures", NULL };
       *table != NULL; table++)
    {
      g_autofree char *name = g_strconcat (*table, ".csv", NULL);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }

  /* The PDF states them too, in every language. */
  if (tool ("PDFTOTEXT") == NULL)
    {
      g_test_skip ("pdftotext is not installed");
      return;
    }
  for (const char * const *language = (const char * const[]) { "en", "fr", "nl", NULL }; *language != NULL;
       language++)
    {
      g_autofree char *pdf = write_pdf (fx, report, *language);
      g_autofree char *pdf_words = pdf_text (pdf);

      for (guint i = 0; i < G_N_ELEMENTS (figures_2020); i++)
        {
          /* The PDF shows the remote requests by outcome and the
           * programmes' totals and parts; not the tallies by kind. */
          g_test_message ("PDF %s: %s %s", *language, figures_2020[i].figure, figures_2020[i].breakdown);
          g_assert_true (has_number (pdf_words, figures_2020[i].value));
        }
      for (guint m = 1; m <= 12; m++)
        g_assert_true (has_number (pdf_words, cdm_report_get_month_total (report, m)));
    }
}

static void
test_small_store (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(CdmReport) report = compute_year (fx->store, 2022, NULL);
  g_autoptr(JsonObject) json = cdm_report_to_json (report);
  const CdmReportClosure *closures;
  guint n_closures;

  g_assert_cmpint (count_of (report, "total_contacts", NULL, 0), ==, SMALL_TOTAL);
  g_assert_cmpint (count_of (report, "individual_advice", NULL, 0), ==, SMALL_ADVICE);
  g_assert_cmpint (count_of (report, "individual_advice", "chat", 0), ==, 30);
  g_assert_cmpint (count_of (report, "individual_advice", "phone", 0), ==, 5);
  g_assert_cmpint (count_of (report, "group_activities_held", "in_person", 0), ==, 2);
  g_assert_cmpint (count_of (report, "group_activities_held", "online", 0), ==, 1);
  g_assert_cmpint (count_of (report, "group_participants", NULL, 0), ==, SMALL_PARTICIPANTS);
  g_assert_cmpint (count_of (report, "multimedia", NULL, 0), ==, SMALL_MULTIMEDIA);
  g_assert_cmpint (count_of (report, "programmes", "neet", 0), ==, 14);

  /* Profile: over the 56 contact records, unknowns counted. */
  g_assert_cmpint (count_of (report, "profile_gender", "f", 0), ==, 7);
  g_assert_cmpint (count_of (report, "profile_gender", "m", 0), ==, 3);
  g_assert_cmpint (count_of (report, "profile_gender", "x", 0), ==, 0);
  g_assert_cmpint (count_of (report, "profile_gender", "unknown", 0), ==, 46);
  g_assert_cmpint (count_of (report, "profile_gender", "answered", 0), ==, 10);
  g_assert_cmpfloat_with_epsilon (share_of (report, "profile_gender_share", "f"), 0.7, 1e-12);
  g_assert_cmpint (count_of (report, "profile_age_band", "18_24", 0), ==, 6);
  g_assert_cmpint (count_of (report, "profile_age_band", "30_49", 0), ==, 5);
  g_assert_cmpint (count_of (report, "profile_age_band", "unknown", 0), ==, 45);
  g_assert_cmpfloat_with_epsilon (share_of (report, "profile_region_share", "brussels"), 1.0, 1e-12);
  g_assert_cmpint (json_int (json, "profile.gender.unknown"), ==, 46);

  /* Remote requests: 6 of 8 within 48 h. */
  g_assert_cmpint (count_of (report, "remote_requests", NULL, 0), ==, 8);
  g_assert_cmpint (count_of (report, "remote_requests", "within_48h", 0), ==, 6);
  g_assert_cmpint (count_of (report, "remote_requests", "unanswered", 0), ==, 2);
  g_assert_cmpfloat_with_epsilon (share_of (report, "remote_answered_within_48h", NULL), 0.75, 1e-12);

  /* Satisfaction over those who answered each question. */
  g_assert_cmpint (count_of (report, "satisfaction_responses", NULL, 0), ==, 10);
  g_assert_cmpfloat_with_epsilon (share_of (report, "satisfaction", "satisfied"), 0.7, 1e-12);
  g_assert_cmpfloat_with_epsilon (share_of (report, "satisfaction", "excellent"), 0.3, 1e-12);
  g_assert_cmpfloat_with_epsilon (share_of (report, "satisfaction", "recommend"), 0.75, 1e-12);
  g_assert_cmpfloat_with_epsilon (share_of (report, "satisfaction", "found"), 0.8, 1e-12);

  /* Closures as day ranges clipped to the year, and per month. */
  closures = cdm_report_get_closures (report, &n_closures);
  g_assert_cmpuint (n_closures, ==, 3);
  g_assert_cmpstr (closures[0].from, ==, "2021-12-20");
  g_assert_cmpuint (closures[0].first_day, ==, 1);
  g_assert_cmpuint (closures[0].last_day, ==, 5);
  g_assert_cmpstr (closures[1].scope, ==, "all");
  g_assert_cmpuint (closures[1].first_day, ==, 66);
  g_assert_cmpuint (closures[1].last_day, ==, 79);
  g_assert_cmpstr (closures[2].scope, ==, "multimedia");
  g_assert_cmpstr (closures[2].reason, ==, "Summer");
  g_assert_cmpuint (closures[2].first_day, ==, 199);
  g_assert_cmpuint (closures[2].last_day, ==, 227);
  g_assert_cmpuint (cdm_report_get_closed_scopes (report, 1), ==, 1u << 0);
  g_assert_cmpuint (cdm_report_get_closed_scopes (report, 2), ==, 0);
  g_assert_cmpuint (cdm_report_get_closed_scopes (report, 8), ==, 1u << 1);
  g_assert_cmpstr (json_string (json, "closures.1.reason"), ==, "Works, \"lift\"");
  g_assert_cmpint (json_int (json, "closures.2.last_day"), ==, 227);

  /* A month range clips them to its last day (31 July, day 212). */
  {
    g_autoptr(CdmReport) summer = NULL;
    CdmReportOptions options;

    cdm_report_options_init (&options, 2022);
    options.from_month = 6;
    options.to_month = 7;
    summer = compute_options (fx->store, &options);
    closures = cdm_report_get_closures (summer, &n_closures);
    g_assert_cmpuint (n_closures, ==, 1);
    g_assert_cmpuint (closures[0].first_day, ==, 199);
    g_assert_cmpuint (closures[0].last_day, ==, 212);
    g_assert_cmpstr (closures[0].to, ==, "2022-08-15");
    cdm_report_options_init (&options, 2022);
    options.from_month = 2;
    options.to_month = 2;
    g_clear_pointer (&summer, cdm_report_unref);
    summer = compute_options (fx->store, &options);
    cdm_report_get_closures (summer, &n_closures);
    g_assert_cmpuint (n_closures, ==, 0);
  }

  /* The month series. */
  g_assert_cmpint (cdm_report_get_series_value (report, CDM_REPORT_SERIES_INDIVIDUAL_ADVICE, 3), ==, 12);
  g_assert_cmpint (cdm_report_get_series_value (report, CDM_REPORT_SERIES_GROUP_PARTICIPANTS, 3), ==, 14);
  g_assert_cmpint (cdm_report_get_series_value (report, CDM_REPORT_SERIES_MULTIMEDIA, 5), ==, 101);
  g_assert_cmpint (cdm_report_get_month_total (report, 10), ==, 40);
}

static void
test_small_store_outputs (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(CdmReport) report = compute_year (fx->store, 2022, NULL);
  g_autofree char *text = cdm_report_to_text (report);
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (fx->dir, "csv", NULL);
  g_autofree char *closures_path = g_build_filename (folder, "closures.csv", NULL);
  g_autofree char *closures_csv = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *pdf = NULL, *words = NULL;

  g_assert_true (strstr (text, "Works, \"lift\"") != NULL);
  g_assert_true (strstr (text, "75.0 %") != NULL);

  g_assert_true (cdm_report_write_csv_dir (report, folder, &error));
  g_assert_no_error (error);
  closures_csv = read_file (closures_path);
  rows = parse_csv (closures_csv);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_cmpstrv (g_ptr_array_index (rows, 2),
                    ((const char * const[]) { "2022-03-07", "2022-03-20", "all", "Works, \"lift\"", NULL }));

  if (tool ("PDFTOTEXT") == NULL)
    {
      g_test_skip ("pdftotext is not installed");
      return;
    }
  pdf = write_pdf (fx, report, "en");
  words = pdf_text (pdf);
  g_assert_true (has_number (words, SMALL_TOTAL));
  g_assert_true (strstr (words, "75.0%") != NULL);   /* within 48 h, recommend */
  g_assert_true (strstr (words, "70.0%") != NULL);   /* satisfied, women */
  g_assert_true (strstr (words, "80.0%") != NULL);   /* found */
  g_assert_true (strstr (words, "07/03/2022") != NULL);
  g_assert_true (strstr (words, "Summer") != NULL);
  g_assert_true (strstr (words, "Not known: 46") != NULL);

  /* Every page numbered, out of the right total. */
  {
    const char *first = strstr (words, "Page 1 of ");
    g_autofree char *last = NULL;
    int n_pages;

    g_assert_nonnull (first);
    n_pages = atoi (first + strlen ("Page 1 of "));
    g_assert_cmpint (n_pages, >=, 3);
    last = g_strdup_printf ("Page %d of %d", n_pages, n_pages);
    g_assert_nonnull (strstr (words, last));
  }
}

/* Every count cell of @report that is not withheld is at least the
 * threshold, but for the centre's own figures. */
static void
assert_nothing_small (CdmReport *report)
{
  const CdmReportCell *cells;
  int threshold = cdm_report_get_threshold (report);
  guint n;

  cells = cdm_report_get_cells (report, &n);
  for (guint i = 0; i < n; i++)
    {
      const CdmReportCell *cell = &cells[i];

      if (g_str_has_prefix (cell->figure, "satisfaction") || g_str_equal (cell->figure, "closed"))
        continue;
      if (cell->suppressed)
        {
          g_assert_cmpint (cell->count, ==, 0);
          g_assert_cmpfloat (cell->share, ==, 0.0);
          continue;
        }
      if (cell->kind == CDM_REPORT_CELL_COUNT)
        {
          if (cell->count > 0 && cell->count < threshold)
            g_error ("%s/%s/%u = %" G_GINT64_FORMAT " leaks", cell->figure, cell->breakdown, cell->month,
                     cell->count);
        }
    }
}

/* No JSON integer below @threshold under a key that counts people. */
static void
assert_json_nothing_small (JsonNode   *node,
                           const char *key,
                           int         threshold)
{
  static const char * const not_counts[] = {
    "year", "threshold", "first_day", "last_day", "days_elapsed", "days_in_year", NULL,
  };

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);

      /* The centre's satisfaction is not an organisation's breakdown. */
      for (GList *l = members; l != NULL; l = l->next)
        if (!g_str_equal (l->data, "satisfaction") && !g_str_equal (l->data, "suppression"))
          assert_json_nothing_small (json_object_get_member (object, l->data), l->data, threshold);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        assert_json_nothing_small (json_array_get_element (array, i), key, threshold);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64 &&
           !g_strv_contains (not_counts, key))
    {
      if (json_node_get_int (node) > 0 && json_node_get_int (node) < threshold)
        g_error ("JSON %s = %" G_GINT64_FORMAT " leaks", key, json_node_get_int (node));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
           g_str_has_prefix (json_node_get_string (node), "<"))
    {
      g_assert_cmpstr (json_node_get_string (node), ==, "< 5");
    }
}

static void
test_organisation (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(CdmReport) a = compute_year (fx->store, 2022, fx->org_a);
  g_autoptr(CdmReport) b = NULL;
  g_autoptr(CdmReport) open = NULL;
  g_autoptr(JsonObject) json = cdm_report_to_json (a);
  g_autofree char *name = cdm_report_get_organisation_name (a, "nl");
  CdmReportOptions options;

  g_assert_cmpstr (cdm_report_get_organisation (a), ==, fx->org_a);
  g_assert_cmpstr (name, ==, "Organisatie A");
  g_assert_cmpint (cdm_report_get_threshold (a), ==, CDM_REPORT_DEFAULT_THRESHOLD);

  /* What A's counsellors logged and the activities A (co-)organised. */
  g_assert_cmpint (count_of (a, "total_contacts", NULL, 0), ==, SMALL_A_TOTAL);
  g_assert_cmpint (count_of (a, "group_participants", NULL, 0), ==, 39);
  g_assert_cmpint (count_of (a, "group_participants", "in_person", 0), ==, 14);
  g_assert_cmpint (count_of (a, "group_participants", "online", 0), ==, 25);
  g_assert_cmpint (count_of (a, "individual_advice", "in_person", 0), ==, 12);
  g_assert_cmpint (count_of (a, "remote_requests", NULL, 0), ==, 8);
  g_assert_cmpint (count_of (a, "programmes", "neet", 0), ==, 14);
  /* 1 to 4: withheld; a true zero is shown. */
  g_assert_true (is_suppressed (a, "multimedia", NULL, 0));
  g_assert_true (is_suppressed (a, "group_activities_held", NULL, 0));
  g_assert_true (is_suppressed (a, "group_activities_held", "online", 0));
  g_assert_true (is_suppressed (a, "remote_requests", "unanswered", 0));
  g_assert_true (is_suppressed (a, "profile_gender", "m", 0));
  g_assert_cmpint (count_of (a, "individual_advice", "chat", 0), ==, 0);
  g_assert_cmpint (count_of (a, "programmes", "formtruck", 0), ==, 0);
  g_assert_cmpint (count_of (a, "remote_requests", "answered_late", 0), ==, 0);
  /* Withheld so that they cannot be had by subtraction: the advice
   * total (60 - 39 - advice = multimedia), the answers within 48 h (8 -
   * within = late), and their share. */
  g_assert_true (is_suppressed (a, "individual_advice", NULL, 0));
  g_assert_true (cdm_report_lookup (a, "individual_advice", NULL, 0)->complementary);
  g_assert_false (cdm_report_lookup (a, "multimedia", NULL, 0)->complementary);
  g_assert_cmpstr (json_string (json, "individual_advice.total"), ==, "withheld");
  /* ... and then one channel, or the channels would add up to it. */
  g_assert_true (is_suppressed (a, "individual_advice", "email", 0));
  g_assert_true (is_suppressed (a, "remote_requests", "within_48h", 0));
  g_assert_true (is_suppressed (a, "remote_answered_within_48h", NULL, 0));
  g_assert_cmpint (cdm_report_get_individual_advice (a), ==, CDM_REPORT_SUPPRESSED);
  g_assert_cmpint (cdm_report_get_multimedia (a), ==, CDM_REPORT_SUPPRESSED);
  /* Satisfaction and closures are the centre's; no tallies, no objective. */
  g_assert_cmpint (count_of (a, "satisfaction_responses", NULL, 0), ==, 10);
  g_assert_null (cdm_report_lookup (a, "multimedia", "tallies", 0));
  g_assert_null (cdm_report_lookup (a, "objective", "target", 0));
  g_assert_false (cdm_report_get_projection (a, NULL, NULL, NULL));
  g_assert_true (JSON_NODE_HOLDS_NULL (member (json, "objective")));
  g_assert_cmpstr (json_string (json, "satisfaction.scope"), ==, "centre");
  g_assert_cmpstr (json_string (json, "multimedia.contacts"), ==, "< 5");
  g_assert_cmpstr (json_string (json, "suppression.marker"), ==, "< 5");
  g_assert_cmpint (json_int (json, "suppression.threshold"), ==, 5);
  g_assert_cmpstr (json_string (json, "organisation.name"), ==, "Organisation A");

  /* B: its own chats, its own activity and the one co-organised with A. */
  b = compute_year (fx->store, 2022, fx->org_b);
  g_assert_cmpint (count_of (b, "individual_advice", "chat", 0), ==, 30);
  g_assert_cmpint (count_of (b, "group_participants", NULL, 0), ==, 65);

  /* Suppression off: every count shown, and the same rules. */
  cdm_report_options_init (&options, 2022);
  options.organisation = fx->org_a;
  options.threshold = 0;
  open = compute_options (fx->store, &options);
  g_assert_cmpint (count_of (open, "multimedia", NULL, 0), ==, 1);
  g_assert_cmpint (count_of (open, "individual_advice", NULL, 0), ==, 20);
  g_assert_cmpint (count_of (open, "group_activities_held", NULL, 0), ==, 2);
  g_assert_cmpint (count_of (open, "remote_requests", "within_48h", 0), ==, 6);
  g_assert_cmpint (count_of (open, "profile_gender", "m", 0), ==, 3);
}

/* In the sum @total = @parts (cells of @month), never exactly one cell
 * withheld: it would be the difference of the others. */
static void
assert_sum_safe (CdmReport          *report,
                 guint               month,
                 const char         *figure,
                 const char         *breakdown,
                 const char * const *parts)
{
  guint n_suppressed = is_suppressed (report, figure, breakdown, month);

  for (guint i = 0; parts[i] != NULL; i += 2)
    n_suppressed += is_suppressed (report, parts[i], parts[i + 1], month);
  if (n_suppressed == 1)
    g_error ("%s/%s of month %u is the difference of the others", figure, breakdown, month);
}

static void
assert_sums_safe (CdmReport *report)
{
  const char * const headline[] = { "individual_advice", "", "group_participants", "", "multimedia", "", NULL };
  const char * const held[] = { "group_activities_held", "in_person", "group_activities_held", "online", NULL };
  const char * const remote[] = { "remote_requests", "within_48h", "remote_requests", "answered_late",
                                  "remote_requests", "unanswered", NULL };
  const char *channels[32];
  guint n = 0;

  for (guint ch = 0; cdm_channels[ch] != NULL; ch++)
    {
      channels[n++] = "individual_advice";
      channels[n++] = cdm_channels[ch];
    }
  channels[n] = NULL;

  for (guint m = 0; m <= 12; m++)
    {
      assert_sum_safe (report, m, "total_contacts", "", headline);
      assert_sum_safe (report, m, "individual_advice", "", channels);
      assert_sum_safe (report, m, "group_activities_held", "", held);
    }
  assert_sum_safe (report, 0, "remote_requests", "", remote);
  for (guint s = 0; s < CDM_REPORT_N_SERIES; s++)
    {
      /* The months are cells of their own month: checked through the
       * getter, which says CDM_REPORT_SUPPRESSED. */
      {
        guint n_suppressed = is_suppressed (report, cdm_report_series_code (s), "", 0);

        for (guint m = 1; m <= 12; m++)
          n_suppressed += cdm_report_get_series_value (report, s, m) == CDM_REPORT_SUPPRESSED;
        g_assert_cmpuint (n_suppressed, !=, 1);
      }
    }
}

/* No cell below the threshold in any per-organisation output. */
static void
test_suppression_outputs (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(CdmReport) a = compute_year (fx->store, 2022, fx->org_a);
  g_autoptr(JsonObject) json = cdm_report_to_json (a);
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), json);
  g_autofree char *csv = cdm_report_to_csv (a);
  g_autoptr(GPtrArray) rows = parse_csv (csv);
  g_autofree char *text = cdm_report_to_text (a);
  g_autofree char *folder = g_build_filename (fx->dir, "a", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_suppressed = 0;

  assert_nothing_small (a);
  assert_json_nothing_small (root, "", 5);
  assert_sums_safe (a);
  {
    g_autoptr(CdmReport) b = compute_year (fx->store, 2022, fx->org_b);

    assert_nothing_small (b);
    assert_sums_safe (b);
  }

  for (guint i = 1; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);

      if (g_str_equal (row[3], "< 5") || g_str_equal (row[3], "withheld"))
        n_suppressed++;
      else if (!g_str_has_prefix (row[0], "satisfaction") && !g_str_equal (row[0], "closed") &&
               strchr (row[3], '.') == NULL && !g_str_equal (row[3], "0"))
        g_assert_cmpint (g_ascii_strtoll (row[3], NULL, 10), >=, 5);
    }
  g_assert_cmpuint (n_suppressed, >, 10);
  g_assert_cmpstr (csv_value (rows, "multimedia", "", "2022"), ==, "< 5");

  /* One file per table: the same cells. */
  g_assert_true (cdm_report_write_csv_dir (a, folder, &error));
  g_assert_no_error (error);
  dir = g_dir_open (folder, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (folder, name, NULL);
      g_autofree char *contents = read_file (path);
      g_autoptr(GPtrArray) table = parse_csv (contents);

      if (g_str_equal (name, "closures.csv") || g_str_equal (name, "satisfaction.csv"))
        continue;
      for (guint i = 1; i < table->len; i++)
        {
          char **row = g_ptr_array_index (table, i);

          for (guint j = 1; row[j] != NULL; j++)
            if (g_ascii_isdigit (row[j][0]) && strchr (row[j], '.') == NULL && strchr (row[j], '-') == NULL &&
                !g_str_equal (row[j], "0") &&
                !(g_str_equal (name, "monthly.csv") && g_str_equal (row[0], "closed")))
              g_assert_cmpint (g_ascii_strtoll (row[j], NULL, 10), >=, 5);
        }
    }

  /* Text and PDF: the withheld figures read "< 5". */
  g_assert_true (strstr (text, "< 5") != NULL);
  g_assert_true (strstr (text, "Counts below 5") != NULL);
  g_assert_true (has_number (text, SMALL_A_TOTAL));
  g_assert_true (strstr (text, "Individual advice: withheld") != NULL);   /* complementary */
  if (tool ("PDFTOTEXT") != NULL)
    {
      g_autofree char *pdf = write_pdf (fx, a, "en");
      g_autofree char *words = pdf_text (pdf);

      g_assert_true (strstr (words, "< 5") != NULL);
      g_assert_true (has_number (words, SMALL_A_TOTAL));
      g_assert_true (has_number (words, 39));
      g_assert_true (strstr (words, "Organisation A") != NULL);
    }
}

static void
test_threshold_setting (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmReport) three = NULL;
  g_autoptr(CdmReport) report = NULL;
  CdmReportOptions options;

  g_assert_true (cdm_store_set_setting (fx->store, "suppression_threshold", "3", &error));
  g_assert_no_error (error);
  three = compute_year (fx->store, 2022, fx->org_a);
  g_assert_cmpint (cdm_report_get_threshold (three), ==, 3);
  g_assert_cmpint (count_of (three, "profile_region", "brussels", 0), ==, 3);
  g_assert_true (is_suppressed (three, "multimedia", NULL, 0));

  /* A setting that is not a number is an error, not "no suppression". */
  g_assert_true (cdm_store_set_setting (fx->store, "suppression_threshold", "five", &error));
  cdm_report_options_init (&options, 2022);
  options.organisation = fx->org_a;
  report = cdm_report_compute_full (fx->store, &options, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_BAD_THRESHOLD);
}

static void
test_month_range (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(CdmReport) year = compute_year (fx->store, 2020, NULL);
  g_autoptr(CdmReport) spring = NULL;
  g_autoptr(JsonObject) json = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  CdmReportOptions options;
  gint64 expected = 0;

  cdm_report_options_init (&options, 2020);
  options.from_month = 3;
  options.to_month = 5;
  spring = compute_options (fx->store, &options);
  for (guint m = 3; m <= 5; m++)
    expected += cdm_report_get_month_total (year, m);
  g_assert_cmpint (cdm_report_get_total_contacts (spring), ==, expected);
  for (guint m = 1; m <= 12; m++)
    g_assert_cmpint (cdm_report_get_month_total (spring, m), ==,
                     m >= 3 && m <= 5 ? cdm_report_get_month_total (year, m) : 0);

  json = cdm_report_to_json (spring);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json, "months")), ==, 3);
  g_assert_cmpstr (json_string (json, "months.0.month"), ==, "2020-03");
  g_assert_cmpstr (json_string (json, "period.to"), ==, "2020-05");
  csv = cdm_report_to_csv (spring);
  rows = parse_csv (csv);
  g_assert_cmpint (g_ascii_strtoll (csv_value (rows, "total_contacts", "", "2020-03/2020-05"), NULL, 10), ==,
                   expected);
  g_assert_false (cdm_report_get_projection (spring, NULL, NULL, NULL));
}

static void
test_projection (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(CdmReport) mid = NULL;
  g_autoptr(CdmReport) after = NULL;
  g_autoptr(JsonObject) json = NULL;
  CdmReportOptions options;
  gint64 projection = 0;
  guint elapsed = 0, days = 0;

  /* 1 July 2020 is the 183rd day of 366. */
  cdm_report_options_init (&options, 2020);
  options.today = "2020-07-01";
  mid = compute_options (fx->store, &options);
  g_assert_true (cdm_report_get_projection (mid, &projection, &elapsed, &days));
  g_assert_cmpuint (elapsed, ==, 183);
  g_assert_cmpuint (days, ==, 366);
  g_assert_cmpint (projection, ==, (gint64) llround (29523.0 * 366 / 183));
  json = cdm_report_to_json (mid);
  g_assert_cmpint (json_int (json, "objective.projection"), ==, projection);

  /* A year that is over has its total, no projection. */
  options.today = "2021-02-01";
  after = compute_options (fx->store, &options);
  g_assert_false (cdm_report_get_projection (after, NULL, NULL, NULL));
}

static gboolean
page_has_ink (const char *ppm_path)
{
  g_autofree char *data = NULL;
  gsize len = 0, i;
  int width, height, max, consumed = 0;

  g_assert_true (g_file_get_contents (ppm_path, &data, &len, NULL));
  g_assert_cmpint (sscanf (data, "P6 %d %d %d%n", &width, &height, &max, &consumed), ==, 3);
  g_assert_cmpint (width, >, 100);
  /* A4 is taller than wide. */
  g_assert_cmpint (height, >, width);
  for (i = consumed + 1; i < len; i++)
    if ((guint8) data[i] < 200)
      return TRUE;
  return FALSE;
}

static void
test_pdf_languages (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(CdmReport) report = compute_year (fx->store, 2022, NULL);
  static const struct {
    const char *language;
    const char *words;   /* a translated heading, in the build's catalogue */
  } languages[] = {
    { "en", "Individual advice" },
    { "fr", "Conseil individuel" },
    { "nl", "Individueel advies" },
  };

  if (tool ("PDFTOTEXT") == NULL || tool ("PDFTOPPM") == NULL)
    {
      g_test_skip ("poppler-utils is not installed");
      return;
    }

  for (guint l = 0; l < G_N_ELEMENTS (languages); l++)
    {
      g_autofree char *pdf = write_pdf (fx, report, languages[l].language);
      g_autofree char *words = pdf_text (pdf);
      g_autofree char *prefix = g_build_filename (fx->dir, languages[l].language, NULL);
      const char *argv[] = { tool ("PDFTOPPM"), "-r", "20", pdf, prefix, NULL };
      g_autofree char *out = run_tool (argv);
      guint pages = 0;

      g_assert_true (strstr (words, languages[l].words) != NULL);
      g_assert_true (has_number (words, SMALL_TOTAL));
      for (guint p = 1; p <= 9; p++)
        {
          g_autofree char *page = g_strdup_printf ("%s-%u.ppm", prefix, p);

          if (!g_file_test (page, G_FILE_TEST_EXISTS))
            break;
          g_assert_true (page_has_ink (page));
          pages++;
        }
      g_assert_cmpuint (pages, >=, 3);
    }
}

static void
test_bad_input (Fixture       *fx,
                gconstpointer  data)
{
  static const struct {
    int year;
    guint from, to;
    const char *organisation;
    int threshold;
    int code;
  } cases[] = {
    { 999, 1, 12, NULL, CDM_REPORT_THRESHOLD_FROM_STORE, CDM_REPORT_ERROR_BAD_YEAR },
    { 10000, 1, 12, NULL, CDM_REPORT_THRESHOLD_FROM_STORE, CDM_REPORT_ERROR_BAD_YEAR },
    { 2022, 0, 12, NULL, CDM_REPORT_THRESHOLD_FROM_STORE, CDM_REPORT_ERROR_BAD_MONTHS },
    { 2022, 1, 13, NULL, CDM_REPORT_THRESHOLD_FROM_STORE, CDM_REPORT_ERROR_BAD_MONTHS },
    { 2022, 6, 5, NULL, CDM_REPORT_THRESHOLD_FROM_STORE, CDM_REPORT_ERROR_BAD_MONTHS },
    { 2022, 1, 12, "no-such-organisation", CDM_REPORT_THRESHOLD_FROM_STORE,
      CDM_REPORT_ERROR_UNKNOWN_ORGANISATION },
    { 2022, 1, 12, "", CDM_REPORT_THRESHOLD_FROM_STORE, CDM_REPORT_ERROR_UNKNOWN_ORGANISATION },
    { 2022, 1, 12, NULL, -5, CDM_REPORT_ERROR_BAD_THRESHOLD },
    { 2022, 1, 12, NULL, CDM_REPORT_MAX_THRESHOLD + 1, CDM_REPORT_ERROR_BAD_THRESHOLD },
  };
  g_autoptr(CdmReport) report = compute_year (fx->store, 2022, NULL);
  g_autofree char *pdf = g_build_filename (fx->dir, "out.pdf", NULL);
  g_autofree char *blocked = g_build_filename (fx->dir, "file", NULL);
  g_autofree char *below = g_build_filename (blocked, "tables", NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CdmReport) bad = NULL;
      g_autoptr(GError) case_error = NULL;
      CdmReportOptions options;

      cdm_report_options_init (&options, cases[i].year);
      options.from_month = cases[i].from;
      options.to_month = cases[i].to;
      options.organisation = cases[i].organisation;
      options.threshold = cases[i].threshold;
      bad = cdm_report_compute_full (fx->store, &options, NULL, &case_error);
      g_assert_null (bad);
      g_assert_error (case_error, CDM_REPORT_ERROR, cases[i].code);
      g_test_message ("%s", case_error->message);
      g_assert_true (strlen (case_error->message) > 10);
    }

  /* A language the report is not written in: nothing written. */
  g_assert_false (cdm_report_write_pdf (report, pdf, "de", &error));
  g_assert_error (error, CDM_REPORT_PDF_ERROR, CDM_REPORT_PDF_ERROR_LANGUAGE);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* A folder that cannot be made. */
  g_assert_true (g_file_set_contents (blocked, "x", -1, NULL));
  g_assert_false (cdm_report_write_csv_dir (report, below, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A PDF into a folder that does not exist. */
  {
    g_autofree char *nowhere = g_build_filename (fx->dir, "missing", "out.pdf", NULL);

    g_assert_false (cdm_report_write_pdf (report, nowhere, "en", &error));
    g_assert_nonnull (error);
  }
}

/* cdmctl report: the options, and bad arguments refused with exit 2, a
 * message, and no file. */
static int
run_cdmctl (Fixture     *fx,
            const char **args,
            char       **out_stdout,
            char       **out_stderr)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("CDMCTL"));
  g_ptr_array_add (argv, (char *) "--store");
  g_ptr_array_add (argv, fx->path);
  g_ptr_array_add (argv, (char *) "report");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out_stdout, out_stderr, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
test_cdmctl (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *pdf = g_build_filename (fx->dir, "figures.pdf", NULL);
  g_autofree char *json_path = g_build_filename (fx->dir, "figures.json", NULL);
  g_autofree char *folder = g_build_filename (fx->dir, "tables", NULL);
  g_autofree char *folder_slash = g_strconcat (folder, G_DIR_SEPARATOR_S, NULL);
  g_autofree char *headline = g_build_filename (folder, "headline.csv", NULL);
  static const struct {
    const char *args[12];
    const char *message;
  } bad[] = {
    { { "--year", "2022", "--from-month", "6", "--to-month", "3", "--format", "pdf", "--output", NULL }, "--from-month" },
    { { "--year", "2022", "--from-month", "13", "--format", "pdf", "--output", NULL }, "--from-month" },
    { { "--year", "99999", "--format", "pdf", "--output", NULL }, "--year" },
    { { "--year", "2022", "--organisation", "nobody", "--format", "pdf", "--output", NULL }, "nobody" },
    { { "--year", "2022", "--lang", "de", "--format", "pdf", "--output", NULL }, "--lang" },
    { { "--year", "2022", "--format", "odt", "--output", NULL }, "--format" },
    { { "--year", "2022", "--threshold=-3", "--format", "pdf", "--output", NULL }, "--threshold" },
  };
  g_autofree char *out = NULL, *err = NULL, *json_text = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *args[16];
      g_autofree char *o = NULL, *e = NULL;
      guint n = 0;

      for (; bad[i].args[n] != NULL; n++)
        args[n] = bad[i].args[n];
      args[n++] = pdf;
      args[n] = NULL;
      g_assert_cmpint (run_cdmctl (fx, args, &o, &e), ==, 2);
      g_test_message ("%s", e);
      g_assert_true (strstr (e, bad[i].message) != NULL);
      g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
    }
  {
    g_autofree char *o = NULL, *e = NULL;

    g_assert_cmpint (run_cdmctl (fx, (const char *[]) { "--year", "2022", "--format", "pdf", NULL }, &o, &e), ==, 2);
    g_assert_true (strstr (e, "--output") != NULL);
  }

  /* The figures of an organisation as JSON into a file. */
  g_assert_cmpint (run_cdmctl (fx, (const char *[]) { "--year", "2022", "--organisation", fx->org_a,
                                                      "--format", "json", "--output", json_path, NULL },
                               &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "");
  json_text = read_file (json_path);
  node = json_from_string (json_text, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_int (json_node_get_object (node), "total_contacts"), ==, SMALL_A_TOTAL);
  g_assert_cmpstr (json_string (json_node_get_object (node), "multimedia.contacts"), ==, "< 5");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A month range as text. */
  g_assert_cmpint (run_cdmctl (fx, (const char *[]) { "--year", "2022", "--from-month", "3", "--to-month", "3",
                                                      NULL }, &out, &err), ==, 0);
  g_assert_true (strstr (out, "Figures for 2022-03") != NULL);
  g_assert_true (has_number (out, 26));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* CSV, one file per table. */
  g_assert_cmpint (run_cdmctl (fx, (const char *[]) { "--year", "2022", "--format", "csv", "--output",
                                                      folder_slash, NULL }, &out, &err), ==, 0);
  g_assert_true (g_file_test (headline, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The PDF, in French. */
  g_assert_cmpint (run_cdmctl (fx, (const char *[]) { "--year", "2022", "--format", "pdf", "--lang", "fr",
                                                      "--output", pdf, NULL }, &out, &err), ==, 0);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  if (tool ("PDFTOTEXT") != NULL)
    {
      g_autofree char *words = pdf_text (pdf);

      g_assert_true (strstr (words, "Conseil individuel") != NULL);
      g_assert_true (has_number (words, SMALL_TOTAL));
    }
}

/* Per-organisation contact figures (contact_org_stats).  The report reads
 * them for an organisation; after every kind of write they must be what
 * a count of the contacts themselves gives. */

/* contact_org_stats recounted from the live contacts, the keys written out
 * again here rather than taken from the schema: rows one side has and
 * the other has not. */
static const char org_stats_mismatch_sql[] =
  "WITH c AS (SELECT * FROM contacts WHERE deleted = 0 AND organisation IS NOT NULL), "
  " k (organisation, day, key) AS ("
  "  SELECT organisation, day, 'channel:' || service || ':' || channel FROM c"
  "  UNION ALL SELECT organisation, day, 'programmes:' || programmes FROM c WHERE programmes <> 0"
  "  UNION ALL SELECT organisation, day, 'gender:' || ifnull (p_gender, '') FROM c"
  "  UNION ALL SELECT organisation, day, 'age_band:' || ifnull (p_age_band, '') FROM c"
  "  UNION ALL SELECT organisation, day, 'region:' || ifnull (p_region, '') FROM c"
  "  UNION ALL SELECT organisation, day, 'status:' || ifnull (p_status, '') FROM c"
  "  UNION ALL SELECT organisation, day, 'education:' || ifnull (p_education, '') FROM c"
  "  UNION ALL SELECT organisation, day, 'foreign_diploma:' || ifnull (p_foreign_diploma, '') FROM c"
  "  UNION ALL SELECT organisation, day, 'language:' || ifnull (p_language, '') FROM c"
  "  UNION ALL SELECT organisation, day, 'first_visit:' || ifnull (p_first_visit, '') FROM c"
  "  UNION ALL SELECT organisation, day, 'heard_from:' || ifnull (p_heard_from, '') FROM c"
  "  UNION ALL SELECT organisation, received_day, CASE WHEN answered_unix IS NULL THEN 'remote:unanswered'"
  "                                      WHEN answered_unix - received_unix <= 48 * 3600 THEN 'remote:within_48h'"
  "                                      ELSE 'remote:answered_late' END"
  "    FROM c WHERE received_day IS NOT NULL),"
  " expected (organisation, day, key, n) AS (SELECT organisation, day, key, count (*) FROM k GROUP BY 1, 2, 3) "
  "SELECT 'missing', * FROM (SELECT * FROM expected EXCEPT SELECT * FROM contact_org_stats) "
  "UNION ALL "
  "SELECT 'extra', * FROM (SELECT * FROM contact_org_stats EXCEPT SELECT * FROM expected) "
  "LIMIT 10";

/* Every row of contact_org_stats is its count, and no other row is
 * there, read on a connection of its own (what was committed). */
static void
assert_org_stats_table_exact (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) mismatches = g_string_new (NULL);
  int rows = 0;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, org_stats_mismatch_sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (mismatches, "%s %s %s %s %lld; ",
                            sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2), sqlite3_column_text (stmt, 3),
                            (long long) sqlite3_column_int64 (stmt, 4));
  sqlite3_finalize (stmt);
  /* Not vacuously: the small store has per-organisation rows. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count (*) FROM contact_org_stats", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  rows = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpstr (mismatches->str, ==, "");
  g_assert_cmpint (rows, >, 20);
}

/* The organisation's report from contact_org_stats is the one a count
 * of its contacts gives, with and without suppression. */
static void
assert_org_report_exact (CdmStore   *store,
                         const char *organisation)
{
  for (int threshold = 0; threshold <= 5; threshold += 5)
    {
      g_autoptr(CdmReport) stats = NULL;
      g_autoptr(CdmReport) recount = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *a = NULL, *b = NULL;
      CdmReportOptions options;

      cdm_report_options_init (&options, 2022);
      options.organisation = organisation;
      options.threshold = threshold;
      stats = compute_options (store, &options);
      recount = _cdm_report_compute_full_recount (store, &options, NULL, &error);
      g_assert_no_error (error);
      a = cdm_report_to_csv (stats);
      b = cdm_report_to_csv (recount);
      g_assert_cmpstr (a, ==, b);
    }
}

static void
assert_org_stats_exact (Fixture *fx)
{
  assert_org_stats_table_exact (fx->path);
  assert_org_report_exact (fx->store, fx->org_a);
  assert_org_report_exact (fx->store, fx->org_b);
}

/* The first live contact of @organisation on @day. */
static JsonObject *
contact_of (CdmStore   *store,
            const char *organisation,
            const char *day)
{
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *id = NULL;
  JsonObject *record;

  g_assert_cmpint (sqlite3_open_v2 (cdm_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT id FROM contacts WHERE organisation = ?1 AND day = ?2 "
                                           "AND deleted = 0 ORDER BY rid LIMIT 1", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, organisation, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, day, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  record = cdm_store_get (store, CDM_ENTITY_CONTACT, id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static void
put_contact_record (CdmStore   *store,
                    JsonObject *record)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_store_put (store, CDM_ENTITY_CONTACT, record, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_org_stats (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) moved = NULL;
  g_autoptr(JsonObject) edited = NULL;
  g_autoptr(JsonObject) deleted = NULL;
  g_autoptr(JsonObject) orphaned = NULL;
  g_autoptr(CdmReport) before = NULL;
  g_autoptr(CdmReport) after = NULL;
  const char *id;

  assert_org_stats_exact (fx);

  /* An edit that moves a contact from A to B, and its day and profile. */
  moved = contact_of (fx->store, fx->org_a, "2022-03-02");
  json_object_set_string_member (moved, "organisation", fx->org_b);
  json_object_set_string_member (moved, "occurred_at", "2022-07-01T10:00:00+02:00");
  put_contact_record (fx->store, moved);
  before = compute_year (fx->store, 2022, fx->org_b);
  g_assert_cmpint (cdm_report_get_threshold (before), ==, 5);
  assert_org_stats_exact (fx);

  /* A remote request answered, late now. */
  edited = contact_of (fx->store, fx->org_a, "2022-04-06");
  json_object_set_string_member (edited, "answered_at", "2022-04-09T10:00:00+02:00");
  json_object_set_string_member (edited, "channel", "chat");
  put_contact_record (fx->store, edited);
  assert_org_stats_exact (fx);

  /* Tombstoned, then put back. */
  deleted = contact_of (fx->store, fx->org_b, "2022-06-14");
  id = json_object_get_string_member (deleted, "id");
  g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_CONTACT, id, &error));
  g_assert_no_error (error);
  assert_org_stats_exact (fx);
  g_assert_true (cdm_store_undelete (fx->store, CDM_ENTITY_CONTACT, id, &error));
  g_assert_no_error (error);
  assert_org_stats_exact (fx);

  /* Its organisation taken away: it leaves A's figures. */
  orphaned = contact_of (fx->store, fx->org_a, "2022-03-03");
  json_object_set_null_member (orphaned, "organisation");
  put_contact_record (fx->store, orphaned);
  assert_org_stats_exact (fx);

  /* A transaction rolled back leaves nothing behind. */
  g_assert_true (cdm_store_begin (fx->store, FALSE, &error));
  g_assert_no_error (error);
  put_contacts (fx->store, fx->org_a, 3, "2022-12-01", "individual_advice", "video", NULL);
  cdm_store_rollback (fx->store);
  assert_org_stats_exact (fx);

  /* And many contacts at once, in one transaction. */
  g_assert_true (cdm_store_begin (fx->store, TRUE, &error));
  g_assert_no_error (error);
  put_contacts (fx->store, fx->org_b, 40, "2022-12-02", "individual_advice", "video",
                "\"programmes\":[\"neet\",\"formtruck\"],\"profile\":{\"language\":\"nl\",\"first_visit\":true}");
  g_assert_true (cdm_store_commit (fx->store, &error));
  g_assert_no_error (error);
  assert_org_stats_exact (fx);
  after = compute_year (fx->store, 2022, fx->org_b);
  g_assert_cmpint (count_of (after, "individual_advice", "video", 0), ==, 40);
  g_assert_cmpint (count_of (after, "programmes", "formtruck", 0), ==, 40);
}

/* Changes pulled from the server go through the same triggers. */
static void
apply_changes (CdmStore   *store,
               const char *json,
               gint64      cursor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (cdm_sync_store_apply_changes (store, json_node_get_array (node), cursor, NULL, &error));
  g_assert_no_error (error);
}

static char *
contact_change (gint64      seq,
                const char *id,
                gint64      version,
                const char *organisation,
                const char *channel)
{
  return g_strdup_printf ("{\"seq\": %" G_GINT64_FORMAT ", \"type\": \"contact\", \"id\": \"%s\", "
                          "\"version\": %" G_GINT64_FORMAT ", \"deleted\": false, \"record\": "
                          "{\"type\": \"contact\", \"id\": \"%s\", \"occurred_at\": \"2022-12-05T10:00:00+01:00\", "
                          "\"site\": \"centre\", \"service\": \"individual_advice\", \"channel\": \"%s\", "
                          "\"organisation\": \"%s\", \"profile\": {\"gender\": \"x\"}, "
                          "\"version\": %" G_GINT64_FORMAT ", \"deleted\": false}}",
                          seq, id, version, id, channel, organisation, version);
}

static void
test_org_stats_sync (Fixture       *fx,
                     gconstpointer  data)
{
  static const char id[] = "5b0c2d0e-8f1a-4c59-9a57-3c1f0e6a9d21";
  g_autofree char *created = contact_change (1, id, 1, fx->org_a, "phone");
  g_autofree char *moved = contact_change (2, id, 2, fx->org_b, "video");
  g_autofree char *page = NULL;
  g_autofree char *deleted = NULL;
  g_autoptr(CdmReport) report = NULL;
  CdmReportOptions options;

  page = g_strdup_printf ("[%s]", created);
  apply_changes (fx->store, page, 1);
  assert_org_stats_exact (fx);
  cdm_report_options_init (&options, 2022);
  options.organisation = fx->org_a;
  options.threshold = 0;
  report = compute_options (fx->store, &options);
  g_assert_cmpint (count_of (report, "individual_advice", "phone", 0), ==, 1);

  g_free (page);
  page = g_strdup_printf ("[%s]", moved);
  apply_changes (fx->store, page, 2);
  assert_org_stats_exact (fx);
  g_clear_pointer (&report, cdm_report_unref);
  options.organisation = fx->org_b;
  report = compute_options (fx->store, &options);
  g_assert_cmpint (count_of (report, "individual_advice", "video", 0), ==, 1);
  g_assert_cmpint (count_of (report, "profile_gender", "x", 0), ==, 1);

  deleted = g_strdup_printf ("[{\"seq\": 3, \"type\": \"contact\", \"id\": \"%s\", \"version\": 3, "
                             "\"deleted\": true, \"record\": null}]", id);
  apply_changes (fx->store, deleted, 3);
  assert_org_stats_exact (fx);
  g_clear_pointer (&report, cdm_report_unref);
  report = compute_options (fx->store, &options);
  g_assert_cmpint (count_of (report, "individual_advice", "video", 0), ==, 0);
}

/* A store made before contact_org_stats gets it, filled, when opened. */
static void
test_org_stats_migration (Fixture       *fx,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmReport) report = NULL;
  sqlite3 *db = NULL;

  g_clear_object (&fx->store);
  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER contacts_org_stats_insert; "
                                     "DROP TRIGGER contacts_org_stats_delete; "
                                     "DROP TRIGGER contacts_org_stats_update; "
                                     "DROP TABLE contact_org_stats; "
                                     "PRAGMA user_version = 1", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  fx->store = cdm_store_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cdm_store_get_schema_version (fx->store), ==, 2);
  assert_org_stats_exact (fx);
  report = compute_year (fx->store, 2022, fx->org_a);
  g_assert_cmpint (count_of (report, "total_contacts", NULL, 0), ==, SMALL_A_TOTAL);
}

static void
on_computed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CdmReport **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cdm_report_compute_full_finish (CDM_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_async (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(CdmReport) sync = compute_year (fx->store, 2022, fx->org_a);
  g_autoptr(CdmReport) async = NULL;
  g_autofree char *organisation = g_strdup (fx->org_a);
  g_autofree char *a = NULL, *b = NULL;
  CdmReportOptions options;

  cdm_report_options_init (&options, 2022);
  options.organisation = organisation;
  cdm_report_compute_full_async (fx->store, &options, NULL, on_computed, &async);
  /* The options were copied. */
  g_clear_pointer (&organisation, g_free);
  while (async == NULL)
    g_main_context_iteration (NULL, TRUE);
  a = cdm_report_to_csv (sync);
  b = cdm_report_to_csv (async);
  g_assert_cmpstr (a, ==, b);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  /* The build's catalogues, for the PDF in French and Dutch. */
  locale_dir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  g_setenv ("CDM_LOCALEDIR", locale_dir, TRUE);

  g_test_add ("/report-full/same-numbers-2020", Fixture, NULL, fixture_set_up_2020, test_same_numbers_2020,
              fixture_tear_down);
  g_test_add ("/report-full/month-range", Fixture, NULL, fixture_set_up_2020, test_month_range,
              fixture_tear_down);
  g_test_add ("/report-full/projection", Fixture, NULL, fixture_set_up_2020, test_projection, fixture_tear_down);
  g_test_add ("/report-full/small-store", Fixture, NULL, fixture_set_up_small, test_small_store,
              fixture_tear_down);
  g_test_add ("/report-full/small-store-outputs", Fixture, NULL, fixture_set_up_small, test_small_store_outputs,
              fixture_tear_down);
  g_test_add ("/report-full/organisation", Fixture, NULL, fixture_set_up_small, test_organisation,
              fixture_tear_down);
  g_test_add ("/report-full/suppression", Fixture, NULL, fixture_set_up_small, test_suppression_outputs,
              fixture_tear_down);
  g_test_add ("/report-full/threshold-setting", Fixture, NULL, fixture_set_up_small, test_threshold_setting,
              fixture_tear_down);
  g_test_add ("/report-full/pdf-languages", Fixture, NULL, fixture_set_up_small, test_pdf_languages,
              fixture_tear_down);
  g_test_add ("/report-full/bad-input", Fixture, NULL, fixture_set_up_small, test_bad_input, fixture_tear_down);
  g_test_add ("/report-full/cdmctl", Fixture, NULL, fixture_set_up_small, test_cdmctl, fixture_tear_down);
  g_test_add ("/report-full/async", Fixture, NULL, fixture_set_up_small, test_async, fixture_tear_down);
  g_test_add ("/report-full/org-stats", Fixture, NULL, fixture_set_up_small, test_org_stats, fixture_tear_down);
  g_test_add ("/report-full/org-stats-migration", Fixture, NULL, fixture_set_up_small, test_org_stats_migration,
              fixture_tear_down);
  g_test_add ("/report-full/org-stats-sync", Fixture, NULL, fixture_set_up_small, test_org_stats_sync,
              fixture_tear_down);

  return g_test_run ();
}
