/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-report-pdf.c: the annual figures report as an A4 PDF.
 *
 * Layout.  Sections flow down the page from a cursor and start a new page
 * when they would not fit; charts and tables are never split.  The
 * document is laid out twice: once on a recording surface to count the
 * pages, so that every footer can say "page 2 of 4", then for real.
 *
 * Language.  The report is written in the language asked for, not the
 * process's: the translations are read here from the package's compiled
 * catalogue (<bound folder>/<lang>/LC_MESSAGES/<package>.mo, the folder
 * bindtextdomain() was given), and _() looks them up in the catalogue of
 * the report being written, held per thread.  The strings are those of
 * the desk where they mean the same (the codes' labels), so they share
 * their translations.
 */
#include "config.h"

#include <errno.h>
#include <libintl.h>
#include <math.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <pango/pangocairo.h>

#include "cdm-report-pdf.h"
#include "cdm-schema.h"

G_DEFINE_QUARK (cdm-report-pdf-error-quark, cdm_report_pdf_error)

/* N_() marks strings for xgettext; they are looked up where used. */
#define N_(s) (s)
/* Errors are for the person running the program: in its language, not
 * the report's. */
#define ERROR_TEXT(s) g_dgettext (GETTEXT_PACKAGE, (s))

/* Catalogues */

typedef struct {
  GBytes *bytes;
  GHashTable *messages;   /* msgid (with "context\004" when any) -> msgstr */
} Catalogue;

static void
catalogue_free (Catalogue *catalogue)
{
  if (catalogue == NULL)
    return;
  g_hash_table_unref (catalogue->messages);
  g_bytes_unref (catalogue->bytes);
  g_free (catalogue);
}

static guint32
read_u32 (const guint8 *data,
          gsize         offset,
          gboolean      swap)
{
  guint32 value;

  memcpy (&value, data + offset, 4);
  return swap ? GUINT32_SWAP_LE_BE (value) : value;
}

/* Reads a GNU .mo file: a header, then two tables of (length, offset)
 * pairs, the originals sorted and their translations.  Every offset is
 * checked against the file's size; a malformed file is no catalogue. */
static Catalogue *
catalogue_load (const char  *path,
                GError     **error)
{
  g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, error);
  Catalogue *catalogue;
  const guint8 *data;
  gsize size;
  guint32 magic, n, originals, translations;
  gboolean swap;

  if (file == NULL)
    return NULL;

  catalogue = g_new0 (Catalogue, 1);
  catalogue->bytes = g_mapped_file_get_bytes (file);
  catalogue->messages = g_hash_table_new (g_str_hash, g_str_equal);
  data = g_bytes_get_data (catalogue->bytes, &size);

  if (size < 28)
    goto bad;
  memcpy (&magic, data, 4);
  if (magic == 0x950412de)
    swap = FALSE;
  else if (magic == 0xde120495)
    swap = TRUE;
  else
    goto bad;
  n = read_u32 (data, 8, swap);
  originals = read_u32 (data, 12, swap);
  translations = read_u32 (data, 16, swap);
  if (n > size / 16 || originals > size - (gsize) n * 8 || translations > size - (gsize) n * 8)
    goto bad;

  for (guint32 i = 0; i < n; i++)
    {
      guint32 olen = read_u32 (data, originals + i * 8, swap);
      guint32 ooff = read_u32 (data, originals + i * 8 + 4, swap);
      guint32 tlen = read_u32 (data, translations + i * 8, swap);
      guint32 toff = read_u32 (data, translations + i * 8 + 4, swap);

      /* Each string ends with a NUL at offset + length. */
      if (ooff >= size || olen >= size - ooff || toff >= size || tlen >= size - toff ||
          data[ooff + olen] != '\0' || data[toff + tlen] != '\0')
        goto bad;
      /* The header (empty msgid) and empty translations are skipped;
       * a plural's msgid stops at its first NUL, as gettext looks it up. */
      if (olen > 0 && tlen > 0)
        g_hash_table_insert (catalogue->messages, (char *) data + ooff, (char *) data + toff);
    }
  return catalogue;

bad:
  g_set_error (error, CDM_REPORT_PDF_ERROR, CDM_REPORT_PDF_ERROR_LANGUAGE,
               ERROR_TEXT (N_("“%s” is not a message catalogue")), path);
  catalogue_free (catalogue);
  return NULL;
}

/* The catalogue of the report this thread is writing (NULL: English). */
static GPrivate current_catalogue;

/* Like gettext (), a translation keeps the format of its msgid. */
static const char *translate (const char *msgid) G_GNUC_FORMAT (1);
static const char *translate_context (const char *context_id,
                                      const char *msgid) G_GNUC_FORMAT (2);

static const char *
translate (const char *msgid)
{
  Catalogue *catalogue = g_private_get (&current_catalogue);
  const char *msgstr;

  if (catalogue == NULL)
    return msgid;
  msgstr = g_hash_table_lookup (catalogue->messages, msgid);
  return msgstr != NULL ? msgstr : msgid;
}

static const char *
translate_context (const char *context_id,
                   const char *msgid)
{
  Catalogue *catalogue = g_private_get (&current_catalogue);
  g_autofree char *key = NULL;
  const char *msgstr;

  if (catalogue == NULL)
    return msgid;
  key = g_strconcat (context_id, "\004", msgid, NULL);
  msgstr = g_hash_table_lookup (catalogue->messages, key);
  return msgstr != NULL ? msgstr : msgid;
}

/* The usual gettext keywords, so that xgettext finds the strings, looked
 * up in the report's language. */
#define _(s) translate (s)
#define C_(c, s) translate_context ((c), (s))


/* Geometry (points), colours, type */

#define PAGE_WIDTH 595.276
#define PAGE_HEIGHT 841.89
#define MARGIN_X 50.0
#define MARGIN_TOP 48.0
#define CONTENT_WIDTH (PAGE_WIDTH - 2 * MARGIN_X)
#define CONTENT_BOTTOM (PAGE_HEIGHT - 62.0)
#define FOOTER_Y (PAGE_HEIGHT - 40.0)

typedef struct {
  double r, g, b;
} Rgb;

static const Rgb ink = { 0.14, 0.14, 0.16 };
static const Rgb muted = { 0.40, 0.40, 0.44 };
static const Rgb rule = { 0.80, 0.80, 0.82 };
static const Rgb accent = { 0.11, 0.32, 0.56 };
static const Rgb track = { 0.92, 0.92, 0.93 };
static const Rgb closed_all = { 0.78, 0.78, 0.78 };
static const Rgb closed_partial = { 0.90, 0.90, 0.90 };

/* One colour per service, as the charts and the headline tiles use. */
static const Rgb series_colours[CDM_REPORT_N_SERIES] = {
  { 0.11, 0.44, 0.85 },   /* individual advice: blue */
  { 0.90, 0.38, 0.00 },   /* group activities: orange */
  { 0.15, 0.64, 0.41 },   /* multimedia: green */
  { 0.38, 0.21, 0.51 },   /* total: purple */
};

typedef struct {
  CdmReport *report;
  cairo_t *cr;
  const char *language;
  const char *family;
  gboolean counting;      /* the first pass: count pages, draw nothing that shows */
  int page;               /* 1-based, the page being drawn */
  int n_pages;            /* known in the second pass */
  double y;               /* the cursor */
  double row_height;      /* of draw_row() */
} Pdf;

