/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Import and export: NDJSON of every type, CSV of partners, resources and
 * contacts; bad input is refused whole with its line number. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cdm-interchange.h"
#include "cdm-report.h"
#include "cdm-test-util.h"

typedef struct {
  char *dir;
  CdmStore *store;
  CdmStore *other;  /* an empty second store, for round trips */
} Fixture;

static CdmStore *
open_store (const char *dir,
            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  CdmStore *store = cdm_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("cdm-test-interchange-XXXXXX", &error);
  g_assert_no_error (error);
  fx->store = open_store (fx->dir, "desk.sqlite");
  fx->other = open_store (fx->dir, "other.sqlite");
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->store);
  g_clear_object (&fx->other);
  cdm_test_remove_tree (fx->dir);
  g_free (fx->dir);
}

/* Helpers */

#define ORG_A  "0a000000-0000-4000-8000-000000000001"
#define ORG_B  "0a000000-0000-4000-8000-000000000002"
#define RES_A  "0b000000-0000-4000-8000-000000000001"
#define ACT_A  "0c000000-0000-4000-8000-000000000001"
#define CON_A  "0d000000-0000-4000-8000-000000000001"

/* Every type, parents first, with lines that have no id, a blank line,
 * a CRLF line end and a byte order mark. */
static const char every_type[] =
  "\xEF\xBB\xBF"
  "{\"type\":\"organisation\",\"id\":\"" ORG_A "\",\"name\":{\"fr\":\"Actiris\",\"nl\":\"Actiris\"},"
  "\"acronym\":\"ACT\",\"circle\":\"first\",\"kind\":\"public_employment\",\"themes\":[\"work\",\"choose\"],"
  "\"languages\":[\"fr\",\"nl\"],\"desk_days\":[\"mon\",\"thu\"],"
  "\"people\":[{\"name\":\"Anne Dupont\",\"role\":\"coordinatrice\"}],\"active\":true}\n"
  "{\"type\":\"partner\",\"id\":\"" ORG_B "\",\"name\":{\"nl\":\"VDAB Brussel\"},"
  "\"circle\":\"first\",\"kind\":\"public_employment\"}\r\n"
  "\n"
  "{\"type\":\"resource\",\"id\":\"" RES_A "\",\"kind\":\"book\",\"title\":\"Réussir sa reconversion\","
  "\"authors\":[\"Durand, Marie\"],\"year\":2019,\"language\":\"fr\",\"themes\":[\"learn\"],\"copies\":2,"
  "\"tags\":[\"reconversion\",\"bilan\"]}\n"
  "{\"type\":\"resource\",\"kind\":\"website\",\"title\":\"Dorifor\",\"url\":\"https://example.org/dorifor\"}\n"
  "{\"type\":\"activity\",\"id\":\"" ACT_A "\",\"title\":{\"fr\":\"Séance d'information\"},"
  "\"starts_at\":\"2020-03-10T10:00:00+01:00\",\"duration_min\":120,\"mode\":\"online\",\"platform\":\"Teams\","
  "\"organisers\":[\"" ORG_A "\",\"" ORG_B "\"],\"audience\":\"neet\",\"programmes\":[\"neet\"],\"status\":\"held\"}\n"
  "{\"type\":\"attendance\",\"activity\":\"" ACT_A "\",\"count\":14,\"recorded_at\":\"2020-03-10T12:05:00+01:00\"}\n"
  "{\"type\":\"contact\",\"id\":\"" CON_A "\",\"occurred_at\":\"2020-03-16T09:30:00+01:00\",\"site\":\"centre\","
  "\"service\":\"individual_advice\",\"channel\":\"in_person\",\"programmes\":[\"neet\"],\"themes\":[\"learn\",\"work\"],"
  "\"profile\":{\"gender\":\"f\",\"age_band\":\"18_24\",\"first_visit\":true},"
  "\"referrals\":[\"" ORG_B "\"],\"resources\":[\"" RES_A "\"],\"duration_min\":25,\"note\":\"CV, lettre\"}\n"
  "{\"type\":\"contact\",\"occurred_at\":\"2020-05-04T14:00:00+02:00\",\"site\":\"remote\",\"service\":\"individual_advice\","
  "\"channel\":\"email\",\"received_at\":\"2020-05-04T14:00:00+02:00\",\"answered_at\":\"2020-05-05T09:00:00+02:00\"}\n"
  "{\"type\":\"multimedia_tally\",\"day\":\"2020-03-16\",\"kind\":\"computer_access\",\"count\":31}\n"
  "{\"type\":\"closure\",\"from\":\"2020-03-16\",\"to\":\"2020-05-17\",\"scope\":\"all\",\"reason\":\"COVID-19\"}\n"
  "{\"type\":\"satisfaction\",\"answered_on\":\"2020-03-12\",\"score\":9,\"recommend\":true,\"found\":false,"
  "\"frequency\":\"first_visit\",\"profile\":{\"region\":\"brussels\"}}\n";

