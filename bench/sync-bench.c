/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sync-bench.c: the desk's sync engine against a real cdm-server.
 *
 *   sync-bench --url URL --login LOGIN --password-file FILE --dir DIR
 *              [--page 5000] [--rounds 50] [--changes 100]
 *
 * tools/bench-sync starts a throwaway PostgreSQL and the real cdm-server
 * on loopback, fills the server, and runs this; docs/performance.md keeps
 * the figures.
 *
 * 1. Bootstrap: two empty desk stores in DIR are downloaded from the
 *    server, one after the other (cdm_sync_run on an empty store: cursor,
 *    snapshot pages, full-text index, catch-up and the checksum check);
 *    records/s of each.
 * 2. Incremental round trip, --rounds times: desk A logs --changes
 *    contacts, then syncs (push them, pull them back); desk B syncs (pulls
 *    them).  The median and p99 of A's run, B's run and their sum.
 *
 * It checks that both desks end equal to the server (counts and
 * checksums), exit status 1 otherwise or when a run fails, 2 for bad usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>

#include "cdm-store.h"
#include "cdm-sync.h"
#include "cdm-sync-store.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  p)
{
  guint i;

  g_array_sort (values, compare_doubles);
  i = (guint) (p * (values->len - 1) + 0.5);
  return g_array_index (values, double, MIN (i, values->len - 1));
}

