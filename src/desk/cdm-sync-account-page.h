/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-account-page.h: the Server page of the preferences.
 *
 * Server address, user name and password to sign in (errors said in
 * plain words under the form), who is signed in and Sign Out, and where
 * the sign-in is kept (the keyring, or a file when there is none).  It
 * works on the main window's CdmSyncController
 * (cdm_sync_controller_get_default()).
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CDM_TYPE_SYNC_ACCOUNT_PAGE (cdm_sync_account_page_get_type ())
G_DECLARE_FINAL_TYPE (CdmSyncAccountPage, cdm_sync_account_page, CDM, SYNC_ACCOUNT_PAGE, AdwPreferencesPage)

G_END_DECLS
