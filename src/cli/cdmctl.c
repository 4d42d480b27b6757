/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdmctl: libcdm from a terminal, for IT, scripts, tests and benchmarks.
 *
 *   cdmctl [--store PATH] COMMAND [OPTION…] [ARGUMENT…]
 *
 * Each command is a small function in the commands[] table at the end of
 * this file, with its own GOptionContext (so `cdmctl COMMAND --help`
 * always works).  --store is accepted before and after the command.
 *
 * Exit status, relied upon by scripts and by tests/test-cdmctl.c:
 *   0  success
 *   1  internal failure: the store or a file could not be opened, read or
 *      written (including a file that is not a store)
 *   2  bad input: bad usage, an unknown command or option, a bad option
 *      value, a record the store refuses, an import that is refused
 * Messages go to standard error as "cdmctl: <message>"; standard output
 * carries only results, so that it can be piped.
 */
#include "config.h"

#include <locale.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "cdm-demo.h"
#include "cdm-interchange.h"
#include "cdm-report.h"
#include "cdm-report-pdf.h"
#include "cdm-schema.h"
#include "cdm-search.h"
#include "cdm-store.h"
#include "cdm-sync.h"
#include "cdmctl-sync.h"

enum {
  STATUS_OK = 0,
  STATUS_FAILURE = 1,
  STATUS_BAD_INPUT = 2,
};

typedef struct _Command Command;
typedef int (*CommandFunc) (const Command *command,
                            int            argc,
                            char         **argv);

struct _Command {
  const char *name;
  const char *summary;      /* N_() */
  const char *parameter;    /* N_(), after "[OPTION…]" in the usage line */
  CommandFunc func;
};

/* --store given before the command, and after it: two variables, so that
 * GOptionContext never overwrites (and leaks) a string it did not set in
 * the same parse. */
static char *global_store_path;
static char *command_store_path;

static const char exit_status_help[] =
  N_("Exit status:\n"
     "  0  success\n"
     "  1  the store or a file could not be opened, read or written\n"
     "  2  bad input: bad usage, an unknown command or option, a bad value,\n"
     "     a record that is refused, an import that is refused");

static const Command *find_command (const char *name);
static char *commands_help (void);

/* Helpers */

static int
status_for_error (const GError *error)
{
  if (error->domain == G_OPTION_ERROR ||
      error->domain == CDM_RECORD_ERROR ||
      error->domain == CDM_IMPORT_ERROR ||
      error->domain == CDM_DEMO_ERROR ||
      error->domain == CDM_REPORT_ERROR)
    return STATUS_BAD_INPUT;

  /* The store refuses these writes because of what the user asked for,
   * not because something is broken. */
  if (error->domain == CDM_STORE_ERROR)
    {
      switch ((CdmStoreError) error->code)
        {
        case CDM_STORE_ERROR_CONSTRAINT:
        case CDM_STORE_ERROR_NOT_FOUND:
        case CDM_STORE_ERROR_DELETED:
        case CDM_STORE_ERROR_APPEND_ONLY:
        case CDM_STORE_ERROR_UNKNOWN_REFERENCE:
          return STATUS_BAD_INPUT;
        case CDM_STORE_ERROR_FAILED:
        case CDM_STORE_ERROR_CANT_OPEN:
        case CDM_STORE_ERROR_NOT_A_STORE:
        case CDM_STORE_ERROR_TOO_NEW:
        case CDM_STORE_ERROR_BUSY:
        case CDM_STORE_ERROR_FULL:
        case CDM_STORE_ERROR_READ_ONLY:
        default:
          return STATUS_FAILURE;
        }
    }

  return STATUS_FAILURE;
}

/* Prints "cdmctl: <message>" and returns the exit status it deserves. */
static int
fail (const GError *error)
{
  g_printerr ("cdmctl: %s\n", error->message);
  return status_for_error (error);
}

static int
fail_usage (const Command *command,
            const char    *message)
{
  g_printerr ("cdmctl: %s\n", message);
  g_printerr (_("Run “cdmctl %s --help” to see its options.\n"), command->name);
  return STATUS_BAD_INPUT;
}

static const char *
store_path (void)
{
  /* After the command wins: it is the one the user typed last. */
  if (command_store_path != NULL)
    return command_store_path;

  if (global_store_path == NULL)
    global_store_path = cdm_store_default_path ();
  return global_store_path;
}

static CdmStore *
open_store (GError **error)
{
  g_autoptr(CdmStore) store = cdm_store_open (store_path (), error);

  if (store == NULL)
    return NULL;

  /* Who wrote a record, in updated_by and on contacts. */
  cdm_store_set_identity (store, g_get_user_name (), NULL, NULL);

  return g_steal_pointer (&store);
}

/* The option context of a command, with --store and --help added.  Our own
 * --help (rather than GOptionContext's) prints and returns, so that a
 * command ends through its normal clean-up path. */
static GOptionContext *
command_context_new (const Command      *command,
                     const GOptionEntry *entries,
                     const char         *description,
                     gboolean           *help)
{
  const GOptionEntry common_entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &command_store_path,
      N_("The store to use (default: the per-user store)"), N_("PATH") },
    { "help", 'h', 0, G_OPTION_ARG_NONE, help,
      N_("Show this help"), NULL },
    G_OPTION_ENTRY_NULL
  };
  GOptionContext *context;
  g_autofree char *full_description = NULL;

  context = g_option_context_new (command->parameter ? _(command->parameter) : NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context, _(command->summary));

  if (description != NULL)
    full_description = g_strconcat (description, "\n\n", _(exit_status_help), NULL);
  else
    full_description = g_strdup (_(exit_status_help));
  g_option_context_set_description (context, full_description);

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);

  return context;
}

