/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-demo.c: a year of the centre, shaped like its 2020 annual report.
 *
 * The tables of cdm-demo-data.c become records in the interchange format,
 * written with cdm_store_put() in one bulk transaction.  Everything is
 * reproducible: ids are derived from names ("demo:partner:actiris"), and
 * every random choice comes from a GRand with a fixed seed, drawn in the
 * same order whatever the present moment is.  The present only decides
 * what is written: activities still to come are planned, and contacts,
 * headcounts, tallies and survey answers after it are left out.
 *
 * The year is "a year like 2020": the same calendar of closures (the
 * premises closed from 16 March, reopened by appointment from 15 June for
 * the multimedia area and 29 June for advice, closed again from
 * 1 November), the same programme, and yearly totals that match the
 * published ones when the whole year is past: 14,466 contacts in
 * individual advice with the published channel mix, 831 group activities
 * held (263 in person, 568 online) with some 10,500 participants, 4,677
 * contacts in the multimedia area and 500 survey answers, about 29,500
 * contacts in all.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cdm-demo.h"
#include "cdm-demo-private.h"
#include "cdm-store-private.h"

G_DEFINE_QUARK (cdm-demo-error-quark, cdm_demo_error)

#define DEMO_MIN_YEAR 1900
#define DEMO_MAX_YEAR 2199

/* The seeds.  The partners, staff and library do not depend on the year,
 * so that filling another year leaves them as they are. */
#define SEED_DIRECTORY 0x43444d31u
#define SEED_LIBRARY   0x43444d32u
#define SEED_YEAR      0x43444d33u

/* The library: as many as the books in open access in the 2020 report. */
#define LIBRARY_SIZE 1628

/* The 2020 report's yearly figures, which a past year reproduces. */
#define ADVICE_IN_PERSON      7684
#define ADVICE_EMAIL          2459
#define ADVICE_CALL_CENTRE    2828
#define ADVICE_CHAT           937
#define ADVICE_AFTER_GROUP    419
#define ADVICE_NEET_OUTREACH  139
#define ADVICE_FORMTRUCK      239   /* in person, on board the Formtruck */
#define ADVICE_SCHOOLS        210   /* in person, in schools */
#define HELD_IN_PERSON        263
#define HELD_ONLINE           568
#define MULTIMEDIA_TALLIED    4500
#define MULTIMEDIA_RECORDS    177
#define SATISFACTION_RESPONSES 500

/* Cancellation is looked at between records, every this many. */
#define CANCEL_CHECK_EVERY 1000

/* What a day of the year is, in the calendar of closures. */
typedef enum {
  DAY_OPEN            = 1 << 0, /* Monday to Friday, not a public holiday */
  DAY_ADVICE          = 1 << 1, /* advice in person at the centre */
  DAY_MULTIMEDIA      = 1 << 2, /* the multimedia area is open */
  DAY_EARLY           = 1 << 3, /* in-person activities, before the closure */
  DAY_AUTUMN          = 1 << 4, /* in-person activities, after the reopening */
  DAY_ONLINE          = 1 << 5, /* online activities */
  DAY_CHAT            = 1 << 6, /* the Messenger chat is staffed */
  DAY_CALL_CENTRE     = 1 << 7, /* the call centre takes advice requests */
  DAY_PROGRAMME_EARLY = 1 << 8, /* the early programme was published */
} DayFlags;

/* The four stretches of the year, for the shape of the remote channels. */
typedef enum {
  STRETCH_BEFORE,     /* January to 15 March */
  STRETCH_LOCKDOWN,   /* 16 March to 28 June */
  STRETCH_REOPENED,   /* 29 June to 31 October, by appointment */
  STRETCH_LOCKDOWN_2, /* from 1 November */
  N_STRETCHES
} Stretch;

typedef struct {
  guint8 month, mday;
  guint8 weekday;       /* 1 = Monday … 7 = Sunday */
  guint8 stretch;       /* Stretch */
  guint16 flags;        /* DayFlags */
} Day;

typedef struct {
  const char *name;
  const char *site;
} DemoDesk;

/* The centre's desks; contacts, headcounts and tallies name them. */
static const DemoDesk demo_desks[] = {
  { "Accueil", "centre" },
  { "Conseil 1", "centre" },
  { "Conseil 2", "centre" },
  { "Conseil 3", "centre" },
  { "Conseil 4", "centre" },
  { "Conseil 5", "centre" },
  { "Conseil 6", "centre" },
  { "Multimédia", "centre" },
  { "Conseil à distance", "remote" },
  { "Formtruck", "formtruck" },
  { "Écoles", "school" },
  { "Touch'N'Go", "external_event" },
};

enum {
  DESK_RECEPTION = 0,
  DESK_ADVICE_FIRST = 1,
  DESK_ADVICE_LAST = 6,
  DESK_MULTIMEDIA = 7,
  DESK_REMOTE = 8,
  DESK_FORMTRUCK = 9,
  DESK_SCHOOLS = 10,
  DESK_NEET = 11,
};

/* Who works at the centre: how many people each organisation has there,
 * and in which role. */
typedef struct {
  const char *partner;
  const char *role;
  guint count;
} DemoTeam;

static const DemoTeam demo_teams[] = {
  { "cdm", "admin", 1 },
  { "cdm", "manager", 1 },
  { "cdm", "counsellor", 3 },
  { "cdm", "steward", 3 },
  { "actiris", "counsellor", 5 },
  { "bruxelles-formation", "counsellor", 5 },
  { "vdab-brussel", "counsellor", 2 },
  { "huis-voor-gezondheid", "counsellor", 1 },
  { "focus-carriere", "counsellor", 1 },
  { "validation", "counsellor", 1 },
  { "syntra-brussel", "counsellor", 1 },
  { "hub-brussels", "counsellor", 1 },
  { "pole-academique", "partner_staff", 1 },
  { "efp", "partner_staff", 1 },
  { "siep", "partner_staff", 1 },
  { "duo-for-a-job", "partner_staff", 1 },
};

typedef struct {
  char *login;
  char *organisation;   /* id of the user's partner */
  guint partner;        /* index in cdm_demo_partners */
  const char *role;
} DemoUser;

typedef struct {
  CdmStore *store;
  GCancellable *cancellable;
  GTimeZone *zone;
  int year;
  gint64 now;               /* unix time: what lies after it is not counted */

  GRand *rand;              /* the year's draws */
  Day days[366];
  guint n_days;
  guint held_on[366];       /* activities held (or to be held) each day */
  guint online_on[366];     /* of which online */

  GPtrArray *partner_ids;   /* index as cdm_demo_partners */
  GArray *users;            /* DemoUser */
  GPtrArray *resource_ids;
  GArray *resource_themes;  /* guint mask in cdm_themes order, per resource */
  double referral_total;

  guint n_puts;
  guint written[CDM_N_ENTITIES];
  guint created, updated, unchanged;
} Demo;

static void
demo_clear (Demo *demo)
{
  g_clear_pointer (&demo->zone, g_time_zone_unref);
  g_clear_pointer (&demo->rand, g_rand_free);
  g_clear_pointer (&demo->partner_ids, g_ptr_array_unref);
  if (demo->users != NULL)
    {
      for (guint i = 0; i < demo->users->len; i++)
        {
          DemoUser *u = &g_array_index (demo->users, DemoUser, i);
          g_free (u->login);
          g_free (u->organisation);
        }
      g_clear_pointer (&demo->users, g_array_unref);
    }
  g_clear_pointer (&demo->resource_ids, g_ptr_array_unref);
  g_clear_pointer (&demo->resource_themes, g_array_unref);
}

/* Small helpers */

static char *
demo_id (const char *format,
         ...) G_GNUC_PRINTF (1, 2);

static char *
demo_id (const char *format,
         ...)
{
  g_autofree char *name = NULL;
  va_list args;

  va_start (args, format);
  name = g_strdup_vprintf (format, args);
  va_end (args);
  return cdm_uuid_for_name (name);
}

/* "learn work" -> ["learn", "work"]; NULL -> []. */
static JsonArray *
words_array (const char *words)
{
  JsonArray *array = json_array_new ();
  g_auto(GStrv) split = NULL;

  if (words == NULL)
    return array;
  split = g_strsplit (words, " ", -1);
  for (guint i = 0; split[i] != NULL; i++)
    if (split[i][0] != '\0')
      json_array_add_string_element (array, split[i]);
  return array;
}

static guint
words_mask (const char * const *codes,
            const char         *words)
{
  g_auto(GStrv) split = NULL;
  guint mask = 0;

  if (words == NULL)
    return 0;
  split = g_strsplit (words, " ", -1);
  for (guint i = 0; split[i] != NULL; i++)
    {
      int index = cdm_code_index (codes, split[i]);
      if (index >= 0)
        mask |= 1u << index;
    }
  return mask;
}

static gboolean
words_contain (const char *words,
               const char *word)
{
  g_auto(GStrv) split = NULL;

  if (words == NULL)
    return FALSE;
  split = g_strsplit (words, " ", -1);
  return g_strv_contains ((const char * const *) split, word);
}

/* The first word of a space-separated list, (transfer full). */
static char *
first_word (const char *words)
{
  const char *space = strchr (words, ' ');

  return space ? g_strndup (words, space - words) : g_strdup (words);
}

static void
set_string (JsonObject *object,
            const char *member,
            const char *value)
{
  if (value != NULL)
    json_object_set_string_member (object, member, value);
  else
    json_object_set_null_member (object, member);
}

static JsonObject *
i18n_object (const char *fr,
             const char *nl,
             const char *en)
{
  JsonObject *object = json_object_new ();

  set_string (object, "fr", fr);
  set_string (object, "nl", nl);
  set_string (object, "en", en);
  return object;
}

/* A word of the vocabulary with its relative weight. */
typedef struct {
  const char *code;
  guint weight;
} Share;

static const char *
pick_share (GRand       *rand,
            const Share *shares,
            guint        n_shares)
{
  guint total = 0;
  guint r;

  for (guint i = 0; i < n_shares; i++)
    total += shares[i].weight;
  r = g_rand_int_range (rand, 0, total);
  for (guint i = 0; i < n_shares; i++)
    {
      if (r < shares[i].weight)
        return shares[i].code;
      r -= shares[i].weight;
    }
  return shares[n_shares - 1].code;
}

#define PICK(rand, shares) pick_share ((rand), (shares), G_N_ELEMENTS (shares))

static gboolean
chance (GRand  *rand,
        double  probability)
{
  return g_rand_double (rand) < probability;
}

static const char *
pick_strv (GRand              *rand,
           const char * const *strv)
{
  return strv[g_rand_int_range (rand, 0, cdm_demo_strv_length (strv))];
}

/* "Aïcha El Amrani" -> "aicha.el-amrani" */
static char *
login_for (const char *first,
           const char *last)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", first, last);
  g_autofree char *ascii = g_str_to_ascii (name, "C");
  GString *login = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '.')
        g_string_append_c (login, g_ascii_tolower (*p));
      else if (*p == ' ' || *p == '-' || *p == '\'')
        g_string_append_c (login, '-');
    }
  return g_string_free (login, FALSE);
}

/* "CV, mode d'emploi" -> "cv-mode-d-emploi", at most @max characters. */
static char *
slug_for (const char *text,
          guint       max)
{
  g_autofree char *ascii = g_str_to_ascii (text, "C");
  GString *slug = g_string_new (NULL);

  for (const char *p = ascii; *p != '\0' && slug->len < max; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (slug, g_ascii_tolower (*p));
      else if (slug->len > 0 && slug->str[slug->len - 1] != '-')
        g_string_append_c (slug, '-');
    }
  /* Cut at the last whole word. */
  if (slug->len >= max && strchr (slug->str, '-') != NULL && strlen (ascii) > slug->len)
    g_string_truncate (slug, strrchr (slug->str, '-') - slug->str);
  while (slug->len > 0 && slug->str[slug->len - 1] == '-')
    g_string_truncate (slug, slug->len - 1);
  return g_string_free (slug, FALSE);
}

/* A role written in the feminine ("Conseillère", "Coordinatrice") goes
 * with a woman's first name, in the masculine with a man's; the first
 * half of cdm_demo_first_names are women's names. */
