/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-application.h: the desk app, brussels.cdm_bp.Desk.
 *
 * Opens the per-user store (or $CDM_DESK_STORE) in a worker thread and,
 * on the very first start, fills it with demo data so that the desk works
 * with no server at all.  App actions: app.about, app.quit, app.survey and
 * app.survey-kiosk (the satisfaction survey, cdm-survey-window.h); accelerators
 * for the window's actions.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CDM_TYPE_APPLICATION (cdm_application_get_type ())
G_DECLARE_FINAL_TYPE (CdmApplication, cdm_application, CDM, APPLICATION, AdwApplication)

CdmApplication *cdm_application_new (void);

G_END_DECLS
