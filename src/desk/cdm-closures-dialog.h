/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-closures-dialog.h: the periods the centre or a service was closed.
 *
 * Lists the closures (first and last day, what was closed, why), earliest
 * first, and adds, edits and deletes them; a deleted closure can be put
 * back with Undo.  The form checks what it is given (libcdm's
 * cdm_closure_check()) and shows what is wrong beside the field at fault,
 * writing nothing.  Every read and write runs in a worker thread;
 * "changed" is emitted once a change is on disk.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_CLOSURES_DIALOG (cdm_closures_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CdmClosuresDialog, cdm_closures_dialog, CDM, CLOSURES_DIALOG, AdwWindow)

CdmClosuresDialog *cdm_closures_dialog_new (GtkWindow *parent,
                                            CdmStore  *store);

/* How many closures the list shows, once read (-1 while reading). */
int cdm_closures_dialog_get_n_closures (CdmClosuresDialog *self);

/* Opens the form for a new closure (what the Add button does). */
void cdm_closures_dialog_add (CdmClosuresDialog *self);

/* "16 March 2020 – 28 June 2020" for the days "2020-03-16" and
 * "2020-06-28"; one day when they are the same. (transfer full) */
char *cdm_closures_dialog_format_period (const char *from,
                                         const char *to);

G_END_DECLS
