/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store's side of sync (cdm-sync-store.h), without a server: pages of
 * the change feed and of snapshots, rebasing waiting changes, the outbox
 * after a push answer, parking, checksums. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cdm-search.h"
#include "cdm-store.h"
#include "cdm-sync-store.h"
#include "cdm-test-util.h"

#define ORG_A "0b8e3f0a-5d6c-4b7e-9a1f-2c3d4e5f6a7b"
#define ORG_B "1c9f4a1b-6e7d-4c8f-8b20-3d4e5f6a7b8c"
#define CONTACT_A "2da05b2c-7f8e-4d90-9c31-4e5f6a7b8c9d"

typedef CdmTestStoreFixture Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  cdm_test_store_fixture_set_up (f, "cdm-store-sync-XXXXXX");
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  cdm_test_store_fixture_tear_down (f);
}

static JsonArray *
parse_array (const char *json)
{
  g_autoptr(JsonNode) node = cdm_test_parse_json (json);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_array_ref (json_node_get_array (node));
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonNode) node = cdm_test_parse_json (json);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* A partner as the server sends it in a change. */
static char *
partner_change (const char *id,
                gint64      version,
                const char *fr,
                const char *phone)
{
  return g_strdup_printf ("{\"seq\": %" G_GINT64_FORMAT ", \"type\": \"organisation\", \"id\": \"%s\", "
                          "\"version\": %" G_GINT64_FORMAT ", \"deleted\": false, \"record\": "
                          "{\"type\": \"organisation\", \"id\": \"%s\", \"name\": {\"fr\": \"%s\"}, "
                          "\"circle\": \"first\", \"kind\": \"public_employment\", \"phone\": \"%s\", "
                          "\"version\": %" G_GINT64_FORMAT ", \"deleted\": false}}",
                          version, id, version, id, fr, phone, version);
}

static void
apply_page (Fixture    *f,
            const char *changes,
            gint64      cursor)
{
  g_autoptr(JsonArray) array = parse_array (changes);
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_sync_store_apply_changes (f->store, array, cursor, NULL, &error));
  g_assert_no_error (error);
}

static void
apply_one (Fixture    *f,
           char       *change,
           gint64      cursor)
{
  g_autofree char *page = g_strdup_printf ("[%s]", change);

  apply_page (f, page, cursor);
  g_free (change);
}

static JsonObject *
get (Fixture    *f,
     CdmEntity   entity,
     const char *id)
{
  g_autoptr(GError) error = NULL;
  JsonObject *record = cdm_store_get (f->store, entity, id, TRUE, &error);

  g_assert_no_error (error);
  return record;
}

static const char *
name_fr (JsonObject *record)
{
  return json_object_get_string_member (json_object_get_object_member (record, "name"), "fr");
}

