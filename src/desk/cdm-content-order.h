/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-content-order.h: the order in which the desk shows the French,
 * Dutch and English variants of partners' names and activities' titles.
 *
 * It is the "content-languages" preference once a person has chosen one;
 * while it is empty (the default) the desktop's language comes first,
 * then the centre's order (fr, nl, en).  Languages missing from the order fall back on the others,
 * so a record with a single name always shows it (cdm-i18n.h).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The three content languages, best first.  (transfer none) */
const char * const *cdm_content_order_get       (void);

/* The variant to show: cdm_i18n_pick() in the desk's order.
 * (transfer none) (nullable) */
const char         *cdm_content_pick            (const char *fr,
                                                 const char *nl,
                                                 const char *en);
const char         *cdm_content_pick_object     (JsonObject *variants);

/* An object that emits "changed" (no arguments) when the order changes,
 * so that what shows content can show it again.  (transfer none) */
GObject            *cdm_content_order_get_notifier (void);

G_END_DECLS