/* User and system time of this process, every thread. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static CdmStore *
open_desk (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  CdmStore *store = cdm_store_open (path, &error);

  if (store == NULL)
    g_error ("%s: %s", path, error->message);
  return store;
}

static gboolean
bootstrap (CdmSync    *sync,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  CdmSyncReport report;
  gint64 start = g_get_monotonic_time ();
  double cpu_start = cpu_seconds ();
  double seconds, cpu;

  if (!cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, &report, NULL, &error))
    {
      g_printerr ("sync-bench: bootstrap of %s: %s\n", name, error->message);
      return FALSE;
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  cpu = cpu_seconds () - cpu_start;
  printf ("bootstrap %s: %u records in %.2f s = %.0f records/s (the desk's own CPU: %.2f s, %.0f records per CPU second)\n",
          name, report.loaded, seconds, report.loaded / seconds, cpu, report.loaded / cpu);
  return TRUE;
}

static gboolean
log_contacts (CdmStore *store,
              guint     n,
              guint     round)
{
  g_autoptr(GError) error = NULL;

  if (!cdm_store_begin (store, FALSE, &error))
    goto fail;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) contact = json_object_new ();
      g_autoptr(JsonArray) themes = json_array_new ();
      g_autofree char *note = g_strdup_printf ("round %u, contact %u", round, i);

      json_array_add_string_element (themes, "work");
      json_object_set_string_member (contact, "occurred_at", "2026-03-02T10:00:00+01:00");
      json_object_set_string_member (contact, "site", "centre");
      json_object_set_string_member (contact, "service", "individual_advice");
      json_object_set_string_member (contact, "channel", "in_person");
      json_object_set_array_member (contact, "themes", g_steal_pointer (&themes));
      json_object_set_string_member (contact, "note", note);
      if (!cdm_store_put (store, CDM_ENTITY_CONTACT, contact, NULL, NULL, &error))
        {
          cdm_store_rollback (store);
          goto fail;
        }
    }
  if (cdm_store_commit (store, &error))
    return TRUE;

fail:
  g_printerr ("sync-bench: logging contacts: %s\n", error->message);
  return FALSE;
}

static double
timed_run (CdmSync  *sync,
           gboolean *ok)
{
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  if (!cdm_sync_run (sync, CDM_SYNC_RUN_DEFAULT, NULL, NULL, &error))
    {
      g_printerr ("sync-bench: %s\n", error->message);
      *ok = FALSE;
    }
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* Both desks end equal to the server: a verifying run reloads nothing. */
static gboolean
verify (CdmSync    *sync,
        const char *name)
{
  g_autoptr(GError) error = NULL;
  CdmSyncReport report;

  if (!cdm_sync_run (sync, CDM_SYNC_RUN_VERIFY, &report, NULL, &error))
    {
      g_printerr ("sync-bench: check of %s: %s\n", name, error->message);
      return FALSE;
    }
  if (report.resynced > 0)
    {
      g_printerr ("sync-bench: %s differed from the server\n", name);
      return FALSE;
    }
  printf ("check %s: equal to the server (counts and checksums of every type)\n", name);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *url = NULL;
  g_autofree char *login = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *password = NULL;
  g_autofree char *token = NULL;
  int page = 5000, rounds = 50, changes = 100;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "The server", "URL" },
    { "login", 0, 0, G_OPTION_ARG_STRING, &login, "A counsellor's login", "LOGIN" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, "Its password", "FILE" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Where to put the desk stores", "DIR" },
    { "page", 0, 0, G_OPTION_ARG_INT, &page, "Records per page (default 5000)", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Round trips (default 50)", "N" },
    { "changes", 0, 0, G_OPTION_ARG_INT, &changes, "Contacts per round trip (default 100)", "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) a = NULL;
  g_autoptr(CdmStore) b = NULL;
  g_autoptr(CdmSync) sync_a = NULL;
  g_autoptr(CdmSync) sync_b = NULL;
  g_autoptr(GArray) push = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) pull = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) both = g_array_new (FALSE, FALSE, sizeof (double));
  gboolean ok = TRUE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || url == NULL || login == NULL ||
      password_file == NULL || dir == NULL || page < 1 || rounds < 1 || changes < 1)
    {
      g_printerr ("sync-bench: %s\n", error ? error->message : "--url, --login, --password-file and --dir are needed");
      return 2;
    }
  if (!g_file_get_contents (password_file, &password, NULL, &error))
    {
      g_printerr ("sync-bench: %s\n", error->message);
      return 1;
    }
  g_strchomp (password);

  a = open_desk (dir, "a.sqlite");
  b = open_desk (dir, "b.sqlite");
  sync_a = cdm_sync_new (a, url, NULL);
  token = cdm_sync_login (sync_a, login, password, NULL, NULL, NULL, &error);
  if (token == NULL)
    {
      g_printerr ("sync-bench: %s\n", error->message);
      return 1;
    }
  sync_b = cdm_sync_new (b, url, token);
  cdm_sync_set_page_size (sync_a, page);
  cdm_sync_set_page_size (sync_b, page);
  cdm_sync_set_timeout (sync_a, 300);
  cdm_sync_set_timeout (sync_b, 300);

  if (!bootstrap (sync_a, "desk A") || !bootstrap (sync_b, "desk B"))
    return 1;

  for (int r = 0; r < rounds && ok; r++)
    {
      double t_push, t_pull, sum;

      if (!log_contacts (a, changes, r))
        return 1;
      t_push = timed_run (sync_a, &ok);
      t_pull = timed_run (sync_b, &ok);
      sum = t_push + t_pull;
      g_array_append_val (push, t_push);
      g_array_append_val (pull, t_pull);
      g_array_append_val (both, sum);
    }
  if (!ok)
    return 1;

  printf ("round trip of %d contacts, %d rounds:\n", changes, rounds);
  printf ("  desk A: push and pull back  median %.1f ms  p99 %.1f ms\n", percentile (push, 0.5), percentile (push, 0.99));
  printf ("  desk B: pull                median %.1f ms  p99 %.1f ms\n", percentile (pull, 0.5), percentile (pull, 0.99));
  printf ("  both                        median %.1f ms  p99 %.1f ms\n", percentile (both, 0.5), percentile (both, 0.99));

  if (!verify (sync_a, "desk A") || !verify (sync_b, "desk B"))
    return 1;
  return 0;
}
