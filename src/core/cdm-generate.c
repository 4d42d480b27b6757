/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-generate.c: random but plausible stores at benchmark scale.
 *
 * A million contacts through cdm_store_put() would spend most of their
 * time building, validating and re-reading JSON (about 20 µs a record), so
 * the generator writes rows directly with prepared statements, in the
 * columns of cdm-store-schema.c, computing the derived columns the way
 * cdm-store.c's bind_record() does: themes and programmes as bit masks in
 * vocabulary order, open lists as JSON text, and every timestamp with its
 * unix time and the centre's local day.  The search index is kept by its
 * triggers, as for any other writer.
 *
 * Everything is written in one transaction (cdm_store_begin with bulk
 * durability): an error or a cancellation rolls it all back.  Rows are
 * written as already synced (version 0, sync state synced, no outbox
 * entry), and the store is marked "origin" = "generated" so that sync can
 * refuse to push them.
 *
 * Reproducibility: each kind of record has its own random stream, seeded
 * from the options' seed and the kind, so the same options always give the
 * same rows (ids included) whatever the other counts.  Only two things
 * depend on the moment of generation: updated_at, and whether an activity
 * of the year is already held or still planned.
 *
 * Local time without a GDateTime per row: the UTC offsets of the centre's
 * time zone over the year are computed once, as a short list of
 * transitions, and a timestamp is formatted from its unix time and the
 * offset in force with plain calendar arithmetic.  Its local day is then,
 * by construction, what cdm_local_day() returns.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cdm-demo.h"
#include "cdm-demo-private.h"
#include "cdm-store-private.h"

/* Bounds on what a caller may ask for.  Far above any benchmark (the
 * largest is 1,000,000 contacts), low enough that a typo is refused
 * before it fills a disk: the ids of partners and resources are kept in
 * memory, 16 bytes each. */
#define MAX_CONTACTS   50000000u
#define MAX_RESOURCES   5000000u
#define MAX_PARTNERS    1000000u
#define MAX_ACTIVITIES  5000000u
#define MIN_YEAR 1900
#define MAX_YEAR 2199

/* How often the loops look at the cancellable. */
#define CANCEL_CHECK_ROWS 10000

/* What each random stream is for (mixed into the seed). */
enum {
  STREAM_PARTNERS = 1,
  STREAM_RESOURCES,
  STREAM_ACTIVITIES,
  STREAM_CLOSURES,
  STREAM_CONTACTS,
  STREAM_TALLIES,
  STREAM_SATISFACTION,
};

typedef struct {
  guint8 bytes[16];
} Uuid;

/* A day of the year in the centre's local time. */
typedef struct {
  int year, month, day;
  int weekday;              /* 1 = Monday … 7 = Sunday */
  gint64 local_midnight;    /* local seconds since 1970-01-01T00:00 local */
  guint closed;             /* CLOSED_ALL, PUBLIC_HOLIDAY, … (below) */
  char text[11];            /* YYYY-MM-DD */
} Day;

/* From this unix time on, the UTC offset is offset seconds. */
typedef struct {
  gint64 from;
  gint32 offset;
} Transition;

typedef struct {
  CdmStore *store;
  sqlite3 *db;
  GCancellable *cancellable;
  const CdmGenerateOptions *options;
  GTimeZone *zone;
  gint64 now;               /* unix time of the generation */
  char updated_at[32];

  Day *days;
  guint n_days;
  gint64 year_start;        /* unix time of the year's first local midnight */
  GArray *transitions;      /* Transition, sorted */

  Uuid *partners;           /* ids, for referrals and organisers */
  Uuid *resources;          /* ids, for resources handed over */
  guint *open_days;         /* indexes in days of the days the centre is open */
  guint n_open_days;

  guint rows;               /* rows written since the last cancellation check */
} Generator;

/* Random helpers */

static GRand *
stream_new (const Generator *gen,
            guint32          stream)
{
  guint32 seed[3] = { gen->options->seed, stream, (guint32) gen->options->year };

  return g_rand_new_with_seed_array (seed, G_N_ELEMENTS (seed));
}

static gboolean
chance (GRand  *rand,
        double  p)
{
  return g_rand_double (rand) < p;
}

/* An index in [0, n) where low indexes come up more often, as a few
 * partners receive most referrals and a few books most loans. */
static guint
skewed_index (GRand *rand,
              guint  n)
{
  double u = g_rand_double (rand);
  guint i = (guint) (u * u * n);

  return MIN (i, n - 1);
}

/* An index in @weights (which add up to anything > 0). */
static guint
weighted_index (GRand        *rand,
                const double *weights,
                guint         n)
{
  double total = 0, x;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  x = g_rand_double (rand) * total;
  for (guint i = 0; i < n; i++)
    {
      if (x < weights[i])
        return i;
      x -= weights[i];
    }
  return n - 1;
}

#define PICK(rand, array) ((array)[g_rand_int_range ((rand), 0, G_N_ELEMENTS (array))])

/* A version 4 UUID from the stream: reproducible, unlike
 * g_uuid_string_random(). */
static void
uuid_generate (GRand *rand,
               Uuid  *uuid)
{
  for (guint i = 0; i < 16; i += 4)
    {
      guint32 r = g_rand_int (rand);
      memcpy (uuid->bytes + i, &r, 4);
    }
  uuid->bytes[6] = (uuid->bytes[6] & 0x0f) | 0x40;
  uuid->bytes[8] = (uuid->bytes[8] & 0x3f) | 0x80;
}

/* Lower-case canonical text, as cdm_uuid_valid() wants it. */
static void
uuid_format (const Uuid *uuid,
             char        text[37])
{
  static const char hex[] = "0123456789abcdef";
  guint j = 0;

  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        text[j++] = '-';
      text[j++] = hex[uuid->bytes[i] >> 4];
      text[j++] = hex[uuid->bytes[i] & 0xf];
    }
  text[j] = '\0';
}

/* A bit mask of codes from a space-separated list ("learn work"), as the
 * data tables write them; bit i is codes[i], as in the store. */
static gint64
mask_from_words (const char * const *codes,
                 const char         *words)
{
  g_auto(GStrv) list = NULL;
  gint64 mask = 0;

  if (words == NULL)
    return 0;
  list = g_strsplit (words, " ", -1);
  for (guint i = 0; list[i] != NULL; i++)
    {
      int idx = cdm_code_index (codes, list[i]);
      if (idx >= 0)
        mask |= G_GINT64_CONSTANT (1) << idx;
    }
  return mask;
}

/* The bit of one code, which must be in @codes. */
static gint64
code_bit (const char * const *codes,
          const char         *code)
{
  int idx = cdm_code_index (codes, code);

  g_assert (idx >= 0);
  return G_GINT64_CONSTANT (1) << idx;
}

/* Appends @text as a JSON string, escaped. */
static void
append_json_string (GString    *json,
                    const char *text)
{
  g_string_append_c (json, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':
          g_string_append (json, "\\\"");
          break;
        case '\\':
          g_string_append (json, "\\\\");
          break;
        default:
          if ((guchar) *p < 0x20)
            g_string_append_printf (json, "\\u%04x", (guchar) *p);
          else
            g_string_append_c (json, *p);
          break;
        }
    }
  g_string_append_c (json, '"');
}

/* A JSON array of the space-separated words, or NULL for none (the store
 * keeps an empty list as NULL). */