typedef struct {
  gint64 count[CDM_N_ENTITIES];
  gint64 outbox;
} Snapshot;

static Snapshot
snapshot (CdmStore *store)
{
  g_autoptr(GError) error = NULL;
  Snapshot s = { { 0 }, 0 };

  for (guint i = 0; i < CDM_N_ENTITIES; i++)
    {
      s.count[i] = cdm_store_count (store, i, &error);
      g_assert_no_error (error);
    }
  s.outbox = cdm_store_outbox_count (store, &error);
  g_assert_no_error (error);
  return s;
}

static void
assert_same_snapshot (const Snapshot *a,
                      const Snapshot *b)
{
  for (guint i = 0; i < CDM_N_ENTITIES; i++)
    g_assert_cmpint (a->count[i], ==, b->count[i]);
  g_assert_cmpint (a->outbox, ==, b->outbox);
}

static gboolean
import_ndjson (CdmStore        *store,
               const char      *text,
               gsize            len,
               CdmImportStats  *stats,
               GError         **error)
{
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (text, len, NULL);

  return cdm_import_ndjson (store, input, stats, NULL, error);
}

static gboolean
import_csv (CdmStore        *store,
            CdmEntity        entity,
            const char      *text,
            CdmImportStats  *stats,
            GError         **error)
{
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (text, strlen (text), NULL);

  return cdm_import_csv (store, entity, input, stats, NULL, error);
}

static char *
steal_text (GOutputStream *output)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize len;
  const char *data;

  g_assert_true (g_output_stream_close (output, NULL, NULL));
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (output));
  data = g_bytes_get_data (bytes, &len);
  g_assert_null (memchr (data, '\0', len));
  return g_strndup (data, len);
}

static char *
export_ndjson (CdmStore  *store,
               CdmEntity  entity)
{
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_export_ndjson (store, entity, output, NULL, &error));
  g_assert_no_error (error);
  return steal_text (output);
}

static char *
export_csv (CdmStore  *store,
            CdmEntity  entity)
{
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_export_csv (store, entity, output, NULL, &error));
  g_assert_no_error (error);
  return steal_text (output);
}

static void
import_every_type (CdmStore *store)
{
  g_autoptr(GError) error = NULL;
  CdmImportStats stats;

  g_assert_true (import_ndjson (store, every_type, strlen (every_type), &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.created, ==, 11);
}

static JsonObject *
get (CdmStore   *store,
     CdmEntity   entity,
     const char *id)
{
  g_autoptr(GError) error = NULL;
  JsonObject *record = cdm_store_get (store, entity, id, FALSE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

/* Asserts that @error is @code of CDM_IMPORT_ERROR and starts "line N:". */
static void
assert_line_error (const GError *error,
                   int           code,
                   guint         line)
{
  g_autofree char *prefix = g_strdup_printf ("line %u: ", line);

  g_assert_error (error, CDM_IMPORT_ERROR, code);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("expected “%s…”, got “%s”", prefix, error->message);
}

/* NDJSON */

static void
test_ndjson_every_type (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) contact = NULL;
  g_autoptr(JsonObject) partner = NULL;
  g_autoptr(JsonObject) activity = NULL;
  g_autoptr(JsonObject) resource = NULL;
  JsonArray *array;
  Snapshot s;

  import_every_type (fx->store);
  s = snapshot (fx->store);
  g_assert_cmpint (s.count[CDM_ENTITY_ORGANISATION], ==, 2);
  g_assert_cmpint (s.count[CDM_ENTITY_RESOURCE], ==, 2);
  g_assert_cmpint (s.count[CDM_ENTITY_ACTIVITY], ==, 1);
  g_assert_cmpint (s.count[CDM_ENTITY_ATTENDANCE], ==, 1);
  g_assert_cmpint (s.count[CDM_ENTITY_CONTACT], ==, 2);
  g_assert_cmpint (s.count[CDM_ENTITY_MULTIMEDIA_TALLY], ==, 1);
  g_assert_cmpint (s.count[CDM_ENTITY_CLOSURE], ==, 1);
  g_assert_cmpint (s.count[CDM_ENTITY_SATISFACTION], ==, 1);
  /* Imported records are local changes, to be pushed like any other. */
  g_assert_cmpint (s.outbox, ==, 11);

  partner = get (fx->store, CDM_ENTITY_ORGANISATION, ORG_A);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (partner, "name"), "fr"), ==, "Actiris");
  array = json_object_get_array_member (partner, "people");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);

  /* The CRLF line and the "partner" alias. */
  g_clear_pointer (&partner, json_object_unref);
  partner = get (fx->store, CDM_ENTITY_ORGANISATION, ORG_B);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (partner, "name"), "nl"), ==, "VDAB Brussel");

  resource = get (fx->store, CDM_ENTITY_RESOURCE, RES_A);
  g_assert_cmpstr (json_object_get_string_member (resource, "title"), ==, "Réussir sa reconversion");

  activity = get (fx->store, CDM_ENTITY_ACTIVITY, ACT_A);
  array = json_object_get_array_member (activity, "organisers");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, ORG_A);

  contact = get (fx->store, CDM_ENTITY_CONTACT, CON_A);
  array = json_object_get_array_member (contact, "referrals");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, ORG_B);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (contact, "profile"), "gender"), ==, "f");
}

