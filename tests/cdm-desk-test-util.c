/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-desk-test-util.c: what the ui tests share (cdm-desk-test-util.h). */

#include "config.h"

#include "cdm-desk-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cdm-demo.h"
#include "cdm-store.h"

#if defined (__SANITIZE_ADDRESS__)
#include <link.h>
#include <sanitizer/lsan_interface.h>

/* From the sanitizers' allocator interface, which GCC 12 ships no header for. */
int    __sanitizer_get_ownership (const volatile void *p);
size_t __sanitizer_get_allocated_size (const volatile void *p);

/* GLib keeps its quarks in an array of 2,048 strings, allocated when it
 * loads.  Past 2,048 quarks (widget names, data keys, type and signal
 * names: a window or two of the desk) it moves them to a larger array
 * and drops the first one on purpose, so that lookups need no lock
 * (gquark.c).  LeakSanitizer then reports those 16 KiB, with a stack that
 * ends in g_malloc() and cannot be told from a real leak by a
 * suppression.  This finds the array while GLib still holds it, in
 * GLib's writable data, and tells LeakSanitizer to ignore it. */
#define FIRST_QUARK_BLOCK_SIZE (2048 * sizeof (char *))

static int
find_first_quark_block (struct dl_phdr_info *info,
                        size_t               size,
                        void                *data)
{
  gpointer *found = data;

  if (info->dlpi_name == NULL || strstr (info->dlpi_name, "libglib-2.0.so") == NULL)
    return 0;

  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW(Phdr) *header = &info->dlpi_phdr[i];
      guintptr start, end;

      if (header->p_type != PT_LOAD || (header->p_flags & PF_W) == 0)
        continue;
      start = (info->dlpi_addr + header->p_vaddr + sizeof (gpointer) - 1) & ~(guintptr) (sizeof (gpointer) - 1);
      end = info->dlpi_addr + header->p_vaddr + header->p_memsz;
      for (guintptr at = start; at + sizeof (gpointer) <= end; at += sizeof (gpointer))
        {
          const char **block = *(const char ***) at;

          if (block != NULL && __sanitizer_get_ownership (block) &&
              __sanitizer_get_allocated_size (block) == FIRST_QUARK_BLOCK_SIZE &&
              block[1] == g_quark_to_string (1))
            {
              *found = block;
              return 1;
            }
        }
    }
  return 0;
}

static void
ignore_first_quark_block (void)
{
  gpointer block = NULL;

  dl_iterate_phdr (find_first_quark_block, &block);
  if (block != NULL)
    __lsan_ignore_object (block);
}
#endif

void
cdm_desk_test_init (int    *argc,
                    char ***argv)
{
#if defined (__SANITIZE_ADDRESS__)
  ignore_first_quark_block ();
#endif
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  gtk_test_init (argc, argv, NULL);
  adw_init ();
}

void
cdm_desk_test_wait_until (gboolean  (*done) (gpointer data),
                          gpointer    data,
                          double      seconds,
                          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (!done (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

void
cdm_desk_test_settle (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

GtkWidget *
cdm_desk_test_find_named (GtkWidget  *root,
                          const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cdm_desk_test_find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
cdm_desk_test_get_named (GtkWidget  *root,
                         const char *name)
{
  GtkWidget *widget = cdm_desk_test_find_named (root, name);

  if (widget == NULL)
    g_error ("No widget named %s", name);
  return widget;
}

GtkWidget *
cdm_desk_test_find_button (GtkWidget  *root,
                           const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cdm_desk_test_find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

gboolean
cdm_desk_test_shows_label (GtkWidget  *root,
                           const char *text)
{
  if (!gtk_widget_get_child_visible (root) || !gtk_widget_get_visible (root))
    return FALSE;
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (cdm_desk_test_shows_label (child, text))
        return TRUE;
    }
  return FALSE;
}

gint64
cdm_desk_test_label_count (GtkWidget *label)
{
  const char *text = gtk_label_get_text (GTK_LABEL (label));
  gint64 value = 0;
  gboolean any = FALSE;

  /* Only the digits count: group separators differ between locales. */
  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          value = value * 10 + (*p - '0');
          any = TRUE;
        }
    }
  return any ? value : -1;
}

gboolean
cdm_desk_test_pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

GtkWindow *
cdm_desk_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

CdmWindow *
cdm_desk_test_get_window (CdmApplication *app)
{
  GtkWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (CDM_IS_WINDOW (window));
  return CDM_WINDOW (window);
}

void
cdm_desk_test_save_screenshot (GtkWidget  *widget,
                               const char *name)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));

  g_mkdir_with_parents (dir, 0755);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot %s (%d×%d)", path, width, height);
}

