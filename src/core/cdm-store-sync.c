/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-store-sync.c: the store's side of sync (cdm-sync-store.h).
 *
 * Every function that writes takes the store's lock through
 * cdm_store_begin() and checks the whole server answer before it writes
 * anything, so that a malformed answer leaves the store exactly as it was.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cdm-merge.h"
#include "cdm-search-private.h"
#include "cdm-snapshot-page.h"
#include "cdm-store-private.h"
#include "cdm-sync-store.h"

G_DEFINE_QUARK (cdm-sync-store-error-quark, cdm_sync_store_error)

const CdmEntity cdm_sync_entities[] = {
  CDM_ENTITY_ORGANISATION,
  CDM_ENTITY_RESOURCE,
  CDM_ENTITY_ACTIVITY,
  CDM_ENTITY_CLOSURE,
  CDM_ENTITY_ATTENDANCE,
  CDM_ENTITY_CONTACT,
  CDM_ENTITY_MULTIMEDIA_TALLY,
  CDM_ENTITY_SATISFACTION,
};
const guint cdm_sync_n_entities = G_N_ELEMENTS (cdm_sync_entities);

/* The statements of each entity, built once from its table name (an
 * identifier of cdm-schema.c, never data). */
typedef struct {
  char *probe;       /* version, deleted of one id */
  char *tombstone;   /* a tombstone without a body */
} EntitySql;

static EntitySql entity_sqls[CDM_N_ENTITIES];

static gpointer
build_entity_sql (gpointer data)
{
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    {
      const char *table = cdm_entity_info (e)->table;

      entity_sqls[e].probe = g_strdup_printf ("SELECT version, deleted FROM %s WHERE id = ?1", table);
      entity_sqls[e].tombstone = g_strdup_printf ("UPDATE %s SET deleted = 1, version = ?2, sync_state = ?3 "
                                                  "WHERE id = ?1", table);
    }
  return NULL;
}

static const EntitySql *
entity_sql (CdmEntity entity)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, build_entity_sql, NULL);
  return &entity_sqls[entity];
}

static gboolean
is_synced_entity (CdmEntity entity)
{
  for (guint i = 0; i < cdm_sync_n_entities; i++)
    if (cdm_sync_entities[i] == entity)
      return TRUE;
  return FALSE;
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static gboolean
step_done (CdmStore     *store,
           sqlite3_stmt *stmt,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Writing to the store failed"));
      return FALSE;
    }
  return TRUE;
}

/* State */

char *
cdm_sync_store_get_state (CdmStore   *store,
                          const char *key)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store, "SELECT value FROM sync_state WHERE key = ?1", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }
  _cdm_store_unlock (store);
  return value;
}

/* With the lock held. */
static gboolean
set_state_locked (CdmStore    *store,
                  const char  *key,
                  const char  *value,
                  GError     **error)
{
  sqlite3_stmt *stmt;

  if (value == NULL)
    stmt = _cdm_store_prepare (store, "DELETE FROM sync_state WHERE key = ?1", error);
  else
    stmt = _cdm_store_prepare (store, "INSERT INTO sync_state (key, value) VALUES (?1, ?2) "
                                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (value != NULL)
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  return step_done (store, stmt, error);
}

gboolean
cdm_sync_store_set_state (CdmStore    *store,
                          const char  *key,
                          const char  *value,
                          GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  _cdm_store_lock (store);
  ok = set_state_locked (store, key, value, error);
  _cdm_store_unlock (store);
  return ok;
}

gint64
cdm_sync_store_get_cursor (CdmStore *store)
{
  g_autofree char *text = cdm_sync_store_get_state (store, CDM_SYNC_KEY_CURSOR);
  gint64 cursor;

  if (text == NULL || !g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &cursor, NULL))
    return -1;
  return cursor;
}

/* Shape checks */

static gboolean G_GNUC_PRINTF (2, 3)
bad_page (GError    **error,
          const char *format,
          ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CDM_SYNC_STORE_ERROR, CDM_SYNC_STORE_ERROR_BAD_PAGE,
               _("The server's answer was refused, nothing was applied: %s"), message);
  return FALSE;
}

static gboolean
get_int (JsonObject *object,
         const char *name,
         gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* One record as the server sends it, checked and normalised. */
typedef struct {
  CdmEntity entity;
  char *id;
  gint64 version;
  gboolean deleted;
  JsonObject *record;      /* normalised; NULL for a tombstone without body */
  char *updated_at;
  char *updated_by;
} Incoming;

static void
incoming_free (gpointer data)
{
  Incoming *in = data;

  g_free (in->id);
  g_clear_pointer (&in->record, json_object_unref);
  g_free (in->updated_at);
  g_free (in->updated_by);
  g_free (in);
}

/* @body is the record; @meta holds type/id/version/deleted (the change of
 * a pull, or the record itself in a snapshot). */
static Incoming *
incoming_parse (guint        index,
                JsonObject  *meta,
                JsonObject  *body,
                CdmEntity    entity,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  Incoming *in;
  const char *id = get_string (meta, "id");
  JsonNode *deleted = json_object_get_member (meta, "deleted");
  gint64 version;

  if (id == NULL || !cdm_uuid_valid (id))
    {
      bad_page (error, _("item %u: “id” is not a UUID"), index);
      return NULL;
    }
  if (!get_int (meta, "version", &version) || version < 0)
    {
      bad_page (error, _("item %u: “version” is not a version number"), index);
      return NULL;
    }
  if (deleted != NULL && !JSON_NODE_HOLDS_NULL (deleted) &&
      (!JSON_NODE_HOLDS_VALUE (deleted) || json_node_get_value_type (deleted) != G_TYPE_BOOLEAN))
    {
      bad_page (error, _("item %u: “deleted” is not true or false"), index);
      return NULL;
    }

  in = g_new0 (Incoming, 1);
  in->entity = entity;
  in->id = g_ascii_strdown (id, -1);
  in->version = version;
  in->deleted = deleted != NULL && JSON_NODE_HOLDS_VALUE (deleted) && json_node_get_boolean (deleted);
  in->updated_at = g_strdup (get_string (body, "updated_at"));
  in->updated_by = g_strdup (get_string (body, "updated_by"));

  if (body == NULL && !in->deleted)
    {
      incoming_free (in);
      bad_page (error, _("item %u: a live record comes without its fields"), index);
      return NULL;
    }
  if (body != NULL)
    {
      /* cdm_record_normalize() leaves the sync members out: ours are
       * above, from the change. */
      in->record = cdm_record_normalize (entity, body, &local_error);
      if (in->record != NULL)
        json_object_set_string_member (in->record, "id", in->id);
      if (in->record == NULL)
        {
          /* A tombstone's last body does not matter; a live record must be valid. */
          if (!in->deleted)
            {
              incoming_free (in);
              bad_page (error, _("item %u: %s"), index, local_error->message);
              return NULL;
            }
          g_clear_error (&local_error);
        }
    }
  return in;
}

static gboolean
entity_from_type (JsonObject *object,
                  CdmEntity  *out_entity)
{
  const char *type = get_string (object, "type");

  return type != NULL && cdm_entity_from_name (type, out_entity) && is_synced_entity (*out_entity);
}

/* References */

/* A record may name one the desk will never receive: the snapshot leaves
 * tombstones out, but a live contact can still refer to a deleted partner.
 * Such a reference gets a tombstone placeholder (version 0), replaced if
 * the server ever sends the record itself. */
static JsonObject *
placeholder (CdmEntity   entity,
             const char *id)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(JsonObject) name = json_object_new ();

  json_object_set_string_member (record, "id", id);
  json_object_set_string_member (name, "fr", "—");
  switch (entity)
    {
    case CDM_ENTITY_ORGANISATION:
      json_object_set_object_member (record, "name", g_steal_pointer (&name));
      json_object_set_string_member (record, "circle", "other");
      json_object_set_string_member (record, "kind", "other");
      break;
    case CDM_ENTITY_RESOURCE:
      json_object_set_string_member (record, "kind", "book");
      json_object_set_string_member (record, "title", "—");
      break;
    case CDM_ENTITY_ACTIVITY:
      json_object_set_object_member (record, "title", g_steal_pointer (&name));
      json_object_set_string_member (record, "starts_at", "1970-01-01T00:00:00Z");
      json_object_set_string_member (record, "mode", "on_site");
      json_object_set_string_member (record, "status", "cancelled");
      break;
    default:
      return NULL;
    }
  return cdm_record_normalize (entity, record, NULL);
}

