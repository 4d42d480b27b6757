/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contact-query.h: the contact log as a filtered list, page by page.
 *
 * A list of a million contacts is shown a page at a time: the caller asks
 * once how many contacts match (cdm_contact_query_count_async(), which also
 * returns how many match on each day) and then for the pages it shows
 * (cdm_contact_query_fetch_async()), newest first.  Handing the count back
 * to the page fetch lets a page deep in the list start from its day rather
 * than skipping every row before it.  Tombstones never appear.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

/**
 * CdmContactFilter:
 * @from_day: first local day "YYYY-MM-DD", or %NULL for no lower bound
 * @to_day: last local day (included), or %NULL for no upper bound
 * @channel: a code of cdm_channels, or %NULL for any
 * @service: a code of cdm_services, or %NULL for any
 * @theme: a code of cdm_themes the contact covers (among others), or %NULL
 * @programme: a code of cdm_programmes the contact belongs to, or %NULL
 * @site: a code of cdm_sites, or %NULL for any
 *
 * Which contacts to list.  Every field may be unset; the strings belong to
 * whoever fills the struct (the async functions copy them).
 */
typedef struct {
  const char *from_day;
  const char *to_day;
  const char *channel;
  const char *service;
  const char *theme;
  const char *programme;
  const char *site;
} CdmContactFilter;

/* Refuses unknown codes and malformed days with CDM_RECORD_ERROR (naming
 * the filter and the value). */
gboolean cdm_contact_filter_validate (const CdmContactFilter  *filter,
                                      GError                 **error);

/**
 * CdmContactRow:
 * A contact as a list shows it.
 */
typedef struct {
  char *id;
  char *occurred_at;   /* the timestamp as recorded */
  char *day;           /* centre-local "YYYY-MM-DD" */
  char *time;          /* local "HH:MM" */
  char *channel;
  char *service;
  char *site;
  char **themes;       /* codes, vocabulary order; never NULL */
  char **programmes;   /* codes, vocabulary order; never NULL */
  char *note;          /* at most the first 120 characters, one line; may be NULL */
} CdmContactRow;

void cdm_contact_row_free (CdmContactRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmContactRow, cdm_contact_row_free)

/**
 * CdmContactCount:
 * How many contacts match a filter, in all and per day.  Reference
 * counted, immutable; safe to share between threads.
 */
typedef struct _CdmContactCount CdmContactCount;

CdmContactCount *cdm_contact_count_ref   (CdmContactCount *count);
void             cdm_contact_count_unref (CdmContactCount *count);
guint64          cdm_contact_count_get_total (CdmContactCount *count);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmContactCount, cdm_contact_count_unref)

CdmContactCount *cdm_contact_query_count        (CdmStore                *store,
                                                 const CdmContactFilter  *filter,
                                                 GCancellable            *cancellable,
                                                 GError                 **error);
void             cdm_contact_query_count_async  (CdmStore                *store,
                                                 const CdmContactFilter  *filter,
                                                 GCancellable            *cancellable,
                                                 GAsyncReadyCallback      callback,
                                                 gpointer                 user_data);
CdmContactCount *cdm_contact_query_count_finish (CdmStore                *store,
                                                 GAsyncResult            *result,
                                                 GError                 **error);

/**
 * cdm_contact_query_fetch:
 * @filter: (nullable): the filter; %NULL lists everything
 * @count: (nullable): the count of the same filter, if known: pages deep
 *   in the list then start from their day instead of skipping every row
 *   before them
 * @offset: position of the first row, 0 being the newest contact
 * @limit: at most this many rows
 *
 * Returns: (transfer full) (element-type CdmContactRow): the rows, newest
 * first (then latest written first), or %NULL with @error set.
 */
GPtrArray *cdm_contact_query_fetch        (CdmStore                *store,
                                           const CdmContactFilter  *filter,
                                           CdmContactCount         *count,
                                           guint64                  offset,
                                           guint                    limit,
                                           GCancellable            *cancellable,
                                           GError                 **error);
void       cdm_contact_query_fetch_async  (CdmStore                *store,
                                           const CdmContactFilter  *filter,
                                           CdmContactCount         *count,
                                           guint64                  offset,
                                           guint                    limit,
                                           GCancellable            *cancellable,
                                           GAsyncReadyCallback      callback,
                                           gpointer                 user_data);
GPtrArray *cdm_contact_query_fetch_finish (CdmStore                *store,
                                           GAsyncResult            *result,
                                           GError                 **error);

G_END_DECLS
