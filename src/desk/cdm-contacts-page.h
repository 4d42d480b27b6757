/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contacts-page.h: the contact log, filtered, with edit, delete and undo. */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_CONTACTS_PAGE (cdm_contacts_page_get_type ())
G_DECLARE_FINAL_TYPE (CdmContactsPage, cdm_contacts_page, CDM, CONTACTS_PAGE, GtkWidget)

/* ::contacts-changed is emitted after this page edited or removed a
 * contact or undid that, so that other views can count again. */
void cdm_contacts_page_set_store (CdmContactsPage *self,
                                  CdmStore        *store);
/* Reads the list again (after a contact was logged elsewhere). */
void cdm_contacts_page_refresh   (CdmContactsPage *self);
/* Gives the list the keyboard focus. */
void cdm_contacts_page_focus_list (CdmContactsPage *self);

G_END_DECLS
