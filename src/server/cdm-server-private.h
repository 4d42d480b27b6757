/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-private.h: what the files of cdm-server share.
 *
 * The HTTP core (cdm-server-core.c) owns the SoupServer, the routes and a
 * pool of worker threads, each with its own PostgreSQL connection.  For
 * every request it checks, in this order: route and method (404/405),
 * Content-Type (415), body size (413), UTF-8 and JSON (400 bad_json),
 * bearer token (401 unauthorized) and the route's role mask (403
 * forbidden).  Only then does a worker run the route's handler with
 * (req, db); the SoupServer main loop never touches libpq.
 *
 * Threads: a CdmRequest belongs to the worker running its handler; the
 * handler must call exactly one cdm_request_reply_*() before returning
 * (a handler that forgets is answered 500 internal and logged as a bug).
 * Nothing in CdmRequest may be kept after the handler returns.
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct _CdmServer CdmServer;
typedef struct _CdmRequest CdmRequest;

/* Roles (users.role), as bits so that a route lists who may call it. */
typedef enum {
  CDM_ROLE_NONE = 0,
  CDM_ROLE_ADMIN = 1 << 0,
  CDM_ROLE_MANAGER = 1 << 1,
  CDM_ROLE_COUNSELLOR = 1 << 2,
  CDM_ROLE_STEWARD = 1 << 3,
  CDM_ROLE_PARTNER_STAFF = 1 << 4,
} CdmRole;

#define CDM_ROLES_ALL (CDM_ROLE_ADMIN | CDM_ROLE_MANAGER | CDM_ROLE_COUNSELLOR | \
                       CDM_ROLE_STEWARD | CDM_ROLE_PARTNER_STAFF)
/* A route mask with this bit needs no token at all (health, login);
 * req->user is then NULL. */
#define CDM_ROUTE_PUBLIC (1u << 16)
/* A route mask with this bit is a long read (pulls, snapshots, checksums,
 * figures): it runs on the read workers (CdmServerConfig.read_workers),
 * never on those that serve pushes. */
#define CDM_ROUTE_LONG_READ (1u << 17)

/* "admin", "manager", "counsellor", "steward", "partner_staff";
 * NULL for anything else. */
const char *cdm_role_to_string   (CdmRole     role);
/* CDM_ROLE_NONE for an unknown name (or NULL). */
CdmRole     cdm_role_from_string (const char *name);

/* The authenticated caller, loaded from the token on every request (so a
 * role change takes effect at once). */
typedef struct {
  char    *id;            /* users.id, a UUID in text form */
  char    *login;
  char    *display_name;
  CdmRole  role;
  char    *organisation;  /* UUID text, or NULL */
  char    *desk;          /* the desk the token was issued to (UUID text), or NULL */
} CdmUser;

/* A request as handlers see it.  All fields are read-only for handlers. */
struct _CdmRequest {
  CdmServer     *server;
  const char    *method;   /* "GET", "POST", … */
  const char    *path;     /* decoded path, e.g. "/api/v1/records/contact/…" */
  JsonNode      *body;     /* the parsed JSON body, or NULL when there was none */
  const CdmUser *user;     /* NULL only on CDM_ROUTE_PUBLIC routes */

  /*< private >*/
  gpointer       priv;
};

/* "{name}" segments of the route pattern; NULL when absent. */
const char *cdm_request_get_path_param (CdmRequest *req,
                                        const char *name);
/* Query-string parameters (the first value of each); NULL when absent. */
const char *cdm_request_get_query      (CdmRequest *req,
                                        const char *name);
/* Reads an integer query parameter into *out: `fallback` when absent; when
 * it is not an integer within [min, max] replies 400 bad_request (with
 * "field") and returns FALSE, and the handler just returns. */
gboolean    cdm_request_get_query_int64 (CdmRequest *req,
                                         const char *name,
                                         gint64      fallback,
                                         gint64      min,
                                         gint64      max,
                                         gint64     *out);
/* The body as a JSON object; when there is none or it is something else,
 * replies 400 bad_request and returns NULL (the handler just returns).
 * The object belongs to the request. */
JsonObject *cdm_request_require_object (CdmRequest *req);

/* Replies; exactly one per request.  `node` is taken over (transfer
 * full); 204 takes NULL. */
void cdm_request_reply_json        (CdmRequest *req,
                                    guint       status,
                                    JsonNode   *node);
/* The same with the JSON text already made (large pages built without a
 * JsonNode); `json` is taken over and must be valid JSON. */
void cdm_request_reply_json_bytes  (CdmRequest *req,
                                    guint       status,
                                    GBytes     *json);
/* {"error":{"code":code,"message":…}}.  The message is an English
 * sentence naming the field or value that is wrong. */
void cdm_request_reply_error       (CdmRequest *req,
                                    guint       status,
                                    const char *code,
                                    const char *format,
                                    ...) G_GNUC_PRINTF (4, 5);
/* Same, with "field": field. */
void cdm_request_reply_error_field (CdmRequest *req,
                                    guint       status,
                                    const char *code,
                                    const char *field,
                                    const char *format,
                                    ...) G_GNUC_PRINTF (5, 6);
/* A failed database call: logs the error and replies 503 unavailable for
 * a lost or failing database, 409 conflict for a unique violation or a
 * serialization failure, 400 bad_request for a check, foreign-key or
 * bad-value failure (bad input must never be a 5xx). */
void cdm_request_reply_db_error    (CdmRequest   *req,
                                    const GError *error);

