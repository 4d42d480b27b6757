/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-activities-page.h: the group activities, a week at a time.
 *
 * A week of activities grouped by day, with the previous, next and
 * current week one key away (Alt+Left, Alt+Right, Home or Ctrl+T); an
 * activity opens in a detail view (Escape or Alt+Left goes back) from
 * which a headcount is recorded and the activity marked held or
 * cancelled.  Every read and write runs in libcdm's worker thread.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_ACTIVITIES_PAGE (cdm_activities_page_get_type ())
G_DECLARE_FINAL_TYPE (CdmActivitiesPage, cdm_activities_page, CDM, ACTIVITIES_PAGE, GtkWidget)

void        cdm_activities_page_set_store      (CdmActivitiesPage *self,
                                                CdmStore          *store);
/* Shows the week of local day @day ("YYYY-MM-DD"), or of today when
 * %NULL, and loads it. */
void        cdm_activities_page_show_week      (CdmActivitiesPage *self,
                                                const char        *day);
/* The Monday of the week shown, "YYYY-MM-DD".  (transfer none) */
const char *cdm_activities_page_get_week_start (CdmActivitiesPage *self);
/* TRUE while a week is being read. */
gboolean    cdm_activities_page_is_loading     (CdmActivitiesPage *self);
/* Moves the keyboard focus into the page. */
void        cdm_activities_page_focus          (CdmActivitiesPage *self);

G_END_DECLS
