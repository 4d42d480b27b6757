/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contact-list.h: the contacts matching a filter, as a GListModel
 * that reads its rows a page at a time, when a list shows them. */
#pragma once

#include <gio/gio.h>

#include "cdm-contact-query.h"

G_BEGIN_DECLS

#define CDM_TYPE_CONTACT_LIST (cdm_contact_list_get_type ())
G_DECLARE_FINAL_TYPE (CdmContactList, cdm_contact_list, CDM, CONTACT_LIST, GObject)

/* Items are CdmContactItem.  Properties: "n-items" (guint), "loading"
 * (gboolean, TRUE while the contacts are being counted).  ::failed
 * (const char *message) when the store cannot be read; ::reset just
 * before all the items are replaced. */
CdmContactList *cdm_contact_list_new        (void);
void            cdm_contact_list_set_store  (CdmContactList         *self,
                                             CdmStore               *store);
/* Copies @filter and lists its contacts; an older filter's reads are
 * cancelled. */
void            cdm_contact_list_set_filter (CdmContactList         *self,
                                             const CdmContactFilter *filter);
/* Reads the list again, after a contact was logged, changed or removed. */
void            cdm_contact_list_refresh    (CdmContactList         *self);
gboolean        cdm_contact_list_is_loading (CdmContactList         *self);

G_END_DECLS