/* Parses a command's arguments.  Returns TRUE when the command should go
 * on; otherwise *status is what cdmctl exits with (0 after --help). */
static gboolean
parse_command_line (const Command   *command,
                    GOptionContext  *context,
                    gboolean        *help,
                    int             *argc,
                    char          ***argv,
                    int             *status)
{
  g_autoptr(GError) error = NULL;

  /* The usage line then reads "cdmctl import [OPTION…] FILE". */
  {
    g_autofree char *prgname = g_strconcat ("cdmctl ", command->name, NULL);
    g_set_prgname (prgname);
  }

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = fail_usage (command, error->message);
      return FALSE;
    }

  if (*help)
    {
      g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);
      g_print ("%s", text);
      *status = STATUS_OK;
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_range (const char  *option,
             gint64       value,
             gint64       min,
             gint64       max,
             GError     **error)
{
  if (value < min || value > max)
    {
      g_autofree char *value_text = g_strdup_printf ("%" G_GINT64_FORMAT, value);
      g_autofree char *min_text = g_strdup_printf ("%" G_GINT64_FORMAT, min);
      g_autofree char *max_text = g_strdup_printf ("%" G_GINT64_FORMAT, max);

      /* Numbers as text: a translatable string cannot hold G_GINT64_FORMAT. */
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s: %s is out of range; expected %s to %s"),
                   option, value_text, min_text, max_text);
      return FALSE;
    }

  return TRUE;
}

/* The year before this one: the last complete year, whose figures mean
 * something. */
static int
previous_year (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_get_year (now) - 1;
}

/* "partner" is what people say; "organisation" is the interchange type. */
static gboolean
entity_from_type_name (const char  *name,
                       CdmEntity   *out_entity,
                       GError     **error)
{
  CdmEntity entity;

  if (g_strcmp0 (name, "partner") == 0)
    {
      *out_entity = CDM_ENTITY_ORGANISATION;
      return TRUE;
    }

  /* Users and desks are not part of the interchange format. */
  if (cdm_entity_from_name (name, &entity) &&
      entity != CDM_ENTITY_USER && entity != CDM_ENTITY_DESK)
    {
      *out_entity = entity;
      return TRUE;
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("unknown type “%s”; expected one of partner, organisation, "
                 "resource, activity, attendance, contact, multimedia_tally, "
                 "closure, satisfaction"),
               name);
  return FALSE;
}

static gboolean
entity_has_csv (CdmEntity entity)
{
  return entity == CDM_ENTITY_ORGANISATION ||
         entity == CDM_ENTITY_RESOURCE ||
         entity == CDM_ENTITY_CONTACT;
}

static const char *
entity_display_name (CdmEntity entity)
{
  if (entity == CDM_ENTITY_ORGANISATION)
    return "partner";
  return cdm_entity_info (entity)->name;
}

typedef enum {
  FORMAT_NDJSON,
  FORMAT_CSV,
} FileFormat;

/* --format, or guessed from the file name: "x.csv" is CSV. */
static gboolean
file_format_from_options (const char  *format,
                          const char  *file,
                          FileFormat  *out_format,
                          GError     **error)
{
  if (format == NULL)
    {
      *out_format = (file != NULL && g_str_has_suffix (file, ".csv")) ? FORMAT_CSV : FORMAT_NDJSON;
      return TRUE;
    }
  if (g_str_equal (format, "ndjson") || g_str_equal (format, "json"))
    {
      *out_format = FORMAT_NDJSON;
      return TRUE;
    }
  if (g_str_equal (format, "csv"))
    {
      *out_format = FORMAT_CSV;
      return TRUE;
    }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--format: unknown format “%s”; expected ndjson or csv"), format);
  return FALSE;
}

/* Prints the number of live records of each entity that has any. */
static gboolean
print_counts (CdmStore  *store,
              GError   **error)
{
  for (CdmEntity entity = 0; entity < CDM_N_ENTITIES; entity++)
    {
      gint64 count = cdm_store_count (store, entity, error);

      if (count < 0)
        return FALSE;
      g_print ("  %-18s %" G_GINT64_FORMAT "\n", entity_display_name (entity), count);
    }

  return TRUE;
}

/* Commands */

static int
command_init (const Command *command,
              int            argc,
              char         **argv)
{
  gboolean help = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  context = command_context_new (command, NULL,
                                 _("Creates the store if it does not exist, and "
                                   "brings an older store up to this version's schema."),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("init takes no arguments"));

  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  g_print (_("Store: %s\n"), cdm_store_get_path (store));
  g_print (_("Schema version: %d\n"), cdm_store_get_schema_version (store));

  return STATUS_OK;
}

