/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-bench.c: how fast the desk's everyday paths are on a large store,
 * next to the same SQL run in the sqlite3 shell on the same file.
 *
 *   cdm-bench [OPTION…] STORE
 *
 * tools/bench builds it, generates a store at the scale of DESIGN.md and
 * runs it; docs/performance.md explains the table and keeps the figures.
 *
 * The paths: search-as-you-type over resources and over partners
 * (cdm_search() on prefixes of 2 to 6 letters of words found in the
 * store), saving one contact durably (cdm_store_put()) and the yearly
 * report (cdm_report_compute()).  Each is timed N times; the table gives
 * the median and the 99th percentile.
 *
 * The baseline is the very SQL libcdm ran, not a rewrite of it.  During
 * an untimed first pass, an SQLite trace on the store's connection
 * records every statement each call runs, with its bound values
 * (sqlite3_expanded_sql()).  The statements of one call become one line
 * of input for the sqlite3 shell, which runs them as one unit.  What the
 * shell cannot run is a function that libcdm registers on its own
 * connection; shell_substitutes below says what stands in for one.
 *
 * libcdm and the shell are timed in turn, input by input, so that
 * whatever else the machine does during a series weighs on both.
 *
 * Timing the shell: `.timer on` prints wall time to the millisecond only,
 * too coarse for a search or a commit that take a fraction of one, and
 * CPU time (user + sys) to the microsecond.  So cdm-bench drives the
 * shell through pipes and times each line itself: it writes the line and
 * a `.print` of a sentinel, and reads up to the sentinel.  The round trip
 * of an empty line, measured before each series, is subtracted.  The CPU
 * time of the `.timer` lines is kept too and set against the CPU time of
 * the thread that called libcdm: on a machine shared with other work
 * that ratio moves less than the wall-time one.
 *
 * Benchmarks are not tests: missing an aim does not fail the run.  The
 * exit status is 1 when a path could not be measured at all (an error
 * from libcdm or from the shell), 2 for bad usage.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cdm-report.h"
#include "cdm-report-pdf.h"
#include "cdm-search.h"
#include "cdm-store.h"
#include "cdm-store-private.h"

/* What search-as-you-type asks for: a list's worth of hits. */
#define SEARCH_LIMIT 20
#define MIN_PREFIX 2
#define MAX_PREFIX 6

/* The line the shell prints when it has run everything before it. */
#define SENTINEL "cdm-bench: end of run"

/* Contacts saved by the benchmark carry this note and one fixed time, so
 * that they can be found and removed again (see cleanup_sql). */
#define BENCH_NOTE "cdm-bench"

/* Functions that libcdm registers on its own connection, which the
 * sqlite3 shell does not have, and what the baseline runs in their
 * place: name (ARGS) becomes prefix ARGS suffix. */
static const struct {
  const char *name;
  const char *prefix;
  const char *suffix;
} shell_substitutes[] = {
  /* The pass over a year of contacts that counts in C (the report's
   * recount, cdm-report.c).  The shell reads the same columns of the
   * same rows and folds them with built-ins only: the floor of any
   * plain-SQL version of that pass. */
  { "cdm_report_contacts", "count (max (", "))" },
};

/* Removing the benchmark's contacts: their outbox entries, links and
 * rows, in one transaction.  ?1 is the contacts' occurred_unix (indexed),
 * ?2 BENCH_NOTE. */
static const char * const cleanup_sql[] = {
  "DELETE FROM outbox WHERE entity = 'contact' AND record IN "
  "(SELECT id FROM contacts WHERE occurred_unix = ?1 AND note = ?2)",
  "DELETE FROM contact_referrals WHERE contact IN "
  "(SELECT id FROM contacts WHERE occurred_unix = ?1 AND note = ?2)",
  "DELETE FROM contact_resources WHERE contact IN "
  "(SELECT id FROM contacts WHERE occurred_unix = ?1 AND note = ?2)",
  "DELETE FROM contacts WHERE occurred_unix = ?1 AND note = ?2",
};

/* Options */

static int opt_year = 0;
static int opt_words = 40;
static int opt_rounds = 3;
static int opt_saves = 500;
static int opt_reports = 15;
static char *opt_sqlite3 = NULL;
static char *opt_only = NULL;
static gboolean opt_show_sql = FALSE;

static const GOptionEntry entries[] = {
  { "year", 0, 0, G_OPTION_ARG_INT, &opt_year,
    "Year of the report (default: the latest year with contacts)", "YEAR" },
  { "words", 0, 0, G_OPTION_ARG_INT, &opt_words,
    "Words to type, per searched entity (default 40)", "N" },
  { "rounds", 0, 0, G_OPTION_ARG_INT, &opt_rounds,
    "Times each prefix is searched (default 3)", "N" },
  { "saves", 0, 0, G_OPTION_ARG_INT, &opt_saves,
    "Contacts saved (default 500)", "N" },
  { "reports", 0, 0, G_OPTION_ARG_INT, &opt_reports,
    "Yearly reports computed (default 15)", "N" },
  { "sqlite3", 0, 0, G_OPTION_ARG_FILENAME, &opt_sqlite3,
    "The sqlite3 shell (default: sqlite3 from PATH)", "PROGRAM" },
  { "only", 0, 0, G_OPTION_ARG_STRING, &opt_only,
    "Measure only these paths: search,save,report,figures,pdf", "PATHS" },
  { "show-sql", 0, 0, G_OPTION_ARG_NONE, &opt_show_sql,
    "Print the whole baseline SQL of each path, not the first 400 characters", NULL },
  G_OPTION_ENTRY_NULL
};

/* Clocks */

