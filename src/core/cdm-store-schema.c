/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-store-schema.c: the store's schema, as cumulative migrations.
 *
 * migrations[i] takes a store from user_version i to i + 1.  They are
 * applied in one transaction at open, so a store is never left half
 * migrated.  A migration, once released, is never edited: add a new one.
 *
 * Conventions.  Every synced table starts with the sync columns (id, version,
 * updated_at, updated_by, deleted, sync_state).  Sets of codes from a fixed
 * vocabulary (themes, programmes) are bit masks in vocabulary order, so that
 * the figures count them in one pass.  Open lists (languages, authors, tags,
 * people) are JSON arrays.  Timestamps keep the text they were given (with
 * its offset) plus derived columns: the unix time and the centre's local
 * day, on which every figure is computed.
 */
#include "config.h"

#include "cdm-store-schema-private.h"

/* rid is the rowid made explicit, so that VACUUM keeps it: the full-text
 * tables point at records by rowid.  id is the record's identity. */
#define SYNC_COLUMNS \
  "  rid        INTEGER PRIMARY KEY,\n" \
  "  id         TEXT NOT NULL UNIQUE,\n" \
  "  version    INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),\n" \
  "  updated_at TEXT NOT NULL,\n" \
  "  updated_by TEXT,\n" \
  "  deleted    INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),\n" \
  "  sync_state INTEGER NOT NULL DEFAULT 1 CHECK (sync_state BETWEEN 0 AND 3),\n"

#define PROFILE_COLUMNS \
  "  p_gender          TEXT,\n" \
  "  p_age_band        TEXT,\n" \
  "  p_region          TEXT,\n" \
  "  p_status          TEXT,\n" \
  "  p_education       TEXT,\n" \
  "  p_foreign_diploma INTEGER CHECK (p_foreign_diploma IN (0, 1)),\n" \
  "  p_language        TEXT,\n" \
  "  p_first_visit     INTEGER CHECK (p_first_visit IN (0, 1)),\n" \
  "  p_heard_from      TEXT,\n"

/* The keys under which contact @r ("new" or "old") counts, as rows
 * (day, key, @n).  A key holds raw column values, which the report checks
 * against the vocabularies exactly as it does when it counts contacts
 * one by one, so that a value the schema would refuse counts the same in
 * both (nowhere, or as unknown):
 *
 *   channel:<service>:<channel>  every contact, on its day (codes hold no
 *                                ':', so the first one splits them)
 *   programmes:<mask>            contacts with programmes, on their day
 *   <profile item>:<value>       every contact, on its day, per item of
 *                                cdm_profile_fields: gender:f, language:fr,
 *                                first_visit:1; "gender:" is no answer
 *   remote:within_48h, remote:answered_late, remote:unanswered
 *                                remote requests, on the day they were
 *                                received (received_day), whenever logged
 *
 * Measured on 1,000,000 generated contacts: a compound SELECT feeding the
 * upsert costs about 7 us of CPU per contact written (some 0.7 us a key);
 * one statement per key costs a fifth more, and so does wrapping the
 * compound in a subquery. */
#define CONTACT_STATS_ROWS(r, n) \
  "SELECT " r ".day AS day, 'channel:' || " r ".service || ':' || " r ".channel AS key, " n " AS n\n" \
  "  UNION ALL SELECT " r ".day, 'programmes:' || " r ".programmes, " n " WHERE " r ".programmes <> 0\n" \
  CONTACT_STATS_PROFILE_ROW (r, n, "gender") \
  CONTACT_STATS_PROFILE_ROW (r, n, "age_band") \
  CONTACT_STATS_PROFILE_ROW (r, n, "region") \
  CONTACT_STATS_PROFILE_ROW (r, n, "status") \
  CONTACT_STATS_PROFILE_ROW (r, n, "education") \
  CONTACT_STATS_PROFILE_ROW (r, n, "foreign_diploma") \
  CONTACT_STATS_PROFILE_ROW (r, n, "language") \
  CONTACT_STATS_PROFILE_ROW (r, n, "first_visit") \
  CONTACT_STATS_PROFILE_ROW (r, n, "heard_from") \
  "  UNION ALL SELECT " r ".received_day,\n" \
  "    CASE WHEN " r ".answered_unix IS NULL THEN 'remote:unanswered'\n" \
  "         WHEN " r ".answered_unix - ifnull (" r ".received_unix, 0) <= 172800 THEN 'remote:within_48h'\n" \
  "         ELSE 'remote:answered_late' END, " n "\n" \
  "    WHERE " r ".received_day IS NOT NULL\n"

