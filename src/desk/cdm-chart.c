/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-chart.c: a monthly bar chart with closed periods shaded grey.
 *
 * Drawn with GtkSnapshot from the style's own colours (the foreground and
 * libadwaita's accent), so that it reads the same in the light and the
 * dark style; the grey of a closed period is the foreground, faint.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "cdm-chart.h"

typedef struct {
  double start;
  double end;
  char *description;
} Shade;

struct _CdmChart
{
  GtkWidget parent_instance;

  char *title;
  GArray *values;          /* gint64 */
  GPtrArray *labels;       /* char *, short, on the axis */
  GPtrArray *long_labels;  /* char *, in the accessible text */
  GArray *shades;          /* Shade */
  guint threshold;
};

G_DEFINE_FINAL_TYPE (CdmChart, cdm_chart, GTK_TYPE_WIDGET)

#define AXIS_GAP 6
#define MIN_SLOT_WIDTH 22

static void
clear_shade (gpointer data)
{
  Shade *shade = data;

  g_free (shade->description);
}

static int
compare_shades (gconstpointer a,
                gconstpointer b)
{
  const Shade *first = a;
  const Shade *second = b;

  return (first->start > second->start) - (first->start < second->start);
}

/* A round top for the axis: 1, 2 or 5 times a power of ten. */
static gint64
nice_ceiling (gint64 value)
{
  gint64 step = 1;

  if (value <= 0)
    return 1;
  while (step * 10 <= value)
    step *= 10;
  if (step >= value)
    return step;
  if (2 * step >= value)
    return 2 * step;
  if (5 * step >= value)
    return 5 * step;
  return 10 * step;
}

static char *
format_value (CdmChart *self,
              gint64    value)
{
  if (value == CDM_CHART_SUPPRESSED)
    return g_strdup_printf ("< %u", self->threshold);
  return g_strdup_printf ("%'" G_GINT64_FORMAT, value);
}

static void
update_accessible (CdmChart *self)
{
  g_autofree char *summary = cdm_chart_dup_summary (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->title != NULL ? self->title : "",
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary,
                                  -1);
}

static PangoLayout *
small_layout (CdmChart   *self,
              const char *text)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attributes = pango_attr_list_new ();

  pango_attr_list_insert (attributes, pango_attr_scale_new (0.8));
  pango_attr_list_insert (attributes, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attributes);
  pango_attr_list_unref (attributes);
  return layout;
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             double         x,
             double         y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
