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
 */
#include "config.h"

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
  char year[4];          /* "YYYY", read from the first row's arguments */
} ContactCounts;

struct _CdmReport {
  gatomicrefcount ref_count;
  int year;

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
  report->objective = CDM_REPORT_DEFAULT_OBJECTIVE;
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
    g_free (report);
}

/* The contact pass */

/* "YYYY-MM-DD" of the year whose first day is @year_first: the month
 * index 0..11, or -1 for another year or a malformed day. */
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

enum {
  ARG_YEAR_FIRST,
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

/* cdm_report_contacts(year_first, day, service, channel, programmes,
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
  if (counts->year[0] == '\0')
    {
      const char *year_first = (const char *) sqlite3_value_text (argv[ARG_YEAR_FIRST]);

      if (year_first == NULL || strlen (year_first) < 4)
        return;
      memcpy (counts->year, year_first, 4);
    }

  month = month_of_day (sqlite3_value_text (argv[ARG_DAY]), counts->year);
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
  if (received_day != NULL && month_of_day (received_day, counts->year) >= 0)
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
  "?1, day, service, channel, programmes, " \
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

  stmt = _cdm_store_prepare (store, scan ? contacts_scan_sql : contacts_indexed_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last, -1, SQLITE_STATIC);

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
  sqlite3_stmt *stmt = _cdm_store_prepare (store, contact_stats_sql, error);
  char year[4];
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last, -1, SQLITE_STATIC);
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
  "SELECT from_day, to_day, scope FROM closures "
  "WHERE from_day <= ?2 AND to_day >= ?1 AND deleted = 0";

static gboolean
count_closures (CdmStore    *store,
                CdmReport   *report,
                const char  *first,
                const char  *last,
                GError     **error)
{
  sqlite3_stmt *stmt = _cdm_store_prepare (store, closures_sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, last, -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *from = (const char *) sqlite3_column_text (stmt, 0);
      const char *to = (const char *) sqlite3_column_text (stmt, 1);
      int scope = column_code (stmt, 2, &scopes);

      if (from == NULL || to == NULL || scope < 0)
        continue;

      /* Days are "YYYY-MM-DD", so they compare as text; "YYYY-MM-31" is
       * after every day of any month. */
      for (guint m = 0; m < N_MONTHS; m++)
        {
          char month_first[16], month_last[16];

          g_snprintf (month_first, sizeof month_first, "%04d-%02u-01", report->year, m + 1);
          g_snprintf (month_last, sizeof month_last, "%04d-%02u-31", report->year, m + 1);
          if (strcmp (from, month_last) <= 0 && strcmp (to, month_first) >= 0)
            report->closed[m] |= 1u << scope;
        }
    }
  return finish_query (store, stmt, rc, error);
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

/* @recount: count the contacts one by one instead of reading
 * contact_stats (see cdm-report-private.h). */
static CdmReport *
compute (CdmStore      *store,
         int            year,
         gboolean       recount,
         GCancellable  *cancellable,
         GError       **error)
{
  g_autoptr(CdmReport) report = NULL;
  sqlite3 *db;
  char first[16], last[16];
  gboolean ok;
  int rc;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (year < CDM_REPORT_MIN_YEAR || year > CDM_REPORT_MAX_YEAR)
    {
      g_set_error (error, CDM_REPORT_ERROR, CDM_REPORT_ERROR_BAD_YEAR,
                   _("The year %d is not between %d and %d"),
                   year, CDM_REPORT_MIN_YEAR, CDM_REPORT_MAX_YEAR);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  init_vocabularies ();
  report = report_new (year);
  g_snprintf (first, sizeof first, "%04d-01-01", year);
  g_snprintf (last, sizeof last, "%04d-12-31", year);

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
      report->objective = cdm_report_objective (store);
      ok = (recount ? recount_contacts (store, report, first, last, error)
                    : count_contacts (store, report, first, last, error)) &&
           count_activities (store, report, first, last, error) &&
           count_tallies (store, report, first, last, error) &&
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
  return g_steal_pointer (&report);
}

CdmReport *
cdm_report_compute (CdmStore      *store,
                    int            year,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return compute (store, year, FALSE, cancellable, error);
}

CdmReport *
_cdm_report_compute_recount (CdmStore      *store,
                             int            year,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return compute (store, year, TRUE, cancellable, error);
}

static void
compute_thread (GTask        *task,
                CdmStore     *store,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  CdmReport *report = cdm_report_compute (store, GPOINTER_TO_INT (task_data), cancellable, &error);

  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) cdm_report_unref);
}

