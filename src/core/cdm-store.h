/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-store.h: the desk's local store, an SQLite file.
 *
 * The store keeps every entity of the domain model (cdm-schema.h), each row
 * with the sync columns of DESIGN.md section 5: id (UUID), version (0 until
 * the server has seen it), updated_at, updated_by, deleted (tombstone) and a
 * local sync state.  Every user write goes to its table and to the outbox
 * in one transaction, committed with synchronous=FULL.
 *
 * Threads: a CdmStore may be used from any thread; access to the SQLite
 * connection is serialised by a recursive lock.  Anything that can take
 * longer than a frame on a large store has an _async variant that runs in
 * a worker thread and returns on the caller's thread-default main context.
 * Errors: CDM_STORE_ERROR, CDM_RECORD_ERROR for refused records, and
 * G_IO_ERROR_CANCELLED.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cdm-schema.h"

G_BEGIN_DECLS

#define CDM_STORE_ERROR (cdm_store_error_quark ())

/**
 * CdmStoreError:
 * @CDM_STORE_ERROR_FAILED: SQLite failed for another reason (the message has its text)
 * @CDM_STORE_ERROR_CANT_OPEN: the file cannot be opened or created
 * @CDM_STORE_ERROR_NOT_A_STORE: the file is not an SQLite database or is corrupt
 * @CDM_STORE_ERROR_TOO_NEW: the store was written by a newer version of Desk
 * @CDM_STORE_ERROR_BUSY: another process holds the store's write lock
 * @CDM_STORE_ERROR_FULL: the disk is full
 * @CDM_STORE_ERROR_READ_ONLY: the file or its folder is read-only
 * @CDM_STORE_ERROR_CONSTRAINT: the write breaks a rule of the schema
 * @CDM_STORE_ERROR_NOT_FOUND: no record has that id
 * @CDM_STORE_ERROR_DELETED: the record was deleted; a tombstone never comes back
 * @CDM_STORE_ERROR_APPEND_ONLY: counted records cannot be changed once written
 * @CDM_STORE_ERROR_UNKNOWN_REFERENCE: a field names a record the store does not have
 *
 * The one mapping of SQLite result codes is _cdm_store_set_error().
 */
typedef enum {
  CDM_STORE_ERROR_FAILED,
  CDM_STORE_ERROR_CANT_OPEN,
  CDM_STORE_ERROR_NOT_A_STORE,
  CDM_STORE_ERROR_TOO_NEW,
  CDM_STORE_ERROR_BUSY,
  CDM_STORE_ERROR_FULL,
  CDM_STORE_ERROR_READ_ONLY,
  CDM_STORE_ERROR_CONSTRAINT,
  CDM_STORE_ERROR_NOT_FOUND,
  CDM_STORE_ERROR_DELETED,
  CDM_STORE_ERROR_APPEND_ONLY,
  CDM_STORE_ERROR_UNKNOWN_REFERENCE,
} CdmStoreError;

GQuark cdm_store_error_quark (void);

/* The local sync state of a row. */
typedef enum {
  CDM_SYNC_STATE_SYNCED   = 0,
  CDM_SYNC_STATE_CREATED  = 1,
  CDM_SYNC_STATE_MODIFIED = 2,
  CDM_SYNC_STATE_DELETED  = 3,
} CdmSyncState;

/* The schema version this build writes. */
#define CDM_STORE_SCHEMA_VERSION 2

#define CDM_TYPE_STORE (cdm_store_get_type ())
G_DECLARE_FINAL_TYPE (CdmStore, cdm_store, CDM, STORE, GObject)

/* The per-user store that the app and cdmctl use by default:
 * $XDG_DATA_HOME/cdm-desk/desk.sqlite. (transfer full) */
char     *cdm_store_default_path (void);

/**
 * cdm_store_open:
 * @path: the file; created, with its folder, if missing
 *
 * Opens the store, applying pending migrations in one transaction.  Refuses
 * a store whose schema is newer than this build (CDM_STORE_ERROR_TOO_NEW)
 * and leaves it untouched.
 */
CdmStore *cdm_store_open          (const char           *path,
                                   GError              **error);
