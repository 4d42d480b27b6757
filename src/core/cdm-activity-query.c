/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-activity-query.c: the activities of a week, headcounts and status.
 *
 * The range is read through the index activities_day (day first), so a
 * week costs a few dozen rows whatever the size of the store.  The sum of
 * headcounts is a correlated subquery on attendance_activity, which covers
 * (activity, deleted, count).  Organisers are read afterwards, one short
 * indexed lookup per activity, so that names keep the activity's order
 * (the aggregate functions of SQLite do not promise one).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cdm-activity-query.h"
#include "cdm-store-private.h"

static const char range_sql[] =
  "SELECT a.id, a.title_fr, a.title_nl, a.title_en, a.starts_at, a.starts_unix,"
  "       a.day, a.duration_min, a.mode, a.platform, a.link, a.place,"
  "       a.summary, a.audience, a.status, a.capacity, a.programmes, a.languages,"
  "       (SELECT ifnull (sum (t.count), 0) FROM attendance AS t"
  "         WHERE t.activity = a.id AND t.deleted = 0)"
  "  FROM activities AS a INDEXED BY activities_day"
  " WHERE a.day BETWEEN ?1 AND ?2 AND a.deleted = 0"
  " ORDER BY a.starts_unix, a.id";

/* ?2 picks the language; the others and the acronym are the fallback. */
static const char organisers_sql[] =
  "SELECT coalesce (nullif (CASE ?2 WHEN 'nl' THEN o.name_nl"
  "                                 WHEN 'en' THEN o.name_en"
  "                                 ELSE o.name_fr END, ''),"
  "                 nullif (o.name_fr, ''), nullif (o.name_nl, ''),"
  "                 nullif (o.name_en, ''), o.acronym, '')"
  "  FROM activity_organisers AS ao JOIN organisations AS o ON o.id = ao.organisation"
  " WHERE ao.activity = ?1"
  " ORDER BY ao.position";

void
cdm_activity_summary_free (CdmActivitySummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->id);
  g_free (summary->title_fr);
  g_free (summary->title_nl);
  g_free (summary->title_en);
  g_free (summary->starts_at);
  g_free (summary->day);
  g_free (summary->mode);
  g_free (summary->platform);
  g_free (summary->link);
  g_free (summary->place);
  g_free (summary->summary);
  g_free (summary->audience);
  g_free (summary->status);
  g_strfreev (summary->organisers);
  g_strfreev (summary->programmes);
  g_strfreev (summary->languages);
  g_free (summary);
}

static gboolean
has_text (const char *text)
{
  return text != NULL && text[0] != '\0';
}

const char *
cdm_activity_summary_get_title (const CdmActivitySummary *summary,
                                const char               *language)
{
  const char *preferred;

  g_return_val_if_fail (summary != NULL, "");

  if (g_strcmp0 (language, "nl") == 0)
    preferred = summary->title_nl;
  else if (g_strcmp0 (language, "en") == 0)
    preferred = summary->title_en;
  else
    preferred = summary->title_fr;

  if (has_text (preferred))
    return preferred;
  if (has_text (summary->title_fr))
    return summary->title_fr;
  if (has_text (summary->title_nl))
    return summary->title_nl;
  if (has_text (summary->title_en))
    return summary->title_en;
  return "";
}

static char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static int
column_int_or (sqlite3_stmt *stmt,
               int           column,
               int           unknown)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return unknown;
  return sqlite3_column_int (stmt, column);
}

/* The codes of a bit mask, as a NULL-terminated vector. */
static GStrv
mask_to_strv (const char * const *codes,
              gint64              mask)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; codes[i] != NULL && i < 63; i++)
    if (mask & (G_GINT64_CONSTANT (1) << i))
      g_strv_builder_add (builder, codes[i]);

  return g_strv_builder_end (builder);
}

/* The strings of a JSON array held as text; an empty vector for NULL or
 * anything else (the store validates what it writes). */
static GStrv
json_text_to_strv (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (text != NULL)
    {
      parser = json_parser_new ();
      if (json_parser_load_from_data (parser, text, -1, NULL) &&
          (root = json_parser_get_root (parser)) != NULL &&
          JSON_NODE_HOLDS_ARRAY (root))
        {
          JsonArray *array = json_node_get_array (root);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *node = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_VALUE (node) &&
                  json_node_get_value_type (node) == G_TYPE_STRING)
                g_strv_builder_add (builder, json_node_get_string (node));
            }
        }
    }

  return g_strv_builder_end (builder);
}