/* Handlers and routes. */
typedef void (*CdmHandlerFunc) (CdmRequest *req,
                                PGconn     *db);

/* pattern: "/api/v1/records/{table}/{id}" — each "{name}" matches one
 * non-empty path segment.  roles: a mask of CdmRole bits, or
 * CDM_ROUTE_PUBLIC.  Call before the server starts serving. */
void cdm_server_add_route (CdmServer      *server,
                           const char     *method,
                           const char     *pattern,
                           guint           roles,
                           CdmHandlerFunc  handler);

/* The configuration (read-only once serving). */
typedef struct {
  char    *listen;            /* address, default "127.0.0.1" */
  guint    port;              /* 0: any free port */
  char    *port_file;         /* where to write the bound port, or NULL */
  char    *tls_cert;          /* PEM files, or NULL for plain HTTP */
  char    *tls_key;
  char    *database;          /* libpq conninfo */
  guint    workers;           /* worker threads = database connections */
  guint    read_workers;      /* more, for long reads only (0: they share workers) */
  gsize    max_body;          /* bytes */
  guint    max_batch;         /* entries per push */
  gint64   token_ttl;         /* seconds */
  guint    retention_days;    /* change log and tombstones */
  gboolean allow_plain_http;  /* plain HTTP on a non-loopback address */
} CdmServerConfig;

const CdmServerConfig *cdm_server_get_config (CdmServer *server);

/* Registers the sync, records and figures routes (cdm-server-sync.c). */
void cdm_server_sync_register (CdmServer *server);

/* Migration 2: records, change log, counter, applied operations,
 * conflicts (cdm-server-records-schema.c).  One SQL string, run in one
 * transaction by the migration runner. */
extern const char *cdm_server_migration_records;

/* libpq helpers.  Errors are in CDM_DB_ERROR; the message carries the
 * server's primary message and SQLSTATE (a value that failed to parse
 * may be quoted there: never bind a secret to a cast that can fail), not
 * the DETAIL that quotes the row. */
#define CDM_DB_ERROR (cdm_db_error_quark ())
GQuark cdm_db_error_quark (void);

typedef enum {
  CDM_DB_ERROR_FAILED,         /* anything else */
  CDM_DB_ERROR_CONNECTION,     /* connection lost / database down */
  CDM_DB_ERROR_UNIQUE,         /* 23505 */
  CDM_DB_ERROR_FOREIGN_KEY,    /* 23503 */
  CDM_DB_ERROR_CONSTRAINT,     /* other 23xxx (check, not null) and 22xxx (bad value) */
  CDM_DB_ERROR_SERIALIZATION,  /* 40001, 40P01: retry the transaction */
} CdmDbError;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* Runs sql with bound text parameters ($1…; a NULL value is SQL NULL).
 * Returns the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK), or NULL and
 * sets error.  Free with PQclear or g_autoptr(PGresult). */
PGresult *cdm_db_execv (PGconn             *db,
                        const char         *sql,
                        int                 n_params,
                        const char * const *values,
                        GError            **error);
/* Same with the n_params values as (const char *) arguments. */
PGresult *cdm_db_exec  (PGconn             *db,
                        GError            **error,
                        const char         *sql,
                        int                 n_params,
                        ...);

/* The same through a statement prepared once per connection (on first
 * use; again after a reconnect): for the hot statements, which then skip
 * parsing and, once PostgreSQL settles on a generic plan, planning.  sql
 * must be one of the program's constant texts (it is the key), and its
 * plan must not depend on the values: no "$1 IS NULL OR …" filters,
 * whose generic plan cannot use an index. */
PGresult *cdm_db_execv_prepared (PGconn             *db,
                                 const char         *sql,
                                 int                 n_params,
                                 const char * const *values,
                                 GError            **error);
PGresult *cdm_db_exec_prepared  (PGconn             *db,
                                 GError            **error,
                                 const char         *sql,
                                 int                 n_params,
                                 ...);

/* Runs several ;-separated statements without parameters (schema
 * scripts, session settings).  Never with data in the text. */
gboolean  cdm_db_exec_script (PGconn      *db,
                              const char  *sql,
                              GError     **error);

/* Transactions.  rollback never fails (it is the cleanup path). */
gboolean cdm_db_begin        (PGconn      *db,
                              GError     **error);
gboolean cdm_db_commit       (PGconn      *db,
                              GError     **error);
void     cdm_db_rollback     (PGconn      *db);
/* name: a constant SQL identifier chosen by the code, never input. */
gboolean cdm_db_savepoint    (PGconn      *db,
                              const char  *name,
                              GError     **error);
gboolean cdm_db_release      (PGconn      *db,
                              const char  *name,
                              GError     **error);
gboolean cdm_db_rollback_to  (PGconn      *db,
                              const char  *name,
                              GError     **error);

/* Cell readers: NULL / fallback for SQL NULL. */
const char *cdm_db_get_string (const PGresult *res,
                               int             row,
                               int             col);
gint64      cdm_db_get_int64  (const PGresult *res,
                               int             row,
                               int             col,
                               gint64          fallback);
gboolean    cdm_db_get_bool   (const PGresult *res,
                               int             row,
                               int             col);
/* A json/jsonb cell parsed into a new node (NULL for SQL NULL or, which
 * would be a bug, text that is not JSON).  Lets PostgreSQL build answers
 * with json_build_object()/json_agg(). */
JsonNode   *cdm_db_get_json   (const PGresult *res,
                               int             row,
                               int             col);

G_END_DECLS
