/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cdmctl.c: the real cdmctl, run as a user or a script would run it.
 *
 * Every test spawns the built executable (its path is in $CDMCTL) against
 * a store in a fresh temporary folder, and checks what a user would see:
 * the exit status (0 success, 1 internal failure, 2 bad input), standard
 * output and standard error, and that refused input leaves the store as it
 * was.  XDG_DATA_HOME points into the temporary folder too, so that no
 * test can touch the per-user store of whoever runs the suite.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cdm-schema.h"
#include "cdm-store.h"

/* The records of the published 2020 figures, the same as test-report's. */
#include "fixture-2020.h"

enum {
  STATUS_OK = 0,
  STATUS_FAILURE = 1,
  STATUS_BAD_INPUT = 2,
};

typedef struct {
  char *dir;
  char *store;
  char *xdg_data_home;
} Fixture;

static const char *cdmctl_path;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-cdmctl-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = g_build_filename (f->dir, "desk.sqlite", NULL);
  f->xdg_data_home = g_build_filename (f->dir, "xdg-data", NULL);
}

static void
remove_recursively (GFile *file)
{
  g_autoptr(GFileEnumerator) children = NULL;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  if (children != NULL)
    {
      GFile *child;

      while (g_file_enumerator_iterate (children, NULL, &child, NULL, NULL) && child != NULL)
        remove_recursively (child);
    }
  g_file_delete (file, NULL, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GFile) dir = g_file_new_for_path (f->dir);

  remove_recursively (dir);
  g_free (f->dir);
  g_free (f->store);
  g_free (f->xdg_data_home);
}

/* Empty output is "", never NULL. */
static char *
bytes_to_string (GBytes *bytes)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  return size > 0 ? g_strndup (data, size) : g_strdup ("");
}

/* Runs cdmctl with @args, feeding it @input on standard input, and returns
 * its exit status; *out_stdout and *out_stderr (NULL or a string from an
 * earlier run, which is freed) receive what it printed.  A crash fails the
 * test: no input may crash cdmctl. */
static int
run_argv (Fixture            *f,
          const char         *input,
          char              **out_stdout,
          char              **out_stderr,
          const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GBytes) stdin_bytes = NULL;
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) cdmctl_path);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", f->xdg_data_home, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* Without input, an empty standard input rather than the test's own. */
  stdin_bytes = g_bytes_new (input, input != NULL ? strlen (input) : 0);
  g_subprocess_communicate (process, stdin_bytes, NULL, &stdout_bytes, &stderr_bytes, &error);
  g_assert_no_error (error);

  /* Callers reuse their strings from one run to the next. */
  if (out_stdout != NULL)
    {
      g_free (*out_stdout);
      *out_stdout = bytes_to_string (stdout_bytes);
    }
  if (out_stderr != NULL)
    {
      g_free (*out_stderr);
      *out_stderr = bytes_to_string (stderr_bytes);
    }

  if (g_subprocess_get_if_signaled (process))
    g_error ("cdmctl %s died of signal %d; stderr:\n%.*s",
             args[0], g_subprocess_get_term_sig (process),
             (int) g_bytes_get_size (stderr_bytes),
             (const char *) g_bytes_get_data (stderr_bytes, NULL));
  g_assert_true (g_subprocess_get_if_exited (process));

  return g_subprocess_get_exit_status (process);
}

static int
run_va (Fixture     *f,
        gboolean     with_store,
        const char  *input,
        char       **out_stdout,
        char       **out_stderr,
        const char  *first,
        va_list      ap)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  if (with_store)
    {
      g_ptr_array_add (args, (gpointer) "--store");
      g_ptr_array_add (args, f->store);
    }
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  g_ptr_array_add (args, NULL);

  return run_argv (f, input, out_stdout, out_stderr, (const char * const *) args->pdata);
}

/* cdmctl --store <the fixture's store> ARGS… */
G_GNUC_NULL_TERMINATED static int
cdmctl (Fixture     *f,
        char       **out_stdout,
        char       **out_stderr,
        const char  *first,
        ...)
{
  va_list ap;
  int status;

  va_start (ap, first);
  status = run_va (f, TRUE, NULL, out_stdout, out_stderr, first, ap);
  va_end (ap);

  return status;
}

/* cdmctl ARGS… as given, with @input on standard input. */
G_GNUC_NULL_TERMINATED static int
cdmctl_raw (Fixture     *f,
            const char  *input,
            char       **out_stdout,
            char       **out_stderr,
            const char  *first,
            ...)
{
  va_list ap;
  int status;

  va_start (ap, first);
  status = run_va (f, FALSE, input, out_stdout, out_stderr, first, ap);
  va_end (ap);

  return status;
}

