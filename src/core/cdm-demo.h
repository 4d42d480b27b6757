/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-demo.h: demo data a counsellor would recognise, and generated
 * stores at benchmark scale.
 *
 * Demo and generated records are written as already synced (no outbox
 * entries) and the store is marked with the setting "origin" = "demo" or
 * "generated", so that sync can refuse to push them to a real server.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_DEMO_ERROR (cdm_demo_error_quark ())

/**
 * CdmDemoError:
 * @CDM_DEMO_ERROR_INVALID_OPTIONS: a year or a count is out of range
 * @CDM_DEMO_ERROR_NOT_EMPTY: the store already holds records that are not
 *   demo data; demo and generated records are never mixed with real ones
 */
typedef enum {
  CDM_DEMO_ERROR_INVALID_OPTIONS,
  CDM_DEMO_ERROR_NOT_EMPTY,
} CdmDemoError;

GQuark cdm_demo_error_quark (void);

/**
 * cdm_demo_fill:
 * @year: the year to fill, 1900–2199 (the years a timestamp may have)
 *
 * The centre's partners, desks and staff, the 2020 programme of group
 * activities, a library of 1,600 resources and a year of contacts,
 * tallies, attendance and satisfaction responses shaped like the 2020
 * report, closures included.  The same @year always gives the same
 * records (fixed seed, ids derived from names), except that what lies
 * after the present moment is not yet counted: activities still to come
 * are planned, and no contact, tally or response is made for them.
 *
 * Runs in one transaction: on error or cancellation nothing is written.
 * Filling a demo store again changes nothing.  A store with other
 * records is refused with %CDM_DEMO_ERROR_NOT_EMPTY.
 */
gboolean cdm_demo_fill (CdmStore      *store,
                        int            year,
                        GCancellable  *cancellable,
                        GError       **error);

typedef struct {
  guint contacts;
  guint resources;
  guint partners;
  guint activities;
  int   year;
  guint32 seed;
} CdmGenerateOptions;

/**
 * cdm_demo_generate:
 * @options: how many of each; a count may be 0.  Contacts without
 *   partners have no referrals, without resources no handed-over
 *   resources; activities without partners have no organisers.
 *
 * Random but plausible records at any scale (benchmarks), all dated in
 * @options->year and reproducible from @options->seed.  Rows are written
 * directly, in one transaction, with the search index kept by its
 * triggers; cancellation is honoured between batches and leaves the store
 * as it was.  The store must be empty (%CDM_DEMO_ERROR_NOT_EMPTY).
 */
gboolean cdm_demo_generate (CdmStore                  *store,
                            const CdmGenerateOptions  *options,
                            GCancellable              *cancellable,
                            GError                   **error);

/**
 * cdm_demo_remove:
 * @out_removed: (out) (optional): whether demo data was removed
 *
 * Empties a store of demo or generated data (its "origin" setting says
 * so) before it receives real records, from a server's first download:
 * every record, link, figure, waiting change and conflict, and the
 * origin, in one transaction.  What was typed on a demo store goes with
 * it: it may refer to invented records, and it was never sent.  A store
 * of real records is left as it is (@out_removed FALSE).
 */
gboolean cdm_demo_remove (CdmStore  *store,
                          gboolean  *out_removed,
                          GError   **error);

G_END_DECLS
