/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-retention.c: the retention window applied by the server
 * itself (cdm-server-retention.h).
 *
 * A timeout in the main loop only starts a thread; the thread opens (or
 * reuses) a connection of its own and runs the very pruning `cdm-server
 * prune` runs (cdm_server_sync_prune()), so the horizon and the 410
 * "rebootstrap" answer behave the same whichever pruned.  One pruning at
 * a time: a tick that finds the previous one still running skips.
 */

#include "config.h"

#include "cdm-server-core.h"
#include "cdm-server-records.h"
#include "cdm-server-retention.h"

struct _CdmServerRetention {
  char    *conninfo;
  gint64   window;      /* seconds */
  guint    interval;    /* seconds between prunings */
  guint    timeout_id;
  GThread *thread;      /* the pruning started last, until joined */
  gint     running;     /* atomic: 1 while that thread works */
  PGconn  *db;          /* used by the pruning thread only */
};

static gpointer
prune_thread (gpointer data)
{
  CdmServerRetention *retention = data;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 horizon = 0;

  if (retention->db != NULL && PQstatus (retention->db) != CONNECTION_OK)
    g_clear_pointer (&retention->db, PQfinish);
  if (retention->db == NULL)
    retention->db = cdm_server_connect (retention->conninfo, &error);

  if (retention->db == NULL || !cdm_server_sync_prune (retention->db, retention->window, &horizon, &error))
    /* Not fatal: the next tick tries again, and serving goes on. */
    g_message ("prune failed window_s=%" G_GINT64_FORMAT " error=\"%s\"",
               retention->window, error->message);
  else
    g_message ("prune window_s=%" G_GINT64_FORMAT " horizon=%" G_GINT64_FORMAT " ms=%.1f",
               retention->window, horizon, (g_get_monotonic_time () - start) / 1000.0);

  g_atomic_int_set (&retention->running, 0);
  return NULL;
}

static gboolean
on_tick (gpointer data)
{
  CdmServerRetention *retention = data;

  if (retention->thread != NULL)
    {
      if (g_atomic_int_get (&retention->running))
        {
          g_message ("prune skipped: the previous pruning is still running");
          return G_SOURCE_CONTINUE;
        }
      /* It has returned: joining does not wait. */
      g_thread_join (g_steal_pointer (&retention->thread));
    }

  g_atomic_int_set (&retention->running, 1);
  retention->thread = g_thread_new ("cdm-prune", prune_thread, retention);
  return G_SOURCE_CONTINUE;
}

CdmServerRetention *
cdm_server_retention_start (const char *conninfo,
                            gint64      window)
{
  CdmServerRetention *retention;

  g_return_val_if_fail (window >= 0, NULL);

  if (window == 0)
    {
      g_message ("retention off: the change log is kept until “cdm-server prune”");
      return NULL;
    }

  retention = g_new0 (CdmServerRetention, 1);
  retention->conninfo = g_strdup (conninfo != NULL ? conninfo : "");
  retention->window = window;
  retention->interval = (guint) CLAMP (window, 1, CDM_SERVER_RETENTION_INTERVAL);
  g_message ("retention window_s=%" G_GINT64_FORMAT " every_s=%u", window, retention->interval);

  on_tick (retention);
  retention->timeout_id = g_timeout_add_seconds (retention->interval, on_tick, retention);
  return retention;
}

void
cdm_server_retention_stop (CdmServerRetention *retention)
{
  if (retention == NULL)
    return;

  g_clear_handle_id (&retention->timeout_id, g_source_remove);
  /* A pruning is one short transaction under the connection's statement
   * timeout: waiting for it keeps the shutdown clean. */
  if (retention->thread != NULL)
    g_thread_join (g_steal_pointer (&retention->thread));
  g_clear_pointer (&retention->db, PQfinish);
  g_free (retention->conninfo);
  g_free (retention);
}
