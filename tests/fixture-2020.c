/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fixture-2020.c: the records behind the published 2020 figures.
 *
 * How the published numbers are made up here:
 *
 * - individual advice: 7,684 in person (on weekdays the centre was open:
 *   until 13 March and from 29 June to 30 October), 2,459 e-mails, 2,828
 *   call-centre requests, 937 chats, 419 after a group activity and 139
 *   NEET outreach contacts;
 * - group activities: 263 in person (the first at 00:30 on 1 January in
 *   Brussels, i.e. 2019-12-31T23:30:00Z), 568 online from 7 April;
 *   10,380 participants, some activities with two headcounts;
 * - multimedia: 4,500 in tallies on the days the area was open, plus 177
 *   contact records with service "multimedia";
 * - programmes: contacts + participants of tagged held activities:
 *   skills_validation 150 + 83, skills_identification 94 + 0,
 *   euroguidance 30 + 16, prison_reintegration 24 + 0, disability
 *   180 + 64, formtruck 239 + 0, neet 139 + 110; ten contacts carry two
 *   programmes and one activity is tagged both skills_validation and
 *   disability;
 * - remote requests: every e-mail and call-centre contact was received
 *   2 h before it was answered, except 50 unanswered e-mails, 3 answered
 *   exactly 48 h later (in time), 2 answered 48 h and 1 s later and 98
 *   call-centre requests answered 49 h later (late); one e-mail received
 *   on 31 December 2019 is a 2019 request, one received on 31 December
 *   2020 and answered in 2021 a late 2020 request;
 * - profile: the n-th live contact of 2020 has gender f, m, x, unknown
 *   for n mod 4 = 0..3 and language fr, nl, unknown for n mod 3 = 0..2,
 *   so gender f = m = x = 3,661 and 3,660 unknown, fr = nl = unknown =
 *   4,881 over the 14,643 contact records of the year;
 * - satisfaction: 500 responses, 475 scoring 6 or more, 175 scoring 9 or
 *   more; 364 of 400 would recommend; 405 of 450 found what they looked for.
 *
 * And what counts nowhere in 2020: 60 tombstoned contacts (with
 * programmes, a profile and remote times), cancelled and planned
 * activities with attendance, a held activity that was then tombstoned,
 * a tombstoned headcount on a held activity, a tombstoned tally, a tombstoned closure and
 * tombstoned survey responses, and records just before or after the year.
 */
#include "config.h"

#include "fixture-2020.h"

typedef struct {
  CdmStore *store;
  GTimeZone *zone;       /* +01:00, the offset every local time is written with */
  guint profile_n;       /* live contacts of 2020 written so far */
} Fill;

/* Days */

/* Appends the weekdays from @from to @to (YYYY-MM-DD, inclusive). */
static void
add_weekdays (GArray     *days,
              const char *from,
              const char *to)
{
  GDate day, last;

  g_date_clear (&day, 1);
  g_date_clear (&last, 1);
  g_date_set_parse (&day, from);
  g_date_set_parse (&last, to);
  g_assert_true (g_date_valid (&day) && g_date_valid (&last));

  for (; g_date_compare (&day, &last) <= 0; g_date_add_days (&day, 1))
    if (g_date_get_weekday (&day) <= G_DATE_FRIDAY)
      g_array_append_val (days, day);
}

static GArray *
weekdays (const char *from1,
          const char *to1,
          const char *from2,
          const char *to2)
{
  GArray *days = g_array_new (FALSE, FALSE, sizeof (GDate));

  add_weekdays (days, from1, to1);
  if (from2 != NULL)
    add_weekdays (days, from2, to2);
  return days;
}

/* The k-th of @n things spread evenly over @days. */
static const GDate *
spread (GArray *days,
        guint   k,
        guint   n)
{
  return &g_array_index (days, GDate, (guint64) k * days->len / n);
}

/* A local time of @day as "YYYY-MM-DDTHH:MM:SS+01:00". (transfer full) */
static char *
stamp (Fill        *fill,
       const GDate *day,
       int          hour,
       int          minute)
{
  g_autoptr(GDateTime) t = g_date_time_new (fill->zone, g_date_get_year (day),
                                            g_date_get_month (day), g_date_get_day (day),
                                            hour, minute, 0);

  return g_date_time_format (t, "%Y-%m-%dT%H:%M:%S%:z");
}

