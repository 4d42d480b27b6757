/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-time.c: timestamps, the centre's local days, and UUIDs. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cdm-schema.h"

/* Timestamps must carry their UTC offset (DESIGN.md section 7): a time
 * without one would be read in whatever zone the importing desk is in. */
gboolean
cdm_parse_timestamp (const char  *text,
                     gint64      *out_unix,
                     GError     **error)
{
  g_autoptr(GDateTime) dt = NULL;
  gsize len;

  g_return_val_if_fail (text != NULL, FALSE);

  len = strlen (text);
  /* The shortest accepted form is 2020-01-01T00:00Z; anything past 64
   * characters is not a timestamp a person or a program would write. */
  if (len < 17 || len > 64 || !g_utf8_validate (text, len, NULL))
    goto bad;

  /* g_date_time_new_from_iso8601() with no default zone refuses a time
   * that has no offset, which is what we want. */
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    goto bad;

  if (g_date_time_get_year (dt) < 1900 || g_date_time_get_year (dt) > 2200)
    goto bad;

  if (out_unix != NULL)
    *out_unix = g_date_time_to_unix (dt);
  return TRUE;

bad:
  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
               _("“%s” is not a timestamp with a UTC offset, such as 2020-03-16T09:30:00+01:00"),
               g_utf8_validate (text, -1, NULL) && strlen (text) <= 64 ? text : "…");
  return FALSE;
}

gboolean
cdm_parse_date (const char  *text,
                GError     **error)
{
  guint y, m, d;

  g_return_val_if_fail (text != NULL, FALSE);

  if (strlen (text) == 10 &&
      g_ascii_isdigit (text[0]) && g_ascii_isdigit (text[1]) &&
      g_ascii_isdigit (text[2]) && g_ascii_isdigit (text[3]) && text[4] == '-' &&
      g_ascii_isdigit (text[5]) && g_ascii_isdigit (text[6]) && text[7] == '-' &&
      g_ascii_isdigit (text[8]) && g_ascii_isdigit (text[9]))
    {
      y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
      m = (text[5] - '0') * 10 + (text[6] - '0');
      d = (text[8] - '0') * 10 + (text[9] - '0');
      if (y >= 1900 && y <= 2200 && g_date_valid_dmy (d, m, y))
        return TRUE;
    }

  g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_BAD_VALUE,
               _("“%s” is not a date such as 2020-03-16"),
               g_utf8_validate (text, -1, NULL) && strlen (text) <= 64 ? text : "…");
  return FALSE;
}

char *
cdm_local_day (GTimeZone *zone,
               gint64     unix_time)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (zone != NULL, NULL);
  g_return_val_if_fail (utc != NULL, NULL);

  local = g_date_time_to_timezone (utc, zone);
  return g_date_time_format (local, "%Y-%m-%d");
}

GTimeZone *
cdm_default_time_zone (void)
{
  GTimeZone *zone = g_time_zone_new_identifier ("Europe/Brussels");

  /* Without tzdata, fall back to a fixed +01:00 rather than UTC: winter
   * days come out right and summer ones are an hour off around midnight. */
  if (zone == NULL)
    zone = g_time_zone_new_offset (3600);
  return zone;
}

char *
cdm_uuid_new (void)
{
  return g_uuid_string_random ();
}

/* RFC 4122 section 4.3, with SHA-1 (version 5), in a namespace of our own
 * so that our name-based ids never collide with another system's. */
char *
cdm_uuid_for_name (const char *name)
{
  static const guint8 ns[16] = {
    0x6f, 0x1c, 0x1e, 0x2a, 0x3b, 0x8d, 0x4c, 0x51,
    0x9e, 0x0d, 0xc1, 0x7e, 0x55, 0x0b, 0x2d, 0xe4,
  };
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  g_return_val_if_fail (name != NULL, NULL);

  g_checksum_update (sha1, ns, sizeof ns);
  g_checksum_update (sha1, (const guchar *) name, strlen (name));
  g_checksum_get_digest (sha1, digest, &digest_len);

  digest[6] = (digest[6] & 0x0f) | 0x50;
  digest[8] = (digest[8] & 0x3f) | 0x80;

  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          digest[0], digest[1], digest[2], digest[3],
                          digest[4], digest[5], digest[6], digest[7],
                          digest[8], digest[9], digest[10], digest[11],
                          digest[12], digest[13], digest[14], digest[15]);
}

/* Lower-case canonical form only: ids are compared as text everywhere. */
gboolean
cdm_uuid_valid (const char *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;

  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (text[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isdigit (text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
        return FALSE;
    }
  return TRUE;
}
