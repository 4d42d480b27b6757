/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-search.h: full-text search over partners, resources and activities.
 *
 * FTS5 with diacritics folded: "metiers" finds "métiers"; every word typed
 * is a prefix, so results come as one types; results are ranked (bm25, the
 * names and titles weigh most).  Whatever a person types is taken as plain
 * words: quotes, operators, unbalanced parentheses, invalid UTF-8 or a
 * 10 KB paste give results or nothing, never an error.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

typedef struct {
  CdmEntity entity;  /* ORGANISATION, RESOURCE or ACTIVITY */
  char *id;
  char *title;       /* in the first language of the store's order that has one */
  char *detail;      /* acronym, authors or date: a second line for a list */
  double rank;       /* lower is better */
  gboolean inactive; /* a partner or resource whose "active" is false */
  char *titles[3];   /* the name or title in fr, nl, en (NULL when none;
                      * always NULL for resources, which have one title) */
} CdmSearchHit;

void cdm_search_hit_free (CdmSearchHit *hit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmSearchHit, cdm_search_hit_free)

/**
 * cdm_search:
 * @entity: CDM_ENTITY_ORGANISATION, _RESOURCE or _ACTIVITY, or
 *   CDM_N_ENTITIES for all three
 * @query: what the person typed, any bytes
 * @limit: at most this many hits
 *
 * Returns: (transfer full) (element-type CdmSearchHit): the hits, best
 * first; an empty array when nothing matches or nothing searchable was
 * typed.  Tombstoned records never appear.  %NULL only on a store failure.
 */
GPtrArray *cdm_search        (CdmStore      *store,
                              CdmEntity      entity,
                              const char    *query,
                              guint          limit,
                              GCancellable  *cancellable,
                              GError       **error);
void       cdm_search_async  (CdmStore            *store,
                              CdmEntity            entity,
                              const char          *query,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
GPtrArray *cdm_search_finish (CdmStore      *store,
                              GAsyncResult  *result,
                              GError       **error);

/**
 * CdmResourceFilter:
 * @kind: a code of cdm_resource_kinds, or %NULL for any kind
 * @theme: a code of cdm_themes, or %NULL for any theme
 * @language: "fr", "nl" or "en", or %NULL for any language
 * @audience: a code of cdm_audiences, or %NULL for any audience
 *
 * What narrows a search of the library.
 */
typedef struct {
  const char *kind;
  const char *theme;
  const char *language;
  const char *audience;
} CdmResourceFilter;

/**
 * cdm_search_resources:
 * @filter: (nullable): what the resources must be; %NULL for any
 *
 * Like cdm_search() on resources, keeping only those that pass @filter.
 * With nothing searchable typed but a filter set, lists the resources
 * that pass it by title, so that a person can browse a kind or a theme.
 * A code that is not in its vocabulary is a CDM_RECORD_ERROR_UNKNOWN_CODE.
 */
GPtrArray *cdm_search_resources        (CdmStore                 *store,
                                        const char               *query,
                                        const CdmResourceFilter  *filter,
                                        guint                     limit,
                                        GCancellable             *cancellable,
                                        GError                  **error);
void       cdm_search_resources_async  (CdmStore                 *store,
                                        const char               *query,
                                        const CdmResourceFilter  *filter,
                                        guint                     limit,
                                        GCancellable             *cancellable,
                                        GAsyncReadyCallback       callback,
                                        gpointer                  user_data);
GPtrArray *cdm_search_resources_finish (CdmStore                 *store,
                                        GAsyncResult             *result,
                                        GError                  **error);

/* Turns typed text into a safe FTS5 MATCH expression of prefix terms, or
 * NULL when nothing searchable is left.  Exposed for tests and benchmarks. */
char      *cdm_search_build_match (const char *query);

G_END_DECLS
