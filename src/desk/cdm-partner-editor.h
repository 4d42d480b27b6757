/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-partner-editor.h: a form to create or edit a partner organisation.
 *
 * Names in French, Dutch and English, acronym, circle, kind, themes,
 * languages, how to reach them, the days they are at the centre's desk,
 * contact people (name, role, phone, e-mail), notes and whether they are
 * active.  The record is read and written in a worker thread; "saved" is
 * emitted with the partner's id once it is on disk.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_PARTNER_EDITOR (cdm_partner_editor_get_type ())
G_DECLARE_FINAL_TYPE (CdmPartnerEditor, cdm_partner_editor, CDM, PARTNER_EDITOR, AdwWindow)

/* @partner_id: the partner to edit, or %NULL for a new one. */
CdmPartnerEditor *cdm_partner_editor_new (GtkWindow  *parent,
                                          CdmStore   *store,
                                          const char *partner_id);

G_END_DECLS