static void
check_success (int         status,
               const char *err)
{
  if (status != STATUS_OK)
    g_error ("cdmctl exited with %d; stderr:\n%s", status, err ? err : "");
}

/* A macro, so that @err is read after @call has filled it in. */
#define assert_success(call, err) \
  G_STMT_START { int status_ = (call); check_success (status_, (err)); } G_STMT_END

/* Everything in the store, as `cdmctl export` prints it. */
static char *
export_all (Fixture *f)
{
  g_autofree char *err = NULL;
  char *out = NULL;

  assert_success (cdmctl (f, &out, &err, "export", NULL), err);
  return out;
}

static char *
write_file (Fixture    *f,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

/* The record with @id among the NDJSON lines of @ndjson, or NULL. */
static JsonObject *
find_record (const char *ndjson,
             const char *id)
{
  g_auto(GStrv) lines = g_strsplit (ndjson, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonObject) record = NULL;

      if (lines[i][0] == '\0')
        continue;
      record = parse_object (lines[i]);
      if (g_strcmp0 (json_object_get_string_member_with_default (record, "id", NULL), id) == 0)
        return g_steal_pointer (&record);
    }

  return NULL;
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      n++;
  return n;
}

static void
parse_import_stats (const char *out,
                    guint      *created,
                    guint      *updated,
                    guint      *unchanged)
{
  g_assert_cmpint (sscanf (out, "%u created, %u updated, %u unchanged",
                           created, updated, unchanged), ==, 3);
}

static gint64
member_int (JsonObject *object,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonObject *current = object;
  guint i;

  for (i = 0; parts[i + 1] != NULL; i++)
    {
      g_assert_true (json_object_has_member (current, parts[i]));
      current = json_object_get_object_member (current, parts[i]);
      g_assert_nonnull (current);
    }
  if (!json_object_has_member (current, parts[i]))
    g_error ("the report has no “%s”", path);
  return json_object_get_int_member (current, parts[i]);
}

/* Three partners (one of them the centre itself, to search for with and
 * without accents) and a contact that refers to one of them. */
static const char partners_ndjson[] =
  "{\"type\":\"organisation\",\"id\":\"6f1c2c1e-0a5b-4c44-9d4e-000000000001\","
  "\"name\":{\"fr\":\"Cité des métiers de Bruxelles\",\"nl\":\"Beroepenpunt Brussel\"},"
  "\"acronym\":\"CDM\",\"circle\":\"other\",\"kind\":\"public_employment\","
  "\"themes\":[\"work\",\"learn\"],\"languages\":[\"fr\",\"nl\"]}\n"
  "{\"type\":\"organisation\",\"id\":\"6f1c2c1e-0a5b-4c44-9d4e-000000000002\","
  "\"name\":{\"fr\":\"Actiris\",\"nl\":\"Actiris\"},\"circle\":\"first\","
  "\"kind\":\"public_employment\",\"themes\":[\"work\"]}\n"
  "{\"type\":\"organisation\",\"id\":\"6f1c2c1e-0a5b-4c44-9d4e-000000000003\","
  "\"name\":{\"fr\":\"Bruxelles Formation\"},\"circle\":\"first\",\"kind\":\"training\","
  "\"themes\":[\"learn\"]}\n";

static const char *command_names[] = {
  "init", "demo", "generate", "import", "export", "log", "search", "report",
  "status", "check", "help",
};

/* Tests */

static void
test_init (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *default_store = NULL;

  assert_success (cdmctl (f, &out, &err, "init", NULL), err);
  g_assert_true (g_file_test (f->store, G_FILE_TEST_IS_REGULAR));
  g_assert_nonnull (strstr (out, f->store));
  g_assert_nonnull (strstr (out, "Schema version: " G_STRINGIFY (CDM_STORE_SCHEMA_VERSION)));

  /* Again: an up-to-date store is left as it is. */
  assert_success (cdmctl (f, &out, &err, "init", NULL), err);
  g_assert_nonnull (strstr (out, "Schema version: " G_STRINGIFY (CDM_STORE_SCHEMA_VERSION)));

  /* --store was given: the per-user store was never created. */
  default_store = g_build_filename (f->xdg_data_home, "cdm-desk", "desk.sqlite", NULL);
  g_assert_false (g_file_test (default_store, G_FILE_TEST_EXISTS));

  /* Without --store, the per-user store under XDG_DATA_HOME. */
  assert_success (cdmctl_raw (f, NULL, &out, &err, "init", NULL), err);
  g_assert_true (g_file_test (default_store, G_FILE_TEST_IS_REGULAR));
}

