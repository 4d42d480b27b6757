/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-test-util.c: a real PostgreSQL and a real cdm-server for
 * the server tests (see cdm-server-test-util.h).
 */

#include "config.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <libsoup/soup.h>

#include "cdm-server-test-util.h"

const char * const cdm_test_roles[] = {
  "admin", "manager", "counsellor", "steward", "partner_staff", NULL,
};

struct _CdmTestServer {
  char              *tmpdir;
  char              *pgdata;
  char              *bindir;
  char              *conninfo;
  gboolean           as_postgres;   /* root: PostgreSQL runs as "postgres" */
  int                watchdog_fd;   /* closing it stops PostgreSQL */
  GSubprocess       *watchdog;
  GSubprocess       *server;
  GDataInputStream  *server_out;
  char              *url;
  char              *log_path;
  char              *exchanges_path;
  gboolean           recording;
  GStrv              serve_args;
  GHashTable        *tokens;        /* role → token */
  SoupSession       *session;
  PGconn            *db;
};

static const char *
server_binary (void)
{
  const char *path = g_getenv ("CDM_SERVER");

  g_assert_nonnull (path);
  return path;
}

/* The PostgreSQL programs: pg_config's bindir, else the newest
 * /usr/lib/postgresql/N/bin. */
static char *
find_bindir (void)
{
  g_autofree char *out = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  int best = 0;

  if (g_spawn_command_line_sync ("pg_config --bindir", &out, NULL, NULL, NULL) && out != NULL)
    {
      g_autofree char *initdb = NULL;

      g_strstrip (out);
      initdb = g_build_filename (out, "initdb", NULL);
      if (g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&out);
    }
  dir = g_dir_open ("/usr/lib/postgresql", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *initdb = g_build_filename ("/usr/lib/postgresql", name, "bin", "initdb", NULL);
      int version = atoi (name);

      if (version > best && g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
        best = version;
    }
  if (best == 0)
    return NULL;
  return g_strdup_printf ("/usr/lib/postgresql/%d/bin", best);
}

/* A PostgreSQL program's argv, through runuser when we are root. */
static GPtrArray *
pg_argv (CdmTestServer *ts,
         const char    *program)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  if (ts->as_postgres)
    {
      g_ptr_array_add (argv, g_strdup ("runuser"));
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup ("postgres"));
      g_ptr_array_add (argv, g_strdup ("--"));
    }
  g_ptr_array_add (argv, g_build_filename (ts->bindir, program, NULL));
  return argv;
}

static void
run_checked (GPtrArray  *argv,
             const char *what)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s failed:\n%s\n%s", what, out, err);
}

