/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-store.c: the local SQLite store.
 *
 * One connection per CdmStore, serialised by a recursive lock so that an
 * explicit transaction (cdm_store_begin) can call cdm_store_put on the same
 * thread.  The SQL for each entity is built once from the descriptions in
 * cdm-schema.c (identifiers only, never data) and prepared once per
 * connection; every value is bound.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cdm-search-private.h"
#include "cdm-store-private.h"
#include "cdm-store-schema-private.h"

G_DEFINE_QUARK (cdm-store-error-quark, cdm_store_error)

struct _CdmStore
{
  GObject parent_instance;

  /* Everything below is guarded by lock. */
  GRecMutex lock;
  sqlite3 *db;
  char *path;
  GHashTable *statements;     /* SQL text -> sqlite3_stmt */
  int schema_version;
  guint tx_depth;             /* explicit transactions (cdm_store_begin) */
  gboolean tx_bulk;
  GCancellable *watched;      /* interrupts long statements */
  gboolean queue_changes;

  char *user;
  char *organisation;
  char *desk;
  GTimeZone *zone;
};

G_DEFINE_FINAL_TYPE (CdmStore, cdm_store, G_TYPE_OBJECT)

/* The SQL of one entity, built from its description. */
typedef struct {
  char *select_one;    /* ... WHERE id = ?1 */
  char *select_all;    /* ... ORDER BY rowid */
  char *select_live;   /* ... WHERE deleted = 0 ORDER BY rowid */
  char *insert;
  char *update;
  char **link_select;  /* per field: SELECT target FROM link WHERE owner = ? */
  char **link_delete;
  char **link_insert;
  char *exists;        /* SELECT deleted FROM table WHERE id = ? */
  char *count;
} EntitySql;

static EntitySql entity_sql[CDM_N_ENTITIES];

static const char * const i18n_langs[] = { "fr", "nl", "en" };

/* Columns a field occupies, in select/insert order. */
static void
add_field_columns (const CdmField *f,
                   GPtrArray      *columns)
{
  switch (f->kind)
    {
    case CDM_FIELD_I18N:
      for (guint i = 0; i < G_N_ELEMENTS (i18n_langs); i++)
        g_ptr_array_add (columns, g_strdup_printf ("%s_%s", f->column, i18n_langs[i]));
      break;
    case CDM_FIELD_PROFILE:
      for (guint i = 0; i < cdm_n_profile_fields; i++)
        g_ptr_array_add (columns, g_strdup (cdm_profile_fields[i].column));
      break;
    case CDM_FIELD_REFS:
      break;
    case CDM_FIELD_TIMESTAMP:
      g_ptr_array_add (columns, g_strdup (f->column));
      if (f->unix_column != NULL)
        g_ptr_array_add (columns, g_strdup (f->unix_column));
      if (f->day_column != NULL)
        g_ptr_array_add (columns, g_strdup (f->day_column));
      break;
    case CDM_FIELD_TEXT:
    case CDM_FIELD_CODE:
    case CDM_FIELD_CODES:
    case CDM_FIELD_LANGUAGE:
    case CDM_FIELD_LANGUAGES:
    case CDM_FIELD_STRINGS:
    case CDM_FIELD_INT:
    case CDM_FIELD_BOOL:
    case CDM_FIELD_DATE:
    case CDM_FIELD_PEOPLE:
    case CDM_FIELD_REF:
    default:
      g_ptr_array_add (columns, g_strdup (f->column));
      break;
    }
}

static gpointer
build_entity_sql (gpointer data)
{
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    {
      const CdmEntityInfo *info = cdm_entity_info (e);
      EntitySql *sql = &entity_sql[e];
      g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GString) list = g_string_new ("id, version, updated_at, updated_by, deleted, sync_state");
      g_autoptr(GString) params = g_string_new ("?1, ?2, ?3, ?4, ?5, ?6");
      g_autoptr(GString) sets = g_string_new ("version = ?2, updated_at = ?3, updated_by = ?4, deleted = ?5, sync_state = ?6");

      for (guint i = 0; i < info->n_fields; i++)
        add_field_columns (&info->fields[i], columns);

      for (guint i = 0; i < columns->len; i++)
        {
          g_string_append_printf (list, ", %s", (char *) columns->pdata[i]);
          g_string_append_printf (params, ", ?%u", i + 7);
          g_string_append_printf (sets, ", %s = ?%u", (char *) columns->pdata[i], i + 7);
        }

      sql->select_one = g_strdup_printf ("SELECT %s FROM %s WHERE id = ?1", list->str, info->table);
      sql->select_all = g_strdup_printf ("SELECT %s FROM %s ORDER BY rowid", list->str, info->table);
      sql->select_live = g_strdup_printf ("SELECT %s FROM %s WHERE deleted = 0 ORDER BY rowid", list->str, info->table);
      sql->insert = g_strdup_printf ("INSERT INTO %s (%s) VALUES (%s)", info->table, list->str, params->str);
      sql->update = g_strdup_printf ("UPDATE %s SET %s WHERE id = ?1", info->table, sets->str);
      sql->exists = g_strdup_printf ("SELECT deleted FROM %s WHERE id = ?1", info->table);
      sql->count = g_strdup_printf ("SELECT count(*) FROM %s WHERE deleted = 0", info->table);

      sql->link_select = g_new0 (char *, info->n_fields);
      sql->link_delete = g_new0 (char *, info->n_fields);
      sql->link_insert = g_new0 (char *, info->n_fields);
      for (guint i = 0; i < info->n_fields; i++)
        {
          const CdmField *f = &info->fields[i];
          if (f->kind != CDM_FIELD_REFS)
            continue;
          sql->link_select[i] = g_strdup_printf ("SELECT %s FROM %s WHERE %s = ?1 ORDER BY position",
                                                 f->link_target, f->column, f->link_owner);
          sql->link_delete[i] = g_strdup_printf ("DELETE FROM %s WHERE %s = ?1", f->column, f->link_owner);
          sql->link_insert[i] = g_strdup_printf ("INSERT INTO %s (%s, %s, position) VALUES (?1, ?2, ?3)",
                                                 f->column, f->link_owner, f->link_target);
        }
    }
  return NULL;
}

static const EntitySql *
get_entity_sql (CdmEntity entity)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, build_entity_sql, NULL);
  return &entity_sql[entity];
}

/* Errors */

void
_cdm_store_set_error (GError     **error,
                      sqlite3     *db,
                      int          rc,
                      const char  *what)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  CdmStoreError code;

  switch (rc & 0xff)
    {
    case SQLITE_INTERRUPT:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, C_("operation", "Cancelled"));
      return;
    case SQLITE_CANTOPEN:
      code = CDM_STORE_ERROR_CANT_OPEN;
      break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      code = CDM_STORE_ERROR_NOT_A_STORE;
      detail = _("the file is not a Desk store or is damaged");
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = CDM_STORE_ERROR_BUSY;
      detail = _("another program is writing to the store; try again");
      break;
    case SQLITE_FULL:
      code = CDM_STORE_ERROR_FULL;
      detail = _("the disk is full");
      break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      code = CDM_STORE_ERROR_READ_ONLY;
      detail = _("the store cannot be written to (read-only file or folder)");
      break;
    case SQLITE_CONSTRAINT:
      code = CDM_STORE_ERROR_CONSTRAINT;
      break;
    default:
      code = CDM_STORE_ERROR_FAILED;
      break;
    }

  g_set_error (error, CDM_STORE_ERROR, code, "%s: %s", what, detail);
}