static char *
json_array_from_words (const char *words)
{
  g_auto(GStrv) list = NULL;
  GString *json;

  if (words == NULL || *words == '\0')
    return NULL;
  list = g_strsplit (words, " ", -1);
  json = g_string_new ("[");
  for (guint i = 0; list[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      append_json_string (json, list[i]);
    }
  g_string_append_c (json, ']');
  return g_string_free (json, FALSE);
}

/* Calendar arithmetic (proleptic Gregorian, H. Hinnant's algorithms):
 * days since 1970-01-01 and back, exact for any year we accept. */

static gint64
days_from_civil (int y,
                 int m,
                 int d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 int    *out_y,
                 int    *out_m,
                 int    *out_d)
{
  gint64 era, doe, yoe, y, doy, mp, d, m;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  *out_y = (int) (y + (m <= 2));
  *out_m = (int) m;
  *out_d = (int) d;
}

/* The floor of a / b for b > 0, also for negative a (years before 1970). */
static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Local time */

static gint32
zone_offset (GTimeZone *zone,
             gint64     unix_time)
{
  int interval = g_time_zone_find_interval (zone, G_TIME_TYPE_UNIVERSAL, unix_time);

  return g_time_zone_get_offset (zone, interval);
}

/* The offsets in force from @from to @to, as transitions found by
 * sampling every quarter of an hour (no zone changes its offset more
 * often) and then bisecting to the second. */
static GArray *
find_transitions (GTimeZone *zone,
                  gint64     from,
                  gint64     to)
{
  GArray *transitions = g_array_new (FALSE, FALSE, sizeof (Transition));
  Transition first = { G_MININT64, zone_offset (zone, from) };
  gint32 current = first.offset;

  g_array_append_val (transitions, first);
  for (gint64 t = from + 900; t <= to; t += 900)
    {
      gint32 offset = zone_offset (zone, t);
      gint64 lo = t - 900, hi = t;
      Transition tr;

      if (offset == current)
        continue;
      /* The offset at lo is current, at hi the new one. */
      while (hi - lo > 1)
        {
          gint64 mid = lo + (hi - lo) / 2;
          if (zone_offset (zone, mid) == current)
            lo = mid;
          else
            hi = mid;
        }
      tr.from = hi;
      tr.offset = offset;
      g_array_append_val (transitions, tr);
      current = offset;
    }
  return transitions;
}

static gint32
offset_at (const Generator *gen,
           gint64           unix_time)
{
  const Transition *tr = (const Transition *) gen->transitions->data;
  guint i = gen->transitions->len - 1;

  while (i > 0 && tr[i].from > unix_time)
    i--;
  return tr[i].offset;
}

/* The unix time of a local time (seconds since the local epoch).  In the
 * hour a clock skips or repeats, one of the possible answers. */
static gint64
local_to_unix (const Generator *gen,
               gint64           local)
{
  gint32 offset = offset_at (gen, local - offset_at (gen, local));

  return local - offset;
}

/* Formats @unix_time as ISO 8601 with the local offset
 * (2020-03-16T09:30:00+01:00) into @text and, if @day is not NULL, its
 * local day (2020-03-16) into @day: what cdm_local_day() says. */
static void
format_local (const Generator *gen,
              gint64           unix_time,
              char             text[32],
              char             day[11])
{
  gint32 offset = offset_at (gen, unix_time);
  gint64 local = unix_time + offset;
  gint64 days = floor_div (local, 86400);
  gint64 secs = local - days * 86400;
  gint32 abs_offset = ABS (offset);
  int y, m, d;

  civil_from_days (days, &y, &m, &d);
  if (abs_offset % 60 == 0)
    g_snprintf (text, 32, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
                y, m, d, (int) (secs / 3600), (int) (secs / 60 % 60), (int) (secs % 60),
                offset < 0 ? '-' : '+', abs_offset / 3600, abs_offset / 60 % 60);
  else
    {
      /* An offset with seconds (local mean time, in some zones until the
       * 1930s) has no ISO 8601 form: the time is written in UTC. */
      gint64 utc_days = floor_div (unix_time, 86400);
      gint64 utc_secs = unix_time - utc_days * 86400;
      int uy, um, ud;

      civil_from_days (utc_days, &uy, &um, &ud);
      g_snprintf (text, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                  uy, um, ud, (int) (utc_secs / 3600), (int) (utc_secs / 60 % 60), (int) (utc_secs % 60));
    }
  if (day != NULL)
    g_snprintf (day, 11, "%04d-%02d-%02d", y, m, d);
}

/* The calendar of the year */

/* Closures, as bits of Day.closed, by scope. */
enum {
  CLOSED_ALL        = 1 << 0,
  CLOSED_MULTIMEDIA = 1 << 1,
  CLOSED_ACTIVITIES = 1 << 2,
  BY_APPOINTMENT    = 1 << 3,
  PUBLIC_HOLIDAY    = 1 << 4,
};

typedef struct {
  guint from, to;           /* day indexes, inclusive */
  const char *scope;
  const char *reason;
  guint flag;
} Closure;

/* Easter Sunday (anonymous Gregorian algorithm), as a day of the year
 * counted from 0. */
static guint
easter_day_of_year (int y)
{
  int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  int f = (b + 8) / 25, g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31;
  int day = (h + l - 7 * m + 114) % 31 + 1;

  return (guint) (days_from_civil (y, month, day) - days_from_civil (y, 1, 1));
}

static guint
day_index (const Generator *gen,
           int              month,
           int              day)
{
  return (guint) (days_from_civil (gen->options->year, month, day) -
                  days_from_civil (gen->options->year, 1, 1));
}

static void
build_days (Generator *gen)
{
  int year = gen->options->year;
  gint64 first = days_from_civil (year, 1, 1);
  gint64 last = days_from_civil (year + 1, 1, 1);
  /* Belgian public holidays: the centre is closed, with no closure record
   * (the report shades closures, not holidays). */
  static const int fixed_holidays[][2] = {
    { 1, 1 }, { 5, 1 }, { 7, 21 }, { 8, 15 }, { 11, 1 }, { 11, 11 }, { 12, 25 },
  };
  guint easter;

  /* Offsets from two days before the year (remote requests received
   * before their answer) to ten days after it. */
  gen->transitions = find_transitions (gen->zone, first * 86400 - 3 * 86400,
                                       last * 86400 + 10 * 86400);

  gen->n_days = (guint) (last - first);
  gen->days = g_new0 (Day, gen->n_days);
  for (guint i = 0; i < gen->n_days; i++)
    {
      Day *day = &gen->days[i];
      gint64 z = first + i;

      civil_from_days (z, &day->year, &day->month, &day->day);
      /* 1970-01-01 was a Thursday. */
      day->weekday = (int) ((z % 7 + 7 + 3) % 7) + 1;
      day->local_midnight = z * 86400;
      g_snprintf (day->text, sizeof day->text, "%04d-%02d-%02d", day->year, day->month, day->day);
      if (day->weekday >= 6)
        day->closed |= PUBLIC_HOLIDAY;
    }

  for (guint i = 0; i < G_N_ELEMENTS (fixed_holidays); i++)
    gen->days[day_index (gen, fixed_holidays[i][0], fixed_holidays[i][1])].closed |= PUBLIC_HOLIDAY;
  easter = easter_day_of_year (year);
  gen->days[easter + 1].closed |= PUBLIC_HOLIDAY;   /* Easter Monday */
  gen->days[easter + 39].closed |= PUBLIC_HOLIDAY;  /* Ascension */
  gen->days[easter + 50].closed |= PUBLIC_HOLIDAY;  /* Whit Monday */

  gen->year_start = local_to_unix (gen, first * 86400);
}

/* A working day at random, from @from on. */
static guint
random_working_day (const Generator *gen,
                    GRand           *rand,
                    guint            from,
                    guint            to)
{
  for (guint tries = 0; tries < 100; tries++)
    {
      guint i = g_rand_int_range (rand, from, to + 1);
      if (gen->days[i].weekday <= 5)
        return i;
    }
  return from;
}

/* A few closures, as a centre has: the end-of-year break, a summer pause
 * of the group activities, a week without the multimedia area, a staff
 * training day and two weeks by appointment only. */
static GArray *
plan_closures (Generator *gen,
               GRand     *rand)
{
  GArray *closures = g_array_new (FALSE, FALSE, sizeof (Closure));
  guint monday, training, appointments;
  Closure c;

  c = (Closure) { day_index (gen, 12, 24), day_index (gen, 12, 31), "all",
                  "Congés de fin d'année", CLOSED_ALL };
  g_array_append_val (closures, c);

  c = (Closure) { day_index (gen, 7, 15), day_index (gen, 8, 15), "activities",
                  "Pause estivale des activités collectives", CLOSED_ACTIVITIES };
  g_array_append_val (closures, c);

  /* A Monday between February and November, and its week. */
  monday = random_working_day (gen, rand, day_index (gen, 2, 1), day_index (gen, 11, 20));
  monday -= gen->days[monday].weekday - 1;
  c = (Closure) { monday, monday + 4, "multimedia",
                  "Renouvellement du parc informatique", CLOSED_MULTIMEDIA };
  g_array_append_val (closures, c);

  training = random_working_day (gen, rand, day_index (gen, 1, 15), day_index (gen, 6, 30));
  c = (Closure) { training, training, "all", "Journée de formation du personnel", CLOSED_ALL };
  g_array_append_val (closures, c);

  appointments = random_working_day (gen, rand, day_index (gen, 9, 1), day_index (gen, 11, 15));
  appointments -= gen->days[appointments].weekday - 1;
  c = (Closure) { appointments, appointments + 11, "appointment_only",
                  "Travaux à l'accueil : conseil sur rendez-vous uniquement", BY_APPOINTMENT };
  g_array_append_val (closures, c);

  for (guint i = 0; i < closures->len; i++)
    {
      const Closure *closure = &g_array_index (closures, Closure, i);
      for (guint d = closure->from; d <= closure->to; d++)
        gen->days[d].closed |= closure->flag;
    }

  gen->open_days = g_new (guint, gen->n_days);
  for (guint i = 0; i < gen->n_days; i++)
    if ((gen->days[i].closed & (CLOSED_ALL | PUBLIC_HOLIDAY)) == 0)
      gen->open_days[gen->n_open_days++] = i;

  return closures;
}

/* The unix time of @seconds after local midnight of @day. */
static gint64
day_time (const Generator *gen,
          const Day       *day,
          gint64           seconds)
{
  return local_to_unix (gen, day->local_midnight + seconds);
}

/* Writing */

static sqlite3_stmt *
prepare (Generator   *gen,
         const char  *sql,
         GError     **error)
{
  return _cdm_store_prepare (gen->store, sql, error);
}

/* Runs the bound insert and resets it. */
static gboolean
step (Generator     *gen,
      sqlite3_stmt  *stmt,
      GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _cdm_store_set_error (error, gen->db, rc, _("Writing generated records failed"));
      return FALSE;
    }
  return TRUE;
}

/* Counts a row written; every CANCEL_CHECK_ROWS rows, gives up if the
 * caller cancelled. */
static gboolean
tick (Generator  *gen,
      GError    **error)
{
  if (++gen->rows < CANCEL_CHECK_ROWS)
    return TRUE;
  gen->rows = 0;
  return !g_cancellable_set_error_if_cancelled (gen->cancellable, error);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           param,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, param, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, param);
}

/* Binds the sync columns id (?1) and updated_at (?2); the statements
 * write version 0, no author, not deleted and synced themselves. */
static void
bind_sync (Generator    *gen,
           sqlite3_stmt *stmt,
           const Uuid   *id)
{
  char text[37];

  uuid_format (id, text);
  sqlite3_bind_text (stmt, 1, text, 36, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, gen->updated_at, -1, SQLITE_STATIC);
}

/* The sync columns of every synced table, and their values for generated
 * rows: never pushed, so synced from the start. */
#define SYNC_INSERT_COLUMNS "id, version, updated_at, updated_by, deleted, sync_state"
#define SYNC_INSERT_VALUES  "?1, 0, ?2, NULL, 0, 0"

/* Partners */

/* Lower-case ASCII words joined by '-', for domain names. */
static void
append_slug (GString    *slug,
             const char *text)
{
  g_autofree char *ascii = g_str_to_ascii (text, "C");
  gboolean dash = slug->len > 0;

  for (const char *p = ascii; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          if (dash && slug->len > 0)
            g_string_append_c (slug, '-');
          g_string_append_c (slug, g_ascii_tolower (*p));
          dash = FALSE;
        }
      else
        dash = TRUE;
    }
}

/* "Mission locale Horizon" gives "MLH": the initials of the words of
 * three letters or more. */
static char *
make_acronym (const char *prefix,
              const char *qualifier)
{
  g_autofree char *words = g_strdup_printf ("%s %s", prefix, qualifier);
  g_autofree char *ascii = g_str_to_ascii (words, "C");
  g_auto(GStrv) list = g_strsplit_set (ascii, " '-", -1);
  GString *acronym = g_string_new (NULL);

  for (guint i = 0; list[i] != NULL; i++)
    if (strlen (list[i]) >= 3 && g_ascii_isalpha (list[i][0]))
      g_string_append_c (acronym, g_ascii_toupper (list[i][0]));
  return g_string_free (acronym, FALSE);
}

