/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-search-page.h: search as you type over partners or the library. */
#pragma once

#include <adwaita.h>

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_TYPE_SEARCH_PAGE (cdm_search_page_get_type ())
G_DECLARE_FINAL_TYPE (CdmSearchPage, cdm_search_page, CDM, SEARCH_PAGE, GtkWidget)

/* @kind: "partners" or "library" (construct-only, set in the .ui).
 * ::hit-activated (CdmHit *hit) is emitted when a hit is chosen. */
void cdm_search_page_set_store   (CdmSearchPage *self,
                                  CdmStore      *store);
/* Gives the search field the keyboard focus. */
void cdm_search_page_focus_entry (CdmSearchPage *self);

G_END_DECLS