/* Statements */

static int
on_progress (void *data)
{
  CdmStore *self = data;

  return self->watched != NULL && g_cancellable_is_cancelled (self->watched);
}

void
_cdm_store_watch_cancellable (CdmStore     *self,
                              GCancellable *cancellable)
{
  g_set_object (&self->watched, cancellable);
  sqlite3_progress_handler (self->db, cancellable ? 1000 : 0, cancellable ? on_progress : NULL, self);
}

void
_cdm_store_unwatch_cancellable (CdmStore *self)
{
  sqlite3_progress_handler (self->db, 0, NULL, NULL);
  g_clear_object (&self->watched);
}

void
_cdm_store_lock (CdmStore *self)
{
  g_rec_mutex_lock (&self->lock);
}

void
_cdm_store_unlock (CdmStore *self)
{
  g_rec_mutex_unlock (&self->lock);
}

sqlite3 *
_cdm_store_get_db (CdmStore *self)
{
  return self->db;
}

sqlite3_stmt *
_cdm_store_prepare (CdmStore    *self,
                    const char  *sql,
                    GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _cdm_store_set_error (error, self->db, rc, _("Preparing a query failed"));
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
_cdm_store_exec (CdmStore    *self,
                 const char  *sql,
                 GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      _cdm_store_set_error (error, self->db, rc, _("Writing to the store failed"));
      return FALSE;
    }
  return TRUE;
}

gint64
_cdm_codes_to_mask (const char * const *codes,
                    JsonArray          *array)
{
  gint64 mask = 0;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      int idx = cdm_code_index (codes, json_array_get_string_element (array, i));
      if (idx >= 0)
        mask |= G_GINT64_CONSTANT (1) << idx;
    }
  return mask;
}

JsonArray *
_cdm_mask_to_codes (const char * const *codes,
                    gint64              mask)
{
  JsonArray *array = json_array_new ();

  for (int i = 0; codes[i] != NULL; i++)
    if (mask & (G_GINT64_CONSTANT (1) << i))
      json_array_add_string_element (array, codes[i]);
  return array;
}

/* Object */

static void
cdm_store_finalize (GObject *object)
{
  CdmStore *self = (CdmStore *) object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_clear_object (&self->watched);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->organisation, g_free);
  g_clear_pointer (&self->desk, g_free);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_rec_mutex_clear (&self->lock);

  G_OBJECT_CLASS (cdm_store_parent_class)->finalize (object);
}

static void
cdm_store_class_init (CdmStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cdm_store_finalize;
}

static void
cdm_store_init (CdmStore *self)
{
  g_rec_mutex_init (&self->lock);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) sqlite3_finalize);
  self->queue_changes = TRUE;
}

char *
cdm_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "cdm-desk", "desk.sqlite", NULL);
}