typedef struct {
  const char *name;
  const char *line;   /* NULL: made by the test, see below */
  int code;
  const char *reason; /* a part of the message */
} BadLine;

static const BadLine bad_lines[] = {
  { "bad-json", "{\"type\":\"closure\",\"from\":", CDM_IMPORT_ERROR_BAD_LINE, "JSON" },
  { "not-object", "[1,2,3]", CDM_IMPORT_ERROR_BAD_LINE, "not a JSON object" },
  { "no-type", "{\"from\":\"2020-01-01\"}", CDM_IMPORT_ERROR_BAD_LINE, "type" },
  { "unknown-type", "{\"type\":\"invoice\",\"total\":3}", CDM_IMPORT_ERROR_BAD_LINE, "invoice" },
  { "unknown-code", "{\"type\":\"contact\",\"occurred_at\":\"2020-03-16T09:30:00+01:00\",\"site\":\"centre\","
    "\"service\":\"individual_advice\",\"channel\":\"fax\"}", CDM_IMPORT_ERROR_BAD_LINE, "fax" },
  { "wrong-type", "{\"type\":\"multimedia_tally\",\"day\":\"2020-03-16\",\"kind\":\"printing\",\"count\":\"many\"}",
    CDM_IMPORT_ERROR_BAD_LINE, "count" },
  { "unknown-field", "{\"type\":\"closure\",\"from\":\"2020-01-01\",\"to\":\"2020-01-02\",\"scope\":\"all\",\"colour\":\"red\"}",
    CDM_IMPORT_ERROR_BAD_LINE, "colour" },
  { "missing-field", "{\"type\":\"resource\",\"kind\":\"book\"}", CDM_IMPORT_ERROR_BAD_LINE, "title" },
  { "unknown-reference", "{\"type\":\"attendance\",\"activity\":\"0c000000-0000-4000-8000-0000000000ff\","
    "\"count\":3,\"recorded_at\":\"2020-03-10T12:05:00+01:00\"}", CDM_IMPORT_ERROR_BAD_LINE, "0c000000-0000-4000-8000-0000000000ff" },
  { "unknown-referral", "{\"type\":\"contact\",\"occurred_at\":\"2020-03-16T09:30:00+01:00\",\"site\":\"centre\","
    "\"service\":\"individual_advice\",\"channel\":\"chat\",\"referrals\":[\"0a000000-0000-4000-8000-0000000000ff\"]}",
    CDM_IMPORT_ERROR_BAD_LINE, "referrals" },
  { "invalid-utf8", "{\"type\":\"closure\",\"from\":\"2020-01-01\",\"to\":\"2020-01-02\",\"scope\":\"all\",\"reason\":\"gr\xE8ve\"}",
    CDM_IMPORT_ERROR_BAD_LINE, "UTF-8" },
  { "user", "{\"type\":\"user\",\"login\":\"root\",\"role\":\"admin\"}", CDM_IMPORT_ERROR_BAD_LINE, "server" },
  { "counted-changed", "{\"type\":\"multimedia_tally\",\"id\":\"0e000000-0000-4000-8000-000000000001\","
    "\"day\":\"2020-03-16\",\"kind\":\"printing\",\"count\":99}", CDM_IMPORT_ERROR_BAD_LINE, "counted" },
  { "oversized", NULL, CDM_IMPORT_ERROR_TOO_LONG, "1 MiB" },
  { "deep", NULL, CDM_IMPORT_ERROR_BAD_LINE, "deep" },
};

