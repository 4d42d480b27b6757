/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-status.c: the sync status button and its popover. */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-preferences-window.h"
#include "cdm-sync-conflicts-window.h"
#include "cdm-sync-status.h"

struct _CdmSyncStatus
{
  GtkWidget parent_instance;

  CdmSyncController *controller;
  guint tick_id;

  GtkWidget *button;
  GtkWidget *icon;
  GtkWidget *label;
  GtkWidget *bar;

  GtkWidget *headline;
  GtkWidget *detail;
  GtkWidget *progress;
  GtkWidget *error_label;
  GtkWidget *pending_label;
  GtkWidget *conflicts_button;
  GtkWidget *parked_button;
  GtkWidget *sync_button;
  GtkWidget *sign_in_button;
};

G_DEFINE_FINAL_TYPE (CdmSyncStatus, cdm_sync_status, GTK_TYPE_WIDGET)

char *
cdm_sync_status_describe_last (gint64 last,
                               gint64 now)
{
  gint64 seconds = now - last;

  if (last <= 0)
    return g_strdup (_("Never synced"));
  if (seconds < 60)
    return g_strdup (_("Synced just now"));
  if (seconds < 3600)
    /* TRANSLATORS: the last successful sync */
    return g_strdup_printf (g_dngettext (NULL, "Synced %d min ago", "Synced %d min ago", seconds / 60),
                            (int) (seconds / 60));
  if (seconds < 86400)
    return g_strdup_printf (g_dngettext (NULL, "Synced %d hour ago", "Synced %d hours ago", seconds / 3600),
                            (int) (seconds / 3600));
  {
    g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (last);
    g_autofree char *day = g_date_time_format (when, "%e %B");

    /* TRANSLATORS: the last successful sync, "Synced on 21 November" */
    return g_strdup_printf (_("Synced on %s"), g_strstrip (day));
  }
}

