/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-demo.c: the demo data, as a counsellor and a manager would see it.
 *
 * A past year reproduces the 2020 report's figures; a year filled in the
 * middle of it has planned activities and no contact after the present;
 * filling twice changes nothing; demo data is never queued for the server
 * and never mixed with real records.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cdm-demo.h"
#include "cdm-demo-private.h"
#include "cdm-interchange.h"
#include "cdm-report.h"
#include "cdm-search.h"
#include "cdm-test-util.h"

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

  fixture->dir = g_dir_make_tmp ("cdm-test-demo-XXXXXX", &error);
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

static double
fill_timed (CdmStore *store,
            int       year)
{
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();
  double seconds;

  g_assert_true (cdm_demo_fill (store, year, NULL, &error));
  g_assert_no_error (error);
  seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  g_test_message ("demo %d filled in %.2f s", year, seconds);
  return seconds;
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

static GBytes *
export_all (CdmStore *store)
{
  g_autoptr(GOutputStream) output = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_export_ndjson (store, CDM_N_ENTITIES, output, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (output, NULL, &error));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (output));
}

static gboolean
collect_names (JsonObject *record,
               gpointer    user_data)
{
  JsonObject *name = json_object_get_object_member (record, "name");

  g_ptr_array_add (user_data, g_strdup (json_object_get_string_member (name, "fr")));
  return TRUE;
}

typedef struct {
  guint activities;
  guint without_organisers;
  guint held, planned, cancelled;
  guint online_without_link;
  gint64 now;
  guint held_after_now;
  guint planned_before_now;
} ActivityCheck;

static gboolean
check_activity (JsonObject *record,
                gpointer    user_data)
{
  ActivityCheck *check = user_data;
  const char *status = json_object_get_string_member (record, "status");
  gint64 starts;

  check->activities++;
  if (json_array_get_length (json_object_get_array_member (record, "organisers")) == 0)
    check->without_organisers++;
  if (g_str_equal (json_object_get_string_member (record, "mode"), "online") &&
      (json_object_get_null_member (record, "link") ||
       json_object_get_null_member (record, "platform")))
    check->online_without_link++;

  g_assert_true (cdm_parse_timestamp (json_object_get_string_member (record, "starts_at"), &starts, NULL));
  if (g_str_equal (status, "held"))
    {
      check->held++;
      if (starts > check->now)
        check->held_after_now++;
    }
  else if (g_str_equal (status, "planned"))
    {
      check->planned++;
      if (starts <= check->now)
        check->planned_before_now++;
    }
  else
    check->cancelled++;
  return TRUE;
}

typedef struct {
  GHashTable *kinds;
  GHashTable *languages;
  guint books;
  guint bad_isbn;
  guint not_shelved;
} LibraryCheck;

/* ISBN-13: 13 digits, weights 1 and 3, the sum a multiple of ten. */
static gboolean
isbn_valid (const char *isbn)
{
  guint sum = 0;

  if (isbn == NULL || strlen (isbn) != 13)
    return FALSE;
  for (guint i = 0; i < 13; i++)
    {
      if (!g_ascii_isdigit (isbn[i]))
        return FALSE;
      sum += (isbn[i] - '0') * (i % 2 == 0 ? 1 : 3);
    }
  return sum % 10 == 0;
}

static gboolean
check_resource (JsonObject *record,
                gpointer    user_data)
{
  LibraryCheck *check = user_data;
  const char *kind = json_object_get_string_member (record, "kind");

  g_hash_table_add (check->kinds, g_strdup (kind));
  g_hash_table_add (check->languages, g_strdup (json_object_get_string_member (record, "language")));
  if (g_str_equal (kind, "book"))
    {
      const char *location = json_object_get_string_member (record, "location");

      check->books++;
      if (!isbn_valid (json_object_get_string_member (record, "isbn")))
        check->bad_isbn++;
      /* A shelf such as "T-12". */
      if (location == NULL || !g_ascii_isupper (location[0]) || location[1] != '-' ||
          !g_ascii_isdigit (location[2]))
        check->not_shelved++;
    }
  return TRUE;
}

typedef struct {
  gint64 now;
  guint contacts;
  guint after_now;
  guint remote;
  guint answered_within_48h;
  guint wrong_offset;
} ContactCheck;

