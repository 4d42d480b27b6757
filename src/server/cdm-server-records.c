/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-server-records.c: /records/{table}[/{id}], one record at a time.
 *
 * Reads apply the caller's scope like pull does.  Writes are push entries
 * of one: the same checks, merge, change log and answer, so that a record
 * written here reaches every desk like one pushed by a desk.
 */
#include "config.h"

#include <string.h>

#include "cdm-merge.h"
#include "cdm-server-records.h"

#define LIST_DEFAULT_LIMIT 100
#define LIST_MAX_LIMIT     10000

/* The {table} of the path; replies 404 when it names no type, 403 when
 * the caller may not read it. */
static gboolean
path_entity (CdmRequest *req,
             CdmEntity  *out_entity)
{
  const char *table = cdm_request_get_path_param (req, "table");

  if (!cdm_server_records_entity (table, out_entity))
    {
      cdm_request_reply_error_field (req, 404, "not_found", "table",
                                     "table: expected one of organisation, resource, activity, attendance, "
                                     "contact, multimedia_tally, closure, satisfaction");
      return FALSE;
    }
  if (!cdm_server_may_read (req->user, *out_entity))
    {
      cdm_request_reply_error (req, 403, "forbidden", "a %s may not read records of type %s",
                               cdm_role_to_string (req->user->role), cdm_entity_info (*out_entity)->name);
      return FALSE;
    }
  return TRUE;
}

static const char *
path_id (CdmRequest *req)
{
  const char *id = cdm_request_get_path_param (req, "id");

  if (id == NULL || !cdm_uuid_valid (id))
    {
      cdm_request_reply_error_field (req, 404, "not_found", "id", "id: expected a lower-case UUID");
      return NULL;
    }
  return id;
}

/* GET /records/{table}?after=ID&limit=N: live records by id. */
static void
handle_list (CdmRequest *req,
             PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *limit_text = NULL;
  const char *after = cdm_request_get_query (req, "after");
  const char *scope = cdm_server_contact_scope (req->user);
  JsonArray *records;
  CdmEntity entity;
  gint64 limit;
  int n;

  if (!path_entity (req, &entity) ||
      !cdm_request_get_query_int64 (req, "limit", LIST_DEFAULT_LIMIT, 1, LIST_MAX_LIMIT, &limit))
    return;
  if (after != NULL && !cdm_uuid_valid (after))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "after", "after: expected a lower-case UUID");
      return;
    }
  if (entity != CDM_ENTITY_CONTACT)
    scope = NULL;

  limit_text = g_strdup_printf ("%" G_GINT64_FORMAT, limit);
  /* "ORDER BY r.id", the uuid column (a bare "id" is the output column
   * id::text: a sort of the whole table as text, not the primary key). */
  sql = g_strdup_printf ("SELECT r.id::text, r.version, r.body::text FROM %s r WHERE NOT r.deleted "
                         "AND ($1::uuid IS NULL OR r.id > $1::uuid) AND ($2::uuid IS NULL OR r.org = $2::uuid) "
                         "ORDER BY r.id LIMIT $3::bigint", cdm_server_records_table (entity));
  res = cdm_db_exec (db, &error, sql, 3, after, scope, limit_text);
  if (res == NULL)
    {
      cdm_request_reply_db_error (req, error);
      return;
    }

  answer = json_object_new ();
  records = json_array_new ();
  json_object_set_array_member (answer, "records", records);
  n = PQntuples (res);
  for (int r = 0; r < n; r++)
    json_array_add_object_element (records, cdm_server_record_from_row (cdm_db_get_string (res, r, 2),
                                                                        cdm_db_get_int64 (res, r, 1, 0), FALSE));
  if (n == limit)
    json_object_set_string_member (answer, "next", cdm_db_get_string (res, n - 1, 0));
  else
    json_object_set_null_member (answer, "next");
  cdm_request_reply_json (req, 200, json_node_init_object (json_node_alloc (), answer));
}

/* The record as stored (tombstones too), within the caller's scope; NULL
 * when there is none.  *out_error for a database failure. */
static JsonObject *
read_record (PGconn         *db,
             const CdmUser  *user,
             CdmEntity       entity,
             const char     *id,
             GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT version, deleted, body::text, org::text FROM %s WHERE id = $1::uuid",
                                          cdm_server_records_table (entity));
  g_autoptr(PGresult) res = cdm_db_exec (db, error, sql, 1, id);
  const char *scope = entity == CDM_ENTITY_CONTACT ? cdm_server_contact_scope (user) : NULL;

  if (res == NULL || PQntuples (res) == 0)
    return NULL;
  /* Another organisation's contact does not exist for a partner's staff. */
  if (scope != NULL && g_strcmp0 (cdm_db_get_string (res, 0, 3), scope) != 0)
    return NULL;
  return cdm_server_record_from_row (cdm_db_get_string (res, 0, 2), cdm_db_get_int64 (res, 0, 0, 0),
                                     cdm_db_get_bool (res, 0, 1));
}