static const char * const partner_roles[] = {
  "Coordinateur·rice", "Conseiller·ère emploi", "Formateur·rice",
  "Responsable des partenariats", "Chargé·e d'accueil", "Médiateur·rice",
  "Trajectbegeleider", "Consulent", "Programme officer",
};

static const char * const partner_hours[] = {
  "Du lundi au vendredi, de 9 h à 17 h",
  "Du lundi au jeudi de 9 h à 16 h 30, le vendredi de 9 h à 12 h",
  "Sur rendez-vous, du lundi au vendredi",
  "Maandag tot vrijdag, 9u–16u",
  "Lundi, mercredi et vendredi de 13 h à 17 h",
};

static const char * const partner_notes[] = {
  "Permanence à la Cité des métiers une fois par semaine.",
  "Accueil des jeunes de 18 à 25 ans sans rendez-vous le mercredi.",
  "Séances d'information collectives chaque mois.",
  "Liste d'attente pour les formations qualifiantes.",
  "Spreekuur in het Beroepenpunt op afspraak.",
};

/* A contact person, as the JSON object the store keeps, with an e-mail
 * address "firstname.lastname@" @domain. */
static void
append_person (GString    *people,
               GRand      *rand,
               const char *domain)
{
  guint n_first = cdm_demo_strv_length (cdm_demo_first_names);
  guint n_last = cdm_demo_strv_length (cdm_demo_last_names);
  const char *first = cdm_demo_first_names[g_rand_int_range (rand, 0, n_first)];
  const char *last = cdm_demo_last_names[g_rand_int_range (rand, 0, n_last)];
  g_autofree char *name = g_strdup_printf ("%s %s", first, last);
  g_autoptr(GString) first_slug = g_string_new (NULL);
  g_autoptr(GString) last_slug = g_string_new (NULL);
  g_autofree char *phone = g_strdup_printf ("+32 2 %03u %02u %02u",
                                            g_rand_int_range (rand, 200, 800),
                                            g_rand_int_range (rand, 0, 100),
                                            g_rand_int_range (rand, 0, 100));
  g_autofree char *email = NULL;

  append_slug (first_slug, first);
  append_slug (last_slug, last);
  email = g_strdup_printf ("%s.%s@%s", first_slug->str, last_slug->str, domain);

  g_string_append (people, "{\"name\":");
  append_json_string (people, name);
  g_string_append (people, ",\"role\":");
  append_json_string (people, PICK (rand, partner_roles));
  g_string_append (people, ",\"phone\":");
  append_json_string (people, phone);
  g_string_append (people, ",\"email\":");
  append_json_string (people, email);
  g_string_append_c (people, '}');
}

/* Themes as a random set: one to three, work and learn the most common. */
static gint64
random_themes (GRand *rand,
               guint  at_most)
{
  static const double weights[] = { 0.25, 0.3, 0.08, 0.1, 0.37 };  /* cdm_themes order */
  gint64 mask = 0;
  guint n = 1 + (chance (rand, 0.35) ? 1 : 0) + (chance (rand, 0.1) ? 1 : 0);

  n = MIN (n, at_most);
  for (guint i = 0; i < n; i++)
    mask |= G_GINT64_CONSTANT (1) << weighted_index (rand, weights, G_N_ELEMENTS (weights));
  return mask;
}

static gboolean
write_partners (Generator  *gen,
                GError    **error)
{
  /* clang-format off */
  static const char sql[] =
    "INSERT INTO organisations (" SYNC_INSERT_COLUMNS ", name_fr, name_nl, name_en, acronym,"
    " circle, kind, themes, languages, address, phone, email, website, hours, desk_days,"
    " people, notes, active)"
    " VALUES (" SYNC_INSERT_VALUES ", ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    " ?16, ?17, ?18, ?19)";
  /* clang-format on */
  static const char * const languages[] = { "[\"fr\"]", "[\"fr\",\"nl\"]", "[\"nl\"]", "[\"fr\",\"nl\",\"en\"]" };
  static const double language_weights[] = { 35, 40, 10, 15 };
  static const char * const circles[] = { "first", "second", "other" };
  static const double circle_weights[] = { 8, 32, 60 };
  guint n = gen->options->partners;
  guint n_prefixes = 0, n_qualifiers = cdm_demo_strv_length (cdm_demo_org_qualifiers);
  guint n_streets = cdm_demo_strv_length (cdm_demo_streets);
  guint n_combos;
  g_autofree guint *combos = NULL;
  g_autoptr(GRand) rand = stream_new (gen, STREAM_PARTNERS);
  sqlite3_stmt *stmt;

  if (n == 0)
    return TRUE;
  stmt = prepare (gen, sql, error);
  if (stmt == NULL)
    return FALSE;

  while (cdm_demo_org_prefixes[n_prefixes][0] != NULL)
    n_prefixes++;

  /* Every name once (prefix × qualifier × commune: some 12,000) in a
   * random order, then again with a number. */
  n_combos = n_prefixes * n_qualifiers * cdm_demo_n_communes;
  combos = g_new (guint, n_combos);
  for (guint i = 0; i < n_combos; i++)
    combos[i] = i;
  for (guint i = n_combos - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      guint t = combos[i];
      combos[i] = combos[j];
      combos[j] = t;
    }

  gen->partners = g_new (Uuid, n);
  for (guint i = 0; i < n; i++)
    {
      guint combo = combos[i % n_combos];
      guint lap = i / n_combos;
      const char * const *prefix = cdm_demo_org_prefixes[combo / (n_qualifiers * cdm_demo_n_communes)];
      const char *qualifier = cdm_demo_org_qualifiers[combo / cdm_demo_n_communes % n_qualifiers];
      const char * const *commune = cdm_demo_communes[combo % cdm_demo_n_communes];
      g_autofree char *number = lap > 0 ? g_strdup_printf (" %u", lap + 1) : g_strdup ("");
      g_autofree char *name_fr = g_strdup_printf ("%s %s %s%s", prefix[0], qualifier, commune[1], number);
      g_autofree char *name_nl = g_strdup_printf ("%s %s %s%s", prefix[1], qualifier, commune[2], number);
      g_autofree char *name_en = g_strdup_printf ("%s %s, %s%s", prefix[2], qualifier, commune[1], number);
      g_autofree char *acronym = NULL;
      g_autoptr(GString) domain = g_string_new (NULL);
      g_autofree char *address = NULL;
      g_autofree char *phone = NULL;
      g_autofree char *email = NULL;
      g_autofree char *website = NULL;
      g_autoptr(GString) people = g_string_new ("[");
      const char *circle = circles[weighted_index (rand, circle_weights, G_N_ELEMENTS (circle_weights))];
      gint64 desk_days = 0;
      gboolean with_nl = chance (rand, 0.6);
      gboolean with_en = chance (rand, 0.3);
      guint n_people = g_rand_int_range (rand, 1, 3);

      uuid_generate (rand, &gen->partners[i]);

      append_slug (domain, prefix[0]);
      append_slug (domain, qualifier);
      append_slug (domain, commune[1]);
      if (lap > 0)
        g_string_append_printf (domain, "-%u", lap + 1);
      g_string_append (domain, ".example");

      if (chance (rand, 0.25))
        acronym = make_acronym (prefix[0], qualifier);
      address = g_strdup_printf ("%s %u, %s %s", cdm_demo_streets[g_rand_int_range (rand, 0, n_streets)],
                                 g_rand_int_range (rand, 1, 251), commune[0], commune[1]);
      phone = g_strdup_printf ("+32 2 %03u %02u %02u", g_rand_int_range (rand, 200, 800),
                               g_rand_int_range (rand, 0, 100), g_rand_int_range (rand, 0, 100));
      email = g_strdup_printf ("info@%s", domain->str);
      website = g_strdup_printf ("https://www.%s", domain->str);
      for (guint p = 0; p < n_people; p++)
        {
          if (p > 0)
            g_string_append_c (people, ',');
          append_person (people, rand, domain->str);
        }
      g_string_append_c (people, ']');
      /* First-circle partners staff a desk at the centre a day or two a week. */
      if (g_str_equal (circle, "first"))
        {
          desk_days |= 1 << g_rand_int_range (rand, 0, 5);
          if (chance (rand, 0.4))
            desk_days |= 1 << g_rand_int_range (rand, 0, 5);
        }

      bind_sync (gen, stmt, &gen->partners[i]);
      sqlite3_bind_text (stmt, 3, name_fr, -1, SQLITE_STATIC);
      bind_text_or_null (stmt, 4, with_nl ? name_nl : NULL);
      bind_text_or_null (stmt, 5, with_en ? name_en : NULL);
      bind_text_or_null (stmt, 6, acronym);
      sqlite3_bind_text (stmt, 7, circle, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 8, prefix[3], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 9, random_themes (rand, 3));
      sqlite3_bind_text (stmt, 10, languages[weighted_index (rand, language_weights, G_N_ELEMENTS (language_weights))],
                         -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 11, address, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 12, phone, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 13, email, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 14, website, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 15, PICK (rand, partner_hours), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 16, desk_days);
      sqlite3_bind_text (stmt, 17, people->str, -1, SQLITE_STATIC);
      bind_text_or_null (stmt, 18, chance (rand, 0.1) ? PICK (rand, partner_notes) : NULL);
      sqlite3_bind_int (stmt, 19, chance (rand, 0.95));

      if (!step (gen, stmt, error) || !tick (gen, error))
        return FALSE;
    }
  return TRUE;
}

/* Resources */

/* @template with its "%s" (if any) replaced by @value.  The data tables'
 * titles are not format strings to hand to printf. */
static void
append_filled (GString    *out,
               const char *template,
               const char *value)
{
  const char *hole = strstr (template, "%s");

  if (hole == NULL)
    {
      g_string_append (out, template);
      return;
    }
  g_string_append_len (out, template, hole - template);
  g_string_append (out, value);
  g_string_append (out, hole + 2);
}

