/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desk-bench.c: how fast the desk starts and answers a search.
 *
 *   desk-bench [--runs N] [--keystrokes N] STORE
 *
 * Start: runs N separate processes of this program (--child-start), each
 * starting the real desk on STORE, and measures from just before the
 * process is spawned to the first frame drawn of the window (the first
 * "after-paint" of its frame clock), then to Today's figures shown; the
 * resident memory (VmRSS) at both moments.  The baseline is the same
 * process showing a bare GtkApplicationWindow with one label
 * (--child-baseline).
 *
 * Search: one process (--child-search) opens the desk on STORE, goes to
 * the Library and types prefixes (2 to 6 letters) of words of real
 * titles into its search field, one letter at a time, waiting each time
 * for the list to change (items-changed) and the next frame drawn; once
 * with the search field as shipped, once with its search delay set to 0.
 * The baseline is cdm_search() on the same queries, without the window.
 * DESK_BENCH_VERBOSE=1 prints every keystroke's times on stderr.
 *
 * Run it under a display (tools/bench-desk uses xvfb-run); the store is
 * written to (the desk opens it read-write), so give it a copy.
 */

#include "config.h"

#include <adwaita.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdm-application.h"
#include "cdm-search.h"
#include "cdm-store.h"
#include "cdm-window.h"

/* The latest moment the spawned process cannot have started before. */
#define SPAWNED_AT_ENV "CDM_DESK_BENCH_SPAWNED_AT"

static gint64
resident_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  if (line == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen ("VmRSS:"), NULL, 10);
}

static gint64
spawned_at (void)
{
  const char *value = g_getenv (SPAWNED_AT_ENV);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : 0;
}

static GtkWidget *
find_named (GtkWidget  *root,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
label_has_figure (GtkWidget *label)
{
  if (label == NULL)
    return FALSE;
  for (const char *p = gtk_label_get_text (GTK_LABEL (label)); *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        return TRUE;
    }
  return FALSE;
}

/* ---- start: one process per run ---- */

typedef struct {
  GApplication *app;
  GtkWidget *window;
  gboolean baseline;
  gint64 first_frame;
  gint64 first_frame_rss;
  gulong after_paint_id;
} StartRun;

static gboolean
quit_later (gpointer data)
{
  StartRun *run = data;

  g_application_quit (run->app);
  return G_SOURCE_REMOVE;
}

static gboolean
poll_figures (gpointer data)
{
  StartRun *run = data;

  if (!label_has_figure (find_named (run->window, "today-total")))
    return G_SOURCE_CONTINUE;

  /* The figures' frame: measured at the tick that shows them. */
  g_print ("first-frame-us %" G_GINT64_FORMAT " first-frame-rss-kb %" G_GINT64_FORMAT
           " figures-us %" G_GINT64_FORMAT " figures-rss-kb %" G_GINT64_FORMAT "\n",
           run->first_frame - spawned_at (), run->first_frame_rss,
           g_get_monotonic_time () - spawned_at (), resident_kb ());
  g_idle_add (quit_later, run);
  return G_SOURCE_REMOVE;
}

static void
on_after_paint (GdkFrameClock *clock,
                StartRun      *run)
{
  run->first_frame = g_get_monotonic_time ();
  run->first_frame_rss = resident_kb ();
  g_signal_handler_disconnect (clock, run->after_paint_id);

  if (run->baseline)
    {
      g_print ("first-frame-us %" G_GINT64_FORMAT " first-frame-rss-kb %" G_GINT64_FORMAT "\n",
               run->first_frame - spawned_at (), run->first_frame_rss);
      g_idle_add (quit_later, run);
      return;
    }
  g_timeout_add (2, poll_figures, run);
}

static void
on_window_realize (GtkWidget *window,
                   StartRun  *run)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  run->after_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), run);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 StartRun       *run)
{
  if (run->window != NULL)
    return;
  run->window = GTK_WIDGET (window);
  g_signal_connect (window, "realize", G_CALLBACK (on_window_realize), run);
}

static void
on_baseline_activate (GtkApplication *app,
                      StartRun       *run)
{
  GtkWidget *window = gtk_application_window_new (app);

  gtk_window_set_title (GTK_WINDOW (window), "Desk");
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 700);
  gtk_window_set_child (GTK_WINDOW (window), gtk_label_new ("Desk"));
  gtk_window_present (GTK_WINDOW (window));
}

static int
child_start (gboolean baseline)
{
  StartRun run = { .baseline = baseline };
  char *argv[] = { (char *) "desk-bench", NULL };
  g_autoptr(GApplication) app = NULL;

  if (baseline)
    {
      app = G_APPLICATION (gtk_application_new ("org.citedesmetiers.DeskBenchBaseline",
                                                G_APPLICATION_DEFAULT_FLAGS));
      g_signal_connect (app, "activate", G_CALLBACK (on_baseline_activate), &run);
    }
  else
    {
      app = G_APPLICATION (cdm_application_new ());
    }
  run.app = app;
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), &run);
  return g_application_run (app, 1, argv);
}

