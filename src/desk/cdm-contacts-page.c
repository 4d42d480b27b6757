/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contacts-page.c: the contact log, filtered, with edit, delete and undo.
 *
 * The list is a CdmContactList, which counts and reads its rows in
 * libcdm's worker thread a page at a time, so that a year of a million
 * contacts scrolls as smoothly as a day's.  Each filter is a drop-down;
 * changing one replaces the list's filter, which cancels the reads of
 * the older one.  Removing a contact makes it a tombstone (it still goes
 * to the server as a delete) and offers to undo it.  Activating a row
 * (Enter, double-click) opens it in the contact form; an edit is undone
 * by writing the record as it was read.
 */

#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "cdm-contact-dialog.h"
#include "cdm-contact-item.h"
#include "cdm-contact-list.h"
#include "cdm-contacts-page.h"
#include "cdm-labels.h"

struct _CdmContactsPage
{
  GtkWidget parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkFlowBox *filter_box;
  GtkLabel *count_label;
  GtkStack *list_stack;
  GtkColumnView *column_view;
  AdwStatusPage *error_page;

  GtkDropDown *dropdowns[6];
  CdmStore *store;
  CdmContactList *list;
  GtkSingleSelection *selection;
  /* The position to select again once the list is read anew. */
  guint reselect;
  gboolean reselect_pending;
};

G_DEFINE_FINAL_TYPE (CdmContactsPage, cdm_contacts_page, GTK_TYPE_WIDGET)

enum {
  CONTACTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The drop-downs, in the order of the filter bar. */
enum {
  FILTER_PERIOD,
  FILTER_CHANNEL,
  FILTER_SERVICE,
  FILTER_THEME,
  FILTER_PROGRAMME,
  FILTER_SITE,
};

typedef enum {
  PERIOD_TODAY,
  PERIOD_WEEK,
  PERIOD_MONTH,
  PERIOD_YEAR,
  PERIOD_ALL,
} Period;

static const char * const *
filter_codes (guint filter)
{
  switch (filter)
    {
    case FILTER_CHANNEL:
      return cdm_channels;
    case FILTER_SERVICE:
      return cdm_services;
    case FILTER_THEME:
      return cdm_themes;
    case FILTER_PROGRAMME:
      return cdm_programmes;
    case FILTER_SITE:
      return cdm_sites;
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static const char *
filter_field (guint filter)
{
  static const char * const fields[] = {
    NULL, "channel", "service", "themes", "programmes", "site"
  };

  return fields[filter];
}

/* The code chosen in a drop-down; its first entry, "any", is NULL. */
static const char *
chosen_code (CdmContactsPage *self,
             guint            filter)
{
  guint selected = gtk_drop_down_get_selected (self->dropdowns[filter]);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return NULL;
  return filter_codes (filter)[selected - 1];
}

static char *
format_day (GDateTime *date)
{
  return g_date_time_format (date, "%Y-%m-%d");
}

/* The period's first and last local days. */
static void
period_days (CdmContactsPage  *self,
             Period            period,
             char            **from,
             char            **to)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (self->store);
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  int y = g_date_time_get_year (now);
  int m = g_date_time_get_month (now);
  int d = g_date_time_get_day_of_month (now);

  *from = NULL;
  *to = NULL;

  switch (period)
    {
    case PERIOD_TODAY:
      start = g_date_time_new (zone, y, m, d, 0, 0, 0);
      end = g_date_time_ref (start);
      break;
    case PERIOD_WEEK:
      /* Weeks start on Monday in Belgium. */
      start = g_date_time_add_days (now, 1 - g_date_time_get_day_of_week (now));
      end = g_date_time_add_days (start, 6);
      break;
    case PERIOD_MONTH:
      start = g_date_time_new (zone, y, m, 1, 0, 0, 0);
      {
        g_autoptr(GDateTime) next = g_date_time_add_months (start, 1);
        end = g_date_time_add_days (next, -1);
      }
      break;
    case PERIOD_YEAR:
      start = g_date_time_new (zone, y, 1, 1, 0, 0, 0);
      end = g_date_time_new (zone, y, 12, 31, 0, 0, 0);
      break;
    case PERIOD_ALL:
    default:
      return;
    }

  *from = format_day (start);
  *to = format_day (end);
}

static void
apply_filters (CdmContactsPage *self)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  CdmContactFilter filter = { 0, };

  if (self->store == NULL)
    return;

  period_days (self, gtk_drop_down_get_selected (self->dropdowns[FILTER_PERIOD]), &from, &to);
  filter.from_day = from;
  filter.to_day = to;
  filter.channel = chosen_code (self, FILTER_CHANNEL);
  filter.service = chosen_code (self, FILTER_SERVICE);
  filter.theme = chosen_code (self, FILTER_THEME);
  filter.programme = chosen_code (self, FILTER_PROGRAMME);
  filter.site = chosen_code (self, FILTER_SITE);

  cdm_contact_list_set_filter (self->list, &filter);
}

static void
on_dropdown_selected (CdmContactsPage *self)
{
  apply_filters (self);
}

/* The list is about to be replaced.  Unselecting keeps the selection
 * model from reading the whole list in search of its item; the same
 * position is selected again afterwards, so that Delete pressed again
 * removes the next contact. */
static void
on_list_reset (CdmContactsPage *self)
{
  self->reselect = gtk_single_selection_get_selected (self->selection);
  self->reselect_pending = TRUE;
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

static void
update_count (CdmContactsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->list));

