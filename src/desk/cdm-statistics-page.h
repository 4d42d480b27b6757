/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-statistics-page.h: the year's key figures, from libcdm's report.
 *
 * Its actions: statistics.previous-year (Alt+Left) and
 * statistics.next-year (Alt+Right), while the page has the focus.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_STATISTICS_PAGE (cdm_statistics_page_get_type ())
G_DECLARE_FINAL_TYPE (CdmStatisticsPage, cdm_statistics_page, CDM, STATISTICS_PAGE, GtkWidget)

/* Shows the current year of @store's centre. */
void cdm_statistics_page_set_store (CdmStatisticsPage *self,
                                    CdmStore          *store);
/* Computes the shown year again (after a contact was logged). */
void cdm_statistics_page_refresh   (CdmStatisticsPage *self);
/* Shows @year (CDM_REPORT_MIN_YEAR..the current year). */
void cdm_statistics_page_set_year  (CdmStatisticsPage *self,
                                    int                year);
int  cdm_statistics_page_get_year  (CdmStatisticsPage *self);

G_END_DECLS
