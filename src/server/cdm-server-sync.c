/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-server-sync.c: the server side of DESIGN.md section 5 — push with
 * idempotency keys and field-level merge, the change feed with sequence
 * numbers allocated at commit time, snapshots for bootstrap, checksums,
 * and the pruning of the feed past its retention window.
 *
 * Push runs a batch in one transaction, each entry inside its own
 * savepoint so that a refused entry leaves the others alone.  An entry's
 * answer is stored in applied_ops with its change, so a retry of the key
 * gets the very same answer and changes nothing.  Refused entries change
 * nothing and are not stored: a desk that corrects a parked entry may send
 * it again under the same key.
 *
 * Just before it commits, a batch that changed anything takes the feed's
 * advisory lock in shared mode (held until its transaction ends), then its
 * sequence numbers from change_seq, and writes its change log rows.
 * Writers never wait for one another, so their commits flush together.  A
 * reader serves numbers only up to the safe horizon: the sequence's value
 * read while holding the same lock in exclusive mode, that is when every
 * transaction that took a number before has ended.  Everything up to the
 * horizon is committed (or rolled back) for good, so a reader that has
 * seen seq N has seen every change numbered below N, and a change that
 * commits late is never skipped (docs/server.md, "The feed").
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cdm-merge.h"
#include "cdm-server-core.h"
#include "cdm-server-records.h"

#define PULL_DEFAULT_LIMIT 500
#define PULL_MAX_LIMIT     10000
#define PUSH_ATTEMPTS      5

/* The feed's advisory lock ("cdmfeed"): writers hold it shared from the
 * moment they take sequence numbers to their end; the horizon is read
 * under it exclusive. */
#define FEED_LOCK "27985517314352484"
/* Each transaction takes its numbers as one block of the sequence (which
 * steps by this much, the most entries a push may have), so that a
 * transaction's changes are numbered without another's in between. */
#define FEED_BLOCK "100000"
/* The horizon: the end of the last block taken. */
#define FEED_LAST_NUMBER "(SELECT CASE WHEN is_called THEN last_value + " FEED_BLOCK " - 1 ELSE 0 END FROM change_seq)"
/* How long a reader waits for the writers in flight before it serves the
 * horizon it had: a stuck transaction stalls the feed, never skips it. */
#define FEED_LOCK_TIMEOUT "1s"

/* Roles and scope. */

gboolean
cdm_server_may_read (const CdmUser *user,
                     CdmEntity      entity)
{
  g_return_val_if_fail (user != NULL, FALSE);
  /* Stewards count; they see no one's contacts. */
  return !(entity == CDM_ENTITY_CONTACT && user->role == CDM_ROLE_STEWARD);
}

gboolean
cdm_server_may_write (const CdmUser *user,
                      CdmEntity      entity)
{
  g_return_val_if_fail (user != NULL, FALSE);

  switch (user->role)
    {
    case CDM_ROLE_ADMIN:
    case CDM_ROLE_MANAGER:
      return entity == CDM_ENTITY_ORGANISATION || entity == CDM_ENTITY_RESOURCE ||
             entity == CDM_ENTITY_ACTIVITY || entity == CDM_ENTITY_CLOSURE;
    case CDM_ROLE_COUNSELLOR:
      return entity != CDM_ENTITY_CLOSURE;
    case CDM_ROLE_STEWARD:
      return entity == CDM_ENTITY_ATTENDANCE || entity == CDM_ENTITY_MULTIMEDIA_TALLY ||
             entity == CDM_ENTITY_SATISFACTION;
    case CDM_ROLE_PARTNER_STAFF:
      return user->organisation != NULL &&
             (entity == CDM_ENTITY_CONTACT || entity == CDM_ENTITY_ATTENDANCE ||
              entity == CDM_ENTITY_ACTIVITY || entity == CDM_ENTITY_ORGANISATION);
    case CDM_ROLE_NONE:
    default:
      return FALSE;
    }
}

const char *
cdm_server_contact_scope (const CdmUser *user)
{
  g_return_val_if_fail (user != NULL, NULL);

  if (user->role != CDM_ROLE_PARTNER_STAFF)
    return NULL;
  /* A partner's staff without an organisation sees nobody's contacts:
   * the nil UUID matches no contact. */
  return user->organisation ? user->organisation : "00000000-0000-0000-0000-000000000000";
}

/* JSON helpers. */

static JsonNode *
parse_json (const char *text,
            int         length)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (text == NULL || !json_parser_load_from_data (parser, text, length, NULL))
    return NULL;
  return json_parser_steal_root (parser);
}

JsonObject *
cdm_server_record_from_row (const char *body,
                            gint64      version,
                            gboolean    deleted)
{
  g_autoptr(JsonNode) node = parse_json (body, -1);
  JsonObject *record;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    record = json_object_new ();
  else
    record = json_object_ref (json_node_get_object (node));
  json_object_set_int_member (record, "version", version);
  json_object_set_boolean_member (record, "deleted", deleted);
  return record;
}

static char *
object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

/* The body column of a record: without "version" and "deleted", which
 * are columns of their own, so that readers can add them to the body's
 * text (append_record()) without parsing it. */
static char *
write_body (JsonObject *record)
{
  json_object_remove_member (record, "version");
  json_object_remove_member (record, "deleted");
  return object_to_string (record);
}

static const char *
optional_string (JsonObject *object,
                 const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The field a CDM_RECORD_ERROR message names: "profile.gender: …", or
 * "unknown field “x” …". */
char *
cdm_server_record_error_field (const char *message)
{
  const char *colon;
  const char *open = strstr (message, "“");

  if (g_str_has_prefix (message, "unknown field ") && open != NULL)
    {
      const char *start = open + strlen ("“");
      const char *close = strstr (start, "”");
      if (close != NULL)
        return g_strndup (start, close - start);
    }
  colon = strstr (message, ": ");
  if (colon != NULL && memchr (message, ' ', colon - message) == NULL)
    return g_strndup (message, colon - message);
  return NULL;
}

/* Push. */

typedef struct {
  CdmEntity entity;
  char *id;
  gint64 version;
  gboolean deleted;
  char *org;
} Change;

static void
change_clear (gpointer data)
{
  Change *change = data;

  g_free (change->id);
  g_free (change->org);
}

typedef struct {
  PGconn *db;
  const CdmUser *user;
  const char *desk;
  GArray *changes;     /* Change */
} Push;

/* An entry's answer when it is refused. */
static JsonObject *
rejected (const char *key,
          const char *code,
          const char *field,
          const char *format,
          ...) G_GNUC_PRINTF (4, 5);

static JsonObject *
rejected (const char *key,
          const char *code,
          const char *field,
          const char *format,
          ...)
{
  JsonObject *result = json_object_new ();
  JsonObject *error = json_object_new ();
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (key != NULL)
    json_object_set_string_member (result, "key", key);
  else
    json_object_set_null_member (result, "key");
  json_object_set_string_member (result, "status", "rejected");
  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  if (field != NULL)
    json_object_set_string_member (error, "field", field);
  json_object_set_object_member (result, "error", error);
  return result;
}

static gboolean
organises (PGconn      *db,
           const char  *activity,
           const char  *organisation,
           gboolean    *out,
           GError     **error)
{
  g_autoptr(PGresult) res = cdm_db_exec (db, error,
                                         "SELECT 1 FROM activity_organisers WHERE activity = $1::uuid "
                                         "AND organisation = $2::uuid",
                                         2, activity, organisation);
  if (res == NULL)
    return FALSE;
  *out = PQntuples (res) > 0;
  return TRUE;
}

static gboolean
list_contains (JsonObject *record,
               const char *name,
               const char *value)
{
  JsonArray *array;

  if (record == NULL || !json_object_has_member (record, name) ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (record, name)))
    return FALSE;
  array = json_object_get_array_member (record, name);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (item), value) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The finer rules of a partner's staff (SERVER-API.md, "Roles"), on the
 * record before (@current, may be NULL) and after (@record, NULL for a
 * delete).  *out_refusal says why not, or stays NULL. */
static gboolean
check_partner_scope (Push        *push,
                     CdmEntity    entity,
                     const char  *id,
                     JsonObject  *current,
                     const char  *current_org,
                     JsonObject  *record,
                     char       **out_refusal,
                     GError     **error)
{
  const char *org = push->user->organisation;
  gboolean ok = TRUE;

  switch (entity)
    {
    case CDM_ENTITY_CONTACT:
      if (current != NULL && g_strcmp0 (current_org, org) != 0)
        *out_refusal = g_strdup ("this contact was logged by another organisation");
      break;
    case CDM_ENTITY_ORGANISATION:
      if (g_strcmp0 (id, org) != 0)
        *out_refusal = g_strdup ("a partner's staff edits only their own organisation's entry");
      break;
    case CDM_ENTITY_ACTIVITY:
      if (current != NULL && !organises (push->db, id, org, &ok, error))
        return FALSE;
      if (!ok || (record != NULL && !list_contains (record, "organisers", org)))
        *out_refusal = g_strdup ("a partner's staff edits only the activities their organisation organises");
      break;
    case CDM_ENTITY_ATTENDANCE:
      {
        const char *activity = record ? optional_string (record, "activity") :
                               current ? optional_string (current, "activity") : NULL;
        if (activity == NULL || !organises (push->db, activity, org, &ok, error))
          {
            if (activity != NULL)
              return FALSE;
            ok = FALSE;
          }
        if (!ok)
          *out_refusal = g_strdup ("a partner's staff records attendance only at their organisation's activities");
      }
      break;
    case CDM_ENTITY_RESOURCE:
    case CDM_ENTITY_MULTIMEDIA_TALLY:
    case CDM_ENTITY_CLOSURE:
    case CDM_ENTITY_SATISFACTION:
    case CDM_ENTITY_USER:
    case CDM_ENTITY_DESK:
    case CDM_N_ENTITIES:
    default:
      *out_refusal = g_strdup ("a partner's staff cannot write this type");
      break;
    }
  return TRUE;
}