static gboolean
ensure_reference (CdmStore    *store,
                  CdmEntity    entity,
                  const char  *id,
                  GError     **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, entity_sql (entity)->probe, error);
  g_autoptr(JsonObject) stub = NULL;
  gboolean known;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  known = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  if (known)
    return TRUE;

  stub = placeholder (entity, id);
  if (stub == NULL)
    return TRUE;  /* let the write report the missing reference */
  return _cdm_store_write_row (store, entity, stub, 0, TRUE, CDM_SYNC_STATE_SYNCED, NULL, NULL, 0, error);
}

static gboolean
ensure_references (CdmStore    *store,
                   CdmEntity    entity,
                   JsonObject  *record,
                   GError     **error)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);

  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];
      JsonNode *node = json_object_get_member (record, f->name);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (f->kind == CDM_FIELD_REF)
        {
          if (!ensure_reference (store, f->ref_entity, json_node_get_string (node), error))
            return FALSE;
        }
      else if (f->kind == CDM_FIELD_REFS && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *ids = json_node_get_array (node);
          for (guint j = 0; j < json_array_get_length (ids); j++)
            if (!ensure_reference (store, f->ref_entity, json_array_get_string_element (ids, j), error))
              return FALSE;
        }
    }
  return TRUE;
}

/* Applying one server record */

typedef struct {
  gint64 seq;
  CdmMergeOp op;
  gint64 base_version;
  JsonObject *fields;
  JsonObject *old;
} Entry;

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_clear_pointer (&entry->fields, json_object_unref);
  g_clear_pointer (&entry->old, json_object_unref);
  g_free (entry);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonNode) node = text != NULL ? json_from_string (text, NULL) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_ref (json_node_get_object (node));
}

/* The outbox entries of one record, oldest first, pending and parked. */
static GPtrArray *
load_entries (CdmStore    *store,
              CdmEntity    entity,
              const char  *id,
              GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _cdm_store_prepare (store,
                             "SELECT seq, op, base_version, fields, old FROM outbox "
                             "WHERE entity = ?1 AND record = ?2 ORDER BY seq", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, cdm_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Entry *entry = g_new0 (Entry, 1);

      entry->seq = sqlite3_column_int64 (stmt, 0);
      if (!cdm_merge_op_from_string ((const char *) sqlite3_column_text (stmt, 1), &entry->op))
        entry->op = CDM_MERGE_OP_UPDATE;
      entry->base_version = sqlite3_column_int64 (stmt, 2);
      entry->fields = parse_object ((const char *) sqlite3_column_text (stmt, 3));
      entry->old = parse_object ((const char *) sqlite3_column_text (stmt, 4));
      if (entry->fields == NULL)
        entry->fields = json_object_new ();
      g_ptr_array_add (entries, entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      return NULL;
    }
  return g_steal_pointer (&entries);
}

static gboolean
rebase_entry (CdmStore    *store,
              Entry       *entry,
              gint64       version,
              JsonObject  *old,
              GError     **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *old_text = NULL;

  if (old != NULL)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), old);
      old_text = json_to_string (node, FALSE);
    }
  stmt = _cdm_store_prepare (store, "UPDATE outbox SET base_version = ?2, old = coalesce (?3, old) WHERE seq = ?1",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, entry->seq);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_text (stmt, 3, old_text, -1, SQLITE_TRANSIENT);
  return step_done (store, stmt, error);
}

/* Whether the row exists, its version and whether it is a tombstone:
 * cheaper than reading the whole record, which applying seldom needs. */
static gboolean
probe (CdmStore     *store,
       CdmEntity     entity,
       const char   *id,
       gboolean     *out_exists,
       gint64       *out_version,
       gboolean     *out_deleted,
       GError      **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, entity_sql (entity)->probe, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  *out_exists = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW)
    {
      *out_version = sqlite3_column_int64 (stmt, 0);
      *out_deleted = sqlite3_column_int (stmt, 1) != 0;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      return FALSE;
    }
  return TRUE;
}

/* A tombstone without a body: the row keeps its last fields. */
static gboolean
tombstone_row (CdmStore     *store,
               CdmEntity     entity,
               const char   *id,
               gint64        version,
               CdmSyncState  state,
               GError      **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, entity_sql (entity)->tombstone, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_int (stmt, 3, state);
  return step_done (store, stmt, error);
}

/* Writes what the server has, with the desk's waiting changes merged on
 * top (see the header).  *out_changed says whether a row was written. */