#define CONTACT_STATS_PROFILE_ROW(r, n, item) \
  "  UNION ALL SELECT " r ".day, '" item ":' || ifnull (" r ".p_" item ", ''), " n "\n"

/* The columns the keys are made of. */
#define CONTACT_STATS_COLUMNS \
  "deleted, day, service, channel, programmes, p_gender, p_age_band, p_region, p_status, " \
  "p_education, p_foreign_diploma, p_language, p_first_visit, p_heard_from, " \
  "received_day, received_unix, answered_unix"

#define CHANGED(column) "old." column " IS NOT new." column

/* An update (an edit, a tombstone, an undelete) takes the old row's keys
 * off and puts the new row's on, netted first so that the keys it does
 * not change are not written.  The store's UPDATE sets every column, so
 * the WHEN clause is what spares an edit of the note or the referrals.
 * A count that falls to zero is removed with its row.  (A VALUES list
 * would be shorter than the compound SELECTs, but SQLite 3.40 cannot
 * resolve its columns in an upsert inside a trigger.) */
#define CONTACT_STATS_TRIGGERS \
  "CREATE TRIGGER contacts_stats_insert AFTER INSERT ON contacts\n" \
  "WHEN new.deleted = 0 BEGIN\n" \
  "  INSERT INTO contact_stats (day, key, n)\n" \
  CONTACT_STATS_ROWS ("new", "1") \
  "  ON CONFLICT (day, key) DO UPDATE SET n = n + 1;\n" \
  "END;\n" \
  "CREATE TRIGGER contacts_stats_delete AFTER DELETE ON contacts\n" \
  "WHEN old.deleted = 0 BEGIN\n" \
  "  INSERT INTO contact_stats (day, key, n)\n" \
  CONTACT_STATS_ROWS ("old", "-1") \
  "  ON CONFLICT (day, key) DO UPDATE SET n = n - 1;\n" \
  "  DELETE FROM contact_stats WHERE day IN (old.day, old.received_day) AND n = 0;\n" \
  "END;\n" \
  "CREATE TRIGGER contacts_stats_update AFTER UPDATE OF " CONTACT_STATS_COLUMNS " ON contacts\n" \
  "WHEN " CHANGED ("deleted") " OR " CHANGED ("day") " OR " CHANGED ("service") " OR " \
  CHANGED ("channel") " OR " CHANGED ("programmes") " OR " CHANGED ("p_gender") " OR " \
  CHANGED ("p_age_band") " OR " CHANGED ("p_region") " OR " CHANGED ("p_status") " OR " \
  CHANGED ("p_education") " OR " CHANGED ("p_foreign_diploma") " OR " \
  CHANGED ("p_language") " OR " CHANGED ("p_first_visit") " OR " CHANGED ("p_heard_from") " OR " \
  CHANGED ("received_day") " OR " CHANGED ("received_unix") " OR " CHANGED ("answered_unix") "\n" \
  "BEGIN\n" \
  "  INSERT INTO contact_stats (day, key, n)\n" \
  "  SELECT day, key, sum (n) FROM (\n" \
  "    SELECT * FROM (" CONTACT_STATS_ROWS ("old", "-1") ") WHERE old.deleted = 0\n" \
  "    UNION ALL\n" \
  "    SELECT * FROM (" CONTACT_STATS_ROWS ("new", "1") ") WHERE new.deleted = 0)\n" \
  "  GROUP BY day, key HAVING sum (n) <> 0\n" \
  "  ON CONFLICT (day, key) DO UPDATE SET n = n + excluded.n;\n" \
  "  DELETE FROM contact_stats WHERE day IN (old.day, old.received_day) AND n = 0;\n" \
  "END;\n"