static double
clock_ms (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Samples and statistics */

typedef struct {
  GArray *wall;  /* double, ms */
  GArray *cpu;   /* double, ms */
} Samples;

static void
samples_init (Samples *s)
{
  s->wall = g_array_new (FALSE, FALSE, sizeof (double));
  s->cpu = g_array_new (FALSE, FALSE, sizeof (double));
}

static void
samples_clear (Samples *s)
{
  g_clear_pointer (&s->wall, g_array_unref);
  g_clear_pointer (&s->cpu, g_array_unref);
}

static void
samples_add (Samples *s,
             double   wall,
             double   cpu)
{
  g_array_append_val (s->wall, wall);
  g_array_append_val (s->cpu, cpu);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The @q quantile (nearest rank: the smallest sample with at least a
 * fraction @q of the samples at or below it); the median is interpolated
 * between the two middle samples of an even count. */
static double
quantile (GArray *values,
          double  q)
{
  g_autoptr(GArray) sorted = NULL;
  guint n = values->len;
  guint rank;

  if (n == 0)
    return NAN;

  sorted = g_array_sized_new (FALSE, FALSE, sizeof (double), n);
  g_array_append_vals (sorted, values->data, n);
  g_array_sort (sorted, compare_doubles);

  if (q == 0.5 && n % 2 == 0)
    return (g_array_index (sorted, double, n / 2 - 1) +
            g_array_index (sorted, double, n / 2)) / 2;

  rank = (guint) ceil (q * n);
  rank = CLAMP (rank, 1, n);
  return g_array_index (sorted, double, rank - 1);
}

/* The rows of the table */

typedef struct {
  const char *name;
  const char *aim_label;   /* what the issue asks of its p99 */
  double aim_ms;
  Samples lib;
  Samples shell;
  guint n_queries;         /* distinct inputs (prefixes, contacts, years) */
  double mean_hits;        /* search: hits per query */
  char *baseline;          /* the first line the shell ran */
  char *error;             /* why the path could not be measured */
} Row;

static void
row_init (Row        *row,
          const char *name,
          const char *aim_label,
          double      aim_ms)
{
  memset (row, 0, sizeof *row);
  row->name = name;
  row->aim_label = aim_label;
  row->aim_ms = aim_ms;
  samples_init (&row->lib);
  samples_init (&row->shell);
}

static void
row_clear (Row *row)
{
  samples_clear (&row->lib);
  samples_clear (&row->shell);
  g_clear_pointer (&row->baseline, g_free);
  g_clear_pointer (&row->error, g_free);
}

static void
row_fail (Row    *row,
          GError *error)
{
  g_free (row->error);
  row->error = g_strdup (error != NULL ? error->message : "failed");
}

/* Capturing the SQL libcdm runs */

typedef struct {
  GPtrArray *statements;
  gboolean truncated;
} Capture;

static int
on_trace (unsigned  type,
          void     *data,
          void     *p,
          void     *x)
{
  Capture *capture = data;
  const char *sql = x;
  char *expanded;

  /* A trigger's program announces itself as a comment; it runs as part
   * of the statement already recorded. */
  if (type != SQLITE_TRACE_STMT || sql == NULL || g_str_has_prefix (sql, "--"))
    return 0;

  expanded = sqlite3_expanded_sql (p);
  if (expanded == NULL)
    {
      capture->truncated = TRUE;
      return 0;
    }
  g_ptr_array_add (capture->statements, g_strdup (expanded));
  sqlite3_free (expanded);
  return 0;
}

static void
capture_begin (CdmStore *store,
               Capture  *capture)
{
  capture->statements = g_ptr_array_new_with_free_func (g_free);
  capture->truncated = FALSE;

  _cdm_store_lock (store);
  sqlite3_trace_v2 (_cdm_store_get_db (store), SQLITE_TRACE_STMT, on_trace, capture);
  _cdm_store_unlock (store);
}

/* Rewrites calls of the functions of shell_substitutes. */
static char *
substitute_functions (const char *sql)
{
  GString *out = g_string_new (sql);

  for (guint i = 0; i < G_N_ELEMENTS (shell_substitutes); i++)
    {
      const char *name = shell_substitutes[i].name;
      gsize from = 0;
      char *hit;

      while ((hit = strstr (out->str + from, name)) != NULL)
        {
          gsize start = hit - out->str;
          gsize open = start + strlen (name);
          gsize close;
          int depth = 0;
          char quote = 0;
          g_autofree char *args = NULL;
          g_autoptr(GString) call = NULL;

          while (out->str[open] == ' ')
            open++;
          if (out->str[open] != '(')
            {
              from = open;
              continue;
            }

          /* The matching parenthesis, outside string literals. */
          for (close = open; out->str[close] != '\0'; close++)
            {
              char c = out->str[close];

              if (quote != 0)
                {
                  if (c == quote)
                    quote = 0;
                }
              else if (c == '\'' || c == '"')
                quote = c;
              else if (c == '(')
                depth++;
              else if (c == ')' && --depth == 0)
                break;
            }
          if (out->str[close] == '\0')
            break;

          args = g_strndup (out->str + open + 1, close - open - 1);
          call = g_string_new (shell_substitutes[i].prefix);
          g_string_append (call, args);
          g_string_append (call, shell_substitutes[i].suffix);
          g_string_erase (out, start, close + 1 - start);
          g_string_insert (out, start, call->str);
          from = start + call->len;
        }
    }

  return g_string_free (out, FALSE);
}

/* Stops tracing and returns the statements as one line for the shell,
 * or NULL when the call ran none. */
static char *
capture_end (CdmStore *store,
             Capture  *capture,
             GError  **error)
{
  g_autoptr(GPtrArray) statements = g_steal_pointer (&capture->statements);
  g_autoptr(GString) line = NULL;
  g_autofree char *joined = NULL;

  _cdm_store_lock (store);
  sqlite3_trace_v2 (_cdm_store_get_db (store), 0, NULL, NULL);
  _cdm_store_unlock (store);

  if (capture->truncated)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "SQLite could not expand a statement for the baseline");
      return NULL;
    }
  if (statements->len == 0)
    return NULL;

  /* One line: the shell runs what one line holds as one timed unit, and
   * a newline inside a statement (in a literal) does not end it. */
  line = g_string_new (NULL);
  for (guint i = 0; i < statements->len; i++)
    {
      char *sql = g_strstrip (statements->pdata[i]);
      gsize len = strlen (sql);

      while (len > 0 && (sql[len - 1] == ';' || g_ascii_isspace (sql[len - 1])))
        sql[--len] = '\0';
      if (len == 0)
        continue;
      g_string_append (line, sql);
      g_string_append (line, "; ");
    }
  g_string_truncate (line, line->len > 0 ? line->len - 1 : 0);

  joined = g_string_free (g_steal_pointer (&line), FALSE);
  return substitute_functions (joined);
}

/* The sqlite3 shell */

typedef struct {
  GSubprocess *process;
  GOutputStream *input;
  GDataInputStream *output;
  double overhead_ms;  /* round trip of an empty line */
} Shell;

static void
shell_free (Shell *shell)
{
  if (shell == NULL)
    return;

  /* End of input makes the shell exit; it has nothing left to print. */
  if (shell->input != NULL)
    g_output_stream_close (shell->input, NULL, NULL);
  if (shell->process != NULL)
    g_subprocess_wait (shell->process, NULL, NULL);
  g_clear_object (&shell->output);
  g_clear_object (&shell->process);
  g_free (shell);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Shell, shell_free)

/* Sends @line and waits until the shell has run it.  @wall_ms gets the
 * round trip less the shell's overhead, @cpu_ms the CPU time of its
 * `.timer` lines (0 when the timer is off).  With -bail the shell exits
 * at its first error, which ends the output before the sentinel. */
