/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-preferences-window.h: the desk's preferences (GSettings). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CDM_TYPE_PREFERENCES_WINDOW (cdm_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (CdmPreferencesWindow, cdm_preferences_window, CDM, PREFERENCES_WINDOW, AdwPreferencesWindow)

CdmPreferencesWindow *cdm_preferences_window_new (GtkWindow *parent);

G_END_DECLS