/* The server fills who logged a contact or count when the desk did not,
 * and a partner's staff always logs for their own organisation. */
static void
fill_identity (Push       *push,
               CdmEntity   entity,
               JsonObject *record)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);

  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];
      const char *value = NULL;

      if (f->flags & CDM_FIELD_FROM_DESK)
        value = push->desk;
      else if (f->flags & CDM_FIELD_FROM_USER)
        value = push->user->login;
      else if (f->flags & CDM_FIELD_FROM_ORG)
        {
          if (push->user->role == CDM_ROLE_PARTNER_STAFF)
            {
              json_object_set_string_member (record, f->name, push->user->organisation);
              continue;
            }
          value = push->user->organisation;
        }
      else
        continue;

      if (value != NULL && optional_string (record, f->name) == NULL)
        json_object_set_string_member (record, f->name, value);
    }
}

/* The organisation that scopes reading a record. */
static const char *
scope_org (CdmEntity   entity,
           JsonObject *record)
{
  const char *org;

  if (entity != CDM_ENTITY_CONTACT || record == NULL)
    return NULL;
  org = optional_string (record, "organisation");
  return org != NULL && cdm_uuid_valid (org) ? org : NULL;
}

/* Rewrites the links of a list of references (organisers, referrals,
 * resources).  *out_field names the list when the database refuses it. */
static gboolean
write_links (Push        *push,
             CdmEntity    entity,
             const char  *id,
             JsonObject  *record,
             gboolean     existed,
             const char **out_field,
             GError     **error)
{
  static const struct {
    CdmEntity entity;
    const char *field;
    const char *delete;
    const char *insert;
  } links[] = {
    { CDM_ENTITY_ACTIVITY, "organisers",
      "DELETE FROM activity_organisers WHERE activity = $1::uuid",
      "INSERT INTO activity_organisers (activity, organisation) "
      "SELECT $1::uuid, x::uuid FROM jsonb_array_elements_text ($2::jsonb) AS x" },
    { CDM_ENTITY_CONTACT, "referrals",
      "DELETE FROM contact_referrals WHERE contact = $1::uuid",
      "INSERT INTO contact_referrals (contact, organisation) "
      "SELECT $1::uuid, x::uuid FROM jsonb_array_elements_text ($2::jsonb) AS x" },
    { CDM_ENTITY_CONTACT, "resources",
      "DELETE FROM contact_resources WHERE contact = $1::uuid",
      "INSERT INTO contact_resources (contact, resource) "
      "SELECT $1::uuid, x::uuid FROM jsonb_array_elements_text ($2::jsonb) AS x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    {
      JsonNode *list;
      g_autofree char *text = NULL;

      if (links[i].entity != entity)
        continue;
      *out_field = links[i].field;
      if (existed)
        {
          g_autoptr(PGresult) res = cdm_db_exec (push->db, error, links[i].delete, 1, id);
          if (res == NULL)
            return FALSE;
        }
      list = json_object_get_member (record, links[i].field);
      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list) ||
          json_array_get_length (json_node_get_array (list)) == 0)
        continue;
      text = json_to_string (list, FALSE);
      {
        g_autoptr(PGresult) res = cdm_db_exec (push->db, error, links[i].insert, 2, id, text);
        if (res == NULL)
          return FALSE;
      }
    }
  *out_field = NULL;
  return TRUE;
}

/* What one entry asks for, checked. */
typedef struct {
  const char *key;
  CdmEntity entity;
  const char *type;
  const char *id;
  CdmMergeOp op;
  gint64 base_version;
  JsonObject *fields;
  JsonObject *old;
} Entry;

/* Reads the entry's members; NULL, or the refusal. */
static JsonObject *
read_entry (JsonNode *node,
            guint     index,
            Entry    *entry)
{
  JsonObject *object;
  JsonNode *member;

  memset (entry, 0, sizeof *entry);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return rejected (NULL, "bad_request", "entries", "entries[%u]: expected an object", index);
  object = json_node_get_object (node);

  entry->key = optional_string (object, "key");
  if (entry->key == NULL || !cdm_uuid_valid (entry->key))
    return rejected (NULL, "bad_request", "key", "entries[%u].key: expected a lower-case UUID", index);

  entry->type = optional_string (object, "type");
  if (!cdm_server_records_entity (entry->type, &entry->entity))
    return rejected (entry->key, "bad_request", "type",
                     "entries[%u].type: expected one of organisation, resource, activity, attendance, contact, "
                     "multimedia_tally, closure, satisfaction", index);

  entry->id = optional_string (object, "id");
  if (entry->id == NULL || !cdm_uuid_valid (entry->id))
    return rejected (entry->key, "bad_request", "id", "entries[%u].id: expected a lower-case UUID", index);

  if (!cdm_merge_op_from_string (optional_string (object, "op"), &entry->op))
    return rejected (entry->key, "bad_request", "op", "entries[%u].op: expected create, update or delete", index);

  member = json_object_get_member (object, "base_version");
  if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    {
      if (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_INT64 ||
          json_node_get_int (member) < 0)
        return rejected (entry->key, "bad_request", "base_version",
                         "entries[%u].base_version: expected a version, a whole number from 0", index);
      entry->base_version = json_node_get_int (member);
    }

  member = json_object_get_member (object, "fields");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    entry->fields = json_node_get_object (member);
  else if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    return rejected (entry->key, "bad_request", "fields", "entries[%u].fields: expected an object", index);
  else if (entry->op != CDM_MERGE_OP_DELETE)
    return rejected (entry->key, "bad_request", "fields",
                     "entries[%u].fields: a create or update gives the fields it sets", index);

  member = json_object_get_member (object, "old");
  if (member != NULL && JSON_NODE_HOLDS_OBJECT (member))
    entry->old = json_node_get_object (member);
  else if (member != NULL && !JSON_NODE_HOLDS_NULL (member))
    return rejected (entry->key, "bad_request", "old", "entries[%u].old: expected an object", index);

  return NULL;
}

/* What an entry does to its record, decided before anything is written. */
typedef struct {
  CdmMerge *merge;       /* NULL when the entry is refused */
  JsonObject *record;    /* the normalised record to write (changed, not deleted) */
  gint64 version;        /* the record's version afterwards */
  char *org;             /* its reading scope afterwards */
} Decision;

