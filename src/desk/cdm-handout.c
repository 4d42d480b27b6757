/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-handout.c: the paper a visitor takes home.
 *
 * The resources are read in a worker thread (the store is never touched
 * from the main thread); the page is then laid out with Pango through
 * GtkPrintOperation, on A4, in the user's language.  The layout of one
 * resource is made by one function, used both to measure (where pages
 * break) and to draw, so that the two never disagree.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-handout.h"
#include "cdm-labels.h"

/* The centre's name is bilingual on everything it prints. */
#define CENTRE_NAME "Cité des métiers de Bruxelles · Beroepenpunt Brussel"
/* Said at the bottom of the page unless the "centre-address" setting
 * gives the street address. */
#define CENTRE_CONTACT "info@cdm-bp.brussels · www.cdm-bp.brussels"

/* In points: the page's margins come from the page setup. */
#define HEADER_HEIGHT 96.0
#define FOOTER_HEIGHT 36.0
#define ITEM_SPACING 14.0

typedef struct {
  char **ids;
  GtkWindow *parent;
  char *export_filename;

  /* Filled by the worker thread. */
  GPtrArray *resources;      /* JsonObject */
  char *address;

  /* Filled by begin-print: index of the first resource of each page. */
  GArray *page_starts;
  /* "done" was emitted: the task has its result. */
  gboolean done;
} Handout;

static void
handout_free (Handout *handout)
{
  g_strfreev (handout->ids);
  g_clear_object (&handout->parent);
  g_free (handout->export_filename);
  g_clear_pointer (&handout->resources, g_ptr_array_unref);
  g_free (handout->address);
  g_clear_pointer (&handout->page_starts, g_array_unref);
  g_free (handout);
}

/* A layout in the handout's type face: a sans serif reads best on paper
 * handed across a desk. */
