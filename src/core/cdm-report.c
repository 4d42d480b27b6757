/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-report.c: the figures of DESIGN.md section 4 (rules in cdm-report.h).
 *
 * How it stays fast.  A year of a busy store is up to a million contact
 * rows, and the figures need, per row, its month, service, channel,
 * programmes, nine profile items and the remote-request times.  Counting
 * them at report time takes a third of a second even in one pass in C,
 * so the store keeps them counted: contact_stats holds, per local day,
 * the number of live contacts under each key (service and channel,
 * programmes, each profile answer, remote requests by outcome), kept
 * exact by triggers on contacts through every insert, edit, tombstone,
 * undelete and rollback (cdm-store-schema.c).  A year is then a few
 * tens of thousands of rows, added up per month here.  The other tables
 * are small and use plain GROUP BYs.
 *
 * The recount (cdm-report-private.h) counts the contacts themselves by
 * the same rules, for the tests that prove both agree: in ONE pass, by an
 * aggregate function written here, cdm_report_contacts(), which fills an
 * array of counters in C and hands it back as a blob.  Whether that pass
 * walks the day indexes or the whole table is chosen from the span of
 * days the store holds: when the year is a large part of it, a
 * sequential scan of the table beats one index lookup per row several
 * times over (rows need not be stored in day order); when the store
 * holds many years, the indexes only visit the year's rows.
 *
 * Measured (2 shared cores, release build, 1,000,000 generated contacts
 * and 50,000 activities in one year): the report 0.13 s (median), of
 * which 15 ms read the year's 17,000 rows of contact_stats and most of
 * the rest the activities; the recount 0.45 s.  The triggers cost about
 * 7 us of CPU per contact written.
 *
 * Every query runs under the store's lock inside one savepoint, so that
 * all figures come from the same snapshot of the store.
 *
 * One organisation's figures read contact_org_stats, the same per-day
 * keys under the organisation of the contact (migration 2), kept by
 * triggers the same way; the recount scans the table for its contacts.
 *
 * Output.  The counters become cells (CdmReportCell), one per figure,
 * once; suppression is applied to the cells, and JSON, text, CSV and the
 * PDF library all read the cells, so they cannot disagree.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cdm-report.h"
#include "cdm-report-private.h"
#include "cdm-store-private.h"

G_DEFINE_QUARK (cdm-report-error-quark, cdm_report_error)

#define N_MONTHS 12
/* Room for the longest vocabulary the report counts by; checked once. */
#define MAX_CODES 16
#define UNKNOWN_SLOT MAX_CODES
#define N_LANGUAGE_SLOTS (26 * 26)
#define REMOTE_DEADLINE_SECONDS (48 * 3600)
/* Scan the whole table unless the store spans more than 16 years.
 * Measured on a million contacts: through the indexes a row costs
 * 0.5 us when rows were written in day order and 2.4 us when not; the scan
 * costs 0.07 us per row of other years and 0.35 us per row of the year. */
#define SCAN_SPAN_FACTOR 16

/* Vocabularies, for the per-row lookups.  The contact pass looks up eight
 * codes per row, a million rows a year: a lookup goes straight to the one
 * candidate through a table indexed by the first two bytes, then checks
 * the whole code. */

#define N_HASH_SLOTS 256
#define HASH_EMPTY (-1)
#define HASH_SHARED (-2)   /* two codes share the slot: search the list */

typedef struct {
  const char * const *codes;
  guint n;
  gint8 slots[N_HASH_SLOTS];
  guint8 len[MAX_CODES];
} Vocabulary;

static inline guint
hash_code (const unsigned char *text)
{
  /* text[1] is the terminating NUL of a one-letter code. */
  return (text[0] * 31u + (text[0] != '\0' ? text[1] : 0)) % N_HASH_SLOTS;
}

typedef enum {
  ITEM_CODE,
  ITEM_BOOL,
  ITEM_LANGUAGE,
} ItemKind;

/* The profile items, in the order of the columns in contacts_sql and of
 * cdm_profile_fields.  Booleans count "no" in slot 0 and "yes" in slot 1. */
static const struct {
  const char *name;
  ItemKind kind;
  const char * const *codes;
} profile_items[] = {
  { "gender",          ITEM_CODE,     cdm_genders },
  { "age_band",        ITEM_CODE,     cdm_age_bands },
  { "region",          ITEM_CODE,     cdm_regions },
  { "status",          ITEM_CODE,     cdm_statuses },
  { "education",       ITEM_CODE,     cdm_education_levels },
  { "foreign_diploma", ITEM_BOOL,     NULL },
  { "language",        ITEM_LANGUAGE, NULL },
  { "first_visit",     ITEM_BOOL,     NULL },
  { "heard_from",      ITEM_CODE,     cdm_heard_from },
};
#define N_PROFILE_ITEMS G_N_ELEMENTS (profile_items)

static const char * const bool_codes[] = { "no", "yes", NULL };

static Vocabulary services;
static Vocabulary channels;
static Vocabulary programmes;
static Vocabulary tally_kinds;
static Vocabulary scopes;
static Vocabulary profile_vocabularies[N_PROFILE_ITEMS];

static void
vocabulary_init (Vocabulary         *v,
                 const char * const *codes)
{
  v->codes = codes;
  memset (v->slots, HASH_EMPTY, sizeof v->slots);
  for (v->n = 0; codes[v->n] != NULL; v->n++)
    {
      guint h = hash_code ((const unsigned char *) codes[v->n]);

      /* The counters are fixed arrays; a vocabulary that outgrows them
       * must grow MAX_CODES with it. */
      g_assert (v->n < MAX_CODES);
      v->len[v->n] = strlen (codes[v->n]);
      v->slots[h] = v->slots[h] == HASH_EMPTY ? (gint8) v->n : HASH_SHARED;
    }
}

static void
init_vocabularies (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;

  vocabulary_init (&services, cdm_services);
  g_assert (services.n <= 2);  /* ContactCounts.contacts */
  vocabulary_init (&channels, cdm_channels);
  vocabulary_init (&programmes, cdm_programmes);
  vocabulary_init (&tally_kinds, cdm_tally_kinds);
  vocabulary_init (&scopes, cdm_closure_scopes);

  /* The profile items here and in the schema must be the same list. */
  g_assert (cdm_n_profile_fields == N_PROFILE_ITEMS);
  for (guint i = 0; i < N_PROFILE_ITEMS; i++)
    {
      g_assert (g_str_equal (cdm_profile_fields[i].name, profile_items[i].name));
      vocabulary_init (&profile_vocabularies[i],
                       profile_items[i].kind == ITEM_CODE ? profile_items[i].codes : bool_codes);
    }

  g_once_init_leave (&done, 1);
}

/* The index of @text (@len bytes) in @v, or -1. */
static inline int
vocabulary_lookup (const Vocabulary    *v,
                   const unsigned char *text,
                   int                  len)
{
  int slot;

  if (text == NULL || len <= 0)
    return -1;

  slot = v->slots[hash_code (text)];
  if (slot >= 0)
    return len == v->len[slot] && memcmp (v->codes[slot], text, len) == 0 ? slot : -1;
  if (slot == HASH_SHARED)
    for (guint i = 0; i < v->n; i++)
      if (len == v->len[i] && memcmp (v->codes[i], text, len) == 0)
        return i;
  return -1;
}

/* The code index of a text value, or -1 (for NULL too). */
static inline int
value_code (const Vocabulary *v,
            sqlite3_value    *value)
{
  const unsigned char *text = sqlite3_value_text (value);

  return vocabulary_lookup (v, text, text != NULL ? sqlite3_value_bytes (value) : 0);
}

/* The report */

/* What the contact pass counts; handed back from SQL as a blob. */
typedef struct {
  gint64 contacts[N_MONTHS][2][MAX_CODES];  /* [month][service][channel] */
  gint64 programmes[MAX_CODES];
  gint64 profile[N_PROFILE_ITEMS][MAX_CODES + 1];  /* codes, then unknown */
  gint64 languages[N_LANGUAGE_SLOTS];              /* "aa".."zz" */
  gint64 remote_within;
  gint64 remote_late;
  gint64 remote_unanswered;
  /* The period's first and last days "YYYY-MM-DD", read from the first
   * row's arguments; the last may be "YYYY-MM-31" for any month. */
  char first[10];
  char last[10];
} ContactCounts;

/* What the cells need besides what they show. */
typedef struct {
  gint64 raw;          /* a count before suppression */
  gint64 part;         /* a share: part / whole */
  gint64 whole;
  int share_of;        /* a share: the count cell of its part, or -1 */
  gboolean exempt;     /* a figure of the whole centre: never withheld */
} CellInfo;

struct _CdmReport {
  gatomicrefcount ref_count;
  int year;
  guint from;                        /* month indexes 0..11, inclusive */
  guint to;
  char *organisation;                /* NULL: the whole centre */
  char *organisation_names[3];       /* fr, nl, en; any may be NULL */
  char *organisation_acronym;
  char *centre_name;
  int threshold;                     /* in force: 0 for the centre */
  char period[32];                   /* "2020", "2020-03", "2020-03/2020-06" */

  gboolean has_projection;
  gint64 projection;
  guint days_elapsed;
  guint days_in_year;

  GArray *closures;                  /* CdmReportClosure */
  GStringChunk *strings;             /* reasons, figure and breakdown names */

  GArray *cells;                     /* CdmReportCell */
  GArray *cell_info;                 /* CellInfo, one per cell */
  GPtrArray *groups;                 /* GArray of cell indexes */
  GHashTable *cell_index;            /* "figure\x1fbreakdown\x1fmonth" -> index + 1 */

  ContactCounts c;

  gint64 held[N_MONTHS][2];          /* [month][0 in person, 1 online] */
  gint64 participants[N_MONTHS][2];
  gint64 programme_participants[MAX_CODES];

  gint64 tallies[N_MONTHS];
  gint64 tallies_by_kind[MAX_CODES];

  gint64 responses;
  gint64 satisfied;
  gint64 excellent;
  gint64 recommend_answers;
  gint64 recommend_yes;
  gint64 found_answers;
  gint64 found_yes;

  guint closed[N_MONTHS];            /* bit i: cdm_closure_scopes[i] */

  gint64 objective;
};

static CdmReport *
report_new (int year)
{
  CdmReport *report = g_new0 (CdmReport, 1);

  g_atomic_ref_count_init (&report->ref_count);
  report->year = year;
  report->to = N_MONTHS - 1;
  report->objective = CDM_REPORT_DEFAULT_OBJECTIVE;
  report->closures = g_array_new (FALSE, TRUE, sizeof (CdmReportClosure));
  report->strings = g_string_chunk_new (1024);
  report->cells = g_array_new (FALSE, TRUE, sizeof (CdmReportCell));
  report->cell_info = g_array_new (FALSE, TRUE, sizeof (CellInfo));
  report->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  report->cell_index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return report;
}

CdmReport *
cdm_report_ref (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);

  g_atomic_ref_count_inc (&report->ref_count);
  return report;
}

void
cdm_report_unref (CdmReport *report)
{
  g_return_if_fail (report != NULL);

  if (g_atomic_ref_count_dec (&report->ref_count))
    {
      g_free (report->organisation);
      for (guint i = 0; i < G_N_ELEMENTS (report->organisation_names); i++)
        g_free (report->organisation_names[i]);
      g_free (report->organisation_acronym);
      g_free (report->centre_name);
      g_array_unref (report->closures);
      g_string_chunk_free (report->strings);
      g_array_unref (report->cells);
      g_array_unref (report->cell_info);
      g_ptr_array_unref (report->groups);
      g_hash_table_unref (report->cell_index);
      g_free (report);
    }
}

/* The contact pass */

/* "YYYY-MM-DD" of the year @year ("YYYY"): the month index 0..11, or -1
 * for another year or a malformed day. */
