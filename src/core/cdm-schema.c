/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-schema.c: vocabularies, entity descriptions and record validation. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cdm-schema-private.h"

G_DEFINE_QUARK (cdm-record-error-quark, cdm_record_error)

/* The order of each vocabulary is its display order and, for sets stored as
 * bit masks, the bit order: append new codes, never reorder. */
const char * const cdm_circles[] = { "first", "second", "other", NULL };
const char * const cdm_organisation_kinds[] = {
  "public_employment", "training", "education", "youth", "disability",
  "association", "company", "other", NULL };
const char * const cdm_themes[] = { "choose", "learn", "move", "undertake", "work", NULL };
const char * const cdm_resource_kinds[] = {
  "book", "ebook", "video", "job_sheet", "website", "brochure", "test_tool", NULL };
const char * const cdm_activity_modes[] = { "on_site", "online", "formtruck", "school", "external", NULL };
const char * const cdm_audiences[] = {
  "general", "students", "neet", "guidance_professionals", "50_plus",
  "disability", "jobseekers", "employees", NULL };
const char * const cdm_activity_statuses[] = { "planned", "cancelled", "held", NULL };
const char * const cdm_sites[] = { "centre", "formtruck", "school", "external_event", "remote", NULL };
const char * const cdm_services[] = { "individual_advice", "multimedia", NULL };
const char * const cdm_channels[] = {
  "in_person", "email", "call_centre", "chat", "phone", "video",
  "after_group_activity", "neet_outreach", NULL };
const char * const cdm_programmes[] = {
  "neet", "skills_validation", "skills_identification", "euroguidance",
  "prison_reintegration", "disability", "formtruck", "schools", NULL };
const char * const cdm_genders[] = { "f", "m", "x", NULL };
const char * const cdm_age_bands[] = { "under_18", "18_24", "25_29", "30_49", "50_plus", NULL };
const char * const cdm_regions[] = { "brussels", "wallonia", "flanders", "abroad", NULL };
const char * const cdm_statuses[] = { "job_seeker", "employed", "self_employed", "student", "other", NULL };
const char * const cdm_education_levels[] = { "primary", "lower_secondary", "upper_secondary", "higher", NULL };
const char * const cdm_heard_from[] = {
  "own_initiative", "partner", "school", "social_media", "campaign",
  "word_of_mouth", "other", NULL };
const char * const cdm_tally_kinds[] = {
  "computer_access", "jobseeker_profile", "documents", "training_catalogue",
  "printing", "other", NULL };
const char * const cdm_frequencies[] = { "first_visit", "occasional", "several_per_month", NULL };
const char * const cdm_closure_scopes[] = { "all", "multimedia", "advice", "activities", "appointment_only", NULL };
const char * const cdm_roles[] = { "admin", "manager", "counsellor", "steward", "partner_staff", NULL };
const char * const cdm_weekdays[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL };

#define TEXT(n, len)            { .name = n, .column = n, .kind = CDM_FIELD_TEXT, .max = len }
#define TEXT_REQ(n, len)        { .name = n, .column = n, .kind = CDM_FIELD_TEXT, .max = len, .flags = CDM_FIELD_REQUIRED }
#define CODE(n, v)              { .name = n, .column = n, .kind = CDM_FIELD_CODE, .codes = v }
#define CODE_REQ(n, v)          { .name = n, .column = n, .kind = CDM_FIELD_CODE, .codes = v, .flags = CDM_FIELD_REQUIRED }
#define CODES(n, v)             { .name = n, .column = n, .kind = CDM_FIELD_CODES, .codes = v }
#define INT(n, lo, hi)          { .name = n, .column = n, .kind = CDM_FIELD_INT, .min = lo, .max = hi }
#define INT_REQ(n, lo, hi)      { .name = n, .column = n, .kind = CDM_FIELD_INT, .min = lo, .max = hi, .flags = CDM_FIELD_REQUIRED }
#define BOOL(n)                 { .name = n, .column = n, .kind = CDM_FIELD_BOOL }
#define STRINGS(n, len)         { .name = n, .column = n, .kind = CDM_FIELD_STRINGS, .max = len }

const CdmField cdm_profile_fields[] = {
  { .name = "gender", .column = "p_gender", .kind = CDM_FIELD_CODE, .codes = cdm_genders },
  { .name = "age_band", .column = "p_age_band", .kind = CDM_FIELD_CODE, .codes = cdm_age_bands },
  { .name = "region", .column = "p_region", .kind = CDM_FIELD_CODE, .codes = cdm_regions },
  { .name = "status", .column = "p_status", .kind = CDM_FIELD_CODE, .codes = cdm_statuses },
  { .name = "education", .column = "p_education", .kind = CDM_FIELD_CODE, .codes = cdm_education_levels },
  { .name = "foreign_diploma", .column = "p_foreign_diploma", .kind = CDM_FIELD_BOOL },
  { .name = "language", .column = "p_language", .kind = CDM_FIELD_LANGUAGE },
  { .name = "first_visit", .column = "p_first_visit", .kind = CDM_FIELD_BOOL },
  { .name = "heard_from", .column = "p_heard_from", .kind = CDM_FIELD_CODE, .codes = cdm_heard_from },
};
const guint cdm_n_profile_fields = G_N_ELEMENTS (cdm_profile_fields);

