/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-main.c: the command line of cdm-server.
 *
 *   cdm-server serve [OPTION…]            serve the API (the default)
 *   cdm-server migrate [OPTION…]          create or update the schema
 *   cdm-server user-add LOGIN --role R    add a user (password on stdin)
 *   cdm-server user-password LOGIN        set a password (on stdin)
 *   cdm-server desk-add NAME --site S     register a desk
 *
 * Options come from the key file given with --config (group [server],
 * keys named like the long options) and then from the command line.
 * Passwords are never taken from argv: they would show in ps and in the
 * shell's history.
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cdm-server-core.h"
#ifdef CDM_SERVER_HAVE_SYNC
#include "cdm-server-records.h"
#include "cdm-server-retention.h"
#endif

/* A number option not given (so that a negative one given is refused,
 * not taken for "not given"). */
#define UNSET G_MININT

#ifdef CDM_SERVER_HAVE_SYNC
#define PRUNE_HELP "  prune           forget old change-log entries (prune --help)\n"
#else
#define PRUNE_HELP ""
#endif

#define COMMANDS_HELP \
  "Commands:\n" \
  "  serve           serve the Desk API (the default)\n" \
  "  migrate         create or update the database schema\n" \
  "  user-add        add a user (password on stdin)\n" \
  "  user-password   set a user's password (on stdin)\n" \
  "  desk-add        register a desk\n" \
  PRUNE_HELP \
  "\n" \
  "“cdm-server COMMAND --help” lists the options of COMMAND (docs/server.md).\n"

typedef struct {
  char     *config_file;
  char     *listen;
  gint      port;
  char     *port_file;
  char     *tls_cert;
  char     *tls_key;
  char     *database;
  gint      workers;
  gint      read_workers;
  gint64    max_body;
  gint      max_batch;
  gint64    token_ttl;
  gint      retention_days;
  gint64    retention_seconds;   /* hidden, for tests: overrides the days */
  gboolean  allow_plain_http;
  /* Admin commands. */
  char     *role;
  char     *organisation;
  char     *display_name;
  char     *password_file;
  char     *site;
  char     *id;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->config_file);
  g_free (o->listen);
  g_free (o->port_file);
  g_free (o->tls_cert);
  g_free (o->tls_key);
  g_free (o->database);
  g_free (o->role);
  g_free (o->organisation);
  g_free (o->display_name);
  g_free (o->password_file);
  g_free (o->site);
  g_free (o->id);
}

static const GOptionEntry common_entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, NULL, "Read the configuration from FILE", "FILE" },
  { "database", 'd', 0, G_OPTION_ARG_STRING, NULL, "PostgreSQL connection string", "CONNINFO" },
  { NULL }
};

static void
add_common (GOptionContext *context,
            Options        *o)
{
  GOptionEntry entries[G_N_ELEMENTS (common_entries)];

  memcpy (entries, common_entries, sizeof entries);
  entries[0].arg_data = &o->config_file;
  entries[1].arg_data = &o->database;
  g_option_context_add_main_entries (context, entries, NULL);
}

