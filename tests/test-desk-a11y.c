/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-a11y.c: the desk in French and Dutch, and names for every
 * control a screen reader reaches.
 *
 * Runs under Xvfb (see tests/meson.build) on a demo store in a fresh
 * temporary folder.
 *
 * Languages: a process picks its locale once, so each language runs in a
 * subprocess of this test with LANGUAGE set.  The machine may have no
 * fr_BE or nl_BE locale generated; LANGUAGE with LC_ALL=C.UTF-8 (as the
 * ui tests run) is enough for gettext to translate messages.  The
 * catalogues come from po/ in the build directory, where the build
 * compiles them as <lang>/LC_MESSAGES/cdm-desk.mo.
 *
 * Names: GTK 4.8 cannot read accessible properties back, so the rule
 * checked here is what gives a control its name in practice.  A visible,
 * sensitive control (button, toggle, check button, switch, entry, search
 * entry, spin button, drop-down, combo or entry row, list or column view)
 * is named when it has any of:
 *   - a text label of its own or in a label inside it (buttons);
 *   - a mnemonic label pointing at it (GtkLabel:mnemonic-widget);
 *   - a placeholder text (entries);
 *   - a title on itself (rows), or on the preferences row that holds
 *     it, unless it is a button;
 *   - a tooltip (icon-only buttons);
 *   - an accessible label or labelled-by relation, as <accessibility>
 *     in a .ui file gives, read with gtk_test_accessible_has_property();
 *   - the "cdm-accessible-name" data, set by code that calls
 *     gtk_accessible_update_property() with a label.
 * Parts GTK builds inside a control (the text of an entry, the buttons
 * of a spin button or drop-down, window controls) are named by their
 * control and skipped: a menu button is named as a whole.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-activity-editor.h"
#include "cdm-contact-dialog.h"
#include "cdm-desk-test-util.h"
#include "cdm-detail-window.h"
#include "cdm-partner-editor.h"
#include "cdm-preferences-window.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

static gboolean
store_is_open (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "log-contact");
}

static CdmWindow *
open_window (void)
{
  CdmWindow *window = cdm_desk_test_get_window (app);

  cdm_desk_test_wait_until (store_is_open, window, 30, "the desk to open its store");
  return window;
}

/* The window's stack of sections. */
static AdwViewStack *
get_view_stack (CdmWindow *window)
{
  return ADW_VIEW_STACK (gtk_widget_get_ancestor (cdm_desk_test_get_named (GTK_WIDGET (window), "today-total"),
                                                  ADW_TYPE_VIEW_STACK));
}

/* The title of the window's section named @name, as its switcher shows. */
static const char *
section_title (CdmWindow  *window,
               const char *name)
{
  AdwViewStack *stack = get_view_stack (window);
  GtkWidget *child = adw_view_stack_get_child_by_name (stack, name);

  g_assert_nonnull (child);
  return adw_view_stack_page_get_title (adw_view_stack_get_page (stack, child));
}

/* Runs in the subprocess: the window speaks the language of LANGUAGE. */
static void
test_translated_subprocess (void)
{
  const char *language = g_getenv ("LANGUAGE");
  CdmWindow *window;

  if (!g_test_subprocess ())
    return;

  window = open_window ();

  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  cdm_desk_test_settle (0.3);

  if (g_strcmp0 (language, "fr") == 0)
    {
      g_assert_cmpstr (section_title (window, "today"), ==, "Aujourd’hui");
      g_assert_cmpstr (section_title (window, "partners"), ==, "Partenaires");
      g_assert_cmpstr (section_title (window, "library"), ==, "Bibliothèque");
      g_assert_cmpstr (section_title (window, "contacts"), ==, "Contacts");
      g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "Aujourd’hui"));
      g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "Partenaires"));
      cdm_desk_test_save_screenshot (GTK_WIDGET (window), "a11y-fr-1366x768");
    }
  else if (g_strcmp0 (language, "nl") == 0)
    {
      g_assert_cmpstr (section_title (window, "today"), ==, "Vandaag");
      g_assert_cmpstr (section_title (window, "partners"), ==, "Partners");
      g_assert_cmpstr (section_title (window, "library"), ==, "Bibliotheek");
      g_assert_cmpstr (section_title (window, "contacts"), ==, "Contacten");
      g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "Vandaag"));
      g_assert_true (cdm_desk_test_shows_label (GTK_WIDGET (window), "Bibliotheek"));
      cdm_desk_test_save_screenshot (GTK_WIDGET (window), "a11y-nl-1366x768");
    }
  else
    {
      g_assert_not_reached ();
    }
}

