/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-hit.c: one search result as a GObject, for list models. */

#include "config.h"

#include "cdm-content-order.h"
#include "cdm-hit.h"

struct _CdmHit
{
  GObject parent_instance;

  CdmEntity entity;
  char *id;
  char *title;
  char *detail;
  gboolean inactive;
};

G_DEFINE_FINAL_TYPE (CdmHit, cdm_hit, G_TYPE_OBJECT)

static void
cdm_hit_finalize (GObject *object)
{
  CdmHit *self = CDM_HIT (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->detail);

  G_OBJECT_CLASS (cdm_hit_parent_class)->finalize (object);
}

static void
cdm_hit_class_init (CdmHitClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cdm_hit_finalize;
}

static void
cdm_hit_init (CdmHit *self)
{
}

CdmHit *
cdm_hit_new (const CdmSearchHit *hit)
{
  CdmHit *self;
  const char *title;

  g_return_val_if_fail (hit != NULL, NULL);

  self = g_object_new (CDM_TYPE_HIT, NULL);
  self->entity = hit->entity;
  self->id = g_strdup (hit->id);
  /* Names and titles in the desk's content language order; the store's
   * choice when the hit has a single title (a resource). */
  title = cdm_content_pick (hit->titles[0], hit->titles[1], hit->titles[2]);
  if (title == NULL)
    title = hit->title;
  self->title = g_strdup (title != NULL ? title : "");
  self->inactive = hit->inactive;
  /* An empty second line would leave a gap under the title. */
  if (hit->detail != NULL && hit->detail[0] != '\0')
    self->detail = g_strdup (hit->detail);

  return self;
}

CdmEntity
cdm_hit_get_entity (CdmHit *self)
{
  g_return_val_if_fail (CDM_IS_HIT (self), CDM_N_ENTITIES);
  return self->entity;
}

const char *
cdm_hit_get_id (CdmHit *self)
{
  g_return_val_if_fail (CDM_IS_HIT (self), NULL);
  return self->id;
}

const char *
cdm_hit_get_title (CdmHit *self)
{
  g_return_val_if_fail (CDM_IS_HIT (self), NULL);
  return self->title;
}

const char *
cdm_hit_get_detail (CdmHit *self)
{
  g_return_val_if_fail (CDM_IS_HIT (self), NULL);
  return self->detail;
}

gboolean
cdm_hit_get_inactive (CdmHit *self)
{
  g_return_val_if_fail (CDM_IS_HIT (self), FALSE);
  return self->inactive;
}
