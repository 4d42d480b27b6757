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
  "CREATE INDEX activities_day ON activities (day, status, mode, programmes);\n"

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

const char * const _cdm_store_migrations[] = {
  migration_1,
};

const guint _cdm_store_n_migrations = G_N_ELEMENTS (_cdm_store_migrations);
