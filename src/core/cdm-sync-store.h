/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-store.h: the store's side of sync (DESIGN.md section 5), used by
 * the sync engine (cdm-sync.c) and by its tests.  Nothing here touches the
 * network: each function takes what the server answered, already parsed,
 * and applies it in one transaction.
 *
 * What is kept where:
 * - Records written from the server carry the server's version and sync
 *   state synced, and queue nothing in the outbox.
 * - A row with entries in the outbox (pending or parked) is rebased: the
 *   server's record is written, then each entry is merged on top by the
 *   same rules the server uses (cdm-merge.h), so the desk shows at once
 *   what the server will make of its changes.  An entry that merges
 *   without collision has its base_version moved to the server's version
 *   and its old values to the server's values; an entry with a collision
 *   keeps its base, so that the server sees the collision and records it.
 * - Tombstones: a record the server deleted becomes a tombstone and never
 *   comes back; a record deleted here and not yet pushed stays deleted.
 * - The "sync_state" table holds the cursor, the bootstrap position, the
 *   server's URL, the last successful sync and the last error (keys
 *   CDM_SYNC_KEY_*).  The token is a secret and is never kept in the store.
 *
 * Errors: CDM_STORE_ERROR, and CDM_SYNC_STORE_ERROR_BAD_PAGE for a page
 * whose shape is wrong: such a page is refused whole, nothing applied.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_SYNC_STORE_ERROR (cdm_sync_store_error_quark ())

typedef enum {
  CDM_SYNC_STORE_ERROR_BAD_PAGE,
} CdmSyncStoreError;

GQuark cdm_sync_store_error_quark (void);

/* Keys of the sync_state table. */
#define CDM_SYNC_KEY_CURSOR     "cursor"      /* the change feed's sequence this store has applied */
#define CDM_SYNC_KEY_BOOTSTRAP  "bootstrap"   /* {"cursor", "type", "after"} while a bootstrap runs */
#define CDM_SYNC_KEY_SERVER     "server"      /* the server's base URL */
#define CDM_SYNC_KEY_CURSOR_SERVER "cursor_server" /* the server the cursor and records came from */
#define CDM_SYNC_KEY_USER       "user"        /* the login last signed in */
#define CDM_SYNC_KEY_LAST_SYNC  "last_sync"   /* ISO 8601 UTC time of the last successful run */
#define CDM_SYNC_KEY_LAST_ERROR "last_error"  /* the last run's error message, absent after a success */

/* The synced types, in the order a bootstrap loads them: records are
 * loaded after those they refer to. */
extern const CdmEntity cdm_sync_entities[];
extern const guint cdm_sync_n_entities;

char     *cdm_sync_store_get_state (CdmStore    *store,
                                    const char  *key);
/* @value NULL removes the key.  Joins the caller's transaction if any. */
gboolean  cdm_sync_store_set_state (CdmStore    *store,
                                    const char  *key,
                                    const char  *value,
                                    GError     **error);

/* The cursor, or -1 when the store has never been bootstrapped. */
gint64    cdm_sync_store_get_cursor (CdmStore  *store);

/**
 * cdm_sync_store_apply_changes:
 * @changes: the "changes" array of a /sync/pull answer
 * @cursor: the answer's "cursor"
 *
 * Checks the shape of every change first (a wrong one refuses the whole
 * page), then writes them and the new cursor in one transaction.
 * @out_applied gets the number of changes that changed a row.
 */
gboolean  cdm_sync_store_apply_changes (CdmStore   *store,
                                        JsonArray  *changes,
                                        gint64      cursor,
                                        guint      *out_applied,
                                        GError    **error);

/**
 * cdm_sync_store_apply_records:
 * @entity: the type of the records
 * @records: the "records" array of a /sync/snapshot answer (live records)
 * @seen: (nullable): ids written are added to it (a type resync uses it
 *   to find the records the server no longer has); with it, the page is
 *   taken as the server's word on each record, and a local version that
 *   differs either way (a store restored from an old backup, a server
 *   restored from one) is replaced, not only an older one
 * @position: (nullable): the new bootstrap position to record in the same
 *   transaction, as JSON text; NULL leaves it alone
 *
 * Writes one snapshot page in one bulk transaction.
 */
gboolean  cdm_sync_store_apply_records (CdmStore    *store,
                                        CdmEntity    entity,
                                        JsonArray   *records,
                                        GHashTable  *seen,
                                        const char  *position,
                                        GError     **error);

/* A snapshot page checked and normalised, not written yet.  Checking
 * needs no store, so the sync engine checks a page in the thread that
 * fetched it while the previous page is being written; the page's JSON
 * can be freed once checked. */
typedef struct _CdmSyncRecords CdmSyncRecords;

/* The checks of cdm_sync_store_apply_records(), nothing written.  NULL
 * with CDM_SYNC_STORE_ERROR_BAD_PAGE for a page that must be refused. */
CdmSyncRecords *cdm_sync_store_check_records (CdmEntity    entity,
                                              JsonArray   *records,
                                              GError     **error);
/* The same from the bytes of a snapshot answer ({"records", "next"}),
 * read without json-glib trees (cdm-snapshot-page.h); *out_next: the id
 * to ask the next page after, NULL after the last page.  Errors: those of
 * cdm_snapshot_page_read(). */
