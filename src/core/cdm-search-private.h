/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>
#include <glib.h>

#include "cdm-store.h"

G_BEGIN_DECLS

/* Registers the SQL functions the search triggers use; called on every
 * connection right after it opens, before migrations. */
gboolean _cdm_search_register_functions (sqlite3 *db, GError **error);

/* The DDL of the full-text tables and their triggers, run by migration 1. */
extern const char _cdm_search_schema_sql[];

/* Empties the full-text tables and indexes every live record again, then
 * merges the index into one segment.  For after a bulk load that ran with
 * the triggers' cost in mind, or after a VACUUM, which may renumber the
 * rowids the index refers to.  Runs in the caller's transaction if any. */
gboolean _cdm_search_rebuild (CdmStore *store, GError **error);

G_END_DECLS