static int
command_demo (const Command *command,
              int            argc,
              char         **argv)
{
  int year = previous_year ();
  gboolean help = FALSE;
  const GOptionEntry entries[] = {
    { "year", 0, 0, G_OPTION_ARG_INT, &year,
      N_("The year of the contacts (default: last year)"), N_("YEAR") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;
  int status;

  context = command_context_new (command, entries,
                                 _("Fills the store with the centre's partners, a library, "
                                   "the activities and a year of contacts shaped like the "
                                   "2020 annual report.  The records are marked as demo "
                                   "data and are never pushed to a server."),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("demo takes no arguments"));
  if (!check_range ("--year", year, 1900, 2199, &error))
    return fail_usage (command, error->message);

  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  started = g_get_monotonic_time ();
  if (!cdm_demo_fill (store, year, NULL, &error))
    return fail (error);

  g_print (_("Demo data for %d written in %.1f s to %s:\n"),
           year, (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC,
           cdm_store_get_path (store));
  if (!print_counts (store, &error))
    return fail (error);

  return STATUS_OK;
}

static int
command_generate (const Command *command,
                  int            argc,
                  char         **argv)
{
  int contacts = 0, resources = 0, partners = 0, activities = 0;
  int year = previous_year ();
  gint64 seed = 1;
  gboolean help = FALSE;
  const GOptionEntry entries[] = {
    { "contacts", 0, 0, G_OPTION_ARG_INT, &contacts,
      N_("Number of contacts"), N_("N") },
    { "resources", 0, 0, G_OPTION_ARG_INT, &resources,
      N_("Number of resources"), N_("N") },
    { "partners", 0, 0, G_OPTION_ARG_INT, &partners,
      N_("Number of partners"), N_("N") },
    { "activities", 0, 0, G_OPTION_ARG_INT, &activities,
      N_("Number of activities"), N_("N") },
    { "year", 0, 0, G_OPTION_ARG_INT, &year,
      N_("The year of the contacts and activities (default: last year)"), N_("YEAR") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
      N_("Seed of the random generator: the same seed gives the same store (default: 1)"),
      N_("S") },
    G_OPTION_ENTRY_NULL
  };
  CdmGenerateOptions options = { 0, };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;
  double elapsed;
  int status;

  context = command_context_new (command, entries,
                                 _("Writes random but plausible records, at any scale, "
                                   "for benchmarks.  For example:\n"
                                   "  cdmctl --store big.sqlite generate --contacts 1000000 "
                                   "--resources 100000 --partners 10000 --activities 50000"),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("generate takes no arguments"));
  if (!check_range ("--contacts", contacts, 0, G_MAXINT, &error) ||
      !check_range ("--resources", resources, 0, G_MAXINT, &error) ||
      !check_range ("--partners", partners, 0, G_MAXINT, &error) ||
      !check_range ("--activities", activities, 0, G_MAXINT, &error) ||
      !check_range ("--year", year, 1900, 2199, &error) ||
      !check_range ("--seed", seed, 0, G_MAXUINT32, &error))
    return fail_usage (command, error->message);
  if (contacts + (gint64) resources + partners + activities == 0)
    return fail_usage (command, _("nothing to generate: give --contacts, --resources, "
                                  "--partners or --activities"));

  options.contacts = contacts;
  options.resources = resources;
  options.partners = partners;
  options.activities = activities;
  options.year = year;
  options.seed = (guint32) seed;

  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  started = g_get_monotonic_time ();
  if (!cdm_demo_generate (store, &options, NULL, &error))
    return fail (error);
  elapsed = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;

  g_print (_("Generated %d contacts, %d resources, %d partners and %d activities "
             "in %.2f s\n"),
           contacts, resources, partners, activities, elapsed);

  return STATUS_OK;
}

static int
command_import (const Command *command,
                int            argc,
                char         **argv)
{
  g_autofree char *format = NULL;
  g_autofree char *type = NULL;
  gboolean help = FALSE;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("ndjson or csv (default: csv for a file named *.csv, otherwise ndjson)"),
      N_("FORMAT") },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type,
      N_("For CSV: partner, resource or contact"), N_("TYPE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  CdmImportStats stats = { 0, };
  CdmEntity entity = CDM_N_ENTITIES;
  FileFormat file_format;
  const char *file;
  gboolean ok;
  int status;

  context = command_context_new (command, entries,
                                 _("Reads records in the NDJSON format of the interchange "
                                   "documentation (one JSON object a line, with a \"type\"), "
                                   "or CSV with a header row.  FILE “-” is standard input.\n"
                                   "The import is all or nothing: the first refused line is "
                                   "reported with its number and nothing is written.  "
                                   "Importing the same file twice changes nothing."),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return fail_usage (command, _("import takes one FILE (“-” for standard input)"));
  file = argv[1];

  if (!file_format_from_options (format, file, &file_format, &error))
    return fail_usage (command, error->message);
  if (file_format == FORMAT_CSV)
    {
      if (type == NULL)
        return fail_usage (command, _("a CSV import needs --type partner, resource or contact"));
      if (!entity_from_type_name (type, &entity, &error))
        return fail_usage (command, error->message);
      if (!entity_has_csv (entity))
        return fail_usage (command, _("CSV is for partners, resources and contacts; "
                                      "use NDJSON for the other types"));
    }
  else if (type != NULL)
    {
      return fail_usage (command, _("--type is for CSV; an NDJSON line names its own type"));
    }

  if (g_str_equal (file, "-"))
    {
      input = g_unix_input_stream_new (STDIN_FILENO, FALSE);
    }
  else
    {
      g_autoptr(GFile) gfile = g_file_new_for_commandline_arg (file);
      g_autoptr(GFileInputStream) file_input = g_file_read (gfile, NULL, &error);

      if (file_input == NULL)
        return fail (error);
      input = G_INPUT_STREAM (g_steal_pointer (&file_input));
    }
  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  if (file_format == FORMAT_CSV)
    ok = cdm_import_csv (store, entity, input, &stats, NULL, &error);
  else
    ok = cdm_import_ndjson (store, input, &stats, NULL, &error);

  if (!ok)
    {
      /* The message starts with "line N:"; say which file it is in. */
      g_printerr ("cdmctl: %s: %s\n", g_str_equal (file, "-") ? _("standard input") : file,
                  error->message);
      /* The import is one transaction: whatever failed, it was rolled back. */
      g_printerr (_("cdmctl: nothing was imported\n"));
      return status_for_error (error);
    }

  g_print (_("%u created, %u updated, %u unchanged\n"),
           stats.created, stats.updated, stats.unchanged);

  return STATUS_OK;
}

static int
command_export (const Command *command,
                int            argc,
                char         **argv)
{
  g_autofree char *format = NULL;
  g_autofree char *type = NULL;
  gboolean help = FALSE;
  const GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &type,
      N_("Only this type: partner, resource, activity, attendance, contact, "
         "multimedia_tally, closure or satisfaction (required for CSV)"), N_("TYPE") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("ndjson or csv (default: csv for a file named *.csv, otherwise ndjson)"),
      N_("FORMAT") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GFile) gfile = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(GCancellable) abandon = NULL;
  g_autoptr(GError) error = NULL;
  CdmEntity entity = CDM_N_ENTITIES;
  FileFormat file_format;
  const char *file = NULL;
  gboolean existed = FALSE;
  gboolean ok;
  int status;

  context = command_context_new (command, entries,
                                 _("Writes every live record (or those of one type) to FILE, "
                                   "or to standard output without FILE, in an order that "
                                   "imports back.  An existing FILE is replaced only once "
                                   "the export is complete."),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 2)
    return fail_usage (command, _("export takes at most one FILE"));
  if (argc == 2 && !g_str_equal (argv[1], "-"))
    file = argv[1];

  if (!file_format_from_options (format, file, &file_format, &error))
    return fail_usage (command, error->message);
  if (type != NULL && !entity_from_type_name (type, &entity, &error))
    return fail_usage (command, error->message);
  if (file_format == FORMAT_CSV && !entity_has_csv (entity))
    return fail_usage (command, _("a CSV export needs --type partner, resource or contact"));

  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  if (file == NULL)
    {
      /* The exporter buffers its writes itself. */
      output = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
    }
  else
    {
      gfile = g_file_new_for_commandline_arg (file);
      existed = g_file_query_exists (gfile, NULL);
      output = G_OUTPUT_STREAM (g_file_replace (gfile, NULL, FALSE, G_FILE_CREATE_NONE,
                                                NULL, &error));
      if (output == NULL)
        return fail (error);
    }

  if (file_format == FORMAT_CSV)
    ok = cdm_export_csv (store, entity, output, NULL, &error);
  else
    ok = cdm_export_ndjson (store, entity, output, NULL, &error);

  if (ok)
    ok = g_output_stream_close (output, NULL, &error);

  if (!ok)
    {
      /* Closing a replaced file with a cancelled cancellable keeps the old
       * file; a file that did not exist is removed. */
      abandon = g_cancellable_new ();
      g_cancellable_cancel (abandon);
      g_output_stream_close (output, abandon, NULL);
      if (gfile != NULL && !existed)
        g_file_delete (gfile, NULL, NULL);
      return fail (error);
    }

  return STATUS_OK;
}

/* Adds @values (each possibly "a,b,c") as an array member. */
static void
set_codes_member (JsonObject  *object,
                  const char  *member,
                  char       **values)
{
  JsonArray *array;

  if (values == NULL)
    return;

  array = json_array_new ();
  for (guint i = 0; values[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (values[i], ",", -1);

      for (guint j = 0; parts[j] != NULL; j++)
        {
          g_strstrip (parts[j]);
          if (parts[j][0] != '\0')
            json_array_add_string_element (array, parts[j]);
        }
    }
  json_object_set_array_member (object, member, array);
}

static void
set_string_member (JsonObject *object,
                   const char *member,
                   const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
}

static char *
join_codes (const char * const *codes)
{
  return g_strjoinv (", ", (char **) codes);
}

/* The codes each option accepts, for `cdmctl log --help`. */
static char *
log_description (void)
{
  g_autofree char *channels = join_codes (cdm_channels);
  g_autofree char *services = join_codes (cdm_services);
  g_autofree char *sites = join_codes (cdm_sites);
  g_autofree char *themes = join_codes (cdm_themes);
  g_autofree char *programmes = join_codes (cdm_programmes);
  g_autofree char *genders = join_codes (cdm_genders);
  g_autofree char *age_bands = join_codes (cdm_age_bands);
  g_autofree char *regions = join_codes (cdm_regions);
  g_autofree char *statuses = join_codes (cdm_statuses);
  g_autofree char *education = join_codes (cdm_education_levels);
  g_autofree char *heard_from = join_codes (cdm_heard_from);

  return g_strdup_printf (_("Records one anonymous contact and prints its id.  "
                            "Repeatable options also take a comma-separated list.  "
                            "Timestamps are ISO 8601 with their UTC offset, e.g. "
                            "2021-03-04T10:15:00+01:00.\n\n"
                            "Codes:\n"
                            "  --channel     %s\n"
                            "  --service     %s\n"
                            "  --site        %s\n"
                            "  --theme       %s\n"
                            "  --programme   %s\n"
                            "  --gender      %s\n"
                            "  --age-band    %s\n"
                            "  --region      %s\n"
                            "  --status      %s\n"
                            "  --education   %s\n"
                            "  --heard-from  %s\n"
                            "  --language    a two-letter ISO 639-1 code (fr, nl, en…)"),
                          channels, services, sites, themes, programmes, genders,
                          age_bands, regions, statuses, education, heard_from);
}

static int
command_log (const Command *command,
             int            argc,
             char         **argv)
{
  g_autofree char *channel = NULL;
  g_autofree char *service = NULL;
  g_autofree char *site = NULL;
  g_auto(GStrv) themes = NULL;
  g_auto(GStrv) programmes = NULL;
  g_autofree char *at = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *gender = NULL;
  g_autofree char *age_band = NULL;
  g_autofree char *region = NULL;
  g_autofree char *visitor_status = NULL;
  g_autofree char *education = NULL;
  g_autofree char *heard_from = NULL;
  g_autofree char *language = NULL;
  gboolean first_visit = FALSE;
  gboolean foreign_diploma = FALSE;
  g_auto(GStrv) referrals = NULL;
  g_auto(GStrv) resources = NULL;
  g_autofree char *received_at = NULL;
  g_autofree char *answered_at = NULL;
  g_autofree char *note = NULL;
  gboolean help = FALSE;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel,
      N_("How the person reached us (default: in_person)"), N_("CODE") },
    { "service", 0, 0, G_OPTION_ARG_STRING, &service,
      N_("individual_advice or multimedia (default: individual_advice)"), N_("CODE") },
    { "site", 0, 0, G_OPTION_ARG_STRING, &site,
      N_("Where it happened (default: centre)"), N_("CODE") },
    { "theme", 0, 0, G_OPTION_ARG_STRING_ARRAY, &themes,
      N_("A theme of the question (repeatable)"), N_("CODE") },
    { "programme", 0, 0, G_OPTION_ARG_STRING_ARRAY, &programmes,
      N_("A programme the contact belongs to (repeatable)"), N_("CODE") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at,
      N_("When it happened (default: now)"), N_("TIMESTAMP") },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &duration,
      N_("Duration in minutes"), N_("MIN") },
    { "gender", 0, 0, G_OPTION_ARG_STRING, &gender,
      N_("Visitor's gender"), N_("CODE") },
    { "age-band", 0, 0, G_OPTION_ARG_STRING, &age_band,
      N_("Visitor's age band"), N_("CODE") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region,
      N_("Visitor's region of residence"), N_("CODE") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &visitor_status,
      N_("Visitor's status"), N_("CODE") },
    { "education", 0, 0, G_OPTION_ARG_STRING, &education,
      N_("Visitor's level of education"), N_("CODE") },
    { "heard-from", 0, 0, G_OPTION_ARG_STRING, &heard_from,
      N_("How the visitor heard of the centre"), N_("CODE") },
    { "language", 0, 0, G_OPTION_ARG_STRING, &language,
      N_("Language of the conversation"), N_("LANG") },
    { "first-visit", 0, 0, G_OPTION_ARG_NONE, &first_visit,
      N_("The visitor's first visit"), NULL },
    { "foreign-diploma", 0, 0, G_OPTION_ARG_NONE, &foreign_diploma,
      N_("The visitor has a foreign diploma without equivalence"), NULL },
    { "referral", 0, 0, G_OPTION_ARG_STRING_ARRAY, &referrals,
      N_("Id of a partner the person was referred to (repeatable)"), N_("ID") },
    { "resource", 0, 0, G_OPTION_ARG_STRING_ARRAY, &resources,
      N_("Id of a resource handed over (repeatable)"), N_("ID") },
    { "received-at", 0, 0, G_OPTION_ARG_STRING, &received_at,
      N_("For a remote request: when it came in"), N_("TIMESTAMP") },
    { "answered-at", 0, 0, G_OPTION_ARG_STRING, &answered_at,
      N_("For a remote request: when it was answered"), N_("TIMESTAMP") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &note,
      N_("A short note (never a name)"), N_("TEXT") },
    G_OPTION_ENTRY_NULL
  };
  g_autofree char *description = log_description ();
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonObject) profile = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  int status;

  context = command_context_new (command, entries, description, &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("log takes options only"));

  record = json_object_new ();
  json_object_set_string_member (record, "type", "contact");

  if (at == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S%:z");
    }
  json_object_set_string_member (record, "occurred_at", at);
  json_object_set_string_member (record, "site", site ? site : "centre");
  json_object_set_string_member (record, "service", service ? service : "individual_advice");
  json_object_set_string_member (record, "channel", channel ? channel : "in_person");
  set_codes_member (record, "themes", themes);
  set_codes_member (record, "programmes", programmes);
  set_codes_member (record, "referrals", referrals);
  set_codes_member (record, "resources", resources);
  set_string_member (record, "received_at", received_at);
  set_string_member (record, "answered_at", answered_at);
  set_string_member (record, "note", note);

  if (duration != NULL)
    {
      gint64 minutes;

      if (!g_ascii_string_to_signed (duration, 10, 0, 24 * 60, &minutes, NULL))
        {
          g_autofree char *message =
            g_strdup_printf (_("--duration: “%s” is not a number of minutes (0 to 1440)"),
                             duration);
          return fail_usage (command, message);
        }
      json_object_set_int_member (record, "duration_min", minutes);
    }

  profile = json_object_new ();
  set_string_member (profile, "gender", gender);
  set_string_member (profile, "age_band", age_band);
  set_string_member (profile, "region", region);
  set_string_member (profile, "status", visitor_status);
  set_string_member (profile, "education", education);
  set_string_member (profile, "heard_from", heard_from);
  set_string_member (profile, "language", language);
  if (first_visit)
    json_object_set_boolean_member (profile, "first_visit", TRUE);
  if (foreign_diploma)
    json_object_set_boolean_member (profile, "foreign_diploma", TRUE);
  if (json_object_get_size (profile) > 0)
    json_object_set_object_member (record, "profile", json_object_ref (profile));

  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  if (!cdm_store_put (store, CDM_ENTITY_CONTACT, record, &id, NULL, &error))
    return fail (error);

  g_print ("%s\n", id);

  return STATUS_OK;
}