/* Key file values first, then what the command line gave. */
static gboolean
load_config (Options          *o,
             CdmServerConfig  *config,
             GError          **error)
{
  cdm_server_config_init (config);

  if (o->config_file != NULL)
    {
      g_autoptr(GKeyFile) file = g_key_file_new ();
      static const char group[] = "server";
      g_autoptr(GError) local = NULL;

      if (!g_key_file_load_from_file (file, o->config_file, G_KEY_FILE_NONE, error))
        {
          g_prefix_error (error, "%s: ", o->config_file);
          return FALSE;
        }

#define STRING_KEY(key, field) \
      if (g_key_file_has_key (file, group, key, NULL)) \
        { \
          g_free (config->field); \
          config->field = g_key_file_get_string (file, group, key, NULL); \
        }
#define INT_KEY(key, field, min, max) \
      if (g_key_file_has_key (file, group, key, NULL)) \
        { \
          gint64 value = g_key_file_get_int64 (file, group, key, &local); \
          if (local != NULL || value < (min) || value > (max)) \
            { \
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, \
                           "%s: “%s” must be an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, \
                           o->config_file, key, (gint64) (min), (gint64) (max)); \
              return FALSE; \
            } \
          config->field = value; \
        }

      STRING_KEY ("listen", listen);
      INT_KEY ("port", port, 0, 65535);
      STRING_KEY ("port-file", port_file);
      STRING_KEY ("tls-cert", tls_cert);
      STRING_KEY ("tls-key", tls_key);
      STRING_KEY ("database", database);
      INT_KEY ("workers", workers, 1, 256);
      INT_KEY ("read-workers", read_workers, 0, 256);
      INT_KEY ("max-body", max_body, 1024, G_MAXINT32);
      INT_KEY ("max-batch", max_batch, 1, 100000);
      INT_KEY ("token-ttl", token_ttl, 1, G_MAXINT32);
      INT_KEY ("retention-days", retention_days, 0, 36500);
      if (g_key_file_has_key (file, group, "allow-plain-http", NULL))
        {
          config->allow_plain_http = g_key_file_get_boolean (file, group, "allow-plain-http", &local);
          if (local != NULL)
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           "%s: “allow-plain-http” must be true or false", o->config_file);
              return FALSE;
            }
        }
#undef STRING_KEY
#undef INT_KEY
    }

#define SET_STRING(field) \
  if (o->field != NULL) \
    { \
      g_free (config->field); \
      config->field = g_strdup (o->field); \
    }
#define SET_NUMBER(field, min, max, name) \
  if (o->field != UNSET) \
    { \
      if (o->field < (min) || o->field > (max)) \
        { \
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, \
                       "--%s must be from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, \
                       name, (gint64) (min), (gint64) (max)); \
          return FALSE; \
        } \
      config->field = o->field; \
    }

  SET_STRING (listen);
  SET_NUMBER (port, 0, 65535, "port");
  SET_STRING (port_file);
  SET_STRING (tls_cert);
  SET_STRING (tls_key);
  SET_STRING (database);
  SET_NUMBER (workers, 1, 256, "workers");
  SET_NUMBER (read_workers, 0, 256, "read-workers");
  SET_NUMBER (max_body, 1024, G_MAXINT32, "max-body");
  SET_NUMBER (max_batch, 1, 100000, "max-batch");
  SET_NUMBER (token_ttl, 1, G_MAXINT32, "token-ttl");
  SET_NUMBER (retention_days, 0, 36500, "retention-days");
  if (o->allow_plain_http)
    config->allow_plain_http = TRUE;
#undef SET_STRING
#undef SET_NUMBER

  if ((config->tls_cert == NULL) != (config->tls_key == NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Give both --tls-cert and --tls-key, or neither");
      return FALSE;
    }
  return TRUE;
}

static void
options_init (Options *o)
{
  memset (o, 0, sizeof *o);
  o->port = UNSET;
  o->workers = UNSET;
  o->read_workers = UNSET;
  o->max_body = UNSET;
  o->max_batch = UNSET;
  o->token_ttl = UNSET;
  o->retention_days = UNSET;
  o->retention_seconds = UNSET;
}

static PGconn *
connect_checked (const CdmServerConfig  *config,
                 GError                **error)
{
  return cdm_server_connect (config->database, error);
}

/* One line from the file, or from stdin (without echo on a terminal). */
static char *
read_password (const char  *file,
               GError     **error)
{
  g_autofree char *text = NULL;
  char *newline;

  if (file != NULL)
    {
      if (!g_file_get_contents (file, &text, NULL, error))
        return NULL;
    }
  else
    {
      g_autoptr(GString) line = g_string_new (NULL);
      struct termios saved, quiet;
      gboolean tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
      int c;

      if (tty)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
          g_printerr ("Password: ");
        }
      while ((c = getchar ()) != EOF && c != '\n')
        g_string_append_c (line, (char) c);
      if (tty)
        {
          tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
          g_printerr ("\n");
        }
      text = g_string_free (g_steal_pointer (&line), FALSE);
    }
  newline = strpbrk (text, "\r\n");
  if (newline != NULL)
    *newline = '\0';
  if (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) < 8)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The password must be UTF-8 text of at least 8 characters");
      return NULL;
    }
  return g_steal_pointer (&text);
}

