/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-report-pdf.h: the annual figures report as a PDF.
 *
 * Lays a CdmReport out as the figures pages of the centre's annual
 * reports: the headline numbers and the progress to the objective, the
 * advice by channel, the group activities, the multimedia area and the
 * programmes; the monthly charts of each service with the closures
 * shaded grey; the visitor profile, the remote requests answered within
 * 48 h and satisfaction; the closures listed.  A4, page numbers, the
 * centre's name on every page.
 *
 * Every number is read from the report's cells (cdm_report_lookup()), so
 * the PDF states what the JSON, the CSV and the text state, withheld
 * counts included ("< 5").
 *
 * Drawn with cairo and Pango only: this library is for cdmctl, the desk
 * and the server alike, and libcdm itself stays free of cairo.
 *
 * Thread safety: cdm_report_write_pdf() may run in any thread; the
 * language is per call (the catalogue is read from the folder gettext
 * has bound for the package), never the process's locale.
 */
#pragma once

#include "cdm-report.h"

G_BEGIN_DECLS

#define CDM_REPORT_PDF_ERROR (cdm_report_pdf_error_quark ())

/**
 * CdmReportPdfError:
 * @CDM_REPORT_PDF_ERROR_LANGUAGE: the language is not one the report is
 *   written in ("fr", "nl", "en"), or its translation is not installed
 * @CDM_REPORT_PDF_ERROR_FAILED: cairo could not write the file (the
 *   message says why: no such folder, disk full…)
 */
typedef enum {
  CDM_REPORT_PDF_ERROR_LANGUAGE,
  CDM_REPORT_PDF_ERROR_FAILED,
} CdmReportPdfError;

GQuark cdm_report_pdf_error_quark (void);

/**
 * cdm_report_write_pdf:
 * @report: a computed report
 * @path: the file to write; replaced only when the whole report was
 *   written (a temporary file beside it is renamed)
 * @language: "fr", "nl" or "en"
 * @error: CDM_REPORT_PDF_ERROR or G_IO_ERROR
 *
 * Writes the figures report.  Takes about 0.1 s.
 *
 * Returns: TRUE on success; on failure nothing is left at @path that was
 *   not there before
 */
gboolean cdm_report_write_pdf (CdmReport   *report,
                               const char  *path,
                               const char  *language,
                               GError     **error);

G_END_DECLS