static gboolean
apply_incoming (CdmStore    *store,
                Incoming    *in,
                GHashTable  *seen,
                gboolean     outbox_empty,
                const char  *now,
                gboolean    *out_changed,
                GError     **error)
{
  /* Records without "updated_at" get the time they were written, taken
   * once per page: formatting the time per record costs more than it. */
  const char *updated_at = in->updated_at != NULL ? in->updated_at : now;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonObject) current = NULL;
  CdmSyncState state = CDM_SYNC_STATE_SYNCED;
  gboolean local_deleted = FALSE;
  gboolean exists = FALSE, was_deleted = FALSE;
  gint64 version = 0;

  *out_changed = FALSE;
  if (seen != NULL)
    g_hash_table_add (seen, g_strdup (in->id));

  if (!probe (store, in->entity, in->id, &exists, &version, &was_deleted, error))
    return FALSE;

  /* Already there (our own change coming back, or a page applied twice).
   * A full snapshot of a type (@seen) is the server's word on every
   * record: a version that differs either way is replaced. */
  if (exists && (seen != NULL ? version == in->version : version >= in->version))
    return TRUE;

  entries = outbox_empty ? g_ptr_array_new () : load_entries (store, in->entity, in->id, error);
  if (entries == NULL)
    return FALSE;

  if (in->deleted)
    {
      /* Nothing to delete, and nothing will ever bring it back. */
      if (!exists)
        return TRUE;
      *out_changed = TRUE;
      if (in->record == NULL)
        return tombstone_row (store, in->entity, in->id, in->version,
                              entries->len > 0 ? CDM_SYNC_STATE_MODIFIED : CDM_SYNC_STATE_SYNCED, error);
      return _cdm_store_write_row (store, in->entity, in->record, in->version, TRUE,
                                   entries->len > 0 ? CDM_SYNC_STATE_MODIFIED : CDM_SYNC_STATE_SYNCED,
                                   updated_at, in->updated_by, 1, error);
    }

  /* A tombstone that the server has seen never comes back to life; a
   * placeholder (version 0, synced) is replaced. */
  if (exists && was_deleted && entries->len == 0 && version > 0)
    return TRUE;

  if (!ensure_references (store, in->entity, in->record, error))
    return FALSE;

  current = json_object_ref (in->record);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);
      g_autoptr(CdmMerge) merge = NULL;
      g_autoptr(JsonObject) with_version = json_object_new ();
      g_autoptr(GList) members = json_object_get_members (current);

      /* cdm_merge_entry() reads the record's version to see whether the
       * entry was based on it. */
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (with_version, l->data, json_node_copy (json_object_get_member (current, l->data)));
      json_object_set_int_member (with_version, "version", in->version);

      if (entry->op == CDM_MERGE_OP_DELETE)
        {
          local_deleted = TRUE;
          if (!rebase_entry (store, entry, in->version, NULL, error))
            return FALSE;
          continue;
        }

      merge = cdm_merge_entry (in->entity, with_version, entry->op, entry->base_version,
                               entry->fields, entry->old, NULL);
      if (merge == NULL)
        continue;  /* the server will answer for it; nothing to show here */

      if (entry->op == CDM_MERGE_OP_UPDATE && merge->conflicts->len == 0)
        {
          g_autoptr(JsonObject) old = json_object_new ();
          g_autoptr(GList) names = json_object_get_members (entry->fields);

          for (GList *l = names; l != NULL; l = l->next)
            {
              JsonNode *value = json_object_get_member (current, l->data);
              json_object_set_member (old, l->data,
                                      value != NULL ? json_node_copy (value) : json_node_new (JSON_NODE_NULL));
            }
          if (!rebase_entry (store, entry, in->version, old, error))
            return FALSE;
        }

      if (merge->record != NULL && merge->changed)
        {
          g_autoptr(JsonObject) merged = cdm_record_normalize (in->entity, merge->record, NULL);

          if (merged != NULL && ensure_references (store, in->entity, merged, error))
            {
              json_object_set_string_member (merged, "id", in->id);
              g_clear_pointer (&current, json_object_unref);
              current = g_steal_pointer (&merged);
            }
          else if (error != NULL && *error != NULL)
            return FALSE;
        }
    }

  *out_changed = TRUE;
  if (local_deleted)
    state = CDM_SYNC_STATE_DELETED;
  else if (entries->len > 0)
    state = CDM_SYNC_STATE_MODIFIED;
  else
    state = CDM_SYNC_STATE_SYNCED;
  return _cdm_store_write_row (store, in->entity, current, in->version, local_deleted, state,
                               updated_at, in->updated_by, exists ? 1 : 0, error);
}

static gboolean
apply_all (CdmStore    *store,
           GPtrArray   *incoming,
           GHashTable  *seen,
           guint       *out_applied,
           GError     **error)
{
  guint applied = 0;
  gboolean outbox_empty = FALSE;
  g_autofree char *now = now_iso8601 ();
  sqlite3_stmt *stmt = _cdm_store_prepare (store, "SELECT NOT EXISTS (SELECT 1 FROM outbox)", error);

  /* Most pages (every page of a first bootstrap) meet an empty outbox:
   * then no record has waiting changes to rebase. */
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    outbox_empty = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);

  for (guint i = 0; i < incoming->len; i++)
    {
      gboolean changed = FALSE;

      if (!apply_incoming (store, g_ptr_array_index (incoming, i), seen, outbox_empty, now, &changed, error))
        return FALSE;
      applied += changed;
    }
  if (out_applied != NULL)
    *out_applied = applied;
  return TRUE;
}

gboolean
cdm_sync_store_apply_changes (CdmStore   *store,
                              JsonArray  *changes,
                              gint64      cursor,
                              guint      *out_applied,
                              GError    **error)
{
  g_autoptr(GPtrArray) incoming = g_ptr_array_new_with_free_func (incoming_free);
  g_autofree char *cursor_text = NULL;
  gint64 previous;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);

  if (cursor < 0)
    return bad_page (error, _("“cursor” is not a sequence number"));
  previous = cdm_sync_store_get_cursor (store);
  if (cursor < previous)
    {
      g_autofree char *previous_text = g_strdup_printf ("%" G_GINT64_FORMAT, previous);
      g_autofree char *cursor_text_now = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);

      return bad_page (error, _("the cursor goes back from %s to %s"), previous_text, cursor_text_now);
    }

  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonNode *node = json_array_get_element (changes, i);
      JsonObject *change;
      CdmEntity entity;
      Incoming *in;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad_page (error, _("change %u is not an object"), i);
      change = json_node_get_object (node);
      if (!entity_from_type (change, &entity))
        return bad_page (error, _("change %u: “type” is not a synced type"), i);
      in = incoming_parse (i, change, get_object (change, "record"), entity, error);
      if (in == NULL)
        return FALSE;
      g_ptr_array_add (incoming, in);
    }

  cursor_text = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);
  if (!cdm_store_begin (store, TRUE, error))
    return FALSE;
  if (!apply_all (store, incoming, NULL, out_applied, error) ||
      !set_state_locked (store, CDM_SYNC_KEY_CURSOR, cursor_text, error))
    {
      cdm_store_rollback (store);
      return FALSE;
    }
  return cdm_store_commit (store, error);
}