static void
decision_clear (Decision *decision)
{
  g_clear_pointer (&decision->merge, cdm_merge_free);
  g_clear_pointer (&decision->record, json_object_unref);
  g_clear_pointer (&decision->org, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Decision, decision_clear)

/* Decides one entry against @current (the record with "version" and
 * "deleted", or NULL) whose scope is @current_org.  Returns the answer;
 * decision->merge is set when the entry is accepted (and its answer is to
 * be kept).  NULL with @error set only when the database failed. */
static JsonObject *
decide_entry (Push        *push,
              Entry       *entry,
              JsonObject  *current,
              const char  *current_org,
              Decision    *decision,
              GError     **error)
{
  const CdmEntityInfo *info = cdm_entity_info (entry->entity);
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(CdmMerge) merge = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *refusal = NULL;
  gint64 version = current ? json_object_get_int_member_with_default (current, "version", 0) : 0;
  JsonObject *result;

  memset (decision, 0, sizeof *decision);

  if (!cdm_server_may_write (push->user, entry->entity))
    return rejected (entry->key, "forbidden", "type", "a %s may not write records of type %s",
                     cdm_role_to_string (push->user->role), info->name);

  /* A partner's staff may not even learn what another organisation's
   * contact says: the scope is checked before anything is compared. */
  if (push->user->role == CDM_ROLE_PARTNER_STAFF && current != NULL)
    {
      if (!check_partner_scope (push, entry->entity, entry->id, current, current_org, NULL, &refusal, error))
        return NULL;
      if (refusal != NULL)
        return rejected (entry->key, "forbidden", NULL, "%s", refusal);
    }

  /* A create brings a whole record: it is checked as one, so that what it
   * sets is compared in canonical form. */
  if (entry->fields != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (entry->fields);

      fields = json_object_new ();
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (fields, l->data, json_node_copy (json_object_get_member (entry->fields, l->data)));
      if (entry->op == CDM_MERGE_OP_CREATE)
        {
          g_autoptr(JsonObject) normal = NULL;

          json_object_set_string_member (fields, "id", entry->id);
          fill_identity (push, entry->entity, fields);
          normal = cdm_record_normalize (entry->entity, fields, &local_error);
          if (normal == NULL)
            {
              g_autofree char *field = cdm_server_record_error_field (local_error->message);
              return rejected (entry->key, "invalid_record", field, "%s", local_error->message);
            }
          g_clear_pointer (&fields, json_object_unref);
          fields = g_steal_pointer (&normal);
        }
    }

  merge = cdm_merge_entry (entry->entity, current, entry->op, entry->base_version, fields, entry->old,
                           &local_error);
  if (merge == NULL)
    {
      const char *code = local_error->code == CDM_MERGE_ERROR_NOT_FOUND ? "not_found" :
                         local_error->code == CDM_MERGE_ERROR_APPEND_ONLY ? "append_only" : "bad_request";
      g_autofree char *field = cdm_server_record_error_field (local_error->message);
      return rejected (entry->key, code, field, "%s", local_error->message);
    }

  if (merge->changed && !merge->deleted)
    {
      if (entry->op == CDM_MERGE_OP_CREATE && current == NULL)
        record = json_object_ref (merge->record);   /* normalised above */
      else
        {
          json_object_set_string_member (merge->record, "id", entry->id);
          if (push->user->role == CDM_ROLE_PARTNER_STAFF && entry->entity == CDM_ENTITY_CONTACT)
            json_object_set_string_member (merge->record, "organisation", push->user->organisation);
          record = cdm_record_normalize (entry->entity, merge->record, &local_error);
          if (record == NULL)
            {
              g_autofree char *field = cdm_server_record_error_field (local_error->message);
              return rejected (entry->key, "invalid_record", field, "%s", local_error->message);
            }
        }
    }

  if (push->user->role == CDM_ROLE_PARTNER_STAFF && record != NULL)
    {
      if (!check_partner_scope (push, entry->entity, entry->id, current, current_org, record, &refusal, error))
        return NULL;
      if (refusal != NULL)
        return rejected (entry->key, "forbidden", NULL, "%s", refusal);
    }

  decision->version = merge->changed ? version + 1 : version;
  decision->org = g_strdup (merge->deleted || record == NULL ? current_org : scope_org (entry->entity, record));

  result = json_object_new ();
  json_object_set_string_member (result, "key", entry->key);
  json_object_set_string_member (result, "status", cdm_merge_status_to_string (merge->status));
  json_object_set_int_member (result, "version", decision->version);
  if (merge->conflicts->len > 0)
    json_object_set_array_member (result, "conflicts", cdm_merge_conflicts_to_json (merge));

  decision->merge = g_steal_pointer (&merge);
  decision->record = g_steal_pointer (&record);
  return result;
}

/* Applies one entry inside the current savepoint, one statement at a time
 * (the careful path, see cdm_server_push_entries).  Returns the answer,
 * or NULL with @error set when the database failed (the caller rolls the
 * savepoint back).  *out_store says whether the answer is to be kept. */
static JsonObject *
apply_entry (Push      *push,
             Entry     *entry,
             gboolean  *out_store,
             Change    *out_change,
             GError   **error)
{
  const char *table = cdm_server_records_table (entry->entity);
  const CdmEntityInfo *info = cdm_entity_info (entry->entity);
  g_autofree char *select = g_strdup_printf ("SELECT version, deleted, body::text, org::text FROM %s "
                                             "WHERE id = $1::uuid FOR UPDATE", table);
  g_autoptr(PGresult) row = NULL;
  g_autoptr(JsonObject) current = NULL;
  g_autoptr(JsonObject) result = NULL;
  g_auto(Decision) decision = { 0 };
  CdmMerge *merge;

  *out_store = FALSE;

  row = cdm_db_exec (push->db, error, select, 1, entry->id);
  if (row == NULL)
    return NULL;
  if (PQntuples (row) > 0)
    current = cdm_server_record_from_row (cdm_db_get_string (row, 0, 2), cdm_db_get_int64 (row, 0, 0, 0),
                                          cdm_db_get_bool (row, 0, 1));

  result = decide_entry (push, entry, current, current ? cdm_db_get_string (row, 0, 3) : NULL, &decision, error);
  if (result == NULL || decision.merge == NULL)
    return g_steal_pointer (&result);
  merge = decision.merge;

  if (merge->changed)
    {
      g_autofree char *version_text = g_strdup_printf ("%" G_GINT64_FORMAT, decision.version);

      if (merge->deleted)
        {
          g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = true, version = $2::bigint, "
                                                  "updated_at = now(), updated_by = $3 WHERE id = $1::uuid",
                                                  table);
          g_autoptr(PGresult) res = cdm_db_exec (push->db, error, sql, 3, entry->id, version_text,
                                                 push->user->login);
          if (res == NULL)
            return NULL;
        }
      else
        {
          g_autofree char *body = write_body (decision.record);
          g_autoptr(PGresult) res = NULL;
          const char *link_field = NULL;

          res = cdm_db_exec (push->db, error, cdm_server_record_upsert (entry->entity), 6,
                             entry->id, version_text, "false", push->user->login, decision.org, body);
          if (res == NULL)
            return NULL;
          /* No row: another push created this id since we looked (the
           * upsert only replaces the version it follows); look again. */
          if (g_strcmp0 (PQcmdTuples (res), "1") != 0)
            {
              g_set_error (error, CDM_DB_ERROR, CDM_DB_ERROR_UNIQUE, "The record was created meanwhile");
              return NULL;
            }
          if (!write_links (push, entry->entity, entry->id, decision.record, current != NULL, &link_field, error))
            {
              if (link_field != NULL)
                g_prefix_error (error, "%s|", link_field);
              return NULL;
            }
        }

      out_change->entity = entry->entity;
      out_change->id = g_strdup (entry->id);
      out_change->version = decision.version;
      out_change->deleted = merge->deleted;
      out_change->org = g_strdup (decision.org);
    }

  /* The collisions, kept for a person to resolve. */
  for (guint i = 0; i < merge->conflicts->len; i++)
    {
      CdmMergeConflict *conflict = g_ptr_array_index (merge->conflicts, i);
      g_autofree char *kept = json_to_string (conflict->kept, FALSE);
      g_autofree char *other = json_to_string (conflict->other, FALSE);
      g_autofree char *base = g_strdup_printf ("%" G_GINT64_FORMAT, entry->base_version);
      g_autofree char *now_version = g_strdup_printf ("%" G_GINT64_FORMAT, decision.version);
      g_autoptr(PGresult) res = cdm_db_exec (push->db, error,
                                             "INSERT INTO conflicts (type, record, field, kept, other, key, "
                                             "base_version, version, login, desk) VALUES ($1, $2::uuid, $3, "
                                             "$4::jsonb, $5::jsonb, $6::uuid, $7::bigint, $8::bigint, $9, $10)",
                                             10, info->name, entry->id, conflict->field, kept, other,
                                             entry->key, base, now_version, push->user->login, push->desk);
      if (res == NULL)
        return NULL;
    }

  *out_store = TRUE;
  return g_steal_pointer (&result);
}

/* The answer a database refusal of one entry gets. */
static JsonObject *
refused_by_database (Entry        *entry,
                     const GError *error)
{
  const char *message = error->message;
  const char *bar = strchr (message, '|');
  g_autofree char *field = NULL;

  if (bar != NULL && memchr (message, ' ', bar - message) == NULL)
    field = g_strndup (message, bar - message);
  else if (entry->entity == CDM_ENTITY_ATTENDANCE)
    field = g_strdup ("activity");

  if (g_error_matches (error, CDM_DB_ERROR, CDM_DB_ERROR_FOREIGN_KEY))
    return rejected (entry->key, "unknown_reference", field,
                     "%s: names a record the server does not have", field ? field : "a reference");
  return rejected (entry->key, "invalid_record", NULL, "the record breaks a rule of the database");
}

/* Runs one entry in its savepoint.  FALSE only when the whole batch must
 * stop (connection lost, serialisation failure). */
static gboolean
push_one (Push        *push,
          JsonNode    *node,
          guint        index,
          JsonArray   *results,
          GError     **error)
{
  Entry entry;
  JsonObject *refusal = read_entry (node, index, &entry);

  if (refusal != NULL)
    {
      json_array_add_object_element (results, refusal);
      return TRUE;
    }

  /* Twice: a concurrent push may create the same record or store the
   * same key between our look and our write; the second look sees it. */
  for (guint attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(PGresult) stored = NULL;
      JsonObject *result;
      gboolean store = FALSE;
      Change change = { 0 };

      stored = cdm_db_exec (push->db, error, "SELECT result::text FROM applied_ops WHERE key = $1::uuid",
                            1, entry.key);
      if (stored == NULL)
        return FALSE;
      if (PQntuples (stored) > 0)
        {
          g_autoptr(JsonNode) answer = parse_json (cdm_db_get_string (stored, 0, 0), -1);
          if (answer != NULL && JSON_NODE_HOLDS_OBJECT (answer))
            {
              json_array_add_object_element (results, json_object_ref (json_node_get_object (answer)));
              return TRUE;
            }
        }

      if (!cdm_db_savepoint (push->db, "entry", error))
        return FALSE;

      result = apply_entry (push, &entry, &store, &change, &local_error);
      if (result != NULL && store)
        {
          g_autofree char *text = object_to_string (result);
          g_autoptr(PGresult) res = cdm_db_exec (push->db, &local_error,
                                                 "INSERT INTO applied_ops (key, result) VALUES ($1::uuid, $2::jsonb)",
                                                 2, entry.key, text);
          if (res == NULL)
            g_clear_pointer (&result, json_object_unref);
        }

      if (result == NULL)
        {
          change_clear (&change);
          if (!cdm_db_rollback_to (push->db, "entry", error))
            return FALSE;
          if (g_error_matches (local_error, CDM_DB_ERROR, CDM_DB_ERROR_UNIQUE) && attempt == 0)
            continue;
          if (g_error_matches (local_error, CDM_DB_ERROR, CDM_DB_ERROR_FOREIGN_KEY) ||
              g_error_matches (local_error, CDM_DB_ERROR, CDM_DB_ERROR_CONSTRAINT))
            {
              json_array_add_object_element (results, refused_by_database (&entry, local_error));
              return cdm_db_release (push->db, "entry", error);
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (!cdm_db_release (push->db, "entry", error))
        {
          json_object_unref (result);
          change_clear (&change);
          return FALSE;
        }
      if (change.id != NULL)
        g_array_append_val (push->changes, change);
      json_array_add_object_element (results, result);
      return TRUE;
    }

  json_array_add_object_element (results, rejected (entry.key, "conflict", NULL,
                                                    "the record was being written by another push; send it again"));
  return TRUE;
}

/* A PostgreSQL array literal of simple values (UUIDs, type names,
 * numbers): bound as one parameter, never part of the SQL. */
static char *
array_literal (GPtrArray *values)
{
  GString *text = g_string_new ("{");

  for (guint i = 0; i < values->len; i++)
    {
      const char *value = g_ptr_array_index (values, i);
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append (text, value ? value : "NULL");
    }
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

/* Takes the sequence numbers at the very end of the transaction (see the
 * section comment) and logs the changes under them. */
static gboolean
log_changes (Push    *push,
             GError **error)
{
  g_autoptr(PGresult) lock = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GPtrArray) types = g_ptr_array_new ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) versions = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) deleted = g_ptr_array_new ();
  g_autoptr(GPtrArray) orgs = g_ptr_array_new ();
  g_autofree char *types_text = NULL, *ids_text = NULL, *versions_text = NULL;
  g_autofree char *deleted_text = NULL, *orgs_text = NULL;
  g_autofree char *n = g_strdup_printf ("%u", push->changes->len);

  if (push->changes->len == 0)
    return TRUE;

  for (guint i = 0; i < push->changes->len; i++)
    {
      Change *change = &g_array_index (push->changes, Change, i);
      g_ptr_array_add (types, (gpointer) cdm_entity_info (change->entity)->name);
      g_ptr_array_add (ids, change->id);
      g_ptr_array_add (versions, g_strdup_printf ("%" G_GINT64_FORMAT, change->version));
      g_ptr_array_add (deleted, (gpointer) (change->deleted ? "t" : "f"));
      g_ptr_array_add (orgs, change->org);
    }
  types_text = array_literal (types);
  ids_text = array_literal (ids);
  versions_text = array_literal (versions);
  deleted_text = array_literal (deleted);
  orgs_text = array_literal (orgs);

  /* Shared: other writers go on; a reader reading the horizon waits for
   * this transaction's end.  Taken before the numbers, in its own
   * statement, so that no number is ever taken outside the lock. */
  lock = cdm_db_exec_prepared (push->db, error, "SELECT pg_advisory_xact_lock_shared (" FEED_LOCK ")", 0);
  if (lock == NULL)
    return FALSE;
  /* One block of numbers (more only for a batch over the block's size,
   * whose blocks may then have another transaction's between them: tx
   * and last bound the transaction's numbers, so that a page can still
   * end on it whole). */
  res = cdm_db_exec_prepared (push->db, error,
                              "WITH b AS (SELECT k, nextval ('change_seq') AS base "
                              "FROM generate_series (0::bigint, ($6::bigint - 1) / " FEED_BLOCK ") AS k), "
                              "n AS (SELECT b.base + (x.o - 1) % " FEED_BLOCK " AS seq, x.t, x.i, x.v, x.d, x.g "
                              "FROM unnest ($1::text[], $2::uuid[], $3::bigint[], $4::boolean[], $5::uuid[]) "
                              "WITH ORDINALITY AS x (t, i, v, d, g, o) JOIN b ON b.k = (x.o - 1) / " FEED_BLOCK ") "
                              "INSERT INTO change_log (seq, tx, last, type, id, version, deleted, org) "
                              "SELECT n.seq, min (n.seq) OVER (), max (n.seq) OVER (), n.t, n.i, n.v, n.d, n.g FROM n",
                              6, types_text, ids_text, versions_text, deleted_text, orgs_text, n);
  return res != NULL;
}

