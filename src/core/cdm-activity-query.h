/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-activity-query.h: the group activities of a range of days, as the
 * week view of the desk shows them, and the two changes a steward makes to
 * an activity once it has taken place: a headcount and its status.
 *
 * Days are the centre's local days (cdm_local_day()), so a week runs from
 * Monday 00:00 to Sunday 24:00 in Brussels whatever the offset an activity
 * was written with.  Tombstoned activities and headcounts count nowhere.
 *
 * Threads: the synchronous functions may be called from any thread (the
 * store serialises them); the _async variants run in the store's worker
 * and return on the caller's thread-default main context.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

/**
 * CdmActivitySummary:
 * @id: the activity's id
 * @title_fr, @title_nl, @title_en: (nullable): the title in each language
 * @starts_at: the timestamp as written, with its offset
 * @starts_unix: the same as a unix time
 * @day: the centre's local day, "YYYY-MM-DD"
 * @duration_min: minutes, or -1 when unknown
 * @mode, @status: codes (cdm_activity_modes, cdm_activity_statuses)
 * @platform, @link, @place, @summary, @audience: (nullable)
 * @capacity: places, or -1 when unknown
 * @organisers: (array zero-terminated=1): the organisers' names, in the
 *   activity's order, each in the language asked for with fallback
 * @programmes, @languages: (array zero-terminated=1): codes
 * @attendance: the sum of the live headcounts recorded for it
 */
typedef struct {
  char *id;
  char *title_fr;
  char *title_nl;
  char *title_en;
  char *starts_at;
  gint64 starts_unix;
  char *day;
  int duration_min;
  char *mode;
  char *platform;
  char *link;
  char *place;
  char *summary;
  char *audience;
  char *status;
  int capacity;
  GStrv organisers;
  GStrv programmes;
  GStrv languages;
  gint64 attendance;
} CdmActivitySummary;

void cdm_activity_summary_free (CdmActivitySummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmActivitySummary, cdm_activity_summary_free)

/* The title in @language ("fr", "nl" or "en"; NULL is "fr"), else the
 * first of fr, nl, en that has one; never NULL.  (transfer none) */
const char *cdm_activity_summary_get_title (const CdmActivitySummary *summary,
                                            const char               *language);

/**
 * cdm_activity_query_days:
 * @first_day: the first local day, "YYYY-MM-DD"
 * @last_day: the last local day, included
 * @language: (nullable): the language of organisers' names ("fr", "nl",
 *   "en"); NULL is "fr"
 *
 * Returns: (transfer full) (element-type CdmActivitySummary): the live
 * activities of those days, by start time; %NULL with @error set on a
 * store failure, a malformed day (CDM_RECORD_ERROR_BAD_VALUE) or
 * cancellation.
 */
GPtrArray *cdm_activity_query_days        (CdmStore      *store,
                                           const char    *first_day,
                                           const char    *last_day,
                                           const char    *language,
                                           GCancellable  *cancellable,
                                           GError       **error);
void       cdm_activity_query_days_async  (CdmStore            *store,
                                           const char          *first_day,
                                           const char          *last_day,
                                           const char          *language,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
GPtrArray *cdm_activity_query_days_finish (CdmStore      *store,
                                           GAsyncResult  *result,
                                           GError       **error);

/* The Monday of the week of local day @day, "YYYY-MM-DD"; NULL when @day
 * is not a date.  (transfer full) */
char      *cdm_activity_week_start        (const char *day);

/**
 * cdm_activity_record_attendance:
 * @count: people counted, 0 to 100,000
 *
 * Appends one headcount {activity, count, recorded_at: now} to the
 * activity's attendance; headcounts add up and are never changed.
 * Returns: (transfer full): the headcount's id, or %NULL with @error set
 * (CDM_STORE_ERROR_NOT_FOUND for an activity that is missing or
 * tombstoned, CDM_RECORD_ERROR_OUT_OF_RANGE for a count out of range).
 */
char      *cdm_activity_record_attendance        (CdmStore      *store,
                                                  const char    *activity_id,
                                                  gint64         count,
                                                  GError       **error);
void       cdm_activity_record_attendance_async  (CdmStore            *store,
                                                  const char          *activity_id,
                                                  gint64               count,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
char      *cdm_activity_record_attendance_finish (CdmStore      *store,
                                                  GAsyncResult  *result,
                                                  GError       **error);

/**
 * cdm_activity_set_status:
 * @status: "planned", "held" or "cancelled"
 *
 * Changes the activity's status and nothing else, in one transaction.
 * Errors: CDM_STORE_ERROR_NOT_FOUND (missing or tombstoned),
 * CDM_RECORD_ERROR_UNKNOWN_CODE for a status outside the vocabulary.
 */
gboolean   cdm_activity_set_status        (CdmStore      *store,
                                           const char    *activity_id,
                                           const char    *status,
                                           GError       **error);
void       cdm_activity_set_status_async  (CdmStore            *store,
                                           const char          *activity_id,
                                           const char          *status,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean   cdm_activity_set_status_finish (CdmStore      *store,
                                           GAsyncResult  *result,
                                           GError       **error);

G_END_DECLS
