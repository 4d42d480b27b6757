/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-conflicts-window.h: what sync could not settle alone.
 *
 * Same-field conflicts, each with both values side by side in words (the
 * labels of codes, the names of referenced records): a click on a value
 * keeps it, written as a normal local change so that it syncs
 * (cdm_sync_resolve_conflict()).  Below, the changes the server refused,
 * with its reason: shown (or opened in the partner editor), sent again,
 * or discarded after a confirmation.
 */
#pragma once

#include <adwaita.h>

#include "cdm-sync-controller.h"

G_BEGIN_DECLS

#define CDM_TYPE_SYNC_CONFLICTS_WINDOW (cdm_sync_conflicts_window_get_type ())
G_DECLARE_FINAL_TYPE (CdmSyncConflictsWindow, cdm_sync_conflicts_window, CDM, SYNC_CONFLICTS_WINDOW, AdwWindow)

CdmSyncConflictsWindow *cdm_sync_conflicts_window_new (GtkWindow         *parent,
                                                       CdmSyncController *controller);

/* Whether the lists shown are up to date (for the tests). */
gboolean cdm_sync_conflicts_window_is_loaded (CdmSyncConflictsWindow *self);

G_END_DECLS