static gboolean
shell_run (Shell       *shell,
           const char  *line,
           double      *wall_ms,
           double      *cpu_ms,
           GError     **error)
{
  g_autofree char *text = g_strconcat (line, "\n.print " SENTINEL "\n", NULL);
  g_autoptr(GString) said = g_string_new (NULL);
  double start, cpu = 0;

  start = clock_ms (CLOCK_MONOTONIC);
  if (!g_output_stream_write_all (shell->input, text, strlen (text), NULL, NULL, error))
    {
      g_prefix_error (error, "Writing to the sqlite3 shell: ");
      return FALSE;
    }

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *out = g_data_input_stream_read_line (shell->output, NULL, NULL, &local_error);
      const char *times;

      if (out == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "The sqlite3 shell stopped: %s",
                       local_error != NULL ? local_error->message :
                       said->len > 0 ? said->str : "no message");
          return FALSE;
        }
      if (strcmp (out, SENTINEL) == 0)
        break;

      times = g_str_has_prefix (out, "Run Time: real ") ? out : NULL;
      if (times != NULL)
        {
          /* "Run Time: real R user U sys S", in seconds, in the C locale
           * whatever ours is. */
          const char *user = strstr (times, " user ");
          const char *sys = strstr (times, " sys ");

          if (user != NULL && sys != NULL)
            cpu += (g_ascii_strtod (user + 6, NULL) + g_ascii_strtod (sys + 5, NULL)) * 1e3;
        }
      else if (said->len < 2000)
        {
          /* Result rows, or what the shell says before it bails out. */
          g_string_append (said, out);
          g_string_append_c (said, '\n');
        }
    }

  if (wall_ms != NULL)
    *wall_ms = MAX (0, clock_ms (CLOCK_MONOTONIC) - start - shell->overhead_ms);
  if (cpu_ms != NULL)
    *cpu_ms = cpu;
  return TRUE;
}

/* The median round trip of lines that run nothing, subtracted from every
 * timed line after it. */
static gboolean
shell_calibrate (Shell   *shell,
                 GError **error)
{
  g_autoptr(GArray) trips = g_array_new (FALSE, FALSE, sizeof (double));

  shell->overhead_ms = 0;
  for (guint i = 0; i < 101; i++)
    {
      double wall;

      if (!shell_run (shell, "", &wall, NULL, error))
        return FALSE;
      g_array_append_val (trips, wall);
    }
  shell->overhead_ms = quantile (trips, 0.5);
  return TRUE;
}

/* Starts the shell on @path with the connection settings libcdm uses
 * (cdm_store_open()): WAL is a property of the file; foreign keys,
 * synchronous=FULL and temporary tables in memory are per connection. */
static Shell *
shell_start (const char  *path,
             GError     **error)
{
  const char *argv[] = {
    opt_sqlite3 != NULL ? opt_sqlite3 : "sqlite3",
    "-batch", "-bail", "-init", "/dev/null", path, NULL
  };
  const char * const setup[] = {
    ".headers off",
    ".mode list",
    ".timeout 5000",
    "PRAGMA foreign_keys = ON;",
    "PRAGMA synchronous = FULL;",
    "PRAGMA temp_store = MEMORY;",
    ".timer on",
  };
  g_autoptr(Shell) shell = g_new0 (Shell, 1);

  shell->process = g_subprocess_newv (argv,
                                      G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                      error);
  if (shell->process == NULL)
    {
      g_prefix_error (error, "Starting the sqlite3 shell (tools/install-deps test installs it): ");
      return NULL;
    }
  shell->input = g_subprocess_get_stdin_pipe (shell->process);
  shell->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (shell->process));
  g_data_input_stream_set_newline_type (shell->output, G_DATA_STREAM_NEWLINE_TYPE_LF);

  for (guint i = 0; i < G_N_ELEMENTS (setup); i++)
    if (!shell_run (shell, setup[i], NULL, NULL, error))
      return NULL;

  if (!shell_calibrate (shell, error))
    return NULL;

  return g_steal_pointer (&shell);
}

/* Runs every line once untimed, so that the shell's page cache is as
 * warm as libcdm's after its first pass, then @after_warm_up if given. */
static gboolean
shell_warm_up (Shell       *shell,
               GPtrArray   *lines,
               const char  *after_warm_up,
               GError     **error)
{
  for (guint i = 0; i < lines->len; i++)
    if (!shell_run (shell, lines->pdata[i], NULL, NULL, error))
      return FALSE;
  if (after_warm_up != NULL && !shell_run (shell, after_warm_up, NULL, NULL, error))
    return FALSE;
  return TRUE;
}

/* One timed libcdm call: the @index-th input of the path. */
typedef gboolean (*LibCallFunc) (gpointer   data,
                                 guint      index,
                                 GError   **error);

/* Times @call and the shell's line for each input in turn, @rounds
 * times.  Interleaving puts both under the same conditions: whatever
 * else the machine does during a series weighs on both sides, not on
 * whichever ran second.  Which side goes first alternates, so that
 * neither always finds the other's pages in the kernel's cache. */
static gboolean
measure_pairs (Shell        *shell,
               GPtrArray    *lines,
               guint         rounds,
               LibCallFunc   call,
               gpointer      data,
               Row          *row,
               GError      **error)
{
  guint n = 0;

  for (guint r = 0; r < rounds; r++)
    for (guint i = 0; i < lines->len; i++, n++)
      {
        for (guint side = 0; side < 2; side++)
          {
            double wall, cpu;

            if ((side + n) % 2 == 0)
              {
                wall = clock_ms (CLOCK_MONOTONIC);
                cpu = clock_ms (CLOCK_THREAD_CPUTIME_ID);
                if (!call (data, i, error))
                  return FALSE;
                samples_add (&row->lib,
                             clock_ms (CLOCK_MONOTONIC) - wall,
                             clock_ms (CLOCK_THREAD_CPUTIME_ID) - cpu);
              }
            else
              {
                if (!shell_run (shell, lines->pdata[i], &wall, &cpu, error))
                  return FALSE;
                samples_add (&row->shell, wall, cpu);
              }
          }
      }

  return TRUE;
}

/* The same, one side after the other: libcdm for every input, then the
 * shell.  For writes; see bench_save(). */
static gboolean
measure_lib (LibCallFunc   call,
             gpointer      data,
             guint         n,
             Row          *row,
             GError      **error)
{
  for (guint i = 0; i < n; i++)
    {
      double wall = clock_ms (CLOCK_MONOTONIC);
      double cpu = clock_ms (CLOCK_THREAD_CPUTIME_ID);

      if (!call (data, i, error))
        return FALSE;
      samples_add (&row->lib,
                   clock_ms (CLOCK_MONOTONIC) - wall,
                   clock_ms (CLOCK_THREAD_CPUTIME_ID) - cpu);
    }
  return TRUE;
}

