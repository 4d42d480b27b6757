/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sync suite: real desk stores synced through the engine (cdm-sync.h)
 * with the real cdm-server over a throwaway PostgreSQL
 * (tests/server/cdm-server-test-util.h).  One server for the program;
 * each test makes its own records and desks. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cdm-server-test-util.h"
#include "cdm-sync-test-util.h"
#include "cdm-test-util.h"
#include "cdm-store.h"
#include "cdm-sync-ui-queries.h"
#include "cdm-sync.h"
#include "cdm-sync-store.h"

static CdmTestServer *server;
static char *tmpdir;

/* Desks */

static CdmStore *
desk_new (const char *name)
{
  return cdm_sync_test_store_new (tmpdir, name);
}

static CdmSync *
sync_new (CdmStore   *store,
          const char *url,
          const char *role)
{
  CdmSync *sync = cdm_sync_new (store, url ? url : cdm_test_server_url (server),
                                role ? cdm_test_server_token (server, role) : NULL);

  cdm_sync_set_timeout (sync, 20);
  return sync;
}

static void
sync_ok (CdmStore *store)
{
  g_autoptr(CdmSync) sync = sync_new (store, NULL, "counsellor");
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_VERIFY, NULL, NULL, &error));
  g_assert_no_error (error);
}

static char *
put_partner (CdmStore   *store,
             const char *name)
{
  g_autofree char *json = g_strdup_printf ("{\"name\": {\"fr\": \"%s\"}, \"circle\": \"first\", "
                                           "\"kind\": \"training\", \"phone\": \"02 000 00 00\", "
                                           "\"email\": \"info@example.org\"}", name);
  return cdm_sync_test_put (store, CDM_ENTITY_ORGANISATION, json);
}

static JsonObject *
get (CdmStore   *store,
     CdmEntity   entity,
     const char *id)
{
  g_autoptr(GError) error = NULL;
  JsonObject *record = cdm_store_get (store, entity, id, TRUE, &error);

  g_assert_no_error (error);
  return record;
}

static void
set_field (CdmStore    *store,
           const char  *id,
           const char  *field,
           const char  *value)
{
  g_autoptr(JsonObject) record = get (store, CDM_ENTITY_ORGANISATION, id);
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (record, field, value);
  g_assert_true (cdm_store_put (store, CDM_ENTITY_ORGANISATION, record, NULL, NULL, &error));
  g_assert_no_error (error);
}

static const char *
string_field (JsonObject *record,
              const char *field)
{
  JsonNode *node = json_object_get_member (record, field);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? json_node_get_string (node) : NULL;
}

/* The server's copy of a record, through the records API. */
static JsonObject *
server_record (const char *type,
               const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/%s", type, id);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "manager"), NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  return json_object_ref (json_node_get_object (reply->json));
}

static gboolean
collect_record (JsonObject *record,
                gpointer    user_data)
{
  g_ptr_array_add (user_data, json_object_ref (record));
  return TRUE;
}

static gboolean
count_note (JsonObject *record,
            gpointer    user_data)
{
  gpointer *data = user_data;
  const char *note = string_field (record, "note");

  if (note != NULL && g_str_has_prefix (note, data[0]))
    (*(gint64 *) data[1])++;
  return TRUE;
}

static gint64
live_contacts_with_note (CdmStore   *store,
                         const char *prefix)
{
  gint64 n = 0;
  gpointer data[2] = { (gpointer) prefix, &n };
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_store_foreach (store, CDM_ENTITY_CONTACT, FALSE, count_note, data, NULL, &error));
  g_assert_no_error (error);
  return n;
}

/* The local checksums equal the server's for every type the role sees. */
static void
assert_same_as_server (CdmStore *store)
{
  cdm_sync_test_assert_same_checksums (server, cdm_test_server_token (server, "counsellor"), store);
}

/* Tests */

/* A desk's records reach the server and an empty desk bootstraps them;
 * the status says it all went through. */
static void
test_roundtrip (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(CdmStore) b = desk_new ("b");
  g_autoptr(CdmSync) sync = NULL;
  g_autoptr(JsonObject) copy = NULL;
  g_autofree char *partner = put_partner (a, "Roundtrip Formation");
  g_autofree char *contact = cdm_sync_test_put_contact (a, "roundtrip");
  g_autofree char *last_sync = NULL;
  CdmSyncReport report;
  g_autoptr(GError) error = NULL;

  sync = sync_new (a, NULL, "counsellor");
  g_assert_cmpint (cdm_sync_get_pending_count (sync), ==, 2);
  g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_VERIFY, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.pushed, ==, 2);
  g_assert_true (report.bootstrapped);
  g_assert_cmpint (cdm_sync_get_pending_count (sync), ==, 0);
  g_assert_cmpint (cdm_sync_get_cursor (sync), >, 0);
  last_sync = cdm_sync_get_last_sync (sync);
  g_assert_nonnull (last_sync);
  g_assert_null (cdm_sync_get_last_error (sync));

  copy = server_record ("organisation", partner);
  g_assert_cmpint (json_object_get_int_member (copy, "version"), >, 0);

  sync_ok (b);
  g_clear_pointer (&copy, json_object_unref);
  copy = get (b, CDM_ENTITY_CONTACT, contact);
  g_assert_cmpstr (string_field (copy, "note"), ==, "roundtrip");
  g_assert_cmpint (json_object_get_int_member (copy, "version"), >, 0);
  assert_same_as_server (a);
  assert_same_as_server (b);
}

/* Two desks edit different fields of the same partner: both end with
 * both edits, as does the server, and nobody sees a conflict. */