static void
run_in_language (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  g_test_trap_subprocess ("/desk/a11y/translated/subprocess", 60 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("LANGUAGE");
  g_test_trap_assert_passed ();
}

static void
test_translated (void)
{
  /* The process's own language stays English: the catalogue is there,
   * but LANGUAGE is not set. */
  g_assert_cmpstr (_("Today"), ==, "Today");

  run_in_language ("fr");
  run_in_language ("nl");
}

static gboolean
has_text (const char *text)
{
  return text != NULL && *text != '\0';
}

/* Whether a visible label under @root (or @root) has a text. */
static gboolean
has_label_inside (GtkWidget *root)
{
  if (!gtk_widget_get_visible (root))
    return FALSE;
  if (GTK_IS_LABEL (root) && has_text (gtk_label_get_text (GTK_LABEL (root))))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (has_label_inside (child))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) || GTK_IS_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_TEXT (widget) ||
         GTK_IS_SPIN_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) || ADW_IS_COMBO_ROW (widget) ||
         ADW_IS_ENTRY_ROW (widget) || GTK_IS_LIST_VIEW (widget) || GTK_IS_COLUMN_VIEW (widget);
}

/* Whether GTK builds @widget's children itself, named by @widget. */
static gboolean
is_composite_control (GtkWidget *widget)
{
  return GTK_IS_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_SPIN_BUTTON (widget) ||
         GTK_IS_DROP_DOWN (widget) || ADW_IS_ENTRY_ROW (widget) || ADW_IS_COMBO_ROW (widget) ||
         GTK_IS_COLUMN_VIEW (widget) || GTK_IS_WINDOW_CONTROLS (widget) || GTK_IS_MENU_BUTTON (widget);
}

static gboolean
is_named (GtkWidget *widget)
{
  GList *mnemonic_labels;
  gboolean named;
  GtkWidget *row;

  if (g_object_get_data (G_OBJECT (widget), "cdm-accessible-name") != NULL)
    return TRUE;
  /* What the .ui files give with <accessibility>, read through GTK's
   * testing context. */
  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
      gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
    return TRUE;
  if (has_text (gtk_widget_get_tooltip_text (widget)))
    return TRUE;

  mnemonic_labels = gtk_widget_list_mnemonic_labels (widget);
  named = mnemonic_labels != NULL;
  g_list_free (mnemonic_labels);
  if (named)
    return TRUE;

  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget)) &&
      has_label_inside (widget))
    return TRUE;

  if (GTK_IS_ENTRY (widget) && has_text (gtk_entry_get_placeholder_text (GTK_ENTRY (widget))))
    return TRUE;
  if (GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_TEXT (widget))
    {
      g_autofree char *placeholder = NULL;

      g_object_get (widget, "placeholder-text", &placeholder, NULL);
      if (has_text (placeholder))
        return TRUE;
    }

  /* A row's title names the row and the switch or check box it holds,
   * not the buttons at its end, which do something else. */
  row = ADW_IS_PREFERENCES_ROW (widget) ? widget : gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_ROW);
  if (row != NULL && (row == widget || !(GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget))) &&
      has_text (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row))))
    return TRUE;

  return FALSE;
}

static guint n_checked;

