/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync.h: the desk's sync engine (DESIGN.md section 5).
 *
 * A CdmSync runs sync between one CdmStore and one cdm-server:
 *
 *   1. push the outbox, oldest first, in batches (cdm_sync_set_batch_size);
 *      an entry the server refuses is parked with its reason and the rest
 *      goes on;
 *   2. an empty store (or one told to re-bootstrap) records the server's
 *      cursor, loads the snapshot type by type in pages, each page and the
 *      position reached committed together (a crash resumes from there),
 *      then rebuilds the full-text index once;
 *   3. pull the change feed page by page until the server says there is no
 *      more, each page with its cursor in one transaction; a 410 from the
 *      server ("rebootstrap") starts step 2 again, keeping the outbox;
 *   4. with CDM_SYNC_RUN_VERIFY, compare per-type counts and checksums with
 *      /sync/checksums and reload a type that still differs after a catch-up.
 *
 * One run at a time per CdmSync (a second is CDM_SYNC_ERROR_BUSY); runs are
 * cancellable.  "progress" reports records done / total during a bootstrap
 * (and entries during a push); "changed" is emitted when what the status
 * getters return may have changed.  Signals of an _async run are emitted
 * on the thread-default main context of the caller of cdm_sync_run_async().
 *
 * Errors: CDM_SYNC_ERROR (below), CDM_STORE_ERROR, G_IO_ERROR_CANCELLED.
 * After CDM_SYNC_ERROR_OFFLINE, _TIMEOUT, _NETWORK or _SERVER, try again
 * later, after cdm_sync_next_delay().  Nothing is ever lost by an error:
 * local changes stay in the outbox until the server has acknowledged them.
 *
 * The token is a secret: the store never holds it.  The desk app keeps it
 * in the desktop keyring (libsecret); cdmctl, and the app when no secret
 * service is available, in the file of cdm_sync_token_path(), readable by
 * the user only.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_SYNC_ERROR (cdm_sync_error_quark ())

/**
 * CdmSyncError:
 * @CDM_SYNC_ERROR_OFFLINE: no network, the server's name does not resolve,
 *   or nobody answers at its address: try again later
 * @CDM_SYNC_ERROR_TIMEOUT: the server did not answer in time: try again later
 * @CDM_SYNC_ERROR_NETWORK: the connection broke during an exchange: try again
 * @CDM_SYNC_ERROR_SERVER: the server failed (5xx): try again later
 * @CDM_SYNC_ERROR_UNAUTHORIZED: the token is missing, expired or revoked, or
 *   the password is wrong: sign in again (local changes are kept)
 * @CDM_SYNC_ERROR_FORBIDDEN: the user's role may not do this
 * @CDM_SYNC_ERROR_LOCKED: too many failed sign-ins: wait
 * @CDM_SYNC_ERROR_REBOOTSTRAP: the cursor is past the server's change log
 *   (handled inside a run; seen only from the client)
 * @CDM_SYNC_ERROR_BAD_ANSWER: the server's answer is not what the API says;
 *   nothing of it was applied
 * @CDM_SYNC_ERROR_REFUSED: the server refused the request (another 4xx)
 * @CDM_SYNC_ERROR_NOT_CONFIGURED: no server URL or no token
 * @CDM_SYNC_ERROR_BUSY: a run is already going on
 */
typedef enum {
  CDM_SYNC_ERROR_OFFLINE,
  CDM_SYNC_ERROR_TIMEOUT,
  CDM_SYNC_ERROR_NETWORK,
  CDM_SYNC_ERROR_SERVER,
  CDM_SYNC_ERROR_UNAUTHORIZED,
  CDM_SYNC_ERROR_FORBIDDEN,
  CDM_SYNC_ERROR_LOCKED,
  CDM_SYNC_ERROR_REBOOTSTRAP,
  CDM_SYNC_ERROR_BAD_ANSWER,
  CDM_SYNC_ERROR_REFUSED,
  CDM_SYNC_ERROR_NOT_CONFIGURED,
  CDM_SYNC_ERROR_BUSY,
} CdmSyncError;

GQuark   cdm_sync_error_quark (void);

/* Whether a run that failed with @error should simply be tried again later
 * (offline, timeout, broken connection, server failure). */
gboolean cdm_sync_error_is_retryable (const GError *error);

/* How long to wait, in milliseconds, before retry number @attempt (0 for
 * the first retry): exponential from 2 s, at most 10 min, with "full
 * jitter" (a random value between half the step and the step), so that
 * desks coming back online together do not knock all at once. */
guint    cdm_sync_next_delay (guint attempt);

