/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contact-query.c: the contact log as a filtered list, page by page.
 *
 * Pages are read newest first through contacts_unix: the period becomes a
 * range of occurred_unix (the centre-local days turned into instants in
 * the store's time zone), so that the index both narrows and orders and a
 * page stops after its last row.  The other filters are checked on the
 * rows the index walks.  On 1,000,000 contacts the first page takes a few
 * milliseconds; a page at offset 500,000 found by OFFSET alone takes about
 * 0.3 s, because SQLite must walk every row before it.
 *
 * So the count is a per-day histogram read from the covering index
 * contacts_day (about 0.1 s for a year of a million contacts, when no
 * site or theme is asked for; those need the rows, about 0.5 s).  Given
 * that histogram, a page deep in the list starts at the end of the day
 * that holds its first row and skips only the rows of that day.  Keyset
 * paging would need the previous page, which a list scrolled by its
 * scroll bar does not have.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cdm-contact-query.h"
#include "cdm-store-private.h"

struct _CdmContactCount {
  gatomicrefcount ref_count;
  guint64 total;
  /* Newest day first. */
  GArray *days;   /* of DayCount */
};

typedef struct {
  char day[11];
  guint64 n;
} DayCount;

#define NOTE_CHARS 120

/* The variables: ?1 first day, ?2 last day, ?3 channel, ?4 service,
 * ?5 site, ?6 theme bit, ?7 programme bit; the page adds ?8 and ?9, the
 * instants that bound the period (?9 excluded), ?10 limit and ?11 offset.
 * A NULL variable does not filter.  The count comes in two variants so
 * that, without a site or a theme, it reads the covering index alone. */
#define DAY_RANGE \
  "   AND day >= ifnull (?1, '') AND day <= ifnull (?2, '9999-12-31')"
#define COVERED_FILTERS \
  "   AND (?3 IS NULL OR channel = ?3)" \
  "   AND (?4 IS NULL OR service = ?4)" \
  "   AND (?7 IS NULL OR programmes & ?7 != 0)"
#define ROW_FILTERS \
  "   AND (?5 IS NULL OR site = ?5)" \
  "   AND (?6 IS NULL OR themes & ?6 != 0)"

static const char count_covered_sql[] =
  "SELECT day, count(*) FROM contacts"
  " WHERE deleted = 0"
  DAY_RANGE
  COVERED_FILTERS
  " GROUP BY day ORDER BY day DESC";

static const char count_rows_sql[] =
  "SELECT day, count(*) FROM contacts"
  " WHERE deleted = 0"
  DAY_RANGE
  COVERED_FILTERS
  ROW_FILTERS
  " GROUP BY day ORDER BY day DESC";

static const char page_sql[] =
  "SELECT id, occurred_at, occurred_unix, day, channel, service, site,"
  "       themes, programmes, substr (note, 1, " G_STRINGIFY (NOTE_CHARS) ")"
  "  FROM contacts INDEXED BY contacts_unix"
  " WHERE occurred_unix >= ifnull (?8, -9223372036854775807)"
  "   AND occurred_unix < ifnull (?9, 9223372036854775807)"
  "   AND deleted = 0"
  DAY_RANGE
  COVERED_FILTERS
  ROW_FILTERS
  " ORDER BY occurred_unix DESC, rid DESC"
  " LIMIT ?10 OFFSET ?11";

void
cdm_contact_row_free (CdmContactRow *row)
{
  if (row == NULL)
    return;

  g_free (row->id);
  g_free (row->occurred_at);
  g_free (row->day);
  g_free (row->time);
  g_free (row->channel);
  g_free (row->service);
  g_free (row->site);
  g_strfreev (row->themes);
  g_strfreev (row->programmes);
  g_free (row->note);
  g_free (row);
}

CdmContactCount *
cdm_contact_count_ref (CdmContactCount *count)
{
  g_return_val_if_fail (count != NULL, NULL);

  g_atomic_ref_count_inc (&count->ref_count);
  return count;
}

void
cdm_contact_count_unref (CdmContactCount *count)
{
  g_return_if_fail (count != NULL);

  if (g_atomic_ref_count_dec (&count->ref_count))
    {
      g_array_unref (count->days);
      g_free (count);
    }
}

guint64
cdm_contact_count_get_total (CdmContactCount *count)
{
  g_return_val_if_fail (count != NULL, 0);

  return count->total;
}

static int
code_index (const char * const *codes,
            const char         *code)
{
  for (int i = 0; codes[i] != NULL; i++)
    if (strcmp (codes[i], code) == 0)
      return i;
  return -1;
}

static gboolean
check_code (const char          *what,
            const char * const  *codes,
            const char          *code,
            GError             **error)
{
  if (code == NULL || code_index (codes, code) >= 0)
    return TRUE;

  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE,
               _("Unknown %s “%s” in the contact filter"), what, code);
  return FALSE;
}

