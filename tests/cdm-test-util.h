/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-test-util.h: what the core tests share. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cdm-store.h"

G_BEGIN_DECLS

/* Removes @dir and everything below it (a test's temporary folder). */
void cdm_test_remove_tree (const char *dir);

/* json parsed, which must be valid. */
JsonNode *cdm_test_parse_json (const char *json);

/* A store of its own in a new temporary folder (g_dir_make_tmp() tmpl),
 * for the fixtures of g_test_add(). */
typedef struct {
  char *dir;
  CdmStore *store;
} CdmTestStoreFixture;

void cdm_test_store_fixture_set_up    (CdmTestStoreFixture *fixture,
                                       const char          *tmpl);
void cdm_test_store_fixture_tear_down (CdmTestStoreFixture *fixture);

G_END_DECLS
