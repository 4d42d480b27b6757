/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The field-level merge of a pushed change (cdm-merge.h): what two desks
 * editing the same partner end up with. */
#include "config.h"

#include "cdm-merge.h"
#include "cdm-schema.h"

#define ORG_ID "0b8e3f0a-5d6c-4b7e-9a1f-2c3d4e5f6a7b"

static JsonObject *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* A partner as the server holds it, at @version. */
static JsonObject *
partner (gint64 version)
{
  g_autoptr(JsonObject) raw = parse ("{\"id\": \"" ORG_ID "\", \"name\": {\"fr\": \"Maison de l'emploi\", "
                                     "\"nl\": \"Huis van het werk\", \"en\": null}, \"circle\": \"first\", "
                                     "\"kind\": \"public_employment\", \"phone\": \"02 111 11 11\", "
                                     "\"email\": \"info@example.org\", \"notes\": \"Mornings only\"}");
  g_autoptr(GError) error = NULL;
  JsonObject *record = cdm_record_normalize (CDM_ENTITY_ORGANISATION, raw, &error);

  g_assert_no_error (error);
  json_object_set_int_member (record, "version", version);
  json_object_set_boolean_member (record, "deleted", FALSE);
  return record;
}

static const char *
string_member (JsonObject *record,
               const char *name)
{
  JsonNode *node = json_object_get_member (record, name);
  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? json_node_get_string (node) : NULL;
}

static CdmMerge *
merge (CdmEntity   entity,
       JsonObject *current,
       CdmMergeOp  op,
       gint64      base,
       const char *fields,
       const char *old)
{
  g_autoptr(JsonObject) f = fields ? parse (fields) : NULL;
  g_autoptr(JsonObject) o = old ? parse (old) : NULL;
  g_autoptr(GError) error = NULL;
  CdmMerge *result = cdm_merge_entry (entity, current, op, base, f, o, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static gboolean
applied (CdmMerge   *m,
         const char *field)
{
  for (guint i = 0; i < m->applied->len; i++)
    if (g_str_equal (g_ptr_array_index (m->applied, i), field))
      return TRUE;
  return FALSE;
}

/* The merged record passes the same validation as anything written. */
static void
assert_valid (CdmEntity entity,
              CdmMerge *m)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) normal = cdm_record_normalize (entity, m->record, &error);

  g_assert_no_error (error);
}

/* Desk A changed the phone (server now at version 2); desk B, still on
 * version 1, changes the e-mail: both changes are kept. */
static void
test_disjoint (void)
{
  g_autoptr(JsonObject) current = partner (2);
  g_autoptr(CdmMerge) m = NULL;

  json_object_set_string_member (current, "phone", "02 222 22 22");
  m = merge (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_UPDATE, 1,
             "{\"email\": \"contact@example.org\"}", "{\"email\": \"info@example.org\"}");

  g_assert_cmpint (m->status, ==, CDM_MERGE_MERGED);
  g_assert_cmpstr (cdm_merge_status_to_string (m->status), ==, "merged");
  g_assert_true (m->changed);
  g_assert_cmpuint (m->conflicts->len, ==, 0);
  g_assert_cmpstr (string_member (m->record, "phone"), ==, "02 222 22 22");
  g_assert_cmpstr (string_member (m->record, "email"), ==, "contact@example.org");
  g_assert_cmpstr (string_member (m->record, "id"), ==, ORG_ID);
  g_assert_false (json_object_has_member (m->record, "version"));
  g_assert_true (applied (m, "email"));
  g_assert_false (applied (m, "phone"));
  assert_valid (CDM_ENTITY_ORGANISATION, m);
}

/* On the version it was based on, a change applies as sent. */
static void
test_at_base (void)
{
  g_autoptr(JsonObject) current = partner (3);
  g_autoptr(CdmMerge) m = merge (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_UPDATE, 3,
                                 "{\"phone\": \"02 333 33 33\", \"notes\": null}", NULL);

  g_assert_cmpint (m->status, ==, CDM_MERGE_APPLIED);
  g_assert_cmpstr (string_member (m->record, "phone"), ==, "02 333 33 33");
  g_assert_null (string_member (m->record, "notes"));
  g_assert_true (applied (m, "notes"));
}

/* Both desks changed the phone: the server's value (the first writer's)
 * stays, the other goes to a conflict; the entry's other field applies. */