static void
test_demo_report_json (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) report = NULL;
  JsonObject *by_channel;
  JsonArray *months;
  gint64 total, advice, participants, multimedia, channels_sum = 0;

  assert_success (cdmctl (f, &out, &err, "demo", "--year", "2020", NULL), err);

  assert_success (cdmctl (f, &out, &err, "report", "--year", "2020", "--format", "json", NULL),
                  err);
  report = parse_object (out);

  /* The keys of DESIGN.md section 7. */
  g_assert_cmpint (member_int (report, "year"), ==, 2020);
  total = member_int (report, "total_contacts");
  advice = member_int (report, "individual_advice.total");
  participants = member_int (report, "group_activities.participants");
  multimedia = member_int (report, "multimedia.contacts");
  member_int (report, "group_activities.held");
  member_int (report, "group_activities.in_person");
  member_int (report, "group_activities.online");
  member_int (report, "objective.target");
  member_int (report, "satisfaction.responses");
  g_assert_true (json_object_has_member (report, "programmes"));
  g_assert_true (json_object_has_member (report, "remote_answered_within_48h"));
  /* The centre's figures withhold nothing: no marker, not "< 0". */
  g_assert_cmpint (member_int (report, "suppression.threshold"), ==, 0);
  g_assert_true (json_object_get_null_member (json_object_get_object_member (report, "suppression"), "marker"));
  g_assert_null (strstr (out, "< 0"));

  /* A year of demo contacts, adding up as the rule says. */
  g_assert_cmpint (total, >, 1000);
  g_assert_cmpint (total, ==, advice + participants + multimedia);
  g_assert_cmpint (member_int (report, "objective.reached"), ==, total);
  by_channel = json_object_get_object_member (json_object_get_object_member (report,
                                                                             "individual_advice"),
                                              "by_channel");
  g_assert_nonnull (by_channel);
  for (guint i = 0; cdm_channels[i] != NULL; i++)
    channels_sum += json_object_get_int_member_with_default (by_channel, cdm_channels[i], 0);
  g_assert_cmpint (channels_sum, ==, advice);

  months = json_object_get_array_member (report, "months");
  g_assert_nonnull (months);
  g_assert_cmpuint (json_array_get_length (months), ==, 12);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (months, 0),
                                                  "month"), ==, "2020-01");

  /* The other formats print something too. */
  assert_success (cdmctl (f, &out, &err, "report", "--year", "2020", NULL), err);
  g_assert_cmpstr (out, !=, "");
  assert_success (cdmctl (f, &out, &err, "report", "--year", "2020", "--format", "csv", NULL),
                  err);
  g_assert_cmpuint (count_lines (out), >, 12);
}

static void
test_log_export (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *id = NULL;
  g_autoptr(JsonObject) contact = NULL;
  JsonArray *themes;
  JsonObject *profile;

  assert_success (cdmctl (f, &out, &err, "log",
                          "--channel", "email", "--theme", "work", "--theme", "learn",
                          "--programme", "neet", "--at", "2021-03-04T10:15:00+01:00",
                          "--duration", "20", "--age-band", "18_24", "--first-visit",
                          "--received-at", "2021-03-03T16:00:00+01:00",
                          "--answered-at", "2021-03-04T10:15:00+01:00", NULL),
                  err);
  id = g_strstrip (g_strdup (out));
  g_assert_true (cdm_uuid_valid (id));

  assert_success (cdmctl (f, &out, &err, "export", "--type", "contact", NULL), err);
  contact = find_record (out, id);
  g_assert_nonnull (contact);
  g_assert_cmpstr (json_object_get_string_member (contact, "type"), ==, "contact");
  g_assert_cmpstr (json_object_get_string_member (contact, "channel"), ==, "email");
  g_assert_cmpstr (json_object_get_string_member (contact, "service"), ==, "individual_advice");
  g_assert_cmpstr (json_object_get_string_member (contact, "site"), ==, "centre");
  g_assert_cmpint (json_object_get_int_member (contact, "duration_min"), ==, 20);
  themes = json_object_get_array_member (contact, "themes");
  g_assert_cmpuint (json_array_get_length (themes), ==, 2);
  profile = json_object_get_object_member (contact, "profile");
  g_assert_cmpstr (json_object_get_string_member (profile, "age_band"), ==, "18_24");
  g_assert_true (json_object_get_boolean_member (profile, "first_visit"));

  /* The defaults, and a comma-separated list. */
  assert_success (cdmctl (f, &out, &err, "log", "--theme", "move,undertake", NULL), err);
  g_clear_pointer (&id, g_free);
  id = g_strstrip (g_strdup (out));
  assert_success (cdmctl (f, &out, &err, "export", "--type", "contact", NULL), err);
  g_clear_pointer (&contact, json_object_unref);
  contact = find_record (out, id);
  g_assert_nonnull (contact);
  g_assert_cmpstr (json_object_get_string_member (contact, "channel"), ==, "in_person");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (contact, "themes")),
                    ==, 2);
  g_assert_cmpuint (count_lines (out), ==, 2);
}