static int
language_index (const char *language)
{
  if (g_str_equal (language, "nl"))
    return 1;
  if (g_str_equal (language, "en"))
    return 2;
  return 0;
}

/* The sector in the form a title of @language needs. */
static const char *
sector_form (const CdmDemoSector *sector,
             const char          *language)
{
  switch (language_index (language))
    {
    case 1:
      return sector->nl;
    case 2:
      return sector->en;
    default:
      return sector->fr_de;
    }
}

static const CdmDemoPartner *
demo_partner (const char *key)
{
  for (guint i = 0; i < cdm_demo_n_partners; i++)
    if (g_str_equal (cdm_demo_partners[i].key, key))
      return &cdm_demo_partners[i];
  return NULL;
}

/* An ISBN-13 from a publisher's prefix (digits only) and random digits. */
static char *
make_isbn (GRand      *rand,
           const char *prefix)
{
  GString *isbn = g_string_new (prefix);
  guint sum = 0;

  while (isbn->len < 12)
    g_string_append_c (isbn, '0' + g_rand_int_range (rand, 0, 10));
  for (guint i = 0; i < 12; i++)
    sum += (guint) (isbn->str[i] - '0') * (i % 2 ? 3 : 1);
  g_string_append_c (isbn, '0' + (10 - sum % 10) % 10);
  return g_string_free (isbn, FALSE);
}

static char *
random_authors (GRand *rand,
                guint  n)
{
  guint n_first = cdm_demo_strv_length (cdm_demo_first_names);
  guint n_last = cdm_demo_strv_length (cdm_demo_last_names);
  GString *json;

  if (n == 0)
    return NULL;
  json = g_string_new ("[");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s %s",
                                               cdm_demo_first_names[g_rand_int_range (rand, 0, n_first)],
                                               cdm_demo_last_names[g_rand_int_range (rand, 0, n_last)]);
      if (i > 0)
        g_string_append_c (json, ',');
      append_json_string (json, name);
    }
  g_string_append_c (json, ']');
  return g_string_free (json, FALSE);
}

/* What one resource row holds; strings owned by the row unless static. */
typedef struct {
  const char *kind;
  GString *title;
  char *authors;            /* JSON */
  const char *publisher;
  int year;                 /* 0: unknown */
  char *isbn;
  const char *language;
  gint64 themes;
  const char *audience;
  char *location;
  char *url;
  int copies;               /* -1: unknown */
  GString *summary;
  char *tags;               /* JSON */
} ResourceRow;

static void
resource_row_clear (ResourceRow *row)
{
  g_string_free (row->title, TRUE);
  g_string_free (row->summary, TRUE);
  g_free (row->authors);
  g_free (row->isbn);
  g_free (row->location);
  g_free (row->url);
  g_free (row->tags);
}

static const char *
random_language (GRand *rand)
{
  static const char * const languages[] = { "fr", "nl", "en" };
  static const double weights[] = { 60, 25, 15 };

  return languages[weighted_index (rand, weights, G_N_ELEMENTS (weights))];
}

/* A book, e-book or video: a title about a sector or a general one, with
 * a subtitle, an edition or both, so that a large catalogue does not
 * repeat itself too often. */
static void
make_publication (const Generator *gen,
                  GRand           *rand,
                  ResourceRow     *row)
{
  static const char * const shelves[] = { "Choisir", "Apprendre", "Bouger", "Entreprendre", "Travailler" };
  const CdmDemoTitle *title;
  const CdmDemoSector *sector = NULL;
  const CdmDemoPublisher *publisher;
  int lang;
  guint n_subtitles = 0;

  if (chance (rand, 0.85))
    {
      title = &cdm_demo_sector_titles[g_rand_int_range (rand, 0, cdm_demo_n_sector_titles)];
      sector = &cdm_demo_sectors[g_rand_int_range (rand, 0, cdm_demo_n_sectors)];
    }
  else
    title = &cdm_demo_general_titles[g_rand_int_range (rand, 0, cdm_demo_n_general_titles)];
  lang = language_index (title->language);
  row->language = title->language;
  row->themes = mask_from_words (cdm_themes, title->themes) |
                (sector != NULL ? mask_from_words (cdm_themes, sector->themes) : 0);
  append_filled (row->title, title->title, sector != NULL ? sector_form (sector, title->language) : "");
  append_filled (row->summary, title->summary, sector != NULL ? sector_form (sector, title->language) : "");
  if (sector != NULL)
    {
      GString *tags = g_string_new ("[");
      append_json_string (tags, sector->tag_fr);
      if (!g_str_equal (sector->tag_fr, sector->tag_nl))
        {
          g_string_append_c (tags, ',');
          append_json_string (tags, sector->tag_nl);
        }
      g_string_append_c (tags, ']');
      row->tags = g_string_free (tags, FALSE);
    }

  while (cdm_demo_subtitles[n_subtitles][0] != NULL)
    n_subtitles++;
  row->year = gen->options->year - g_rand_int_range (rand, 0, 16);
  if (chance (rand, 0.45))
    g_string_append_printf (row->title, "%s%s", lang == 0 ? " : " : ": ",
                            cdm_demo_subtitles[g_rand_int_range (rand, 0, n_subtitles)][lang]);
  if (chance (rand, 0.5))
    {
      if (lang == 1)
        g_string_append_printf (row->title, ", editie %d", row->year);
      else if (lang == 2)
        g_string_append_printf (row->title, ", %d edition", row->year);
      else
        g_string_append_printf (row->title, " — édition %d", row->year);
    }

  /* A publisher of the title's language. */
  do
    publisher = &cdm_demo_publishers[g_rand_int_range (rand, 0, cdm_demo_n_publishers)];
  while (!g_str_equal (publisher->language, row->language));
  row->publisher = publisher->name;

  if (g_str_equal (row->kind, "video"))
    {
      row->authors = random_authors (rand, chance (rand, 0.5) ? 1 : 0);
      row->url = g_strdup_printf ("https://mediatheque.cdm-bp.example/video/%u", g_rand_int_range (rand, 1000, 100000));
      return;
    }

  row->authors = random_authors (rand, chance (rand, 0.05) ? 0 : chance (rand, 0.25) ? 2 : 1);
  row->isbn = make_isbn (rand, publisher->isbn_prefix);
  if (g_str_equal (row->kind, "ebook"))
    row->url = g_strdup_printf ("https://mediatheque.cdm-bp.example/ebook/%s", row->isbn);
  else
    {
      row->location = g_strdup_printf ("Rayon %s, étagère %u", PICK (rand, shelves), g_rand_int_range (rand, 1, 41));
      row->copies = g_rand_int_range (rand, 1, 5);
    }
}

static void
make_job_sheet (GRand       *rand,
                ResourceRow *row)
{
  const CdmDemoOccupation *occupation = &cdm_demo_occupations[g_rand_int_range (rand, 0, cdm_demo_n_occupations)];
  const CdmDemoSector *sector = &cdm_demo_sectors[occupation->sector];
  const char *language = random_language (rand);
  GString *tags = g_string_new ("[");

  if ((g_str_equal (language, "nl") && occupation->nl == NULL) ||
      (g_str_equal (language, "en") && occupation->en == NULL))
    language = "fr";
  row->language = language;
  switch (language_index (language))
    {
    case 1:
      g_string_append_printf (row->title, "Beroepsfiche: %s", occupation->nl);
      g_string_append (row->summary, "Taken, werkomstandigheden, opleidingen en vooruitzichten.");
      row->publisher = "VDAB";
      break;
    case 2:
      g_string_append_printf (row->title, "Job profile: %s", occupation->en);
      g_string_append (row->summary, "Tasks, working conditions, training and prospects.");
      row->publisher = "Euroguidance";
      break;
    default:
      g_string_append_printf (row->title, "Fiche métier : %s", occupation->fr);
      g_string_append (row->summary, "Missions, conditions de travail, formations et débouchés.");
      row->publisher = "SIEP";
      break;
    }
  row->themes = mask_from_words (cdm_themes, "choose work") | mask_from_words (cdm_themes, sector->themes);
  row->location = g_strdup ("Classeurs des fiches métiers");
  row->copies = 1;
  append_json_string (tags, sector->tag_fr);
  g_string_append_c (tags, ',');
  append_json_string (tags, sector->tag_nl);
  g_string_append_c (tags, ']');
  row->tags = g_string_free (tags, FALSE);
}

static void
make_brochure (const Generator *gen,
               GRand           *rand,
               ResourceRow     *row)
{
  const CdmDemoTitle *title = &cdm_demo_brochure_titles[g_rand_int_range (rand, 0, cdm_demo_n_brochure_titles)];
  const char *bar = strchr (title->summary, '|');
  g_autofree char *key = g_strndup (title->summary, bar - title->summary);
  const CdmDemoPartner *partner = demo_partner (key);
  g_autofree char *year = NULL;

  row->year = gen->options->year - g_rand_int_range (rand, 0, 4);
  year = g_strdup_printf ("%d", row->year);
  append_filled (row->title, title->title, year);
  g_string_append (row->summary, bar + 1);
  row->language = title->language;
  row->themes = mask_from_words (cdm_themes, title->themes);
  row->publisher = partner != NULL ? partner->name_fr : NULL;
  row->location = g_strdup ("Présentoir de l'accueil");
  row->copies = g_rand_int_range (rand, 5, 51);
}

/* The centre's web sites and test tools, each once. */
static void
make_tool (guint        index,
           ResourceRow *row)
{
  const CdmDemoTool *tool = &cdm_demo_tools[index];
  const CdmDemoPartner *partner = tool->partner != NULL ? demo_partner (tool->partner) : NULL;

  row->kind = tool->kind;
  g_string_append (row->title, tool->title);
  g_string_append (row->summary, tool->summary);
  row->language = tool->language;
  row->themes = mask_from_words (cdm_themes, tool->themes);
  if (partner != NULL && tool->path != NULL)
    row->url = g_strdup_printf ("https://www.%s%s", partner->domain, tool->path);
  else
    {
      row->location = g_strdup ("Armoire des outils d'orientation");
      row->copies = 1;
    }
}

