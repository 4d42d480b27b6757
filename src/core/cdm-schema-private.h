/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-schema-private.h: the per-value rules of cdm_record_normalize().
 *
 * cdm_record_normalize() reads json-glib trees; the snapshot page reader
 * (cdm-snapshot-page.c) reads bytes.  Both check every value through these
 * functions, so that the desk has one definition of a valid record and
 * one message per fault.  Each sets a CDM_RECORD_ERROR naming @field.
 */
#pragma once

#include "cdm-json-scan.h"
#include "cdm-schema.h"

G_BEGIN_DECLS

/* What a value should have been, for "%s: expected %s, got %s". */
typedef enum {
  CDM_EXPECT_STRING,
  CDM_EXPECT_WHOLE_NUMBER,
  CDM_EXPECT_BOOLEAN,
  CDM_EXPECT_ARRAY,
  CDM_EXPECT_OBJECT,
  CDM_EXPECT_I18N,
} CdmExpect;

/* Where a member name was not known. */
typedef enum {
  CDM_UNKNOWN_IN_RECORD,     /* @field: the entity's name */
  CDM_UNKNOWN_IN_I18N,
  CDM_UNKNOWN_IN_OBJECT,     /* a profile or a contact person */
} CdmUnknownIn;

extern const char * const _cdm_i18n_languages[];   /* fr, nl, en */
extern const char * const _cdm_person_keys[];      /* name, role, phone, email */

#define CDM_MAX_ITEMS 1000

gboolean _cdm_rule_wrong_type     (const char   *field,
                                   CdmJsonKind   got,
                                   CdmExpect     expected,
                                   GError      **error);
gboolean _cdm_rule_unknown_member (CdmUnknownIn  where,
                                   const char   *field,
                                   const char   *name,
                                   GError      **error);
gboolean _cdm_rule_is_sync_member (const char  *name);

/* A string: @text (@len bytes, NUL-terminated) is trimmed in place to
 * [*out_start, *out_start + *out_len); an empty result is "no value". */
gboolean _cdm_rule_string         (const char   *field,
                                   const char   *text,
                                   gsize         len,
                                   gint64        max,
                                   gsize        *out_start,
                                   gsize        *out_len,
                                   GError      **error);
/* The index of @text (may be NULL) in @codes. */
gboolean _cdm_rule_code           (const char          *field,
                                   const char * const  *codes,
                                   const char          *text,
                                   int                 *out_index,
                                   GError             **error);
gboolean _cdm_rule_language       (const char   *field,
                                   const char   *text,
                                   GError      **error);
/* A JSON number as a whole number, then within @f's bounds. */
gboolean _cdm_rule_whole_number   (const char   *field,
                                   gboolean      is_int,
                                   gint64        i,
                                   double        d,
                                   gint64       *out,
                                   GError      **error);
gboolean _cdm_rule_int_range      (const CdmField *f,
                                   const char     *field,
                                   gint64          n,
                                   GError        **error);
gboolean _cdm_rule_date           (const char   *field,
                                   const char   *text,
                                   GError      **error);
gboolean _cdm_rule_timestamp      (const char   *field,
                                   const char   *text,
                                   gint64       *out_unix,
                                   GError      **error);
gboolean _cdm_rule_ref            (const char   *field,
                                   const char   *text,
                                   GError      **error);
gboolean _cdm_rule_items          (const char   *field,
                                   guint         n,
                                   GError      **error);
gboolean _cdm_rule_person_name    (const char   *field,
                                   gboolean      has_name,
                                   GError      **error);
gboolean _cdm_rule_required       (const CdmField *f,
                                   gboolean        present,
                                   GError        **error);
gboolean _cdm_rule_type_member    (const CdmEntityInfo *info,
                                   const char          *type,
                                   GError             **error);
gboolean _cdm_rule_id             (const char   *id,
                                   GError      **error);
/* Rules across fields. */
gboolean _cdm_rule_closure        (const char   *from,
                                   const char   *to,
                                   GError      **error);
gboolean _cdm_rule_answered       (gboolean      have_received,
                                   gint64        received,
                                   gint64        answered,
                                   GError      **error);

G_END_DECLS