static gboolean
read_user_version (CdmStore  *self,
                   int       *out_version,
                   GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _cdm_store_set_error (error, self->db, rc, _("Opening the store failed"));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  *out_version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

static gboolean
migrate (CdmStore  *self,
         GError   **error)
{
  int version;
  g_autofree char *set_version = NULL;

  if (!read_user_version (self, &version, error))
    return FALSE;

  if (version > (int) _cdm_store_n_migrations)
    {
      g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_TOO_NEW,
                   _("%s was written by a newer version of Desk (store version %d, this version reads up to %u); "
                     "update Desk to open it"),
                   self->path, version, _cdm_store_n_migrations);
      return FALSE;
    }

  if (version == (int) _cdm_store_n_migrations)
    {
      self->schema_version = version;
      return TRUE;
    }

  /* All pending migrations in one transaction: a crash leaves the store
   * at its old version, never in between. */
  if (!_cdm_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  for (guint i = version; i < _cdm_store_n_migrations; i++)
    {
      if (!_cdm_store_exec (self, _cdm_store_migrations[i], error))
        goto fail;
      if (i == 0 && !_cdm_store_exec (self, _cdm_search_schema_sql, error))
        goto fail;
    }

  /* PRAGMA takes no parameters; the number is ours, not data. */
  set_version = g_strdup_printf ("PRAGMA user_version = %u", _cdm_store_n_migrations);
  if (!_cdm_store_exec (self, set_version, error))
    goto fail;

  if (version == 0)
    {
      g_autofree char *store_id = cdm_uuid_new ();
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *created = g_date_time_format_iso8601 (now);
      sqlite3_stmt *stmt = _cdm_store_prepare (self, "INSERT INTO meta (key, value) VALUES (?1, ?2)", error);

      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, "store_id", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, store_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        goto fail_sqlite;
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, "created_at", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, created, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        goto fail_sqlite;
      sqlite3_reset (stmt);
    }

  if (!_cdm_store_exec (self, "COMMIT", error))
    goto fail;

  self->schema_version = _cdm_store_n_migrations;
  return TRUE;

fail_sqlite:
  _cdm_store_set_error (error, self->db, sqlite3_errcode (self->db), _("Creating the store failed"));
fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* Once per process, before SQLite starts: its memory statistics, which
 * nothing here reads, take a global lock around every allocation (a
 * tenth of a bootstrap's CPU in docs/performance.md's profile).  If SQLite
 * was started already, the call fails and changes nothing. */
static void
configure_sqlite (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      sqlite3_config (SQLITE_CONFIG_MEMSTATUS, 0);
      g_once_init_leave (&done, 1);
    }
}

CdmStore *
cdm_store_open (const char  *path,
                GError     **error)
{
  g_autoptr(CdmStore) self = NULL;
  g_autofree char *dir = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  configure_sqlite ();
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_CANT_OPEN,
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
      return NULL;
    }

  self = g_object_new (CDM_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_CANT_OPEN,
                   _("Cannot open the store %s: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  /* Reading the header first tells a foreign file from a store before any
   * pragma writes to it. */
  {
    int version;
    if (!read_user_version (self, &version, error))
      {
        g_prefix_error (error, "%s: ", path);
        return NULL;
      }
    if (version > (int) _cdm_store_n_migrations)
      {
        g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_TOO_NEW,
                     _("%s was written by a newer version of Desk (store version %d, this version reads up to %u); "
                       "update Desk to open it"),
                     path, version, _cdm_store_n_migrations);
        return NULL;
      }
  }

  if (!_cdm_store_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !_cdm_store_exec (self, "PRAGMA synchronous = FULL", error) ||
      !_cdm_store_exec (self, "PRAGMA foreign_keys = ON", error) ||
      !_cdm_store_exec (self, "PRAGMA temp_store = MEMORY", error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }

  if (!_cdm_search_register_functions (self->db, error))
    return NULL;

  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
open_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  CdmStore *store = cdm_store_open (task_data, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

void
cdm_store_open_async (const char          *path,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, cdm_store_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_thread);
}

CdmStore *
cdm_store_open_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
cdm_store_get_path (CdmStore *self)
{
  g_return_val_if_fail (CDM_IS_STORE (self), NULL);
  return self->path;
}

int
cdm_store_get_schema_version (CdmStore *self)
{
  g_return_val_if_fail (CDM_IS_STORE (self), 0);
  return self->schema_version;
}

void
cdm_store_set_identity (CdmStore   *self,
                        const char *user,
                        const char *organisation,
                        const char *desk)
{
  g_return_if_fail (CDM_IS_STORE (self));

  _cdm_store_lock (self);
  g_free (self->user);
  self->user = g_strdup (user);
  g_free (self->organisation);
  self->organisation = g_strdup (organisation);
  g_free (self->desk);
  self->desk = g_strdup (desk);
  _cdm_store_unlock (self);
}

void
cdm_store_set_queue_changes (CdmStore *self,
                             gboolean  queue_changes)
{
  g_return_if_fail (CDM_IS_STORE (self));

  _cdm_store_lock (self);
  self->queue_changes = !!queue_changes;
  _cdm_store_unlock (self);
}

char *
cdm_store_get_setting (CdmStore   *self,
                       const char *key)
{
  sqlite3_stmt *stmt;
  char *value = NULL;

  g_return_val_if_fail (CDM_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  _cdm_store_lock (self);
  stmt = _cdm_store_prepare (self, "SELECT value FROM meta WHERE key = ?1", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }
  _cdm_store_unlock (self);
  return value;
}

gboolean
cdm_store_set_setting (CdmStore    *self,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  _cdm_store_lock (self);
  stmt = _cdm_store_prepare (self,
                             "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        ok = TRUE;
      else
        _cdm_store_set_error (error, self->db, rc, _("Saving a setting failed"));
      sqlite3_reset (stmt);
    }
  if (ok && g_str_equal (key, "timezone"))
    g_clear_pointer (&self->zone, g_time_zone_unref);
  _cdm_store_unlock (self);
  return ok;
}

GTimeZone *
cdm_store_get_time_zone (CdmStore *self)
{
  GTimeZone *zone;

  g_return_val_if_fail (CDM_IS_STORE (self), NULL);

  _cdm_store_lock (self);
  if (self->zone == NULL)
    {
      g_autofree char *name = cdm_store_get_setting (self, "timezone");
      if (name != NULL)
        self->zone = g_time_zone_new_identifier (name);
      if (self->zone == NULL)
        self->zone = cdm_default_time_zone ();
    }
  zone = g_time_zone_ref (self->zone);
  _cdm_store_unlock (self);
  return zone;
}

/* Transactions.  A put outside an explicit transaction is its own
 * BEGIN IMMEDIATE ... COMMIT (synchronous=FULL: durable when it returns);
 * inside one it is a savepoint, so a refused record leaves nothing behind
 * while the caller decides whether to roll the whole thing back. */

static gboolean
write_begin (CdmStore  *self,
             GError   **error)
{
  if (sqlite3_get_autocommit (self->db))
    return _cdm_store_exec (self, "BEGIN IMMEDIATE", error);
  return _cdm_store_exec (self, "SAVEPOINT cdm_write", error);
}

static gboolean
write_end (CdmStore  *self,
           gboolean   ok,
           GError   **error)
{
  if (self->tx_depth == 0)
    {
      if (ok)
        {
          if (_cdm_store_exec (self, "COMMIT", error))
            return TRUE;
        }
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  if (ok)
    return _cdm_store_exec (self, "RELEASE cdm_write", error);
  sqlite3_exec (self->db, "ROLLBACK TO cdm_write; RELEASE cdm_write", NULL, NULL, NULL);
  return FALSE;
}

gboolean
cdm_store_begin (CdmStore  *self,
                 gboolean   bulk,
                 GError   **error)
{
  g_return_val_if_fail (CDM_IS_STORE (self), FALSE);

  _cdm_store_lock (self);
  if (self->tx_depth > 0)
    {
      /* Nested: join the outer transaction. */
      self->tx_depth++;
      return TRUE;
    }

  if (bulk && !_cdm_store_exec (self, "PRAGMA synchronous = NORMAL", error))
    goto fail;
  if (!_cdm_store_exec (self, "BEGIN IMMEDIATE", error))
    goto fail;

  self->tx_depth = 1;
  self->tx_bulk = bulk;
  return TRUE;

fail:
  if (bulk)
    sqlite3_exec (self->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
  _cdm_store_unlock (self);
  return FALSE;
}

static void
end_transaction (CdmStore *self)
{
  if (self->tx_bulk)
    sqlite3_exec (self->db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
  self->tx_bulk = FALSE;
  self->tx_depth = 0;
}

gboolean
cdm_store_commit (CdmStore  *self,
                  GError   **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (CDM_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  if (self->tx_depth > 1)
    {
      self->tx_depth--;
      _cdm_store_unlock (self);
      return TRUE;
    }

  if (!_cdm_store_exec (self, "COMMIT", error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      ok = FALSE;
    }
  end_transaction (self);
  _cdm_store_unlock (self);
  return ok;
}

void
cdm_store_rollback (CdmStore *self)
{
  g_return_if_fail (CDM_IS_STORE (self));
  g_return_if_fail (self->tx_depth > 0);

  /* A nested rollback rolls the whole transaction back: all-or-nothing
   * work must not half-commit because an inner step gave up. */
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  if (self->tx_depth > 1)
    {
      self->tx_depth--;
      _cdm_store_unlock (self);
      return;
    }
  end_transaction (self);
  _cdm_store_unlock (self);
}

/* Rows <-> records */

static JsonNode *
column_string_node (sqlite3_stmt *stmt,
                    int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return json_node_new (JSON_NODE_NULL);
  return json_node_init_string (json_node_alloc (), (const char *) sqlite3_column_text (stmt, col));
}

static JsonNode *
column_json_node (sqlite3_stmt *stmt,
                  int           col)
{
  const char *text = (const char *) sqlite3_column_text (stmt, col);
  JsonNode *node = text != NULL ? json_from_string (text, NULL) : NULL;

  if (node == NULL)
    {
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, json_array_new ());
    }
  return node;
}

static JsonNode *
column_scalar_node (const CdmField *f,
                    sqlite3_stmt   *stmt,
                    int             col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return json_node_new (JSON_NODE_NULL);
  switch (f->kind)
    {
    case CDM_FIELD_INT:
      return json_node_init_int (json_node_alloc (), sqlite3_column_int64 (stmt, col));
    case CDM_FIELD_BOOL:
      return json_node_init_boolean (json_node_alloc (), sqlite3_column_int (stmt, col) != 0);
    case CDM_FIELD_TEXT:
    case CDM_FIELD_CODE:
    case CDM_FIELD_LANGUAGE:
    case CDM_FIELD_DATE:
    case CDM_FIELD_TIMESTAMP:
    case CDM_FIELD_REF:
    case CDM_FIELD_CODES:
    case CDM_FIELD_LANGUAGES:
    case CDM_FIELD_STRINGS:
    case CDM_FIELD_I18N:
    case CDM_FIELD_PEOPLE:
    case CDM_FIELD_PROFILE:
    case CDM_FIELD_REFS:
    default:
      return column_string_node (stmt, col);
    }
}

/* Builds the record of the current row of a select built by
 * build_entity_sql(); link tables are read with their own statements. */
static JsonObject *
row_to_record (CdmStore     *self,
               CdmEntity     entity,
               sqlite3_stmt *stmt,
               GError      **error)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  const EntitySql *sql = get_entity_sql (entity);
  g_autoptr(JsonObject) record = json_object_new ();
  const char *id = (const char *) sqlite3_column_text (stmt, 0);
  int col = 6;

  json_object_set_string_member (record, "type", info->name);
  json_object_set_string_member (record, "id", id);

  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];

      switch (f->kind)
        {
        case CDM_FIELD_I18N:
          {
            JsonObject *names = json_object_new ();
            gboolean any = FALSE;
            for (guint l = 0; l < G_N_ELEMENTS (i18n_langs); l++)
              {
                any |= sqlite3_column_type (stmt, col) != SQLITE_NULL;
                json_object_set_member (names, i18n_langs[l], column_string_node (stmt, col++));
              }
            if (any)
              json_object_set_object_member (record, f->name, names);
            else
              {
                json_object_unref (names);
                json_object_set_null_member (record, f->name);
              }
          }
          break;

        case CDM_FIELD_PROFILE:
          {
            JsonObject *profile = json_object_new ();
            for (guint p = 0; p < cdm_n_profile_fields; p++)
              json_object_set_member (profile, cdm_profile_fields[p].name,
                                      column_scalar_node (&cdm_profile_fields[p], stmt, col++));
            json_object_set_object_member (record, f->name, profile);
          }
          break;

        case CDM_FIELD_CODES:
          json_object_set_array_member (record, f->name,
                                        _cdm_mask_to_codes (f->codes, sqlite3_column_int64 (stmt, col++)));
          break;

        case CDM_FIELD_LANGUAGES:
        case CDM_FIELD_STRINGS:
        case CDM_FIELD_PEOPLE:
          json_object_set_member (record, f->name, column_json_node (stmt, col++));
          break;

        case CDM_FIELD_REFS:
          {
            sqlite3_stmt *link = _cdm_store_prepare (self, sql->link_select[i], error);
            JsonArray *ids;
            int rc;

            if (link == NULL)
              return NULL;
            ids = json_array_new ();
            sqlite3_bind_text (link, 1, id, -1, SQLITE_TRANSIENT);
            while ((rc = sqlite3_step (link)) == SQLITE_ROW)
              json_array_add_string_element (ids, (const char *) sqlite3_column_text (link, 0));
            sqlite3_reset (link);
            json_object_set_array_member (record, f->name, ids);
            if (rc != SQLITE_DONE)
              {
                _cdm_store_set_error (error, self->db, rc, _("Reading the store failed"));
                return NULL;
              }
          }
          break;

        case CDM_FIELD_TIMESTAMP:
          json_object_set_member (record, f->name, column_string_node (stmt, col++));
          col += (f->unix_column != NULL) + (f->day_column != NULL);
          break;

        case CDM_FIELD_TEXT:
        case CDM_FIELD_CODE:
        case CDM_FIELD_LANGUAGE:
        case CDM_FIELD_INT:
        case CDM_FIELD_BOOL:
        case CDM_FIELD_DATE:
        case CDM_FIELD_REF:
        default:
          json_object_set_member (record, f->name, column_scalar_node (f, stmt, col++));
          break;
        }
    }

  json_object_set_int_member (record, "version", sqlite3_column_int64 (stmt, 1));
  json_object_set_member (record, "updated_at", column_string_node (stmt, 2));
  json_object_set_member (record, "updated_by", column_string_node (stmt, 3));
  json_object_set_boolean_member (record, "deleted", sqlite3_column_int (stmt, 4) != 0);
  return g_steal_pointer (&record);
}

static void
bind_node_text (sqlite3_stmt *stmt,
                int           param,
                JsonNode     *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    sqlite3_bind_null (stmt, param);
  else
    sqlite3_bind_text (stmt, param, json_node_get_string (node), -1, SQLITE_TRANSIENT);
}

static void
bind_node_scalar (const CdmField *f,
                  sqlite3_stmt   *stmt,
                  int             param,
                  JsonNode       *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    sqlite3_bind_null (stmt, param);
  else if (f->kind == CDM_FIELD_INT)
    sqlite3_bind_int64 (stmt, param, json_node_get_int (node));
  else if (f->kind == CDM_FIELD_BOOL)
    sqlite3_bind_int (stmt, param, json_node_get_boolean (node));
  else
    bind_node_text (stmt, param, node);
}

/* Binds the record's columns from parameter 7 on (see build_entity_sql). */
static void
bind_record (CdmStore     *self,
             CdmEntity     entity,
             sqlite3_stmt *stmt,
             JsonObject   *record)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (self);
  int param = 7;

  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];
      JsonNode *node = json_object_get_member (record, f->name);

      switch (f->kind)
        {
        case CDM_FIELD_I18N:
          {
            JsonObject *names = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
            for (guint l = 0; l < G_N_ELEMENTS (i18n_langs); l++)
              bind_node_text (stmt, param++, names ? json_object_get_member (names, i18n_langs[l]) : NULL);
          }
          break;

        case CDM_FIELD_PROFILE:
          {
            JsonObject *profile = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
            for (guint p = 0; p < cdm_n_profile_fields; p++)
              bind_node_scalar (&cdm_profile_fields[p], stmt, param++,
                                profile ? json_object_get_member (profile, cdm_profile_fields[p].name) : NULL);
          }
          break;

        case CDM_FIELD_CODES:
          sqlite3_bind_int64 (stmt, param++, _cdm_codes_to_mask (f->codes, json_node_get_array (node)));
          break;

        case CDM_FIELD_LANGUAGES:
        case CDM_FIELD_STRINGS:
        case CDM_FIELD_PEOPLE:
          if (json_array_get_length (json_node_get_array (node)) == 0)
            sqlite3_bind_null (stmt, param++);
          else
            {
              g_autofree char *text = json_to_string (node, FALSE);
              sqlite3_bind_text (stmt, param++, text, -1, SQLITE_TRANSIENT);
            }
          break;

        case CDM_FIELD_REFS:
          break;

        case CDM_FIELD_TIMESTAMP:
          {
            gint64 unix_time = 0;
            gboolean have = !JSON_NODE_HOLDS_NULL (node) &&
                            cdm_parse_timestamp (json_node_get_string (node), &unix_time, NULL);

            bind_node_text (stmt, param++, node);
            if (f->unix_column != NULL)
              {
                if (have)
                  sqlite3_bind_int64 (stmt, param, unix_time);
                else
                  sqlite3_bind_null (stmt, param);
                param++;
              }
            if (f->day_column != NULL)
              {
                if (have)
                  sqlite3_bind_text (stmt, param, cdm_local_day (zone, unix_time), -1, g_free);
                else
                  sqlite3_bind_null (stmt, param);
                param++;
              }
          }
          break;

        case CDM_FIELD_TEXT:
        case CDM_FIELD_CODE:
        case CDM_FIELD_LANGUAGE:
        case CDM_FIELD_INT:
        case CDM_FIELD_BOOL:
        case CDM_FIELD_DATE:
        case CDM_FIELD_REF:
        default:
          bind_node_scalar (f, stmt, param++, node);
          break;
        }
    }
}

/* Does the store know @id as a record of @entity?  Sets a readable error if not. */
static gboolean
check_reference (CdmStore    *self,
                 const char  *field,
                 CdmEntity    entity,
                 const char  *id,
                 GError     **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (self, get_entity_sql (entity)->exists, error);
  int rc;
  gboolean known;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  known = rc == SQLITE_ROW;
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, self->db, rc, _("Reading the store failed"));
      return FALSE;
    }
  /* A tombstone is a record the store knows: a contact logged offline may
   * refer to a partner that another desk deleted meanwhile, and that
   * contact must still be written.  Pickers offer live records only. */
  if (!known)
    {
      g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_UNKNOWN_REFERENCE,
                   _("%s: there is no %s with id %s"),
                   field, cdm_entity_info (entity)->name, id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_links (CdmStore    *self,
             CdmEntity    entity,
             const char  *id,
             JsonObject  *record,
             gboolean     replace,
             GError     **error)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  const EntitySql *sql = get_entity_sql (entity);

  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];
      JsonArray *ids;
      sqlite3_stmt *stmt;
      int rc;

      if (f->kind != CDM_FIELD_REFS)
        continue;

      if (replace)
        {
          stmt = _cdm_store_prepare (self, sql->link_delete[i], error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
          rc = sqlite3_step (stmt);
          sqlite3_reset (stmt);
          if (rc != SQLITE_DONE)
            {
              _cdm_store_set_error (error, self->db, rc, _("Writing to the store failed"));
              return FALSE;
            }
        }

      ids = json_object_get_array_member (record, f->name);
      for (guint j = 0; j < json_array_get_length (ids); j++)
        {
          const char *target = json_array_get_string_element (ids, j);

          if (!check_reference (self, f->name, f->ref_entity, target, error))
            return FALSE;

          stmt = _cdm_store_prepare (self, sql->link_insert[i], error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (stmt, 2, target, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int (stmt, 3, j);
          rc = sqlite3_step (stmt);
          sqlite3_reset (stmt);
          if (rc != SQLITE_DONE)
            {
              _cdm_store_set_error (error, self->db, rc, _("Writing to the store failed"));
              return FALSE;
            }
        }
    }
  return TRUE;
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static gboolean
queue_outbox (CdmStore    *self,
              CdmEntity    entity,
              const char  *id,
              const char  *op,
              gint64       base_version,
              JsonObject  *fields,
              JsonObject  *old,
              const char  *now,
              GError     **error)
{
  sqlite3_stmt *stmt;
  g_autofree char *key = cdm_uuid_new ();
  g_autofree char *fields_text = NULL;
  g_autofree char *old_text = NULL;
  g_autoptr(JsonNode) fields_node = json_node_init_object (json_node_alloc (), fields);
  int rc;

  fields_text = json_to_string (fields_node, FALSE);
  if (old != NULL)
    {
      g_autoptr(JsonNode) old_node = json_node_init_object (json_node_alloc (), old);
      old_text = json_to_string (old_node, FALSE);
    }

  stmt = _cdm_store_prepare (self,
                             "INSERT INTO outbox (key, entity, record, op, base_version, fields, old, queued_at) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, cdm_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, op, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, base_version);
  sqlite3_bind_text (stmt, 6, fields_text, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, old_text, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, now, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, self->db, rc, _("Queueing the change failed"));
      return FALSE;
    }
  return TRUE;
}

/* Reads the stored row of @id, or NULL (no error) when there is none.
 * *out_state gets its sync state. */
static JsonObject *
load_record (CdmStore     *self,
             CdmEntity     entity,
             const char   *id,
             CdmSyncState *out_state,
             GError      **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (self, get_entity_sql (entity)->select_one, error);
  JsonObject *record = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_state != NULL)
        *out_state = sqlite3_column_int (stmt, 5);
      record = row_to_record (self, entity, stmt, error);
    }
  else if (rc != SQLITE_DONE)
    _cdm_store_set_error (error, self->db, rc, _("Reading the store failed"));
  sqlite3_reset (stmt);
  return record;
}

static void
fill_identity (CdmStore   *self,
               CdmEntity   entity,
               JsonObject *record)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);

  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];
      const char *value = NULL;

      if (f->flags & CDM_FIELD_FROM_DESK)
        value = self->desk;
      else if (f->flags & CDM_FIELD_FROM_USER)
        value = self->user;
      else if (f->flags & CDM_FIELD_FROM_ORG)
        value = self->organisation;
      else
        continue;

      if (value != NULL && json_object_get_null_member (record, f->name))
        json_object_set_string_member (record, f->name, value);
    }
}