/* ---- search: in one process ---- */

typedef struct {
  GtkWidget *window;
  GtkEditable *entry;
  gint64 typed;
  gint64 changed;   /* search-changed, after GtkSearchEntry's delay */
  gint64 listed;    /* the list's items-changed */
  gint64 laid_out;  /* the start of that frame (before-paint) */
  gint64 drawn;     /* the next frame drawn after it */
} SearchWait;

static void
on_search_changed (GtkSearchEntry *entry,
                   SearchWait     *wait)
{
  if (wait->changed == 0)
    wait->changed = g_get_monotonic_time ();
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  SearchWait *wait)
{
  if (g_getenv ("DESK_BENCH_VERBOSE") != NULL)
    g_printerr ("  items-changed -%u +%u at %.1f ms\n", removed, added,
                (g_get_monotonic_time () - wait->typed) / 1000.0);
  if (wait->typed != 0 && wait->listed == 0)
    wait->listed = g_get_monotonic_time ();
}

static void
on_search_layout (GdkFrameClock *clock,
                  SearchWait    *wait)
{
  if (wait->listed != 0 && wait->laid_out == 0)
    wait->laid_out = g_get_monotonic_time ();
}

static void
on_search_after_paint (GdkFrameClock *clock,
                       SearchWait    *wait)
{
  if (wait->listed != 0 && wait->drawn == 0)
    wait->drawn = g_get_monotonic_time ();
}

static gboolean
iterate_until (gint64 *moment,
               double  seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (*moment == 0)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, TRUE);
    }
  return TRUE;
}

