/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-activity-editor.h: a form to create or edit a group activity.
 *
 * Titles in French, Dutch and English, date and time in the centre's time
 * zone, duration, mode (with platform and link for online ones), place,
 * organisers (partners found by searching), audience, programmes,
 * capacity and status.  Fields the form does not show (themes,
 * languages, summary) keep their stored values.  The record is read and written in a worker thread; "saved"
 * is emitted with the activity's id and local day once it is on disk.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_ACTIVITY_EDITOR (cdm_activity_editor_get_type ())
G_DECLARE_FINAL_TYPE (CdmActivityEditor, cdm_activity_editor, CDM, ACTIVITY_EDITOR, AdwWindow)

/* @activity_id: the activity to edit, or %NULL for a new one on @day
 * ("YYYY-MM-DD", or %NULL for today). */
CdmActivityEditor *cdm_activity_editor_new (GtkWindow  *parent,
                                            CdmStore   *store,
                                            const char *activity_id,
                                            const char *day);

G_END_DECLS
