/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-ui-queries.c: conflicts, parked entries and local writes for
 * the desk's sync views (cdm-sync-ui-queries.h). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "cdm-store-private.h"
#include "cdm-sync-ui-queries.h"

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

gboolean
cdm_sync_resolve_conflict (CdmStore    *store,
                           const char  *conflict_id,
                           JsonNode    *value,
                           GError     **error)
{
  g_autofree char *type = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *field = NULL;
  g_autofree char *now = now_iso8601 ();
  g_autoptr(JsonObject) record = NULL;
  CdmEntity entity;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (conflict_id != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  if (!cdm_store_begin (store, FALSE, error))
    return FALSE;

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store, "SELECT entity, record, field FROM conflicts "
                                    "WHERE id = ?1 AND resolved_at IS NULL", error);
  if (stmt == NULL)
    {
      _cdm_store_unlock (store);
      goto fail;
    }
  sqlite3_bind_text (stmt, 1, conflict_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      field = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
    }
  else if (rc != SQLITE_DONE)
    _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
  sqlite3_reset (stmt);
  _cdm_store_unlock (store);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND,
                     _("No conflict to resolve has the id %s"), conflict_id);
      goto fail;
    }

  if (!cdm_entity_from_name (type, &entity))
    {
      g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_FAILED,
                   _("The conflict names an unknown type of record, %s"), type);
      goto fail;
    }

  /* The choice is a normal edit of the record: it goes to the outbox
   * and on to the server like any other, and is a no-op when the record
   * already holds that value (the server's value was kept). */
  record = cdm_store_get (store, entity, record_id, FALSE, error);
  if (record == NULL)
    goto fail;
  json_object_set_member (record, field, json_node_copy (value));
  if (!cdm_store_put (store, entity, record, NULL, NULL, error))
    goto fail;

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store, "UPDATE conflicts SET resolved_at = ?2 WHERE id = ?1", error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, conflict_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Writing to the store failed"));
          stmt = NULL;
        }
    }
  _cdm_store_unlock (store);
  if (stmt == NULL)
    goto fail;

  return cdm_store_commit (store, error);

fail:
  cdm_store_rollback (store);
  return FALSE;
}

static JsonNode *
parse_or_null (const char *text)
{
  JsonNode *node = text != NULL ? json_from_string (text, NULL) : NULL;

  return node != NULL ? node : json_node_new (JSON_NODE_NULL);
}

JsonArray *
cdm_sync_list_parked (CdmStore  *store,
                      GError   **error)
{
  g_autoptr(JsonArray) list = json_array_new ();
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store,
                             "SELECT key, entity, record, op, fields, reason, queued_at FROM outbox "
                             "WHERE state = 'parked' ORDER BY seq", error);
  if (stmt == NULL)
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *entry = json_object_new ();
      const char *reason = (const char *) sqlite3_column_text (stmt, 5);

      json_object_set_string_member (entry, "key", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (entry, "type", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (entry, "id", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (entry, "op", (const char *) sqlite3_column_text (stmt, 3));
      json_object_set_member (entry, "fields", parse_or_null ((const char *) sqlite3_column_text (stmt, 4)));
      if (reason != NULL)
        json_object_set_string_member (entry, "reason", reason);
      else
        json_object_set_null_member (entry, "reason");
      json_object_set_string_member (entry, "queued_at", (const char *) sqlite3_column_text (stmt, 6));
      json_array_add_object_element (list, entry);
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

/* One statement on @store's connection, its parameters all text. */
static gboolean
exec_text (CdmStore    *store,
           const char  *sql,
           const char  *first,
           const char  *second,
           GError     **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_TRANSIENT);
  if (second != NULL)
    sqlite3_bind_text (stmt, 2, second, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Writing to the store failed"));
      return FALSE;
    }
  return TRUE;
}

gboolean
cdm_sync_discard_parked (CdmStore    *store,
                         const char  *key,
                         GError     **error)
{
  g_autofree char *type = NULL;
  g_autofree char *record = NULL;
  g_autofree char *forget = NULL;
  sqlite3_stmt *stmt;
  CdmEntity entity;
  gboolean others;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!cdm_store_begin (store, FALSE, error))
    return FALSE;
  stmt = _cdm_store_prepare (store, "SELECT entity, record FROM outbox WHERE key = ?1 AND state = 'parked'", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      record = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      goto fail;
    }
  if (type == NULL)
    {
      g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND, _("No parked change has the key %s"), key);
      goto fail;
    }
  if (!exec_text (store, "DELETE FROM outbox WHERE key = ?1", key, NULL, error))
    goto fail;

  /* The row still shows the change given up.  With no other change of
   * it waiting, it goes back to what the server has: a record the
   * server never had becomes a tombstone (nothing else has it; links to
   * it stay valid); one it has gets version 0, which the next sync's
   * checksums see as different, so that the type is loaded again and
   * the server's version written over it (cdm_sync_run()). */
  stmt = _cdm_store_prepare (store, "SELECT EXISTS (SELECT 1 FROM outbox WHERE entity = ?1 AND record = ?2)", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, record, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  others = rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Reading the store failed"));
      goto fail;
    }
  if (!others && cdm_entity_from_name (type, &entity))
    {
      /* Table names come from cdm-schema.c, never from data. */
      forget = g_strdup_printf ("UPDATE %s SET deleted = CASE WHEN version = 0 THEN 1 ELSE deleted END, "
                                "version = 0, sync_state = %d WHERE id = ?1",
                                cdm_entity_info (entity)->table, CDM_SYNC_STATE_SYNCED);
      if (!exec_text (store, forget, record, NULL, error))
        goto fail;
    }
  return cdm_store_commit (store, error);

fail:
  cdm_store_rollback (store);
  return FALSE;
}