void
cdm_report_compute_async (CdmStore            *store,
                          int                  year,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  _cdm_store_run_in_thread (store, cdm_report_compute_async, compute_thread,
                            GINT_TO_POINTER (year), NULL,
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

/* Figures */

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

/* Sums a per-month figure over the year. */
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

int
cdm_report_get_year (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return report->year;
}

gint64
cdm_report_get_individual_advice (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return year_sum (report, month_advice);
}

gint64
cdm_report_get_group_participants (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return year_sum (report, month_participants);
}

gint64
cdm_report_get_multimedia (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return year_sum (report, month_multimedia);
}

gint64
cdm_report_get_total_contacts (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return year_sum (report, month_total);
}

gint64
cdm_report_get_objective (CdmReport *report)
{
  g_return_val_if_fail (report != NULL, 0);
  return report->objective;
}

gint64
cdm_report_get_month_total (CdmReport *report,
                            guint      month)
{
  g_return_val_if_fail (report != NULL, 0);
  g_return_val_if_fail (month >= 1 && month <= N_MONTHS, 0);
  return month_total (report, month - 1);
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

/* JSON */

static void
set_share (JsonObject *object,
           const char *key,
           gint64      part,
           gint64      whole)
{
  if (whole > 0)
    json_object_set_double_member (object, key, (double) part / (double) whole);
  else
    json_object_set_null_member (object, key);
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
  gint64 known = profile_known (report, item);

  json_object_set_int_member (object, "answered", known);
  json_object_set_int_member (object, "unknown", report->c.profile[item][UNKNOWN_SLOT]);

  if (profile_items[item].kind == ITEM_LANGUAGE)
    {
      g_autoptr(GArray) slots = sorted_languages (report);

      for (guint i = 0; i < slots->len; i++)
        {
          guint slot = g_array_index (slots, guint, i);
          char code[3];

          language_code (slot, code);
          json_object_set_int_member (counts, code, report->c.languages[slot]);
          set_share (shares, code, report->c.languages[slot], known);
        }
    }
  else
    {
      const Vocabulary *v = &profile_vocabularies[item];

      for (guint i = 0; i < v->n; i++)
        {
          json_object_set_int_member (counts, v->codes[i], report->c.profile[item][i]);
          set_share (shares, v->codes[i], report->c.profile[item][i], known);
        }
    }

  json_object_set_object_member (object, "counts", counts);
  json_object_set_object_member (object, "shares", shares);
  return object;
}

JsonObject *
cdm_report_to_json (CdmReport *report)
{
  JsonObject *root, *advice, *by_channel, *groups, *multimedia, *by_kind;
  JsonObject *programmes_object, *detail, *profile, *remote, *satisfaction, *objective;
  JsonArray *months, *advice_by_month, *groups_by_month;
  gint64 total;

  g_return_val_if_fail (report != NULL, NULL);

  total = cdm_report_get_total_contacts (report);
  root = json_object_new ();
  json_object_set_int_member (root, "year", report->year);
  json_object_set_int_member (root, "total_contacts", total);

  advice = json_object_new ();
  by_channel = json_object_new ();
  advice_by_month = json_array_new ();
  json_object_set_int_member (advice, "total", cdm_report_get_individual_advice (report));
  for (guint ch = 0; ch < channels.n; ch++)
    json_object_set_int_member (by_channel, channels.codes[ch], month_advice_channel (report, ch));
  json_object_set_object_member (advice, "by_channel", by_channel);
  for (guint m = 0; m < N_MONTHS; m++)
    json_array_add_int_element (advice_by_month, month_advice (report, m));
  json_object_set_array_member (advice, "by_month", advice_by_month);
  json_object_set_object_member (root, "individual_advice", advice);

  groups = json_object_new ();
  groups_by_month = json_array_new ();
  json_object_set_int_member (groups, "held", held_in (report, 0) + held_in (report, 1));
  json_object_set_int_member (groups, "in_person", held_in (report, 0));
  json_object_set_int_member (groups, "online", held_in (report, 1));
  json_object_set_int_member (groups, "participants", cdm_report_get_group_participants (report));
  json_object_set_int_member (groups, "participants_in_person", participants_in (report, 0));
  json_object_set_int_member (groups, "participants_online", participants_in (report, 1));
  for (guint m = 0; m < N_MONTHS; m++)
    {
      JsonObject *month = json_object_new ();
      char key[16];

      json_object_set_string_member (month, "month", month_key (report, m, key));
      json_object_set_int_member (month, "held", report->held[m][0] + report->held[m][1]);
      json_object_set_int_member (month, "in_person", report->held[m][0]);
      json_object_set_int_member (month, "online", report->held[m][1]);
      json_object_set_int_member (month, "participants", month_participants (report, m));
      json_array_add_object_element (groups_by_month, month);
    }
  json_object_set_array_member (groups, "by_month", groups_by_month);
  json_object_set_object_member (root, "group_activities", groups);

  multimedia = json_object_new ();
  by_kind = json_object_new ();
  json_object_set_int_member (multimedia, "contacts", cdm_report_get_multimedia (report));
  json_object_set_int_member (multimedia, "tallies", sum_array (report->tallies, N_MONTHS));
  json_object_set_int_member (multimedia, "contact_records", year_sum (report, month_multimedia_records));
  for (guint k = 0; k < tally_kinds.n; k++)
    json_object_set_int_member (by_kind, tally_kinds.codes[k], report->tallies_by_kind[k]);
  json_object_set_object_member (multimedia, "tallies_by_kind", by_kind);
  json_object_set_object_member (root, "multimedia", multimedia);

  programmes_object = json_object_new ();
  detail = json_object_new ();
  for (guint p = 0; p < programmes.n; p++)
    {
      JsonObject *sources = json_object_new ();

      json_object_set_int_member (programmes_object, programmes.codes[p],
                                  report->c.programmes[p] + report->programme_participants[p]);
      json_object_set_int_member (sources, "contacts", report->c.programmes[p]);
      json_object_set_int_member (sources, "participants", report->programme_participants[p]);
      json_object_set_object_member (detail, programmes.codes[p], sources);
    }
  json_object_set_object_member (root, "programmes", programmes_object);
  json_object_set_object_member (root, "programmes_detail", detail);

  profile = json_object_new ();
  for (guint i = 0; i < N_PROFILE_ITEMS; i++)
    json_object_set_object_member (profile, profile_items[i].name, profile_to_json (report, i));
  json_object_set_object_member (root, "profile", profile);

  months = json_array_new ();
  for (guint m = 0; m < N_MONTHS; m++)
    {
      JsonObject *month = json_object_new ();
      JsonObject *month_channels = json_object_new ();
      char key[16];

      json_object_set_string_member (month, "month", month_key (report, m, key));
      json_object_set_int_member (month, "individual_advice", month_advice (report, m));
      json_object_set_int_member (month, "group_participants", month_participants (report, m));
      json_object_set_int_member (month, "multimedia", month_multimedia (report, m));
      json_object_set_int_member (month, "total", month_total (report, m));
      json_object_set_array_member (month, "closed", closed_scopes (report, m));
      for (guint ch = 0; ch < channels.n; ch++)
        json_object_set_int_member (month_channels, channels.codes[ch], report->c.contacts[m][0][ch]);
      json_object_set_object_member (month, "by_channel", month_channels);
      json_object_set_int_member (month, "activities_held", report->held[m][0] + report->held[m][1]);
      json_array_add_object_element (months, month);
    }
  json_object_set_array_member (root, "months", months);

  set_share (root, "remote_answered_within_48h", report->c.remote_within, remote_requests (report));
  remote = json_object_new ();
  json_object_set_int_member (remote, "requests", remote_requests (report));
  json_object_set_int_member (remote, "within_48h", report->c.remote_within);
  json_object_set_int_member (remote, "late", report->c.remote_late + report->c.remote_unanswered);
  json_object_set_int_member (remote, "answered_late", report->c.remote_late);
  json_object_set_int_member (remote, "unanswered", report->c.remote_unanswered);
  json_object_set_object_member (root, "remote", remote);

  satisfaction = json_object_new ();
  json_object_set_int_member (satisfaction, "responses", report->responses);
  set_share (satisfaction, "satisfied", report->satisfied, report->responses);
  set_share (satisfaction, "excellent", report->excellent, report->responses);
  set_share (satisfaction, "recommend", report->recommend_yes, report->recommend_answers);
  set_share (satisfaction, "found", report->found_yes, report->found_answers);
  json_object_set_int_member (satisfaction, "recommend_answers", report->recommend_answers);
  json_object_set_int_member (satisfaction, "found_answers", report->found_answers);
  json_object_set_object_member (root, "satisfaction", satisfaction);

  objective = json_object_new ();
  json_object_set_int_member (objective, "target", report->objective);
  json_object_set_int_member (objective, "reached", total);
  set_share (objective, "progress", total, report->objective);
  json_object_set_object_member (root, "objective", objective);

  return root;
}

/* Text */

/* "97.2 %", or a dash when the share is unknown. (transfer full) */
static char *
format_share (gint64 part,
              gint64 whole)
{
  if (whole <= 0)
    return g_strdup ("–");
  /* Translators: a percentage, e.g. "97.2 %" */
  return g_strdup_printf (_("%.1f %%"), 100.0 * (double) part / (double) whole);
}

/* Counts go through "%lld" in translatable strings: gettext cannot see
 * through G_GINT64_FORMAT. */
#define LL(n) ((long long) (n))

char *
cdm_report_to_text (CdmReport *report)
{
  GString *out;
  gint64 total, contacts_of_year = 0;
  g_autofree char *progress = NULL;
  g_autofree char *within = NULL;
  g_autofree char *satisfied = NULL, *excellent = NULL, *recommend = NULL, *found = NULL;

  g_return_val_if_fail (report != NULL, NULL);

  out = g_string_new (NULL);
  total = cdm_report_get_total_contacts (report);
  progress = format_share (total, report->objective);

  g_string_append_printf (out, _("Figures for %d"), report->year);
  g_string_append (out, "\n\n");
  g_string_append_printf (out, _("Total contacts: %lld (%s of the objective of %lld)"),
                          LL (total), progress, LL (report->objective));
  g_string_append (out, "\n\n");

  g_string_append_printf (out, _("Individual advice: %lld"),
                          LL (cdm_report_get_individual_advice (report)));
  g_string_append_c (out, '\n');
  for (guint ch = 0; ch < channels.n; ch++)
    g_string_append_printf (out, "  %-22s %8lld\n",
                            channels.codes[ch], LL (month_advice_channel (report, ch)));

  g_string_append_printf (out, _("Group activities held: %lld (%lld in person, %lld online)"),
                          LL (held_in (report, 0) + held_in (report, 1)),
                          LL (held_in (report, 0)), LL (held_in (report, 1)));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Contacts in group activities: %lld"),
                          LL (cdm_report_get_group_participants (report)));
  g_string_append_c (out, '\n');
  g_string_append_printf (out, _("Contacts in the multimedia area: %lld (%lld counted, %lld logged)"),
                          LL (cdm_report_get_multimedia (report)),
                          LL (sum_array (report->tallies, N_MONTHS)),
                          LL (year_sum (report, month_multimedia_records)));
  g_string_append (out, "\n\n");

  g_string_append (out, _("People reached per programme"));
  g_string_append_c (out, '\n');
  for (guint p = 0; p < programmes.n; p++)
    {
      g_string_append_printf (out, "  %-22s %8lld  ", programmes.codes[p],
                              LL (report->c.programmes[p] + report->programme_participants[p]));
      g_string_append_printf (out, _("(%lld contacts, %lld in group activities)"),
                              LL (report->c.programmes[p]), LL (report->programme_participants[p]));
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  within = format_share (report->c.remote_within, remote_requests (report));
  g_string_append_printf (out, _("Remote requests: %lld, answered within 48 h: %s (%lld), "
                                 "answered late: %lld, unanswered: %lld"),
                          LL (remote_requests (report)), within, LL (report->c.remote_within),
                          LL (report->c.remote_late), LL (report->c.remote_unanswered));
  g_string_append_c (out, '\n');

  satisfied = format_share (report->satisfied, report->responses);
  excellent = format_share (report->excellent, report->responses);
  recommend = format_share (report->recommend_yes, report->recommend_answers);
  found = format_share (report->found_yes, report->found_answers);
  g_string_append_printf (out, _("Satisfaction: %lld responses; satisfied %s, excellent %s, "
                                 "would recommend %s, found what they looked for %s"),
                          LL (report->responses), satisfied, excellent, recommend, found);
  g_string_append (out, "\n\n");

  for (guint m = 0; m < N_MONTHS; m++)
    contacts_of_year += month_advice (report, m) + month_multimedia_records (report, m);
  g_string_append_printf (out, _("Visitor profile (over the %lld contact records of the year)"),
                          LL (contacts_of_year));
  g_string_append_c (out, '\n');
  for (guint i = 0; i < N_PROFILE_ITEMS; i++)
    {
      gint64 known = profile_known (report, i);

      g_string_append_printf (out, "  %-16s", profile_items[i].name);
      if (profile_items[i].kind == ITEM_LANGUAGE)
        {
          g_autoptr(GArray) slots = sorted_languages (report);

          for (guint j = 0; j < slots->len; j++)
            {
              guint slot = g_array_index (slots, guint, j);
              g_autofree char *share = format_share (report->c.languages[slot], known);
              char code[3];

              language_code (slot, code);
              g_string_append_printf (out, " %s %s,", code, share);
            }
        }
      else
        {
          for (guint j = 0; j < profile_vocabularies[i].n; j++)
            {
              g_autofree char *share = format_share (report->c.profile[i][j], known);

              g_string_append_printf (out, " %s %s,", profile_vocabularies[i].codes[j], share);
            }
        }
      g_string_append_c (out, ' ');
      g_string_append_printf (out, _("unknown: %lld"), LL (report->c.profile[i][UNKNOWN_SLOT]));
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, '\n');

  g_string_append_printf (out, "%-8s %9s %9s %11s %9s  %s\n",
                          /* Translators: column headings of the monthly table; keep them short */
                          _("Month"), _("Advice"), _("Groups"), _("Multimedia"),
                          _("Total"), _("Closed"));
  for (guint m = 0; m < N_MONTHS; m++)
    {
      char key[16];

      g_string_append_printf (out, "%-8s %9lld %9lld %11lld %9lld ",
                              month_key (report, m, key), LL (month_advice (report, m)),
                              LL (month_participants (report, m)), LL (month_multimedia (report, m)),
                              LL (month_total (report, m)));
      for (guint s = 0; s < scopes.n; s++)
        if (report->closed[m] & (1u << s))
          g_string_append_printf (out, " %s", scopes.codes[s]);
      g_string_append_c (out, '\n');
    }

  return g_string_free (out, FALSE);
}

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
csv_row (GString    *out,
         const char *figure,
         const char *breakdown,
         const char *period,
         const char *value)
{
  csv_field (out, figure);
  g_string_append_c (out, ',');
  csv_field (out, breakdown != NULL ? breakdown : "");
  g_string_append_c (out, ',');
  csv_field (out, period);
  g_string_append_c (out, ',');
  csv_field (out, value);
  g_string_append (out, "\r\n");
}

static void
csv_count (GString    *out,
           const char *figure,
           const char *breakdown,
           const char *period,
           gint64      value)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  csv_row (out, figure, breakdown, period, text);
}

/* A share with four decimals (0.01 %), or an empty value when unknown. */
static void
csv_share (GString    *out,
           const char *figure,
           const char *breakdown,
           const char *period,
           gint64      part,
           gint64      whole)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE] = "";

  if (whole > 0)
    g_ascii_formatd (text, sizeof text, "%.4f", (double) part / (double) whole);
  csv_row (out, figure, breakdown, period, text);
}