/* The safe horizon of the feed: every number up to it was taken by a
 * transaction that has ended, so the changes up to it that will ever be
 * seen are all committed.  It only grows; the last one read is kept for
 * the pulls that have not reached it yet.  Several server processes each
 * keep their own: each is true of the database.
 *
 * One worker reads it at a time, without holding horizon_mutex meanwhile
 * (a pull that takes the known one never waits); the others wait for the
 * next reading that starts after they asked, so that a pull sees at least
 * what had committed when it came (a desk sees its own push). */
static GMutex horizon_mutex;
static GCond horizon_cond;
static gint64 horizon_known = -1;
static guint64 horizon_started;   /* readings started */
static guint64 horizon_done;      /* the last reading ended */
static gboolean horizon_reading;

static gboolean
read_horizon (PGconn  *db,
              gint64  *out_horizon,
              GError **error)
{
  g_autoptr(PGresult) timeout = NULL;
  g_autoptr(PGresult) lock = NULL;
  g_autoptr(PGresult) res = NULL;

  if (!cdm_db_begin (db, error))
    return FALSE;
  timeout = cdm_db_exec (db, error, "SET LOCAL lock_timeout = '" FEED_LOCK_TIMEOUT "'", 0);
  /* Exclusive: granted once every writer that holds it shared has ended;
   * writers that come meanwhile wait the time of one statement. */
  lock = timeout ? cdm_db_exec (db, error, "SELECT pg_advisory_xact_lock (" FEED_LOCK ")", 0) : NULL;
  res = lock ? cdm_db_exec (db, error,
                            "SELECT " FEED_LAST_NUMBER, 0) : NULL;
  if (res == NULL)
    {
      cdm_db_rollback (db);
      return FALSE;
    }
  *out_horizon = cdm_db_get_int64 (res, 0, 0, 0);
  /* Read-only: ends without waiting for the disk. */
  return cdm_db_commit (db, error);
}

/* The horizon, read again unless @known_will_do and one is known.  A
 * reader that cannot get the lock in time (a writer stuck between its
 * numbers and its end) gets the horizon known so far. */
static gboolean
safe_horizon (PGconn   *db,
              gboolean  known_will_do,
              gint64   *out_horizon,
              GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 need, mine;
  gint64 horizon = -1;
  gboolean ok;

  g_mutex_lock (&horizon_mutex);
  if (known_will_do && horizon_known >= 0)
    {
      *out_horizon = horizon_known;
      g_mutex_unlock (&horizon_mutex);
      return TRUE;
    }
  /* A reading under way may have started before this request came. */
  need = horizon_started + 1;
  while (horizon_reading || horizon_done < need)
    {
      if (!horizon_reading && horizon_done < need)
        break;
      g_cond_wait (&horizon_cond, &horizon_mutex);
    }
  if (horizon_done >= need && horizon_known >= 0)
    {
      *out_horizon = horizon_known;
      g_mutex_unlock (&horizon_mutex);
      return TRUE;
    }
  horizon_reading = TRUE;
  mine = ++horizon_started;
  g_mutex_unlock (&horizon_mutex);

  ok = read_horizon (db, &horizon, &local_error);

  g_mutex_lock (&horizon_mutex);
  horizon_reading = FALSE;
  /* A reading given up counts too: those waiting for it take the horizon
   * known, which is safe, rather than wait their turn for the lock. */
  horizon_done = mine;
  if (ok)
    horizon_known = MAX (horizon_known, horizon);
  horizon = horizon_known;
  g_cond_broadcast (&horizon_cond);
  g_mutex_unlock (&horizon_mutex);

  if (ok)
    {
      *out_horizon = horizon;
      return TRUE;
    }
  /* lock_timeout: SQLSTATE 55P03, which the message names. */
  if (strstr (local_error->message, "SQLSTATE 55P03") != NULL && horizon >= 0)
    {
      g_message ("The change feed waits for a transaction in flight: %s", local_error->message);
      *out_horizon = horizon;
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* The fast path: the whole batch in a few statements.
 *
 * The answers already given and the records the batch touches are read at
 * once (the records FOR UPDATE, in id order per type, so that two batches
 * lock in the same order), every entry is decided in memory in its order
 * (a later entry on the same record sees the earlier one), and the writes
 * go out as one statement per table.  Anything the database refuses (a
 * reference to a record it does not have, an id created meanwhile by
 * another push) fails the fast path as a whole; the caller then runs the
 * batch again entry by entry, each in its savepoint, which names the entry
 * at fault and applies the others. */

typedef struct {
  CdmEntity entity;
  char *id;
  JsonObject *current;   /* with "version" and "deleted"; NULL: none yet */
  char *org;
  gboolean existed;      /* a row before this batch, held FOR UPDATE */
  gboolean dirty;        /* to be written */
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  g_free (row->id);
  g_clear_pointer (&row->current, json_object_unref);
  g_free (row->org);
  g_free (row);
}

static char *
row_key (CdmEntity   entity,
         const char *id)
{
  return g_strdup_printf ("%d/%s", (int) entity, id);
}

static char *
array_to_string (JsonArray *array)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);

  return json_to_string (node, FALSE);
}

/* Lists of references kept in link tables, for many rows at once:
 * $1 a JSON array of {id, b}. */
static const struct {
  CdmEntity entity;
  const char *field;
  const char *delete_many;
  const char *insert_many;
} link_tables[] = {
  { CDM_ENTITY_ACTIVITY, "organisers",
    "DELETE FROM activity_organisers WHERE activity = ANY ($1::uuid[])",
    "INSERT INTO activity_organisers (activity, organisation) SELECT x.id, r::uuid "
    "FROM jsonb_to_recordset ($1::jsonb) AS x (id uuid, b jsonb), jsonb_array_elements_text (x.b->'organisers') AS r" },
  { CDM_ENTITY_CONTACT, "referrals",
    "DELETE FROM contact_referrals WHERE contact = ANY ($1::uuid[])",
    "INSERT INTO contact_referrals (contact, organisation) SELECT x.id, r::uuid "
    "FROM jsonb_to_recordset ($1::jsonb) AS x (id uuid, b jsonb), jsonb_array_elements_text (x.b->'referrals') AS r" },
  { CDM_ENTITY_CONTACT, "resources",
    "DELETE FROM contact_resources WHERE contact = ANY ($1::uuid[])",
    "INSERT INTO contact_resources (contact, resource) SELECT x.id, r::uuid "
    "FROM jsonb_to_recordset ($1::jsonb) AS x (id uuid, b jsonb), jsonb_array_elements_text (x.b->'resources') AS r" },
};

static gboolean
has_items (JsonObject *record,
           const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)) > 0;
}