static gboolean set_deleted (CdmStore    *self,
                             CdmEntity    entity,
                             const char  *id,
                             gboolean     deleted,
                             int          state,
                             GError     **error);

static gboolean
put_locked (CdmStore      *self,
            CdmEntity      entity,
            JsonObject    *input,
            char         **out_id,
            CdmPutResult  *out_result,
            GError       **error)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  const EntitySql *sql = get_entity_sql (entity);
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) existing = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) old = NULL;
  g_autofree char *id = NULL;
  g_autofree char *now = NULL;
  CdmSyncState state = CDM_SYNC_STATE_SYNCED;
  CdmPutResult result;
  sqlite3_stmt *stmt;
  gint64 version = 0;
  gboolean want_deleted = FALSE;
  int rc;

  record = cdm_record_normalize (entity, input, error);
  if (record == NULL)
    return FALSE;

  /* "deleted": true writes a tombstone: an export of a store with deleted
   * records, or a sync page, carries them like any record. */
  {
    JsonNode *node = json_object_get_member (input, "deleted");
    if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
        json_node_get_value_type (node) == G_TYPE_BOOLEAN)
      want_deleted = json_node_get_boolean (node);
    else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
      {
        g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_WRONG_TYPE,
                     _("%s: expected %s"), "deleted", _("true or false"));
        return FALSE;
      }
  }
  fill_identity (self, entity, record);

  if (json_object_has_member (record, "id"))
    id = g_strdup (json_object_get_string_member (record, "id"));
  else
    {
      id = cdm_uuid_new ();
      json_object_set_string_member (record, "id", id);
    }

  if (!write_begin (self, error))
    return FALSE;

  existing = load_record (self, entity, id, &state, error);
  if (existing == NULL && error != NULL && *error != NULL)
    goto fail;

  if (existing != NULL)
    {
      if (json_object_get_boolean_member (existing, "deleted"))
        {
          if (want_deleted)
            {
              write_end (self, TRUE, NULL);
              result = CDM_PUT_UNCHANGED;
              goto done;
            }
          g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_DELETED,
                       _("The %s %s was deleted and cannot be written again"), info->name, id);
          goto fail;
        }

      version = json_object_get_int_member (existing, "version");
      old = json_object_new ();
      for (guint i = 0; i < info->n_fields; i++)
        {
          const char *name = info->fields[i].name;
          JsonNode *a = json_object_get_member (existing, name);
          JsonNode *b = json_object_get_member (record, name);

          if (!json_node_equal (a, b))
            {
              json_object_set_member (fields, name, json_node_copy (b));
              json_object_set_member (old, name, json_node_copy (a));
            }
        }

      if (json_object_get_size (fields) == 0)
        {
          if (want_deleted)
            goto delete_existing;
          write_end (self, TRUE, NULL);
          result = CDM_PUT_UNCHANGED;
          goto done;
        }

      if (info->flags & CDM_ENTITY_APPEND_ONLY)
        {
          g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_APPEND_ONLY,
                       _("A %s is counted once written and cannot be changed; delete it and record a new one"),
                       info->name);
          goto fail;
        }
    }

  /* References to single records; lists are checked in write_links(). */
  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];
      if (f->kind == CDM_FIELD_REF && !json_object_get_null_member (record, f->name) &&
          !check_reference (self, f->name, f->ref_entity,
                            json_object_get_string_member (record, f->name), error))
        goto fail;
    }

  now = now_iso8601 ();
  stmt = _cdm_store_prepare (self, existing ? sql->update : sql->insert, error);
  if (stmt == NULL)
    goto fail;

  if (!self->queue_changes)
    state = CDM_SYNC_STATE_SYNCED;
  else if (existing == NULL)
    state = CDM_SYNC_STATE_CREATED;
  else if (state != CDM_SYNC_STATE_CREATED)
    state = CDM_SYNC_STATE_MODIFIED;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, self->user, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, existing == NULL && want_deleted);
  sqlite3_bind_int (stmt, 6, existing == NULL && want_deleted && self->queue_changes ?
                    CDM_SYNC_STATE_DELETED : state);
  bind_record (self, entity, stmt, record);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, self->db, rc, _("Writing to the store failed"));
      goto fail;
    }

  if (!write_links (self, entity, id, record, existing != NULL, error))
    goto fail;

  if (self->queue_changes)
    {
      if (existing == NULL)
        {
          for (guint i = 0; i < info->n_fields; i++)
            json_object_set_member (fields, info->fields[i].name,
                                    json_node_copy (json_object_get_member (record, info->fields[i].name)));
        }
      if (!queue_outbox (self, entity, id, existing ? "update" : "create", version,
                         fields, old, now, error))
        goto fail;
    }

  if (existing != NULL && want_deleted)
    goto delete_existing;
  if (existing == NULL && want_deleted && self->queue_changes)
    {
      g_autoptr(JsonObject) tomb = json_object_new ();
      json_object_set_boolean_member (tomb, "deleted", TRUE);
      if (!queue_outbox (self, entity, id, "delete", version, tomb, NULL, now, error))
        goto fail;
    }

  if (!write_end (self, TRUE, error))
    return FALSE;
  result = existing ? CDM_PUT_UPDATED : CDM_PUT_CREATED;
  goto done;

