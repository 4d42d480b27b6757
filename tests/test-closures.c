/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-closures.c: the closed periods, listed and checked. */

#include "config.h"

#include <string.h>

#include "cdm-closures.h"
#include "cdm-test-util.h"

typedef CdmTestStoreFixture Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  cdm_test_store_fixture_set_up (fixture, "cdm-closures-XXXXXX");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  cdm_test_store_fixture_tear_down (fixture);
}

static JsonObject *
closure (const char *from,
         const char *to,
         const char *scope,
         const char *reason)
{
  JsonObject *record = json_object_new ();

  if (from != NULL)
    json_object_set_string_member (record, "from", from);
  if (to != NULL)
    json_object_set_string_member (record, "to", to);
  if (scope != NULL)
    json_object_set_string_member (record, "scope", scope);
  if (reason != NULL)
    json_object_set_string_member (record, "reason", reason);
  return record;
}

static char *
put_closure (CdmStore   *store,
             const char *from,
             const char *to,
             const char *scope,
             const char *reason)
{
  g_autoptr(JsonObject) record = closure (from, to, scope, reason);
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  g_assert_true (cdm_closure_check (record, NULL, &error));
  g_assert_no_error (error);
  cdm_store_put (store, CDM_ENTITY_CLOSURE, record, &id, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static void
test_list (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) year = NULL;
  g_autoptr(GPtrArray) april = NULL;
  g_autofree char *lockdown = put_closure (fixture->store, "2020-03-16", "2020-06-28", "all", "Lockdown");
  g_autofree char *christmas = put_closure (fixture->store, "2019-12-24", "2020-01-02", "all", "Holidays");
  g_autofree char *later = put_closure (fixture->store, "2021-01-04", "2021-01-08", "multimedia", "Works");
  g_autofree char *gone = put_closure (fixture->store, "2020-04-01", "2020-04-02", "advice", "Mistake");

  g_assert_true (cdm_store_delete (fixture->store, CDM_ENTITY_CLOSURE, gone, &error));
  g_assert_no_error (error);

  all = cdm_closures_list (fixture->store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  /* Earliest first, whatever order they were written in. */
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (all, 0), "id"), ==, christmas);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (all, 1), "id"), ==, lockdown);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (all, 2), "id"), ==, later);

  /* A closure straddling the new year belongs to both years. */
  year = cdm_closures_list (fixture->store, "2020-01-01", "2020-12-31", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (year->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (year, 0), "reason"), ==, "Holidays");

  /* The tombstoned one counts nowhere. */
  april = cdm_closures_list (fixture->store, "2020-04-01", "2020-04-30", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (april->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (april, 0), "id"), ==, lockdown);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cdm_closures_list_finish (CDM_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_list_async (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *id = put_closure (fixture->store, "2020-03-16", "2020-06-28", "all", "Lockdown");
  GPtrArray *listed = NULL;

  cdm_closures_list_async (fixture->store, "2020-06-28", "2020-06-28", NULL, on_listed, &listed);
  while (listed == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (listed->len, ==, 1);
  g_ptr_array_unref (listed);
}

static void
test_check (void)
{
  const struct {
    const char *from, *to, *scope, *reason;
    const char *field;
    int code;
  } bad[] = {
    { NULL, "2020-01-02", "all", "x", "from", CDM_RECORD_ERROR_MISSING_FIELD },
    { "2020-02-30", "2020-03-01", "all", "x", "from", CDM_RECORD_ERROR_BAD_VALUE },
    { "2020-01-02", "", "all", "x", "to", CDM_RECORD_ERROR_MISSING_FIELD },
    { "2020-01-02", "2020-01-01", "all", "x", "to", CDM_RECORD_ERROR_BAD_VALUE },
    { "2020-01-02", "2020-01-03", "garden", "x", "scope", CDM_RECORD_ERROR_UNKNOWN_CODE },
    { "2020-01-02", "2020-01-03", "all", "   ", "reason", CDM_RECORD_ERROR_MISSING_FIELD },
    { "2020-01-02", "2020-01-03", "all", NULL, "reason", CDM_RECORD_ERROR_MISSING_FIELD },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) record = closure (bad[i].from, bad[i].to, bad[i].scope, bad[i].reason);
      g_autoptr(GError) error = NULL;
      const char *field = NULL;

      g_assert_false (cdm_closure_check (record, &field, &error));
      g_assert_error (error, CDM_RECORD_ERROR, bad[i].code);
      g_assert_cmpstr (field, ==, bad[i].field);
      g_assert_cmpuint (strlen (error->message), >, 10);
    }

  {
    g_autoptr(JsonObject) record = closure ("2020-01-02", "2020-01-02", "appointment_only", "One day");
    const char *field = "x";

    g_assert_true (cdm_closure_check (record, &field, NULL));
    g_assert_null (field);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/closures/list", Fixture, NULL, fixture_set_up, test_list, fixture_tear_down);
  g_test_add ("/closures/list-async", Fixture, NULL, fixture_set_up, test_list_async, fixture_tear_down);
  g_test_add_func ("/closures/check", test_check);

  return g_test_run ();
}