/* Writes the dirty rows of one type: new ones, changed ones, their links. */
static gboolean
write_rows (Push        *push,
            CdmEntity    entity,
            GPtrArray   *dirty,
            GError     **error)
{
  g_autoptr(JsonArray) fresh = json_array_new ();
  g_autoptr(JsonArray) changed = json_array_new ();
  g_autoptr(GPtrArray) relinked = g_ptr_array_new ();

  for (guint i = 0; i < dirty->len; i++)
    {
      Row *row = g_ptr_array_index (dirty, i);
      JsonObject *item = json_object_new ();
      JsonObject *body = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (row->current);

      for (GList *l = members; l != NULL; l = l->next)
        if (!g_str_equal (l->data, "version") && !g_str_equal (l->data, "deleted"))
          json_object_set_member (body, l->data, json_node_copy (json_object_get_member (row->current, l->data)));
      json_object_set_string_member (item, "id", row->id);
      json_object_set_int_member (item, "version", json_object_get_int_member (row->current, "version"));
      json_object_set_boolean_member (item, "deleted", json_object_get_boolean_member (row->current, "deleted"));
      if (row->org != NULL)
        json_object_set_string_member (item, "org", row->org);
      else
        json_object_set_null_member (item, "org");
      json_object_set_object_member (item, "b", body);
      json_array_add_object_element (row->existed ? changed : fresh, item);
      if (row->existed && !json_object_get_boolean_member (row->current, "deleted"))
        g_ptr_array_add (relinked, row->id);
    }

  if (json_array_get_length (fresh) > 0)
    {
      g_autofree char *text = array_to_string (fresh);
      g_autoptr(PGresult) res = cdm_db_exec_prepared (push->db, error, cdm_server_record_insert_many (entity), 2,
                                                      text, push->user->login);
      if (res == NULL)
        return FALSE;
      if (g_ascii_strtoull (PQcmdTuples (res), NULL, 10) != json_array_get_length (fresh))
        {
          g_set_error (error, CDM_DB_ERROR, CDM_DB_ERROR_UNIQUE, "A record was created meanwhile");
          return FALSE;
        }
    }
  if (json_array_get_length (changed) > 0)
    {
      g_autofree char *text = array_to_string (changed);
      g_autoptr(PGresult) res = cdm_db_exec_prepared (push->db, error, cdm_server_record_update_many (entity), 2,
                                                      text, push->user->login);
      if (res == NULL)
        return FALSE;
    }

  for (guint l = 0; l < G_N_ELEMENTS (link_tables); l++)
    {
      g_autoptr(JsonArray) lists = json_array_new ();

      if (link_tables[l].entity != entity)
        continue;
      if (relinked->len > 0)
        {
          g_autofree char *ids = array_literal (relinked);
          g_autoptr(PGresult) res = cdm_db_exec_prepared (push->db, error, link_tables[l].delete_many, 1, ids);
          if (res == NULL)
            return FALSE;
        }
      for (guint i = 0; i < dirty->len; i++)
        {
          Row *row = g_ptr_array_index (dirty, i);
          JsonObject *item;

          if (json_object_get_boolean_member (row->current, "deleted") ||
              !has_items (row->current, link_tables[l].field))
            continue;
          item = json_object_new ();
          json_object_set_string_member (item, "id", row->id);
          json_object_set_object_member (item, "b", json_object_ref (row->current));
          json_array_add_object_element (lists, item);
        }
      if (json_array_get_length (lists) > 0)
        {
          g_autofree char *text = array_to_string (lists);
          g_autoptr(PGresult) res = cdm_db_exec_prepared (push->db, error, link_tables[l].insert_many, 1, text);
          if (res == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

static void
object_unref_nullable (gpointer object)
{
  if (object != NULL)
    json_object_unref (object);
}

static gboolean
push_fast (Push       *push,
           JsonArray  *entries,
           JsonArray  *results,
           GError    **error)
{
  guint n = json_array_get_length (entries);
  g_autofree Entry *parsed = g_new0 (Entry, n);
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_full (n, object_unref_nullable);
  g_autoptr(GHashTable) answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  g_autoptr(GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, row_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(JsonArray) ops = json_array_new ();
  g_autoptr(JsonArray) conflicts = json_array_new ();

  for (guint i = 0; i < n; i++)
    {
      JsonObject *refusal = read_entry (json_array_get_element (entries, i), i, &parsed[i]);
      g_ptr_array_add (refusals, refusal);
      if (refusal == NULL)
        g_ptr_array_add (keys, (gpointer) parsed[i].key);
    }

  /* The answers already given to these keys. */
  if (keys->len > 0)
    {
      g_autofree char *list = array_literal (keys);
      g_autoptr(PGresult) res = cdm_db_exec_prepared (push->db, error,
                                                      "SELECT key::text, result::text FROM applied_ops WHERE key = ANY ($1::uuid[])",
                                                      1, list);
      if (res == NULL)
        return FALSE;
      for (int r = 0; r < PQntuples (res); r++)
        {
          g_autoptr(JsonNode) answer = parse_json (cdm_db_get_string (res, r, 1), -1);
          if (answer != NULL && JSON_NODE_HOLDS_OBJECT (answer))
            g_hash_table_insert (answers, g_strdup (cdm_db_get_string (res, r, 0)),
                                 json_object_ref (json_node_get_object (answer)));
        }
    }

  /* The records they touch, held until commit. */
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    {
      g_autoptr(GPtrArray) ids = g_ptr_array_new ();
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      g_autofree char *sql = NULL;
      g_autofree char *list = NULL;
      g_autoptr(PGresult) res = NULL;

      for (guint i = 0; i < n; i++)
        if (g_ptr_array_index (refusals, i) == NULL && parsed[i].entity == e &&
            !g_hash_table_contains (answers, parsed[i].key) && g_hash_table_add (seen, (gpointer) parsed[i].id))
          g_ptr_array_add (ids, (gpointer) parsed[i].id);
      if (ids->len == 0)
        continue;

      sql = g_strdup_printf ("SELECT id::text, version, deleted, body::text, org::text FROM %s "
                             "WHERE id = ANY ($1::uuid[]) ORDER BY id FOR UPDATE",
                             cdm_server_records_table ((CdmEntity) e));
      list = array_literal (ids);
      res = cdm_db_exec_prepared (push->db, error, sql, 1, list);
      if (res == NULL)
        return FALSE;
      for (int r = 0; r < PQntuples (res); r++)
        {
          Row *row = g_new0 (Row, 1);

          row->entity = (CdmEntity) e;
          row->id = g_strdup (cdm_db_get_string (res, r, 0));
          row->current = cdm_server_record_from_row (cdm_db_get_string (res, r, 3), cdm_db_get_int64 (res, r, 1, 0),
                                                     cdm_db_get_bool (res, r, 2));
          row->org = g_strdup (cdm_db_get_string (res, r, 4));
          row->existed = TRUE;
          g_hash_table_insert (rows, row_key (row->entity, row->id), row);
        }
    }

  /* Every entry, in order, in memory. */
  for (guint i = 0; i < n; i++)
    {
      Entry *entry = &parsed[i];
      g_auto(Decision) decision = { 0 };
      g_autofree char *key = NULL;
      JsonObject *result;
      JsonObject *answer;
      Row *row;

      if (g_ptr_array_index (refusals, i) != NULL)
        {
          json_array_add_object_element (results, g_ptr_array_index (refusals, i));
          refusals->pdata[i] = NULL;
          continue;
        }
      answer = g_hash_table_lookup (answers, entry->key);
      if (answer != NULL)
        {
          json_array_add_object_element (results, json_object_ref (answer));
          continue;
        }

      key = row_key (entry->entity, entry->id);
      row = g_hash_table_lookup (rows, key);
      if (row == NULL)
        {
          row = g_new0 (Row, 1);
          row->entity = entry->entity;
          row->id = g_strdup (entry->id);
          g_hash_table_insert (rows, g_steal_pointer (&key), row);
        }

      result = decide_entry (push, entry, row->current, row->org, &decision, error);
      if (result == NULL)
        return FALSE;
      json_array_add_object_element (results, result);
      if (decision.merge == NULL)
        continue;

      {
        JsonObject *op = json_object_new ();
        json_object_set_string_member (op, "key", entry->key);
        json_object_set_object_member (op, "result", json_object_ref (result));
        json_array_add_object_element (ops, op);
        g_hash_table_insert (answers, g_strdup (entry->key), json_object_ref (result));
      }

      if (decision.merge->changed)
        {
          Change change = { 0 };
          JsonObject *now;

          if (decision.merge->deleted)
            {
              now = cdm_server_record_from_row (NULL, 0, TRUE);
              {
                g_autoptr(GList) members = json_object_get_members (row->current);
                for (GList *l = members; l != NULL; l = l->next)
                  json_object_set_member (now, l->data, json_node_copy (json_object_get_member (row->current, l->data)));
              }
              json_object_set_boolean_member (now, "deleted", TRUE);
            }
          else
            {
              now = json_object_new ();
              {
                g_autoptr(GList) members = json_object_get_members (decision.record);
                for (GList *l = members; l != NULL; l = l->next)
                  json_object_set_member (now, l->data, json_node_copy (json_object_get_member (decision.record, l->data)));
              }
              json_object_set_boolean_member (now, "deleted", FALSE);
            }
          json_object_set_int_member (now, "version", decision.version);
          g_clear_pointer (&row->current, json_object_unref);
          row->current = now;
          g_free (row->org);
          row->org = g_strdup (decision.org);
          row->dirty = TRUE;

          change.entity = entry->entity;
          change.id = g_strdup (entry->id);
          change.version = decision.version;
          change.deleted = decision.merge->deleted;
          change.org = g_strdup (decision.org);
          g_array_append_val (push->changes, change);
        }

      for (guint c = 0; c < decision.merge->conflicts->len; c++)
        {
          CdmMergeConflict *conflict = g_ptr_array_index (decision.merge->conflicts, c);
          JsonObject *item = json_object_new ();

          json_object_set_string_member (item, "type", cdm_entity_info (entry->entity)->name);
          json_object_set_string_member (item, "record", entry->id);
          json_object_set_string_member (item, "field", conflict->field);
          json_object_set_member (item, "kept", json_node_copy (conflict->kept));
          json_object_set_member (item, "other", json_node_copy (conflict->other));
          json_object_set_string_member (item, "key", entry->key);
          json_object_set_int_member (item, "base_version", entry->base_version);
          json_object_set_int_member (item, "version", decision.version);
          json_array_add_object_element (conflicts, item);
        }
    }

  /* The writes, one statement per table. */
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    {
      g_autoptr(GPtrArray) dirty = g_ptr_array_new ();
      GHashTableIter iter;
      Row *row;

      g_hash_table_iter_init (&iter, rows);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
        if (row->entity == e && row->dirty)
          g_ptr_array_add (dirty, row);
      if (dirty->len > 0 && !write_rows (push, (CdmEntity) e, dirty, error))
        return FALSE;
    }

  if (json_array_get_length (conflicts) > 0)
    {
      g_autofree char *text = array_to_string (conflicts);
      g_autoptr(PGresult) res = cdm_db_exec_prepared (push->db, error,
                                                      "INSERT INTO conflicts (type, record, field, kept, other, key, "
                                                      "base_version, version, login, desk) SELECT x.type, x.record, x.field, "
                                                      "x.kept, x.other, x.key, x.base_version, x.version, $2, $3 "
                                                      "FROM jsonb_to_recordset ($1::jsonb) AS x (type text, record uuid, "
                                                      "field text, kept jsonb, other jsonb, key uuid, base_version bigint, "
                                                      "version bigint)",
                                                      3, text, push->user->login, push->desk);
      if (res == NULL)
        return FALSE;
    }
  if (json_array_get_length (ops) > 0)
    {
      g_autofree char *text = array_to_string (ops);
      g_autoptr(PGresult) res = cdm_db_exec_prepared (push->db, error,
                                                      "INSERT INTO applied_ops (key, result) SELECT x.key, x.result "
                                                      "FROM jsonb_to_recordset ($1::jsonb) AS x (key uuid, result jsonb)",
                                                      1, text);
      if (res == NULL)
        return FALSE;
    }
  return TRUE;
}

/* What makes the fast path give way to the careful one. */
static gboolean
refused_by_rules (const GError *error)
{
  return g_error_matches (error, CDM_DB_ERROR, CDM_DB_ERROR_FOREIGN_KEY) ||
         g_error_matches (error, CDM_DB_ERROR, CDM_DB_ERROR_UNIQUE) ||
         g_error_matches (error, CDM_DB_ERROR, CDM_DB_ERROR_CONSTRAINT);
}

JsonArray *
cdm_server_push_entries (PGconn        *db,
                         const CdmUser *user,
                         const char    *desk,
                         JsonArray     *entries,
                         GError       **error)
{
  g_return_val_if_fail (db != NULL && user != NULL && entries != NULL, NULL);

  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(JsonArray) results = json_array_new ();
      g_autoptr(GArray) changes = g_array_new (FALSE, TRUE, sizeof (Change));
      g_autoptr(GError) local_error = NULL;
      Push push = { db, user, desk, changes };
      gboolean ok;

      g_array_set_clear_func (changes, change_clear);

      ok = cdm_db_begin (db, &local_error) && push_fast (&push, entries, results, &local_error);
      if (!ok && refused_by_rules (local_error))
        {
          /* Entry by entry, to find the one at fault. */
          cdm_db_rollback (db);
          g_clear_error (&local_error);
          g_clear_pointer (&results, json_array_unref);
          results = json_array_new ();
          g_array_set_size (changes, 0);
          ok = cdm_db_begin (db, &local_error);
          for (guint i = 0; ok && i < json_array_get_length (entries); i++)
            ok = push_one (&push, json_array_get_element (entries, i), i, results, &local_error);
        }
      ok = ok && log_changes (&push, &local_error) && cdm_db_commit (db, &local_error);
      if (ok)
        return g_steal_pointer (&results);

      cdm_db_rollback (db);
      /* Two batches locking the same records in opposite orders: one is
       * chosen as the deadlock victim; it starts again from scratch. */
      if (!g_error_matches (local_error, CDM_DB_ERROR, CDM_DB_ERROR_SERIALIZATION) || attempt >= PUSH_ATTEMPTS)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_usleep (g_random_int_range (1000, 20000) * attempt);
    }
}

/* POST /sync/push */
static void
handle_push (CdmRequest *req,
             PGconn     *db)
{
  JsonObject *body = cdm_request_require_object (req);
  const CdmServerConfig *config = cdm_server_get_config (req->server);
  g_autoptr(JsonArray) results = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *answer;
  JsonArray *entries;
  JsonNode *node;
  const char *desk;

  if (body == NULL)
    return;

  node = json_object_get_member (body, "entries");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "entries",
                                     "entries: expected an array of push entries");
      return;
    }
  entries = json_node_get_array (node);
  if (config->max_batch > 0 && json_array_get_length (entries) > config->max_batch)
    {
      cdm_request_reply_error_field (req, 413, "too_large", "entries",
                                     "entries: %u entries, at most %u in one push",
                                     json_array_get_length (entries), config->max_batch);
      return;
    }

  node = json_object_get_member (body, "desk");
  desk = req->user->desk;
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      desk = optional_string (body, "desk");
      if (desk == NULL || !cdm_uuid_valid (desk))
        {
          cdm_request_reply_error_field (req, 400, "bad_request", "desk", "desk: expected a lower-case UUID");
          return;
        }
    }

  results = cdm_server_push_entries (db, req->user, desk, entries, &error);
  if (results == NULL)
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  answer = json_object_new ();
  json_object_set_array_member (answer, "results", g_steal_pointer (&results));
  cdm_request_reply_json (req, 200, json_node_init_object (json_node_alloc (), answer));
  json_object_unref (answer);
}

/* The change feed. */

/* Starts the one snapshot a long read answers from, in one round trip. */
static gboolean
begin_read (PGconn  *db,
            GError **error)
{
  g_autoptr(PGresult) res = cdm_db_exec (db, error, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0);

  return res != NULL;
}

/* GET /sync/cursor */
static void
handle_cursor (CdmRequest *req,
               PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();
  gint64 horizon;

  /* Everything up to it is committed: the cursor is never ahead of the
   * data. */
  if (!safe_horizon (db, FALSE, &horizon, &error))
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  json_object_set_int_member (answer, "cursor", horizon);
  cdm_request_reply_json (req, 200, json_node_init_object (json_node_alloc (), answer));
}

/* Appends a live record as the API shows it: its body as PostgreSQL
 * wrote it (jsonb text, an object) with "version" and "deleted" added.
 * The body never holds those two (they are columns, and both write
 * paths leave them out of it: write_body(), write_rows()), so adding
 * them here gives what `body || jsonb_build_object (…)` gave, without
 * PostgreSQL building a second jsonb per record. */
static void
append_record (GString    *out,
               const char *body,
               gint64      version)
{
  gsize len = strlen (body);

  while (len > 0 && g_ascii_isspace (body[len - 1]))
    len--;
  /* Not an object: the row is damaged; an empty record still says which
   * version there is rather than break the whole page. */
  if (len < 2 || body[0] != '{' || body[len - 1] != '}')
    {
      g_string_append_printf (out, "{\"version\": %" G_GINT64_FORMAT ", \"deleted\": false}", version);
      return;
    }
  len--;
  while (len > 1 && g_ascii_isspace (body[len - 1]))
    len--;
  g_string_append_len (out, body, len);
  g_string_append_printf (out, "%s\"version\": %" G_GINT64_FORMAT ", \"deleted\": false}",
                          len > 1 ? ", " : "", version);
}

/* A record of a pull page: its row in one of the bodies results. */
typedef struct {
  gint64 version;
  gboolean deleted;
  const char *text;   /* body::text, owned by the result */
} Body;

/* The bodies of a type's records changed in the page (cursor, end]: one
 * join on the change log's numbers, rather than a list of ids.  Built
 * once from the table names (never from data). */
static char *pull_bodies[CDM_N_ENTITIES];

static gpointer
build_pull_bodies (gpointer data)
{
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    {
      const char *table;

      /* Users and desks are not records of the feed. */
      if (e == CDM_ENTITY_USER || e == CDM_ENTITY_DESK)
        continue;
      table = cdm_server_records_table ((CdmEntity) e);
      pull_bodies[e] = g_strdup_printf ("SELECT r.id::text, r.version, r.deleted, r.body::text FROM %s r "
                                        "WHERE r.id IN (SELECT c.id FROM change_log c "
                                        "WHERE c.seq > $1::bigint AND c.seq <= $2::bigint AND c.type = $3)",
                                        table);
    }
  return NULL;
}

/* Reads the bodies of the changes of one type in (from, to], in one
 * query; the texts stay in the result, kept in @results. */
static gboolean
load_bodies (PGconn      *db,
             CdmEntity    entity,
             const char  *from,
             const char  *to,
             GPtrArray   *results,
             GHashTable  *bodies,
             GError     **error)
{
  static GOnce once = G_ONCE_INIT;
  PGresult *res;

  g_once (&once, build_pull_bodies, NULL);
  g_return_val_if_fail (pull_bodies[entity] != NULL, FALSE);
  res = cdm_db_exec_prepared (db, error, pull_bodies[entity], 3, from, to, cdm_entity_info (entity)->name);
  if (res == NULL)
    return FALSE;
  g_ptr_array_add (results, res);
  for (int r = 0; r < PQntuples (res); r++)
    {
      Body *body = g_new0 (Body, 1);

      body->version = cdm_db_get_int64 (res, r, 1, 0);
      body->deleted = cdm_db_get_bool (res, r, 2);
      body->text = cdm_db_get_string (res, r, 3);
      g_hash_table_insert (bodies, (gpointer) cdm_db_get_string (res, r, 0), body);
    }
  return TRUE;
}

/* GET /sync/pull?cursor=N&limit=M */
static void
handle_pull (CdmRequest *req,
             PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) counter = NULL;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) PQclear);
  g_autoptr(PGresult) after = NULL;
  g_autoptr(GPtrArray) body_results = g_ptr_array_new_with_free_func ((GDestroyNotify) PQclear);
  g_autoptr(GHashTable) bodies = NULL;
  g_autoptr(GString) out = NULL;
  g_autofree char *cursor_text = NULL;
  g_autofree char *limit_text = NULL;
  const char *scope = cdm_server_contact_scope (req->user);
  gboolean contacts = cdm_server_may_read (req->user, CDM_ENTITY_CONTACT);
  gboolean first = TRUE;
  gint64 cursor, limit, horizon, newest, last, safe, end;
  gboolean fresh;
  g_autofree char *safe_text = NULL;
  gsize len;

  if (!cdm_request_get_query_int64 (req, "cursor", 0, 0, G_MAXINT64, &cursor) ||
      !cdm_request_get_query_int64 (req, "limit", PULL_DEFAULT_LIMIT, 1, PULL_MAX_LIMIT, &limit))
    return;

  /* A pull reads up to the horizon known to this process when that fills
   * its page; otherwise (it would end short of what is committed) it reads
   * the horizon again and starts over.  Always before the snapshot: what
   * is below the horizon is committed, and so in the snapshot. */
  fresh = FALSE;