static gboolean
measure_shell (Shell       *shell,
               GPtrArray   *lines,
               Row         *row,
               GError     **error)
{
  for (guint i = 0; i < lines->len; i++)
    {
      double wall, cpu;

      if (!shell_run (shell, lines->pdata[i], &wall, &cpu, error))
        return FALSE;
      samples_add (&row->shell, wall, cpu);
    }
  return TRUE;
}

/* The bench's own connection, for facts about the store and cleaning up */

static sqlite3 *
open_side_connection (const char  *path,
                      GError     **error)
{
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot open %s: %s",
                   path, db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static gboolean
side_error (sqlite3  *db,
            GError  **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "SQLite: %s", sqlite3_errmsg (db));
  return FALSE;
}

/* The first column of the first row of @sql as text, with ?1 bound to
 * @param when given; NULL (no error) for no row or NULL. */
static char *
side_query_text (sqlite3     *db,
                 const char  *sql,
                 const char  *param,
                 GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      side_error (db, error);
      return NULL;
    }
  if (param != NULL)
    sqlite3_bind_text (stmt, 1, param, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    side_error (db, error);
  sqlite3_finalize (stmt);
  return text;
}

static gboolean
cleanup_contacts (sqlite3  *db,
                  gint64    occurred_unix,
                  GError  **error)
{
  if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return side_error (db, error);

  for (guint i = 0; i < G_N_ELEMENTS (cleanup_sql); i++)
    {
      sqlite3_stmt *stmt = NULL;
      int rc;

      if (sqlite3_prepare_v2 (db, cleanup_sql[i], -1, &stmt, NULL) != SQLITE_OK)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, occurred_unix);
      sqlite3_bind_text (stmt, 2, BENCH_NOTE, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc != SQLITE_DONE)
        goto fail;
    }

  if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    goto fail;
  return TRUE;

fail:
  side_error (db, error);
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* Copies the WAL into the database and empties it, so that the next
 * series of writes starts from the same state.  A reader holding an old
 * snapshot can keep it from finishing; that only makes the series less
 * alike, so it is not an error. */
static gboolean
checkpoint (sqlite3  *db,
            GError  **error)
{
  if (sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
    return side_error (db, error);
  return TRUE;
}

/* cleanup_sql as one line for the shell, values in place. */
static char *
cleanup_contacts_sql (sqlite3  *db,
                      gint64    occurred_unix,
                      GError  **error)
{
  g_autoptr(GString) line = g_string_new ("BEGIN IMMEDIATE; ");

  for (guint i = 0; i < G_N_ELEMENTS (cleanup_sql); i++)
    {
      sqlite3_stmt *stmt = NULL;
      char *expanded;

      if (sqlite3_prepare_v2 (db, cleanup_sql[i], -1, &stmt, NULL) != SQLITE_OK)
        {
          side_error (db, error);
          return NULL;
        }
      sqlite3_bind_int64 (stmt, 1, occurred_unix);
      sqlite3_bind_text (stmt, 2, BENCH_NOTE, -1, SQLITE_STATIC);
      expanded = sqlite3_expanded_sql (stmt);
      sqlite3_finalize (stmt);
      if (expanded == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Out of memory");
          return NULL;
        }
      g_string_append_printf (line, "%s; ", expanded);
      sqlite3_free (expanded);
    }
  g_string_append (line, "COMMIT;");
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* Search-as-you-type */

/* What a person would type: for words picked from the store's titles or
 * names, their prefixes of 2 to 6 letters, as typed one letter at a
 * time.  The same seed picks the same words from the same store. */
static GPtrArray *
pick_prefixes (sqlite3     *db,
               CdmEntity    entity,
               guint        n_words,
               GError     **error)
{
  const char *count_sql;
  const char *text_sql;
  g_autoptr(GPtrArray) prefixes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) picker = g_rand_new_with_seed (entity == CDM_ENTITY_RESOURCE ? 20251 : 20252);
  g_autofree char *count_text = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 count, stride;
  guint n_picked = 0;
  int rc;

  if (entity == CDM_ENTITY_RESOURCE)
    {
      count_sql = "SELECT count (*) FROM resources WHERE deleted = 0";
      text_sql = "SELECT title FROM resources WHERE deleted = 0 AND rowid % ?1 = 0";
    }
  else
    {
      /* Partners are looked up by any of their names. */
      count_sql = "SELECT count (*) FROM organisations WHERE deleted = 0";
      text_sql = "SELECT ifnull (name_fr, '') || ' ' || ifnull (name_nl, '') || ' ' || "
                 "ifnull (name_en, '') FROM organisations "
                 "WHERE deleted = 0 AND rowid % ?1 = 0";
    }

  count_text = side_query_text (db, count_sql, NULL, error);
  if (count_text == NULL)
    return NULL;
  count = g_ascii_strtoll (count_text, NULL, 10);
  stride = MAX (1, count / (2 * (gint64) n_words));

  if (sqlite3_prepare_v2 (db, text_sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      side_error (db, error);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, stride);

  while (n_picked < n_words && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GString) word = g_string_new (NULL);
      const char *word_text;
      glong len;

      if (text == NULL || !g_utf8_validate (text, -1, NULL))
        continue;

      /* Words of three letters or more: shorter ones give one prefix. */
      for (const char *p = text;; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (c != 0 && g_unichar_isalpha (c))
            {
              g_string_append_unichar (word, c);
              continue;
            }
          if (g_utf8_strlen (word->str, -1) >= 3)
            g_ptr_array_add (words, g_strdup (word->str));
          g_string_truncate (word, 0);
          if (c == 0)
            break;
        }
      if (words->len == 0)
        continue;

      word_text = words->pdata[g_rand_int_range (picker, 0, words->len)];
      len = g_utf8_strlen (word_text, -1);
      for (glong n = MIN_PREFIX; n <= MIN (len, MAX_PREFIX); n++)
        {
          const char *end = g_utf8_offset_to_pointer (word_text, n);
          g_ptr_array_add (prefixes, g_strndup (word_text, end - word_text));
        }
      n_picked++;
    }
  sqlite3_finalize (stmt);

  if (prefixes->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The store has no %s with words to search for",
                   entity == CDM_ENTITY_RESOURCE ? "resource" : "partner");
      return NULL;
    }

  return g_steal_pointer (&prefixes);
}

typedef struct {
  CdmStore *store;
  CdmEntity entity;
  GPtrArray *typed;
} SearchCall;

