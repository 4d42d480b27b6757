/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-report.h: the figures of DESIGN.md section 4, the one implementation.
 *
 * A CdmReport is computed from a store for a year (or a range of months of
 * it) and can be written as the JSON of DESIGN.md section 7, as text and as
 * CSV.  Days are the centre's local days; tombstoned records count nowhere.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

typedef struct _CdmReport CdmReport;

CdmReport  *cdm_report_compute        (CdmStore      *store,
                                       int            year,
                                       GCancellable  *cancellable,
                                       GError       **error);
void        cdm_report_compute_async  (CdmStore            *store,
                                       int                  year,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
CdmReport  *cdm_report_compute_finish (CdmStore      *store,
                                       GAsyncResult  *result,
                                       GError       **error);

CdmReport  *cdm_report_ref   (CdmReport *report);
void        cdm_report_unref (CdmReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmReport, cdm_report_unref)

int         cdm_report_get_year           (CdmReport *report);
gint64      cdm_report_get_total_contacts (CdmReport *report);
gint64      cdm_report_get_individual_advice (CdmReport *report);
gint64      cdm_report_get_group_participants (CdmReport *report);
gint64      cdm_report_get_multimedia     (CdmReport *report);

/* The whole report as the JSON object of DESIGN.md section 7. (transfer full) */
JsonObject *cdm_report_to_json (CdmReport *report);
/* A readable summary, for cdmctl. (transfer full) */
char       *cdm_report_to_text (CdmReport *report);
/* One long tidy table "figure,breakdown,period,value" (RFC 4180). */
char       *cdm_report_to_csv  (CdmReport *report);

/* The configured yearly objective ("objective" setting, default 50000). */
gint64      cdm_report_objective (CdmStore *store);

G_END_DECLS
