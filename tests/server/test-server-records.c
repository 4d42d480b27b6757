/* SPDX-License-Identifier: GPL-3.0-or-later */
/* /records/{type}[/{id}] against a real PostgreSQL and cdm-server: writes
 * go through the push rules (merge, conflicts, tombstones), bad records
 * are refused with the field named and change nothing, every role gets
 * exactly the access SERVER-API.md gives it, and the database's own
 * checks list the same codes as libcdm's vocabularies. */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "cdm-schema.h"
#include "cdm-server-test-util.h"

static CdmTestServer *server;

static const char *
token (const char *role)
{
  return cdm_test_server_token (server, role);
}

/* A PUT on a connection of its own: libsoup may send an idempotent
 * request again on a new connection when a kept-alive one was closed,
 * and then without its body. */
static CdmTestReply *
put_fresh (const char *path,
           const char *bearer,
           const char *body)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, "proxy-resolver", NULL, NULL);
  g_autofree char *uri = g_strconcat (cdm_test_server_url (server), path, NULL);
  g_autofree char *header = g_strconcat ("Bearer ", bearer, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("PUT", uri);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  CdmTestReply *reply = g_new0 (CdmTestReply, 1);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  reply->body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (msg);
  if (json_parser_load_from_data (parser, g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body), NULL))
    reply->json = json_parser_steal_root (parser);
  return reply;
}

static CdmTestReply *
put (const char *role,
     const char *type,
     const char *id,
     const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/%s", type, id);
  CdmTestReply *reply = put_fresh (path, token (role), body);

  /* What the server said, for when an assertion on it fails. */
  if (reply->status != 200 && reply->body != NULL)
    g_test_message ("PUT %s as %s: %u %.*s", path, role, reply->status,
                    (int) g_bytes_get_size (reply->body), (const char *) g_bytes_get_data (reply->body, NULL));
  return reply;
}

static CdmTestReply *
get (const char *role,
     const char *type,
     const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/%s", type, id);
  return cdm_test_request (server, "GET", path, token (role), NULL);
}

static const char *
status_of (CdmTestReply *reply)
{
  JsonNode *status = cdm_test_reply_member (reply, "status");
  return status ? json_node_get_string (status) : NULL;
}

static JsonObject *
record_of (CdmTestReply *reply)
{
  JsonNode *record = cdm_test_reply_member (reply, "record");
  return record ? json_node_get_object (record) : NULL;
}

/* Create, read, change, collide, delete: what a desk without sync would
 * do through these endpoints. */