static void
update (CdmSyncStatus *self)
{
  CdmSyncController *c = self->controller;
  CdmSyncLink link = cdm_sync_controller_get_link (c);
  gboolean syncing = cdm_sync_controller_is_syncing (c);
  gint64 pending = MAX (cdm_sync_controller_get_pending (c), 0);
  gint64 parked = MAX (cdm_sync_controller_get_parked (c), 0);
  gint64 conflicts = MAX (cdm_sync_controller_get_conflicts (c), 0);
  const char *error = cdm_sync_controller_get_last_error (c);
  const char *user = cdm_sync_controller_get_user (c);
  const char *server = cdm_sync_controller_get_server_url (c);
  g_autofree char *last = cdm_sync_status_describe_last (cdm_sync_controller_get_last_sync (c),
                                                         g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *label = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *pending_text = NULL;
  g_autofree char *tooltip = NULL;
  const char *icon = "emblem-ok-symbolic";
  const char *headline;
  guint64 done, total;

  cdm_sync_controller_get_progress (c, &done, &total);

  switch (link)
    {
    case CDM_SYNC_LINK_SIGNED_OUT:
      headline = _("Not Signed In");
      icon = "network-offline-symbolic";
      detail = g_strdup (_("This desk works on its own. Sign in to a server to share its work with the other desks."));
      break;
    case CDM_SYNC_LINK_SIGN_IN_AGAIN:
      headline = _("Sign In Again");
      icon = "dialog-password-symbolic";
      detail = g_strdup (last);
      break;
    case CDM_SYNC_LINK_OFFLINE:
      headline = _("Offline");
      icon = "network-offline-symbolic";
      detail = g_strdup (last);
      break;
    case CDM_SYNC_LINK_ONLINE:
    default:
      headline = _("Online");
      detail = g_strdup (last);
      break;
    }
  if (syncing)
    {
      headline = _("Syncing…");
      icon = "emblem-synchronizing-symbolic";
    }

  /* The button: the one thing that matters most, in a word or two. */
  if (syncing && total > 0)
    label = g_strdup_printf (_("Syncing %d %%"), (int) MIN (100, done * 100 / total));
  else if (syncing)
    label = g_strdup (_("Syncing…"));
  else if (conflicts > 0)
    {
      label = g_strdup_printf (g_dngettext (NULL, "%d conflict", "%d conflicts", conflicts), (int) conflicts);
      icon = "dialog-warning-symbolic";
    }
  else if (link == CDM_SYNC_LINK_SIGN_IN_AGAIN)
    label = g_strdup (_("Sign in again"));
  else if (link == CDM_SYNC_LINK_SIGNED_OUT)
    label = g_strdup (_("Not synced"));
  else if (link == CDM_SYNC_LINK_OFFLINE)
    label = pending > 0 ? g_strdup_printf (g_dngettext (NULL,
                                                        /* TRANSLATORS: the sync button, offline with changes
                                                         * to send; keep it short, the header bar must fit
                                                         * a screen 800 pixels wide */
                                                        "Offline · %d waiting", "Offline · %d waiting",
                                                        pending), (int) pending)
                        : g_strdup (_("Offline"));
  else if (pending > 0)
    {
      label = g_strdup_printf (g_dngettext (NULL, "%d waiting", "%d waiting", pending), (int) pending);
      icon = "document-send-symbolic";
    }
  else if (parked > 0)
    {
      label = g_strdup_printf (g_dngettext (NULL, "%d refused", "%d refused", parked), (int) parked);
      icon = "dialog-warning-symbolic";
    }
  else
    label = g_strdup (_("Synced"));

  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), icon);
  gtk_label_set_label (GTK_LABEL (self->label), label);
  if (conflicts > 0 || parked > 0 || link == CDM_SYNC_LINK_SIGN_IN_AGAIN)
    gtk_widget_add_css_class (self->button, "sync-attention");
  else
    gtk_widget_remove_css_class (self->button, "sync-attention");

  gtk_label_set_label (GTK_LABEL (self->headline), headline);
  if (link != CDM_SYNC_LINK_SIGNED_OUT && user != NULL && server != NULL)
    {
      g_autofree char *who = g_strdup_printf (_("%s on %s"), user, server);
      char *with_who = g_strconcat (detail, "\n", who, NULL);

      g_free (detail);
      detail = with_who;
    }
  gtk_label_set_label (GTK_LABEL (self->detail), detail);

  gtk_widget_set_visible (self->progress, syncing && total > 0);
  gtk_widget_set_visible (self->bar, syncing && total > 0);
  if (total > 0)
    {
      g_autofree char *done_text = g_strdup_printf ("%" G_GUINT64_FORMAT, done);
      g_autofree char *total_text = g_strdup_printf ("%" G_GUINT64_FORMAT, total);
      /* Translators: progress of a first load, e.g. "200 of 8001 records";
       * the plural follows the second number */
      g_autofree char *text = g_strdup_printf (g_dngettext (NULL, "%s of %s record", "%s of %s records",
                                                            (gulong) MIN (total, G_MAXULONG)),
                                               done_text, total_text);
      double fraction = MIN (1.0, (double) done / (double) total);

      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), fraction);
      gtk_progress_bar_set_text (GTK_PROGRESS_BAR (self->progress), text);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->bar), fraction);
    }

  gtk_label_set_label (GTK_LABEL (self->error_label), error != NULL ? error : "");
  gtk_widget_set_visible (self->error_label, error != NULL && !syncing);

  if (pending == 0)
    pending_text = g_strdup (_("No change waiting to be sent"));
  else
    pending_text = g_strdup_printf (g_dngettext (NULL, "%d change waiting to be sent",
                                                 "%d changes waiting to be sent", pending), (int) pending);
  gtk_label_set_label (GTK_LABEL (self->pending_label), pending_text);

  {
    g_autofree char *text = g_strdup_printf (g_dngettext (NULL, "Resolve %d Conflict…", "Resolve %d Conflicts…",
                                                          conflicts), (int) conflicts);
    gtk_button_set_label (GTK_BUTTON (self->conflicts_button), text);
    gtk_widget_set_visible (self->conflicts_button, conflicts > 0);
  }
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (NULL, "%d Change Refused…", "%d Changes Refused…",
                                                          parked), (int) parked);
    gtk_button_set_label (GTK_BUTTON (self->parked_button), text);
    gtk_widget_set_visible (self->parked_button, parked > 0);
  }

  gtk_widget_set_visible (self->sync_button, link != CDM_SYNC_LINK_SIGNED_OUT && link != CDM_SYNC_LINK_SIGN_IN_AGAIN);
  gtk_widget_set_sensitive (self->sync_button, !syncing);
  if (link == CDM_SYNC_LINK_SIGNED_OUT || link == CDM_SYNC_LINK_SIGN_IN_AGAIN)
    {
      gtk_widget_remove_css_class (self->sign_in_button, "flat");
      gtk_widget_add_css_class (self->sign_in_button, "suggested-action");
    }
  else
    {
      gtk_widget_remove_css_class (self->sign_in_button, "suggested-action");
      gtk_widget_add_css_class (self->sign_in_button, "flat");
    }
  gtk_button_set_label (GTK_BUTTON (self->sign_in_button),
                        link == CDM_SYNC_LINK_SIGNED_OUT ? _("Sign In…") :
                        link == CDM_SYNC_LINK_SIGN_IN_AGAIN ? _("Sign In Again…") : _("Server Settings…"));

  tooltip = g_strdup_printf ("%s — %s", headline, label);
  gtk_widget_set_tooltip_text (self->button, tooltip);
  {
    /* TRANSLATORS: the accessible name of the sync status button */
    g_autofree char *accessible = g_strdup_printf (_("Sync status: %s"), label);
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  }
}

