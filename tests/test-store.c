/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The local store: open, migrations, every entity, tombstones, the outbox. */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "cdm-store.h"
#include "cdm-test-util.h"

typedef struct {
  char *dir;
  char *path;
  CdmStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("cdm-test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fx->path = g_build_filename (fx->dir, "desk.sqlite", NULL);
  fx->store = cdm_store_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->store);
  cdm_store_set_identity (fx->store, "counsellor1", "actiris", "desk-3");
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->store);
  cdm_test_remove_tree (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
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
  CdmPutResult result;

  g_assert_true (cdm_store_put (store, entity, record, &id, &result, &error));
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static gint64
outbox_count (CdmStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 n = cdm_store_outbox_count (store, &error);

  g_assert_no_error (error);
  return n;
}

#define ORG_JSON \
  "{\"type\":\"organisation\",\"name\":{\"fr\":\"Bruxelles Formation\",\"nl\":\"Bruxelles Formation\"}," \
  "\"acronym\":\"BF\",\"circle\":\"first\",\"kind\":\"training\",\"themes\":[\"work\",\"learn\",\"learn\"]," \
  "\"languages\":[\"fr\",\"nl\"],\"desk_days\":[\"tue\",\"mon\"]," \
  "\"people\":[{\"name\":\"Nadia Peeters\",\"role\":\"conseillère\"}]}"

static void
test_open_creates_schema (Fixture       *fx,
                          gconstpointer  data)
{
  g_autofree char *store_id = cdm_store_get_setting (fx->store, "store_id");

  g_assert_cmpint (cdm_store_get_schema_version (fx->store), ==, CDM_STORE_SCHEMA_VERSION);
  g_assert_true (g_file_test (fx->path, G_FILE_TEST_EXISTS));
  g_assert_nonnull (store_id);
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_CONTACT, NULL), ==, 0);

  /* Reopening changes nothing. */
  g_clear_object (&fx->store);
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *again = NULL;
    fx->store = cdm_store_open (fx->path, &error);
    g_assert_no_error (error);
    again = cdm_store_get_setting (fx->store, "store_id");
    g_assert_cmpstr (again, ==, store_id);
  }
}

static void
test_refuses_newer_schema (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) again = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize len;
  sqlite3 *db;

  g_free (put_json (fx->store, CDM_ENTITY_ORGANISATION, ORG_JSON));
  g_clear_object (&fx->store);

  /* A future Desk wrote this store. */
  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (g_file_get_contents (fx->path, &before, &len, NULL));

  again = cdm_store_open (fx->path, &error);
  g_assert_null (again);
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "newer version of Desk"));

  /* And left it as it was. */
  g_assert_true (g_file_get_contents (fx->path, &after, NULL, NULL));
  g_assert_cmpmem (before, len, after, len);
}

static void
test_refuses_foreign_file (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autofree char *path = g_build_filename (fx->dir, "notes.txt", NULL);
  g_autofree char *after = NULL;
  const char *text = "This is a shopping list, not a store.\n"
                     "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\n";

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  store = cdm_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_A_STORE);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, text);
}