/* Bulk pages of a bootstrap.
 *
 * Per row, the insert triggers of a table cost more than the row itself:
 * the full-text index tokenises every partner, resource and activity, and
 * each contact upserts a dozen keys of contact_stats (and of
 * contact_org_stats).  So a bootstrap page is written with those insert
 * triggers dropped, inside the page's own transaction, and put back
 * before it commits: the committed store always has every trigger, and a
 * crash between pages loses nothing.  What they would have written is
 * written once per page instead: the figures of the page's new contacts,
 * grouped (the same keys as CONTACT_STATS_ROWS in cdm-store-schema.c;
 * the tests compare them with the triggers' own), and the full-text index
 * once at the end of the bootstrap, which rebuilds it whole anyway
 * (cdm_sync_store_finish_bootstrap()): until then, search does not find
 * the records the bootstrap wrote.  Update and delete triggers stay: a
 * row that existed before the page keeps its figures exact through them. */

/* The page's new contacts are read once (MATERIALIZED), only these columns. */
#define PAGE_STATS_COLUMNS \
  "day, service, channel, programmes, p_gender, p_age_band, p_region, p_status, p_education, " \
  "p_foreign_diploma, p_language, p_first_visit, p_heard_from, received_day, received_unix, answered_unix"

/* Each key of the triggers, counted per group of the columns it is made
 * of: a key's text is made once per group rather than once per contact,
 * and each group is sorted on its own columns.  Two groups of a branch
 * never make the same key (codes have no ':', NULL becomes ''), and the
 * branches' keys differ by their prefix, so each (day, key) comes once. */
static const struct {
  const char *day;
  const char *key;
  const char *group;       /* the columns the key is made of */
  const char *where;
} page_stats_keys[] = {
  { "day", "'channel:' || service || ':' || channel", "service, channel", NULL },
  { "day", "'programmes:' || programmes", "programmes", "programmes <> 0" },
  { "day", "'gender:' || ifnull (p_gender, '')", "p_gender", NULL },
  { "day", "'age_band:' || ifnull (p_age_band, '')", "p_age_band", NULL },
  { "day", "'region:' || ifnull (p_region, '')", "p_region", NULL },
  { "day", "'status:' || ifnull (p_status, '')", "p_status", NULL },
  { "day", "'education:' || ifnull (p_education, '')", "p_education", NULL },
  { "day", "'foreign_diploma:' || ifnull (p_foreign_diploma, '')", "p_foreign_diploma", NULL },
  { "day", "'language:' || ifnull (p_language, '')", "p_language", NULL },
  { "day", "'first_visit:' || ifnull (p_first_visit, '')", "p_first_visit", NULL },
  { "day", "'heard_from:' || ifnull (p_heard_from, '')", "p_heard_from", NULL },
  { "received_day",
    "CASE WHEN answered_unix IS NULL THEN 'remote:unanswered'\n"
    "         WHEN answered_unix - ifnull (received_unix, 0) <= 172800 THEN 'remote:within_48h'\n"
    "         ELSE 'remote:answered_late' END",
    "2", "received_day IS NOT NULL" },
};

static char *
page_stats_sql (gboolean per_organisation)
{
  const char *o = per_organisation ? "organisation, " : "";
  g_autoptr(GString) rows = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (page_stats_keys); i++)
    {
      /* The remote key is a CASE: grouped by its result (column 2). */
      gboolean by_key = g_str_equal (page_stats_keys[i].group, "2");

      if (i > 0)
        g_string_append (rows, "  UNION ALL\n");
      if (by_key)
        g_string_append_printf (rows, "  SELECT %s%s, key, count (*) FROM (SELECT %s%s, %s AS key FROM page",
                                o, page_stats_keys[i].day, o, page_stats_keys[i].day, page_stats_keys[i].key);
      else
        g_string_append_printf (rows, "  SELECT %s%s, %s, count (*) FROM page",
                                o, page_stats_keys[i].day, page_stats_keys[i].key);
      if (page_stats_keys[i].where != NULL)
        g_string_append_printf (rows, " WHERE %s", page_stats_keys[i].where);
      if (by_key)
        g_string_append_printf (rows, ") GROUP BY %s%s, key\n", o, page_stats_keys[i].day);
      else
        g_string_append_printf (rows, " GROUP BY %s%s, %s\n", o, page_stats_keys[i].day, page_stats_keys[i].group);
    }

  /* ?1: the largest rowid before the page; the page's new rows come after it. */
  if (per_organisation)
    return g_strdup_printf ("WITH page AS MATERIALIZED (SELECT organisation, " PAGE_STATS_COLUMNS " FROM contacts "
                            "WHERE rowid > ?1 AND deleted = 0 AND organisation IS NOT NULL)\n"
                            "INSERT INTO contact_org_stats (organisation, day, key, n)\n"
                            "SELECT * FROM (\n%s) WHERE true\n"
                            "ON CONFLICT (organisation, day, key) DO UPDATE SET n = n + excluded.n", rows->str);
  return g_strdup_printf ("WITH page AS MATERIALIZED (SELECT " PAGE_STATS_COLUMNS " FROM contacts "
                          "WHERE rowid > ?1 AND deleted = 0)\n"
                          "INSERT INTO contact_stats (day, key, n)\n"
                          "SELECT * FROM (\n%s) WHERE true\n"
                          "ON CONFLICT (day, key) DO UPDATE SET n = n + excluded.n", rows->str);
}

static gpointer
build_page_stats_sql (gpointer data)
{
  char **sql = data;

  sql[0] = page_stats_sql (FALSE);
  sql[1] = page_stats_sql (TRUE);
  return NULL;
}

/* [0]: contact_stats, [1]: contact_org_stats. */
static const char *
page_stats (gboolean per_organisation)
{
  static GOnce once = G_ONCE_INIT;
  static char *sql[2];

  g_once (&once, build_page_stats_sql, sql);
  return sql[per_organisation ? 1 : 0];
}

typedef struct {
  GPtrArray *names;        /* of the triggers dropped */
  GPtrArray *sqls;         /* and their CREATE statements */
  gint64 last_rowid;       /* contacts: the largest rowid before the page */
} Suspended;

static void
suspended_clear (Suspended *s)
{
  g_clear_pointer (&s->names, g_ptr_array_unref);
  g_clear_pointer (&s->sqls, g_ptr_array_unref);
}

/* Whether this page may be written without the insert triggers: the page
 * names each record once (a record inserted and then changed again in the
 * same page would be counted wrong), and new contacts can be told apart by
 * their rowid. */
static gboolean
page_can_suspend (GPtrArray *incoming)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < incoming->len; i++)
    {
      Incoming *in = g_ptr_array_index (incoming, i);
      if (!g_hash_table_add (ids, in->id))
        return FALSE;
    }
  return TRUE;
}

