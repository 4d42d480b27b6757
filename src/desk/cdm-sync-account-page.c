/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-account-page.c: signing in to the server. */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-store.h"
#include "cdm-sync-account-page.h"
#include "cdm-sync-controller.h"

struct _CdmSyncAccountPage
{
  AdwPreferencesPage parent_instance;

  CdmSyncController *controller;
  GCancellable *cancellable;

  GtkWidget *sign_in_group;
  GtkWidget *url_row;
  GtkWidget *user_row;
  GtkWidget *password_row;
  GtkWidget *error_label;
  GtkWidget *sign_in_button;
  GtkWidget *spinner;

  GtkWidget *account_group;
  GtkWidget *account_row;
  GtkWidget *storage_row;
  GtkWidget *closed_label;

  gboolean busy;
};

G_DEFINE_FINAL_TYPE (CdmSyncAccountPage, cdm_sync_account_page, ADW_TYPE_PREFERENCES_PAGE)

/* In a worker: whether the store holds demo or generated data, which the
 * first download from the server removes (cdm_demo_remove()). */
static void
read_origin (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autofree char *origin = cdm_store_get_setting (task_data, "origin");

  g_task_return_boolean (task, g_strcmp0 (origin, "demo") == 0 || g_strcmp0 (origin, "generated") == 0);
}

static void
on_origin_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CdmSyncAccountPage *self = CDM_SYNC_ACCOUNT_PAGE (source);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return;
  gtk_widget_set_name (self->sign_in_group, "sign-in-demo");
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->sign_in_group),
                                         _("This desk shows demo data. Signing in removes it, with anything "
                                           "typed on it, and loads the centre’s records from the server."));
}

static void
update (CdmSyncAccountPage *self)
{
  CdmSyncLink link;
  const char *user, *server;

  gtk_widget_set_visible (self->closed_label, self->controller == NULL);
  if (self->controller == NULL)
    {
      gtk_widget_set_visible (self->sign_in_group, FALSE);
      gtk_widget_set_visible (self->account_group, FALSE);
      return;
    }

  link = cdm_sync_controller_get_link (self->controller);
  user = cdm_sync_controller_get_user (self->controller);
  server = cdm_sync_controller_get_server_url (self->controller);
  /* Offline, the form stays at hand: the address or the account may be
   * what is wrong. */
  gtk_widget_set_visible (self->sign_in_group, link != CDM_SYNC_LINK_ONLINE);
  gtk_widget_set_visible (self->account_group, link != CDM_SYNC_LINK_SIGNED_OUT);

  if (user != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Signed in as %s"), user);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), title);
    }
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->account_row), _("Signed In"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->account_row),
                               link == CDM_SYNC_LINK_SIGN_IN_AGAIN
                               ? _("The sign-in has expired: sign in again above. Changes made here are kept.")
                               : server != NULL ? server : "");

  if (cdm_sync_controller_get_token_in_file (self->controller))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->storage_row), _("No Keyring"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->storage_row),
                                   _("No keyring answered on this computer, so the sign-in is kept in a file "
                                     "that only your user account can read."));
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->storage_row), _("Kept in the Keyring"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->storage_row),
                                   _("The sign-in is kept in your desktop’s keyring. The password is not kept."));
    }
}

static void
set_busy (CdmSyncAccountPage *self,
          gboolean            busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (self->sign_in_button, !busy);
  gtk_widget_set_visible (self->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
}

static void
on_signed_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CdmSyncAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cdm_sync_controller_sign_in_finish (CDM_SYNC_CONTROLLER (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      gtk_label_set_label (GTK_LABEL (self->error_label), error->message);
      gtk_widget_set_visible (self->error_label, TRUE);
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->password_row), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
      gtk_widget_grab_focus (self->password_row);
      return;
    }

  set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_widget_set_visible (self->error_label, FALSE);
  update (self);
}

static void
sign_in (CdmSyncAccountPage *self)
{
  if (self->controller == NULL || self->busy)
    return;

  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_accessible_reset_state (GTK_ACCESSIBLE (self->password_row), GTK_ACCESSIBLE_STATE_INVALID);
  set_busy (self, TRUE);
  cdm_sync_controller_sign_in_async (self->controller,
                                     gtk_editable_get_text (GTK_EDITABLE (self->url_row)),
                                     gtk_editable_get_text (GTK_EDITABLE (self->user_row)),
                                     gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                     self->cancellable, on_signed_in, g_object_ref (self));
}

static void
on_sign_out_response (AdwMessageDialog   *dialog,
                      const char         *response,
                      CdmSyncAccountPage *self)
{
  if (g_str_equal (response, "sign-out") && self->controller != NULL)
    cdm_sync_controller_sign_out (self->controller);
}