static int
role_gender (const char *role)
{
  static const char * const feminine[] = {
    "ère", "rice", "ée", "nte", "ster", "euse", "esse", "ale", NULL };
  static const char * const masculine[] = {
    "eur", "ier", "ller", "é", "ent", "ant", "al", "ur", NULL };
  g_autofree char *word = first_word (role);

  for (guint i = 0; feminine[i] != NULL; i++)
    if (g_str_has_suffix (word, feminine[i]))
      return 1;
  for (guint i = 0; masculine[i] != NULL; i++)
    if (g_str_has_suffix (word, masculine[i]))
      return 2;
  return 0;
}

static const char *
pick_first_name (GRand *rand,
                 int    gender)
{
  guint n = cdm_demo_strv_length (cdm_demo_first_names);
  guint half = n / 2;

  if (gender == 1)
    return cdm_demo_first_names[g_rand_int_range (rand, 0, half)];
  if (gender == 2)
    return cdm_demo_first_names[g_rand_int_range (rand, half, n)];
  return cdm_demo_first_names[g_rand_int_range (rand, 0, n)];
}

static char *
person_name (GRand *rand,
             int    gender)
{
  return g_strdup_printf ("%s %s", pick_first_name (rand, gender),
                          pick_strv (rand, cdm_demo_last_names));
}

/* The calendar */

/* Easter Sunday (Gregorian; the anonymous algorithm of 1876). */
static void
easter (int    year,
        GDate *out)
{
  int a = year % 19, b = year / 100, c = year % 100;
  int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  int month = (h + l - 7 * m + 114) / 31;
  int day = (h + l - 7 * m + 114) % 31 + 1;

  g_date_clear (out, 1);
  g_date_set_dmy (out, day, month, year);
}

static guint
day_index (int year,
           int month,
           int mday)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, mday, month, year);
  return g_date_get_day_of_year (&date) - 1;
}

/* Belgian public holidays, on which the centre is closed. */
static gboolean
is_holiday (const GDate *date,
            const GDate *easter_sunday)
{
  static const guint8 fixed[][2] = {
    { 1, 1 }, { 5, 1 }, { 7, 21 }, { 8, 15 }, { 11, 1 }, { 11, 11 }, { 12, 25 },
  };
  int month = g_date_get_month (date);
  int mday = g_date_get_day (date);
  int from_easter;

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    if (fixed[i][0] == month && fixed[i][1] == mday)
      return TRUE;

  /* Easter Monday, Ascension Day, Whit Monday. */
  from_easter = g_date_days_between (easter_sunday, date);
  return from_easter == 1 || from_easter == 39 || from_easter == 50;
}

/* Is month/day within [from, to] (month/day pairs)? */
static gboolean
between (int month,
         int mday,
         int from_month,
         int from_mday,
         int to_month,
         int to_mday)
{
  int key = month * 100 + mday;

  return key >= from_month * 100 + from_mday && key <= to_month * 100 + to_mday;
}

static void
build_calendar (Demo *demo)
{
  GDate date, easter_sunday;

  easter (demo->year, &easter_sunday);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 1, 1, demo->year);
  demo->n_days = g_date_is_leap_year (demo->year) ? 366 : 365;

  for (guint i = 0; i < demo->n_days; i++, g_date_add_days (&date, 1))
    {
      Day *day = &demo->days[i];
      int m = g_date_get_month (&date);
      int d = g_date_get_day (&date);
      guint flags = 0;

      day->month = m;
      day->mday = d;
      day->weekday = g_date_get_weekday (&date);

      if (between (m, d, 1, 1, 3, 15))
        day->stretch = STRETCH_BEFORE;
      else if (between (m, d, 3, 16, 6, 28))
        day->stretch = STRETCH_LOCKDOWN;
      else if (between (m, d, 6, 29, 10, 31))
        day->stretch = STRETCH_REOPENED;
      else
        day->stretch = STRETCH_LOCKDOWN_2;

      if (day->weekday <= G_DATE_FRIDAY && !is_holiday (&date, &easter_sunday))
        flags |= DAY_OPEN;
      if (between (m, d, 1, 1, 3, 15) || between (m, d, 6, 29, 10, 31))
        flags |= DAY_ADVICE;
      if (between (m, d, 1, 1, 3, 15) || between (m, d, 6, 15, 10, 31))
        flags |= DAY_MULTIMEDIA;
      /* In-person activities were suspended from 13 March. */
      if (between (m, d, 1, 1, 3, 12))
        flags |= DAY_EARLY;
      if (between (m, d, 1, 1, 3, 31))
        flags |= DAY_PROGRAMME_EARLY;
      if (between (m, d, 6, 29, 10, 30))
        flags |= DAY_AUTUMN;
      /* The first online activity, on 7 April, is one of the events; the
       * weekly online programme follows it. */
      if (between (m, d, 4, 8, 12, 31))
        flags |= DAY_ONLINE;
      if (between (m, d, 3, 16, 12, 31))
        flags |= DAY_CHAT;
      if (between (m, d, 3, 23, 12, 31))
        flags |= DAY_CALL_CENTRE;
      day->flags = flags;
    }
}

/* A local time of day @index of the year, in the centre's time zone:
 * winter days get +01:00, summer days +02:00. */
static GDateTime *
local_time (Demo  *demo,
            guint  index,
            int    minute_of_day)
{
  const Day *day = &demo->days[index];

  return g_date_time_new (demo->zone, demo->year, day->month, day->mday,
                          minute_of_day / 60, minute_of_day % 60, 0);
}

static char *
format_time (GDateTime *time)
{
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%S%:z");
}

static char *
format_day (Demo  *demo,
            guint  index)
{
  return g_strdup_printf ("%04d-%02d-%02d", demo->year,
                          demo->days[index].month, demo->days[index].mday);
}

/* Spreads @total over the days of the year in proportion to @weights,
 * so that the counts add up to @total exactly: each day gets the rounded
 * running sum minus what the days before it got. */
static void
spread (const double *weights,
        guint         n_days,
        guint         total,
        guint        *out_counts)
{
  double sum = 0, running = 0;
  guint given = 0;

  for (guint i = 0; i < n_days; i++)
    sum += weights[i];
  for (guint i = 0; i < n_days; i++)
    {
      guint upto;

      if (sum <= 0)
        {
          out_counts[i] = 0;
          continue;
        }
      running += weights[i];
      upto = (guint) (total * running / sum + 0.5);
      out_counts[i] = upto - given;
      given = upto;
    }
}

/* Writing */

static gboolean
demo_put (Demo        *demo,
          CdmEntity    entity,
          JsonObject  *record,
          GError     **error)
{
  CdmPutResult result;

  if (demo->n_puts++ % CANCEL_CHECK_EVERY == 0 &&
      g_cancellable_set_error_if_cancelled (demo->cancellable, error))
    return FALSE;

  if (!cdm_store_put (demo->store, entity, record, NULL, &result, error))
    {
      g_prefix_error (error, _("Demo %s: "), cdm_entity_info (entity)->name);
      return FALSE;
    }

  demo->written[entity]++;
  if (result == CDM_PUT_CREATED)
    demo->created++;
  else if (result == CDM_PUT_UPDATED)
    demo->updated++;
  else
    demo->unchanged++;
  return TRUE;
}

/* The directory: partners, desks and staff */

static guint
partner_index (const char *key)
{
  for (guint i = 0; i < cdm_demo_n_partners; i++)
    if (g_str_equal (cdm_demo_partners[i].key, key))
      return i;
  g_error ("demo data: no partner “%s”", key);
  return 0;
}

static const char *
partner_id (Demo       *demo,
            const char *key)
{
  return g_ptr_array_index (demo->partner_ids, partner_index (key));
}

/* "actiris vdab-brussel" -> [id, id] */
static JsonArray *
partner_ids_array (Demo       *demo,
                   const char *keys)
{
  JsonArray *array = json_array_new ();
  g_auto(GStrv) split = g_strsplit (keys, " ", -1);

  for (guint i = 0; split[i] != NULL; i++)
    if (split[i][0] != '\0')
      json_array_add_string_element (array, partner_id (demo, split[i]));
  return array;
}

static char *
email_for (const char *first,
           const char *last,
           const char *domain)
{
  g_autofree char *login = login_for (first, last);

  return g_strdup_printf ("%s@%s", login, domain);
}

/* The same switchboard, another extension: "+32 2 505 14 11" -> "… 14 37". */
static char *
extension_of (const char *phone,
              guint       extension)
{
  gsize len = strlen (phone);

  if (len < 2)
    return g_strdup (phone);
  return g_strdup_printf ("%.*s%02u", (int) (len - 2), phone, extension % 100);
}

/* Contact people: one per role, at least two, at most three. */
static JsonArray *
partner_people (GRand                *rand,
                const CdmDemoPartner *p)
{
  JsonArray *people = json_array_new ();
  g_auto(GStrv) roles = g_strsplit (p->roles, "|", -1);
  guint n_roles = g_strv_length (roles);
  guint n = CLAMP (n_roles, 2, 3);

  for (guint i = 0; i < n; i++)
    {
      const char *role = roles[i % n_roles];
      int gender = role_gender (role);
      const char *first = pick_first_name (rand, gender);
      const char *last = pick_strv (rand, cdm_demo_last_names);
      g_autofree char *name = g_strdup_printf ("%s %s", first, last);
      g_autofree char *email = email_for (first, last, p->domain);
      g_autofree char *phone = extension_of (p->phone, g_rand_int_range (rand, 20, 99));
      JsonObject *person = json_object_new ();

      json_object_set_string_member (person, "name", name);
      json_object_set_string_member (person, "role", role);
      json_object_set_string_member (person, "phone", phone);
      json_object_set_string_member (person, "email", email);
      json_array_add_object_element (people, person);
    }
  return people;
}

/* Office hours in the partner's first language, when the table gives no
 * hours at the centre. */
static const char *
office_hours (const CdmDemoPartner *p)
{
  if (g_str_has_prefix (p->languages, "nl"))
    return "Ma–vr 9:00–12:30 en 13:30–16:30";
  if (g_str_has_prefix (p->languages, "en"))
    return "Mon–Fri 9:00–17:00";
  return "Lu–ve 9:00–12:30 et 13:30–16:30";
}

static JsonArray *
desk_days_array (guint days)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < 5; i++)
    if (days & (1u << i))
      json_array_add_string_element (array, cdm_weekdays[i]);
  return array;
}

