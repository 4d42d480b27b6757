/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-closures.c: the closed periods, listed and checked.
 *
 * A centre records a handful of closures a year, so listing them walks
 * the records with cdm_store_foreach() rather than adding SQL of its own:
 * the store stays the one place that reads its tables.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cdm-closures.h"
#include "cdm-store-private.h"

typedef struct {
  char *from_day;
  char *to_day;
  GPtrArray *closures;
} ListData;

static void
list_data_free (gpointer data)
{
  ListData *list = data;

  g_free (list->from_day);
  g_free (list->to_day);
  g_clear_pointer (&list->closures, g_ptr_array_unref);
  g_free (list);
}

static gboolean
collect_closure (JsonObject *record,
                 gpointer    user_data)
{
  ListData *list = user_data;
  const char *from = json_object_get_string_member_with_default (record, "from", NULL);
  const char *to = json_object_get_string_member_with_default (record, "to", NULL);

  if (from == NULL || to == NULL)
    return TRUE;
  /* Days are "YYYY-MM-DD": their order is the strings' order. */
  if (list->to_day != NULL && strcmp (from, list->to_day) > 0)
    return TRUE;
  if (list->from_day != NULL && strcmp (to, list->from_day) < 0)
    return TRUE;

  g_ptr_array_add (list->closures, json_object_ref (record));
  return TRUE;
}

static int
compare_closures (gconstpointer a,
                  gconstpointer b)
{
  JsonObject *first = *(JsonObject **) a;
  JsonObject *second = *(JsonObject **) b;
  const char *keys[] = { "from", "to", "id" };

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      int order = g_strcmp0 (json_object_get_string_member_with_default (first, keys[k], NULL),
                             json_object_get_string_member_with_default (second, keys[k], NULL));

      if (order != 0)
        return order;
    }
  return 0;
}

GPtrArray *
cdm_closures_list (CdmStore      *store,
                   const char    *from_day,
                   const char    *to_day,
                   GCancellable  *cancellable,
                   GError       **error)
{
  ListData list = { (char *) from_day, (char *) to_day, NULL };

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  list.closures = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  if (!cdm_store_foreach (store, CDM_ENTITY_CLOSURE, FALSE, collect_closure, &list,
                          cancellable, error))
    {
      g_ptr_array_unref (list.closures);
      return NULL;
    }

  g_ptr_array_sort (list.closures, compare_closures);
  return list.closures;
}

static void
list_in_thread (GTask        *task,
                CdmStore     *store,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ListData *data = task_data;
  GError *error = NULL;
  GPtrArray *closures;

  closures = cdm_closures_list (store, data->from_day, data->to_day, cancellable, &error);
  if (closures == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, closures, (GDestroyNotify) g_ptr_array_unref);
}

void
cdm_closures_list_async (CdmStore            *store,
                         const char          *from_day,
                         const char          *to_day,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  ListData *data;

  g_return_if_fail (CDM_IS_STORE (store));

  data = g_new0 (ListData, 1);
  data->from_day = g_strdup (from_day);
  data->to_day = g_strdup (to_day);
  _cdm_store_run_in_thread (store, cdm_closures_list_async, list_in_thread,
                            data, list_data_free, cancellable, callback, user_data);
}

GPtrArray *
cdm_closures_list_finish (CdmStore      *store,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
get_string (JsonObject *record,
            const char *member)
{
  JsonNode *node = json_object_get_member (record, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
fail (const char **out_field,
      const char  *field,
      GError     **error,
      int          code,
      const char  *message)
{
  if (out_field != NULL)
    *out_field = field;
  g_set_error_literal (error, CDM_RECORD_ERROR, code, message);
  return FALSE;
}

gboolean
cdm_closure_check (JsonObject   *record,
                   const char  **out_field,
                   GError      **error)
{
  const char *from, *to, *scope, *reason;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_field != NULL)
    *out_field = NULL;

  from = get_string (record, "from");
  to = get_string (record, "to");
  scope = get_string (record, "scope");
  reason = get_string (record, "reason");

  if (from == NULL || from[0] == '\0')
    return fail (out_field, "from", error, CDM_RECORD_ERROR_MISSING_FIELD,
                 _("Enter the first day of the closure."));
  if (!cdm_parse_date (from, NULL))
    return fail (out_field, "from", error, CDM_RECORD_ERROR_BAD_VALUE,
                 _("The first day is not a date: write it as YYYY-MM-DD."));
  if (to == NULL || to[0] == '\0')
    return fail (out_field, "to", error, CDM_RECORD_ERROR_MISSING_FIELD,
                 _("Enter the last day of the closure."));
  if (!cdm_parse_date (to, NULL))
    return fail (out_field, "to", error, CDM_RECORD_ERROR_BAD_VALUE,
                 _("The last day is not a date: write it as YYYY-MM-DD."));
  if (strcmp (to, from) < 0)
    return fail (out_field, "to", error, CDM_RECORD_ERROR_BAD_VALUE,
                 _("The last day is before the first day."));
  if (scope == NULL || !cdm_code_valid (cdm_closure_scopes, scope))
    return fail (out_field, "scope", error, CDM_RECORD_ERROR_UNKNOWN_CODE,
                 _("Choose what was closed."));

  trimmed = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  if (trimmed[0] == '\0')
    return fail (out_field, "reason", error, CDM_RECORD_ERROR_MISSING_FIELD,
                 _("Give the reason for the closure: the report lists it."));
  if (g_utf8_strlen (trimmed, -1) > 500)
    return fail (out_field, "reason", error, CDM_RECORD_ERROR_OUT_OF_RANGE,
                 _("The reason is too long: at most 500 characters."));

  return TRUE;
}