static int
fail (GError *error)
{
  g_printerr ("cdm-server: %s\n", error->message);
  g_error_free (error);
  return 1;
}

static GOptionContext *
new_context (const char *parameter,
             const char *summary,
             Options    *o)
{
  GOptionContext *context = g_option_context_new (parameter);

  g_option_context_set_summary (context, summary);
  add_common (context, o);
  return context;
}

static int
command_migrate (Options *o,
                 int      argc,
                 char   **argv)
{
  g_autoptr(GOptionContext) context = new_context ("", "Creates or updates the database schema.", o);
  g_auto(CdmServerConfig) config = { 0 };
  GError *error = NULL;
  PGconn *db;
  guint applied = 0;
  gboolean ok;

  if (!g_option_context_parse (context, &argc, &argv, &error) || !load_config (o, &config, &error))
    return fail (error);
  db = connect_checked (&config, &error);
  if (db == NULL)
    return fail (error);
  ok = cdm_server_migrate (db, &applied, &error);
  PQfinish (db);
  if (!ok)
    return fail (error);
  g_print ("schema version %u (%u migration%s applied)\n", cdm_server_schema_latest (), applied,
           applied == 1 ? "" : "s");
  return 0;
}

static int
command_serve (Options *o,
               int      argc,
               char   **argv)
{
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &o->listen, "Listen on ADDR (default 127.0.0.1)", "ADDR" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &o->port, "Listen on port N (0: any free port; default 8080)", "N" },
    { "port-file", 0, 0, G_OPTION_ARG_FILENAME, &o->port_file, "Write the bound port to FILE", "FILE" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o->tls_cert, "TLS certificate (PEM)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o->tls_key, "TLS private key (PEM)", "FILE" },
    { "workers", 'w', 0, G_OPTION_ARG_INT, &o->workers, "Worker threads and database connections", "N" },
    { "read-workers", 0, 0, G_OPTION_ARG_INT, &o->read_workers,
      "More workers and connections, only for pulls, snapshots, checksums and figures (0: they share --workers)", "N" },
    { "max-body", 0, 0, G_OPTION_ARG_INT64, &o->max_body, "Largest request body", "BYTES" },
    { "max-batch", 0, 0, G_OPTION_ARG_INT, &o->max_batch, "Most entries in one push", "N" },
    { "token-ttl", 0, 0, G_OPTION_ARG_INT64, &o->token_ttl, "Token lifetime", "SECONDS" },
    { "retention-days", 0, 0, G_OPTION_ARG_INT, &o->retention_days,
      "How long the change log keeps changes (0: until “cdm-server prune”; default 90)", "DAYS" },
    /* Undocumented: a window in seconds, so that tests see it at work. */
    { "retention-seconds", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT64, &o->retention_seconds, NULL, "SECONDS" },
    { "allow-plain-http", 0, 0, G_OPTION_ARG_NONE, &o->allow_plain_http,
      "Allow plain HTTP on a non-loopback address (behind a TLS proxy)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = new_context ("", "Serves the Desk API.", o);
  g_auto(CdmServerConfig) config = { 0 };
  GError *error = NULL;
  CdmServer *server;
#ifdef CDM_SERVER_HAVE_SYNC
  CdmServerRetention *retention;
  gint64 window;
#endif
  PGconn *db;
  gint version;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, COMMANDS_HELP);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !load_config (o, &config, &error))
    return fail (error);
  if (argc > 1)
    {
      g_printerr ("cdm-server: unexpected argument “%s”\n", argv[1]);
      return 2;
    }
#ifdef CDM_SERVER_HAVE_SYNC
  if (o->retention_seconds != UNSET && (o->retention_seconds < 0 || o->retention_seconds > G_MAXINT32))
    {
      g_printerr ("cdm-server: --retention-seconds must be from 0 to %d\n", G_MAXINT32);
      return 1;
    }
  window = o->retention_seconds != UNSET ? o->retention_seconds
                                         : (gint64) config.retention_days * 24 * 3600;
