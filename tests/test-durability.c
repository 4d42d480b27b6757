/* SPDX-License-Identifier: GPL-3.0-or-later */
/* No acknowledged write is lost: a child process logs contacts and prints
 * each id once cdm_store_put() has returned; we kill it with SIGKILL at a
 * random moment, reopen the store and look for every printed id. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "cdm-store.h"

#define ROUNDS 100

static int
run_writer (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) store = cdm_store_open (path, &error);
  static const char * const channels[] = { "in_person", "email", "chat", "call_centre" };

  if (store == NULL)
    {
      g_printerr ("writer: %s\n", error->message);
      return 1;
    }

  for (guint i = 0;; i++)
    {
      g_autoptr(JsonObject) contact = json_object_new ();
      g_autoptr(JsonArray) themes = json_array_new ();
      g_autofree char *id = NULL;

      json_object_set_string_member (contact, "occurred_at", "2020-03-02T09:15:00+01:00");
      json_object_set_string_member (contact, "site", "centre");
      json_object_set_string_member (contact, "service", "individual_advice");
      json_object_set_string_member (contact, "channel", channels[i % G_N_ELEMENTS (channels)]);
      json_array_add_string_element (themes, "work");
      json_object_set_array_member (contact, "themes", g_steal_pointer (&themes));

      if (!cdm_store_put (store, CDM_ENTITY_CONTACT, contact, &id, NULL, &error))
        {
          g_printerr ("writer: %s\n", error->message);
          return 1;
        }
      /* Only now is the contact acknowledged. */
      g_print ("%s\n", id);
      fflush (stdout);
    }
  return 0;
}

static void
test_sigkill_loses_nothing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cdm-test-durability-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "desk.sqlite", NULL);
  const char *self_exe = g_test_get_filename (G_TEST_BUILT, "test-durability", NULL);
  guint total = 0;

  g_assert_no_error (error);

  for (guint round = 0; round < ROUNDS; round++)
    {
      const char *argv[] = { self_exe, "--writer", path, NULL };
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(CdmStore) store = NULL;
      g_auto(GStrv) lines = NULL;
      GPid pid;
      int out_fd, status;
      char buf[4096];
      gssize n;
      guint acknowledged = 0;

      g_assert_true (g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                               NULL, NULL, &pid, NULL, &out_fd, NULL, &error));
      g_assert_no_error (error);

      /* Anywhere from during open to well into the writing. */
      g_usleep (g_test_rand_int_range (0, 150) * 1000);
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
      g_spawn_close_pid (pid);
      g_assert_true (WIFSIGNALED (status));

      while ((n = read (out_fd, buf, sizeof buf)) > 0)
        g_string_append_len (out, buf, n);
      close (out_fd);

      store = cdm_store_open (path, &error);
      g_assert_no_error (error);
      g_assert_true (cdm_store_check_integrity (store, &error));
      g_assert_no_error (error);

      lines = g_strsplit (out->str, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_autoptr(JsonObject) found = NULL;

          /* The last line may have been cut by the kill: only whole ids count. */
          if (strlen (lines[i]) != 36 || lines[i + 1] == NULL)
            continue;
          found = cdm_store_get (store, CDM_ENTITY_CONTACT, lines[i], FALSE, &error);
          g_assert_no_error (error);
          g_assert_nonnull (found);
          acknowledged++;
        }
      total += acknowledged;
      g_test_message ("round %u: %u acknowledged contacts found", round, acknowledged);
    }

  /* The test means something only if writes did get acknowledged. */
  g_assert_cmpuint (total, >, ROUNDS);

  {
    g_autoptr(CdmStore) store = cdm_store_open (path, &error);
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_assert_no_error (error);
    g_assert_cmpint (cdm_store_count (store, CDM_ENTITY_CONTACT, NULL), >=, total);
    g_clear_object (&store);
    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }
}

int
main (int    argc,
      char **argv)
{
  if (argc == 3 && g_str_equal (argv[1], "--writer"))
    return run_writer (argv[2]);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/durability/sigkill-loses-nothing", test_sigkill_loses_nothing);
  return g_test_run ();
}