static void
on_sign_out_clicked (CdmSyncAccountPage *self)
{
  GtkWidget *dialog;
  gint64 pending = cdm_sync_controller_get_pending (self->controller);

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Sign Out?"),
                                   pending > 0
                                   ? _("Changes made here and not yet sent stay on this desk and are sent "
                                       "after the next sign-in.")
                                   : _("This desk stops syncing until someone signs in again."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign-out", _("_Sign Out"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-out", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_sign_out_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
entry_row (const char *name,
           const char *title,
           GType       type)
{
  GtkWidget *row = g_object_new (type, "title", title, "use-underline", TRUE, NULL);

  gtk_widget_set_name (row, name);
  return row;
}

static void
cdm_sync_account_page_dispose (GObject *object)
{
  CdmSyncAccountPage *self = CDM_SYNC_ACCOUNT_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);

  G_OBJECT_CLASS (cdm_sync_account_page_parent_class)->dispose (object);
}

static void
cdm_sync_account_page_finalize (GObject *object)
{
  CdmSyncAccountPage *self = CDM_SYNC_ACCOUNT_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (cdm_sync_account_page_parent_class)->finalize (object);
}

static void
cdm_sync_account_page_class_init (CdmSyncAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cdm_sync_account_page_dispose;
  object_class->finalize = cdm_sync_account_page_finalize;
}

static void
cdm_sync_account_page_init (CdmSyncAccountPage *self)
{
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (self);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *sign_out;
  const char *url = NULL, *user = NULL;

  self->cancellable = g_cancellable_new ();
  adw_preferences_page_set_title (page, _("Server"));
  adw_preferences_page_set_name (page, "server");
  adw_preferences_page_set_icon_name (page, "network-server-symbolic");

  self->closed_label = adw_preferences_group_new ();
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->closed_label),
                                         _("The desk’s records are still opening: come back in a moment."));
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (self->closed_label));
  self->sign_in_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->sign_in_group), _("Sign In"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->sign_in_group),
                                         _("Share this desk’s work with the other desks through the centre’s "
                                           "server. The desk keeps working when the server cannot be reached."));
  self->url_row = entry_row ("server-url", _("Server _Address"), ADW_TYPE_ENTRY_ROW);
  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (self->url_row), GTK_INPUT_PURPOSE_URL);
  self->user_row = entry_row ("server-user", _("_User Name"), ADW_TYPE_ENTRY_ROW);
  self->password_row = entry_row ("server-password", _("_Password"), ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_signal_connect_swapped (self->url_row, "entry-activated", G_CALLBACK (sign_in), self);
  g_signal_connect_swapped (self->user_row, "entry-activated", G_CALLBACK (sign_in), self);
  g_signal_connect_swapped (self->password_row, "entry-activated", G_CALLBACK (sign_in), self);
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (self->password_row), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->sign_in_group), self->url_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->sign_in_group), self->user_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->sign_in_group), self->password_row);

  self->error_label = gtk_label_new (NULL);
  gtk_widget_set_name (self->error_label, "sign-in-error");
  gtk_label_set_wrap (GTK_LABEL (self->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->error_label), 0);
  gtk_widget_add_css_class (self->error_label, "error");
  gtk_widget_set_margin_top (self->error_label, 12);
  gtk_widget_set_visible (self->error_label, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->error_label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Why signing in failed"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->sign_in_group), self->error_label);

  self->sign_in_button = gtk_button_new_with_mnemonic (_("Sign _In"));
  gtk_widget_set_name (self->sign_in_button, "sign-in");
  gtk_widget_add_css_class (self->sign_in_button, "suggested-action");
  gtk_widget_add_css_class (self->sign_in_button, "pill");
  g_signal_connect_swapped (self->sign_in_button, "clicked", G_CALLBACK (sign_in), self);
  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_box_append (GTK_BOX (buttons), self->sign_in_button);
  gtk_box_append (GTK_BOX (buttons), self->spinner);
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (buttons, 18);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->sign_in_group), buttons);

  self->account_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->account_group), _("Account"));
  self->account_row = adw_action_row_new ();
  gtk_widget_set_name (self->account_row, "server-account");
  sign_out = gtk_button_new_with_mnemonic (_("Sign _Out"));
  gtk_widget_set_name (sign_out, "sign-out");
  gtk_widget_set_valign (sign_out, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (sign_out, "destructive-action");
  g_signal_connect_swapped (sign_out, "clicked", G_CALLBACK (on_sign_out_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->account_row), sign_out);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->account_group), self->account_row);
  self->storage_row = adw_action_row_new ();
  gtk_widget_set_name (self->storage_row, "token-storage");
  adw_action_row_add_prefix (ADW_ACTION_ROW (self->storage_row),
                             gtk_image_new_from_icon_name ("dialog-password-symbolic"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->account_group), self->storage_row);

  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (self->sign_in_group));
  adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (self->account_group));

  self->controller = cdm_sync_controller_get_default ();
  if (self->controller != NULL)
    {
      g_object_ref (self->controller);
      g_signal_connect_swapped (self->controller, "changed", G_CALLBACK (update), self);
      url = cdm_sync_controller_get_server_url (self->controller);
      user = cdm_sync_controller_get_user (self->controller);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url != NULL ? url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user != NULL ? user : "");
  update (self);

  if (self->controller != NULL && cdm_sync_controller_get_store (self->controller) != NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, on_origin_read, NULL);

      g_task_set_task_data (task, g_object_ref (cdm_sync_controller_get_store (self->controller)), g_object_unref);
      g_task_run_in_thread (task, read_origin);
    }
}