/* @text moved by @seconds, same offset. (transfer full) */
static char *
shift (Fill       *fill,
       const char *text,
       gint64      seconds)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (text, NULL);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (t, fill->zone);
  g_autoptr(GDateTime) moved = g_date_time_add_seconds (local, seconds);

  return g_date_time_format (moved, "%Y-%m-%dT%H:%M:%S%:z");
}

static char *
day_text (const GDate *day)
{
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (day),
                          g_date_get_month (day), g_date_get_day (day));
}

/* Records */

static JsonArray *
strings (const char *first,
         ...)
{
  JsonArray *array = json_array_new ();
  va_list args;

  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *))
    json_array_add_string_element (array, s);
  va_end (args);
  return array;
}

static gboolean
put (Fill        *fill,
     CdmEntity    entity,
     JsonObject  *record,
     char       **out_id,
     GError     **error)
{
  gboolean ok = cdm_store_put (fill->store, entity, record, out_id, NULL, error);

  json_object_unref (record);
  return ok;
}

static JsonObject *
contact_new (const char *occurred_at,
             const char *site,
             const char *service,
             const char *channel)
{
  JsonObject *contact = json_object_new ();

  json_object_set_string_member (contact, "occurred_at", occurred_at);
  json_object_set_string_member (contact, "site", site);
  json_object_set_string_member (contact, "service", service);
  json_object_set_string_member (contact, "channel", channel);
  json_object_set_array_member (contact, "themes", strings ("work", NULL));
  return contact;
}

/* The profile of the next live contact of 2020 (see the top). */
static void
set_profile (Fill       *fill,
             JsonObject *contact)
{
  static const char * const genders[] = { "f", "m", "x", NULL };
  static const char * const languages[] = { "fr", "nl", NULL };
  JsonObject *profile = json_object_new ();
  guint n = fill->profile_n++;

  if (genders[n % 4] != NULL)
    json_object_set_string_member (profile, "gender", genders[n % 4]);
  if (languages[n % 3] != NULL)
    json_object_set_string_member (profile, "language", languages[n % 3]);
  json_object_set_object_member (contact, "profile", profile);
}

/* Individual advice */

/* The programmes of the k-th in-person contact, and its site. */
static JsonArray *
in_person_programmes (guint        k,
                      const char **site)
{
  *site = "centre";
  if (k < 10)
    return strings ("skills_validation", "euroguidance", NULL);
  if (k < 150)
    return strings ("skills_validation", NULL);
  if (k < 244)
    return strings ("skills_identification", NULL);
  if (k < 264)
    return strings ("euroguidance", NULL);
  if (k < 288)
    return strings ("prison_reintegration", NULL);
  if (k < 468)
    return strings ("disability", NULL);
  if (k < 707)
    {
      *site = "formtruck";
      return strings ("formtruck", NULL);
    }
  return NULL;
}

/* Received and answered times of the k-th remote request on @channel,
 * logged at @occurred; NULL answered means not answered yet. */
static void
remote_times (Fill        *fill,
              const char  *channel,
              guint        k,
              const char  *occurred,
              char       **received,
              char       **answered)
{
  gint64 delay = 2 * 3600;

  *answered = g_strdup (occurred);
  if (g_str_equal (channel, "email"))
    {
      if (k >= 1000 && k < 1050)
        g_clear_pointer (answered, g_free);
      else if (k >= 1050 && k < 1053)
        delay = 48 * 3600;
      else if (k >= 1053 && k < 1055)
        delay = 48 * 3600 + 1;
    }
  else if (k >= 1000 && k < 1098)
    delay = 49 * 3600;
  *received = shift (fill, occurred, -delay);
}

