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

/* The centre's partners, the 2020 activities, a library of ~1,600
 * resources and a year of contacts, tallies and attendance shaped like
 * the 2020 report, closures included. */
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

/* Random but plausible records at any scale, in large transactions. */
gboolean cdm_demo_generate (CdmStore                  *store,
                            const CdmGenerateOptions  *options,
                            GCancellable              *cancellable,
                            GError                   **error);

G_END_DECLS