/* Local writes.  SQLite's update hook sees every row written on the
 * store's connection, by whichever thread; an insert into the outbox is
 * a local change queued (the engine only updates and deletes entries).
 * The hook runs inside the write with the store locked, so it only
 * schedules a call on the watcher's main context, once per burst. */

#define WATCH_KEY "cdm-sync-local-writes"

typedef struct {
  gatomicrefcount ref;
  GMainContext *context;
  CdmLocalWriteFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
  gint active;
  gint scheduled;
} Watch;

static Watch *
watch_ref (Watch *watch)
{
  g_atomic_ref_count_inc (&watch->ref);
  return watch;
}

static void
watch_unref (gpointer data)
{
  Watch *watch = data;

  if (!g_atomic_ref_count_dec (&watch->ref))
    return;
  if (watch->destroy != NULL)
    watch->destroy (watch->user_data);
  g_main_context_unref (watch->context);
  g_free (watch);
}

static gboolean
watch_dispatch (gpointer data)
{
  Watch *watch = data;

  g_atomic_int_set (&watch->scheduled, 0);
  if (g_atomic_int_get (&watch->active))
    watch->func (watch->user_data);
  return G_SOURCE_REMOVE;
}

static void
update_hook (void          *data,
             int            op,
             const char    *database,
             const char    *table,
             sqlite3_int64  rowid)
{
  Watch *watch = data;
  GSource *source;

  if (op != SQLITE_INSERT || strcmp (table, "outbox") != 0)
    return;
  if (!g_atomic_int_compare_and_exchange (&watch->scheduled, 0, 1))
    return;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, watch_dispatch, watch_ref (watch), watch_unref);
  g_source_set_static_name (source, "[cdm] local write");
  g_source_attach (source, watch->context);
  g_source_unref (source);
}

/* The store's data: drops the hook's reference when the store goes or the
 * watcher changes. */
static void
watch_detach (gpointer data)
{
  Watch *watch = data;

  g_atomic_int_set (&watch->active, 0);
  watch_unref (watch);
}

void
cdm_sync_watch_local_writes (CdmStore          *store,
                             CdmLocalWriteFunc  func,
                             gpointer           user_data,
                             GDestroyNotify     destroy)
{
  Watch *watch;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (func != NULL);

  watch = g_new0 (Watch, 1);
  g_atomic_ref_count_init (&watch->ref);
  watch->context = g_main_context_ref_thread_default ();
  watch->func = func;
  watch->user_data = user_data;
  watch->destroy = destroy;
  watch->active = 1;

  _cdm_store_lock (store);
  sqlite3_update_hook (_cdm_store_get_db (store), update_hook, watch);
  g_object_set_data_full (G_OBJECT (store), WATCH_KEY, watch, watch_detach);
  _cdm_store_unlock (store);
}

void
cdm_sync_unwatch_local_writes (CdmStore *store)
{
  g_return_if_fail (CDM_IS_STORE (store));

  _cdm_store_lock (store);
  sqlite3_update_hook (_cdm_store_get_db (store), NULL, NULL);
  g_object_set_data (G_OBJECT (store), WATCH_KEY, NULL);
  _cdm_store_unlock (store);
}

/* Server addresses */

static gboolean
is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  /* GUri gives IPv6 literals without their brackets. */
  bare = g_strdup (host);
  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

char *
cdm_sync_check_server_url (const char  *url,
                           GError     **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GUri) uri = NULL;
  const char *scheme, *host, *path;

  g_return_val_if_fail (url != NULL, NULL);

  text = g_strstrip (g_strdup (url));
  if (text[0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("Type the address of the server."));
      return NULL;
    }
  if (strstr (text, "://") == NULL)
    {
      char *with_scheme = g_strconcat ("https://", text, NULL);

      g_free (text);
      text = with_scheme;
    }

  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (uri == NULL || host == NULL || host[0] == '\0' ||
      (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0) ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not a server address; it looks like https://desk.example.org/."), url);
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "http") == 0 && !is_loopback (host))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The address must start with https:// so that the password cannot be read on the way; "
                     "plain http is only for a server on this computer."));
      return NULL;
    }

  path = g_uri_get_path (uri);
  if (path[0] == '\0' || !g_str_has_suffix (path, "/"))
    return g_strconcat (text, "/", NULL);
  return g_steal_pointer (&text);
}