static const char migration_1[] =
  "CREATE TABLE meta (\n"
  "  key   TEXT PRIMARY KEY NOT NULL,\n"
  "  value TEXT\n"
  ");\n"

  "CREATE TABLE organisations (\n"
  SYNC_COLUMNS
  "  name_fr    TEXT,\n"
  "  name_nl    TEXT,\n"
  "  name_en    TEXT,\n"
  "  acronym    TEXT,\n"
  "  circle     TEXT NOT NULL,\n"
  "  kind       TEXT NOT NULL,\n"
  "  themes     INTEGER NOT NULL DEFAULT 0,\n"
  "  languages  TEXT,\n"
  "  address    TEXT,\n"
  "  phone      TEXT,\n"
  "  email      TEXT,\n"
  "  website    TEXT,\n"
  "  hours      TEXT,\n"
  "  desk_days  INTEGER NOT NULL DEFAULT 0,\n"
  "  people     TEXT,\n"
  "  notes      TEXT,\n"
  "  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))\n"
  ");\n"

  "CREATE TABLE resources (\n"
  SYNC_COLUMNS
  "  kind       TEXT NOT NULL,\n"
  "  title      TEXT NOT NULL,\n"
  "  authors    TEXT,\n"
  "  publisher  TEXT,\n"
  "  year       INTEGER,\n"
  "  isbn       TEXT,\n"
  "  language   TEXT,\n"
  "  themes     INTEGER NOT NULL DEFAULT 0,\n"
  "  audience   TEXT,\n"
  "  location   TEXT,\n"
  "  url        TEXT,\n"
  "  copies     INTEGER CHECK (copies >= 0),\n"
  "  summary    TEXT,\n"
  "  tags       TEXT,\n"
  "  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))\n"
  ");\n"

  "CREATE TABLE activities (\n"
  SYNC_COLUMNS
  "  title_fr     TEXT,\n"
  "  title_nl     TEXT,\n"
  "  title_en     TEXT,\n"
  "  summary      TEXT,\n"
  "  themes       INTEGER NOT NULL DEFAULT 0,\n"
  "  starts_at    TEXT NOT NULL,\n"
  "  starts_unix  INTEGER NOT NULL,\n"
  "  day          TEXT NOT NULL,\n"
  "  duration_min INTEGER CHECK (duration_min >= 0),\n"
  "  mode         TEXT NOT NULL,\n"
  "  platform     TEXT,\n"
  "  link         TEXT,\n"
  "  place        TEXT,\n"
  "  languages    TEXT,\n"
  "  audience     TEXT,\n"
  "  programmes   INTEGER NOT NULL DEFAULT 0,\n"
  "  capacity     INTEGER CHECK (capacity >= 0),\n"
  "  status       TEXT NOT NULL\n"
  ");\n"
  "CREATE INDEX activities_day ON activities (day, status, deleted, mode, programmes, id);\n"

  "CREATE TABLE activity_organisers (\n"
  "  activity     TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,\n"
  "  organisation TEXT NOT NULL REFERENCES organisations (id),\n"
  "  position     INTEGER NOT NULL,\n"
  "  PRIMARY KEY (activity, organisation)\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX activity_organisers_organisation ON activity_organisers (organisation);\n"

  "CREATE TABLE attendance (\n"
  SYNC_COLUMNS
  "  activity    TEXT NOT NULL REFERENCES activities (id),\n"
  "  count       INTEGER NOT NULL CHECK (count >= 0),\n"
  "  recorded_at TEXT NOT NULL,\n"
  "  desk        TEXT\n"
  ");\n"
  "CREATE INDEX attendance_activity ON attendance (activity, deleted, count);\n"

  "CREATE TABLE contacts (\n"
  SYNC_COLUMNS
  "  occurred_at   TEXT NOT NULL,\n"
  "  occurred_unix INTEGER NOT NULL,\n"
  "  day           TEXT NOT NULL,\n"
  "  site          TEXT NOT NULL,\n"
  "  service       TEXT NOT NULL,\n"
  "  channel       TEXT NOT NULL,\n"
  "  programmes    INTEGER NOT NULL DEFAULT 0,\n"
  "  themes        INTEGER NOT NULL DEFAULT 0,\n"
  PROFILE_COLUMNS
  "  duration_min  INTEGER CHECK (duration_min >= 0),\n"
  "  received_at   TEXT,\n"
  "  received_unix INTEGER,\n"
  "  received_day  TEXT,\n"
  "  answered_at   TEXT,\n"
  "  answered_unix INTEGER,\n"
  "  note          TEXT,\n"
  "  desk          TEXT,\n"
  "  user          TEXT,\n"
  "  organisation  TEXT\n"
  ");\n"
  /* The figures scan a year of contacts through this covering index. */
  "CREATE INDEX contacts_day ON contacts (day, deleted, service, channel, programmes);\n"
  "CREATE INDEX contacts_received ON contacts (received_day) WHERE received_day IS NOT NULL;\n"
  "CREATE INDEX contacts_unix ON contacts (occurred_unix);\n"

  "CREATE TABLE contact_referrals (\n"
  "  contact      TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,\n"
  "  organisation TEXT NOT NULL REFERENCES organisations (id),\n"
  "  position     INTEGER NOT NULL,\n"
  "  PRIMARY KEY (contact, organisation)\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX contact_referrals_organisation ON contact_referrals (organisation);\n"

  "CREATE TABLE contact_resources (\n"
  "  contact  TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,\n"
  "  resource TEXT NOT NULL REFERENCES resources (id),\n"
  "  position INTEGER NOT NULL,\n"
  "  PRIMARY KEY (contact, resource)\n"
  ") WITHOUT ROWID;\n"
  "CREATE INDEX contact_resources_resource ON contact_resources (resource);\n"

  "CREATE TABLE multimedia_tallies (\n"
  SYNC_COLUMNS
  "  day   TEXT NOT NULL,\n"
  "  kind  TEXT NOT NULL,\n"
  "  count INTEGER NOT NULL CHECK (count >= 0),\n"
  "  desk  TEXT\n"
  ");\n"
  "CREATE INDEX multimedia_tallies_day ON multimedia_tallies (day, deleted, count);\n"

  "CREATE TABLE closures (\n"
  SYNC_COLUMNS
  "  from_day TEXT NOT NULL,\n"
  "  to_day   TEXT NOT NULL CHECK (to_day >= from_day),\n"
  "  scope    TEXT NOT NULL,\n"
  "  reason   TEXT\n"
  ");\n"

  "CREATE TABLE satisfaction (\n"
  SYNC_COLUMNS
  "  answered_on TEXT NOT NULL,\n"
  "  score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),\n"
  "  recommend   INTEGER CHECK (recommend IN (0, 1)),\n"
  "  found       INTEGER CHECK (found IN (0, 1)),\n"
  "  frequency   TEXT,\n"
  PROFILE_COLUMNS
  "  desk        TEXT\n"
  ");\n"
  "CREATE INDEX satisfaction_day ON satisfaction (answered_on);\n"

  "CREATE TABLE users (\n"
  SYNC_COLUMNS
  "  login        TEXT NOT NULL,\n"
  "  display_name TEXT,\n"
  "  organisation TEXT REFERENCES organisations (id),\n"
  "  role         TEXT NOT NULL\n"
  ");\n"
  "CREATE UNIQUE INDEX users_login ON users (login) WHERE deleted = 0;\n"

  "CREATE TABLE desks (\n"
  SYNC_COLUMNS
  "  name TEXT NOT NULL,\n"
  "  site TEXT NOT NULL\n"
  ");\n"

  /* The contact figures of each local day, kept by the triggers below so
   * that the yearly report reads a few thousand rows instead of every
   * contact of the year (cdm-report.c; the tests check it against a count
   * of the contacts themselves).  n is the number of live contacts
   * (deleted = 0) with that key on that day; a row whose count falls to
   * zero is removed. */
  "CREATE TABLE contact_stats (\n"
  "  day TEXT NOT NULL,\n"
  "  key TEXT NOT NULL,\n"
  "  n   INTEGER NOT NULL,\n"
  "  PRIMARY KEY (day, key)\n"
  ") WITHOUT ROWID;\n"
  CONTACT_STATS_TRIGGERS

  /* Local changes waiting to be pushed, oldest first (DESIGN.md section 5).
   * An entry is immutable once queued; 'parked' entries were refused by the
   * server and wait for a person, with the server's reason. */
  "CREATE TABLE outbox (\n"
  "  seq          INTEGER PRIMARY KEY AUTOINCREMENT,\n"
  "  key          TEXT NOT NULL UNIQUE,\n"
  "  entity       TEXT NOT NULL,\n"
  "  record       TEXT NOT NULL,\n"
  "  op           TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),\n"
  "  base_version INTEGER NOT NULL,\n"
  "  fields       TEXT NOT NULL,\n"
  "  old          TEXT,\n"
  "  queued_at    TEXT NOT NULL,\n"
  "  state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'parked')),\n"
  "  reason       TEXT\n"
  ");\n"
  "CREATE INDEX outbox_record ON outbox (entity, record);\n"

  /* Where the desk is in the server's change feed. */
  "CREATE TABLE sync_state (\n"
  "  key   TEXT PRIMARY KEY NOT NULL,\n"
  "  value TEXT\n"
  ");\n"

  /* Same-field collisions kept for a person to resolve. */
  "CREATE TABLE conflicts (\n"
  "  id          TEXT PRIMARY KEY NOT NULL,\n"
  "  entity      TEXT NOT NULL,\n"
  "  record      TEXT NOT NULL,\n"
  "  field       TEXT NOT NULL,\n"
  "  kept_value  TEXT,\n"
  "  other_value TEXT,\n"
  "  created_at  TEXT NOT NULL,\n"
  "  resolved_at TEXT\n"
  ");\n";