static void
test_migration_is_one_transaction (Fixture       *fx,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autofree char *path = g_build_filename (fx->dir, "half.sqlite", NULL);
  sqlite3 *db;
  int version = -1;
  sqlite3_stmt *stmt;

  /* A file that already has a table migration 1 wants to create: the
   * migration fails half way and must leave the file at version 0. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE contacts (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = cdm_store_open (path, &error);
  g_assert_null (store);
  g_assert_nonnull (error);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_master WHERE name = 'organisations'",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (version, ==, 0);
}

static void
test_pragmas (Fixture       *fx,
              gconstpointer  data)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_organisation_round_trip (Fixture       *fx,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = put_json (fx->store, CDM_ENTITY_ORGANISATION, ORG_JSON);
  g_autoptr(JsonObject) got = cdm_store_get (fx->store, CDM_ENTITY_ORGANISATION, id, FALSE, &error);
  JsonArray *themes, *days, *people;

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (got, "type"), ==, "organisation");
  g_assert_cmpstr (json_object_get_string_member (got, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (got, "name"), "fr"),
                   ==, "Bruxelles Formation");
  g_assert_true (json_object_get_null_member (json_object_get_object_member (got, "name"), "en"));
  /* Sets come back once each, in vocabulary order. */
  themes = json_object_get_array_member (got, "themes");
  g_assert_cmpint (json_array_get_length (themes), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (themes, 0), ==, "learn");
  g_assert_cmpstr (json_array_get_string_element (themes, 1), ==, "work");
  days = json_object_get_array_member (got, "desk_days");
  g_assert_cmpstr (json_array_get_string_element (days, 0), ==, "mon");
  people = json_object_get_array_member (got, "people");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (people, 0), "name"),
                   ==, "Nadia Peeters");
  g_assert_true (json_object_get_boolean_member (got, "active"));
  g_assert_cmpint (json_object_get_int_member (got, "version"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (got, "updated_by"), ==, "counsellor1");
  g_assert_false (json_object_get_boolean_member (got, "deleted"));
}

static void
test_every_entity (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org = put_json (fx->store, CDM_ENTITY_ORGANISATION, ORG_JSON);
  g_autofree char *res = put_json (fx->store, CDM_ENTITY_RESOURCE,
                                   "{\"kind\":\"book\",\"title\":\"Le guide des métiers\",\"authors\":[\"A. Dupont\"],"
                                   "\"year\":2019,\"language\":\"fr\",\"themes\":[\"choose\"],\"copies\":2,\"tags\":[\"orientation\"]}");
  g_autofree char *json = g_strdup_printf ("{\"title\":{\"fr\":\"CV, mode d'emploi\"},\"starts_at\":\"2020-08-03T10:00:00+02:00\","
                                           "\"duration_min\":120,\"mode\":\"online\",\"platform\":\"Whereby\","
                                           "\"organisers\":[\"%s\"],\"programmes\":[\"neet\"],\"status\":\"held\"}", org);
  g_autofree char *act = put_json (fx->store, CDM_ENTITY_ACTIVITY, json);
  g_autofree char *att_json = g_strdup_printf ("{\"activity\":\"%s\",\"count\":12,\"recorded_at\":\"2020-08-03T12:05:00+02:00\"}", act);
  g_autofree char *att = put_json (fx->store, CDM_ENTITY_ATTENDANCE, att_json);
  g_autofree char *contact_json = g_strdup_printf (
      "{\"occurred_at\":\"2020-03-02T09:15:00+01:00\",\"site\":\"centre\",\"service\":\"individual_advice\","
      "\"channel\":\"in_person\",\"themes\":[\"work\"],\"programmes\":[\"neet\",\"formtruck\"],"
      "\"profile\":{\"gender\":\"f\",\"age_band\":\"18_24\",\"first_visit\":true},"
      "\"referrals\":[\"%s\"],\"resources\":[\"%s\"],\"duration_min\":20,\"note\":\"CV\"}", org, res);
  g_autofree char *contact = put_json (fx->store, CDM_ENTITY_CONTACT, contact_json);
  g_autofree char *tally = put_json (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY,
                                     "{\"day\":\"2020-02-03\",\"kind\":\"printing\",\"count\":3}");
  g_autofree char *closure = put_json (fx->store, CDM_ENTITY_CLOSURE,
                                       "{\"from\":\"2020-03-16\",\"to\":\"2020-06-28\",\"scope\":\"all\",\"reason\":\"Covid-19\"}");
  g_autofree char *sat = put_json (fx->store, CDM_ENTITY_SATISFACTION,
                                   "{\"answered_on\":\"2020-02-03\",\"score\":9,\"recommend\":true,\"found\":true,"
                                   "\"frequency\":\"first_visit\",\"profile\":{\"region\":\"brussels\"}}");
  g_autofree char *user_json = g_strdup_printf ("{\"login\":\"nadia\",\"organisation\":\"%s\",\"role\":\"counsellor\"}", org);
  g_autofree char *user = put_json (fx->store, CDM_ENTITY_USER, user_json);
  g_autofree char *desk = put_json (fx->store, CDM_ENTITY_DESK, "{\"name\":\"Desk 3\",\"site\":\"centre\"}");
  g_autoptr(JsonObject) got = NULL;
  JsonObject *profile;

  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    g_assert_cmpint (cdm_store_count (fx->store, e, NULL), ==, 1);
  g_assert_cmpint (outbox_count (fx->store), ==, CDM_N_ENTITIES);

  got = cdm_store_get (fx->store, CDM_ENTITY_CONTACT, contact, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (got, "referrals"), 0), ==, org);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (got, "resources"), 0), ==, res);
  profile = json_object_get_object_member (got, "profile");
  g_assert_cmpstr (json_object_get_string_member (profile, "gender"), ==, "f");
  g_assert_true (json_object_get_boolean_member (profile, "first_visit"));
  g_assert_true (json_object_get_null_member (profile, "region"));
  /* The desk, user and organisation come from the store's identity. */
  g_assert_cmpstr (json_object_get_string_member (got, "desk"), ==, "desk-3");
  g_assert_cmpstr (json_object_get_string_member (got, "user"), ==, "counsellor1");
  g_assert_cmpstr (json_object_get_string_member (got, "organisation"), ==, "actiris");
  g_clear_pointer (&got, json_object_unref);

  got = cdm_store_get (fx->store, CDM_ENTITY_ACTIVITY, act, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (got, "organisers"), 0), ==, org);
  g_assert_cmpstr (json_object_get_string_member (got, "starts_at"), ==, "2020-08-03T10:00:00+02:00");
}