  if (cdm_contact_list_is_loading (self->list))
    {
      gtk_label_set_text (self->count_label, _("Counting…"));
      return;
    }

  /* The list is read anew: select again (see on_list_reset()). */
  if (self->reselect_pending)
    {
      self->reselect_pending = FALSE;
      if (n > 0)
        gtk_single_selection_set_selected (self->selection,
                                           self->reselect == GTK_INVALID_LIST_POSITION ?
                                           0 : MIN (self->reselect, n - 1));
    }

  {
    g_autofree char *number = g_strdup_printf ("%'u", n);
    /* TRANSLATORS: the number of contacts listed, "1,234 contacts" */
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact", "%s contacts", n),
                                             number);

    gtk_label_set_text (self->count_label, text);
  }

  if (!g_str_equal (gtk_stack_get_visible_child_name (self->list_stack), "error"))
    gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
}

static void
on_list_failed (CdmContactsPage *self,
                const char      *message)
{
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->list_stack, "error");
}

/* The selected contact's id, if its row is loaded. */
static const char *
selected_id (CdmContactsPage *self)
{
  CdmContactItem *item = gtk_single_selection_get_selected_item (self->selection);
  const CdmContactRow *row = item != NULL ? cdm_contact_item_get_row (item) : NULL;

  return row != NULL ? row->id : NULL;
}

static void
update_actions (CdmContactsPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.delete", selected_id (self) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.edit", selected_id (self) != NULL);
}

/* Removing and putting back, in a worker thread: the write waits for
 * the disk. */
static void
tombstone_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  CdmStore *store = source_object;
  gboolean undo = g_task_get_source_tag (task) != tombstone_thread;
  GError *error = NULL;
  gboolean ok;

  if (undo)
    ok = cdm_store_undelete (store, CDM_ENTITY_CONTACT, task_data, &error);
  else
    ok = cdm_store_delete (store, CDM_ENTITY_CONTACT, task_data, &error);

  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void on_undo_clicked (AdwToast        *toast,
                             CdmContactsPage *self);

