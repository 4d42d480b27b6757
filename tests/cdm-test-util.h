/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-test-util.h: what the core tests share. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes @dir and everything below it (a test's temporary folder). */
void cdm_test_remove_tree (const char *dir);

G_END_DECLS