static void
test_same_field (void)
{
  g_autoptr(JsonObject) current = partner (2);
  g_autoptr(CdmMerge) m = NULL;
  g_autoptr(JsonArray) conflicts = NULL;
  JsonObject *c;

  json_object_set_string_member (current, "phone", "02 222 22 22");
  m = merge (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_UPDATE, 1,
             "{\"phone\": \"02 999 99 99\", \"notes\": \"Afternoons too\"}",
             "{\"phone\": \"02 111 11 11\", \"notes\": \"Mornings only\"}");

  g_assert_cmpint (m->status, ==, CDM_MERGE_CONFLICT);
  g_assert_cmpstr (cdm_merge_status_to_string (m->status), ==, "conflict");
  g_assert_true (m->changed);
  g_assert_cmpstr (string_member (m->record, "phone"), ==, "02 222 22 22");
  g_assert_cmpstr (string_member (m->record, "notes"), ==, "Afternoons too");

  conflicts = cdm_merge_conflicts_to_json (m);
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  c = json_array_get_object_element (conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (c, "field"), ==, "phone");
  g_assert_cmpstr (json_object_get_string_member (c, "kept"), ==, "02 222 22 22");
  g_assert_cmpstr (json_object_get_string_member (c, "other"), ==, "02 999 99 99");
}

/* The same new value on both sides is agreement, not a collision. */
static void
test_same_value (void)
{
  g_autoptr(JsonObject) current = partner (2);
  g_autoptr(CdmMerge) m = NULL;

  json_object_set_string_member (current, "phone", "02 222 22 22");
  m = merge (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_UPDATE, 1,
             "{\"phone\": \"02 222 22 22\"}", "{\"phone\": \"02 111 11 11\"}");
  g_assert_cmpint (m->status, ==, CDM_MERGE_MERGED);
  g_assert_false (m->changed);
  g_assert_cmpuint (m->conflicts->len, ==, 0);
}

/* A field nobody else touched applies however old the base is; without
 * its old value nobody can tell, and a different value collides. */
static void
test_old_base (void)
{
  g_autoptr(JsonObject) current = partner (40);
  g_autoptr(CdmMerge) m = merge (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_UPDATE, 1,
                                 "{\"notes\": \"Closed in August\"}", "{\"notes\": \"Mornings only\"}");
  g_autoptr(CdmMerge) blind = merge (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_UPDATE, 1,
                                     "{\"notes\": \"Closed in August\"}", NULL);

  g_assert_cmpint (m->status, ==, CDM_MERGE_MERGED);
  g_assert_cmpstr (string_member (m->record, "notes"), ==, "Closed in August");

  g_assert_cmpint (blind->status, ==, CDM_MERGE_CONFLICT);
  g_assert_cmpstr (string_member (blind->record, "notes"), ==, "Mornings only");
}

/* Translations and profile items merge one by one. */
static void
test_nested (void)
{
  g_autoptr(JsonObject) current = partner (2);
  g_autoptr(CdmMerge) m = NULL;
  g_autoptr(CdmMerge) both = NULL;
  JsonObject *name;
  CdmMergeConflict *conflict;

  /* Others translated the name into English (version 2). */
  name = json_object_get_object_member (current, "name");
  json_object_set_string_member (name, "en", "Employment house");

  /* This desk, on version 1, corrected the Dutch name. */
  m = merge (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_UPDATE, 1,
             "{\"name\": {\"fr\": \"Maison de l'emploi\", \"nl\": \"Huis van Werk\", \"en\": null}}",
             "{\"name\": {\"fr\": \"Maison de l'emploi\", \"nl\": \"Huis van het werk\", \"en\": null}}");
  g_assert_cmpint (m->status, ==, CDM_MERGE_MERGED);
  name = json_object_get_object_member (m->record, "name");
  g_assert_cmpstr (json_object_get_string_member (name, "nl"), ==, "Huis van Werk");
  g_assert_cmpstr (json_object_get_string_member (name, "en"), ==, "Employment house");
  g_assert_cmpstr (json_object_get_string_member (name, "fr"), ==, "Maison de l'emploi");
  g_assert_true (applied (m, "name.nl"));
  assert_valid (CDM_ENTITY_ORGANISATION, m);

  /* This desk also translated into English, differently: "name.en" collides. */
  both = merge (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_UPDATE, 1,
                "{\"name\": {\"fr\": \"Maison de l'emploi\", \"nl\": \"Huis van het werk\", \"en\": \"House of work\"}}",
                "{\"name\": {\"fr\": \"Maison de l'emploi\", \"nl\": \"Huis van het werk\", \"en\": null}}");
  g_assert_cmpint (both->status, ==, CDM_MERGE_CONFLICT);
  g_assert_cmpuint (both->conflicts->len, ==, 1);
  conflict = g_ptr_array_index (both->conflicts, 0);
  g_assert_cmpstr (conflict->field, ==, "name.en");
  g_assert_cmpstr (json_node_get_string (conflict->kept), ==, "Employment house");
  g_assert_cmpstr (json_node_get_string (conflict->other), ==, "House of work");
  name = json_object_get_object_member (both->record, "name");
  g_assert_cmpstr (json_object_get_string_member (name, "en"), ==, "Employment house");
}