static const CdmField organisation_fields[] = {
  { .name = "name", .column = "name", .kind = CDM_FIELD_I18N, .max = 300, .flags = CDM_FIELD_REQUIRED },
  TEXT ("acronym", 40),
  CODE_REQ ("circle", cdm_circles),
  CODE_REQ ("kind", cdm_organisation_kinds),
  CODES ("themes", cdm_themes),
  { .name = "languages", .column = "languages", .kind = CDM_FIELD_LANGUAGES },
  TEXT ("address", 500),
  TEXT ("phone", 60),
  TEXT ("email", 320),
  TEXT ("website", 2000),
  TEXT ("hours", 1000),
  CODES ("desk_days", cdm_weekdays),
  { .name = "people", .column = "people", .kind = CDM_FIELD_PEOPLE, .max = 200 },
  TEXT ("notes", 10000),
  BOOL ("active"),
};

static const CdmField resource_fields[] = {
  CODE_REQ ("kind", cdm_resource_kinds),
  TEXT_REQ ("title", 500),
  STRINGS ("authors", 200),
  TEXT ("publisher", 300),
  INT ("year", 1400, 2200),
  TEXT ("isbn", 20),
  { .name = "language", .column = "language", .kind = CDM_FIELD_LANGUAGE },
  CODES ("themes", cdm_themes),
  CODE ("audience", cdm_audiences),
  TEXT ("location", 200),
  TEXT ("url", 2000),
  INT ("copies", 0, 100000),
  TEXT ("summary", 10000),
  STRINGS ("tags", 100),
  BOOL ("active"),
};

static const CdmField activity_fields[] = {
  { .name = "title", .column = "title", .kind = CDM_FIELD_I18N, .max = 300, .flags = CDM_FIELD_REQUIRED },
  TEXT ("summary", 10000),
  CODES ("themes", cdm_themes),
  { .name = "starts_at", .column = "starts_at", .kind = CDM_FIELD_TIMESTAMP, .flags = CDM_FIELD_REQUIRED,
    .unix_column = "starts_unix", .day_column = "day" },
  INT ("duration_min", 0, 60 * 24 * 31),
  CODE_REQ ("mode", cdm_activity_modes),
  TEXT ("platform", 100),
  TEXT ("link", 2000),
  TEXT ("place", 500),
  { .name = "languages", .column = "languages", .kind = CDM_FIELD_LANGUAGES },
  { .name = "organisers", .column = "activity_organisers", .kind = CDM_FIELD_REFS,
    .ref_entity = CDM_ENTITY_ORGANISATION, .link_owner = "activity", .link_target = "organisation" },
  CODE ("audience", cdm_audiences),
  CODES ("programmes", cdm_programmes),
  INT ("capacity", 0, 100000),
  CODE_REQ ("status", cdm_activity_statuses),
};

static const CdmField attendance_fields[] = {
  { .name = "activity", .column = "activity", .kind = CDM_FIELD_REF, .flags = CDM_FIELD_REQUIRED,
    .ref_entity = CDM_ENTITY_ACTIVITY },
  INT_REQ ("count", 0, 100000),
  { .name = "recorded_at", .column = "recorded_at", .kind = CDM_FIELD_TIMESTAMP, .flags = CDM_FIELD_REQUIRED },
  { .name = "desk", .column = "desk", .kind = CDM_FIELD_TEXT, .max = 100, .flags = CDM_FIELD_FROM_DESK },
};

static const CdmField contact_fields[] = {
  { .name = "occurred_at", .column = "occurred_at", .kind = CDM_FIELD_TIMESTAMP, .flags = CDM_FIELD_REQUIRED,
    .unix_column = "occurred_unix", .day_column = "day" },
  CODE_REQ ("site", cdm_sites),
  CODE_REQ ("service", cdm_services),
  CODE_REQ ("channel", cdm_channels),
  CODES ("programmes", cdm_programmes),
  CODES ("themes", cdm_themes),
  { .name = "profile", .column = "p_", .kind = CDM_FIELD_PROFILE },
  { .name = "referrals", .column = "contact_referrals", .kind = CDM_FIELD_REFS,
    .ref_entity = CDM_ENTITY_ORGANISATION, .link_owner = "contact", .link_target = "organisation" },
  { .name = "resources", .column = "contact_resources", .kind = CDM_FIELD_REFS,
    .ref_entity = CDM_ENTITY_RESOURCE, .link_owner = "contact", .link_target = "resource" },
  INT ("duration_min", 0, 60 * 24),
  { .name = "received_at", .column = "received_at", .kind = CDM_FIELD_TIMESTAMP,
    .unix_column = "received_unix", .day_column = "received_day" },
  { .name = "answered_at", .column = "answered_at", .kind = CDM_FIELD_TIMESTAMP,
    .unix_column = "answered_unix" },
  TEXT ("note", 2000),
  { .name = "desk", .column = "desk", .kind = CDM_FIELD_TEXT, .max = 100, .flags = CDM_FIELD_FROM_DESK },
  { .name = "user", .column = "user", .kind = CDM_FIELD_TEXT, .max = 100, .flags = CDM_FIELD_FROM_USER },
  { .name = "organisation", .column = "organisation", .kind = CDM_FIELD_TEXT, .max = 100, .flags = CDM_FIELD_FROM_ORG },
};

