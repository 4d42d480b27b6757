/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync-controller.c: when the desk syncs, and what it shows of it. */

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <string.h>

#include "cdm-sync-controller.h"
#include "cdm-sync-store.h"
#include "cdm-sync-ui-queries.h"
#include "cdm-sync.h"

#define DEFAULT_DEBOUNCE_MS 3000
#define DEFAULT_INTERVAL_S  120

struct _CdmSyncController
{
  GObject parent_instance;

  CdmStore *store;
  CdmSync *sync;              /* NULL while signed out */
  GCancellable *cancellable;  /* of everything under way; cancelled on dispose */

  CdmSyncLink link;
  gboolean syncing;
  gboolean again;             /* a run was asked for during one */
  guint attempt;              /* retries since the last success */
  guint first_attempt;        /* tests: where the backoff starts from */
  guint64 done, total;

  guint timer_id;
  guint debounce_id;
  guint debounce_ms;
  guint interval_s;
  guint page_size;

  gboolean refreshing;
  gboolean refresh_again;
  gint64 pending, parked, conflicts;
  gint64 last_sync;
  char *last_error;
  char *server_url;
  char *user;
  gboolean token_in_file;

  GNetworkMonitor *monitor;
  gulong network_changed_id;
};

G_DEFINE_FINAL_TYPE (CdmSyncController, cdm_sync_controller, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static CdmSyncController *default_controller;

static void schedule (CdmSyncController *self, guint delay_ms);

static void
emit_changed (CdmSyncController *self)
{
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void on_progress (CdmSync *sync, guint64 done, guint64 total, CdmSyncController *self);
static void on_sync_changed (CdmSync *sync, CdmSyncController *self);

/* @sync: (transfer full) (nullable) */
static void
set_sync (CdmSyncController *self,
          CdmSync           *sync)
{
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_clear_object (&self->sync);
  self->sync = sync;
  if (sync != NULL)
    {
      if (self->page_size > 0)
        cdm_sync_set_page_size (sync, self->page_size);
      g_signal_connect_object (sync, "progress", G_CALLBACK (on_progress), self, 0);
      g_signal_connect_object (sync, "changed", G_CALLBACK (on_sync_changed), self, 0);
    }
}

/* The token: in the keyring under the store's path, or in the file. */

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "brussels.cdm_bp.Desk.Token", SECRET_SCHEMA_NONE,
    {
      { "store", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  return &schema;
}

static gboolean
keyring_disabled (void)
{
  const char *value = g_getenv ("CDM_DESK_TOKEN_FILE");

  return value != NULL && value[0] != '\0' && !g_str_equal (value, "0");
}

static void
save_token_to_file (CdmSyncController *self,
                    const char        *token)
{
  g_autoptr(GError) error = NULL;

  if (!cdm_sync_save_token (cdm_store_get_path (self->store), token, &error))
    g_warning ("Cannot keep the sign-in: %s", error->message);
  self->token_in_file = TRUE;
  emit_changed (self);
}

typedef struct {
  CdmSyncController *self;
  char *token;
} SaveData;

static void
on_token_stored (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  SaveData *data = user_data;
  g_autoptr(GError) error = NULL;

  if (secret_password_store_finish (result, &error))
    {
      /* A file of an earlier keyring-less session would be found first
       * next time; the keyring holds the token now. */
      cdm_sync_forget_token (cdm_store_get_path (data->self->store), NULL);
      data->self->token_in_file = FALSE;
      emit_changed (data->self);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_message ("No keyring (%s): the sign-in is kept in a file", error->message);
      save_token_to_file (data->self, data->token);
    }
  g_object_unref (data->self);
  g_free (data->token);
  g_free (data);
}

static void
save_token (CdmSyncController *self,
            const char        *token)
{
  SaveData *data;

  if (keyring_disabled ())
    {
      save_token_to_file (self, token);
      return;
    }

  data = g_new0 (SaveData, 1);
  data->self = g_object_ref (self);
  data->token = g_strdup (token);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT,
                         _("Desk server sign-in"), token, self->cancellable,
                         on_token_stored, data,
                         "store", cdm_store_get_path (self->store),
                         NULL);
}

/* The answer must be read, or libsecret keeps it. */
static void
on_token_cleared (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_finish (result, &error) && error != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The keyring did not forget the sign-in: %s", error->message);
}

static void
forget_token (CdmSyncController *self)
{
  cdm_sync_forget_token (cdm_store_get_path (self->store), NULL);
  if (!keyring_disabled ())
    secret_password_clear (token_schema (), NULL, on_token_cleared, NULL,
                           "store", cdm_store_get_path (self->store),
                           NULL);
}

static void
start_with_token (CdmSyncController *self,
                  const char        *token)
{
  if (token == NULL || self->server_url == NULL)
    {
      self->link = CDM_SYNC_LINK_SIGNED_OUT;
      emit_changed (self);
      return;
    }

  set_sync (self, cdm_sync_new (self->store, self->server_url, token));
  self->link = CDM_SYNC_LINK_OFFLINE;
  emit_changed (self);
  schedule (self, 0);
}

static void
load_token_from_file (CdmSyncController *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = cdm_sync_load_token (cdm_store_get_path (self->store), &error);

  if (error != NULL)
    g_warning ("Cannot read the sign-in: %s", error->message);
  self->token_in_file = token != NULL || keyring_disabled ();
  start_with_token (self, token);
}

static void
on_token_looked_up (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CdmSyncController) self = user_data;
  g_autoptr(GError) error = NULL;
  char *token = secret_password_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (token != NULL)
    {
      start_with_token (self, token);
      secret_password_free (token);
      return;
    }
  if (error != NULL)
    g_message ("No keyring (%s): the sign-in is read from a file", error->message);
  load_token_from_file (self);
  if (error != NULL)
    {
      self->token_in_file = TRUE;
      emit_changed (self);
    }
}

static void
load_token (CdmSyncController *self)
{
  /* Never signed in: no token to look for, and no keyring to wake. */
  if (self->server_url == NULL)
    {
      start_with_token (self, NULL);
      return;
    }
  if (keyring_disabled ())
    {
      load_token_from_file (self);
      return;
    }
  secret_password_lookup (token_schema (), self->cancellable, on_token_looked_up, g_object_ref (self),
                          "store", cdm_store_get_path (self->store),
                          NULL);
}

/* The counts, read in a worker thread: the store may be busy with a long
 * load, and the main thread never waits for it. */

typedef struct {
  gint64 pending, parked, conflicts;
  char *last_sync;
  char *last_error;
  char *server;
  char *user;
} Counts;

static void
counts_free (gpointer data)
{
  Counts *counts = data;

  g_free (counts->last_sync);
  g_free (counts->last_error);
  g_free (counts->server);
  g_free (counts->user);
  g_free (counts);
}

static void
read_counts (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CdmStore *store = task_data;
  Counts *counts = g_new0 (Counts, 1);

  counts->pending = cdm_sync_store_count_pending (store, NULL);
  counts->parked = cdm_sync_store_count_parked (store, NULL);
  counts->conflicts = cdm_sync_store_count_conflicts (store, NULL);
  counts->last_sync = cdm_sync_store_get_state (store, CDM_SYNC_KEY_LAST_SYNC);
  counts->last_error = cdm_sync_store_get_state (store, CDM_SYNC_KEY_LAST_ERROR);
  counts->server = cdm_sync_store_get_state (store, CDM_SYNC_KEY_SERVER);
  counts->user = cdm_sync_store_get_state (store, CDM_SYNC_KEY_USER);
  g_task_return_pointer (task, counts, counts_free);
}

static void refresh (CdmSyncController *self);

static void
on_counts_read (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CdmSyncController) self = user_data;
  Counts *counts = g_task_propagate_pointer (G_TASK (result), NULL);

  self->refreshing = FALSE;
  if (counts == NULL)
    return;

  self->pending = counts->pending;
  self->parked = counts->parked;
  self->conflicts = counts->conflicts;
  self->last_sync = 0;
  if (counts->last_sync != NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (counts->last_sync, NULL);

      if (when != NULL)
        self->last_sync = g_date_time_to_unix (when);
    }
  if (self->server_url == NULL && counts->server != NULL)
    self->server_url = g_strdup (counts->server);
  if (counts->user != NULL)
    {
      g_free (self->user);
      self->user = g_strdup (counts->user);
    }
  counts_free (counts);
  emit_changed (self);

  if (self->refresh_again)
    {
      self->refresh_again = FALSE;
      refresh (self);
    }
}