static gboolean
fill_advice (Fill    *fill,
             GError **error)
{
  g_autoptr(GArray) open_days = weekdays ("2020-01-02", "2020-03-13", "2020-06-29", "2020-10-30");
  g_autoptr(GArray) year_days = weekdays ("2020-01-02", "2020-12-31", NULL, NULL);
  g_autoptr(GArray) remote_days = weekdays ("2020-03-23", "2020-12-31", NULL, NULL);
  g_autoptr(GArray) chat_days = weekdays ("2020-03-16", "2020-12-31", NULL, NULL);
  const struct {
    const char *channel;
    guint count;
    GArray *days;
    const char *site;
  } channels[] = {
    { "in_person",            FIXTURE_2020_IN_PERSON,     open_days,   "centre" },
    { "email",                FIXTURE_2020_EMAIL,         year_days,   "remote" },
    { "call_centre",          FIXTURE_2020_CALL_CENTRE,   remote_days, "remote" },
    { "chat",                 FIXTURE_2020_CHAT,          chat_days,   "remote" },
    { "after_group_activity", FIXTURE_2020_AFTER_GROUP,   year_days,   "centre" },
    { "neet_outreach",        FIXTURE_2020_NEET_OUTREACH, year_days,   "external_event" },
  };

  for (guint c = 0; c < G_N_ELEMENTS (channels); c++)
    for (guint k = 0; k < channels[c].count; k++)
      {
        const char *channel = channels[c].channel;
        const char *site = channels[c].site;
        g_autofree char *occurred = NULL;
        JsonArray *programmes = NULL;
        JsonObject *contact;

        occurred = stamp (fill, spread (channels[c].days, k, channels[c].count),
                          9 + k % 8, (k * 7) % 60);

        /* The day boundaries, in Brussels time: 00:30 on 1 January and
         * 23:59:59 on 31 December are both 2020. */
        if (g_str_equal (channel, "chat") && k < 2)
          {
            g_free (occurred);
            occurred = g_strdup (k == 0 ? "2019-12-31T23:30:00Z" : "2020-12-31T22:59:59Z");
          }

        if (g_str_equal (channel, "in_person"))
          programmes = in_person_programmes (k, &site);
        else if (g_str_equal (channel, "neet_outreach"))
          programmes = strings ("neet", NULL);

        contact = contact_new (occurred, site, "individual_advice", channel);
        if (programmes != NULL)
          json_object_set_array_member (contact, "programmes", programmes);
        set_profile (fill, contact);

        if (g_str_equal (channel, "email") && k == 0)
          {
            /* Logged in 2020, received in 2019: a 2019 request. */
            json_object_set_string_member (contact, "occurred_at", "2020-01-02T10:00:00+01:00");
            json_object_set_string_member (contact, "received_at", "2019-12-31T16:00:00+01:00");
            json_object_set_string_member (contact, "answered_at", "2020-01-02T10:00:00+01:00");
          }
        else if (g_str_equal (channel, "email") || g_str_equal (channel, "call_centre"))
          {
            g_autofree char *received = NULL;
            g_autofree char *answered = NULL;

            remote_times (fill, channel, k, occurred, &received, &answered);
            json_object_set_string_member (contact, "received_at", received);
            if (answered != NULL)
              json_object_set_string_member (contact, "answered_at", answered);
          }

        if (!put (fill, CDM_ENTITY_CONTACT, contact, NULL, error))
          return FALSE;
      }

  return TRUE;
}

/* Records of 2020 that are tombstoned right after they are written. */
static gboolean
fill_tombstoned_contacts (Fill    *fill,
                          GError **error)
{
  for (guint k = 0; k < 60; k++)
    {
      g_autofree char *id = NULL;
      g_autofree char *occurred = g_strdup_printf ("2020-%02u-10T11:00:00+01:00", 1 + k % 12);
      JsonObject *contact = contact_new (occurred, "centre",
                                         k % 3 == 0 ? "multimedia" : "individual_advice",
                                         k % 2 == 0 ? "in_person" : "email");
      JsonObject *profile = json_object_new ();

      json_object_set_array_member (contact, "programmes", strings ("neet", "disability", NULL));
      json_object_set_string_member (profile, "gender", "f");
      json_object_set_string_member (profile, "language", "en");
      json_object_set_object_member (contact, "profile", profile);
      if (k % 2 == 1)
        {
          g_autofree char *received = g_strdup_printf ("2020-%02u-10T09:00:00+01:00", 1 + k % 12);

          json_object_set_string_member (contact, "received_at", received);
          if (k % 4 == 1)
            json_object_set_string_member (contact, "answered_at", occurred);
        }

      if (!put (fill, CDM_ENTITY_CONTACT, contact, &id, error) ||
          !cdm_store_delete (fill->store, CDM_ENTITY_CONTACT, id, error))
        return FALSE;
    }
  return TRUE;
}

