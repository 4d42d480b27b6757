/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-handout.h: the paper a visitor takes home, listing the library's
 * resources handed over, printed on A4 in the user's language.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

/**
 * cdm_handout_print_async:
 * @store: the store holding the resources
 * @resource_ids: (array zero-terminated=1): the resources, in the order
 *   they were handed over; at least one
 * @parent: (nullable): the window the print dialog belongs to
 * @export_filename: (nullable): a PDF file to write instead of showing
 *   the print dialog
 * @cancellable: (nullable): stops loading the resources
 *
 * Loads the resources in a worker thread, then prints the handout: the
 * print dialog when @export_filename is %NULL (the call returns while it
 * is open), else a PDF written at once.  A resource that no longer exists
 * is left out; when none is left, the result is G_IO_ERROR_NOT_FOUND.
 */
void     cdm_handout_print_async  (CdmStore            *store,
                                   const char * const  *resource_ids,
                                   GtkWindow           *parent,
                                   const char          *export_filename,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
/* TRUE when the handout was printed or exported, FALSE with @error set
 * otherwise (G_IO_ERROR_CANCELLED when the user cancelled the dialog). */
gboolean cdm_handout_print_finish (GAsyncResult        *result,
                                   GError             **error);

G_END_DECLS