static void
test_log_bad_input (Fixture       *f,
                    gconstpointer  data)
{
  const char *bad[][3] = {
    { "--channel", "fax", "fax" },
    { "--theme", "cooking", "cooking" },
    { "--at", "yesterday", "yesterday" },
    { "--duration", "long", "long" },
    { "--age-band", "ancient", "ancient" },
  };
  g_autofree char *before = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  assert_success (cdmctl (f, NULL, &err, "log", "--channel", "chat", NULL), err);
  before = export_all (f);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *after = NULL;

      g_assert_cmpint (cdmctl (f, &out, &err, "log", bad[i][0], bad[i][1], NULL), ==,
                       STATUS_BAD_INPUT);
      g_assert_cmpstr (out, ==, "");
      g_assert_true (g_str_has_prefix (err, "cdmctl: "));
      if (strstr (err, bad[i][2]) == NULL)
        g_error ("the message for %s %s does not name the value: %s", bad[i][0], bad[i][1], err);

      after = export_all (f);
      g_assert_cmpstr (after, ==, before);
    }

  /* The store's own message: the field, the code and what is expected. */
  g_assert_cmpint (cdmctl (f, NULL, &err, "log", "--channel", "fax", NULL), ==, STATUS_BAD_INPUT);
  g_assert_nonnull (strstr (err, "channel"));
  g_assert_nonnull (strstr (err, "in_person"));

  /* A referral to a partner the store does not have. */
  g_assert_cmpint (cdmctl (f, NULL, &err, "log", "--referral",
                           "6f1c2c1e-0a5b-4c44-9d4e-0000000000ff", NULL), ==, STATUS_BAD_INPUT);
  g_assert_true (g_str_has_prefix (err, "cdmctl: "));
  {
    g_autofree char *after = export_all (f);
    g_assert_cmpstr (after, ==, before);
  }
}

static void
test_usage_errors (Fixture       *f,
                   gconstpointer  data)
{
  const char *cases[][6] = {
    { "frobnicate", NULL },
    { "report", "--year", "abc", NULL },
    { "report", "--year", "20000", NULL },
    { "report", "--format", "xml", NULL },
    { "export", "--type", "widget", NULL },
    { "export", "--format", "csv", "--type", "closure", NULL },
    { "import", NULL },
    { "import", "--format", "csv", "-", NULL },
    { "generate", "--contacts", "-5", NULL },
    { "generate", NULL },
    { "search", NULL },
    { "search", "--limit", "0", "x", NULL },
    { "log", "--no-such-option", NULL },
    { "init", "extra", NULL },
  };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();

      g_ptr_array_add (args, (gpointer) "--store");
      g_ptr_array_add (args, f->store);
      for (guint j = 0; cases[i][j] != NULL; j++)
        g_ptr_array_add (args, (gpointer) cases[i][j]);
      g_ptr_array_add (args, NULL);

      g_assert_cmpint (run_argv (f, "", &out, &err, (const char * const *) args->pdata), ==,
                       STATUS_BAD_INPUT);
      g_assert_true (g_str_has_prefix (err, "cdmctl: "));
    }

  /* An unknown command is named, and no store is created for it. */
  g_assert_cmpint (cdmctl (f, NULL, &err, "frobnicate", NULL), ==, STATUS_BAD_INPUT);
  g_assert_nonnull (strstr (err, "frobnicate"));
  g_assert_false (g_file_test (f->store, G_FILE_TEST_EXISTS));

  /* An unknown global option, and no command at all. */
  g_assert_cmpint (cdmctl_raw (f, NULL, NULL, &err, "--frobnicate", "init", NULL), ==,
                   STATUS_BAD_INPUT);
  {
    const char *no_args[] = { NULL };
    g_assert_cmpint (run_argv (f, NULL, NULL, &err, no_args), ==, STATUS_BAD_INPUT);
  }
  g_assert_nonnull (strstr (err, "Usage"));
}