static gboolean
write_resources (Generator  *gen,
                 GError    **error)
{
  /* clang-format off */
  static const char sql[] =
    "INSERT INTO resources (" SYNC_INSERT_COLUMNS ", kind, title, authors, publisher, year, isbn,"
    " language, themes, audience, location, url, copies, summary, tags, active)"
    " VALUES (" SYNC_INSERT_VALUES ", ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
  /* clang-format on */
  static const char * const kinds[] = { "book", "ebook", "video", "job_sheet", "brochure" };
  static const double kind_weights[] = { 52, 8, 5, 25, 10 };
  static const char * const audiences[] = { "general", "students", "jobseekers", "guidance_professionals", "50_plus", "neet" };
  static const double audience_weights[] = { 60, 10, 20, 5, 3, 2 };
  guint n = gen->options->resources;
  guint n_tools = MIN (cdm_demo_n_tools, n / 50);
  g_autoptr(GRand) rand = stream_new (gen, STREAM_RESOURCES);
  sqlite3_stmt *stmt;

  if (n == 0)
    return TRUE;
  stmt = prepare (gen, sql, error);
  if (stmt == NULL)
    return FALSE;

  gen->resources = g_new (Uuid, n);
  for (guint i = 0; i < n; i++)
    {
      ResourceRow row = { .title = g_string_new (NULL), .summary = g_string_new (NULL), .copies = -1 };
      gboolean ok;

      uuid_generate (rand, &gen->resources[i]);
      if (i < n_tools)
        make_tool (i, &row);
      else
        {
          row.kind = kinds[weighted_index (rand, kind_weights, G_N_ELEMENTS (kind_weights))];
          if (g_str_equal (row.kind, "job_sheet"))
            make_job_sheet (rand, &row);
          else if (g_str_equal (row.kind, "brochure"))
            make_brochure (gen, rand, &row);
          else
            make_publication (gen, rand, &row);
        }
      row.audience = audiences[weighted_index (rand, audience_weights, G_N_ELEMENTS (audience_weights))];

      bind_sync (gen, stmt, &gen->resources[i]);
      sqlite3_bind_text (stmt, 3, row.kind, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, row.title->str, -1, SQLITE_STATIC);
      bind_text_or_null (stmt, 5, row.authors);
      bind_text_or_null (stmt, 6, row.publisher);
      if (row.year > 0)
        sqlite3_bind_int (stmt, 7, row.year);
      else
        sqlite3_bind_null (stmt, 7);
      bind_text_or_null (stmt, 8, row.isbn);
      sqlite3_bind_text (stmt, 9, row.language, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 10, row.themes);
      sqlite3_bind_text (stmt, 11, row.audience, -1, SQLITE_STATIC);
      bind_text_or_null (stmt, 12, row.location);
      bind_text_or_null (stmt, 13, row.url);
      if (row.copies >= 0)
        sqlite3_bind_int (stmt, 14, row.copies);
      else
        sqlite3_bind_null (stmt, 14);
      bind_text_or_null (stmt, 15, row.summary->len > 0 ? row.summary->str : NULL);
      bind_text_or_null (stmt, 16, row.tags);
      sqlite3_bind_int (stmt, 17, chance (rand, 0.98));

      ok = step (gen, stmt, error) && tick (gen, error);
      resource_row_clear (&row);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* Activities, their organisers and attendance */

/* @k distinct partner indexes out of the generator's partners. */
static guint
pick_partners (const Generator *gen,
               GRand           *rand,
               guint            k,
               guint           *out)
{
  guint n = 0;

  k = MIN (k, gen->options->partners);
  while (n < k)
    {
      guint p = g_rand_int_range (rand, 0, gen->options->partners);
      gboolean seen = FALSE;

      for (guint i = 0; i < n; i++)
        seen |= out[i] == p;
      if (!seen)
        out[n++] = p;
    }
  return n;
}

static guint
count_words (const char *words)
{
  guint n = 0;

  for (const char *p = words; p != NULL && *p != '\0'; p++)
    if (*p != ' ' && (p == words || p[-1] == ' '))
      n++;
  return n;
}

static gboolean
write_link (Generator     *gen,
            sqlite3_stmt  *stmt,
            const Uuid    *owner,
            const Uuid    *target,
            int            position,
            GError       **error)
{
  char owner_text[37], target_text[37];

  uuid_format (owner, owner_text);
  uuid_format (target, target_text);
  sqlite3_bind_text (stmt, 1, owner_text, 36, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, target_text, 36, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, position);
  return step (gen, stmt, error);
}

static gboolean
write_attendance (Generator     *gen,
                  GRand         *rand,
                  sqlite3_stmt  *stmt,
                  const Uuid    *activity,
                  guint          count,
                  gint64         recorded,
                  const char    *desk,
                  GError       **error)
{
  Uuid id;
  char activity_text[37], recorded_text[32];

  uuid_generate (rand, &id);
  uuid_format (activity, activity_text);
  format_local (gen, recorded, recorded_text, NULL);
  bind_sync (gen, stmt, &id);
  sqlite3_bind_text (stmt, 3, activity_text, 36, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, count);
  sqlite3_bind_text (stmt, 5, recorded_text, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, desk, -1, SQLITE_STATIC);
  return step (gen, stmt, error) && tick (gen, error);
}

static gboolean
write_activities (Generator  *gen,
                  GError    **error)
{
  /* clang-format off */
  static const char activity_sql[] =
    "INSERT INTO activities (" SYNC_INSERT_COLUMNS ", title_fr, title_nl, title_en, summary, themes,"
    " starts_at, starts_unix, day, duration_min, mode, platform, link, place, languages, audience,"
    " programmes, capacity, status)"
    " VALUES (" SYNC_INSERT_VALUES ", ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
    " ?17, ?18, ?19, ?20)";
  static const char organiser_sql[] =
    "INSERT INTO activity_organisers (activity, organisation, position) VALUES (?1, ?2, ?3)";
  static const char attendance_sql[] =
    "INSERT INTO attendance (" SYNC_INSERT_COLUMNS ", activity, count, recorded_at, desk)"
    " VALUES (" SYNC_INSERT_VALUES ", ?3, ?4, ?5, ?6)";
  /* clang-format on */
  /* Morning and afternoon sessions; online ones also in the evening. */
  static const int starts[] = { 9 * 60 + 30, 10 * 60, 13 * 60 + 30, 14 * 60, 18 * 60 };
  static const char * const platforms[] = { "Teams", "Zoom", "Webex" };
  guint n = gen->options->activities;
  g_autoptr(GRand) rand = stream_new (gen, STREAM_ACTIVITIES);
  g_autofree double *weights = NULL;
  g_autofree guint *days = NULL;
  guint n_days = 0;
  sqlite3_stmt *stmt, *organisers, *attendance;

  if (n == 0)
    return TRUE;

  days = g_new (guint, gen->n_open_days);
  for (guint i = 0; i < gen->n_open_days; i++)
    if ((gen->days[gen->open_days[i]].closed & CLOSED_ACTIVITIES) == 0)
      days[n_days++] = gen->open_days[i];
  weights = g_new (double, cdm_demo_n_activities);
  for (guint i = 0; i < cdm_demo_n_activities; i++)
    weights[i] = cdm_demo_activities[i].weight;

  for (guint i = 0; i < n; i++)
    {
      const CdmDemoActivity *a = &cdm_demo_activities[weighted_index (rand, weights, cdm_demo_n_activities)];
      const Day *day = &gen->days[days[g_rand_int_range (rand, 0, n_days)]];
      gboolean online = chance (rand, 0.4);
      int start = online ? PICK (rand, starts) : starts[g_rand_int_range (rand, 0, G_N_ELEMENTS (starts) - 1)];
      gint64 starts_unix = day_time (gen, day, start * 60);
      gint64 ends_unix = starts_unix + a->duration_min * 60;
      const char *status;
      char starts_text[32], day_text[11], link[64];
      g_autofree char *languages = json_array_from_words (a->languages);
      guint capacity = online ? a->size_max * 2 : a->size_max + g_rand_int_range (rand, 0, 6);
      guint chosen[8];
      guint n_organisers;
      Uuid id;
      double outcome = g_rand_double (rand);

      uuid_generate (rand, &id);
      format_local (gen, starts_unix, starts_text, day_text);
      if (ends_unix <= gen->now)
        status = outcome < 0.92 ? "held" : "cancelled";
      else
        status = outcome < 0.95 ? "planned" : "cancelled";
      g_snprintf (link, sizeof link, "https://meet.cdm-bp.example/%08x", g_rand_int (rand));

      stmt = prepare (gen, activity_sql, error);
      if (stmt == NULL)
        return FALSE;
      bind_sync (gen, stmt, &id);
      sqlite3_bind_text (stmt, 3, a->title_fr, -1, SQLITE_STATIC);
      bind_text_or_null (stmt, 4, a->title_nl);
      bind_text_or_null (stmt, 5, a->title_en);
      bind_text_or_null (stmt, 6, a->summary);
      sqlite3_bind_int64 (stmt, 7, mask_from_words (cdm_themes, a->themes));
      sqlite3_bind_text (stmt, 8, starts_text, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 9, starts_unix);
      sqlite3_bind_text (stmt, 10, day_text, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 11, a->duration_min);
      sqlite3_bind_text (stmt, 12, online ? "online" : a->mode, -1, SQLITE_STATIC);
      bind_text_or_null (stmt, 13, online ? PICK (rand, platforms) : NULL);
      bind_text_or_null (stmt, 14, online ? link : NULL);
      bind_text_or_null (stmt, 15, online ? NULL : a->place);
      bind_text_or_null (stmt, 16, languages);
      bind_text_or_null (stmt, 17, a->audience);
      sqlite3_bind_int64 (stmt, 18, mask_from_words (cdm_programmes, a->programmes));
      sqlite3_bind_int (stmt, 19, capacity);
      sqlite3_bind_text (stmt, 20, status, -1, SQLITE_STATIC);
      if (!step (gen, stmt, error) || !tick (gen, error))
        return FALSE;

      n_organisers = pick_partners (gen, rand, MIN (count_words (a->organisers), G_N_ELEMENTS (chosen)), chosen);
      for (guint o = 0; o < n_organisers; o++)
        {
          organisers = prepare (gen, organiser_sql, error);
          if (organisers == NULL ||
              !write_link (gen, organisers, &id, &gen->partners[chosen[o]], o, error))
            return FALSE;
        }

      if (!g_str_equal (status, "held"))
        continue;

      /* The headcount at the start; now and then a second desk adds
       * those who came in late. */
      attendance = prepare (gen, attendance_sql, error);
      if (attendance == NULL ||
          !write_attendance (gen, rand, attendance, &id,
                             g_rand_int_range (rand, a->size_min, MIN (a->size_max, capacity) + 1),
                             starts_unix + g_rand_int_range (rand, 5, 30) * 60,
                             online ? "animation" : "accueil", error))
        return FALSE;
      if (chance (rand, 0.15))
        {
          attendance = prepare (gen, attendance_sql, error);
          if (attendance == NULL ||
              !write_attendance (gen, rand, attendance, &id, g_rand_int_range (rand, 1, 4),
                                 ends_unix + g_rand_int_range (rand, 0, 20) * 60, "salle", error))
            return FALSE;
        }
    }
  return TRUE;
}

/* Closures */

static gboolean
write_closures (Generator  *gen,
                GArray     *closures,
                GError    **error)
{
  /* clang-format off */
  static const char sql[] =
    "INSERT INTO closures (" SYNC_INSERT_COLUMNS ", from_day, to_day, scope, reason)"
    " VALUES (" SYNC_INSERT_VALUES ", ?3, ?4, ?5, ?6)";
  /* clang-format on */
  g_autoptr(GRand) rand = stream_new (gen, STREAM_CLOSURES);

  for (guint i = 0; i < closures->len; i++)
    {
      const Closure *closure = &g_array_index (closures, Closure, i);
      sqlite3_stmt *stmt = prepare (gen, sql, error);
      Uuid id;

      if (stmt == NULL)
        return FALSE;
      uuid_generate (rand, &id);
      bind_sync (gen, stmt, &id);
      sqlite3_bind_text (stmt, 3, gen->days[closure->from].text, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, gen->days[closure->to].text, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, closure->scope, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 6, closure->reason, -1, SQLITE_STATIC);
      if (!step (gen, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* Visitor profiles */

/* The profile columns in cdm_profile_fields order: a code, or NULL when
 * unknown; the two booleans as -1 (unknown), 0 or 1. */
typedef struct {
  const char *gender, *age_band, *region, *status, *education;
  int foreign_diploma;
  const char *language;
  int first_visit;
  const char *heard_from;
} Profile;

#define PICK_WEIGHTED(rand, codes, weights) \
  ((codes)[weighted_index ((rand), (weights), G_N_ELEMENTS (weights))])

/* Each item is filled in nine times out of ten: people skip questions. */
static void
random_profile (GRand   *rand,
                Profile *profile)
{
  static const char * const genders[] = { "f", "m", "x" };
  static const double gender_weights[] = { 54, 45, 1 };
  static const char * const age_bands[] = { "under_18", "18_24", "25_29", "30_49", "50_plus" };
  static const double age_weights[] = { 5, 25, 18, 40, 12 };
  static const char * const regions[] = { "brussels", "wallonia", "flanders", "abroad" };
  static const double region_weights[] = { 82, 9, 7, 2 };
  static const char * const statuses[] = { "job_seeker", "employed", "self_employed", "student", "other" };
  static const double status_weights[] = { 55, 20, 3, 15, 7 };
  static const char * const levels[] = { "primary", "lower_secondary", "upper_secondary", "higher" };
  static const double level_weights[] = { 8, 17, 40, 35 };
  static const char * const languages[] = { "fr", "nl", "en", "ar", "es", "pt", "ro", "tr" };
  static const double language_weights[] = { 68, 12, 9, 4, 2, 2, 2, 1 };
  static const char * const heard[] = { "own_initiative", "partner", "school", "social_media", "campaign", "word_of_mouth", "other" };
  static const double heard_weights[] = { 20, 35, 8, 12, 5, 17, 3 };
  const double known = 0.9;

  profile->gender = chance (rand, known) ? PICK_WEIGHTED (rand, genders, gender_weights) : NULL;
  profile->age_band = chance (rand, known) ? PICK_WEIGHTED (rand, age_bands, age_weights) : NULL;
  profile->region = chance (rand, known) ? PICK_WEIGHTED (rand, regions, region_weights) : NULL;
  profile->status = chance (rand, known) ? PICK_WEIGHTED (rand, statuses, status_weights) : NULL;
  profile->education = chance (rand, known) ? PICK_WEIGHTED (rand, levels, level_weights) : NULL;
  profile->foreign_diploma = chance (rand, known) ? chance (rand, 0.22) : -1;
  profile->language = chance (rand, known) ? PICK_WEIGHTED (rand, languages, language_weights) : NULL;
  profile->first_visit = chance (rand, known) ? chance (rand, 0.55) : -1;
  profile->heard_from = chance (rand, known) ? PICK_WEIGHTED (rand, heard, heard_weights) : NULL;
}

/* Text that lives as long as the program (codes, the data tables). */
static void
bind_static (sqlite3_stmt *stmt,
           int           param,
           const char   *code)
{
  if (code != NULL)
    sqlite3_bind_text (stmt, param, code, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, param);
}

static void
bind_flag (sqlite3_stmt *stmt,
           int           param,
           int           flag)
{
  if (flag >= 0)
    sqlite3_bind_int (stmt, param, flag);
  else
    sqlite3_bind_null (stmt, param);
}

/* Binds the nine profile columns from @param on; @profile NULL: unknown. */
static void
bind_profile (sqlite3_stmt  *stmt,
              int            param,
              const Profile *profile)
{
  static const Profile unknown = { .foreign_diploma = -1, .first_visit = -1 };

  if (profile == NULL)
    profile = &unknown;
  bind_static (stmt, param++, profile->gender);
  bind_static (stmt, param++, profile->age_band);
  bind_static (stmt, param++, profile->region);
  bind_static (stmt, param++, profile->status);
  bind_static (stmt, param++, profile->education);
  bind_flag (stmt, param++, profile->foreign_diploma);
  bind_static (stmt, param++, profile->language);
  bind_flag (stmt, param++, profile->first_visit);
  bind_static (stmt, param, profile->heard_from);
}

/* Contacts */

/* How many of @total fall on each open day, in proportion to @weights
 * (largest remainders, so that they add up exactly). */
static guint *
spread_over_days (const Generator *gen,
                  GRand           *rand,
                  const double    *weights,
                  guint            total)
{
  guint *counts = g_new0 (guint, gen->n_open_days);
  double sum = 0;
  guint assigned = 0;

  for (guint i = 0; i < gen->n_open_days; i++)
    sum += weights[i];
  if (sum <= 0)
    return counts;
  for (guint i = 0; i < gen->n_open_days; i++)
    {
      counts[i] = (guint) (total * (weights[i] / sum));
      assigned += counts[i];
    }
  while (assigned < total)
    {
      counts[weighted_index (rand, weights, gen->n_open_days)]++;
      assigned++;
    }
  return counts;
}

/* The centre's seasons: quiet in summer and at the end of the year, busy
 * at the start of the school year; Mondays busier than Fridays. */
static double
day_weight (const Day *day)
{
  static const double months[] = { 1.0, 1.05, 1.1, 0.95, 1.0, 1.0, 0.7, 0.6, 1.25, 1.2, 1.1, 0.8 };
  static const double weekdays[] = { 1.15, 1.05, 0.9, 1.0, 0.8, 0.3, 0.3 };
  double w = months[day->month - 1] * weekdays[day->weekday - 1];

  if (day->closed & BY_APPOINTMENT)
    w *= 0.6;
  return w;
}

typedef enum {
  CHANNEL_IN_PERSON,
  CHANNEL_EMAIL,
  CHANNEL_CALL_CENTRE,
  CHANNEL_CHAT,
  CHANNEL_AFTER_GROUP_ACTIVITY,
  CHANNEL_NEET_OUTREACH,
} Channel;

/* When each channel is open and how long a contact takes. */
static const struct {
  const char *code;
  int opens, closes;        /* minutes after midnight */
  int min_duration, max_duration;
} channels[] = {
  [CHANNEL_IN_PERSON] = { "in_person", 9 * 60, 17 * 60, 10, 60 },
  [CHANNEL_EMAIL] = { "email", 8 * 60 + 30, 18 * 60, 5, 30 },
  [CHANNEL_CALL_CENTRE] = { "call_centre", 8 * 60 + 30, 17 * 60, 3, 20 },
  [CHANNEL_CHAT] = { "chat", 10 * 60, 16 * 60, 5, 25 },
  [CHANNEL_AFTER_GROUP_ACTIVITY] = { "after_group_activity", 11 * 60 + 30, 17 * 60, 5, 20 },
  [CHANNEL_NEET_OUTREACH] = { "neet_outreach", 10 * 60, 16 * 60, 15, 60 },
};

/* Individual advice by channel, in percent, as in the 2020 report. */
static const double channel_weights[] = {
  [CHANNEL_IN_PERSON] = 53,
  [CHANNEL_EMAIL] = 17,
  [CHANNEL_CALL_CENTRE] = 20,
  [CHANNEL_CHAT] = 6,
  [CHANNEL_AFTER_GROUP_ACTIVITY] = 3,
  [CHANNEL_NEET_OUTREACH] = 1,
};
G_STATIC_ASSERT (G_N_ELEMENTS (channel_weights) == G_N_ELEMENTS (channels));

/* One contact row: the values the statement binds. */
typedef struct {
  Uuid id;
  char occurred[32], day[11];
  gint64 occurred_unix;
  const char *site, *service, *channel, *desk;
  gint64 programmes, themes;
  Profile profile;
  gboolean with_profile;
  int duration;
  gboolean remote;          /* received_at, and answered_at unless unanswered */
  gboolean answered;
  char received[32], received_day[11], answered_text[32];
  gint64 received_unix, answered_unix;
  const char *note;
  char user[16];
} ContactRow;

/* A remote request answered at @row->occurred_unix: when it came in.
 * Nineteen in twenty are answered within 48 hours, most the same day. */
static void
make_request (Generator  *gen,
              GRand      *rand,
              ContactRow *row)
{
  double p = g_rand_double (rand);
  gint64 delay;

  row->remote = TRUE;
  if (p < 0.01)
    {
      /* Not answered (yet): the contact is the request itself. */
      row->answered = FALSE;
      row->received_unix = row->occurred_unix;
    }
  else
    {
      if (p < 0.60)
        delay = g_rand_int_range (rand, 10 * 60, 6 * 3600);
      else if (p < 0.955)
        delay = g_rand_int_range (rand, 6 * 3600, 47 * 3600);
      else
        delay = g_rand_int_range (rand, 49 * 3600, 8 * 24 * 3600);
      row->answered = TRUE;
      row->answered_unix = row->occurred_unix;
      row->received_unix = row->occurred_unix - delay;
      /* Requests of the year only: one answered on 2 January came in on
       * the 1st or 2nd, not in the year before. */
      if (row->received_unix < gen->year_start)
        row->received_unix = gen->year_start + (row->occurred_unix - gen->year_start) / 2;
      memcpy (row->answered_text, row->occurred, sizeof row->answered_text);
    }
  format_local (gen, row->received_unix, row->received, row->received_day);
}

static void
make_contact (Generator  *gen,
              GRand      *rand,
              const Day  *day,
              ContactRow *row)
{
  static const char * const in_person_sites[] = { "centre", "formtruck", "school", "external_event" };
  static const double in_person_site_weights[] = { 84, 5, 5, 6 };
  static const char * const programmes[] = { "neet", "skills_validation", "skills_identification", "euroguidance", "prison_reintegration", "disability" };
  static const double programme_weights[] = { 30, 20, 15, 15, 5, 15 };
  gboolean multimedia;
  Channel channel;
  int minute;
  guint n_notes = cdm_demo_strv_length (cdm_demo_notes);

  uuid_generate (rand, &row->id);
  multimedia = (day->closed & CLOSED_MULTIMEDIA) == 0 && chance (rand, 0.1);
  channel = multimedia ? CHANNEL_IN_PERSON : (Channel) weighted_index (rand, channel_weights, G_N_ELEMENTS (channel_weights));
  row->service = multimedia ? "multimedia" : "individual_advice";
  row->channel = channels[channel].code;
  row->programmes = 0;

  switch (channel)
    {
    case CHANNEL_IN_PERSON:
      row->site = multimedia ? "centre" : PICK_WEIGHTED (rand, in_person_sites, in_person_site_weights);
      row->desk = multimedia ? "multimedia" : "conseil";
      break;
    case CHANNEL_EMAIL:
    case CHANNEL_CHAT:
      row->site = "remote";
      row->desk = "back-office";
      break;
    case CHANNEL_CALL_CENTRE:
      row->site = "remote";
      row->desk = "call-centre";
      break;
    case CHANNEL_AFTER_GROUP_ACTIVITY:
      row->site = "centre";
      row->desk = "conseil";
      break;
    case CHANNEL_NEET_OUTREACH:
    default:
      row->site = "external_event";
      row->desk = "neet";
      row->programmes |= code_bit (cdm_programmes, "neet");
      break;
    }
  if (g_str_equal (row->site, "formtruck"))
    {
      row->programmes |= code_bit (cdm_programmes, "formtruck");
      row->desk = "formtruck";
    }
  else if (g_str_equal (row->site, "school"))
    {
      row->programmes |= code_bit (cdm_programmes, "schools");
      row->desk = "ecoles";
    }
  else if (!multimedia && chance (rand, 0.05))
    row->programmes |= code_bit (cdm_programmes, PICK_WEIGHTED (rand, programmes, programme_weights));

  minute = g_rand_int_range (rand, channels[channel].opens, channels[channel].closes);
  row->occurred_unix = day_time (gen, day, minute * 60 + g_rand_int_range (rand, 0, 60));
  format_local (gen, row->occurred_unix, row->occurred, row->day);

  row->themes = random_themes (rand, 2);
  row->with_profile = chance (rand, 0.6);
  if (row->with_profile)
    random_profile (rand, &row->profile);
  row->duration = multimedia ? g_rand_int_range (rand, 5, 46)
                             : g_rand_int_range (rand, channels[channel].min_duration, channels[channel].max_duration + 1);

  row->remote = FALSE;
  if (channel == CHANNEL_EMAIL || (channel == CHANNEL_CALL_CENTRE && chance (rand, 0.15)))
    make_request (gen, rand, row);

  row->note = chance (rand, 0.05) ? cdm_demo_notes[g_rand_int_range (rand, 0, n_notes)] : NULL;
  g_snprintf (row->user, sizeof row->user, "conseil%02u", g_rand_int_range (rand, 1, 31));
}

static gboolean
write_contact (Generator         *gen,
               sqlite3_stmt      *stmt,
               const ContactRow  *row,
               GError           **error)
{
  char id[37];

  uuid_format (&row->id, id);
  sqlite3_bind_text (stmt, 1, id, 36, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, gen->updated_at, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, row->occurred, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, row->occurred_unix);
  sqlite3_bind_text (stmt, 5, row->day, 10, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, row->site, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, row->service, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, row->channel, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 9, row->programmes);
  sqlite3_bind_int64 (stmt, 10, row->themes);
  bind_profile (stmt, 11, row->with_profile ? &row->profile : NULL);
  sqlite3_bind_int (stmt, 20, row->duration);
  if (row->remote)
    {
      sqlite3_bind_text (stmt, 21, row->received, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 22, row->received_unix);
      sqlite3_bind_text (stmt, 23, row->received_day, 10, SQLITE_STATIC);
    }
  else
    {
      sqlite3_bind_null (stmt, 21);
      sqlite3_bind_null (stmt, 22);
      sqlite3_bind_null (stmt, 23);
    }
  if (row->remote && row->answered)
    {
      sqlite3_bind_text (stmt, 24, row->answered_text, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 25, row->answered_unix);
    }
  else
    {
      sqlite3_bind_null (stmt, 24);
      sqlite3_bind_null (stmt, 25);
    }
  bind_static (stmt, 26, row->note);
  sqlite3_bind_text (stmt, 27, row->desk, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 28, row->user, -1, SQLITE_STATIC);
  return step (gen, stmt, error);
}

static gboolean
write_contacts (Generator  *gen,
                GError    **error)
{
  /* clang-format off */
  static const char contact_sql[] =
    "INSERT INTO contacts (" SYNC_INSERT_COLUMNS ", occurred_at, occurred_unix, day, site, service,"
    " channel, programmes, themes, p_gender, p_age_band, p_region, p_status, p_education,"
    " p_foreign_diploma, p_language, p_first_visit, p_heard_from, duration_min, received_at,"
    " received_unix, received_day, answered_at, answered_unix, note, desk, user, organisation)"
    " VALUES (" SYNC_INSERT_VALUES ", ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
    " ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, NULL)";
  static const char referral_sql[] =
    "INSERT INTO contact_referrals (contact, organisation, position) VALUES (?1, ?2, ?3)";
  static const char resource_sql[] =
    "INSERT INTO contact_resources (contact, resource, position) VALUES (?1, ?2, ?3)";
  /* clang-format on */
  guint n = gen->options->contacts;
  guint n_partners = gen->options->partners;
  guint n_resources = gen->options->resources;
  g_autoptr(GRand) rand = stream_new (gen, STREAM_CONTACTS);
  g_autofree double *weights = NULL;
  g_autofree guint *counts = NULL;
  sqlite3_stmt *contacts, *referrals = NULL, *resources = NULL;

  /* bind_profile() binds the nine items of cdm_profile_fields. */
  g_assert (cdm_n_profile_fields == 9);

  if (n == 0)
    return TRUE;
  if ((contacts = prepare (gen, contact_sql, error)) == NULL ||
      (n_partners > 0 && (referrals = prepare (gen, referral_sql, error)) == NULL) ||
      (n_resources > 0 && (resources = prepare (gen, resource_sql, error)) == NULL))
    return FALSE;

  /* The statements stay prepared and bound to this store's lock, held
   * since cdm_store_begin(), for the whole loop: looking them up by their
   * text for each of a million rows would cost more than binding them. */
  weights = g_new (double, gen->n_open_days);
  for (guint i = 0; i < gen->n_open_days; i++)
    weights[i] = day_weight (&gen->days[gen->open_days[i]]);
  counts = spread_over_days (gen, rand, weights, n);

  /* Day after day, as a desk logs them. */
  for (guint d = 0; d < gen->n_open_days; d++)
    {
      const Day *day = &gen->days[gen->open_days[d]];

      for (guint c = 0; c < counts[d]; c++)
        {
          ContactRow row;

          make_contact (gen, rand, day, &row);
          if (!write_contact (gen, contacts, &row, error) || !tick (gen, error))
            return FALSE;

          /* A referral to a partner for one person in five, sometimes two. */
          if (referrals != NULL && g_str_equal (row.service, "individual_advice") && chance (rand, 0.2))
            {
              guint first = skewed_index (rand, n_partners);
              if (!write_link (gen, referrals, &row.id, &gen->partners[first], 0, error))
                return FALSE;
              if (n_partners > 1 && chance (rand, 0.25))
                {
                  guint second = (first + 1 + g_rand_int_range (rand, 0, n_partners - 1)) % n_partners;
                  if (!write_link (gen, referrals, &row.id, &gen->partners[second], 1, error))
                    return FALSE;
                }
            }

          /* Resources handed over: one to three, for one person in eight. */
          if (resources != NULL && chance (rand, 0.12))
            {
              guint k = MIN ((guint) g_rand_int_range (rand, 1, 4), n_resources);
              guint chosen[3];

              for (guint r = 0; r < k; r++)
                {
                  gboolean seen;
                  do
                    {
                      chosen[r] = skewed_index (rand, n_resources);
                      seen = FALSE;
                      for (guint s = 0; s < r; s++)
                        seen |= chosen[s] == chosen[r];
                    }
                  while (seen);
                  if (!write_link (gen, resources, &row.id, &gen->resources[chosen[r]], r, error))
                    return FALSE;
                }
            }
        }
    }
  return TRUE;
}

/* Multimedia tallies and satisfaction responses */

/* The multimedia area's tallies, by kind, for each day it is open: about
 * one person helped there for four individual advice contacts. */
static gboolean
write_tallies (Generator  *gen,
               GError    **error)
{
  /* clang-format off */
  static const char sql[] =
    "INSERT INTO multimedia_tallies (" SYNC_INSERT_COLUMNS ", day, kind, count, desk)"
    " VALUES (" SYNC_INSERT_VALUES ", ?3, ?4, ?5, 'multimedia')";
  /* clang-format on */
  static const double shares[] = { 40, 20, 15, 10, 12, 3 };  /* cdm_tally_kinds order */
  g_autoptr(GRand) rand = stream_new (gen, STREAM_TALLIES);
  double per_day;

  if (gen->options->contacts == 0 || gen->n_open_days == 0)
    return TRUE;
  per_day = gen->options->contacts * 0.25 / gen->n_open_days;

  for (guint d = 0; d < gen->n_open_days; d++)
    {
      const Day *day = &gen->days[gen->open_days[d]];

      if (day->closed & CLOSED_MULTIMEDIA)
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (shares); k++)
        {
          double expected = per_day * day_weight (day) * shares[k] / 100;
          gint64 count = (gint64) (expected * (0.6 + 0.8 * g_rand_double (rand)) + 0.5);
          sqlite3_stmt *stmt;
          Uuid id;

          uuid_generate (rand, &id);
          if (count <= 0)
            continue;
          stmt = prepare (gen, sql, error);
          if (stmt == NULL)
            return FALSE;
          bind_sync (gen, stmt, &id);
          sqlite3_bind_text (stmt, 3, day->text, 10, SQLITE_STATIC);
          sqlite3_bind_text (stmt, 4, cdm_tally_kinds[k], -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 5, MIN (count, 100000));
          if (!step (gen, stmt, error) || !tick (gen, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* One response for some forty contacts, mostly satisfied. */
static gboolean
write_satisfaction (Generator  *gen,
                    GError    **error)
{
  /* clang-format off */
  static const char sql[] =
    "INSERT INTO satisfaction (" SYNC_INSERT_COLUMNS ", answered_on, score, recommend, found, frequency,"
    " p_gender, p_age_band, p_region, p_status, p_education, p_foreign_diploma, p_language,"
    " p_first_visit, p_heard_from, desk)"
    " VALUES (" SYNC_INSERT_VALUES ", ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
    " 'accueil')";
  /* clang-format on */
  static const double score_weights[] = { 1, 0.5, 0.5, 1, 1, 3, 5, 12, 25, 25, 26 };
  static const char * const frequencies[] = { "first_visit", "occasional", "several_per_month" };
  static const double frequency_weights[] = { 50, 35, 15 };
  g_autoptr(GRand) rand = stream_new (gen, STREAM_SATISFACTION);
  guint n = gen->options->contacts / 40;

  for (guint i = 0; i < n && gen->n_open_days > 0; i++)
    {
      const Day *day = &gen->days[gen->open_days[g_rand_int_range (rand, 0, gen->n_open_days)]];
      sqlite3_stmt *stmt = prepare (gen, sql, error);
      double recommend = g_rand_double (rand), found = g_rand_double (rand);
      Profile profile;
      gboolean with_profile;
      Uuid id;

      if (stmt == NULL)
        return FALSE;
      uuid_generate (rand, &id);
      with_profile = chance (rand, 0.8);
      if (with_profile)
        random_profile (rand, &profile);
      bind_sync (gen, stmt, &id);
      sqlite3_bind_text (stmt, 3, day->text, 10, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 4, weighted_index (rand, score_weights, G_N_ELEMENTS (score_weights)));
      bind_flag (stmt, 5, recommend < 0.05 ? -1 : recommend < 0.93);
      bind_flag (stmt, 6, found < 0.07 ? -1 : found < 0.85);
      sqlite3_bind_text (stmt, 7, PICK_WEIGHTED (rand, frequencies, frequency_weights), -1, SQLITE_STATIC);
      bind_profile (stmt, 8, with_profile ? &profile : NULL);
      if (!step (gen, stmt, error) || !tick (gen, error))
        return FALSE;
    }
  return TRUE;
}

/* Generating */

static gboolean
check_options (const CdmGenerateOptions  *options,
               GError                   **error)
{
  if (options->year < MIN_YEAR || options->year > MAX_YEAR)
    g_set_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_INVALID_OPTIONS,
                 _("The year to generate must be between %d and %d, not %d"),
                 MIN_YEAR, MAX_YEAR, options->year);
  else if (options->contacts > MAX_CONTACTS)
    g_set_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_INVALID_OPTIONS,
                 _("At most %u contacts can be generated, not %u"),
                 MAX_CONTACTS, options->contacts);
  else if (options->resources > MAX_RESOURCES)
    g_set_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_INVALID_OPTIONS,
                 _("At most %u resources can be generated, not %u"),
                 MAX_RESOURCES, options->resources);
  else if (options->partners > MAX_PARTNERS)
    g_set_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_INVALID_OPTIONS,
                 _("At most %u partners can be generated, not %u"),
                 MAX_PARTNERS, options->partners);
  else if (options->activities > MAX_ACTIVITIES)
    g_set_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_INVALID_OPTIONS,
                 _("At most %u activities can be generated, not %u"),
                 MAX_ACTIVITIES, options->activities);
  else
    return TRUE;
  return FALSE;
}

/* Generated records go only into a store without records, tombstones
 * included: they are never mixed with real ones, and generating twice
 * with the same seed would repeat the same ids. */
static gboolean
check_empty (Generator  *gen,
             GError    **error)
{
  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    {
      /* A table name of our schema, not data. */
      g_autofree char *sql = g_strdup_printf ("SELECT EXISTS (SELECT 1 FROM %s)", cdm_entity_info (e)->table);
      sqlite3_stmt *stmt = prepare (gen, sql, error);
      int rc;
      gboolean any;

      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_step (stmt);
      any = rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        {
          _cdm_store_set_error (error, gen->db, rc, _("Reading the store failed"));
          return FALSE;
        }
      if (any)
        {
          g_set_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_NOT_EMPTY,
                       _("The store %s already holds records; generated records go into an empty store"),
                       cdm_store_get_path (gen->store));
          return FALSE;
        }
    }
  return TRUE;
}

/* The connection's page cache, in SQLite's units (negative: KiB).  A
 * million contacts make some 600 MB of tables and indexes; with the
 * default cache of 2 MB, most index pages go to the write-ahead log and
 * are read back several times, which costs a third of the load in system
 * calls.  256 MB for the load, then back to what it was. */
#define LOAD_CACHE_SIZE (-256 * 1024)

static int
read_cache_size (Generator *gen)
{
  sqlite3_stmt *stmt = prepare (gen, "PRAGMA cache_size", NULL);
  int size = -2000;  /* SQLite's default */

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    size = sqlite3_column_int (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return size;
}

/* Best effort: a smaller cache only makes the load slower. */
static void
set_cache_size (Generator *gen,
                int        size)
{
  /* PRAGMA takes no parameters; the number is ours, not data. */
  g_autofree char *sql = g_strdup_printf ("PRAGMA cache_size = %d", size);

  sqlite3_exec (gen->db, sql, NULL, NULL, NULL);
}

typedef gboolean (*WriteFunc) (Generator  *gen,
                               GError    **error);

static gboolean
generate (Generator  *gen,
          GError    **error)
{
  const struct {
    const char *what;
    WriteFunc func;
  } steps[] = {
    { "partners", write_partners },
    { "resources", write_resources },
    { "activities", write_activities },
    { "contacts", write_contacts },
    { "tallies", write_tallies },
    { "satisfaction", write_satisfaction },
  };
  g_autoptr(GRand) rand = stream_new (gen, STREAM_CLOSURES);
  g_autoptr(GArray) closures = plan_closures (gen, rand);

  if (!check_empty (gen, error) ||
      !cdm_store_set_setting (gen->store, "origin", "generated", error) ||
      !write_closures (gen, closures, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      gint64 started = g_get_monotonic_time ();

      if (!steps[i].func (gen, error))
        return FALSE;
      g_debug ("generate: %s in %.2f s", steps[i].what,
               (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
    }
  return !g_cancellable_set_error_if_cancelled (gen->cancellable, error);
}

gboolean
cdm_demo_generate (CdmStore                  *store,
                   const CdmGenerateOptions  *options,
                   GCancellable              *cancellable,
                   GError                   **error)
{
  Generator gen = { 0 };
  int cache_size;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *updated_at = NULL;
  gboolean ok;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_options (options, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  now = g_date_time_new_now_utc ();
  updated_at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
  gen.store = store;
  gen.cancellable = cancellable;
  gen.options = options;
  gen.zone = cdm_store_get_time_zone (store);
  gen.now = g_date_time_to_unix (now);
  g_strlcpy (gen.updated_at, updated_at, sizeof gen.updated_at);
  build_days (&gen);

  if (!cdm_store_begin (store, TRUE, error))
    {
      ok = FALSE;
      goto out;
    }
  /* cdm_store_begin() holds the store's lock until commit or rollback;
   * taking it again makes the direct use of the connection explicit. */
  _cdm_store_lock (store);
  gen.db = _cdm_store_get_db (store);
  cache_size = read_cache_size (&gen);
  set_cache_size (&gen, LOAD_CACHE_SIZE);
  ok = generate (&gen, error);
  set_cache_size (&gen, cache_size);
  _cdm_store_unlock (store);

  if (ok)
    {
      gint64 started = g_get_monotonic_time ();

      ok = cdm_store_commit (store, error);
      /* The commit copied the load from the write-ahead log into the
       * store; as large as the store itself, the log is emptied now
       * rather than left on disk until the store is closed.  Best effort:
       * a reader may hold it a little longer. */
      if (ok)
        {
          _cdm_store_lock (store);
          sqlite3_exec (_cdm_store_get_db (store), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
          _cdm_store_unlock (store);
        }
      g_debug ("generate: commit in %.2f s",
               (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
    }
  else
    cdm_store_rollback (store);

out:
  g_clear_pointer (&gen.zone, g_time_zone_unref);
  g_clear_pointer (&gen.transitions, g_array_unref);
  g_free (gen.days);
  g_free (gen.open_days);
  g_free (gen.partners);
  g_free (gen.resources);
  return ok;
}
