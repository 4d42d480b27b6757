/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-sync-test-util.h: what the sync suite's programs share (desk
 * stores, records, runs of the engine, the test folder), on top of the
 * server suite's harness (tests/server/cdm-server-test-util.h).
 */

#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cdm-server-test-util.h"
#include "cdm-store.h"
#include "cdm-sync.h"

G_BEGIN_DECLS

/* A temporary folder for the program (free with cdm_test_remove_tree()
 * and g_free()); the token files go to its "config" folder.  Call before
 * any thread starts. */
char       *cdm_sync_test_make_tmpdir   (const char      *tmpl);

/* A new desk store in dir, its identity a counsellor's. */
CdmStore   *cdm_sync_test_store_new     (const char      *dir,
                                         const char      *name);

/* A record written to a store; returns its id. */
char       *cdm_sync_test_put           (CdmStore        *store,
                                         CdmEntity        entity,
                                         const char      *json);
/* A contact with this note. */
char       *cdm_sync_test_put_contact   (CdmStore        *store,
                                         const char      *note);

/* The store's checksums equal the server's for every type the user of
 * token sees. */
void        cdm_sync_test_assert_same_checksums (CdmTestServer *server,
                                                 const char    *token,
                                                 CdmStore      *store);

/* One value read with sql from the store at path, which another process
 * may be writing, or -1. */
gint64      cdm_sync_test_peek_value    (const char      *path,
                                         const char      *sql);

/* `cdmctl login` as the counsellor to the store at store_path, the
 * password written to password_file on the way. */
void        cdm_sync_test_cdmctl_login  (CdmTestServer   *server,
                                         const char      *password_file,
                                         const char      *store_path);
/* `cdmctl sync` on the store at store_path, which must succeed. */
void        cdm_sync_test_cdmctl_sync   (const char      *store_path);

/* What cdm_sync_test_wait_done(), a GAsyncReadyCallback for
 * cdm_sync_run_async(), writes: done once the run ended. */
typedef struct {
  gboolean done;
  gboolean ok;
  CdmSyncReport report;
  GError *error;
} CdmSyncTestWait;

void        cdm_sync_test_wait_done     (GObject         *source,
                                         GAsyncResult    *result,
                                         gpointer         user_data);

/* A run in the engine's worker thread while this thread's main context
 * serves what the test runs in it (a proxy, a fake server).  report may
 * be NULL. */
gboolean    cdm_sync_test_run_and_wait  (CdmSync         *sync,
                                         CdmSyncRunFlags  flags,
                                         CdmSyncReport   *report,
                                         GError         **error);

/* The number a server-side "SELECT count(*) ..." gives. */
gint64      cdm_sync_test_server_count  (CdmTestServer   *server,
                                         const char      *sql);

/* A proxy between desks and the server.  Each connection gets one fate:
 * pass through, cut after offset bytes of what the desk sends, cut after
 * offset bytes of what the server answers, drop the answer entirely once
 * the server starts answering (it has received the whole request and
 * committed what it did), or pass only the answer's headers. */
typedef enum {
  CDM_SYNC_TEST_FATE_PASS,
  CDM_SYNC_TEST_FATE_CUT_REQUEST,
  CDM_SYNC_TEST_FATE_CUT_ANSWER,
  CDM_SYNC_TEST_FATE_DROP_ANSWER,
  CDM_SYNC_TEST_FATE_CUT_AFTER_HEADERS,
  CDM_SYNC_TEST_N_FATES
} CdmSyncTestFate;

/* Called in the connection's thread; leaves *fate and *offset alone for
 * a connection that passes. */
typedef void (*CdmSyncTestChooseFunc) (gpointer         user_data,
                                       CdmSyncTestFate *fate,
                                       gsize           *offset);

typedef struct {
  GSocketService *service;
  CdmTestServer *server;
  char *url;                /* the desks' address */
  CdmSyncTestChooseFunc choose;
  gpointer user_data;
  gint drop_next_answer;    /* atomic: 1 drops the next answer any connection carries */
  gint force;               /* atomic: a fate + 1 for every connection, or 0 */
  gint force_offset;        /* atomic: where a forced cut falls */
  gint fates[CDM_SYNC_TEST_N_FATES];   /* atomic: connections per fate */
} CdmSyncTestProxy;

/* To the server's address at the time of each connection, so it stays
 * one address across the server's restarts.  choose may be NULL. */
CdmSyncTestProxy *cdm_sync_test_proxy_new  (CdmTestServer         *server,
                                            int                    max_threads,
                                            CdmSyncTestChooseFunc  choose,
                                            gpointer               user_data);
void              cdm_sync_test_proxy_free (CdmSyncTestProxy      *proxy);

G_END_DECLS