static void
settle (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Median and p99 (nearest rank) of @values, in place. */
static void
print_stats (const char *what,
             GArray     *values)
{
  gint64 *v = (gint64 *) (gpointer) values->data;
  guint n = values->len;
  guint p99;

  if (n == 0)
    {
      g_print ("%-44s no samples\n", what);
      return;
    }
  qsort (v, n, sizeof (gint64), compare_gint64);
  p99 = (guint) ((99 * n + 99) / 100);
  p99 = CLAMP (p99, 1, n) - 1;
  g_print ("%-44s n=%-4u median %8.1f ms  p99 %8.1f ms  max %8.1f ms\n",
           what, n, v[n / 2] / 1000.0, v[p99] / 1000.0, v[n - 1] / 1000.0);
}

/* Prefixes of 2 to 6 letters of the words of real titles, in typing
 * order: "em", "emp", "empl", … then the next word. */
static GPtrArray *
make_queries (CdmStore *store,
              guint     keystrokes)
{
  const char *seeds[] = { "emploi", "formation", "guide", "metier", "travail", "europe",
                          "jeunes", "orientation", "bruxelles", "competences", NULL };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *queries = g_ptr_array_new_with_free_func (g_free);

  for (guint s = 0; seeds[s] != NULL && queries->len < keystrokes; s++)
    {
      g_autoptr(GPtrArray) hits = cdm_search (store, CDM_ENTITY_RESOURCE, seeds[s], 50, NULL, NULL);

      for (guint h = 0; hits != NULL && h < hits->len && queries->len < keystrokes; h++)
        {
          CdmSearchHit *hit = g_ptr_array_index (hits, h);
          g_auto(GStrv) words = g_regex_split_simple ("[^[:alpha:]]+", hit->title, 0, 0);

          for (guint w = 0; words[w] != NULL && queries->len < keystrokes; w++)
            {
              g_autofree char *word = g_utf8_strdown (words[w], -1);
              glong length = g_utf8_strlen (word, -1);

              if (length < 4 || g_hash_table_contains (seen, word))
                continue;
              g_hash_table_add (seen, g_strdup (word));
              for (glong letters = 2; letters <= MIN (length, 6) && queries->len < keystrokes; letters++)
                g_ptr_array_add (queries, g_strndup (word, (gsize) (g_utf8_offset_to_pointer (word, letters) - word)));
            }
        }
    }
  return queries;
}

static gboolean
figures_shown (gpointer data)
{
  return label_has_figure (find_named (data, "today-total"));
}

static int
child_search (const char *store_path,
              guint       keystrokes,
              int         search_delay)
{
  g_autoptr(CdmApplication) app = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queries = NULL;
  g_autoptr(GArray) to_list = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) to_frame = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) changed_to_frame = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) listed_to_frame = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) frame_work = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) core = g_array_new (FALSE, FALSE, sizeof (gint64));
  SearchWait wait = { 0 };
  GtkWidget *page;
  GListModel *model;
  GdkFrameClock *clock;
  guint missed = 0;
  gint64 deadline;

  store = cdm_store_open (store_path, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  queries = make_queries (store, keystrokes);

  app = cdm_application_new ();
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_application_activate (G_APPLICATION (app));
  wait.window = GTK_WIDGET (gtk_application_get_active_window (GTK_APPLICATION (app)));
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!figures_shown (wait.window) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  gtk_widget_activate_action (wait.window, "win.show-section", "s", "library");
  settle (0.5);
  page = find_named (wait.window, "library");
  wait.entry = GTK_EDITABLE (find_named (page, "search-entry"));
  model = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (find_named (page, "results"))));
  clock = gtk_widget_get_frame_clock (wait.window);
  if (search_delay >= 0)
    gtk_search_entry_set_search_delay (GTK_SEARCH_ENTRY (wait.entry), (guint) search_delay);
  g_signal_connect (wait.entry, "search-changed", G_CALLBACK (on_search_changed), &wait);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &wait);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_search_layout), &wait);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_search_after_paint), &wait);

  for (guint i = 0; i < queries->len; i++)
    {
      const char *query = g_ptr_array_index (queries, i);
      gint64 value;

      const char *last = g_utf8_offset_to_pointer (query, g_utf8_strlen (query, -1) - 1);
      int position;

      /* A new word starts from an empty field (which searches nothing)
       * and its first letter, not measured: it finds too much to be
       * typical. */
      if (g_utf8_strlen (query, -1) == 2)
        {
          gtk_editable_set_text (wait.entry, "");
          position = 0;
          gtk_editable_insert_text (wait.entry, query, (int) (last - query), &position);
          settle (0.5);
        }
      wait = (SearchWait) { .window = wait.window, .entry = wait.entry };
      /* One keystroke: the last letter inserted at the end, as typing
       * does (gtk_editable_set_text would empty the field first). */
      position = -1;
      wait.typed = g_get_monotonic_time ();
      gtk_editable_insert_text (wait.entry, last, -1, &position);
      if (!iterate_until (&wait.drawn, 5))
        {
          missed++;
          wait.typed = 0;
          continue;
        }
      if (g_getenv ("DESK_BENCH_VERBOSE") != NULL)
        g_printerr ("%-8s changed %6.1f listed %6.1f drawn %6.1f ms\n", query,
                    (wait.changed - wait.typed) / 1000.0, (wait.listed - wait.typed) / 1000.0,
                    (wait.drawn - wait.typed) / 1000.0);
      value = wait.listed - wait.typed;
      g_array_append_val (to_list, value);
      value = wait.drawn - wait.typed;
      g_array_append_val (to_frame, value);
      value = wait.drawn - wait.changed;
      g_array_append_val (changed_to_frame, value);
      value = wait.drawn - wait.listed;
      g_array_append_val (listed_to_frame, value);
      value = wait.drawn - wait.laid_out;
      g_array_append_val (frame_work, value);
      wait.typed = 0;
      settle (0.02);
    }

  /* The same queries, without the window, on a connection of our own. */
  for (guint i = 0; i < queries->len; i++)
    {
      g_autoptr(GPtrArray) hits = NULL;
      gint64 start = g_get_monotonic_time ();
      gint64 value;

      hits = cdm_search (store, CDM_ENTITY_RESOURCE, g_ptr_array_index (queries, i), 200, NULL, NULL);
      value = g_get_monotonic_time () - start;
      g_array_append_val (core, value);
    }

  g_print ("Search in the Library, %u keystrokes (prefixes of 2-6 letters of real titles), "
           "search field delay %u ms%s, %u without an update\n",
           queries->len, gtk_search_entry_get_search_delay (GTK_SEARCH_ENTRY (wait.entry)),
           search_delay >= 0 ? " (set by the benchmark)" : " (as shipped)", missed);
  print_stats ("keystroke -> list updated (items-changed)", to_list);
  print_stats ("keystroke -> list drawn (next frame)", to_frame);
  print_stats ("search-changed (after the delay) -> drawn", changed_to_frame);
  print_stats ("items-changed -> drawn", listed_to_frame);
  print_stats ("  of which that frame (before-paint -> after)", frame_work);
  print_stats ("baseline: cdm_search alone (limit 200)", core);
  if (core->len > 0 && to_frame->len > 0)
    g_print ("ratio UI/core (medians, drawn / cdm_search): %.1f\n",
             (double) g_array_index (to_frame, gint64, to_frame->len / 2)
             / (double) MAX (g_array_index (core, gint64, core->len / 2), 1));
  g_print ("VmRSS after the searches: %.0f MB\n", resident_kb () / 1024.0);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = gtk_application_get_windows (GTK_APPLICATION (app)))
    gtk_window_destroy (l->data);
  settle (0.2);
  return 0;
}

/* ---- the parent: spawns the runs ---- */