static void
test_ndjson_bad_line (Fixture       *fx,
                      gconstpointer  data)
{
  const BadLine *bad = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) file = g_string_new (NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  CdmImportStats stats = { 7, 7, 7 };
  Snapshot s1, s2;

  import_every_type (fx->store);
  {
    /* A counted record, which may not change once written. */
    const char *tally = "{\"type\":\"multimedia_tally\",\"id\":\"0e000000-0000-4000-8000-000000000001\","
                        "\"day\":\"2020-03-16\",\"kind\":\"printing\",\"count\":5}\n";

    g_assert_true (import_ndjson (fx->store, tally, strlen (tally), NULL, &error));
    g_assert_no_error (error);
  }
  s1 = snapshot (fx->store);
  before = export_ndjson (fx->store, CDM_N_ENTITIES);

  /* New records before and after the bad line, which must not stay. */
  g_string_append (file, "{\"type\":\"organisation\",\"name\":{\"fr\":\"Bruxelles Formation\"},"
                         "\"circle\":\"first\",\"kind\":\"training\"}\n");
  g_string_append (file, "\n");
  g_string_append (file, "{\"type\":\"closure\",\"from\":\"2020-12-24\",\"to\":\"2021-01-03\",\"scope\":\"all\"}\r\n");
  if (bad->line != NULL)
    g_string_append (file, bad->line);
  else if (g_str_equal (bad->name, "oversized"))
    {
      g_string_append (file, "{\"type\":\"closure\",\"from\":\"2020-01-01\",\"to\":\"2020-01-02\",\"scope\":\"all\",\"reason\":\"");
      for (guint i = 0; i < 1024 * 1024; i += 8)
        g_string_append (file, "abcdefgh");
      g_string_append (file, "\"}");
    }
  else
    {
      /* Deep enough to exhaust a parser's stack, short enough for a line. */
      g_string_append (file, "{\"type\":\"closure\",\"reason\":");
      for (guint i = 0; i < 400000; i++)
        g_string_append_c (file, '[');
      for (guint i = 0; i < 400000; i++)
        g_string_append_c (file, ']');
      g_string_append (file, "}");
    }
  g_string_append (file, "\n");
  g_string_append (file, "{\"type\":\"resource\",\"kind\":\"video\",\"title\":\"Métiers du soin\"}\n");

  g_assert_false (import_ndjson (fx->store, file->str, file->len, &stats, &error));
  assert_line_error (error, bad->code, 4);
  if (strstr (error->message, bad->reason) == NULL)
    g_error ("expected “%s” in “%s”", bad->reason, error->message);
  g_test_message ("%s", error->message);

  /* Nothing imported, nothing queued, nothing counted. */
  g_assert_cmpuint (stats.created + stats.updated + stats.unchanged, ==, 0);
  s2 = snapshot (fx->store);
  assert_same_snapshot (&s1, &s2);
  after = export_ndjson (fx->store, CDM_N_ENTITIES);
  g_assert_cmpstr (before, ==, after);

  /* The store is still usable: the good lines alone import. */
  g_clear_error (&error);
  {
    g_autofree char *good = g_strdup (file->str);
    char *third_end = strstr (strstr (good, "\r\n"), "\n") + 1;

    *third_end = '\0';
    g_assert_true (import_ndjson (fx->store, good, strlen (good), &stats, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (stats.created, ==, 2);
  }
}

static void
test_ndjson_twice (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  CdmImportStats stats;
  Snapshot s1, s2;

  import_every_type (fx->store);
  s1 = snapshot (fx->store);
  first = export_ndjson (fx->store, CDM_N_ENTITIES);

  g_assert_true (import_ndjson (fx->store, every_type, strlen (every_type), &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.created, ==, 0);
  g_assert_cmpuint (stats.updated, ==, 0);
  g_assert_cmpuint (stats.unchanged, ==, 11);

  s2 = snapshot (fx->store);
  assert_same_snapshot (&s1, &s2);
  second = export_ndjson (fx->store, CDM_N_ENTITIES);
  g_assert_cmpstr (first, ==, second);
}

/* Two anonymous contacts can be alike in every field: both count, and a
 * second import still changes nothing. */
static void
test_ndjson_identical_lines (Fixture       *fx,
                             gconstpointer  data)
{
  static const char file[] =
    "{\"type\":\"contact\",\"occurred_at\":\"2020-06-02T10:00:00+02:00\",\"site\":\"centre\","
    "\"service\":\"multimedia\",\"channel\":\"in_person\"}\n"
    "{\"type\":\"contact\",\"occurred_at\":\"2020-06-02T10:00:00+02:00\",\"site\":\"centre\","
    "\"service\":\"multimedia\",\"channel\":\"in_person\"}\n"
    /* The same record written differently is still the same record. */
    "{ \"channel\": \"in_person\", \"service\": \"multimedia\", \"site\": \" centre \","
    "  \"occurred_at\": \"2020-06-02T10:00:00+02:00\", \"type\": \"contact\", \"themes\": [], \"id\": null }\n";
  g_autoptr(GError) error = NULL;
  CdmImportStats stats;

  g_assert_true (import_ndjson (fx->store, file, strlen (file), &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.created, ==, 3);
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_CONTACT, NULL), ==, 3);

  g_assert_true (import_ndjson (fx->store, file, strlen (file), &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.created, ==, 0);
  g_assert_cmpuint (stats.unchanged, ==, 3);
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_CONTACT, NULL), ==, 3);
}

static JsonNode *
report_json (CdmStore *store,
             int       year)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmReport) report = cdm_report_compute (store, year, NULL, &error);
  g_autoptr(JsonObject) object = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (report);
  object = cdm_report_to_json (report);
  return json_node_init_object (json_node_alloc (), object);
}