/* Contacts of 2019 and 2021 by Brussels time, whatever their offset. */
static gboolean
fill_other_years_contacts (Fill    *fill,
                           GError **error)
{
  JsonObject *contact;

  contact = contact_new ("2021-01-01T00:30:00+01:00", "remote", "individual_advice", "chat");
  if (!put (fill, CDM_ENTITY_CONTACT, contact, NULL, error))
    return FALSE;
  contact = contact_new ("2020-12-31T23:30:00Z", "remote", "individual_advice", "chat");
  if (!put (fill, CDM_ENTITY_CONTACT, contact, NULL, error))
    return FALSE;

  /* Received on the last day of 2020, answered in 2021: a late request of
   * 2020, a contact of 2021. */
  contact = contact_new ("2021-01-04T10:00:00+01:00", "remote", "individual_advice", "email");
  json_object_set_string_member (contact, "received_at", "2020-12-31T15:00:00+01:00");
  json_object_set_string_member (contact, "answered_at", "2021-01-04T10:00:00+01:00");
  return put (fill, CDM_ENTITY_CONTACT, contact, NULL, error);
}

/* Group activities */

static JsonObject *
activity_new (const char *title,
              const char *starts_at,
              const char *mode,
              const char *status,
              JsonArray  *programmes)
{
  JsonObject *activity = json_object_new ();
  JsonObject *titles = json_object_new ();

  json_object_set_string_member (titles, "fr", title);
  json_object_set_object_member (activity, "title", titles);
  json_object_set_string_member (activity, "starts_at", starts_at);
  json_object_set_int_member (activity, "duration_min", 120);
  json_object_set_string_member (activity, "mode", mode);
  if (g_str_equal (mode, "online"))
    json_object_set_string_member (activity, "platform", "Whereby");
  if (programmes != NULL)
    json_object_set_array_member (activity, "programmes", programmes);
  json_object_set_string_member (activity, "status", status);
  return activity;
}

static gboolean
put_attendance (Fill        *fill,
                const char  *activity,
                gint64       count,
                const char  *recorded_at,
                char       **out_id,
                GError     **error)
{
  JsonObject *attendance = json_object_new ();

  json_object_set_string_member (attendance, "activity", activity);
  json_object_set_int_member (attendance, "count", count);
  json_object_set_string_member (attendance, "recorded_at", recorded_at);
  return put (fill, CDM_ENTITY_ATTENDANCE, attendance, out_id, error);
}

/* Writes an activity and its headcounts (@counts, 0-terminated). */
static gboolean
put_activity (Fill         *fill,
              JsonObject   *activity,
              const gint64 *counts,
              char        **out_id,
              GError      **error)
{
  g_autofree char *id = NULL;
  g_autofree char *starts_at = g_strdup (json_object_get_string_member (activity, "starts_at"));

  if (!put (fill, CDM_ENTITY_ACTIVITY, activity, &id, error))
    return FALSE;
  for (guint i = 0; counts[i] != 0; i++)
    if (!put_attendance (fill, id, counts[i], starts_at, NULL, error))
      return FALSE;
  if (out_id != NULL)
    *out_id = g_steal_pointer (&id);
  return TRUE;
}