delete_existing:
  if (now == NULL)
    now = now_iso8601 ();
  {
    g_autoptr(JsonObject) tomb = json_object_new ();
    json_object_set_boolean_member (tomb, "deleted", TRUE);
    if (!set_deleted (self, entity, id, TRUE,
                      self->queue_changes ? CDM_SYNC_STATE_DELETED : CDM_SYNC_STATE_SYNCED, error) ||
        (self->queue_changes &&
         !queue_outbox (self, entity, id, "delete", version, tomb, NULL, now, error)))
      goto fail;
  }
  if (!write_end (self, TRUE, error))
    return FALSE;
  result = CDM_PUT_UPDATED;

done:
  if (out_id != NULL)
    *out_id = g_steal_pointer (&id);
  if (out_result != NULL)
    *out_result = result;
  return TRUE;

fail:
  write_end (self, FALSE, NULL);
  return FALSE;
}

gboolean
cdm_store_put (CdmStore      *self,
               CdmEntity      entity,
               JsonObject    *record,
               char         **out_id,
               CdmPutResult  *out_result,
               GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (CDM_IS_STORE (self), FALSE);
  g_return_val_if_fail (entity < CDM_N_ENTITIES, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  _cdm_store_lock (self);
  ok = put_locked (self, entity, record, out_id, out_result, error);
  _cdm_store_unlock (self);
  return ok;
}

/* Async: every _async variant of libcdm runs its work through here, in
 * GLib's worker pool; the store's lock serialises the workers. */
static void
run_thread_trampoline (GTask        *task,
                       gpointer      source,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  CdmStoreThreadFunc func = g_object_get_data (G_OBJECT (task), "cdm-thread-func");

  if (g_task_return_error_if_cancelled (task))
    return;
  func (task, CDM_STORE (source), task_data, cancellable);
}

void
_cdm_store_run_in_thread (CdmStore            *self,
                          gpointer             source_tag,
                          CdmStoreThreadFunc   func,
                          gpointer             task_data,
                          GDestroyNotify       task_data_free,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, task_data, task_data_free);
  g_object_set_data (G_OBJECT (task), "cdm-thread-func", func);
  g_task_run_in_thread (task, run_thread_trampoline);
}