static gboolean
write_partners (Demo    *demo,
                GRand   *rand,
                GError **error)
{
  demo->partner_ids = g_ptr_array_new_with_free_func (g_free);
  demo->referral_total = 0;

  for (guint i = 0; i < cdm_demo_n_partners; i++)
    {
      const CdmDemoPartner *p = &cdm_demo_partners[i];
      g_ptr_array_add (demo->partner_ids, demo_id ("demo:partner:%s", p->key));
      demo->referral_total += p->referral_weight;
    }

  for (guint i = 0; i < cdm_demo_n_partners; i++)
    {
      const CdmDemoPartner *p = &cdm_demo_partners[i];
      g_autoptr(JsonObject) record = json_object_new ();
      g_autofree char *website = g_strdup_printf ("https://www.%s", p->domain);
      g_autofree char *email = g_strdup_printf ("info@%s", p->domain);

      json_object_set_string_member (record, "id", g_ptr_array_index (demo->partner_ids, i));
      json_object_set_object_member (record, "name", i18n_object (p->name_fr, p->name_nl, p->name_en));
      set_string (record, "acronym", p->acronym);
      json_object_set_string_member (record, "circle", p->circle);
      json_object_set_string_member (record, "kind", p->kind);
      json_object_set_array_member (record, "themes", words_array (p->themes));
      json_object_set_array_member (record, "languages", words_array (p->languages));
      json_object_set_string_member (record, "address", p->address);
      json_object_set_string_member (record, "phone", p->phone);
      json_object_set_string_member (record, "email", email);
      json_object_set_string_member (record, "website", website);
      json_object_set_string_member (record, "hours", p->hours ? p->hours : office_hours (p));
      json_object_set_array_member (record, "desk_days", desk_days_array (p->desk_days));
      json_object_set_array_member (record, "people", partner_people (rand, p));
      set_string (record, "notes", p->notes);
      json_object_set_boolean_member (record, "active", TRUE);

      if (!demo_put (demo, CDM_ENTITY_ORGANISATION, record, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_desks (Demo    *demo,
             GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (demo_desks); i++)
    {
      g_autoptr(JsonObject) record = json_object_new ();
      g_autofree char *id = demo_id ("demo:desk:%s", demo_desks[i].name);

      json_object_set_string_member (record, "id", id);
      json_object_set_string_member (record, "name", demo_desks[i].name);
      json_object_set_string_member (record, "site", demo_desks[i].site);
      if (!demo_put (demo, CDM_ENTITY_DESK, record, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_users (Demo    *demo,
             GRand   *rand,
             GError **error)
{
  g_autoptr(GHashTable) logins = g_hash_table_new (g_str_hash, g_str_equal);

  demo->users = g_array_new (FALSE, TRUE, sizeof (DemoUser));

  for (guint t = 0; t < G_N_ELEMENTS (demo_teams); t++)
    for (guint k = 0; k < demo_teams[t].count; k++)
      {
        DemoUser user = { 0 };
        g_autoptr(JsonObject) record = json_object_new ();
        g_autofree char *id = NULL;
        g_autofree char *display = NULL;
        const char *first, *last;

        /* Logins are unique: draw again on the rare repeat. */
        do
          {
            first = pick_first_name (rand, 0);
            last = pick_strv (rand, cdm_demo_last_names);
            g_free (user.login);
            user.login = login_for (first, last);
          }
        while (g_hash_table_contains (logins, user.login));

        user.partner = partner_index (demo_teams[t].partner);
        user.organisation = g_strdup (g_ptr_array_index (demo->partner_ids, user.partner));
        user.role = demo_teams[t].role;
        g_array_append_val (demo->users, user);
        g_hash_table_add (logins, user.login);

        id = demo_id ("demo:user:%s", user.login);
        display = g_strdup_printf ("%s %s", first, last);
        json_object_set_string_member (record, "id", id);
        json_object_set_string_member (record, "login", user.login);
        json_object_set_string_member (record, "display_name", display);
        json_object_set_string_member (record, "organisation", user.organisation);
        json_object_set_string_member (record, "role", user.role);
        if (!demo_put (demo, CDM_ENTITY_USER, record, error))
          return FALSE;
      }
  return TRUE;
}

/* A member of staff of @partner (or of any first-circle partner when
 * @partner is NULL) in @role. */
static const DemoUser *
pick_user (Demo       *demo,
           const char *partner,
           const char *role)
{
  guint candidates[64];
  guint n = 0;

  for (guint i = 0; i < demo->users->len && n < G_N_ELEMENTS (candidates); i++)
    {
      const DemoUser *u = &g_array_index (demo->users, DemoUser, i);
      const CdmDemoPartner *p = &cdm_demo_partners[u->partner];

      if (!g_str_equal (u->role, role))
        continue;
      if (partner != NULL ? !g_str_equal (p->key, partner) : !g_str_equal (p->circle, "first"))
        continue;
      candidates[n++] = i;
    }
  g_assert (n > 0);
  return &g_array_index (demo->users, DemoUser, candidates[g_rand_int_range (demo->rand, 0, n)]);
}

/* A partner to refer someone to, as often as counsellors do. */
static const char *
pick_referral (Demo *demo)
{
  double r = g_rand_double (demo->rand) * demo->referral_total;

  for (guint i = 0; i < cdm_demo_n_partners; i++)
    {
      r -= cdm_demo_partners[i].referral_weight;
      if (r < 0)
        return g_ptr_array_index (demo->partner_ids, i);
    }
  return g_ptr_array_index (demo->partner_ids, 0);
}

/* The library */

typedef struct {
  Demo *demo;
  GRand *rand;
  GHashTable *titles;   /* "kind|language|title": no two alike */
  GHashTable *isbns;
  guint n;
} Library;

static const char * const theme_tags[][3] = {
  /* fr, nl, en, in cdm_themes order */
  { "choisir", "kiezen", "choosing" },
  { "apprendre", "leren", "learning" },
  { "bouger", "mobiliteit", "mobility" },
  { "entreprendre", "ondernemen", "enterprise" },
  { "travailler", "werken", "work" },
};

/* Shelf letters of the open-access library, by a book's first theme. */
static const char shelf_letters[] = { 'C', 'A', 'M', 'E', 'T' };

static guint
language_index (const char *language)
{
  if (g_str_equal (language, "nl"))
    return 1;
  if (g_str_equal (language, "en"))
    return 2;
  return 0;
}

/* @template with its "%s" replaced by @value (the tables' titles are
 * data, not formats). */
static char *
fill_in (const char *template,
         const char *value)
{
  const char *at = strstr (template, "%s");

  if (at == NULL)
    return g_strdup (template);
  return g_strdup_printf ("%.*s%s%s", (int) (at - template), template, value, at + 2);
}

static const char *
sector_form (const CdmDemoSector *sector,
             const char          *language)
{
  switch (language_index (language))
    {
    case 1: return sector->nl;
    case 2: return sector->en;
    default: return sector->fr_de;
    }
}

static const char *
sector_tag (const CdmDemoSector *sector,
            const char          *language)
{
  switch (language_index (language))
    {
    case 1: return sector->tag_nl;
    case 2: return sector->en;
    default: return sector->tag_fr;
    }
}

/* An ISBN-13 of the publisher's range with a valid check digit, unique
 * in the library. */
static char *
isbn_new (Library                *lib,
          const CdmDemoPublisher *publisher)
{
  for (;;)
    {
      char digits[14];
      guint len = strlen (publisher->isbn_prefix);
      guint sum = 0;

      g_assert (len <= 12);
      memcpy (digits, publisher->isbn_prefix, len);
      for (guint i = len; i < 12; i++)
        digits[i] = '0' + g_rand_int_range (lib->rand, 0, 10);
      for (guint i = 0; i < 12; i++)
        sum += (digits[i] - '0') * (i % 2 == 0 ? 1 : 3);
      digits[12] = '0' + (10 - sum % 10) % 10;
      digits[13] = '\0';

      if (!g_hash_table_contains (lib->isbns, digits))
        {
          g_hash_table_add (lib->isbns, g_strdup (digits));
          return g_strdup (digits);
        }
    }
}

static const CdmDemoPublisher *
pick_publisher (Library    *lib,
                const char *language)
{
  const CdmDemoPublisher *candidates[32];
  guint n = 0;

  for (guint i = 0; i < cdm_demo_n_publishers && n < G_N_ELEMENTS (candidates); i++)
    if (g_str_equal (cdm_demo_publishers[i].language, language))
      candidates[n++] = &cdm_demo_publishers[i];
  g_assert (n > 0);
  return candidates[g_rand_int_range (lib->rand, 0, n)];
}

static JsonArray *
authors_array (Library *lib)
{
  JsonArray *authors = json_array_new ();
  guint n = chance (lib->rand, 0.6) ? 1 : chance (lib->rand, 0.8) ? 2 : 3;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = person_name (lib->rand, 0);
      json_array_add_string_element (authors, name);
    }
  return authors;
}

/* Tags: what the item is about (a sector, an occupation) and its themes,
 * in the item's language. */
static JsonArray *
tags_array (const char *language,
            const char *themes,
            const char *about,
            const char *also)
{
  JsonArray *tags = json_array_new ();
  guint mask = words_mask (cdm_themes, themes);
  guint lang = language_index (language);

  if (about != NULL)
    json_array_add_string_element (tags, about);
  if (also != NULL)
    json_array_add_string_element (tags, also);
  for (guint i = 0; i < G_N_ELEMENTS (theme_tags); i++)
    if (mask & (1u << i))
      json_array_add_string_element (tags, theme_tags[i][lang]);
  return tags;
}

static const char *
audience_for (const char *title)
{
  static const char * const studies[] = {
    "études", "Études", "Studeren", "studeren", "Studying", "rhéto", "supérieur", NULL };

  for (guint i = 0; studies[i] != NULL; i++)
    if (strstr (title, studies[i]) != NULL)
      return "students";
  return "general";
}

/* Starts a resource record; NULL when the library already has one of that
 * kind, language and title. */
static JsonObject *
resource_new (Library    *lib,
              const char *kind,
              const char *title,
              const char *language,
              const char *themes)
{
  g_autofree char *key = g_strdup_printf ("%s|%s|%s", kind, language, title);
  JsonObject *record;

  if (g_hash_table_contains (lib->titles, key))
    return NULL;
  g_hash_table_add (lib->titles, g_steal_pointer (&key));

  record = json_object_new ();
  json_object_set_string_member (record, "kind", kind);
  json_object_set_string_member (record, "title", title);
  json_object_set_string_member (record, "language", language);
  json_object_set_array_member (record, "themes", words_array (themes));
  json_object_set_string_member (record, "audience", audience_for (title));
  json_object_set_boolean_member (record, "active", TRUE);
  return record;
}

static gboolean
resource_put (Library     *lib,
              JsonObject  *record,
              GError     **error)
{
  g_autofree char *id = demo_id ("demo:resource:%u", lib->n++);
  guint mask = 0;
  JsonArray *themes = json_object_get_array_member (record, "themes");

  for (guint i = 0; i < json_array_get_length (themes); i++)
    mask |= 1u << cdm_code_index (cdm_themes, json_array_get_string_element (themes, i));

  json_object_set_string_member (record, "id", id);
  if (!demo_put (lib->demo, CDM_ENTITY_RESOURCE, record, error))
    return FALSE;
  g_ptr_array_add (lib->demo->resource_ids, g_steal_pointer (&id));
  g_array_append_val (lib->demo->resource_themes, mask);
  return TRUE;
}

/* Recent books mostly: a library is weeded. */
static int
publication_year (Library *lib)
{
  double r = g_rand_double (lib->rand);

  return lib->demo->year - (int) (r * r * 12);
}

static gboolean
put_book (Library     *lib,
          const char  *kind,
          const char  *title,
          const char  *language,
          const char  *themes,
          const char  *summary,
          const char  *about,
          int          shelf,
          GError     **error)
{
  g_autoptr(JsonObject) record = resource_new (lib, kind, title, language, themes);
  const CdmDemoPublisher *publisher;
  g_autofree char *isbn = NULL;
  g_autofree char *first = first_word (themes);
  int theme = cdm_code_index (cdm_themes, first);

  if (record == NULL)
    return TRUE;

  publisher = pick_publisher (lib, language);
  isbn = isbn_new (lib, publisher);
  json_object_set_array_member (record, "authors", authors_array (lib));
  json_object_set_string_member (record, "publisher", publisher->name);
  json_object_set_int_member (record, "year", publication_year (lib));
  json_object_set_string_member (record, "isbn", isbn);
  json_object_set_string_member (record, "summary", summary);
  json_object_set_array_member (record, "tags", tags_array (language, themes, about, NULL));

  if (g_str_equal (kind, "ebook"))
    {
      g_autofree char *url = g_strdup_printf ("https://ebooks.cdm-bp.example/%s", isbn);
      json_object_set_string_member (record, "url", url);
    }
  else
    {
      g_autofree char *location = NULL;
      guint r = g_rand_int_range (lib->rand, 0, 20);

      if (shelf <= 0)
        shelf = g_rand_int_range (lib->rand, 1, 31);
      location = g_strdup_printf ("%c-%d", shelf_letters[MAX (theme, 0)], shelf);
      json_object_set_string_member (record, "location", location);
      json_object_set_int_member (record, "copies", r < 14 ? 1 : r < 19 ? 2 : 3);
    }
  return resource_put (lib, record, error);
}

static gboolean
put_sector_book (Library     *lib,
                 const char  *kind,
                 guint        sector_index,
                 guint        title_index,
                 int          subtitle,
                 GError     **error)
{
  const CdmDemoSector *sector = &cdm_demo_sectors[sector_index];
  const CdmDemoTitle *t = &cdm_demo_sector_titles[title_index];
  const char *form = sector_form (sector, t->language);
  g_autofree char *title = fill_in (t->title, form);
  g_autofree char *summary = fill_in (t->summary, form);

  if (subtitle >= 0)
    {
      g_autofree char *base = g_steal_pointer (&title);
      title = g_strdup_printf ("%s%s%s", base, language_index (t->language) == 0 ? " : " : ": ",
                               cdm_demo_subtitles[subtitle][language_index (t->language)]);
    }
  return put_book (lib, kind, title, t->language, t->themes, summary,
                   sector_tag (sector, t->language), sector_index + 1, error);
}

static gboolean
put_general_book (Library     *lib,
                  const char  *kind,
                  guint        title_index,
                  int          subtitle,
                  GError     **error)
{
  const CdmDemoTitle *t = &cdm_demo_general_titles[title_index];
  g_autofree char *title = NULL;

  if (subtitle >= 0)
    title = g_strdup_printf ("%s%s%s", t->title, language_index (t->language) == 0 ? " : " : ": ",
                             cdm_demo_subtitles[subtitle][language_index (t->language)]);
  else
    title = g_strdup (t->title);
  return put_book (lib, kind, title, t->language, t->themes, t->summary, NULL, 0, error);
}

static gboolean
put_job_sheets (Library  *lib,
                GError  **error)
{
  static const char * const prefixes[] = { "Fiche métier : ", "Beroepsfiche: ", "Job profile: " };
  static const char * const languages[] = { "fr", "nl", "en" };
  static const char * const publishers[] = { "SIEP", "VDAB Brussel", "Cité des métiers de Bruxelles" };

  for (guint o = 0; o < cdm_demo_n_occupations; o++)
    {
      const CdmDemoOccupation *occ = &cdm_demo_occupations[o];
      const CdmDemoSector *sector = &cdm_demo_sectors[occ->sector];
      const char *names[] = { occ->fr, occ->nl, occ->en };

      for (guint l = 0; l < 3; l++)
        {
          g_autoptr(JsonObject) record = NULL;
          g_autofree char *title = NULL;
          g_autofree char *summary = NULL;
          g_autofree char *location = NULL;

          if (names[l] == NULL)
            continue;
          title = g_strconcat (prefixes[l], names[l], NULL);
          record = resource_new (lib, "job_sheet", title, languages[l], "choose work");
          if (record == NULL)
            continue;

          switch (l)
            {
            case 0:
              summary = g_strdup_printf ("%s : le métier, les tâches, les conditions de travail, "
                                         "les formations qui y mènent à Bruxelles et les débouchés.",
                                         names[l]);
              break;
            case 1:
              summary = g_strdup_printf ("%s: het beroep, de taken, de werkomstandigheden, "
                                         "de opleidingen in Brussel en de vacatures.", names[l]);
              break;
            default:
              summary = g_strdup_printf ("%s: the job, the tasks, working conditions, "
                                         "training in Brussels and prospects.", names[l]);
              break;
            }
          location = g_strdup_printf ("F-%u", occ->sector + 1);
          json_object_set_string_member (record, "publisher", publishers[l]);
          json_object_set_int_member (record, "year", lib->demo->year - g_rand_int_range (lib->rand, 0, 3));
          json_object_set_string_member (record, "location", location);
          json_object_set_int_member (record, "copies", g_rand_int_range (lib->rand, 5, 21));
          json_object_set_string_member (record, "summary", summary);
          json_object_set_array_member (record, "tags",
                                        tags_array (languages[l], "choose work",
                                                    sector_tag (sector, languages[l]), names[l]));
          if (!resource_put (lib, record, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
put_videos (Library  *lib,
            GError  **error)
{
  /* A testimony for each occupation... */
  for (guint o = 0; o < cdm_demo_n_occupations; o++)
    {
      const CdmDemoOccupation *occ = &cdm_demo_occupations[o];
      const CdmDemoSector *sector = &cdm_demo_sectors[occ->sector];
      g_autofree char *title = g_strconcat ("Témoignage : ", occ->fr, NULL);
      g_autoptr(JsonObject) record = resource_new (lib, "video", title, "fr", "choose work");
      g_autofree char *slug = NULL;
      g_autofree char *url = NULL;
      g_autofree char *summary = NULL;

      if (record == NULL)
        continue;
      slug = slug_for (occ->fr, 60);
      url = g_strdup_printf ("https://videos.cdm-bp.example/metiers/%s", slug);
      summary = g_strdup_printf ("Une professionnelle ou un professionnel raconte son métier "
                                 "(%s) : une journée type, le parcours, les conseils.", occ->fr);
      json_object_set_string_member (record, "publisher", "Cité des métiers de Bruxelles");
      json_object_set_int_member (record, "year", lib->demo->year - g_rand_int_range (lib->rand, 0, 4));
      json_object_set_string_member (record, "url", url);
      json_object_set_string_member (record, "summary", summary);
      json_object_set_array_member (record, "tags",
                                    tags_array ("fr", "choose work", sector->tag_fr, "témoignage"));
      if (!resource_put (lib, record, error))
        return FALSE;
    }

  /* ... and the recordings of the online workshops. */
  for (guint a = 0; a < cdm_demo_n_activities; a++)
    {
      const CdmDemoActivity *act = &cdm_demo_activities[a];
      g_autofree char *title = NULL;
      g_autoptr(JsonObject) record = NULL;
      g_autofree char *slug = NULL;
      g_autofree char *url = NULL;

      if (!(act->periods & CDM_DEMO_ONLINE) || act->programmes != NULL)
        continue;
      title = g_strconcat ("Replay : ", act->title_fr, NULL);
      record = resource_new (lib, "video", title, "fr", act->themes);
      if (record == NULL)
        continue;
      slug = slug_for (act->title_fr, 60);
      url = g_strdup_printf ("https://videos.cdm-bp.example/replay/%s", slug);
      json_object_set_string_member (record, "publisher", "Cité des métiers de Bruxelles");
      json_object_set_int_member (record, "year", lib->demo->year);
      json_object_set_string_member (record, "url", url);
      json_object_set_string_member (record, "summary", act->summary);
      json_object_set_string_member (record, "audience", act->audience);
      json_object_set_array_member (record, "tags", tags_array ("fr", act->themes, "atelier", "replay"));
      if (!resource_put (lib, record, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
put_tools (Library  *lib,
           GError  **error)
{
  for (guint i = 0; i < cdm_demo_n_tools; i++)
    {
      const CdmDemoTool *tool = &cdm_demo_tools[i];
      g_autoptr(JsonObject) record = resource_new (lib, tool->kind, tool->title,
                                                   tool->language, tool->themes);

      if (record == NULL)
        continue;
      json_object_set_string_member (record, "summary", tool->summary);
      json_object_set_array_member (record, "tags", tags_array (tool->language, tool->themes, NULL, NULL));
      if (tool->partner != NULL)
        {
          const CdmDemoPartner *p = &cdm_demo_partners[partner_index (tool->partner)];
          g_autofree char *url = g_strdup_printf ("https://www.%s%s", p->domain,
                                                  tool->path ? tool->path : "");

          json_object_set_string_member (record, "publisher",
                                         language_index (tool->language) == 1 && p->name_nl
                                         ? p->name_nl : p->name_fr);
          json_object_set_string_member (record, "url", url);
        }
      else
        {
          /* Paper tests and card games, lent at the reception. */
          json_object_set_string_member (record, "location", "Accueil");
          json_object_set_int_member (record, "copies", g_rand_int_range (lib->rand, 1, 4));
        }
      if (!resource_put (lib, record, error))
        return FALSE;
    }
  return TRUE;
}

/* The partners' brochures: this year's edition and last year's, kept but
 * no longer handed out. */
static gboolean
put_brochures (Library  *lib,
               GError  **error)
{
  for (int edition = lib->demo->year; edition >= lib->demo->year - 1; edition--)
    for (guint i = 0; i < cdm_demo_n_brochure_titles; i++)
      {
        const CdmDemoTitle *t = &cdm_demo_brochure_titles[i];
        const char *bar = strchr (t->summary, '|');
        g_autofree char *key = g_strndup (t->summary, bar - t->summary);
        const CdmDemoPartner *p = &cdm_demo_partners[partner_index (key)];
        g_autofree char *year = g_strdup_printf ("%d", edition);
        g_autofree char *title = fill_in (t->title, year);
        g_autoptr(JsonObject) record = resource_new (lib, "brochure", title, t->language, t->themes);

        if (record == NULL)
          continue;
        json_object_set_string_member (record, "publisher",
                                       language_index (t->language) == 1 && p->name_nl
                                       ? p->name_nl : p->name_fr);
        json_object_set_int_member (record, "year", edition);
        json_object_set_string_member (record, "location", "Présentoir des brochures");
        json_object_set_int_member (record, "copies",
                                    edition == lib->demo->year ? g_rand_int_range (lib->rand, 20, 81) : 0);
        json_object_set_string_member (record, "summary", bar + 1);
        json_object_set_array_member (record, "tags", tags_array (t->language, t->themes, p->acronym, NULL));
        json_object_set_boolean_member (record, "active", edition == lib->demo->year);
        if (!resource_put (lib, record, error))
          return FALSE;
      }
  return TRUE;
}

static gboolean
write_library (Demo    *demo,
               GError **error)
{
  Library lib = { 0 };
  gboolean ok = FALSE;
  guint n_ebooks = 0;

  lib.demo = demo;
  lib.rand = g_rand_new_with_seed (SEED_LIBRARY);
  lib.titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  lib.isbns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  demo->resource_ids = g_ptr_array_new_with_free_func (g_free);
  demo->resource_themes = g_array_new (FALSE, FALSE, sizeof (guint));

  /* Every sector in every title of the sector collections. */
  for (guint s = 0; s < cdm_demo_n_sectors; s++)
    for (guint t = 0; t < cdm_demo_n_sector_titles; t++)
      if (!put_sector_book (&lib, "book", s, t, -1, error))
        goto out;
  for (guint t = 0; t < cdm_demo_n_general_titles; t++)
    if (!put_general_book (&lib, "book", t, -1, error))
      goto out;

  if (!put_job_sheets (&lib, error) ||
      !put_videos (&lib, error) ||
      !put_tools (&lib, error) ||
      !put_brochures (&lib, error))
    goto out;

  /* E-books of the most asked-for titles. */
  while (n_ebooks < 90)
    {
      guint before = lib.n;

      if (chance (lib.rand, 0.4))
        {
          if (!put_general_book (&lib, "ebook", g_rand_int_range (lib.rand, 0, cdm_demo_n_general_titles),
                                 -1, error))
            goto out;
        }
      else if (!put_sector_book (&lib, "ebook", g_rand_int_range (lib.rand, 0, cdm_demo_n_sectors),
                                 g_rand_int_range (lib.rand, 0, cdm_demo_n_sector_titles), -1, error))
        goto out;
      n_ebooks += lib.n - before;
    }

  /* The rest of the shelves: other volumes and editions of the titles. */
  {
    guint n_subtitles = 0;

    while (cdm_demo_subtitles[n_subtitles][0] != NULL)
      n_subtitles++;
    while (lib.n < LIBRARY_SIZE)
      {
        int subtitle = g_rand_int_range (lib.rand, 0, n_subtitles);

        if (chance (lib.rand, 0.25))
          {
            if (!put_general_book (&lib, "book", g_rand_int_range (lib.rand, 0, cdm_demo_n_general_titles),
                                   subtitle, error))
              goto out;
          }
        else if (!put_sector_book (&lib, "book", g_rand_int_range (lib.rand, 0, cdm_demo_n_sectors),
                                   g_rand_int_range (lib.rand, 0, cdm_demo_n_sector_titles),
                                   subtitle, error))
          goto out;
      }
  }
  ok = TRUE;

out:
  g_rand_free (lib.rand);
  g_hash_table_unref (lib.titles);
  g_hash_table_unref (lib.isbns);
  return ok;
}

/* A resource to hand over on @themes (a mask), or any when none fits. */
static const char *
pick_resource (Demo  *demo,
               guint  themes)
{
  guint n = demo->resource_ids->len;
  guint index = g_rand_int_range (demo->rand, 0, n);

  for (guint tries = 0; tries < 8; tries++)
    {
      if (themes == 0 || (g_array_index (demo->resource_themes, guint, index) & themes))
        break;
      index = g_rand_int_range (demo->rand, 0, n);
    }
  return g_ptr_array_index (demo->resource_ids, index);
}

/* Group activities */

/* The organisations that ran their online sessions on Google Meet; the
 * others used the centre's Whereby rooms (2020 report, note 4). */
static const char * const meet_organisers[] = {
  "bruxelles-formation", "vdab-brussel", "focus-carriere", "efp", "fwb", "leerwinkel",
  "brik", "huis-voor-gezondheid", "intec-brussel", "syntra-brussel", NULL };

typedef struct {
  const char *title_fr, *title_nl, *title_en;
  const char *summary;
  const char *organisers;
  const char *themes;
  const char *programmes;
  const char *audience;
  const char *languages;
  const char *mode;
  const char *place;
  guint duration_min;
  guint size;
  guint capacity;
  char place_buffer[128];
} Session;

static guint
round_up_5 (double value)
{
  return ((guint) value + 4) / 5 * 5;
}

static void
set_online (Demo       *demo,
            JsonObject *record,
            const char *organisers,
            const char *title_fr)
{
  g_autofree char *main = first_word (organisers);
  g_autofree char *link = NULL;

  if (g_strv_contains (meet_organisers, main))
    {
      char code[13];

      /* abc-defg-hij, as the rooms of that platform are named. */
      for (guint i = 0; i < 12; i++)
        code[i] = (i == 3 || i == 8) ? '-' : 'a' + g_rand_int_range (demo->rand, 0, 26);
      code[12] = '\0';
      json_object_set_string_member (record, "platform", "Google Meet");
      link = g_strdup_printf ("https://meet.example/%s", code);
    }
  else
    {
      g_autofree char *slug = slug_for (title_fr, 40);

      json_object_set_string_member (record, "platform", "Whereby");
      link = g_strdup_printf ("https://whereby.example/cdm-bp-%s", slug);
    }
  json_object_set_string_member (record, "link", link);
}

/* Writes one activity and, once it has taken place, its headcounts: one
 * when people are counted in, a second for those who came in late.  An
 * online session is counted once, from the platform's list. */
static gboolean
write_session (Demo           *demo,
               const char     *name,
               guint           day,
               int             minute_of_day,
               const Session  *s,
               gboolean        cancelled,
               GError        **error)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GDateTime) starts = local_time (demo, day, minute_of_day);
  g_autoptr(GDateTime) ends = g_date_time_add_minutes (starts, s->duration_min);
  g_autofree char *id = demo_id ("demo:activity:%s", name);
  g_autofree char *starts_at = format_time (starts);
  gboolean online = g_str_equal (s->mode, "online");
  gboolean past = g_date_time_to_unix (starts) <= demo->now;
  guint late = 0;
  const char *desk;

  json_object_set_string_member (record, "id", id);
  json_object_set_object_member (record, "title", i18n_object (s->title_fr, s->title_nl, s->title_en));
  json_object_set_string_member (record, "summary", s->summary);
  json_object_set_array_member (record, "themes", words_array (s->themes));
  json_object_set_string_member (record, "starts_at", starts_at);
  json_object_set_int_member (record, "duration_min", s->duration_min);
  json_object_set_string_member (record, "mode", s->mode);
  if (online)
    set_online (demo, record, s->organisers, s->title_fr);
  set_string (record, "place", s->place);
  json_object_set_array_member (record, "languages", words_array (s->languages));
  json_object_set_array_member (record, "organisers", partner_ids_array (demo, s->organisers));
  json_object_set_string_member (record, "audience", s->audience);
  json_object_set_array_member (record, "programmes", words_array (s->programmes));
  json_object_set_int_member (record, "capacity", s->capacity);
  json_object_set_string_member (record, "status",
                                 cancelled ? "cancelled" : past ? "held" : "planned");

  /* Drawn whatever the present, so that later draws do not depend on it. */
  if (!online && s->size >= 5 && chance (demo->rand, 0.35))
    late = g_rand_int_range (demo->rand, 1, s->size / 5 + 1);

  if (!cancelled)
    {
      demo->held_on[day]++;
      if (online)
        demo->online_on[day]++;
    }

  if (!demo_put (demo, CDM_ENTITY_ACTIVITY, record, error))
    return FALSE;
  if (cancelled || !past || s->size == 0)
    return TRUE;

  if (online)
    desk = demo_desks[DESK_REMOTE].name;
  else if (g_str_equal (s->mode, "school"))
    desk = demo_desks[DESK_SCHOOLS].name;
  else
    desk = demo_desks[DESK_RECEPTION].name;

  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(JsonObject) count = NULL;
      g_autoptr(GDateTime) at = NULL;
      g_autofree char *count_id = NULL;
      g_autofree char *recorded_at = NULL;
      guint n;

      if (online)
        {
          if (k > 0)
            break;
          n = s->size;
          at = g_date_time_ref (ends);
        }
      else if (k == 0)
        {
          n = s->size - late;
          at = g_date_time_add_minutes (starts, 15);
        }
      else
        {
          if (late == 0)
            break;
          n = late;
          at = g_date_time_ref (ends);
        }
      if (g_date_time_to_unix (at) > demo->now)
        break;

      count = json_object_new ();
      count_id = demo_id ("demo:attendance:%s:%u", name, k);
      recorded_at = format_time (at);
      json_object_set_string_member (count, "id", count_id);
      json_object_set_string_member (count, "activity", id);
      json_object_set_int_member (count, "count", n);
      json_object_set_string_member (count, "recorded_at", recorded_at);
      json_object_set_string_member (count, "desk", desk);
      if (!demo_put (demo, CDM_ENTITY_ATTENDANCE, count, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_events (Demo    *demo,
              GError **error)
{
  for (guint i = 0; i < cdm_demo_n_events; i++)
    {
      const CdmDemoEvent *e = &cdm_demo_events[i];
      g_autofree char *name = NULL;
      Session s = { 0 };

      if (!g_date_valid_dmy (e->day, e->month, demo->year))
        continue;

      s.title_fr = e->title_fr;
      s.title_nl = e->title_nl;
      s.title_en = e->title_en;
      s.summary = e->summary;
      s.organisers = e->organisers;
      s.themes = e->themes;
      s.programmes = e->programmes;
      s.audience = e->audience;
      s.languages = e->languages;
      s.mode = e->mode;
      s.place = e->place;
      s.duration_min = e->duration_min;
      s.size = e->size_max > 0 ? (guint) g_rand_int_range (demo->rand, e->size_min, e->size_max + 1) : 0;
      s.capacity = round_up_5 (MAX (e->size_max, 20) * 1.1);

      name = g_strdup_printf ("%d:event:%u", demo->year, i);
      if (!write_session (demo, name, day_index (demo->year, e->month, e->day),
                          e->hour * 60 + e->minute, &s, e->cancelled, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
activity_fits (const CdmDemoActivity *a,
               const Day             *day,
               guint                  period)
{
  if (!(a->periods & period))
    return FALSE;
  if (a->weekday != 0 && a->weekday != day->weekday)
    return FALSE;
  /* The NEET's first online activities were on 3 May. */
  if (period == CDM_DEMO_ONLINE && words_contain (a->programmes, "neet") &&
      !between (day->month, day->mday, 5, 4, 12, 31))
    return FALSE;
  return TRUE;
}

/* Picks @n different activities of the weekly programme that fit @day,
 * in proportion to their weights. */
static guint
pick_activities (Demo   *demo,
                 guint   day,
                 guint   period,
                 guint   n,
                 guint  *out)
{
  guint chosen = 0;
  gboolean taken[256] = { FALSE };

  g_assert (cdm_demo_n_activities <= G_N_ELEMENTS (taken));
  while (chosen < n)
    {
      guint total = 0, r;

      for (guint i = 0; i < cdm_demo_n_activities; i++)
        if (!taken[i] && activity_fits (&cdm_demo_activities[i], &demo->days[day], period))
          total += cdm_demo_activities[i].weight;
      if (total == 0)
        break;
      r = g_rand_int_range (demo->rand, 0, total);
      for (guint i = 0; i < cdm_demo_n_activities; i++)
        {
          const CdmDemoActivity *a = &cdm_demo_activities[i];

          if (taken[i] || !activity_fits (a, &demo->days[day], period))
            continue;
          if (r < a->weight)
            {
              taken[i] = TRUE;
              out[chosen++] = i;
              break;
            }
          r -= a->weight;
        }
    }
  return chosen;
}

static void
session_from_activity (Demo                  *demo,
                       const CdmDemoActivity *a,
                       guint                  day,
                       gboolean               online,
                       Session               *s)
{
  memset (s, 0, sizeof *s);
  s->title_fr = a->title_fr;
  s->title_nl = a->title_nl;
  s->title_en = a->title_en;
  s->summary = a->summary;
  s->organisers = a->organisers;
  s->themes = a->themes;
  s->programmes = a->programmes;
  s->audience = a->audience;
  s->languages = a->languages;
  s->duration_min = a->duration_min;
  s->size = g_rand_int_range (demo->rand, a->size_min, a->size_max + 1);

  if (online)
    {
      s->mode = "online";
      s->capacity = round_up_5 (MAX (a->size_max * 1.5, 20));
    }
  else if (g_str_equal (a->mode, "school"))
    {
      const char *const *commune = cdm_demo_communes[g_rand_int_range (demo->rand, 0, cdm_demo_n_communes)];

      s->mode = "school";
      g_snprintf (s->place_buffer, sizeof s->place_buffer, "École secondaire, %s %s",
                  commune[0], commune[1]);
      s->place = s->place_buffer;
      s->capacity = a->size_max + 2;
    }
  else
    {
      s->mode = a->mode;
      s->place = a->place;
      s->capacity = round_up_5 (a->size_max * 1.25);
    }

  /* After the reopening, rooms took fewer people, at a distance. */
  if (!online && (demo->days[day].flags & DAY_AUTUMN))
    {
      s->size = MAX (s->size * 6 / 10, MIN (a->size_min, 3u));
      s->capacity = MAX (s->capacity * 6 / 10, s->size);
    }
}

/* The weekly programme.  Sessions are spread over the opening days so
 * that a year entirely past holds about as many as 2020 did; the early
 * programme that was published for the second half of March was called
 * off, and now and then a session is cancelled for lack of registrations. */
static gboolean
write_programme (Demo    *demo,
                 GError **error)
{
  static const int in_person_slots[] = { 9 * 60 + 30, 13 * 60 + 30, 10 * 60, 14 * 60, 10 * 60 + 30, 15 * 60 };
  static const int online_slots[] = { 10 * 60, 14 * 60, 11 * 60, 15 * 60 + 30, 9 * 60 + 30 };
  double in_person[366], online[366], called_off[366];
  guint n_in_person[366], n_online[366], n_called_off[366];
  guint in_person_events = 0, online_events = 0, seq = 0;
  double held_weight = 0, called_off_weight = 0;

  for (guint i = 0; i < cdm_demo_n_events; i++)
    if (!cdm_demo_events[i].cancelled)
      {
        if (g_str_equal (cdm_demo_events[i].mode, "online"))
          online_events++;
        else
          in_person_events++;
      }

  for (guint d = 0; d < demo->n_days; d++)
    {
      const Day *day = &demo->days[d];
      /* Fewer sessions in the summer and at the end of December. */
      double season = (day->month == 7 || day->month == 8) ? 0.5
                      : between (day->month, day->mday, 12, 21, 12, 31) ? 0.3 : 1.0;
      gboolean open = day->flags & DAY_OPEN;

      in_person[d] = open && (day->flags & (DAY_EARLY | DAY_AUTUMN)) ? season : 0;
      called_off[d] = open && (day->flags & DAY_PROGRAMME_EARLY) && !(day->flags & DAY_EARLY) ? season : 0;
      online[d] = open && (day->flags & DAY_ONLINE) ? season : 0;
      held_weight += in_person[d];
      called_off_weight += called_off[d];
    }
  spread (in_person, demo->n_days, HELD_IN_PERSON - in_person_events, n_in_person);
  spread (online, demo->n_days, HELD_ONLINE - online_events, n_online);
  spread (called_off, demo->n_days,
          held_weight > 0 ? (guint) ((HELD_IN_PERSON - in_person_events) * called_off_weight / held_weight + 0.5) : 0,
          n_called_off);

  for (guint d = 0; d < demo->n_days; d++)
    {
      const Day *day = &demo->days[d];

      for (guint pass = 0; pass < 2; pass++)
        {
          gboolean is_online = pass == 1;
          guint n = is_online ? n_online[d] : n_in_person[d] + n_called_off[d];
          guint period = is_online ? CDM_DEMO_ONLINE
                         : (day->flags & DAY_PROGRAMME_EARLY) ? CDM_DEMO_EARLY : CDM_DEMO_AUTUMN;
          guint picked[16];
          guint offset;

          n = pick_activities (demo, d, period, MIN (n, G_N_ELEMENTS (picked)), picked);
          offset = g_rand_int_range (demo->rand, 0, 6);
          for (guint k = 0; k < n; k++)
            {
              const CdmDemoActivity *a = &cdm_demo_activities[picked[k]];
              g_autofree char *name = g_strdup_printf ("%d:%u", demo->year, seq++);
              gboolean cancelled = n_called_off[d] > 0;
              int slot;
              Session s;

              session_from_activity (demo, a, d, is_online, &s);
              if (is_online)
                slot = online_slots[(offset + k) % G_N_ELEMENTS (online_slots)];
              else if (g_str_equal (s.mode, "school"))
                slot = k % 2 == 0 ? 9 * 60 : 10 * 60 + 30;
              else
                slot = in_person_slots[(offset + k) % G_N_ELEMENTS (in_person_slots)];

              if (!write_session (demo, name, d, slot, &s, cancelled, error))
                return FALSE;

              /* Too few registrations: one more session announced for the
               * day, and called off. */
              if (!cancelled && chance (demo->rand, 0.015))
                {
                  guint other;
                  g_autofree char *extra = g_strdup_printf ("%d:%u", demo->year, seq++);

                  if (pick_activities (demo, d, period, 1, &other) == 1)
                    {
                      session_from_activity (demo, &cdm_demo_activities[other], d, is_online, &s);
                      if (!write_session (demo, extra, d, is_online ? 17 * 60 : 16 * 60, &s, TRUE, error))
                        return FALSE;
                    }
                }
            }
        }
    }
  return TRUE;
}

/* Closures */

typedef struct {
  guint8 from_month, from_mday, to_month, to_mday;
  const char *scope;
  const char *reason;
} DemoClosure;

static const DemoClosure demo_closures[] = {
  { 3, 13, 6, 28, "activities",
    "Activités collectives en présentiel suspendues (mesures sanitaires COVID-19) ; "
    "en ligne à partir du 7 avril" },
  { 3, 16, 6, 14, "multimedia",
    "Espace multimédia fermé : confinement décidé par le gouvernement (COVID-19)" },
  { 3, 16, 6, 28, "advice",
    "Conseil individuel en présentiel suspendu (confinement) ; conseil à distance par mail, "
    "tchat Messenger et, dès le 23 mars, par le call center" },
  { 6, 15, 10, 31, "appointment_only",
    "Réouverture sur rendez-vous uniquement : zone multimédia le 15 juin, zone conseil le "
    "29 juin (dérogation à la Charte obtenue auprès du Réseau international des Cités des métiers)" },
  { 11, 1, 12, 31, "all",
    "Second confinement : espace physique fermé, services 100 % en ligne" },
};

static gboolean
write_closures (Demo    *demo,
                GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (demo_closures); i++)
    {
      const DemoClosure *c = &demo_closures[i];
      g_autoptr(JsonObject) record = json_object_new ();
      g_autofree char *id = demo_id ("demo:closure:%d:%u", demo->year, i);
      g_autofree char *from = g_strdup_printf ("%04d-%02d-%02d", demo->year, c->from_month, c->from_mday);
      g_autofree char *to = g_strdup_printf ("%04d-%02d-%02d", demo->year, c->to_month, c->to_mday);

      json_object_set_string_member (record, "id", id);
      json_object_set_string_member (record, "from", from);
      json_object_set_string_member (record, "to", to);
      json_object_set_string_member (record, "scope", c->scope);
      json_object_set_string_member (record, "reason", c->reason);
      if (!demo_put (demo, CDM_ENTITY_CLOSURE, record, error))
        return FALSE;
    }
  return TRUE;
}

/* Visitor profiles, in the proportions the centre's surveys give: nearly
 * as many men as women, half aged 30 to 49, nine in ten from Brussels,
 * eight in ten job seekers, three in ten with a foreign diploma, half come
 * on their own initiative. */

static const Share genders[] = { { "f", 50 }, { "m", 49 }, { "x", 1 } };
static const Share age_bands[] = {
  { "under_18", 3 }, { "18_24", 16 }, { "25_29", 16 }, { "30_49", 50 }, { "50_plus", 15 } };
static const Share regions[] = {
  { "brussels", 925 }, { "wallonia", 30 }, { "flanders", 35 }, { "abroad", 10 } };
static const Share statuses[] = {
  { "job_seeker", 800 }, { "employed", 100 }, { "self_employed", 15 }, { "student", 60 }, { "other", 25 } };
static const Share education_levels[] = {
  { "primary", 7 }, { "lower_secondary", 10 }, { "upper_secondary", 16 }, { "higher", 40 } };
static const Share languages[] = {
  { "fr", 70 }, { "nl", 12 }, { "en", 12 }, { "ar", 3 }, { "es", 2 }, { "pt", 1 } };
static const Share heard_from[] = {
  { "own_initiative", 533 }, { "partner", 180 }, { "word_of_mouth", 120 }, { "social_media", 80 },
  { "school", 30 }, { "campaign", 30 }, { "other", 27 } };
static const Share themes_shares[] = {
  { "work", 38 }, { "learn", 30 }, { "choose", 20 }, { "undertake", 6 }, { "move", 6 } };

typedef enum {
  KIND_CENTRE,          /* in person at the centre */
  KIND_FORMTRUCK,       /* in person on board the Formtruck */
  KIND_SCHOOL,          /* in person in a school */
  KIND_EMAIL,
  KIND_CALL_CENTRE,
  KIND_CHAT,
  KIND_AFTER_GROUP,
  KIND_NEET_OUTREACH,
  N_KINDS
} ContactKind;

typedef struct {
  const char *channel;
  guint total;                      /* in a year entirely past */
  double by_stretch[N_STRETCHES];   /* relative daily volume */
  guint needs;                      /* DayFlags */
  double profile;                   /* share with a profile */
  double referral;                  /* share referred to a partner */
  double resource;                  /* share given a resource */
  guint duration_min, duration_max;
} KindInfo;

static const KindInfo kinds[N_KINDS] = {
  [KIND_CENTRE] = { "in_person", ADVICE_IN_PERSON - ADVICE_FORMTRUCK - ADVICE_SCHOOLS,
                    { 1.0, 0, 0.55, 0 }, DAY_ADVICE, 0.7, 0.4, 0.12, 10, 45 },
  [KIND_FORMTRUCK] = { "in_person", ADVICE_FORMTRUCK, { 1.0, 1.0, 1.0, 0 }, 0, 0.6, 0.5, 0.05, 10, 30 },
  [KIND_SCHOOL] = { "in_person", ADVICE_SCHOOLS, { 1.0, 0, 1.0, 0 }, 0, 0.8, 0.2, 0.15, 15, 30 },
  [KIND_EMAIL] = { "email", ADVICE_EMAIL, { 3, 22, 8, 18 }, 0, 0.35, 0.3, 0.12, 5, 20 },
  [KIND_CALL_CENTRE] = { "call_centre", ADVICE_CALL_CENTRE, { 0, 25, 10, 22 }, DAY_CALL_CENTRE,
                         0.5, 0.3, 0.03, 5, 25 },
  [KIND_CHAT] = { "chat", ADVICE_CHAT, { 0, 9, 3, 7 }, DAY_CHAT, 0.3, 0.25, 0.05, 5, 15 },
  [KIND_AFTER_GROUP] = { "after_group_activity", ADVICE_AFTER_GROUP, { 1, 1, 1, 1 }, 0,
                         0.6, 0.3, 0.1, 10, 25 },
  [KIND_NEET_OUTREACH] = { "neet_outreach", ADVICE_NEET_OUTREACH, { 0.6, 1.2, 1.2, 1.2 }, 0,
                           0.8, 0.5, 0.05, 15, 45 },
};

/* What the multimedia area helps with, in its tallies. */
static const Share tally_kinds[] = {
  { "computer_access", 44 }, { "jobseeker_profile", 18 }, { "documents", 14 },
  { "training_catalogue", 10 }, { "printing", 11 }, { "other", 3 } };

static const char * const multimedia_notes[] = {
  "Mise à jour du dossier de chercheur d'emploi en ligne",
  "Aide pour télécharger et imprimer des documents",
  "Recherche dans le catalogue des formations",
  "Création d'une adresse e-mail",
  "Initiation à la recherche d'offres en ligne",
  NULL };

static JsonObject *
profile_new (Demo        *demo,
             ContactKind  kind)
{
  GRand *rand = demo->rand;
  JsonObject *profile = json_object_new ();

  if (chance (rand, 0.9))
    json_object_set_string_member (profile, "gender", PICK (rand, genders));
  if (chance (rand, 0.9))
    json_object_set_string_member (profile, "age_band",
                                   kind == KIND_SCHOOL ? "under_18"
                                   : kind == KIND_NEET_OUTREACH ? "18_24" : PICK (rand, age_bands));
  if (chance (rand, 0.85))
    json_object_set_string_member (profile, "region",
                                   kind == KIND_EMAIL && chance (rand, 0.04) ? "abroad"
                                   : PICK (rand, regions));
  if (chance (rand, 0.85))
    json_object_set_string_member (profile, "status",
                                   kind == KIND_SCHOOL ? "student"
                                   : kind == KIND_NEET_OUTREACH ? (chance (rand, 0.6) ? "other" : "job_seeker")
                                   : PICK (rand, statuses));
  if (chance (rand, 0.75))
    json_object_set_string_member (profile, "education",
                                   kind == KIND_SCHOOL ? "lower_secondary" : PICK (rand, education_levels));
  if (kind != KIND_SCHOOL && chance (rand, 0.6))
    json_object_set_boolean_member (profile, "foreign_diploma", chance (rand, 0.3));
  if (chance (rand, 0.8))
    json_object_set_string_member (profile, "language", PICK (rand, languages));
  if (chance (rand, 0.85))
    json_object_set_boolean_member (profile, "first_visit", chance (rand, 0.45));
  if (chance (rand, 0.7))
    json_object_set_string_member (profile, "heard_from",
                                   kind == KIND_SCHOOL ? "school"
                                   : kind == KIND_NEET_OUTREACH ? (chance (rand, 0.5) ? "social_media" : "partner")
                                   : PICK (rand, heard_from));
  return profile;
}

static JsonArray *
contact_themes (Demo        *demo,
                ContactKind  kind,
                guint       *out_mask)
{
  const char *first, *second = NULL;
  JsonArray *themes = json_array_new ();

  if (kind == KIND_SCHOOL)
    first = "choose";
  else if (kind == KIND_FORMTRUCK)
    first = chance (demo->rand, 0.7) ? "learn" : "choose";
  else
    first = PICK (demo->rand, themes_shares);
  if (chance (demo->rand, 0.25))
    {
      second = PICK (demo->rand, themes_shares);
      if (g_str_equal (second, first))
        second = NULL;
    }
  json_array_add_string_element (themes, first);
  if (second != NULL)
    json_array_add_string_element (themes, second);
  *out_mask = (1u << cdm_code_index (cdm_themes, first)) |
              (second ? 1u << cdm_code_index (cdm_themes, second) : 0);
  return themes;
}

static JsonArray *
contact_programmes (Demo        *demo,
                    ContactKind  kind)
{
  /* Per ten thousand contacts in individual advice. */
  static const struct { const char *code; guint per_10000; } tagged[] = {
    { "skills_validation", 20 }, { "disability", 25 }, { "skills_identification", 10 },
    { "euroguidance", 8 }, { "prison_reintegration", 3 },
  };
  JsonArray *programmes = json_array_new ();

  if (kind == KIND_FORMTRUCK)
    json_array_add_string_element (programmes, "formtruck");
  else if (kind == KIND_SCHOOL)
    json_array_add_string_element (programmes, "schools");
  else if (kind == KIND_NEET_OUTREACH)
    json_array_add_string_element (programmes, "neet");

  for (guint i = 0; i < G_N_ELEMENTS (tagged); i++)
    if (g_rand_int_range (demo->rand, 0, 10000) < (gint32) tagged[i].per_10000)
      json_array_add_string_element (programmes, tagged[i].code);
  return programmes;
}

/* Who took the contact, at which desk. */
static void
contact_staff (Demo         *demo,
               ContactKind   kind,
               const char   *site,
               guint         day,
               JsonObject   *record)
{
  const DemoUser *user = NULL;
  const char *desk;

  switch (kind)
    {
    case KIND_FORMTRUCK:
      user = pick_user (demo, "bruxelles-formation", "counsellor");
      desk = demo_desks[DESK_FORMTRUCK].name;
      break;
    case KIND_SCHOOL:
      user = pick_user (demo, "cdm", "counsellor");
      desk = demo_desks[DESK_SCHOOLS].name;
      break;
    case KIND_NEET_OUTREACH:
      user = pick_user (demo, "cdm", "counsellor");
      desk = demo_desks[DESK_NEET].name;
      break;
    case KIND_CALL_CENTRE:
      /* The call centre is Bruxelles Formation's. */
      user = pick_user (demo, "bruxelles-formation", "counsellor");
      desk = demo_desks[DESK_REMOTE].name;
      break;
    case KIND_EMAIL:
    case KIND_CHAT:
      user = chance (demo->rand, 0.5) ? pick_user (demo, "cdm", "counsellor")
                                      : pick_user (demo, NULL, "counsellor");
      desk = demo_desks[DESK_REMOTE].name;
      break;
    case KIND_CENTRE:
    case KIND_AFTER_GROUP:
    case N_KINDS:
    default:
      /* A counsellor of a partner that staffs a desk that weekday. */
      for (guint tries = 0; tries < 6; tries++)
        {
          user = pick_user (demo, NULL, "counsellor");
          if (cdm_demo_partners[user->partner].desk_days & (1u << (demo->days[day].weekday - 1)))
            break;
        }
      desk = g_str_equal (site, "remote") ? demo_desks[DESK_REMOTE].name
             : demo_desks[g_rand_int_range (demo->rand, DESK_ADVICE_FIRST, DESK_ADVICE_LAST + 1)].name;
      break;
    }

  json_object_set_string_member (record, "desk", desk);
  json_object_set_string_member (record, "user", user->login);
  json_object_set_string_member (record, "organisation", user->organisation);
}

static int
opening_minute (Demo  *demo,
                guint  day,
                gboolean remote)
{
  const Day *d = &demo->days[day];
  /* Thursdays until 19:00, before the closure and again from September. */
  gboolean late = !remote && d->weekday == G_DATE_THURSDAY &&
                  (d->stretch == STRETCH_BEFORE || d->month >= 9);

  return 9 * 60 + g_rand_int_range (demo->rand, 0, late ? 10 * 60 - 10 : 8 * 60 - 10);
}

/* When a remote request came in, given when it was answered: within 48 h
 * for nearly all (the centre's promise), later for a few.  The call centre
 * takes calls on working days, 8:00 to 18:00. */
static GDateTime *
received_time (Demo        *demo,
               ContactKind  kind,
               GDateTime   *answered)
{
  GDateTime *received = NULL;

  for (guint tries = 0; tries < 10; tries++)
    {
      double r = g_rand_double (demo->rand);
      gint64 delay = chance (demo->rand, 0.97)
                     ? (gint64) ((0.2 + r * r * 46.0) * 3600)
                     : (gint64) ((49.0 + r * 50.0) * 3600);
      int hour, weekday;

      g_clear_pointer (&received, g_date_time_unref);
      received = g_date_time_add_seconds (answered, -(gdouble) delay);
      hour = g_date_time_get_hour (received);
      weekday = g_date_time_get_day_of_week (received);
      /* Requests of the year only, so that each year's figures stand
       * alone (and 1900, the earliest year a timestamp may have, has no
       * request from 1899). */
      if (g_date_time_get_year (received) != demo->year)
        continue;
      if (kind != KIND_CALL_CENTRE || (hour >= 8 && hour < 18 && weekday <= 5))
        return received;
    }

  if (g_date_time_get_year (received) != demo->year)
    {
      g_date_time_unref (received);
      received = g_date_time_add_minutes (answered, -30);
    }
  return received;
}

static gboolean
write_contact (Demo         *demo,
               ContactKind   kind,
               guint         day,
               guint         seq,
               GError      **error)
{
  const KindInfo *info = &kinds[kind];
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(JsonObject) profile = NULL;
  g_autoptr(GDateTime) occurred = NULL;
  g_autoptr(GDateTime) received = NULL;
  g_autofree char *id = NULL;
  g_autofree char *occurred_at = NULL;
  JsonArray *referrals, *resources;
  gboolean remote = kind == KIND_EMAIL || kind == KIND_CALL_CENTRE || kind == KIND_CHAT;
  const char *site;
  guint theme_mask;

  switch (kind)
    {
    case KIND_CENTRE: site = "centre"; break;
    case KIND_FORMTRUCK: site = "formtruck"; break;
    case KIND_SCHOOL: site = "school"; break;
    case KIND_AFTER_GROUP:
      /* After an online session the follow-up is remote too. */
      site = (demo->days[day].flags & DAY_ADVICE) &&
             g_rand_int_range (demo->rand, 0, demo->held_on[day]) >= (gint32) demo->online_on[day]
             ? "centre" : "remote";
      break;
    case KIND_NEET_OUTREACH:
      site = demo->days[day].flags & DAY_ADVICE ? "external_event" : "remote";
      break;
    case KIND_EMAIL:
    case KIND_CALL_CENTRE:
    case KIND_CHAT:
    case N_KINDS:
    default:
      site = "remote";
      break;
    }

  occurred = local_time (demo, day, opening_minute (demo, day, remote));
  if (remote)
    received = received_time (demo, kind, occurred);

  id = demo_id ("demo:contact:%d:%u", demo->year, seq);
  json_object_set_string_member (record, "id", id);
  json_object_set_string_member (record, "site", site);
  json_object_set_string_member (record, "service", "individual_advice");
  json_object_set_string_member (record, "channel", info->channel);
  json_object_set_array_member (record, "programmes", contact_programmes (demo, kind));
  json_object_set_array_member (record, "themes", contact_themes (demo, kind, &theme_mask));

  profile = chance (demo->rand, info->profile) ? profile_new (demo, kind) : NULL;
  if (profile != NULL)
    json_object_set_object_member (record, "profile", g_steal_pointer (&profile));

  referrals = json_array_new ();
  if (chance (demo->rand, info->referral))
    {
      const char *first = kind == KIND_FORMTRUCK && chance (demo->rand, 0.7)
                          ? partner_id (demo, "bruxelles-formation") : pick_referral (demo);
      const char *second = chance (demo->rand, 0.15) ? pick_referral (demo) : NULL;

      json_array_add_string_element (referrals, first);
      if (second != NULL && !g_str_equal (second, first))
        json_array_add_string_element (referrals, second);
    }
  json_object_set_array_member (record, "referrals", referrals);

  resources = json_array_new ();
  if (chance (demo->rand, info->resource))
    {
      const char *first = pick_resource (demo, theme_mask);
      const char *second = chance (demo->rand, 0.3) ? pick_resource (demo, theme_mask) : NULL;

      json_array_add_string_element (resources, first);
      if (second != NULL && !g_str_equal (second, first))
        json_array_add_string_element (resources, second);
    }
  json_object_set_array_member (record, "resources", resources);

  json_object_set_int_member (record, "duration_min",
                              g_rand_int_range (demo->rand, info->duration_min, info->duration_max + 1));
  if (chance (demo->rand, 0.1))
    json_object_set_string_member (record, "note", pick_strv (demo->rand, cdm_demo_notes));
  contact_staff (demo, kind, site, day, record);

  /* What has not happened yet is not written; a request received but not
   * yet answered waits, unanswered. */
  if (remote)
    {
      g_autofree char *received_at = NULL;

      if (g_date_time_to_unix (received) > demo->now)
        return TRUE;
      received_at = format_time (received);
      json_object_set_string_member (record, "received_at", received_at);
      if (g_date_time_to_unix (occurred) > demo->now)
        {
          json_object_set_string_member (record, "occurred_at", received_at);
          json_object_set_null_member (record, "answered_at");
          return demo_put (demo, CDM_ENTITY_CONTACT, record, error);
        }
      occurred_at = format_time (occurred);
      json_object_set_string_member (record, "answered_at", occurred_at);
    }
  else
    {
      if (g_date_time_to_unix (occurred) > demo->now)
        return TRUE;
      occurred_at = format_time (occurred);
    }
  json_object_set_string_member (record, "occurred_at", occurred_at);
  return demo_put (demo, CDM_ENTITY_CONTACT, record, error);
}

static gboolean
formtruck_day (const Day *day)
{
  /* In the communes from Tuesday to Thursday; back on the road in May and
   * June while the centre was closed, and from September. */
  return day->weekday >= G_DATE_TUESDAY && day->weekday <= G_DATE_THURSDAY &&
         (between (day->month, day->mday, 1, 6, 3, 13) ||
          between (day->month, day->mday, 5, 4, 6, 26) ||
          between (day->month, day->mday, 9, 1, 10, 30));
}

static gboolean
school_day (const Day *day)
{
  /* School terms, less the carnival holidays; not on Wednesday afternoons,
   * so rarely on Wednesdays. */
  return day->weekday != G_DATE_WEDNESDAY &&
         (between (day->month, day->mday, 1, 6, 2, 21) ||
          between (day->month, day->mday, 3, 2, 3, 12) ||
          between (day->month, day->mday, 9, 1, 10, 30));
}

static gboolean
write_contacts (Demo    *demo,
                GError **error)
{
  static const double by_weekday[] = { 0, 1.2, 1.05, 0.95, 1.1, 0.8, 0, 0 };
  g_autofree guint *counts = g_new0 (guint, N_KINDS * 366);
  double weights[366];
  guint seq = 0;

  for (guint k = 0; k < N_KINDS; k++)
    {
      for (guint d = 0; d < demo->n_days; d++)
        {
          const Day *day = &demo->days[d];
          double w = kinds[k].by_stretch[day->stretch] * by_weekday[day->weekday];

          if (!(day->flags & DAY_OPEN) || (day->flags & kinds[k].needs) != kinds[k].needs)
            w = 0;
          else if (k == KIND_FORMTRUCK && !formtruck_day (day))
            w = 0;
          else if (k == KIND_SCHOOL && !school_day (day))
            w = 0;
          else if (k == KIND_AFTER_GROUP)
            w = demo->held_on[d];

          if (day->month == 7 || day->month == 8)
            w *= 0.8;
          if (k == KIND_CENTRE && day->month == 1)
            w *= 1.15;
          if (k == KIND_CENTRE && day->weekday == G_DATE_THURSDAY &&
              (day->stretch == STRETCH_BEFORE || day->month >= 9))
            w *= 1.2;
          weights[d] = w * (0.75 + 0.5 * g_rand_double (demo->rand));
        }
      spread (weights, demo->n_days, kinds[k].total, counts + k * 366);
    }

  for (guint d = 0; d < demo->n_days; d++)
    for (guint k = 0; k < N_KINDS; k++)
      for (guint i = 0; i < counts[k * 366 + d]; i++)
        if (!write_contact (demo, k, d, seq++, error))
          return FALSE;
  return TRUE;
}

/* The multimedia area: tallies at the end of each day it was open, and
 * now and then a contact record for longer help. */
static gboolean
write_multimedia (Demo    *demo,
                  GError **error)
{
  double weights[366], total_weight = 0;
  guint counts[366];
  guint seq = 0;

  for (guint d = 0; d < demo->n_days; d++)
    {
      const Day *day = &demo->days[d];

      weights[d] = 0;
      if ((day->flags & DAY_OPEN) && (day->flags & DAY_MULTIMEDIA))
        weights[d] = (day->stretch == STRETCH_BEFORE ? 1.0 : 0.55) *
                     (0.8 + 0.4 * g_rand_double (demo->rand));
      total_weight += weights[d];
    }

  for (guint k = 0; k < G_N_ELEMENTS (tally_kinds); k++)
    {
      guint share = 0;

      for (guint i = 0; i < G_N_ELEMENTS (tally_kinds); i++)
        share += tally_kinds[i].weight;
      spread (weights, demo->n_days, (MULTIMEDIA_TALLIED * tally_kinds[k].weight + share / 2) / share, counts);

      for (guint d = 0; d < demo->n_days; d++)
        {
          g_autoptr(JsonObject) record = NULL;
          g_autoptr(GDateTime) closing = NULL;
          g_autofree char *id = NULL;
          g_autofree char *date = NULL;

          if (counts[d] == 0)
            continue;
          closing = local_time (demo, d, 17 * 60);
          if (g_date_time_to_unix (closing) > demo->now)
            continue;

          record = json_object_new ();
          date = format_day (demo, d);
          id = demo_id ("demo:tally:%s:%s", date, tally_kinds[k].code);
          json_object_set_string_member (record, "id", id);
          json_object_set_string_member (record, "day", date);
          json_object_set_string_member (record, "kind", tally_kinds[k].code);
          json_object_set_int_member (record, "count", counts[d]);
          json_object_set_string_member (record, "desk", demo_desks[DESK_MULTIMEDIA].name);
          if (!demo_put (demo, CDM_ENTITY_MULTIMEDIA_TALLY, record, error))
            return FALSE;
        }
    }

  spread (weights, demo->n_days, MULTIMEDIA_RECORDS, counts);
  for (guint d = 0; d < demo->n_days; d++)
    for (guint i = 0; i < counts[d]; i++)
      {
        g_autoptr(JsonObject) record = json_object_new ();
        g_autoptr(GDateTime) occurred = local_time (demo, d, opening_minute (demo, d, FALSE));
        g_autofree char *id = demo_id ("demo:multimedia:%d:%u", demo->year, seq++);
        g_autofree char *occurred_at = format_time (occurred);
        const DemoUser *steward = pick_user (demo, "cdm", "steward");

        json_object_set_string_member (record, "id", id);
        json_object_set_string_member (record, "occurred_at", occurred_at);
        json_object_set_string_member (record, "site", "centre");
        json_object_set_string_member (record, "service", "multimedia");
        json_object_set_string_member (record, "channel", "in_person");
        json_object_set_array_member (record, "themes",
                                      words_array (chance (demo->rand, 0.6) ? "work" : "learn"));
        if (chance (demo->rand, 0.5))
          json_object_set_object_member (record, "profile", profile_new (demo, KIND_CENTRE));
        json_object_set_int_member (record, "duration_min", g_rand_int_range (demo->rand, 10, 31));
        json_object_set_string_member (record, "note", pick_strv (demo->rand, multimedia_notes));
        json_object_set_string_member (record, "desk", demo_desks[DESK_MULTIMEDIA].name);
        json_object_set_string_member (record, "user", steward->login);
        json_object_set_string_member (record, "organisation", steward->organisation);

        if (g_date_time_to_unix (occurred) > demo->now)
          continue;
        if (!demo_put (demo, CDM_ENTITY_CONTACT, record, error))
          return FALSE;
      }
  return TRUE;
}

/* Satisfaction: the survey of 500 visitors.  The shares are built in,
 * not left to chance: 95 % satisfied (6 or more), 35 % excellent (9 or
 * 10), 91 % of those who answered would recommend the centre and 90 %
 * found what they came for; those who say no are mostly those who gave
 * low scores. */

static void
shuffle (GRand *rand,
         guint *items,
         guint  n)
{
  for (guint i = n - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      guint t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
}

/* Answers to a yes/no question: @answered of @n answer it, @yes of them
 * yes; the no's go to the lowest scores, give or take.  Values: 0 no,
 * 1 yes, 2 no answer. */
static void
yes_no_answers (GRand        *rand,
                const guint  *scores,
                guint         n,
                guint         answered,
                guint         yes,
                guint        *out)
{
  g_autofree guint *order = g_new (guint, n);
  g_autofree double *keys = g_new (double, n);

  for (guint i = 0; i < n; i++)
    {
      order[i] = i;
      out[i] = 2;
    }
  shuffle (rand, order, n);
  for (guint i = 0; i < answered; i++)
    keys[order[i]] = scores[order[i]] + 4.0 * g_rand_double (rand);

  /* The answered ones, sorted by noisy score: the first get "no". */
  for (guint i = 1; i < answered; i++)
    for (guint j = i; j > 0 && keys[order[j]] < keys[order[j - 1]]; j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }
  for (guint i = 0; i < answered; i++)
    out[order[i]] = i < answered - yes ? 0 : 1;
}

static gboolean
write_satisfaction (Demo    *demo,
                    GError **error)
{
  static const Share frequencies[] = {
    { "first_visit", 30 }, { "occasional", 30 }, { "several_per_month", 40 } };
  const guint n = SATISFACTION_RESPONSES;
  guint scores[SATISFACTION_RESPONSES], recommend[SATISFACTION_RESPONSES], found[SATISFACTION_RESPONSES];
  double weights[366];
  guint counts[366];
  guint seq = 0;

  for (guint i = 0; i < n; i++)
    {
      if (i < n * 5 / 100)
        scores[i] = g_rand_int_range (demo->rand, 2, 6);
      else if (i < n * 65 / 100)
        scores[i] = g_rand_int_range (demo->rand, 6, 9);
      else
        scores[i] = chance (demo->rand, 0.55) ? 9 : 10;
    }
  shuffle (demo->rand, scores, n);
  yes_no_answers (demo->rand, scores, n, n * 90 / 100, n * 90 / 100 * 91 / 100, recommend);
  yes_no_answers (demo->rand, scores, n, n * 92 / 100, n * 92 / 100 * 90 / 100, found);

  /* Answered at the centre, on the days it was open to visitors. */
  for (guint d = 0; d < demo->n_days; d++)
    {
      const Day *day = &demo->days[d];
      weights[d] = (day->flags & DAY_OPEN) && (day->flags & (DAY_ADVICE | DAY_MULTIMEDIA)) ? 1 : 0;
    }
  spread (weights, demo->n_days, n, counts);

  for (guint d = 0; d < demo->n_days; d++)
    for (guint k = 0; k < counts[d]; k++, seq++)
      {
        g_autoptr(JsonObject) record = json_object_new ();
        g_autoptr(GDateTime) closing = local_time (demo, d, 17 * 60);
        g_autofree char *id = demo_id ("demo:satisfaction:%d:%u", demo->year, seq);
        g_autofree char *date = format_day (demo, d);

        json_object_set_string_member (record, "id", id);
        json_object_set_string_member (record, "answered_on", date);
        json_object_set_int_member (record, "score", scores[seq]);
        if (recommend[seq] != 2)
          json_object_set_boolean_member (record, "recommend", recommend[seq] == 1);
        if (found[seq] != 2)
          json_object_set_boolean_member (record, "found", found[seq] == 1);
        json_object_set_string_member (record, "frequency", PICK (demo->rand, frequencies));
        if (chance (demo->rand, 0.8))
          json_object_set_object_member (record, "profile", profile_new (demo, KIND_CENTRE));
        json_object_set_string_member (record, "desk", demo_desks[DESK_RECEPTION].name);

        if (g_date_time_to_unix (closing) > demo->now)
          continue;
        if (!demo_put (demo, CDM_ENTITY_SATISFACTION, record, error))
          return FALSE;
      }
  return TRUE;
}

/* Filling */

/* Demo records go only into an empty store or one that holds demo data. */
static gboolean
check_store (CdmStore  *store,
             GError   **error)
{
  g_autofree char *origin = cdm_store_get_setting (store, "origin");

  if (g_strcmp0 (origin, "demo") == 0)
    return TRUE;

  for (guint e = 0; e < CDM_N_ENTITIES; e++)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 n = cdm_store_count (store, e, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (n > 0)
        {
          g_set_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_NOT_EMPTY,
                       _("The store %s already holds records that are not demo data; "
                         "demo data goes into an empty store"),
                       cdm_store_get_path (store));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
fill (Demo    *demo,
      GError **error)
{
  g_autoptr(GRand) directory = g_rand_new_with_seed (SEED_DIRECTORY);
  guint32 seed[2] = { SEED_YEAR, (guint32) demo->year };

  demo->rand = g_rand_new_with_seed_array (seed, G_N_ELEMENTS (seed));
  build_calendar (demo);

  return cdm_store_set_setting (demo->store, "origin", "demo", error) &&
         write_partners (demo, directory, error) &&
         write_desks (demo, error) &&
         write_users (demo, directory, error) &&
         write_library (demo, error) &&
         write_closures (demo, error) &&
         write_events (demo, error) &&
         write_programme (demo, error) &&
         write_contacts (demo, error) &&
         write_multimedia (demo, error) &&
         write_satisfaction (demo, error);
}

gboolean
_cdm_demo_fill_at (CdmStore      *store,
                   int            year,
                   gint64         now,
                   GCancellable  *cancellable,
                   GError       **error)
{
  Demo demo = { 0 };
  gint64 started = g_get_monotonic_time ();
  gboolean ok;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (year < DEMO_MIN_YEAR || year > DEMO_MAX_YEAR)
    {
      g_set_error (error, CDM_DEMO_ERROR, CDM_DEMO_ERROR_INVALID_OPTIONS,
                   _("The demo year must be between %d and %d, not %d"),
                   DEMO_MIN_YEAR, DEMO_MAX_YEAR, year);
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  demo.store = store;
  demo.cancellable = cancellable;
  demo.zone = cdm_store_get_time_zone (store);
  demo.year = year;
  demo.now = now;

  if (!cdm_store_begin (store, TRUE, error))
    {
      demo_clear (&demo);
      return FALSE;
    }

  /* Checked inside the transaction, so that no other writer slips real
   * records in between. */
  cdm_store_set_queue_changes (store, FALSE);
  ok = check_store (store, error) && fill (&demo, error);
  cdm_store_set_queue_changes (store, TRUE);

  if (ok)
    ok = cdm_store_commit (store, error);
  else
    cdm_store_rollback (store);

  g_debug ("demo %d: %u records (%u created, %u updated, %u unchanged) in %.2f s",
           year, demo.n_puts, demo.created, demo.updated, demo.unchanged,
           (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  demo_clear (&demo);
  return ok;
}

gboolean
cdm_demo_fill (CdmStore      *store,
               int            year,
               GCancellable  *cancellable,
               GError       **error)
{
  return _cdm_demo_fill_at (store, year, g_get_real_time () / G_USEC_PER_SEC, cancellable, error);
}

/* Children before the records they refer to.  The figures and the search
 * index follow the rows through their triggers; what the triggers leave
 * of the figures is emptied last. */
static const char remove_sql[] =
  "DELETE FROM contact_referrals;"
  "DELETE FROM contact_resources;"
  "DELETE FROM activity_organisers;"
  "DELETE FROM attendance;"
  "DELETE FROM contacts;"
  "DELETE FROM multimedia_tallies;"
  "DELETE FROM satisfaction;"
  "DELETE FROM closures;"
  "DELETE FROM activities;"
  "DELETE FROM resources;"
  "DELETE FROM users;"
  "DELETE FROM desks;"
  "DELETE FROM organisations;"
  "DELETE FROM outbox;"
  "DELETE FROM conflicts;"
  "DELETE FROM contact_stats;"
  "DELETE FROM contact_org_stats;"
  "DELETE FROM meta WHERE key = 'origin';";

gboolean
cdm_demo_remove (CdmStore  *store,
                 gboolean  *out_removed,
                 GError   **error)
{
  g_autofree char *origin = NULL;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);

  if (out_removed != NULL)
    *out_removed = FALSE;
  if (!cdm_store_begin (store, TRUE, error))
    return FALSE;
  /* Read inside the transaction: nothing else can write in between. */
  origin = cdm_store_get_setting (store, "origin");
  if (g_strcmp0 (origin, "demo") != 0 && g_strcmp0 (origin, "generated") != 0)
    {
      cdm_store_rollback (store);
      return TRUE;
    }
  if (!_cdm_store_exec (store, remove_sql, error))
    {
      cdm_store_rollback (store);
      return FALSE;
    }
  if (!cdm_store_commit (store, error))
    return FALSE;
  if (out_removed != NULL)
    *out_removed = TRUE;
  return TRUE;
}