static gboolean
check_day (const char  *what,
           const char  *day,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (day == NULL)
    return TRUE;

  if (strlen (day) == 10 && cdm_parse_date (day, &local_error))
    return TRUE;

  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
               _("The %s of the contact filter, “%s”, is not a date (YYYY-MM-DD)"),
               what, day);
  return FALSE;
}

gboolean
cdm_contact_filter_validate (const CdmContactFilter  *filter,
                             GError                 **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (filter == NULL)
    return TRUE;

  return check_day (_("first day"), filter->from_day, error) &&
         check_day (_("last day"), filter->to_day, error) &&
         check_code (_("channel"), cdm_channels, filter->channel, error) &&
         check_code (_("service"), cdm_services, filter->service, error) &&
         check_code (_("theme"), cdm_themes, filter->theme, error) &&
         check_code (_("programme"), cdm_programmes, filter->programme, error) &&
         check_code (_("site"), cdm_sites, filter->site, error);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           param,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, param, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, param);
}

static void
bind_bit_or_null (sqlite3_stmt        *stmt,
                  int                  param,
                  const char * const  *codes,
                  const char          *code)
{
  if (code != NULL)
    sqlite3_bind_int64 (stmt, param, G_GINT64_CONSTANT (1) << code_index (codes, code));
  else
    sqlite3_bind_null (stmt, param);
}

static void
bind_filter (sqlite3_stmt           *stmt,
             const CdmContactFilter *filter)
{
  static const CdmContactFilter none = { 0, };

  if (filter == NULL)
    filter = &none;

  bind_text_or_null (stmt, 1, filter->from_day);
  bind_text_or_null (stmt, 2, filter->to_day);
  bind_text_or_null (stmt, 3, filter->channel);
  bind_text_or_null (stmt, 4, filter->service);
  bind_text_or_null (stmt, 5, filter->site);
  bind_bit_or_null (stmt, 6, cdm_themes, filter->theme);
  bind_bit_or_null (stmt, 7, cdm_programmes, filter->programme);
}

/* The instant at which local @day begins, plus @add_days days. */
static gint64
day_start_unix (GTimeZone  *zone,
                const char *day,
                int         add_days)
{
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) shifted = NULL;
  int y = 0, m = 0, d = 0;

  if (sscanf (day, "%4d-%2d-%2d", &y, &m, &d) != 3)
    return 0;

  start = g_date_time_new (zone, y, m, d, 0, 0, 0);
  if (start == NULL)
    return 0;
  shifted = g_date_time_add_days (start, add_days);
  return g_date_time_to_unix (shifted);
}