static void
test_merge_fields (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(CdmStore) b = desk_new ("b");
  g_autofree char *partner = put_partner (a, "Merge Formation");
  g_autoptr(JsonObject) on_a = NULL;
  g_autoptr(JsonObject) on_b = NULL;
  g_autoptr(JsonObject) on_server = NULL;

  sync_ok (a);
  sync_ok (b);
  set_field (a, partner, "phone", "02 111 11 11");
  set_field (b, partner, "email", "accueil@example.org");
  sync_ok (a);
  sync_ok (b);
  sync_ok (a);

  on_a = get (a, CDM_ENTITY_ORGANISATION, partner);
  on_b = get (b, CDM_ENTITY_ORGANISATION, partner);
  on_server = server_record ("organisation", partner);
  g_assert_cmpstr (string_field (on_a, "phone"), ==, "02 111 11 11");
  g_assert_cmpstr (string_field (on_a, "email"), ==, "accueil@example.org");
  g_assert_cmpstr (string_field (on_b, "phone"), ==, "02 111 11 11");
  g_assert_cmpstr (string_field (on_b, "email"), ==, "accueil@example.org");
  g_assert_cmpstr (string_field (on_server, "phone"), ==, "02 111 11 11");
  g_assert_cmpstr (string_field (on_server, "email"), ==, "accueil@example.org");
  g_assert_cmpint (json_object_get_int_member (on_a, "version"), ==, json_object_get_int_member (on_server, "version"));
  g_assert_cmpint (json_object_get_int_member (on_b, "version"), ==, json_object_get_int_member (on_server, "version"));
  g_assert_cmpint (cdm_sync_store_count_conflicts (a, NULL), ==, 0);
  g_assert_cmpint (cdm_sync_store_count_conflicts (b, NULL), ==, 0);
}

/* Two desks change the same field: the first to reach the server wins
 * everywhere, and exactly one conflict record keeps the other value. */
static void
test_same_field (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(CdmStore) b = desk_new ("b");
  g_autofree char *partner = put_partner (a, "Conflict Formation");
  g_autofree char *sql = NULL;
  g_autoptr(JsonObject) on_a = NULL;
  g_autoptr(JsonObject) on_b = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autoptr(JsonArray) conflicts = NULL;
  JsonObject *conflict;

  sync_ok (a);
  sync_ok (b);
  set_field (a, partner, "phone", "02 222 22 22");
  set_field (b, partner, "phone", "02 333 33 33");
  sync_ok (a);
  sync_ok (b);
  sync_ok (a);

  on_a = get (a, CDM_ENTITY_ORGANISATION, partner);
  on_b = get (b, CDM_ENTITY_ORGANISATION, partner);
  on_server = server_record ("organisation", partner);
  g_assert_cmpstr (string_field (on_server, "phone"), ==, "02 222 22 22");
  g_assert_cmpstr (string_field (on_a, "phone"), ==, "02 222 22 22");
  g_assert_cmpstr (string_field (on_b, "phone"), ==, "02 222 22 22");

  sql = g_strdup_printf ("SELECT count(*) FROM conflicts WHERE record = '%s'", partner);
  g_assert_cmpint (cdm_sync_test_server_count (server, sql), ==, 1);
  g_assert_cmpint (cdm_sync_store_count_conflicts (a, NULL), ==, 0);
  g_assert_cmpint (cdm_sync_store_count_conflicts (b, NULL), ==, 1);
  conflicts = cdm_sync_store_list_conflicts (b, NULL);
  conflict = json_array_get_object_element (conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, "phone");
  g_assert_cmpstr (json_object_get_string_member (conflict, "kept"), ==, "02 222 22 22");
  g_assert_cmpstr (json_object_get_string_member (conflict, "other"), ==, "02 333 33 33");
}

/* Contacts logged offline on three desks: afterwards the server and
 * every desk hold exactly the union. */
static void
test_union (void)
{
  CdmStore *desks[3];

  for (guint d = 0; d < 3; d++)
    {
      desks[d] = desk_new ("union");
      for (guint i = 0; i < 25; i++)
        {
          g_autofree char *note = g_strdup_printf ("union-%u-%u", d, i);
          g_free (cdm_sync_test_put_contact (desks[d], note));
        }
    }
  for (guint round = 0; round < 2; round++)
    for (guint d = 0; d < 3; d++)
      sync_ok (desks[d]);

  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE body->>'note' LIKE 'union-%' AND NOT deleted"),
                   ==, 75);
  for (guint d = 0; d < 3; d++)
    {
      g_assert_cmpint (live_contacts_with_note (desks[d], "union-"), ==, 75);
      g_assert_cmpint (cdm_sync_store_count_pending (desks[d], NULL), ==, 0);
      assert_same_as_server (desks[d]);
      g_object_unref (desks[d]);
    }
}

/* A delete reaches every desk and nothing brings the record back, not
 * even an edit made offline on another desk before it learnt of it. */
static void
test_delete (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(CdmStore) b = desk_new ("b");
  g_autofree char *partner = put_partner (a, "Deleted Formation");
  g_autoptr(JsonObject) on_b = NULL;
  g_autoptr(JsonObject) on_server = NULL;
  g_autoptr(GError) error = NULL;

  sync_ok (a);
  sync_ok (b);
  g_assert_true (cdm_store_delete (a, CDM_ENTITY_ORGANISATION, partner, &error));
  g_assert_no_error (error);
  set_field (b, partner, "phone", "02 444 44 44");
  sync_ok (a);
  sync_ok (b);
  sync_ok (a);

  on_b = get (b, CDM_ENTITY_ORGANISATION, partner);
  on_server = server_record ("organisation", partner);
  g_assert_true (json_object_get_boolean_member (on_b, "deleted"));
  g_assert_true (json_object_get_boolean_member (on_server, "deleted"));
  g_assert_null (cdm_store_get (a, CDM_ENTITY_ORGANISATION, partner, FALSE, NULL));
  g_assert_null (cdm_store_get (b, CDM_ENTITY_ORGANISATION, partner, FALSE, NULL));
  g_assert_cmpint (cdm_sync_store_count_pending (b, NULL), ==, 0);
  /* The lost edit is there for a person to see. */
  g_assert_cmpint (cdm_sync_store_count_conflicts (b, NULL), ==, 1);
  assert_same_as_server (a);
  assert_same_as_server (b);
}