static void
on_tombstone_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CdmContactsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GTask *task = G_TASK (result);
  gboolean undo = g_task_get_source_tag (task) != tombstone_thread;
  gboolean ok = g_task_propagate_boolean (task, &error);

  /* The window was closed meanwhile: the store has the change, and there
   * is no page left to show it on. */
  if (self->list == NULL)
    return;

  if (!ok)
    {
      g_autofree char *message = NULL;

      if (undo)
        message = g_strdup_printf (_("The contact could not be put back: %s"), error->message);
      else
        message = g_strdup_printf (_("The contact could not be removed: %s"), error->message);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  if (!undo)
    {
      AdwToast *toast = adw_toast_new (_("Contact removed"));

      adw_toast_set_button_label (toast, _("_Undo"));
      g_object_set_data_full (G_OBJECT (toast), "contact-id",
                              g_strdup (g_task_get_task_data (task)), g_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked), self, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }

  cdm_contact_list_refresh (self->list);
  g_signal_emit (self, signals[CONTACTS_CHANGED], 0);
}

static void
run_tombstone (CdmContactsPage *self,
               const char      *id,
               gboolean         undo)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (self->store, NULL, on_tombstone_done, g_object_ref (self));
  g_task_set_source_tag (task, undo ? (gpointer) on_undo_clicked : (gpointer) tombstone_thread);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_task_run_in_thread (task, tombstone_thread);
}

static void
on_undo_clicked (AdwToast        *toast,
                 CdmContactsPage *self)
{
  run_tombstone (self, g_object_get_data (G_OBJECT (toast), "contact-id"), TRUE);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CdmContactsPage *self = CDM_CONTACTS_PAGE (widget);
  const char *id = selected_id (self);

  if (self->store == NULL || id == NULL)
    return;

  run_tombstone (self, id, FALSE);
}

static void on_edit_undo_clicked (AdwToast        *toast,
                                  CdmContactsPage *self);

static void
on_edit_undone (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CdmContactsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = cdm_store_put_finish (CDM_STORE (source), result, &error);

  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The contact could not be put back: %s"),
                                                  error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  /* The window may have closed meanwhile: the write is done, no one to tell. */
  if (self->store == NULL)
    return;

  cdm_contact_list_refresh (self->list);
  g_signal_emit (self, signals[CONTACTS_CHANGED], 0);
}

static void
on_edit_undo_clicked (AdwToast        *toast,
                      CdmContactsPage *self)
{
  JsonObject *original = g_object_get_data (G_OBJECT (toast), "original");

  if (self->store == NULL || original == NULL)
    return;

  cdm_store_put_async (self->store, CDM_ENTITY_CONTACT, original, NULL,
                       on_edit_undone, g_object_ref (self));
}

static void
on_contact_edited (CdmContactDialog *dialog,
                   const char       *id,
                   CdmContactsPage  *self)
{
  JsonObject *original = cdm_contact_dialog_get_original (dialog);
  AdwToast *toast = adw_toast_new (_("Contact updated"));

  if (original != NULL)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      /* The dialog goes right after: the toast keeps the record. */
      g_object_set_data_full (G_OBJECT (toast), "original",
                              json_object_ref (original), (GDestroyNotify) json_object_unref);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_edit_undo_clicked), self, 0);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  cdm_contact_list_refresh (self->list);
  g_signal_emit (self, signals[CONTACTS_CHANGED], 0);
}

static void
edit_contact (CdmContactsPage *self,
              const char      *id)
{
  CdmContactDialog *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->store == NULL || id == NULL)
    return;

  dialog = cdm_contact_dialog_new_for_contact (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               self->store, id);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_contact_edited), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdmContactsPage *self = CDM_CONTACTS_PAGE (widget);

  edit_contact (self, selected_id (self));
}