static void
test_lifecycle (void)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *list_path = NULL;
  g_autoptr(CdmTestReply) created = NULL, read = NULL, changed = NULL, stale = NULL, deleted = NULL;
  g_autoptr(CdmTestReply) tomb = NULL, again = NULL, list = NULL;
  JsonObject *record;
  JsonArray *records;

  created = put ("counsellor", "organisation", id,
                 "{\"name\": {\"fr\": \"Intec Brussel\"}, \"circle\": \"second\", \"kind\": \"training\", "
                 "\"phone\": \"02 100 00 00\"}");
  g_assert_cmpuint (created->status, ==, 200);
  g_assert_cmpstr (status_of (created), ==, "applied");
  g_assert_cmpint (json_node_get_int (cdm_test_reply_member (created, "version")), ==, 1);
  record = record_of (created);
  g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (record, "type"), ==, "organisation");
  g_assert_true (json_object_get_boolean_member (record, "active"));

  read = get ("steward", "organisation", id);
  g_assert_cmpuint (read->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (read->json), "phone"), ==, "02 100 00 00");
  g_assert_false (json_object_get_boolean_member (json_node_get_object (read->json), "deleted"));

  changed = put ("manager", "organisation", id,
                 "{\"name\": {\"fr\": \"Intec Brussel\"}, \"circle\": \"second\", \"kind\": \"training\", "
                 "\"phone\": \"02 200 00 00\", \"base_version\": 1}");
  g_assert_cmpuint (changed->status, ==, 200);
  g_assert_cmpstr (status_of (changed), ==, "applied");
  g_assert_cmpint (json_node_get_int (cdm_test_reply_member (changed, "version")), ==, 2);

  /* Written from version 1 again: the phone changed meanwhile; the value
   * already there stays and the answer says so. */
  stale = put ("counsellor", "organisation", id,
               "{\"name\": {\"fr\": \"Intec Brussel\"}, \"circle\": \"second\", \"kind\": \"training\", "
               "\"phone\": \"02 300 00 00\", \"base_version\": 1}");
  g_assert_cmpuint (stale->status, ==, 200);
  g_assert_cmpstr (status_of (stale), ==, "conflict");
  g_assert_cmpstr (json_object_get_string_member (record_of (stale), "phone"), ==, "02 200 00 00");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (cdm_test_reply_member (stale, "conflicts")), 0),
                                                  "other"), ==, "02 300 00 00");

  list_path = g_strdup_printf ("/api/v1/records/organisation/%s", id);
  deleted = cdm_test_request (server, "DELETE", list_path, token ("manager"), NULL);
  g_assert_cmpuint (deleted->status, ==, 200);
  g_assert_cmpstr (status_of (deleted), ==, "applied");

  tomb = get ("counsellor", "organisation", id);
  g_assert_cmpuint (tomb->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (tomb->json), "deleted"));

  /* Writing a tombstone does not bring it back. */
  again = put ("counsellor", "organisation", id,
               "{\"name\": {\"fr\": \"Intec\"}, \"circle\": \"second\", \"kind\": \"training\"}");
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (status_of (again), ==, "conflict");

  list = cdm_test_request (server, "GET", "/api/v1/records/organisation?limit=10000", token ("counsellor"), NULL);
  g_assert_cmpuint (list->status, ==, 200);
  records = json_node_get_array (cdm_test_reply_member (list, "records"));
  for (guint i = 0; i < json_array_get_length (records); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (records, i), "id"), !=, id);
}

/* Bad records: 4xx naming the field; the database is unchanged. */
static void
test_bad_records (void)
{
  static const struct {
    const char *type;
    const char *body;
    guint status;
    const char *code;
    const char *field;
  } cases[] = {
    { "contact", "{\"occurred_at\": \"2020-03-02T10:00:00+01:00\", \"site\": \"centre\", "
      "\"service\": \"individual_advice\", \"channel\": \"fax\"}", 400, "invalid_record", "channel" },
    { "contact", "{\"occurred_at\": \"yesterday\", \"site\": \"centre\", "
      "\"service\": \"individual_advice\", \"channel\": \"email\"}", 400, "invalid_record", "occurred_at" },
    { "contact", "{\"occurred_at\": \"2020-03-02T10:00:00+01:00\", \"site\": \"centre\", "
      "\"service\": \"individual_advice\", \"channel\": \"email\", \"profile\": {\"gender\": \"q\"}}",
      400, "invalid_record", "profile.gender" },
    { "contact", "{\"occurred_at\": \"2020-03-02T10:00:00+01:00\", \"site\": \"centre\", "
      "\"service\": \"individual_advice\", \"channel\": \"email\", \"colour\": \"red\"}", 400, "invalid_record", "colour" },
    { "contact", "{\"occurred_at\": \"2020-03-02T10:00:00+01:00\", \"site\": \"centre\", "
      "\"service\": \"individual_advice\", \"channel\": \"email\", \"referrals\": [\"6a0f3c2e-0000-4000-8000-0000000000ff\"]}",
      400, "unknown_reference", "referrals" },
    { "contact", "{\"occurred_at\": \"2020-03-02T10:00:00+01:00\", \"site\": \"centre\", "
      "\"service\": \"individual_advice\", \"channel\": \"email\", \"duration_min\": -5}", 400, "invalid_record", "duration_min" },
    { "contact", "{\"id\": \"6a0f3c2e-0000-4000-8000-0000000000ee\", \"occurred_at\": \"2020-03-02T10:00:00+01:00\", "
      "\"site\": \"centre\", \"service\": \"individual_advice\", \"channel\": \"email\"}", 400, "invalid_record", "id" },
    { "attendance", "{\"activity\": \"6a0f3c2e-0000-4000-8000-0000000000dd\", \"count\": 4, "
      "\"recorded_at\": \"2020-03-02T10:00:00+01:00\"}", 400, "unknown_reference", "activity" },
    { "multimedia_tally", "{\"day\": \"2020-03-02\", \"kind\": \"printing\", \"count\": -1}", 400, "invalid_record", "count" },
    { "organisation", "{\"name\": {\"fr\": \"X'); DROP TABLE organisations; --\"}, \"circle\": \"first' OR '1'='1\", "
      "\"kind\": \"other\"}", 400, "invalid_record", "circle" },
    { "closure", "{\"from\": \"2020-03-20\", \"to\": \"2020-03-10\", \"scope\": \"all\"}", 400, "invalid_record", "to" },
    { "satisfaction", "{\"answered_on\": \"2020-03-02\", \"score\": 11}", 400, "invalid_record", "score" },
    { "nothing", "{}", 404, "not_found", "table" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *before = cdm_test_database_digest (server);
      g_autofree char *after = NULL;
      g_autofree char *id = g_uuid_string_random ();
      /* Closures are the managers'. */
      g_autoptr(CdmTestReply) reply = put (g_str_equal (cases[i].type, "closure") ? "manager" : "counsellor",
                                           cases[i].type, id, cases[i].body);
      JsonNode *error = cdm_test_reply_member (reply, "error");

      g_test_message ("case %u: %s", i, cases[i].body);
      g_assert_cmpuint (reply->status, ==, cases[i].status);
      g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, cases[i].code);
      g_assert_nonnull (error);
      g_assert_cmpstr (json_object_get_string_member_with_default (json_node_get_object (error), "field", NULL), ==,
                       cases[i].field);
      after = cdm_test_database_digest (server);
      g_assert_cmpstr (before, ==, after);
    }
}