static inline int
month_of_day (const unsigned char *day,
              const char           year[4])
{
  int month;

  if (day == NULL || day[0] != year[0] || day[1] != year[1] || day[2] != year[2] ||
      day[3] != year[3] || day[4] != '-' || !g_ascii_isdigit (day[5]) ||
      !g_ascii_isdigit (day[6]) || day[7] != '-')
    return -1;

  month = (day[5] - '0') * 10 + (day[6] - '0') - 1;
  return month >= 0 && month < N_MONTHS ? month : -1;
}

static void
count_profile_item (ContactCounts *counts,
                    guint          item,
                    sqlite3_value *value)
{
  int slot = -1;

  switch (profile_items[item].kind)
    {
    case ITEM_CODE:
      slot = value_code (&profile_vocabularies[item], value);
      break;
    case ITEM_BOOL:
      if (sqlite3_value_type (value) != SQLITE_NULL)
        slot = sqlite3_value_int (value) != 0;
      break;
    case ITEM_LANGUAGE:
      {
        const unsigned char *l = sqlite3_value_text (value);

        if (l != NULL && l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z' && l[2] == '\0')
          {
            counts->languages[(l[0] - 'a') * 26 + (l[1] - 'a')]++;
            return;
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }

  /* No answer, or one the schema would have refused: unknown. */
  counts->profile[item][slot >= 0 ? slot : UNKNOWN_SLOT]++;
}

/* "YYYY-MM-DD" within the period of @counts: the month index 0..11, or
 * -1 outside it or for a malformed day. */
static inline int
period_month (const unsigned char *day,
              const ContactCounts *counts)
{
  if (day == NULL || strnlen ((const char *) day, 10) != 10 ||
      memcmp (day, counts->first, 10) < 0 || memcmp (day, counts->last, 10) > 0)
    return -1;
  return month_of_day (day, counts->first);
}

enum {
  ARG_FIRST,
  ARG_LAST,
  ARG_DAY,
  ARG_SERVICE,
  ARG_CHANNEL,
  ARG_PROGRAMMES,
  ARG_PROFILE,
  ARG_RECEIVED_DAY = ARG_PROFILE + N_PROFILE_ITEMS,
  ARG_RECEIVED_UNIX,
  ARG_ANSWERED_UNIX,
  N_CONTACT_ARGS
};

/* cdm_report_contacts(first, last, day, service, channel, programmes,
 * profile items..., received_day, received_unix, answered_unix): one row
 * of the contact pass.  A row may be in the pass for its day, for its
 * received day, or both; each part checks its own.  Every call into
 * SQLite here runs a million times a year: a text value is NULL for SQL
 * NULL, so it needs no separate type check. */
static void
contacts_step (sqlite3_context  *context,
               int               argc,
               sqlite3_value   **argv)
{
  ContactCounts *counts = sqlite3_aggregate_context (context, sizeof (ContactCounts));
  const unsigned char *received_day;
  int month;

  if (counts == NULL)
    {
      sqlite3_result_error_nomem (context);
      return;
    }
  if (counts->first[0] == '\0')
    {
      const char *first = (const char *) sqlite3_value_text (argv[ARG_FIRST]);
      const char *last = (const char *) sqlite3_value_text (argv[ARG_LAST]);

      if (first == NULL || last == NULL || strlen (first) != 10 || strlen (last) != 10)
        return;
      memcpy (counts->first, first, 10);
      memcpy (counts->last, last, 10);
    }

  month = period_month (sqlite3_value_text (argv[ARG_DAY]), counts);
  if (month >= 0)
    {
      int service = value_code (&services, argv[ARG_SERVICE]);
      int channel = value_code (&channels, argv[ARG_CHANNEL]);
      guint64 mask = sqlite3_value_int64 (argv[ARG_PROGRAMMES]);

      /* The store refuses unknown codes; a row with one counts nowhere
       * rather than somewhere wrong. */
      if (service >= 0 && channel >= 0)
        counts->contacts[month][service][channel]++;

      for (guint i = 0; mask != 0 && i < programmes.n; i++, mask >>= 1)
        if (mask & 1)
          counts->programmes[i]++;

      for (guint i = 0; i < N_PROFILE_ITEMS; i++)
        count_profile_item (counts, i, argv[ARG_PROFILE + i]);
    }

  received_day = sqlite3_value_text (argv[ARG_RECEIVED_DAY]);
  if (received_day != NULL && period_month (received_day, counts) >= 0)
    {
      if (sqlite3_value_type (argv[ARG_ANSWERED_UNIX]) == SQLITE_NULL)
        counts->remote_unanswered++;
      else if (sqlite3_value_int64 (argv[ARG_ANSWERED_UNIX]) -
               sqlite3_value_int64 (argv[ARG_RECEIVED_UNIX]) <= REMOTE_DEADLINE_SECONDS)
        counts->remote_within++;
      else
        counts->remote_late++;
    }
}

static void
contacts_final (sqlite3_context *context)
{
  ContactCounts *counts = sqlite3_aggregate_context (context, 0);

  if (counts == NULL)
    sqlite3_result_null (context);  /* no rows */
  else
    sqlite3_result_blob (context, counts, sizeof (ContactCounts), SQLITE_TRANSIENT);
}

/* Registers cdm_report_contacts() on the store's connection, once.  It is
 * DIRECTONLY: no trigger or view can call it. */
static gboolean
ensure_functions (CdmStore  *store,
                  GError   **error)
{
  sqlite3 *db = _cdm_store_get_db (store);
  int rc;

  if (g_object_get_data (G_OBJECT (store), "cdm-report-functions") == db)
    return TRUE;

  rc = sqlite3_create_function_v2 (db, "cdm_report_contacts", N_CONTACT_ARGS,
                                   SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL,
                                   NULL, contacts_step, contacts_final, NULL);
  if (rc != SQLITE_OK)
    {
      _cdm_store_set_error (error, db, rc, _("Preparing the figures failed"));
      return FALSE;
    }
  g_object_set_data (G_OBJECT (store), "cdm-report-functions", db);
  return TRUE;
}

#define CONTACT_COLUMNS \
  "?1, ?2, day, service, channel, programmes, " \
  "p_gender, p_age_band, p_region, p_status, p_education, " \
  "p_foreign_diploma, p_language, p_first_visit, p_heard_from, " \
  "received_day, received_unix, answered_unix"

static const char contacts_scan_sql[] =
  "SELECT cdm_report_contacts (" CONTACT_COLUMNS ") FROM contacts NOT INDEXED "
  "WHERE (day BETWEEN ?1 AND ?2 OR received_day BETWEEN ?1 AND ?2) AND deleted = 0";

/* Visits the year's rows through contacts_day and contacts_received. */
static const char contacts_indexed_sql[] =
  "SELECT cdm_report_contacts (" CONTACT_COLUMNS ") FROM contacts "
  "WHERE (day BETWEEN ?1 AND ?2 OR received_day BETWEEN ?1 AND ?2) AND deleted = 0";

/* The recount of one organisation's contacts: no index leads to them, so
 * the table is scanned whatever the span. */
static const char contacts_organisation_sql[] =
  "SELECT cdm_report_contacts (" CONTACT_COLUMNS ") FROM contacts NOT INDEXED "
  "WHERE (day BETWEEN ?1 AND ?2 OR received_day BETWEEN ?1 AND ?2) AND deleted = 0 "
  "AND organisation = ?3";

static const char contacts_span_sql[] =
  "SELECT (SELECT min (day) FROM contacts), (SELECT max (day) FROM contacts)";

static gboolean
parse_day (const unsigned char *text,
           GDate               *date)
{
  int y, m, d;

  g_date_clear (date, 1);
  if (text == NULL || sscanf ((const char *) text, "%4d-%2d-%2d", &y, &m, &d) != 3 ||
      !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static gboolean
finish_query (CdmStore      *store,
              sqlite3_stmt  *stmt,
              int            rc,
              GError       **error)
{
  if (rc != SQLITE_DONE)
    _cdm_store_set_error (error, _cdm_store_get_db (store), rc, _("Computing the figures failed"));
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

/* TRUE when the contact pass should scan the whole table; sets
 * @out_empty when the store has no contact at all. */
static gboolean
choose_scan (CdmStore  *store,
             gboolean  *out_scan,
             gboolean  *out_empty,
             GError   **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, contacts_span_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  *out_scan = TRUE;
  *out_empty = FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      GDate first, last;

      *out_empty = sqlite3_column_type (stmt, 0) == SQLITE_NULL;
      if (!*out_empty &&
          parse_day (sqlite3_column_text (stmt, 0), &first) &&
          parse_day (sqlite3_column_text (stmt, 1), &last))
        *out_scan = g_date_days_between (&first, &last) <= 366 * SCAN_SPAN_FACTOR;
      rc = sqlite3_step (stmt);
    }
  return finish_query (store, stmt, rc, error);
}

static gboolean
recount_contacts (CdmStore    *store,
                  CdmReport   *report,
                  const char  *first,
                  const char  *last,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean scan, empty;
  int rc;

  if (!choose_scan (store, &scan, &empty, error))
    return FALSE;
  if (empty)
    return TRUE;

  if (report->organisation != NULL)
    stmt = _cdm_store_prepare (store, contacts_organisation_sql, error);
  else
    stmt = _cdm_store_prepare (store, scan ? contacts_scan_sql : contacts_indexed_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last, -1, SQLITE_STATIC);
  if (report->organisation != NULL)
    sqlite3_bind_text (stmt, 3, report->organisation, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_bytes (stmt, 0) == sizeof (ContactCounts))
        memcpy (&report->c, sqlite3_column_blob (stmt, 0), sizeof (ContactCounts));
      rc = sqlite3_step (stmt);
    }
  return finish_query (store, stmt, rc, error);
}

/* The per-day figures of contact_stats (cdm-store-schema.c), added up
 * per month and key.  The keys hold raw values: each is checked here as
 * contacts_step() checks a contact's columns, so that both count alike. */
static const char contact_stats_sql[] =
  "SELECT substr (day, 1, 8), key, sum (n) FROM contact_stats "
  "WHERE day BETWEEN ?1 AND ?2 GROUP BY 1, 2";

/* The same for the contacts of one organisation (contact_org_stats). */
static const char contact_org_stats_sql[] =
  "SELECT substr (day, 1, 8), key, sum (n) FROM contact_org_stats "
  "WHERE organisation = ?3 AND day BETWEEN ?1 AND ?2 GROUP BY 1, 2";

/* A count under key @rest of profile item @item ("gender:<rest>"). */
static void
add_profile_item (ContactCounts *counts,
                  guint          item,
                  const char    *rest,
                  gint64         n)
{
  int slot = -1;

  switch (profile_items[item].kind)
    {
    case ITEM_CODE:
      slot = vocabulary_lookup (&profile_vocabularies[item], (const unsigned char *) rest, strlen (rest));
      break;
    case ITEM_BOOL:
      /* The integer's text; empty for no answer. */
      if (rest[0] != '\0')
        slot = g_ascii_strtoll (rest, NULL, 10) != 0;
      break;
    case ITEM_LANGUAGE:
      if (rest[0] >= 'a' && rest[0] <= 'z' && rest[1] >= 'a' && rest[1] <= 'z' && rest[2] == '\0')
        {
          counts->languages[(rest[0] - 'a') * 26 + (rest[1] - 'a')] += n;
          return;
        }
      break;
    default:
      g_assert_not_reached ();
    }

  counts->profile[item][slot >= 0 ? slot : UNKNOWN_SLOT] += n;
}

/* Adds @n contacts of month @month under @key to @counts. */
static void
add_contact_stat (ContactCounts *counts,
                  int            month,
                  const char    *key,
                  gint64         n)
{
  const char *colon = strchr (key, ':');
  const char *rest;
  gsize len;

  if (colon == NULL)
    return;
  len = colon - key;
  rest = colon + 1;

#define IS_KEY(name) (len == strlen (name) && memcmp (key, name, len) == 0)

  if (IS_KEY ("channel"))
    {
      /* "<service>:<channel>": codes hold no ':', and a service that
       * does is no code, so the first ':' splits them. */
      const char *sep = strchr (rest, ':');
      int service, channel;

      if (sep == NULL)
        return;
      service = vocabulary_lookup (&services, (const unsigned char *) rest, sep - rest);
      channel = vocabulary_lookup (&channels, (const unsigned char *) sep + 1, strlen (sep + 1));
      if (service >= 0 && channel >= 0)
        counts->contacts[month][service][channel] += n;
    }
  else if (IS_KEY ("programmes"))
    {
      guint64 mask = (guint64) g_ascii_strtoll (rest, NULL, 10);

      for (guint i = 0; mask != 0 && i < programmes.n; i++, mask >>= 1)
        if (mask & 1)
          counts->programmes[i] += n;
    }
  else if (IS_KEY ("remote"))
    {
      if (g_str_equal (rest, "within_48h"))
        counts->remote_within += n;
      else if (g_str_equal (rest, "answered_late"))
        counts->remote_late += n;
      else if (g_str_equal (rest, "unanswered"))
        counts->remote_unanswered += n;
    }
  else
    {
      for (guint i = 0; i < N_PROFILE_ITEMS; i++)
        if (IS_KEY (profile_items[i].name))
          {
            add_profile_item (counts, i, rest, n);
            break;
          }
    }

#undef IS_KEY
}

static gboolean
count_contacts (CdmStore    *store,
                CdmReport   *report,
                const char  *first,
                const char  *last,
                GError     **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, report->organisation != NULL ? contact_org_stats_sql
                                                                              : contact_stats_sql, error);
  char year[4];
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last, -1, SQLITE_STATIC);
  if (report->organisation != NULL)
    sqlite3_bind_text (stmt, 3, report->organisation, -1, SQLITE_STATIC);
  memcpy (year, first, 4);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      /* "YYYY-MM-": the same check of the day as the contact pass. */
      int month = month_of_day (sqlite3_column_text (stmt, 0), year);
      const char *key = (const char *) sqlite3_column_text (stmt, 1);

      if (month >= 0 && key != NULL)
        add_contact_stat (&report->c, month, key, sqlite3_column_int64 (stmt, 2));
    }
  return finish_query (store, stmt, rc, error);
}

/* "MM" (from substr (day, 6, 2)) as a month index, or -1. */
static int
column_month (sqlite3_stmt *stmt,
              int           col)
{
  const unsigned char *mm = sqlite3_column_text (stmt, col);
  int month;

  if (mm == NULL || !g_ascii_isdigit (mm[0]) || !g_ascii_isdigit (mm[1]) || mm[2] != '\0')
    return -1;
  month = (mm[0] - '0') * 10 + (mm[1] - '0') - 1;
  return month >= 0 && month < N_MONTHS ? month : -1;
}

static int
column_code (sqlite3_stmt     *stmt,
             int               col,
             const Vocabulary *v)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return vocabulary_lookup (v, text, text != NULL ? sqlite3_column_bytes (stmt, col) : 0);
}