/* Enter or a double-click on a row. */
static void
on_row_activated (GtkColumnView   *view,
                  guint            position,
                  CdmContactsPage *self)
{
  g_autoptr(CdmContactItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  const CdmContactRow *row = item != NULL ? cdm_contact_item_get_row (item) : NULL;

  if (row != NULL)
    edit_contact (self, row->id);
}

/* The columns: what each shows of a row. */
enum {
  COLUMN_WHEN,
  COLUMN_CHANNEL,
  COLUMN_SERVICE,
  COLUMN_THEMES,
  COLUMN_SITE,
  COLUMN_NOTE,
  N_COLUMNS
};

static char *
when_text (const CdmContactRow *row)
{
  int y = 0, m = 0, d = 0;
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *day = NULL;

  if (sscanf (row->day, "%4d-%2d-%2d", &y, &m, &d) == 3)
    date = g_date_time_new_utc (y, m, d, 0, 0, 0);
  /* TRANSLATORS: a contact's date in the list, a strftime format */
  day = date != NULL ? g_date_time_format (date, C_("contact list", "%a %-d %b %Y")) : NULL;
  return g_strdup_printf ("%s  %s", day != NULL ? day : row->day, row->time);
}

static char *
codes_text (const char  *field,
            char       **codes)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; codes[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append (text, cdm_label_for_code (field, codes[i]));
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
column_text (guint                column,
             const CdmContactRow *row)
{
  switch (column)
    {
    case COLUMN_WHEN:
      return when_text (row);
    case COLUMN_CHANNEL:
      return g_strdup (cdm_label_for_code ("channel", row->channel));
    case COLUMN_SERVICE:
      return g_strdup (cdm_label_for_code ("service", row->service));
    case COLUMN_THEMES:
      return codes_text ("themes", row->themes);
    case COLUMN_SITE:
      return g_strdup (cdm_label_for_code ("site", row->site));
    case COLUMN_NOTE:
      return g_strdup (row->note != NULL ? row->note : "");
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (GPOINTER_TO_UINT (user_data) != COLUMN_WHEN && GPOINTER_TO_UINT (user_data) != COLUMN_NOTE)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_list_item_set_child (item, label);
}

static void
on_cell_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  CdmContactItem *contact = gtk_list_item_get_item (item);
  const CdmContactRow *row = cdm_contact_item_get_row (contact);
  GtkWidget *label = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;

  /* A row still loading shows an ellipsis in its first cell only, so
   * that fast scrolling does not flicker with words. */
  if (row == NULL)
    text = g_strdup (column == COLUMN_WHEN ? "…" : "");
  else
    text = column_text (column, row);

  /* No tooltip here: setting one asks the display server where the
   * pointer is, a round trip per cell that made scrolling stutter. */
  gtk_label_set_text (GTK_LABEL (label), text);
}

static void
add_column (CdmContactsPage *self,
            guint            column,
            const char      *title,
            int              width,
            gboolean         expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind), GUINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_column_set_expand (view_column, expand);
  if (width > 0)
    gtk_column_view_column_set_fixed_width (view_column, width);
  gtk_column_view_append_column (self->column_view, view_column);
}

static void
add_dropdown (CdmContactsPage *self,
              guint            filter,
              const char      *any,
              const char      *accessible_name)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GtkDropDown *dropdown;

  if (filter == FILTER_PERIOD)
    {
      gtk_string_list_append (labels, _("Today"));
      gtk_string_list_append (labels, _("This week"));
      gtk_string_list_append (labels, _("This month"));
      gtk_string_list_append (labels, _("This year"));
      gtk_string_list_append (labels, _("All time"));
    }
  else
    {
      const char * const *codes = filter_codes (filter);

      gtk_string_list_append (labels, any);
      for (guint i = 0; codes[i] != NULL; i++)
        gtk_string_list_append (labels, cdm_label_for_code (filter_field (filter), codes[i]));
    }

  dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&labels)), NULL));
  if (filter == FILTER_PERIOD)
    gtk_drop_down_set_selected (dropdown, PERIOD_YEAR);
  gtk_widget_set_tooltip_text (GTK_WIDGET (dropdown), accessible_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_name,
                                  -1);
  g_signal_connect_object (dropdown, "notify::selected",
                           G_CALLBACK (on_dropdown_selected), self, G_CONNECT_SWAPPED);
  {
    static const char * const names[] = {
      "filter-period", "filter-channel", "filter-service",
      "filter-theme", "filter-programme", "filter-site"
    };
    gtk_widget_set_name (GTK_WIDGET (dropdown), names[filter]);
  }
  self->dropdowns[filter] = dropdown;
  gtk_flow_box_append (self->filter_box, GTK_WIDGET (dropdown));
  /* The drop-down takes the focus, not the flow box's child around it. */
  gtk_widget_set_focusable (gtk_widget_get_parent (GTK_WIDGET (dropdown)), FALSE);
}