static const CdmField tally_fields[] = {
  { .name = "day", .column = "day", .kind = CDM_FIELD_DATE, .flags = CDM_FIELD_REQUIRED },
  CODE_REQ ("kind", cdm_tally_kinds),
  INT_REQ ("count", 0, 100000),
  { .name = "desk", .column = "desk", .kind = CDM_FIELD_TEXT, .max = 100, .flags = CDM_FIELD_FROM_DESK },
};

static const CdmField closure_fields[] = {
  { .name = "from", .column = "from_day", .kind = CDM_FIELD_DATE, .flags = CDM_FIELD_REQUIRED },
  { .name = "to", .column = "to_day", .kind = CDM_FIELD_DATE, .flags = CDM_FIELD_REQUIRED },
  CODE_REQ ("scope", cdm_closure_scopes),
  TEXT ("reason", 500),
};

static const CdmField satisfaction_fields[] = {
  { .name = "answered_on", .column = "answered_on", .kind = CDM_FIELD_DATE, .flags = CDM_FIELD_REQUIRED },
  INT_REQ ("score", 0, 10),
  BOOL ("recommend"),
  BOOL ("found"),
  CODE ("frequency", cdm_frequencies),
  { .name = "profile", .column = "p_", .kind = CDM_FIELD_PROFILE },
  { .name = "desk", .column = "desk", .kind = CDM_FIELD_TEXT, .max = 100, .flags = CDM_FIELD_FROM_DESK },
};

static const CdmField user_fields[] = {
  TEXT_REQ ("login", 100),
  TEXT ("display_name", 200),
  { .name = "organisation", .column = "organisation", .kind = CDM_FIELD_REF, .ref_entity = CDM_ENTITY_ORGANISATION },
  CODE_REQ ("role", cdm_roles),
};

static const CdmField desk_fields[] = {
  TEXT_REQ ("name", 100),
  CODE_REQ ("site", cdm_sites),
};

#define ENTITY(e, n, t, f, fl) \
  [e] = { .entity = e, .name = n, .table = t, .flags = fl, .fields = f, .n_fields = G_N_ELEMENTS (f) }

static const CdmEntityInfo entities[CDM_N_ENTITIES] = {
  ENTITY (CDM_ENTITY_ORGANISATION, "organisation", "organisations", organisation_fields, CDM_ENTITY_SEARCHABLE),
  ENTITY (CDM_ENTITY_RESOURCE, "resource", "resources", resource_fields, CDM_ENTITY_SEARCHABLE),
  ENTITY (CDM_ENTITY_ACTIVITY, "activity", "activities", activity_fields, CDM_ENTITY_SEARCHABLE),
  ENTITY (CDM_ENTITY_ATTENDANCE, "attendance", "attendance", attendance_fields, CDM_ENTITY_APPEND_ONLY),
  ENTITY (CDM_ENTITY_CONTACT, "contact", "contacts", contact_fields, 0),
  ENTITY (CDM_ENTITY_MULTIMEDIA_TALLY, "multimedia_tally", "multimedia_tallies", tally_fields, CDM_ENTITY_APPEND_ONLY),
  ENTITY (CDM_ENTITY_CLOSURE, "closure", "closures", closure_fields, 0),
  ENTITY (CDM_ENTITY_SATISFACTION, "satisfaction", "satisfaction", satisfaction_fields, CDM_ENTITY_APPEND_ONLY),
  ENTITY (CDM_ENTITY_USER, "user", "users", user_fields, 0),
  ENTITY (CDM_ENTITY_DESK, "desk", "desks", desk_fields, 0),
};

const CdmEntityInfo *
cdm_entity_info (CdmEntity entity)
{
  g_return_val_if_fail (entity < CDM_N_ENTITIES, NULL);
  return &entities[entity];
}

gboolean
cdm_entity_from_name (const char *name,
                      CdmEntity  *out_entity)
{
  if (name == NULL)
    return FALSE;

  /* "partner" is what people at the centre call an organisation. */
  if (g_str_equal (name, "partner"))
    name = "organisation";

  for (guint i = 0; i < CDM_N_ENTITIES; i++)
    if (g_str_equal (entities[i].name, name))
      {
        if (out_entity != NULL)
          *out_entity = (CdmEntity) i;
        return TRUE;
      }
  return FALSE;
}

const CdmField *
cdm_entity_field (CdmEntity   entity,
                  const char *name)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);

  g_return_val_if_fail (info != NULL, NULL);
  for (guint i = 0; i < info->n_fields; i++)
    if (g_str_equal (info->fields[i].name, name))
      return &info->fields[i];
  return NULL;
}

int
cdm_code_index (const char * const *codes,
                const char         *code)
{
  if (codes == NULL || code == NULL)
    return -1;
  for (int i = 0; codes[i] != NULL; i++)
    if (g_str_equal (codes[i], code))
      return i;
  return -1;
}

gboolean
cdm_code_valid (const char * const *codes,
                const char         *code)
{
  return cdm_code_index (codes, code) >= 0;
}