/* Held activities by month, mode and programmes, with their participants:
 * the live attendance rows of each, read from the covering index
 * attendance_activity.  Attendance of activities that are not held is
 * never read. */
static const char activities_sql[] =
  "SELECT substr (a.day, 6, 2), a.mode = 'online', a.programmes, count (*), "
  "       coalesce (sum ((SELECT sum (t.count) FROM attendance AS t "
  "                       WHERE t.activity = a.id AND t.deleted = 0)), 0) "
  "FROM activities AS a "
  "WHERE a.day BETWEEN ?1 AND ?2 AND a.status = 'held' AND a.deleted = 0 "
  "AND (?3 IS NULL OR EXISTS (SELECT 1 FROM activity_organisers AS o "
  "                           WHERE o.activity = a.id AND o.organisation = ?3)) "
  "GROUP BY 1, 2, 3";

static gboolean
count_activities (CdmStore    *store,
                  CdmReport   *report,
                  const char  *first,
                  const char  *last,
                  GError     **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, activities_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last, -1, SQLITE_STATIC);
  if (report->organisation != NULL)
    sqlite3_bind_text (stmt, 3, report->organisation, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 3);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int month = column_month (stmt, 0);
      int online = sqlite3_column_int (stmt, 1) != 0;
      guint64 mask = sqlite3_column_int64 (stmt, 2);
      gint64 participants = sqlite3_column_int64 (stmt, 4);

      if (month < 0)
        continue;
      report->held[month][online] += sqlite3_column_int64 (stmt, 3);
      report->participants[month][online] += participants;
      for (guint i = 0; mask != 0 && i < programmes.n; i++, mask >>= 1)
        if (mask & 1)
          report->programme_participants[i] += participants;
    }
  return finish_query (store, stmt, rc, error);
}

static const char tallies_sql[] =
  "SELECT substr (day, 6, 2), kind, sum (count) FROM multimedia_tallies "
  "WHERE day BETWEEN ?1 AND ?2 AND deleted = 0 GROUP BY 1, 2";

static gboolean
count_tallies (CdmStore    *store,
               CdmReport   *report,
               const char  *first,
               const char  *last,
               GError     **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, tallies_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last, -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int month = column_month (stmt, 0);
      int kind = column_code (stmt, 1, &tally_kinds);
      gint64 count = sqlite3_column_int64 (stmt, 2);

      if (month < 0)
        continue;
      report->tallies[month] += count;
      if (kind >= 0)
        report->tallies_by_kind[kind] += count;
    }
  return finish_query (store, stmt, rc, error);
}

static const char satisfaction_sql[] =
  "SELECT count (*), sum (score >= 6), sum (score >= 9), "
  "       count (recommend), sum (recommend), count (found), sum (found) "
  "FROM satisfaction WHERE answered_on BETWEEN ?1 AND ?2 AND deleted = 0";

static gboolean
count_satisfaction (CdmStore    *store,
                    CdmReport   *report,
                    const char  *first,
                    const char  *last,
                    GError     **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, satisfaction_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      /* sum () of no rows is NULL, which reads as 0. */
      report->responses = sqlite3_column_int64 (stmt, 0);
      report->satisfied = sqlite3_column_int64 (stmt, 1);
      report->excellent = sqlite3_column_int64 (stmt, 2);
      report->recommend_answers = sqlite3_column_int64 (stmt, 3);
      report->recommend_yes = sqlite3_column_int64 (stmt, 4);
      report->found_answers = sqlite3_column_int64 (stmt, 5);
      report->found_yes = sqlite3_column_int64 (stmt, 6);
      rc = sqlite3_step (stmt);
    }
  return finish_query (store, stmt, rc, error);
}

static const char closures_sql[] =
  "SELECT from_day, to_day, scope, reason FROM closures "
  "WHERE from_day <= ?2 AND to_day >= ?1 AND deleted = 0";

/* The day of the year of "YYYY-MM-DD", clamped to @year's days. */
static guint
day_of_year (const char *text,
             int         year)
{
  GDate date;

  if (!parse_day ((const unsigned char *) text, &date))
    return 1;
  if (g_date_get_year (&date) < year)
    return 1;
  if (g_date_get_year (&date) > year)
    return g_date_is_leap_year (year) ? 366 : 365;
  return g_date_get_day_of_year (&date);
}

static int
compare_closures (gconstpointer a,
                  gconstpointer b)
{
  const CdmReportClosure *x = a, *y = b;
  int c = strcmp (x->from, y->from);

  if (c != 0)
    return c;
  c = vocabulary_lookup (&scopes, (const unsigned char *) x->scope, strlen (x->scope)) -
      vocabulary_lookup (&scopes, (const unsigned char *) y->scope, strlen (y->scope));
  return c != 0 ? c : strcmp (x->to, y->to);
}

static gboolean
count_closures (CdmStore    *store,
                CdmReport   *report,
                const char  *first,
                const char  *last,
                GError     **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, closures_sql, error);
  char period_last[16];
  int rc;

  if (stmt == NULL)
    return FALSE;
  g_snprintf (period_last, sizeof period_last, "%04d-%02u-%02u", report->year, report->to + 1,
              (guint) g_date_get_days_in_month (report->to + 1, report->year));
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last, -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *from = (const char *) sqlite3_column_text (stmt, 0);
      const char *to = (const char *) sqlite3_column_text (stmt, 1);
      const char *reason = (const char *) sqlite3_column_text (stmt, 3);
      int scope = column_code (stmt, 2, &scopes);
      CdmReportClosure closure = { 0, };

      if (from == NULL || to == NULL || scope < 0 || strlen (from) != 10 || strlen (to) != 10)
        continue;

      /* Days are "YYYY-MM-DD", so they compare as text; "YYYY-MM-31" is
       * after every day of any month. */
      for (guint m = report->from; m <= report->to; m++)
        {
          char month_first[16], month_last[16];

          g_snprintf (month_first, sizeof month_first, "%04d-%02u-01", report->year, m + 1);
          g_snprintf (month_last, sizeof month_last, "%04d-%02u-31", report->year, m + 1);
          if (strcmp (from, month_last) <= 0 && strcmp (to, month_first) >= 0)
            report->closed[m] |= 1u << scope;
        }

      closure.scope = scopes.codes[scope];
      closure.reason = reason != NULL ? g_string_chunk_insert_const (report->strings, reason) : NULL;
      memcpy (closure.from, from, 10);
      memcpy (closure.to, to, 10);
      /* @last may be "YYYY-MM-31" of a shorter month: clip to the real one. */
      closure.first_day = day_of_year (strcmp (from, first) < 0 ? first : from, report->year);
      closure.last_day = strcmp (to, period_last) > 0 ? day_of_year (period_last, report->year)
                                                      : day_of_year (to, report->year);
      g_array_append_val (report->closures, closure);
    }
  g_array_sort (report->closures, compare_closures);
  return finish_query (store, stmt, rc, error);
}

static const char organisation_sql[] =
  "SELECT name_fr, name_nl, name_en, acronym FROM organisations WHERE id = ?1 AND deleted = 0";

/* Reads the organisation's names; fails when there is no such live one. */
static gboolean
read_organisation (CdmStore   *store,
                   CdmReport  *report,
                   GError    **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, organisation_sql, error);
  gboolean found = FALSE;
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, report->organisation, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      found = TRUE;
      for (guint i = 0; i < 3; i++)
        report->organisation_names[i] = g_strdup ((const char *) sqlite3_column_text (stmt, i));
      report->organisation_acronym = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      rc = sqlite3_step (stmt);
    }
  if (!finish_query (store, stmt, rc, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_UNKNOWN_ORGANISATION,
                   _("No organisation has the id “%s”"), report->organisation);
      return FALSE;
    }
  return TRUE;
}

gint64
cdm_report_objective (CdmStore *store)
{
  g_autofree char *value = NULL;
  guint64 objective;

  g_return_val_if_fail (CDM_IS_STORE (store), CDM_REPORT_DEFAULT_OBJECTIVE);

  value = cdm_store_get_setting (store, "objective");
  if (value == NULL ||
      !g_ascii_string_to_unsigned (g_strstrip (value), 10, 1, G_MAXINT64, &objective, NULL))
    return CDM_REPORT_DEFAULT_OBJECTIVE;
  return objective;
}