static void
edit_partner (Fixture    *f,
              const char *member,
              const char *value)
{
  g_autoptr(JsonObject) record = get (f, CDM_ENTITY_ORGANISATION, ORG_A);
  g_autoptr(GError) error = NULL;

  if (g_str_equal (member, "fr"))
    json_object_set_string_member (json_object_get_object_member (record, "name"), "fr", value);
  else
    json_object_set_string_member (record, member, value);
  g_assert_true (cdm_store_put (f->store, CDM_ENTITY_ORGANISATION, record, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* A page of the feed: records written as the server has them, synced,
 * nothing queued, the cursor moved in the same transaction. */
static void
test_apply_page (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;
  guint applied = 0;
  g_autofree char *first = partner_change (ORG_A, 3, "Maison de l'emploi", "02 111");
  g_autofree char *second = partner_change (ORG_B, 1, "Bruxelles Formation", "02 222");
  g_autofree char *page = g_strdup_printf ("[%s, %s]", first, second);
  g_autoptr(JsonArray) changes = parse_array (page);

  g_assert_cmpint (cdm_sync_store_get_cursor (f->store), ==, -1);
  g_assert_true (cdm_sync_store_apply_changes (f->store, changes, 7, &applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (applied, ==, 2);
  g_assert_cmpint (cdm_sync_store_get_cursor (f->store), ==, 7);
  g_assert_cmpint (cdm_store_outbox_count (f->store, NULL), ==, 0);

  record = get (f, CDM_ENTITY_ORGANISATION, ORG_A);
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 3);
  g_assert_cmpstr (name_fr (record), ==, "Maison de l'emploi");

  /* The same page again changes nothing. */
  g_assert_true (cdm_sync_store_apply_changes (f->store, changes, 7, &applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (applied, ==, 0);

  /* Search knows the partners written from the server. */
  {
    g_autoptr(GPtrArray) hits = cdm_search (f->store, CDM_ENTITY_ORGANISATION, "formation", 10, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (hits->len, ==, 1);
    g_assert_cmpstr (((CdmSearchHit *) hits->pdata[0])->id, ==, ORG_B);
  }
}

/* A malformed page is refused whole: nothing written, cursor unchanged. */
static void
test_bad_page (Fixture       *f,
               gconstpointer  data)
{
  static const char * const bad[] = {
    "[42]",
    "[{\"type\": \"nonsense\", \"id\": \"" ORG_B "\", \"version\": 1, \"deleted\": false, \"record\": {}}]",
    "[{\"type\": \"organisation\", \"id\": \"not-a-uuid\", \"version\": 1, \"deleted\": false, \"record\": {}}]",
    "[{\"type\": \"organisation\", \"id\": \"" ORG_B "\", \"version\": \"1\", \"deleted\": false, \"record\": {}}]",
    "[{\"type\": \"organisation\", \"id\": \"" ORG_B "\", \"version\": 1, \"deleted\": false}]",
    "[{\"type\": \"organisation\", \"id\": \"" ORG_B "\", \"version\": 1, \"deleted\": false, "
    "\"record\": {\"name\": {\"fr\": \"X\"}, \"circle\": \"fourth\", \"kind\": \"other\"}}]",
  };

  apply_one (f, partner_change (ORG_A, 1, "A", "1"), 1);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      /* A good change first: it must not be applied either. */
      g_autofree char *good = partner_change (ORG_A, 2, "A2", "2");
      g_autofree char *text = g_strdup_printf ("[%s, %s", good, bad[i] + 1);
      g_autoptr(JsonArray) changes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) record = NULL;

      changes = parse_array (text);
      g_assert_false (cdm_sync_store_apply_changes (f->store, changes, 9, NULL, &error));
      g_assert_error (error, CDM_SYNC_STORE_ERROR, CDM_SYNC_STORE_ERROR_BAD_PAGE);
      g_assert_nonnull (strstr (error->message, "nothing was applied"));
      g_assert_cmpint (cdm_sync_store_get_cursor (f->store), ==, 1);
      record = get (f, CDM_ENTITY_ORGANISATION, ORG_A);
      g_assert_cmpstr (name_fr (record), ==, "A");
      g_assert_false (cdm_store_get (f->store, CDM_ENTITY_ORGANISATION, ORG_B, TRUE, NULL) != NULL);
    }

  /* A cursor going back is refused too. */
  {
    g_autoptr(JsonArray) empty = json_array_new ();
    g_autoptr(GError) error = NULL;
    g_assert_false (cdm_sync_store_apply_changes (f->store, empty, 0, NULL, &error));
    g_assert_error (error, CDM_SYNC_STORE_ERROR, CDM_SYNC_STORE_ERROR_BAD_PAGE);
  }
}

/* A tombstone from the server is applied and never comes back. */
static void
test_tombstone (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonObject) record = NULL;

  apply_one (f, partner_change (ORG_A, 1, "A", "1"), 1);
  apply_page (f, "[{\"seq\": 2, \"type\": \"organisation\", \"id\": \"" ORG_A "\", \"version\": 2, "
                 "\"deleted\": true, \"record\": null}]", 2);
  record = get (f, CDM_ENTITY_ORGANISATION, ORG_A);
  g_assert_true (json_object_get_boolean_member (record, "deleted"));
  g_assert_cmpint (cdm_store_count (f->store, CDM_ENTITY_ORGANISATION, NULL), ==, 0);

  /* An older live version arriving late, or even a newer one, does not
   * bring it back. */
  apply_one (f, partner_change (ORG_A, 1, "A", "1"), 3);
  apply_one (f, partner_change (ORG_A, 5, "A5", "5"), 4);
  g_clear_pointer (&record, json_object_unref);
  record = get (f, CDM_ENTITY_ORGANISATION, ORG_A);
  g_assert_true (json_object_get_boolean_member (record, "deleted"));
  g_assert_cmpint (cdm_store_count (f->store, CDM_ENTITY_ORGANISATION, NULL), ==, 0);

  /* A tombstone of a record never seen is nothing. */
  apply_page (f, "[{\"seq\": 5, \"type\": \"organisation\", \"id\": \"" ORG_B "\", \"version\": 4, "
                 "\"deleted\": true, \"record\": null}]", 5);
  g_assert_null (cdm_store_get (f->store, CDM_ENTITY_ORGANISATION, ORG_B, TRUE, NULL));
}

/* Waiting local changes are rebased on the server's newer version:
 * disjoint fields both survive, and the entry now says so. */
static void
test_rebase (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonArray) outbox = NULL;
  JsonObject *entry;

  apply_one (f, partner_change (ORG_A, 1, "Maison", "02 111"), 1);
  edit_partner (f, "fr", "Maison de l'emploi");
  g_assert_cmpint (cdm_store_outbox_count (f->store, NULL), ==, 1);

  /* Another desk changed the phone meanwhile. */
  apply_one (f, partner_change (ORG_A, 2, "Maison", "02 999"), 2);

  record = get (f, CDM_ENTITY_ORGANISATION, ORG_A);
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 2);
  g_assert_cmpstr (name_fr (record), ==, "Maison de l'emploi");
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "02 999");

  outbox = cdm_sync_store_take_outbox (f->store, 10, NULL);
  g_assert_cmpuint (json_array_get_length (outbox), ==, 1);
  entry = json_array_get_object_element (outbox, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "base_version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (entry, "op"), ==, "update");
  g_assert_true (json_object_has_member (json_object_get_object_member (entry, "fields"), "name"));
  g_assert_false (json_object_has_member (json_object_get_object_member (entry, "fields"), "phone"));
}

/* The same field changed here and on the server: the desk shows what the
 * server will keep (first writer wins) and the entry keeps its base, so
 * that the server sees the collision and records it. */
static void
test_rebase_collision (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonArray) outbox = NULL;

  apply_one (f, partner_change (ORG_A, 1, "Maison", "02 111"), 1);
  edit_partner (f, "phone", "02 333");
  apply_one (f, partner_change (ORG_A, 2, "Maison", "02 999"), 2);

  record = get (f, CDM_ENTITY_ORGANISATION, ORG_A);
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, "02 999");

  outbox = cdm_sync_store_take_outbox (f->store, 10, NULL);
  g_assert_cmpuint (json_array_get_length (outbox), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (outbox, 0), "base_version"), ==, 1);
}

