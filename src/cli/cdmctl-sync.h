/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdmctl-sync.h: the sync commands of cdmctl (login, logout, sync, and the
 * sync part of status), called by their option parsers in cdmctl.c.
 *
 * Errors are returned as GError: CDM_SYNC_ERROR and CDM_STORE_ERROR are
 * failures (exit status 1); G_OPTION_ERROR is bad usage (2).
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

/* Signs in to @server as @user; the password is read from @password_file
 * (first line) or, when NULL, prompted for on the terminal without echo
 * (or read as one line from a standard input that is not a terminal).
 * The token goes to the token file of the store (cdm_sync_token_path()),
 * mode 0600; the store records the server and the login. */
gboolean cdmctl_sync_login  (CdmStore    *store,
                             const char  *server,
                             const char  *user,
                             const char  *password_file,
                             GError     **error);
/* Revokes the token on the server if it can and forgets it here. */
gboolean cdmctl_sync_logout (CdmStore    *store,
                             GError     **error);
/* One sync run, with a summary on standard output and, on a terminal,
 * the progress of a bootstrap on standard error. */
gboolean cdmctl_sync_run    (CdmStore    *store,
                             gboolean     bootstrap,
                             GError     **error);
/* The sync lines of `cdmctl status`. */
gboolean cdmctl_sync_print_status (CdmStore  *store,
                                   GError   **error);

G_END_DECLS