static void
refresh (CdmSyncController *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->refreshing)
    {
      self->refresh_again = TRUE;
      return;
    }
  self->refreshing = TRUE;
  task = g_task_new (NULL, self->cancellable, on_counts_read, g_object_ref (self));
  g_task_set_source_tag (task, refresh);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, read_counts);
}

/* Runs */

static char *
plain_error (const GError *error,
             const char   *server_url)
{
  if (error->domain == CDM_SYNC_ERROR)
    {
      switch ((CdmSyncError) error->code)
        {
        case CDM_SYNC_ERROR_OFFLINE:
          return g_strdup_printf (_("Cannot reach the server at %s. Check the address and the network."),
                                  server_url != NULL ? server_url : "");
        case CDM_SYNC_ERROR_TIMEOUT:
          return g_strdup (_("The server did not answer in time. Desk will try again."));
        case CDM_SYNC_ERROR_NETWORK:
          return g_strdup (_("The connection to the server broke. Desk will try again."));
        case CDM_SYNC_ERROR_SERVER:
          return g_strdup (_("The server has a problem. Desk will try again later."));
        case CDM_SYNC_ERROR_UNAUTHORIZED:
          return g_strdup (_("The user name or the password is wrong, or the sign-in has expired."));
        case CDM_SYNC_ERROR_LOCKED:
          return g_strdup (_("Too many failed attempts: this account is locked for a while. Try again in 15 minutes."));
        case CDM_SYNC_ERROR_FORBIDDEN:
          return g_strdup (_("This account may not do this. Ask the server’s administrator."));
        case CDM_SYNC_ERROR_BAD_ANSWER:
          return g_strdup (_("This address answers, but not as a Desk server does. Check the address."));
        case CDM_SYNC_ERROR_NOT_CONFIGURED:
          return g_strdup (_("Sign in to a server first."));
        case CDM_SYNC_ERROR_REBOOTSTRAP:
        case CDM_SYNC_ERROR_REFUSED:
        case CDM_SYNC_ERROR_BUSY:
        default:
          break;
        }
    }
  return g_strdup (error->message);
}

