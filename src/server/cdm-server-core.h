/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-core.h: what cdm-server's main, its HTTP core, its accounts
 * and its migrations share (the handlers' contract is
 * cdm-server-private.h).
 */

#pragma once

#include "cdm-server-private.h"

G_BEGIN_DECLS

/* Defaults, also documented in docs/server.md. */
#define CDM_SERVER_DEFAULT_WORKERS        4
#define CDM_SERVER_DEFAULT_READ_WORKERS   2
#define CDM_SERVER_DEFAULT_MAX_BODY       (4 * 1024 * 1024)
#define CDM_SERVER_DEFAULT_MAX_BATCH      500
#define CDM_SERVER_DEFAULT_TOKEN_TTL      (12 * 3600)
#define CDM_SERVER_DEFAULT_RETENTION_DAYS 90
/* Longest path accepted (longer: 414). */
#define CDM_SERVER_MAX_PATH               1024
/* Deepest JSON nesting accepted (json-glib's parser recurses). */
#define CDM_SERVER_MAX_JSON_DEPTH         64

void       cdm_server_config_init    (CdmServerConfig       *config);
void       cdm_server_config_clear   (CdmServerConfig       *config);

CdmServer *cdm_server_new            (const CdmServerConfig *config);
void       cdm_server_free           (CdmServer             *server);
/* Listens, prints the URL, serves until SIGTERM/SIGINT, then finishes
 * what is in flight.  FALSE with error when it cannot start. */
gboolean   cdm_server_run            (CdmServer             *server,
                                      GError               **error);

/* Opens a connection with the session settings the server relies on
 * (UTC, no statement left running forever). */
PGconn    *cdm_server_connect        (const char            *conninfo,
                                      GError               **error);

/* Migrations (cdm-server-migrate.c). */
guint      cdm_server_schema_latest  (void);
/* The database's version (0: empty) or -1 with error. */
gint       cdm_server_schema_version (PGconn                *db,
                                      GError               **error);
gboolean   cdm_server_migrate        (PGconn                *db,
                                      guint                 *applied,
                                      GError               **error);

/* Accounts (cdm-server-auth.c). */
void       cdm_server_auth_register  (CdmServer             *server);
/* Loads the user of a bearer token that is valid now; NULL when there
 * is none (or error set when the database failed). */
CdmUser   *cdm_server_auth_lookup    (PGconn                *db,
                                      const char            *token,
                                      GError               **error);
/* The bearer token of an authenticated request. */
const char *cdm_server_request_token (CdmRequest            *req);
void       cdm_user_free             (CdmUser               *user);
/* The checks the admin commands and endpoints share. */
gboolean   cdm_server_valid_login    (const char            *login);
gboolean   cdm_server_valid_uuid     (const char            *text);
gboolean   cdm_server_valid_site     (const char            *site);
gboolean   cdm_server_user_add       (PGconn                *db,
                                      const char            *login,
                                      const char            *display_name,
                                      CdmRole                role,
                                      const char            *organisation,
                                      const char            *password,
                                      GError               **error);
gboolean   cdm_server_user_password  (PGconn                *db,
                                      const char            *login,
                                      const char            *password,
                                      GError               **error);
/* Returns the new desk's id. */
char      *cdm_server_desk_add       (PGconn                *db,
                                      const char            *id,
                                      const char            *name,
                                      const char            *site,
                                      GError               **error);
/* Appends to audit_log (actor NULL: the command line). */
gboolean   cdm_server_audit          (PGconn                *db,
                                      const CdmUser         *actor,
                                      const char            *action,
                                      const char            *target,
                                      JsonNode              *details,
                                      GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmUser, cdm_user_free)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CdmServerConfig, cdm_server_config_clear)

G_END_DECLS