#endif

  /* Refuse to serve a schema this binary does not know exactly. */
  db = connect_checked (&config, &error);
  if (db == NULL)
    return fail (error);
  version = cdm_server_schema_version (db, &error);
  PQfinish (db);
  if (version < 0)
    return fail (error);
  if ((guint) version != cdm_server_schema_latest ())
    {
      g_printerr ("cdm-server: the database schema is version %d, this cdm-server needs %u: %s\n",
                  version, cdm_server_schema_latest (),
                  (guint) version < cdm_server_schema_latest () ? "run “cdm-server migrate” first"
                                                                : "use a newer cdm-server");
      return 1;
    }

  server = cdm_server_new (&config);
  cdm_server_auth_register (server);
#ifdef CDM_SERVER_HAVE_SYNC
  cdm_server_sync_register (server);
  /* In the main loop cdm_server_run() runs (the default context). */
  retention = cdm_server_retention_start (config.database, window);
#endif
  ok = cdm_server_run (server, &error);
#ifdef CDM_SERVER_HAVE_SYNC
  cdm_server_retention_stop (retention);
#endif
  cdm_server_free (server);
  if (!ok)
    return fail (error);
  return 0;
}

static int
command_user_add (Options *o,
                  int      argc,
                  char   **argv)
{
  const GOptionEntry entries[] = {
    { "role", 'r', 0, G_OPTION_ARG_STRING, &o->role, "admin, manager, counsellor, steward or partner_staff", "ROLE" },
    { "organisation", 'o', 0, G_OPTION_ARG_STRING, &o->organisation, "The user's organisation", "UUID" },
    { "display-name", 'n', 0, G_OPTION_ARG_STRING, &o->display_name, "The name shown", "NAME" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &o->password_file,
      "Read the password from FILE (default: stdin)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = new_context ("LOGIN", "Adds a user; the password is read from stdin.", o);
  g_auto(CdmServerConfig) config = { 0 };
  g_autofree char *password = NULL;
  GError *error = NULL;
  CdmRole role;
  PGconn *db;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !load_config (o, &config, &error))
    return fail (error);
  if (argc != 2 || !cdm_server_valid_login (argv[1]))
    {
      g_printerr ("cdm-server: give one LOGIN of lower-case letters, digits or . _ @ -\n");
      return 2;
    }
  role = cdm_role_from_string (o->role);
  if (role == CDM_ROLE_NONE)
    {
      g_printerr ("cdm-server: --role must be admin, manager, counsellor, steward or partner_staff\n");
      return 2;
    }
  if (o->organisation != NULL && !cdm_server_valid_uuid (o->organisation))
    {
      g_printerr ("cdm-server: --organisation must be a UUID\n");
      return 2;
    }
  if (role == CDM_ROLE_PARTNER_STAFF && o->organisation == NULL)
    {
      g_printerr ("cdm-server: a partner_staff user needs --organisation\n");
      return 2;
    }
  password = read_password (o->password_file, &error);
  if (password == NULL)
    return fail (error);

  db = connect_checked (&config, &error);
  if (db == NULL)
    return fail (error);
  ok = cdm_db_begin (db, &error) &&
       cdm_server_user_add (db, argv[1], o->display_name, role, o->organisation, password, &error) &&
       cdm_server_audit (db, NULL, "user.create", argv[1], NULL, &error) &&
       cdm_db_commit (db, &error);
  if (!ok)
    cdm_db_rollback (db);
  PQfinish (db);
  memset (password, 0, strlen (password));
  if (!ok)
    return fail (error);
  g_print ("added %s (%s)\n", argv[1], o->role);
  return 0;
}

static int
command_user_password (Options *o,
                       int      argc,
                       char   **argv)
{
  const GOptionEntry entries[] = {
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &o->password_file,
      "Read the password from FILE (default: stdin)", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = new_context ("LOGIN",
                                                   "Sets a user's password (read from stdin) and revokes their tokens.", o);
  g_auto(CdmServerConfig) config = { 0 };
  g_autofree char *password = NULL;
  GError *error = NULL;
  PGconn *db;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !load_config (o, &config, &error))
    return fail (error);
  if (argc != 2)
    {
      g_printerr ("cdm-server: give one LOGIN\n");
      return 2;
    }
  password = read_password (o->password_file, &error);
  if (password == NULL)
    return fail (error);
  db = connect_checked (&config, &error);
  if (db == NULL)
    return fail (error);
  ok = cdm_db_begin (db, &error) &&
       cdm_server_user_password (db, argv[1], password, &error) &&
       cdm_server_audit (db, NULL, "user.password", argv[1], NULL, &error) &&
       cdm_db_commit (db, &error);
  if (!ok)
    cdm_db_rollback (db);
  PQfinish (db);
  memset (password, 0, strlen (password));
  if (!ok)
    return fail (error);
  g_print ("password of %s set; their tokens are revoked\n", argv[1]);
  return 0;
}

static int
command_desk_add (Options *o,
                  int      argc,
                  char   **argv)
{
  const GOptionEntry entries[] = {
    { "site", 's', 0, G_OPTION_ARG_STRING, &o->site, "centre, formtruck, school, external_event or remote", "SITE" },
    { "id", 0, 0, G_OPTION_ARG_STRING, &o->id, "The desk's id (default: a new one)", "UUID" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = new_context ("NAME", "Registers a desk and prints its id.", o);
  g_auto(CdmServerConfig) config = { 0 };
  g_autofree char *id = NULL;
  GError *error = NULL;
  PGconn *db;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !load_config (o, &config, &error))
    return fail (error);
  if (argc != 2 || argv[1][0] == '\0' || !g_utf8_validate (argv[1], -1, NULL) || g_utf8_strlen (argv[1], -1) > 200)
    {
      g_printerr ("cdm-server: give one NAME of 1 to 200 characters\n");
      return 2;
    }
  if (!cdm_server_valid_site (o->site))
    {
      g_printerr ("cdm-server: --site must be centre, formtruck, school, external_event or remote\n");
      return 2;
    }
  if (o->id != NULL && !cdm_server_valid_uuid (o->id))
    {
      g_printerr ("cdm-server: --id must be a UUID\n");
      return 2;
    }
  db = connect_checked (&config, &error);
  if (db == NULL)
    return fail (error);
  if (!cdm_db_begin (db, &error) ||
      (id = cdm_server_desk_add (db, o->id, argv[1], o->site, &error)) == NULL ||
      !cdm_server_audit (db, NULL, "desk.create", id, NULL, &error) ||
      !cdm_db_commit (db, &error))
    {
      cdm_db_rollback (db);
      PQfinish (db);
      return fail (error);
    }
  PQfinish (db);
  g_print ("%s\n", id);
  return 0;
}

static int
usage (void)
{
  g_printerr ("usage: cdm-server COMMAND [OPTION…]\n\n%s", COMMANDS_HELP);
  return 2;
}

int
main (int    argc,
      char **argv)
{
  Options o;
  const char *command = "serve";
  int status;

  setlocale (LC_ALL, "");

  /* Options before the command ("cdm-server --port 0") mean serve. */
  if (argc > 1 && argv[1][0] != '-')
    {
      command = argv[1];
      argv[1] = argv[0];
      argc--;
      argv++;
    }

  options_init (&o);
  if (strcmp (command, "serve") == 0)
    status = command_serve (&o, argc, argv);
  else if (strcmp (command, "migrate") == 0)
    status = command_migrate (&o, argc, argv);
  else if (strcmp (command, "user-add") == 0)
    status = command_user_add (&o, argc, argv);
  else if (strcmp (command, "user-password") == 0)
    status = command_user_password (&o, argc, argv);
  else if (strcmp (command, "desk-add") == 0)
    status = command_desk_add (&o, argc, argv);
#ifdef CDM_SERVER_HAVE_SYNC
  else if (strcmp (command, "prune") == 0)
    {
      g_auto(CdmServerConfig) config = { 0 };
      g_autoptr(GOptionContext) context = new_context ("", "", &o);
      GError *error = NULL;

      /* Only --config / --database here; the rest is prune's own. */
      g_option_context_set_ignore_unknown_options (context, TRUE);
      g_option_context_set_help_enabled (context, FALSE);
      if (!g_option_context_parse (context, &argc, &argv, &error) || !load_config (&o, &config, &error))
        status = fail (error);
      else
        status = cdm_server_sync_prune_main (config.database, argc, argv);
    }
#endif
  else
    status = usage ();
  options_clear (&o);
  return status;
}
