/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-migrate.c: the database schema, as a list of migrations
 * applied in order, each in one transaction, each recorded in
 * schema_version.  Never edit a migration that has shipped: add one.
 */

#include "config.h"

#include "cdm-server-core.h"

/* Migration 1: accounts, tokens, desks, the audit log and lockout. */
static const char migration_accounts[] =
  "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
  "CREATE TABLE desks (\n"
  "  id uuid PRIMARY KEY DEFAULT gen_random_uuid (),\n"
  "  name text NOT NULL CHECK (length (name) BETWEEN 1 AND 200),\n"
  "  site text NOT NULL CHECK (site IN ('centre', 'formtruck', 'school', 'external_event', 'remote')),\n"
  "  created_at timestamptz NOT NULL DEFAULT now ()\n"
  ");\n"
  "CREATE TABLE users (\n"
  "  id uuid PRIMARY KEY DEFAULT gen_random_uuid (),\n"
  "  login text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._@-]{0,63}$'),\n"
  "  display_name text NOT NULL CHECK (length (display_name) <= 200),\n"
  "  role text NOT NULL CHECK (role IN ('admin', 'manager', 'counsellor', 'steward', 'partner_staff')),\n"
  "  organisation uuid,\n"
  "  password_hash text NOT NULL,\n"
  "  disabled boolean NOT NULL DEFAULT false,\n"
  "  created_at timestamptz NOT NULL DEFAULT now (),\n"
  "  updated_at timestamptz NOT NULL DEFAULT now (),\n"
  "  CHECK (role <> 'partner_staff' OR organisation IS NOT NULL)\n"
  ");\n"
  /* Only the SHA-256 of a token is stored: a copy of the database does
   * not let anyone in. */
  "CREATE TABLE tokens (\n"
  "  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),\n"
  "  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n"
  "  desk uuid REFERENCES desks (id),\n"
  "  created_at timestamptz NOT NULL DEFAULT now (),\n"
  "  expires_at timestamptz NOT NULL,\n"
  "  revoked boolean NOT NULL DEFAULT false\n"
  ");\n"
  "CREATE INDEX tokens_user ON tokens (user_id);\n"
  "CREATE INDEX tokens_expires ON tokens (expires_at);\n"
  "CREATE TABLE login_failures (\n"
  "  id bigserial PRIMARY KEY,\n"
  "  login text NOT NULL,\n"
  "  at timestamptz NOT NULL DEFAULT now ()\n"
  ");\n"
  "CREATE INDEX login_failures_login ON login_failures (login, at);\n"
  "CREATE INDEX login_failures_at ON login_failures (at);\n"
  "CREATE TABLE audit_log (\n"
  "  id bigserial PRIMARY KEY,\n"
  "  at timestamptz NOT NULL DEFAULT now (),\n"
  "  actor uuid REFERENCES users (id) ON DELETE SET NULL,\n"
  "  actor_login text,\n"
  "  action text NOT NULL,\n"
  "  target text,\n"
  "  details jsonb\n"
  ");\n";

static const char *
migration (guint version)
{
  switch (version)
    {
    case 1:
      return migration_accounts;
    case 2:
      return cdm_server_migration_records;
    default:
      return NULL;
    }
}

guint
cdm_server_schema_latest (void)
{
  return 2;
}

static gboolean
ensure_version_table (PGconn  *db,
                      GError **error)
{
  return cdm_db_exec_script (db,
                             "SET client_min_messages = warning;"
                             "CREATE TABLE IF NOT EXISTS schema_version ("
                             "  version integer PRIMARY KEY,"
                             "  applied_at timestamptz NOT NULL DEFAULT now ())", error);
}

static gint
read_version (PGconn  *db,
              GError **error)
{
  g_autoptr(PGresult) res = NULL;

  res = cdm_db_exec (db, error, "SELECT coalesce (max (version), 0) FROM schema_version", 0);
  if (res == NULL)
    return -1;
  return (gint) cdm_db_get_int64 (res, 0, 0, 0);
}

gint
cdm_server_schema_version (PGconn  *db,
                           GError **error)
{
  g_autoptr(PGresult) res = NULL;

  res = cdm_db_exec (db, error, "SELECT to_regclass ('schema_version') IS NOT NULL", 0);
  if (res == NULL)
    return -1;
  if (!cdm_db_get_bool (res, 0, 0))
    return 0;
  return read_version (db, error);
}

gboolean
cdm_server_migrate (PGconn  *db,
                    guint   *applied,
                    GError **error)
{
  guint latest = cdm_server_schema_latest ();

  if (applied != NULL)
    *applied = 0;
  if (!ensure_version_table (db, error))
    return FALSE;

  for (;;)
    {
      g_autoptr(PGresult) lock = NULL;
          g_autoptr(PGresult) record = NULL;
      g_autofree char *next_text = NULL;
      gint version;

      if (!cdm_db_begin (db, error))
        return FALSE;
      /* Two `migrate` at once: the second waits, then sees the work done. */
      lock = cdm_db_exec (db, error, "SELECT pg_advisory_xact_lock (4242001)", 0);
      if (lock == NULL || (version = read_version (db, error)) < 0)
        goto failed;
      if ((guint) version > latest)
        {
          g_set_error (error, CDM_DB_ERROR, CDM_DB_ERROR_FAILED,
                       "The database schema is version %d, newer than this cdm-server (%u): "
                       "use a newer cdm-server", version, latest);
          goto failed;
        }
      if ((guint) version == latest)
        {
          cdm_db_rollback (db);
          return TRUE;
        }
      if (!cdm_db_exec_script (db, migration (version + 1), error))
        {
          g_prefix_error (error, "Migration %d failed: ", version + 1);
          goto failed;
        }
      next_text = g_strdup_printf ("%d", version + 1);
      record = cdm_db_exec (db, error, "INSERT INTO schema_version (version) VALUES ($1::integer)",
                            1, next_text);
      if (record == NULL || !cdm_db_commit (db, error))
        goto failed;
      if (applied != NULL)
        (*applied)++;
      continue;

    failed:
      cdm_db_rollback (db);
      return FALSE;
    }
}