/* Validation.  Each check sets an error that names the field (with its
 * parent, "profile.gender") and the offending value, so that an import
 * can say "line 12: channel: unknown code “fax” (expected one of …)".
 *
 * The rules on one value are the _cdm_rule_*() functions below, shared
 * with the snapshot page reader (cdm-schema-private.h); the functions on
 * json-glib nodes only find the value and its JSON type. */

const char * const _cdm_i18n_languages[] = { "fr", "nl", "en", NULL };
const char * const _cdm_person_keys[] = { "name", "role", "phone", "email", NULL };

/* What a JSON value is, for "%s: expected %s, got %s". */
static const char *
kind_name (CdmJsonKind kind)
{
  switch (kind)
    {
    case CDM_JSON_NULL:
      return _("null");
    case CDM_JSON_OBJECT:
      return _("an object");
    case CDM_JSON_ARRAY:
      return _("an array");
    case CDM_JSON_STRING:
      return _("a string");
    case CDM_JSON_BOOLEAN:
      return _("a boolean");
    case CDM_JSON_NUMBER:
    default:
      return _("a number");
    }
}

static const char *
expect_name (CdmExpect expected)
{
  switch (expected)
    {
    case CDM_EXPECT_STRING:
      return _("a string");
    case CDM_EXPECT_WHOLE_NUMBER:
      return _("a whole number");
    case CDM_EXPECT_BOOLEAN:
      return _("true or false");
    case CDM_EXPECT_ARRAY:
      return _("an array");
    case CDM_EXPECT_OBJECT:
      return _("an object");
    case CDM_EXPECT_I18N:
    default:
      return _("an object such as {\"fr\": …, \"nl\": …, \"en\": …}");
    }
}

static CdmJsonKind
node_kind (JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    return CDM_JSON_NULL;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return CDM_JSON_OBJECT;
  if (JSON_NODE_HOLDS_ARRAY (node))
    return CDM_JSON_ARRAY;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return CDM_JSON_STRING;
    case G_TYPE_BOOLEAN:
      return CDM_JSON_BOOLEAN;
    default:
      return CDM_JSON_NUMBER;
    }
}

gboolean
_cdm_rule_wrong_type (const char   *field,
                      CdmJsonKind   got,
                      CdmExpect     expected,
                      GError      **error)
{
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_WRONG_TYPE,
               _("%s: expected %s, got %s"), field, expect_name (expected), kind_name (got));
  return FALSE;
}

static char *
shown_value (const char *value)
{
  /* Keep messages short and printable whatever was sent. */
  g_autofree char *valid = g_utf8_make_valid (value, -1);

  if (g_utf8_strlen (valid, -1) > 40)
    {
      char *end = g_utf8_offset_to_pointer (valid, 40);
      return g_strdup_printf ("%.*s…", (int) (end - valid), valid);
    }
  return g_steal_pointer (&valid);
}

gboolean
_cdm_rule_unknown_member (CdmUnknownIn  where,
                          const char   *field,
                          const char   *name,
                          GError      **error)
{
  g_autofree char *shown = shown_value (name);

  switch (where)
    {
    case CDM_UNKNOWN_IN_RECORD:
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_FIELD,
                   _("unknown field “%s” for a record of type %s"), shown, field);
      break;
    case CDM_UNKNOWN_IN_I18N:
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_FIELD,
                   _("%s: unknown language “%s” (expected fr, nl or en)"), field, shown);
      break;
    case CDM_UNKNOWN_IN_OBJECT:
    default:
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_FIELD,
                   _("%s: unknown field “%s”"), field, shown);
      break;
    }
  return FALSE;
}

gboolean
_cdm_rule_is_sync_member (const char *name)
{
  return g_str_equal (name, "type") || g_str_equal (name, "id") ||
         g_str_equal (name, "version") || g_str_equal (name, "updated_at") ||
         g_str_equal (name, "updated_by") || g_str_equal (name, "deleted");
}

gboolean
_cdm_rule_code (const char          *field,
                const char * const  *codes,
                const char          *text,
                int                 *out_index,
                GError             **error)
{
  g_autofree char *expected = NULL;
  g_autofree char *shown = NULL;
  int index = cdm_code_index (codes, text != NULL ? text : "");

  if (index >= 0)
    {
      if (out_index != NULL)
        *out_index = index;
      return TRUE;
    }

  expected = g_strjoinv (", ", (char **) codes);
  shown = shown_value (text != NULL ? text : "");
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE,
               _("%s: unknown code “%s” (expected one of %s)"), field, shown, expected);
  return FALSE;
}

gboolean
_cdm_rule_language (const char  *field,
                    const char  *text,
                    GError     **error)
{
  if (text != NULL && strlen (text) == 2 && g_ascii_islower (text[0]) && g_ascii_islower (text[1]))
    return TRUE;
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE,
               _("%s: expected a two-letter ISO 639-1 language code such as fr, nl or en"), field);
  return FALSE;
}

/* Valid UTF-8, trimmed, at most @max characters (0: no limit past the
 * global 100,000). */