static void
on_child_setup (gpointer user_data)
{
  /* cdm-server never outlives the test, whatever way the test ends. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
start_postgres (CdmTestServer *ts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *options = NULL;
  g_autofree char *logfile = NULL;
  g_autofree char *watch = NULL;
  int fds[2];

  ts->bindir = find_bindir ();
  if (ts->bindir == NULL)
    g_error ("PostgreSQL's initdb is not installed (tools/install-deps test)");
  ts->as_postgres = getuid () == 0;
  ts->tmpdir = g_dir_make_tmp ("cdm-server-test-XXXXXX", &error);
  g_assert_no_error (error);
  ts->pgdata = g_build_filename (ts->tmpdir, "data", NULL);
  logfile = g_build_filename (ts->tmpdir, "postgresql.log", NULL);
  if (ts->as_postgres)
    {
      struct passwd *pw = getpwnam ("postgres");

      if (pw == NULL)
        g_error ("Running as root needs the “postgres” user (package postgresql)");
      g_assert_cmpint (chown (ts->tmpdir, pw->pw_uid, pw->pw_gid), ==, 0);
    }

  argv = pg_argv (ts, "initdb");
  g_ptr_array_add (argv, g_strdup ("--auth=trust"));
  g_ptr_array_add (argv, g_strdup ("--username=postgres"));
  g_ptr_array_add (argv, g_strdup ("--encoding=UTF8"));
  g_ptr_array_add (argv, g_strdup ("--no-locale"));
  g_ptr_array_add (argv, g_strdup ("--no-sync"));
  g_ptr_array_add (argv, g_strdup ("-D"));
  g_ptr_array_add (argv, g_strdup (ts->pgdata));
  run_checked (argv, "initdb");
  g_clear_pointer (&argv, g_ptr_array_unref);

  options = g_strdup_printf ("-c listen_addresses='' -k %s -c fsync=off -c synchronous_commit=off "
                             "-c full_page_writes=off -c max_connections=60", ts->tmpdir);
  argv = pg_argv (ts, "pg_ctl");
  g_ptr_array_add (argv, g_strdup ("-w"));
  g_ptr_array_add (argv, g_strdup ("-D"));
  g_ptr_array_add (argv, g_strdup (ts->pgdata));
  g_ptr_array_add (argv, g_strdup ("-l"));
  g_ptr_array_add (argv, g_strdup (logfile));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup (options));
  g_ptr_array_add (argv, g_strdup ("start"));
  run_checked (argv, "pg_ctl start");
  g_clear_pointer (&argv, g_ptr_array_unref);

  /* The watchdog waits for end of file on its stdin, which only we hold:
   * when this process ends, however it ends, PostgreSQL is stopped and
   * its folder removed. */
  g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
  g_assert_no_error (error);
  watch = g_strdup_printf ("cat >/dev/null; %s%s/pg_ctl -D '%s' -m immediate stop >/dev/null 2>&1;"
                           " [ -e '%s/clean-exit' ] || { echo '--- cdm-server log ---'; cat '%s/cdm-server.log'; } >&2;"
                           " rm -rf '%s'",
                           ts->as_postgres ? "runuser -u postgres -- " : "", ts->bindir, ts->pgdata,
                           ts->tmpdir, ts->tmpdir, ts->tmpdir);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdin_fd (launcher, fds[0]);
  ts->watchdog = g_subprocess_launcher_spawn (launcher, &error, "sh", "-c", watch, NULL);
  g_assert_no_error (error);
  ts->watchdog_fd = fds[1];

  ts->conninfo = g_strdup_printf ("host=%s dbname=cdm_test user=postgres", ts->tmpdir);
  {
    g_autofree char *admin = g_strdup_printf ("host=%s dbname=postgres user=postgres", ts->tmpdir);
    PGconn *db = PQconnectdb (admin);
    PGresult *res;

    if (PQstatus (db) != CONNECTION_OK)
      g_error ("cannot connect to the test cluster: %s", PQerrorMessage (db));
    res = PQexec (db, "CREATE DATABASE cdm_test");
    g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
    PQclear (res);
    PQfinish (db);
  }
}

int
cdm_test_server_command (CdmTestServer      *ts,
                         const char * const *args,
                         const char         *stdin_text,
                         char              **out,
                         char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  g_ptr_array_add (argv, (gpointer) server_binary ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "--database");
  g_ptr_array_add (argv, ts->conninfo);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, on_child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, stdin_text ? stdin_text : "", NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  if (!g_subprocess_get_if_exited (process))
    return -1;
  return g_subprocess_get_exit_status (process);
}

GSubprocess *
cdm_test_server_spawn (CdmTestServer      *ts,
                       const char * const *args,
                       char              **url)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_ptr_array_add (argv, (gpointer) server_binary ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "--database");
  g_ptr_array_add (argv, ts->conninfo);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, on_child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, "listening on "))
    {
      *url = g_steal_pointer (&line);
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      return NULL;
    }
  *url = g_strdup (line + strlen ("listening on "));
  return g_steal_pointer (&process);
}

char *
cdm_test_password (const char *role)
{
  return g_strdup_printf ("secret-%s-pw", role);
}