static void
test_update_queues_changed_fields (Fixture       *fx,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = put_json (fx->store, CDM_ENTITY_ORGANISATION, ORG_JSON);
  g_autoptr(JsonObject) record = cdm_store_get (fx->store, CDM_ENTITY_ORGANISATION, id, FALSE, &error);
  g_autoptr(JsonArray) outbox = NULL;
  JsonObject *entry, *fields, *old;
  CdmPutResult result;

  json_object_set_string_member (record, "phone", "+32 2 555 00 00");
  g_assert_true (cdm_store_put (fx->store, CDM_ENTITY_ORGANISATION, record, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, CDM_PUT_UPDATED);

  outbox = cdm_store_outbox_list (fx->store, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_array_get_length (outbox), ==, 2);
  entry = json_array_get_object_element (outbox, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "op"), ==, "create");
  entry = json_array_get_object_element (outbox, 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "op"), ==, "update");
  g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, id);
  g_assert_cmpint (json_object_get_int_member (entry, "base_version"), ==, 0);
  fields = json_object_get_object_member (entry, "fields");
  old = json_object_get_object_member (entry, "old");
  g_assert_cmpint (json_object_get_size (fields), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (fields, "phone"), ==, "+32 2 555 00 00");
  g_assert_true (json_object_get_null_member (old, "phone"));
  g_assert_nonnull (json_object_get_string_member (entry, "key"));

  /* The same record again writes nothing and queues nothing. */
  g_assert_true (cdm_store_put (fx->store, CDM_ENTITY_ORGANISATION, record, NULL, &result, &error));
  g_assert_cmpint (result, ==, CDM_PUT_UNCHANGED);
  g_assert_cmpint (outbox_count (fx->store), ==, 2);
}