char *
cdm_report_to_csv (CdmReport *report)
{
  GString *out;
  char year[16];

  g_return_val_if_fail (report != NULL, NULL);

  out = g_string_new ("figure,breakdown,period,value\r\n");
  g_snprintf (year, sizeof year, "%04d", report->year);

  csv_count (out, "total_contacts", NULL, year, cdm_report_get_total_contacts (report));
  csv_count (out, "individual_advice", NULL, year, cdm_report_get_individual_advice (report));
  for (guint ch = 0; ch < channels.n; ch++)
    csv_count (out, "individual_advice", channels.codes[ch], year, month_advice_channel (report, ch));
  csv_count (out, "group_activities_held", NULL, year, held_in (report, 0) + held_in (report, 1));
  csv_count (out, "group_activities_held", "in_person", year, held_in (report, 0));
  csv_count (out, "group_activities_held", "online", year, held_in (report, 1));
  csv_count (out, "group_participants", NULL, year, cdm_report_get_group_participants (report));
  csv_count (out, "group_participants", "in_person", year, participants_in (report, 0));
  csv_count (out, "group_participants", "online", year, participants_in (report, 1));
  csv_count (out, "multimedia", NULL, year, cdm_report_get_multimedia (report));
  csv_count (out, "multimedia", "tallies", year, sum_array (report->tallies, N_MONTHS));
  csv_count (out, "multimedia", "contact_records", year, year_sum (report, month_multimedia_records));
  for (guint k = 0; k < tally_kinds.n; k++)
    csv_count (out, "multimedia_tallies", tally_kinds.codes[k], year, report->tallies_by_kind[k]);

  for (guint p = 0; p < programmes.n; p++)
    csv_count (out, "programmes", programmes.codes[p], year,
               report->c.programmes[p] + report->programme_participants[p]);
  for (guint p = 0; p < programmes.n; p++)
    csv_count (out, "programme_contacts", programmes.codes[p], year, report->c.programmes[p]);
  for (guint p = 0; p < programmes.n; p++)
    csv_count (out, "programme_participants", programmes.codes[p], year,
               report->programme_participants[p]);

  for (guint i = 0; i < N_PROFILE_ITEMS; i++)
    {
      g_autofree char *figure = g_strconcat ("profile_", profile_items[i].name, NULL);
      g_autofree char *share_figure = g_strconcat (figure, "_share", NULL);
      gint64 known = profile_known (report, i);

      if (profile_items[i].kind == ITEM_LANGUAGE)
        {
          g_autoptr(GArray) slots = sorted_languages (report);

          for (guint j = 0; j < slots->len; j++)
            {
              guint slot = g_array_index (slots, guint, j);
              char code[3];

              language_code (slot, code);
              csv_count (out, figure, code, year, report->c.languages[slot]);
              csv_share (out, share_figure, code, year, report->c.languages[slot], known);
            }
        }
      else
        {
          const Vocabulary *v = &profile_vocabularies[i];

          for (guint j = 0; j < v->n; j++)
            {
              csv_count (out, figure, v->codes[j], year, report->c.profile[i][j]);
              csv_share (out, share_figure, v->codes[j], year, report->c.profile[i][j], known);
            }
        }
      csv_count (out, figure, "unknown", year, report->c.profile[i][UNKNOWN_SLOT]);
    }

  csv_count (out, "remote_requests", NULL, year, remote_requests (report));
  csv_count (out, "remote_requests", "within_48h", year, report->c.remote_within);
  csv_count (out, "remote_requests", "late", year, report->c.remote_late + report->c.remote_unanswered);
  csv_count (out, "remote_requests", "answered_late", year, report->c.remote_late);
  csv_count (out, "remote_requests", "unanswered", year, report->c.remote_unanswered);
  csv_share (out, "remote_answered_within_48h", NULL, year,
             report->c.remote_within, remote_requests (report));

  csv_count (out, "satisfaction_responses", NULL, year, report->responses);
  csv_share (out, "satisfaction", "satisfied", year, report->satisfied, report->responses);
  csv_share (out, "satisfaction", "excellent", year, report->excellent, report->responses);
  csv_share (out, "satisfaction", "recommend", year, report->recommend_yes, report->recommend_answers);
  csv_share (out, "satisfaction", "found", year, report->found_yes, report->found_answers);

  csv_count (out, "objective", "target", year, report->objective);
  csv_count (out, "objective", "reached", year, cdm_report_get_total_contacts (report));
  csv_share (out, "objective", "progress", year,
             cdm_report_get_total_contacts (report), report->objective);

  for (guint m = 0; m < N_MONTHS; m++)
    {
      char month[16];

      month_key (report, m, month);
      csv_count (out, "total_contacts", NULL, month, month_total (report, m));
      csv_count (out, "individual_advice", NULL, month, month_advice (report, m));
      for (guint ch = 0; ch < channels.n; ch++)
        csv_count (out, "individual_advice", channels.codes[ch], month, report->c.contacts[m][0][ch]);
      csv_count (out, "group_activities_held", NULL, month, report->held[m][0] + report->held[m][1]);
      csv_count (out, "group_activities_held", "in_person", month, report->held[m][0]);
      csv_count (out, "group_activities_held", "online", month, report->held[m][1]);
      csv_count (out, "group_participants", NULL, month, month_participants (report, m));
      csv_count (out, "multimedia", NULL, month, month_multimedia (report, m));
      for (guint s = 0; s < scopes.n; s++)
        if (report->closed[m] & (1u << s))
          csv_count (out, "closed", scopes.codes[s], month, 1);
    }

  return g_string_free (out, FALSE);
}