static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  assert_success (cdmctl_raw (f, NULL, &out, &err, "--help", NULL), err);
  g_assert_nonnull (strstr (out, "Usage"));
  g_assert_nonnull (strstr (out, "Exit status"));
  for (guint i = 0; i < G_N_ELEMENTS (command_names); i++)
    if (strstr (out, command_names[i]) == NULL)
      g_error ("cdmctl --help does not list %s", command_names[i]);

  for (guint i = 0; i < G_N_ELEMENTS (command_names); i++)
    {
      g_autofree char *usage = g_strdup_printf ("cdmctl %s", command_names[i]);

      assert_success (cdmctl_raw (f, NULL, &out, &err, command_names[i], "--help", NULL), err);
      g_assert_nonnull (strstr (out, "Usage"));
      g_assert_nonnull (strstr (out, usage));
      g_assert_nonnull (strstr (out, "--store"));
    }

  /* `log --help` lists the codes it accepts. */
  assert_success (cdmctl_raw (f, NULL, &out, &err, "help", "log", NULL), err);
  g_assert_nonnull (strstr (out, "neet_outreach"));

  /* Help opens no store. */
  g_assert_false (g_file_test (f->xdg_data_home, G_FILE_TEST_EXISTS));

  assert_success (cdmctl_raw (f, NULL, &out, &err, "--version", NULL), err);
  g_assert_true (g_str_has_prefix (out, "cdmctl "));
}

static void
test_store_position (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *other = g_build_filename (f->dir, "other.sqlite", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *in_store = NULL;
  g_autofree char *in_other = NULL;

  assert_success (cdmctl_raw (f, NULL, &out, &err, "--store", f->store, "log", NULL), err);
  first = g_strstrip (g_strdup (out));
  assert_success (cdmctl_raw (f, NULL, &out, &err, "log", "--store", other, NULL), err);
  second = g_strstrip (g_strdup (out));
  /* --store=PATH after the command */
  {
    g_autofree char *option = g_strconcat ("--store=", other, NULL);
    assert_success (cdmctl_raw (f, NULL, &in_other, &err, "export", option, NULL), err);
  }
  assert_success (cdmctl_raw (f, NULL, &in_store, &err, "--store", f->store, "export", NULL), err);

  g_assert_cmpuint (count_lines (in_store), ==, 1);
  g_assert_cmpuint (count_lines (in_other), ==, 1);
  g_assert_nonnull (strstr (in_store, first));
  g_assert_nonnull (strstr (in_other, second));

  /* After the command wins over before it. */
  assert_success (cdmctl_raw (f, NULL, &out, &err, "--store", f->store, "export",
                              "--store", other, NULL), err);
  g_assert_nonnull (strstr (out, second));

  /* Neither run touched the per-user store. */
  g_assert_false (g_file_test (f->xdg_data_home, G_FILE_TEST_EXISTS));
}

static void
test_import_bad_line (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GString) text = g_string_new (partners_ndjson);

  assert_success (cdmctl (f, NULL, &err, "init", NULL), err);
  before = export_all (f);

  /* Lines 1 and 2 are good, line 3 has a channel that does not exist,
   * line 4 is good again: nothing at all may be written. */
  g_string_truncate (text, strchr (strchr (partners_ndjson, '\n') + 1, '\n') + 1 - partners_ndjson);
  g_string_append (text, "{\"type\":\"contact\",\"occurred_at\":\"2021-02-01T10:00:00+01:00\","
                         "\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"fax\"}\n");
  g_string_append (text, "{\"type\":\"contact\",\"occurred_at\":\"2021-02-01T11:00:00+01:00\","
                         "\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"email\"}\n");
  path = write_file (f, "bad.ndjson", text->str);

  g_assert_cmpint (cdmctl (f, &out, &err, "import", path, NULL), ==, STATUS_BAD_INPUT);
  if (strstr (err, "line 3:") == NULL)
    g_error ("the refusal does not name line 3: %s", err);
  g_assert_nonnull (strstr (err, "fax"));
  g_assert_cmpstr (out, ==, "");

  after = export_all (f);
  g_assert_cmpstr (after, ==, before);

  /* Broken JSON is refused the same way. */
  g_clear_pointer (&path, g_free);
  path = write_file (f, "broken.ndjson", "{\"type\":\"organisation\",\"name\":{\"fr\":\"A\"},"
                                         "\"circle\":\"first\",\"kind\":\"training\"}\n"
                                         "{\"type\": \"organisation\", \"name\": \n");
  g_assert_cmpint (cdmctl (f, &out, &err, "import", path, NULL), ==, STATUS_BAD_INPUT);
  g_assert_nonnull (strstr (err, "line 2:"));
  g_clear_pointer (&after, g_free);
  after = export_all (f);
  g_assert_cmpstr (after, ==, before);

  /* A file that does not exist. */
  g_assert_cmpint (cdmctl (f, NULL, &err, "import", "/nonexistent/records.ndjson", NULL), !=,
                   STATUS_OK);
  g_assert_true (g_str_has_prefix (err, "cdmctl: "));
}