/* A record deleted here and not yet pushed stays deleted when the
 * server sends a newer version. */
static void
test_local_delete_kept (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) error = NULL;

  apply_one (f, partner_change (ORG_A, 1, "Maison", "02 111"), 1);
  g_assert_true (cdm_store_delete (f->store, CDM_ENTITY_ORGANISATION, ORG_A, &error));
  g_assert_no_error (error);
  apply_one (f, partner_change (ORG_A, 2, "Maison", "02 999"), 2);

  record = get (f, CDM_ENTITY_ORGANISATION, ORG_A);
  g_assert_true (json_object_get_boolean_member (record, "deleted"));
  g_assert_cmpint (cdm_sync_store_count_pending (f->store, NULL), ==, 1);
}

static void
put_contact (Fixture    *f,
             const char *note,
             char      **out_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_strdup_printf ("{\"occurred_at\": \"2026-03-02T10:00:00+01:00\", \"site\": \"centre\", "
                                           "\"service\": \"individual_advice\", \"channel\": \"in_person\", "
                                           "\"note\": \"%s\"}", note);
  g_autoptr(JsonObject) record = parse_object (json);

  g_assert_true (cdm_store_put (f->store, CDM_ENTITY_CONTACT, record, out_id, NULL, &error));
  g_assert_no_error (error);
}

/* The push answer: acknowledged entries leave the outbox, a conflict
 * leaves a conflict row, a refused entry is parked with the server's
 * reason and is not sent again until resent; the rest goes on. */