static gboolean
search_call (gpointer   data,
             guint      index,
             GError   **error)
{
  SearchCall *call = data;
  g_autoptr(GPtrArray) results = NULL;

  results = cdm_search (call->store, call->entity, call->typed->pdata[index],
                        SEARCH_LIMIT, NULL, error);
  return results != NULL;
}

static gboolean
bench_search (CdmStore    *store,
              sqlite3     *db,
              CdmEntity    entity,
              Row         *row,
              GError     **error)
{
  g_autoptr(GPtrArray) prefixes = NULL;
  g_autoptr(GPtrArray) typed = g_ptr_array_new ();
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Shell) shell = NULL;
  SearchCall call;
  guint64 hits = 0;

  prefixes = pick_prefixes (db, entity, opt_words, error);
  if (prefixes == NULL)
    return FALSE;

  /* A first search prepares the statement, and FTS5 reads its settings
   * while it is prepared, once per connection: SQL that no later search
   * runs, kept out of the baseline. */
  {
    g_autoptr(GPtrArray) results = cdm_search (store, entity, prefixes->pdata[0], SEARCH_LIMIT, NULL, error);
    if (results == NULL)
      return FALSE;
  }

  /* First pass, untimed: warms libcdm's page cache and records the SQL
   * of each prefix. */
  for (guint i = 0; i < prefixes->len; i++)
    {
      g_autoptr(GPtrArray) results = NULL;
      Capture capture;
      char *line;

      capture_begin (store, &capture);
      results = cdm_search (store, entity, prefixes->pdata[i], SEARCH_LIMIT, NULL, error);
      line = capture_end (store, &capture, results != NULL ? error : NULL);
      if (results == NULL)
        return FALSE;
      if (line == NULL)
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          continue;  /* nothing searchable: no SQL to compare */
        }
      g_ptr_array_add (typed, prefixes->pdata[i]);
      g_ptr_array_add (lines, line);
      hits += results->len;
    }

  row->n_queries = typed->len;
  row->mean_hits = typed->len > 0 ? (double) hits / typed->len : 0;
  if (lines->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "No search ran any SQL");
      return FALSE;
    }
  row->baseline = g_strdup (lines->pdata[0]);

  shell = shell_start (cdm_store_get_path (store), error);
  if (shell == NULL || !shell_warm_up (shell, lines, NULL, error))
    return FALSE;

  call.store = store;
  call.entity = entity;
  call.typed = typed;
  return measure_pairs (shell, lines, opt_rounds, search_call, &call, row, error);
}

/* Saving a contact */

/* A contact as a counsellor logs it at the desk: channel, programme,
 * themes, the visitor's profile, a referral and a resource handed over. */
static JsonObject *
make_contact (const char *occurred_at,
              const char *organisation,
              const char *resource)
{
  JsonObject *contact = json_object_new ();
  JsonObject *profile = json_object_new ();
  JsonArray *programmes = json_array_new ();
  JsonArray *themes = json_array_new ();

  json_object_set_string_member (contact, "occurred_at", occurred_at);
  json_object_set_string_member (contact, "site", "centre");
  json_object_set_string_member (contact, "service", "individual_advice");
  json_object_set_string_member (contact, "channel", "in_person");
  json_array_add_string_element (programmes, "neet");
  json_object_set_array_member (contact, "programmes", programmes);
  json_array_add_string_element (themes, "learn");
  json_array_add_string_element (themes, "work");
  json_object_set_array_member (contact, "themes", themes);

  json_object_set_string_member (profile, "gender", "f");
  json_object_set_string_member (profile, "age_band", "18_24");
  json_object_set_string_member (profile, "region", "brussels");
  json_object_set_string_member (profile, "status", "job_seeker");
  json_object_set_string_member (profile, "education", "upper_secondary");
  json_object_set_boolean_member (profile, "foreign_diploma", FALSE);
  json_object_set_string_member (profile, "language", "fr");
  json_object_set_boolean_member (profile, "first_visit", TRUE);
  json_object_set_string_member (profile, "heard_from", "word_of_mouth");
  json_object_set_object_member (contact, "profile", profile);

  if (organisation != NULL)
    {
      JsonArray *referrals = json_array_new ();
      json_array_add_string_element (referrals, organisation);
      json_object_set_array_member (contact, "referrals", referrals);
    }
  if (resource != NULL)
    {
      JsonArray *resources = json_array_new ();
      json_array_add_string_element (resources, resource);
      json_object_set_array_member (contact, "resources", resources);
    }

  json_object_set_int_member (contact, "duration_min", 20);
  json_object_set_string_member (contact, "note", BENCH_NOTE);
  return contact;
}