/* The keys of contact_stats, per organisation: the contacts that an
 * organisation's counsellors logged (contacts.organisation), so that an
 * organisation's figures read a year of these instead of scanning every
 * contact (cdm-report.c; the tests check them against a count of the
 * contacts themselves).  The same keys and rules as CONTACT_STATS_ROWS,
 * under the contact's organisation; contacts with none are not kept. */
#define CONTACT_ORG_STATS_TRIGGERS \
  "CREATE TRIGGER contacts_org_stats_insert AFTER INSERT ON contacts\n" \
  "WHEN new.deleted = 0 AND new.organisation IS NOT NULL BEGIN\n" \
  "  INSERT INTO contact_org_stats (organisation, day, key, n)\n" \
  "  SELECT new.organisation, day, key, n FROM (\n" CONTACT_STATS_ROWS ("new", "1") ") WHERE true\n" \
  "  ON CONFLICT (organisation, day, key) DO UPDATE SET n = n + 1;\n" \
  "END;\n" \
  "CREATE TRIGGER contacts_org_stats_delete AFTER DELETE ON contacts\n" \
  "WHEN old.deleted = 0 AND old.organisation IS NOT NULL BEGIN\n" \
  "  INSERT INTO contact_org_stats (organisation, day, key, n)\n" \
  "  SELECT old.organisation, day, key, n FROM (\n" CONTACT_STATS_ROWS ("old", "-1") ") WHERE true\n" \
  "  ON CONFLICT (organisation, day, key) DO UPDATE SET n = n - 1;\n" \
  "  DELETE FROM contact_org_stats\n" \
  "    WHERE organisation = old.organisation AND day IN (old.day, old.received_day) AND n = 0;\n" \
  "END;\n" \
  "CREATE TRIGGER contacts_org_stats_update AFTER UPDATE OF organisation, " CONTACT_STATS_COLUMNS " ON contacts\n" \
  "WHEN (old.organisation IS NOT NULL OR new.organisation IS NOT NULL) AND (" \
  CHANGED ("organisation") " OR " \
  CHANGED ("deleted") " OR " CHANGED ("day") " OR " CHANGED ("service") " OR " \
  CHANGED ("channel") " OR " CHANGED ("programmes") " OR " CHANGED ("p_gender") " OR " \
  CHANGED ("p_age_band") " OR " CHANGED ("p_region") " OR " CHANGED ("p_status") " OR " \
  CHANGED ("p_education") " OR " CHANGED ("p_foreign_diploma") " OR " \
  CHANGED ("p_language") " OR " CHANGED ("p_first_visit") " OR " CHANGED ("p_heard_from") " OR " \
  CHANGED ("received_day") " OR " CHANGED ("received_unix") " OR " CHANGED ("answered_unix") ")\n" \
  "BEGIN\n" \
  "  INSERT INTO contact_org_stats (organisation, day, key, n)\n" \
  "  SELECT organisation, day, key, sum (n) FROM (\n" \
  "    SELECT old.organisation AS organisation, * FROM (" CONTACT_STATS_ROWS ("old", "-1") ")\n" \
  "      WHERE old.deleted = 0 AND old.organisation IS NOT NULL\n" \
  "    UNION ALL\n" \
  "    SELECT new.organisation, * FROM (" CONTACT_STATS_ROWS ("new", "1") ")\n" \
  "      WHERE new.deleted = 0 AND new.organisation IS NOT NULL)\n" \
  "  GROUP BY organisation, day, key HAVING sum (n) <> 0\n" \
  "  ON CONFLICT (organisation, day, key) DO UPDATE SET n = n + excluded.n;\n" \
  "  DELETE FROM contact_org_stats\n" \
  "    WHERE organisation IN (old.organisation, new.organisation)\n" \
  "      AND day IN (old.day, old.received_day) AND n = 0;\n" \
  "END;\n"