static gboolean
fill_activities (Fill    *fill,
                 GError **error)
{
  g_autoptr(GArray) in_person_days = weekdays ("2020-01-06", "2020-03-13", "2020-06-29", "2020-10-30");
  g_autoptr(GArray) online_days = weekdays ("2020-04-07", "2020-12-31", NULL, NULL);
  static const char * const in_person_modes[] = {
    "on_site", "on_site", "on_site", "formtruck", "school", "external" };
  /* The activities the programmes count; the others share the rest of
   * the 10,380 participants. */
  static const gint64 neet_counts[17] = {
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 14 };
  static const gint64 validation_counts[5] = { 20, 15, 16, 16, 16 };  /* the first is also disability */
  static const gint64 disability_counts[3] = { 14, 15, 15 };
  static const gint64 euroguidance_counts[2] = { 8, 8 };
  const guint tagged_in_person = 5 + 3, tagged_online = 17 + 2;
  const guint rest = FIXTURE_2020_HELD - tagged_in_person - tagged_online;
  const gint64 rest_participants = FIXTURE_2020_PARTICIPANTS - 110 - 83 - 44 - 16;
  guint in_person_k = 0, online_k = 0;

  /* The tagged ones. */
  for (guint i = 0; i < 5 + 3; i++)
    {
      g_autofree char *starts = stamp (fill, spread (in_person_days, in_person_k++, FIXTURE_2020_HELD_IN_PERSON), 14, 0);
      gint64 counts[2] = { i < 5 ? validation_counts[i] : disability_counts[i - 5], 0 };
      JsonArray *programmes = i == 0 ? strings ("skills_validation", "disability", NULL)
                              : i < 5 ? strings ("skills_validation", NULL)
                              : strings ("disability", NULL);

      if (!put_activity (fill, activity_new ("Valider ses compétences", starts, "on_site", "held", programmes),
                         counts, NULL, error))
        return FALSE;
    }
  for (guint i = 0; i < 17 + 2; i++)
    {
      g_autofree char *starts = stamp (fill, spread (online_days, online_k++, FIXTURE_2020_HELD_ONLINE), 14, 0);
      gint64 counts[2] = { i < 17 ? neet_counts[i] : euroguidance_counts[i - 17], 0 };

      if (!put_activity (fill, activity_new (i < 17 ? "Escape game : intelligences multiples"
                                                    : "Étudier et travailler en Europe",
                                             starts, "online", "held",
                                             strings (i < 17 ? "neet" : "euroguidance", NULL)),
                         counts, NULL, error))
        return FALSE;
    }

  /* The rest: 12 or 13 participants each, every third counted in two
   * headcounts (two desks). */
  for (guint r = 0; r < rest; r++)
    {
      gboolean online = online_k < FIXTURE_2020_HELD_ONLINE && (r % 3 != 0 || in_person_k >= FIXTURE_2020_HELD_IN_PERSON);
      gint64 n = rest_participants / rest + (r < rest_participants % rest ? 1 : 0);
      gint64 counts[3] = { n, 0, 0 };
      g_autofree char *starts = NULL;
      g_autofree char *id = NULL;
      const char *mode;

      if (r % 3 == 0)
        {
          counts[0] = 5;
          counts[1] = n - 5;
        }

      if (online)
        {
          starts = stamp (fill, spread (online_days, online_k++, FIXTURE_2020_HELD_ONLINE), 10, 0);
          mode = "online";
        }
      else
        {
          starts = stamp (fill, spread (in_person_days, in_person_k++, FIXTURE_2020_HELD_IN_PERSON), 10, 0);
          mode = in_person_modes[r % G_N_ELEMENTS (in_person_modes)];
        }
      /* In person on 1 January at 00:30 in Brussels: 2020, not 2019. */
      if (r == 0)
        {
          g_assert_false (online);
          g_free (starts);
          starts = g_strdup ("2019-12-31T23:30:00Z");
        }

      if (!put_activity (fill, activity_new (online ? "Comment utiliser son CV" : "Travailler à l'aéroport",
                                             starts, mode, "held", NULL),
                         counts, &id, error))
        return FALSE;

      /* A headcount entered by mistake and tombstoned counts nowhere. */
      if (r == 1)
        {
          g_autofree char *headcount = NULL;

          if (!put_attendance (fill, id, 40, starts, &headcount, error) ||
              !cdm_store_delete (fill->store, CDM_ENTITY_ATTENDANCE, headcount, error))
            return FALSE;
        }
    }
  g_assert_cmpuint (in_person_k, ==, FIXTURE_2020_HELD_IN_PERSON);
  g_assert_cmpuint (online_k, ==, FIXTURE_2020_HELD_ONLINE);

  return TRUE;
}