/* The answer to a push is lost after the server committed it: the retry
 * gets the stored answer and nothing is applied twice. */
static void
test_lost_answer (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  CdmSyncTestProxy *proxy = cdm_sync_test_proxy_new (server, 8, NULL, NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *note = g_strdup_printf ("lost-%u", i);
      g_free (cdm_sync_test_put_contact (a, note));
    }

  {
    g_autoptr(CdmSync) sync = sync_new (a, proxy->url, "counsellor");
    g_atomic_int_set (&proxy->drop_next_answer, 1);
    g_assert_false (cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_NO_PULL, NULL, &error));
    g_test_message ("answer lost: %s", error->message);
    g_assert_true (cdm_sync_error_is_retryable (error));
    g_clear_error (&error);
    /* Committed on the server, still waiting here. */
    g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE body->>'note' LIKE 'lost-%'"), ==, 10);
    g_assert_cmpint (cdm_sync_store_count_pending (a, NULL), ==, 10);
    {
      g_autofree char *last_error = cdm_sync_get_last_error (sync);
      g_assert_nonnull (last_error);
    }

    cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_VERIFY, NULL, &error);
    g_assert_no_error (error);
  }

  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE body->>'note' LIKE 'lost-%'"), ==, 10);
  g_assert_cmpint (live_contacts_with_note (a, "lost-"), ==, 10);
  g_assert_cmpint (cdm_sync_store_count_pending (a, NULL), ==, 0);
  cdm_sync_test_proxy_free (proxy);
}

/* Pointed at another server, the desk does not trust its cursor: it loads
 * everything again, keeping what it has not sent. */
static void
test_other_server (void)
{
  g_autoptr(CdmStore) a = desk_new ("moved");
  CdmSyncTestProxy *proxy = cdm_sync_test_proxy_new (server, 8, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *waiting = NULL;
  CdmSyncReport report;

  sync_ok (a);
  waiting = cdm_sync_test_put_contact (a, "moved-waiting");
  {
    g_autoptr(CdmSync) sync = sync_new (a, proxy->url, "counsellor");
    g_assert_true (cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_DEFAULT, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (cdm_sync_get_pending_count (sync), ==, 0);
    /* The second run, on the same server, just catches up. */
    {
      CdmSyncTestWait wait = { 0 };
      cdm_sync_run_async (sync, CDM_SYNC_RUN_DEFAULT, NULL, cdm_sync_test_wait_done, &wait);
      while (!wait.done)
        g_main_context_iteration (NULL, TRUE);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_true (wait.ok);
      g_assert_false (wait.report.bootstrapped);
    }
  }
  {
    g_autoptr(CdmSync) sync = sync_new (a, NULL, "counsellor");
    g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, &report, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (report.bootstrapped);
  }
  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE body->>'note' = 'moved-waiting'"), ==, 1);
  assert_same_as_server (a);
  cdm_sync_test_proxy_free (proxy);
}

/* An entry the server refuses is parked with its reason; the rest of the
 * queue goes on, and the parked entry can be sent again. */
static void
test_rejected (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(CdmSync) sync = sync_new (a, NULL, "counsellor");
  g_autoptr(JsonArray) outbox = NULL;
  g_autoptr(GError) error = NULL;
  CdmSyncReport report;
  g_autofree char *closure = NULL;
  const char *reason;

  g_free (cdm_sync_test_put_contact (a, "rejected-before"));
  /* Counsellors may not write closures (SERVER-API.md, roles). */
  closure = cdm_sync_test_put (a, CDM_ENTITY_CLOSURE, "{\"from\": \"2026-12-24\", \"to\": \"2026-12-26\", \"scope\": \"all\"}");
  g_free (cdm_sync_test_put_contact (a, "rejected-after"));

  g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.pushed, ==, 2);
  g_assert_cmpuint (report.parked, ==, 1);
  g_assert_cmpint (cdm_sync_get_parked_count (sync), ==, 1);
  g_assert_cmpint (cdm_sync_get_pending_count (sync), ==, 0);
  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE body->>'note' LIKE 'rejected-%'"), ==, 2);

  outbox = cdm_store_outbox_list (a, 10, NULL);
  g_assert_cmpuint (json_array_get_length (outbox), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (outbox, 0), "id"), ==, closure);
  reason = json_object_get_string_member (json_array_get_object_element (outbox, 0), "reason");
  g_assert_nonnull (reason);
  g_assert_cmpstr (reason, !=, "");

  /* Still refused when sent again: it stays parked, nothing else moves. */
  g_assert_true (cdm_sync_store_resend (a, json_object_get_string_member (json_array_get_object_element (outbox, 0), "key"),
                                        &error));
  g_assert_no_error (error);
  g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.parked, ==, 1);
  g_assert_cmpint (cdm_sync_get_parked_count (sync), ==, 1);
}