static gboolean
on_timer (gpointer user_data)
{
  CdmSyncController *self = user_data;

  self->timer_id = 0;
  cdm_sync_controller_sync_now (self);
  return G_SOURCE_REMOVE;
}

/* The next run in @delay_ms, unless one is due sooner. */
static void
schedule (CdmSyncController *self,
          guint              delay_ms)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->timer_id = g_timeout_add_full (G_PRIORITY_DEFAULT, delay_ms, on_timer, self, NULL);
  g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->timer_id), "[cdm] sync timer");
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CdmSyncController) self = user_data;
  g_autoptr(GError) error = NULL;
  CdmSyncReport report = { 0, };

  if (!cdm_sync_run_finish (CDM_SYNC (source), result, &report, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->syncing = FALSE;
  self->done = self->total = 0;
  g_clear_pointer (&self->last_error, g_free);

  /* Signed out (or in again) during the run: its answer is stale. */
  if (CDM_SYNC (source) != self->sync)
    {
      if (self->again && self->sync != NULL)
        schedule (self, 0);
      self->again = FALSE;
      refresh (self);
      emit_changed (self);
      return;
    }

  if (error == NULL)
    {
      self->link = CDM_SYNC_LINK_ONLINE;
      self->attempt = 0;
      schedule (self, self->interval_s * 1000);
    }
  else if (g_error_matches (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_UNAUTHORIZED))
    {
      /* Local changes stay in the outbox; nothing runs until someone
       * signs in again. */
      self->link = CDM_SYNC_LINK_SIGN_IN_AGAIN;
      self->last_error = g_strdup (_("The sign-in has expired or was revoked. Sign in again: "
                                     "the changes made here are kept and will be sent."));
      g_clear_handle_id (&self->timer_id, g_source_remove);
      self->again = FALSE;
    }
  else
    {
      if (cdm_sync_error_is_retryable (error))
        self->link = CDM_SYNC_LINK_OFFLINE;
      else
        self->link = CDM_SYNC_LINK_ONLINE;
      self->last_error = plain_error (error, self->server_url);
      schedule (self, cdm_sync_next_delay (MAX (self->attempt, self->first_attempt)));
      self->attempt = MIN (self->attempt + 1, 30);
    }

  if (self->again && self->link != CDM_SYNC_LINK_SIGN_IN_AGAIN)
    {
      self->again = FALSE;
      schedule (self, 0);
    }

  refresh (self);
  emit_changed (self);
}

static void
on_progress (CdmSync           *sync,
             guint64            done,
             guint64            total,
             CdmSyncController *self)
{
  self->done = done;
  self->total = total;
  emit_changed (self);
}

static void
on_sync_changed (CdmSync           *sync,
                 CdmSyncController *self)
{
  refresh (self);
}

void
cdm_sync_controller_sync_now (CdmSyncController *self)
{
  g_return_if_fail (CDM_IS_SYNC_CONTROLLER (self));

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->sync == NULL || self->link == CDM_SYNC_LINK_SIGN_IN_AGAIN)
    return;
  if (self->syncing)
    {
      self->again = TRUE;
      return;
    }

  g_clear_handle_id (&self->timer_id, g_source_remove);
  self->syncing = TRUE;
  self->done = self->total = 0;
  cdm_sync_run_async (self->sync, CDM_SYNC_RUN_DEFAULT, self->cancellable, on_run_done, g_object_ref (self));
  emit_changed (self);
}