static void
add_users (CdmTestServer *ts)
{
  for (guint i = 0; cdm_test_roles[i] != NULL; i++)
    {
      const char *role = cdm_test_roles[i];
      g_autofree char *password = cdm_test_password (role);
      g_autofree char *err = NULL;
      g_autofree char *display = g_strdup_printf ("Test %s", role);
      const char *args[] = {
        "user-add", role, "--role", role, "--display-name", display,
        g_str_equal (role, "partner_staff") ? "--organisation" : NULL, CDM_TEST_PARTNER_ORG, NULL,
      };
      int status = cdm_test_server_command (ts, args, password, NULL, &err);

      if (status != 0)
        g_error ("cdm-server user-add %s failed: %s", role, err);
    }
}

void
cdm_test_server_start_serving (CdmTestServer *ts)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_assert_null (ts->server);
  g_ptr_array_add (argv, (gpointer) server_binary ());
  g_ptr_array_add (argv, (gpointer) "serve");
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1");
  g_ptr_array_add (argv, (gpointer) "--port");
  g_ptr_array_add (argv, (gpointer) "0");
  g_ptr_array_add (argv, (gpointer) "--workers");
  g_ptr_array_add (argv, (gpointer) "4");
  g_ptr_array_add (argv, (gpointer) "--database");
  g_ptr_array_add (argv, ts->conninfo);
  for (guint i = 0; ts->serve_args && ts->serve_args[i] != NULL; i++)
    g_ptr_array_add (argv, ts->serve_args[i]);
  g_ptr_array_add (argv, NULL);

  /* stderr (the request log) goes to a file the tests read; a failing
   * test prints it (cdm_test_server_free). */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_free (ts->log_path);
  ts->log_path = g_build_filename (ts->tmpdir, "cdm-server.log", NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, ts->log_path);
  g_subprocess_launcher_set_child_setup (launcher, on_child_setup, NULL, NULL);
  ts->server = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  ts->server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (ts->server));
  line = g_data_input_stream_read_line_utf8 (ts->server_out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, "listening on http://127.0.0.1:"))
    {
      g_autofree char *log = cdm_test_server_log (ts);

      g_error ("cdm-server did not start (it printed “%s”):\n%s", line ? line : "nothing", log);
    }
  g_free (ts->url);
  ts->url = g_strdup (line + strlen ("listening on "));
}