static void
set_colour (cairo_t    *cr,
            const Rgb  *c)
{
  cairo_set_source_rgb (cr, c->r, c->g, c->b);
}

/* The first of the report's faces that fontconfig has. */
static const char *
pick_family (void)
{
  static const char * const wanted[] = { "Cantarell", "DejaVu Sans" };
  static const char *family = NULL;
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      PangoFontMap *map = pango_cairo_font_map_get_default ();
      PangoFontFamily **families = NULL;
      int n = 0;

      family = "Sans";
      pango_font_map_list_families (map, &families, &n);
      for (guint w = 0; w < G_N_ELEMENTS (wanted) && g_str_equal (family, "Sans"); w++)
        for (int i = 0; i < n; i++)
          if (g_ascii_strcasecmp (pango_font_family_get_name (families[i]), wanted[w]) == 0)
            {
              family = wanted[w];
              break;
            }
      g_free (families);
      g_once_init_leave (&done, 1);
    }
  return family;
}

typedef enum {
  ALIGN_LEFT,
  ALIGN_RIGHT,
  ALIGN_CENTRE,
} Align;

/* Draws @text with its top-left at (@x, @y) in a box @width wide (0: no
 * limit, one line), wrapping when @wrap, ellipsizing otherwise.  Returns
 * the height used. */
static double
draw_text_full (Pdf        *pdf,
                double      x,
                double      y,
                double      width,
                const char *text,
                double      size,
                gboolean    bold,
                Align       align,
                const Rgb  *colour,
                gboolean    wrap)
{
  PangoLayout *layout = pango_cairo_create_layout (pdf->cr);
  PangoFontDescription *font = pango_font_description_new ();
  cairo_font_options_t *options = cairo_font_options_create ();
  int w, h;

  /* Metrics unhinted: the same layout on the recording surface and in
   * the PDF. */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (pango_layout_get_context (layout), options);
  pango_layout_context_changed (layout);
  cairo_font_options_destroy (options);

  pango_font_description_set_family (font, pdf->family);
  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);

  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      if (wrap)
        pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      else
        pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (layout, align == ALIGN_RIGHT ? PANGO_ALIGN_RIGHT :
                                          align == ALIGN_CENTRE ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
    }
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, &w, &h);

  if (width <= 0 && align != ALIGN_LEFT)
    x -= align == ALIGN_RIGHT ? (double) w / PANGO_SCALE : (double) w / PANGO_SCALE / 2;

  set_colour (pdf->cr, colour);
  cairo_move_to (pdf->cr, x, y);
  pango_cairo_show_layout (pdf->cr, layout);
  g_object_unref (layout);
  return (double) h / PANGO_SCALE;
}

static double
draw_text (Pdf        *pdf,
           double      x,
           double      y,
           double      width,
           const char *text,
           double      size,
           gboolean    bold,
           Align       align,
           const Rgb  *colour)
{
  return draw_text_full (pdf, x, y, width, text, size, bold, align, colour, FALSE);
}

/* The height @text would take wrapped in @width. */
static double
measure_text (Pdf        *pdf,
              double      width,
              const char *text,
              double      size)
{
  PangoLayout *layout = pango_cairo_create_layout (pdf->cr);
  PangoFontDescription *font = pango_font_description_new ();
  cairo_font_options_t *options = cairo_font_options_create ();
  int h;

  /* As draw_text_full() does. */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (pango_layout_get_context (layout), options);
  pango_layout_context_changed (layout);
  cairo_font_options_destroy (options);
  pango_font_description_set_family (font, pdf->family);
  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_size (layout, NULL, &h);
  g_object_unref (layout);
  return (double) h / PANGO_SCALE;
}

static void
fill_rect (cairo_t   *cr,
           double     x,
           double     y,
           double     w,
           double     h,
           const Rgb *colour)
{
  set_colour (cr, colour);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
}

static void
hline (cairo_t   *cr,
       double     x,
       double     y,
       double     w,
       const Rgb *colour,
       double     width)
{
  set_colour (cr, colour);
  cairo_set_line_width (cr, width);
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x + w, y);
  cairo_stroke (cr);
}

/* Numbers in the report's language */

/* "29 523" (fr, narrow no-break space), "29.523" (nl), "29,523" (en). */
static char *
format_count (Pdf    *pdf,
              gint64  n)
{
  const char *separator = g_str_equal (pdf->language, "fr") ? "\u202f" :
                          g_str_equal (pdf->language, "nl") ? "." : ",";
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n < 0 ? -n : n);
  GString *out = g_string_new (n < 0 ? "−" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, separator);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* "97,2 %" (fr), "97,2%" (nl), "97.2%" (en). */
static char *
format_share (Pdf    *pdf,
              double  share)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (number, sizeof number, "%.1f", 100.0 * share);
  if (!g_str_equal (pdf->language, "en"))
    {
      char *dot = strchr (number, '.');

      if (dot != NULL)
        *dot = ',';
    }
  return g_strconcat (number, g_str_equal (pdf->language, "fr") ? "\u00a0%" : "%", NULL);
}

static char *
format_suppressed (Pdf *pdf)
{
  return g_strdup_printf ("< %d", cdm_report_get_threshold (pdf->report));
}

/* A cell as the page shows it; a dash when the report has no such figure
 * or the share is unknown. */
static char *
format_cell (Pdf                 *pdf,
             const CdmReportCell *cell)
{
  if (cell == NULL)
    return g_strdup ("–");
  if (cell->suppressed && cell->complementary)
    /* Translators: a count hidden so that a smaller one cannot be worked
     * out from a total; keep it short */
    return g_strdup (_("withheld"));
  if (cell->suppressed)
    return format_suppressed (pdf);
  if (cell->kind == CDM_REPORT_CELL_COUNT)
    return format_count (pdf, cell->count);
  if (!cell->known)
    return g_strdup ("–");
  return format_share (pdf, cell->share);
}

static char *
format_figure (Pdf        *pdf,
               const char *figure,
               const char *breakdown,
               guint       month)
{
  return format_cell (pdf, cdm_report_lookup (pdf->report, figure, breakdown, month));
}

/* A count, or -1 when withheld or absent (nothing to draw). */
static gint64
figure_count (Pdf        *pdf,
              const char *figure,
              const char *breakdown,
              guint       month)
{
  const CdmReportCell *cell = cdm_report_lookup (pdf->report, figure, breakdown, month);

  if (cell == NULL || cell->suppressed || cell->kind != CDM_REPORT_CELL_COUNT)
    return -1;
  return cell->count;
}

/* "16/03/2020" from "2020-03-16". */
static char *
format_day (Pdf        *pdf,
            const char *day)
{
  if (strlen (day) < 10)
    return g_strdup (day);
  return g_strdup_printf ("%.2s/%.2s/%.4s", day + 8, day + 5, day);
}

