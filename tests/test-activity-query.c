/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-activity-query.c: the week of activities, headcounts and status. */

#include "config.h"

#include <glib/gstdio.h>

#include "cdm-activity-query.h"

typedef struct {
  char *dir;
  CdmStore *store;
  char *partner;
} Fixture;

static char *
put_activity (CdmStore   *store,
              const char *title_fr,
              const char *title_en,
              const char *starts_at,
              const char *partner)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(JsonObject) title = json_object_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *organisers = json_array_new ();
  char *id = NULL;

  json_object_set_string_member (title, "fr", title_fr);
  if (title_en != NULL)
    json_object_set_string_member (title, "en", title_en);
  json_object_set_object_member (record, "title", g_steal_pointer (&title));
  json_object_set_string_member (record, "starts_at", starts_at);
  json_object_set_int_member (record, "duration_min", 90);
  json_object_set_string_member (record, "mode", "online");
  json_object_set_string_member (record, "platform", "Teams");
  json_object_set_string_member (record, "link", "https://meet.example/x");
  json_object_set_int_member (record, "capacity", 20);
  json_object_set_string_member (record, "status", "planned");
  if (partner != NULL)
    json_array_add_string_element (organisers, partner);
  json_object_set_array_member (record, "organisers", organisers);

  cdm_store_put (store, CDM_ENTITY_ACTIVITY, record, &id, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) partner = json_object_new ();
  g_autoptr(JsonObject) name = json_object_new ();
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("cdm-activity-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "desk.sqlite", NULL);
  fixture->store = cdm_store_open (path, &error);
  g_assert_no_error (error);

  json_object_set_string_member (name, "fr", "Maison de la Santé");
  json_object_set_string_member (name, "nl", "Huis voor Gezondheid");
  json_object_set_object_member (partner, "name", g_steal_pointer (&name));
  json_object_set_string_member (partner, "circle", "second");
  json_object_set_string_member (partner, "kind", "association");
  cdm_store_put (fixture->store, CDM_ENTITY_ORGANISATION, partner, &fixture->partner, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&fixture->store);
  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->partner);
}

static GPtrArray *
query_week (CdmStore   *store,
            const char *monday,
            const char *sunday)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *week;

  week = cdm_activity_query_days (store, monday, sunday, "nl", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (week);
  return week;
}

static const CdmActivitySummary *
find (GPtrArray  *week,
      const char *id)
{
  for (guint i = 0; i < week->len; i++)
    {
      const CdmActivitySummary *s = week->pdata[i];

      if (g_str_equal (s->id, id))
        return s;
    }
  return NULL;
}

/* The week of Monday 16 March 2020 in Brussels: from 00:00 on the 16th
 * (23:00 UTC on the 15th) to 24:00 on the 22nd, whatever the offset. */
static void
test_week_boundaries (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GPtrArray) week = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *monday_early = NULL, *late_utc = NULL, *sunday_late = NULL;
  g_autofree char *next_week = NULL, *sunday_before = NULL, *gone = NULL;
  const CdmActivitySummary *s;

  monday_early = put_activity (fixture->store, "Lundi tôt", "Early Monday",
                               "2020-03-16T00:30:00+01:00", fixture->partner);
  /* 23:30 UTC on Sunday the 15th is 00:30 on Monday the 16th in Brussels. */
  late_utc = put_activity (fixture->store, "Dimanche UTC", NULL,
                           "2020-03-15T23:30:00Z", NULL);
  sunday_late = put_activity (fixture->store, "Dimanche soir", NULL,
                              "2020-03-22T23:30:00+01:00", NULL);
  /* 23:30 UTC on the 22nd is already Monday the 23rd in Brussels. */
  next_week = put_activity (fixture->store, "Semaine suivante", NULL,
                            "2020-03-22T23:30:00Z", NULL);
  /* 22:30 UTC on the 15th is 23:30 on Sunday the 15th in Brussels. */
  sunday_before = put_activity (fixture->store, "Semaine précédente", NULL,
                                "2020-03-15T22:30:00Z", NULL);
  gone = put_activity (fixture->store, "Supprimée", NULL,
                       "2020-03-18T10:00:00+01:00", NULL);
  cdm_store_delete (fixture->store, CDM_ENTITY_ACTIVITY, gone, &error);
  g_assert_no_error (error);

  week = query_week (fixture->store, "2020-03-16", "2020-03-22");
  g_assert_cmpuint (week->len, ==, 3);
  /* By start time: the one written in UTC starts at the same instant as
   * the first, so the id orders them; both are before Sunday's. */
  g_assert_nonnull (find (week, monday_early));
  g_assert_nonnull (find (week, late_utc));
  g_assert_cmpstr (((CdmActivitySummary *) week->pdata[2])->id, ==, sunday_late);
  g_assert_null (find (week, next_week));
  g_assert_null (find (week, sunday_before));
  g_assert_null (find (week, gone));

  s = find (week, late_utc);
  g_assert_cmpstr (s->day, ==, "2020-03-16");
  g_assert_cmpstr (s->starts_at, ==, "2020-03-15T23:30:00Z");

  s = find (week, monday_early);
  g_assert_cmpstr (s->mode, ==, "online");
  g_assert_cmpstr (s->platform, ==, "Teams");
  g_assert_cmpstr (s->link, ==, "https://meet.example/x");
  g_assert_cmpstr (s->status, ==, "planned");
  g_assert_cmpint (s->duration_min, ==, 90);
  g_assert_cmpint (s->capacity, ==, 20);
  g_assert_cmpint (s->attendance, ==, 0);
  /* The organiser's name in the language asked for. */
  g_assert_cmpuint (g_strv_length (s->organisers), ==, 1);
  g_assert_cmpstr (s->organisers[0], ==, "Huis voor Gezondheid");
  /* Titles fall back to French when the language has none. */
  g_assert_cmpstr (cdm_activity_summary_get_title (s, "en"), ==, "Early Monday");
  g_assert_cmpstr (cdm_activity_summary_get_title (s, "nl"), ==, "Lundi tôt");

  g_clear_pointer (&week, g_ptr_array_unref);
  week = query_week (fixture->store, "2020-03-23", "2020-03-29");
  g_assert_cmpuint (week->len, ==, 1);
  g_assert_cmpstr (((CdmActivitySummary *) week->pdata[0])->id, ==, next_week);
}