static PangoLayout *
new_layout (GtkPrintContext *context)
{
  PangoLayout *layout = gtk_print_context_create_pango_layout (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Sans 10");

  pango_layout_set_font_description (layout, font);
  return layout;
}

static const char *
get_string (JsonObject *record,
            const char *member)
{
  JsonNode *node = json_object_get_member (record, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
load_resources (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CdmStore *store = source_object;
  Handout *handout = task_data;
  g_autoptr(GPtrArray) resources = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; handout->ids[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      JsonObject *resource;

      if (g_task_return_error_if_cancelled (task))
        return;

      resource = cdm_store_get (store, CDM_ENTITY_RESOURCE, handout->ids[i], FALSE, &error);
      /* Withdrawn from the library since it was handed over. */
      if (g_error_matches (error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND))
        continue;
      if (resource == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (resources, resource);
    }

  if (resources->len == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("None of these resources is in the library any more"));
      return;
    }

  handout->resources = g_steal_pointer (&resources);
  handout->address = cdm_store_get_setting (store, "centre-address");
  g_task_return_boolean (task, TRUE);
}

/* The authors, the kind and the year: "Ana Smith, Li Wei · Book · 2019". */
static char *
describe (JsonObject *resource)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  JsonNode *authors = json_object_get_member (resource, "authors");
  const char *kind = get_string (resource, "kind");
  JsonNode *year = json_object_get_member (resource, "year");

  if (authors != NULL && JSON_NODE_HOLDS_ARRAY (authors))
    {
      JsonArray *array = json_node_get_array (authors);
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *name = json_array_get_string_element (array, i);

          if (name == NULL || name[0] == '\0')
            continue;
          if (names->len > 0)
            g_string_append (names, ", ");
          g_string_append (names, name);
        }
      if (names->len > 0)
        g_ptr_array_add (parts, g_string_free (g_steal_pointer (&names), FALSE));
    }
  if (kind != NULL)
    g_ptr_array_add (parts, g_strdup (cdm_label_for_code ("resource_kind", kind)));
  if (year != NULL && json_node_get_value_type (year) == G_TYPE_INT64)
    g_ptr_array_add (parts, g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (year)));

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

/* One resource as the visitor reads it: where to find it comes last. */
static PangoLayout *
layout_resource (GtkPrintContext *context,
                 JsonObject      *resource,
                 double           width)
{
  PangoLayout *layout = new_layout (context);
  const char *title = get_string (resource, "title");
  const char *location = get_string (resource, "location");
  const char *url = get_string (resource, "url");
  g_autofree char *detail = describe (resource);
  g_autoptr(GString) markup = g_string_new (NULL);
  g_autofree char *heading = g_markup_printf_escaped ("<span size=\"13pt\" weight=\"bold\">%s</span>",
                                                      title != NULL ? title : "");

  g_string_append (markup, heading);
  if (detail[0] != '\0')
    {
      g_autofree char *line = g_markup_printf_escaped ("\n<span size=\"10pt\">%s</span>", detail);

      g_string_append (markup, line);
    }
  if (location != NULL && location[0] != '\0')
    {
      /* Translators: on the printed handout, where a book stands */
      g_autofree char *where = g_strdup_printf (_("In the library: %s"), location);
      g_autofree char *line = g_markup_printf_escaped ("\n<span size=\"10pt\" foreground=\"#444444\">%s</span>",
                                                       where);

      g_string_append (markup, line);
    }
  if (url != NULL && url[0] != '\0')
    {
      g_autofree char *line = g_markup_printf_escaped ("\n<span size=\"10pt\" foreground=\"#1a5fb4\">%s</span>",
                                                       url);

      g_string_append (markup, line);
    }

  pango_layout_set_width (layout, pango_units_from_double (width));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (layout, markup->str, -1);
  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_size (layout, NULL, &height);
  return pango_units_to_double (height);
}

static void
on_begin_print (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                Handout           *handout)
{
  double width = gtk_print_context_get_width (context);
  double room = gtk_print_context_get_height (context) - HEADER_HEIGHT - FOOTER_HEIGHT;
  double used = 0;
  guint first = 0;

  g_clear_pointer (&handout->page_starts, g_array_unref);
  handout->page_starts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (handout->page_starts, first);

  for (guint i = 0; i < handout->resources->len; i++)
    {
      g_autoptr(PangoLayout) layout = layout_resource (context, g_ptr_array_index (handout->resources, i), width);
      double height = layout_height (layout) + ITEM_SPACING;

      /* A resource is never cut in two; a new page starts with it. */
      if (used > 0 && used + height > room)
        {
          g_array_append_val (handout->page_starts, i);
          used = 0;
        }
      used += height;
    }

  gtk_print_operation_set_n_pages (operation, handout->page_starts->len);
}

static void
draw_text (cairo_t         *cr,
           GtkPrintContext *context,
           const char      *markup,
           double           x,
           double           y,
           double           width,
           PangoAlignment   alignment)
{
  g_autoptr(PangoLayout) layout = new_layout (context);

  pango_layout_set_width (layout, pango_units_from_double (width));
  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_markup (layout, markup, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              Handout           *handout)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);
  guint first = g_array_index (handout->page_starts, guint, page);
  guint end = (guint) page + 1 < handout->page_starts->len
              ? g_array_index (handout->page_starts, guint, page + 1)
              : handout->resources->len;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  /* Translators: the date on the printed handout, a strftime format */
  g_autofree char *date = g_date_time_format (now, C_("handout date", "%-d %B %Y"));
  g_autofree char *markup = NULL;
  double y;

  cairo_set_source_rgb (cr, 0, 0, 0);

  markup = g_markup_printf_escaped ("<span size=\"11pt\" weight=\"bold\">%s</span>", CENTRE_NAME);
  draw_text (cr, context, markup, 0, 0, width * 0.7, PANGO_ALIGN_LEFT);
  g_free (markup);
  markup = g_markup_printf_escaped ("<span size=\"10pt\">%s</span>", date != NULL ? date : "");
  draw_text (cr, context, markup, width * 0.7, 0, width * 0.3, PANGO_ALIGN_RIGHT);
  g_free (markup);

  cairo_set_line_width (cr, 0.75);
  cairo_move_to (cr, 0, 22);
  cairo_line_to (cr, width, 22);
  cairo_stroke (cr);

  markup = g_markup_printf_escaped ("<span size=\"22pt\" weight=\"bold\">%s</span>",
                                    _("Resources for you"));
  draw_text (cr, context, markup, 0, 36, width, PANGO_ALIGN_LEFT);
  g_free (markup);

  y = HEADER_HEIGHT;
  for (guint i = first; i < end; i++)
    {
      g_autoptr(PangoLayout) layout = layout_resource (context, g_ptr_array_index (handout->resources, i), width);

      cairo_move_to (cr, 0, y);
      pango_cairo_show_layout (cr, layout);
      y += layout_height (layout) + ITEM_SPACING;
    }

  cairo_move_to (cr, 0, height - FOOTER_HEIGHT + 8);
  cairo_line_to (cr, width, height - FOOTER_HEIGHT + 8);
  cairo_stroke (cr);
  if (handout->page_starts->len > 1)
    {
      /* Translators: the footer of a handout of several pages */
      g_autofree char *page_line = g_strdup_printf (_("%s — page %d of %u"),
                                                    handout->address != NULL ? handout->address : CENTRE_CONTACT,
                                                    page + 1, handout->page_starts->len);

      markup = g_markup_printf_escaped ("<span size=\"9pt\" foreground=\"#444444\">%s</span>", page_line);
    }
  else
    markup = g_markup_printf_escaped ("<span size=\"9pt\" foreground=\"#444444\">%s</span>",
                                      handout->address != NULL ? handout->address : CENTRE_CONTACT);
  draw_text (cr, context, markup, 0, height - FOOTER_HEIGHT + 14, width, PANGO_ALIGN_CENTER);
}