/* A refused change given up on the desk: the desk goes back to what the
 * server has at the next sync, instead of keeping a value nobody else
 * sees.  An update (a steward may not change a partner) brings the
 * server's value back; a record the server never had (a counsellor may
 * not write closures) is gone from the desk. */
static void
test_discard (void)
{
  g_autoptr(CdmStore) a = desk_new ("discard-a");
  g_autoptr(CdmStore) s = desk_new ("discard-s");
  g_autoptr(CdmSync) steward = sync_new (s, NULL, "steward");
  g_autoptr(CdmSync) counsellor = sync_new (a, NULL, "counsellor");
  g_autoptr(JsonArray) outbox = NULL;
  g_autoptr(JsonObject) partner = NULL;
  g_autoptr(JsonObject) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = put_partner (a, "Partenaire du vestiaire");
  g_autofree char *closure = NULL;
  CdmSyncReport report;

  sync_ok (a);
  g_assert_true (cdm_sync_run (steward, CDM_SYNC_RUN_DEFAULT, NULL, NULL, &error));
  g_assert_no_error (error);

  set_field (s, id, "phone", "02 999 99 99");
  g_assert_true (cdm_sync_run (steward, CDM_SYNC_RUN_DEFAULT, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.parked, ==, 1);
  outbox = cdm_store_outbox_list (s, 10, NULL);
  g_assert_cmpuint (json_array_get_length (outbox), ==, 1);
  g_assert_true (cdm_sync_discard_parked (s, json_object_get_string_member (json_array_get_object_element (outbox, 0),
                                                                            "key"), &error));
  g_assert_no_error (error);
  g_assert_true (cdm_sync_run (steward, CDM_SYNC_RUN_VERIFY, &report, NULL, &error));
  g_assert_no_error (error);
  partner = get (s, CDM_ENTITY_ORGANISATION, id);
  g_assert_cmpstr (string_field (partner, "phone"), ==, "02 000 00 00");
  g_assert_cmpuint (report.resynced, ==, 1);
  /* Settled: the next check finds nothing to load again. */
  g_assert_true (cdm_sync_run (steward, CDM_SYNC_RUN_VERIFY, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.resynced, ==, 0);

  closure = cdm_sync_test_put (a, CDM_ENTITY_CLOSURE, "{\"from\": \"2026-11-02\", \"to\": \"2026-11-02\", "
                                                      "\"scope\": \"all\"}");
  g_assert_true (cdm_sync_run (counsellor, CDM_SYNC_RUN_DEFAULT, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.parked, ==, 1);
  g_clear_pointer (&outbox, json_array_unref);
  outbox = cdm_store_outbox_list (a, 10, NULL);
  g_assert_true (cdm_sync_discard_parked (a, json_object_get_string_member (json_array_get_object_element (outbox, 0),
                                                                            "key"), &error));
  g_assert_no_error (error);
  gone = cdm_store_get (a, CDM_ENTITY_CLOSURE, closure, FALSE, &error);
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
  g_assert_null (gone);
  g_clear_error (&error);
  g_assert_true (cdm_sync_run (counsellor, CDM_SYNC_RUN_VERIFY, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_sync_get_parked_count (counsellor), ==, 0);
  assert_same_as_server (a);
}

/* A token the server does not accept: the error says to sign in again
 * and every local change is still there. */
static void
test_unauthorized (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(CdmSync) sync = cdm_sync_new (a, cdm_test_server_url (server), "forged-token");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) before = NULL;
  g_autoptr(JsonArray) after = NULL;
  g_autofree char *last_error = NULL;

  g_free (cdm_sync_test_put_contact (a, "unauthorized"));
  g_free (put_partner (a, "Unauthorized Formation"));
  before = cdm_store_outbox_list (a, 10, NULL);

  g_assert_false (cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, NULL, NULL, &error));
  g_assert_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_UNAUTHORIZED);
  g_assert_false (cdm_sync_error_is_retryable (error));
  after = cdm_store_outbox_list (a, 10, NULL);
  {
    g_autoptr(JsonNode) b1 = json_node_init_array (json_node_alloc (), before);
    g_autoptr(JsonNode) a1 = json_node_init_array (json_node_alloc (), after);
    g_autofree char *before_text = json_to_string (b1, FALSE);
    g_autofree char *after_text = json_to_string (a1, FALSE);
    g_assert_cmpstr (before_text, ==, after_text);
  }
  g_assert_cmpuint (json_array_get_length (after), ==, 2);
  g_assert_cmpint (cdm_sync_get_pending_count (sync), ==, 2);
  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE body->>'note' = 'unauthorized'"), ==, 0);
  last_error = cdm_sync_get_last_error (sync);
  g_assert_nonnull (strstr (last_error, "Sign in again"));
}

/* No server at the address: offline, retry later with a growing delay. */
static void
test_offline (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port that was free a moment ago and is closed now. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  g_free (cdm_sync_test_put_contact (a, "offline"));
  {
    g_autoptr(CdmSync) sync = cdm_sync_new (a, url, "token");
    g_assert_false (cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, NULL, NULL, &error));
    g_assert_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_OFFLINE);
    g_assert_true (cdm_sync_error_is_retryable (error));
    g_assert_cmpint (cdm_sync_get_pending_count (sync), ==, 1);
  }

  for (guint attempt = 0; attempt < 20; attempt++)
    {
      guint delay = cdm_sync_next_delay (attempt);
      guint step = attempt < 9 ? 2000u << attempt : 600000;
      step = MIN (step, 600000);
      g_assert_cmpuint (delay, >=, step / 2);
      g_assert_cmpuint (delay, <=, step);
    }
}

/* An answer that is not what the API says: refused, nothing applied.
 * The fake server answers each request on a connection of its own. */
