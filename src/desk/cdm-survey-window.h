/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-survey-window.h: the anonymous satisfaction survey a visitor fills
 * in at a tablet or a desk.
 *
 * A score from 0 to 10 (large buttons), whether they would recommend the
 * centre, whether they found what they were looking for, how often they
 * come, and an optional profile folded away; Submit writes a
 * "satisfaction" record (DESIGN.md sections 3 and 7) in a worker thread,
 * thanks the visitor and, a few seconds later, shows an empty form again.
 *
 * In kiosk mode the window fills the screen and cannot be closed: the only
 * way back to the desk is "Leave Kiosk Mode", confirmed.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_SURVEY_WINDOW (cdm_survey_window_get_type ())
G_DECLARE_FINAL_TYPE (CdmSurveyWindow, cdm_survey_window, CDM, SURVEY_WINDOW, AdwWindow)

/* The default time the thanks stay on screen before an empty form. */
#define CDM_SURVEY_RESET_SECONDS 5

CdmSurveyWindow *cdm_survey_window_new (GtkApplication *application,
                                        CdmStore       *store,
                                        gboolean        kiosk);

gboolean cdm_survey_window_get_kiosk       (CdmSurveyWindow *self);
/* How long the thanks stay, in milliseconds (tests shorten it). */
void     cdm_survey_window_set_reset_delay (CdmSurveyWindow *self,
                                            guint            milliseconds);
/* How many answers this window has saved. */
guint    cdm_survey_window_get_n_saved     (CdmSurveyWindow *self);
/* Leaves kiosk mode and closes (what the confirmed exit does). */
void     cdm_survey_window_leave           (CdmSurveyWindow *self);

G_END_DECLS