again:
  if (!safe_horizon (db, !fresh, &safe, &error))
    goto db_error;
  if (cursor >= safe && !fresh)
    {
      fresh = TRUE;
      goto again;
    }

  /* One snapshot for the page and the bodies it carries. */
  if (!begin_read (db, &error))
    goto db_error;

  counter = cdm_db_exec_prepared (db, &error,
                                  "SELECT " FEED_LAST_NUMBER ", horizon FROM sync_counter", 0);
  if (counter == NULL)
    goto db_error;
  newest = cdm_db_get_int64 (counter, 0, 0, 0);
  horizon = cdm_db_get_int64 (counter, 0, 1, 0);
  if (cursor < horizon || cursor > newest)
    {
      cdm_db_rollback (db);
      cdm_request_reply_error_field (req, 410, "rebootstrap", "cursor",
                                     cursor < horizon ?
                                     "cursor: %" G_GINT64_FORMAT " is older than the change log kept by the server "
                                     "(from %" G_GINT64_FORMAT "); download a snapshot again" :
                                     "cursor: %" G_GINT64_FORMAT " is ahead of the server's change log "
                                     "(at %" G_GINT64_FORMAT "); download a snapshot again",
                                     cursor, cursor < horizon ? horizon : newest);
      return;
    }

  g_clear_pointer (&cursor_text, g_free);
  g_clear_pointer (&limit_text, g_free);
  g_clear_pointer (&safe_text, g_free);
  cursor_text = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);
  limit_text = g_strdup_printf ("%" G_GINT64_FORMAT, limit);
  safe_text = g_strdup_printf ("%" G_GINT64_FORMAT, safe);
  {
    PGresult *page = cdm_db_exec_prepared (db, &error,
                                           "SELECT seq, tx, type, id::text, version, deleted, org::text, last "
                                           "FROM change_log WHERE seq > $1::bigint AND seq <= $2::bigint "
                                           "ORDER BY seq LIMIT $3::bigint",
                                           3, cursor_text, safe_text, limit_text);
    if (page == NULL)
      goto db_error;
    if (PQntuples (page) < limit && !fresh)
      {
        PQclear (page);
        cdm_db_rollback (db);
        g_clear_pointer (&counter, PQclear);
        fresh = TRUE;
        goto again;
      }
    g_ptr_array_add (parts, page);
  }
  /* The page ends on whole transactions: up to the last number of every
   * transaction it holds a change of, and of those it then takes in (two
   * transactions' numbers may interleave).  All of them are at most the
   * horizon, taken in one statement before it was read. */
  last = cursor;
  end = cursor;
  for (guint p = 0; p < parts->len; p++)
    {
      PGresult *part = g_ptr_array_index (parts, p);
      gint64 reached = end;
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;
      PGresult *more;

      for (int r = 0; r < PQntuples (part); r++)
        {
          reached = MAX (reached, cdm_db_get_int64 (part, r, 0, reached));
          end = MAX (end, cdm_db_get_int64 (part, r, 7, end));
        }
      if (end <= reached)
        break;
      from = g_strdup_printf ("%" G_GINT64_FORMAT, reached);
      to = g_strdup_printf ("%" G_GINT64_FORMAT, end);
      more = cdm_db_exec_prepared (db, &error,
                                   "SELECT seq, tx, type, id::text, version, deleted, org::text, last FROM change_log "
                                   "WHERE seq > $1::bigint AND seq <= $2::bigint ORDER BY seq", 2, from, to);
      if (more == NULL)
        goto db_error;
      g_ptr_array_add (parts, more);
    }

  /* The records, one query per type the page holds, over the page's
   * numbers: the parts are one run of them, (cursor, end]. */
  bodies = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  {
    gboolean present[CDM_N_ENTITIES] = { FALSE };
    gint64 top = cursor;
    g_autofree char *top_text = NULL;

    for (guint p = 0; p < parts->len; p++)
      {
        PGresult *part = g_ptr_array_index (parts, p);
        CdmEntity entity;

        for (int r = 0; r < PQntuples (part); r++)
          {
            top = MAX (top, cdm_db_get_int64 (part, r, 0, top));
            if (cdm_server_records_entity (cdm_db_get_string (part, r, 2), &entity))
              present[entity] = TRUE;
          }
      }
    top_text = g_strdup_printf ("%" G_GINT64_FORMAT, top);
    for (guint t = 0; t < CDM_N_ENTITIES; t++)
      if (present[t] && !load_bodies (db, (CdmEntity) t, cursor_text, top_text, body_results, bodies, &error))
        goto db_error;
  }

  /* The page as text: type names and ids are ours (a vocabulary, UUIDs),
   * the records are PostgreSQL's own JSON. */
  out = g_string_sized_new (4096);
  g_string_append (out, "{\"changes\":[");
  for (guint p = 0; p < parts->len; p++)
    for (int r = 0; r < PQntuples (g_ptr_array_index (parts, p)); r++)
      {
        PGresult *part = g_ptr_array_index (parts, p);
        const char *type = cdm_db_get_string (part, r, 2);
        const char *id = cdm_db_get_string (part, r, 3);
        const char *org = cdm_db_get_string (part, r, 6);
        Body *body = g_hash_table_lookup (bodies, id);
        CdmEntity entity;

        last = cdm_db_get_int64 (part, r, 0, last);
        if (!cdm_server_records_entity (type, &entity) || body == NULL)
          continue;
        /* Scope at read time: what the caller may see now. */
        if (entity == CDM_ENTITY_CONTACT && (!contacts || (scope != NULL && g_strcmp0 (org, scope) != 0)))
          continue;

        /* The record as it is now, which may be newer than this entry of
         * the log: a later entry says so again. */
        g_string_append_printf (out, "%s{\"seq\":%" G_GINT64_FORMAT ",\"type\":\"%s\",\"id\":\"%s\","
                                "\"version\":%" G_GINT64_FORMAT ",\"deleted\":%s,\"record\":",
                                first ? "" : ",", last, cdm_entity_info (entity)->name, id, body->version,
                                body->deleted ? "true" : "false");
        if (body->deleted)
          g_string_append (out, "null}");
        else
          {
            append_record (out, body->text, body->version);
            g_string_append_c (out, '}');
          }
        first = FALSE;
      }

  /* A page that was not full holds everything up to the horizon: the
   * cursor moves there, over the numbers of transactions rolled back. */
  if (PQntuples (g_ptr_array_index (parts, 0)) < limit)
    last = MAX (last, safe);
  {
    g_autofree char *last_text = g_strdup_printf ("%" G_GINT64_FORMAT, last);
    /* More up to the horizon.  A page that used the horizon known
     * without reading it again says "more" when anything is past it: the
     * next pull reads it again.  One that read it stops there (a writer
     * in flight holds it back: no "more" without progress). */
    after = cdm_db_exec_prepared (db, &error,
                                  "SELECT EXISTS (SELECT 1 FROM change_log WHERE seq > $1::bigint "
                                  "AND ($3::boolean OR seq <= $2::bigint))",
                                  3, last_text, safe_text, fresh ? "false" : "true");
    if (after == NULL)
      goto db_error;
  }
  cdm_db_rollback (db);

  g_string_append_printf (out, "],\"cursor\":%" G_GINT64_FORMAT ",\"more\":%s}", last,
                          cdm_db_get_bool (after, 0, 0) ? "true" : "false");
  len = out->len;
  cdm_request_reply_json_bytes (req, 200, g_bytes_new_take (g_string_free (g_steal_pointer (&out), FALSE), len));
  return;

