/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-multimedia-page.h: the steward's multimedia counter.
 *
 * One large button per kind of help given in the multimedia area; a
 * click records one visit (a multimedia_tally of count 1 for today) and
 * offers to undo it; the page shows today's tally per kind and in all.
 */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_MULTIMEDIA_PAGE (cdm_multimedia_page_get_type ())
G_DECLARE_FINAL_TYPE (CdmMultimediaPage, cdm_multimedia_page, CDM, MULTIMEDIA_PAGE, GtkWidget)

void cdm_multimedia_page_set_store (CdmMultimediaPage *self,
                                    CdmStore          *store);
/* Reads today's tally again, in a worker thread. */
void cdm_multimedia_page_refresh   (CdmMultimediaPage *self);

G_END_DECLS
