/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-status.h: the sync status in the main window's header bar.
 *
 * A button that always says where the desk stands (DESIGN.md section 5,
 * Status): offline, syncing (with the progress of a first load), synced
 * and when, changes waiting, conflicts to resolve, refused changes.  Its
 * popover has the details, "Sync Now" (F5, Ctrl+Shift+S: action
 * sync.now), the Conflicts window (sync.conflicts) and signing in
 * (sync.sign-in, the Server page of the preferences).
 *
 * It owns the window's CdmSyncController (cdm-sync-controller.h).
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"
#include "cdm-sync-controller.h"

G_BEGIN_DECLS

#define CDM_TYPE_SYNC_STATUS (cdm_sync_status_get_type ())
G_DECLARE_FINAL_TYPE (CdmSyncStatus, cdm_sync_status, CDM, SYNC_STATUS, GtkWidget)

void               cdm_sync_status_set_store      (CdmSyncStatus *self,
                                                   CdmStore      *store);
/* (transfer none) (nullable): NULL before the store is set */
CdmSyncController *cdm_sync_status_get_controller (CdmSyncStatus *self);

/* What the button says now, and the popover's headline and detail (for
 * the tests). (transfer none) */
const char        *cdm_sync_status_get_label      (CdmSyncStatus *self);
const char        *cdm_sync_status_get_headline   (CdmSyncStatus *self);
const char        *cdm_sync_status_get_detail     (CdmSyncStatus *self);
/* The popover, to show it (tests, screenshots). */
GtkWidget         *cdm_sync_status_get_button     (CdmSyncStatus *self);

/* "Synced 2 min ago" for a sync at @last (unix time) seen at @now; for
 * 0, "Never synced".  (transfer full) */
char              *cdm_sync_status_describe_last  (gint64         last,
                                                   gint64         now);

G_END_DECLS
