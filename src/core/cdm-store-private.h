/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For libcdm's own modules: direct, serialised access to the connection.
 *
 * Use: _cdm_store_lock(); sqlite3_stmt *st = _cdm_store_prepare(...);
 * bind, step, sqlite3_reset is done for you by the next _cdm_store_prepare
 * of the same SQL; _cdm_store_unlock().  Statements are cached per SQL text
 * and must only be used while the lock is held.
 */
#pragma once

#include <sqlite3.h>

#include "cdm-snapshot-page.h"
#include "cdm-store.h"

G_BEGIN_DECLS

void          _cdm_store_lock    (CdmStore *self);
void          _cdm_store_unlock  (CdmStore *self);
sqlite3      *_cdm_store_get_db  (CdmStore *self);

/* A cached prepared statement for @sql, reset and with bindings cleared. */
sqlite3_stmt *_cdm_store_prepare (CdmStore    *self,
                                  const char  *sql,
                                  GError     **error);

/* The one place that maps an SQLite result code to CDM_STORE_ERROR. */
void          _cdm_store_set_error (GError     **error,
                                    sqlite3     *db,
                                    int          rc,
                                    const char  *what);

/* Runs @sql, which must not return rows (DDL, BEGIN, ...). */
gboolean      _cdm_store_exec    (CdmStore    *self,
                                  const char  *sql,
                                  GError     **error);

/* Makes a running statement of this connection give up with
 * G_IO_ERROR_CANCELLED when @cancellable is cancelled; pair with
 * _cdm_store_unwatch_cancellable(). */
void          _cdm_store_watch_cancellable   (CdmStore     *self,
                                              GCancellable *cancellable);
void          _cdm_store_unwatch_cancellable (CdmStore     *self);

/* The bit mask of a CODES field from a JSON array of codes, and back. */
gint64        _cdm_codes_to_mask   (const char * const *codes,
                                    JsonArray          *array);
JsonArray    *_cdm_mask_to_codes   (const char * const *codes,
                                    gint64              mask);

/* Runs @func(self, task_data) in a worker thread; the GTask's result is
 * what the function returns through g_task_return_*.  Used by every
 * _async variant so that they all share one worker pool. */
typedef void (*CdmStoreThreadFunc) (GTask        *task,
                                    CdmStore     *self,
                                    gpointer      task_data,
                                    GCancellable *cancellable);
void          _cdm_store_run_in_thread (CdmStore            *self,
                                        gpointer             source_tag,
                                        CdmStoreThreadFunc   func,
                                        gpointer             task_data,
                                        GDestroyNotify       task_data_free,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);

/* For the sync engine (cdm-store-sync.c).  Writes @record (normalised,
 * with "id") as a row with these sync columns, its lists included,
 * queueing nothing; joins the caller's transaction.  @known: whether the
 * row exists (1) or not (0), when the caller has just looked; -1 to look. */
gboolean      _cdm_store_write_row (CdmStore      *self,
                                    CdmEntity      entity,
                                    JsonObject    *record,
                                    gint64         version,
                                    gboolean       deleted,
                                    CdmSyncState   state,
                                    const char    *updated_at,
                                    const char    *updated_by,
                                    int            known,
                                    GError       **error);

/* The local days of a page's times (cdm_local_day()), in the store's
 * zone taken once per page; each day is formatted once per page. */
typedef struct {
  GTimeZone *zone;
  GHashTable *texts;   /* local day number (gint64 *) -> "YYYY-MM-DD" */
} CdmLocalDays;

void          _cdm_local_days_init  (CdmLocalDays *days,
                                     CdmStore     *store);
void          _cdm_local_days_clear (CdmLocalDays *days);

/* The same for a record of a snapshot page (cdm-snapshot-page.h), from
 * its values, as a new row (synced, not deleted): the bootstrap's way.
 * The targets of its links must exist (the caller made placeholders). */
gboolean      _cdm_store_insert_values (CdmStore                *self,
                                        CdmLocalDays            *days,
                                        const CdmSnapshotPage   *page,
                                        const CdmSnapshotRecord *record,
                                        const char              *updated_at,
                                        GError                 **error);

G_END_DECLS