static gboolean
put_contact (CdmStore    *store,
             JsonObject  *contact,
             GError     **error)
{
  g_autofree char *id = NULL;
  CdmPutResult result;

  if (!cdm_store_put (store, CDM_ENTITY_CONTACT, contact, &id, &result, error))
    return FALSE;
  if (result != CDM_PUT_CREATED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Saving a new contact wrote nothing (result %d)", result);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  CdmStore *store;
  const char *occurred_at;
  const char *organisation;
  const char *resource;
} SaveCall;

static gboolean
save_call (gpointer   data,
           guint      index,
           GError   **error)
{
  SaveCall *call = data;
  g_autoptr(JsonObject) contact = make_contact (call->occurred_at, call->organisation, call->resource);

  return put_contact (call->store, contact, error);
}

/* Every saved contact is removed again (cleanup_contacts), so reruns
 * start from the same store; the rows the shell inserts are libcdm's
 * rows of the first pass, replayed, and removed the same way. */
static gboolean
bench_save (CdmStore    *store,
            sqlite3     *db,
            int          year,
            Row         *row,
            GError     **error)
{
  g_autofree char *occurred_at = g_strdup_printf ("%04d-06-15T10:30:00+02:00", year);
  g_autofree char *organisation = NULL;
  g_autofree char *resource = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *cleanup_line = NULL;
  g_autoptr(Shell) shell = NULL;
  SaveCall call;
  gboolean ok = TRUE;
  gint64 occurred_unix;
  int n = MAX (1, opt_saves);

  if (!cdm_parse_timestamp (occurred_at, &occurred_unix, error))
    return FALSE;

  organisation = side_query_text (db, "SELECT id FROM organisations WHERE deleted = 0 LIMIT 1", NULL, error);
  if (organisation == NULL && error != NULL && *error != NULL)
    return FALSE;
  resource = side_query_text (db, "SELECT id FROM resources WHERE deleted = 0 LIMIT 1", NULL, error);
  if (resource == NULL && error != NULL && *error != NULL)
    return FALSE;

  cdm_store_set_identity (store, "bench", NULL, "bench-desk");

  /* A run stopped halfway may have left its contacts behind. */
  if (!cleanup_contacts (db, occurred_unix, error))
    return FALSE;

  /* A first save prepares the statements and reads what the store
   * caches (its time zone); it is removed with the first pass. */
  {
    g_autoptr(JsonObject) contact = make_contact (occurred_at, organisation, resource);
    if (!put_contact (store, contact, error))
      {
        cleanup_contacts (db, occurred_unix, NULL);
        return FALSE;
      }
  }

  /* First pass, untimed: warms up and records each save's SQL. */
  for (int i = 0; i < n; i++)
    {
      g_autoptr(JsonObject) contact = make_contact (occurred_at, organisation, resource);
      Capture capture;
      gboolean saved;
      char *line;

      capture_begin (store, &capture);
      saved = put_contact (store, contact, error);
      line = capture_end (store, &capture, saved ? error : NULL);
      if (saved && line == NULL && (error == NULL || *error == NULL))
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Saving a contact ran no SQL");
      if (line == NULL)
        {
          cleanup_contacts (db, occurred_unix, NULL);
          return FALSE;
        }
      g_ptr_array_add (lines, line);
    }
  row->n_queries = n;
  row->baseline = g_strdup (lines->pdata[0]);

  if (!cleanup_contacts (db, occurred_unix, error))
    return FALSE;

  /* The shell warms up as libcdm did, by saving every contact once, and
   * removes them with the same cleanup. */
  cleanup_line = cleanup_contacts_sql (db, occurred_unix, error);
  if (cleanup_line == NULL)
    return FALSE;
  shell = shell_start (cdm_store_get_path (store), error);
  if (shell == NULL || !shell_warm_up (shell, lines, cleanup_line, error))
    ok = FALSE;

  /* Then libcdm saves new contacts and the shell inserts the first
   * pass's rows again, one side after the other, each from an empty WAL.
   * A commit that finds the WAL over its limit (1,000 pages) copies it
   * into the database, which costs a few milliseconds: the spikes of the
   * p99.  So each side pays for the checkpoints of its own writes, at
   * the same points of its series; interleaved, they would fall on
   * whichever side crossed the limit. */
  call.store = store;
  call.occurred_at = occurred_at;
  call.organisation = organisation;
  call.resource = resource;
  ok = ok &&
       checkpoint (db, error) &&
       measure_lib (save_call, &call, n, row, error) &&
       cleanup_contacts (db, occurred_unix, error) &&
       checkpoint (db, error) &&
       measure_shell (shell, lines, row, error);

  /* Whatever happened, the store is left as it was found. */
  g_clear_pointer (&shell, shell_free);
  if (!cleanup_contacts (db, occurred_unix, ok ? error : NULL))
    ok = FALSE;
  if (ok && !checkpoint (db, error))
    ok = FALSE;
  return ok;
}

/* The yearly report */

typedef struct {
  CdmStore *store;
  int year;
} ReportCall;

static gboolean
report_call (gpointer   data,
             guint      index,
             GError   **error)
{
  ReportCall *call = data;
  g_autoptr(CdmReport) report = cdm_report_compute (call->store, call->year, NULL, error);

  return report != NULL;
}

static gboolean
bench_report (CdmStore    *store,
              int          year,
              Row         *row,
              gint64      *out_total,
              GError     **error)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CdmReport) report = NULL;
  g_autoptr(Shell) shell = NULL;
  ReportCall call;
  Capture capture;
  char *line;

  /* Prepares the statements and registers the report's function, which
   * later reports do not do again. */
  report = cdm_report_compute (store, year, NULL, error);
  if (report == NULL)
    return FALSE;
  g_clear_pointer (&report, cdm_report_unref);

  capture_begin (store, &capture);
  report = cdm_report_compute (store, year, NULL, error);
  line = capture_end (store, &capture, report != NULL ? error : NULL);
  if (report == NULL)
    return FALSE;
  if (line == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The report ran no SQL");
      return FALSE;
    }
  g_ptr_array_add (lines, line);
  row->n_queries = 1;
  row->baseline = g_strdup (line);
  *out_total = cdm_report_get_total_contacts (report);

  shell = shell_start (cdm_store_get_path (store), error);
  if (shell == NULL || !shell_warm_up (shell, lines, NULL, error))
    return FALSE;

  call.store = store;
  call.year = year;
  return measure_pairs (shell, lines, MAX (1, opt_reports), report_call, &call, row, error);
}

/* The statistics page, one organisation's figures and the PDF report
 * (cdm_report_compute_full(), cdm_report_write_pdf()): each call
 * computes the figures and uses them as the page, the organisation's
 * report or the export does.  The baseline is the SQL the computation
 * runs, the same as the yearly report's for the whole centre. */

typedef enum {
  FIGURES_PAGE,          /* the page: the figures and their JSON */
  FIGURES_MONTHS,        /* the monthly series of a half year, read */
  FIGURES_ORGANISATION,  /* the busiest organisation's figures and JSON */
  FIGURES_PDF,           /* the figures and the PDF, in English */
} FiguresKind;

typedef struct {
  CdmStore *store;
  CdmReportOptions options;
  FiguresKind kind;
  const char *pdf_path;
} FiguresCall;