static void
test_tombstones (Fixture       *fx,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = put_json (fx->store, CDM_ENTITY_ORGANISATION, ORG_JSON);
  g_autoptr(JsonObject) gone = NULL;
  g_autoptr(JsonObject) tomb = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonArray) outbox = NULL;
  g_autofree char *contact_json = NULL;

  g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_ORGANISATION, id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_ORGANISATION, NULL), ==, 0);

  gone = cdm_store_get (fx->store, CDM_ENTITY_ORGANISATION, id, FALSE, &error);
  g_assert_null (gone);
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The row stays, as a tombstone that sync will carry. */
  tomb = cdm_store_get (fx->store, CDM_ENTITY_ORGANISATION, id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (tomb, "deleted"));
  outbox = cdm_store_outbox_list (fx->store, 10, &error);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (outbox, 1), "op"), ==, "delete");

  /* Deleting twice is harmless; writing it again is refused. */
  g_assert_true (cdm_store_delete (fx->store, CDM_ENTITY_ORGANISATION, id, &error));
  g_assert_cmpint (outbox_count (fx->store), ==, 2);
  json_object_set_string_member (tomb, "phone", "1");
  json_object_remove_member (tomb, "deleted");
  g_assert_false (cdm_store_put (fx->store, CDM_ENTITY_ORGANISATION, tomb, NULL, NULL, &error));
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_DELETED);
  g_clear_error (&error);

  /* A contact logged offline may still refer to a partner deleted
   * elsewhere: the tombstone is a known record. */
  contact_json = g_strdup_printf ("{\"occurred_at\":\"2020-03-02T09:15:00+01:00\",\"site\":\"centre\","
                                  "\"service\":\"individual_advice\",\"channel\":\"email\",\"referrals\":[\"%s\"]}", id);
  {
    g_autoptr(JsonObject) contact = parse_object (contact_json);
    g_assert_true (cdm_store_put (fx->store, CDM_ENTITY_CONTACT, contact, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_CONTACT, NULL), ==, 1);
  }

  /* Undo puts it back while the delete has not been sent. */
  g_assert_true (cdm_store_undelete (fx->store, CDM_ENTITY_ORGANISATION, id, &error));
  g_assert_no_error (error);
  again = cdm_store_get (fx->store, CDM_ENTITY_ORGANISATION, id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (json_object_get_boolean_member (again, "deleted"));
  g_assert_cmpint (outbox_count (fx->store), ==, 2);
}

static void
test_put_tombstone (Fixture       *fx,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = parse_object (ORG_JSON);
  g_autoptr(JsonObject) got = NULL;
  g_autofree char *id = NULL;
  CdmPutResult result;

  /* A tombstone arriving for a record the store never had. */
  json_object_set_string_member (record, "id", "7b0e4c1a-2f7e-4d49-9a51-0c3f1d2e5a66");
  json_object_set_boolean_member (record, "deleted", TRUE);
  g_assert_true (cdm_store_put (fx->store, CDM_ENTITY_ORGANISATION, record, &id, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, CDM_PUT_CREATED);
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_ORGANISATION, NULL), ==, 0);
  got = cdm_store_get (fx->store, CDM_ENTITY_ORGANISATION, id, TRUE, &error);
  g_assert_true (json_object_get_boolean_member (got, "deleted"));

  /* Again: nothing to do. */
  g_assert_true (cdm_store_put (fx->store, CDM_ENTITY_ORGANISATION, record, NULL, &result, &error));
  g_assert_cmpint (result, ==, CDM_PUT_UNCHANGED);

  /* A live record written with "deleted": true becomes a tombstone. */
  g_clear_pointer (&id, g_free);
  id = put_json (fx->store, CDM_ENTITY_RESOURCE, "{\"kind\":\"book\",\"title\":\"Werken in de bouw\"}");
  g_clear_pointer (&record, json_object_unref);
  record = cdm_store_get (fx->store, CDM_ENTITY_RESOURCE, id, FALSE, &error);
  json_object_set_boolean_member (record, "deleted", TRUE);
  g_assert_true (cdm_store_put (fx->store, CDM_ENTITY_RESOURCE, record, NULL, &result, &error));
  g_assert_cmpint (result, ==, CDM_PUT_UPDATED);
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_RESOURCE, NULL), ==, 0);

  /* "deleted" must be a boolean. */
  json_object_set_string_member (record, "deleted", "yes");
  g_assert_false (cdm_store_put (fx->store, CDM_ENTITY_RESOURCE, record, NULL, NULL, &error));
  g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_WRONG_TYPE);
}