static gboolean
on_debounced (gpointer user_data)
{
  CdmSyncController *self = user_data;

  self->debounce_id = 0;
  cdm_sync_controller_sync_now (self);
  return G_SOURCE_REMOVE;
}

/* A local change was queued: show it waiting at once, send it once the
 * person has paused. */
static void
on_local_write (gpointer user_data)
{
  CdmSyncController *self = user_data;

  refresh (self);
  if (self->sync == NULL)
    return;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add_full (G_PRIORITY_DEFAULT, self->debounce_ms, on_debounced, self, NULL);
}

static void
on_network_changed (GNetworkMonitor   *monitor,
                    gboolean           available,
                    CdmSyncController *self)
{
  /* Back online: try at once rather than at the end of a long backoff. */
  if (available && self->sync != NULL && self->link == CDM_SYNC_LINK_OFFLINE && !self->syncing)
    {
      self->attempt = 0;
      schedule (self, 500);
    }
}

/* Signing in and out */

typedef struct {
  CdmStore *store;
  char *server_url;
  char *user;
  char *password;
  CdmSync *sync;
  char *token;
} SignIn;

static void
sign_in_free (gpointer data)
{
  SignIn *sign_in = data;

  g_object_unref (sign_in->store);
  g_free (sign_in->server_url);
  g_free (sign_in->user);
  if (sign_in->password != NULL)
    explicit_bzero (sign_in->password, strlen (sign_in->password));
  g_free (sign_in->password);
  g_clear_object (&sign_in->sync);
  g_free (sign_in->token);
  g_free (sign_in);
}