CdmTestServer *
cdm_test_server_new (const char * const *extra_serve_args)
{
  CdmTestServer *ts = g_new0 (CdmTestServer, 1);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *migrate[] = { "migrate", NULL };

  ts->watchdog_fd = -1;
  ts->serve_args = g_strdupv ((char **) extra_serve_args);
  ts->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* Loopback only: no proxy (nor libproxy's threads). */
  ts->session = soup_session_new_with_options ("timeout", 60, "proxy-resolver", NULL, NULL);
  start_postgres (ts);
  ts->recording = TRUE;
  if (g_getenv ("CDM_API_EXCHANGES") != NULL && *g_getenv ("CDM_API_EXCHANGES") != '\0')
    ts->exchanges_path = g_strdup (g_getenv ("CDM_API_EXCHANGES"));
  else
    ts->exchanges_path = g_build_filename (ts->tmpdir, "exchanges.jsonl", NULL);
  if (cdm_test_server_command (ts, migrate, NULL, &out, &err) != 0)
    g_error ("cdm-server migrate failed: %s%s", out, err);
  add_users (ts);
  cdm_test_server_start_serving (ts);
  return ts;
}

int
cdm_test_server_stop_serving (CdmTestServer *ts)
{
  g_assert_nonnull (ts->server);
  g_subprocess_send_signal (ts->server, SIGTERM);
  return cdm_test_server_wait_exit (ts);
}

int
cdm_test_server_wait_exit (CdmTestServer *ts)
{
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_assert_nonnull (ts->server);
  /* A server that does not stop fails the test by its timeout. */
  g_subprocess_wait (ts->server, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_if_exited (ts->server))
    status = g_subprocess_get_exit_status (ts->server);
  g_clear_object (&ts->server_out);
  g_clear_object (&ts->server);
  g_hash_table_remove_all (ts->tokens);
  return status;
}

void
cdm_test_server_record (CdmTestServer *ts,
                        gboolean       on)
{
  ts->recording = on;
}

static void
test_api_conformance (gconstpointer data)
{
  CdmTestServer *ts = (CdmTestServer *) data;
  const char *node = g_getenv ("CDM_NODE");
  const char *checker = g_getenv ("CDM_API_CHECKER");
  const char *spec = g_getenv ("CDM_API_SPEC");
  g_autofree char *modules = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  if (node == NULL || *node == '\0' || checker == NULL || spec == NULL)
    {
      g_test_skip ("node is not installed (tools/install-deps test)");
      return;
    }
  {
    g_autofree char *dir = g_path_get_dirname (checker);

    modules = g_build_filename (dir, "node_modules", NULL);
  }
  if (!g_file_test (modules, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("tools/api-lint's packages are missing (tools/install-deps test)");
      return;
    }
  if (!g_file_test (ts->exchanges_path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no exchanges recorded");
      return;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
                              node, checker, spec, ts->exchanges_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("%s", out);
  if (!g_subprocess_get_successful (process))
    g_test_fail_printf ("answers that do not follow docs/api/openapi.yaml:\n%s", out);
}

void
cdm_test_server_add_api_test (CdmTestServer *ts)
{
  g_test_add_data_func ("/server/api/conformance", ts, test_api_conformance);
}

void
cdm_test_server_forget_tokens (CdmTestServer *ts)
{
  g_hash_table_remove_all (ts->tokens);
}

void
cdm_test_server_set_serve_args (CdmTestServer      *ts,
                                const char * const *args)
{
  g_strfreev (ts->serve_args);
  ts->serve_args = g_strdupv ((char **) args);
}

void
cdm_test_server_free (CdmTestServer *ts)
{
  if (ts == NULL)
    return;
  if (ts->server != NULL)
    g_assert_cmpint (cdm_test_server_stop_serving (ts), ==, 0);
  g_clear_pointer (&ts->db, PQfinish);
  /* The watchdog stops PostgreSQL and removes the folder; it shows the
   * server's log only when the test did not get here. */
  {
    g_autofree char *marker = g_build_filename (ts->tmpdir, "clean-exit", NULL);

    g_file_set_contents (marker, "", 0, NULL);
  }
  if (ts->watchdog_fd >= 0)
    close (ts->watchdog_fd);
  if (ts->watchdog != NULL)
    g_subprocess_wait (ts->watchdog, NULL, NULL);
  g_clear_object (&ts->watchdog);
  g_clear_object (&ts->session);
  g_clear_pointer (&ts->tokens, g_hash_table_unref);
  g_strfreev (ts->serve_args);
  g_free (ts->url);
  g_free (ts->log_path);
  g_free (ts->exchanges_path);
  g_free (ts->conninfo);
  g_free (ts->bindir);
  g_free (ts->pgdata);
  g_free (ts->tmpdir);
  g_free (ts);
}

const char *
cdm_test_server_url (CdmTestServer *ts)
{
  return ts->url;
}

const char *
cdm_test_server_conninfo (CdmTestServer *ts)
{
  return ts->conninfo;
}

GPid
cdm_test_server_pid (CdmTestServer *ts)
{
  const char *id = ts->server ? g_subprocess_get_identifier (ts->server) : NULL;

  return id ? (GPid) atoi (id) : 0;
}

/* Replies */

void
cdm_test_reply_free (CdmTestReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->content_type);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_free (reply);
}

static void
reply_parse (CdmTestReply *reply)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = reply->body ? g_bytes_get_data (reply->body, &len) : NULL;

  if (len > 0 && json_parser_load_from_data (parser, data, len, NULL))
    reply->json = json_parser_steal_root (parser);
}

JsonNode *
cdm_test_reply_member (CdmTestReply *reply,
                       const char   *name)
{
  if (reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json))
    return NULL;
  return json_object_get_member (json_node_get_object (reply->json), name);
}

const char *
cdm_test_reply_error_code (CdmTestReply *reply)
{
  JsonNode *error = cdm_test_reply_member (reply, "error");
  JsonNode *code;

  if (error == NULL || !JSON_NODE_HOLDS_OBJECT (error))
    return NULL;
  code = json_object_get_member (json_node_get_object (error), "code");
  if (code == NULL || json_node_get_value_type (code) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (code);
}

/* Every exchange made through libsoup is appended to a file, one JSON
 * object a line, for tools/api-lint/check-responses.mjs (the
 * /server/api/conformance test); CDM_API_EXCHANGES names another file. */
static void
record_exchange (CdmTestServer *ts,
                 const char    *method,
                 const char    *path,
                 CdmTestReply  *reply)
{
  const char *file = ts->exchanges_path;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;
  FILE *out;

  if (file == NULL || !ts->recording)
    return;
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, method);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, reply->status);
  json_builder_set_member_name (builder, "content_type");
  if (reply->content_type != NULL)
    json_builder_add_string_value (builder, reply->content_type);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "body");
  if (reply->json != NULL)
    json_builder_add_value (builder, json_node_copy (reply->json));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  line = json_to_string (root, FALSE);
  out = fopen (file, "a");
  g_assert_nonnull (out);
  fprintf (out, "%s\n", line);
  fclose (out);
}

