/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-detail-window.h: everything the store knows of one partner or one
 * library resource, in a window of its own.
 *
 * The record is read in a worker thread; the window shows a spinner until
 * it arrives.  For a resource, "Hand Over" emits ::hand-over with its id
 * and title so that the main window adds it to the contact being logged.
 * Escape closes the window.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_DETAIL_WINDOW (cdm_detail_window_get_type ())
G_DECLARE_FINAL_TYPE (CdmDetailWindow, cdm_detail_window, CDM, DETAIL_WINDOW, AdwWindow)

/* @entity: CDM_ENTITY_ORGANISATION or CDM_ENTITY_RESOURCE */
CdmDetailWindow *cdm_detail_window_new (GtkWindow  *parent,
                                        CdmStore   *store,
                                        CdmEntity   entity,
                                        const char *id);

G_END_DECLS