static gboolean
check_contact (JsonObject *record,
               gpointer    user_data)
{
  ContactCheck *check = user_data;
  const char *occurred_at = json_object_get_string_member (record, "occurred_at");
  g_autoptr(GDateTime) local = g_date_time_new_from_iso8601 (occurred_at, NULL);
  g_autoptr(GTimeZone) brussels = g_time_zone_new_identifier ("Europe/Brussels");
  g_autoptr(GDateTime) in_brussels = g_date_time_to_timezone (local, brussels);
  gint64 occurred;

  check->contacts++;
  g_assert_true (cdm_parse_timestamp (occurred_at, &occurred, NULL));
  if (occurred > check->now)
    check->after_now++;
  /* The offset written is the centre's own for that day. */
  if (g_date_time_get_utc_offset (local) != g_date_time_get_utc_offset (in_brussels))
    check->wrong_offset++;

  if (!json_object_get_null_member (record, "received_at"))
    {
      gint64 received, answered;

      check->remote++;
      g_assert_true (cdm_parse_timestamp (json_object_get_string_member (record, "received_at"),
                                          &received, NULL));
      if (!json_object_get_null_member (record, "answered_at"))
        {
          g_assert_true (cdm_parse_timestamp (json_object_get_string_member (record, "answered_at"),
                                              &answered, NULL));
          g_assert_cmpint (answered, >=, received);
          if (answered - received <= 48 * 3600)
            check->answered_within_48h++;
        }
    }
  return TRUE;
}

static JsonObject *
report_json (CdmStore *store,
             int       year)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmReport) report = cdm_report_compute (store, year, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return cdm_report_to_json (report);
}

static gint64
month_channel (JsonObject *report,
               guint       month,
               const char *channel)
{
  JsonArray *months = json_object_get_array_member (report, "months");
  JsonObject *m = json_array_get_object_element (months, month - 1);

  return json_object_get_int_member (json_object_get_object_member (m, "by_channel"), channel);
}

/* A past year: what the centre's staff would find, and the report's
 * figures next to the published ones. */