/* Headcounts that count nowhere in 2020. */
static gboolean
fill_uncounted_activities (Fill    *fill,
                           GError **error)
{
  static const gint64 thirty[] = { 30, 0 };
  static const gint64 seven[] = { 7, 0 };
  static const gint64 fifty[] = { 50, 0 };
  static const gint64 twenty_five[] = { 25, 0 };
  g_autofree char *deleted_activity = NULL;

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *starts = g_strdup_printf ("2020-%02u-12T14:00:00+01:00", 3 + i);

      if (!put_activity (fill, activity_new ("Atelier annulé", starts, "on_site", "cancelled",
                                             strings ("neet", NULL)),
                         thirty, NULL, error))
        return FALSE;
    }
  if (!put_activity (fill, activity_new ("Atelier prévu", "2020-12-15T14:00:00+01:00", "online", "planned",
                                         strings ("disability", NULL)),
                     seven, NULL, error))
    return FALSE;

  /* Held, then tombstoned: its headcount stays but counts nowhere. */
  if (!put_activity (fill, activity_new ("Atelier supprimé", "2020-07-07T14:00:00+01:00", "on_site", "held",
                                         strings ("neet", NULL)),
                     fifty, &deleted_activity, error) ||
      !cdm_store_delete (fill->store, CDM_ENTITY_ACTIVITY, deleted_activity, error))
    return FALSE;

  /* 23:30 UTC on 31 December is 2021 in Brussels. */
  return put_activity (fill, activity_new ("Nouvel an", "2020-12-31T23:30:00Z", "online", "held", NULL),
                       twenty_five, NULL, error);
}

/* Multimedia */

static gboolean
put_tally (Fill        *fill,
           const char  *day,
           const char  *kind,
           gint64       count,
           char       **out_id,
           GError     **error)
{
  JsonObject *tally = json_object_new ();

  json_object_set_string_member (tally, "day", day);
  json_object_set_string_member (tally, "kind", kind);
  json_object_set_int_member (tally, "count", count);
  return put (fill, CDM_ENTITY_MULTIMEDIA_TALLY, tally, out_id, error);
}

static gboolean
fill_multimedia (Fill    *fill,
                 GError **error)
{
  g_autoptr(GArray) open_days = weekdays ("2020-01-02", "2020-03-13", "2020-06-15", "2020-10-30");
  static const char * const kinds[] = { "computer_access", "jobseeker_profile", "documents" };
  const guint n_tallies = open_days->len * G_N_ELEMENTS (kinds);
  g_autofree char *deleted = NULL;

  for (guint t = 0; t < n_tallies; t++)
    {
      g_autofree char *day = day_text (&g_array_index (open_days, GDate, t / G_N_ELEMENTS (kinds)));
      gint64 count = FIXTURE_2020_MULTIMEDIA_TALLIES / n_tallies +
                     (t < FIXTURE_2020_MULTIMEDIA_TALLIES % n_tallies ? 1 : 0);

      if (!put_tally (fill, day, kinds[t % G_N_ELEMENTS (kinds)], count, NULL, error))
        return FALSE;
    }

  for (guint k = 0; k < FIXTURE_2020_MULTIMEDIA_RECORDS; k++)
    {
      g_autofree char *occurred = stamp (fill, spread (open_days, k, FIXTURE_2020_MULTIMEDIA_RECORDS),
                                         10 + k % 6, 15);
      JsonObject *contact = contact_new (occurred, "centre", "multimedia", "in_person");

      set_profile (fill, contact);
      if (!put (fill, CDM_ENTITY_CONTACT, contact, NULL, error))
        return FALSE;
    }

  return put_tally (fill, "2019-12-31", "printing", 10, NULL, error) &&
         put_tally (fill, "2021-01-04", "printing", 10, NULL, error) &&
         put_tally (fill, "2020-02-03", "other", 99, &deleted, error) &&
         cdm_store_delete (fill->store, CDM_ENTITY_MULTIMEDIA_TALLY, deleted, error);
}

/* Closures and satisfaction */