static void
test_append_only (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = put_json (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY,
                                  "{\"day\":\"2020-02-03\",\"kind\":\"printing\",\"count\":3}");
  g_autoptr(JsonObject) tally = cdm_store_get (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, id, FALSE, &error);
  g_autoptr(JsonObject) after = NULL;

  json_object_set_int_member (tally, "count", 30);
  g_assert_false (cdm_store_put (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, tally, NULL, NULL, &error));
  g_assert_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_APPEND_ONLY);
  g_clear_error (&error);
  after = cdm_store_get (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, id, FALSE, &error);
  g_assert_cmpint (json_object_get_int_member (after, "count"), ==, 3);
  g_assert_cmpint (outbox_count (fx->store), ==, 1);
}

/* Bad records: each is refused with its own error and nothing changes. */
static const struct {
  CdmEntity entity;
  const char *json;
  GQuark domain;
  int code;
  const char *message_part;
} bad_records[] = {
  { CDM_ENTITY_CONTACT, "{\"occurred_at\":\"2020-03-02T09:15:00+01:00\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"fax\"}",
    0, CDM_RECORD_ERROR_UNKNOWN_CODE, "channel: unknown code “fax”" },
  { CDM_ENTITY_CONTACT, "{\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\"}",
    0, CDM_RECORD_ERROR_MISSING_FIELD, "occurred_at" },
  { CDM_ENTITY_CONTACT, "{\"occurred_at\":\"2020-03-02T09:15:00\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\"}",
    0, CDM_RECORD_ERROR_BAD_VALUE, "UTC offset" },
  { CDM_ENTITY_CONTACT, "{\"occurred_at\":\"2020-03-02T09:15:00Z\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\",\"themes\":\"work\"}",
    0, CDM_RECORD_ERROR_WRONG_TYPE, "themes: expected an array" },
  { CDM_ENTITY_CONTACT, "{\"occurred_at\":\"2020-03-02T09:15:00Z\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\",\"profile\":{\"shoe_size\":44}}",
    0, CDM_RECORD_ERROR_UNKNOWN_FIELD, "shoe_size" },
  { CDM_ENTITY_CONTACT, "{\"occurred_at\":\"2020-03-02T09:15:00Z\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\",\"name\":\"Jan\"}",
    0, CDM_RECORD_ERROR_UNKNOWN_FIELD, "name" },
  { CDM_ENTITY_CONTACT, "{\"occurred_at\":\"2020-03-02T09:15:00Z\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\",\"received_at\":\"2020-03-02T09:00:00Z\",\"answered_at\":\"2020-03-01T09:00:00Z\"}",
    0, CDM_RECORD_ERROR_BAD_VALUE, "answered before" },
  { CDM_ENTITY_CONTACT, "{\"occurred_at\":\"2020-03-02T09:15:00Z\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\",\"referrals\":[\"00000000-0000-4000-8000-000000000000\"]}",
    1, CDM_STORE_ERROR_UNKNOWN_REFERENCE, "no organisation" },
  { CDM_ENTITY_CONTACT, "{\"occurred_at\":\"2020-03-02T09:15:00Z\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\",\"duration_min\":-5}",
    0, CDM_RECORD_ERROR_OUT_OF_RANGE, "duration_min" },
  { CDM_ENTITY_CONTACT, "{\"type\":\"resource\",\"occurred_at\":\"2020-03-02T09:15:00Z\"}",
    0, CDM_RECORD_ERROR_UNKNOWN_TYPE, "type" },
  { CDM_ENTITY_CONTACT, "{\"id\":\"Robert'); DROP TABLE contacts;--\",\"occurred_at\":\"2020-03-02T09:15:00Z\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\"}",
    0, CDM_RECORD_ERROR_BAD_VALUE, "not an id" },
  { CDM_ENTITY_CLOSURE, "{\"from\":\"2020-06-01\",\"to\":\"2020-05-01\",\"scope\":\"all\"}",
    0, CDM_RECORD_ERROR_BAD_VALUE, "end before" },
  { CDM_ENTITY_CLOSURE, "{\"from\":\"2020-02-30\",\"to\":\"2020-05-01\",\"scope\":\"all\"}",
    0, CDM_RECORD_ERROR_BAD_VALUE, "not a date" },
  { CDM_ENTITY_SATISFACTION, "{\"answered_on\":\"2020-02-03\",\"score\":11}",
    0, CDM_RECORD_ERROR_OUT_OF_RANGE, "score" },
  { CDM_ENTITY_SATISFACTION, "{\"answered_on\":\"2020-02-03\",\"score\":7.5}",
    0, CDM_RECORD_ERROR_WRONG_TYPE, "score" },
  { CDM_ENTITY_ORGANISATION, "{\"name\":{},\"circle\":\"first\",\"kind\":\"training\"}",
    0, CDM_RECORD_ERROR_MISSING_FIELD, "name" },
  { CDM_ENTITY_ORGANISATION, "{\"name\":{\"de\":\"Berufspunkt\"},\"circle\":\"first\",\"kind\":\"training\"}",
    0, CDM_RECORD_ERROR_UNKNOWN_FIELD, "de" },
  { CDM_ENTITY_ORGANISATION, "{\"name\":{\"fr\":\"X\"},\"circle\":\"first\",\"kind\":\"training\",\"languages\":[\"french\"]}",
    0, CDM_RECORD_ERROR_UNKNOWN_CODE, "ISO 639-1" },
  { CDM_ENTITY_ORGANISATION, "{\"name\":{\"fr\":\"X\"},\"circle\":\"first\",\"kind\":\"training\",\"people\":[{\"role\":\"boss\"}]}",
    0, CDM_RECORD_ERROR_MISSING_FIELD, "people[0].name" },
  { CDM_ENTITY_ATTENDANCE, "{\"activity\":\"00000000-0000-4000-8000-000000000000\",\"count\":3,\"recorded_at\":\"2020-03-02T09:15:00Z\"}",
    1, CDM_STORE_ERROR_UNKNOWN_REFERENCE, "no activity" },
};