static void
test_past_year (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autofree char *origin = NULL;
  ActivityCheck activities = { .now = G_MAXINT64 };
  ContactCheck contacts = { .now = g_get_real_time () / G_USEC_PER_SEC };
  JsonObject *advice, *by_channel, *groups, *satisfaction;
  gboolean found_actiris = FALSE;

  fill_timed (fixture->store, 2020);

  /* The directory. */
  g_assert_true (cdm_store_foreach (fixture->store, CDM_ENTITY_ORGANISATION, FALSE,
                                    collect_names, names, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, >=, 15);
  g_assert_true (g_ptr_array_find_with_equal_func (names, "Actiris", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (names, "VDAB Brussel", g_str_equal, NULL));
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_DESK), >, 0);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_USER), >, 0);

  /* The library: about the 1,628 books of the open-access area. */
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_RESOURCE), >=, 1500);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_RESOURCE), <=, 1700);

  {
    LibraryCheck library = { 0 };

    library.kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    library.languages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_assert_true (cdm_store_foreach (fixture->store, CDM_ENTITY_RESOURCE, FALSE,
                                      check_resource, &library, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_hash_table_size (library.kinds), ==, 7);
    g_assert_true (g_hash_table_contains (library.languages, "fr"));
    g_assert_true (g_hash_table_contains (library.languages, "nl"));
    g_assert_true (g_hash_table_contains (library.languages, "en"));
    g_assert_cmpuint (library.books, >, 800);
    g_assert_cmpuint (library.bad_isbn, ==, 0);
    g_assert_cmpuint (library.not_shelved, ==, 0);
    g_hash_table_unref (library.kinds);
    g_hash_table_unref (library.languages);
  }

  /* Activities, each with its organisers; online ones with a room. */
  g_assert_true (cdm_store_foreach (fixture->store, CDM_ENTITY_ACTIVITY, FALSE,
                                    check_activity, &activities, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (activities.activities, >, 800);
  g_assert_cmpuint (activities.without_organisers, ==, 0);
  g_assert_cmpuint (activities.online_without_link, ==, 0);
  g_assert_cmpuint (activities.planned, ==, 0);
  g_assert_cmpuint (activities.cancelled, >, 0);
  g_assert_cmpuint (activities.cancelled, <, activities.held / 10);

  /* Contacts, in Brussels time. */
  g_assert_true (cdm_store_foreach (fixture->store, CDM_ENTITY_CONTACT, FALSE,
                                    check_contact, &contacts, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (contacts.contacts, >, 14000);
  g_assert_cmpuint (contacts.after_now, ==, 0);
  g_assert_cmpuint (contacts.wrong_offset, ==, 0);
  g_assert_cmpuint (contacts.remote, >, 5000);
  g_assert_cmpfloat ((double) contacts.answered_within_48h / contacts.remote, >, 0.95);
  g_assert_cmpfloat ((double) contacts.answered_within_48h / contacts.remote, <, 0.99);

  /* The figures. */
  report = report_json (fixture->store, 2020);
  g_assert_cmpint (json_object_get_int_member (report, "total_contacts"), >=, 25000);
  g_assert_cmpint (json_object_get_int_member (report, "total_contacts"), <=, 35000);

  advice = json_object_get_object_member (report, "individual_advice");
  by_channel = json_object_get_object_member (advice, "by_channel");
  g_assert_cmpint (json_object_get_int_member (advice, "total"), ==, 14466);
  g_assert_cmpint (json_object_get_int_member (by_channel, "in_person"), ==, 7684);
  g_assert_cmpint (json_object_get_int_member (by_channel, "email"), ==, 2459);
  g_assert_cmpint (json_object_get_int_member (by_channel, "call_centre"), ==, 2828);
  g_assert_cmpint (json_object_get_int_member (by_channel, "chat"), ==, 937);
  g_assert_cmpint (json_object_get_int_member (by_channel, "after_group_activity"), ==, 419);
  g_assert_cmpint (json_object_get_int_member (by_channel, "neet_outreach"), ==, 139);

  /* Closed in April: no advice in person, much more by e-mail. */
  g_assert_cmpint (month_channel (report, 4, "in_person"), <, month_channel (report, 1, "in_person"));
  g_assert_cmpint (month_channel (report, 4, "in_person"), ==, 0);
  g_assert_cmpint (month_channel (report, 4, "email"), >, 2 * month_channel (report, 1, "email"));
  g_assert_cmpint (month_channel (report, 1, "call_centre"), ==, 0);

  groups = json_object_get_object_member (report, "group_activities");
  g_assert_cmpint (json_object_get_int_member (groups, "held"), >=, 815);
  g_assert_cmpint (json_object_get_int_member (groups, "held"), <=, 845);
  g_assert_cmpint (json_object_get_int_member (groups, "online"), >, json_object_get_int_member (groups, "in_person"));
  g_assert_cmpint (json_object_get_int_member (groups, "participants"), >=, 8000);
  g_assert_cmpint (json_object_get_int_member (groups, "participants"), <=, 13000);

  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (report, "multimedia"), "contacts"),
                   >=, 4000);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (report, "multimedia"), "contacts"),
                   <=, 5500);

  satisfaction = json_object_get_object_member (report, "satisfaction");
  g_assert_cmpint (json_object_get_int_member (satisfaction, "responses"), ==, 500);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (satisfaction, "satisfied"), 0.95, 0.01);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (satisfaction, "excellent"), 0.35, 0.01);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (satisfaction, "recommend"), 0.91, 0.01);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (satisfaction, "found"), 0.90, 0.01);

  /* Nothing for the server, and the store says where its data comes from. */
  g_assert_cmpint (cdm_store_outbox_count (fixture->store, &error), ==, 0);
  g_assert_no_error (error);
  origin = cdm_store_get_setting (fixture->store, "origin");
  g_assert_cmpstr (origin, ==, "demo");

  /* And a counsellor looking for Actiris finds it. */
  hits = cdm_search (fixture->store, CDM_ENTITY_ORGANISATION, "Actiris", 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hits);
  for (guint i = 0; i < hits->len; i++)
    {
      CdmSearchHit *hit = g_ptr_array_index (hits, i);
      found_actiris |= g_strcmp0 (hit->title, "Actiris") == 0;
    }
  g_assert_true (found_actiris);
}

static gboolean
collect_id (JsonObject *record,
            gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%s:%s",
                                               json_object_get_string_member (record, "type"),
                                               json_object_get_string_member (record, "id")));
  return TRUE;
}

/* Every record's type and id, in the order they were written. */
static GPtrArray *
collect_ids (CdmStore *store)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    {
      g_assert_true (cdm_store_foreach (store, e, TRUE, collect_id, ids, NULL, &error));
      g_assert_no_error (error);
    }
  return ids;
}