static void
test_ndjson_round_trip (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonNode) report1 = NULL;
  g_autoptr(JsonNode) report2 = NULL;
  CdmImportStats stats;
  Snapshot s1, s2;

  cdm_store_set_identity (fx->store, "counsellor1", "actiris", "desk-3");
  import_every_type (fx->store);
  first = export_ndjson (fx->store, CDM_N_ENTITIES);
  g_test_message ("%s", first);

  /* One compact object a line, "type" first, no sync columns. */
  lines = g_strsplit (first, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 12);
  g_assert_cmpstr (lines[11], ==, "");
  for (guint i = 0; i < 11; i++)
    {
      g_assert_true (g_str_has_prefix (lines[i], "{\"type\":\""));
      g_assert_null (strstr (lines[i], "\"version\""));
      g_assert_null (strstr (lines[i], "\"updated_at\""));
      g_assert_null (strstr (lines[i], "\"deleted\""));
      g_assert_nonnull (strstr (lines[i], "\"id\":\""));
    }
  g_assert_true (g_str_has_prefix (lines[0], "{\"type\":\"organisation\""));
  g_assert_true (g_str_has_prefix (lines[10], "{\"type\":\"satisfaction\""));

  g_assert_true (import_ndjson (fx->other, first, strlen (first), &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.created, ==, 11);
  second = export_ndjson (fx->other, CDM_N_ENTITIES);
  g_assert_cmpstr (first, ==, second);

  s1 = snapshot (fx->store);
  s2 = snapshot (fx->other);
  assert_same_snapshot (&s1, &s2);

  report1 = report_json (fx->store, 2020);
  report2 = report_json (fx->other, 2020);
  g_assert_true (json_node_equal (report1, report2));
  /* Two contacts in individual advice, 14 in the held activity, 31 in the
   * multimedia area. */
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (report2), "total_contacts"), ==, 47);

  /* One entity alone. */
  g_clear_pointer (&second, g_free);
  second = export_ndjson (fx->other, CDM_ENTITY_CLOSURE);
  g_assert_true (g_str_has_prefix (second, "{\"type\":\"closure\""));
  g_assert_cmpint (strchr (second, '\n') - second + 1, ==, strlen (second));
}

/* CSV */