CdmTestReply *
cdm_test_request_full (CdmTestServer *ts,
                       const char    *method,
                       const char    *path,
                       const char    *token,
                       const char    *content_type,
                       const char    *body,
                       gsize          body_len)
{
  g_autofree char *uri = g_strconcat (ts->url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GError) error = NULL;
  CdmTestReply *reply = g_new0 (CdmTestReply, 1);

  g_assert_nonnull (msg);
  if (token != NULL)
    {
      g_autofree char *header = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  reply->body = soup_session_send_and_read (ts->session, msg, NULL, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (msg);
  reply->content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg),
                                                                         NULL));
  reply_parse (reply);
  record_exchange (ts, method, path, reply);
  return reply;
}

CdmTestReply *
cdm_test_request (CdmTestServer *ts,
                  const char    *method,
                  const char    *path,
                  const char    *token,
                  const char    *body)
{
  return cdm_test_request_full (ts, method, path, token, body ? "application/json" : NULL,
                                body, body ? strlen (body) : 0);
}

char *
cdm_test_server_log (CdmTestServer *ts)
{
  char *text = NULL;

  if (ts->log_path == NULL || !g_file_get_contents (ts->log_path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

char *
cdm_test_server_file (CdmTestServer *ts,
                      const char    *name)
{
  return g_build_filename (ts->tmpdir, name, NULL);
}

CdmTestReply *
cdm_test_request_raw (CdmTestServer *ts,
                      const char    *request,
                      gsize          len)
{
  return cdm_test_request_raw_to (ts->url, request, len);
}

CdmTestReply *
cdm_test_request_raw_to (const char *url,
                         const char *request,
                         gsize       len)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  CdmTestReply *reply = g_new0 (CdmTestReply, 1);
  const char *head_end;
  guint8 buffer[8192];
  gssize n;

  g_socket_client_set_timeout (client, 60);
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, len, NULL, NULL, &error);
  g_assert_no_error (error);
  /* Every raw request says "Connection: close": read to the end. */
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                   buffer, sizeof buffer, NULL, &error)) > 0)
    g_byte_array_append (answer, buffer, (guint) n);
  g_clear_error (&error);  /* a reset after the answer is fine */
  g_byte_array_append (answer, (const guint8 *) "", 1);

  if (answer->len > 12 && g_str_has_prefix ((const char *) answer->data, "HTTP/1."))
    reply->status = (guint) g_ascii_strtoull ((const char *) answer->data + 9, NULL, 10);
  head_end = strstr ((const char *) answer->data, "\r\n\r\n");
  if (head_end != NULL)
    {
      const char *body = head_end + 4;

      reply->body = g_bytes_new (body, strlen (body));
      if (g_strstr_len ((const char *) answer->data, head_end - (const char *) answer->data,
                        "Content-Type: application/json") != NULL)
        reply->content_type = g_strdup ("application/json");
    }
  reply_parse (reply);
  return reply;
}

