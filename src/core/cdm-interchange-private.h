/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the NDJSON (cdm-interchange.c) and CSV (cdm-csv.c) readers share:
 * a bounded line reader and the one path by which an imported record
 * reaches the store.
 */
#pragma once

#include "cdm-interchange.h"

G_BEGIN_DECLS

/* No line, and no CSV record, may be longer than this: input cannot make
 * an import hold more than this much of one record in memory. */
#define CDM_IMPORT_MAX_LINE (1024 * 1024)

/* Reads physical lines, LF or CRLF terminated, at most
 * CDM_IMPORT_MAX_LINE bytes each (terminator excluded). */
typedef struct _CdmLineReader CdmLineReader;

CdmLineReader *_cdm_line_reader_new  (GInputStream   *input);
void           _cdm_line_reader_free (CdmLineReader  *reader);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmLineReader, _cdm_line_reader_free)

/* Sets *@out_line to the next line, with its terminator ("\n" or "\r\n",
 * none on a last line without one) and NUL-terminated; it stays valid
 * until the next call.  At the end of the input returns TRUE with
 * *@out_line set to NULL.  A leading UTF-8 byte order mark is dropped.
 * A line over the limit is CDM_IMPORT_ERROR_TOO_LONG. */
gboolean       _cdm_line_reader_next (CdmLineReader  *reader,
                                      const char    **out_line,
                                      gsize          *out_len,
                                      GCancellable   *cancellable,
                                      GError        **error);
/* The number of the line last returned, from 1. */
guint          _cdm_line_reader_get_line_number (CdmLineReader *reader);

/* One import: a bulk transaction on the store from _cdm_importer_new()
 * to _cdm_importer_commit(); freeing it uncommitted rolls back. */
typedef struct _CdmImporter CdmImporter;

CdmImporter *_cdm_importer_new    (CdmStore        *store,
                                   GError         **error);
void         _cdm_importer_free   (CdmImporter     *importer);
CdmStore    *_cdm_importer_get_store (CdmImporter  *importer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmImporter, _cdm_importer_free)

/* Writes @record (which it may modify) found at @line.  A record without
 * an id gets one derived from its content.  A refused record is
 * CDM_IMPORT_ERROR_BAD_LINE, "line N: reason". */
gboolean     _cdm_importer_put    (CdmImporter     *importer,
                                   CdmEntity        entity,
                                   JsonObject      *record,
                                   guint            line,
                                   GError         **error);
gboolean     _cdm_importer_commit (CdmImporter     *importer,
                                   CdmImportStats  *out_stats,
                                   GError         **error);

/* Sets CDM_IMPORT_ERROR_BAD_LINE with "line N: " before the message. */
void         _cdm_import_set_line_error (GError      **error,
                                         guint         line,
                                         const char   *format,
                                         ...) G_GNUC_PRINTF (3, 4);

/* At most @max characters of @text (valid UTF-8), for quoting input in
 * a message. */
char        *_cdm_import_excerpt (const char *text,
                                  glong       max);

G_END_DECLS