CdmContactCount *
cdm_contact_query_count (CdmStore                *store,
                         const CdmContactFilter  *filter,
                         GCancellable            *cancellable,
                         GError                 **error)
{
  g_autoptr(CdmContactCount) count = NULL;
  sqlite3_stmt *stmt;
  gboolean rows;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!cdm_contact_filter_validate (filter, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  count = g_new0 (CdmContactCount, 1);
  g_atomic_ref_count_init (&count->ref_count);
  count->days = g_array_new (FALSE, FALSE, sizeof (DayCount));

  rows = filter != NULL && (filter->site != NULL || filter->theme != NULL);

  _cdm_store_lock (store);
  _cdm_store_watch_cancellable (store, cancellable);

  stmt = _cdm_store_prepare (store, rows ? count_rows_sql : count_covered_sql, error);
  if (stmt != NULL)
    {
      bind_filter (stmt, filter);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          DayCount dc = { { 0, }, 0 };

          g_strlcpy (dc.day, (const char *) sqlite3_column_text (stmt, 0), sizeof dc.day);
          dc.n = sqlite3_column_int64 (stmt, 1);
          count->total += dc.n;
          g_array_append_val (count->days, dc);
        }
      if (rc != SQLITE_DONE &&
          !g_cancellable_set_error_if_cancelled (cancellable, error))
        _cdm_store_set_error (error, _cdm_store_get_db (store), rc,
                              _("Counting the contacts failed"));
      /* Ends the read transaction now rather than at the next count. */
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        g_clear_pointer (&count, cdm_contact_count_unref);
    }
  else
    {
      g_clear_pointer (&count, cdm_contact_count_unref);
    }

  _cdm_store_unwatch_cancellable (store);
  _cdm_store_unlock (store);

  return g_steal_pointer (&count);
}

static char **
mask_to_strv (const char * const *codes,
              gint64              mask)
{
  GPtrArray *strv = g_ptr_array_new ();

  for (guint i = 0; codes[i] != NULL && i < 63; i++)
    if ((mask & (G_GINT64_CONSTANT (1) << i)) != 0)
      g_ptr_array_add (strv, g_strdup (codes[i]));
  g_ptr_array_add (strv, NULL);

  return (char **) g_ptr_array_free (strv, FALSE);
}

/* The note on one line, for a list row. */
static char *
one_line (const char *text)
{
  char *line;

  if (text == NULL || *text == '\0')
    return NULL;

  line = g_utf8_make_valid (text, -1);
  for (char *p = line; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  return g_strstrip (line);
}

GPtrArray *
cdm_contact_query_fetch (CdmStore                *store,
                         const CdmContactFilter  *filter,
                         CdmContactCount         *count,
                         guint64                  offset,
                         guint                    limit,
                         GCancellable            *cancellable,
                         GError                 **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autofree char *seek_day = NULL;
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!cdm_contact_filter_validate (filter, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) cdm_contact_row_free);
  if (limit == 0)
    return g_steal_pointer (&rows);

  zone = cdm_store_get_time_zone (store);

  /* Start from the day that holds row @offset: the rows of later days
   * are not walked at all. */
  if (count != NULL)
    {
      guint64 before = 0;

      for (guint i = 0; i < count->days->len; i++)
        {
          const DayCount *dc = &g_array_index (count->days, DayCount, i);

          if (before + dc->n > offset)
            {
              seek_day = g_strdup (dc->day);
              offset -= before;
              break;
            }
          before += dc->n;
        }

      if (seek_day == NULL)
        return g_steal_pointer (&rows);
    }

  _cdm_store_lock (store);
  _cdm_store_watch_cancellable (store, cancellable);

  stmt = _cdm_store_prepare (store, page_sql, error);
  if (stmt == NULL)
    ok = FALSE;

  if (ok)
    {
      const char *to_day = seek_day != NULL ? seek_day : (filter != NULL ? filter->to_day : NULL);

      bind_filter (stmt, filter);
      if (filter != NULL && filter->from_day != NULL)
        sqlite3_bind_int64 (stmt, 8, day_start_unix (zone, filter->from_day, 0));
      /* The day seeked to is never later than the filter's last day. */
      if (to_day != NULL)
        sqlite3_bind_int64 (stmt, 9, day_start_unix (zone, to_day, 1));
      sqlite3_bind_int64 (stmt, 10, limit);
      sqlite3_bind_int64 (stmt, 11, (gint64) MIN (offset, (guint64) G_MAXINT64));

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          CdmContactRow *row = g_new0 (CdmContactRow, 1);
          g_autoptr(GDateTime) utc = NULL;
          g_autoptr(GDateTime) local = NULL;

          row->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          row->occurred_at = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          utc = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, 2));
          local = utc != NULL ? g_date_time_to_timezone (utc, zone) : NULL;
          row->time = local != NULL ? g_date_time_format (local, "%H:%M") : g_strdup ("");
          row->day = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
          row->channel = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
          row->service = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
          row->site = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
          row->themes = mask_to_strv (cdm_themes, sqlite3_column_int64 (stmt, 7));
          row->programmes = mask_to_strv (cdm_programmes, sqlite3_column_int64 (stmt, 8));
          row->note = one_line ((const char *) sqlite3_column_text (stmt, 9));
          g_ptr_array_add (rows, row);
        }

      if (rc != SQLITE_DONE)
        {
          if (!g_cancellable_set_error_if_cancelled (cancellable, error))
            _cdm_store_set_error (error, _cdm_store_get_db (store), rc,
                                  _("Listing the contacts failed"));
          ok = FALSE;
        }
      sqlite3_reset (stmt);
    }

  _cdm_store_unwatch_cancellable (store);
  _cdm_store_unlock (store);

  if (!ok)
    return NULL;

  return g_steal_pointer (&rows);
}