/* GET /records/{table}/{id} */
static void
handle_get (CdmRequest *req,
            PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  const char *id;
  CdmEntity entity;

  if (!path_entity (req, &entity) || (id = path_id (req)) == NULL)
    return;
  record = read_record (db, req->user, entity, id, &error);
  if (error != NULL)
    cdm_request_reply_db_error (req, error);
  else if (record == NULL)
    cdm_request_reply_error_field (req, 404, "not_found", "id", "id: no %s has this id",
                                   cdm_entity_info (entity)->name);
  else
    cdm_request_reply_json (req, 200, json_node_init_object (json_node_alloc (), record));
}

/* Turns the answer of the one push entry into the HTTP answer. */
static void
reply_result (CdmRequest *req,
              PGconn     *db,
              CdmEntity   entity,
              const char *id,
              JsonObject *result)
{
  const char *status = json_object_get_string_member (result, "status");

  if (g_str_equal (status, "rejected"))
    {
      JsonObject *error = json_object_get_object_member (result, "error");
      const char *code = json_object_get_string_member (error, "code");
      const char *field = json_object_get_string_member_with_default (error, "field", NULL);
      guint http = g_str_equal (code, "forbidden") ? 403 : g_str_equal (code, "not_found") ? 404 : 400;

      if (field != NULL)
        cdm_request_reply_error_field (req, http, code, field, "%s",
                                       json_object_get_string_member (error, "message"));
      else
        cdm_request_reply_error (req, http, code, "%s", json_object_get_string_member (error, "message"));
      return;
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonObject) answer = json_object_new ();
    JsonObject *record = read_record (db, req->user, entity, id, &error);

    if (error != NULL)
      {
        cdm_request_reply_db_error (req, error);
        return;
      }
    /* The push answer (a collision keeps the value already there and
     * lists the caller's in "conflicts", see cdm-merge.h), with the
     * record as it now is. */
    json_object_set_string_member (answer, "key", json_object_get_string_member (result, "key"));
    json_object_set_string_member (answer, "status", status);
    json_object_set_int_member (answer, "version", json_object_get_int_member (result, "version"));
    if (json_object_has_member (result, "conflicts"))
      json_object_set_member (answer, "conflicts", json_node_copy (json_object_get_member (result, "conflicts")));
    if (record != NULL)
      json_object_set_object_member (answer, "record", record);
    cdm_request_reply_json (req, 200, json_node_init_object (json_node_alloc (), answer));
  }
}

/* Runs one entry; replies. */
static void
write_one (CdmRequest *req,
           PGconn     *db,
           CdmEntity   entity,
           const char *id,
           const char *op,
           gint64      base_version,
           JsonObject *fields)
{
  g_autoptr(JsonArray) entries = json_array_new ();
  g_autoptr(JsonArray) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = cdm_uuid_new ();
  JsonObject *entry = json_object_new ();

  json_object_set_string_member (entry, "key", key);
  json_object_set_string_member (entry, "type", cdm_entity_info (entity)->name);
  json_object_set_string_member (entry, "id", id);
  json_object_set_string_member (entry, "op", op);
  json_object_set_int_member (entry, "base_version", base_version);
  if (fields != NULL)
    json_object_set_object_member (entry, "fields", json_object_ref (fields));
  json_array_add_object_element (entries, entry);

  results = cdm_server_push_entries (db, req->user, req->user->desk, entries, &error);
  if (results == NULL)
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  reply_result (req, db, entity, id, json_array_get_object_element (results, 0));
}

/* What a write may do at all; replies 403 otherwise. */
static gboolean
check_writer (CdmRequest *req,
              CdmEntity   entity)
{
  if (cdm_server_may_write (req->user, entity))
    return TRUE;
  cdm_request_reply_error (req, 403, "forbidden", "a %s may not write records of type %s",
                           cdm_role_to_string (req->user->role), cdm_entity_info (entity)->name);
  return FALSE;
}

