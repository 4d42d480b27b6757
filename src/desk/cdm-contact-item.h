/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contact-item.h: one row of the contact list, loaded or not yet. */
#pragma once

#include <glib-object.h>

#include "cdm-contact-query.h"

G_BEGIN_DECLS

#define CDM_TYPE_CONTACT_ITEM (cdm_contact_item_get_type ())
G_DECLARE_FINAL_TYPE (CdmContactItem, cdm_contact_item, CDM, CONTACT_ITEM, GObject)

/* @row: (transfer full) (nullable): the row, or %NULL for a placeholder
 * shown until its page arrives. */
CdmContactItem      *cdm_contact_item_new     (CdmContactRow  *row);
/* Fills a placeholder in place, so that a selection keeps it.
 * @row: (transfer full) */
void                 cdm_contact_item_set_row (CdmContactItem *self,
                                               CdmContactRow  *row);
/* (nullable): %NULL while the row is loading. */
const CdmContactRow *cdm_contact_item_get_row (CdmContactItem *self);

G_END_DECLS