static const char *
month_abbreviation (guint month)
{
  switch (month)
    {
    case 1: return C_("month", "Jan");
    case 2: return C_("month", "Feb");
    case 3: return C_("month", "Mar");
    case 4: return C_("month", "Apr");
    case 5: return C_("month", "May");
    case 6: return C_("month", "Jun");
    case 7: return C_("month", "Jul");
    case 8: return C_("month", "Aug");
    case 9: return C_("month", "Sep");
    case 10: return C_("month", "Oct");
    case 11: return C_("month", "Nov");
    case 12: return C_("month", "Dec");
    default: return "";
    }
}

static const char *
month_name (guint month)
{
  switch (month)
    {
    case 1: return _("January");
    case 2: return _("February");
    case 3: return _("March");
    case 4: return _("April");
    case 5: return _("May");
    case 6: return _("June");
    case 7: return _("July");
    case 8: return _("August");
    case 9: return _("September");
    case 10: return _("October");
    case 11: return _("November");
    case 12: return _("December");
    default: return "";
    }
}

/* Labels of the codes: the desk's words (cdm-labels.c), so that they
 * share its translations. */

typedef struct {
  const char *code;
  const char *label;
} Label;

static const Label labels[] = {
  { "in_person", N_("In person") },
  { "email", N_("E-mail") },
  { "call_centre", N_("Call centre") },
  { "chat", N_("Chat") },
  { "phone", N_("Phone") },
  { "video", N_("Video call") },
  { "after_group_activity", N_("After a group activity") },
  { "neet_outreach", N_("NEET outreach") },
  { "neet", N_("NEET") },
  { "skills_validation", N_("Skills validation") },
  { "skills_identification", N_("Skills identification") },
  { "euroguidance", N_("Euroguidance") },
  { "prison_reintegration", N_("Prison reintegration") },
  { "disability", N_("Disability") },
  { "formtruck", N_("Formtruck") },
  { "schools", N_("Schools") },
  { "f", N_("Woman") },
  { "m", N_("Man") },
  { "x", N_("Non-binary") },
  { "under_18", N_("Under 18") },
  { "18_24", N_("18 to 24") },
  { "25_29", N_("25 to 29") },
  { "30_49", N_("30 to 49") },
  { "50_plus", N_("50 and over") },
  { "brussels", N_("Brussels") },
  { "wallonia", N_("Wallonia") },
  { "flanders", N_("Flanders") },
  { "abroad", N_("Abroad") },
  { "job_seeker", N_("Job seeker") },
  { "employed", N_("Employed") },
  { "self_employed", N_("Self-employed") },
  { "student", N_("Student") },
  { "primary", N_("Primary school") },
  { "lower_secondary", N_("Lower secondary") },
  { "upper_secondary", N_("Upper secondary") },
  { "higher", N_("Higher education") },
  { "own_initiative", N_("Own initiative") },
  { "partner", N_("A partner") },
  { "school", N_("School") },
  { "social_media", N_("Social media") },
  { "campaign", N_("A campaign") },
  { "word_of_mouth", N_("Word of mouth") },
  { "yes", N_("Yes") },
  { "no", N_("No") },
};

/* Codes that mean different things in different fields. */
static const char *
label_for (const char *field,
           const char *code)
{
  if (g_str_equal (code, "other"))
    return g_str_equal (field, "status") ? _("Other situation") : _("Other way");
  if (g_str_equal (field, "closure_scope"))
    {
      if (g_str_equal (code, "all"))
        return _("Whole centre");
      if (g_str_equal (code, "multimedia"))
        return _("Multimedia area");
      if (g_str_equal (code, "advice"))
        return _("Individual advice");
      if (g_str_equal (code, "activities"))
        return _("Group activities");
      if (g_str_equal (code, "appointment_only"))
        return _("By appointment only");
    }
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].code, code))
      return _(labels[i].label);
  return code;
}

/* Pages */

static void
draw_footer (Pdf *pdf)
{
  g_autofree char *page = NULL;
  g_autofree char *organisation = cdm_report_get_organisation_name (pdf->report, pdf->language);
  const char *centre = cdm_report_get_centre_name (pdf->report);

  if (centre == NULL)
    centre = _("Cité des métiers of Brussels");
  hline (pdf->cr, MARGIN_X, FOOTER_Y - 6, CONTENT_WIDTH, &rule, 0.5);
  draw_text (pdf, MARGIN_X, FOOTER_Y, CONTENT_WIDTH * 0.6,
             organisation != NULL ? organisation : centre, 8, FALSE, ALIGN_LEFT, &muted);
  /* Translators: the page number in the footer of the figures report */
  page = g_strdup_printf (_("Page %d of %d"), pdf->page, MAX (pdf->n_pages, pdf->page));
  draw_text (pdf, MARGIN_X, FOOTER_Y, CONTENT_WIDTH, page, 8, FALSE, ALIGN_RIGHT, &muted);
}

static void
new_page (Pdf *pdf)
{
  draw_footer (pdf);
  cairo_show_page (pdf->cr);
  pdf->page++;
  pdf->y = MARGIN_TOP;
}

/* Starts a new page unless @height fits below the cursor. */
static void
ensure_space (Pdf    *pdf,
              double  height)
{
  if (pdf->y + height > CONTENT_BOTTOM && pdf->y > MARGIN_TOP)
    new_page (pdf);
}

static void
section_title (Pdf        *pdf,
               const char *title,
               double      content_height)
{
  ensure_space (pdf, 30 + content_height);
  pdf->y += 8;
  draw_text (pdf, MARGIN_X, pdf->y, CONTENT_WIDTH, title, 13, TRUE, ALIGN_LEFT, &accent);
  pdf->y += 19;
  hline (pdf->cr, MARGIN_X, pdf->y, CONTENT_WIDTH, &accent, 0.8);
  pdf->y += 8;
}

static char *
period_text (Pdf *pdf)
{
  CdmReport *report = pdf->report;
  guint from = cdm_report_get_from_month (report);
  guint to = cdm_report_get_to_month (report);
  int year = cdm_report_get_year (report);

  if (from == 1 && to == 12)
    return g_strdup_printf ("%d", year);
  if (from == to)
    return g_strdup_printf ("%s %d", month_name (from), year);
  /* Translators: a period of months, e.g. "March – June 2020" */
  return g_strdup_printf (_("%s – %s %d"), month_name (from), month_name (to), year);
}

static void
draw_title (Pdf *pdf)
{
  CdmReport *report = pdf->report;
  g_autofree char *period = period_text (pdf);
  g_autofree char *title = NULL;
  g_autofree char *organisation = cdm_report_get_organisation_name (report, pdf->language);
  const char *centre = cdm_report_get_centre_name (report);

  if (centre == NULL)
    centre = _("Cité des métiers of Brussels");

  fill_rect (pdf->cr, MARGIN_X, pdf->y, 4, 52, &accent);
  draw_text (pdf, MARGIN_X + 14, pdf->y, CONTENT_WIDTH - 14, centre, 10, TRUE, ALIGN_LEFT, &accent);
  /* Translators: the title of the figures report, e.g. "Figures 2020" */
  title = g_strdup_printf (_("Figures %s"), period);
  draw_text (pdf, MARGIN_X + 14, pdf->y + 15, CONTENT_WIDTH - 14, title, 24, TRUE, ALIGN_LEFT, &ink);
  pdf->y += 62;

  if (organisation != NULL)
    {
      int threshold = cdm_report_get_threshold (report);
      g_autofree char *scope = NULL;

      pdf->y += draw_text (pdf, MARGIN_X, pdf->y, CONTENT_WIDTH, organisation, 13, TRUE, ALIGN_LEFT, &ink) + 3;
      if (threshold > 0)
        scope = g_strdup_printf (_("The contacts logged by its counsellors and the group activities "
                                   "it organised or co-organised.  Satisfaction and closures are "
                                   "the whole centre’s.  Counts below %d are shown as “< %d” so "
                                   "that nobody can be recognised, and “withheld” hides a count "
                                   "that would let one of them be worked out from a total."),
                                 threshold, threshold);
      else
        scope = g_strdup (_("The contacts logged by its counsellors and the group activities "
                            "it organised or co-organised.  Satisfaction and closures are "
                            "the whole centre’s."));
      pdf->y += draw_text_full (pdf, MARGIN_X, pdf->y, CONTENT_WIDTH, scope, 8.5, FALSE,
                                ALIGN_LEFT, &muted, TRUE) + 6;
    }
}

