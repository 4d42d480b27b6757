/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-retention.h: `cdm-server serve` forgets the change log and
 * the applied-operation keys past the retention window by itself, at
 * start and then every hour (docs/server.md, "Retention").
 *
 * Threads: the timer lives in the thread-default main context of the
 * caller (the server's main loop); each pruning runs in a thread of its
 * own with its own database connection, so the main loop never waits on
 * PostgreSQL.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How often the window is applied: every hour, or every window when the
 * window is shorter (tests), never less than a second apart. */
#define CDM_SERVER_RETENTION_INTERVAL 3600

typedef struct _CdmServerRetention CdmServerRetention;

/* Starts pruning what is older than @window seconds through @conninfo:
 * the first pruning is queued at once.  @window 0: never prune (NULL is
 * returned and that is logged). */
CdmServerRetention *cdm_server_retention_start (const char         *conninfo,
                                                gint64              window);
/* Removes the timer and waits for a pruning in flight to end.  NULL is
 * fine. */
void                cdm_server_retention_stop  (CdmServerRetention *retention);

G_END_DECLS