static void
test_push_results (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonArray) entries = NULL;
  g_autoptr(JsonArray) results = NULL;
  g_autoptr(JsonArray) list = NULL;
  g_autoptr(JsonArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) answer = g_string_new ("[");
  const char *statuses[] = { "applied", "rejected", "conflict", "duplicate" };
  guint acknowledged = 0, parked = 0, n_conflicts = 0;
  g_autofree char *rejected_key = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *note = g_strdup_printf ("contact %u", i);
      put_contact (f, note, NULL);
    }

  entries = cdm_sync_store_take_outbox (f->store, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (entries), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *key = json_object_get_string_member (entry, "key");

      g_assert_cmpstr (json_object_get_string_member (entry, "type"), ==, "contact");
      g_assert_cmpstr (json_object_get_string_member (entry, "op"), ==, "create");
      g_string_append_printf (answer, "%s{\"key\": \"%s\", \"status\": \"%s\", \"version\": 1",
                              i ? ", " : "", key, statuses[i]);
      if (i == 1)
        {
          rejected_key = g_strdup (key);
          g_string_append (answer, ", \"error\": {\"code\": \"invalid_record\", "
                                   "\"message\": \"channel: “fax” is not a channel\", \"field\": \"channel\"}");
        }
      if (i == 2)
        g_string_append (answer, ", \"conflicts\": [{\"field\": \"note\", \"kept\": \"theirs\", \"other\": \"mine\"}]");
      g_string_append (answer, "}");
    }
  g_string_append (answer, "]");
  results = parse_array (answer->str);

  g_assert_true (cdm_sync_store_apply_results (f->store, entries, results, &acknowledged, &parked,
                                               &n_conflicts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (acknowledged, ==, 3);
  g_assert_cmpuint (parked, ==, 1);
  g_assert_cmpuint (n_conflicts, ==, 1);
  g_assert_cmpint (cdm_sync_store_count_pending (f->store, NULL), ==, 1);
  g_assert_cmpint (cdm_sync_store_count_parked (f->store, NULL), ==, 1);
  g_assert_cmpint (cdm_sync_store_count_conflicts (f->store, NULL), ==, 1);

  /* The parked entry is visible with its reason and is not taken again. */
  list = cdm_store_outbox_list (f->store, 10, NULL);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "state"), ==, "parked");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "reason"), ==,
                   "channel: “fax” is not a channel");
  g_clear_pointer (&entries, json_array_unref);
  entries = cdm_sync_store_take_outbox (f->store, 10, NULL);
  g_assert_cmpuint (json_array_get_length (entries), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "key"), !=,
                   rejected_key);

  conflicts = cdm_sync_store_list_conflicts (f->store, NULL);
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (conflicts, 0), "field"), ==, "note");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (conflicts, 0), "other"), ==, "mine");

  /* Resent, it is waiting again, first in line. */
  g_assert_true (cdm_sync_store_resend (f->store, rejected_key, &error));
  g_assert_no_error (error);
  g_clear_pointer (&entries, json_array_unref);
  entries = cdm_sync_store_take_outbox (f->store, 10, NULL);
  g_assert_cmpuint (json_array_get_length (entries), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (entries, 0), "key"), ==,
                   rejected_key);
  g_assert_false (cdm_sync_store_resend (f->store, rejected_key, &error));
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
}

/* A malformed push answer changes nothing. */
static void
test_push_bad_answer (Fixture       *f,
                      gconstpointer  data)
{
  static const char * const bad[] = {
    "[{\"key\": \"KEY\", \"status\": \"maybe\"}]",
    "[{\"key\": \"00000000-0000-4000-8000-000000000000\", \"status\": \"applied\"}]",
    "[{\"key\": \"KEY\", \"status\": \"conflict\", \"conflicts\": 3}]",
    "[\"KEY\"]",
  };
  g_autoptr(JsonArray) entries = NULL;

  put_contact (f, "one", NULL);
  entries = cdm_sync_store_take_outbox (f->store, 10, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *key = json_object_get_string_member (json_array_get_object_element (entries, 0), "key");
      g_autoptr(GString) text = g_string_new (bad[i]);
      g_autoptr(JsonArray) results = NULL;
      g_autoptr(GError) error = NULL;

      g_string_replace (text, "KEY", key, 0);
      results = parse_array (text->str);

      g_assert_false (cdm_sync_store_apply_results (f->store, entries, results, NULL, NULL, NULL, &error));
      g_assert_error (error, CDM_SYNC_STORE_ERROR, CDM_SYNC_STORE_ERROR_BAD_PAGE);
      g_assert_cmpint (cdm_sync_store_count_pending (f->store, NULL), ==, 1);
      g_assert_cmpint (cdm_sync_store_count_conflicts (f->store, NULL), ==, 0);
    }
}

