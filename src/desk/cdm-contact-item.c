/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contact-item.c: one row of the contact list, loaded or not yet. */

#include "config.h"

#include "cdm-contact-item.h"

struct _CdmContactItem
{
  GObject parent_instance;

  CdmContactRow *row;
};

G_DEFINE_FINAL_TYPE (CdmContactItem, cdm_contact_item, G_TYPE_OBJECT)

static void
cdm_contact_item_finalize (GObject *object)
{
  CdmContactItem *self = CDM_CONTACT_ITEM (object);

  g_clear_pointer (&self->row, cdm_contact_row_free);

  G_OBJECT_CLASS (cdm_contact_item_parent_class)->finalize (object);
}

static void
cdm_contact_item_class_init (CdmContactItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cdm_contact_item_finalize;
}

static void
cdm_contact_item_init (CdmContactItem *self)
{
}

CdmContactItem *
cdm_contact_item_new (CdmContactRow *row)
{
  CdmContactItem *self = g_object_new (CDM_TYPE_CONTACT_ITEM, NULL);

  self->row = row;
  return self;
}

const CdmContactRow *
cdm_contact_item_get_row (CdmContactItem *self)
{
  g_return_val_if_fail (CDM_IS_CONTACT_ITEM (self), NULL);

  return self->row;
}

void
cdm_contact_item_set_row (CdmContactItem *self,
                          CdmContactRow  *row)
{
  g_return_if_fail (CDM_IS_CONTACT_ITEM (self));

  g_clear_pointer (&self->row, cdm_contact_row_free);
  self->row = row;
}
