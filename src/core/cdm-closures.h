/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-closures.h: the periods the centre, or one of its services, was
 * closed (DESIGN.md section 3, "closure"), listed and checked.
 *
 * Closures are ordinary records (cdm_store_put() with CDM_ENTITY_CLOSURE):
 * this module lists those overlapping a period, in the order a person
 * reads them, and checks one before it is written, with an error that
 * names the field at fault.
 *
 * Threads: the synchronous functions may be called from any thread; the
 * _async variant runs in the store's worker.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

/**
 * cdm_closures_list:
 * @from_day: (nullable): "YYYY-MM-DD", the first day of the period; %NULL
 *   for no lower bound
 * @to_day: (nullable): the last day of the period; %NULL for no upper bound
 *
 * The live closures that cover at least one day of the period, earliest
 * first (then by end, then by id), as records in the interchange format.
 *
 * Returns: (transfer full) (element-type JsonObject): the closures, or
 * %NULL with @error set
 */
GPtrArray *cdm_closures_list        (CdmStore      *store,
                                     const char    *from_day,
                                     const char    *to_day,
                                     GCancellable  *cancellable,
                                     GError       **error);
void       cdm_closures_list_async  (CdmStore            *store,
                                     const char          *from_day,
                                     const char          *to_day,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GPtrArray *cdm_closures_list_finish (CdmStore      *store,
                                     GAsyncResult  *result,
                                     GError       **error);

/**
 * cdm_closure_check:
 * @record: a closure in the interchange format
 * @out_field: (out) (optional) (transfer none): the field at fault
 *   ("from", "to", "scope" or "reason")
 *
 * What a closure needs before it is written, beyond the schema: a valid
 * first and last day with from <= to, a scope of cdm_closure_scopes, and a
 * reason that is not blank (the report lists it).  Errors are
 * CDM_RECORD_ERROR_MISSING_FIELD, _BAD_VALUE or _UNKNOWN_CODE, their
 * message naming the problem in the user's language.
 */
gboolean   cdm_closure_check        (JsonObject   *record,
                                     const char  **out_field,
                                     GError      **error);

G_END_DECLS