/* A satisfaction response's profile: the same rule, part by part; but a
 * response is counted and never updated. */
static void
test_profile_and_counted (void)
{
  g_autoptr(JsonObject) raw = parse ("{\"id\": \"3c1f1a6e-1f0e-4c38-9d63-0e8f3b9a2d11\", \"answered_on\": \"2020-03-02\", "
                                     "\"score\": 8, \"profile\": {\"gender\": \"f\"}}");
  g_autoptr(JsonObject) current = cdm_record_normalize (CDM_ENTITY_SATISFACTION, raw, NULL);
  g_autoptr(JsonObject) fields = parse ("{\"profile\": {\"gender\": \"m\"}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmMerge) update = NULL;
  g_autoptr(CdmMerge) again = NULL;
  g_autoptr(CdmMerge) gone = NULL;

  g_assert_nonnull (current);
  json_object_set_int_member (current, "version", 1);
  update = cdm_merge_entry (CDM_ENTITY_SATISFACTION, current, CDM_MERGE_OP_UPDATE, 1, fields, NULL, &error);
  g_assert_error (error, CDM_MERGE_ERROR, CDM_MERGE_ERROR_APPEND_ONLY);
  g_assert_null (update);

  /* The same response pushed twice counts once. */
  again = merge (CDM_ENTITY_SATISFACTION, current, CDM_MERGE_OP_CREATE, 0,
                 "{\"answered_on\": \"2020-03-02\", \"score\": 8}", NULL);
  g_assert_cmpint (again->status, ==, CDM_MERGE_DUPLICATE);
  g_assert_false (again->changed);

  gone = merge (CDM_ENTITY_SATISFACTION, current, CDM_MERGE_OP_DELETE, 1, NULL, NULL);
  g_assert_true (gone->deleted);
  g_assert_cmpint (gone->status, ==, CDM_MERGE_APPLIED);
}

/* Contacts' profiles merge part by part like names. */
static void
test_profile_parts (void)
{
  g_autoptr(JsonObject) raw = parse ("{\"id\": \"9a0e3c55-8b8f-4a40-9b44-7c0f3a1d2e33\", "
                                     "\"occurred_at\": \"2020-03-02T10:00:00+01:00\", \"site\": \"centre\", "
                                     "\"service\": \"individual_advice\", \"channel\": \"in_person\", "
                                     "\"profile\": {\"gender\": \"f\", \"age_band\": \"25_29\"}}");
  g_autoptr(JsonObject) current = cdm_record_normalize (CDM_ENTITY_CONTACT, raw, NULL);
  g_autoptr(CdmMerge) m = NULL;
  JsonObject *profile;

  g_assert_nonnull (current);
  json_object_set_int_member (current, "version", 2);
  /* Others set the region at version 2; this desk (version 1) fixes the age band. */
  json_object_set_string_member (json_object_get_object_member (current, "profile"), "region", "brussels");
  m = merge (CDM_ENTITY_CONTACT, current, CDM_MERGE_OP_UPDATE, 1,
             "{\"profile\": {\"gender\": \"f\", \"age_band\": \"30_49\", \"region\": null}}",
             "{\"profile\": {\"gender\": \"f\", \"age_band\": \"25_29\", \"region\": null}}");
  g_assert_cmpint (m->status, ==, CDM_MERGE_MERGED);
  profile = json_object_get_object_member (m->record, "profile");
  g_assert_cmpstr (json_object_get_string_member (profile, "age_band"), ==, "30_49");
  g_assert_cmpstr (json_object_get_string_member (profile, "region"), ==, "brussels");
  assert_valid (CDM_ENTITY_CONTACT, m);
}

/* Deletes win over updates, both ways; a tombstone never comes back. */
static void
test_delete (void)
{
  g_autoptr(JsonObject) current = partner (2);
  g_autoptr(JsonObject) tomb = partner (3);
  g_autoptr(CdmMerge) del = NULL;
  g_autoptr(CdmMerge) late = NULL;
  g_autoptr(CdmMerge) recreate = NULL;
  g_autoptr(CdmMerge) twice = NULL;
  g_autoptr(JsonObject) fields = parse ("{\"phone\": \"1\"}");
  g_autoptr(GError) error = NULL;
  CdmMergeConflict *conflict;
  CdmMerge *missing;

  /* Someone updated it (version 2); a delete based on version 1 still applies. */
  del = merge (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_DELETE, 1, NULL, NULL);
  g_assert_true (del->deleted);
  g_assert_true (del->changed);
  g_assert_cmpint (del->status, ==, CDM_MERGE_MERGED);
  g_assert_null (del->record);

  /* An update reaching the tombstone collides on "deleted"; nothing written. */
  json_object_set_boolean_member (tomb, "deleted", TRUE);
  late = merge (CDM_ENTITY_ORGANISATION, tomb, CDM_MERGE_OP_UPDATE, 2,
                "{\"phone\": \"02 555 55 55\"}", "{\"phone\": \"02 111 11 11\"}");
  g_assert_cmpint (late->status, ==, CDM_MERGE_CONFLICT);
  g_assert_false (late->changed);
  g_assert_false (late->deleted);
  conflict = g_ptr_array_index (late->conflicts, 0);
  g_assert_cmpstr (conflict->field, ==, "deleted");
  g_assert_true (json_node_get_boolean (conflict->kept));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (conflict->other), "phone"), ==,
                   "02 555 55 55");

  recreate = merge (CDM_ENTITY_ORGANISATION, tomb, CDM_MERGE_OP_CREATE, 0,
                    "{\"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\"}", NULL);
  g_assert_cmpint (recreate->status, ==, CDM_MERGE_CONFLICT);
  g_assert_false (recreate->changed);

  twice = merge (CDM_ENTITY_ORGANISATION, tomb, CDM_MERGE_OP_DELETE, 2, NULL, NULL);
  g_assert_cmpint (twice->status, ==, CDM_MERGE_DUPLICATE);
  g_assert_false (twice->changed);

  missing = cdm_merge_entry (CDM_ENTITY_ORGANISATION, NULL, CDM_MERGE_OP_UPDATE, 1, fields, NULL, &error);
  g_assert_null (missing);
  g_assert_error (error, CDM_MERGE_ERROR, CDM_MERGE_ERROR_NOT_FOUND);
}