static gboolean
on_tick (gpointer user_data)
{
  update (user_data);
  return G_SOURCE_CONTINUE;
}

static void
sync_now_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CdmSyncStatus *self = CDM_SYNC_STATUS (widget);

  if (self->controller != NULL)
    cdm_sync_controller_sync_now (self->controller);
}

static void
conflicts_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CdmSyncStatus *self = CDM_SYNC_STATUS (widget);
  CdmSyncConflictsWindow *window;

  if (self->controller == NULL)
    return;
  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->button));
  window = cdm_sync_conflicts_window_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->controller);
  gtk_window_present (GTK_WINDOW (window));
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CdmPreferencesWindow *window;

  gtk_menu_button_popdown (GTK_MENU_BUTTON (CDM_SYNC_STATUS (widget)->button));
  window = cdm_preferences_window_new (GTK_WINDOW (gtk_widget_get_root (widget)));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), "server");
  gtk_window_present (GTK_WINDOW (window));
}

void
cdm_sync_status_set_store (CdmSyncStatus *self,
                           CdmStore      *store)
{
  g_return_if_fail (CDM_IS_SYNC_STATUS (self));
  g_return_if_fail (CDM_IS_STORE (store));

  if (self->controller != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->controller, self);
      g_clear_object (&self->controller);
    }
  self->controller = cdm_sync_controller_get_for_store (store);
  g_signal_connect_swapped (self->controller, "changed", G_CALLBACK (update), self);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (30, on_tick, self);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  update (self);
}

CdmSyncController *
cdm_sync_status_get_controller (CdmSyncStatus *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_STATUS (self), NULL);
  return self->controller;
}

const char *
cdm_sync_status_get_label (CdmSyncStatus *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_STATUS (self), NULL);
  return gtk_label_get_label (GTK_LABEL (self->label));
}

const char *
cdm_sync_status_get_headline (CdmSyncStatus *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_STATUS (self), NULL);
  return gtk_label_get_label (GTK_LABEL (self->headline));
}

const char *
cdm_sync_status_get_detail (CdmSyncStatus *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_STATUS (self), NULL);
  return gtk_label_get_label (GTK_LABEL (self->detail));
}

GtkWidget *
cdm_sync_status_get_button (CdmSyncStatus *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_STATUS (self), NULL);
  return self->button;
}

static GtkWidget *
popover_label (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 36);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
popover_button (const char *action,
                const char *name)
{
  GtkWidget *button = gtk_button_new_with_label ("");

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_name (button, name);
  return button;
}