CdmSyncRecords *cdm_sync_store_read_page    (CdmEntity    entity,
                                              GBytes      *bytes,
                                              char       **out_next,
                                              GError     **error);
/* Whether the page's ids are all new to a table that was empty when the
 * bootstrap began: they increase through the page and all follow @after
 * (the last id written before, or NULL).  Then the writer skips its probe
 * of each id (see cdm_sync_records_set_new_rows()). */
gboolean  cdm_sync_records_follow     (CdmSyncRecords  *checked,
                                       const char      *after);
const char *cdm_sync_records_get_last_id (CdmSyncRecords *checked);
void      cdm_sync_records_set_new_rows (CdmSyncRecords *checked,
                                         gboolean        new_rows);
guint     cdm_sync_records_get_length (CdmSyncRecords  *checked);
void      cdm_sync_records_free       (CdmSyncRecords  *checked);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmSyncRecords, cdm_sync_records_free)

/* The writing half of cdm_sync_store_apply_records(), same arguments. */
gboolean  cdm_sync_store_apply_checked (CdmStore        *store,
                                        CdmSyncRecords  *checked,
                                        GHashTable      *seen,
                                        const char      *position,
                                        GError         **error);

/* Whether the table of @entity has no row at all (tombstones included). */
gboolean  cdm_sync_store_table_is_empty (CdmStore   *store,
                                         CdmEntity   entity,
                                         GError    **error);

/* Around the pages of a bootstrap: the WAL is not checkpointed in the
 * middle of it (each checkpoint copies the pages written so far back into
 * the database), and is checkpointed once at its end. */
gboolean  cdm_sync_store_begin_bulk (CdmStore  *store,
                                     GError   **error);
gboolean  cdm_sync_store_end_bulk   (CdmStore  *store,
                                     GError   **error);

/* Tombstones the synced records of @entity (version > 0, no outbox entry)
 * whose id is not in @seen: after a full snapshot of the type, they are
 * the ones the server no longer has.  Returns how many, or -1. */
gint64    cdm_sync_store_prune (CdmStore    *store,
                                CdmEntity    entity,
                                GHashTable  *seen,
                                GError     **error);

/* Ends a bootstrap: records @cursor, forgets the bootstrap position and
 * rebuilds the full-text index once, in one transaction. */
gboolean  cdm_sync_store_finish_bootstrap (CdmStore  *store,
                                           gint64     cursor,
                                           GError   **error);

/* The oldest @limit pending entries (parked ones are not sent), in the
 * push format {key, type, id, op, base_version, fields, old}. */
JsonArray *cdm_sync_store_take_outbox (CdmStore  *store,
                                       guint      limit,
                                       GError   **error);

/**
 * cdm_sync_store_apply_results:
 * @entries: what was pushed (from cdm_sync_store_take_outbox())
 * @results: the "results" array of the /sync/push answer
 *
 * In one transaction: drops acknowledged entries (applied, merged,
 * duplicate, conflict; a conflict also adds a conflict row per field
 * from the answer), parks rejected ones with the server's reason.  An
 * entry the answer does not name stays pending.  A malformed answer is
 * refused whole.  Counts go to the (optional) out parameters.
 */
gboolean  cdm_sync_store_apply_results (CdmStore   *store,
                                        JsonArray  *entries,
                                        JsonArray  *results,
                                        guint      *out_acknowledged,
                                        guint      *out_parked,
                                        guint      *out_conflicts,
                                        GError    **error);

/* Puts a parked entry back in the queue (after a person fixed the
 * record, or to try again). */
gboolean  cdm_sync_store_resend (CdmStore    *store,
                                 const char  *key,
                                 GError     **error);

/* Counts for the status: entries waiting (pending), parked entries,
 * unresolved conflicts.  -1 on error. */
gint64    cdm_sync_store_count_pending   (CdmStore *store, GError **error);
gint64    cdm_sync_store_count_parked    (CdmStore *store, GError **error);
gint64    cdm_sync_store_count_conflicts (CdmStore *store, GError **error);

/* Unresolved conflicts, oldest first, as [{id, type, record, field, kept,
 * other, created_at}]. */
JsonArray *cdm_sync_store_list_conflicts (CdmStore  *store,
                                          GError   **error);

/**
 * cdm_sync_store_checksum:
 * @out_count: the number of records counted
 * @out_checksum: (transfer full): lower-case hex MD5
 *
 * The integrity figures of one type, computed exactly as the server's
 * /sync/checksums (src/server/cdm-server-sync.c, handle_checksums): over
 * the live records (deleted = false) that the server has given a version
 * (> 0), sorted by id (lower-case UUID text, the order of PostgreSQL's
 * uuid type), the MD5 in lower-case hex of "<id>:<version>" joined with
 * ",": md5 (COALESCE (string_agg (id::text || ':' || version, ','
 * ORDER BY id), '')).  No records gives the MD5 of the empty string.
 * The checksum finds lost or stale rows, it is no defence against forgery.
 */
gboolean  cdm_sync_store_checksum (CdmStore    *store,
                                   CdmEntity    entity,
                                   gint64      *out_count,
                                   char       **out_checksum,
                                   GError     **error);

G_END_DECLS
