/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* _cdm_store_migrations[i] takes user_version i to i + 1. */
extern const char * const _cdm_store_migrations[];
extern const guint _cdm_store_n_migrations;

G_END_DECLS
