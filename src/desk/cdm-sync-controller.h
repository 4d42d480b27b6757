/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-controller.h: runs the desk's sync in the background.
 *
 * A CdmSyncController owns the CdmSync of one store (cdm-sync.h) and
 * decides when it runs: on a timer, when the network comes back, a few
 * seconds after each local change, and on demand; after a failure that is
 * worth retrying it waits longer each time (cdm_sync_next_delay()).  It
 * signs in and out, keeping the token in the desktop keyring (libsecret),
 * or, when no secret service answers, in a file only the user can read
 * (cdm_sync_save_token()); CDM_DESK_TOKEN_FILE=1 in the environment
 * chooses the file at once (tests, kiosks).
 *
 * Everything is asynchronous: nothing waits for the network or for the
 * store on the main thread.  No widgets: the views (cdm-sync-status.h,
 * cdm-sync-conflicts-window.h, cdm-sync-account-page.h) read the getters
 * when "changed" is emitted.
 */
#pragma once

#include <gio/gio.h>

#include "cdm-store.h"

G_BEGIN_DECLS

/**
 * CdmSyncLink:
 * @CDM_SYNC_LINK_SIGNED_OUT: no server, or nobody signed in
 * @CDM_SYNC_LINK_OFFLINE: the last try could not reach the server
 * @CDM_SYNC_LINK_ONLINE: the last try reached the server
 * @CDM_SYNC_LINK_SIGN_IN_AGAIN: the server refused the token (expired or
 *   revoked): local changes wait until someone signs in again
 */
typedef enum {
  CDM_SYNC_LINK_SIGNED_OUT,
  CDM_SYNC_LINK_OFFLINE,
  CDM_SYNC_LINK_ONLINE,
  CDM_SYNC_LINK_SIGN_IN_AGAIN,
} CdmSyncLink;

#define CDM_TYPE_SYNC_CONTROLLER (cdm_sync_controller_get_type ())
G_DECLARE_FINAL_TYPE (CdmSyncController, cdm_sync_controller, CDM, SYNC_CONTROLLER, GObject)

CdmSyncController *cdm_sync_controller_new         (CdmStore          *store);
/* The controller of @store: the one alive if any (a store must have one
 * engine at a time), else a new one.  (transfer full) */
CdmSyncController *cdm_sync_controller_get_for_store (CdmStore        *store);
/* The controller made last and still alive, for views opened from
 * elsewhere (the preferences); NULL before the store is open.
 * (transfer none) */
CdmSyncController *cdm_sync_controller_get_default (void);

CdmStore    *cdm_sync_controller_get_store        (CdmSyncController *self);
CdmSyncLink  cdm_sync_controller_get_link         (CdmSyncController *self);
gboolean     cdm_sync_controller_is_syncing       (CdmSyncController *self);
/* Records done and the total during a long run (a first load); total 0
 * when there is none to show. */
void         cdm_sync_controller_get_progress     (CdmSyncController *self,
                                                   guint64           *done,
                                                   guint64           *total);
/* The unix time of the last successful sync, 0 for never. */
gint64       cdm_sync_controller_get_last_sync    (CdmSyncController *self);
/* Why the last run failed, in plain words, or NULL. */
const char  *cdm_sync_controller_get_last_error   (CdmSyncController *self);
gint64       cdm_sync_controller_get_pending      (CdmSyncController *self);
gint64       cdm_sync_controller_get_parked       (CdmSyncController *self);
gint64       cdm_sync_controller_get_conflicts    (CdmSyncController *self);
const char  *cdm_sync_controller_get_server_url   (CdmSyncController *self);
const char  *cdm_sync_controller_get_user         (CdmSyncController *self);
/* Whether the token is kept in a file because no keyring answered. */
gboolean     cdm_sync_controller_get_token_in_file (CdmSyncController *self);

/* Runs a sync now, or right after the one under way. */
void         cdm_sync_controller_sync_now         (CdmSyncController *self);
/* Reads the counts again (after a view changed the outbox or the
 * conflicts). */
void         cdm_sync_controller_refresh          (CdmSyncController *self);

/* For the tests: the wait after a local change and between two syncs. */
void         cdm_sync_controller_set_delays       (CdmSyncController *self,
                                                   guint              debounce_ms,
                                                   guint              interval_s);

/* For the tests: a failed sync waits as long as after @attempt failures
 * in a row (10: five to ten minutes), so that a test can tell a retry
 * from the network coming back from one at the end of the wait. */
void         cdm_sync_controller_set_first_attempt (CdmSyncController *self,
                                                    guint              attempt);

/* For the tests: records per page of a first load (0: the engine's). */
void         cdm_sync_controller_set_page_size    (CdmSyncController *self,
                                                   guint              records);

/* Signs in; on success the token is kept and a sync starts.  Errors are
 * in plain words, to show as they are. */
void         cdm_sync_controller_sign_in_async    (CdmSyncController   *self,
                                                   const char          *server_url,
                                                   const char          *user,
                                                   const char          *password,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean     cdm_sync_controller_sign_in_finish   (CdmSyncController   *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* Revokes the token on the server when it can be reached, and forgets it
 * here in any case; local changes stay waiting. */
void         cdm_sync_controller_sign_out         (CdmSyncController   *self);

G_END_DECLS