static void
test_import_twice (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *first_export = NULL;
  g_autofree char *second_export = NULL;
  g_autofree char *lines = NULL;
  guint created, updated, unchanged;

  /* Partners with ids, and contacts without: those get an id from their
   * content, so the second import recognises them. */
  lines = g_strconcat (partners_ndjson,
                       "{\"type\":\"contact\",\"occurred_at\":\"2021-02-01T10:00:00+01:00\","
                       "\"site\":\"centre\",\"service\":\"individual_advice\",\"channel\":\"chat\","
                       "\"referrals\":[\"6f1c2c1e-0a5b-4c44-9d4e-000000000002\"]}\n"
                       "\n"
                       "{\"type\":\"contact\",\"occurred_at\":\"2021-02-01T11:00:00+01:00\","
                       "\"site\":\"remote\",\"service\":\"individual_advice\",\"channel\":\"email\"}\n",
                       NULL);
  path = write_file (f, "records.ndjson", lines);

  assert_success (cdmctl (f, &out, &err, "import", path, NULL), err);
  parse_import_stats (out, &created, &updated, &unchanged);
  g_assert_cmpuint (created, ==, 5);
  g_assert_cmpuint (updated, ==, 0);
  g_assert_cmpuint (unchanged, ==, 0);
  first_export = export_all (f);
  g_assert_cmpuint (count_lines (first_export), ==, 5);

  assert_success (cdmctl (f, &out, &err, "import", path, NULL), err);
  parse_import_stats (out, &created, &updated, &unchanged);
  g_assert_cmpuint (created, ==, 0);
  g_assert_cmpuint (updated, ==, 0);
  g_assert_cmpuint (unchanged, ==, 5);
  second_export = export_all (f);
  g_assert_cmpstr (second_export, ==, first_export);

  /* The same lines on standard input. */
  g_assert_cmpint (cdmctl_raw (f, lines, &out, &err, "--store", f->store, "import", "-", NULL),
                   ==, STATUS_OK);
  parse_import_stats (out, &created, &updated, &unchanged);
  g_assert_cmpuint (created, ==, 0);
  g_assert_cmpuint (unchanged, ==, 5);
}

/* export → import into an empty store → the same export; and CSV. */
static void
test_export_round_trip (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *csv_path = g_build_filename (f->dir, "partners.csv", NULL);
  g_autofree char *ndjson_path = g_build_filename (f->dir, "all.ndjson", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.sqlite", NULL);
  g_autofree char *file_contents = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *reexported = NULL;
  guint created, updated, unchanged;

  path = write_file (f, "partners.ndjson", partners_ndjson);
  assert_success (cdmctl (f, NULL, &err, "import", path, NULL), err);
  assert_success (cdmctl (f, NULL, &err, "log", "--channel", "phone", "--referral",
                          "6f1c2c1e-0a5b-4c44-9d4e-000000000003", NULL), err);
  exported = export_all (f);

  /* To a file: the same bytes as on standard output. */
  assert_success (cdmctl (f, NULL, &err, "export", ndjson_path, NULL), err);
  g_file_get_contents (ndjson_path, &file_contents, NULL, NULL);
  g_assert_cmpstr (file_contents, ==, exported);

  assert_success (cdmctl_raw (f, NULL, &out, &err, "--store", other, "import", ndjson_path, NULL),
                  err);
  parse_import_stats (out, &created, &updated, &unchanged);
  g_assert_cmpuint (created, ==, 4);
  assert_success (cdmctl_raw (f, NULL, &reexported, &err, "--store", other, "export", NULL), err);
  g_assert_cmpstr (reexported, ==, exported);

  /* Partners as CSV, with a header row, into a third store. */
  assert_success (cdmctl (f, NULL, &err, "export", "--type", "partner", csv_path, NULL), err);
  g_clear_pointer (&file_contents, g_free);
  g_file_get_contents (csv_path, &file_contents, NULL, NULL);
  g_assert_cmpuint (count_lines (file_contents), >=, 4);
  g_assert_nonnull (strstr (file_contents, "Actiris"));

  g_clear_pointer (&other, g_free);
  other = g_build_filename (f->dir, "third.sqlite", NULL);
  assert_success (cdmctl_raw (f, NULL, &out, &err, "--store", other, "import",
                              "--type", "partner", csv_path, NULL), err);
  parse_import_stats (out, &created, &updated, &unchanged);
  g_assert_cmpuint (created, ==, 3);
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *long_query = NULL;
  g_autoptr(GString) hostile = g_string_new (NULL);
  const char *queries[] = {
    "\"", "NEAR(", "(((", ")))", "*", "-", "OR", "AND NOT", "a OR", "title:x", "^",
    "'; DROP TABLE organisations; --", "\xff\xfe\xfd", "", "   ", "métiers\"*",
  };

  path = write_file (f, "partners.ndjson", partners_ndjson);
  assert_success (cdmctl (f, NULL, &err, "import", path, NULL), err);

  /* Accents do not matter, and a word is a prefix. */
  assert_success (cdmctl (f, &out, &err, "search", "--porcelain", "metier", NULL), err);
  g_assert_true (g_str_has_prefix (out, "partner\t6f1c2c1e-0a5b-4c44-9d4e-000000000001\t"));
  assert_success (cdmctl (f, &out, &err, "search", "--type", "partner", "brux", NULL), err);
  g_assert_nonnull (strstr (out, "Bruxelles Formation"));
  assert_success (cdmctl (f, &out, &err, "search", "--type", "resource", "actiris", NULL), err);
  g_assert_cmpstr (out, ==, "");

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      if (cdmctl (f, &out, &err, "search", "--", queries[i], NULL) != STATUS_OK)
        g_error ("search “%s” failed: %s", queries[i], err);
    }

  /* 10 KB of operators and quotes. */
  while (hostile->len < 10 * 1024)
    g_string_append (hostile, "NEAR(\"a* OR (b -c ");
  if (cdmctl (f, &out, &err, "search", "--", hostile->str, NULL) != STATUS_OK)
    g_error ("search of 10 KB failed: %s", err);

  long_query = g_strnfill (10 * 1024, 'a');
  assert_success (cdmctl (f, &out, &err, "search", long_query, NULL), err);
}

