/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-json-scan.h: a small strict JSON reader that builds no tree.
 *
 * It reads one JSON value (RFC 8259) at a time from a buffer into a flat
 * array of tokens, reused from value to value, and its strings, unescaped
 * and NUL-terminated, into one buffer, also reused: reading a snapshot
 * page record by record allocates nothing per record once the arrays have
 * grown.  It refuses what json-glib would accept loosely or not at all:
 * invalid UTF-8, lone surrogates, "\u0000", control characters in
 * strings, integers past 64 bits, numbers beyond a double, nesting deeper
 * than CDM_JSON_MAX_DEPTH, anything after the value.
 *
 * Numbers are typed as json-glib types them: an integer (no fraction, no
 * exponent) is an int64, anything else a double.
 *
 * Not thread-safe: one CdmJsonScan per thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CDM_JSON_MAX_DEPTH 32

typedef enum {
  CDM_JSON_NULL,
  CDM_JSON_OBJECT,
  CDM_JSON_ARRAY,
  CDM_JSON_STRING,
  CDM_JSON_BOOLEAN,
  CDM_JSON_NUMBER,
} CdmJsonKind;

typedef struct {
  CdmJsonKind kind;
  guint next;           /* the token after this value and all it holds */
  guint size;           /* object: members; array: elements */
  guint str;            /* string: offset in the string buffer */
  guint len;            /* string: bytes, without the NUL */
  gboolean is_int;      /* number: an int64 in i, else a double in d */
  gboolean boolean;
  gint64 i;
  double d;
  gsize start, end;     /* the value's bytes in the input */
} CdmJsonToken;

typedef struct {
  const char *data;
  gsize length;
  gsize pos;
  GArray *tokens;       /* CdmJsonToken */
  GByteArray *strings;
} CdmJsonScan;

#define CDM_JSON_SCAN_ERROR (cdm_json_scan_error_quark ())
GQuark cdm_json_scan_error_quark (void);

void     cdm_json_scan_init    (CdmJsonScan  *scan,
                                const char   *data,
                                gsize         length);
void     cdm_json_scan_clear   (CdmJsonScan  *scan);

/* Forgets the tokens and strings read so far (not the position). */
void     cdm_json_scan_reset   (CdmJsonScan  *scan);

/* Reads the value at the position into the tokens (appended; its first
 * token is at the length they had).  @depth: the nesting of the value. */
gboolean cdm_json_scan_value   (CdmJsonScan  *scan,
                                guint         depth,
                                GError      **error);

/* Skips white space, then consumes @c if it is next. */
gboolean cdm_json_scan_accept  (CdmJsonScan  *scan,
                                char          c);
/* The same, but it must be there. */
gboolean cdm_json_scan_expect  (CdmJsonScan  *scan,
                                char          c,
                                GError      **error);
/* Nothing but white space is left. */
gboolean cdm_json_scan_end     (CdmJsonScan  *scan,
                                GError      **error);

static inline CdmJsonToken *
cdm_json_scan_token (CdmJsonScan *scan,
                     guint        index)
{
  return &g_array_index (scan->tokens, CdmJsonToken, index);
}

/* A string token's text: valid UTF-8, NUL-terminated; valid until the
 * next read or reset.  The buffer is writable (for trimming in place). */
static inline char *
cdm_json_scan_text (CdmJsonScan        *scan,
                    const CdmJsonToken *token)
{
  return (char *) scan->strings->data + token->str;
}

G_END_DECLS