static gboolean
figures_call (gpointer   data,
              guint      index,
              GError   **error)
{
  FiguresCall *call = data;
  g_autoptr(CdmReport) report = cdm_report_compute_full (call->store, &call->options, NULL, error);

  if (report == NULL)
    return FALSE;

  switch (call->kind)
    {
    case FIGURES_PAGE:
    case FIGURES_ORGANISATION:
      {
        g_autoptr(JsonObject) json = cdm_report_to_json (report);
      }
      return TRUE;
    case FIGURES_MONTHS:
      {
        guint n_closures;
        gint64 sum = 0;

        for (guint s = 0; s < CDM_REPORT_N_SERIES; s++)
          for (guint m = call->options.from_month; m <= call->options.to_month; m++)
            sum += cdm_report_get_series_value (report, s, m);
        cdm_report_get_closures (report, &n_closures);
        return sum >= 0 || n_closures > 0;
      }
    case FIGURES_PDF:
      return cdm_report_write_pdf (report, call->pdf_path, "en", error);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
bench_figures (FiguresCall  *call,
               Row          *row,
               GError      **error)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(Shell) shell = NULL;
  Capture capture;
  char *line;
  gboolean ok;

  /* Prepares the statements, as bench_report(). */
  if (!figures_call (call, 0, error))
    return FALSE;

  capture_begin (call->store, &capture);
  ok = figures_call (call, 0, error);
  line = capture_end (call->store, &capture, ok ? error : NULL);
  if (!ok)
    return FALSE;
  if (line == NULL)
    {
      if (error == NULL || *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "The figures ran no SQL");
      return FALSE;
    }
  g_ptr_array_add (lines, line);
  row->n_queries = 1;
  row->baseline = g_strdup (line);

  shell = shell_start (cdm_store_get_path (call->store), error);
  if (shell == NULL || !shell_warm_up (shell, lines, NULL, error))
    return FALSE;
  return measure_pairs (shell, lines, MAX (1, opt_reports), figures_call, call, row, error);
}

/* The organisation that logged the most contacts of @year or, when no
 * contact says who logged it (generated stores), the one that organised
 * the most activities. */
static char *
busiest_organisation (sqlite3  *db,
                      int       year,
                      GError  **error)
{
  g_autofree char *first = g_strdup_printf ("%04d-01-01", year);
  char *organisation;

  organisation = side_query_text (db, "SELECT organisation FROM contacts "
                                      "WHERE day BETWEEN ?1 AND substr (?1, 1, 4) || '-12-31' "
                                      "AND organisation IS NOT NULL AND deleted = 0 "
                                      "GROUP BY organisation ORDER BY count (*) DESC LIMIT 1",
                                  first, error);
  if (organisation != NULL || (error != NULL && *error != NULL))
    return organisation;
  organisation = side_query_text (db, "SELECT organisation FROM activity_organisers "
                                      "GROUP BY organisation ORDER BY count (*) DESC LIMIT 1",
                                  NULL, error);
  if (organisation == NULL && error != NULL && *error == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No organisation logged or organised anything");
  return organisation;
}

/* Facts about the run */

static char *
cpu_model (void)
{
  g_autofree char *cpuinfo = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    return g_strdup ("unknown");

  lines = g_strsplit (cpuinfo, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon != NULL && g_str_has_prefix (lines[i], "model name"))
        return g_strstrip (g_strdup (colon + 1));
    }
  return g_strdup ("unknown");
}

static char *
shell_version (void)
{
  const char *argv[] = { opt_sqlite3 != NULL ? opt_sqlite3 : "sqlite3", "-version", NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) words = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, NULL) ||
      out == NULL)
    return g_strdup ("not found");

  words = g_strsplit (g_strstrip (out), " ", 2);
  return g_strdup (words[0] != NULL ? words[0] : "unknown");
}