static void
test_report_empty (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) report = NULL;
  JsonArray *months;

  assert_success (cdmctl (f, &out, &err, "report", "--year", "2020", "--format", "json", NULL),
                  err);
  report = parse_object (out);
  g_assert_cmpint (member_int (report, "year"), ==, 2020);
  g_assert_cmpint (member_int (report, "total_contacts"), ==, 0);
  g_assert_cmpint (member_int (report, "individual_advice.total"), ==, 0);
  g_assert_cmpint (member_int (report, "group_activities.held"), ==, 0);
  g_assert_cmpint (member_int (report, "multimedia.contacts"), ==, 0);
  months = json_object_get_array_member (report, "months");
  g_assert_cmpuint (json_array_get_length (months), ==, 12);
  for (guint i = 0; i < 12; i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (months, i),
                                                 "total"), ==, 0);

  assert_success (cdmctl (f, &out, &err, "report", "--year", "2020", NULL), err);
  assert_success (cdmctl (f, &out, &err, "report", "--year", "2020", "--format", "csv", NULL),
                  err);
}

static void
test_not_a_store (Fixture       *f,
                  gconstpointer  data)
{
  const char *commands[][4] = {
    { "init", NULL },
    { "report", "--year", "2020", NULL },
    { "export", NULL },
    { "log", NULL },
    { "search", "x", NULL },
    { "status", NULL },
  };
  g_autoptr(GString) garbage = g_string_new (NULL);
  g_autofree char *contents = NULL;

  for (guint i = 0; garbage->len < 8192; i++)
    g_string_append_printf (garbage, "this is not a database, line %u\n", i);
  g_free (write_file (f, "desk.sqlite", garbage->str));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_ptr_array_add (args, (gpointer) "--store");
      g_ptr_array_add (args, f->store);
      for (guint j = 0; commands[i][j] != NULL; j++)
        g_ptr_array_add (args, (gpointer) commands[i][j]);
      g_ptr_array_add (args, NULL);

      g_assert_cmpint (run_argv (f, NULL, &out, &err, (const char * const *) args->pdata), ==,
                       STATUS_FAILURE);
      g_assert_true (g_str_has_prefix (err, "cdmctl: "));
      g_assert_cmpstr (out, ==, "");
    }

  /* And the file was left alone. */
  g_file_get_contents (f->store, &contents, NULL, NULL);
  g_assert_cmpstr (contents, ==, garbage->str);
}

static void
test_generate (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *contacts = NULL;

  assert_success (cdmctl (f, &out, &err, "generate", "--contacts", "200", "--resources", "30",
                          "--partners", "10", "--activities", "20", "--year", "2020",
                          "--seed", "7", NULL), err);
  g_assert_nonnull (strstr (out, " s"));

  assert_success (cdmctl (f, &contacts, &err, "export", "--type", "contact", NULL), err);
  g_assert_cmpuint (count_lines (contacts), ==, 200);

  assert_success (cdmctl (f, &out, &err, "status", NULL), err);
  g_assert_nonnull (strstr (out, "200"));
  assert_success (cdmctl (f, &out, &err, "check", NULL), err);
}

/* The published 2020 figures, from the same records as test-report, as
 * cdmctl prints them; then export → import into an empty store → the same
 * report. */
static char *
report_json (Fixture    *f,
             const char *store,
             const char *year)
{
  g_autofree char *err = NULL;
  char *out = NULL;

  assert_success (cdmctl_raw (f, NULL, &out, &err, "--store", store, "report", "--year", year,
                              "--format", "json", NULL), err);
  return out;
}