static void
test_bad_day (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *week;

  week = cdm_activity_query_days (fixture->store, "2020-02-30", "2020-03-01", NULL, NULL, &error);
  g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE);
  g_assert_null (week);
  g_clear_error (&error);

  week = cdm_activity_query_days (fixture->store, "2020-03-01'; --", "2020-03-01", NULL, NULL, &error);
  g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE);
  g_assert_null (week);
}

static gint64
attendance_of (CdmStore   *store,
               const char *id)
{
  g_autoptr(GPtrArray) week = query_week (store, "2020-03-16", "2020-03-22");
  const CdmActivitySummary *s = find (week, id);

  g_assert_nonnull (s);
  return s->attendance;
}

static void
test_attendance_sums (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL, *other = NULL, *gone = NULL;
  g_autofree char *first = NULL, *second = NULL, *third = NULL;
  g_autoptr(JsonObject) headcount = NULL;

  id = put_activity (fixture->store, "Atelier CV", NULL, "2020-03-17T10:00:00+01:00", NULL);
  other = put_activity (fixture->store, "Séance info", NULL, "2020-03-17T14:00:00+01:00", NULL);

  first = cdm_activity_record_attendance (fixture->store, id, 12, &error);
  g_assert_no_error (error);
  second = cdm_activity_record_attendance (fixture->store, id, 3, &error);
  g_assert_no_error (error);
  third = cdm_activity_record_attendance (fixture->store, other, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, !=, second);

  /* Each headcount is its own record: several desks add up. */
  g_assert_cmpint (attendance_of (fixture->store, id), ==, 15);
  g_assert_cmpint (attendance_of (fixture->store, other), ==, 7);
  headcount = cdm_store_get (fixture->store, CDM_ENTITY_ATTENDANCE, first, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (headcount, "activity"), ==, id);
  g_assert_cmpint (json_object_get_int_member (headcount, "count"), ==, 12);

  /* A count out of range is refused and nothing is added. */
  g_assert_null (cdm_activity_record_attendance (fixture->store, id, -1, &error));
  g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_OUT_OF_RANGE);
  g_clear_error (&error);
  g_assert_cmpint (attendance_of (fixture->store, id), ==, 15);

  /* A deleted activity takes no headcount. */
  gone = put_activity (fixture->store, "Supprimée", NULL, "2020-03-18T10:00:00+01:00", NULL);
  cdm_store_delete (fixture->store, CDM_ENTITY_ACTIVITY, gone, &error);
  g_assert_no_error (error);
  g_assert_null (cdm_activity_record_attendance (fixture->store, gone, 5, &error));
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (cdm_store_count (fixture->store, CDM_ENTITY_ATTENDANCE, NULL), ==, 3);
}

static void
on_set_status (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **error = user_data;

  cdm_activity_set_status_finish (CDM_STORE (source), result, error);
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

static void
test_set_status (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) week = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *id = NULL;

  id = put_activity (fixture->store, "Atelier CV", "CV workshop", "2020-03-17T10:00:00+01:00",
                     fixture->partner);

  cdm_activity_set_status (fixture->store, id, "held", &error);
  g_assert_no_error (error);
  record = cdm_store_get (fixture->store, CDM_ENTITY_ACTIVITY, id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (record, "status"), ==, "held");
  /* Nothing else changed. */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (record, "title"), "en"),
                   ==, "CV workshop");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (record, "organisers")), ==, 1);

  /* A status outside the vocabulary is refused; the stored one stays. */
  g_assert_false (cdm_activity_set_status (fixture->store, id, "postponed", &error));
  g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE);
  g_clear_error (&error);
  g_assert_false (cdm_activity_set_status (fixture->store, "no-such-id", "held", &error));
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Asynchronously, from the worker. */
  cdm_activity_set_status_async (fixture->store, id, "cancelled", NULL, on_set_status, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);

  week = query_week (fixture->store, "2020-03-16", "2020-03-22");
  g_assert_cmpuint (week->len, ==, 1);
  g_assert_cmpstr (((CdmActivitySummary *) week->pdata[0])->status, ==, "cancelled");
}

static void
test_week_start (void)
{
  g_autofree char *a = cdm_activity_week_start ("2020-03-16");
  g_autofree char *b = cdm_activity_week_start ("2020-03-22");
  g_autofree char *c = cdm_activity_week_start ("2021-01-01");
  g_autofree char *d = cdm_activity_week_start ("2020-13-01");

  g_assert_cmpstr (a, ==, "2020-03-16");
  g_assert_cmpstr (b, ==, "2020-03-16");
  g_assert_cmpstr (c, ==, "2020-12-28");
  g_assert_null (d);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/activity-query/week-boundaries", test_week_boundaries);
  ADD ("/activity-query/bad-day", test_bad_day);
  ADD ("/activity-query/attendance-sums", test_attendance_sums);
  ADD ("/activity-query/set-status", test_set_status);
  g_test_add_func ("/activity-query/week-start", test_week_start);

  return g_test_run ();
}
