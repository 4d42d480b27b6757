/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-db.c: small libpq helpers (bound parameters only, errors as
 * GError) and the transaction calls every handler uses.
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <libpq-events.h>

#include "cdm-server-private.h"

G_DEFINE_QUARK (cdm-db-error-quark, cdm_db_error)

static CdmDbError
error_code_for (PGconn         *db,
                const PGresult *res)
{
  const char *state;

  if (PQstatus (db) != CONNECTION_OK)
    return CDM_DB_ERROR_CONNECTION;
  state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  if (state == NULL)
    return CDM_DB_ERROR_CONNECTION;
  if (strcmp (state, "23505") == 0)
    return CDM_DB_ERROR_UNIQUE;
  if (strcmp (state, "23503") == 0)
    return CDM_DB_ERROR_FOREIGN_KEY;
  if (strcmp (state, "40001") == 0 || strcmp (state, "40P01") == 0)
    return CDM_DB_ERROR_SERIALIZATION;
  if (strncmp (state, "23", 2) == 0 || strncmp (state, "22", 2) == 0)
    return CDM_DB_ERROR_CONSTRAINT;
  /* Class 08: connection exceptions; 57P0x: the server is going away. */
  if (strncmp (state, "08", 2) == 0 || strncmp (state, "57P0", 4) == 0)
    return CDM_DB_ERROR_CONNECTION;
  return CDM_DB_ERROR_FAILED;
}

