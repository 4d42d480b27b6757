/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-plurals.c: counts in the sync status take the plural form of
 * the desk's language, in a real window.
 *
 * English says "1 waiting" and "2 waiting" alike, so the test gives the
 * desk a catalogue of its own (compiled here with msgfmt) for a language
 * with French plural rules (one form for 0 and 1, another from 2) whose
 * forms differ: "Hors ligne · 1 envoi", "Hors ligne · 2 envois" (short:
 * the header bar must still fit an 800-pixel-wide screen).  A count formatted without ngettext would show the
 * same form for both, or no translation at all.
 *
 * The desk is pointed at an address where nothing answers (port 9 on
 * loopback), so it is Offline; contacts logged then wait, and the status
 * button counts them.  The Statistics of the demo year (the app makes it
 * on its first start) count requests, unknown answers and the year-end
 * projection in the plural form.  Runs under Xvfb like the other ui tests, with a
 * temporary XDG_CONFIG_HOME and the sign-in in a file
 * (CDM_DESK_TOKEN_FILE).  Screenshots go to screenshots/ in the build
 * directory as plurals-offline-*.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "cdm-desk-test-util.h"
#include "cdm-store.h"
#include "cdm-sync-controller.h"
#include "cdm-sync-status.h"
#include "cdm-sync-store.h"
#include "cdm-sync.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;
static char *catalogue_dir;

/* The messages of the test language.  Plural-Forms as in French. */
static const char catalogue[] =
  "msgid \"\"\n"
  "msgstr \"\"\n"
  "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
  "\"Plural-Forms: nplurals=2; plural=(n > 1);\\n\"\n"
  "\n"
  "msgid \"Offline\"\n"
  "msgstr \"Hors ligne\"\n"
  "\n"
  "msgid \"Offline · %d waiting\"\n"
  "msgid_plural \"Offline · %d waiting\"\n"
  "msgstr[0] \"Hors ligne · %d envoi\"\n"
  "msgstr[1] \"Hors ligne · %d envois\"\n"
  "\n"
  "msgid \"%s of %s request\"\n"
  "msgid_plural \"%s of %s requests\"\n"
  "msgstr[0] \"%s sur %s demande\"\n"
  "msgstr[1] \"%s sur %s demandes\"\n"
  "\n"
  "msgid \"%s answered · %s unknown\"\n"
  "msgid_plural \"%s answered · %s unknown\"\n"
  "msgstr[0] \"%s avec réponse · %s inconnu\"\n"
  "msgstr[1] \"%s avec réponse · %s inconnus\"\n"
  "\n"
  "msgid \"At this pace, %s contact by the end of the year\"\n"
  "msgid_plural \"At this pace, %s contacts by the end of the year\"\n"
  "msgstr[0] \"À ce rythme, %s contact d’ici la fin de l’année\"\n"
  "msgstr[1] \"À ce rythme, %s contacts d’ici la fin de l’année\"\n"
  "\n"
  "msgid \"%d change waiting to be sent\"\n"
  "msgid_plural \"%d changes waiting to be sent\"\n"
  "msgstr[0] \"%d modification à envoyer\"\n"
  "msgstr[1] \"%d modifications à envoyer\"\n";

/* Compiles the catalogue into @dir/fr/LC_MESSAGES/GETTEXT_PACKAGE.mo. */
static void
make_catalogue (const char *dir)
{
  g_autofree char *msgfmt = g_find_program_in_path ("msgfmt");
  g_autofree char *po = g_build_filename (dir, "test.po", NULL);
  g_autofree char *messages = g_build_filename (dir, "fr", "LC_MESSAGES", NULL);
  g_autofree char *mo = g_build_filename (messages, GETTEXT_PACKAGE ".mo", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { msgfmt, "--check", "-o", mo, po, NULL };

  /* gettext is a build dependency: msgfmt compiles the desk's own
   * catalogues. */
  g_assert_nonnull (msgfmt);
  g_assert_true (g_file_set_contents (po, catalogue, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (messages, 0700), ==, 0);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("msgfmt refused the test catalogue: %s", err);
}

/* A store with a server where nothing answers, and a token for it. */
static void
prepare_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) store = cdm_store_open (store_path, &error);

  g_assert_no_error (error);
  /* Port 9 (discard) on loopback: nobody answers, at once. */
  g_assert_true (cdm_sync_store_set_state (store, CDM_SYNC_KEY_SERVER, "http://127.0.0.1:9/", &error));
  g_assert_no_error (error);
  g_assert_true (cdm_sync_save_token (store_path, "not-a-real-token", &error));
  g_assert_no_error (error);
}

static CdmWindow *
get_window (void)
{
  return cdm_desk_test_get_open_window (app);
}

static CdmSyncStatus *
get_status (void)
{
  return cdm_desk_test_get_sync_status (app);
}

static gboolean
tried_and_failed (gpointer data)
{
  CdmSyncController *controller = data;

  return !cdm_sync_controller_is_syncing (controller) && cdm_sync_controller_get_last_error (controller) != NULL;
}

