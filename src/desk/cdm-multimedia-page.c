/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-multimedia-page.c: the steward's multimedia counter.
 *
 * A click writes its tally in libcdm's worker thread and the figures are
 * read again once it is stored, so the page shows what the store holds,
 * never a guess.  A newer read cancels an older one.  Undo tombstones the
 * click's tally (tallies are counted records: they are never changed,
 * only deleted and recorded anew).
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-labels.h"
#include "cdm-multimedia-page.h"
#include "cdm-tally.h"

struct _CdmMultimediaPage
{
  GtkWidget parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkLabel *total_label;
  GtkFlowBox *kinds_box;

  /* In cdm_tally_kinds order. */
  GtkLabel *count_labels[CDM_N_TALLY_KINDS];

  CdmStore *store;
  GCancellable *cancellable;
  GCancellable *refresh_cancellable;
};

G_DEFINE_FINAL_TYPE (CdmMultimediaPage, cdm_multimedia_page, GTK_TYPE_WIDGET)

/* The icons of the kinds, in cdm_tally_kinds order. */
static const char * const kind_icons[CDM_N_TALLY_KINDS] = {
  "computer-symbolic",          /* computer_access */
  "avatar-default-symbolic",    /* jobseeker_profile */
  "x-office-document-symbolic", /* documents */
  "view-list-symbolic",         /* training_catalogue */
  "printer-symbolic",           /* printing */
  "help-browser-symbolic",      /* other */
};

/* The centre's day now, "YYYY-MM-DD": a tally belongs to the day of the
 * centre, whatever the desk's clock zone. */
static char *
today (CdmStore *store)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);

  return g_date_time_format (now, "%Y-%m-%d");
}

/* Takes @message. */
static void
show_error (CdmMultimediaPage *self,
            char              *message)
{
  AdwToast *toast = adw_toast_new (message);

  g_free (message);
  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
set_count (GtkLabel *label,
           gint64    value)
{
  g_autofree char *text = g_strdup_printf ("%'" G_GINT64_FORMAT, value);

  gtk_label_set_text (label, text);
}

static void
on_counted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CdmMultimediaPage) self = user_data;
  g_autofree CdmTallyCounts *counts = NULL;
  g_autoptr(GError) error = NULL;

  counts = cdm_tally_count_day_finish (CDM_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (counts == NULL)
    {
      /* TRANSLATORS: %s is the reason */
      show_error (self, g_strdup_printf (_("Today’s tally could not be read: %s"), error->message));
      return;
    }

  for (guint i = 0; i < CDM_N_TALLY_KINDS; i++)
    set_count (self->count_labels[i], counts->kinds[i]);
  set_count (self->total_label, counts->total);
}

void
cdm_multimedia_page_refresh (CdmMultimediaPage *self)
{
  g_autofree char *day = NULL;

  g_return_if_fail (CDM_IS_MULTIMEDIA_PAGE (self));

  if (self->store == NULL)
    return;

  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  self->refresh_cancellable = g_cancellable_new ();

  day = today (self->store);
  cdm_tally_count_day_async (self->store, day, self->refresh_cancellable,
                             on_counted, g_object_ref (self));
}

static void
delete_tally (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (!cdm_store_delete (source_object, CDM_ENTITY_MULTIMEDIA_TALLY, task_data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_tally_deleted (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CdmMultimediaPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, g_strdup_printf (_("The visit could not be removed: %s"), error->message));
      return;
    }

  cdm_multimedia_page_refresh (self);
}

static void
on_undo_clicked (AdwToast          *toast,
                 CdmMultimediaPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (toast), "tally-id");
  g_autoptr(GTask) task = NULL;

  if (self->store == NULL)
    return;

  task = g_task_new (self->store, self->cancellable, on_tally_deleted, g_object_ref (self));
  g_task_set_source_tag (task, on_undo_clicked);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_task_run_in_thread (task, delete_tally);
}

/* What a click's write needs to say when it is done. */
typedef struct {
  CdmMultimediaPage *self;
  const char *kind;
} Click;

static void
on_tally_put (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autofree Click *click = user_data;
  g_autoptr(CdmMultimediaPage) self = click->self;
  const char *kind = click->kind;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  id = cdm_store_put_finish (CDM_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (id == NULL)
    {
      show_error (self, g_strdup_printf (_("The visit was not counted: %s"), error->message));
      return;
    }

  /* TRANSLATORS: a toast; %s is a kind of help: "Printing" */
  title = g_strdup_printf (_("One visit counted: %s"), cdm_label_for_code ("tally_kind", kind));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "tally-id", g_steal_pointer (&id), g_free);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  cdm_multimedia_page_refresh (self);
}