/* A new record applies whole; the same record created on two desks is a
 * duplicate; a different one with the same id collides field by field. */
static void
test_create (void)
{
  g_autoptr(JsonObject) current = partner (1);
  g_autoptr(CdmMerge) fresh = merge (CDM_ENTITY_ORGANISATION, NULL, CDM_MERGE_OP_CREATE, 0,
                                     "{\"id\": \"" ORG_ID "\", \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", "
                                     "\"kind\": \"other\", \"version\": 7}", NULL);
  g_autoptr(JsonObject) same = partner (0);
  g_autoptr(CdmMerge) dup = NULL;
  g_autoptr(CdmMerge) other = NULL;

  g_assert_cmpint (fresh->status, ==, CDM_MERGE_APPLIED);
  g_assert_true (fresh->changed);
  g_assert_false (json_object_has_member (fresh->record, "version"));
  g_assert_true (applied (fresh, "circle"));
  assert_valid (CDM_ENTITY_ORGANISATION, fresh);

  json_object_remove_member (same, "version");
  json_object_remove_member (same, "deleted");
  dup = cdm_merge_entry (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_CREATE, 0, same, NULL, NULL);
  g_assert_cmpint (dup->status, ==, CDM_MERGE_DUPLICATE);
  g_assert_false (dup->changed);

  json_object_set_string_member (same, "phone", "02 444 44 44");
  other = cdm_merge_entry (CDM_ENTITY_ORGANISATION, current, CDM_MERGE_OP_CREATE, 0, same, NULL, NULL);
  g_assert_cmpint (other->status, ==, CDM_MERGE_CONFLICT);
  g_assert_cmpstr (((CdmMergeConflict *) g_ptr_array_index (other->conflicts, 0))->field, ==, "phone");
  g_assert_cmpstr (string_member (other->record, "phone"), ==, "02 111 11 11");
}

/* A malformed change is refused with a reason. */
static void
test_bad_entry (void)
{
  g_autoptr(GError) error = NULL;
  CdmMergeOp op;

  g_assert_null (cdm_merge_entry (CDM_ENTITY_CONTACT, NULL, CDM_MERGE_OP_CREATE, 0, NULL, NULL, &error));
  g_assert_error (error, CDM_MERGE_ERROR, CDM_MERGE_ERROR_BAD_ENTRY);
  g_assert_true (cdm_merge_op_from_string ("delete", &op));
  g_assert_cmpint (op, ==, CDM_MERGE_OP_DELETE);
  g_assert_false (cdm_merge_op_from_string ("upsert", &op));
  g_assert_false (cdm_merge_op_from_string (NULL, &op));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/merge/disjoint", test_disjoint);
  g_test_add_func ("/merge/at-base", test_at_base);
  g_test_add_func ("/merge/same-field", test_same_field);
  g_test_add_func ("/merge/same-value", test_same_value);
  g_test_add_func ("/merge/old-base", test_old_base);
  g_test_add_func ("/merge/nested", test_nested);
  g_test_add_func ("/merge/profile-parts", test_profile_parts);
  g_test_add_func ("/merge/counted", test_profile_and_counted);
  g_test_add_func ("/merge/delete", test_delete);
  g_test_add_func ("/merge/create", test_create);
  g_test_add_func ("/merge/bad-entry", test_bad_entry);

  return g_test_run ();
}