/* A tile of the headline: a big number and what it counts. */
static void
draw_tile (Pdf        *pdf,
           double      x,
           double      w,
           const char *value,
           const char *label,
           const Rgb  *colour)
{
  fill_rect (pdf->cr, x, pdf->y, w, 64, &track);
  fill_rect (pdf->cr, x, pdf->y, 3, 64, colour);
  draw_text (pdf, x + 10, pdf->y + 8, w - 14, value, 20, TRUE, ALIGN_LEFT, colour);
  draw_text_full (pdf, x + 10, pdf->y + 36, w - 14, label, 8, FALSE, ALIGN_LEFT, &ink, TRUE);
}

static void
draw_headline (Pdf *pdf)
{
  const double gap = 8, w = (CONTENT_WIDTH - 3 * gap) / 4;
  g_autofree char *total = format_figure (pdf, "total_contacts", NULL, 0);
  g_autofree char *advice = format_figure (pdf, "individual_advice", NULL, 0);
  g_autofree char *groups = format_figure (pdf, "group_participants", NULL, 0);
  g_autofree char *multimedia = format_figure (pdf, "multimedia", NULL, 0);

  section_title (pdf, _("Contacts"), 70);
  draw_tile (pdf, MARGIN_X, w, total, _("Total contacts"), &series_colours[CDM_REPORT_SERIES_TOTAL]);
  draw_tile (pdf, MARGIN_X + (w + gap), w, advice, _("Individual advice"),
             &series_colours[CDM_REPORT_SERIES_INDIVIDUAL_ADVICE]);
  draw_tile (pdf, MARGIN_X + 2 * (w + gap), w, groups, _("Participants in group activities"),
             &series_colours[CDM_REPORT_SERIES_GROUP_PARTICIPANTS]);
  draw_tile (pdf, MARGIN_X + 3 * (w + gap), w, multimedia, _("Multimedia area"),
             &series_colours[CDM_REPORT_SERIES_MULTIMEDIA]);
  pdf->y += 72;
}

static void
draw_objective (Pdf *pdf)
{
  const CdmReportCell *progress = cdm_report_lookup (pdf->report, "objective", "progress", 0);
  g_autofree char *target = NULL, *share = NULL, *line = NULL;
  gint64 projection;
  guint elapsed, days;
  double fraction;

  if (progress == NULL)
    return;  /* an organisation has no objective */

  ensure_space (pdf, 56);
  target = format_figure (pdf, "objective", "target", 0);
  share = format_cell (pdf, progress);
  /* Translators: e.g. "59.0% of the objective of 50,000 contacts" */
  line = g_strdup_printf (_("%s of the objective of %s contacts"), share, target);
  pdf->y += draw_text (pdf, MARGIN_X, pdf->y, CONTENT_WIDTH, line, 10, TRUE, ALIGN_LEFT, &ink) + 4;

  fraction = progress->known ? CLAMP (progress->share, 0.0, 1.0) : 0.0;
  fill_rect (pdf->cr, MARGIN_X, pdf->y, CONTENT_WIDTH, 10, &track);
  fill_rect (pdf->cr, MARGIN_X, pdf->y, CONTENT_WIDTH * fraction, 10, &series_colours[CDM_REPORT_SERIES_TOTAL]);
  if (cdm_report_get_projection (pdf->report, &projection, &elapsed, &days))
    {
      const CdmReportCell *target_cell = cdm_report_lookup (pdf->report, "objective", "target", 0);
      g_autofree char *projected = format_count (pdf, projection);
      g_autofree char *text = NULL;
      double x = target_cell != NULL && target_cell->count > 0
                 ? CONTENT_WIDTH * CLAMP ((double) projection / target_cell->count, 0.0, 1.0) : 0;

      /* The projection as a tick on the bar. */
      set_colour (pdf->cr, &ink);
      cairo_set_line_width (pdf->cr, 1.2);
      cairo_move_to (pdf->cr, MARGIN_X + x, pdf->y - 2);
      cairo_line_to (pdf->cr, MARGIN_X + x, pdf->y + 12);
      cairo_stroke (pdf->cr);
      pdf->y += 14;
      text = g_strdup_printf (_("Projected for the year end: %s contacts (linear on the %u of %u days elapsed)"),
                              projected, elapsed, days);
      pdf->y += draw_text (pdf, MARGIN_X, pdf->y, CONTENT_WIDTH, text, 8.5, FALSE, ALIGN_LEFT, &muted);
    }
  else
    {
      pdf->y += 12;
    }
  pdf->y += 6;
}

#define ROW_HEIGHT 15.0
#define LABEL_WIDTH 190.0
#define VALUE_WIDTH 58.0

/* A row: a label, a bar of @fraction (none when < 0), the value and an
 * optional note (a share) after it. */
static void
draw_row (Pdf        *pdf,
          double      x,
          double      width,
          const char *label,
          double      fraction,
          const char *value,
          const char *note,
          const Rgb  *colour)
{
  double label_width = MIN (LABEL_WIDTH, width * (note != NULL ? 0.44 : 0.5));
  double note_width = note != NULL ? 40 : 0;
  double value_width = note != NULL ? 44 : VALUE_WIDTH;
  double bar_x = x + label_width + 6;
  double bar_w = width - label_width - 6 - value_width - note_width - 6;

  draw_text (pdf, x, pdf->y + 1.5, label_width, label, 9, FALSE, ALIGN_LEFT, &ink);
  if (bar_w > 10)
    {
      fill_rect (pdf->cr, bar_x, pdf->y + pdf->row_height / 2 - 3.5, bar_w, 7, &track);
      if (fraction > 0)
        fill_rect (pdf->cr, bar_x, pdf->y + pdf->row_height / 2 - 3.5, bar_w * MIN (fraction, 1.0), 7, colour);
    }
  draw_text (pdf, x + width - note_width - value_width, pdf->y + 1.5, value_width, value, 9, TRUE,
             ALIGN_RIGHT, &ink);
  if (note != NULL)
    draw_text (pdf, x + width - note_width, pdf->y + 1.5, note_width, note, 8.5, FALSE, ALIGN_RIGHT, &muted);
  pdf->y += pdf->row_height;
}