static void
test_csv_round_trip (Fixture       *fx,
                     gconstpointer  data)
{
  static const CdmEntity entities[] = {
    CDM_ENTITY_ORGANISATION, CDM_ENTITY_RESOURCE, CDM_ENTITY_CONTACT,
  };

  import_every_type (fx->store);
  g_assert_false (cdm_csv_supports (CDM_ENTITY_ACTIVITY));

  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *first = export_csv (fx->store, entities[i]);
      g_autofree char *second = NULL;
      CdmImportStats stats;

      g_test_message ("%s", first);
      g_assert_true (cdm_csv_supports (entities[i]));
      g_assert_true (g_str_has_prefix (first, "\xEF\xBB\xBF" "id,"));

      /* Into an empty store (partners and resources come first, as the
       * contacts refer to them), then back out: the same bytes. */
      g_assert_true (import_csv (fx->other, entities[i], first, &stats, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (stats.created, ==, 2);
      second = export_csv (fx->other, entities[i]);
      g_assert_cmpstr (first, ==, second);

      /* And back into the store it came from: nothing changes. */
      g_assert_true (import_csv (fx->store, entities[i], first, &stats, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (stats.unchanged, ==, 2);
      g_assert_cmpuint (stats.created + stats.updated, ==, 0);
    }

  /* Resources have a column for every field: the records are equal. */
  {
    g_autofree char *a = export_ndjson (fx->store, CDM_ENTITY_RESOURCE);
    g_autofree char *b = export_ndjson (fx->other, CDM_ENTITY_RESOURCE);

    g_assert_cmpstr (a, ==, b);
  }
}

static void
test_csv_quoting (Fixture       *fx,
                  gconstpointer  data)
{
  /* Quotes, commas, semicolons and line breaks (LF and CRLF) in cells;
   * columns in another order; CRLF rows; one row with no id. */
  static const char file[] =
    "title,kind,id,summary,authors,tags,active,year\r\n"
    "\"Le \"\"bon\"\" CV, en 10 étapes\",book," RES_A ",\"Ligne 1\nLigne 2\r\nLigne 3; fin\","
    "\"Durand, Marie; Peeters, Jan\",cv ; lettre,yes,2021\r\n"
    "Métiers du soin,video,,,,,0,\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) resource = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *again = NULL;
  CdmImportStats stats;
  JsonArray *array;

  g_assert_true (import_csv (fx->store, CDM_ENTITY_RESOURCE, file, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.created, ==, 2);

  resource = get (fx->store, CDM_ENTITY_RESOURCE, RES_A);
  g_assert_cmpstr (json_object_get_string_member (resource, "title"), ==, "Le \"bon\" CV, en 10 étapes");
  g_assert_cmpstr (json_object_get_string_member (resource, "summary"), ==, "Ligne 1\nLigne 2\r\nLigne 3; fin");
  array = json_object_get_array_member (resource, "authors");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (array, 0), ==, "Durand, Marie");
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, "Peeters, Jan");
  array = json_object_get_array_member (resource, "tags");
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, "lettre");
  g_assert_true (json_object_get_boolean_member (resource, "active"));
  g_assert_cmpint (json_object_get_int_member (resource, "year"), ==, 2021);

  csv = export_csv (fx->store, CDM_ENTITY_RESOURCE);
  g_assert_nonnull (strstr (csv, "\"Le \"\"bon\"\" CV, en 10 étapes\""));
  g_assert_nonnull (strstr (csv, "\"Ligne 1\nLigne 2\r\nLigne 3; fin\""));
  g_assert_nonnull (strstr (csv, ",false\r\n"));

  /* The export imports back unchanged, and so does the file itself (the
   * row without an id gets the same id again). */
  g_assert_true (import_csv (fx->store, CDM_ENTITY_RESOURCE, csv, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.unchanged, ==, 2);
  g_assert_true (import_csv (fx->store, CDM_ENTITY_RESOURCE, file, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.unchanged, ==, 2);
  again = export_csv (fx->store, CDM_ENTITY_RESOURCE);
  g_assert_cmpstr (csv, ==, again);
}

static void
test_csv_semicolons (Fixture       *fx,
                     gconstpointer  data)
{
  /* What a spreadsheet writes in a French or Dutch locale. */
  static const char file[] =
    "\xEF\xBB\xBF" "name_fr;circle;kind;themes;languages;active\n"
    "Maison de l'emploi;second;association;\"learn;work\";fr;Oui\n";
  static const char good[] =
    "name_fr;circle;kind;themes;languages;active\n"
    "Maison de l'emploi;second;association;\"learn;work\";fr;no\n";
  g_autoptr(GError) error = NULL;
  CdmImportStats stats;

  g_assert_false (import_csv (fx->store, CDM_ENTITY_ORGANISATION, file, &stats, &error));
  assert_line_error (error, CDM_IMPORT_ERROR_BAD_LINE, 2);
  g_assert_nonnull (strstr (error->message, "Oui"));
  g_clear_error (&error);

  g_assert_true (import_csv (fx->store, CDM_ENTITY_ORGANISATION, good, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.created, ==, 1);
  {
    g_autofree char *csv = export_csv (fx->store, CDM_ENTITY_ORGANISATION);
    g_assert_nonnull (strstr (csv, ",Maison de l'emploi,,,,second,association,learn;work,fr,"));
    g_assert_true (g_str_has_suffix (csv, ",false\r\n"));
  }
}

/* A row that names a stored record keeps the fields the file has no
 * column for, such as a partner's contact people. */
static void
test_csv_keeps_other_fields (Fixture       *fx,
                             gconstpointer  data)
{
  static const char file[] =
    "id,name_fr,circle,kind\n"
    ORG_A ",Actiris Brussels,first,public_employment\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) partner = NULL;
  CdmImportStats stats;

  import_every_type (fx->store);
  g_assert_true (import_csv (fx->store, CDM_ENTITY_ORGANISATION, file, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.updated, ==, 1);

  partner = get (fx->store, CDM_ENTITY_ORGANISATION, ORG_A);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (partner, "name"), "fr"), ==, "Actiris Brussels");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (partner, "name"), "nl"), ==, "Actiris");
  g_assert_cmpstr (json_object_get_string_member (partner, "acronym"), ==, "ACT");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (partner, "people")), ==, 1);
}

