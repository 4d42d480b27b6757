/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-i18n.h: choosing among the French, Dutch and English variants of a
 * name or title ({"fr": …, "nl": …, "en": …} in the interchange format).
 *
 * A person sets the order in which they read content; a variant missing
 * or empty in that order falls back on the others, French, Dutch, English,
 * so that a record with a single name always shows it.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* "fr", "nl", "en", NULL: the languages content is written in, in the
 * centre's order (the fallback). */
extern const char * const cdm_content_languages[];

/**
 * cdm_i18n_order:
 * @preferred: (nullable) (array zero-terminated=1): language codes, best
 *   first; codes other than fr, nl and en and repeats are skipped
 *
 * Returns: (transfer full): the three content languages, those of
 * @preferred first in their order, then the others in the centre's order.
 */
GStrv       cdm_i18n_order         (const char * const *preferred);

/**
 * cdm_i18n_pick:
 * @fr, @nl, @en: (nullable): the variants
 * @order: (nullable) (array zero-terminated=1): language codes, best first
 *
 * Returns: (transfer none) (nullable): the first variant of @order that is
 * neither %NULL nor empty, else the first such of fr, nl, en; %NULL when
 * all are missing.
 */
const char *cdm_i18n_pick          (const char         *fr,
                                    const char         *nl,
                                    const char         *en,
                                    const char * const *order);

/* The same over an object {"fr": …, "nl": …, "en": …} (nullable); members
 * that are not strings count as missing.  (transfer none) */
const char *cdm_i18n_pick_object   (JsonObject         *variants,
                                    const char * const *order);

G_END_DECLS