/* Filling again changes nothing, and another store gets the same ids. */
static void
test_reproducible (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autofree char *other_path = g_build_filename (fixture->dir, "other.sqlite", NULL);
  g_autoptr(CdmStore) other = NULL;
  g_autoptr(GPtrArray) first_ids = NULL;
  g_autoptr(GPtrArray) other_ids = NULL;
  g_autoptr(GError) error = NULL;
  gint64 counts[CDM_N_ENTITIES];
  double first_time, second_time;

  first_time = fill_timed (fixture->store, 2021);
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    counts[e] = count (fixture->store, e);
  first = export_all (fixture->store);

  second_time = fill_timed (fixture->store, 2021);
  g_test_message ("first fill %.2f s, second (nothing to write) %.2f s", first_time, second_time);
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    g_assert_cmpint (count (fixture->store, e), ==, counts[e]);
  second = export_all (fixture->store);
  g_assert_true (g_bytes_equal (first, second));
  g_assert_cmpint (cdm_store_outbox_count (fixture->store, &error), ==, 0);

  /* The same records, ids included, in another store. */
  other = cdm_store_open (other_path, &error);
  g_assert_no_error (error);
  fill_timed (other, 2021);
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    g_assert_cmpint (count (other, e), ==, counts[e]);
  first_ids = collect_ids (fixture->store);
  other_ids = collect_ids (other);
  g_assert_cmpuint (first_ids->len, ==, other_ids->len);
  for (guint i = 0; i < first_ids->len; i++)
    g_assert_cmpstr (g_ptr_array_index (first_ids, i), ==, g_ptr_array_index (other_ids, i));
}

/* Filled in the middle of the year: what is to come is planned, and
 * nothing is counted after the present. */
static void
test_current_year (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 ("2020-07-01T12:00:00+02:00", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) report = NULL;
  ActivityCheck activities = { .now = g_date_time_to_unix (now) };
  ContactCheck contacts = { .now = g_date_time_to_unix (now) };
  JsonArray *months;

  g_assert_true (_cdm_demo_fill_at (fixture->store, 2020, g_date_time_to_unix (now), NULL, &error));
  g_assert_no_error (error);

  g_assert_true (cdm_store_foreach (fixture->store, CDM_ENTITY_ACTIVITY, FALSE,
                                    check_activity, &activities, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (activities.planned, >, 300);
  g_assert_cmpuint (activities.held, >, 200);
  g_assert_cmpuint (activities.held_after_now, ==, 0);
  g_assert_cmpuint (activities.planned_before_now, ==, 0);

  g_assert_true (cdm_store_foreach (fixture->store, CDM_ENTITY_CONTACT, FALSE,
                                    check_contact, &contacts, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (contacts.contacts, >, 3000);
  g_assert_cmpuint (contacts.after_now, ==, 0);

  report = report_json (fixture->store, 2020);
  months = json_object_get_array_member (report, "months");
  for (guint m = 8; m <= 12; m++)
    {
      JsonObject *month = json_array_get_object_element (months, m - 1);
      g_assert_cmpint (json_object_get_int_member (month, "total"), ==, 0);
    }
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (months, 5), "total"), >, 0);
}

/* Real records are never mixed with demo ones. */
static void
test_refuses_real_store (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) partner = json_object_new ();
  g_autoptr(JsonObject) name = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *origin = NULL;
  gint64 outbox;

  json_object_set_string_member (name, "fr", "Mission locale de Saint-Gilles");
  json_object_set_object_member (partner, "name", g_steal_pointer (&name));
  json_object_set_string_member (partner, "circle", "second");
  json_object_set_string_member (partner, "kind", "public_employment");
  g_assert_true (cdm_store_put (fixture->store, CDM_ENTITY_ORGANISATION, partner, NULL, NULL, &error));
  g_assert_no_error (error);
  outbox = cdm_store_outbox_count (fixture->store, NULL);

  g_assert_false (cdm_demo_fill (fixture->store, 2020, NULL, &error));
  g_assert_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_NOT_EMPTY);
  g_test_message ("%s", error->message);

  g_assert_cmpint (count (fixture->store, CDM_ENTITY_ORGANISATION), ==, 1);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_CONTACT), ==, 0);
  g_assert_cmpint (cdm_store_outbox_count (fixture->store, NULL), ==, outbox);
  origin = cdm_store_get_setting (fixture->store, "origin");
  g_assert_null (origin);

  /* Writes after the refusal are queued as usual. */
  g_clear_error (&error);
  json_object_set_string_member (partner, "notes", "Permanence le mardi");
  g_assert_true (cdm_store_put (fixture->store, CDM_ENTITY_ORGANISATION, partner, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_store_outbox_count (fixture->store, NULL), ==, outbox + 1);
}

