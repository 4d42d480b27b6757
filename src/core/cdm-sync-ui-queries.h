/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-ui-queries.h: what the desk's sync views need from the store,
 * beyond the engine's status (cdm-sync.h, cdm-sync-store.h): resolving a
 * conflict, the parked outbox entries, and a signal of local writes so
 * that a sync can follow them.
 *
 * Errors: CDM_STORE_ERROR (CDM_STORE_ERROR_NOT_FOUND for a conflict or a
 * parked entry that is not there, or no longer), CDM_RECORD_ERROR when the
 * chosen value does not make a valid record.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cdm-store.h"

G_BEGIN_DECLS

/**
 * cdm_sync_resolve_conflict:
 * @conflict_id: the "id" of a conflict of cdm_sync_store_list_conflicts()
 * @value: the value to keep for the conflict's field (either side's, or
 *   another one)
 *
 * Writes @value into the record as a normal local change (queued in the
 * outbox when it changes the record, so that it syncs) and marks the
 * conflict resolved, in one transaction.
 */
gboolean   cdm_sync_resolve_conflict (CdmStore    *store,
                                      const char  *conflict_id,
                                      JsonNode    *value,
                                      GError     **error);

/* The parked entries, oldest first, as [{key, type, id, op, fields,
 * reason, queued_at}] ("fields" an object). */
JsonArray *cdm_sync_list_parked      (CdmStore    *store,
                                      GError     **error);

/* Drops a parked entry: the change it carried is given up. */
gboolean   cdm_sync_discard_parked   (CdmStore    *store,
                                      const char  *key,
                                      GError     **error);

/**
 * CdmLocalWriteFunc:
 *
 * Called on the main context of the caller of cdm_sync_watch_local_writes()
 * after one or more local changes were queued in the outbox (from any
 * thread); several writes close together give one call.
 */
typedef void (*CdmLocalWriteFunc) (gpointer user_data);

/* One watcher per store; a new one replaces the old.  @destroy is called
 * on @user_data once no call can come any more. */
void       cdm_sync_watch_local_writes   (CdmStore          *store,
                                          CdmLocalWriteFunc  func,
                                          gpointer           user_data,
                                          GDestroyNotify     destroy);
/* Stops the calls of cdm_sync_watch_local_writes(): none comes after this
 * returns (on the watcher's main context). */
void       cdm_sync_unwatch_local_writes (CdmStore          *store);

/**
 * cdm_sync_check_server_url:
 * @url: what a person typed
 *
 * Checks a server address before signing in: an http or https URL with a
 * host, and https unless the host is this computer (127.0.0.0/8, ::1,
 * localhost), since the password and the token travel in it.  A missing
 * scheme means https.  Returns: (transfer full): the URL to use, ending
 * with "/", or %NULL with a G_IO_ERROR_INVALID_ARGUMENT whose message
 * says what is wrong in plain words.
 */
char *cdm_sync_check_server_url (const char  *url,
                                 GError     **error);

G_END_DECLS