static const char *
record_id (CdmSnapshotPage *page,
           guint            i)
{
  return cdm_snapshot_page_text (page, g_array_index (page->records, CdmSnapshotRecord, i).id);
}

static gboolean
page_ids_distinct (CdmSnapshotPage *page)
{
  g_autoptr(GHashTable) ids = NULL;

  if (page->increasing)
    return TRUE;
  ids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < page->records->len; i++)
    if (!g_hash_table_add (ids, (gpointer) record_id (page, i)))
      return FALSE;
  return TRUE;
}

/* With the transaction open. */
static gboolean
suspend_triggers (CdmStore    *store,
                  CdmEntity    entity,
                  Suspended   *s,
                  GError     **error)
{
  const char *table = cdm_entity_info (entity)->table;
  g_autofree char *fts = g_strconcat (table, "_fts_insert", NULL);
  sqlite3_stmt *stmt;
  int rc;

  s->names = g_ptr_array_new_with_free_func (g_free);
  s->sqls = g_ptr_array_new_with_free_func (g_free);
  s->last_rowid = 0;

  if (entity == CDM_ENTITY_CONTACT)
    {
      stmt = _cdm_store_prepare (store, "SELECT ifnull (max (rowid), 0) FROM contacts", error);
      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        s->last_rowid = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        {
          _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
          return FALSE;
        }
      /* SQLite picks random rowids past the largest one: then the page's
       * rows could not be found by their rowid. */
      if (s->last_rowid == G_MAXINT64)
        return TRUE;
    }

  /* Only the triggers named here, whose work is made up for below. */
  stmt = _cdm_store_prepare (store,
                             "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 "
                             "AND name IN (?2, 'contacts_stats_insert', 'contacts_org_stats_insert') "
                             "ORDER BY name", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, fts, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_ptr_array_add (s->names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      g_ptr_array_add (s->sqls, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      return FALSE;
    }

  for (guint i = 0; i < s->names->len; i++)
    {
      /* The name is one of the three above, an identifier of ours. */
      g_autofree char *drop = g_strdup_printf ("DROP TRIGGER \"%s\"", (char *) s->names->pdata[i]);
      if (!_cdm_store_exec (store, drop, error))
        return FALSE;
    }
  return TRUE;
}

/* Puts the triggers back and writes the figures of the page's new contacts. */
static gboolean
resume_triggers (CdmStore    *store,
                 Suspended   *s,
                 GError     **error)
{
  for (guint i = 0; i < s->names->len; i++)
    {
      const char *name = s->names->pdata[i];
      gboolean stats = g_str_equal (name, "contacts_stats_insert");
      gboolean org_stats = g_str_equal (name, "contacts_org_stats_insert");

      if (stats || org_stats)
        {
          sqlite3_stmt *stmt = _cdm_store_prepare (store, page_stats (org_stats), error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, s->last_rowid);
          if (!step_done (store, stmt, error))
            return FALSE;
        }
      if (!_cdm_store_exec (store, s->sqls->pdata[i], error))
        return FALSE;
    }
  return TRUE;
}

struct _CdmSyncRecords {
  CdmEntity entity;
  GPtrArray *incoming;     /* Incoming; or NULL with page */
  CdmSnapshotPage *page;
  gboolean new_rows;
};

void
cdm_sync_records_free (CdmSyncRecords *checked)
{
  if (checked == NULL)
    return;
  g_clear_pointer (&checked->incoming, g_ptr_array_unref);
  g_clear_pointer (&checked->page, cdm_snapshot_page_free);
  g_free (checked);
}

guint
cdm_sync_records_get_length (CdmSyncRecords *checked)
{
  g_return_val_if_fail (checked != NULL, 0);

  return checked->page != NULL ? checked->page->records->len : checked->incoming->len;
}

CdmSyncRecords *
cdm_sync_store_read_page (CdmEntity    entity,
                          GBytes      *bytes,
                          char       **out_next,
                          GError     **error)
{
  CdmSyncRecords *checked;
  CdmSnapshotPage *page;

  g_return_val_if_fail (is_synced_entity (entity), NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  page = cdm_snapshot_page_read (entity, bytes, error);
  if (page == NULL)
    return NULL;
  checked = g_new0 (CdmSyncRecords, 1);
  checked->entity = entity;
  checked->page = page;
  if (out_next != NULL)
    *out_next = g_strdup (page->next);
  return checked;
}

gboolean
cdm_sync_records_follow (CdmSyncRecords *checked,
                         const char     *after)
{
  g_return_val_if_fail (checked != NULL, FALSE);

  if (checked->page == NULL || !checked->page->increasing)
    return FALSE;
  return checked->page->records->len == 0 || after == NULL ||
         strcmp (record_id (checked->page, 0), after) > 0;
}

const char *
cdm_sync_records_get_last_id (CdmSyncRecords *checked)
{
  g_return_val_if_fail (checked != NULL, NULL);

  if (checked->page == NULL || checked->page->records->len == 0)
    return NULL;
  return record_id (checked->page, checked->page->records->len - 1);
}

void
cdm_sync_records_set_new_rows (CdmSyncRecords *checked,
                               gboolean        new_rows)
{
  g_return_if_fail (checked != NULL);

  checked->new_rows = new_rows;
}

gboolean
cdm_sync_store_table_is_empty (CdmStore   *store,
                               CdmEntity   entity,
                               GError    **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT NOT EXISTS (SELECT 1 FROM %s)", cdm_entity_info (entity)->table);
  sqlite3_stmt *stmt;
  gboolean empty = FALSE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store, sql, error);
  if (stmt != NULL)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        empty = sqlite3_column_int (stmt, 0) != 0;
      else
        _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      sqlite3_reset (stmt);
    }
  _cdm_store_unlock (store);
  return empty;
}

gboolean
cdm_sync_store_begin_bulk (CdmStore  *store,
                           GError   **error)
{
  gboolean ok;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);

  /* No checkpoint until the end, and a page cache of 64 MiB instead of
   * 2: a million random ids inserted into an index touch its pages all
   * over, and each miss is a read from the file. */
  _cdm_store_lock (store);
  ok = _cdm_store_exec (store, "PRAGMA wal_autocheckpoint = 0", error) &&
       _cdm_store_exec (store, "PRAGMA cache_size = -65536", error);
  _cdm_store_unlock (store);
  return ok;
}

gboolean
cdm_sync_store_end_bulk (CdmStore  *store,
                         GError   **error)
{
  gboolean ok;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);

  /* SQLite's defaults, which the store keeps otherwise. */
  _cdm_store_lock (store);
  ok = _cdm_store_exec (store, "PRAGMA wal_autocheckpoint = 1000", error) &&
       _cdm_store_exec (store, "PRAGMA cache_size = -2000", error) &&
       _cdm_store_exec (store, "PRAGMA wal_checkpoint (PASSIVE)", error);
  _cdm_store_unlock (store);
  return ok;
}