/* The threshold of @options, reading the setting when asked to. */
static gboolean
resolve_threshold (CdmStore                *store,
                   const CdmReportOptions  *options,
                   int                     *out_threshold,
                   GError                 **error)
{
  g_autofree char *value = NULL;
  guint64 threshold;

  if (options->threshold != CDM_REPORT_THRESHOLD_FROM_STORE)
    {
      if (options->threshold < 0 || options->threshold > CDM_REPORT_MAX_THRESHOLD)
        {
          g_set_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_BAD_THRESHOLD,
                       _("The suppression threshold %d is not between 0 and %d"),
                       options->threshold, CDM_REPORT_MAX_THRESHOLD);
          return FALSE;
        }
      *out_threshold = options->threshold;
      return TRUE;
    }

  value = cdm_store_get_setting (store, "suppression_threshold");
  if (value == NULL)
    {
      *out_threshold = CDM_REPORT_DEFAULT_THRESHOLD;
      return TRUE;
    }
  /* A setting that is not a number must not silently disable it. */
  if (!g_ascii_string_to_unsigned (g_strstrip (value), 10, 0, CDM_REPORT_MAX_THRESHOLD,
                                   &threshold, NULL))
    {
      g_set_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_BAD_THRESHOLD,
                   _("The “suppression_threshold” setting “%s” is not a number between 0 and %d"),
                   value, CDM_REPORT_MAX_THRESHOLD);
      return FALSE;
    }
  *out_threshold = (int) threshold;
  return TRUE;
}

void
cdm_report_options_init (CdmReportOptions *options,
                         int               year)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->year = year;
  options->from_month = 1;
  options->to_month = N_MONTHS;
  options->threshold = CDM_REPORT_THRESHOLD_FROM_STORE;
}

static gboolean
check_options (const CdmReportOptions  *options,
               GError                 **error)
{
  if (options->year < CDM_REPORT_MIN_YEAR || options->year > CDM_REPORT_MAX_YEAR)
    {
      g_set_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_BAD_YEAR,
                   _("The year %d is not between %d and %d"),
                   options->year, CDM_REPORT_MIN_YEAR, CDM_REPORT_MAX_YEAR);
      return FALSE;
    }
  if (options->from_month < 1 || options->from_month > N_MONTHS ||
      options->to_month < 1 || options->to_month > N_MONTHS)
    {
      g_set_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_BAD_MONTHS,
                   _("The months %u to %u are not between 1 and 12"),
                   options->from_month, options->to_month);
      return FALSE;
    }
  if (options->from_month > options->to_month)
    {
      g_set_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_BAD_MONTHS,
                   _("The month range %u to %u ends before it starts"),
                   options->from_month, options->to_month);
      return FALSE;
    }
  if (options->organisation != NULL && options->organisation[0] == '\0')
    {
      g_set_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_UNKNOWN_ORGANISATION,
                   _("The organisation id is empty"));
      return FALSE;
    }
  return TRUE;
}

/* The year-end projection (cdm_report_get_projection()). */
static void
project (CdmStore               *store,
         CdmReport              *report,
         const CdmReportOptions *options)
{
  g_autofree char *now = NULL;
  const char *today = options->today;
  GDate date;
  gint64 total;

  if (report->organisation != NULL || report->from != 0 || report->to != N_MONTHS - 1)
    return;
  if (today == NULL)
    {
      g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (store);
      g_autoptr(GDateTime) dt = g_date_time_new_now (zone);

      now = g_date_time_format (dt, "%Y-%m-%d");
      today = now;
    }
  if (!parse_day ((const unsigned char *) today, &date) || g_date_get_year (&date) != report->year)
    return;

  total = cdm_report_get_total_contacts (report);
  report->days_elapsed = g_date_get_day_of_year (&date);
  report->days_in_year = g_date_is_leap_year (report->year) ? 366 : 365;
  report->projection = (gint64) ((double) total * report->days_in_year / report->days_elapsed + 0.5);
  report->has_projection = TRUE;
}

static void build_cells (CdmReport *report);
static void build_projection_cell (CdmReport *report);

/* @recount: count the contacts one by one instead of reading
 * contact_stats (see cdm-report-private.h). */
static CdmReport *
compute (CdmStore                *store,
         const CdmReportOptions  *options,
         gboolean                 recount,
         GCancellable            *cancellable,
         GError                 **error)
{
  g_autoptr(CdmReport) report = NULL;
  sqlite3 *db;
  char first[16], last[16];
  int threshold;
  gboolean ok;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_options (options, error) ||
      !resolve_threshold (store, options, &threshold, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  init_vocabularies ();
  report = report_new (options->year);
  report->from = options->from_month - 1;
  report->to = options->to_month - 1;
  report->organisation = g_strdup (options->organisation);
  /* The whole centre is no breakdown finer than itself. */
  report->threshold = report->organisation != NULL ? threshold : 0;
  report->centre_name = cdm_store_get_setting (store, "centre_name");
  if (report->from == 0 && report->to == N_MONTHS - 1)
    g_snprintf (report->period, sizeof report->period, "%04d", report->year);
  else if (report->from == report->to)
    g_snprintf (report->period, sizeof report->period, "%04d-%02u", report->year, report->from + 1);
  else
    g_snprintf (report->period, sizeof report->period, "%04d-%02u/%04d-%02u",
                report->year, report->from + 1, report->year, report->to + 1);
  g_snprintf (first, sizeof first, "%04d-%02u-01", options->year, report->from + 1);
  g_snprintf (last, sizeof last, "%04d-%02u-31", options->year, report->to + 1);

  _cdm_store_lock (store);
  db = _cdm_store_get_db (store);
  if (cancellable != NULL)
    _cdm_store_watch_cancellable (store, cancellable);

  /* One snapshot for every figure; a savepoint nests in a transaction the
   * calling thread may have open. */
  ok = !recount || ensure_functions (store, error);
  if (ok)
    {
      rc = sqlite3_exec (db, "SAVEPOINT cdm_report", NULL, NULL, NULL);
      if (rc != SQLITE_OK)
        {
          _cdm_store_set_error (error, db, rc, _("Computing the figures failed"));
          ok = FALSE;
        }
    }
  if (ok)
    {
      report->objective = report->organisation == NULL ? cdm_report_objective (store) : 0;
      ok = (report->organisation == NULL || read_organisation (store, report, error)) &&
           (recount ? recount_contacts (store, report, first, last, error)
                    : count_contacts (store, report, first, last, error)) &&
           count_activities (store, report, first, last, error) &&
           /* The tallies are the centre's: no organisation counts them. */
           (report->organisation != NULL || count_tallies (store, report, first, last, error)) &&
           count_satisfaction (store, report, first, last, error) &&
           count_closures (store, report, first, last, error);
      /* Nothing was written: releasing ends the read either way. */
      sqlite3_exec (db, "RELEASE cdm_report", NULL, NULL, NULL);
    }

  if (cancellable != NULL)
    _cdm_store_unwatch_cancellable (store);
  _cdm_store_unlock (store);

  if (!ok)
    return NULL;

  build_cells (report);
  project (store, report, options);
  if (report->has_projection)
    build_projection_cell (report);
  return g_steal_pointer (&report);
}

CdmReport *
cdm_report_compute_full (CdmStore                *store,
                         const CdmReportOptions  *options,
                         GCancellable            *cancellable,
                         GError                 **error)
{
  return compute (store, options, FALSE, cancellable, error);
}

CdmReport *
cdm_report_compute (CdmStore      *store,
                    int            year,
                    GCancellable  *cancellable,
                    GError       **error)
{
  CdmReportOptions options;

  cdm_report_options_init (&options, year);
  return compute (store, &options, FALSE, cancellable, error);
}

CdmReport *
_cdm_report_compute_recount (CdmStore      *store,
                             int            year,
                             GCancellable  *cancellable,
                             GError       **error)
{
  CdmReportOptions options;

  cdm_report_options_init (&options, year);
  return compute (store, &options, TRUE, cancellable, error);
}

CdmReport *
_cdm_report_compute_full_recount (CdmStore                *store,
                                  const CdmReportOptions  *options,
                                  GCancellable            *cancellable,
                                  GError                 **error)
{
  return compute (store, options, TRUE, cancellable, error);
}

/* The options of an async computation, with their strings. */
typedef struct {
  CdmReportOptions options;
  char *organisation;
  char *today;
} OptionsCopy;

static void
options_copy_free (gpointer data)
{
  OptionsCopy *copy = data;

  g_free (copy->organisation);
  g_free (copy->today);
  g_free (copy);
}

static OptionsCopy *
options_copy (const CdmReportOptions *options)
{
  OptionsCopy *copy = g_new0 (OptionsCopy, 1);

  copy->options = *options;
  copy->organisation = g_strdup (options->organisation);
  copy->today = g_strdup (options->today);
  copy->options.organisation = copy->organisation;
  copy->options.today = copy->today;
  return copy;
}

static void
compute_thread (GTask        *task,
                CdmStore     *store,
                gpointer      task_data,
                GCancellable *cancellable)
{
  OptionsCopy *copy = task_data;
  GError *error = NULL;
  CdmReport *report = cdm_report_compute_full (store, &copy->options, cancellable, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) cdm_report_unref);
}

void
cdm_report_compute_full_async (CdmStore                *store,
                               const CdmReportOptions  *options,
                               GCancellable            *cancellable,
                               GAsyncReadyCallback      callback,
                               gpointer                 user_data)
{
  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _cdm_store_run_in_thread (store, cdm_report_compute_full_async, compute_thread,
                            options_copy (options), options_copy_free,
                            cancellable, callback, user_data);
}