/* One field of --porcelain output: no tab or newline may split it. */
static char *
porcelain_field (const char *text)
{
  char *copy = g_strdup (text ? text : "");

  g_strdelimit (copy, "\t\r\n", ' ');
  return copy;
}

static int
command_search (const Command *command,
                int            argc,
                char         **argv)
{
  g_autofree char *type = NULL;
  int limit = 20;
  gboolean porcelain = FALSE;
  gboolean help = FALSE;
  const GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &type,
      N_("Only partner, resource or activity (default: all three)"), N_("TYPE") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit,
      N_("At most N results (default: 20)"), N_("N") },
    { "porcelain", 0, 0, G_OPTION_ARG_NONE, &porcelain,
      N_("One line per result for scripts: kind, id, title and detail, tab-separated"),
      NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *query = NULL;
  CdmEntity entity = CDM_N_ENTITIES;
  int status;

  context = command_context_new (command, entries,
                                 _("Searches partners, resources and activities as the "
                                   "desk does: accents do not matter and every word is a "
                                   "prefix (“metier” finds “Cité des métiers”).  Several "
                                   "arguments are one query."),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return fail_usage (command, _("search needs a QUERY"));
  if (!check_range ("--limit", limit, 1, 10000, &error))
    return fail_usage (command, error->message);
  if (type != NULL)
    {
      if (!entity_from_type_name (type, &entity, &error))
        return fail_usage (command, error->message);
      if (entity != CDM_ENTITY_ORGANISATION &&
          entity != CDM_ENTITY_RESOURCE &&
          entity != CDM_ENTITY_ACTIVITY)
        return fail_usage (command, _("--type: search covers partner, resource and activity"));
    }

  query = g_strjoinv (" ", argv + 1);

  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  hits = cdm_search (store, entity, query, limit, NULL, &error);
  if (hits == NULL)
    return fail (error);

  for (guint i = 0; i < hits->len; i++)
    {
      CdmSearchHit *hit = g_ptr_array_index (hits, i);

      if (porcelain)
        {
          g_autofree char *title = porcelain_field (hit->title);
          g_autofree char *detail = porcelain_field (hit->detail);

          g_print ("%s\t%s\t%s\t%s\n", entity_display_name (hit->entity), hit->id,
                   title, detail);
        }
      else
        {
          g_print ("%-9s %s\n", entity_display_name (hit->entity),
                   hit->title ? hit->title : "");
          if (hit->detail != NULL && hit->detail[0] != '\0')
            g_print ("          %s\n", hit->detail);
          g_print ("          %s\n", hit->id);
        }
    }

  if (hits->len == 0 && !porcelain)
    g_printerr (_("No results.\n"));

  return STATUS_OK;
}

/* The language of the PDF when --lang is not given: the user's, when the
 * report is written in it. */
static const char *
default_report_language (void)
{
  const char * const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "fr"))
        return "fr";
      if (g_str_has_prefix (names[i], "nl"))
        return "nl";
      if (g_str_has_prefix (names[i], "en"))
        return "en";
    }
  return "en";
}

