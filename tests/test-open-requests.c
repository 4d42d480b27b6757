/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-open-requests.c: the remote requests still waiting for an answer. */

#include "config.h"

#include <string.h>

#include "cdm-open-requests.h"
#include "cdm-test-util.h"

typedef CdmTestStoreFixture Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  cdm_test_store_fixture_set_up (fixture, "cdm-open-requests-XXXXXX");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  cdm_test_store_fixture_tear_down (fixture);
}

/* A remote request received at @received, answered at @answered (or not
 * when NULL); an in-person visit when @received is NULL. */
static char *
put_contact (CdmStore   *store,
             const char *channel,
             const char *received,
             const char *answered,
             const char *note)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *themes = json_array_new ();
  char *id = NULL;

  json_object_set_string_member (record, "occurred_at",
                                 answered != NULL ? answered :
                                 received != NULL ? received : "2026-11-20T10:00:00+01:00");
  json_object_set_string_member (record, "site", received != NULL ? "remote" : "centre");
  json_object_set_string_member (record, "service", "individual_advice");
  json_object_set_string_member (record, "channel", channel);
  json_array_add_string_element (themes, "learn");
  json_object_set_array_member (record, "themes", themes);
  if (received != NULL)
    json_object_set_string_member (record, "received_at", received);
  if (answered != NULL)
    json_object_set_string_member (record, "answered_at", answered);
  if (note != NULL)
    json_object_set_string_member (record, "note", note);

  cdm_store_put (store, CDM_ENTITY_CONTACT, record, &id, NULL, &error);
  g_assert_no_error (error);
  return id;
}

static CdmOpenRequests *
list (CdmStore *store,
      guint     limit)
{
  g_autoptr(GError) error = NULL;
  CdmOpenRequests *open;

  open = cdm_open_requests_list (store, limit, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (open);
  return open;
}

static void
test_only_open_oldest_first (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autoptr(CdmOpenRequests) open = NULL;
  g_autofree char *newer = NULL;
  g_autofree char *older = NULL;
  g_autofree char *answered = NULL;
  g_autofree char *visit = NULL;
  g_autofree char *deleted = NULL;
  g_autoptr(GError) error = NULL;
  const CdmOpenRequest *request;

  newer = put_contact (fixture->store, "chat", "2026-11-20T09:00:00+01:00", NULL, NULL);
  older = put_contact (fixture->store, "email", "2026-11-19T16:30:00+01:00", NULL,
                       "Asks about\nevening courses");
  answered = put_contact (fixture->store, "call_centre", "2026-11-18T10:00:00+01:00",
                          "2026-11-18T11:00:00+01:00", NULL);
  visit = put_contact (fixture->store, "in_person", NULL, NULL, NULL);
  deleted = put_contact (fixture->store, "email", "2026-11-17T10:00:00+01:00", NULL, NULL);
  cdm_store_delete (fixture->store, CDM_ENTITY_CONTACT, deleted, &error);
  g_assert_no_error (error);

  open = list (fixture->store, 50);
  g_assert_cmpuint (open->total, ==, 2);
  g_assert_cmpuint (open->requests->len, ==, 2);

  request = g_ptr_array_index (open->requests, 0);
  g_assert_cmpstr (request->id, ==, older);
  g_assert_cmpstr (request->channel, ==, "email");
  g_assert_cmpstr (request->received_at, ==, "2026-11-19T16:30:00+01:00");
  g_assert_cmpint (request->due_unix - request->received_unix, ==, 48 * 3600);
  g_assert_cmpstr (request->note, ==, "Asks about evening courses");
  g_assert_cmpuint (g_strv_length (request->themes), ==, 1);
  g_assert_cmpstr (request->themes[0], ==, "learn");

  request = g_ptr_array_index (open->requests, 1);
  g_assert_cmpstr (request->id, ==, newer);
  g_assert_null (request->note);
}

static void
test_limit_keeps_total (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(CdmOpenRequests) open = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *received = g_strdup_printf ("2026-11-%02uT10:00:00+01:00", 10 + i);
      g_autofree char *id = put_contact (fixture->store, "email", received, NULL, NULL);
    }

  open = list (fixture->store, 3);
  g_assert_cmpuint (open->requests->len, ==, 3);
  g_assert_cmpuint (open->total, ==, 5);
  g_assert_cmpstr (((CdmOpenRequest *) g_ptr_array_index (open->requests, 0))->received_at,
                   ==, "2026-11-10T10:00:00+01:00");
}