CdmReport *
cdm_report_compute_full_finish (CdmStore      *store,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_report_compute_full_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cdm_report_compute_async (CdmStore            *store,
                          int                  year,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  CdmReportOptions options;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  cdm_report_options_init (&options, year);
  _cdm_store_run_in_thread (store, cdm_report_compute_async, compute_thread,
                            options_copy (&options), options_copy_free,
                            cancellable, callback, user_data);
}

CdmReport *
cdm_report_compute_finish (CdmStore      *store,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_report_compute_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Figures, as the counters hold them (before suppression) */

static gint64
month_advice (CdmReport *report,
              guint      m)
{
  gint64 n = 0;

  for (guint ch = 0; ch < channels.n; ch++)
    n += report->c.contacts[m][0][ch];
  return n;
}

static gint64
month_advice_channel (CdmReport *report,
                      guint      ch)
{
  gint64 n = 0;

  for (guint m = 0; m < N_MONTHS; m++)
    n += report->c.contacts[m][0][ch];
  return n;
}

static gint64
month_multimedia_records (CdmReport *report,
                          guint      m)
{
  gint64 n = 0;

  for (guint ch = 0; ch < channels.n; ch++)
    n += report->c.contacts[m][1][ch];
  return n;
}

static gint64
month_multimedia (CdmReport *report,
                  guint      m)
{
  return report->tallies[m] + month_multimedia_records (report, m);
}

static gint64
month_participants (CdmReport *report,
                    guint      m)
{
  return report->participants[m][0] + report->participants[m][1];
}

static gint64
month_total (CdmReport *report,
             guint      m)
{
  return month_advice (report, m) + month_participants (report, m) + month_multimedia (report, m);
}

/* Sums a per-month figure over the year (months outside the period hold
 * nothing: every query stops at the period). */
static gint64
year_sum (CdmReport *report,
          gint64   (*per_month) (CdmReport *, guint))
{
  gint64 n = 0;

  for (guint m = 0; m < N_MONTHS; m++)
    n += per_month (report, m);
  return n;
}

static gint64
held_in (CdmReport *report,
         int        online)
{
  gint64 n = 0;

  for (guint m = 0; m < N_MONTHS; m++)
    n += report->held[m][online];
  return n;
}

static gint64
participants_in (CdmReport *report,
                 int        online)
{
  gint64 n = 0;

  for (guint m = 0; m < N_MONTHS; m++)
    n += report->participants[m][online];
  return n;
}

static gint64
sum_array (const gint64 *values,
           guint         n)
{
  gint64 sum = 0;

  for (guint i = 0; i < n; i++)
    sum += values[i];
  return sum;
}

static gint64
remote_requests (CdmReport *report)
{
  return report->c.remote_within + report->c.remote_late + report->c.remote_unanswered;
}

static gint64
profile_known (CdmReport *report,
               guint      item)
{
  if (profile_items[item].kind == ITEM_LANGUAGE)
    return sum_array (report->c.languages, N_LANGUAGE_SLOTS);
  return sum_array (report->c.profile[item], profile_vocabularies[item].n);
}

/* A language slot back to its code. */
static void
language_code (guint slot,
               char  code[3])
{
  code[0] = 'a' + slot / 26;
  code[1] = 'a' + slot % 26;
  code[2] = '\0';
}

/* The languages answered, most frequent first (then by code). */
static GArray *
sorted_languages (CdmReport *report)
{
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < N_LANGUAGE_SLOTS; i++)
    if (report->c.languages[i] > 0)
      g_array_append_val (slots, i);

  /* Insertion sort: a handful of languages. */
  for (guint i = 1; i < slots->len; i++)
    for (guint j = i; j > 0; j--)
      {
        guint a = g_array_index (slots, guint, j - 1);
        guint b = g_array_index (slots, guint, j);

        if (report->c.languages[a] >= report->c.languages[b])
          break;
        g_array_index (slots, guint, j - 1) = b;
        g_array_index (slots, guint, j) = a;
      }
  return slots;
}

/* Cells: every figure once, suppression applied once */

static char *
cell_key (const char *figure,
          const char *breakdown,
          guint       month)
{
  return g_strdup_printf ("%s\x1f%s\x1f%u", figure, breakdown != NULL ? breakdown : "", month);
}

static guint
add_cell (CdmReport         *report,
          const char        *table,
          const char        *figure,
          const char        *breakdown,
          guint              month,
          CdmReportCellKind  kind)
{
  CdmReportCell cell = { 0, };
  CellInfo info = { 0, };
  guint index = report->cells->len;

  cell.table = table;
  cell.figure = g_string_chunk_insert_const (report->strings, figure);
  cell.breakdown = g_string_chunk_insert_const (report->strings, breakdown != NULL ? breakdown : "");
  cell.month = month;
  cell.kind = kind;
  cell.known = TRUE;
  info.share_of = -1;
  info.exempt = report->threshold == 0;
  g_array_append_val (report->cells, cell);
  g_array_append_val (report->cell_info, info);
  g_hash_table_insert (report->cell_index, cell_key (figure, breakdown, month),
                       GUINT_TO_POINTER (index + 1));
  return index;
}

#define CELL(report, i) (&g_array_index ((report)->cells, CdmReportCell, (i)))
#define INFO(report, i) (&g_array_index ((report)->cell_info, CellInfo, (i)))

static guint
add_count (CdmReport  *report,
           const char *table,
           const char *figure,
           const char *breakdown,
           guint       month,
           gint64      value)
{
  guint i = add_cell (report, table, figure, breakdown, month, CDM_REPORT_CELL_COUNT);

  CELL (report, i)->count = value;
  INFO (report, i)->raw = value;
  return i;
}

/* A share @part / @whole; @part_cell is the count cell of @part, or -1. */
static guint
add_share (CdmReport  *report,
           const char *table,
           const char *figure,
           const char *breakdown,
           guint       month,
           int         part_cell,
           gint64      part,
           gint64      whole)
{
  guint i = add_cell (report, table, figure, breakdown, month, CDM_REPORT_CELL_SHARE);

  CELL (report, i)->known = whole > 0;
  CELL (report, i)->share = whole > 0 ? (double) part / (double) whole : 0.0;
  INFO (report, i)->part = part;
  INFO (report, i)->whole = whole;
  INFO (report, i)->share_of = part_cell;
  return i;
}

static void
exempt (CdmReport *report,
        guint      i)
{
  INFO (report, i)->exempt = TRUE;
}

/* A breakdown whose parts add up to a total that is shown. */
static GArray *
add_group (CdmReport *report)
{
  GArray *group = g_array_new (FALSE, FALSE, sizeof (guint));

  g_ptr_array_add (report->groups, group);
  return group;
}

static void
group_add (GArray *group,
           guint   cell)
{
  g_array_append_val (group, cell);
}

/* Withholds what is below the threshold, then what would let a withheld
 * count be worked out from a total (cdm-report.h). */
static void
suppress (CdmReport *report)
{
  gboolean changed;

  if (report->threshold <= 0)
    return;

  /* A true zero is shown: it describes nobody, and "< 5" in its place
   * would tell a reader that someone was there. */
  for (guint i = 0; i < report->cells->len; i++)
    if (CELL (report, i)->kind == CDM_REPORT_CELL_COUNT && !INFO (report, i)->exempt &&
        INFO (report, i)->raw > 0 && INFO (report, i)->raw < report->threshold)
      CELL (report, i)->suppressed = TRUE;

  /* In a sum shown in the report (a group: its total first, then its
   * parts), a single withheld cell is the difference of the others:
   * withhold the smallest other part that is not zero too (the total
   * when there is none), until no group has exactly one.  The choice
   * looks at the shown cells only, never at the withheld one. */
  do
    {
      changed = FALSE;
      for (guint g = 0; g < report->groups->len; g++)
        {
          GArray *group = g_ptr_array_index (report->groups, g);
          guint n_suppressed = 0;
          int smallest = -1;

          for (guint j = 0; j < group->len; j++)
            {
              guint i = g_array_index (group, guint, j);

              if (CELL (report, i)->suppressed)
                n_suppressed++;
              else if (j > 0 && !INFO (report, i)->exempt && INFO (report, i)->raw > 0 &&
                       (smallest < 0 || INFO (report, i)->raw < INFO (report, smallest)->raw))
                smallest = i;
            }
          if (n_suppressed == 1 && smallest < 0 && group->len > 0 &&
              !CELL (report, g_array_index (group, guint, 0))->suppressed &&
              !INFO (report, g_array_index (group, guint, 0))->exempt)
            smallest = g_array_index (group, guint, 0);
          if (n_suppressed == 1 && smallest >= 0)
            {
              CELL (report, smallest)->suppressed = TRUE;
              CELL (report, smallest)->complementary = TRUE;
              changed = TRUE;
            }
        }
    }
  while (changed);

  for (guint i = 0; i < report->cells->len; i++)
    {
      CellInfo *info = INFO (report, i);

      if (CELL (report, i)->kind == CDM_REPORT_CELL_SHARE && !info->exempt &&
          ((info->share_of >= 0 && CELL (report, info->share_of)->suppressed) ||
           info->whole < report->threshold))
        CELL (report, i)->suppressed = TRUE;
    }

  /* Nothing of a withheld figure stays in memory a caller can read. */
  for (guint i = 0; i < report->cells->len; i++)
    if (CELL (report, i)->suppressed)
      {
        CELL (report, i)->count = 0;
        CELL (report, i)->share = 0.0;
        CELL (report, i)->known = FALSE;
      }
}

/* The cells of profile item @item; @records is the group of the contact
 * records its answers and unknowns add up to. */
static void
build_profile_cells (CdmReport *report,
                     guint      item,
                     GArray    *records)
{
  g_autofree char *figure = g_strconcat ("profile_", profile_items[item].name, NULL);
  g_autofree char *share_figure = g_strconcat (figure, "_share", NULL);
  GArray *answered = add_group (report);
  gint64 known = profile_known (report, item);
  guint i;

  if (profile_items[item].kind == ITEM_LANGUAGE)
    {
      g_autoptr(GArray) slots = sorted_languages (report);

      for (guint j = 0; j < slots->len; j++)
        {
          guint slot = g_array_index (slots, guint, j);
          char code[3];

          language_code (slot, code);
          i = add_count (report, "profile", figure, code, 0, report->c.languages[slot]);
          group_add (answered, i);
          add_share (report, "profile", share_figure, code, 0, i, report->c.languages[slot], known);
        }
    }
  else
    {
      const Vocabulary *v = &profile_vocabularies[item];

      for (guint j = 0; j < v->n; j++)
        {
          i = add_count (report, "profile", figure, v->codes[j], 0, report->c.profile[item][j]);
          group_add (answered, i);
          add_share (report, "profile", share_figure, v->codes[j], 0, i, report->c.profile[item][j], known);
        }
    }
  group_add (records, add_count (report, "profile", figure, "unknown", 0,
                                 report->c.profile[item][UNKNOWN_SLOT]));
  i = add_count (report, "profile", figure, "answered", 0, known);
  group_add (answered, i);
  group_add (records, i);
}

/* The cells, in the order of the tidy CSV (cdm_report_to_csv()).  Each
 * group lists the cells of one sum shown in the report: a total and its
 * parts (suppress()). */
static void
build_cells (CdmReport *report)
{
  gboolean centre = report->organisation == NULL;
  GArray *headline, *advice, *held, *participants, *multimedia;
  GArray *remote, *late, *remote_parts;
  /* The series' year totals and their months, and the same for the
   * activities held. */
  GArray *series[CDM_REPORT_N_SERIES + 1];
  GArray *programme_parts[MAX_CODES];
  GArray *profile_records[N_PROFILE_ITEMS];
  guint i, within, requests, advice_total, records;

  headline = add_group (report);
  advice = add_group (report);
  for (guint s = 0; s < G_N_ELEMENTS (series); s++)
    series[s] = add_group (report);

  i = add_count (report, "headline", "total_contacts", NULL, 0, year_sum (report, month_total));
  group_add (headline, i);
  group_add (series[CDM_REPORT_SERIES_TOTAL], i);

  advice_total = add_count (report, "individual_advice", "individual_advice", NULL, 0,
                            year_sum (report, month_advice));
  group_add (headline, advice_total);
  group_add (advice, advice_total);
  group_add (series[CDM_REPORT_SERIES_INDIVIDUAL_ADVICE], advice_total);
  for (guint ch = 0; ch < channels.n; ch++)
    group_add (advice, add_count (report, "individual_advice", "individual_advice",
                                  channels.codes[ch], 0, month_advice_channel (report, ch)));

  held = add_group (report);
  i = add_count (report, "group_activities", "group_activities_held", NULL, 0,
                 held_in (report, 0) + held_in (report, 1));
  group_add (held, i);
  group_add (series[CDM_REPORT_N_SERIES], i);
  group_add (held, add_count (report, "group_activities", "group_activities_held", "in_person", 0,
                              held_in (report, 0)));
  group_add (held, add_count (report, "group_activities", "group_activities_held", "online", 0,
                              held_in (report, 1)));
  participants = add_group (report);
  i = add_count (report, "group_activities", "group_participants", NULL, 0,
                 year_sum (report, month_participants));
  group_add (headline, i);
  group_add (participants, i);
  group_add (series[CDM_REPORT_SERIES_GROUP_PARTICIPANTS], i);
  group_add (participants, add_count (report, "group_activities", "group_participants", "in_person", 0,
                                      participants_in (report, 0)));
  group_add (participants, add_count (report, "group_activities", "group_participants", "online", 0,
                                      participants_in (report, 1)));

  multimedia = add_group (report);
  i = add_count (report, "multimedia", "multimedia", NULL, 0, year_sum (report, month_multimedia));
  group_add (headline, i);
  group_add (multimedia, i);
  group_add (series[CDM_REPORT_SERIES_MULTIMEDIA], i);
  if (centre)
    group_add (multimedia, add_count (report, "multimedia", "multimedia", "tallies", 0,
                                      sum_array (report->tallies, N_MONTHS)));
  records = add_count (report, "multimedia", "multimedia", "contact_records", 0,
                       year_sum (report, month_multimedia_records));
  group_add (multimedia, records);
  if (centre)
    for (guint k = 0; k < tally_kinds.n; k++)
      add_count (report, "multimedia", "multimedia_tallies", tally_kinds.codes[k], 0,
                 report->tallies_by_kind[k]);

  for (guint p = 0; p < programmes.n; p++)
    {
      programme_parts[p] = add_group (report);
      group_add (programme_parts[p], add_count (report, "programmes", "programmes", programmes.codes[p], 0,
                                                report->c.programmes[p] + report->programme_participants[p]));
    }
  for (guint p = 0; p < programmes.n; p++)
    group_add (programme_parts[p], add_count (report, "programmes", "programme_contacts",
                                              programmes.codes[p], 0, report->c.programmes[p]));
  for (guint p = 0; p < programmes.n; p++)
    group_add (programme_parts[p], add_count (report, "programmes", "programme_participants",
                                              programmes.codes[p], 0, report->programme_participants[p]));

  /* answered + unknown = every contact record = advice + multimedia
   * records. */
  for (guint item = 0; item < N_PROFILE_ITEMS; item++)
    {
      profile_records[item] = add_group (report);
      group_add (profile_records[item], advice_total);
      group_add (profile_records[item], records);
      build_profile_cells (report, item, profile_records[item]);
    }

  remote = add_group (report);
  late = add_group (report);
  remote_parts = add_group (report);
  requests = add_count (report, "remote", "remote_requests", NULL, 0, remote_requests (report));
  group_add (remote, requests);
  group_add (remote_parts, requests);
  within = add_count (report, "remote", "remote_requests", "within_48h", 0, report->c.remote_within);
  group_add (remote, within);
  group_add (remote_parts, within);
  i = add_count (report, "remote", "remote_requests", "late", 0,
                 report->c.remote_late + report->c.remote_unanswered);
  group_add (remote, i);
  group_add (late, i);
  i = add_count (report, "remote", "remote_requests", "answered_late", 0, report->c.remote_late);
  group_add (late, i);
  group_add (remote_parts, i);
  i = add_count (report, "remote", "remote_requests", "unanswered", 0, report->c.remote_unanswered);
  group_add (late, i);
  group_add (remote_parts, i);
  add_share (report, "remote", "remote_answered_within_48h", NULL, 0, within,
             report->c.remote_within, remote_requests (report));

  /* Anonymous answers, the centre's: never withheld, whatever the
   * organisation (cdm-report.h). */
  exempt (report, add_count (report, "satisfaction", "satisfaction_responses", NULL, 0, report->responses));
  exempt (report, add_share (report, "satisfaction", "satisfaction", "satisfied", 0, -1,
                             report->satisfied, report->responses));
  exempt (report, add_share (report, "satisfaction", "satisfaction", "excellent", 0, -1,
                             report->excellent, report->responses));
  exempt (report, add_share (report, "satisfaction", "satisfaction", "recommend", 0, -1,
                             report->recommend_yes, report->recommend_answers));
  exempt (report, add_share (report, "satisfaction", "satisfaction", "found", 0, -1,
                             report->found_yes, report->found_answers));
  exempt (report, add_count (report, "satisfaction", "satisfaction_answers", "recommend", 0,
                             report->recommend_answers));
  exempt (report, add_count (report, "satisfaction", "satisfaction_answers", "found", 0,
                             report->found_answers));

  if (centre)
    {
      gint64 total = year_sum (report, month_total);

      add_count (report, "objective", "objective", "target", 0, report->objective);
      add_count (report, "objective", "objective", "reached", 0, total);
      add_share (report, "objective", "objective", "progress", 0, -1, total, report->objective);
    }

  for (guint m = report->from; m <= report->to; m++)
    {
      GArray *month_services = add_group (report);
      GArray *month_channels = add_group (report);
      GArray *month_held = add_group (report);

      i = add_count (report, "monthly", "total_contacts", NULL, m + 1, month_total (report, m));
      group_add (series[CDM_REPORT_SERIES_TOTAL], i);
      group_add (month_services, i);
      i = add_count (report, "monthly", "individual_advice", NULL, m + 1, month_advice (report, m));
      group_add (series[CDM_REPORT_SERIES_INDIVIDUAL_ADVICE], i);
      group_add (month_services, i);
      group_add (month_channels, i);
      for (guint ch = 0; ch < channels.n; ch++)
        group_add (month_channels, add_count (report, "monthly", "individual_advice", channels.codes[ch],
                                              m + 1, report->c.contacts[m][0][ch]));
      i = add_count (report, "monthly", "group_activities_held", NULL, m + 1,
                     report->held[m][0] + report->held[m][1]);
      group_add (series[CDM_REPORT_N_SERIES], i);
      group_add (month_held, i);
      group_add (month_held, add_count (report, "monthly", "group_activities_held", "in_person", m + 1,
                                        report->held[m][0]));
      group_add (month_held, add_count (report, "monthly", "group_activities_held", "online", m + 1,
                                        report->held[m][1]));
      i = add_count (report, "monthly", "group_participants", NULL, m + 1, month_participants (report, m));
      group_add (series[CDM_REPORT_SERIES_GROUP_PARTICIPANTS], i);
      group_add (month_services, i);
      i = add_count (report, "monthly", "multimedia", NULL, m + 1, month_multimedia (report, m));
      group_add (series[CDM_REPORT_SERIES_MULTIMEDIA], i);
      group_add (month_services, i);
      for (guint s = 0; s < scopes.n; s++)
        if (report->closed[m] & (1u << s))
          exempt (report, add_count (report, "monthly", "closed", scopes.codes[s], m + 1, 1));
    }

  suppress (report);
}

static void
build_projection_cell (CdmReport *report)
{
  guint i = add_count (report, "objective", "objective", "projection", 0, report->projection);

  /* Only ever for the whole centre, never withheld. */
  exempt (report, i);
}

const CdmReportCell *
cdm_report_get_cells (CdmReport *report,
                      guint     *n_cells)
{
  g_return_val_if_fail (report != NULL, NULL);

  if (n_cells != NULL)
    *n_cells = report->cells->len;
  return (const CdmReportCell *) report->cells->data;
}

const CdmReportCell *
cdm_report_lookup (CdmReport  *report,
                   const char *figure,
                   const char *breakdown,
                   guint       month)
{
  g_autofree char *key = NULL;
  guint index;

  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (figure != NULL, NULL);

  key = cell_key (figure, breakdown, month);
  index = GPOINTER_TO_UINT (g_hash_table_lookup (report->cell_index, key));
  return index > 0 ? CELL (report, index - 1) : NULL;
}

#define COMPLEMENTARY_MARKER "withheld"

/* "< 5", with the threshold in force. (transfer full) */
static char *
suppressed_marker (CdmReport *report)
{
  return g_strdup_printf ("< %d", report->threshold);
}

/* What a withheld cell reads in JSON and CSV. (transfer full) */
static char *
withheld_marker (CdmReport           *report,
                 const CdmReportCell *cell)
{
  return cell->complementary ? g_strdup (COMPLEMENTARY_MARKER) : suppressed_marker (report);
}

char *
cdm_report_cell_to_string (CdmReport           *report,
                           const CdmReportCell *cell)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE] = "";

  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (cell != NULL, NULL);

  if (cell->suppressed)
    return withheld_marker (report, cell);
  if (cell->kind == CDM_REPORT_CELL_COUNT)
    return g_strdup_printf ("%" G_GINT64_FORMAT, cell->count);
  /* A share with four decimals (0.01 %), or nothing when unknown. */
  if (cell->known)
    g_ascii_formatd (text, sizeof text, "%.4f", cell->share);
  return g_strdup (text);
}

