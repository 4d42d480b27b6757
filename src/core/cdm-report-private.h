/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For libcdm's tests and benchmarks: the report computed without the
 * per-day contact figures.
 *
 * cdm_report_compute() reads the contact figures from contact_stats, which
 * triggers on contacts keep (cdm-store-schema.c).  The recount counts
 * every contact of the year instead, by the same rules: the two must
 * always give the same report, which is what the tests check after every
 * kind of write. */
#pragma once

#include "cdm-report.h"

G_BEGIN_DECLS

CdmReport *_cdm_report_compute_recount (CdmStore      *store,
                                        int            year,
                                        GCancellable  *cancellable,
                                        GError       **error);

/* cdm_report_compute_full() counting the contacts one by one. */
CdmReport *_cdm_report_compute_full_recount (CdmStore                *store,
                                             const CdmReportOptions  *options,
                                             GCancellable            *cancellable,
                                             GError                 **error);

G_END_DECLS