static void
return_result (GTask                   *task,
               GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               GError                  *error)
{
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR && error != NULL)
    g_task_return_error (task, error);
  else if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (operation, &error);
      g_task_return_error (task, error != NULL ? error
                           : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("The handout could not be printed")));
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_CANCEL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Printing was cancelled"));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_print_done (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               GTask                   *task)
{
  Handout *handout = g_task_get_task_data (task);

  handout->done = TRUE;
  return_result (task, operation, result, NULL);
  g_object_unref (task);
}

static void
on_resources_loaded (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Handout *handout = g_task_get_task_data (task);
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GtkPageSetup) page_setup = NULL;
  g_autoptr(GtkPaperSize) a4 = NULL;
  GError *error = NULL;
  GtkPrintOperationAction action;
  GtkPrintOperationResult result_code;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  page_setup = gtk_page_setup_new ();
  gtk_page_setup_set_paper_size_and_default_margins (page_setup, a4);

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_default_page_setup (operation, page_setup);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_job_name (operation, _("Resources for you"));
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  g_signal_connect (operation, "begin-print", G_CALLBACK (on_begin_print), handout);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page), handout);

  if (handout->export_filename != NULL)
    {
      gtk_print_operation_set_export_filename (operation, handout->export_filename);
      action = GTK_PRINT_OPERATION_ACTION_EXPORT;
    }
  else
    {
      /* The dialog must not stop the desk: "done" says how it ended. */
      gtk_print_operation_set_allow_async (operation, TRUE);
      action = GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG;
    }

  g_signal_connect (operation, "done", G_CALLBACK (on_print_done), g_object_ref (task));
  result_code = gtk_print_operation_run (operation, action, handout->parent, &error);
  /* A dialog left open reports through "done"; a run that finished
   * (an export) has usually emitted "done" already. */
  if (result_code == GTK_PRINT_OPERATION_RESULT_IN_PROGRESS || handout->done)
    {
      g_clear_error (&error);
      return;
    }

  g_signal_handlers_disconnect_by_func (operation, on_print_done, task);
  g_object_unref (task);
  return_result (task, operation, result_code, error);
}

void
cdm_handout_print_async (CdmStore            *store,
                         const char * const  *resource_ids,
                         GtkWindow           *parent,
                         const char          *export_filename,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) load = NULL;
  Handout *handout;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (resource_ids != NULL && resource_ids[0] != NULL);
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  handout = g_new0 (Handout, 1);
  handout->ids = g_strdupv ((char **) resource_ids);
  handout->parent = parent != NULL ? g_object_ref (parent) : NULL;
  handout->export_filename = g_strdup (export_filename);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cdm_handout_print_async);
  g_task_set_task_data (task, handout, (GDestroyNotify) handout_free);

  load = g_task_new (store, cancellable, on_resources_loaded, g_object_ref (task));
  g_task_set_source_tag (load, load_resources);
  g_task_set_task_data (load, handout, NULL);
  g_task_run_in_thread (load, load_resources);
}

gboolean
cdm_handout_print_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cdm_handout_print_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
