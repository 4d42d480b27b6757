/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-interchange.h: import and export in the NDJSON format of DESIGN.md
 * section 7, and CSV for partners, resources and contacts.
 *
 * Import is all-or-nothing: every line is checked and written inside one
 * transaction; the first bad line stops it, names its line number and the
 * reason, and nothing is written.  A line without an id gets one derived
 * from its content, so importing the same file twice changes nothing.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_IMPORT_ERROR (cdm_import_error_quark ())

/**
 * CdmImportError:
 * @CDM_IMPORT_ERROR_BAD_LINE: a line is refused; the message starts with
 *   "line N:" and says why (bad JSON, a bad field, an unknown reference...)
 * @CDM_IMPORT_ERROR_BAD_HEADER: a CSV header lacks a required column or
 *   names an unknown one
 * @CDM_IMPORT_ERROR_TOO_LONG: a line is over the limit (1 MiB)
 */
typedef enum {
  CDM_IMPORT_ERROR_BAD_LINE,
  CDM_IMPORT_ERROR_BAD_HEADER,
  CDM_IMPORT_ERROR_TOO_LONG,
} CdmImportError;

GQuark cdm_import_error_quark (void);

typedef struct {
  guint created;
  guint updated;
  guint unchanged;
} CdmImportStats;

/* NDJSON: any mix of types, one record a line; blank lines are skipped. */
gboolean cdm_import_ndjson (CdmStore        *store,
                            GInputStream    *input,
                            CdmImportStats  *out_stats,
                            GCancellable    *cancellable,
                            GError         **error);
/* Writes every live record (or only @entity's, unless CDM_N_ENTITIES),
 * parents before children so that the file imports back. */
gboolean cdm_export_ndjson (CdmStore       *store,
                            CdmEntity       entity,
                            GOutputStream  *output,
                            GCancellable   *cancellable,
                            GError        **error);

/* CSV (RFC 4180, header row) for ORGANISATION, RESOURCE and CONTACT.
 *
 * Export writes a UTF-8 byte order mark, a header row and one CRLF row a
 * record, with the columns of cdm-csv.c in a fixed order.  Import takes the
 * columns in any order (a stored record keeps the fields the file has no
 * column for), commas or, when the header has none, semicolons between
 * cells.  A cell with several values (themes, languages, authors, tags,
 * referrals, resources...) separates them with ";": a value cannot contain
 * ";".  Yes/no cells: true/false, yes/no or 1/0; empty is unknown.  Errors
 * name the line where the row starts, the header being line 1. */
gboolean cdm_csv_supports  (CdmEntity       entity);
gboolean cdm_import_csv    (CdmStore        *store,
                            CdmEntity        entity,
                            GInputStream    *input,
                            CdmImportStats  *out_stats,
                            GCancellable    *cancellable,
                            GError         **error);
gboolean cdm_export_csv    (CdmStore       *store,
                            CdmEntity       entity,
                            GOutputStream  *output,
                            GCancellable   *cancellable,
                            GError        **error);

G_END_DECLS