typedef struct {
  CdmEntity entity;
  JsonObject *record;
} PutData;

static void
put_data_free (gpointer data)
{
  PutData *pd = data;

  json_object_unref (pd->record);
  g_free (pd);
}

static void
put_thread (GTask        *task,
            CdmStore     *self,
            gpointer      task_data,
            GCancellable *cancellable)
{
  PutData *pd = task_data;
  GError *error = NULL;
  char *id = NULL;

  if (cdm_store_put (self, pd->entity, pd->record, &id, NULL, &error))
    g_task_return_pointer (task, id, g_free);
  else
    g_task_return_error (task, error);
}

void
cdm_store_put_async (CdmStore            *self,
                     CdmEntity            entity,
                     JsonObject          *record,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  PutData *pd;
  g_autoptr(JsonNode) copy = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CDM_IS_STORE (self));
  g_return_if_fail (record != NULL);

  /* The caller may change its object after we return: take a deep copy
   * (json_node_copy() shares the object). */
  node = json_node_init_object (json_node_alloc (), record);
  text = json_to_string (node, FALSE);
  copy = json_from_string (text, NULL);

  pd = g_new0 (PutData, 1);
  pd->entity = entity;
  pd->record = json_node_dup_object (copy);
  _cdm_store_run_in_thread (self, cdm_store_put_async, put_thread, pd, put_data_free,
                            cancellable, callback, user_data);
}