/* Writes @text to @output, or to standard output when @output is NULL. */
static gboolean
write_report_text (const char  *output,
                   const char  *text,
                   GError     **error)
{
  if (output == NULL)
    {
      g_print ("%s", text);
      return TRUE;
    }
  return g_file_set_contents (output, text, -1, error);
}

static int
command_report (const Command *command,
                int            argc,
                char         **argv)
{
  int year = previous_year ();
  int from_month = 1, to_month = 12, threshold = CDM_REPORT_THRESHOLD_FROM_STORE;
  g_autofree char *format = NULL;
  g_autofree char *organisation = NULL;
  g_autofree char *output = NULL;
  g_autofree char *language = NULL;
  gboolean help = FALSE;
  const GOptionEntry entries[] = {
    { "year", 0, 0, G_OPTION_ARG_INT, &year,
      N_("The year (default: last year)"), N_("YEAR") },
    { "from-month", 0, 0, G_OPTION_ARG_INT, &from_month,
      N_("The first month of the period, 1 to 12 (default: 1)"), N_("MONTH") },
    { "to-month", 0, 0, G_OPTION_ARG_INT, &to_month,
      N_("The last month of the period, 1 to 12 (default: 12)"), N_("MONTH") },
    { "organisation", 0, 0, G_OPTION_ARG_STRING, &organisation,
      N_("The figures of one organisation (its id), counts below the threshold withheld"), N_("ID") },
    { "threshold", 0, 0, G_OPTION_ARG_INT, &threshold,
      N_("Withhold counts below this in an organisation's figures, 0 for none "
         "(default: the store's setting, or 5)"), N_("N") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("text, json, csv or pdf (default: text)"), N_("FORMAT") },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to this file instead of standard output (required for pdf); with csv, "
         "a folder (ending in “/”, or existing) gets one file per table"), N_("FILE|DIR") },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &language,
      N_("The language of the PDF: fr, nl or en (default: the user's)"), N_("LANG") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(CdmReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CdmReportOptions options;
  int status;

  context = command_context_new (command, entries,
                                 _("Prints the figures of the annual report for a year: "
                                   "contacts by channel, group activities and their "
                                   "participants, the multimedia area, programmes, "
                                   "months with their closures, answers within 48 h, "
                                   "satisfaction and the objective.  Days are the "
                                   "centre's local days."),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("report takes options only"));
  if (!check_range ("--year", year, 1900, 9999, &error) ||
      !check_range ("--from-month", from_month, 1, 12, &error) ||
      !check_range ("--to-month", to_month, 1, 12, &error) ||
      (threshold != CDM_REPORT_THRESHOLD_FROM_STORE &&
       !check_range ("--threshold", threshold, 0, CDM_REPORT_MAX_THRESHOLD, &error)))
    return fail_usage (command, error->message);
  if (from_month > to_month)
    {
      g_autofree char *message =
        g_strdup_printf (_("--from-month %d is after --to-month %d"), from_month, to_month);
      return fail_usage (command, message);
    }
  if (format != NULL &&
      !g_str_equal (format, "text") &&
      !g_str_equal (format, "json") &&
      !g_str_equal (format, "csv") &&
      !g_str_equal (format, "pdf"))
    {
      g_autofree char *message =
        g_strdup_printf (_("--format: unknown format “%s”; expected text, json, csv or pdf"),
                         format);
      return fail_usage (command, message);
    }
  if (language != NULL &&
      !g_str_equal (language, "fr") && !g_str_equal (language, "nl") && !g_str_equal (language, "en"))
    {
      g_autofree char *message =
        g_strdup_printf (_("--lang: unknown language “%s”; expected fr, nl or en"), language);
      return fail_usage (command, message);
    }
  if (g_strcmp0 (format, "pdf") == 0 && output == NULL)
    return fail_usage (command, _("--format pdf needs --output FILE"));
  if (output != NULL && output[0] == '\0')
    return fail_usage (command, _("--output: the file name is empty"));

  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  /* Computed before anything is written: a bad organisation leaves no
   * file behind. */
  cdm_report_options_init (&options, year);
  options.from_month = from_month;
  options.to_month = to_month;
  options.organisation = organisation;
  options.threshold = threshold;
  report = cdm_report_compute_full (store, &options, NULL, &error);
  if (report == NULL)
    return fail (error);

  if (g_strcmp0 (format, "json") == 0)
    {
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *json = NULL;

      json_node_take_object (root, cdm_report_to_json (report));
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      json_generator_set_indent (generator, 2);
      json = json_generator_to_data (generator, NULL);
      text = g_strconcat (json, "\n", NULL);
    }
  else if (g_strcmp0 (format, "csv") == 0)
    {
      if (output != NULL &&
          (g_str_has_suffix (output, G_DIR_SEPARATOR_S) || g_file_test (output, G_FILE_TEST_IS_DIR)))
        {
          if (!cdm_report_write_csv_dir (report, output, &error))
            return fail (error);
          return STATUS_OK;
        }
      text = cdm_report_to_csv (report);
    }
  else if (g_strcmp0 (format, "pdf") == 0)
    {
      if (!cdm_report_write_pdf (report, output,
                                 language != NULL ? language : default_report_language (), &error))
        return fail (error);
      return STATUS_OK;
    }
  else
    {
      text = cdm_report_to_text (report);
    }

  if (!write_report_text (output, text, &error))
    return fail (error);
  return STATUS_OK;
}