static void
cdm_contacts_page_dispose (GObject *object)
{
  CdmContactsPage *self = CDM_CONTACTS_PAGE (object);
  GtkWidget *child;

  g_clear_object (&self->store);
  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  g_clear_object (&self->list);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);

  /* A plain GtkWidget must let go of its children itself. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_CONTACTS_PAGE);

  G_OBJECT_CLASS (cdm_contacts_page_parent_class)->dispose (object);
}

static void
cdm_contacts_page_class_init (CdmContactsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_contacts_page_dispose;

  /**
   * CdmContactsPage::contacts-changed:
   *
   * A contact was edited, removed, or put back, from this page.
   */
  signals[CONTACTS_CHANGED] =
    g_signal_new ("contacts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-contacts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmContactsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CdmContactsPage, filter_box);
  gtk_widget_class_bind_template_child (widget_class, CdmContactsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CdmContactsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CdmContactsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, CdmContactsPage, error_page);

  gtk_widget_class_install_action (widget_class, "contacts.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "contacts.delete", NULL, delete_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "contacts.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "contacts.delete", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cdm_contacts_page_init (CdmContactsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->list = cdm_contact_list_new ();
  g_signal_connect_object (self->list, "notify::n-items", G_CALLBACK (update_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "notify::loading", G_CALLBACK (update_count), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->list, "failed", G_CALLBACK (on_list_failed), self, G_CONNECT_SWAPPED);

  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->list)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->list, "reset", G_CALLBACK (on_list_reset), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  /* A selected row that was a placeholder becomes deletable once loaded. */
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->column_view, "activate",
                           G_CALLBACK (on_row_activated), self, 0);

  /* Narrow enough for 800 pixels; the note takes what is left. */
  add_column (self, COLUMN_WHEN, _("When"), 170, FALSE);
  add_column (self, COLUMN_CHANNEL, _("Channel"), 110, FALSE);
  add_column (self, COLUMN_SERVICE, _("Service"), 130, FALSE);
  add_column (self, COLUMN_THEMES, _("Themes"), 130, FALSE);
  add_column (self, COLUMN_SITE, _("Site"), 100, FALSE);
  add_column (self, COLUMN_NOTE, _("Note"), -1, TRUE);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->column_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Contacts"),
                                  -1);

  add_dropdown (self, FILTER_PERIOD, NULL, _("Period"));
  add_dropdown (self, FILTER_CHANNEL, _("All channels"), _("Channel"));
  add_dropdown (self, FILTER_SERVICE, _("All services"), _("Service"));
  add_dropdown (self, FILTER_THEME, _("All themes"), _("Theme"));
  add_dropdown (self, FILTER_PROGRAMME, _("All programmes"), _("Programme"));
  add_dropdown (self, FILTER_SITE, _("All sites"), _("Site"));

  update_count (self);
  update_actions (self);
}

void
cdm_contacts_page_set_store (CdmContactsPage *self,
                             CdmStore        *store)
{
  g_return_if_fail (CDM_IS_CONTACTS_PAGE (self));
  g_return_if_fail (store == NULL || CDM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  /* The filter first, so that the list reads the store once. */
  apply_filters (self);
  cdm_contact_list_set_store (self->list, store);
}

void
cdm_contacts_page_refresh (CdmContactsPage *self)
{
  g_return_if_fail (CDM_IS_CONTACTS_PAGE (self));

  cdm_contact_list_refresh (self->list);
}

void
cdm_contacts_page_focus_list (CdmContactsPage *self)
{
  g_return_if_fail (CDM_IS_CONTACTS_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}