typedef struct {
  const char *name;
  CdmEntity entity;
  const char *file;
  int code;
  guint line;          /* 0: a header error */
  const char *reason;  /* a part of the message */
} BadCsv;

static const BadCsv bad_csvs[] = {
  { "unknown-column", CDM_ENTITY_RESOURCE, "id,kind,title,colour\n", CDM_IMPORT_ERROR_BAD_HEADER, 0, "colour" },
  { "missing-column", CDM_ENTITY_RESOURCE, "id,kind,year\n," "book,2020\n", CDM_IMPORT_ERROR_BAD_HEADER, 0, "title" },
  { "missing-name", CDM_ENTITY_ORGANISATION, "circle,kind\nfirst,training\n", CDM_IMPORT_ERROR_BAD_HEADER, 0, "name_fr" },
  { "twice", CDM_ENTITY_RESOURCE, "kind,title,Title\n", CDM_IMPORT_ERROR_BAD_HEADER, 0, "twice" },
  { "empty", CDM_ENTITY_CONTACT, "", CDM_IMPORT_ERROR_BAD_HEADER, 0, "header" },
  { "bad-code", CDM_ENTITY_RESOURCE,
    "kind,title,summary\nbook,A,\"two\nlines\"\nbook,B,x\ncd,C,\"more\r\nlines\"\n",
    CDM_IMPORT_ERROR_BAD_LINE, 5, "cd" },
  { "bad-number", CDM_ENTITY_RESOURCE, "kind,title,year\nbook,A,2020\nbook,B,MMXX\n", CDM_IMPORT_ERROR_BAD_LINE, 3, "MMXX" },
  { "bad-bool", CDM_ENTITY_RESOURCE, "kind,title,active\nbook,A,maybe\n", CDM_IMPORT_ERROR_BAD_LINE, 2, "maybe" },
  { "cells", CDM_ENTITY_RESOURCE, "kind,title\nbook,A\nbook,B,extra\n", CDM_IMPORT_ERROR_BAD_LINE, 3, "cells" },
  { "unclosed", CDM_ENTITY_RESOURCE, "kind,title\nbook,A\nbook,\"B\nand more\n", CDM_IMPORT_ERROR_BAD_LINE, 3, "quote" },
  { "after-quote", CDM_ENTITY_RESOURCE, "kind,title\nbook,\"A\"x\n", CDM_IMPORT_ERROR_BAD_LINE, 2, "quote" },
  { "invalid-utf8", CDM_ENTITY_RESOURCE, "kind,title\nbook,A\nbook,caf\xE9\n", CDM_IMPORT_ERROR_BAD_LINE, 3, "UTF-8" },
  { "unknown-referral", CDM_ENTITY_CONTACT,
    "occurred_at,site,service,channel,referrals\n"
    "2020-03-16T09:30:00+01:00,centre,individual_advice,in_person," ORG_A "\n"
    "2020-03-16T09:45:00+01:00,centre,individual_advice,in_person,0a000000-0000-4000-8000-0000000000ff\n",
    CDM_IMPORT_ERROR_BAD_LINE, 3, "referrals" },
  { "bad-timestamp", CDM_ENTITY_CONTACT,
    "occurred_at,site,service,channel\n16/03/2020 09:30,centre,individual_advice,in_person\n",
    CDM_IMPORT_ERROR_BAD_LINE, 2, "16/03/2020" },
};

