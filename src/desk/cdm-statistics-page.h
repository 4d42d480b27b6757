/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-statistics-page.h: the figures of the annual report, from libcdm's
 * report, for a year (or some of its months) and the whole centre or one
 * partner institution.
 *
 * Its actions, while the page has the focus: statistics.previous-year
 * (Alt+Left), statistics.next-year (Alt+Right), statistics.closures
 * (opens the closures editor) and statistics.export ("pdf", "csv" or
 * "csv-folder": asks where, then writes in a worker thread).
 */
#pragma once

#include <adwaita.h>

#include "cdm-chart.h"
#include "cdm-report.h"
#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_STATISTICS_PAGE (cdm_statistics_page_get_type ())
G_DECLARE_FINAL_TYPE (CdmStatisticsPage, cdm_statistics_page, CDM, STATISTICS_PAGE, GtkWidget)

/* Shows the current year of @store's centre. */
void cdm_statistics_page_set_store (CdmStatisticsPage *self,
                                    CdmStore          *store);
/* Computes the shown figures again (after a contact was logged). */
void cdm_statistics_page_refresh   (CdmStatisticsPage *self);
/* Shows @year (CDM_REPORT_MIN_YEAR..the current year). */
void cdm_statistics_page_set_year  (CdmStatisticsPage *self,
                                    int                year);
int  cdm_statistics_page_get_year  (CdmStatisticsPage *self);

/* Shows months @from_month..@to_month (1..12) of the year. */
void cdm_statistics_page_set_months (CdmStatisticsPage *self,
                                     guint              from_month,
                                     guint              to_month);

/* Shows the figures of the organisation @id (one of those the page lists),
 * or of the whole centre for %NULL.  Returns FALSE when the page does not
 * (yet) list that organisation. */
gboolean    cdm_statistics_page_set_organisation (CdmStatisticsPage *self,
                                                  const char        *id);
const char *cdm_statistics_page_get_organisation (CdmStatisticsPage *self);
/* How many organisations the page offers besides the whole centre
 * (-1 while they are being read). */
int         cdm_statistics_page_get_n_organisations (CdmStatisticsPage *self);

/* The report shown, or %NULL while none is. (transfer none) */
CdmReport  *cdm_statistics_page_get_report (CdmStatisticsPage *self);
/* The chart of @series. (transfer none) */
CdmChart   *cdm_statistics_page_get_chart  (CdmStatisticsPage *self,
                                            CdmReportSeries    series);

/* Writes the shown report to @file in @format ("pdf", "csv" or
 * "csv-folder", @file then being the folder) in a worker thread, then
 * says so in a toast with a button that opens it: what Export… does once
 * the file is chosen. */
void        cdm_statistics_page_export_to (CdmStatisticsPage *self,
                                           const char        *format,
                                           GFile             *file);

G_END_DECLS