cdm_chart_snapshot (GtkWidget   *widget,
                    GtkSnapshot *snapshot)
{
  CdmChart *self = CDM_CHART (widget);
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  guint n = self->values->len;
  GdkRGBA foreground, accent, grid, shade_color, dim;
  gint64 max_value = 0;
  gint64 top;
  g_autofree char *top_text = NULL;
  g_autoptr(PangoLayout) top_layout = NULL;
  g_autoptr(PangoLayout) probe = NULL;
  int text_width, text_height, axis_width;
  GArray *spans;
  double plot_x, plot_y, plot_w, plot_h, slot;

  gtk_style_context_get_color (style, &foreground);
  if (!gtk_style_context_lookup_color (style, "accent_bg_color", &accent))
    gdk_rgba_parse (&accent, "#3584e4");
  grid = foreground;
  grid.alpha *= 0.15;
  shade_color = foreground;
  shade_color.alpha *= 0.12;
  dim = foreground;
  dim.alpha *= 0.7;

  if (n == 0 || width <= 0 || height <= 0)
    return;

  for (guint i = 0; i < n; i++)
    max_value = MAX (max_value, g_array_index (self->values, gint64, i));
  /* An empty or nearly empty chart still has a readable axis: 0, 2, 4. */
  top = MAX (nice_ceiling (max_value), 4);

  top_text = format_value (self, top);
  top_layout = small_layout (self, top_text);
  pango_layout_get_pixel_size (top_layout, &axis_width, &text_height);
  probe = small_layout (self, "0");
  pango_layout_get_pixel_size (probe, &text_width, NULL);

  /* Room for the axis' numbers on the left, a value above the tallest
   * bar, and the month names below. */
  plot_x = axis_width + AXIS_GAP;
  plot_y = text_height + 2;
  plot_w = MAX (width - plot_x, 1);
  plot_h = MAX (height - plot_y - text_height - AXIS_GAP, 1);
  slot = plot_w / n;

  /* Closed periods first, under everything else, over the whole height;
   * overlapping ones as one, so that the grey is the same everywhere. */
  spans = g_array_sized_new (FALSE, FALSE, sizeof (Shade), self->shades->len);
  g_array_append_vals (spans, self->shades->data, self->shades->len);
  g_array_sort (spans, compare_shades);
  for (guint s = 0; s < spans->len;)
    {
      double start = g_array_index (spans, Shade, s).start;
      double end = g_array_index (spans, Shade, s).end;

      for (s++; s < spans->len && g_array_index (spans, Shade, s).start <= end; s++)
        end = MAX (end, g_array_index (spans, Shade, s).end);
      start = CLAMP (start, 0, n);
      end = CLAMP (end, 0, n);
      if (end <= start)
        continue;
      gtk_snapshot_append_color (snapshot, &shade_color,
                                 &GRAPHENE_RECT_INIT (plot_x + start * slot, 0,
                                                      (end - start) * slot, plot_y + plot_h));
    }
  g_array_unref (spans);

  /* Grid lines at 0, half and the top, with their values. */
  for (int g = 0; g <= 2; g++)
    {
      double y = plot_y + plot_h - plot_h * g / 2.0;
      g_autofree char *text = format_value (self, top * g / 2);
      g_autoptr(PangoLayout) layout = small_layout (self, text);
      int w, h;

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (plot_x, y - 0.5, plot_w, 1));
      pango_layout_get_pixel_size (layout, &w, &h);
      append_text (snapshot, layout, axis_width - w, y - h / 2.0, &dim);
    }

  for (guint i = 0; i < n; i++)
    {
      gint64 value = g_array_index (self->values, gint64, i);
      double bar_w = MAX (slot * 0.62, 2);
      double x = plot_x + i * slot + (slot - bar_w) / 2;
      double bar_h = value > 0 ? plot_h * (double) value / (double) top : 0;
      const char *label = i < self->labels->len ? g_ptr_array_index (self->labels, i) : "";
      g_autoptr(PangoLayout) label_layout = small_layout (self, label);
      g_autofree char *value_text = format_value (self, value);
      g_autoptr(PangoLayout) value_layout = small_layout (self, value_text);
      int w, h;

      if (bar_h > 0)
        gtk_snapshot_append_color (snapshot, &accent,
                                   &GRAPHENE_RECT_INIT (x, plot_y + plot_h - bar_h, bar_w, bar_h));

      /* The value above its bar, when it fits in the slot. */
      pango_layout_get_pixel_size (value_layout, &w, &h);
      if (w <= slot - 2)
        append_text (snapshot, value_layout, plot_x + i * slot + (slot - w) / 2,
                     plot_y + plot_h - bar_h - h, value == CDM_CHART_SUPPRESSED ? &dim : &foreground);

      pango_layout_get_pixel_size (label_layout, &w, &h);
      if (w <= slot)
        append_text (snapshot, label_layout, plot_x + i * slot + (slot - w) / 2,
                     plot_y + plot_h + AXIS_GAP / 2.0, &dim);
    }
}

static void
cdm_chart_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  CdmChart *self = CDM_CHART (widget);
  guint n = MAX (self->values->len, 12);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 40 + n * MIN_SLOT_WIDTH;
      *natural = 40 + n * 32;
    }
  else
    {
      *minimum = 140;
      *natural = 180;
    }
}

static void
cdm_chart_finalize (GObject *object)
{
  CdmChart *self = CDM_CHART (object);

  g_free (self->title);
  g_array_unref (self->values);
  g_ptr_array_unref (self->labels);
  g_ptr_array_unref (self->long_labels);
  g_array_unref (self->shades);

  G_OBJECT_CLASS (cdm_chart_parent_class)->finalize (object);
}