static void
sign_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  SignIn *sign_in = task_data;
  GError *error = NULL;

  sign_in->sync = cdm_sync_new (sign_in->store, sign_in->server_url, NULL);
  sign_in->token = cdm_sync_login (sign_in->sync, sign_in->user, sign_in->password, NULL, NULL,
                                   cancellable, &error);
  if (sign_in->token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
cdm_sync_controller_sign_in_async (CdmSyncController   *self,
                                   const char          *server_url,
                                   const char          *user,
                                   const char          *password,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *login = NULL;
  SignIn *sign_in;

  g_return_if_fail (CDM_IS_SYNC_CONTROLLER (self));
  g_return_if_fail (server_url != NULL && user != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cdm_sync_controller_sign_in_async);

  url = cdm_sync_check_server_url (server_url, &error);
  if (url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  login = g_strstrip (g_strdup (user));
  if (login[0] == '\0' || password[0] == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               login[0] == '\0' ? _("Type your user name.") : _("Type your password."));
      return;
    }

  sign_in = g_new0 (SignIn, 1);
  sign_in->store = g_object_ref (self->store);
  sign_in->server_url = g_steal_pointer (&url);
  sign_in->user = g_steal_pointer (&login);
  sign_in->password = g_strdup (password);
  g_task_set_task_data (task, sign_in, sign_in_free);
  g_task_run_in_thread (task, sign_in_thread);
}

gboolean
cdm_sync_controller_sign_in_finish (CdmSyncController  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  GTask *task = G_TASK (result);
  SignIn *sign_in = g_task_get_task_data (task);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (task, &local_error))
    {
      if (g_error_matches (local_error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_UNAUTHORIZED))
        g_set_error_literal (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_UNAUTHORIZED,
                             _("The user name or the password is wrong."));
      else if (local_error->domain == CDM_SYNC_ERROR)
        {
          g_autofree char *message = plain_error (local_error, sign_in != NULL ? sign_in->server_url : NULL);

          g_set_error_literal (error, local_error->domain, local_error->code, message);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_free (self->server_url);
  self->server_url = g_strdup (sign_in->server_url);
  g_free (self->user);
  self->user = g_strdup (sign_in->user);
  save_token (self, sign_in->token);

  set_sync (self, g_steal_pointer (&sign_in->sync));
  self->link = CDM_SYNC_LINK_ONLINE;
  self->attempt = 0;
  self->again = FALSE;
  g_clear_pointer (&self->last_error, g_free);
  emit_changed (self);
  cdm_sync_controller_sync_now (self);
  return TRUE;
}

static void
logout_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  /* Unreachable or already revoked: the token is forgotten here anyway. */
  if (!cdm_sync_logout (CDM_SYNC (task_data), cancellable, &error))
    g_message ("Signing out on the server failed: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

void
cdm_sync_controller_sign_out (CdmSyncController *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CDM_IS_SYNC_CONTROLLER (self));

  forget_token (self);
  if (self->sync != NULL)
    {
      task = g_task_new (NULL, NULL, NULL, NULL);
      g_task_set_source_tag (task, cdm_sync_controller_sign_out);
      g_task_set_task_data (task, g_object_ref (self->sync), g_object_unref);
      set_sync (self, NULL);
      g_task_run_in_thread (task, logout_thread);
    }
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->link = CDM_SYNC_LINK_SIGNED_OUT;
  self->syncing = FALSE;
  self->again = FALSE;
  self->done = self->total = 0;
  g_clear_pointer (&self->last_error, g_free);
  emit_changed (self);
}

/* GObject */

static void
cdm_sync_controller_dispose (GObject *object)
{
  CdmSyncController *self = CDM_SYNC_CONTROLLER (object);

  if (default_controller == self)
    default_controller = NULL;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_signal_handler (&self->network_changed_id, self->monitor);
  if (self->store != NULL)
    cdm_sync_unwatch_local_writes (self->store);

  G_OBJECT_CLASS (cdm_sync_controller_parent_class)->dispose (object);
}

static void
cdm_sync_controller_finalize (GObject *object)
{
  CdmSyncController *self = CDM_SYNC_CONTROLLER (object);

  set_sync (self, NULL);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_free (self->last_error);
  g_free (self->server_url);
  g_free (self->user);

  G_OBJECT_CLASS (cdm_sync_controller_parent_class)->finalize (object);
}

static void
cdm_sync_controller_class_init (CdmSyncControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cdm_sync_controller_dispose;
  object_class->finalize = cdm_sync_controller_finalize;

  /**
   * CdmSyncController::changed:
   *
   * What the getters return may have changed.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cdm_sync_controller_init (CdmSyncController *self)
{
  self->cancellable = g_cancellable_new ();
  self->debounce_ms = DEFAULT_DEBOUNCE_MS;
  self->interval_s = DEFAULT_INTERVAL_S;
  self->pending = self->parked = self->conflicts = -1;
}

/**
 * cdm_sync_controller_new:
 * @store: the desk's store
 *
 * Reads the server and the token kept for @store and, when there are
 * both, starts syncing.
 */
CdmSyncController *
cdm_sync_controller_new (CdmStore *store)
{
  CdmSyncController *self;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  self = g_object_new (CDM_TYPE_SYNC_CONTROLLER, NULL);
  self->store = g_object_ref (store);
  self->server_url = cdm_sync_store_get_state (store, CDM_SYNC_KEY_SERVER);
  self->user = cdm_sync_store_get_state (store, CDM_SYNC_KEY_USER);
  default_controller = self;

  cdm_sync_watch_local_writes (store, on_local_write, self, NULL);
  self->monitor = g_network_monitor_get_default ();
  self->network_changed_id = g_signal_connect (self->monitor, "network-changed",
                                               G_CALLBACK (on_network_changed), self);
  refresh (self);
  load_token (self);
  return self;
}

CdmSyncController *
cdm_sync_controller_get_for_store (CdmStore *store)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  if (default_controller != NULL && default_controller->store == store)
    return g_object_ref (default_controller);
  return cdm_sync_controller_new (store);
}

CdmSyncController *
cdm_sync_controller_get_default (void)
{
  return default_controller;
}

CdmStore *
cdm_sync_controller_get_store (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), NULL);
  return self->store;
}

