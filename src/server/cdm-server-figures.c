/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-server-figures.c: GET /figures, the figures of DESIGN.md section 4
 * across every desk, computed by libcdm's cdm_report_compute() itself so
 * that the server and the desks can never disagree on a rule.
 *
 * The year's records (with a day's margin on each side, since the year is
 * the centre's local one) are copied into a private temporary store and
 * the report is computed there.  With an organisation (always, for a
 * partner's staff: their own), the figures are that organisation's: the
 * contacts it logged, the activities it (co-)organises with their
 * attendance; multimedia tallies and satisfaction responses belong to no
 * organisation and count only in the centre's figures; closures are the
 * centre's and shade every report.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cdm-report.h"
#include "cdm-store.h"
#include "cdm-server-records.h"

typedef struct {
  CdmEntity entity;
  const char *sql;
  gboolean centre_only;   /* not attributable to an organisation */
} Load;

/* $1, $2: the UTC bounds; $3: the organisation or NULL. */
static const Load loads[] = {
  { CDM_ENTITY_CLOSURE,
    "SELECT body::text FROM closures WHERE NOT deleted AND to_day >= $1::timestamptz::date "
    "AND from_day <= $2::timestamptz::date", FALSE },
  { CDM_ENTITY_ACTIVITY,
    "SELECT body::text FROM activities a WHERE NOT deleted AND starts_at >= $1::timestamptz "
    "AND starts_at < $2::timestamptz AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM activity_organisers o "
    "WHERE o.activity = a.id AND o.organisation = $3::uuid))", FALSE },
  { CDM_ENTITY_ATTENDANCE,
    "SELECT t.body::text FROM attendance t JOIN activities a ON a.id = t.activity WHERE NOT t.deleted "
    "AND NOT a.deleted AND a.starts_at >= $1::timestamptz AND a.starts_at < $2::timestamptz "
    "AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM activity_organisers o "
    "WHERE o.activity = a.id AND o.organisation = $3::uuid))", FALSE },
  { CDM_ENTITY_CONTACT,
    "SELECT body::text FROM contacts WHERE NOT deleted AND ((occurred_at >= $1::timestamptz "
    "AND occurred_at < $2::timestamptz) OR (received_at >= $1::timestamptz AND received_at < $2::timestamptz)) "
    "AND ($3::uuid IS NULL OR org = $3::uuid)", FALSE },
  { CDM_ENTITY_MULTIMEDIA_TALLY,
    "SELECT body::text FROM multimedia_tallies WHERE NOT deleted AND day >= $1::timestamptz::date "
    "AND day <= $2::timestamptz::date", TRUE },
  { CDM_ENTITY_SATISFACTION,
    "SELECT body::text FROM satisfaction WHERE NOT deleted AND answered_on >= $1::timestamptz::date "
    "AND answered_on <= $2::timestamptz::date", TRUE },
};

/* The references the report does not read are left out, so that the
 * private store needs no directory or library to accept the rows. */
static void
drop_references (CdmEntity   entity,
                 JsonObject *record)
{
  static const char * const lists[] = { "organisers", "referrals", "resources" };

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    if (json_object_has_member (record, lists[i]))
      json_object_set_array_member (record, lists[i], json_array_new ());
}

static gboolean
load_year (PGconn      *db,
           CdmStore    *store,
           int          year,
           const char  *organisation,
           GError     **error)
{
  g_autofree char *from = g_strdup_printf ("%04d-12-30T00:00:00Z", year - 1);
  g_autofree char *to = g_strdup_printf ("%04d-01-02T00:00:00Z", year + 1);
  g_autoptr(JsonParser) parser = json_parser_new ();

  /* One snapshot for every table. */
  if (!cdm_db_begin (db, error))
    return FALSE;
  {
    g_autoptr(PGresult) iso = cdm_db_exec (db, error, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", 0);
    if (iso == NULL)
      goto fail;
  }
  if (!cdm_store_begin (store, TRUE, error))
    goto fail;

  for (guint i = 0; i < G_N_ELEMENTS (loads); i++)
    {
      g_autoptr(PGresult) res = NULL;

      if (loads[i].centre_only && organisation != NULL)
        continue;
      /* Only the loads of an organisation's records take $3. */
      res = cdm_db_exec (db, error, loads[i].sql, strstr (loads[i].sql, "$3") ? 3 : 2, from, to, organisation);
      if (res == NULL)
        goto fail_store;
      for (int r = 0; r < PQntuples (res); r++)
        {
          JsonNode *root;

          if (!json_parser_load_from_data (parser, cdm_db_get_string (res, r, 0), -1, error))
            goto fail_store;
          root = json_parser_get_root (parser);
          if (!JSON_NODE_HOLDS_OBJECT (root))
            continue;
          drop_references (loads[i].entity, json_node_get_object (root));
          if (!cdm_store_put (store, loads[i].entity, json_node_get_object (root), NULL, NULL, error))
            goto fail_store;
        }
    }

  cdm_db_rollback (db);
  return cdm_store_commit (store, error);

fail_store:
  cdm_store_rollback (store);
fail:
  cdm_db_rollback (db);
  return FALSE;
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* GET /figures?year=Y[&organisation=ID] */
static void
handle_figures (CdmRequest *req,
                PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(CdmReport) report = NULL;
  const char *organisation = cdm_request_get_query (req, "organisation");
  JsonObject *answer;
  gint64 year;

  if (!cdm_request_get_query_int64 (req, "year", g_date_time_get_year (now), CDM_REPORT_MIN_YEAR + 1,
                                    CDM_REPORT_MAX_YEAR - 1, &year))
    return;
  if (organisation != NULL && !cdm_uuid_valid (organisation))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "organisation",
                                     "organisation: expected a lower-case UUID");
      return;
    }
  if (req->user->role == CDM_ROLE_PARTNER_STAFF)
    {
      const char *own = cdm_server_contact_scope (req->user);
      if (organisation != NULL && !g_str_equal (organisation, own))
        {
          cdm_request_reply_error_field (req, 403, "forbidden", "organisation",
                                         "organisation: a partner's staff sees only their own organisation's figures");
          return;
        }
      organisation = own;
    }

  dir = g_dir_make_tmp ("cdm-server-figures-XXXXXX", &error);
  if (dir == NULL)
    {
      g_warning ("Cannot compute figures: %s", error->message);
      cdm_request_reply_error (req, 503, "unavailable", "the figures cannot be computed now");
      return;
    }
  path = g_build_filename (dir, "figures.sqlite", NULL);
  store = cdm_store_open (path, &error);
  if (store != NULL)
    cdm_store_set_queue_changes (store, FALSE);

  if (store == NULL || !load_year (db, store, (int) year, organisation, &error) ||
      (report = cdm_report_compute (store, (int) year, NULL, &error)) == NULL)
    {
      g_clear_object (&store);
      remove_dir (dir);
      if (error->domain == CDM_DB_ERROR)
        cdm_request_reply_db_error (req, error);
      else
        {
          g_warning ("Cannot compute figures: %s", error->message);
          cdm_request_reply_error (req, 503, "unavailable", "the figures cannot be computed now");
        }
      return;
    }
  g_clear_object (&store);
  remove_dir (dir);

  answer = cdm_report_to_json (report);
  if (organisation != NULL)
    json_object_set_string_member (answer, "organisation", organisation);
  else
    json_object_set_null_member (answer, "organisation");
  cdm_request_reply_json (req, 200, json_node_init_object (json_node_alloc (), answer));
  json_object_unref (answer);
}

void
cdm_server_figures_register (CdmServer *server)
{
  cdm_server_add_route (server, "GET", "/api/v1/figures", CDM_ROLES_ALL | CDM_ROUTE_LONG_READ, handle_figures);
}