static int
command_status (const Command *command,
                int            argc,
                char         **argv)
{
  gboolean help = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *origin = NULL;
  int status;

  context = command_context_new (command, NULL, NULL, &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("status takes no arguments"));

  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  origin = cdm_store_get_setting (store, "origin");

  g_print (_("Store: %s\n"), cdm_store_get_path (store));
  g_print (_("Schema version: %d\n"), cdm_store_get_schema_version (store));
  if (origin != NULL)
    g_print (_("Origin: %s\n"), origin);
  /* The changes waiting are part of the sync lines below. */
  if (!cdmctl_sync_print_status (store, &error))
    return fail (error);
  g_print (_("Records:\n"));
  if (!print_counts (store, &error))
    return fail (error);

  return STATUS_OK;
}

/* Sync (cdmctl-sync.c) */

static int
command_login (const Command *command,
               int            argc,
               char         **argv)
{
  gboolean help = FALSE;
  g_autofree char *server = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password_file = NULL;
  const GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &server,
      N_("The server's address, e.g. https://desk.example.org"), N_("URL") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user,
      N_("The login to sign in with"), N_("LOGIN") },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password from the first line of FILE instead of asking"), N_("FILE") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  context = command_context_new (command, entries,
                                 _("The password is asked for without echo.  The token is kept in a "
                                   "file only you can read, under $XDG_CONFIG_HOME/cdm-desk, never in "
                                   "the store; the desk app keeps its own in the desktop keyring."),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("login takes no arguments"));
  if (server == NULL || user == NULL)
    return fail_usage (command, _("login needs --server and --user"));

  store = open_store (&error);
  if (store == NULL)
    return fail (error);
  if (!cdmctl_sync_login (store, server, user, password_file, &error))
    return fail (error);
  return STATUS_OK;
}