static const char *
bad_answer_for (const char *path)
{
  if (g_str_has_prefix (path, "/api/v1/sync/cursor"))
    return "{\"cursor\": 5}";
  if (g_str_has_prefix (path, "/api/v1/sync/checksums"))
    return "{\"types\": {\"organisation\": {\"count\": 2, \"checksum\": \"0\"}}}";
  if (g_str_has_prefix (path, "/api/v1/sync/snapshot"))
    return "{\"type\": \"organisation\", \"records\": [{\"id\": \"0b8e3f0a-5d6c-4b7e-9a1f-2c3d4e5f6a7b\", "
           "\"version\": 1, \"name\": {\"fr\": \"Fine\"}, \"circle\": \"first\", \"kind\": \"training\"}, "
           "{\"id\": \"1c9f4a1b-6e7d-4c8f-8b20-3d4e5f6a7b8c\", \"version\": 1, \"circle\": \"nowhere\"}], "
           "\"next\": null}";
  return "<html>Proxy error</html>";
}

static gboolean
on_bad_request (GSocketService    *service,
                GSocketConnection *connection,
                GObject           *source,
                gpointer           user_data)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GString) head = g_string_new (NULL);
  g_auto(GStrv) words = NULL;
  g_autofree char *answer = NULL;
  const char *body;
  char c;

  /* The request's head, up to its blank line; GETs have no body. */
  while (!g_str_has_suffix (head->str, "\r\n\r\n") && g_input_stream_read (in, &c, 1, NULL, NULL) == 1)
    g_string_append_c (head, c);
  words = g_strsplit (head->str, " ", 3);
  body = bad_answer_for (words[0] != NULL && words[1] != NULL ? words[1] : "");
  answer = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen (body), body);
  g_output_stream_write_all (out, answer, strlen (answer), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
test_malformed (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(GSocketService) service = g_threaded_socket_service_new (4);
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmSync) sync = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (on_bad_request), NULL);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  sync = cdm_sync_new (a, url, "token");
  {
    CdmSyncTestWait wait = { 0 };

    cdm_sync_run_async (sync, CDM_SYNC_RUN_DEFAULT, NULL, cdm_sync_test_wait_done, &wait);
    /* One run at a time. */
    g_assert_true (cdm_sync_is_running (sync));
    g_assert_false (cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, NULL, NULL, &error));
    g_assert_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BUSY);
    g_clear_error (&error);
    while (!wait.done)
      g_main_context_iteration (NULL, TRUE);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_assert_false (wait.ok);
    error = wait.error;
  }
  g_assert_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BAD_ANSWER);
  g_assert_false (cdm_sync_is_running (sync));

  /* Not even the valid record of the page was written. */
  g_assert_cmpint (cdm_store_count (a, CDM_ENTITY_ORGANISATION, NULL), ==, 0);
  g_assert_cmpint (cdm_sync_get_cursor (sync), ==, -1);

  /* An answer that is not JSON at all, to a pull. */
  g_clear_error (&error);
  g_assert_true (cdm_sync_store_set_state (a, CDM_SYNC_KEY_BOOTSTRAP, NULL, NULL));
  g_assert_true (cdm_sync_store_set_state (a, CDM_SYNC_KEY_CURSOR, "5", NULL));
  g_assert_false (cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_DEFAULT, NULL, &error));
  g_assert_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BAD_ANSWER);
  g_assert_nonnull (strstr (error->message, "not JSON"));
  g_assert_cmpint (cdm_sync_get_cursor (sync), ==, 5);

  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

/* Seeds the server with @n contacts through a desk of its own. */
static void
seed_contacts (const char *prefix,
               guint       n)
{
  g_autoptr(CdmStore) seed = desk_new ("seed");
  g_autoptr(CdmSync) sync = sync_new (seed, NULL, "counsellor");
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_store_begin (seed, TRUE, NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *note = g_strdup_printf ("%s-%u", prefix, i);
      g_free (cdm_sync_test_put_contact (seed, note));
    }
  g_assert_true (cdm_store_commit (seed, NULL));
  g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_NO_PULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

typedef struct {
  GCancellable *cancellable;
  guint64 last_done;
  guint64 last_total;
  guint calls;
  guint64 cancel_after;
} Progress;

static void
on_progress (CdmSync *sync,
             guint64  done,
             guint64  total,
             gpointer user_data)
{
  Progress *p = user_data;

  p->last_done = done;
  p->last_total = total;
  p->calls++;
  if (p->cancellable != NULL && p->cancel_after > 0 && done >= p->cancel_after)
    g_cancellable_cancel (p->cancellable);
}

/* An empty desk bootstraps a few thousand records in pages, with progress;
 * a bootstrap cancelled half-way resumes where it stopped. */
static void
test_bootstrap (void)
{
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(CdmStore) b = desk_new ("b");
  g_autoptr(GError) error = NULL;
  CdmSyncReport report;
  gint64 on_server;

  seed_contacts ("bootstrap", 3000);
  on_server = cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE NOT deleted");
  g_assert_cmpint (on_server, >=, 3000);

  {
    g_autoptr(CdmSync) sync = sync_new (a, NULL, "counsellor");
    Progress progress = { 0 };
    gint64 start = g_get_monotonic_time ();

    cdm_sync_set_page_size (sync, 500);
    g_signal_connect (sync, "progress", G_CALLBACK (on_progress), &progress);
    g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, &report, NULL, &error));
    g_assert_no_error (error);
    g_test_message ("bootstrap of %u records: %.0f ms", report.loaded,
                    (g_get_monotonic_time () - start) / 1000.0);
    g_assert_true (report.bootstrapped);
    g_assert_cmpuint (report.loaded, >=, 3000);
    g_assert_cmpuint (progress.calls, >, 6);
    g_assert_cmpuint (progress.last_total, ==, report.loaded);
    g_assert_cmpuint (progress.last_done, ==, report.loaded);
    g_assert_cmpint (cdm_store_count (a, CDM_ENTITY_CONTACT, NULL), ==, on_server);
    g_assert_cmpint (live_contacts_with_note (a, "bootstrap-"), ==, 3000);
    assert_same_as_server (a);
  }

  /* Cancelled after the first pages: the position is recorded... */
  {
    g_autoptr(CdmSync) sync = sync_new (b, NULL, "counsellor");
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Progress progress = { cancellable, 0, 0, 0, 1000 };
    g_autofree char *position = NULL;
    gint64 partial;

    cdm_sync_set_page_size (sync, 500);
    g_signal_connect (sync, "progress", G_CALLBACK (on_progress), &progress);
    g_assert_false (cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, NULL, cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    position = cdm_sync_store_get_state (b, CDM_SYNC_KEY_BOOTSTRAP);
    g_assert_nonnull (position);
    g_assert_cmpint (cdm_sync_get_cursor (sync), ==, -1);
    partial = cdm_store_count (b, CDM_ENTITY_CONTACT, NULL);
    g_assert_cmpint (partial, <, on_server);
  }
  /* ...and the next run goes on from there, to the same store as a
   * bootstrap in one go. */
  {
    g_autoptr(CdmSync) sync = sync_new (b, NULL, "counsellor");

    cdm_sync_set_page_size (sync, 500);
    g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, &report, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (report.bootstrapped);
    g_assert_cmpuint (report.loaded, <, on_server);
    g_assert_null (cdm_sync_store_get_state (b, CDM_SYNC_KEY_BOOTSTRAP));
    g_assert_cmpint (cdm_store_count (b, CDM_ENTITY_CONTACT, NULL), ==, on_server);
    assert_same_as_server (b);
  }
}