/* A record of a page that cannot be written from its values: read the
 * old way, from its bytes. */
static Incoming *
page_incoming (CdmSnapshotPage  *page,
               guint             i,
               GError          **error)
{
  const CdmSnapshotRecord *rec = &g_array_index (page->records, CdmSnapshotRecord, i);
  const char *data = g_bytes_get_data (page->bytes, NULL);
  g_autofree char *text = g_strndup (data + rec->raw_start, rec->raw_end - rec->raw_start);
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      bad_page (error, _("record %u is not an object"), i);
      return NULL;
    }
  return incoming_parse (i, json_node_get_object (node), json_node_get_object (node), page->entity, error);
}

/* The placeholders of references, as ensure_references(). */
static gboolean
ensure_page_references (CdmStore                 *store,
                        CdmSnapshotPage          *page,
                        const CdmSnapshotRecord  *rec,
                        GError                  **error)
{
  const CdmEntityInfo *info = cdm_entity_info (page->entity);
  const CdmValue *values = &g_array_index (page->values, CdmValue, rec->first_value);
  guint column = 0;

  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];

      if (f->kind == CDM_FIELD_REF && values[column].type == CDM_VALUE_TEXT &&
          !ensure_reference (store, f->ref_entity, cdm_snapshot_page_text (page, values[column].text), error))
        return FALSE;
      column += f->kind == CDM_FIELD_REFS ? 0 : 1;
      if (f->kind == CDM_FIELD_I18N)
        column += 2;
      else if (f->kind == CDM_FIELD_PROFILE)
        column += cdm_n_profile_fields - 1;
      else if (f->kind == CDM_FIELD_TIMESTAMP)
        column += (f->unix_column != NULL) + (f->day_column != NULL);
    }
  for (guint l = 0; l < rec->n_links; l++)
    {
      const CdmLink *link = &g_array_index (page->links, CdmLink, rec->first_link + l);

      if (!ensure_reference (store, info->fields[link->field].ref_entity,
                             cdm_snapshot_page_text (page, link->target), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean apply_page_records (CdmStore        *store,
                                    CdmSyncRecords  *checked,
                                    GHashTable      *seen,
                                    gboolean         outbox_empty,
                                    const char      *now,
                                    CdmLocalDays    *days,
                                    GError         **error);

/* apply_all() for a page read from its bytes.  A record is inserted from
 * its values when the desk has no row of it and no waiting change; the
 * rest (tombstones, rows the desk has in another version, records with
 * waiting changes) go through apply_incoming() as before. */
static gboolean
apply_page (CdmStore        *store,
            CdmSyncRecords  *checked,
            GHashTable      *seen,
            GError         **error)
{
  gboolean outbox_empty = FALSE;
  g_autofree char *now = now_iso8601 ();
  CdmLocalDays days;
  sqlite3_stmt *stmt = _cdm_store_prepare (store, "SELECT NOT EXISTS (SELECT 1 FROM outbox)", error);
  gboolean ok;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    outbox_empty = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);

  _cdm_local_days_init (&days, store);
  ok = apply_page_records (store, checked, seen, outbox_empty, now, &days, error);
  _cdm_local_days_clear (&days);
  return ok;
}

static gboolean
apply_page_records (CdmStore        *store,
                    CdmSyncRecords  *checked,
                    GHashTable      *seen,
                    gboolean         outbox_empty,
                    const char      *now,
                    CdmLocalDays    *days,
                    GError         **error)
{
  CdmSnapshotPage *page = checked->page;

  for (guint i = 0; i < page->records->len; i++)
    {
      const CdmSnapshotRecord *rec = &g_array_index (page->records, CdmSnapshotRecord, i);
      const char *id = cdm_snapshot_page_text (page, rec->id);
      gboolean exists = FALSE, was_deleted = FALSE;
      gint64 version = 0;

      if (!rec->deleted && outbox_empty)
        {
          if (!checked->new_rows && !probe (store, page->entity, id, &exists, &version, &was_deleted, error))
            return FALSE;
          if (!exists)
            {
              const char *updated_at = cdm_snapshot_page_text (page, rec->updated_at);

              if (seen != NULL)
                g_hash_table_add (seen, g_strdup (id));
              if (!ensure_page_references (store, page, rec, error) ||
                  !_cdm_store_insert_values (store, days, page, rec, updated_at != NULL ? updated_at : now, error))
                return FALSE;
              continue;
            }
        }

      {
        Incoming *in = page_incoming (page, i, error);
        gboolean changed = FALSE;
        gboolean ok;

        if (in == NULL)
          return FALSE;
        ok = apply_incoming (store, in, seen, outbox_empty, now, &changed, error);
        incoming_free (in);
        if (!ok)
          return FALSE;
      }
    }
  return TRUE;
}

CdmSyncRecords *
cdm_sync_store_check_records (CdmEntity    entity,
                              JsonArray   *records,
                              GError     **error)
{
  g_autoptr(CdmSyncRecords) checked = NULL;

  g_return_val_if_fail (is_synced_entity (entity), NULL);
  g_return_val_if_fail (records != NULL, NULL);

  checked = g_new0 (CdmSyncRecords, 1);
  checked->entity = entity;
  checked->incoming = g_ptr_array_new_full (json_array_get_length (records), incoming_free);
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonNode *node = json_array_get_element (records, i);
      JsonObject *record;
      CdmEntity type;
      Incoming *in;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          bad_page (error, _("record %u is not an object"), i);
          return NULL;
        }
      record = json_node_get_object (node);
      if (json_object_has_member (record, "type") && (!entity_from_type (record, &type) || type != entity))
        {
          bad_page (error, _("record %u is not a %s"), i, cdm_entity_info (entity)->name);
          return NULL;
        }
      in = incoming_parse (i, record, record, entity, error);
      if (in == NULL)
        return NULL;
      g_ptr_array_add (checked->incoming, in);
    }
  return g_steal_pointer (&checked);
}

gboolean
cdm_sync_store_apply_checked (CdmStore        *store,
                              CdmSyncRecords  *checked,
                              GHashTable      *seen,
                              const char      *position,
                              GError         **error)
{
  Suspended suspended = { 0 };
  gboolean suspend;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (checked != NULL, FALSE);

  /* Only during a bootstrap, which rebuilds the full-text index at its end. */
  if (checked->page != NULL)
    suspend = position != NULL && page_ids_distinct (checked->page);
  else
    suspend = position != NULL && page_can_suspend (checked->incoming);

  if (!cdm_store_begin (store, TRUE, error))
    return FALSE;
  if ((suspend && !suspend_triggers (store, checked->entity, &suspended, error)) ||
      !(checked->page != NULL ? apply_page (store, checked, seen, error) :
                                apply_all (store, checked->incoming, seen, NULL, error)) ||
      (suspend && !resume_triggers (store, &suspended, error)) ||
      (position != NULL && !set_state_locked (store, CDM_SYNC_KEY_BOOTSTRAP, position, error)))
    {
      /* The rollback puts the dropped triggers back too. */
      cdm_store_rollback (store);
      suspended_clear (&suspended);
      return FALSE;
    }
  suspended_clear (&suspended);
  return cdm_store_commit (store, error);
}