static gboolean
check_day (const char  *day,
           GError     **error)
{
  if (day == NULL || strlen (day) != 10 || !cdm_parse_date (day, NULL))
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
                   _("“%s” is not a date (YYYY-MM-DD)"), day != NULL ? day : "");
      return FALSE;
    }
  return TRUE;
}

/* Called with the store locked. */
static gboolean
read_organisers (CdmStore            *store,
                 CdmActivitySummary  *summary,
                 const char          *language,
                 GError             **error)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  int rc;

  stmt = _cdm_store_prepare (store, organisers_sql, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, summary->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, language, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (names, (const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, _cdm_store_get_db (store), rc,
                            _("Reading the activities failed"));
      return FALSE;
    }

  summary->organisers = g_strv_builder_end (names);
  return TRUE;
}

GPtrArray *
cdm_activity_query_days (CdmStore      *store,
                         const char    *first_day,
                         const char    *last_day,
                         const char    *language,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GPtrArray) activities = NULL;
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_day (first_day, error) || !check_day (last_day, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (language == NULL)
    language = "fr";

  activities = g_ptr_array_new_with_free_func ((GDestroyNotify) cdm_activity_summary_free);

  _cdm_store_lock (store);
  _cdm_store_watch_cancellable (store, cancellable);

  stmt = _cdm_store_prepare (store, range_sql, error);
  if (stmt == NULL)
    {
      ok = FALSE;
      goto out;
    }

  sqlite3_bind_text (stmt, 1, first_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last_day, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CdmActivitySummary *s = g_new0 (CdmActivitySummary, 1);

      s->id = column_text (stmt, 0);
      s->title_fr = column_text (stmt, 1);
      s->title_nl = column_text (stmt, 2);
      s->title_en = column_text (stmt, 3);
      s->starts_at = column_text (stmt, 4);
      s->starts_unix = sqlite3_column_int64 (stmt, 5);
      s->day = column_text (stmt, 6);
      s->duration_min = column_int_or (stmt, 7, -1);
      s->mode = column_text (stmt, 8);
      s->platform = column_text (stmt, 9);
      s->link = column_text (stmt, 10);
      s->place = column_text (stmt, 11);
      s->summary = column_text (stmt, 12);
      s->audience = column_text (stmt, 13);
      s->status = column_text (stmt, 14);
      s->capacity = column_int_or (stmt, 15, -1);
      s->programmes = mask_to_strv (cdm_programmes, sqlite3_column_int64 (stmt, 16));
      s->languages = json_text_to_strv ((const char *) sqlite3_column_text (stmt, 17));
      s->attendance = sqlite3_column_int64 (stmt, 18);
      g_ptr_array_add (activities, s);
    }
  /* Ends the read now, not at the next query. */
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        _cdm_store_set_error (error, _cdm_store_get_db (store), rc,
                              _("Reading the activities failed"));
      ok = FALSE;
      goto out;
    }

  for (guint i = 0; ok && i < activities->len; i++)
    ok = read_organisers (store, activities->pdata[i], language, error);

out:
  _cdm_store_unwatch_cancellable (store);
  _cdm_store_unlock (store);

  if (!ok)
    return NULL;
  return g_steal_pointer (&activities);
}

typedef struct {
  char *first_day;
  char *last_day;
  char *language;
  char *activity_id;
  char *status;
  gint64 count;
} QueryData;

static void
query_data_free (gpointer data)
{
  QueryData *qd = data;

  g_free (qd->first_day);
  g_free (qd->last_day);
  g_free (qd->language);
  g_free (qd->activity_id);
  g_free (qd->status);
  g_free (qd);
}

static void
query_days_thread (GTask        *task,
                   CdmStore     *store,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  QueryData *qd = task_data;
  GError *error = NULL;
  GPtrArray *activities;

  activities = cdm_activity_query_days (store, qd->first_day, qd->last_day, qd->language,
                                        cancellable, &error);
  if (activities == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, activities, (GDestroyNotify) g_ptr_array_unref);
}

void
cdm_activity_query_days_async (CdmStore            *store,
                               const char          *first_day,
                               const char          *last_day,
                               const char          *language,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  QueryData *qd;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  qd = g_new0 (QueryData, 1);
  qd->first_day = g_strdup (first_day);
  qd->last_day = g_strdup (last_day);
  qd->language = g_strdup (language);

  _cdm_store_run_in_thread (store, cdm_activity_query_days_async, query_days_thread,
                            qd, query_data_free, cancellable, callback, user_data);
}