/* A row of @figure/@breakdown with its bar as a part of @whole_figure. */
static void
draw_count_row (Pdf        *pdf,
                double      x,
                double      width,
                const char *label,
                const char *figure,
                const char *breakdown,
                gint64      whole,
                const Rgb  *colour)
{
  g_autofree char *value = format_figure (pdf, figure, breakdown, 0);
  gint64 n = figure_count (pdf, figure, breakdown, 0);

  draw_row (pdf, x, width, label, n >= 0 && whole > 0 ? (double) n / whole : -1, value, NULL, colour);
}

static void
draw_advice (Pdf *pdf)
{
  const Rgb *colour = &series_colours[CDM_REPORT_SERIES_INDIVIDUAL_ADVICE];
  gint64 total = figure_count (pdf, "individual_advice", NULL, 0);
  guint n = g_strv_length ((char **) cdm_channels);

  section_title (pdf, _("Individual advice by channel"), (n + 1) * ROW_HEIGHT);
  for (guint ch = 0; cdm_channels[ch] != NULL; ch++)
    draw_count_row (pdf, MARGIN_X, CONTENT_WIDTH, label_for ("channel", cdm_channels[ch]),
                    "individual_advice", cdm_channels[ch], total, colour);
  hline (pdf->cr, MARGIN_X, pdf->y + 1, CONTENT_WIDTH, &rule, 0.5);
  pdf->y += 3;
  draw_count_row (pdf, MARGIN_X, CONTENT_WIDTH, _("Total"), "individual_advice", NULL, total, colour);
}

static void
draw_groups_and_multimedia (Pdf *pdf)
{
  const Rgb *orange = &series_colours[CDM_REPORT_SERIES_GROUP_PARTICIPANTS];
  const Rgb *green = &series_colours[CDM_REPORT_SERIES_MULTIMEDIA];
  const double gap = 20, w = (CONTENT_WIDTH - gap) / 2;
  gboolean centre = cdm_report_get_organisation (pdf->report) == NULL;
  gint64 held = figure_count (pdf, "group_activities_held", NULL, 0);
  gint64 participants = figure_count (pdf, "group_participants", NULL, 0);
  gint64 multimedia = figure_count (pdf, "multimedia", NULL, 0);
  double top, left_end;

  ensure_space (pdf, 40 + 6 * ROW_HEIGHT);
  top = pdf->y;
  /* Two columns, each with its own title. */
  pdf->y += 8;
  draw_text (pdf, MARGIN_X, pdf->y, w, _("Group activities"), 13, TRUE, ALIGN_LEFT, &accent);
  draw_text (pdf, MARGIN_X + w + gap, pdf->y, w, _("Multimedia area"), 13, TRUE, ALIGN_LEFT, &accent);
  pdf->y += 19;
  hline (pdf->cr, MARGIN_X, pdf->y, w, &accent, 0.8);
  hline (pdf->cr, MARGIN_X + w + gap, pdf->y, w, &accent, 0.8);
  pdf->y += 8;
  top = pdf->y;

  draw_count_row (pdf, MARGIN_X, w, _("Held in person"), "group_activities_held", "in_person", held, orange);
  draw_count_row (pdf, MARGIN_X, w, _("Held online"), "group_activities_held", "online", held, orange);
  draw_count_row (pdf, MARGIN_X, w, _("Activities held"), "group_activities_held", NULL, held, orange);
  pdf->y += 4;
  draw_count_row (pdf, MARGIN_X, w, _("Participants in person"), "group_participants", "in_person",
                  participants, orange);
  draw_count_row (pdf, MARGIN_X, w, _("Participants online"), "group_participants", "online",
                  participants, orange);
  draw_count_row (pdf, MARGIN_X, w, _("Participants"), "group_participants", NULL, participants, orange);
  left_end = pdf->y;

  pdf->y = top;
  if (centre)
    draw_count_row (pdf, MARGIN_X + w + gap, w, _("Counted at the area"), "multimedia", "tallies",
                    multimedia, green);
  draw_count_row (pdf, MARGIN_X + w + gap, w, _("Logged by counsellors"), "multimedia", "contact_records",
                  multimedia, green);
  draw_count_row (pdf, MARGIN_X + w + gap, w, _("Contacts"), "multimedia", NULL, multimedia, green);
  pdf->y = MAX (pdf->y, left_end) + 4;
}

static void
draw_programmes (Pdf *pdf)
{
  guint n = g_strv_length ((char **) cdm_programmes);
  const double col = 78;
  double x_total = MARGIN_X + CONTENT_WIDTH - col;
  double x_groups = x_total - col;
  double x_contacts = x_groups - col;

  section_title (pdf, _("People reached per programme"), (n + 1) * ROW_HEIGHT);
  draw_text (pdf, x_contacts, pdf->y, col, _("Contacts"), 8, FALSE, ALIGN_RIGHT, &muted);
  draw_text (pdf, x_groups, pdf->y, col, _("In group activities"), 8, FALSE, ALIGN_RIGHT, &muted);
  draw_text (pdf, x_total, pdf->y, col, _("Total"), 8, TRUE, ALIGN_RIGHT, &muted);
  pdf->y += ROW_HEIGHT;
  for (guint p = 0; cdm_programmes[p] != NULL; p++)
    {
      g_autofree char *contacts = format_figure (pdf, "programme_contacts", cdm_programmes[p], 0);
      g_autofree char *groups = format_figure (pdf, "programme_participants", cdm_programmes[p], 0);
      g_autofree char *total = format_figure (pdf, "programmes", cdm_programmes[p], 0);

      if (p % 2 == 0)
        fill_rect (pdf->cr, MARGIN_X, pdf->y, CONTENT_WIDTH, ROW_HEIGHT, &track);
      draw_text (pdf, MARGIN_X + 4, pdf->y + 1.5, x_contacts - MARGIN_X - 8,
                 label_for ("programmes", cdm_programmes[p]), 9, FALSE, ALIGN_LEFT, &ink);
      draw_text (pdf, x_contacts, pdf->y + 1.5, col - 4, contacts, 9, FALSE, ALIGN_RIGHT, &ink);
      draw_text (pdf, x_groups, pdf->y + 1.5, col - 4, groups, 9, FALSE, ALIGN_RIGHT, &ink);
      draw_text (pdf, x_total, pdf->y + 1.5, col - 4, total, 9, TRUE, ALIGN_RIGHT, &ink);
      pdf->y += ROW_HEIGHT;
    }
  pdf->y += 4;
}

/* Monthly charts */

static const char *
series_title (CdmReportSeries series)
{
  switch (series)
    {
    case CDM_REPORT_SERIES_INDIVIDUAL_ADVICE:
      return _("Individual advice");
    case CDM_REPORT_SERIES_GROUP_PARTICIPANTS:
      return _("Participants in group activities");
    case CDM_REPORT_SERIES_MULTIMEDIA:
      return _("Multimedia area");
    case CDM_REPORT_SERIES_TOTAL:
    default:
      return _("Total contacts");
    }
}

/* How a closure of @scope shades the chart of @series: 2 fully (grey),
 * 1 partly (light grey: by appointment only), 0 not at all. */