gboolean
_cdm_rule_string (const char   *field,
                  const char   *text,
                  gsize         len,
                  gint64        max,
                  gsize        *out_start,
                  gsize        *out_len,
                  GError      **error)
{
  gsize start = 0, end = len;

  if (!g_utf8_validate_len (text, len, NULL))
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
                   _("%s: the text is not valid UTF-8"), field);
      return FALSE;
    }

  while (start < end && g_ascii_isspace (text[start]))
    start++;
  while (end > start && g_ascii_isspace (text[end - 1]))
    end--;
  if (max <= 0)
    max = 100000;
  /* Characters are never more than bytes: count them only when needed. */
  if ((gint64) (end - start) > max)
    {
      glong n = g_utf8_strlen (text + start, end - start);
      if (n > max)
        {
          g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_OUT_OF_RANGE,
                       _("%s: %ld characters, at most %ld allowed"), field, n, (long) max);
          return FALSE;
        }
    }
  *out_start = start;
  *out_len = end - start;
  return TRUE;
}

gboolean
_cdm_rule_whole_number (const char   *field,
                        gboolean      is_int,
                        gint64        i,
                        double        d,
                        gint64       *out,
                        GError      **error)
{
  if (is_int)
    {
      *out = i;
      return TRUE;
    }
  if (d == (double) (gint64) d && d > -1e15 && d < 1e15)
    {
      *out = (gint64) d;
      return TRUE;
    }
  return _cdm_rule_wrong_type (field, CDM_JSON_NUMBER, CDM_EXPECT_WHOLE_NUMBER, error);
}

gboolean
_cdm_rule_int_range (const CdmField  *f,
                     const char      *field,
                     gint64           n,
                     GError         **error)
{
  if (n >= f->min && n <= f->max)
    return TRUE;
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_OUT_OF_RANGE,
               _("%s: %lld is outside %lld–%lld"),
               field, (long long) n, (long long) f->min, (long long) f->max);
  return FALSE;
}

gboolean
_cdm_rule_date (const char  *field,
                const char  *text,
                GError     **error)
{
  g_autofree char *shown = NULL;

  if (text != NULL && cdm_parse_date (text, NULL))
    return TRUE;
  shown = shown_value (text ? text : "");
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
               _("%s: “%s” is not a date such as 2020-03-16"), field, shown);
  return FALSE;
}

gboolean
_cdm_rule_timestamp (const char  *field,
                     const char  *text,
                     gint64      *out_unix,
                     GError     **error)
{
  g_autofree char *shown = NULL;

  if (text != NULL && cdm_parse_timestamp (text, out_unix, NULL))
    return TRUE;
  shown = shown_value (text ? text : "");
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
               _("%s: “%s” is not a timestamp with a UTC offset, such as 2020-03-16T09:30:00+01:00"),
               field, shown);
  return FALSE;
}

gboolean
_cdm_rule_ref (const char  *field,
               const char  *text,
               GError     **error)
{
  g_autofree char *shown = NULL;

  if (cdm_uuid_valid (text))
    return TRUE;
  shown = shown_value (text ? text : "");
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
               _("%s: “%s” is not an id (a lower-case UUID)"), field, shown);
  return FALSE;
}

gboolean
_cdm_rule_items (const char  *field,
                 guint        n,
                 GError     **error)
{
  if (n <= CDM_MAX_ITEMS)
    return TRUE;
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_OUT_OF_RANGE,
               _("%s: %u items, at most 1000 allowed"), field, n);
  return FALSE;
}

gboolean
_cdm_rule_person_name (const char  *field,
                       gboolean     has_name,
                       GError     **error)
{
  if (has_name)
    return TRUE;
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_MISSING_FIELD,
               _("%s.name: a contact person needs a name"), field);
  return FALSE;
}

gboolean
_cdm_rule_required (const CdmField  *f,
                    gboolean         present,
                    GError         **error)
{
  if (present || !(f->flags & CDM_FIELD_REQUIRED))
    return TRUE;
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_MISSING_FIELD,
               _("%s: required"), f->name);
  return FALSE;
}

gboolean
_cdm_rule_type_member (const CdmEntityInfo  *info,
                       const char           *type,
                       GError              **error)
{
  CdmEntity named;
  g_autofree char *shown = NULL;

  if (type != NULL && cdm_entity_from_name (type, &named) && named == info->entity)
    return TRUE;
  shown = shown_value (type ? type : "");
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_TYPE,
               _("type: expected “%s”, got “%s”"), info->name, shown);
  return FALSE;
}

gboolean
_cdm_rule_id (const char  *id,
              GError     **error)
{
  g_autofree char *shown = NULL;

  if (cdm_uuid_valid (id))
    return TRUE;
  shown = shown_value (id);
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
               _("id: “%s” is not an id (a lower-case UUID)"), shown);
  return FALSE;
}

gboolean
_cdm_rule_closure (const char  *from,
                   const char  *to,
                   GError     **error)
{
  if (g_strcmp0 (to, from) >= 0)
    return TRUE;
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
               _("to: a closure cannot end before it starts"));
  return FALSE;
}

gboolean
_cdm_rule_answered (gboolean   have_received,
                    gint64     received,
                    gint64     answered,
                    GError   **error)
{
  if (!have_received)
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_MISSING_FIELD,
                   _("received_at: required when answered_at is given"));
      return FALSE;
    }
  if (answered < received)
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
                   _("answered_at: a request cannot be answered before it was received"));
      return FALSE;
    }
  return TRUE;
}

/* The rules above on json-glib nodes. */