typedef enum {
  CDM_SYNC_RUN_DEFAULT   = 0,
  CDM_SYNC_RUN_BOOTSTRAP = 1 << 0,  /* load the snapshot again, keeping the outbox */
  CDM_SYNC_RUN_VERIFY    = 1 << 1,  /* compare checksums and reload a type that differs */
  CDM_SYNC_RUN_NO_PUSH   = 1 << 2,
  CDM_SYNC_RUN_NO_PULL   = 1 << 3,
} CdmSyncRunFlags;

/* What a run did. */
typedef struct {
  guint pushed;        /* entries the server acknowledged */
  guint parked;        /* entries it refused, now parked */
  guint conflicts;     /* same-field collisions recorded */
  guint pulled;        /* changes applied from the feed */
  guint loaded;        /* records loaded from snapshots */
  guint resynced;      /* types reloaded after a checksum mismatch */
  gboolean bootstrapped;
} CdmSyncReport;

#define CDM_TYPE_SYNC (cdm_sync_get_type ())
G_DECLARE_FINAL_TYPE (CdmSync, cdm_sync, CDM, SYNC, GObject)

/* @server_url: the server's base, e.g. "https://desk.example/" (the API
 * is under api/v1/); recorded in the store.  @token may be NULL (then
 * only cdm_sync_login() works). */
CdmSync    *cdm_sync_new            (CdmStore    *store,
                                     const char  *server_url,
                                     const char  *token);
CdmStore   *cdm_sync_get_store      (CdmSync     *self);
const char *cdm_sync_get_server_url (CdmSync     *self);
void        cdm_sync_set_token      (CdmSync     *self,
                                     const char  *token);
/* Entries per push (default 200) and records per page (default 1000). */
void        cdm_sync_set_batch_size (CdmSync     *self,
                                     guint        entries);
void        cdm_sync_set_page_size  (CdmSync     *self,
                                     guint        records);
/* Seconds before an exchange gives up (default 30). */
void        cdm_sync_set_timeout    (CdmSync     *self,
                                     guint        seconds);

gboolean    cdm_sync_run            (CdmSync          *self,
                                     CdmSyncRunFlags   flags,
                                     CdmSyncReport    *out_report,
                                     GCancellable     *cancellable,
                                     GError          **error);
void        cdm_sync_run_async      (CdmSync             *self,
                                     CdmSyncRunFlags      flags,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean    cdm_sync_run_finish     (CdmSync        *self,
                                     GAsyncResult   *result,
                                     CdmSyncReport  *out_report,
                                     GError        **error);
gboolean    cdm_sync_is_running     (CdmSync     *self);

/**
 * cdm_sync_login:
 * @desk: (nullable): the desk's id, recorded with the token
 * @out_user: (out) (optional) (transfer full): the server's user object
 *
 * Signs in with a login and a password.  Returns: (transfer full): the
 * token, or %NULL (CDM_SYNC_ERROR_UNAUTHORIZED for a wrong password,
 * CDM_SYNC_ERROR_LOCKED after too many failures).  The password is not
 * kept anywhere.
 */
char       *cdm_sync_login          (CdmSync       *self,
                                     const char    *login,
                                     const char    *password,
                                     const char    *desk,
                                     JsonObject   **out_user,
                                     GCancellable  *cancellable,
                                     GError       **error);
/* Revokes the token on the server. */
gboolean    cdm_sync_logout         (CdmSync       *self,
                                     GCancellable  *cancellable,
                                     GError       **error);

/* The status, read from the store (any thread).  Times are ISO 8601 UTC,
 * NULL when never; counts are -1 on error. */
char       *cdm_sync_get_last_sync      (CdmSync *self);
char       *cdm_sync_get_last_error     (CdmSync *self);
gint64      cdm_sync_get_cursor         (CdmSync *self);
gint64      cdm_sync_get_pending_count  (CdmSync *self);
gint64      cdm_sync_get_parked_count   (CdmSync *self);
gint64      cdm_sync_get_conflict_count (CdmSync *self);

/* The token file of a store: $XDG_CONFIG_HOME/cdm-desk/token-<first 16
 * hex digits of the SHA-256 of the store's absolute path>.
 * (transfer full) */
char       *cdm_sync_token_path   (const char  *store_path);
/* Written with mode 0600 in a folder of mode 0700, atomically. */
gboolean    cdm_sync_save_token   (const char  *store_path,
                                   const char  *token,
                                   GError     **error);
/* NULL without an error when there is none. (transfer full) */
char       *cdm_sync_load_token   (const char  *store_path,
                                   GError     **error);
/* Removes it; no file is no error. */
gboolean    cdm_sync_forget_token (const char  *store_path,
                                   GError     **error);

G_END_DECLS
