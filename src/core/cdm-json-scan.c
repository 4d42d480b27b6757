/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-json-scan.c: a small strict JSON reader (cdm-json-scan.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "cdm-json-scan.h"

G_DEFINE_QUARK (cdm-json-scan-error-quark, cdm_json_scan_error)

void
cdm_json_scan_init (CdmJsonScan *scan,
                    const char  *data,
                    gsize        length)
{
  scan->data = data;
  scan->length = length;
  scan->pos = 0;
  scan->tokens = g_array_sized_new (FALSE, FALSE, sizeof (CdmJsonToken), 64);
  scan->strings = g_byte_array_sized_new (1024);
}

void
cdm_json_scan_clear (CdmJsonScan *scan)
{
  g_clear_pointer (&scan->tokens, g_array_unref);
  g_clear_pointer (&scan->strings, g_byte_array_unref);
}

void
cdm_json_scan_reset (CdmJsonScan *scan)
{
  g_array_set_size (scan->tokens, 0);
  g_byte_array_set_size (scan->strings, 0);
}

static gboolean G_GNUC_PRINTF (3, 4)
fail (CdmJsonScan  *scan,
      GError      **error,
      const char   *format,
      ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CDM_JSON_SCAN_ERROR, 0, _("byte %lu: %s"), (unsigned long) scan->pos, message);
  return FALSE;
}