static gboolean
wrong_type (const char  *field,
            JsonNode    *node,
            CdmExpect    expected,
            GError     **error)
{
  return _cdm_rule_wrong_type (field, node_kind (node), expected, error);
}

/* A string value, checked; NULL for an empty string. */
static gboolean
normalize_string (const char  *field,
                  JsonNode    *node,
                  gint64       max,
                  char       **out,
                  GError     **error)
{
  const char *value;
  gsize start, len;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return wrong_type (field, node, CDM_EXPECT_STRING, error);

  value = json_node_get_string (node);
  if (!_cdm_rule_string (field, value, strlen (value), max, &start, &len, error))
    return FALSE;
  *out = len > 0 ? g_strndup (value + start, len) : NULL;
  return TRUE;
}

static gboolean
get_int (const char  *field,
         JsonNode    *node,
         gint64      *out,
         GError     **error)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return wrong_type (field, node, CDM_EXPECT_WHOLE_NUMBER, error);

  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return _cdm_rule_whole_number (field, TRUE, json_node_get_int (node), 0, out, error);
  if (type == G_TYPE_DOUBLE)
    return _cdm_rule_whole_number (field, FALSE, 0, json_node_get_double (node), out, error);
  return wrong_type (field, node, CDM_EXPECT_WHOLE_NUMBER, error);
}

static gboolean
normalize_value (const CdmField  *f,
                 const char      *field,
                 JsonNode        *node,
                 JsonNode       **out,
                 GError         **error);

static gboolean
normalize_array (const CdmField  *f,
                 const char      *field,
                 JsonNode        *node,
                 JsonNode       **out,
                 GError         **error)
{
  JsonArray *in;
  g_autoptr(JsonArray) result = json_array_new ();
  guint n;
  gint64 mask = 0;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (field, node, CDM_EXPECT_ARRAY, error);

  in = json_node_get_array (node);
  n = json_array_get_length (in);
  if (!_cdm_rule_items (field, n, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (in, i);
      g_autofree char *item_field = g_strdup_printf ("%s[%u]", field, i);
      g_autofree char *text = NULL;
      int index;

      switch (f->kind)
        {
        case CDM_FIELD_CODES:
          if (!normalize_string (item_field, item, 100, &text, error) ||
              !_cdm_rule_code (item_field, f->codes, text, &index, error))
            return FALSE;
          mask |= G_GINT64_CONSTANT (1) << index;
          break;

        case CDM_FIELD_LANGUAGES:
          if (!normalize_string (item_field, item, 100, &text, error) ||
              !_cdm_rule_language (item_field, text, error))
            return FALSE;
          {
            gboolean seen = FALSE;
            for (guint j = 0; j < json_array_get_length (result); j++)
              seen |= g_str_equal (json_array_get_string_element (result, j), text);
            if (!seen)
              json_array_add_string_element (result, text);
          }
          break;

        case CDM_FIELD_STRINGS:
          if (!normalize_string (item_field, item, f->max, &text, error))
            return FALSE;
          if (text != NULL)
            json_array_add_string_element (result, text);
          break;

        case CDM_FIELD_REFS:
          if (!normalize_string (item_field, item, 36, &text, error) ||
              !_cdm_rule_ref (item_field, text, error))
            return FALSE;
          {
            gboolean seen = FALSE;
            for (guint j = 0; j < json_array_get_length (result); j++)
              seen |= g_str_equal (json_array_get_string_element (result, j), text);
            if (!seen)
              json_array_add_string_element (result, text);
          }
          break;

        case CDM_FIELD_PEOPLE:
          {
            JsonObject *person;
            g_autoptr(JsonObject) clean = json_object_new ();
            g_autoptr(GList) members = NULL;

            if (!JSON_NODE_HOLDS_OBJECT (item))
              return wrong_type (item_field, item, CDM_EXPECT_OBJECT, error);
            person = json_node_get_object (item);
            members = json_object_get_members (person);
            for (GList *l = members; l != NULL; l = l->next)
              if (!g_strv_contains (_cdm_person_keys, l->data))
                return _cdm_rule_unknown_member (CDM_UNKNOWN_IN_OBJECT, item_field, l->data, error);
            for (guint k = 0; _cdm_person_keys[k] != NULL; k++)
              {
                JsonNode *v = json_object_get_member (person, _cdm_person_keys[k]);
                g_autofree char *sub = g_strdup_printf ("%s.%s", item_field, _cdm_person_keys[k]);
                g_autofree char *s = NULL;

                if (v != NULL && !JSON_NODE_HOLDS_NULL (v) &&
                    !normalize_string (sub, v, f->max, &s, error))
                  return FALSE;
                if (s != NULL)
                  json_object_set_string_member (clean, _cdm_person_keys[k], s);
                else
                  json_object_set_null_member (clean, _cdm_person_keys[k]);
              }
            if (!_cdm_rule_person_name (item_field, !json_object_get_null_member (clean, "name"), error))
              return FALSE;
            json_array_add_object_element (result, g_steal_pointer (&clean));
          }
          break;

        case CDM_FIELD_TEXT:
        case CDM_FIELD_CODE:
        case CDM_FIELD_LANGUAGE:
        case CDM_FIELD_INT:
        case CDM_FIELD_BOOL:
        case CDM_FIELD_DATE:
        case CDM_FIELD_TIMESTAMP:
        case CDM_FIELD_I18N:
        case CDM_FIELD_PROFILE:
        case CDM_FIELD_REF:
        default:
          g_assert_not_reached ();
        }
    }

  if (f->kind == CDM_FIELD_CODES)
    {
      /* Canonical order: the vocabulary's, each code once. */
      for (int i = 0; f->codes[i] != NULL; i++)
        if (mask & (G_GINT64_CONSTANT (1) << i))
          json_array_add_string_element (result, f->codes[i]);
    }

  *out = json_node_init_array (json_node_alloc (), result);
  return TRUE;
}

static gboolean
normalize_profile (const char  *field,
                   JsonNode    *node,
                   JsonNode   **out,
                   GError     **error)
{
  JsonObject *in;
  g_autoptr(JsonObject) result = json_object_new ();
  g_autoptr(GList) members = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (field, node, CDM_EXPECT_OBJECT, error);

  in = json_node_get_object (node);
  members = json_object_get_members (in);
  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;
      for (guint i = 0; i < cdm_n_profile_fields; i++)
        known |= g_str_equal (cdm_profile_fields[i].name, l->data);
      if (!known)
        return _cdm_rule_unknown_member (CDM_UNKNOWN_IN_OBJECT, field, l->data, error);
    }

  for (guint i = 0; i < cdm_n_profile_fields; i++)
    {
      const CdmField *pf = &cdm_profile_fields[i];
      JsonNode *v = json_object_get_member (in, pf->name);
      g_autofree char *sub = g_strdup_printf ("%s.%s", field, pf->name);
      JsonNode *clean = NULL;

      if (v != NULL && !JSON_NODE_HOLDS_NULL (v))
        {
          if (!normalize_value (pf, sub, v, &clean, error))
            return FALSE;
        }
      json_object_set_member (result, pf->name, clean ? clean : json_node_new (JSON_NODE_NULL));
    }

  *out = json_node_init_object (json_node_alloc (), result);
  return TRUE;
}