static void
test_bad_records (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *org = put_json (fx->store, CDM_ENTITY_ORGANISATION, ORG_JSON);
  gint64 outbox_before = outbox_count (fx->store);

  for (guint i = 0; i < G_N_ELEMENTS (bad_records); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) record = parse_object (bad_records[i].json);
      GQuark domain = bad_records[i].domain ? CDM_STORE_ERROR : CDM_RECORD_ERROR;

      g_test_message ("bad record %u: %s", i, bad_records[i].json);
      g_assert_false (cdm_store_put (fx->store, bad_records[i].entity, record, NULL, NULL, &error));
      g_assert_error (error, domain, bad_records[i].code);
      if (strstr (error->message, bad_records[i].message_part) == NULL)
        g_error ("message “%s” lacks “%s”", error->message, bad_records[i].message_part);
    }

  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    g_assert_cmpint (cdm_store_count (fx->store, e, NULL), ==, e == CDM_ENTITY_ORGANISATION ? 1 : 0);
  g_assert_cmpint (outbox_count (fx->store), ==, outbox_before);
}

static void
test_transaction_rollback (Fixture       *fx,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) bad = parse_object ("{\"day\":\"2020-02-03\",\"kind\":\"faxing\",\"count\":3}");

  g_assert_true (cdm_store_begin (fx->store, TRUE, &error));
  g_free (put_json (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, "{\"day\":\"2020-02-03\",\"kind\":\"printing\",\"count\":3}"));
  g_free (put_json (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, "{\"day\":\"2020-02-04\",\"kind\":\"printing\",\"count\":3}"));
  g_assert_false (cdm_store_put (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, bad, NULL, NULL, &error));
  g_clear_error (&error);
  cdm_store_rollback (fx->store);

  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, NULL), ==, 0);
  g_assert_cmpint (outbox_count (fx->store), ==, 0);

  g_assert_true (cdm_store_begin (fx->store, FALSE, &error));
  g_free (put_json (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, "{\"day\":\"2020-02-03\",\"kind\":\"printing\",\"count\":3}"));
  g_assert_true (cdm_store_commit (fx->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, NULL), ==, 1);
}