static void
test_fixture_2020 (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *copy = g_build_filename (f->dir, "copy.sqlite", NULL);
  g_autofree char *dump = g_build_filename (f->dir, "fixture.ndjson", NULL);
  g_autofree char *json = NULL;
  g_autofree char *json_2021 = NULL;
  g_autofree char *copy_json = NULL;
  g_autofree char *copy_json_2021 = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(CdmStore) store = cdm_store_open (f->store, &error);

    g_assert_no_error (error);
    fixture_2020_fill (store, &error);
    g_assert_no_error (error);
  }

  json = report_json (f, f->store, "2020");
  report = parse_object (json);
  g_assert_cmpint (member_int (report, "total_contacts"), ==, FIXTURE_2020_TOTAL);
  g_assert_cmpint (member_int (report, "individual_advice.total"), ==, FIXTURE_2020_ADVICE);
  g_assert_cmpint (member_int (report, "individual_advice.by_channel.in_person"), ==,
                   FIXTURE_2020_IN_PERSON);
  g_assert_cmpint (member_int (report, "individual_advice.by_channel.email"), ==,
                   FIXTURE_2020_EMAIL);
  g_assert_cmpint (member_int (report, "individual_advice.by_channel.call_centre"), ==,
                   FIXTURE_2020_CALL_CENTRE);
  g_assert_cmpint (member_int (report, "individual_advice.by_channel.chat"), ==,
                   FIXTURE_2020_CHAT);
  g_assert_cmpint (member_int (report, "individual_advice.by_channel.after_group_activity"), ==,
                   FIXTURE_2020_AFTER_GROUP);
  g_assert_cmpint (member_int (report, "individual_advice.by_channel.neet_outreach"), ==,
                   FIXTURE_2020_NEET_OUTREACH);
  g_assert_cmpint (member_int (report, "group_activities.held"), ==, FIXTURE_2020_HELD);
  g_assert_cmpint (member_int (report, "group_activities.in_person"), ==,
                   FIXTURE_2020_HELD_IN_PERSON);
  g_assert_cmpint (member_int (report, "group_activities.online"), ==, FIXTURE_2020_HELD_ONLINE);
  g_assert_cmpint (member_int (report, "group_activities.participants"), ==,
                   FIXTURE_2020_PARTICIPANTS);
  g_assert_cmpint (member_int (report, "multimedia.contacts"), ==, FIXTURE_2020_MULTIMEDIA);
  g_assert_cmpint (member_int (report, "programmes.neet"), ==, FIXTURE_2020_NEET);
  g_assert_cmpint (member_int (report, "programmes.formtruck"), ==, FIXTURE_2020_FORMTRUCK);
  g_assert_cmpint (member_int (report, "satisfaction.responses"), ==, FIXTURE_2020_RESPONSES);

  json_2021 = report_json (f, f->store, "2021");
  g_clear_pointer (&report, json_object_unref);
  report = parse_object (json_2021);
  g_assert_cmpint (member_int (report, "total_contacts"), ==, FIXTURE_2021_TOTAL);

  /* Round trip: what export writes, import reads back to the same figures. */
  assert_success (cdmctl (f, &out, &err, "export", dump, NULL), err);
  assert_success (cdmctl_raw (f, NULL, &out, &err, "--store", copy, "import", dump, NULL), err);
  copy_json = report_json (f, copy, "2020");
  copy_json_2021 = report_json (f, copy, "2021");
  g_assert_cmpstr (copy_json, ==, json);
  g_assert_cmpstr (copy_json_2021, ==, json_2021);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  cdmctl_path = g_getenv ("CDMCTL");
  if (cdmctl_path == NULL)
    cdmctl_path = g_test_build_filename (G_TEST_BUILT, "..", "src", "cli", "cdmctl", NULL);

#define ADD(name, func) \
  g_test_add ("/cdmctl/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("init", test_init);
  ADD ("help", test_help);
  ADD ("usage-errors", test_usage_errors);
  ADD ("store-position", test_store_position);
  ADD ("log-export", test_log_export);
  ADD ("log-bad-input", test_log_bad_input);
  ADD ("import-bad-line", test_import_bad_line);
  ADD ("import-twice", test_import_twice);
  ADD ("export-round-trip", test_export_round_trip);
  ADD ("search", test_search);
  ADD ("report-empty", test_report_empty);
  ADD ("not-a-store", test_not_a_store);
  ADD ("generate", test_generate);
  ADD ("demo-report-json", test_demo_report_json);
  ADD ("fixture-2020", test_fixture_2020);
#undef ADD

  return g_test_run ();
}