gboolean
cdm_sync_store_apply_records (CdmStore    *store,
                              CdmEntity    entity,
                              JsonArray   *records,
                              GHashTable  *seen,
                              const char  *position,
                              GError     **error)
{
  g_autoptr(CdmSyncRecords) checked = NULL;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (is_synced_entity (entity), FALSE);
  g_return_val_if_fail (records != NULL, FALSE);

  checked = cdm_sync_store_check_records (entity, records, error);
  if (checked == NULL)
    return FALSE;
  return cdm_sync_store_apply_checked (store, checked, seen, position, error);
}

gint64
cdm_sync_store_prune (CdmStore    *store,
                      CdmEntity    entity,
                      GHashTable  *seen,
                      GError     **error)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  g_autofree char *select = g_strdup_printf ("SELECT id FROM %s AS t WHERE deleted = 0 AND version > 0 AND NOT EXISTS "
                                             "(SELECT 1 FROM outbox AS o WHERE o.entity = ?1 AND o.record = t.id)",
                                             info->table);
  g_autofree char *update = g_strdup_printf ("UPDATE %s SET deleted = 1, sync_state = 0 WHERE id = ?1", info->table);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), -1);
  g_return_val_if_fail (seen != NULL, -1);

  if (!cdm_store_begin (store, TRUE, error))
    return -1;
  stmt = _cdm_store_prepare (store, select, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, info->name, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      if (!g_hash_table_contains (seen, id))
        g_ptr_array_add (gone, g_strdup (id));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      goto fail;
    }
  for (guint i = 0; i < gone->len; i++)
    {
      stmt = _cdm_store_prepare (store, update, error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, gone->pdata[i], -1, SQLITE_TRANSIENT);
      if (!step_done (store, stmt, error))
        goto fail;
    }
  if (!cdm_store_commit (store, error))
    return -1;
  return gone->len;

fail:
  cdm_store_rollback (store);
  return -1;
}

gboolean
cdm_sync_store_finish_bootstrap (CdmStore  *store,
                                 gint64     cursor,
                                 GError   **error)
{
  g_autofree char *cursor_text = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);

  if (!cdm_store_begin (store, TRUE, error))
    return FALSE;
  if (!set_state_locked (store, CDM_SYNC_KEY_CURSOR, cursor_text, error) ||
      !set_state_locked (store, CDM_SYNC_KEY_BOOTSTRAP, NULL, error) ||
      !_cdm_search_rebuild (store, error))
    {
      cdm_store_rollback (store);
      return FALSE;
    }
  return cdm_store_commit (store, error);
}

/* The outbox */

JsonArray *
cdm_sync_store_take_outbox (CdmStore  *store,
                            guint      limit,
                            GError   **error)
{
  g_autoptr(JsonArray) entries = json_array_new ();
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store,
                             "SELECT key, entity, record, op, base_version, fields, old FROM outbox "
                             "WHERE state = 'pending' ORDER BY seq LIMIT ?1", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *entry = json_object_new ();
      g_autoptr(JsonObject) fields = parse_object ((const char *) sqlite3_column_text (stmt, 5));
      g_autoptr(JsonObject) old = parse_object ((const char *) sqlite3_column_text (stmt, 6));

      json_object_set_string_member (entry, "key", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (entry, "type", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (entry, "id", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (entry, "op", (const char *) sqlite3_column_text (stmt, 3));
      json_object_set_int_member (entry, "base_version", sqlite3_column_int64 (stmt, 4));
      json_object_set_object_member (entry, "fields", fields ? g_steal_pointer (&fields) : json_object_new ());
      if (old != NULL)
        json_object_set_object_member (entry, "old", g_steal_pointer (&old));
      json_array_add_object_element (entries, entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      goto out;
    }
  ok = TRUE;

out:
  _cdm_store_unlock (store);
  return ok ? g_steal_pointer (&entries) : NULL;
}

static const char * const result_statuses[] = {
  "applied", "merged", "conflict", "duplicate", "rejected", NULL
};

static gboolean
add_conflict (CdmStore    *store,
              const char  *type,
              const char  *record,
              JsonObject  *conflict,
              const char  *now,
              GError     **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *id = cdm_uuid_new ();
  g_autofree char *kept = NULL;
  g_autofree char *other = NULL;
  JsonNode *node;

  node = json_object_get_member (conflict, "kept");
  kept = node != NULL ? json_to_string (node, FALSE) : g_strdup ("null");
  node = json_object_get_member (conflict, "other");
  other = node != NULL ? json_to_string (node, FALSE) : g_strdup ("null");

  stmt = _cdm_store_prepare (store,
                             "INSERT INTO conflicts (id, entity, record, field, kept_value, other_value, created_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, record, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, get_string (conflict, "field"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, kept, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, other, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 7, now, -1, SQLITE_TRANSIENT);
  return step_done (store, stmt, error);
}

gboolean
cdm_sync_store_apply_results (CdmStore   *store,
                              JsonArray  *entries,
                              JsonArray  *results,
                              guint      *out_acknowledged,
                              guint      *out_parked,
                              guint      *out_conflicts,
                              GError    **error)
{
  g_autoptr(GHashTable) sent = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *now = now_iso8601 ();
  guint acknowledged = 0, parked = 0, conflicts = 0;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (entries != NULL && results != NULL, FALSE);

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      g_hash_table_insert (sent, (gpointer) json_object_get_string_member (entry, "key"), entry);
    }

  /* The whole answer is checked before anything is written. */
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonNode *node = json_array_get_element (results, i);
      JsonObject *result;
      const char *key, *status;
      JsonNode *list;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad_page (error, _("result %u is not an object"), i);
      result = json_node_get_object (node);
      key = get_string (result, "key");
      status = get_string (result, "status");
      if (key == NULL || !g_hash_table_contains (sent, key))
        return bad_page (error, _("result %u names no entry that was sent"), i);
      if (status == NULL || !cdm_code_valid (result_statuses, status))
        return bad_page (error, _("result %u: “status” is not one of the push statuses"), i);
      list = json_object_get_member (result, "conflicts");
      if (list != NULL && !JSON_NODE_HOLDS_NULL (list))
        {
          if (!JSON_NODE_HOLDS_ARRAY (list))
            return bad_page (error, _("result %u: “conflicts” is not a list"), i);
          for (guint j = 0; j < json_array_get_length (json_node_get_array (list)); j++)
            {
              JsonNode *c = json_array_get_element (json_node_get_array (list), j);
              if (!JSON_NODE_HOLDS_OBJECT (c) || get_string (json_node_get_object (c), "field") == NULL)
                return bad_page (error, _("result %u: a conflict without its field"), i);
            }
        }
    }

  /* synchronous=NORMAL is enough: should a power cut lose this commit,
   * the entries are sent again and the server answers each key as it
   * did (or refuses it again), so nothing is lost or applied twice. */
  if (!cdm_store_begin (store, TRUE, error))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      const char *key = get_string (result, "key");
      const char *status = get_string (result, "status");
      JsonObject *entry = g_hash_table_lookup (sent, key);
      sqlite3_stmt *stmt;

      if (g_str_equal (status, "rejected"))
        {
          JsonObject *err = get_object (result, "error");
          const char *message = get_string (err, "message");
          const char *code = get_string (err, "code");
          const char *field = get_string (err, "field");
          g_autofree char *reason = NULL;

          if (message == NULL)
            message = code != NULL ? code : _("refused by the server");
          reason = field != NULL && strstr (message, field) == NULL ?
                   g_strdup_printf ("%s: %s", field, message) : g_strdup (message);
          stmt = _cdm_store_prepare (store, "UPDATE outbox SET state = 'parked', reason = ?2 WHERE key = ?1", error);
          if (stmt == NULL)
            goto fail;
          sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 2, reason, -1, SQLITE_TRANSIENT);
          if (!step_done (store, stmt, error))
            goto fail;
          parked++;
          continue;
        }

      if (g_str_equal (status, "conflict"))
        {
          JsonNode *list = json_object_get_member (result, "conflicts");
          JsonArray *array = list != NULL && JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;

          for (guint j = 0; array != NULL && j < json_array_get_length (array); j++)
            {
              if (!add_conflict (store, json_object_get_string_member (entry, "type"),
                                 json_object_get_string_member (entry, "id"),
                                 json_array_get_object_element (array, j), now, error))
                goto fail;
              conflicts++;
            }
        }

      stmt = _cdm_store_prepare (store, "DELETE FROM outbox WHERE key = ?1", error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      if (!step_done (store, stmt, error))
        goto fail;
      acknowledged++;
    }

  if (!cdm_store_commit (store, error))
    return FALSE;
  if (out_acknowledged != NULL)
    *out_acknowledged = acknowledged;
  if (out_parked != NULL)
    *out_parked = parked;
  if (out_conflicts != NULL)
    *out_conflicts = conflicts;
  return TRUE;

fail:
  cdm_store_rollback (store);
  return FALSE;
}

gboolean
cdm_sync_store_resend (CdmStore    *store,
                       const char  *key,
                       GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store, "UPDATE outbox SET state = 'pending', reason = NULL "
                                    "WHERE key = ?1 AND state = 'parked'", error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      ok = step_done (store, stmt, error);
      if (ok && sqlite3_changes (_cdm_store_get_db (store)) == 0)
        {
          g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND,
                       _("No parked change has the key %s"), key);
          ok = FALSE;
        }
    }
  _cdm_store_unlock (store);
  return ok;
}

