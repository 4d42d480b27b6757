/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-tally.h: the multimedia counter's figures of one day.
 *
 * A steward's click is one multimedia_tally record {day, kind, count};
 * undo tombstones it.  These functions add up the live tallies of a day
 * per kind, for the counter to show.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

/* The number of kinds in cdm_tally_kinds. */
#define CDM_N_TALLY_KINDS 6

typedef struct {
  /* Per kind, in cdm_tally_kinds order. */
  gint64 kinds[CDM_N_TALLY_KINDS];
  gint64 total;
} CdmTallyCounts;

/**
 * cdm_tally_count_day:
 * @day: a centre-local day, "YYYY-MM-DD"
 * @out_counts: (out caller-allocates): the sums
 *
 * Sums the counts of the day's live (not tombstoned) tallies per kind.
 * A malformed @day is CDM_RECORD_ERROR_BAD_VALUE and leaves @out_counts
 * zeroed.
 */
gboolean        cdm_tally_count_day        (CdmStore        *store,
                                            const char      *day,
                                            CdmTallyCounts  *out_counts,
                                            GError         **error);
void            cdm_tally_count_day_async  (CdmStore            *store,
                                            const char          *day,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
/* (transfer full): free with g_free() */
CdmTallyCounts *cdm_tally_count_day_finish (CdmStore      *store,
                                            GAsyncResult  *result,
                                            GError       **error);

G_END_DECLS