CdmSyncLink
cdm_sync_controller_get_link (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), CDM_SYNC_LINK_SIGNED_OUT);
  return self->link;
}

gboolean
cdm_sync_controller_is_syncing (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), FALSE);
  return self->syncing;
}

void
cdm_sync_controller_get_progress (CdmSyncController *self,
                                  guint64           *done,
                                  guint64           *total)
{
  g_return_if_fail (CDM_IS_SYNC_CONTROLLER (self));
  *done = self->done;
  *total = self->total;
}

gint64
cdm_sync_controller_get_last_sync (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), 0);
  return self->last_sync;
}

const char *
cdm_sync_controller_get_last_error (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), NULL);
  return self->last_error;
}

gint64
cdm_sync_controller_get_pending (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), -1);
  return self->pending;
}

gint64
cdm_sync_controller_get_parked (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), -1);
  return self->parked;
}

gint64
cdm_sync_controller_get_conflicts (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), -1);
  return self->conflicts;
}

const char *
cdm_sync_controller_get_server_url (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), NULL);
  return self->server_url;
}

const char *
cdm_sync_controller_get_user (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), NULL);
  return self->user;
}

gboolean
cdm_sync_controller_get_token_in_file (CdmSyncController *self)
{
  g_return_val_if_fail (CDM_IS_SYNC_CONTROLLER (self), FALSE);
  return self->token_in_file;
}

void
cdm_sync_controller_refresh (CdmSyncController *self)
{
  g_return_if_fail (CDM_IS_SYNC_CONTROLLER (self));
  refresh (self);
}

void
cdm_sync_controller_set_page_size (CdmSyncController *self,
                                   guint              records)
{
  g_return_if_fail (CDM_IS_SYNC_CONTROLLER (self));
  self->page_size = records;
  if (self->sync != NULL && records > 0)
    cdm_sync_set_page_size (self->sync, records);
}

void
cdm_sync_controller_set_first_attempt (CdmSyncController *self,
                                       guint              attempt)
{
  g_return_if_fail (CDM_IS_SYNC_CONTROLLER (self));
  self->first_attempt = MIN (attempt, 30);
}

void
cdm_sync_controller_set_delays (CdmSyncController *self,
                                guint              debounce_ms,
                                guint              interval_s)
{
  g_return_if_fail (CDM_IS_SYNC_CONTROLLER (self));
  self->debounce_ms = debounce_ms;
  self->interval_s = MAX (interval_s, 1);
}
