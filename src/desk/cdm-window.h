/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-window.h: the desk's main window.
 *
 * The window shows a spinner until it is given a store (the application
 * opens it off the main thread), then the sections.  Its actions:
 * win.log-contact (Ctrl+N), win.show-section("today"|"partners"|"library").
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_WINDOW (cdm_window_get_type ())
G_DECLARE_FINAL_TYPE (CdmWindow, cdm_window, CDM, WINDOW, AdwApplicationWindow)

CdmWindow *cdm_window_new        (GtkApplication *application);
void       cdm_window_set_store  (CdmWindow      *self,
                                  CdmStore       *store);
/* Says why the desk cannot open its store, in place of the sections. */
void       cdm_window_show_error (CdmWindow      *self,
                                  const GError   *error);

G_END_DECLS