static void
wait_for_label (CdmSyncStatus *status,
                const char    *label,
                double         seconds)
{
  cdm_desk_test_wait_for_sync_label (status, label, seconds);
}

static void
log_contact (CdmSyncController *controller)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string ("{\"occurred_at\": \"2026-03-02T10:00:00+01:00\", "
                                               "\"site\": \"centre\", \"service\": \"individual_advice\", "
                                               "\"channel\": \"in_person\"}", NULL);

  g_assert_true (cdm_store_put (cdm_sync_controller_get_store (controller), CDM_ENTITY_CONTACT,
                                json_node_get_object (node), NULL, NULL, &error));
  g_assert_no_error (error);
}

/* The popover's line about the changes waiting, as shown. */
static gboolean
popover_says (CdmSyncStatus *status,
              const char    *text)
{
  GtkWidget *button = cdm_sync_status_get_button (status);
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));

  return cdm_desk_test_shows_label (popover, text);
}

static void
test_offline_counts (void)
{
  CdmSyncStatus *status = get_status ();
  CdmSyncController *controller = cdm_sync_status_get_controller (status);
  GtkWidget *window = GTK_WIDGET (get_window ());
  GtkWidget *button = cdm_sync_status_get_button (status);

  /* The process speaks the test language. */
  g_assert_cmpstr (_("Offline"), ==, "Hors ligne");

  cdm_desk_test_wait_until (tried_and_failed, controller, 30, "a first try");
  g_assert_cmpint (cdm_sync_controller_get_link (controller), ==, CDM_SYNC_LINK_OFFLINE);
  wait_for_label (status, "Hors ligne", 30);

  /* Retries are far apart: the counts stay on screen. */
  cdm_sync_controller_set_delays (controller, 600000, 600000);

  log_contact (controller);
  wait_for_label (status, "Hors ligne · 1 envoi", 30);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  cdm_desk_test_settle (0.3);
  g_assert_true (popover_says (status, "1 modification à envoyer"));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  cdm_desk_test_screenshots (window, "plurals-offline-1");

  log_contact (controller);
  wait_for_label (status, "Hors ligne · 2 envois", 30);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  cdm_desk_test_settle (0.3);
  g_assert_true (popover_says (status, "2 modifications à envoyer"));
  gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  cdm_desk_test_screenshots (window, "plurals-offline-2");
}

typedef struct {
  GtkWidget *root;
  const char *text;
} TextWait;

static gboolean
shows_text (gpointer data)
{
  TextWait *wait = data;

  return cdm_desk_test_shows_label (wait->root, wait->text);
}

/* The Statistics of the demo year: the counts there are many, and their
 * words take the plural form of the test language. */
static void
test_statistics_counts (void)
{
  GtkWidget *window = GTK_WIDGET (get_window ());
  TextWait requests = { window, " demandes" };
  TextWait unknown = { window, " inconnus" };
  TextWait projection = { window, "À ce rythme, " };

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-section", g_variant_new_string ("statistics"));
  cdm_desk_test_wait_until (shows_text, &requests, 60, "“… sur … demandes” under Answered within 48 h");
  cdm_desk_test_wait_until (shows_text, &unknown, 10, "“… avec réponse · … inconnus” under a profile item");
  cdm_desk_test_wait_until (shows_text, &projection, 10, "the year-end projection");
  g_assert_false (cdm_desk_test_shows_label (window, " requests"));
  g_assert_false (cdm_desk_test_shows_label (window, "At this pace"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_dir = NULL;
  int status;

  config_dir = g_dir_make_tmp ("cdm-desk-plurals-config-XXXXXX", NULL);
  g_setenv ("XDG_CONFIG_HOME", config_dir, TRUE);
  g_setenv ("CDM_DESK_TOKEN_FILE", "1", TRUE);
  /* LANGUAGE with LC_ALL=C.UTF-8 is enough for gettext (see
   * test-desk-a11y.c). */
  g_setenv ("LANGUAGE", "fr", TRUE);

  cdm_desk_test_init (&argc, &argv);
  /* gtk_test_init() sets the C locale; the desk uses the environment's. */
  setlocale (LC_ALL, "");

  catalogue_dir = g_dir_make_tmp ("cdm-desk-plurals-locale-XXXXXX", NULL);
  make_catalogue (catalogue_dir);
  bindtextdomain (GETTEXT_PACKAGE, catalogue_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-plurals-XXXXXX", &store_path);
  prepare_store ();
  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk/plurals/offline-counts", test_offline_counts);
  g_test_add_func ("/desk/plurals/statistics-counts", test_statistics_counts);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);
  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);
  {
    g_autofree char *messages = g_build_filename (catalogue_dir, "fr", "LC_MESSAGES", NULL);
    g_autofree char *fr = g_build_filename (catalogue_dir, "fr", NULL);

    cdm_desk_test_remove_dir (messages);
    g_rmdir (fr);
    cdm_desk_test_remove_dir (catalogue_dir);
  }
  g_free (catalogue_dir);
  {
    g_autofree char *token_dir = g_build_filename (config_dir, "cdm-desk", NULL);

    cdm_desk_test_remove_dir (token_dir);
    g_rmdir (config_dir);
  }
  return status;
}