db_error:
  cdm_db_rollback (db);
  cdm_request_reply_db_error (req, error);
}

/* Reads the type query parameter (or path parameter) and checks the
 * caller may read it; replies and returns FALSE otherwise. */
static gboolean
readable_type (CdmRequest  *req,
               const char  *field,
               const char  *type,
               CdmEntity   *out_entity)
{
  if (!cdm_server_records_entity (type, out_entity))
    {
      if (type == NULL)
        cdm_request_reply_error_field (req, 400, "bad_request", field, "%s: required", field);
      else
        cdm_request_reply_error_field (req, g_str_equal (field, "table") ? 404 : 400,
                                       g_str_equal (field, "table") ? "not_found" : "bad_request", field,
                                       "%s: expected one of organisation, resource, activity, attendance, "
                                       "contact, multimedia_tally, closure, satisfaction", field);
      return FALSE;
    }
  if (!cdm_server_may_read (req->user, *out_entity))
    {
      cdm_request_reply_error (req, 403, "forbidden", "a %s may not read records of type %s",
                               cdm_role_to_string (req->user->role), type);
      return FALSE;
    }
  return TRUE;
}

/* GET /sync/snapshot?type=T&after=ID&limit=M */
static void
handle_snapshot (CdmRequest *req,
                 PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GString) out = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *limit_text = NULL;
  const char *type = cdm_request_get_query (req, "type");
  const char *after = cdm_request_get_query (req, "after");
  const char *scope = cdm_server_contact_scope (req->user);
  CdmEntity entity;
  gint64 limit, horizon;
  gsize len;
  int n;

  if (!readable_type (req, "type", type, &entity) ||
      !cdm_request_get_query_int64 (req, "limit", PULL_DEFAULT_LIMIT, 1, PULL_MAX_LIMIT, &limit))
    return;
  if (after != NULL && !cdm_uuid_valid (after))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "after", "after: expected a lower-case UUID");
      return;
    }
  if (entity != CDM_ENTITY_CONTACT)
    scope = NULL;

  /* The cursor: read before the snapshot, so that every change up to it
   * is in the records (a later one may be too, and comes again). */
  if (!safe_horizon (db, FALSE, &horizon, &error))
    goto db_error;

  /* One statement, so one snapshot, without a transaction around it.
   * The filters that are absent are left out of the text rather than
   * written "$1 IS NULL OR …": the statement is prepared, and a generic
   * plan of that cannot walk the primary key from "after". */
  limit_text = g_strdup_printf ("%" G_GINT64_FORMAT, limit);
  {
    g_autoptr(GString) text = g_string_new (NULL);
    const char *values[3];
    int n_values = 0;

    /* "ORDER BY r.id", the uuid column: a bare "id" would be the
     * output column id::text, sorted as text after reading the whole
     * table, instead of walking the primary key from "after". */
    g_string_append_printf (text, "SELECT r.id::text, r.version, r.body::text FROM %s r WHERE NOT r.deleted",
                            cdm_server_records_table (entity));
    if (after != NULL)
      {
        values[n_values++] = after;
        g_string_append_printf (text, " AND r.id > $%d::uuid", n_values);
      }
    if (scope != NULL)
      {
        values[n_values++] = scope;
        g_string_append_printf (text, " AND r.org = $%d::uuid", n_values);
      }
    values[n_values++] = limit_text;
    g_string_append_printf (text, " ORDER BY r.id LIMIT $%d::bigint", n_values);
    sql = g_string_free (g_steal_pointer (&text), FALSE);
    res = cdm_db_execv_prepared (db, sql, n_values, values, &error);
  }
  if (res == NULL)
    goto db_error;

  /* The page as text, the records as PostgreSQL wrote them. */
  n = PQntuples (res);
  out = g_string_sized_new (4096);
  g_string_append_printf (out, "{\"type\":\"%s\",\"records\":[", cdm_entity_info (entity)->name);
  for (int r = 0; r < n; r++)
    {
      if (r > 0)
        g_string_append_c (out, ',');
      append_record (out, cdm_db_get_string (res, r, 2), cdm_db_get_int64 (res, r, 1, 0));
    }
  g_string_append (out, "],\"next\":");
  if (n == limit)
    g_string_append_printf (out, "\"%s\"", cdm_db_get_string (res, n - 1, 0));
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ",\"cursor\":%" G_GINT64_FORMAT "}", horizon);
  len = out->len;
  cdm_request_reply_json_bytes (req, 200, g_bytes_new_take (g_string_free (g_steal_pointer (&out), FALSE), len));
  return;