static inline void
skip_space (CdmJsonScan *scan)
{
  while (scan->pos < scan->length)
    {
      char c = scan->data[scan->pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        break;
      scan->pos++;
    }
}

gboolean
cdm_json_scan_accept (CdmJsonScan *scan,
                      char         c)
{
  skip_space (scan);
  if (scan->pos < scan->length && scan->data[scan->pos] == c)
    {
      scan->pos++;
      return TRUE;
    }
  return FALSE;
}

gboolean
cdm_json_scan_expect (CdmJsonScan  *scan,
                      char          c,
                      GError      **error)
{
  if (cdm_json_scan_accept (scan, c))
    return TRUE;
  if (scan->pos >= scan->length)
    return fail (scan, error, _("the text ends where “%c” was expected"), c);
  return fail (scan, error, _("“%c” expected"), c);
}

gboolean
cdm_json_scan_end (CdmJsonScan  *scan,
                   GError      **error)
{
  skip_space (scan);
  if (scan->pos < scan->length)
    return fail (scan, error, _("something follows the end of the JSON value"));
  return TRUE;
}

static int
hex4 (const char *p)
{
  int v = 0;

  for (int i = 0; i < 4; i++)
    {
      int d = g_ascii_xdigit_value (p[i]);
      if (d < 0)
        return -1;
      v = v * 16 + d;
    }
  return v;
}

static void
append_utf8 (GByteArray *out,
             gunichar    c)
{
  guint8 buf[6];
  int n = g_unichar_to_utf8 (c, (char *) buf);

  g_byte_array_append (out, buf, n);
}

/* At the opening quote.  Appends the unescaped text and a NUL. */
static gboolean
scan_string (CdmJsonScan   *scan,
             CdmJsonToken  *token,
             GError       **error)
{
  GByteArray *out = scan->strings;
  const guchar *data = (const guchar *) scan->data;
  gsize pos = scan->pos + 1;
  gsize run = pos;
  gsize first = out->len;

  token->kind = CDM_JSON_STRING;
  token->str = out->len;
  for (;;)
    {
      guchar c;

      /* Plain ASCII is copied in runs. */
      while (pos < scan->length && data[pos] >= 0x20 && data[pos] < 0x80 && data[pos] != '"' && data[pos] != '\\')
        pos++;
      if (pos >= scan->length)
        {
          scan->pos = pos;
          return fail (scan, error, _("a string is not closed"));
        }
      c = data[pos];
      if (c == '"' || c == '\\' || c < 0x20)
        g_byte_array_append (out, data + run, pos - run);
      if (c == '"')
        {
          pos++;
          break;
        }
      if (c < 0x20)
        {
          scan->pos = pos;
          return fail (scan, error, _("a control character in a string"));
        }
      if (c >= 0x80)
        {
          /* One UTF-8 sequence, checked where it is. */
          gsize avail = scan->length - pos;
          const char *end = NULL;
          gsize n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

          if (n > avail || !g_utf8_validate_len ((const char *) data + pos, n, &end))
            {
              scan->pos = pos;
              return fail (scan, error, _("text that is not valid UTF-8"));
            }
          pos += n;
          continue;
        }

      /* A backslash. */
      if (pos + 1 >= scan->length)
        {
          scan->pos = pos;
          return fail (scan, error, _("a string is not closed"));
        }
      switch (data[pos + 1])
        {
        case '"': g_byte_array_append (out, (const guint8 *) "\"", 1); pos += 2; break;
        case '\\': g_byte_array_append (out, (const guint8 *) "\\", 1); pos += 2; break;
        case '/': g_byte_array_append (out, (const guint8 *) "/", 1); pos += 2; break;
        case 'b': g_byte_array_append (out, (const guint8 *) "\b", 1); pos += 2; break;
        case 'f': g_byte_array_append (out, (const guint8 *) "\f", 1); pos += 2; break;
        case 'n': g_byte_array_append (out, (const guint8 *) "\n", 1); pos += 2; break;
        case 'r': g_byte_array_append (out, (const guint8 *) "\r", 1); pos += 2; break;
        case 't': g_byte_array_append (out, (const guint8 *) "\t", 1); pos += 2; break;
        case 'u':
          {
            int u = pos + 6 <= scan->length ? hex4 ((const char *) data + pos + 2) : -1;
            gunichar ch;

            scan->pos = pos;
            if (u < 0)
              return fail (scan, error, _("a \\u escape without four hexadecimal digits"));
            pos += 6;
            if (u == 0)
              return fail (scan, error, _("a string holds \\u0000"));
            if (u >= 0xdc00 && u <= 0xdfff)
              return fail (scan, error, _("a lone surrogate in a \\u escape"));
            if (u >= 0xd800 && u <= 0xdbff)
              {
                int low = pos + 6 <= scan->length && data[pos] == '\\' && data[pos + 1] == 'u' ?
                          hex4 ((const char *) data + pos + 2) : -1;
                if (low < 0xdc00 || low > 0xdfff)
                  return fail (scan, error, _("a lone surrogate in a \\u escape"));
                pos += 6;
                ch = 0x10000 + (((gunichar) u - 0xd800) << 10) + ((gunichar) low - 0xdc00);
              }
            else
              ch = (gunichar) u;
            append_utf8 (out, ch);
          }
          break;
        default:
          scan->pos = pos;
          return fail (scan, error, _("an unknown escape in a string"));
        }
      run = pos;
    }
  token->len = out->len - first;
  g_byte_array_append (out, (const guint8 *) "", 1);
  scan->pos = pos;
  return TRUE;
}

static gboolean
scan_number (CdmJsonScan   *scan,
             CdmJsonToken  *token,
             GError       **error)
{
  const char *data = scan->data;
  gsize start = scan->pos, pos = start;
  gboolean integer = TRUE;
  char buf[64];
  char *end = NULL;

  if (pos < scan->length && data[pos] == '-')
    pos++;
  if (pos >= scan->length || !g_ascii_isdigit (data[pos]))
    return fail (scan, error, _("a malformed number"));
  if (data[pos] == '0')
    pos++;
  else
    while (pos < scan->length && g_ascii_isdigit (data[pos]))
      pos++;
  if (pos < scan->length && data[pos] == '.')
    {
      integer = FALSE;
      pos++;
      if (pos >= scan->length || !g_ascii_isdigit (data[pos]))
        return fail (scan, error, _("a malformed number"));
      while (pos < scan->length && g_ascii_isdigit (data[pos]))
        pos++;
    }
  if (pos < scan->length && (data[pos] == 'e' || data[pos] == 'E'))
    {
      integer = FALSE;
      pos++;
      if (pos < scan->length && (data[pos] == '+' || data[pos] == '-'))
        pos++;
      if (pos >= scan->length || !g_ascii_isdigit (data[pos]))
        return fail (scan, error, _("a malformed number"));
      while (pos < scan->length && g_ascii_isdigit (data[pos]))
        pos++;
    }
  if (pos < scan->length && (g_ascii_isalnum (data[pos]) || data[pos] == '.'))
    return fail (scan, error, _("a malformed number"));
  if (pos - start >= sizeof buf)
    return fail (scan, error, _("a number too long to be read"));

  memcpy (buf, data + start, pos - start);
  buf[pos - start] = '\0';
  token->kind = CDM_JSON_NUMBER;
  token->is_int = integer;
  errno = 0;
  if (integer)
    {
      token->i = g_ascii_strtoll (buf, &end, 10);
      if (errno != 0)
        return fail (scan, error, _("a whole number too large for 64 bits"));
      token->d = (double) token->i;
    }
  else
    {
      token->d = g_ascii_strtod (buf, &end);
      if (errno != 0 && !isfinite (token->d))
        return fail (scan, error, _("a number too large"));
      token->i = 0;
    }
  scan->pos = pos;
  return TRUE;
}

static gboolean
scan_word (CdmJsonScan *scan,
           const char  *word)
{
  gsize n = strlen (word);

  if (scan->length - scan->pos < n || memcmp (scan->data + scan->pos, word, n) != 0)
    return FALSE;
  scan->pos += n;
  return scan->pos >= scan->length || !g_ascii_isalnum (scan->data[scan->pos]);
}

gboolean
cdm_json_scan_value (CdmJsonScan  *scan,
                     guint         depth,
                     GError      **error)
{
  guint index;
  CdmJsonToken *token;
  char c;

  if (depth > CDM_JSON_MAX_DEPTH)
    return fail (scan, error, _("values nested deeper than %d levels"), CDM_JSON_MAX_DEPTH);

  skip_space (scan);
  if (scan->pos >= scan->length)
    return fail (scan, error, _("the text ends where a value was expected"));

  index = scan->tokens->len;
  g_array_set_size (scan->tokens, index + 1);
  token = cdm_json_scan_token (scan, index);
  memset (token, 0, sizeof *token);
  token->start = scan->pos;
  c = scan->data[scan->pos];

  switch (c)
    {
    case '{':
    case '[':
      {
        gboolean object = c == '{';
        char close = object ? '}' : ']';
        guint size = 0;

        scan->pos++;
        if (!cdm_json_scan_accept (scan, close))
          {
            do
              {
                if (object)
                  {
                    guint key = scan->tokens->len;

                    skip_space (scan);
                    if (scan->pos >= scan->length || scan->data[scan->pos] != '"')
                      return fail (scan, error, _("a member name expected"));
                    g_array_set_size (scan->tokens, key + 1);
                    token = cdm_json_scan_token (scan, key);
                    memset (token, 0, sizeof *token);
                    token->start = scan->pos;
                    if (!scan_string (scan, token, error))
                      return FALSE;
                    token->end = scan->pos;
                    token->next = key + 1;
                    if (!cdm_json_scan_expect (scan, ':', error))
                      return FALSE;
                  }
                if (!cdm_json_scan_value (scan, depth + 1, error))
                  return FALSE;
                size++;
              }
            while (cdm_json_scan_accept (scan, ','));
            if (!cdm_json_scan_expect (scan, close, error))
              return FALSE;
          }
        token = cdm_json_scan_token (scan, index);
        token->kind = object ? CDM_JSON_OBJECT : CDM_JSON_ARRAY;
        token->size = size;
      }
      break;

    case '"':
      if (!scan_string (scan, token, error))
        return FALSE;
      break;

    case 't':
    case 'f':
      token->kind = CDM_JSON_BOOLEAN;
      token->boolean = c == 't';
      if (!scan_word (scan, c == 't' ? "true" : "false"))
        return fail (scan, error, _("an unknown word"));
      break;

    case 'n':
      token->kind = CDM_JSON_NULL;
      if (!scan_word (scan, "null"))
        return fail (scan, error, _("an unknown word"));
      break;

    default:
      if (c != '-' && !g_ascii_isdigit (c))
        return fail (scan, error, _("a value expected"));
      if (!scan_number (scan, token, error))
        return FALSE;
      break;
    }

  token = cdm_json_scan_token (scan, index);
  token->end = scan->pos;
  token->next = scan->tokens->len;
  return TRUE;
}