static int
closure_shade (CdmReportSeries  series,
               const char      *scope)
{
  if (g_str_equal (scope, "all"))
    return 2;
  switch (series)
    {
    case CDM_REPORT_SERIES_INDIVIDUAL_ADVICE:
      return g_str_equal (scope, "advice") ? 2 : g_str_equal (scope, "appointment_only") ? 1 : 0;
    case CDM_REPORT_SERIES_GROUP_PARTICIPANTS:
      return g_str_equal (scope, "activities") ? 2 : 0;
    case CDM_REPORT_SERIES_MULTIMEDIA:
      return g_str_equal (scope, "multimedia") ? 2 : 0;
    case CDM_REPORT_SERIES_TOTAL:
    default:
      return 0;
    }
}

/* A round maximum for the axis: 1, 2 or 5 times a power of ten. */
static double
nice_ceiling (double value)
{
  double magnitude, fraction;

  if (value <= 0)
    return 1;
  magnitude = pow (10, floor (log10 (value)));
  fraction = value / magnitude;
  if (fraction <= 1)
    return magnitude;
  if (fraction <= 2)
    return 2 * magnitude;
  if (fraction <= 5)
    return 5 * magnitude;
  return 10 * magnitude;
}

/* The x of day @day of the year (1-based; @end: its end) on a chart whose
 * month slots start at @x0 and are @slot wide, from month @from. */
static double
day_x (int     year,
       guint   day,
       gboolean end,
       double  x0,
       double  slot,
       guint   from)
{
  GDate date;
  guint month, days;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 1, 1, year);
  g_date_add_days (&date, day - 1);
  month = g_date_get_month (&date);
  days = g_date_get_days_in_month (month, year);
  return x0 + slot * ((month - from) + ((double) g_date_get_day (&date) - (end ? 0 : 1)) / days);
}

#define CHART_HEIGHT 145.0

static void
draw_chart (Pdf             *pdf,
            CdmReportSeries  series)
{
  CdmReport *report = pdf->report;
  const Rgb *colour = &series_colours[series];
  const char *code = cdm_report_series_code (series);
  guint from = cdm_report_get_from_month (report), to = cdm_report_get_to_month (report);
  guint n_months = to - from + 1;
  int year = cdm_report_get_year (report);
  const CdmReportClosure *closures;
  guint n_closures;
  g_autofree char *total = format_figure (pdf, code, NULL, 0);
  g_autofree char *heading = NULL;
  double x0 = MARGIN_X + 42, plot_w = CONTENT_WIDTH - 42, top, bottom, slot, max = 0, axis;

  ensure_space (pdf, CHART_HEIGHT + 22);

  heading = g_strdup_printf ("%s — %s", series_title (series), total);
  fill_rect (pdf->cr, MARGIN_X, pdf->y + 2, 8, 8, colour);
  draw_text (pdf, MARGIN_X + 13, pdf->y, CONTENT_WIDTH - 13, heading, 10, TRUE, ALIGN_LEFT, &ink);
  pdf->y += 18;

  top = pdf->y + 8;
  bottom = top + CHART_HEIGHT - 24;
  slot = plot_w / n_months;

  for (guint m = from; m <= to; m++)
    max = MAX (max, (double) cdm_report_get_series_value (report, series, m));
  /* At least 4, so that the four steps of the axis are whole numbers. */
  axis = MAX (nice_ceiling (max), 4);

  /* Closures behind the bars, clipped to the plot. */
  closures = cdm_report_get_closures (report, &n_closures);
  for (int pass = 1; pass <= 2; pass++)
    for (guint i = 0; i < n_closures; i++)
      {
        int shade = closure_shade (series, closures[i].scope);
        double xa, xb;

        if (shade != pass)
          continue;
        xa = CLAMP (day_x (year, closures[i].first_day, FALSE, x0, slot, from), x0, x0 + plot_w);
        xb = CLAMP (day_x (year, closures[i].last_day, TRUE, x0, slot, from), x0, x0 + plot_w);
        if (xb > xa)
          fill_rect (pdf->cr, xa, top, MAX (xb - xa, 0.8), bottom - top,
                     shade == 2 ? &closed_all : &closed_partial);
      }

  /* Grid and axis labels. */
  for (int g = 0; g <= 4; g++)
    {
      double y = bottom - (bottom - top) * g / 4.0;
      g_autofree char *label = format_count (pdf, (gint64) (axis * g / 4.0));

      hline (pdf->cr, x0, y, plot_w, g == 0 ? &muted : &rule, g == 0 ? 0.8 : 0.4);
      draw_text (pdf, x0 - 4, y - 5, 0, label, 7, FALSE, ALIGN_RIGHT, &muted);
    }

  for (guint m = from; m <= to; m++)
    {
      const CdmReportCell *cell = cdm_report_lookup (report, code, NULL, m);
      double cx = x0 + slot * (m - from);
      double bar_w = slot * 0.58;
      g_autofree char *value = format_cell (pdf, cell);

      if (cell != NULL && !cell->suppressed && cell->count > 0)
        {
          double h = (bottom - top) * cell->count / axis;

          fill_rect (pdf->cr, cx + (slot - bar_w) / 2, bottom - h, bar_w, h, colour);
          draw_text (pdf, cx, bottom - h - 10, slot, value, 6.5, FALSE, ALIGN_CENTRE, &ink);
        }
      else
        {
          draw_text (pdf, cx, bottom - 10, slot, value, 6.5, FALSE, ALIGN_CENTRE, &muted);
        }
      draw_text (pdf, cx, bottom + 3, slot, month_abbreviation (m), 7.5, FALSE, ALIGN_CENTRE, &ink);
    }
  pdf->y = bottom + 20;
}

static void
draw_legend (Pdf *pdf)
{
  double x = MARGIN_X;

  fill_rect (pdf->cr, x, pdf->y + 1, 14, 9, &closed_all);
  draw_text (pdf, x + 18, pdf->y, 190, _("Closed (whole centre or this service)"), 8, FALSE,
             ALIGN_LEFT, &ink);
  x = MARGIN_X + 230;
  fill_rect (pdf->cr, x, pdf->y + 1, 14, 9, &closed_partial);
  draw_text (pdf, x + 18, pdf->y, 200, _("By appointment only"), 8, FALSE, ALIGN_LEFT, &ink);
  pdf->y += 16;
}

static void
draw_months (Pdf *pdf)
{
  static const CdmReportSeries order[] = {
    CDM_REPORT_SERIES_TOTAL,
    CDM_REPORT_SERIES_INDIVIDUAL_ADVICE,
    CDM_REPORT_SERIES_GROUP_PARTICIPANTS,
    CDM_REPORT_SERIES_MULTIMEDIA,
  };

  /* The four charts together on one page when they fit. */
  ensure_space (pdf, 51 + 4 * (CHART_HEIGHT + 22));
  section_title (pdf, _("Month by month"), CHART_HEIGHT + 30);
  draw_legend (pdf);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    draw_chart (pdf, order[i]);
}

/* Profile, remote requests, satisfaction, closures */

static const struct {
  const char *item;
  const char *title;
} profile_items[] = {
  { "gender", N_("Gender") },
  { "age_band", N_("Age") },
  { "region", N_("Place of residence") },
  { "status", N_("Situation") },
  { "education", N_("Education level") },
  { "foreign_diploma", N_("Foreign diploma without equivalence") },
  { "heard_from", N_("How they heard of the centre") },
};