static void
collect_unnamed (GtkWidget  *widget,
                 const char *where,
                 GPtrArray  *unnamed)
{
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_is_sensitive (widget))
    return;

  if (is_control (widget))
    n_checked++;
  if (is_control (widget) && !is_named (widget))
    {
      const char *name = gtk_widget_get_name (widget);

      g_ptr_array_add (unnamed, g_strdup_printf ("%s: %s \"%s\" in %s", where, G_OBJECT_TYPE_NAME (widget), name,
                                                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget))));
    }

  if (is_composite_control (widget))
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, where, unnamed);
}

static void
assert_all_named (GPtrArray *unnamed)
{
  for (guint i = 0; i < unnamed->len; i++)
    g_test_message ("no accessible name: %s", (const char *) g_ptr_array_index (unnamed, i));
  if (unnamed->len > 0)
    g_error ("%u controls have no accessible name, the first: %s", unnamed->len,
             (const char *) g_ptr_array_index (unnamed, 0));
}

static CdmContactDialog *
find_contact_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CDM_IS_CONTACT_DIALOG (window))
        return CDM_CONTACT_DIALOG (window);
    }
  return NULL;
}

static void
test_names (void)
{
  CdmWindow *window = open_window ();
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  AdwViewStack *stack;
  GListModel *pages;
  CdmContactDialog *dialog;

  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);
  stack = get_view_stack (window);
  pages = G_LIST_MODEL (adw_view_stack_get_pages (stack));
  g_assert_cmpuint (g_list_model_get_n_items (pages), >=, 3);

  for (guint i = 0; i < g_list_model_get_n_items (pages); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (pages, i);
      const char *name = adw_view_stack_page_get_name (page);

      if (!adw_view_stack_page_get_visible (page))
        continue;
      g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string (name));
      cdm_desk_test_settle (1.0);
      g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, name);
      collect_unnamed (GTK_WIDGET (window), name, unnamed);
    }
  g_object_unref (pages);

  g_action_group_activate_action (G_ACTION_GROUP (window), "log-contact", NULL);
  dialog = find_contact_dialog ();
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  cdm_desk_test_settle (0.5);
  collect_unnamed (GTK_WIDGET (dialog), "log-contact", unnamed);
  gtk_window_close (GTK_WINDOW (dialog));
  cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &dialog, 10, "the dialog to close");

  g_test_message ("%u controls checked", n_checked);
  /* Each section has some: a walk that saw none would prove nothing. */
  g_assert_cmpuint (n_checked, >, 20);
  assert_all_named (unnamed);
}

/* The shown toplevel of @type, waited for. */
static GtkWidget *
wait_for_toplevel (GType type)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  GtkWindow *found;

  while ((found = cdm_desk_test_find_toplevel (type)) == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out waiting for a %s", g_type_name (type));
      g_main_context_iteration (NULL, FALSE);
    }
  cdm_desk_test_settle (0.5);
  return GTK_WIDGET (found);
}

typedef struct {
  GtkWidget *root;
  const char *text;
} LabelWait;

static gboolean
label_is_shown (gpointer data)
{
  LabelWait *wait = data;

  return cdm_desk_test_shows_label (wait->root, wait->text);
}

/* Walks @dialog for names, takes it over @window at both screen sizes,
 * walks it again at the small one (controls shown only there count),
 * and closes it. */
static void
check_window (CdmWindow  *window,
              GtkWidget  *dialog,
              const char *name,
              GPtrArray  *unnamed)
{
  g_autofree char *shot = g_strconcat ("window-", name, NULL);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  collect_unnamed (dialog, name, unnamed);
  cdm_desk_test_screen_screenshots (GTK_WIDGET (window), dialog, shot);
  collect_unnamed (dialog, name, unnamed);
  if (GTK_IS_SHORTCUTS_WINDOW (dialog))
    {
      /* The main window keeps its shortcuts window, to show it again. */
      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
      gtk_widget_set_visible (dialog, FALSE);
    }
  else
    {
      gtk_window_destroy (GTK_WINDOW (dialog));
      cdm_desk_test_wait_until (cdm_desk_test_pointer_cleared, &dialog, 10, "the window to close");
    }
  cdm_desk_test_settle (0.2);
}