char *
cdm_store_put_finish (CdmStore      *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonObject *
cdm_store_get (CdmStore    *self,
               CdmEntity    entity,
               const char  *id,
               gboolean     include_deleted,
               GError     **error)
{
  GError *local_error = NULL;
  JsonObject *record;

  g_return_val_if_fail (CDM_IS_STORE (self), NULL);
  g_return_val_if_fail (entity < CDM_N_ENTITIES, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  _cdm_store_lock (self);
  record = load_record (self, entity, id, NULL, &local_error);
  _cdm_store_unlock (self);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (record == NULL || (!include_deleted && json_object_get_boolean_member (record, "deleted")))
    {
      g_clear_pointer (&record, json_object_unref);
      g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND,
                   _("There is no %s with id %s"), cdm_entity_info (entity)->name, id);
    }
  return record;
}

static gboolean
set_deleted (CdmStore    *self,
             CdmEntity    entity,
             const char  *id,
             gboolean     deleted,
             int          state,
             GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE %s SET deleted = ?2, sync_state = ?3, updated_at = ?4, updated_by = ?5 "
                                          "WHERE id = ?1", cdm_entity_info (entity)->table);
  g_autofree char *now = now_iso8601 ();
  sqlite3_stmt *stmt = _cdm_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, deleted);
  sqlite3_bind_int (stmt, 3, state);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, self->user, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, self->db, rc, _("Writing to the store failed"));
      return FALSE;
    }
  return TRUE;
}

gboolean
cdm_store_delete (CdmStore    *self,
                  CdmEntity    entity,
                  const char  *id,
                  GError     **error)
{
  g_autoptr(JsonObject) existing = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *now = NULL;
  GError *local_error = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (CDM_IS_STORE (self), FALSE);
  g_return_val_if_fail (entity < CDM_N_ENTITIES, FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  _cdm_store_lock (self);
  if (!write_begin (self, error))
    goto out;

  existing = load_record (self, entity, id, NULL, &local_error);
  if (existing == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      else
        g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND,
                     _("There is no %s with id %s"), cdm_entity_info (entity)->name, id);
      write_end (self, FALSE, NULL);
      goto out;
    }

  /* Deleting twice is harmless and queues nothing more. */
  if (json_object_get_boolean_member (existing, "deleted"))
    {
      ok = write_end (self, TRUE, error);
      goto out;
    }

  now = now_iso8601 ();
  json_object_set_boolean_member (fields, "deleted", TRUE);
  if (!set_deleted (self, entity, id, TRUE,
                    self->queue_changes ? CDM_SYNC_STATE_DELETED : CDM_SYNC_STATE_SYNCED, error) ||
      (self->queue_changes &&
       !queue_outbox (self, entity, id, "delete", json_object_get_int_member (existing, "version"),
                      fields, NULL, now, error)))
    {
      write_end (self, FALSE, NULL);
      goto out;
    }
  ok = write_end (self, TRUE, error);

out:
  _cdm_store_unlock (self);
  return ok;
}

gboolean
cdm_store_undelete (CdmStore    *self,
                    CdmEntity    entity,
                    const char  *id,
                    GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 seq = -1;
  gint64 version = 0;
  gint64 pending = 0;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  _cdm_store_lock (self);
  if (!write_begin (self, error))
    goto out;

  /* Only a delete still waiting in the outbox, and the newest change of
   * the record, can be taken back: once pushed, other desks have it. */
  stmt = _cdm_store_prepare (self,
                             "SELECT seq, op, state, base_version FROM outbox WHERE entity = ?1 AND record = ?2 "
                             "ORDER BY seq DESC LIMIT 1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, cdm_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW &&
      g_str_equal ((const char *) sqlite3_column_text (stmt, 1), "delete") &&
      g_str_equal ((const char *) sqlite3_column_text (stmt, 2), "pending"))
    {
      seq = sqlite3_column_int64 (stmt, 0);
      version = sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_reset (stmt);

  if (seq < 0)
    {
      g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_DELETED,
                   _("The %s %s cannot be restored: its deletion has already been sent"),
                   cdm_entity_info (entity)->name, id);
      goto fail;
    }

  stmt = _cdm_store_prepare (self, "DELETE FROM outbox WHERE seq = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, self->db, rc, _("Writing to the store failed"));
      goto fail;
    }

  stmt = _cdm_store_prepare (self, "SELECT count(*) FROM outbox WHERE entity = ?1 AND record = ?2", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, cdm_entity_info (entity)->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    pending = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  if (!set_deleted (self, entity, id, FALSE,
                    version == 0 ? CDM_SYNC_STATE_CREATED :
                    pending > 0 ? CDM_SYNC_STATE_MODIFIED : CDM_SYNC_STATE_SYNCED,
                    error))
    goto fail;

  ok = write_end (self, TRUE, error);
  goto out;

fail:
  write_end (self, FALSE, NULL);
out:
  _cdm_store_unlock (self);
  return ok;
}

gboolean
cdm_store_foreach (CdmStore      *self,
                   CdmEntity      entity,
                   gboolean       include_deleted,
                   CdmRecordFunc  func,
                   gpointer       user_data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  const EntitySql *sql;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (self), FALSE);
  g_return_val_if_fail (entity < CDM_N_ENTITIES, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  sql = get_entity_sql (entity);

  _cdm_store_lock (self);
  /* A statement of its own, not the cache: @func may use the store. */
  rc = sqlite3_prepare_v2 (self->db, include_deleted ? sql->select_all : sql->select_live, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _cdm_store_set_error (error, self->db, rc, _("Reading the store failed"));
      goto out;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(JsonObject) record = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      record = row_to_record (self, entity, stmt, error);
      if (record == NULL)
        goto out;
      if (!func (record, user_data))
        break;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, self->db, rc, _("Reading the store failed"));
      goto out;
    }
  ok = TRUE;

out:
  sqlite3_finalize (stmt);
  _cdm_store_unlock (self);
  return ok;
}

static gint64
count_query (CdmStore    *self,
             const char  *sql,
             GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 n = -1;
  int rc;

  _cdm_store_lock (self);
  stmt = _cdm_store_prepare (self, sql, error);
  if (stmt != NULL)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        n = sqlite3_column_int64 (stmt, 0);
      else
        _cdm_store_set_error (error, self->db, rc, _("Reading the store failed"));
      sqlite3_reset (stmt);
    }
  _cdm_store_unlock (self);
  return n;
}

gint64
cdm_store_count (CdmStore    *self,
                 CdmEntity    entity,
                 GError     **error)
{
  g_return_val_if_fail (CDM_IS_STORE (self), -1);
  g_return_val_if_fail (entity < CDM_N_ENTITIES, -1);

  return count_query (self, get_entity_sql (entity)->count, error);
}

gint64
cdm_store_outbox_count (CdmStore  *self,
                        GError   **error)
{
  g_return_val_if_fail (CDM_IS_STORE (self), -1);

  return count_query (self, "SELECT count(*) FROM outbox", error);
}

