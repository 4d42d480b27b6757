/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-window.h: the desk's main window.
 *
 * The window shows a spinner until it is given a store (the application
 * opens it off the main thread), then the sections.  Its actions:
 * win.log-contact (Ctrl+N), win.new-partner (Ctrl+Shift+N),
 * win.show-section("today"|"partners"|"library"|…).
 *
 * While Today is shown, the time left of the open remote requests counts
 * down once a minute.
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

/* What the window takes as the time now, a unix time: the tests set one
 * to see the time left count down without waiting. */
typedef gint64 (*CdmWindowClock) (gpointer data);

/* @clock: (nullable): the clock, or %NULL for the real one */
void       cdm_window_set_clock  (CdmWindow      *self,
                                  CdmWindowClock  clock,
                                  gpointer        data);
/* Whether the minute tick of the time left runs now. */
gboolean   cdm_window_is_ticking (CdmWindow      *self);
/* What the minute tick does: the time left of each open request again. */
void       cdm_window_tick       (CdmWindow      *self);

G_END_DECLS