/* Signing in to a server empties a demo store first: no invented record,
 * figure, search hit or waiting change is left to mix with the centre's,
 * and the store takes real records afterwards. */
static void
test_remove (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(CdmReport) report = NULL;
  g_autoptr(JsonObject) partner = json_object_new ();
  g_autoptr(JsonObject) name = json_object_new ();
  g_autofree char *origin = NULL;
  gboolean removed = FALSE;

  g_assert_true (cdm_demo_fill (fixture->store, 2020, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_CONTACT), >, 10000);
  /* Something typed on the demo store: it goes too. */
  json_object_set_string_member (name, "fr", "Partenaire d’essai");
  json_object_set_object_member (partner, "name", g_steal_pointer (&name));
  json_object_set_string_member (partner, "circle", "second");
  json_object_set_string_member (partner, "kind", "training");
  g_assert_true (cdm_store_put (fixture->store, CDM_ENTITY_ORGANISATION, partner, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_store_outbox_count (fixture->store, NULL), ==, 1);

  g_assert_true (cdm_demo_remove (fixture->store, &removed, &error));
  g_assert_no_error (error);
  g_assert_true (removed);
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    g_assert_cmpint (count (fixture->store, e), ==, 0);
  g_assert_cmpint (cdm_store_outbox_count (fixture->store, NULL), ==, 0);
  origin = cdm_store_get_setting (fixture->store, "origin");
  g_assert_null (origin);
  hits = cdm_search (fixture->store, CDM_ENTITY_ORGANISATION, "Actiris", 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 0);
  report = cdm_report_compute (fixture->store, 2020, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cdm_report_get_total_contacts (report), ==, 0);

  /* A real store now: demo data is refused, and removing again leaves
   * the real record alone. */
  g_assert_true (cdm_store_put (fixture->store, CDM_ENTITY_ORGANISATION, partner, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cdm_demo_remove (fixture->store, &removed, &error));
  g_assert_no_error (error);
  g_assert_false (removed);
  g_assert_cmpint (count (fixture->store, CDM_ENTITY_ORGANISATION), ==, 1);
  g_assert_false (cdm_demo_fill (fixture->store, 2020, NULL, &error));
  g_assert_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_NOT_EMPTY);
}

static void
test_bad_year (Fixture       *fixture,
               gconstpointer  data)
{
  const int years[] = { 1899, 2200, -1, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (years); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cdm_demo_fill (fixture->store, years[i], NULL, &error));
      g_assert_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_INVALID_OPTIONS);
    }
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    g_assert_cmpint (count (fixture->store, e), ==, 0);
}

static gpointer
cancel_soon (gpointer data)
{
  g_usleep (50 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

/* Cancelled halfway: nothing written, and the store still takes writes. */
static void
test_cancel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *origin = NULL;
  GThread *thread;
  gboolean ok;

  thread = g_thread_new ("cancel", cancel_soon, cancellable);
  ok = cdm_demo_fill (fixture->store, 2020, cancellable, &error);
  g_thread_join (thread);

  g_assert_false (ok);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    g_assert_cmpint (count (fixture->store, e), ==, 0);
  origin = cdm_store_get_setting (fixture->store, "origin");
  g_assert_null (origin);

  g_clear_error (&error);
  g_assert_true (cdm_demo_fill (fixture->store, 2019, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_store_outbox_count (fixture->store, NULL), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/demo/past-year", Fixture, NULL, fixture_set_up, test_past_year, fixture_tear_down);
  g_test_add ("/demo/reproducible", Fixture, NULL, fixture_set_up, test_reproducible, fixture_tear_down);
  g_test_add ("/demo/current-year", Fixture, NULL, fixture_set_up, test_current_year, fixture_tear_down);
  g_test_add ("/demo/refuses-real-store", Fixture, NULL, fixture_set_up, test_refuses_real_store, fixture_tear_down);
  g_test_add ("/demo/remove", Fixture, NULL, fixture_set_up, test_remove, fixture_tear_down);
  g_test_add ("/demo/bad-year", Fixture, NULL, fixture_set_up, test_bad_year, fixture_tear_down);
  g_test_add ("/demo/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);

  return g_test_run ();
}