/* The checksum is the server's formula: md5 of "id:version" joined by
 * ",", sorted by id, live records with a version only. */
static void
test_checksum (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *sum = NULL;
  g_autofree char *expected = NULL;
  gint64 count = -1;

  g_assert_true (cdm_sync_store_checksum (f->store, CDM_ENTITY_ORGANISATION, &count, &sum, NULL));
  g_assert_cmpint (count, ==, 0);
  g_assert_cmpstr (sum, ==, "d41d8cd98f00b204e9800998ecf8427e");  /* md5 ("") */
  g_clear_pointer (&sum, g_free);

  apply_one (f, partner_change (ORG_B, 4, "B", "2"), 1);
  apply_one (f, partner_change (ORG_A, 3, "A", "1"), 2);
  /* Neither a local record never synced nor a tombstone counts. */
  put_contact (f, "local", NULL);
  {
    g_autoptr(JsonObject) local = parse_object ("{\"name\": {\"fr\": \"Local\"}, \"circle\": \"other\", \"kind\": \"other\"}");
    g_assert_true (cdm_store_put (f->store, CDM_ENTITY_ORGANISATION, local, NULL, NULL, NULL));
  }

  g_assert_true (cdm_sync_store_checksum (f->store, CDM_ENTITY_ORGANISATION, &count, &sum, NULL));
  expected = g_compute_checksum_for_string (G_CHECKSUM_MD5, ORG_A ":3," ORG_B ":4", -1);
  g_assert_cmpint (count, ==, 2);
  g_assert_cmpstr (sum, ==, expected);
}

/* A snapshot page: a contact that refers to a partner the desk will never
 * receive (deleted on the server, so not in the snapshot) is still
 * written; the placeholder is a tombstone that counts nowhere. */
static void
test_snapshot_references (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(JsonArray) records = parse_array ("[{\"type\": \"contact\", \"id\": \"" CONTACT_A "\", \"version\": 2, "
                                              "\"deleted\": false, \"occurred_at\": \"2026-03-02T10:00:00+01:00\", "
                                              "\"site\": \"centre\", \"service\": \"individual_advice\", "
                                              "\"channel\": \"in_person\", \"referrals\": [\"" ORG_B "\"]}]");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) contact = NULL;
  g_autofree char *position = NULL;
  gint64 count;

  g_assert_true (cdm_sync_store_apply_records (f->store, CDM_ENTITY_CONTACT, records, seen,
                                               "{\"cursor\": 5, \"type\": \"contact\", \"after\": \"" CONTACT_A "\"}",
                                               &error));
  g_assert_no_error (error);
  g_assert_true (g_hash_table_contains (seen, CONTACT_A));
  position = cdm_sync_store_get_state (f->store, CDM_SYNC_KEY_BOOTSTRAP);
  g_assert_nonnull (strstr (position, CONTACT_A));

  contact = get (f, CDM_ENTITY_CONTACT, CONTACT_A);
  g_assert_cmpint (json_object_get_int_member (contact, "version"), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (contact, "referrals"), 0), ==, ORG_B);
  g_assert_cmpint (cdm_store_count (f->store, CDM_ENTITY_ORGANISATION, NULL), ==, 0);
  g_assert_true (cdm_sync_store_checksum (f->store, CDM_ENTITY_ORGANISATION, &count, NULL, NULL));
  g_assert_cmpint (count, ==, 0);

  /* If the partner comes after all, it replaces the placeholder. */
  apply_one (f, partner_change (ORG_B, 1, "Bruxelles Formation", "02 222"), 6);
  g_assert_cmpint (cdm_store_count (f->store, CDM_ENTITY_ORGANISATION, NULL), ==, 1);

  g_assert_true (cdm_sync_store_finish_bootstrap (f->store, 5, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_sync_store_get_cursor (f->store), ==, 5);
  g_assert_null (cdm_sync_store_get_state (f->store, CDM_SYNC_KEY_BOOTSTRAP));
}

/* After a full snapshot of a type, synced records the server no longer
 * has become tombstones; waiting local ones stay. */