/* Opens a search hit of the Partners or Library section (@section) for
 * @query, and returns its detail window. */
static GtkWidget *
open_detail (CdmWindow  *window,
             const char *section,
             const char *query)
{
  GtkWidget *page, *results;
  LabelWait wait;

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string (section));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), section);
  gtk_editable_set_text (GTK_EDITABLE (cdm_desk_test_get_named (page, "search-entry")), query);
  results = cdm_desk_test_get_named (page, "results");
  wait = (LabelWait) { results, query };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the search hit");
  cdm_desk_test_settle (0.3);
  gtk_widget_activate_action (results, "list.activate-item", "u", 0);
  return wait_for_toplevel (CDM_TYPE_DETAIL_WINDOW);
}

static void
test_windows (void)
{
  CdmWindow *window = open_window ();
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *dialog, *page;
  LabelWait wait;

  n_checked = 0;
  cdm_desk_test_resize (GTK_WIDGET (window), 1366, 768);

  /* Log a contact, over Today. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "log-contact", NULL);
  check_window (window, wait_for_toplevel (CDM_TYPE_CONTACT_DIALOG), "log-contact", unnamed);

  /* A partner's detail, with its people, and its editor. */
  dialog = open_detail (window, "partners", "Actiris");
  wait = (LabelWait) { dialog, "+32 2" };
  cdm_desk_test_wait_until (label_is_shown, &wait, 10, "the partner's detail");
  gtk_widget_activate (cdm_desk_test_get_named (dialog, "edit-partner"));
  {
    GtkWidget *editor = wait_for_toplevel (CDM_TYPE_PARTNER_EDITOR);

    gtk_widget_activate_action (editor, "editor.add-person", NULL);
    check_window (window, editor, "partner-editor", unnamed);
  }
  check_window (window, dialog, "partner-detail", unnamed);

  /* A resource's detail. */
  dialog = open_detail (window, "library", "CV");
  check_window (window, dialog, "resource-detail", unnamed);

  /* A new activity, over the week. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("activities"));
  page = cdm_desk_test_get_named (GTK_WIDGET (window), "activities");
  cdm_desk_test_settle (0.5);
  gtk_widget_activate (cdm_desk_test_get_named (page, "new-activity"));
  check_window (window, wait_for_toplevel (CDM_TYPE_ACTIVITY_EDITOR), "activity-editor", unnamed);

  /* Preferences, keyboard shortcuts and About, over Today. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("today"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  check_window (window, wait_for_toplevel (CDM_TYPE_PREFERENCES_WINDOW), "preferences", unnamed);
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  check_window (window, wait_for_toplevel (GTK_TYPE_SHORTCUTS_WINDOW), "shortcuts", unnamed);
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  check_window (window, wait_for_toplevel (ADW_TYPE_ABOUT_WINDOW), "about", unnamed);

  g_test_message ("%u controls checked in the windows", n_checked);
  g_assert_cmpuint (n_checked, >, 60);
  assert_all_named (unnamed);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *locale_dir = NULL;
  int status;

  /* The ui tests run with no accessibility backend; GTK's testing one
   * keeps what <accessibility> in the .ui files says, to be read back. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  cdm_desk_test_init (&argc, &argv);

  /* gtk_test_init() sets the C locale; a subprocess runs in the
   * language its environment asks for, as the desk does. */
  if (g_test_subprocess ())
    setlocale (LC_ALL, "");

  /* The catalogues the build compiled, not the installed ones. */
  locale_dir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The subprocesses open the store their parent filled. */
  if (!g_test_subprocess ())
    {
      store_dir = cdm_desk_test_make_store_dir ("cdm-desk-a11y-XXXXXX", &store_path);
      cdm_desk_test_fill_demo (store_path);
    }

  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk/a11y/translated", test_translated);
  g_test_add_func ("/desk/a11y/translated/subprocess", test_translated_subprocess);
  g_test_add_func ("/desk/a11y/names", test_names);
  g_test_add_func ("/desk/a11y/windows", test_windows);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);

  if (store_dir != NULL)
    cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
