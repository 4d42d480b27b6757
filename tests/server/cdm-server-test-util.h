/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-test-util.h: what the server tests share.
 *
 * cdm_test_server_new() starts a throwaway PostgreSQL cluster (initdb in
 * a temporary folder, a Unix socket there and no TCP; as root, run as
 * the "postgres" user), creates a database, runs `cdm-server migrate`,
 * adds one user per role and starts `cdm-server serve` on 127.0.0.1 with
 * a port of its own.  Everything is torn down by cdm_test_server_free(),
 * and also when the test process dies of a failed assertion: the server
 * gets a parent-death signal and a watchdog stops PostgreSQL.
 *
 * The users: login = role name ("admin", "manager", "counsellor",
 * "steward", "partner_staff"), password = cdm_test_password (role);
 * partner_staff belongs to CDM_TEST_PARTNER_ORG.
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

#define CDM_TEST_PARTNER_ORG "6a0f3c2e-0000-4000-8000-00000000000a"

extern const char * const cdm_test_roles[];   /* the five, NULL-terminated */

typedef struct _CdmTestServer CdmTestServer;

/* extra_serve_args: more options for `cdm-server serve` (e.g.
 * "--token-ttl", "2"), NULL-terminated, or NULL. */
CdmTestServer *cdm_test_server_new          (const char * const *extra_serve_args);
void           cdm_test_server_free         (CdmTestServer      *ts);

const char    *cdm_test_server_url          (CdmTestServer      *ts);
const char    *cdm_test_server_conninfo     (CdmTestServer      *ts);
GPid           cdm_test_server_pid          (CdmTestServer      *ts);
/* The token of the role's user, logging in the first time. */
const char    *cdm_test_server_token        (CdmTestServer      *ts,
                                             const char         *role);
char          *cdm_test_password            (const char         *role);

/* Every answer got through cdm_test_request*() (libsoup) is recorded;
 * this registers a test, to add last, that checks them all against
 * docs/api/openapi.yaml with tools/api-lint/check-responses.mjs (skipped
 * without node and the checker's packages). */
void           cdm_test_server_add_api_test (CdmTestServer      *ts);
/* Pauses (FALSE) or resumes the recording, for answers the description
 * does not cover on purpose. */
void           cdm_test_server_record       (CdmTestServer      *ts,
                                             gboolean            on);

/* Forgets the tokens of cdm_test_server_token() (after a revocation). */
void           cdm_test_server_forget_tokens (CdmTestServer     *ts);
/* Options given to `cdm-server serve` from the next start on. */
void           cdm_test_server_set_serve_args (CdmTestServer     *ts,
                                               const char * const *args);

/* Sends SIGTERM to cdm-server and waits: returns its exit status (-1
 * when it died of a signal or did not stop within 30 s). */
int            cdm_test_server_stop_serving (CdmTestServer      *ts);
/* Waits for cdm-server to exit by itself (after a signal the test sent):
 * its exit status, or -1. */
int            cdm_test_server_wait_exit    (CdmTestServer      *ts);
/* Starts `cdm-server serve` again on the same database (new port). */
void           cdm_test_server_start_serving (CdmTestServer     *ts);

/* Starts another `cdm-server ARGS… --database CONNINFO` (killed with the
 * test) and waits for its "listening on URL" line: *url.  NULL (and the
 * first line in *url, or NULL) when it did not start. */
GSubprocess   *cdm_test_server_spawn        (CdmTestServer      *ts,
                                             const char * const *args,
                                             char              **url);

/* Runs `cdm-server ARGS… --database CONNINFO` with stdin_text on its
 * stdin; returns the exit status, output in *out / *err if asked. */
int            cdm_test_server_command      (CdmTestServer      *ts,
                                             const char * const *args,
                                             const char         *stdin_text,
                                             char              **out,
                                             char              **err);

/* An HTTP exchange. */
typedef struct {
  guint     status;
  char     *content_type;
  GBytes   *body;
  JsonNode *json;   /* NULL when the body is not JSON */
} CdmTestReply;

void        cdm_test_reply_free       (CdmTestReply *reply);
/* error.code of a JSON error answer, or NULL. */
const char *cdm_test_reply_error_code (CdmTestReply *reply);
/* A member of the top-level object, or NULL. */
JsonNode   *cdm_test_reply_member     (CdmTestReply *reply,
                                       const char   *name);

/* Through libsoup.  token may be NULL; body (JSON text) may be NULL. */
CdmTestReply *cdm_test_request        (CdmTestServer *ts,
                                       const char    *method,
                                       const char    *path,
                                       const char    *token,
                                       const char    *body);
/* Same with a body of any bytes and content type (NULL: none). */
CdmTestReply *cdm_test_request_full   (CdmTestServer *ts,
                                       const char    *method,
                                       const char    *path,
                                       const char    *token,
                                       const char    *content_type,
                                       const char    *body,
                                       gsize          body_len);
/* What cdm-server wrote on stderr since the last start_serving (its
 * request log). */
char         *cdm_test_server_log     (CdmTestServer *ts);
/* Raw bytes on a new TCP connection, for what libsoup's client would
 * refuse or normalise (dot segments, NUL, odd methods). */
CdmTestReply *cdm_test_request_raw    (CdmTestServer *ts,
                                       const char    *request,
                                       gsize          len);
/* Same to another server (an "http://127.0.0.1:PORT" URL). */
CdmTestReply *cdm_test_request_raw_to (const char    *url,
                                       const char    *request,
                                       gsize          len);
/* A path for a file of the test (removed with the cluster's folder). */
char         *cdm_test_server_file    (CdmTestServer *ts,
                                       const char    *name);

/* The database, seen through libpq. */
PGconn     *cdm_test_server_db        (CdmTestServer *ts);
gint64      cdm_test_count_rows       (CdmTestServer *ts,
                                       const char    *table);
/* A digest of every row of every table but login_failures: equal
 * digests, unchanged database. */
char       *cdm_test_database_digest  (CdmTestServer *ts);
/* One value of a query without parameters (first row, first column). */
char       *cdm_test_query_value      (CdmTestServer *ts,
                                       const char    *sql);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmTestReply, cdm_test_reply_free)

G_END_DECLS