typedef struct {
  GtkWidget *widget;
  int width, height;
} SizeWait;

static gboolean
has_size (gpointer data)
{
  SizeWait *wait = data;

  return gtk_widget_get_width (wait->widget) == wait->width &&
         gtk_widget_get_height (wait->widget) == wait->height;
}

/* A shown window keeps its size: the new one is applied when it is
 * mapped again; and the frame that GTK draws without a window manager
 * takes a few pixels, which a second pass adds back. */
void
cdm_desk_test_resize (GtkWidget *window,
                      int        width,
                      int        height)
{
  SizeWait wait = { window, width, height };
  int request_width = width, request_height = height;

  for (int attempt = 0; attempt < 5 && !has_size (&wait); attempt++)
    {
      gtk_widget_set_visible (window, FALSE);
      gtk_window_set_default_size (GTK_WINDOW (window), request_width, request_height);
      gtk_window_present (GTK_WINDOW (window));
      cdm_desk_test_settle (0.5);
      /* On a busy machine the new size may come a few frames late: the
       * correction is taken from the size the window settled at, never
       * from the one it had before. */
      for (int i = 0; i < 20; i++)
        {
          int w = gtk_widget_get_width (window), h = gtk_widget_get_height (window);

          cdm_desk_test_settle (0.1);
          if (w == gtk_widget_get_width (window) && h == gtk_widget_get_height (window))
            break;
        }
      request_width += width - gtk_widget_get_width (window);
      request_height += height - gtk_widget_get_height (window);
    }
  cdm_desk_test_wait_until (has_size, &wait, 10, "the window to take its size");
  cdm_desk_test_settle (0.3);
}

void
cdm_desk_test_screenshots (GtkWidget  *window,
                           const char *name)
{
  g_autofree char *large = g_strconcat (name, "-1366x768", NULL);
  g_autofree char *small = g_strconcat (name, "-800x600", NULL);

  cdm_desk_test_resize (window, 1366, 768);
  cdm_desk_test_save_screenshot (window, large);
  cdm_desk_test_resize (window, 800, 600);
  cdm_desk_test_save_screenshot (window, small);
}

/* The size @dialog takes on a screen of @width × @height: the size it
 * asks for, at most the screen's, at least its minimum. */
static void
dialog_size (GtkWidget *dialog,
             int        width,
             int        height,
             int       *out_width,
             int       *out_height)
{
  int default_width, default_height, min_width, natural_width, min_height, natural_height;
  int *asked = g_object_get_data (G_OBJECT (dialog), "cdm-test-asked-size");

  /* The size it asked for before a resize here changed its default. */
  if (asked == NULL)
    {
      asked = g_new (int, 2);
      gtk_window_get_default_size (GTK_WINDOW (dialog), &asked[0], &asked[1]);
      g_object_set_data_full (G_OBJECT (dialog), "cdm-test-asked-size", asked, g_free);
    }
  default_width = asked[0];
  default_height = asked[1];
  gtk_widget_measure (dialog, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, &natural_width, NULL, NULL);
  if (default_width <= 0)
    default_width = natural_width;
  *out_width = MAX (min_width, MIN (default_width, width));
  gtk_widget_measure (dialog, GTK_ORIENTATION_VERTICAL, -1, &min_height, &natural_height, NULL, NULL);
  if (default_height <= 0)
    default_height = natural_height;
  *out_height = MAX (min_height, MIN (default_height, height));
  g_test_message ("%s asks for %d×%d, at least %d×%d", G_OBJECT_TYPE_NAME (dialog),
                  default_width, default_height, min_width, min_height);
  if (*out_width > width || *out_height > height)
    g_test_message ("%s needs %d×%d, more than the screen's %d×%d",
                    G_OBJECT_TYPE_NAME (dialog), *out_width, *out_height, width, height);
}

static void
append_widget (GtkSnapshot *snapshot,
               GtkWidget   *widget,
               int          x,
               int          y)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  gtk_snapshot_restore (snapshot);
}