/* A count for the getters: CDM_REPORT_SUPPRESSED when withheld, 0 when
 * the report has no such cell (a month outside the period). */
static gint64
lookup_count (CdmReport  *report,
              const char *figure,
              const char *breakdown,
              guint       month)
{
  const CdmReportCell *cell = cdm_report_lookup (report, figure, breakdown, month);

  if (cell == NULL)
    return 0;
  return cell->suppressed ? CDM_REPORT_SUPPRESSED : cell->count;
}

int
cdm_report_get_year (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return report->year;
}

guint
cdm_report_get_from_month (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return report->from + 1;
}

guint
cdm_report_get_to_month (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return report->to + 1;
}

const char *
cdm_report_get_organisation (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return report->organisation;
}

char *
cdm_report_get_organisation_name (CdmReport  *report,
                                  const char *language)
{
  static const char * const languages[] = { "fr", "nl", "en" };
  guint preferred = 0;

  g_return_val_if_fail (report != NULL, NULL);

  if (report->organisation == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_strcmp0 (language, languages[i]) == 0)
      preferred = i;
  if (report->organisation_names[preferred] != NULL && report->organisation_names[preferred][0] != '\0')
    return g_strdup (report->organisation_names[preferred]);
  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    if (report->organisation_names[i] != NULL && report->organisation_names[i][0] != '\0')
      return g_strdup (report->organisation_names[i]);
  if (report->organisation_acronym != NULL && report->organisation_acronym[0] != '\0')
    return g_strdup (report->organisation_acronym);
  return g_strdup (report->organisation);
}

const char *
cdm_report_get_centre_name (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, NULL);
  return report->centre_name;
}

int
cdm_report_get_threshold (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return report->threshold;
}

gint64
cdm_report_get_individual_advice (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return lookup_count (report, "individual_advice", NULL, 0);
}

gint64
cdm_report_get_group_participants (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return lookup_count (report, "group_participants", NULL, 0);
}

gint64
cdm_report_get_multimedia (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return lookup_count (report, "multimedia", NULL, 0);
}

gint64
cdm_report_get_total_contacts (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return lookup_count (report, "total_contacts", NULL, 0);
}

gint64
cdm_report_get_objective (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return report->objective;
}

static const char * const series_codes[] = {
  "individual_advice", "group_participants", "multimedia", "total_contacts",
};

const char *
cdm_report_series_code (CdmReportSeries series)
{
  g_return_val_if_fail (series < G_N_ELEMENTS (series_codes), NULL);
  return series_codes[series];
}

gint64
cdm_report_get_series_value (CdmReport       *report,
                             CdmReportSeries  series,
                             guint            month)
{
  g_return_val_if_fail (report != NULL, 0);
  g_return_val_if_fail (series < G_N_ELEMENTS (series_codes), 0);
  g_return_val_if_fail (month >= 1 && month <= N_MONTHS, 0);
  return lookup_count (report, series_codes[series], NULL, month);
}

gint64
cdm_report_get_month_total (CdmReport *report,
                            guint      month)
{
  g_return_val_if_fail (report != NULL, 0);
  g_return_val_if_fail (month >= 1 && month <= N_MONTHS, 0);
  return lookup_count (report, "total_contacts", NULL, month);
}

const CdmReportClosure *
cdm_report_get_closures (CdmReport *report,
                         guint     *n_closures)
{
  g_return_val_if_fail (report != NULL, NULL);

  if (n_closures != NULL)
    *n_closures = report->closures->len;
  return (const CdmReportClosure *) report->closures->data;
}

guint
cdm_report_get_closed_scopes (CdmReport *report,
                              guint      month)
{
  g_return_val_if_fail (report != NULL, 0);
  g_return_val_if_fail (month >= 1 && month <= N_MONTHS, 0);
  return report->closed[month - 1];
}

gboolean
cdm_report_get_projection (CdmReport *report,
                           gint64    *out_projection,
                           guint     *out_days_elapsed,
                           guint     *out_days_in_year)
{
  g_return_val_if_fail (report != NULL, FALSE);

  if (out_projection != NULL)
    *out_projection = report->projection;
  if (out_days_elapsed != NULL)
    *out_days_elapsed = report->days_elapsed;
  if (out_days_in_year != NULL)
    *out_days_in_year = report->days_in_year;
  return report->has_projection;
}

/* JSON */

static JsonNode *
cell_node (CdmReport           *report,
           const CdmReportCell *cell)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (cell == NULL || (cell->kind == CDM_REPORT_CELL_SHARE && !cell->known && !cell->suppressed))
    {
      json_node_init_null (node);
    }
  else if (cell->suppressed)
    {
      g_autofree char *marker = withheld_marker (report, cell);

      json_node_set_string (node, marker);
    }
  else if (cell->kind == CDM_REPORT_CELL_COUNT)
    {
      json_node_set_int (node, cell->count);
    }
  else
    {
      json_node_set_double (node, cell->share);
    }
  return node;
}