/* A desk whose cursor is older than the change log re-bootstraps,
 * keeping what it has not sent, and learns of the deletes it missed. */
static void
test_rebootstrap (void)
{
  const char * const prune[] = { "prune", "--older-than", "0", NULL };
  g_autoptr(CdmStore) a = desk_new ("a");
  g_autoptr(CdmStore) b = desk_new ("b");
  g_autofree char *partner = put_partner (a, "Pruned Formation");
  g_autofree char *waiting = NULL;
  g_autoptr(GError) error = NULL;
  CdmSyncReport report;

  sync_ok (a);
  sync_ok (b);
  g_assert_true (cdm_store_delete (a, CDM_ENTITY_ORGANISATION, partner, &error));
  g_assert_no_error (error);
  sync_ok (a);
  g_free (cdm_sync_test_put_contact (a, "after-prune"));
  sync_ok (a);
  g_assert_cmpint (cdm_test_server_command (server, prune, NULL, NULL, NULL), ==, 0);

  waiting = cdm_sync_test_put_contact (b, "waiting-through-rebootstrap");
  {
    g_autoptr(CdmSync) sync = sync_new (b, NULL, "counsellor");
    g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_VERIFY, &report, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_true (report.bootstrapped);
  g_assert_null (cdm_store_get (b, CDM_ENTITY_ORGANISATION, partner, FALSE, NULL));
  g_assert_cmpint (live_contacts_with_note (b, "after-prune"), ==, 1);
  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE body->>'note' = 'waiting-through-rebootstrap'"),
                   ==, 1);
  assert_same_as_server (b);
}

/* cdmctl login, sync, status and logout on --store; the token in a file
 * only the user can read, never in the store. */
static void
test_cdmctl (void)
{
  g_autofree char *store_path = g_build_filename (tmpdir, "cdmctl.sqlite", NULL);
  g_autofree char *password_file = g_build_filename (tmpdir, "password", NULL);
  g_autofree char *password = cdm_test_password ("counsellor");
  g_autofree char *config = g_build_filename (tmpdir, "config", NULL);
  g_autofree char *token_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *with_newline = g_strconcat (password, "\n", NULL);
  const char *cdmctl = g_getenv ("CDMCTL");
  GStatBuf st;
  int status;

  g_assert_nonnull (cdmctl);
  g_assert_true (g_file_set_contents (password_file, with_newline, -1, NULL));

#define RUN(...) \
  G_STMT_START { \
    const char *argv[] = { cdmctl, "--store", store_path, __VA_ARGS__, NULL }; \
    g_clear_pointer (&out, g_free); \
    g_clear_pointer (&err, g_free); \
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, \
                                 NULL, NULL, &out, &err, &status, NULL)); \
  } G_STMT_END

  RUN ("sync");
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "cdmctl login"));

  RUN ("login", "--server", cdm_test_server_url (server), "--user", "counsellor");
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);  /* no password on standard input */
  g_assert_nonnull (strstr (err, "No password"));

  RUN ("login", "--user", "counsellor");
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);

  RUN ("login", "--server", cdm_test_server_url (server), "--user", "counsellor", "--password-file", password_file);
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_nonnull (strstr (out, "Signed in"));

  token_path = cdm_sync_token_path (store_path);
  g_assert_true (g_str_has_prefix (token_path, config));
  g_assert_cmpint (g_stat (token_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (token_path, &contents, NULL, NULL));
  {
    /* The store holds no secret. */
    g_autofree char *db = NULL;
    gsize len = 0;
    g_assert_true (g_file_get_contents (store_path, &db, &len, NULL));
    g_assert_null (g_strstr_len (db, len, contents));
    g_assert_null (g_strstr_len (db, len, password));
  }

  RUN ("log", "--channel", "email", "--theme", "work");
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  RUN ("sync");
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_nonnull (strstr (out, "Pushed: 1"));
  RUN ("status");
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_nonnull (strstr (out, "Changes waiting: 0"));
  g_assert_nonnull (strstr (out, "Conflicts to resolve: 0"));
  g_assert_nonnull (strstr (out, "Signed in as: counsellor"));
  g_assert_null (strstr (out, "Last sync: never"));
  g_assert_nonnull (strstr (out, "Cursor: "));
  RUN ("sync", "--bootstrap");
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_nonnull (strstr (out, "Loaded from the snapshot"));

  RUN ("logout");
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_false (g_file_test (token_path, G_FILE_TEST_EXISTS));
  /* The token was revoked on the server too. */
  {
    g_autofree char *auth = g_strstrip (g_strdup (contents));
    g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", "/api/v1/auth/me", auth, NULL);
    g_assert_cmpuint (reply->status, ==, 401);
  }
  RUN ("sync");
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
#undef RUN
}

