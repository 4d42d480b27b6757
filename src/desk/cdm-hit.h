/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-hit.h: one search result as a GObject, for list models. */
#pragma once

#include <glib-object.h>

#include "cdm-search.h"

G_BEGIN_DECLS

#define CDM_TYPE_HIT (cdm_hit_get_type ())
G_DECLARE_FINAL_TYPE (CdmHit, cdm_hit, CDM, HIT, GObject)

/* Copies what it needs from @hit. */
CdmHit     *cdm_hit_new        (const CdmSearchHit *hit);
CdmEntity   cdm_hit_get_entity (CdmHit *self);
const char *cdm_hit_get_id     (CdmHit *self);
const char *cdm_hit_get_title  (CdmHit *self);
/* (nullable): a second line, or NULL */
const char *cdm_hit_get_detail (CdmHit *self);
/* Whether the partner or resource is marked inactive. */
gboolean    cdm_hit_get_inactive (CdmHit *self);

G_END_DECLS