/* A valid new record of each type; attendance needs an activity. */
static char *
sample (CdmEntity   entity,
        const char *activity)
{
  switch (entity)
    {
    case CDM_ENTITY_ORGANISATION:
      return g_strdup ("{\"name\": {\"fr\": \"Brik\"}, \"circle\": \"other\", \"kind\": \"association\"}");
    case CDM_ENTITY_RESOURCE:
      return g_strdup ("{\"kind\": \"book\", \"title\": \"Trouver sa voie\"}");
    case CDM_ENTITY_ACTIVITY:
      return g_strdup ("{\"title\": {\"fr\": \"Atelier CV\"}, \"starts_at\": \"2020-03-02T10:00:00+01:00\", "
                       "\"mode\": \"on_site\", \"status\": \"held\"}");
    case CDM_ENTITY_ATTENDANCE:
      return g_strdup_printf ("{\"activity\": \"%s\", \"count\": 12, \"recorded_at\": \"2020-03-02T12:00:00+01:00\"}",
                              activity);
    case CDM_ENTITY_CONTACT:
      return g_strdup ("{\"occurred_at\": \"2020-03-02T10:00:00+01:00\", \"site\": \"centre\", "
                       "\"service\": \"individual_advice\", \"channel\": \"email\"}");
    case CDM_ENTITY_MULTIMEDIA_TALLY:
      return g_strdup ("{\"day\": \"2020-03-02\", \"kind\": \"printing\", \"count\": 3}");
    case CDM_ENTITY_CLOSURE:
      return g_strdup ("{\"from\": \"2020-12-24\", \"to\": \"2020-12-31\", \"scope\": \"all\"}");
    case CDM_ENTITY_SATISFACTION:
      return g_strdup ("{\"answered_on\": \"2020-03-02\", \"score\": 9}");
    case CDM_ENTITY_USER:
    case CDM_ENTITY_DESK:
    case CDM_N_ENTITIES:
    default:
      g_assert_not_reached ();
    }
}

/* SERVER-API.md, "Roles": who writes what (partner_staff's own records
 * are tried in test_partner_writes). */
static gboolean
may_write (const char *role,
           CdmEntity   entity)
{
  gboolean master = entity == CDM_ENTITY_ORGANISATION || entity == CDM_ENTITY_RESOURCE ||
                    entity == CDM_ENTITY_ACTIVITY || entity == CDM_ENTITY_CLOSURE;
  gboolean counted = entity == CDM_ENTITY_ATTENDANCE || entity == CDM_ENTITY_MULTIMEDIA_TALLY ||
                     entity == CDM_ENTITY_SATISFACTION;

  if (g_str_equal (role, "admin") || g_str_equal (role, "manager"))
    return master;
  if (g_str_equal (role, "counsellor"))
    return entity != CDM_ENTITY_CLOSURE;
  if (g_str_equal (role, "steward"))
    return counted;
  /* partner_staff: only contacts of a sample (their activities and their
   * own entry are not these samples). */
  return entity == CDM_ENTITY_CONTACT;
}