/* @node is not NULL and not null.  *out may be set to NULL when the value
 * amounts to nothing (an empty string). */
static gboolean
normalize_value (const CdmField  *f,
                 const char      *field,
                 JsonNode        *node,
                 JsonNode       **out,
                 GError         **error)
{
  g_autofree char *text = NULL;
  gint64 n = 0;

  *out = NULL;

  switch (f->kind)
    {
    case CDM_FIELD_TEXT:
      if (!normalize_string (field, node, f->max, &text, error))
        return FALSE;
      if (text != NULL)
        *out = json_node_init_string (json_node_alloc (), text);
      return TRUE;

    case CDM_FIELD_CODE:
      if (!normalize_string (field, node, 100, &text, error) ||
          !_cdm_rule_code (field, f->codes, text, NULL, error))
        return FALSE;
      *out = json_node_init_string (json_node_alloc (), text);
      return TRUE;

    case CDM_FIELD_LANGUAGE:
      if (!normalize_string (field, node, 100, &text, error) ||
          !_cdm_rule_language (field, text, error))
        return FALSE;
      *out = json_node_init_string (json_node_alloc (), text);
      return TRUE;

    case CDM_FIELD_INT:
      if (!get_int (field, node, &n, error) ||
          !_cdm_rule_int_range (f, field, n, error))
        return FALSE;
      *out = json_node_init_int (json_node_alloc (), n);
      return TRUE;

    case CDM_FIELD_BOOL:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return wrong_type (field, node, CDM_EXPECT_BOOLEAN, error);
      *out = json_node_init_boolean (json_node_alloc (), json_node_get_boolean (node));
      return TRUE;

    case CDM_FIELD_DATE:
      if (!normalize_string (field, node, 10, &text, error) ||
          !_cdm_rule_date (field, text, error))
        return FALSE;
      *out = json_node_init_string (json_node_alloc (), text);
      return TRUE;

    case CDM_FIELD_TIMESTAMP:
      if (!normalize_string (field, node, 64, &text, error) ||
          !_cdm_rule_timestamp (field, text, NULL, error))
        return FALSE;
      *out = json_node_init_string (json_node_alloc (), text);
      return TRUE;

    case CDM_FIELD_I18N:
      {
        g_autoptr(JsonObject) result = json_object_new ();
        g_autoptr(GList) members = NULL;
        JsonObject *in;
        gboolean any = FALSE;

        if (!JSON_NODE_HOLDS_OBJECT (node))
          return wrong_type (field, node, CDM_EXPECT_I18N, error);
        in = json_node_get_object (node);
        members = json_object_get_members (in);
        for (GList *l = members; l != NULL; l = l->next)
          if (!g_strv_contains (_cdm_i18n_languages, l->data))
            return _cdm_rule_unknown_member (CDM_UNKNOWN_IN_I18N, field, l->data, error);
        for (guint i = 0; _cdm_i18n_languages[i] != NULL; i++)
          {
            JsonNode *v = json_object_get_member (in, _cdm_i18n_languages[i]);
            g_autofree char *sub = g_strdup_printf ("%s.%s", field, _cdm_i18n_languages[i]);
            g_autofree char *s = NULL;

            if (v != NULL && !JSON_NODE_HOLDS_NULL (v) &&
                !normalize_string (sub, v, f->max, &s, error))
              return FALSE;
            if (s != NULL)
              {
                json_object_set_string_member (result, _cdm_i18n_languages[i], s);
                any = TRUE;
              }
            else
              json_object_set_null_member (result, _cdm_i18n_languages[i]);
          }
        if (any)
          *out = json_node_init_object (json_node_alloc (), result);
        return TRUE;
      }

    case CDM_FIELD_PROFILE:
      return normalize_profile (field, node, out, error);

    case CDM_FIELD_REF:
      if (!normalize_string (field, node, 36, &text, error) ||
          !_cdm_rule_ref (field, text, error))
        return FALSE;
      *out = json_node_init_string (json_node_alloc (), text);
      return TRUE;

    case CDM_FIELD_CODES:
    case CDM_FIELD_LANGUAGES:
    case CDM_FIELD_STRINGS:
    case CDM_FIELD_PEOPLE:
    case CDM_FIELD_REFS:
      return normalize_array (f, field, node, out, error);

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

JsonObject *
cdm_record_normalize (CdmEntity    entity,
                      JsonObject  *record,
                      GError     **error)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  g_autoptr(JsonObject) result = json_object_new ();
  g_autoptr(GList) members = NULL;
  JsonNode *node;

  g_return_val_if_fail (info != NULL, NULL);

  if (record == NULL)
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_NOT_OBJECT,
                   _("the record is not a JSON object"));
      return NULL;
    }

  node = json_object_get_member (record, "type");
  if (node != NULL)
    {
      const char *type = JSON_NODE_HOLDS_VALUE (node) &&
                         json_node_get_value_type (node) == G_TYPE_STRING ?
                         json_node_get_string (node) : NULL;

      if (!_cdm_rule_type_member (info, type, error))
        return NULL;
    }

  members = json_object_get_members (record);
  for (GList *l = members; l != NULL; l = l->next)
    if (!_cdm_rule_is_sync_member (l->data) && cdm_entity_field (entity, l->data) == NULL)
      {
        _cdm_rule_unknown_member (CDM_UNKNOWN_IN_RECORD, info->name, l->data, error);
        return NULL;
      }

  json_object_set_string_member (result, "type", info->name);

  node = json_object_get_member (record, "id");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      const char *id = JSON_NODE_HOLDS_VALUE (node) &&
                       json_node_get_value_type (node) == G_TYPE_STRING ?
                       json_node_get_string (node) : NULL;
      if (id == NULL)
        {
          wrong_type ("id", node, CDM_EXPECT_STRING, error);
          return NULL;
        }
      if (!_cdm_rule_id (id, error))
        return NULL;
      json_object_set_string_member (result, "id", id);
    }

  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];
      JsonNode *clean = NULL;

      node = json_object_get_member (record, f->name);
      if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
        {
          if (!normalize_value (f, f->name, node, &clean, error))
            return NULL;
        }

      if (!_cdm_rule_required (f, clean != NULL, error))
        return NULL;

      /* Canonical empties: [] for lists, true for "active", null otherwise. */
      if (clean == NULL)
        {
          switch (f->kind)
            {
            case CDM_FIELD_CODES:
            case CDM_FIELD_LANGUAGES:
            case CDM_FIELD_STRINGS:
            case CDM_FIELD_PEOPLE:
            case CDM_FIELD_REFS:
              clean = json_node_new (JSON_NODE_ARRAY);
              json_node_take_array (clean, json_array_new ());
              break;
            case CDM_FIELD_BOOL:
              if (g_str_equal (f->name, "active"))
                clean = json_node_init_boolean (json_node_alloc (), TRUE);
              break;
            case CDM_FIELD_PROFILE:
              {
                JsonNode *empty = json_node_new (JSON_NODE_OBJECT);
                json_node_take_object (empty, json_object_new ());
                normalize_profile (f->name, empty, &clean, NULL);
                json_node_unref (empty);
              }
              break;
            case CDM_FIELD_TEXT:
            case CDM_FIELD_CODE:
            case CDM_FIELD_LANGUAGE:
            case CDM_FIELD_INT:
            case CDM_FIELD_DATE:
            case CDM_FIELD_TIMESTAMP:
            case CDM_FIELD_I18N:
            case CDM_FIELD_REF:
            default:
              break;
            }
        }

      json_object_set_member (result, f->name, clean ? clean : json_node_new (JSON_NODE_NULL));
    }

  /* Rules across fields. */
  if (entity == CDM_ENTITY_CLOSURE &&
      !_cdm_rule_closure (json_object_get_string_member (result, "from"),
                          json_object_get_string_member (result, "to"), error))
    return NULL;

  if (entity == CDM_ENTITY_CONTACT &&
      !json_object_get_null_member (result, "answered_at"))
    {
      gint64 received = 0, answered = 0;
      gboolean have_received = !json_object_get_null_member (result, "received_at");

      if (have_received)
        cdm_parse_timestamp (json_object_get_string_member (result, "received_at"), &received, NULL);
      cdm_parse_timestamp (json_object_get_string_member (result, "answered_at"), &answered, NULL);
      if (!_cdm_rule_answered (have_received, received, answered, error))
        return NULL;
    }

  return g_steal_pointer (&result);
}