static void
test_local_day (Fixture       *fx,
                gconstpointer  data)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) days = g_ptr_array_new_with_free_func (g_free);

  /* DESIGN.md section 4: both of these belong to 2021 in Brussels. */
  g_free (put_json (fx->store, CDM_ENTITY_CONTACT,
                    "{\"occurred_at\":\"2021-01-01T00:30:00+01:00\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\"}"));
  g_free (put_json (fx->store, CDM_ENTITY_CONTACT,
                    "{\"occurred_at\":\"2020-12-31T23:30:00Z\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\"}"));
  g_free (put_json (fx->store, CDM_ENTITY_CONTACT,
                    "{\"occurred_at\":\"2020-07-01T23:30:00+02:00\",\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\"}"));

  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT day FROM contacts ORDER BY rowid", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (days, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  g_assert_cmpuint (days->len, ==, 3);
  g_assert_cmpstr (days->pdata[0], ==, "2021-01-01");
  g_assert_cmpstr (days->pdata[1], ==, "2021-01-01");
  g_assert_cmpstr (days->pdata[2], ==, "2020-07-01");
}

static void
on_put_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = cdm_store_put_finish (CDM_STORE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_put_async (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(JsonObject) record = parse_object ("{\"day\":\"2020-02-03\",\"kind\":\"printing\",\"count\":3}");
  g_autofree char *id = NULL;
  GThread *main_thread = g_thread_self ();

  cdm_store_put_async (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, record, NULL, on_put_done, &id);
  /* The caller may reuse its object at once. */
  json_object_set_int_member (record, "count", 99);
  while (id == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_thread_self () == main_thread);
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, NULL), ==, 1);
  {
    g_autoptr(JsonObject) got = cdm_store_get (fx->store, CDM_ENTITY_MULTIMEDIA_TALLY, id, FALSE, NULL);
    g_assert_cmpint (json_object_get_int_member (got, "count"), ==, 3);
  }
}

static void
test_queue_changes_off (Fixture       *fx,
                        gconstpointer  data)
{
  cdm_store_set_queue_changes (fx->store, FALSE);
  g_free (put_json (fx->store, CDM_ENTITY_ORGANISATION, ORG_JSON));
  cdm_store_set_queue_changes (fx->store, TRUE);
  g_assert_cmpint (outbox_count (fx->store), ==, 0);
  g_assert_cmpint (cdm_store_count (fx->store, CDM_ENTITY_ORGANISATION, NULL), ==, 1);
}

static void
test_integrity (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_free (put_json (fx->store, CDM_ENTITY_ORGANISATION, ORG_JSON));
  g_assert_true (cdm_store_check_integrity (fx->store, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/open/creates-schema", test_open_creates_schema);
  ADD ("/store/open/refuses-newer-schema", test_refuses_newer_schema);
  ADD ("/store/open/refuses-foreign-file", test_refuses_foreign_file);
  ADD ("/store/open/migration-is-one-transaction", test_migration_is_one_transaction);
  ADD ("/store/open/pragmas", test_pragmas);
  ADD ("/store/put/organisation-round-trip", test_organisation_round_trip);
  ADD ("/store/put/every-entity", test_every_entity);
  ADD ("/store/put/update-queues-changed-fields", test_update_queues_changed_fields);
  ADD ("/store/put/bad-records", test_bad_records);
  ADD ("/store/put/append-only", test_append_only);
  ADD ("/store/put/local-day", test_local_day);
  ADD ("/store/put/async", test_put_async);
  ADD ("/store/put/queue-changes-off", test_queue_changes_off);
  ADD ("/store/delete/tombstones", test_tombstones);
  ADD ("/store/delete/put-tombstone", test_put_tombstone);
  ADD ("/store/transaction/rollback", test_transaction_rollback);
  ADD ("/store/integrity", test_integrity);
#undef ADD

  return g_test_run ();
}
