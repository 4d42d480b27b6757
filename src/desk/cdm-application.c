/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-application.c: the desk app. */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-application.h"
#include "cdm-demo.h"
#include "cdm-preferences-window.h"
#include "cdm-store.h"
#include "cdm-survey-window.h"
#include "cdm-window.h"

struct _CdmApplication
{
  AdwApplication parent_instance;

  /* The store once open; windows created later get it at once. */
  CdmStore *store;
  GError *store_error;
  gboolean opening;

  /* The desk's preferences (data/brussels.cdm_bp.Desk.gschema.xml). */
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (CdmApplication, cdm_application, ADW_TYPE_APPLICATION)

static gboolean
store_is_empty (CdmStore  *store,
                gboolean  *out_empty,
                GError   **error)
{
  for (CdmEntity entity = 0; entity < CDM_N_ENTITIES; entity++)
    {
      gint64 count = cdm_store_count (store, entity, error);

      if (count < 0)
        return FALSE;
      if (count > 0)
        {
          *out_empty = FALSE;
          return TRUE;
        }
    }

  *out_empty = TRUE;
  return TRUE;
}

/* In a worker thread: open, and fill an empty store with a demo year.
 * The demo year is the current one, so that Today's figures are those of
 * a year under way (what is still to come stays planned, uncounted). */
static void
open_store (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  const char *path = task_data;
  g_autoptr(CdmStore) store = NULL;
  GError *error = NULL;
  gboolean empty;

  store = cdm_store_open (path, &error);
  if (store == NULL || !store_is_empty (store, &empty, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (empty)
    {
      g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
      g_autoptr(GDateTime) now = g_date_time_new_now (zone);

      if (!cdm_demo_fill (store, g_date_time_get_year (now), cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
}

/* Every record written says which desk wrote it: the name set in the
 * preferences, or none while it is empty.  The store takes at most 100
 * characters; a longer name is cut rather than refusing every save. */
static void
update_identity (CdmApplication *self)
{
  g_autofree char *name = NULL;
  g_autofree char *desk = NULL;

  if (self->store == NULL)
    return;

  name = g_strstrip (g_settings_get_string (self->settings, "desk-name"));
  desk = g_utf8_substring (name, 0, MIN (g_utf8_strlen (name, -1), 100));
  cdm_store_set_identity (self->store, g_get_user_name (), NULL,
                          desk[0] != '\0' ? desk : NULL);
}

static void
on_desk_name_changed (GSettings      *settings,
                      const char     *key,
                      CdmApplication *self)
{
  update_identity (self);
}

static void
on_store_opened (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CdmApplication) self = user_data;
  GList *windows;

  self->opening = FALSE;
  self->store = g_task_propagate_pointer (G_TASK (result), &self->store_error);
  if (self->store_error != NULL)
    g_warning ("Cannot open the store: %s", self->store_error->message);
  update_identity (self);

  windows = gtk_application_get_windows (GTK_APPLICATION (self));
  for (GList *l = windows; l != NULL; l = l->next)
    {
      if (!CDM_IS_WINDOW (l->data))
        continue;
      if (self->store != NULL)
        cdm_window_set_store (l->data, self->store);
      else
        cdm_window_show_error (l->data, self->store_error);
    }
}

static void
start_opening_store (CdmApplication *self)
{
  g_autoptr(GTask) task = NULL;
  const char *override = g_getenv ("CDM_DESK_STORE");
  char *path;

  /* CDM_DESK_STORE points the desk at another store: tests, training. */
  if (override != NULL && override[0] != '\0')
    path = g_strdup (override);
  else
    path = cdm_store_default_path ();

  self->opening = TRUE;
  task = g_task_new (NULL, NULL, on_store_opened, g_object_ref (self));
  g_task_set_source_tag (task, start_opening_store);
  g_task_set_task_data (task, path, g_free);
  g_task_run_in_thread (task, open_store);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { _("The Cité des métiers of Brussels"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Desk"),
                        "application-icon", "x-office-address-book",
                        "developer-name", _("The Cité des métiers of Brussels"),
                        "version", PACKAGE_VERSION,
                        "comments", _("The counsellors’ workstation: log contacts, "
                                      "find partners and resources, follow the year’s figures."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkApplication *app = user_data;
  CdmPreferencesWindow *window;

  window = cdm_preferences_window_new (gtk_application_get_active_window (app));
  gtk_window_present (GTK_WINDOW (window));
}

static void
help_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;

  /* Yelp opens the pages installed from help/ (gnome.yelp). */
  gtk_show_uri (gtk_application_get_active_window (app), "help:cdm-desk", GDK_CURRENT_TIME);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* The satisfaction survey, in a window of its own (app.survey) or filling
 * the screen for visitors (app.survey-kiosk); nothing before the store is
 * open. */
static void
survey_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  CdmApplication *self = user_data;
  gboolean kiosk = g_str_equal (g_action_get_name (G_ACTION (action)), "survey-kiosk");

  if (self->store == NULL)
    return;
  gtk_window_present (GTK_WINDOW (cdm_survey_window_new (GTK_APPLICATION (self), self->store, kiosk)));
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "preferences", preferences_action },
  { "help", help_action },
  { "quit", quit_action },
  { "survey", survey_action },
  { "survey-kiosk", survey_action },
};

static void
cdm_application_startup (GApplication *application)
{
  CdmApplication *self = CDM_APPLICATION (application);
  const struct {
    const char *action;
    const char *accels[2];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.help", { "F1", NULL } },
    { "win.log-contact", { "<Control>n", NULL } },
    { "win.new-partner", { "<Control><Shift>n", NULL } },
    { "win.show-section::today", { "<Alt>1", NULL } },
    { "win.show-section::contacts", { "<Alt>2", NULL } },
    { "win.show-section::partners", { "<Alt>3", NULL } },
    { "win.show-section::library", { "<Alt>4", NULL } },
    { "win.show-section::activities", { "<Alt>5", NULL } },
    { "win.show-section::statistics", { "<Alt>6", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  G_APPLICATION_CLASS (cdm_application_parent_class)->startup (application);

  self->settings = g_settings_new (APP_ID);
  g_signal_connect (self->settings, "changed::desk-name",
                    G_CALLBACK (on_desk_name_changed), self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);

  start_opening_store (self);
}

static void
cdm_application_activate (GApplication *application)
{
  CdmApplication *self = CDM_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      CdmWindow *desk = cdm_window_new (GTK_APPLICATION (self));

      if (self->store != NULL)
        cdm_window_set_store (desk, self->store);
      else if (self->store_error != NULL)
        cdm_window_show_error (desk, self->store_error);
      window = GTK_WINDOW (desk);
    }

  gtk_window_present (window);
}

static void
cdm_application_dispose (GObject *object)
{
  CdmApplication *self = CDM_APPLICATION (object);

  g_clear_object (&self->store);
  g_clear_error (&self->store_error);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (cdm_application_parent_class)->dispose (object);
}

static void
cdm_application_class_init (CdmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = cdm_application_dispose;
  app_class->startup = cdm_application_startup;
  app_class->activate = cdm_application_activate;
}

static void
cdm_application_init (CdmApplication *self)
{
}

CdmApplication *
cdm_application_new (void)
{
  return g_object_new (CDM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/brussels/cdm_bp/Desk",
                       NULL);
}