/* A desk whose rows went wrong behind the engine's back (a row lost, a
 * stale version) finds it by the checksums and reloads those types. */
static void
test_integrity (void)
{
  g_autoptr(CdmStore) a = desk_new ("integrity");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  CdmSyncReport report;
  sqlite3 *db = NULL;

  g_free (put_partner (a, "Integrity Formation"));
  g_free (cdm_sync_test_put_contact (a, "integrity"));
  sync_ok (a);
  path = g_strdup (cdm_store_get_path (a));
  g_clear_object (&a);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA foreign_keys = ON;"
                                     "DELETE FROM contacts WHERE rowid = (SELECT min (rowid) FROM contacts);"
                                     "UPDATE organisations SET version = version + 7 "
                                     "WHERE rowid = (SELECT min (rowid) FROM organisations WHERE deleted = 0);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  a = cdm_store_open (path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(CdmSync) sync = sync_new (a, NULL, "counsellor");
    g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_VERIFY, &report, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpuint (report.resynced, ==, 2);
  assert_same_as_server (a);
}

/* Scope: a partner's staff desk holds its organisation's contacts and no
 * other's, also after its user's role changed and changed back. */
static gint64
contacts_of (CdmStore   *store,
             const char *organisation,
             gboolean    other)
{
  gint64 n = 0;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_store_foreach (store, CDM_ENTITY_CONTACT, FALSE, collect_record, all, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      const char *org = string_field (all->pdata[i], "organisation");
      if ((g_strcmp0 (org, organisation) == 0) != other)
        n++;
    }
  return n;
}

static void
set_role (const char *body)
{
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "PATCH", "/api/v1/admin/users/partner_staff",
                                                    cdm_test_server_token (server, "admin"), body);
  g_assert_cmpuint (reply->status, ==, 200);
}

static void
test_scope (void)
{
  g_autoptr(CdmStore) counsellor = desk_new ("counsellor");
  g_autoptr(CdmStore) partner = desk_new ("partner");
  g_autoptr(CdmSync) sync = sync_new (partner, NULL, "partner_staff");
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE NOT deleted AND org = '%s'",
                                          CDM_TEST_PARTNER_ORG);
  CdmSyncReport report;

  for (guint i = 0; i < 3; i++)
    {
      g_free (cdm_sync_test_put (counsellor, CDM_ENTITY_CONTACT,
                   "{\"occurred_at\": \"2026-03-03T10:00:00+01:00\", \"site\": \"centre\", "
                   "\"service\": \"individual_advice\", \"channel\": \"phone\", \"note\": \"scope-ours\", "
                   "\"organisation\": \"" CDM_TEST_PARTNER_ORG "\"}"));
      g_free (cdm_sync_test_put_contact (counsellor, "scope-theirs"));
    }
  sync_ok (counsellor);

  g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_VERIFY, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (contacts_of (partner, CDM_TEST_PARTNER_ORG, FALSE), ==, cdm_sync_test_server_count (server, sql));
  g_assert_cmpint (contacts_of (partner, CDM_TEST_PARTNER_ORG, TRUE), ==, 0);
  g_assert_cmpint (live_contacts_with_note (partner, "scope-ours"), ==, 3);

  /* Made a counsellor, the desk gets everyone's contacts... */
  set_role ("{\"role\": \"counsellor\"}");
  g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_VERIFY, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (live_contacts_with_note (partner, "scope-theirs"), ==, 3);

  /* ...and back to a partner's staff, it keeps only its own. */
  set_role ("{\"role\": \"partner_staff\", \"organisation\": \"" CDM_TEST_PARTNER_ORG "\"}");
  g_assert_true (cdm_sync_run (sync, CDM_SYNC_RUN_VERIFY, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.resynced, >=, 1);
  g_assert_cmpint (contacts_of (partner, CDM_TEST_PARTNER_ORG, TRUE), ==, 0);
  g_assert_cmpint (live_contacts_with_note (partner, "scope-ours"), ==, 3);
}

/* SIGKILL: cdmctl killed in the middle of a bootstrap, and in the middle
 * of a push, then run again: the store ends equal to the server, nothing
 * twice, nothing lost. */

static void
cdmctl_login (const char *store_path)
{
  g_autofree char *password_file = g_build_filename (tmpdir, "password-kill", NULL);

  cdm_sync_test_cdmctl_login (server, password_file, store_path);
}

/* Starts `cdmctl sync` and SIGKILLs it once @ready says the store is in
 * the middle of it.  Returns whether the kill landed before the end. */
