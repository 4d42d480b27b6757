/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-server-records.h: what the sync, records and figures endpoints of
 * cdm-server share: the record tables (cdm-server-records-schema.c), who
 * may read and write what (SERVER-API.md, "Roles"), and the push engine
 * every write goes through (cdm-server-sync.c).
 *
 * Threads: everything here runs in a worker with its own connection.
 */
#pragma once

#include "cdm-schema.h"
#include "cdm-server-private.h"

G_BEGIN_DECLS

/* The types the server keeps (DESIGN.md section 7 names, exactly). */
gboolean    cdm_server_records_entity (const char *type,
                                       CdmEntity  *out_entity);
const char *cdm_server_records_table  (CdmEntity   entity);
/* INSERT … ON CONFLICT (id) DO UPDATE of a whole record with its typed
 * columns: $1 id, $2 version, $3 deleted, $4 updated_by, $5 org, $6 body.
 * An existing row is replaced only when its version is $2 - 1 (one row
 * written); otherwise nothing is written (zero rows). */
const char *cdm_server_record_upsert  (CdmEntity   entity);
/* The same for many rows at once: $1 a JSON array of {id, version,
 * deleted, org, b (the body)}, $2 updated_by.  insert_many skips ids that
 * exist (fewer rows written than given); update_many rewrites rows the
 * caller holds FOR UPDATE. */
const char *cdm_server_record_insert_many (CdmEntity entity);
const char *cdm_server_record_update_many (CdmEntity entity);

/* Whether @user may read records of @entity at all (partner_staff then
 * sees only their organisation's contacts: cdm_server_contact_scope). */
gboolean    cdm_server_may_read       (const CdmUser *user,
                                       CdmEntity      entity);
/* Whether @user may write @entity at all (finer rules for partner_staff
 * are checked per record by the push engine). */
gboolean    cdm_server_may_write      (const CdmUser *user,
                                       CdmEntity      entity);
/* The organisation whose contacts alone @user sees, or NULL for all. */
const char *cdm_server_contact_scope  (const CdmUser *user);

/* Runs @entries (push entries, SERVER-API.md) in one transaction, each in
 * its own savepoint, and returns their results in order.  %NULL with a
 * CDM_DB_ERROR when the database failed (nothing is applied then). */
JsonArray  *cdm_server_push_entries   (PGconn        *db,
                                       const CdmUser *user,
                                       const char    *desk,
                                       JsonArray     *entries,
                                       GError       **error);

/* Forgets the change log and applied-operation keys older than
 * @older_than seconds; pulls from before the new horizon then get 410.
 * *out_horizon: the horizon after pruning. */
gboolean    cdm_server_sync_prune     (PGconn        *db,
                                       gint64         older_than,
                                       gint64        *out_horizon,
                                       GError       **error);
/* `cdm-server prune [--older-than SECONDS]` (default: the default
 * retention window, 90 days): connects with @conninfo, prunes and prints
 * the horizon.  Returns the exit status. */
int         cdm_server_sync_prune_main (const char   *conninfo,
                                        int           argc,
                                        char        **argv);

/* Records endpoints (cdm-server-records.c) and figures
 * (cdm-server-figures.c), registered by cdm_server_sync_register(). */
void        cdm_server_records_register (CdmServer *server);
void        cdm_server_figures_register (CdmServer *server);

/* Body + "version" + "deleted" as one record object, from a row's
 * columns.  (transfer full) */
JsonObject *cdm_server_record_from_row (const char *body,
                                        gint64      version,
                                        gboolean    deleted);

/* The field a CDM_RECORD_ERROR or CDM_MERGE_ERROR message names
 * ("profile.gender: …", "unknown field “x” …"), or NULL.  (transfer full) */
char       *cdm_server_record_error_field (const char *message);

G_END_DECLS
