/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-tally.c: the multimedia counter's figures of one day.
 *
 * One indexed query (multimedia_tallies_day covers day, deleted, count),
 * so it stays instant however many tallies a day has.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cdm-store-private.h"
#include "cdm-tally.h"

static const char day_sql[] =
  "SELECT kind, sum (count) FROM multimedia_tallies "
  "WHERE day = ?1 AND deleted = 0 GROUP BY kind";

/* "YYYY-MM-DD" naming a real date. */
static gboolean
is_day (const char *day)
{
  g_autoptr(GDateTime) date = NULL;
  int y, m, d;

  if (strlen (day) != 10 || day[4] != '-' || day[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    {
      if (i != 4 && i != 7 && !g_ascii_isdigit (day[i]))
        return FALSE;
    }
  y = (int) g_ascii_strtoll (day, NULL, 10);
  m = (int) g_ascii_strtoll (day + 5, NULL, 10);
  d = (int) g_ascii_strtoll (day + 8, NULL, 10);
  date = g_date_time_new_utc (y, m, d, 0, 0, 0);
  return date != NULL;
}

gboolean
cdm_tally_count_day (CdmStore        *store,
                     const char      *day,
                     CdmTallyCounts  *out_counts,
                     GError         **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (day != NULL, FALSE);
  g_return_val_if_fail (out_counts != NULL, FALSE);
  G_STATIC_ASSERT (CDM_N_TALLY_KINDS == 6);

  memset (out_counts, 0, sizeof *out_counts);
  if (!is_day (day))
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
                   _("“%s” is not a day (YYYY-MM-DD)"), day);
      return FALSE;
    }

  _cdm_store_lock (store);
  stmt = _cdm_store_prepare (store, day_sql, error);
  if (stmt == NULL)
    {
      _cdm_store_unlock (store);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, day, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *kind = (const char *) sqlite3_column_text (stmt, 0);
      gint64 count = sqlite3_column_int64 (stmt, 1);
      int index = kind != NULL ? cdm_code_index (cdm_tally_kinds, kind) : -1;

      /* A kind from a newer vocabulary still counts in the total. */
      if (index >= 0 && index < CDM_N_TALLY_KINDS)
        out_counts->kinds[index] += count;
      out_counts->total += count;
    }
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc,
                            _("Counting the multimedia visits failed"));
      memset (out_counts, 0, sizeof *out_counts);
    }
  sqlite3_reset (stmt);
  _cdm_store_unlock (store);

  return rc == SQLITE_DONE;
}

static void
count_day_thread (GTask        *task,
                  CdmStore     *store,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  g_autofree CdmTallyCounts *counts = g_new0 (CdmTallyCounts, 1);
  GError *error = NULL;

  if (!cdm_tally_count_day (store, task_data, counts, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&counts), g_free);
}

void
cdm_tally_count_day_async (CdmStore            *store,
                           const char          *day,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (day != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _cdm_store_run_in_thread (store, cdm_tally_count_day_async, count_day_thread,
                            g_strdup (day), g_free,
                            cancellable, callback, user_data);
}

CdmTallyCounts *
cdm_tally_count_day_finish (CdmStore      *store,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_tally_count_day_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