static void
test_prune (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *local = NULL;

  apply_one (f, partner_change (ORG_A, 1, "A", "1"), 1);
  apply_one (f, partner_change (ORG_B, 1, "B", "2"), 2);
  {
    g_autoptr(JsonObject) record = parse_object ("{\"name\": {\"fr\": \"Local\"}, \"circle\": \"other\", \"kind\": \"other\"}");
    g_assert_true (cdm_store_put (f->store, CDM_ENTITY_ORGANISATION, record, &local, NULL, NULL));
  }
  g_hash_table_add (seen, g_strdup (ORG_A));

  g_assert_cmpint (cdm_sync_store_prune (f->store, CDM_ENTITY_ORGANISATION, seen, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (cdm_store_count (f->store, CDM_ENTITY_ORGANISATION, NULL), ==, 2);
  g_assert_null (cdm_store_get (f->store, CDM_ENTITY_ORGANISATION, ORG_B, FALSE, NULL));
}

/* The state keys. */
static void
test_state (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *value = NULL;

  g_assert_null (cdm_sync_store_get_state (f->store, CDM_SYNC_KEY_SERVER));
  g_assert_true (cdm_sync_store_set_state (f->store, CDM_SYNC_KEY_SERVER, "http://127.0.0.1:1", NULL));
  value = cdm_sync_store_get_state (f->store, CDM_SYNC_KEY_SERVER);
  g_assert_cmpstr (value, ==, "http://127.0.0.1:1");
  g_assert_true (cdm_sync_store_set_state (f->store, CDM_SYNC_KEY_SERVER, NULL, NULL));
  g_assert_null (cdm_sync_store_get_state (f->store, CDM_SYNC_KEY_SERVER));
}

/* A contact of a snapshot page; @i picks its day, channel, profile and
 * organisation, so that the figures have many keys. */
static char *
snapshot_contact (guint       i,
                  gint64      version,
                  const char *channel)
{
  static const char * const orgs[] = { ORG_A, ORG_B, NULL };
  const char *org = orgs[i % 3];
  g_autofree char *organisation = org != NULL ? g_strdup_printf (", \"organisation\": \"%s\"", org) : g_strdup ("");
  g_autofree char *remote = g_str_equal (channel, "email") ?
    g_strdup_printf (", \"received_at\": \"2026-03-%02uT08:00:00+01:00\", \"answered_at\": \"2026-03-%02uT10:00:00+01:00\"",
                     1 + i % 9, 1 + i % 9 + i % 4) : g_strdup ("");

  return g_strdup_printf ("{\"type\": \"contact\", \"id\": \"%08x-0000-4000-8000-000000000000\", "
                          "\"version\": %" G_GINT64_FORMAT ", \"deleted\": false, "
                          "\"occurred_at\": \"2026-03-%02uT10:00:00+01:00\", \"site\": \"centre\", "
                          "\"service\": \"individual_advice\", \"channel\": \"%s\", "
                          "\"profile\": {\"gender\": \"%s\", \"age_band\": \"25_29\"}%s%s}",
                          i, version, 10 + i % 9, channel, i % 2 ? "f" : "m", organisation, remote);
}

/* The figures tables and the triggers, as text, read on a connection of
 * their own (so only what was committed). */
static char *
figures (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->dir, "desk.sqlite", NULL);
  GString *text = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT 'stats', NULL, day, key, n FROM contact_stats "
                                       "UNION ALL SELECT 'org', organisation, day, key, n FROM contact_org_stats "
                                       "UNION ALL SELECT 'trigger', name, NULL, NULL, NULL FROM sqlite_master WHERE type = 'trigger' "
                                       "ORDER BY 1, 2, 3, 4", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (text, "%s %s %s %s %lld\n",
                            sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2), sqlite3_column_text (stmt, 3),
                            (long long) sqlite3_column_int64 (stmt, 4));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (text, FALSE);
}

static void
apply_snapshot (Fixture    *f,
                const char *records,
                gboolean    bootstrap)
{
  g_autoptr(JsonArray) array = parse_array (records);
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_sync_store_apply_records (f->store, CDM_ENTITY_CONTACT, array, NULL,
                                               bootstrap ? "{\"cursor\": 5, \"type\": \"contact\"}" : NULL,
                                               &error));
  g_assert_no_error (error);
}

/* A bootstrap writes its pages without the contacts' insert triggers and
 * counts each page's figures at once: the figures must be exactly those
 * the triggers give, for new contacts, contacts replaced or deleted by a
 * later page, and a page naming a contact twice; every trigger is back
 * after each page. */