static void
cdm_chart_class_init (CdmChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cdm_chart_finalize;
  widget_class->snapshot = cdm_chart_snapshot;
  widget_class->measure = cdm_chart_measure;

  gtk_widget_class_set_css_name (widget_class, "cdm-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cdm_chart_init (CdmChart *self)
{
  self->values = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->labels = g_ptr_array_new_with_free_func (g_free);
  self->long_labels = g_ptr_array_new_with_free_func (g_free);
  self->shades = g_array_new (FALSE, TRUE, sizeof (Shade));
  g_array_set_clear_func (self->shades, clear_shade);
  self->threshold = 5;

  /* The accent colour changes with the style: draw again. */
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
  update_accessible (self);
}

GtkWidget *
cdm_chart_new (void)
{
  return g_object_new (CDM_TYPE_CHART, NULL);
}

void
cdm_chart_set_title (CdmChart   *self,
                     const char *title)
{
  g_return_if_fail (CDM_IS_CHART (self));

  g_free (self->title);
  self->title = g_strdup (title);
  update_accessible (self);
}

const char *
cdm_chart_get_title (CdmChart *self)
{
  g_return_val_if_fail (CDM_IS_CHART (self), NULL);

  return self->title;
}

void
cdm_chart_set_values (CdmChart           *self,
                      const gint64       *values,
                      guint               n_values,
                      const char * const *labels,
                      const char * const *long_labels)
{
  g_return_if_fail (CDM_IS_CHART (self));
  g_return_if_fail (n_values == 0 || values != NULL);

  g_array_set_size (self->values, 0);
  g_ptr_array_set_size (self->labels, 0);
  g_ptr_array_set_size (self->long_labels, 0);
  for (guint i = 0; i < n_values; i++)
    {
      gint64 value = values[i] < 0 ? CDM_CHART_SUPPRESSED : values[i];

      g_array_append_val (self->values, value);
      g_ptr_array_add (self->labels, g_strdup (labels != NULL ? labels[i] : ""));
      g_ptr_array_add (self->long_labels,
                       g_strdup (long_labels != NULL ? long_labels[i] : labels != NULL ? labels[i] : ""));
    }

  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
cdm_chart_get_n_values (CdmChart *self)
{
  g_return_val_if_fail (CDM_IS_CHART (self), 0);

  return self->values->len;
}

gint64
cdm_chart_get_value (CdmChart *self,
                     guint     index)
{
  g_return_val_if_fail (CDM_IS_CHART (self), 0);
  g_return_val_if_fail (index < self->values->len, 0);

  return g_array_index (self->values, gint64, index);
}

void
cdm_chart_set_suppression_threshold (CdmChart *self,
                                     guint     threshold)
{
  g_return_if_fail (CDM_IS_CHART (self));

  self->threshold = threshold;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cdm_chart_clear_shading (CdmChart *self)
{
  g_return_if_fail (CDM_IS_CHART (self));

  g_array_set_size (self->shades, 0);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cdm_chart_add_shading (CdmChart   *self,
                       double      start,
                       double      end,
                       const char *description)
{
  Shade shade = { start, end, g_strdup (description) };

  g_return_if_fail (CDM_IS_CHART (self));

  g_array_append_val (self->shades, shade);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
cdm_chart_is_shaded (CdmChart *self,
                     guint     index)
{
  g_return_val_if_fail (CDM_IS_CHART (self), FALSE);

  for (guint s = 0; s < self->shades->len; s++)
    {
      Shade *shade = &g_array_index (self->shades, Shade, s);

      if (shade->start < index + 1 && shade->end > index)
        return TRUE;
    }
  return FALSE;
}

char *
cdm_chart_dup_summary (CdmChart *self)
{
  GString *text;

  g_return_val_if_fail (CDM_IS_CHART (self), NULL);

  text = g_string_new (self->title);
  if (text->len > 0)
    g_string_append (text, ". ");

  for (guint i = 0; i < self->values->len; i++)
    {
      g_autofree char *value = format_value (self, g_array_index (self->values, gint64, i));

      /* Translators: one bar of a chart, read aloud: "March: 1,234" */
      g_string_append_printf (text, _("%s: %s"), (char *) g_ptr_array_index (self->long_labels, i), value);
      g_string_append (text, i + 1 < self->values->len ? "; " : ".");
    }

  for (guint s = 0; s < self->shades->len; s++)
    {
      Shade *shade = &g_array_index (self->shades, Shade, s);

      if (shade->description == NULL)
        continue;
      g_string_append_c (text, ' ');
      /* Translators: a closed period, shaded grey on a chart */
      g_string_append_printf (text, _("Closed %s."), shade->description);
    }

  return g_string_free (text, FALSE);
}