static guint
profile_answers (Pdf        *pdf,
                 const char *figure,
                 const char **answers,
                 guint       max)
{
  const CdmReportCell *cells;
  guint n_cells, n = 0;

  cells = cdm_report_get_cells (pdf->report, &n_cells);
  for (guint i = 0; i < n_cells && n < max; i++)
    if (cells[i].month == 0 && g_str_equal (cells[i].figure, figure) &&
        !g_str_equal (cells[i].breakdown, "unknown") && !g_str_equal (cells[i].breakdown, "answered"))
      answers[n++] = cells[i].breakdown;
  return n;
}

#define PROFILE_ROW_HEIGHT 13.0

static double
profile_block_height (guint n_answers)
{
  return 18 + n_answers * PROFILE_ROW_HEIGHT + 12 + 8;
}

static void
draw_profile_item (Pdf    *pdf,
                   guint   index,
                   double  x,
                   double  width)
{
  g_autofree char *figure = g_strconcat ("profile_", profile_items[index].item, NULL);
  g_autofree char *share_figure = g_strconcat (figure, "_share", NULL);
  g_autofree char *unknown = format_figure (pdf, figure, "unknown", 0);
  g_autofree char *unknown_line = NULL;
  const char *answers[32];
  guint n = profile_answers (pdf, figure, answers, G_N_ELEMENTS (answers));

  draw_text (pdf, x, pdf->y, width, _(profile_items[index].title), 10, TRUE, ALIGN_LEFT, &ink);
  pdf->y += 18;
  pdf->row_height = PROFILE_ROW_HEIGHT;
  for (guint i = 0; i < n; i++)
    {
      const CdmReportCell *share = cdm_report_lookup (pdf->report, share_figure, answers[i], 0);
      g_autofree char *count = format_figure (pdf, figure, answers[i], 0);
      g_autofree char *percent = format_cell (pdf, share);

      draw_row (pdf, x, width, label_for (profile_items[index].item, answers[i]),
                share != NULL && !share->suppressed && share->known ? share->share : -1,
                percent, count, &accent);
    }
  /* Translators: how many contacts did not answer a profile question */
  unknown_line = g_strdup_printf (_("Not known: %s"), unknown);
  pdf->row_height = ROW_HEIGHT;
  draw_text (pdf, x, pdf->y + 1, width, unknown_line, 8, FALSE, ALIGN_LEFT, &muted);
  pdf->y += 12 + 8;
}

static void
draw_profile (Pdf *pdf)
{
  const double gap = 24, w = (CONTENT_WIDTH - gap) / 2;
  const char *answers[32];
  g_autofree char *note = NULL;
  double first_height;

  {
    g_autofree char *figure = g_strconcat ("profile_", profile_items[0].item, NULL);
    first_height = profile_block_height (profile_answers (pdf, figure, answers, G_N_ELEMENTS (answers)));
  }
  section_title (pdf, _("Visitor profile"), 20 + first_height);
  note = g_strdup (_("Shares over the contacts who answered; the share bar, then the share and the "
                     "number of contacts."));
  pdf->y += draw_text_full (pdf, MARGIN_X, pdf->y, CONTENT_WIDTH, note, 8, FALSE, ALIGN_LEFT, &muted, TRUE) + 8;

  /* Two columns; a pair of items side by side takes the taller one's height. */
  for (guint i = 0; i < G_N_ELEMENTS (profile_items); i += 2)
    {
      g_autofree char *left_figure = g_strconcat ("profile_", profile_items[i].item, NULL);
      double h = profile_block_height (profile_answers (pdf, left_figure, answers, G_N_ELEMENTS (answers)));
      double top, left_end;

      if (i + 1 < G_N_ELEMENTS (profile_items))
        {
          g_autofree char *right_figure = g_strconcat ("profile_", profile_items[i + 1].item, NULL);

          h = MAX (h, profile_block_height (profile_answers (pdf, right_figure, answers,
                                                             G_N_ELEMENTS (answers))));
        }
      ensure_space (pdf, h);
      top = pdf->y;
      draw_profile_item (pdf, i, MARGIN_X, w);
      left_end = pdf->y;
      if (i + 1 < G_N_ELEMENTS (profile_items))
        {
          pdf->y = top;
          draw_profile_item (pdf, i + 1, MARGIN_X + w + gap, w);
        }
      pdf->y = MAX (pdf->y, left_end);
    }
}

static void
draw_remote (Pdf *pdf)
{
  const Rgb *blue = &series_colours[CDM_REPORT_SERIES_INDIVIDUAL_ADVICE];
  gint64 requests = figure_count (pdf, "remote_requests", NULL, 0);
  const CdmReportCell *within_share = cdm_report_lookup (pdf->report, "remote_answered_within_48h", NULL, 0);
  g_autofree char *within_text = format_cell (pdf, within_share);

  section_title (pdf, _("Remote requests"), 5 * ROW_HEIGHT);
  draw_row (pdf, MARGIN_X, CONTENT_WIDTH, _("Answered within 48 h"),
            within_share != NULL && within_share->known && !within_share->suppressed ? within_share->share : -1,
            within_text, NULL, blue);
  draw_count_row (pdf, MARGIN_X, CONTENT_WIDTH, _("Within 48 h"), "remote_requests", "within_48h", requests, blue);
  draw_count_row (pdf, MARGIN_X, CONTENT_WIDTH, _("Answered late"), "remote_requests", "answered_late",
                  requests, &muted);
  draw_count_row (pdf, MARGIN_X, CONTENT_WIDTH, _("Not answered"), "remote_requests", "unanswered",
                  requests, &muted);
  draw_count_row (pdf, MARGIN_X, CONTENT_WIDTH, _("Requests received"), "remote_requests", NULL,
                  requests, &muted);
  pdf->y += 4;
}

static void
draw_satisfaction (Pdf *pdf)
{
  gboolean centre = cdm_report_get_organisation (pdf->report) == NULL;
  const char *shares[] = { "satisfied", "excellent", "recommend", "found" };
  const char *share_labels[] = {
    N_("Satisfied (score 6 or more)"),
    N_("Very satisfied (score 9 or more)"),
    N_("Would recommend the centre"),
    N_("Found what they were looking for"),
  };
  g_autofree char *responses = format_figure (pdf, "satisfaction_responses", NULL, 0);
  g_autofree char *responses_line = NULL;

  section_title (pdf, centre ? _("Satisfaction") : _("Satisfaction (whole centre)"), 5 * ROW_HEIGHT);
  for (guint i = 0; i < G_N_ELEMENTS (shares); i++)
    {
      const CdmReportCell *cell = cdm_report_lookup (pdf->report, "satisfaction", shares[i], 0);
      g_autofree char *text = format_cell (pdf, cell);

      draw_row (pdf, MARGIN_X, CONTENT_WIDTH, _(share_labels[i]),
                cell != NULL && cell->known && !cell->suppressed ? cell->share : -1, text, NULL,
                &series_colours[CDM_REPORT_SERIES_MULTIMEDIA]);
    }
  /* Translators: the number of answers to the satisfaction survey */
  responses_line = g_strdup_printf (_("%s responses to the survey"), responses);
  pdf->y += draw_text (pdf, MARGIN_X, pdf->y + 1, CONTENT_WIDTH, responses_line, 8, FALSE,
                       ALIGN_LEFT, &muted) + 6;
}