static void
test_bootstrap_figures (Fixture       *f,
                        gconstpointer  data)
{
  static const char * const channels[] = { "in_person", "phone", "email" };
  Fixture other = { 0 };
  g_autoptr(GString) first = g_string_new ("[");
  g_autoptr(GString) second = g_string_new ("[");
  g_autofree char *triggers_before = figures (f);
  g_autofree char *bulk = NULL;
  g_autofree char *plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hits = NULL;

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *contact = snapshot_contact (i, 1, channels[i % 3]);
      g_string_append_printf (first, "%s%s", i > 0 ? ", " : "", contact);
    }
  g_string_append (first, "]");
  /* Replaced (another channel), deleted, new, and one named twice. */
  for (guint i = 50; i < 70; i++)
    {
      g_autofree char *contact = snapshot_contact (i, 2, channels[(i + 1) % 3]);
      if (i == 55)
        {
          g_free (contact);
          contact = g_strdup_printf ("{\"type\": \"contact\", \"id\": \"%08x-0000-4000-8000-000000000000\", "
                                     "\"version\": 2, \"deleted\": true}", i);
        }
      g_string_append_printf (second, "%s%s", i > 50 ? ", " : "", contact);
    }
  {
    g_autofree char *again = snapshot_contact (68, 3, "phone");
    g_string_append_printf (second, ", %s]", again);
  }

  apply_snapshot (f, first->str, TRUE);
  apply_snapshot (f, second->str, TRUE);
  bulk = figures (f);

  setup (&other, NULL);
  {
    Fixture *g = &other;
    apply_snapshot (g, first->str, FALSE);
    apply_snapshot (g, second->str, FALSE);
    plain = figures (g);
  }
  teardown (&other, NULL);

  g_assert_nonnull (strstr (bulk, "stats (null) 2026-03-10 channel:individual_advice:in_person"));
  g_assert_nonnull (strstr (bulk, "org " ORG_A));
  g_assert_nonnull (strstr (bulk, "remote:"));
  g_assert_cmpstr (bulk, ==, plain);
  /* The triggers come last ("trigger" sorts after "org" and "stats"). */
  g_assert_true (g_str_has_prefix (triggers_before, "trigger "));
  g_assert_cmpstr (strstr (bulk, "\ntrigger ") + 1, ==, triggers_before);
  g_assert_cmpint (cdm_store_count (f->store, CDM_ENTITY_CONTACT, NULL), ==, 69);

  /* The full-text index, left to the end of the bootstrap, is whole then. */
  {
    g_autoptr(JsonArray) partners = parse_array ("[{\"type\": \"organisation\", \"id\": \"" ORG_B "\", "
                                                 "\"version\": 1, \"name\": {\"fr\": \"Bruxelles Formation\"}, "
                                                 "\"circle\": \"first\", \"kind\": \"training\"}]");
    g_assert_true (cdm_sync_store_apply_records (f->store, CDM_ENTITY_ORGANISATION, partners, NULL,
                                                 "{\"cursor\": 5, \"type\": \"organisation\"}", &error));
    g_assert_no_error (error);
  }
  g_assert_true (cdm_sync_store_finish_bootstrap (f->store, 5, &error));
  g_assert_no_error (error);
  hits = cdm_search (f->store, CDM_ENTITY_ORGANISATION, "formation", 10, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hits);
  g_assert_cmpuint (hits->len, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/store-sync/apply-page", test_apply_page);
  ADD ("/store-sync/bad-page", test_bad_page);
  ADD ("/store-sync/tombstone", test_tombstone);
  ADD ("/store-sync/rebase", test_rebase);
  ADD ("/store-sync/rebase-collision", test_rebase_collision);
  ADD ("/store-sync/local-delete-kept", test_local_delete_kept);
  ADD ("/store-sync/push-results", test_push_results);
  ADD ("/store-sync/push-bad-answer", test_push_bad_answer);
  ADD ("/store-sync/checksum", test_checksum);
  ADD ("/store-sync/snapshot-references", test_snapshot_references);
  ADD ("/store-sync/prune", test_prune);
  ADD ("/store-sync/state", test_state);
  ADD ("/store-sync/bootstrap-figures", test_bootstrap_figures);
#undef ADD

  return g_test_run ();
}