static void
json_set_cell (CdmReport  *report,
               JsonObject *object,
               const char *key,
               const char *figure,
               const char *breakdown,
               guint       month)
{
  json_object_set_member (object, key,
                          cell_node (report, cdm_report_lookup (report, figure, breakdown, month)));
}

static void
json_add_cell (CdmReport  *report,
               JsonArray  *array,
               const char *figure,
               const char *breakdown,
               guint       month)
{
  json_array_add_element (array, cell_node (report, cdm_report_lookup (report, figure, breakdown, month)));
}

/* "YYYY-MM" of month index @m. */
static const char *
month_key (CdmReport *report,
           guint      m,
           char       key[16])
{
  g_snprintf (key, 16, "%04d-%02u", report->year, m + 1);
  return key;
}

static JsonArray *
closed_scopes (CdmReport *report,
               guint      m)
{
  JsonArray *closed = json_array_new ();

  for (guint s = 0; s < scopes.n; s++)
    if (report->closed[m] & (1u << s))
      json_array_add_string_element (closed, scopes.codes[s]);
  return closed;
}

static JsonObject *
profile_to_json (CdmReport *report,
                 guint      item)
{
  JsonObject *object = json_object_new ();
  JsonObject *counts = json_object_new ();
  JsonObject *shares = json_object_new ();
  g_autofree char *figure = g_strconcat ("profile_", profile_items[item].name, NULL);
  g_autofree char *share_figure = g_strconcat (figure, "_share", NULL);

  json_set_cell (report, object, "answered", figure, "answered", 0);
  json_set_cell (report, object, "unknown", figure, "unknown", 0);

  /* The answers in the order of the cells (vocabulary order, languages
   * by frequency). */
  for (guint i = 0; i < report->cells->len; i++)
    {
      const CdmReportCell *cell = CELL (report, i);

      if (cell->month != 0 || !g_str_equal (cell->figure, figure) ||
          g_str_equal (cell->breakdown, "unknown") || g_str_equal (cell->breakdown, "answered"))
        continue;
      json_object_set_member (counts, cell->breakdown, cell_node (report, cell));
      json_set_cell (report, shares, cell->breakdown, share_figure, cell->breakdown, 0);
    }

  json_object_set_object_member (object, "counts", counts);
  json_object_set_object_member (object, "shares", shares);
  return object;
}

static JsonArray *
closures_to_json (CdmReport *report)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < report->closures->len; i++)
    {
      const CdmReportClosure *closure = &g_array_index (report->closures, CdmReportClosure, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "from", closure->from);
      json_object_set_string_member (object, "to", closure->to);
      json_object_set_string_member (object, "scope", closure->scope);
      if (closure->reason != NULL)
        json_object_set_string_member (object, "reason", closure->reason);
      else
        json_object_set_null_member (object, "reason");
      json_object_set_int_member (object, "first_day", closure->first_day);
      json_object_set_int_member (object, "last_day", closure->last_day);
      json_array_add_object_element (array, object);
    }
  return array;
}

JsonObject *
cdm_report_to_json (CdmReport *report)
{
  JsonObject *root, *advice, *by_channel, *groups, *multimedia, *by_kind, *period, *suppression;
  JsonObject *programmes_object, *detail, *profile, *remote, *satisfaction, *objective;
  JsonArray *months, *advice_by_month, *groups_by_month;
  g_autofree char *marker = NULL;
  char key[16];

  g_return_val_if_fail (report != NULL, NULL);

  root = json_object_new ();
  json_object_set_int_member (root, "year", report->year);
  period = json_object_new ();
  json_object_set_string_member (period, "from", month_key (report, report->from, key));
  json_object_set_string_member (period, "to", month_key (report, report->to, key));
  json_object_set_object_member (root, "period", period);
  if (report->organisation != NULL)
    {
      JsonObject *organisation = json_object_new ();
      g_autofree char *name = cdm_report_get_organisation_name (report, NULL);

      json_object_set_string_member (organisation, "id", report->organisation);
      json_object_set_string_member (organisation, "name", name);
      json_object_set_object_member (root, "organisation", organisation);
    }
  else
    {
      json_object_set_null_member (root, "organisation");
    }
  suppression = json_object_new ();
  json_object_set_int_member (suppression, "threshold", report->threshold);
  if (report->threshold > 0)
    {
      marker = suppressed_marker (report);
      json_object_set_string_member (suppression, "marker", marker);
      json_object_set_string_member (suppression, "complementary_marker", COMPLEMENTARY_MARKER);
    }
  else
    {
      /* Nothing is withheld: a marker such as "< 0" would be nonsense,
       * and no cell carries one. */
      json_object_set_null_member (suppression, "marker");
      json_object_set_null_member (suppression, "complementary_marker");
    }
  json_object_set_object_member (root, "suppression", suppression);

  json_set_cell (report, root, "total_contacts", "total_contacts", NULL, 0);

  advice = json_object_new ();
  by_channel = json_object_new ();
  advice_by_month = json_array_new ();
  json_set_cell (report, advice, "total", "individual_advice", NULL, 0);
  for (guint ch = 0; ch < channels.n; ch++)
    json_set_cell (report, by_channel, channels.codes[ch], "individual_advice", channels.codes[ch], 0);
  json_object_set_object_member (advice, "by_channel", by_channel);
  for (guint m = report->from; m <= report->to; m++)
    json_add_cell (report, advice_by_month, "individual_advice", NULL, m + 1);
  json_object_set_array_member (advice, "by_month", advice_by_month);
  json_object_set_object_member (root, "individual_advice", advice);

  groups = json_object_new ();
  groups_by_month = json_array_new ();
  json_set_cell (report, groups, "held", "group_activities_held", NULL, 0);
  json_set_cell (report, groups, "in_person", "group_activities_held", "in_person", 0);
  json_set_cell (report, groups, "online", "group_activities_held", "online", 0);
  json_set_cell (report, groups, "participants", "group_participants", NULL, 0);
  json_set_cell (report, groups, "participants_in_person", "group_participants", "in_person", 0);
  json_set_cell (report, groups, "participants_online", "group_participants", "online", 0);
  for (guint m = report->from; m <= report->to; m++)
    {
      JsonObject *month = json_object_new ();

      json_object_set_string_member (month, "month", month_key (report, m, key));
      json_set_cell (report, month, "held", "group_activities_held", NULL, m + 1);
      json_set_cell (report, month, "in_person", "group_activities_held", "in_person", m + 1);
      json_set_cell (report, month, "online", "group_activities_held", "online", m + 1);
      json_set_cell (report, month, "participants", "group_participants", NULL, m + 1);
      json_array_add_object_element (groups_by_month, month);
    }
  json_object_set_array_member (groups, "by_month", groups_by_month);
  json_object_set_object_member (root, "group_activities", groups);

  multimedia = json_object_new ();
  json_set_cell (report, multimedia, "contacts", "multimedia", NULL, 0);
  json_set_cell (report, multimedia, "contact_records", "multimedia", "contact_records", 0);
  if (report->organisation == NULL)
    {
      by_kind = json_object_new ();
      json_set_cell (report, multimedia, "tallies", "multimedia", "tallies", 0);
      for (guint k = 0; k < tally_kinds.n; k++)
        json_set_cell (report, by_kind, tally_kinds.codes[k], "multimedia_tallies", tally_kinds.codes[k], 0);
      json_object_set_object_member (multimedia, "tallies_by_kind", by_kind);
    }
  json_object_set_object_member (root, "multimedia", multimedia);

  programmes_object = json_object_new ();
  detail = json_object_new ();
  for (guint p = 0; p < programmes.n; p++)
    {
      JsonObject *sources = json_object_new ();

      json_set_cell (report, programmes_object, programmes.codes[p], "programmes", programmes.codes[p], 0);
      json_set_cell (report, sources, "contacts", "programme_contacts", programmes.codes[p], 0);
      json_set_cell (report, sources, "participants", "programme_participants", programmes.codes[p], 0);
      json_object_set_object_member (detail, programmes.codes[p], sources);
    }
  json_object_set_object_member (root, "programmes", programmes_object);
  json_object_set_object_member (root, "programmes_detail", detail);

  profile = json_object_new ();
  for (guint i = 0; i < N_PROFILE_ITEMS; i++)
    json_object_set_object_member (profile, profile_items[i].name, profile_to_json (report, i));
  json_object_set_object_member (root, "profile", profile);

  months = json_array_new ();
  for (guint m = report->from; m <= report->to; m++)
    {
      JsonObject *month = json_object_new ();
      JsonObject *month_channels = json_object_new ();

      json_object_set_string_member (month, "month", month_key (report, m, key));
      json_set_cell (report, month, "individual_advice", "individual_advice", NULL, m + 1);
      json_set_cell (report, month, "group_participants", "group_participants", NULL, m + 1);
      json_set_cell (report, month, "multimedia", "multimedia", NULL, m + 1);
      json_set_cell (report, month, "total", "total_contacts", NULL, m + 1);
      json_object_set_array_member (month, "closed", closed_scopes (report, m));
      for (guint ch = 0; ch < channels.n; ch++)
        json_set_cell (report, month_channels, channels.codes[ch], "individual_advice", channels.codes[ch], m + 1);
      json_object_set_object_member (month, "by_channel", month_channels);
      json_set_cell (report, month, "activities_held", "group_activities_held", NULL, m + 1);
      json_array_add_object_element (months, month);
    }
  json_object_set_array_member (root, "months", months);
  json_object_set_array_member (root, "closures", closures_to_json (report));

  json_set_cell (report, root, "remote_answered_within_48h", "remote_answered_within_48h", NULL, 0);
  remote = json_object_new ();
  json_set_cell (report, remote, "requests", "remote_requests", NULL, 0);
  json_set_cell (report, remote, "within_48h", "remote_requests", "within_48h", 0);
  json_set_cell (report, remote, "late", "remote_requests", "late", 0);
  json_set_cell (report, remote, "answered_late", "remote_requests", "answered_late", 0);
  json_set_cell (report, remote, "unanswered", "remote_requests", "unanswered", 0);
  json_object_set_object_member (root, "remote", remote);

  satisfaction = json_object_new ();
  json_object_set_string_member (satisfaction, "scope", "centre");
  json_set_cell (report, satisfaction, "responses", "satisfaction_responses", NULL, 0);
  json_set_cell (report, satisfaction, "satisfied", "satisfaction", "satisfied", 0);
  json_set_cell (report, satisfaction, "excellent", "satisfaction", "excellent", 0);
  json_set_cell (report, satisfaction, "recommend", "satisfaction", "recommend", 0);
  json_set_cell (report, satisfaction, "found", "satisfaction", "found", 0);
  json_set_cell (report, satisfaction, "recommend_answers", "satisfaction_answers", "recommend", 0);
  json_set_cell (report, satisfaction, "found_answers", "satisfaction_answers", "found", 0);
  json_object_set_object_member (root, "satisfaction", satisfaction);

  if (report->organisation == NULL)
    {
      objective = json_object_new ();
      json_set_cell (report, objective, "target", "objective", "target", 0);
      json_set_cell (report, objective, "reached", "objective", "reached", 0);
      json_set_cell (report, objective, "progress", "objective", "progress", 0);
      if (report->has_projection)
        {
          json_set_cell (report, objective, "projection", "objective", "projection", 0);
          json_object_set_int_member (objective, "days_elapsed", report->days_elapsed);
          json_object_set_int_member (objective, "days_in_year", report->days_in_year);
        }
      else
        {
          json_object_set_null_member (objective, "projection");
        }
      json_object_set_object_member (root, "objective", objective);
    }
  else
    {
      json_object_set_null_member (root, "objective");
    }

  return root;
}

/* Text */

/* A cell as the text shows it: "29523", "97.2 %", "< 5", or a dash for
 * an unknown share or a figure the report does not have. (transfer full) */