#define CONTACT_ORG_STATS_PROFILE_ROWS(item) \
  "  UNION ALL SELECT organisation, day, '" item ":' || ifnull (p_" item ", '') FROM live\n"

/* contact_org_stats, and its rows for the contacts already stored. */
static const char migration_2[] =
  "CREATE TABLE contact_org_stats (\n"
  "  organisation TEXT NOT NULL,\n"
  "  day          TEXT NOT NULL,\n"
  "  key          TEXT NOT NULL,\n"
  "  n            INTEGER NOT NULL,\n"
  "  PRIMARY KEY (organisation, day, key)\n"
  ") WITHOUT ROWID;\n"
  "INSERT INTO contact_org_stats (organisation, day, key, n)\n"
  "WITH live AS (SELECT * FROM contacts WHERE deleted = 0 AND organisation IS NOT NULL)\n"
  "SELECT organisation, day, key, count (*) FROM (\n"
  "  SELECT organisation, day, 'channel:' || service || ':' || channel AS key FROM live\n"
  "  UNION ALL SELECT organisation, day, 'programmes:' || programmes FROM live WHERE programmes <> 0\n"
  CONTACT_ORG_STATS_PROFILE_ROWS ("gender")
  CONTACT_ORG_STATS_PROFILE_ROWS ("age_band")
  CONTACT_ORG_STATS_PROFILE_ROWS ("region")
  CONTACT_ORG_STATS_PROFILE_ROWS ("status")
  CONTACT_ORG_STATS_PROFILE_ROWS ("education")
  CONTACT_ORG_STATS_PROFILE_ROWS ("foreign_diploma")
  CONTACT_ORG_STATS_PROFILE_ROWS ("language")
  CONTACT_ORG_STATS_PROFILE_ROWS ("first_visit")
  CONTACT_ORG_STATS_PROFILE_ROWS ("heard_from")
  "  UNION ALL SELECT organisation, received_day,\n"
  "    CASE WHEN answered_unix IS NULL THEN 'remote:unanswered'\n"
  "         WHEN answered_unix - ifnull (received_unix, 0) <= 172800 THEN 'remote:within_48h'\n"
  "         ELSE 'remote:answered_late' END\n"
  "    FROM live WHERE received_day IS NOT NULL)\n"
  "GROUP BY 1, 2, 3;\n"
  CONTACT_ORG_STATS_TRIGGERS;

const char * const _cdm_store_migrations[] = {
  migration_1,
  migration_2,
};

const guint _cdm_store_n_migrations = G_N_ELEMENTS (_cdm_store_migrations);