static void
on_kind_clicked (GtkButton         *button,
                 CdmMultimediaPage *self)
{
  const char *kind = g_object_get_data (G_OBJECT (button), "kind");
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *day = NULL;
  Click *click;

  if (self->store == NULL)
    return;

  day = today (self->store);
  record = json_object_new ();
  json_object_set_string_member (record, "day", day);
  json_object_set_string_member (record, "kind", kind);
  json_object_set_int_member (record, "count", 1);

  /* Each click is its own record, so that undo takes back exactly one. */
  click = g_new0 (Click, 1);
  click->self = g_object_ref (self);
  click->kind = kind;
  cdm_store_put_async (self->store, CDM_ENTITY_MULTIMEDIA_TALLY, record, self->cancellable,
                       on_tally_put, click);
}

static GtkWidget *
kind_button (CdmMultimediaPage *self,
             guint              index)
{
  const char *kind = cdm_tally_kinds[index];
  const char *label = cdm_label_for_code ("tally_kind", kind);
  g_autofree char *name = g_strdup_printf ("tally-%s", kind);
  g_autofree char *count_name = g_strdup_printf ("tally-count-%s", kind);
  /* TRANSLATORS: a button's name for screen readers; %s is a kind of help */
  g_autofree char *what = g_strdup_printf (_("Count one visit: %s"), label);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon = gtk_image_new_from_icon_name (kind_icons[index]);
  GtkWidget *title = gtk_label_new (label);
  GtkWidget *count = gtk_label_new ("–");

  gtk_widget_set_name (button, name);
  gtk_widget_add_css_class (button, "card");
  gtk_widget_set_size_request (button, -1, 112);
  gtk_widget_set_tooltip_text (button, what);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, what,
                                  -1);
  g_object_set_data (G_OBJECT (button), "kind", (gpointer) kind);

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  gtk_image_set_icon_size (GTK_IMAGE (icon), GTK_ICON_SIZE_LARGE);
  gtk_widget_set_valign (icon, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "title-4");
  gtk_box_append (GTK_BOX (top), icon);
  gtk_box_append (GTK_BOX (top), title);

  gtk_widget_set_name (count, count_name);
  gtk_label_set_xalign (GTK_LABEL (count), 0);
  gtk_widget_add_css_class (count, "title-1");
  gtk_widget_add_css_class (count, "numeric");
  self->count_labels[index] = GTK_LABEL (count);

  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), count);
  gtk_button_set_child (GTK_BUTTON (button), box);
  g_signal_connect (button, "clicked", G_CALLBACK (on_kind_clicked), self);
  return button;
}

static void
cdm_multimedia_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (cdm_multimedia_page_parent_class)->map (widget);

  /* The day may have turned since the page was last shown. */
  cdm_multimedia_page_refresh (CDM_MULTIMEDIA_PAGE (widget));
}

static void
cdm_multimedia_page_dispose (GObject *object)
{
  CdmMultimediaPage *self = CDM_MULTIMEDIA_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  g_clear_object (&self->store);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_MULTIMEDIA_PAGE);

  G_OBJECT_CLASS (cdm_multimedia_page_parent_class)->dispose (object);
}

static void
cdm_multimedia_page_class_init (CdmMultimediaPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_multimedia_page_dispose;
  widget_class->map = cdm_multimedia_page_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-multimedia-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmMultimediaPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdmMultimediaPage, total_label);
  gtk_widget_class_bind_template_child (widget_class, CdmMultimediaPage, kinds_box);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cdm_multimedia_page_init (CdmMultimediaPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  for (guint i = 0; i < CDM_N_TALLY_KINDS && cdm_tally_kinds[i] != NULL; i++)
    {
      GtkWidget *button = kind_button (self, i);

      gtk_flow_box_append (self->kinds_box, button);
      /* The buttons take the focus, not the flow box's cells. */
      gtk_widget_set_focusable (gtk_widget_get_parent (button), FALSE);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->total_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Visits today"),
                                  -1);
}

void
cdm_multimedia_page_set_store (CdmMultimediaPage *self,
                               CdmStore          *store)
{
  g_return_if_fail (CDM_IS_MULTIMEDIA_PAGE (self));
  g_return_if_fail (store == NULL || CDM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  cdm_multimedia_page_refresh (self);
}
