/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-chart.h: a monthly bar chart with closed periods shaded grey, as the
 * charts of the centre's annual report.
 *
 * The chart draws with the colours of the current style (light or dark)
 * and tells assistive technologies what it shows: its accessible label is
 * its title, its accessible description lists every bar's value and the
 * closed periods, the same text cdm_chart_dup_summary() returns.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A value hidden by the small-count rule: drawn as "< 5", no bar. */
#define CDM_CHART_SUPPRESSED (-1)

#define CDM_TYPE_CHART (cdm_chart_get_type ())
G_DECLARE_FINAL_TYPE (CdmChart, cdm_chart, CDM, CHART, GtkWidget)

GtkWidget  *cdm_chart_new          (void);

void        cdm_chart_set_title    (CdmChart   *self,
                                    const char *title);
const char *cdm_chart_get_title    (CdmChart   *self);

/* The bars: @n_values values (>= 0, or CDM_CHART_SUPPRESSED), each with
 * its short @labels (the x axis, e.g. "Jan") and @long_labels (the
 * accessible text, e.g. "January"); both arrays of @n_values strings. */
void        cdm_chart_set_values   (CdmChart           *self,
                                    const gint64       *values,
                                    guint               n_values,
                                    const char * const *labels,
                                    const char * const *long_labels);
guint       cdm_chart_get_n_values (CdmChart           *self);
gint64      cdm_chart_get_value    (CdmChart           *self,
                                    guint               index);

/* The threshold shown for a suppressed value: "< @threshold" (5). */
void        cdm_chart_set_suppression_threshold (CdmChart *self,
                                                 guint     threshold);

/* Closed periods: removes them all, then adds spans on the x axis where
 * bar i covers [i, i + 1): a closure from the 16th of March (31 days) to
 * the end of April is 2 + 15/31 .. 4.  @description names the period in
 * the accessible text ("16 March – 30 April: whole centre"). */
void        cdm_chart_clear_shading (CdmChart   *self);
void        cdm_chart_add_shading   (CdmChart   *self,
                                     double      start,
                                     double      end,
                                     const char *description);
/* Whether any shaded span covers part of bar @index. */
gboolean    cdm_chart_is_shaded     (CdmChart   *self,
                                     guint       index);

/* The chart in words: its title, each value, the closed periods.
 * (transfer full) */
char       *cdm_chart_dup_summary   (CdmChart   *self);

G_END_DECLS