static gboolean
kill_sync_when (const char *store_path,
                gboolean  (*ready) (const char *store_path))
{
  const char *argv[] = { g_getenv ("CDMCTL"), "--store", store_path, "sync", NULL };
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  gboolean killed = FALSE;

  child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 6000; i++)
    {
      if (ready (store_path))
        {
          g_subprocess_force_exit (child);
          killed = TRUE;
          break;
        }
      if (g_subprocess_get_identifier (child) == NULL)
        break;
      g_usleep (2000);
    }
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  /* It may have finished just before the signal. */
  return killed && g_subprocess_get_if_signaled (child);
}

static gboolean
mid_bootstrap (const char *store_path)
{
  return cdm_sync_test_peek_value (store_path, "SELECT count(*) FROM sync_state WHERE key = 'bootstrap'") == 1 &&
         cdm_sync_test_peek_value (store_path, "SELECT count(*) FROM contacts") > 0;
}

static gboolean
mid_push (const char *store_path)
{
  gint64 waiting = cdm_sync_test_peek_value (store_path, "SELECT count(*) FROM outbox");

  return waiting > 0 && waiting < 2000;
}

static void
test_kill (void)
{
  gboolean landed = FALSE;

  /* A bootstrap killed half-way resumes, to the same store as one in a
   * single run.  The server holds a few thousand contacts from the
   * bootstrap test; a kill may land too late, so try a few stores. */
  for (guint attempt = 0; attempt < 5 && !landed; attempt++)
    {
      g_autofree char *name = g_strdup_printf ("kill-bootstrap-%u.sqlite", attempt);
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_autoptr(CdmStore) store = NULL;
      g_autoptr(GError) error = NULL;

      {
        /* Created first, so that the poller finds it. */
        g_autoptr(CdmStore) created = cdm_store_open (path, &error);
        g_assert_no_error (error);
      }
      cdmctl_login (path);
      landed = kill_sync_when (path, mid_bootstrap);
      if (landed)
        {
          g_test_message ("bootstrap killed with %" G_GINT64_FORMAT " contacts written",
                          cdm_sync_test_peek_value (path, "SELECT count(*) FROM contacts"));
          g_assert_cmpint (cdm_sync_test_peek_value (path, "SELECT count(*) FROM sync_state WHERE key = 'cursor'"), ==, 0);
        }
      cdm_sync_test_cdmctl_sync (path);
      store = cdm_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_null (cdm_sync_store_get_state (store, CDM_SYNC_KEY_BOOTSTRAP));
      assert_same_as_server (store);
    }
  if (!landed)
    g_test_incomplete ("every bootstrap ended before it could be killed");

  /* A push killed half-way: sent again, nothing is applied twice. */
  landed = FALSE;
  for (guint attempt = 0; attempt < 5 && !landed; attempt++)
    {
      g_autofree char *prefix = g_strdup_printf ("kill-push-%u-", attempt);
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE body->>'note' LIKE '%s%%'", prefix);
      g_autoptr(CdmStore) store = desk_new ("kill-push");
      g_autoptr(GError) error = NULL;
      g_autofree char *store_path = g_strdup (cdm_store_get_path (store));

      sync_ok (store);
      g_assert_true (cdm_store_begin (store, FALSE, NULL));
      for (guint i = 0; i < 2000; i++)
        {
          g_autofree char *note = g_strdup_printf ("%s%u", prefix, i);
          g_free (cdm_sync_test_put_contact (store, note));
        }
      g_assert_true (cdm_store_commit (store, NULL));
      g_clear_object (&store);

      cdmctl_login (store_path);
      landed = kill_sync_when (store_path, mid_push);
      if (landed)
        g_test_message ("push killed with %" G_GINT64_FORMAT " changes still waiting",
                        cdm_sync_test_peek_value (store_path, "SELECT count(*) FROM outbox"));
      cdm_sync_test_cdmctl_sync (store_path);
      g_assert_cmpint (cdm_sync_test_server_count (server, sql), ==, 2000);
      store = cdm_store_open (store_path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (cdm_sync_store_count_pending (store, NULL), ==, 0);
      g_assert_cmpint (live_contacts_with_note (store, prefix), ==, 2000);
      assert_same_as_server (store);
    }
  if (!landed)
    g_test_incomplete ("every push ended before it could be killed");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/roundtrip", test_roundtrip);
  g_test_add_func ("/sync/merge-fields", test_merge_fields);
  g_test_add_func ("/sync/same-field", test_same_field);
  g_test_add_func ("/sync/union", test_union);
  g_test_add_func ("/sync/delete", test_delete);
  g_test_add_func ("/sync/lost-answer", test_lost_answer);
  g_test_add_func ("/sync/other-server", test_other_server);
  g_test_add_func ("/sync/rejected", test_rejected);
  g_test_add_func ("/sync/discard", test_discard);
  g_test_add_func ("/sync/unauthorized", test_unauthorized);
  g_test_add_func ("/sync/offline", test_offline);
  g_test_add_func ("/sync/malformed", test_malformed);
  g_test_add_func ("/sync/bootstrap", test_bootstrap);
  g_test_add_func ("/sync/rebootstrap", test_rebootstrap);
  g_test_add_func ("/sync/cdmctl", test_cdmctl);
  g_test_add_func ("/sync/kill", test_kill);
  g_test_add_func ("/sync/scope", test_scope);
  g_test_add_func ("/sync/integrity", test_integrity);

  /* Token files go to the test's folder; set before any thread starts. */
  tmpdir = cdm_sync_test_make_tmpdir ("cdm-sync-XXXXXX");
  server = cdm_test_server_new (NULL);
  status = g_test_run ();
  cdm_test_server_free (server);
  cdm_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
