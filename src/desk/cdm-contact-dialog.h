/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contact-dialog.h: the form that logs one contact, or edits one.
 *
 * Logging a contact is the most frequent act of the day, so the form opens
 * with the desk's usual answers chosen (in person, individual advice, the
 * desk's site): a plain contact is a theme and Ctrl+Enter.  It writes the
 * record itself and emits ::saved with the new id before closing.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_CONTACT_DIALOG (cdm_contact_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CdmContactDialog, cdm_contact_dialog, CDM, CONTACT_DIALOG, AdwWindow)

CdmContactDialog *cdm_contact_dialog_new (GtkWindow *parent,
                                          CdmStore  *store);
/* Edits the contact @id: same form, prefilled from the store; saving
 * keeps the id, times, desk and author of the record. */
CdmContactDialog *cdm_contact_dialog_new_for_contact (GtkWindow  *parent,
                                                      CdmStore   *store,
                                                      const char *id);
/* The contact as read for editing (the undo of the edit); NULL when
 * logging a new one, or before it is read. */
JsonObject       *cdm_contact_dialog_get_original (CdmContactDialog *self);
/* Adds a library resource to those handed over to the visitor; they go
 * in the record's "resources" on save.  Adding one twice adds it once. */
void              cdm_contact_dialog_add_resource (CdmContactDialog *self,
                                                   const char       *id,
                                                   const char       *title);

G_END_DECLS