/* The current version of a record (0: none; -1: deleted), any scope. */
static gboolean
current_version (PGconn      *db,
                 CdmEntity    entity,
                 const char  *id,
                 gint64      *out_version,
                 gboolean    *out_exists,
                 GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT version FROM %s WHERE id = $1::uuid",
                                          cdm_server_records_table (entity));
  g_autoptr(PGresult) res = cdm_db_exec (db, error, sql, 1, id);

  if (res == NULL)
    return FALSE;
  *out_exists = PQntuples (res) > 0;
  *out_version = *out_exists ? cdm_db_get_int64 (res, 0, 0, 0) : 0;
  return TRUE;
}

/* PUT /records/{table}/{id}: the record in the §7 format, with an
 * optional "base_version" (default: the current version, i.e. replace). */
static void
handle_put (CdmRequest *req,
            PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) normal = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *body;
  JsonNode *node;
  const char *id;
  const char *given_id;
  CdmEntity entity;
  gint64 version = 0, base_version;
  gboolean exists = FALSE;

  if (!path_entity (req, &entity) || (id = path_id (req)) == NULL || !check_writer (req, entity))
    return;
  body = cdm_request_require_object (req);
  if (body == NULL)
    return;

  /* The record without base_version, checked like any record. */
  record = json_object_new ();
  members = json_object_get_members (body);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "base_version"))
      json_object_set_member (record, l->data, json_node_copy (json_object_get_member (body, l->data)));

  given_id = json_object_has_member (record, "id") ? json_object_get_string_member_with_default (record, "id", "") : id;
  if (given_id == NULL || !g_str_equal (given_id, id))
    {
      cdm_request_reply_error_field (req, 400, "invalid_record", "id", "id: the record's id is not the one in the path");
      return;
    }
  normal = cdm_record_normalize (entity, record, &error);
  if (normal == NULL)
    {
      g_autofree char *field = cdm_server_record_error_field (error->message);
      if (field != NULL)
        cdm_request_reply_error_field (req, 400, "invalid_record", field, "%s", error->message);
      else
        cdm_request_reply_error (req, 400, "invalid_record", "%s", error->message);
      return;
    }

  if (!current_version (db, entity, id, &version, &exists, &error))
    {
      cdm_request_reply_db_error (req, error);
      return;
    }

  node = json_object_get_member (body, "base_version");
  base_version = version;
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
          json_node_get_int (node) < 0)
        {
          cdm_request_reply_error_field (req, 400, "bad_request", "base_version",
                                         "base_version: expected a version, a whole number from 0");
          return;
        }
      base_version = json_node_get_int (node);
    }

  if (!exists)
    {
      write_one (req, db, entity, id, "create", 0, normal);
      return;
    }

  /* An update gives every field but the identity ones the server keeps
   * (who logged a contact, and where). */
  fields = json_object_new ();
  {
    const CdmEntityInfo *info = cdm_entity_info (entity);
    for (guint i = 0; i < info->n_fields; i++)
      {
        const CdmField *f = &info->fields[i];
        if ((f->flags & (CDM_FIELD_FROM_DESK | CDM_FIELD_FROM_USER | CDM_FIELD_FROM_ORG)) &&
            !json_object_has_member (body, f->name))
          continue;
        json_object_set_member (fields, f->name, json_node_copy (json_object_get_member (normal, f->name)));
      }
  }
  write_one (req, db, entity, id, "update", base_version, fields);
}

/* DELETE /records/{table}/{id}[?base_version=N] */
static void
handle_delete (CdmRequest *req,
               PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  const char *id;
  CdmEntity entity;
  gint64 version = 0, base_version;
  gboolean exists = FALSE;

  if (!path_entity (req, &entity) || (id = path_id (req)) == NULL || !check_writer (req, entity))
    return;
  if (!current_version (db, entity, id, &version, &exists, &error))
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  if (!cdm_request_get_query_int64 (req, "base_version", version, 0, G_MAXINT64, &base_version))
    return;
  write_one (req, db, entity, id, "delete", base_version, NULL);
}

void
cdm_server_records_register (CdmServer *server)
{
  cdm_server_add_route (server, "GET", "/api/v1/records/{table}", CDM_ROLES_ALL | CDM_ROUTE_LONG_READ, handle_list);
  cdm_server_add_route (server, "GET", "/api/v1/records/{table}/{id}", CDM_ROLES_ALL, handle_get);
  cdm_server_add_route (server, "PUT", "/api/v1/records/{table}/{id}", CDM_ROLES_ALL, handle_put);
  cdm_server_add_route (server, "DELETE", "/api/v1/records/{table}/{id}", CDM_ROLES_ALL, handle_delete);
}