static gint64
file_size (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

/* 1234567 as "1,234,567", whatever the locale. */
static char *
format_count (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n < 0 ? -n : n);
  GString *out = g_string_new (n < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static void
print_header (CdmStore *store)
{
  const char *path = cdm_store_get_path (store);
  g_autofree char *wal_path = g_strconcat (path, "-wal", NULL);
  g_autofree char *model = cpu_model ();
  g_autofree char *shell = shell_version ();
  g_autofree char *origin = cdm_store_get_setting (store, "origin");
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M");
  const struct {
    CdmEntity entity;
    const char *label;
  } counted[] = {
    { CDM_ENTITY_CONTACT, "contacts" },
    { CDM_ENTITY_RESOURCE, "resources" },
    { CDM_ENTITY_ORGANISATION, "partners" },
    { CDM_ENTITY_ACTIVITY, "activities" },
  };
  g_autoptr(GString) counts = g_string_new (NULL);
  struct utsname un;

  for (guint i = 0; i < G_N_ELEMENTS (counted); i++)
    {
      g_autofree char *n = format_count (cdm_store_count (store, counted[i].entity, NULL));
      g_string_append_printf (counts, "%s%s %s", i > 0 ? ", " : "", n, counted[i].label);
    }

  printf ("cdm-bench %s, %s\n", PACKAGE_VERSION, date);
  printf ("Machine  %s, %u CPUs (nproc)", model, g_get_num_processors ());
  if (uname (&un) == 0)
    printf (", %s %s", un.sysname, un.release);
  printf ("\n");
  printf ("SQLite   %s in libcdm, %s in the sqlite3 shell\n", sqlite3_libversion (), shell);
  printf ("Store    %s: %.2f GB (WAL %.1f MB), origin %s\n", path,
          (file_size (path)) / 1e9, file_size (wal_path) / 1e6,
          origin != NULL ? origin : "not set");
  printf ("         %s\n\n", counts->str);
}

static void
print_table (Row   *rows,
             guint  n_rows)
{
  printf ("%-34s %5s  %-17s  %-17s  %s\n", "", "", "libcdm (ms)", "sqlite3 shell (ms)",
          "libcdm / shell");
  printf ("%-34s %5s  %8s %8s  %8s %8s  %6s %6s %6s\n", "path", "runs",
          "median", "p99", "median", "p99", "median", "p99", "cpu");

  for (guint i = 0; i < n_rows; i++)
    {
      Row *row = &rows[i];
      double lm, lp, sm, sp, lc, sc;

      if (row->error != NULL)
        {
          printf ("%-34s FAILED: %s\n", row->name, row->error);
          continue;
        }
      if (row->lib.wall->len == 0)
        continue;

      lm = quantile (row->lib.wall, 0.5);
      lp = quantile (row->lib.wall, 0.99);
      sm = quantile (row->shell.wall, 0.5);
      sp = quantile (row->shell.wall, 0.99);
      lc = quantile (row->lib.cpu, 0.5);
      sc = quantile (row->shell.cpu, 0.5);

      printf ("%-34s %5u  %8.3f %8.3f  %8.3f %8.3f  %6.2f %6.2f %6.2f\n",
              row->name, row->lib.wall->len, lm, lp, sm, sp,
              lm / sm, lp / sp, lc / sc);
    }
}

static void
print_aims (Row   *rows,
            guint  n_rows)
{
  printf ("\nAims of issue 2 (not tests): p99 within the aim, no ratio above 1.5\n");
  for (guint i = 0; i < n_rows; i++)
    {
      Row *row = &rows[i];
      double p99, ratio;

      if (row->error != NULL || row->lib.wall->len == 0)
        continue;

      p99 = quantile (row->lib.wall, 0.99);
      ratio = MAX (quantile (row->lib.wall, 0.5) / quantile (row->shell.wall, 0.5),
                   p99 / quantile (row->shell.wall, 0.99));
      printf ("  %-32s p99 %8.3f ms, aim %-9s %-6s  ratio %5.2f, aim 1.5 %s\n",
              row->name, p99, row->aim_label, p99 <= row->aim_ms ? "met" : "MISSED",
              ratio, ratio <= 1.5 ? "met" : "MISSED");
    }
}

static void
print_baselines (Row   *rows,
                 guint  n_rows)
{
  printf ("\nBaseline SQL: what the shell ran for the first run of each path "
          "(one line, one timed unit)%s\n", opt_show_sql ? "" : "; --show-sql prints it whole");
  for (guint i = 0; i < n_rows; i++)
    {
      const char *sql = rows[i].baseline;

      if (sql == NULL)
        continue;
      if (!opt_show_sql && strlen (sql) > 400)
        printf ("  %s:\n    %.400s…\n", rows[i].name, sql);
      else
        printf ("  %s:\n    %s\n", rows[i].name, sql);
    }
}

static gboolean
wants (const char *path)
{
  g_auto(GStrv) paths = NULL;

  if (opt_only == NULL)
    return TRUE;
  paths = g_strsplit (opt_only, ",", -1);
  return g_strv_contains ((const char * const *) paths, path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autofree char *year_text = NULL;
  sqlite3 *db = NULL;
  Row rows[8];
  g_autofree char *organisation = NULL;
  g_autofree char *pdf_dir = NULL;
  g_autofree char *pdf_path = NULL;
  gint64 total = -1;
  gboolean failed = FALSE;
  int year;

  context = g_option_context_new ("STORE");
  g_option_context_set_summary (context,
    "Times search-as-you-type, saving a contact and the yearly report on STORE,\n"
    "each next to the same SQL in the sqlite3 shell.  tools/bench builds,\n"
    "generates a store at benchmark scale and runs this; see docs/performance.md.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cdm-bench: %s\n", error->message);
      return 2;
    }
  if (argc != 2 || opt_words < 1 || opt_rounds < 1 || opt_saves < 1 || opt_reports < 1)
    {
      g_printerr ("cdm-bench: give one STORE, and counts of at least 1 (--help)\n");
      return 2;
    }
  if (!g_file_test (argv[1], G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("cdm-bench: %s: no such store (tools/bench generates one)\n", argv[1]);
      return 1;
    }

  store = cdm_store_open (argv[1], &error);
  if (store == NULL)
    {
      g_printerr ("cdm-bench: %s\n", error->message);
      return 1;
    }
  db = open_side_connection (argv[1], &error);
  if (db == NULL)
    {
      g_printerr ("cdm-bench: %s\n", error->message);
      return 1;
    }

  if (opt_year > 0)
    year = opt_year;
  else
    {
      year_text = side_query_text (db, "SELECT substr (max (day), 1, 4) FROM contacts", NULL, &error);
      if (year_text == NULL)
        {
          g_printerr ("cdm-bench: %s\n", error != NULL ? error->message :
                      "the store has no contacts; give --year or generate a store");
          sqlite3_close (db);
          return 1;
        }
      year = atoi (year_text);
    }

  print_header (store);

  row_init (&rows[0], "search resources (2-6 letters)", "5 ms", 5);
  row_init (&rows[1], "search partners (2-6 letters)", "5 ms", 5);
  row_init (&rows[2], "save one contact (durable)", "10 ms", 10);
  row_init (&rows[3], "yearly report", "300 ms", 300);
  row_init (&rows[4], "page figures (year, JSON)", "300 ms", 300);
  row_init (&rows[5], "monthly series (6 months)", "300 ms", 300);
  row_init (&rows[6], "organisation figures (year)", "300 ms", 300);
  row_init (&rows[7], "PDF report (year)", "2 s", 2000);

  if (wants ("search"))
    {
      if (!bench_search (store, db, CDM_ENTITY_RESOURCE, &rows[0], &error))
        row_fail (&rows[0], error);
      g_clear_error (&error);
      if (!bench_search (store, db, CDM_ENTITY_ORGANISATION, &rows[1], &error))
        row_fail (&rows[1], error);
      g_clear_error (&error);
    }
  /* The report before the saves, so that it counts the store as it was
   * generated (the saves are removed again anyway). */
  if (wants ("report"))
    {
      if (!bench_report (store, year, &rows[3], &total, &error))
        row_fail (&rows[3], error);
      g_clear_error (&error);
    }
  if (wants ("figures") || wants ("pdf"))
    {
      FiguresCall call = { store, { 0, }, FIGURES_PAGE, NULL };

      cdm_report_options_init (&call.options, year);
      if (wants ("figures"))
        {
          if (!bench_figures (&call, &rows[4], &error))
            row_fail (&rows[4], error);
          g_clear_error (&error);

          call.kind = FIGURES_MONTHS;
          call.options.to_month = 6;
          if (!bench_figures (&call, &rows[5], &error))
            row_fail (&rows[5], error);
          g_clear_error (&error);
          call.options.to_month = 12;

          organisation = busiest_organisation (db, year, &error);
          if (organisation == NULL)
            row_fail (&rows[6], error);
          else
            {
              call.kind = FIGURES_ORGANISATION;
              call.options.organisation = organisation;
              if (!bench_figures (&call, &rows[6], &error))
                row_fail (&rows[6], error);
              call.options.organisation = NULL;
            }
          g_clear_error (&error);
        }
      if (wants ("pdf"))
        {
          pdf_dir = g_dir_make_tmp ("cdm-bench-XXXXXX", &error);
          if (pdf_dir == NULL)
            row_fail (&rows[7], error);
          else
            {
              pdf_path = g_build_filename (pdf_dir, "figures.pdf", NULL);
              call.kind = FIGURES_PDF;
              call.pdf_path = pdf_path;
              if (!bench_figures (&call, &rows[7], &error))
                row_fail (&rows[7], error);
              g_unlink (pdf_path);
              g_rmdir (pdf_dir);
            }
          g_clear_error (&error);
        }
    }
  if (wants ("save"))
    {
      if (!bench_save (store, db, year, &rows[2], &error))
        row_fail (&rows[2], error);
      g_clear_error (&error);
    }

  print_table (rows, G_N_ELEMENTS (rows));

  printf ("\n");
  for (guint i = 0; i < 2; i++)
    if (rows[i].n_queries > 0)
      printf ("%s: %u prefixes typed from %d words, %d rounds, %.1f hits per search (limit %d)\n",
              rows[i].name, rows[i].n_queries, opt_words, opt_rounds, rows[i].mean_hits, SEARCH_LIMIT);
  if (total >= 0)
    {
      g_autofree char *n = format_count (total);
      printf ("yearly report: year %d, total contacts of the report %s\n", year, n);
    }
  if (organisation != NULL)
    printf ("organisation figures: %s, the organisation that logged the most contacts\n", organisation);
  printf ("Times are wall clock; the shell's exclude its pipe round trip. "
          "cpu: ratio of median CPU times.\n");

  print_aims (rows, G_N_ELEMENTS (rows));
  print_baselines (rows, G_N_ELEMENTS (rows));

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      if (rows[i].error != NULL)
        failed = TRUE;
      row_clear (&rows[i]);
    }

  sqlite3_close (db);
  return failed ? 1 : 0;
}
