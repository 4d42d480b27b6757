/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-server-records-schema.c: migration 2, the records of DESIGN.md
 * section 3 on the server, the change log and what push needs, and the
 * statements that write a record (cdm-server-records.h).
 *
 * Every record table has the same sync columns (id, version, deleted,
 * updated_at, updated_by), "org" (the organisation that scopes who may
 * read it: a contact's organisation; NULL for what everyone sees) and
 * "body", the record in the interchange format as cdm_record_normalize()
 * made it, which is what the API answers.  Beside them, typed columns
 * copied from the body hold the domain rules the database can check
 * itself: codes against their vocabularies (tests/server/test-server-records.c
 * compares these lists with libcdm's), references between records, counts
 * that cannot be negative.  The body is the truth; the columns are derived
 * from it by the same statement that writes it (cdm_server_record_upsert).
 *
 * Tombstones stay as rows for ever (deleted = true, last body kept): a
 * desk that comes back after the retention window must not resurrect a
 * deleted record by pushing an old change to it.  Only the change log and
 * the applied-operation keys are pruned; the horizon records how far.
 */
#include "config.h"

#include "cdm-server-records.h"

const char *cdm_server_migration_records =
  /* Master data. */
  "CREATE TABLE organisations ("
  "  id uuid PRIMARY KEY,"
  "  version bigint NOT NULL CHECK (version > 0),"
  "  deleted boolean NOT NULL DEFAULT false,"
  "  updated_at timestamptz NOT NULL DEFAULT now(),"
  "  updated_by text,"
  "  org uuid,"
  "  body jsonb NOT NULL,"
  "  circle text NOT NULL CHECK (circle IN ('first', 'second', 'other')),"
  "  kind text NOT NULL CHECK (kind IN ('public_employment', 'training', 'education', 'youth', 'disability',"
  "    'association', 'company', 'other')),"
  "  active boolean NOT NULL DEFAULT true"
  ");"
  "CREATE TABLE resources ("
  "  id uuid PRIMARY KEY,"
  "  version bigint NOT NULL CHECK (version > 0),"
  "  deleted boolean NOT NULL DEFAULT false,"
  "  updated_at timestamptz NOT NULL DEFAULT now(),"
  "  updated_by text,"
  "  org uuid,"
  "  body jsonb NOT NULL,"
  "  kind text NOT NULL CHECK (kind IN ('book', 'ebook', 'video', 'job_sheet', 'website', 'brochure', 'test_tool')),"
  "  audience text CHECK (audience IN ('general', 'students', 'neet', 'guidance_professionals', '50_plus',"
  "    'disability', 'jobseekers', 'employees')),"
  "  copies integer CHECK (copies >= 0),"
  "  active boolean NOT NULL DEFAULT true"
  ");"
  "CREATE TABLE activities ("
  "  id uuid PRIMARY KEY,"
  "  version bigint NOT NULL CHECK (version > 0),"
  "  deleted boolean NOT NULL DEFAULT false,"
  "  updated_at timestamptz NOT NULL DEFAULT now(),"
  "  updated_by text,"
  "  org uuid,"
  "  body jsonb NOT NULL,"
  "  starts_at timestamptz NOT NULL,"
  "  duration_min integer CHECK (duration_min >= 0),"
  "  mode text NOT NULL CHECK (mode IN ('on_site', 'online', 'formtruck', 'school', 'external')),"
  "  audience text CHECK (audience IN ('general', 'students', 'neet', 'guidance_professionals', '50_plus',"
  "    'disability', 'jobseekers', 'employees')),"
  "  capacity integer CHECK (capacity >= 0),"
  "  status text NOT NULL CHECK (status IN ('planned', 'cancelled', 'held'))"
  ");"
  "CREATE INDEX activities_starts ON activities (starts_at);"
  /* Co-produced activities: who may edit them and their attendance. */
  "CREATE TABLE activity_organisers ("
  "  activity uuid NOT NULL REFERENCES activities (id) ON DELETE CASCADE,"
  "  organisation uuid NOT NULL REFERENCES organisations (id),"
  "  PRIMARY KEY (activity, organisation)"
  ");"
  "CREATE INDEX activity_organisers_organisation ON activity_organisers (organisation);"
  "CREATE TABLE closures ("
  "  id uuid PRIMARY KEY,"
  "  version bigint NOT NULL CHECK (version > 0),"
  "  deleted boolean NOT NULL DEFAULT false,"
  "  updated_at timestamptz NOT NULL DEFAULT now(),"
  "  updated_by text,"
  "  org uuid,"
  "  body jsonb NOT NULL,"
  "  from_day date NOT NULL,"
  "  to_day date NOT NULL,"
  "  scope text NOT NULL CHECK (scope IN ('all', 'multimedia', 'advice', 'activities', 'appointment_only')),"
  "  CHECK (to_day >= from_day)"
  ");"
  /* Counted records. */
  "CREATE TABLE attendance ("
  "  id uuid PRIMARY KEY,"
  "  version bigint NOT NULL CHECK (version > 0),"
  "  deleted boolean NOT NULL DEFAULT false,"
  "  updated_at timestamptz NOT NULL DEFAULT now(),"
  "  updated_by text,"
  "  org uuid,"
  "  body jsonb NOT NULL,"
  "  activity uuid NOT NULL REFERENCES activities (id),"
  "  count integer NOT NULL CHECK (count >= 0),"
  "  recorded_at timestamptz NOT NULL"
  ");"
  "CREATE INDEX attendance_activity ON attendance (activity);"
  "CREATE TABLE contacts ("
  "  id uuid PRIMARY KEY,"
  "  version bigint NOT NULL CHECK (version > 0),"
  "  deleted boolean NOT NULL DEFAULT false,"
  "  updated_at timestamptz NOT NULL DEFAULT now(),"
  "  updated_by text,"
  "  org uuid,"
  "  body jsonb NOT NULL,"
  "  occurred_at timestamptz NOT NULL,"
  "  site text NOT NULL CHECK (site IN ('centre', 'formtruck', 'school', 'external_event', 'remote')),"
  "  service text NOT NULL CHECK (service IN ('individual_advice', 'multimedia')),"
  "  channel text NOT NULL CHECK (channel IN ('in_person', 'email', 'call_centre', 'chat', 'phone', 'video',"
  "    'after_group_activity', 'neet_outreach')),"
  "  duration_min integer CHECK (duration_min >= 0),"
  "  received_at timestamptz,"
  "  answered_at timestamptz CHECK (answered_at >= received_at)"
  ");"
  "CREATE INDEX contacts_org ON contacts (org);"
  "CREATE INDEX contacts_occurred ON contacts (occurred_at);"
  "CREATE TABLE contact_referrals ("
  "  contact uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,"
  "  organisation uuid NOT NULL REFERENCES organisations (id),"
  "  PRIMARY KEY (contact, organisation)"
  ");"
  "CREATE TABLE contact_resources ("
  "  contact uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,"
  "  resource uuid NOT NULL REFERENCES resources (id),"
  "  PRIMARY KEY (contact, resource)"
  ");"
  "CREATE TABLE multimedia_tallies ("
  "  id uuid PRIMARY KEY,"
  "  version bigint NOT NULL CHECK (version > 0),"
  "  deleted boolean NOT NULL DEFAULT false,"
  "  updated_at timestamptz NOT NULL DEFAULT now(),"
  "  updated_by text,"
  "  org uuid,"
  "  body jsonb NOT NULL,"
  "  day date NOT NULL,"
  "  kind text NOT NULL CHECK (kind IN ('computer_access', 'jobseeker_profile', 'documents',"
  "    'training_catalogue', 'printing', 'other')),"
  "  count integer NOT NULL CHECK (count >= 0)"
  ");"
  "CREATE INDEX multimedia_tallies_day ON multimedia_tallies (day);"
  "CREATE TABLE satisfaction ("
  "  id uuid PRIMARY KEY,"
  "  version bigint NOT NULL CHECK (version > 0),"
  "  deleted boolean NOT NULL DEFAULT false,"
  "  updated_at timestamptz NOT NULL DEFAULT now(),"
  "  updated_by text,"
  "  org uuid,"
  "  body jsonb NOT NULL,"
  "  answered_on date NOT NULL,"
  "  score integer NOT NULL CHECK (score BETWEEN 0 AND 10),"
  "  frequency text CHECK (frequency IN ('first_visit', 'occasional', 'several_per_month'))"
  ");"
  /* The change log.  A writing transaction takes its numbers from the
   * sequence change_seq, one block in its last statement, while it holds the
   * feed's advisory lock in shared mode until its end (so writers never
   * wait for one another and their commits flush together).  A reader
   * only serves numbers up to the safe horizon: the sequence's value read
   * while holding that lock in exclusive mode, when every transaction that
   * took a number has ended (docs/server.md, "The feed").  tx and last are
   * the first and last seq of the change's transaction: a page of the
   * feed never splits one.  sync_counter keeps the pruning horizon. */
  "CREATE TABLE sync_counter ("
  "  one boolean PRIMARY KEY DEFAULT true CHECK (one),"
  "  horizon bigint NOT NULL"
  ");"
  "INSERT INTO sync_counter (one, horizon) VALUES (true, 0);"
  /* Blocks of 100,000 (FEED_BLOCK in cdm-server-sync.c). */
  "CREATE SEQUENCE change_seq START 1 INCREMENT BY 100000;"
  "CREATE TABLE change_log ("
  "  seq bigint PRIMARY KEY,"
  "  tx bigint NOT NULL,"
  "  last bigint NOT NULL CHECK (last >= seq AND tx <= seq),"
  "  type text NOT NULL,"
  "  id uuid NOT NULL,"
  "  version bigint NOT NULL,"
  "  deleted boolean NOT NULL,"
  "  org uuid,"
  "  at timestamptz NOT NULL DEFAULT now()"
  ");"
  "CREATE INDEX change_log_at ON change_log (at);"
  /* Idempotent pushes: the answer given to each key, stored with the
   * change it made. */
  "CREATE TABLE applied_ops ("
  "  key uuid PRIMARY KEY,"
  "  result jsonb NOT NULL,"
  "  at timestamptz NOT NULL DEFAULT now()"
  ");"
  "CREATE INDEX applied_ops_at ON applied_ops (at);"
  /* Same-field collisions: the value kept and the one that lost, for a
   * person to resolve. */
  "CREATE TABLE conflicts ("
  "  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
  "  type text NOT NULL,"
  "  record uuid NOT NULL,"
  "  field text NOT NULL,"
  "  kept jsonb,"
  "  other jsonb,"
  "  key uuid NOT NULL,"
  "  base_version bigint NOT NULL,"
  "  version bigint NOT NULL,"
  "  login text,"
  "  desk text,"
  "  at timestamptz NOT NULL DEFAULT now(),"
  "  resolved_at timestamptz"
  ");"
  "CREATE INDEX conflicts_record ON conflicts (record);";

/* How each table's typed columns derive from the body "b". */
typedef struct {
  const char *column;
  const char *expression;
} Column;

typedef struct {
  CdmEntity entity;
  const char *table;
  const Column *columns;
  guint n_columns;
} Table;

static const Column organisation_columns[] = {
  { "circle", "b->>'circle'" },
  { "kind", "b->>'kind'" },
  { "active", "COALESCE ((b->>'active')::boolean, true)" },
};
static const Column resource_columns[] = {
  { "kind", "b->>'kind'" },
  { "audience", "b->>'audience'" },
  { "copies", "(b->>'copies')::integer" },
  { "active", "COALESCE ((b->>'active')::boolean, true)" },
};
static const Column activity_columns[] = {
  { "starts_at", "(b->>'starts_at')::timestamptz" },
  { "duration_min", "(b->>'duration_min')::integer" },
  { "mode", "b->>'mode'" },
  { "audience", "b->>'audience'" },
  { "capacity", "(b->>'capacity')::integer" },
  { "status", "b->>'status'" },
};
static const Column closure_columns[] = {
  { "from_day", "(b->>'from')::date" },
  { "to_day", "(b->>'to')::date" },
  { "scope", "b->>'scope'" },
};
static const Column attendance_columns[] = {
  { "activity", "(b->>'activity')::uuid" },
  { "count", "(b->>'count')::integer" },
  { "recorded_at", "(b->>'recorded_at')::timestamptz" },
};
static const Column contact_columns[] = {
  { "occurred_at", "(b->>'occurred_at')::timestamptz" },
  { "site", "b->>'site'" },
  { "service", "b->>'service'" },
  { "channel", "b->>'channel'" },
  { "duration_min", "(b->>'duration_min')::integer" },
  { "received_at", "(b->>'received_at')::timestamptz" },
  { "answered_at", "(b->>'answered_at')::timestamptz" },
};
static const Column tally_columns[] = {
  { "day", "(b->>'day')::date" },
  { "kind", "b->>'kind'" },
  { "count", "(b->>'count')::integer" },
};
static const Column satisfaction_columns[] = {
  { "answered_on", "(b->>'answered_on')::date" },
  { "score", "(b->>'score')::integer" },
  { "frequency", "b->>'frequency'" },
};

#define TABLE(e, t, c) { e, t, c, G_N_ELEMENTS (c) }
static const Table tables[] = {
  TABLE (CDM_ENTITY_ORGANISATION, "organisations", organisation_columns),
  TABLE (CDM_ENTITY_RESOURCE, "resources", resource_columns),
  TABLE (CDM_ENTITY_ACTIVITY, "activities", activity_columns),
  TABLE (CDM_ENTITY_ATTENDANCE, "attendance", attendance_columns),
  TABLE (CDM_ENTITY_CONTACT, "contacts", contact_columns),
  TABLE (CDM_ENTITY_MULTIMEDIA_TALLY, "multimedia_tallies", tally_columns),
  TABLE (CDM_ENTITY_CLOSURE, "closures", closure_columns),
  TABLE (CDM_ENTITY_SATISFACTION, "satisfaction", satisfaction_columns),
};

static const Table *
find_table (CdmEntity entity)
{
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (tables[i].entity == entity)
      return &tables[i];
  return NULL;
}

gboolean
cdm_server_records_entity (const char *type,
                           CdmEntity  *out_entity)
{
  CdmEntity entity;

  /* Only the exact §7 type names: the API does not take "partner". */
  if (type == NULL || g_str_equal (type, "partner") || !cdm_entity_from_name (type, &entity) ||
      find_table (entity) == NULL)
    return FALSE;
  if (out_entity != NULL)
    *out_entity = entity;
  return TRUE;
}

const char *
cdm_server_records_table (CdmEntity entity)
{
  const Table *table = find_table (entity);

  g_return_val_if_fail (table != NULL, NULL);
  return table->table;
}

/* The statements, built once from the constants above (never from data). */
static char *upserts[CDM_N_ENTITIES];
static char *inserts[CDM_N_ENTITIES];
static char *updates[CDM_N_ENTITIES];

/* The rows of a batch: $1 a JSON array of {id, version, deleted, org, b}. */
#define BATCH_ROWS "jsonb_to_recordset ($1::jsonb) AS x (id uuid, version bigint, deleted boolean, org uuid, b jsonb)"

static gpointer
build_upserts (gpointer data)
{
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      const Table *t = &tables[i];
      GString *sql = g_string_new (NULL);

      g_string_append_printf (sql, "INSERT INTO %s AS t (id, version, deleted, updated_at, updated_by, org, body",
                              t->table);
      for (guint c = 0; c < t->n_columns; c++)
        g_string_append_printf (sql, ", %s", t->columns[c].column);
      g_string_append (sql, ") SELECT $1::uuid, $2::bigint, $3::boolean, now(), $4, $5::uuid, b");
      for (guint c = 0; c < t->n_columns; c++)
        g_string_append_printf (sql, ", %s", t->columns[c].expression);
      g_string_append (sql, " FROM (SELECT $6::jsonb AS b) AS s ON CONFLICT (id) DO UPDATE SET "
                            "version = EXCLUDED.version, deleted = EXCLUDED.deleted, "
                            "updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by, "
                            "org = EXCLUDED.org, body = EXCLUDED.body");
      for (guint c = 0; c < t->n_columns; c++)
        g_string_append_printf (sql, ", %s = EXCLUDED.%s", t->columns[c].column, t->columns[c].column);
      /* Only over the version the writer read (under FOR UPDATE): a row
       * created by a concurrent push since is left alone, and the writer
       * sees no row written and looks again. */
      g_string_append (sql, " WHERE t.version = EXCLUDED.version - 1");
      upserts[t->entity] = g_string_free (sql, FALSE);

      /* Many new rows at once; an id that exists meanwhile is left alone
       * (fewer rows written than sent tells the writer). */
      sql = g_string_new (NULL);
      g_string_append_printf (sql, "INSERT INTO %s (id, version, deleted, updated_at, updated_by, org, body", t->table);
      for (guint c = 0; c < t->n_columns; c++)
        g_string_append_printf (sql, ", %s", t->columns[c].column);
      g_string_append (sql, ") SELECT x.id, x.version, x.deleted, now(), $2, x.org, x.b");
      for (guint c = 0; c < t->n_columns; c++)
        g_string_append_printf (sql, ", %s", t->columns[c].expression);
      g_string_append (sql, " FROM " BATCH_ROWS " ON CONFLICT (id) DO NOTHING");
      inserts[t->entity] = g_string_free (sql, FALSE);

      /* Many existing rows at once, which the writer holds FOR UPDATE. */
      sql = g_string_new (NULL);
      g_string_append_printf (sql, "UPDATE %s AS t SET version = x.version, deleted = x.deleted, updated_at = now(), "
                                   "updated_by = $2, org = x.org, body = x.b", t->table);
      for (guint c = 0; c < t->n_columns; c++)
        g_string_append_printf (sql, ", %s = %s", t->columns[c].column, t->columns[c].expression);
      g_string_append (sql, " FROM " BATCH_ROWS " WHERE t.id = x.id");
      updates[t->entity] = g_string_free (sql, FALSE);
    }
  return NULL;
}

const char *
cdm_server_record_upsert (CdmEntity entity)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, build_upserts, NULL);
  g_return_val_if_fail (entity < CDM_N_ENTITIES && upserts[entity] != NULL, NULL);
  return upserts[entity];
}

const char *
cdm_server_record_insert_many (CdmEntity entity)
{
  cdm_server_record_upsert (entity);  /* builds them all */
  g_return_val_if_fail (entity < CDM_N_ENTITIES && inserts[entity] != NULL, NULL);
  return inserts[entity];
}

const char *
cdm_server_record_update_many (CdmEntity entity)
{
  cdm_server_record_upsert (entity);
  g_return_val_if_fail (entity < CDM_N_ENTITIES && updates[entity] != NULL, NULL);
  return updates[entity];
}