GPtrArray *
cdm_activity_query_days_finish (CdmStore      *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_activity_query_days_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
cdm_activity_week_start (const char *day)
{
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) monday = NULL;
  int year, month, mday;

  if (day == NULL || strlen (day) != 10 || !cdm_parse_date (day, NULL) ||
      sscanf (day, "%d-%d-%d", &year, &month, &mday) != 3)
    return NULL;

  /* Calendar arithmetic only: a day has no time zone. */
  date = g_date_time_new_utc (year, month, mday, 12, 0, 0);
  if (date == NULL)
    return NULL;
  monday = g_date_time_add_days (date, 1 - g_date_time_get_day_of_week (date));
  return g_date_time_format (monday, "%Y-%m-%d");
}

char *
cdm_activity_record_attendance (CdmStore      *store,
                                const char    *activity_id,
                                gint64         count,
                                GError       **error)
{
  g_autoptr(JsonObject) activity = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *recorded_at = NULL;
  char *id = NULL;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (activity_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!cdm_store_begin (store, FALSE, error))
    return NULL;

  /* The store accepts a headcount on a tombstone (sync may bring one);
   * a person recording one on a deleted activity is told so instead. */
  activity = cdm_store_get (store, CDM_ENTITY_ACTIVITY, activity_id, FALSE, error);
  if (activity == NULL)
    goto fail;

  zone = cdm_store_get_time_zone (store);
  now = g_date_time_new_now (zone);
  recorded_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z");

  record = json_object_new ();
  json_object_set_string_member (record, "activity", activity_id);
  json_object_set_int_member (record, "count", count);
  json_object_set_string_member (record, "recorded_at", recorded_at);

  if (!cdm_store_put (store, CDM_ENTITY_ATTENDANCE, record, &id, NULL, error))
    goto fail;
  /* A failed commit has already ended the transaction. */
  if (!cdm_store_commit (store, error))
    g_clear_pointer (&id, g_free);
  return id;

fail:
  cdm_store_rollback (store);
  return NULL;
}

static void
record_attendance_thread (GTask        *task,
                          CdmStore     *store,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  QueryData *qd = task_data;
  GError *error = NULL;
  char *id;

  id = cdm_activity_record_attendance (store, qd->activity_id, qd->count, &error);
  if (id == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, id, g_free);
}

void
cdm_activity_record_attendance_async (CdmStore            *store,
                                      const char          *activity_id,
                                      gint64               count,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  QueryData *qd;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (activity_id != NULL);

  qd = g_new0 (QueryData, 1);
  qd->activity_id = g_strdup (activity_id);
  qd->count = count;

  _cdm_store_run_in_thread (store, cdm_activity_record_attendance_async,
                            record_attendance_thread, qd, query_data_free,
                            cancellable, callback, user_data);
}

char *
cdm_activity_record_attendance_finish (CdmStore      *store,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_activity_record_attendance_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
cdm_activity_set_status (CdmStore    *store,
                         const char  *activity_id,
                         const char  *status,
                         GError     **error)
{
  g_autoptr(JsonObject) activity = NULL;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (activity_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!cdm_code_valid (cdm_activity_statuses, status))
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE,
                   _("“%s” is not an activity status"), status != NULL ? status : "");
      return FALSE;
    }

  /* Read and write in one transaction, so that a change made in between
   * by another thread (a sync page) is not overwritten with old values. */
  if (!cdm_store_begin (store, FALSE, error))
    return FALSE;

  activity = cdm_store_get (store, CDM_ENTITY_ACTIVITY, activity_id, FALSE, error);
  if (activity == NULL)
    goto fail;

  json_object_set_string_member (activity, "status", status);
  if (!cdm_store_put (store, CDM_ENTITY_ACTIVITY, activity, NULL, NULL, error))
    goto fail;
  return cdm_store_commit (store, error);

fail:
  cdm_store_rollback (store);
  return FALSE;
}

static void
set_status_thread (GTask        *task,
                   CdmStore     *store,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  QueryData *qd = task_data;
  GError *error = NULL;

  if (!cdm_activity_set_status (store, qd->activity_id, qd->status, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cdm_activity_set_status_async (CdmStore            *store,
                               const char          *activity_id,
                               const char          *status,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  QueryData *qd;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (activity_id != NULL);

  qd = g_new0 (QueryData, 1);
  qd->activity_id = g_strdup (activity_id);
  qd->status = g_strdup (status);

  _cdm_store_run_in_thread (store, cdm_activity_set_status_async, set_status_thread,
                            qd, query_data_free, cancellable, callback, user_data);
}

gboolean
cdm_activity_set_status_finish (CdmStore      *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_activity_set_status_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
