/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-desk-test-util.h: what the ui tests share.
 *
 * The ui tests drive the real desk window under Xvfb: they iterate the
 * main loop until what they wait for shows, find widgets by name, render
 * windows into screenshots/ in the build directory, and run the app on a
 * demo store in a temporary folder.
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "cdm-application.h"
#include "cdm-sync-status.h"
#include "cdm-window.h"

G_BEGIN_DECLS

/* Sets up GTK and libadwaita for a test, with settings kept in memory. */
void cdm_desk_test_init (int    *argc,
                         char ***argv);

/* Iterates the main loop until @done says so, or fails after @seconds,
 * naming @what. */
void cdm_desk_test_wait_until (gboolean  (*done) (gpointer data),
                               gpointer    data,
                               double      seconds,
                               const char *what);

/* Iterates the main loop for @seconds. */
void cdm_desk_test_settle (double seconds);

/* The widget under @root (or @root) named @name, or NULL. */
GtkWidget *cdm_desk_test_find_named (GtkWidget  *root,
                                     const char *name);
/* The same, failing when there is none. */
GtkWidget *cdm_desk_test_get_named (GtkWidget  *root,
                                    const char *name);

/* A button under @root whose label is @label, or NULL. */
GtkWidget *cdm_desk_test_find_button (GtkWidget  *root,
                                      const char *label);

/* Whether a visible label under @root has a text containing @text. */
gboolean cdm_desk_test_shows_label (GtkWidget  *root,
                                    const char *text);

/* The figure of a label such as "27422 contacts", "27,422" or "27 422";
 * -1 while it shows none. */
gint64 cdm_desk_test_label_count (GtkWidget *label);

/* For cdm_desk_test_wait_until(): whether the pointer at @data is NULL. */
gboolean cdm_desk_test_pointer_cleared (gpointer data);

/* The shown toplevel of @type, or NULL. */
GtkWindow *cdm_desk_test_find_toplevel (GType type);

/* Activates @app and returns its window. */
CdmWindow *cdm_desk_test_get_window (CdmApplication *app);

/* Renders @widget as it is drawn now, on white, into
 * screenshots/@name.png in the build directory. */
void cdm_desk_test_save_screenshot (GtkWidget  *widget,
                                    const char *name);

/* Gives the window's content exactly @width × @height. */
void cdm_desk_test_resize (GtkWidget *window,
                           int        width,
                           int        height);

/* @app's window once its store is open (Log a Contact enabled). */
CdmWindow *cdm_desk_test_get_open_window (CdmApplication *app);

/* The sync status of @app's window, its controller set. */
CdmSyncStatus *cdm_desk_test_get_sync_status (CdmApplication *app);

/* Waits until the sync status says @label, or fails after @seconds. */
void cdm_desk_test_wait_for_sync_label (CdmSyncStatus *status,
                                        const char    *label,
                                        double         seconds);

/* Screenshots of @window at 1366×768 and 800×600, as @name-1366x768 and
 * @name-800x600. */
void cdm_desk_test_screenshots (GtkWidget  *window,
                                const char *name);

/* What a person sees on a screen of @width × @height: the main @window
 * filling it, and @dialog over it, centred, at its own size or the
 * screen's when that is smaller (as a window manager would place it),
 * composed from GTK's rendering of each into screenshots/@name.png.
 * Says in the test log when @dialog cannot be made small enough. */
void cdm_desk_test_screen_screenshot (GtkWidget  *window,
                                      GtkWidget  *dialog,
                                      int         width,
                                      int         height,
                                      const char *name);

/* The same at 1366×768 and 800×600, as @name-1366x768 and @name-800x600. */
void cdm_desk_test_screen_screenshots (GtkWidget  *window,
                                       GtkWidget  *dialog,
                                       const char *name);

/* Makes a temporary folder from @tmpl, with the desk's store path in it
 * set as CDM_DESK_STORE and returned in @store_path.  Returns the folder. */
char *cdm_desk_test_make_store_dir (const char  *tmpl,
                                    char       **store_path);

/* Fills the store at @store_path with the demo year the app would make
 * on its first start: the current year, local time. */
void cdm_desk_test_fill_demo (const char *store_path);

/* The desk application as @application_id, registered. */
CdmApplication *cdm_desk_test_new_application (const char *application_id);

/* Closes @app's windows, so that their workers finish before the files
 * go, and drops @app. */
void cdm_desk_test_close_application (CdmApplication **app);

/* Removes the files in @path, then @path. */
void cdm_desk_test_remove_dir (const char *path);

/* The number of contacts in the store at @store_path, read through a
 * connection of its own. */
gint64 cdm_desk_test_count_contacts (const char *store_path);

/* The contact written last in the store at @store_path. */
JsonObject *cdm_desk_test_last_contact (const char *store_path);

G_END_DECLS