const char *
cdm_test_server_token (CdmTestServer *ts,
                       const char    *role)
{
  const char *token = g_hash_table_lookup (ts->tokens, role);

  if (token == NULL)
    {
      g_autofree char *password = cdm_test_password (role);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *body = NULL;
      g_autoptr(CdmTestReply) reply = NULL;
      JsonNode *node;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "login");
      json_builder_add_string_value (builder, role);
      json_builder_set_member_name (builder, "password");
      json_builder_add_string_value (builder, password);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      body = json_to_string (root, FALSE);
      reply = cdm_test_request (ts, "POST", "/api/v1/auth/login", NULL, body);
      g_assert_cmpuint (reply->status, ==, 200);
      node = cdm_test_reply_member (reply, "token");
      g_assert_nonnull (node);
      token = json_node_get_string (node);
      g_hash_table_insert (ts->tokens, g_strdup (role), g_strdup (token));
      token = g_hash_table_lookup (ts->tokens, role);
    }
  return token;
}

/* The database */

PGconn *
cdm_test_server_db (CdmTestServer *ts)
{
  if (ts->db == NULL)
    {
      ts->db = PQconnectdb (ts->conninfo);
      g_assert_cmpint (PQstatus (ts->db), ==, CONNECTION_OK);
    }
  return ts->db;
}

char *
cdm_test_query_value (CdmTestServer *ts,
                      const char    *sql)
{
  PGresult *res = PQexec (cdm_test_server_db (ts), sql);
  char *value = NULL;

  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (res));
  if (PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
    value = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  return value;
}

gint64
cdm_test_count_rows (CdmTestServer *ts,
                     const char    *table)
{
  PGconn *db = cdm_test_server_db (ts);
  g_autofree char *quoted = PQescapeIdentifier (db, table, strlen (table)) ;
  g_autofree char *sql = NULL;
  g_autofree char *value = NULL;

  g_assert_nonnull (quoted);
  sql = g_strdup_printf ("SELECT count (*) FROM %s", quoted);
  value = cdm_test_query_value (ts, sql);
  return g_ascii_strtoll (value, NULL, 10);
}

char *
cdm_test_database_digest (CdmTestServer *ts)
{
  PGconn *db = cdm_test_server_db (ts);
  PGresult *tables = PQexec (db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                 " AND tablename <> 'login_failures' ORDER BY tablename");
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_assert_cmpint (PQresultStatus (tables), ==, PGRES_TUPLES_OK);
  for (int i = 0; i < PQntuples (tables); i++)
    {
      const char *name = PQgetvalue (tables, i, 0);
      g_autofree char *quoted = PQescapeIdentifier (db, name, strlen (name));
      g_autofree char *sql = g_strdup_printf ("SELECT coalesce (md5 (string_agg (t::text, '|' ORDER BY t::text)), '')"
                                              "  FROM %s t", quoted);
      g_autofree char *value = cdm_test_query_value (ts, sql);

      g_checksum_update (checksum, (const guchar *) name, -1);
      g_checksum_update (checksum, (const guchar *) (value ? value : ""), -1);
    }
  PQclear (tables);
  return g_strdup (g_checksum_get_string (checksum));
}
