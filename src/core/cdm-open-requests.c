/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-open-requests.c: the remote requests still waiting for an answer.
 *
 * Only remote requests have a received_day, and the partial index
 * contacts_received holds exactly those, so the open ones are found
 * among the remote requests rather than among every contact.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cdm-open-requests.h"
#include "cdm-store-private.h"

#define NOTE_CHARS 120

static const char list_sql[] =
  "SELECT id, channel, received_at, received_unix, themes,"
  "       substr (note, 1, " G_STRINGIFY (NOTE_CHARS) ")"
  "  FROM contacts"
  " WHERE received_day IS NOT NULL AND answered_unix IS NULL AND deleted = 0"
  " ORDER BY received_unix, id"
  " LIMIT ?1";

static const char count_sql[] =
  "SELECT count(*) FROM contacts"
  " WHERE received_day IS NOT NULL AND answered_unix IS NULL AND deleted = 0";

void
cdm_open_request_free (CdmOpenRequest *request)
{
  if (request == NULL)
    return;

  g_free (request->id);
  g_free (request->channel);
  g_free (request->received_at);
  g_strfreev (request->themes);
  g_free (request->note);
  g_free (request);
}

void
cdm_open_requests_free (CdmOpenRequests *open)
{
  if (open == NULL)
    return;

  g_clear_pointer (&open->requests, g_ptr_array_unref);
  g_free (open);
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
  g_strstrip (line);
  if (*line == '\0')
    g_clear_pointer (&line, g_free);
  return line;
}

CdmOpenRequests *
cdm_open_requests_list (CdmStore      *store,
                        guint          limit,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(CdmOpenRequests) open = NULL;
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  open = g_new0 (CdmOpenRequests, 1);
  open->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) cdm_open_request_free);

  _cdm_store_lock (store);
  _cdm_store_watch_cancellable (store, cancellable);

  stmt = _cdm_store_prepare (store, list_sql, error);
  if (stmt == NULL)
    ok = FALSE;

  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, limit);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          CdmOpenRequest *request = g_new0 (CdmOpenRequest, 1);

          request->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          request->channel = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          request->received_at = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
          request->received_unix = sqlite3_column_int64 (stmt, 3);
          request->due_unix = request->received_unix + CDM_OPEN_REQUEST_DELAY_SECONDS;
          request->themes = mask_to_strv (cdm_themes, sqlite3_column_int64 (stmt, 4));
          request->note = one_line ((const char *) sqlite3_column_text (stmt, 5));
          g_ptr_array_add (open->requests, request);
        }
      if (rc != SQLITE_DONE)
        {
          if (!g_cancellable_set_error_if_cancelled (cancellable, error))
            _cdm_store_set_error (error, _cdm_store_get_db (store), rc,
                                  _("Listing the open requests failed"));
          ok = FALSE;
        }
      sqlite3_reset (stmt);
    }

  if (ok)
    {
      stmt = _cdm_store_prepare (store, count_sql, error);
      if (stmt == NULL)
        ok = FALSE;
    }

  if (ok)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        open->total = (guint64) sqlite3_column_int64 (stmt, 0);
      else
        {
          if (!g_cancellable_set_error_if_cancelled (cancellable, error))
            _cdm_store_set_error (error, _cdm_store_get_db (store), rc,
                                  _("Counting the open requests failed"));
          ok = FALSE;
        }
      sqlite3_reset (stmt);
    }

  _cdm_store_unwatch_cancellable (store);
  _cdm_store_unlock (store);

  if (!ok)
    return NULL;

  return g_steal_pointer (&open);
}

static void
list_thread (GTask        *task,
             CdmStore     *store,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  CdmOpenRequests *open;

  open = cdm_open_requests_list (store, GPOINTER_TO_UINT (task_data), cancellable, &error);
  if (open == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, open, (GDestroyNotify) cdm_open_requests_free);
}

void
cdm_open_requests_list_async (CdmStore            *store,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _cdm_store_run_in_thread (store, cdm_open_requests_list_async, list_thread,
                            GUINT_TO_POINTER (limit), NULL,
                            cancellable, callback, user_data);
}

CdmOpenRequests *
cdm_open_requests_list_finish (CdmStore      *store,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_open_requests_list_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
cdm_open_request_mark_answered (CdmStore    *store,
                                const char  *id,
                                gint64       answered_at_unix,
                                GError     **error)
{
  g_autoptr(JsonObject) contact = NULL;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Read and write in one transaction, so that a change made in between
   * by another thread (a sync page) is not overwritten with old values. */
  if (!cdm_store_begin (store, FALSE, error))
    return FALSE;

  contact = cdm_store_get (store, CDM_ENTITY_CONTACT, id, FALSE, error);
  if (contact == NULL)
    goto fail;

  if (!json_object_has_member (contact, "received_at") ||
      json_object_get_null_member (contact, "received_at"))
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
                   _("The contact %s is not a remote request"), id);
      goto fail;
    }

  if (answered_at_unix < 0)
    json_object_set_null_member (contact, "answered_at");
  else
    {
      g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (answered_at_unix);
      g_autoptr(GDateTime) local = NULL;
      g_autofree char *text = NULL;

      if (utc == NULL)
        {
          g_set_error_literal (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
                               _("answered_at: the time is out of range"));
          goto fail;
        }
      local = g_date_time_to_timezone (utc, zone);
      text = g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
      json_object_set_string_member (contact, "answered_at", text);
    }

  if (!cdm_store_put (store, CDM_ENTITY_CONTACT, contact, NULL, NULL, error))
    goto fail;
  return cdm_store_commit (store, error);

fail:
  cdm_store_rollback (store);
  return FALSE;
}

typedef struct {
  char *id;
  gint64 answered_at_unix;
} MarkData;

static void
mark_data_free (MarkData *data)
{
  g_free (data->id);
  g_free (data);
}

static void
mark_thread (GTask        *task,
             CdmStore     *store,
             gpointer      task_data,
             GCancellable *cancellable)
{
  MarkData *data = task_data;
  GError *error = NULL;

  if (!cdm_open_request_mark_answered (store, data->id, data->answered_at_unix, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cdm_open_request_mark_answered_async (CdmStore            *store,
                                      const char          *id,
                                      gint64               answered_at_unix,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  MarkData *data;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (MarkData, 1);
  data->id = g_strdup (id);
  data->answered_at_unix = answered_at_unix;

  _cdm_store_run_in_thread (store, cdm_open_request_mark_answered_async, mark_thread,
                            data, (GDestroyNotify) mark_data_free,
                            cancellable, callback, user_data);
}

gboolean
cdm_open_request_mark_answered_finish (CdmStore      *store,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_open_request_mark_answered_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