/* Status */

static gint64
count (CdmStore    *store,
       const char  *sql,
       GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 n = -1;
  int rc;

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store, sql, error);
  if (stmt != NULL)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        n = sqlite3_column_int64 (stmt, 0);
      else
        _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      sqlite3_reset (stmt);
    }
  _cdm_store_unlock (store);
  return n;
}

gint64
cdm_sync_store_count_pending (CdmStore  *store,
                              GError   **error)
{
  return count (store, "SELECT count(*) FROM outbox WHERE state = 'pending'", error);
}

gint64
cdm_sync_store_count_parked (CdmStore  *store,
                             GError   **error)
{
  return count (store, "SELECT count(*) FROM outbox WHERE state = 'parked'", error);
}

gint64
cdm_sync_store_count_conflicts (CdmStore  *store,
                                GError   **error)
{
  return count (store, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL", error);
}

JsonArray *
cdm_sync_store_list_conflicts (CdmStore  *store,
                               GError   **error)
{
  g_autoptr(JsonArray) list = json_array_new ();
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store,
                             "SELECT id, entity, record, field, kept_value, other_value, created_at FROM conflicts "
                             "WHERE resolved_at IS NULL ORDER BY created_at, rowid", error);
  if (stmt == NULL)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *conflict = json_object_new ();
      const char *kept = (const char *) sqlite3_column_text (stmt, 4);
      const char *other = (const char *) sqlite3_column_text (stmt, 5);
      JsonNode *node;

      json_object_set_string_member (conflict, "id", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (conflict, "type", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (conflict, "record", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (conflict, "field", (const char *) sqlite3_column_text (stmt, 3));
      node = kept != NULL ? json_from_string (kept, NULL) : NULL;
      json_object_set_member (conflict, "kept", node != NULL ? node : json_node_new (JSON_NODE_NULL));
      node = other != NULL ? json_from_string (other, NULL) : NULL;
      json_object_set_member (conflict, "other", node != NULL ? node : json_node_new (JSON_NODE_NULL));
      json_object_set_string_member (conflict, "created_at", (const char *) sqlite3_column_text (stmt, 6));
      json_array_add_object_element (list, conflict);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      goto out;
    }
  ok = TRUE;

out:
  _cdm_store_unlock (store);
  return ok ? g_steal_pointer (&list) : NULL;
}

/* Integrity */

gboolean
cdm_sync_store_checksum (CdmStore    *store,
                         CdmEntity    entity,
                         gint64      *out_count,
                         char       **out_checksum,
                         GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT lower (id), version FROM %s "
                                          "WHERE deleted = 0 AND version > 0 ORDER BY lower (id)",
                                          cdm_entity_info (entity)->table);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  sqlite3_stmt *stmt;
  gint64 n = 0;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (is_synced_entity (entity), FALSE);

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store, sql, error);
  if (stmt == NULL)
    {
      _cdm_store_unlock (store);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *line = g_strdup_printf ("%s%s:%" G_GINT64_FORMAT, n > 0 ? "," : "",
                                               (const char *) sqlite3_column_text (stmt, 0),
                                               (gint64) sqlite3_column_int64 (stmt, 1));
      g_checksum_update (sum, (const guchar *) line, -1);
      n++;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
  _cdm_store_unlock (store);
  if (rc != SQLITE_DONE)
    return FALSE;

  if (out_count != NULL)
    *out_count = n;
  if (out_checksum != NULL)
    *out_checksum = g_strdup (g_checksum_get_string (sum));
  return TRUE;
}