/* The async variants: the worker gets its own copy of the filter. */

typedef struct {
  CdmContactFilter filter;
  CdmContactCount *count;
  guint64 offset;
  guint limit;
} QueryData;

static void
query_data_free (gpointer data)
{
  QueryData *qd = data;

  g_free ((char *) qd->filter.from_day);
  g_free ((char *) qd->filter.to_day);
  g_free ((char *) qd->filter.channel);
  g_free ((char *) qd->filter.service);
  g_free ((char *) qd->filter.theme);
  g_free ((char *) qd->filter.programme);
  g_free ((char *) qd->filter.site);
  g_clear_pointer (&qd->count, cdm_contact_count_unref);
  g_free (qd);
}

static QueryData *
query_data_new (const CdmContactFilter *filter)
{
  QueryData *qd = g_new0 (QueryData, 1);

  if (filter != NULL)
    {
      qd->filter.from_day = g_strdup (filter->from_day);
      qd->filter.to_day = g_strdup (filter->to_day);
      qd->filter.channel = g_strdup (filter->channel);
      qd->filter.service = g_strdup (filter->service);
      qd->filter.theme = g_strdup (filter->theme);
      qd->filter.programme = g_strdup (filter->programme);
      qd->filter.site = g_strdup (filter->site);
    }

  return qd;
}

static void
count_thread (GTask        *task,
              CdmStore     *store,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryData *qd = task_data;
  GError *error = NULL;
  CdmContactCount *count;

  count = cdm_contact_query_count (store, &qd->filter, cancellable, &error);
  if (count == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, count, (GDestroyNotify) cdm_contact_count_unref);
}

void
cdm_contact_query_count_async (CdmStore                *store,
                               const CdmContactFilter  *filter,
                               GCancellable            *cancellable,
                               GAsyncReadyCallback      callback,
                               gpointer                 user_data)
{
  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _cdm_store_run_in_thread (store, cdm_contact_query_count_async, count_thread,
                            query_data_new (filter), query_data_free,
                            cancellable, callback, user_data);
}

CdmContactCount *
cdm_contact_query_count_finish (CdmStore      *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_contact_query_count_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
fetch_thread (GTask        *task,
              CdmStore     *store,
              gpointer      task_data,
              GCancellable *cancellable)
{
  QueryData *qd = task_data;
  GError *error = NULL;
  GPtrArray *rows;

  rows = cdm_contact_query_fetch (store, &qd->filter, qd->count, qd->offset,
                                  qd->limit, cancellable, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify) g_ptr_array_unref);
}

void
cdm_contact_query_fetch_async (CdmStore                *store,
                               const CdmContactFilter  *filter,
                               CdmContactCount         *count,
                               guint64                  offset,
                               guint                    limit,
                               GCancellable            *cancellable,
                               GAsyncReadyCallback      callback,
                               gpointer                 user_data)
{
  QueryData *qd;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  qd = query_data_new (filter);
  qd->count = count != NULL ? cdm_contact_count_ref (count) : NULL;
  qd->offset = offset;
  qd->limit = limit;

  _cdm_store_run_in_thread (store, cdm_contact_query_fetch_async, fetch_thread,
                            qd, query_data_free,
                            cancellable, callback, user_data);
}

GPtrArray *
cdm_contact_query_fetch_finish (CdmStore      *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_contact_query_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