db_error:
  cdm_db_rollback (db);
  cdm_request_reply_db_error (req, error);
}

/* GET /sync/checksums: per type, the live records the caller sees and a
 * checksum of their sorted (id, version). */
static void
handle_checksums (CdmRequest *req,
                  PGconn     *db)
{
  static const CdmEntity types[] = {
    CDM_ENTITY_ORGANISATION, CDM_ENTITY_RESOURCE, CDM_ENTITY_ACTIVITY, CDM_ENTITY_ATTENDANCE,
    CDM_ENTITY_CONTACT, CDM_ENTITY_MULTIMEDIA_TALLY, CDM_ENTITY_CLOSURE, CDM_ENTITY_SATISFACTION,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = json_object_new ();
  JsonObject *per_type = json_object_new ();
  const char *scope = cdm_server_contact_scope (req->user);

  json_object_set_object_member (answer, "types", per_type);
  if (!begin_read (db, &error))
    goto db_error;
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(PGresult) res = NULL;
      JsonObject *entry;

      if (!cdm_server_may_read (req->user, types[i]))
        continue;
      sql = g_strdup_printf ("SELECT count(*), md5 (COALESCE (string_agg (id::text || ':' || version, ',' "
                             "ORDER BY id), '')) FROM %s WHERE NOT deleted AND ($1::uuid IS NULL OR org = $1::uuid)",
                             cdm_server_records_table (types[i]));
      res = cdm_db_exec (db, &error, sql, 1, types[i] == CDM_ENTITY_CONTACT ? scope : NULL);
      if (res == NULL)
        goto db_error;
      entry = json_object_new ();
      json_object_set_int_member (entry, "count", cdm_db_get_int64 (res, 0, 0, 0));
      json_object_set_string_member (entry, "checksum", cdm_db_get_string (res, 0, 1));
      json_object_set_object_member (per_type, cdm_entity_info (types[i])->name, entry);
    }
  cdm_db_rollback (db);
  cdm_request_reply_json (req, 200, json_node_init_object (json_node_alloc (), answer));
  return;

db_error:
  cdm_db_rollback (db);
  cdm_request_reply_db_error (req, error);
}

/* Pruning. */

gboolean
cdm_server_sync_prune (PGconn  *db,
                       gint64   older_than,
                       gint64  *out_horizon,
                       GError **error)
{
  g_autofree char *seconds = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (older_than, 0));
  g_autoptr(PGresult) lock = NULL;
  g_autoptr(PGresult) cut = NULL;
  g_autofree char *safe_text = NULL;
  gint64 safe;
  g_autoptr(PGresult) log = NULL;
  g_autoptr(PGresult) ops = NULL;

  /* Only below the safe horizon: a change that commits late, below the
   * cut, would otherwise stay in the log under a horizon past it. */
  if (!safe_horizon (db, FALSE, &safe, error))
    return FALSE;
  safe_text = g_strdup_printf ("%" G_GINT64_FORMAT, safe);
  if (!cdm_db_begin (db, error))
    return FALSE;
  /* One pruning at a time. */
  lock = cdm_db_exec (db, error, "SELECT horizon FROM sync_counter FOR UPDATE", 0);
  cut = lock ? cdm_db_exec (db, error,
                            "UPDATE sync_counter SET horizon = GREATEST (horizon, COALESCE ("
                            "(SELECT max (seq) FROM change_log WHERE at <= now () - make_interval (secs => $1::bigint) "
                            "AND seq <= $2::bigint), 0)) "
                            "RETURNING horizon", 2, seconds, safe_text) : NULL;
  log = cut ? cdm_db_exec (db, error, "DELETE FROM change_log WHERE seq <= $1::bigint", 1,
                           cdm_db_get_string (cut, 0, 0)) : NULL;
  ops = log ? cdm_db_exec (db, error, "DELETE FROM applied_ops WHERE at <= now () - make_interval (secs => $1::bigint)",
                           1, seconds) : NULL;
  if (ops == NULL || !cdm_db_commit (db, error))
    {
      cdm_db_rollback (db);
      return FALSE;
    }
  if (out_horizon != NULL)
    *out_horizon = cdm_db_get_int64 (cut, 0, 0, 0);
  return TRUE;
}

int
cdm_server_sync_prune_main (const char  *conninfo,
                            int          argc,
                            char       **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— forget the change log past its retention window");
  g_autoptr(GError) error = NULL;
  gint64 older_than = -1;
  gint64 horizon = 0;
  PGconn *db;
  GOptionEntry entries[] = {
    { "older-than", 0, 0, G_OPTION_ARG_INT64, &older_than,
      "Forget changes older than SECONDS (default: 90 days)", "SECONDS" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "cdm-server prune: %s\n", error->message);
      return 2;
    }
  /* Without --older-than: the default retention window. */
  if (older_than < 0)
    older_than = (gint64) CDM_SERVER_DEFAULT_RETENTION_DAYS * 24 * 3600;
  db = PQconnectdb (conninfo ? conninfo : "");
  if (PQstatus (db) != CONNECTION_OK)
    {
      fprintf (stderr, "cdm-server prune: cannot connect to the database: %s", PQerrorMessage (db));
      PQfinish (db);
      return 1;
    }
  if (!cdm_server_sync_prune (db, older_than, &horizon, &error))
    {
      fprintf (stderr, "cdm-server prune: %s\n", error->message);
      PQfinish (db);
      return 1;
    }
  PQfinish (db);
  printf ("horizon %" G_GINT64_FORMAT "\n", horizon);
  return 0;
}

void
cdm_server_sync_register (CdmServer *server)
{
  cdm_server_add_route (server, "GET", "/api/v1/sync/cursor", CDM_ROLES_ALL, handle_cursor);
  cdm_server_add_route (server, "GET", "/api/v1/sync/pull", CDM_ROLES_ALL | CDM_ROUTE_LONG_READ, handle_pull);
  cdm_server_add_route (server, "GET", "/api/v1/sync/snapshot", CDM_ROLES_ALL | CDM_ROUTE_LONG_READ, handle_snapshot);
  cdm_server_add_route (server, "POST", "/api/v1/sync/push", CDM_ROLES_ALL, handle_push);
  cdm_server_add_route (server, "GET", "/api/v1/sync/checksums", CDM_ROLES_ALL | CDM_ROUTE_LONG_READ,
                        handle_checksums);
  cdm_server_records_register (server);
  cdm_server_figures_register (server);
}
