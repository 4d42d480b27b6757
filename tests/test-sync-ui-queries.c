/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the desk's sync views need from the store (cdm-sync-ui-queries.h):
 * a conflict resolved by a choice becomes a normal local change, parked
 * entries are listed with their reason and can be dropped, and local
 * writes are announced once per burst on the watcher's main context. */
#include "config.h"

#include <string.h>

#include "cdm-store.h"
#include "cdm-sync-store.h"
#include "cdm-sync-ui-queries.h"
#include "cdm-test-util.h"

#define ORG_A "0b8e3f0a-5d6c-4b7e-9a1f-2c3d4e5f6a7b"

typedef CdmTestStoreFixture Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  cdm_test_store_fixture_set_up (f, "cdm-sync-ui-XXXXXX");
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  cdm_test_store_fixture_tear_down (f);
}

static void
put_partner (Fixture    *f,
             const char *phone)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"type\": \"organisation\", \"id\": \"" ORG_A "\", "
                                           "\"name\": {\"fr\": \"Actiris\"}, \"circle\": \"first\", "
                                           "\"kind\": \"public_employment\", \"phone\": \"%s\"}", phone);
  g_autoptr(JsonNode) node = cdm_test_parse_json (json);

  g_assert_true (cdm_store_put (f->store, CDM_ENTITY_ORGANISATION, json_node_get_object (node), NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Pushes the whole outbox with answers: "conflict" on phone for the
 * first entry, "rejected" for the second. */
static void
answer_push (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) entries = cdm_sync_store_take_outbox (f->store, 10, &error);
  g_autoptr(GString) answer = g_string_new ("[");
  g_autoptr(JsonNode) results = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  g_string_append_printf (answer, "{\"key\": \"%s\", \"status\": \"conflict\", \"version\": 2, "
                                  "\"conflicts\": [{\"field\": \"phone\", \"kept\": \"02 111 11 11\", "
                                  "\"other\": \"02 222 22 22\"}]}, ",
                          json_object_get_string_member (json_array_get_object_element (entries, 0), "key"));
  g_string_append_printf (answer, "{\"key\": \"%s\", \"status\": \"rejected\", "
                                  "\"error\": {\"code\": \"invalid_record\", \"message\": \"phone: too long\", "
                                  "\"field\": \"phone\"}}]",
                          json_object_get_string_member (json_array_get_object_element (entries, 1), "key"));
  results = cdm_test_parse_json (answer->str);
  g_assert_true (cdm_sync_store_apply_results (f->store, entries, json_node_get_array (results),
                                               NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_resolve (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) conflicts = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonNode) value = cdm_test_parse_json ("\"02 222 22 22\"");
  g_autoptr(JsonNode) bad = cdm_test_parse_json ("42");
  g_autofree char *conflict_id = NULL;

  put_partner (f, "02 111 11 11");
  put_partner (f, "02 999 99 99");
  answer_push (f);
  /* The server's value has come back meanwhile. */
  put_partner (f, "02 111 11 11");
  g_assert_cmpint (cdm_sync_store_count_pending (f->store, NULL), ==, 1);

  conflicts = cdm_sync_store_list_conflicts (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  conflict_id = g_strdup (json_object_get_string_member (json_array_get_object_element (conflicts, 0), "id"));

  /* A value the record cannot take: clear error, nothing changed. */
  g_assert_false (cdm_sync_resolve_conflict (f->store, conflict_id, bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (cdm_sync_store_count_conflicts (f->store, NULL), ==, 1);
  g_assert_cmpint (cdm_sync_store_count_pending (f->store, NULL), ==, 1);

  /* This desk's value chosen: written as a change waiting to be pushed. */
  g_assert_true (cdm_sync_resolve_conflict (f->store, conflict_id, value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_sync_store_count_conflicts (f->store, NULL), ==, 0);
  g_assert_cmpint (cdm_sync_store_count_pending (f->store, NULL), ==, 2);
  record = cdm_store_get (f->store, CDM_ENTITY_ORGANISATION, ORG_A, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "02 222 22 22");

  /* Resolved once only. */
  g_assert_false (cdm_sync_resolve_conflict (f->store, conflict_id, value, &error));
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (cdm_sync_store_count_pending (f->store, NULL), ==, 2);
}

static void
test_parked (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) parked = NULL;
  g_autofree char *key = NULL;
  JsonObject *entry;

  put_partner (f, "02 111 11 11");
  put_partner (f, "02 999 99 99");
  answer_push (f);

  parked = cdm_sync_list_parked (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (parked), ==, 1);
  entry = json_array_get_object_element (parked, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "reason"), ==, "phone: too long");
  g_assert_cmpstr (json_object_get_string_member (entry, "type"), ==, "organisation");
  g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, ORG_A);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "fields"), "phone"), ==,
                   "02 999 99 99");
  key = g_strdup (json_object_get_string_member (entry, "key"));

  g_assert_false (cdm_sync_discard_parked (f->store, "no-such-key", &error));
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (cdm_sync_store_count_parked (f->store, NULL), ==, 1);

  g_assert_true (cdm_sync_discard_parked (f->store, key, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_sync_store_count_parked (f->store, NULL), ==, 0);
  g_assert_false (cdm_sync_discard_parked (f->store, key, &error));
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
}

static void
count_call (gpointer data)
{
  guint *calls = data;

  (*calls)++;
}

static void
write_in_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Fixture *f = task_data;

  put_partner (f, "02 333 33 33");
  g_task_return_boolean (task, TRUE);
}