static void
draw_closures (Pdf *pdf)
{
  guint n;
  const CdmReportClosure *closures = cdm_report_get_closures (pdf->report, &n);
  double table_height = ROW_HEIGHT;

  /* The whole table with its title, on one page when it fits one. */
  for (guint i = 0; i < n; i++)
    table_height += MAX (ROW_HEIGHT, measure_text (pdf, CONTENT_WIDTH - 304,
                                                   closures[i].reason != NULL ? closures[i].reason : "", 9) + 4);
  section_title (pdf, _("Closures"), MIN (table_height, CONTENT_BOTTOM - MARGIN_TOP - 60));
  if (n == 0)
    {
      pdf->y += draw_text (pdf, MARGIN_X, pdf->y, CONTENT_WIDTH, _("No closure in this period."), 9, FALSE,
                           ALIGN_LEFT, &muted) + 4;
      return;
    }
  draw_text (pdf, MARGIN_X + 4, pdf->y, 80, _("From"), 8, FALSE, ALIGN_LEFT, &muted);
  draw_text (pdf, MARGIN_X + 84, pdf->y, 80, _("To"), 8, FALSE, ALIGN_LEFT, &muted);
  draw_text (pdf, MARGIN_X + 164, pdf->y, 130, _("Closed"), 8, FALSE, ALIGN_LEFT, &muted);
  draw_text (pdf, MARGIN_X + 300, pdf->y, CONTENT_WIDTH - 300, _("Reason"), 8, FALSE, ALIGN_LEFT, &muted);
  pdf->y += ROW_HEIGHT;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *from = format_day (pdf, closures[i].from);
      g_autofree char *to = format_day (pdf, closures[i].to);
      const char *reason = closures[i].reason != NULL ? closures[i].reason : "";
      double h = MAX (ROW_HEIGHT, measure_text (pdf, CONTENT_WIDTH - 304, reason, 9) + 4);

      ensure_space (pdf, h);
      if (i % 2 == 0)
        fill_rect (pdf->cr, MARGIN_X, pdf->y, CONTENT_WIDTH, h, &track);
      draw_text (pdf, MARGIN_X + 4, pdf->y + 1.5, 80, from, 9, FALSE, ALIGN_LEFT, &ink);
      draw_text (pdf, MARGIN_X + 84, pdf->y + 1.5, 80, to, 9, FALSE, ALIGN_LEFT, &ink);
      draw_text (pdf, MARGIN_X + 164, pdf->y + 1.5, 130, label_for ("closure_scope", closures[i].scope), 9,
                 FALSE, ALIGN_LEFT, &ink);
      draw_text_full (pdf, MARGIN_X + 300, pdf->y + 1.5, CONTENT_WIDTH - 304, reason, 9, FALSE, ALIGN_LEFT,
                      &ink, TRUE);
      pdf->y += h;
    }
}

/* Lays the whole report out on @cr; returns the number of pages (a
 * recording surface counts cairo_show_page() as nothing, the cursor
 * does). */
static int
lay_out (Pdf *pdf)
{
  pdf->page = 1;
  pdf->y = MARGIN_TOP;

  draw_title (pdf);
  draw_headline (pdf);
  draw_objective (pdf);
  draw_advice (pdf);
  draw_groups_and_multimedia (pdf);
  draw_programmes (pdf);
  new_page (pdf);
  draw_months (pdf);
  new_page (pdf);
  draw_profile (pdf);
  draw_remote (pdf);
  draw_satisfaction (pdf);
  draw_closures (pdf);
  draw_footer (pdf);
  cairo_show_page (pdf->cr);
  return pdf->page;
}

/* The catalogue of @language, or NULL for English. */
static gboolean
load_language (const char  *language,
               Catalogue  **out_catalogue,
               GError     **error)
{
  g_autofree char *path = NULL;
  const char *folder;
  GError *local_error = NULL;

  *out_catalogue = NULL;
  if (g_strcmp0 (language, "en") == 0)
    return TRUE;
  if (g_strcmp0 (language, "fr") != 0 && g_strcmp0 (language, "nl") != 0)
    {
      g_set_error (error, CDM_REPORT_PDF_ERROR, CDM_REPORT_PDF_ERROR_LANGUAGE,
                   ERROR_TEXT (N_("The figures report is written in French, Dutch or English (fr, nl, en), not “%s”")),
                   language != NULL ? language : "");
      return FALSE;
    }

  folder = bindtextdomain (GETTEXT_PACKAGE, NULL);
  path = g_build_filename (folder != NULL ? folder : LOCALEDIR, language, "LC_MESSAGES",
                           GETTEXT_PACKAGE ".mo", NULL);
  *out_catalogue = catalogue_load (path, &local_error);
  if (*out_catalogue == NULL)
    {
      g_set_error (error, CDM_REPORT_PDF_ERROR, CDM_REPORT_PDF_ERROR_LANGUAGE,
                   ERROR_TEXT (N_("The “%s” translation is not installed (%s)")), language, local_error->message);
      g_clear_error (&local_error);
      return FALSE;
    }
  return TRUE;
}

gboolean
cdm_report_write_pdf (CdmReport   *report,
                      const char  *path,
                      const char  *language,
                      GError     **error)
{
  Catalogue *catalogue = NULL;
  g_autofree char *temporary = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  Pdf pdf = { 0, };
  gpointer previous;
  int n_pages;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!load_language (language, &catalogue, error))
    return FALSE;

  previous = g_private_get (&current_catalogue);
  g_private_set (&current_catalogue, catalogue);

  pdf.report = report;
  pdf.language = language;
  pdf.row_height = ROW_HEIGHT;
  pdf.family = pick_family ();

  /* First pass: the number of pages, on a recording surface thrown away
   * (the layouts' metrics are unhinted, so text measures the same on it
   * as in the PDF). */
  surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  pdf.cr = cairo_create (surface);
  pdf.counting = TRUE;
  n_pages = lay_out (&pdf);
  cairo_destroy (pdf.cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);

  /* Then the file, beside its place, renamed over it once complete. */
  temporary = g_strdup_printf ("%s.%08x.tmp", path, g_random_int ());
  surface = cairo_pdf_surface_create (temporary, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, _("Figures"));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Desk");
  pdf.cr = cairo_create (surface);
  pdf.counting = FALSE;
  pdf.n_pages = n_pages;
  lay_out (&pdf);
  status = cairo_status (pdf.cr);
  cairo_destroy (pdf.cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  g_private_set (&current_catalogue, previous);
  catalogue_free (catalogue);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_unlink (temporary);
      g_set_error (error, CDM_REPORT_PDF_ERROR, CDM_REPORT_PDF_ERROR_FAILED,
                   ERROR_TEXT (N_("Could not write “%s”: %s")), path, cairo_status_to_string (status));
      return FALSE;
    }
  if (g_rename (temporary, path) != 0)
    {
      int saved = errno;

      g_unlink (temporary);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   ERROR_TEXT (N_("Could not write “%s”: %s")), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