static PGresult *
check_result (PGconn    *db,
              PGresult  *res,
              GError   **error)
{
  ExecStatusType status = PQresultStatus (res);

  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return res;

  {
    const char *state = res ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *constraint = res ? PQresultErrorField (res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    g_autofree char *message = NULL;

    /* The primary message names the object, not the values (the DETAIL
     * field, which may quote them, is left out on purpose). */
    if (primary == NULL)
      primary = PQerrorMessage (db);
    message = g_strstrip (g_strdup (primary ? primary : "unknown error"));
    g_set_error (error, CDM_DB_ERROR, error_code_for (db, res),
                 "%s (SQLSTATE %s%s%s)", message, state ? state : "none",
                 constraint ? ", constraint " : "", constraint ? constraint : "");
  }
  PQclear (res);
  return NULL;
}

PGresult *
cdm_db_execv (PGconn             *db,
              const char         *sql,
              int                 n_params,
              const char * const *values,
              GError            **error)
{
  PGresult *res;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (n_params >= 0, NULL);

  res = PQexecParams (db, sql, n_params, NULL, values, NULL, NULL, 0);
  return check_result (db, res, error);
}

/* Prepared statements, per connection.  libpq keeps them on the server
 * session, so the names a connection has prepared live with the PGconn
 * itself (instance data of an event procedure): a new connection starts
 * with none, and a reset (the session is new) forgets them. */
typedef struct {
  GHashTable *names;   /* SQL text → statement name */
} Prepared;

static int
prepared_event (PGEventId  id,
                void      *event_info,
                void      *pass_through)
{
  switch (id)
    {
    case PGEVT_REGISTER:
      {
        PGEventRegister *info = event_info;
        Prepared *prepared = g_new0 (Prepared, 1);

        prepared->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
        PQsetInstanceData (info->conn, prepared_event, prepared);
      }
      break;
    case PGEVT_CONNRESET:
      {
        PGEventConnReset *info = event_info;
        Prepared *prepared = PQinstanceData (info->conn, prepared_event);

        if (prepared != NULL)
          g_hash_table_remove_all (prepared->names);
      }
      break;
    case PGEVT_CONNDESTROY:
      {
        PGEventConnDestroy *info = event_info;
        Prepared *prepared = PQinstanceData (info->conn, prepared_event);

        if (prepared != NULL)
          {
            g_hash_table_unref (prepared->names);
            g_free (prepared);
          }
      }
      break;
    default:
      break;
    }
  return TRUE;
}

PGresult *
cdm_db_execv_prepared (PGconn             *db,
                       const char         *sql,
                       int                 n_params,
                       const char * const *values,
                       GError            **error)
{
  Prepared *prepared;
  const char *name;

  g_return_val_if_fail (db != NULL, NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (n_params >= 0, NULL);

  prepared = PQinstanceData (db, prepared_event);
  if (prepared == NULL)
    {
      if (!PQregisterEventProc (db, prepared_event, "cdm-prepared", NULL))
        return cdm_db_execv (db, sql, n_params, values, error);
      prepared = PQinstanceData (db, prepared_event);
      g_assert (prepared != NULL);
    }

  name = g_hash_table_lookup (prepared->names, sql);
  if (name == NULL)
    {
      g_autofree char *fresh = g_strdup_printf ("cdm_%u", g_hash_table_size (prepared->names) + 1);
      PGresult *res = check_result (db, PQprepare (db, fresh, sql, n_params, NULL), error);

      /* Not prepared (a failed transaction refuses even that): nothing is
       * remembered, and the next call tries again. */
      if (res == NULL)
        return NULL;
      PQclear (res);
      name = fresh;
      g_hash_table_insert (prepared->names, g_strdup (sql), g_steal_pointer (&fresh));
    }
  return check_result (db, PQexecPrepared (db, name, n_params, values, NULL, NULL, 0), error);
}

PGresult *
cdm_db_exec_prepared (PGconn      *db,
                      GError     **error,
                      const char  *sql,
                      int          n_params,
                      ...)
{
  g_autofree const char **values = NULL;
  va_list args;

  g_return_val_if_fail (n_params >= 0 && n_params < 1000, NULL);

  values = g_new0 (const char *, n_params + 1);
  va_start (args, n_params);
  for (int i = 0; i < n_params; i++)
    values[i] = va_arg (args, const char *);
  va_end (args);

  return cdm_db_execv_prepared (db, sql, n_params, values, error);
}

gboolean
cdm_db_exec_script (PGconn      *db,
                    const char  *sql,
                    GError     **error)
{
  PGresult *res;

  g_return_val_if_fail (db != NULL && sql != NULL, FALSE);

  res = check_result (db, PQexec (db, sql), error);
  if (res == NULL)
    return FALSE;
  PQclear (res);
  return TRUE;
}

PGresult *
cdm_db_exec (PGconn      *db,
             GError     **error,
             const char  *sql,
             int          n_params,
             ...)
{
  g_autofree const char **values = NULL;
  va_list args;

  g_return_val_if_fail (n_params >= 0 && n_params < 1000, NULL);

  values = g_new0 (const char *, n_params + 1);
  va_start (args, n_params);
  for (int i = 0; i < n_params; i++)
    values[i] = va_arg (args, const char *);
  va_end (args);

  return cdm_db_execv (db, sql, n_params, values, error);
}

static gboolean
exec_simple (PGconn      *db,
             const char  *sql,
             GError     **error)
{
  g_autoptr(PGresult) res = cdm_db_execv (db, sql, 0, NULL, error);

  return res != NULL;
}

gboolean
cdm_db_begin (PGconn  *db,
              GError **error)
{
  return exec_simple (db, "BEGIN", error);
}

gboolean
cdm_db_commit (PGconn  *db,
               GError **error)
{
  g_autoptr(PGresult) res = cdm_db_execv (db, "COMMIT", 0, NULL, error);

  if (res == NULL)
    return FALSE;
  /* COMMIT of a failed transaction answers ROLLBACK, not an error. */
  if (g_strcmp0 (PQcmdStatus (res), "ROLLBACK") == 0)
    {
      g_set_error (error, CDM_DB_ERROR, CDM_DB_ERROR_FAILED,
                   "The transaction had failed and was rolled back");
      return FALSE;
    }
  return TRUE;
}

void
cdm_db_rollback (PGconn *db)
{
  PGresult *res;

  /* Idle: nothing to undo; unknown: the connection is gone, and the
   * server rolled back for us. */
  if (PQtransactionStatus (db) != PQTRANS_INTRANS && PQtransactionStatus (db) != PQTRANS_INERROR)
    return;
  res = PQexec (db, "ROLLBACK");
  PQclear (res);
}

static gboolean
savepoint_command (PGconn      *db,
                   const char  *command,
                   const char  *name,
                   GError     **error)
{
  g_autofree char *sql = NULL;

  /* Savepoint names are identifiers the code chooses; refuse anything
   * else rather than quote it. */
  for (const char *p = name; *p; p++)
    g_return_val_if_fail (g_ascii_isalnum (*p) || *p == '_', FALSE);

  sql = g_strconcat (command, name, NULL);
  return exec_simple (db, sql, error);
}

gboolean
cdm_db_savepoint (PGconn      *db,
                  const char  *name,
                  GError     **error)
{
  return savepoint_command (db, "SAVEPOINT ", name, error);
}

gboolean
cdm_db_release (PGconn      *db,
                const char  *name,
                GError     **error)
{
  return savepoint_command (db, "RELEASE SAVEPOINT ", name, error);
}

gboolean
cdm_db_rollback_to (PGconn      *db,
                    const char  *name,
                    GError     **error)
{
  return savepoint_command (db, "ROLLBACK TO SAVEPOINT ", name, error);
}

const char *
cdm_db_get_string (const PGresult *res,
                   int             row,
                   int             col)
{
  if (PQgetisnull (res, row, col))
    return NULL;
  return PQgetvalue (res, row, col);
}

gint64
cdm_db_get_int64 (const PGresult *res,
                  int             row,
                  int             col,
                  gint64          fallback)
{
  if (PQgetisnull (res, row, col))
    return fallback;
  return g_ascii_strtoll (PQgetvalue (res, row, col), NULL, 10);
}

gboolean
cdm_db_get_bool (const PGresult *res,
                 int             row,
                 int             col)
{
  return !PQgetisnull (res, row, col) && PQgetvalue (res, row, col)[0] == 't';
}

JsonNode *
cdm_db_get_json (const PGresult *res,
                 int             row,
                 int             col)
{
  g_autoptr(JsonParser) parser = NULL;

  if (PQgetisnull (res, row, col))
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, PQgetvalue (res, row, col),
                                   PQgetlength (res, row, col), NULL))
    return NULL;
  return json_parser_steal_root (parser);
}