static void
test_mark_answered (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *id = put_contact (fixture->store, "email", "2026-11-20T09:00:00+01:00", NULL, NULL);
  g_autoptr(CdmOpenRequests) before = NULL;
  g_autoptr(CdmOpenRequests) after = NULL;
  g_autoptr(CdmOpenRequests) reopened = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) answered = g_date_time_new_from_iso8601 ("2026-11-21T14:15:00+01:00", NULL);
  gint64 unix_time = 0;

  before = list (fixture->store, 50);
  g_assert_cmpuint (before->total, ==, 1);

  g_assert_true (cdm_open_request_mark_answered (fixture->store, id,
                                                 g_date_time_to_unix (answered), &error));
  g_assert_no_error (error);

  after = list (fixture->store, 50);
  g_assert_cmpuint (after->total, ==, 0);
  g_assert_cmpuint (after->requests->len, ==, 0);

  /* Written with the centre's offset, and the rest of the contact kept. */
  record = cdm_store_get (fixture->store, CDM_ENTITY_CONTACT, id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (cdm_parse_timestamp (json_object_get_string_member (record, "answered_at"),
                                      &unix_time, NULL));
  g_assert_cmpint (unix_time, ==, g_date_time_to_unix (answered));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (record, "answered_at"), "+01:00"));
  g_assert_cmpstr (json_object_get_string_member (record, "channel"), ==, "email");

  /* Undo: open again. */
  g_assert_true (cdm_open_request_mark_answered (fixture->store, id, -1, &error));
  g_assert_no_error (error);
  reopened = list (fixture->store, 50);
  g_assert_cmpuint (reopened->total, ==, 1);
}

static void
test_mark_errors (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *id = put_contact (fixture->store, "email", "2026-11-20T09:00:00+01:00", NULL, NULL);
  g_autofree char *visit = put_contact (fixture->store, "in_person", NULL, NULL, NULL);
  g_autofree char *missing = cdm_uuid_new ();
  g_autoptr(CdmOpenRequests) open = NULL;
  g_autoptr(GDateTime) before = g_date_time_new_from_iso8601 ("2026-11-19T09:00:00+01:00", NULL);
  GError *error = NULL;

  g_assert_false (cdm_open_request_mark_answered (fixture->store, missing, 1800000000, &error));
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_false (cdm_open_request_mark_answered (fixture->store, visit, 1800000000, &error));
  g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "not a remote request"));
  g_clear_error (&error);

  /* An answer before the request came in is refused, and nothing changes. */
  g_assert_false (cdm_open_request_mark_answered (fixture->store, id,
                                                  g_date_time_to_unix (before), &error));
  g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE);
  g_clear_error (&error);

  open = list (fixture->store, 50);
  g_assert_cmpuint (open->total, ==, 1);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CdmOpenRequests **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cdm_open_requests_list_finish (CDM_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
on_marked (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_open_request_mark_answered_finish (CDM_STORE (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_async (Fixture       *fixture,
            gconstpointer  user_data)
{
  g_autofree char *id = put_contact (fixture->store, "chat", "2026-11-20T09:00:00+01:00", NULL, NULL);
  g_autoptr(CdmOpenRequests) first = NULL;
  g_autoptr(CdmOpenRequests) second = NULL;
  gboolean done = FALSE;

  cdm_open_requests_list_async (fixture->store, 50, NULL, on_listed, &first);
  while (first == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (first->total, ==, 1);

  cdm_open_request_mark_answered_async (fixture->store, id, 1800000000, NULL, on_marked, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  cdm_open_requests_list_async (fixture->store, 50, NULL, on_listed, &second);
  while (second == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (second->total, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/open-requests/only-open-oldest-first", test_only_open_oldest_first);
  ADD ("/open-requests/limit-keeps-total", test_limit_keeps_total);
  ADD ("/open-requests/mark-answered", test_mark_answered);
  ADD ("/open-requests/mark-errors", test_mark_errors);
  ADD ("/open-requests/async", test_async);
#undef ADD

  return g_test_run ();
}