static int
command_logout (const Command *command,
                int            argc,
                char         **argv)
{
  gboolean help = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  context = command_context_new (command, NULL, NULL, &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("logout takes no arguments"));

  store = open_store (&error);
  if (store == NULL)
    return fail (error);
  if (!cdmctl_sync_logout (store, &error))
    return fail (error);
  return STATUS_OK;
}

static int
command_sync (const Command *command,
              int            argc,
              char         **argv)
{
  gboolean help = FALSE;
  gboolean bootstrap = FALSE;
  const GOptionEntry entries[] = {
    { "bootstrap", 0, 0, G_OPTION_ARG_NONE, &bootstrap,
      N_("Download everything again (changes waiting to be sent are kept)"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  context = command_context_new (command, entries,
                                 _("Sends the changes waiting in the store, then brings the store up to "
                                   "date with the server and compares their checksums.  An empty store "
                                   "is downloaded first; an interrupted download resumes where it stopped."),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("sync takes no arguments"));

  store = open_store (&error);
  if (store == NULL)
    return fail (error);
  if (!cdmctl_sync_run (store, bootstrap, &error))
    return fail (error);
  return STATUS_OK;
}

static int
command_check (const Command *command,
               int            argc,
               char         **argv)
{
  gboolean help = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  context = command_context_new (command, NULL,
                                 _("Runs SQLite's integrity check over the whole store; "
                                   "exits with 1 when it finds damage."),
                                 &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return fail_usage (command, _("check takes no arguments"));

  store = open_store (&error);
  if (store == NULL)
    return fail (error);

  if (!cdm_store_check_integrity (store, &error))
    {
      if (error == NULL)
        g_set_error (&error, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_A_STORE,
                     _("%s: the integrity check failed"), cdm_store_get_path (store));
      return fail (error);
    }

  g_print (_("%s: ok\n"), cdm_store_get_path (store));

  return STATUS_OK;
}

static int
command_help (const Command *command,
              int            argc,
              char         **argv)
{
  gboolean help = FALSE;
  g_autoptr(GOptionContext) context = NULL;
  const Command *target;
  char *target_argv[] = { NULL, (char *) "--help", NULL };
  int status;

  context = command_context_new (command, NULL, NULL, &help);
  if (!parse_command_line (command, context, &help, &argc, &argv, &status))
    return status;

  if (argc < 2)
    {
      g_autofree char *list = commands_help ();
      g_print ("%s\n", list);
      return STATUS_OK;
    }

  target = find_command (argv[1]);
  if (target == NULL)
    {
      g_printerr (_("cdmctl: unknown command “%s”\n"), argv[1]);
      return STATUS_BAD_INPUT;
    }

  target_argv[0] = (char *) target->name;
  return target->func (target, 2, target_argv);
}

static const Command commands[] = {
  { "init", N_("Create the store, or bring it up to date"), NULL, command_init },
  { "demo", N_("Fill the store with demo data"), NULL, command_demo },
  { "generate", N_("Fill the store with generated data at any scale"), NULL, command_generate },
  { "import", N_("Import records from NDJSON or CSV"), N_("FILE"), command_import },
  { "export", N_("Export records as NDJSON or CSV"), N_("[FILE]"), command_export },
  { "log", N_("Record one contact"), NULL, command_log },
  { "search", N_("Search partners, resources and activities"), N_("QUERY…"), command_search },
  { "report", N_("Print the figures of a year"), NULL, command_report },
  { "status", N_("Show the store's path, schema, records and pending changes"), NULL, command_status },
  { "login", N_("Sign in to a server"), NULL, command_login },
  { "logout", N_("Sign out from the server"), NULL, command_logout },
  { "sync", N_("Send local changes to the server and receive others'"), NULL, command_sync },
  { "check", N_("Check the store's integrity"), NULL, command_check },
  { "help", N_("Show the help of a command"), N_("[COMMAND]"), command_help },
};

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

static char *
commands_help (void)
{
  GString *text = g_string_new (_("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "\n  %-10s %s", commands[i].name, _(commands[i].summary));
  g_string_append_printf (text, "\n\n%s", _("Run “cdmctl COMMAND --help” for a command's options."));

  return g_string_free (text, FALSE);
}

int
main (int    argc,
      char **argv)
{
  gboolean help = FALSE;
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &global_store_path,
      N_("The store to use (default: the per-user store)"), N_("PATH") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help,
      N_("Show this help"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *description = NULL;
  const Command *command;
  int status;

  setlocale (LC_ALL, "");
  /* CDM_LOCALEDIR: the translations of a build tree (tests, run-demo). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CDM_LOCALEDIR") != NULL ? g_getenv ("CDM_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("cdmctl");

  summary = commands_help ();
  description = g_strdup_printf ("%s\n\n%s",
                                 _("The store is an SQLite file; by default the same "
                                   "per-user store as the desk app.  --store may also be "
                                   "given after the command."),
                                 _(exit_status_help));

  context = g_option_context_new (_("COMMAND [ARGUMENT…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, FALSE);
  /* Stop at the command: the rest is the command's to parse. */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cdmctl: %s\n", error->message);
      g_printerr (_("Run “cdmctl --help” for the list of commands.\n"));
      status = STATUS_BAD_INPUT;
      goto out;
    }

  if (version)
    {
      g_print ("cdmctl %s\n", PACKAGE_VERSION);
      status = STATUS_OK;
      goto out;
    }

  if (help)
    {
      g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);
      g_print ("%s", text);
      status = STATUS_OK;
      goto out;
    }

  if (argc < 2)
    {
      g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", text);
      status = STATUS_BAD_INPUT;
      goto out;
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_printerr (_("cdmctl: unknown command “%s”\n"), argv[1]);
      g_printerr (_("Run “cdmctl --help” for the list of commands.\n"));
      status = STATUS_BAD_INPUT;
      goto out;
    }

  status = command->func (command, argc - 1, argv + 1);

out:
  g_clear_pointer (&global_store_path, g_free);
  g_clear_pointer (&command_store_path, g_free);
  return status;
}