void      cdm_store_open_async    (const char           *path,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
CdmStore *cdm_store_open_finish   (GAsyncResult         *result,
                                   GError              **error);

const char *cdm_store_get_path    (CdmStore *self);
int         cdm_store_get_schema_version (CdmStore *self);

/* Who writes: recorded in updated_by and on contacts (desk, user,
 * organisation).  Any may be NULL. */
void      cdm_store_set_identity  (CdmStore   *self,
                                   const char *user,
                                   const char *organisation,
                                   const char *desk);

/* For demo and generated data only: while FALSE, writes are recorded as
 * already synced (sync state synced, version 0) and queue nothing in the
 * outbox.  TRUE by default. */
void      cdm_store_set_queue_changes (CdmStore *self,
                                       gboolean  queue_changes);

/* Store-wide settings kept in the store (the "meta" table). */
char     *cdm_store_get_setting   (CdmStore    *self,
                                   const char  *key);
gboolean  cdm_store_set_setting   (CdmStore    *self,
                                   const char  *key,
                                   const char  *value,
                                   GError     **error);
/* The centre's time zone ("timezone" setting, default Europe/Brussels). */
GTimeZone *cdm_store_get_time_zone (CdmStore *self);

/**
 * CdmPutResult:
 * @CDM_PUT_CREATED: a new record was written
 * @CDM_PUT_UPDATED: an existing record changed
 * @CDM_PUT_UNCHANGED: the record was already stored exactly so; nothing written
 */
typedef enum {
  CDM_PUT_CREATED,
  CDM_PUT_UPDATED,
  CDM_PUT_UNCHANGED,
} CdmPutResult;

/**
 * cdm_store_put:
 * @record: a record in the interchange format; without "id" one is made
 * @out_id: (out) (optional) (transfer full): the record's id
 * @out_result: (out) (optional): what happened
 *
 * Validates and writes a whole record (fields that are absent become
 * null), with its outbox entry, in one durable transaction (or inside the
 * caller's transaction, see cdm_store_begin()).  Writing a record exactly
 * as stored writes nothing, so importing the same data twice is harmless.
 * With "deleted": true the record is written as (or becomes) a tombstone.
 * References must name records the store knows, live or tombstoned.
 */
gboolean  cdm_store_put           (CdmStore      *self,
                                   CdmEntity      entity,
                                   JsonObject    *record,
                                   char         **out_id,
                                   CdmPutResult  *out_result,
                                   GError       **error);
void      cdm_store_put_async     (CdmStore            *self,
                                   CdmEntity            entity,
                                   JsonObject          *record,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
/* Returns the id, (transfer full). */
char     *cdm_store_put_finish    (CdmStore      *self,
                                   GAsyncResult  *result,
                                   GError       **error);

/* The record in the interchange format, with "version", "updated_at",
 * "updated_by" and "deleted"; tombstones only with @include_deleted. */
JsonObject *cdm_store_get         (CdmStore    *self,
                                   CdmEntity    entity,
                                   const char  *id,
                                   gboolean     include_deleted,
                                   GError     **error);

/* Tombstones the record (and queues the delete). */
gboolean  cdm_store_delete        (CdmStore    *self,
                                   CdmEntity    entity,
                                   const char  *id,
                                   GError     **error);

/* Puts back a record tombstoned by this desk and not yet pushed, for
 * "undo" right after a delete.  Anything else is CDM_STORE_ERROR_DELETED. */
gboolean  cdm_store_undelete      (CdmStore    *self,
                                   CdmEntity    entity,
                                   const char  *id,
                                   GError     **error);

/* Calls @func for each record, in creation order; stop by returning FALSE. */
typedef gboolean (*CdmRecordFunc) (JsonObject *record,
                                   gpointer    user_data);
gboolean  cdm_store_foreach       (CdmStore      *self,
                                   CdmEntity      entity,
                                   gboolean       include_deleted,
                                   CdmRecordFunc  func,
                                   gpointer       user_data,
                                   GCancellable  *cancellable,
                                   GError       **error);

/* Number of live (not tombstoned) records. */
gint64    cdm_store_count         (CdmStore    *self,
                                   CdmEntity    entity,
                                   GError     **error);

/* Explicit transactions, for all-or-nothing work such as an import.  Writes
 * between begin and commit are one transaction; cdm_store_put() nests in
 * it.  @bulk lowers durability to synchronous=NORMAL for large loads (a
 * power cut may lose the load, never corrupt the store).  The calling
 * thread holds the store until commit or rollback. */
gboolean  cdm_store_begin         (CdmStore    *self,
                                   gboolean     bulk,
                                   GError     **error);
gboolean  cdm_store_commit        (CdmStore    *self,
                                   GError     **error);
void      cdm_store_rollback      (CdmStore    *self);

/* The outbox: changes waiting to be pushed, oldest first. */
gint64    cdm_store_outbox_count  (CdmStore    *self,
                                   GError     **error);
/* Entries as JSON objects {seq, key, type, id, op, base_version, fields,
 * old, queued_at, state, reason}, at most @limit of them. */
JsonArray *cdm_store_outbox_list  (CdmStore    *self,
                                   guint        limit,
                                   GError     **error);

/* PRAGMA integrity_check; TRUE when it says ok. */
gboolean  cdm_store_check_integrity (CdmStore    *self,
                                     GError     **error);

G_END_DECLS