JsonArray *
cdm_store_outbox_list (CdmStore  *self,
                       guint      limit,
                       GError   **error)
{
  g_autoptr(JsonArray) entries = json_array_new ();
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (self), NULL);

  _cdm_store_lock (self);
  stmt = _cdm_store_prepare (self,
                             "SELECT seq, key, entity, record, op, base_version, fields, old, queued_at, state, reason "
                             "FROM outbox ORDER BY seq LIMIT ?1", error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_int_member (entry, "seq", sqlite3_column_int64 (stmt, 0));
      json_object_set_member (entry, "key", column_string_node (stmt, 1));
      json_object_set_member (entry, "type", column_string_node (stmt, 2));
      json_object_set_member (entry, "id", column_string_node (stmt, 3));
      json_object_set_member (entry, "op", column_string_node (stmt, 4));
      json_object_set_int_member (entry, "base_version", sqlite3_column_int64 (stmt, 5));
      json_object_set_member (entry, "fields", json_from_string ((const char *) sqlite3_column_text (stmt, 6), NULL));
      if (sqlite3_column_type (stmt, 7) == SQLITE_NULL)
        json_object_set_null_member (entry, "old");
      else
        json_object_set_member (entry, "old", json_from_string ((const char *) sqlite3_column_text (stmt, 7), NULL));
      json_object_set_member (entry, "queued_at", column_string_node (stmt, 8));
      json_object_set_member (entry, "state", column_string_node (stmt, 9));
      json_object_set_member (entry, "reason", column_string_node (stmt, 10));
      json_array_add_object_element (entries, entry);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, self->db, rc, _("Reading the store failed"));
      goto out;
    }
  ok = TRUE;

out:
  _cdm_store_unlock (self);
  return ok ? g_steal_pointer (&entries) : NULL;
}

gboolean
cdm_store_check_integrity (CdmStore  *self,
                           GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (self), FALSE);

  _cdm_store_lock (self);
  rc = sqlite3_prepare_v2 (self->db, "PRAGMA integrity_check", -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *line = (const char *) sqlite3_column_text (stmt, 0);
      if (!g_str_equal (line, "ok"))
        g_string_append_printf (problems, "%s%s", problems->len ? "; " : "", line);
      rc = SQLITE_OK;
    }
  if (rc != SQLITE_DONE)
    _cdm_store_set_error (error, self->db, rc, _("Checking the store failed"));
  sqlite3_finalize (stmt);
  _cdm_store_unlock (self);

  if (rc != SQLITE_DONE)
    return FALSE;
  if (problems->len > 0)
    {
      g_set_error (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_A_STORE,
                   _("The store is damaged: %s"), problems->str);
      return FALSE;
    }
  return TRUE;
}

/* Sync: rows as the server has them (cdm-store-sync.c). */

gboolean
_cdm_store_write_row (CdmStore      *self,
                      CdmEntity      entity,
                      JsonObject    *record,
                      gint64         version,
                      gboolean       deleted,
                      CdmSyncState   state,
                      const char    *updated_at,
                      const char    *updated_by,
                      int            known,
                      GError       **error)
{
  const EntitySql *sql = get_entity_sql (entity);
  const char *id = json_object_get_string_member (record, "id");
  g_autofree char *now = NULL;
  sqlite3_stmt *stmt;
  gboolean exists = known > 0;
  int rc;

  if (known < 0)
    {
      stmt = _cdm_store_prepare (self, sql->exists, error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      exists = rc == SQLITE_ROW;
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          _cdm_store_set_error (error, self->db, rc, _("Reading the store failed"));
          return FALSE;
        }
    }

  if (updated_at == NULL)
    updated_at = now = now_iso8601 ();

  stmt = _cdm_store_prepare (self, exists ? sql->update : sql->insert, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_text (stmt, 3, updated_at, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, updated_by, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 5, deleted);
  sqlite3_bind_int (stmt, 6, state);
  bind_record (self, entity, stmt, record);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, self->db, rc, _("Writing to the store failed"));
      return FALSE;
    }

  return write_links (self, entity, id, record, exists, error);
}

void
_cdm_local_days_init (CdmLocalDays *days,
                      CdmStore     *store)
{
  days->zone = cdm_store_get_time_zone (store);
  days->texts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

void
_cdm_local_days_clear (CdmLocalDays *days)
{
  g_clear_pointer (&days->zone, g_time_zone_unref);
  g_clear_pointer (&days->texts, g_hash_table_unref);
}

/* cdm_local_day() converts with the offset of the zone's interval that
 * holds the time: two times whose local times fall in the same day
 * number have the same day. */
static const char *
local_day (CdmLocalDays *days,
           gint64        unix_time)
{
  int interval = g_time_zone_find_interval (days->zone, G_TIME_TYPE_UNIVERSAL, unix_time);
  gint64 local, day;
  char *text;

  if (interval < 0)
    return NULL;
  local = unix_time + g_time_zone_get_offset (days->zone, interval);
  day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  text = g_hash_table_lookup (days->texts, &day);
  if (text == NULL)
    {
      text = cdm_local_day (days->zone, unix_time);
      g_hash_table_insert (days->texts, g_memdup2 (&day, sizeof day), text);
    }
  return text;
}

gboolean
_cdm_store_insert_values (CdmStore                 *self,
                          CdmLocalDays             *days,
                          const CdmSnapshotPage    *page,
                          const CdmSnapshotRecord  *record,
                          const char               *updated_at,
                          GError                  **error)
{
  const EntitySql *sql = get_entity_sql (page->entity);
  const CdmValue *values = &g_array_index (page->values, CdmValue, record->first_value);
  const char *id = cdm_snapshot_page_text (page, record->id);
  sqlite3_stmt *stmt;
  guint position = 0, last_field = G_MAXUINT;
  int rc;

  stmt = _cdm_store_prepare (self, sql->insert, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, record->version);
  sqlite3_bind_text (stmt, 3, updated_at, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, cdm_snapshot_page_text (page, record->updated_by), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, 0);
  sqlite3_bind_int (stmt, 6, CDM_SYNC_STATE_SYNCED);
  for (guint c = 0; c < page->n_columns; c++)
    {
      const CdmValue *v = &values[c];
      int param = (int) c + 7;

      switch (v->type)
        {
        case CDM_VALUE_INT:
          sqlite3_bind_int64 (stmt, param, v->i);
          break;
        case CDM_VALUE_TEXT:
          sqlite3_bind_text (stmt, param, page->text->str + v->text, v->len, SQLITE_STATIC);
          break;
        case CDM_VALUE_DAY:
          {
            const char *day = local_day (days, v->i);

            if (day != NULL)
              sqlite3_bind_text (stmt, param, day, -1, SQLITE_STATIC);
            else
              sqlite3_bind_text (stmt, param, cdm_local_day (days->zone, v->i), -1, g_free);
          }
          break;
        case CDM_VALUE_NULL:
        default:
          sqlite3_bind_null (stmt, param);
          break;
        }
    }
  rc = sqlite3_step (stmt);
  /* The page's text outlives nothing bound here: clear before it may go. */
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, self->db, rc, _("Writing to the store failed"));
      return FALSE;
    }

  for (guint l = 0; l < record->n_links; l++)
    {
      const CdmLink *link = &g_array_index (page->links, CdmLink, record->first_link + l);
      const char *target = cdm_snapshot_page_text (page, link->target);

      /* The caller made sure that each target exists (a placeholder for
       * those the desk will never receive), as check_reference() would. */
      if (link->field != last_field)
        position = 0;
      last_field = link->field;
      stmt = _cdm_store_prepare (self, sql->link_insert[link->field], error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, target, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 3, position++);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      if (rc != SQLITE_DONE)
        {
          _cdm_store_set_error (error, self->db, rc, _("Writing to the store failed"));
          return FALSE;
        }
    }
  return TRUE;
}