static void
cdm_sync_status_dispose (GObject *object)
{
  CdmSyncStatus *self = CDM_SYNC_STATUS (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);
  g_clear_pointer (&self->button, gtk_widget_unparent);

  G_OBJECT_CLASS (cdm_sync_status_parent_class)->dispose (object);
}

static void
cdm_sync_status_class_init (CdmSyncStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_sync_status_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cdm-sync-status");
  gtk_widget_class_install_action (widget_class, "sync.now", NULL, sync_now_action);
  gtk_widget_class_install_action (widget_class, "sync.conflicts", NULL, conflicts_action);
  gtk_widget_class_install_action (widget_class, "sync.sign-in", NULL, sign_in_action);
}

static void
cdm_sync_status_init (CdmSyncStatus *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *actions = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkEventController *shortcuts;

  /* Hidden until the store is open: before that there is nothing to say. */
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);

  self->icon = gtk_image_new_from_icon_name ("network-offline-symbolic");
  self->label = gtk_label_new (NULL);
  /* Short words ("Synced", "3 waiting"): never cut. */
  gtk_box_append (GTK_BOX (content), self->icon);
  gtk_box_append (GTK_BOX (content), self->label);

  /* A thin bar along the bottom of the button during a first load. */
  self->bar = gtk_progress_bar_new ();
  gtk_widget_add_css_class (self->bar, "osd");
  gtk_widget_set_valign (self->bar, GTK_ALIGN_END);
  gtk_widget_set_visible (self->bar, FALSE);
  gtk_widget_set_can_target (self->bar, FALSE);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), content);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), self->bar);

  self->headline = popover_label ("heading");
  gtk_widget_set_name (self->headline, "sync-headline");
  self->detail = popover_label ("dim-label");
  gtk_widget_set_name (self->detail, "sync-detail");
  self->progress = gtk_progress_bar_new ();
  gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (self->progress), TRUE);
  gtk_widget_set_visible (self->progress, FALSE);
  self->error_label = popover_label ("error");
  gtk_widget_set_name (self->error_label, "sync-error");
  self->pending_label = popover_label (NULL);
  gtk_widget_set_name (self->pending_label, "sync-pending");

  self->conflicts_button = popover_button ("sync.conflicts", "sync-conflicts");
  gtk_widget_add_css_class (self->conflicts_button, "suggested-action");
  self->parked_button = popover_button ("sync.conflicts", "sync-parked");
  self->sync_button = popover_button ("sync.now", "sync-now");
  gtk_button_set_label (GTK_BUTTON (self->sync_button), _("Sync Now"));
  gtk_widget_set_tooltip_text (self->sync_button, _("Sync Now (F5)"));
  self->sign_in_button = popover_button ("sync.sign-in", "sync-sign-in");
  gtk_widget_add_css_class (self->sign_in_button, "flat");

  gtk_box_append (GTK_BOX (box), self->headline);
  gtk_box_append (GTK_BOX (box), self->detail);
  gtk_box_append (GTK_BOX (box), self->progress);
  gtk_box_append (GTK_BOX (box), self->error_label);
  gtk_box_append (GTK_BOX (box), self->pending_label);
  gtk_box_append (GTK_BOX (actions), self->conflicts_button);
  gtk_box_append (GTK_BOX (actions), self->parked_button);
  gtk_box_append (GTK_BOX (actions), self->sync_button);
  gtk_box_append (GTK_BOX (actions), self->sign_in_button);
  gtk_box_append (GTK_BOX (box), actions);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_popover_set_child (GTK_POPOVER (popover), box);

  self->button = gtk_menu_button_new ();
  gtk_widget_set_name (self->button, "sync-status");
  gtk_menu_button_set_child (GTK_MENU_BUTTON (self->button), overlay);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (self->button), popover);
  gtk_widget_add_css_class (self->button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Sync status"), -1);
  gtk_widget_set_parent (self->button, GTK_WIDGET (self));

  /* F5 and Ctrl+Shift+S sync from anywhere in the window. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (shortcuts), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("F5|<Control><Shift>s"),
                                                          gtk_named_action_new ("sync.now")));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);
}