/* Every role × every type × read and write: allowed, or 403. */
static void
test_role_matrix (void)
{
  g_autofree char *activity = g_uuid_string_random ();
  g_autofree char *activity_body = sample (CDM_ENTITY_ACTIVITY, NULL);
  g_autoptr(CdmTestReply) made = put ("counsellor", "activity", activity, activity_body);

  g_assert_cmpstr (status_of (made), ==, "applied");

  for (guint r = 0; cdm_test_roles[r] != NULL; r++)
    for (CdmEntity e = CDM_ENTITY_ORGANISATION; e <= CDM_ENTITY_SATISFACTION; e++)
      {
        const char *role = cdm_test_roles[r];
        const char *type = cdm_entity_info (e)->name;
        gboolean readable = !(e == CDM_ENTITY_CONTACT && g_str_equal (role, "steward"));
        g_autofree char *id = g_uuid_string_random ();
        g_autofree char *body = sample (e, activity);
        g_autofree char *list_path = g_strdup_printf ("/api/v1/records/%s", type);
        g_autofree char *before = cdm_test_database_digest (server);
        g_autofree char *after = NULL;
        g_autoptr(CdmTestReply) list = cdm_test_request (server, "GET", list_path, token (role), NULL);
        g_autoptr(CdmTestReply) one = get (role, type, id);
        g_autoptr(CdmTestReply) write = NULL;
        g_autoptr(CdmTestReply) remove = NULL;

        g_test_message ("%s %s", role, type);
        g_assert_cmpuint (list->status, ==, readable ? 200 : 403);
        g_assert_cmpuint (one->status, ==, readable ? 404 : 403);

        write = put (role, type, id, body);
        if (may_write (role, e))
          {
            g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/%s", type, id);

            g_assert_cmpuint (write->status, ==, 200);
            g_assert_cmpstr (status_of (write), ==, "applied");
            remove = cdm_test_request (server, "DELETE", path, token (role), NULL);
            g_assert_cmpuint (remove->status, ==, 200);
          }
        else
          {
            g_assert_cmpuint (write->status, ==, 403);
            g_assert_cmpstr (cdm_test_reply_error_code (write), ==, "forbidden");
            after = cdm_test_database_digest (server);
            g_assert_cmpstr (before, ==, after);
          }
      }
}

/* A partner's staff edits their own entry and their activities only. */
static void
test_partner_writes (void)
{
  g_autofree char *foreign_activity = g_uuid_string_random ();
  g_autofree char *own_activity = g_uuid_string_random ();
  g_autofree char *other_org = g_uuid_string_random ();
  g_autofree char *attendance = g_uuid_string_random ();
  g_autofree char *foreign_attendance = g_uuid_string_random ();
  g_autofree char *own_body = g_strdup_printf ("{\"title\": {\"fr\": \"Job dating\"}, \"starts_at\": \"2020-05-02T10:00:00+02:00\", "
                                               "\"mode\": \"on_site\", \"status\": \"planned\", \"organisers\": [\"%s\"]}",
                                               CDM_TEST_PARTNER_ORG);
  g_autofree char *foreign_body = sample (CDM_ENTITY_ACTIVITY, NULL);
  g_autofree char *att_body = sample (CDM_ENTITY_ATTENDANCE, own_activity);
  g_autofree char *foreign_att_body = sample (CDM_ENTITY_ATTENDANCE, foreign_activity);
  g_autofree char *org_body = sample (CDM_ENTITY_ORGANISATION, NULL);
  g_autoptr(CdmTestReply) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL, r6 = NULL, r7 = NULL, r8 = NULL;

  /* Their organisation exists in the directory (a counsellor added it). */
  r1 = put ("counsellor", "organisation", CDM_TEST_PARTNER_ORG, org_body);
  g_assert_cmpuint (r1->status, ==, 200);
  r2 = put ("partner_staff", "organisation", CDM_TEST_PARTNER_ORG,
            "{\"name\": {\"fr\": \"Brik\", \"nl\": \"Brik\"}, \"circle\": \"other\", \"kind\": \"association\", \"base_version\": 1}");
  g_assert_cmpuint (r2->status, ==, 200);
  g_assert_cmpstr (status_of (r2), ==, "applied");
  r3 = put ("partner_staff", "organisation", other_org, org_body);
  g_assert_cmpuint (r3->status, ==, 403);

  r4 = put ("partner_staff", "activity", own_activity, own_body);
  g_assert_cmpuint (r4->status, ==, 200);
  r5 = put ("counsellor", "activity", foreign_activity, foreign_body);
  g_assert_cmpuint (r5->status, ==, 200);
  r6 = put ("partner_staff", "activity", foreign_activity, foreign_body);
  g_assert_cmpuint (r6->status, ==, 403);

  r7 = put ("partner_staff", "attendance", attendance, att_body);
  g_assert_cmpuint (r7->status, ==, 200);
  r8 = put ("partner_staff", "attendance", foreign_attendance, foreign_att_body);
  g_assert_cmpuint (r8->status, ==, 403);
}