void
cdm_desk_test_screen_screenshot (GtkWidget  *window,
                                 GtkWidget  *dialog,
                                 int         width,
                                 int         height,
                                 const char *name)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_BUILT, "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  int dialog_width, dialog_height;

  cdm_desk_test_resize (window, width, height);
  dialog_size (dialog, width, height, &dialog_width, &dialog_height);
  cdm_desk_test_resize (dialog, dialog_width, dialog_height);

  g_mkdir_with_parents (dir, 0755);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.2, 0.2, 0.2, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  append_widget (snapshot, window, 0, 0);
  /* A modal dialog's parent, dimmed as a person's eye reads it. */
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.25 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  append_widget (snapshot, dialog, (width - gtk_widget_get_width (dialog)) / 2,
                 MAX ((height - gtk_widget_get_height (dialog)) / 2, 0));
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (window));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot %s (%d×%d, %s at %d×%d)", path, width, height,
                  G_OBJECT_TYPE_NAME (dialog), gtk_widget_get_width (dialog), gtk_widget_get_height (dialog));
}

void
cdm_desk_test_screen_screenshots (GtkWidget  *window,
                                  GtkWidget  *dialog,
                                  const char *name)
{
  g_autofree char *large = g_strconcat (name, "-1366x768", NULL);
  g_autofree char *small = g_strconcat (name, "-800x600", NULL);

  cdm_desk_test_screen_screenshot (window, dialog, 1366, 768, large);
  cdm_desk_test_screen_screenshot (window, dialog, 800, 600, small);
}

char *
cdm_desk_test_make_store_dir (const char  *tmpl,
                              char       **store_path)
{
  g_autoptr(GError) error = NULL;
  char *dir;

  dir = g_dir_make_tmp (tmpl, &error);
  g_assert_no_error (error);
  *store_path = g_build_filename (dir, "desk.sqlite", NULL);
  g_setenv ("CDM_DESK_STORE", *store_path, TRUE);
  return dir;
}

void
cdm_desk_test_fill_demo (const char *store_path)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  now = g_date_time_new_now_local ();
  cdm_demo_fill (store, g_date_time_get_year (now), NULL, &error);
  g_assert_no_error (error);
}

CdmApplication *
cdm_desk_test_new_application (const char *application_id)
{
  g_autoptr(GError) error = NULL;
  CdmApplication *app;

  app = g_object_new (CDM_TYPE_APPLICATION,
                      "application-id", application_id,
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/brussels/cdm_bp/Desk",
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  return app;
}

void
cdm_desk_test_close_application (CdmApplication **app)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (*app));

  while (windows != NULL)
    {
      gtk_window_destroy (windows->data);
      windows = gtk_application_get_windows (GTK_APPLICATION (*app));
    }
  cdm_desk_test_settle (0.2);
  g_clear_object (app);
}

void
cdm_desk_test_remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
  g_rmdir (path);
}

gint64
cdm_desk_test_count_contacts (const char *store_path)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  count = cdm_store_count (store, CDM_ENTITY_CONTACT, &error);
  g_assert_no_error (error);
  return count;
}

static gboolean
keep_last (JsonObject *record,
           gpointer    user_data)
{
  JsonObject **last = user_data;

  g_clear_pointer (last, json_object_unref);
  *last = json_object_ref (record);
  return TRUE;
}

JsonObject *
cdm_desk_test_last_contact (const char *store_path)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *last = NULL;

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  cdm_store_foreach (store, CDM_ENTITY_CONTACT, FALSE, keep_last, &last, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (last);
  return last;
}

static gboolean
store_is_open (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "log-contact");
}

CdmWindow *
cdm_desk_test_get_open_window (CdmApplication *app)
{
  CdmWindow *window = cdm_desk_test_get_window (app);

  cdm_desk_test_wait_until (store_is_open, window, 30, "the store to open");
  return window;
}

CdmSyncStatus *
cdm_desk_test_get_sync_status (CdmApplication *app)
{
  CdmWindow *window = cdm_desk_test_get_open_window (app);
  CdmSyncStatus *status = CDM_SYNC_STATUS (gtk_widget_get_template_child (GTK_WIDGET (window), CDM_TYPE_WINDOW,
                                                                           "sync_status"));

  g_assert_nonnull (cdm_sync_status_get_controller (status));
  return status;
}

typedef struct {
  CdmSyncStatus *status;
  const char *label;
} LabelWait;

static gboolean
sync_label_is (gpointer data)
{
  LabelWait *wait = data;

  return g_strcmp0 (cdm_sync_status_get_label (wait->status), wait->label) == 0;
}

void
cdm_desk_test_wait_for_sync_label (CdmSyncStatus *status,
                                   const char    *label,
                                   double         seconds)
{
  LabelWait wait = { status, label };
  g_autofree char *what = g_strdup_printf ("the status to say “%s”", label);

  cdm_desk_test_wait_until (sync_label_is, &wait, seconds, what);
}