static gboolean
run_start (const char *self_path,
           const char *mode,
           guint       runs,
           const char *title)
{
  g_autoptr(GArray) frame = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) figures = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) frame_rss = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) figures_rss = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < runs; i++)
    {
      const char *argv[] = { self_path, mode, NULL };
      g_auto(GStrv) envp = g_get_environ ();
      g_autofree char *out = NULL;
      g_autofree char *now = NULL;
      g_autoptr(GError) error = NULL;
      gint64 values[4] = { -1, -1, -1, -1 };
      int status;

      now = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_monotonic_time ());
      envp = g_environ_setenv (envp, SPAWNED_AT_ENV, now, TRUE);
      if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                         &out, NULL, &status, &error)
          || !g_spawn_check_wait_status (status, &error))
        {
          g_printerr ("%s: %s\n", mode, error->message);
          return FALSE;
        }
      if (sscanf (out, "first-frame-us %" G_GINT64_FORMAT " first-frame-rss-kb %" G_GINT64_FORMAT
                  " figures-us %" G_GINT64_FORMAT " figures-rss-kb %" G_GINT64_FORMAT,
                  &values[0], &values[1], &values[2], &values[3]) < 2)
        {
          g_printerr ("%s: unexpected output: %s\n", mode, out);
          return FALSE;
        }
      g_array_append_val (frame, values[0]);
      g_array_append_val (frame_rss, values[1]);
      if (values[2] >= 0)
        {
          g_array_append_val (figures, values[2]);
          g_array_append_val (figures_rss, values[3]);
        }
    }

  g_print ("%s, %u processes\n", title, runs);
  print_stats ("  process start -> first frame", frame);
  if (figures->len > 0)
    print_stats ("  process start -> Today's figures shown", figures);
  qsort (frame_rss->data, frame_rss->len, sizeof (gint64), compare_gint64);
  g_print ("  VmRSS at the first frame: median %.0f MB, max %.0f MB\n",
           g_array_index (frame_rss, gint64, frame_rss->len / 2) / 1024.0,
           g_array_index (frame_rss, gint64, frame_rss->len - 1) / 1024.0);
  if (figures_rss->len > 0)
    {
      qsort (figures_rss->data, figures_rss->len, sizeof (gint64), compare_gint64);
      g_print ("  VmRSS with Today's figures: median %.0f MB, max %.0f MB\n",
               g_array_index (figures_rss, gint64, figures_rss->len / 2) / 1024.0,
               g_array_index (figures_rss, gint64, figures_rss->len - 1) / 1024.0);
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  int runs = 10;
  int keystrokes = 200;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *self_path = NULL;
  const GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Processes started for each start figure (10)", "N" },
    { "keystrokes", 0, 0, G_OPTION_ARG_INT, &keystrokes, "Keystrokes typed in the Library (200)", "N" },
    G_OPTION_ENTRY_NULL
  };

  setlocale (LC_ALL, "");

  /* The children: one start each, or the searches. */
  if (argc >= 2 && g_str_equal (argv[1], "--child-start"))
    return child_start (FALSE);
  if (argc >= 2 && g_str_equal (argv[1], "--child-baseline"))
    return child_start (TRUE);
  if (argc >= 3 && g_str_equal (argv[1], "--child-search"))
    {
      gtk_init ();
      adw_init ();
      return child_search (argv[2], (guint) g_ascii_strtoull (argc >= 4 ? argv[3] : "200", NULL, 10),
                           argc >= 5 ? (int) g_ascii_strtoll (argv[4], NULL, 10) : -1);
    }

  context = g_option_context_new ("STORE");
  g_option_context_set_summary (context, "How fast the desk starts and answers a search on STORE "
                                         "(a copy: the desk writes to it).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || runs < 1 || keystrokes < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "Usage: desk-bench [OPTION…] STORE");
      return 2;
    }

  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path == NULL)
    self_path = g_strdup (argv[0]);
  g_setenv ("CDM_DESK_STORE", argv[1], TRUE);

  if (!run_start (self_path, "--child-baseline", (guint) runs,
                  "Baseline: a GtkApplicationWindow with one label"))
    return 1;
  if (!run_start (self_path, "--child-start", (guint) runs,
                  "Desk on the store"))
    return 1;

  /* As shipped, then without the search field's delay: what the
   * delay costs, and what the rest costs. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *count = g_strdup_printf ("%d", keystrokes);
      const char *search_argv[] = { self_path, "--child-search", argv[1], count, i == 0 ? "-1" : "0", NULL };
      int status;

      g_print ("\n");
      if (!g_spawn_sync (NULL, (char **) search_argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
                         NULL, NULL, NULL, NULL, &status, &error)
          || !g_spawn_check_wait_status (status, &error))
        {
          g_printerr ("search: %s\n", error->message);
          return 1;
        }
    }
  return 0;
}