/* The database's CHECK lists name exactly libcdm's codes, in order. */
static void
test_vocabularies (void)
{
  static const struct {
    const char *table;
    const char *column;
    const char * const *codes;
  } checks[] = {
    { "organisations", "circle", cdm_circles },
    { "organisations", "kind", cdm_organisation_kinds },
    { "resources", "kind", cdm_resource_kinds },
    { "resources", "audience", cdm_audiences },
    { "activities", "mode", cdm_activity_modes },
    { "activities", "audience", cdm_audiences },
    { "activities", "status", cdm_activity_statuses },
    { "closures", "scope", cdm_closure_scopes },
    { "contacts", "site", cdm_sites },
    { "contacts", "service", cdm_services },
    { "contacts", "channel", cdm_channels },
    { "multimedia_tallies", "kind", cdm_tally_kinds },
    { "satisfaction", "frequency", cdm_frequencies },
  };
  PGconn *db = cdm_test_server_db (server);

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      const char *params[] = { checks[i].table, checks[i].column };
      PGresult *res = PQexecParams (db,
                                    "SELECT pg_get_constraintdef (c.oid) FROM pg_constraint c "
                                    "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey) "
                                    "WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND a.attname = $2",
                                    2, NULL, params, NULL, NULL, 0);
      g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
      const char *def;
      g_autofree char *expected = NULL;
      g_autofree char *got = NULL;

      g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
      g_assert_cmpint (PQntuples (res), ==, 1);
      def = PQgetvalue (res, 0, 0);
      /* "CHECK ((circle = ANY (ARRAY['first'::text, …])))" */
      for (const char *p = strchr (def, '\''); p != NULL; p = strchr (p, '\''))
        {
          const char *end = strchr (p + 1, '\'');
          g_assert_nonnull (end);
          g_ptr_array_add (found, g_strndup (p + 1, end - p - 1));
          p = end + 1;
        }
      g_ptr_array_add (found, NULL);
      expected = g_strjoinv (",", (char **) checks[i].codes);
      got = g_strjoinv (",", (char **) found->pdata);
      g_test_message ("%s.%s", checks[i].table, checks[i].column);
      g_assert_cmpstr (got, ==, expected);
      PQclear (res);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-records/lifecycle", test_lifecycle);
  g_test_add_func ("/server-records/bad-records", test_bad_records);
  g_test_add_func ("/server-records/role-matrix", test_role_matrix);
  g_test_add_func ("/server-records/partner-writes", test_partner_writes);
  g_test_add_func ("/server-records/vocabularies", test_vocabularies);

  server = cdm_test_server_new (NULL);
  /* Last: every answer the tests got follows docs/api/openapi.yaml. */
  cdm_test_server_add_api_test (server);
  /* Signed in once, before any test compares the database. */
  for (guint r = 0; cdm_test_roles[r] != NULL; r++)
    token (cdm_test_roles[r]);
  status = g_test_run ();
  cdm_test_server_free (server);
  return status;
}