static char *
cell_text (CdmReport  *report,
           const char *figure,
           const char *breakdown,
           guint       month)
{
  const CdmReportCell *cell = cdm_report_lookup (report, figure, breakdown, month);

  if (cell == NULL)
    return g_strdup ("–");
  if (cell->suppressed && cell->complementary)
    /* Translators: a count hidden so that a smaller one cannot be worked
     * out from a total; keep it short */
    return g_strdup (_("withheld"));
  if (cell->suppressed)
    return suppressed_marker (report);
  if (cell->kind == CDM_REPORT_CELL_COUNT)
    return g_strdup_printf ("%" G_GINT64_FORMAT, cell->count);
  if (!cell->known)
    return g_strdup ("–");
  /* Translators: a percentage, e.g. "97.2 %" */
  return g_strdup_printf (_("%.1f %%"), 100.0 * cell->share);
}

#define T(figure, breakdown, month) (g_ptr_array_add (owned, cell_text (report, (figure), (breakdown), (month))), \
                                     (const char *) g_ptr_array_index (owned, owned->len - 1))

char *
cdm_report_to_text (CdmReport *report)
{
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  GString *out;

  g_return_val_if_fail (report != NULL, NULL);

  out = g_string_new (NULL);

  if (report->organisation != NULL)
    {
      g_autofree char *name = cdm_report_get_organisation_name (report, NULL);

      g_string_append_printf (out, _("Figures for %s, %s"), report->period, name);
    }
  else
    {
      g_string_append_printf (out, _("Figures for %s"), report->period);
    }
  g_string_append (out, "\n");
  if (report->threshold > 0)
    {
      g_string_append_printf (out, _("Counts below %d are shown as “< %d”; “withheld” hides a count "
                                     "that would let one of them be worked out from a total."),
                              report->threshold, report->threshold);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  if (report->organisation == NULL)
    g_string_append_printf (out, _("Total contacts: %s (%s of the objective of %s)"),
                            T ("total_contacts", NULL, 0), T ("objective", "progress", 0),
                            T ("objective", "target", 0));
  else
    g_string_append_printf (out, _("Total contacts: %s"), T ("total_contacts", NULL, 0));
  g_string_append_c (out, '\n');
  if (report->has_projection)
    {
      g_string_append_printf (out, _("Projected for the year end: %s (linear, %u of %u days)"),
                              T ("objective", "projection", 0), report->days_elapsed, report->days_in_year);
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  g_string_append_printf (out, _("Individual advice: %s"), T ("individual_advice", NULL, 0));
  g_string_append_c (out, '\n');
  for (guint ch = 0; ch < channels.n; ch++)
    g_string_append_printf (out, "  %-22s %8s\n", channels.codes[ch],
                            T ("individual_advice", channels.codes[ch], 0));

  g_string_append_printf (out, _("Group activities held: %s (%s in person, %s online)"),
                          T ("group_activities_held", NULL, 0),
                          T ("group_activities_held", "in_person", 0),
                          T ("group_activities_held", "online", 0));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Contacts in group activities: %s"), T ("group_participants", NULL, 0));
  g_string_append_c (out, '\n');
  if (report->organisation == NULL)
    g_string_append_printf (out, _("Contacts in the multimedia area: %s (%s counted, %s logged)"),
                            T ("multimedia", NULL, 0), T ("multimedia", "tallies", 0),
                            T ("multimedia", "contact_records", 0));
  else
    g_string_append_printf (out, _("Contacts in the multimedia area: %s (logged)"),
                            T ("multimedia", NULL, 0));
  g_string_append (out, "\n\n");

  g_string_append (out, _("People reached per programme"));
  g_string_append_c (out, '\n');
  for (guint p = 0; p < programmes.n; p++)
    {
      g_string_append_printf (out, "  %-22s %8s  ", programmes.codes[p],
                              T ("programmes", programmes.codes[p], 0));
      g_string_append_printf (out, _("(%s contacts, %s in group activities)"),
                              T ("programme_contacts", programmes.codes[p], 0),
                              T ("programme_participants", programmes.codes[p], 0));
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  g_string_append_printf (out, _("Remote requests: %s, answered within 48 h: %s (%s), "
                                 "answered late: %s, unanswered: %s"),
                          T ("remote_requests", NULL, 0), T ("remote_answered_within_48h", NULL, 0),
                          T ("remote_requests", "within_48h", 0), T ("remote_requests", "answered_late", 0),
                          T ("remote_requests", "unanswered", 0));
  g_string_append_c (out, '\n');

  if (report->organisation == NULL)
    g_string_append_printf (out, _("Satisfaction: %s responses; satisfied %s, excellent %s, "
                                   "would recommend %s, found what they looked for %s"),
                            T ("satisfaction_responses", NULL, 0), T ("satisfaction", "satisfied", 0),
                            T ("satisfaction", "excellent", 0), T ("satisfaction", "recommend", 0),
                            T ("satisfaction", "found", 0));
  else
    g_string_append_printf (out, _("Satisfaction (whole centre): %s responses; satisfied %s, "
                                   "excellent %s, would recommend %s, found what they looked for %s"),
                            T ("satisfaction_responses", NULL, 0), T ("satisfaction", "satisfied", 0),
                            T ("satisfaction", "excellent", 0), T ("satisfaction", "recommend", 0),
                            T ("satisfaction", "found", 0));
  g_string_append (out, "\n\n");

  g_string_append (out, _("Visitor profile (over the contact records of the period)"));
  g_string_append_c (out, '\n');
  for (guint i = 0; i < N_PROFILE_ITEMS; i++)
    {
      g_autofree char *figure = g_strconcat ("profile_", profile_items[i].name, NULL);
      g_autofree char *share_figure = g_strconcat (figure, "_share", NULL);

      g_string_append_printf (out, "  %-16s", profile_items[i].name);
      for (guint j = 0; j < report->cells->len; j++)
        {
          const CdmReportCell *cell = CELL (report, j);

          if (cell->month != 0 || !g_str_equal (cell->figure, figure) ||
              g_str_equal (cell->breakdown, "unknown") || g_str_equal (cell->breakdown, "answered"))
            continue;
          g_string_append_printf (out, " %s %s (%s),", cell->breakdown,
                                  T (share_figure, cell->breakdown, 0), T (figure, cell->breakdown, 0));
        }
      g_string_append_c (out, ' ');
      g_string_append_printf (out, _("unknown: %s"), T (figure, "unknown", 0));
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  g_string_append_printf (out, "%-8s %9s %9s %11s %9s  %s\n",
                          /* Translators: column headings of the monthly table; keep them short */
                          _("Month"), _("Advice"), _("Groups"), _("Multimedia"),
                          _("Total"), _("Closed"));
  for (guint m = report->from; m <= report->to; m++)
    {
      char key[16];

      g_string_append_printf (out, "%-8s %9s %9s %11s %9s ",
                              month_key (report, m, key), T ("individual_advice", NULL, m + 1),
                              T ("group_participants", NULL, m + 1), T ("multimedia", NULL, m + 1),
                              T ("total_contacts", NULL, m + 1));
      for (guint s = 0; s < scopes.n; s++)
        if (report->closed[m] & (1u << s))
          g_string_append_printf (out, " %s", scopes.codes[s]);
      g_string_append_c (out, '\n');
    }

  if (report->closures->len > 0)
    {
      g_string_append_c (out, '\n');
      g_string_append (out, _("Closures"));
      g_string_append_c (out, '\n');
      for (guint i = 0; i < report->closures->len; i++)
        {
          const CdmReportClosure *closure = &g_array_index (report->closures, CdmReportClosure, i);

          g_string_append_printf (out, "  %.10s – %.10s  %-16s %s\n", closure->from, closure->to,
                                  closure->scope, closure->reason != NULL ? closure->reason : "");
        }
    }

  return g_string_free (out, FALSE);
}

#undef T

/* CSV */

static void
csv_field (GString    *out,
           const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
csv_cell_row (CdmReport           *report,
              GString             *out,
              const CdmReportCell *cell)
{
  g_autofree char *value = cdm_report_cell_to_string (report, cell);
  char month[16];

  csv_field (out, cell->figure);
  g_string_append_c (out, ',');
  csv_field (out, cell->breakdown);
  g_string_append_c (out, ',');
  csv_field (out, cell->month == 0 ? report->period : month_key (report, cell->month - 1, month));
  g_string_append_c (out, ',');
  csv_field (out, value);
  g_string_append (out, "\r\n");
}

#define CSV_HEADER "figure,breakdown,period,value\r\n"

char *
cdm_report_to_csv (CdmReport *report)
{
  GString *out;

  g_return_val_if_fail (report != NULL, NULL);

  out = g_string_new (CSV_HEADER);
  for (guint i = 0; i < report->cells->len; i++)
    csv_cell_row (report, out, CELL (report, i));
  return g_string_free (out, FALSE);
}

static const char * const csv_tables[] = {
  "headline", "individual_advice", "group_activities", "multimedia", "programmes",
  "profile", "remote", "satisfaction", "objective", "monthly",
};

static gboolean
write_csv_file (const char  *directory,
                const char  *name,
                GString     *contents,
                GError     **error)
{
  g_autofree char *path = g_build_filename (directory, name, NULL);

  return g_file_set_contents (path, contents->str, contents->len, error);
}

gboolean
cdm_report_write_csv_dir (CdmReport   *report,
                          const char  *directory,
                          GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_mkdir_with_parents (directory, 0777) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the folder “%s”: %s"), directory, g_strerror (saved));
      return FALSE;
    }

  for (guint t = 0; t < G_N_ELEMENTS (csv_tables); t++)
    {
      g_autofree char *name = g_strconcat (csv_tables[t], ".csv", NULL);

      g_string_assign (out, CSV_HEADER);
      for (guint i = 0; i < report->cells->len; i++)
        if (g_str_equal (CELL (report, i)->table, csv_tables[t]))
          csv_cell_row (report, out, CELL (report, i));
      if (!write_csv_file (directory, name, out, error))
        return FALSE;
    }

  /* The monthly series side by side, as a spreadsheet would chart them. */
  g_string_assign (out, "month,individual_advice,group_participants,multimedia,total_contacts,closed\r\n");
  for (guint m = report->from; m <= report->to; m++)
    {
      g_autoptr(GString) closed = g_string_new (NULL);
      char key[16];

      csv_field (out, month_key (report, m, key));
      for (guint s = 0; s < G_N_ELEMENTS (series_codes); s++)
        {
          g_autofree char *value = cdm_report_cell_to_string (report,
                                                              cdm_report_lookup (report, series_codes[s], NULL, m + 1));

          g_string_append_c (out, ',');
          csv_field (out, value);
        }
      for (guint s = 0; s < scopes.n; s++)
        if (report->closed[m] & (1u << s))
          g_string_append_printf (closed, "%s%s", closed->len > 0 ? " " : "", scopes.codes[s]);
      g_string_append_c (out, ',');
      csv_field (out, closed->str);
      g_string_append (out, "\r\n");
    }
  if (!write_csv_file (directory, "monthly-series.csv", out, error))
    return FALSE;

  g_string_assign (out, "from,to,scope,reason\r\n");
  for (guint i = 0; i < report->closures->len; i++)
    {
      const CdmReportClosure *closure = &g_array_index (report->closures, CdmReportClosure, i);
      char day[11];

      memcpy (day, closure->from, 10);
      day[10] = '\0';
      csv_field (out, day);
      g_string_append_c (out, ',');
      memcpy (day, closure->to, 10);
      csv_field (out, day);
      g_string_append_c (out, ',');
      csv_field (out, closure->scope);
      g_string_append_c (out, ',');
      csv_field (out, closure->reason != NULL ? closure->reason : "");
      g_string_append (out, "\r\n");
    }
  return write_csv_file (directory, "closures.csv", out, error);
}
