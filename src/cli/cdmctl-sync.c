/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdmctl-sync.c: cdmctl login, logout, sync and the sync part of status
 * (cdmctl-sync.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "cdm-sync.h"
#include "cdm-sync-store.h"
#include "cdmctl-sync.h"

/* The first line of @text, without its end. */
static char *
first_line (const char *text)
{
  return g_strndup (text, strcspn (text, "\r\n"));
}

static char *
read_password_file (const char  *path,
                    GError     **error)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  return first_line (contents);
}

/* From the terminal without echo, or one line of standard input. */
static char *
prompt_password (GError **error)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  char buffer[1024];
  char *line;

  if (tty)
    {
      g_printerr (_("Password: "));
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      g_printerr ("\n");
    }
  if (line == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("No password was given"));
      return NULL;
    }
  line = first_line (buffer);
  memset (buffer, 0, sizeof buffer);
  return line;
}

/* Wipes a password before it is freed. */
static void
free_secret (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

gboolean
cdmctl_sync_login (CdmStore    *store,
                   const char  *server,
                   const char  *user,
                   const char  *password_file,
                   GError     **error)
{
  g_autoptr(CdmSync) sync = NULL;
  g_autoptr(JsonObject) who = NULL;
  g_autofree char *token = NULL;
  char *password;

  if (!g_str_has_prefix (server, "http://") && !g_str_has_prefix (server, "https://"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--server: “%s” is not an http:// or https:// address"), server);
      return FALSE;
    }
  if (!g_uri_is_valid (server, G_URI_FLAGS_NONE, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--server: “%s” is not an address"), server);
      return FALSE;
    }

  password = password_file != NULL ? read_password_file (password_file, error) : prompt_password (error);
  if (password == NULL)
    return FALSE;

  sync = cdm_sync_new (store, server, NULL);
  token = cdm_sync_login (sync, user, password, NULL, &who, NULL, error);
  free_secret (password);
  if (token == NULL)
    return FALSE;

  if (!cdm_sync_save_token (cdm_store_get_path (store), token, error))
    return FALSE;

  {
    const char *role = who != NULL && json_object_has_member (who, "role") &&
                       JSON_NODE_HOLDS_VALUE (json_object_get_member (who, "role")) ?
                       json_object_get_string_member (who, "role") : NULL;
    g_print (_("Signed in to %s as %s%s%s%s\n"), server, user,
             role ? " (" : "", role ? role : "", role ? ")" : "");
  }
  return TRUE;
}

static CdmSync *
sync_for_store (CdmStore  *store,
                gboolean   need_token,
                GError   **error)
{
  g_autofree char *server = cdm_sync_store_get_state (store, CDM_SYNC_KEY_SERVER);
  g_autofree char *token = NULL;
  g_autoptr(GError) local_error = NULL;

  if (server == NULL)
    {
      g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_NOT_CONFIGURED,
                   _("No server for this store: run “cdmctl login --server URL --user LOGIN” first"));
      return NULL;
    }
  token = cdm_sync_load_token (cdm_store_get_path (store), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (token == NULL && need_token)
    {
      g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_NOT_CONFIGURED,
                   _("Not signed in to %s: run “cdmctl login” first"), server);
      return NULL;
    }
  return cdm_sync_new (store, server, token);
}

gboolean
cdmctl_sync_logout (CdmStore  *store,
                    GError   **error)
{
  g_autoptr(CdmSync) sync = sync_for_store (store, FALSE, error);
  g_autoptr(GError) local_error = NULL;

  if (sync == NULL)
    return FALSE;

  /* The token is forgotten here whatever the server says: signing out
   * must work offline too. */
  if (!cdm_sync_logout (sync, NULL, &local_error))
    g_printerr (_("cdmctl: the server could not revoke the token (%s); it is forgotten here\n"),
                local_error->message);
  if (!cdm_sync_forget_token (cdm_store_get_path (store), error))
    return FALSE;
  g_print (_("Signed out\n"));
  return TRUE;
}

static void
on_progress (CdmSync *sync,
             guint64  done,
             guint64  total,
             gpointer user_data)
{
  if (total > 0)
    g_printerr ("\r%" G_GUINT64_FORMAT " / %" G_GUINT64_FORMAT, done, total);
  else
    g_printerr ("\r%" G_GUINT64_FORMAT, done);
}

gboolean
cdmctl_sync_run (CdmStore  *store,
                 gboolean   bootstrap,
                 GError   **error)
{
  g_autoptr(CdmSync) sync = sync_for_store (store, TRUE, error);
  CdmSyncReport report;
  gboolean ok;
  gulong handler = 0;

  if (sync == NULL)
    return FALSE;
  if (isatty (STDERR_FILENO))
    handler = g_signal_connect (sync, "progress", G_CALLBACK (on_progress), NULL);

  ok = cdm_sync_run (sync, CDM_SYNC_RUN_VERIFY | (bootstrap ? CDM_SYNC_RUN_BOOTSTRAP : 0),
                     &report, NULL, error);
  if (handler != 0)
    {
      g_signal_handler_disconnect (sync, handler);
      g_printerr ("\r");
    }

  g_print (_("Pushed: %u\n"), report.pushed);
  if (report.parked > 0)
    g_print (_("Refused by the server and parked: %u\n"), report.parked);
  if (report.conflicts > 0)
    g_print (_("Conflicts to resolve: %u\n"), report.conflicts);
  g_print (_("Pulled: %u\n"), report.pulled);
  if (report.bootstrapped || report.loaded > 0)
    g_print (_("Loaded from the snapshot: %u\n"), report.loaded);
  if (report.resynced > 0)
    g_print (_("Types loaded again after a checksum mismatch: %u\n"), report.resynced);
  return ok;
}

gboolean
cdmctl_sync_print_status (CdmStore  *store,
                          GError   **error)
{
  g_autofree char *server = cdm_sync_store_get_state (store, CDM_SYNC_KEY_SERVER);
  g_autofree char *user = cdm_sync_store_get_state (store, CDM_SYNC_KEY_USER);
  g_autofree char *last_sync = cdm_sync_store_get_state (store, CDM_SYNC_KEY_LAST_SYNC);
  g_autofree char *last_error = cdm_sync_store_get_state (store, CDM_SYNC_KEY_LAST_ERROR);
  g_autofree char *position = cdm_sync_store_get_state (store, CDM_SYNC_KEY_BOOTSTRAP);
  g_autofree char *token = cdm_sync_load_token (cdm_store_get_path (store), NULL);
  gint64 cursor = cdm_sync_store_get_cursor (store);
  gint64 pending, parked, conflicts;

  pending = cdm_sync_store_count_pending (store, error);
  if (pending < 0)
    return FALSE;
  parked = cdm_sync_store_count_parked (store, error);
  if (parked < 0)
    return FALSE;
  conflicts = cdm_sync_store_count_conflicts (store, error);
  if (conflicts < 0)
    return FALSE;

  g_print (_("Server: %s\n"), server != NULL ? server : _("none"));
  if (server != NULL)
    {
      if (token != NULL)
        g_print (_("Signed in as: %s\n"), user != NULL ? user : "?");
      else
        g_print (_("Signed in as: nobody (run “cdmctl login”)\n"));
    }
  if (cursor >= 0)
    {
      g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);
      g_print (_("Cursor: %s\n"), text);
    }
  else
    g_print (_("Cursor: none (never synced)\n"));
  if (position != NULL)
    g_print (_("Bootstrap in progress: %s\n"), position);
  {
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, pending);
    g_print (_("Changes waiting: %s\n"), text);
  }
  {
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, parked);
    g_print (_("Changes refused by the server (parked): %s\n"), text);
  }
  if (parked > 0)
    {
      g_autoptr(JsonArray) outbox = cdm_store_outbox_list (store, G_MAXINT, error);

      if (outbox == NULL)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (outbox); i++)
        {
          JsonObject *entry = json_array_get_object_element (outbox, i);

          if (g_strcmp0 (json_object_get_string_member (entry, "state"), "parked") != 0)
            continue;
          g_print ("  %s %s %s: %s\n", json_object_get_string_member (entry, "op"),
                   json_object_get_string_member (entry, "type"),
                   json_object_get_string_member (entry, "id"),
                   json_object_get_string_member_with_default (entry, "reason", ""));
        }
    }
  {
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, conflicts);
    g_print (_("Conflicts to resolve: %s\n"), text);
  }
  g_print (_("Last sync: %s\n"), last_sync != NULL ? last_sync : _("never"));
  if (last_error != NULL)
    g_print (_("Last error: %s\n"), last_error);
  return TRUE;
}