static void
test_csv_bad (Fixture       *fx,
              gconstpointer  data)
{
  const BadCsv *bad = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  CdmImportStats stats = { 7, 7, 7 };
  Snapshot s1, s2;

  import_every_type (fx->store);
  s1 = snapshot (fx->store);
  before = export_ndjson (fx->store, CDM_N_ENTITIES);

  g_assert_false (import_csv (fx->store, bad->entity, bad->file, &stats, &error));
  g_test_message ("%s", error->message);
  if (bad->line == 0)
    g_assert_error (error, CDM_IMPORT_ERROR, bad->code);
  else
    assert_line_error (error, bad->code, bad->line);
  if (strstr (error->message, bad->reason) == NULL)
    g_error ("expected “%s” in “%s”", bad->reason, error->message);

  g_assert_cmpuint (stats.created + stats.updated + stats.unchanged, ==, 0);
  s2 = snapshot (fx->store);
  assert_same_snapshot (&s1, &s2);
  after = export_ndjson (fx->store, CDM_N_ENTITIES);
  g_assert_cmpstr (before, ==, after);
}

static void
test_csv_booleans (Fixture       *fx,
                   gconstpointer  data)
{
  static const char file[] =
    "occurred_at,site,service,channel,foreign_diploma,first_visit\n"
    "2020-03-16T09:30:00+01:00,centre,individual_advice,in_person,TRUE,no\n"
    "2020-03-16T09:31:00+01:00,centre,individual_advice,in_person,1,0\n"
    "2020-03-16T09:32:00+01:00,centre,individual_advice,in_person,,Yes\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *csv = NULL;
  CdmImportStats stats;

  g_assert_true (import_csv (fx->store, CDM_ENTITY_CONTACT, file, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.created, ==, 3);

  csv = export_csv (fx->store, CDM_ENTITY_CONTACT);
  g_assert_nonnull (strstr (csv, "2020-03-16T09:30:00+01:00,centre,individual_advice,in_person,,,,,,,,true,,false,"));
  g_assert_nonnull (strstr (csv, "2020-03-16T09:31:00+01:00,centre,individual_advice,in_person,,,,,,,,true,,false,"));
  g_assert_nonnull (strstr (csv, "2020-03-16T09:32:00+01:00,centre,individual_advice,in_person,,,,,,,,,,true,"));
}

/* A row may span lines, but not past the limit of 1 MiB. */
static void
test_csv_long_row (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GString) file = g_string_new ("kind,title,summary\nbook,A,short\nbook,B,\"");
  g_autoptr(GError) error = NULL;
  CdmImportStats stats;
  Snapshot s1, s2;

  for (guint i = 0; i < 20000; i++)
    g_string_append (file, "a line of a very long summary, sixty-odd characters long\n");
  g_string_append (file, "\"\n");

  s1 = snapshot (fx->store);
  g_assert_false (import_csv (fx->store, CDM_ENTITY_RESOURCE, file->str, &stats, &error));
  assert_line_error (error, CDM_IMPORT_ERROR_TOO_LONG, 3);
  s2 = snapshot (fx->store);
  assert_same_snapshot (&s1, &s2);
}

static void
test_cancelled (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GInputStream) input = g_memory_input_stream_new_from_data (every_type, strlen (every_type), NULL);
  g_autoptr(GError) error = NULL;
  Snapshot s1, s2;

  s1 = snapshot (fx->store);
  g_cancellable_cancel (cancellable);
  g_assert_false (cdm_import_ndjson (fx->store, input, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  s2 = snapshot (fx->store);
  assert_same_snapshot (&s1, &s2);

  /* The store is not left in a transaction. */
  g_clear_error (&error);
  import_every_type (fx->store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("/interchange/ndjson/every-type", test_ndjson_every_type, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad_lines); i++)
    {
      g_autofree char *path = g_strdup_printf ("/interchange/ndjson/bad-line/%s", bad_lines[i].name);
      ADD (path, test_ndjson_bad_line, &bad_lines[i]);
    }
  ADD ("/interchange/ndjson/twice", test_ndjson_twice, NULL);
  ADD ("/interchange/ndjson/identical-lines", test_ndjson_identical_lines, NULL);
  ADD ("/interchange/ndjson/round-trip", test_ndjson_round_trip, NULL);
  ADD ("/interchange/csv/round-trip", test_csv_round_trip, NULL);
  ADD ("/interchange/csv/quoting", test_csv_quoting, NULL);
  ADD ("/interchange/csv/semicolons", test_csv_semicolons, NULL);
  ADD ("/interchange/csv/keeps-other-fields", test_csv_keeps_other_fields, NULL);
  ADD ("/interchange/csv/booleans", test_csv_booleans, NULL);
  ADD ("/interchange/csv/long-row", test_csv_long_row, NULL);
  ADD ("/interchange/cancelled", test_cancelled, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (bad_csvs); i++)
    {
      g_autofree char *path = g_strdup_printf ("/interchange/csv/bad/%s", bad_csvs[i].name);
      ADD (path, test_csv_bad, &bad_csvs[i]);
    }

  return g_test_run ();
}