static gboolean
put_closure (Fill        *fill,
             const char  *from,
             const char  *to,
             const char  *scope,
             char       **out_id,
             GError     **error)
{
  JsonObject *closure = json_object_new ();

  json_object_set_string_member (closure, "from", from);
  json_object_set_string_member (closure, "to", to);
  json_object_set_string_member (closure, "scope", scope);
  json_object_set_string_member (closure, "reason", "Covid-19");
  return put (fill, CDM_ENTITY_CLOSURE, closure, out_id, error);
}

static gboolean
fill_closures (Fill    *fill,
               GError **error)
{
  g_autofree char *deleted = NULL;

  return put_closure (fill, "2019-12-24", "2020-01-01", "activities", NULL, error) &&
         put_closure (fill, "2020-03-16", "2020-04-06", "activities", NULL, error) &&
         put_closure (fill, "2020-03-16", "2020-06-14", "multimedia", NULL, error) &&
         put_closure (fill, "2020-03-16", "2020-06-28", "advice", NULL, error) &&
         put_closure (fill, "2020-11-01", "2020-12-31", "all", NULL, error) &&
         put_closure (fill, "2020-12-24", "2020-12-26", "all", NULL, error) &&
         put_closure (fill, "2020-08-01", "2020-08-31", "all", &deleted, error) &&
         cdm_store_delete (fill->store, CDM_ENTITY_CLOSURE, deleted, error);
}

static gboolean
put_response (Fill        *fill,
              const char  *day,
              gint64       score,
              int          recommend,   /* -1: not answered */
              int          found,
              char       **out_id,
              GError     **error)
{
  JsonObject *response = json_object_new ();

  json_object_set_string_member (response, "answered_on", day);
  json_object_set_int_member (response, "score", score);
  if (recommend >= 0)
    json_object_set_boolean_member (response, "recommend", recommend);
  if (found >= 0)
    json_object_set_boolean_member (response, "found", found);
  json_object_set_string_member (response, "frequency", "occasional");
  return put (fill, CDM_ENTITY_SATISFACTION, response, out_id, error);
}

static gboolean
fill_satisfaction (Fill    *fill,
                   GError **error)
{
  g_autoptr(GArray) days = weekdays ("2020-01-02", "2020-12-31", NULL, NULL);

  for (guint i = 0; i < FIXTURE_2020_RESPONSES; i++)
    {
      g_autofree char *day = day_text (spread (days, i, FIXTURE_2020_RESPONSES));
      gint64 score = i < 175 ? 9 + i % 2 : i < 475 ? 6 + i % 3 : i % 6;
      int recommend = i < 364 ? 1 : i < 400 ? 0 : -1;
      int found = (i + 100) % 500 < 405 ? 1 : (i + 100) % 500 < 450 ? 0 : -1;

      if (!put_response (fill, day, score, recommend, found, NULL, error))
        return FALSE;
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *deleted = NULL;

      if (!put_response (fill, "2020-06-01", 0, 0, 0, &deleted, error) ||
          !cdm_store_delete (fill->store, CDM_ENTITY_SATISFACTION, deleted, error))
        return FALSE;
    }
  return put_response (fill, "2019-12-31", 2, 0, 0, NULL, error) &&
         put_response (fill, "2021-01-04", 0, 0, 0, NULL, error);
}

gboolean
fixture_2020_fill (CdmStore  *store,
                   GError   **error)
{
  Fill fill = { store, g_time_zone_new_offset (3600), 0 };
  gboolean ok;

  if (!cdm_store_begin (store, TRUE, error))
    {
      g_time_zone_unref (fill.zone);
      return FALSE;
    }

  ok = fill_advice (&fill, error) &&
       fill_multimedia (&fill, error) &&
       fill_tombstoned_contacts (&fill, error) &&
       fill_other_years_contacts (&fill, error) &&
       fill_activities (&fill, error) &&
       fill_uncounted_activities (&fill, error) &&
       fill_closures (&fill, error) &&
       fill_satisfaction (&fill, error);
  g_assert_true (!ok || fill.profile_n == FIXTURE_2020_ADVICE + FIXTURE_2020_MULTIMEDIA_RECORDS);

  if (ok)
    ok = cdm_store_commit (store, error);
  else
    cdm_store_rollback (store);

  g_time_zone_unref (fill.zone);
  return ok;
}
