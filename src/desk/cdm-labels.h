/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-labels.h: the words a person reads for the codes of the domain
 * model (cdm-schema.h), in the user's language.
 *
 * Codes never reach the screen: "in_person" reads "In person".  Only the
 * vocabularies the desk shows have labels; an unknown code comes back
 * unchanged, so a newer server's code is still readable.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @field is the field's name in the interchange format ("channel",
 * "service", "site", "themes", "programmes", "gender", "age_band",
 * "region", "status", "education", "heard_from", "frequency" (of a
 * satisfaction response), "closure_scope"; "circle", "organisation_kind",
 * "resource_kind", "audience", "tally_kind" for the "circle" and "kind"
 * fields of partners and resources, "audience" and tally "kind";
 * "activity_mode", "activity_status" for activities).
 * (transfer none) */
const char *cdm_label_for_code (const char *field,
                                const char *code);

/* The language of content (titles and names with fr/nl/en variants) that
 * follows the desktop's locale: "fr", "nl" or "en".  (transfer none) */
const char *cdm_labels_content_language (void);

G_END_DECLS