static void
test_watch (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GTask) task = NULL;
  guint calls = 0;

  cdm_sync_watch_local_writes (f->store, count_call, &calls, NULL);

  /* Three writes in a row: one call. */
  put_partner (f, "02 111 11 11");
  put_partner (f, "02 222 22 22");
  put_partner (f, "02 111 11 11");
  g_assert_cmpuint (calls, ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (calls, ==, 1);

  /* From another thread: called here. */
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, f, NULL);
  g_task_run_in_thread_sync (task, write_in_thread);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (calls, ==, 2);

  /* Writes that queue nothing call nothing. */
  cdm_store_set_queue_changes (f->store, FALSE);
  put_partner (f, "02 444 44 44");
  cdm_store_set_queue_changes (f->store, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (calls, ==, 2);

  /* Unwatched, even a pending call is dropped. */
  put_partner (f, "02 555 55 55");
  cdm_sync_unwatch_local_writes (f->store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (calls, ==, 2);
}

static void
test_server_url (void)
{
  const struct {
    const char *typed;
    const char *url;
  } cases[] = {
    { "https://desk.example.org", "https://desk.example.org/" },
    { "desk.example.org", "https://desk.example.org/" },
    { "  https://desk.example.org/cdm/ ", "https://desk.example.org/cdm/" },
    { "http://127.0.0.1:8080", "http://127.0.0.1:8080/" },
    { "http://localhost:8080/", "http://localhost:8080/" },
    { "http://[::1]:8080", "http://[::1]:8080/" },
    { "http://desk.example.org", NULL },
    { "http://10.0.0.2:8080", NULL },
    { "ftp://desk.example.org", NULL },
    { "", NULL },
    { "https://", NULL },
    { "https://user:pw@desk.example.org", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *url = cdm_sync_check_server_url (cases[i].typed, &error);

      g_test_message ("%s", cases[i].typed);
      g_assert_cmpstr (url, ==, cases[i].url);
      if (cases[i].url == NULL)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
          g_assert_cmpuint (strlen (error->message), >, 10);
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/sync-ui/resolve", Fixture, NULL, setup, test_resolve, teardown);
  g_test_add ("/sync-ui/parked", Fixture, NULL, setup, test_parked, teardown);
  g_test_add_func ("/sync-ui/server-url", test_server_url);
  g_test_add ("/sync-ui/watch", Fixture, NULL, setup, test_watch, teardown);

  return g_test_run ();
}
