/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-schema.h: the domain model of DESIGN.md section 3 as data.
 *
 * Every entity is described once, here, by a table of fields: its name in
 * the interchange format (DESIGN.md section 7), its SQL column, its kind
 * and, for codes, its vocabulary.  Validation, the store's SQL, import,
 * export and the sync payloads are all driven by these tables, so a field
 * is added in one place.
 *
 * Records travel as JsonObject in the interchange format: the same object
 * is what cdmctl imports, what the store returns and what sync sends.
 *
 * Thread safety: everything here is immutable and may be used from any
 * thread.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
  CDM_ENTITY_ORGANISATION,
  CDM_ENTITY_RESOURCE,
  CDM_ENTITY_ACTIVITY,
  CDM_ENTITY_ATTENDANCE,
  CDM_ENTITY_CONTACT,
  CDM_ENTITY_MULTIMEDIA_TALLY,
  CDM_ENTITY_CLOSURE,
  CDM_ENTITY_SATISFACTION,
  CDM_ENTITY_USER,
  CDM_ENTITY_DESK,
  CDM_N_ENTITIES
} CdmEntity;

typedef enum {
  CDM_FIELD_TEXT,       /* string, max_len characters */
  CDM_FIELD_CODE,       /* one code of the field's vocabulary */
  CDM_FIELD_CODES,      /* array of distinct codes; stored as a bit mask */
  CDM_FIELD_LANGUAGE,   /* ISO 639-1 code: two lower-case letters */
  CDM_FIELD_LANGUAGES,  /* array of ISO 639-1 codes; stored as JSON */
  CDM_FIELD_STRINGS,    /* array of strings; stored as JSON */
  CDM_FIELD_INT,        /* integer in [min, max] */
  CDM_FIELD_BOOL,
  CDM_FIELD_DATE,       /* YYYY-MM-DD */
  CDM_FIELD_TIMESTAMP,  /* ISO 8601 with a UTC offset */
  CDM_FIELD_I18N,       /* {fr, nl, en}; one column per language */
  CDM_FIELD_PEOPLE,     /* [{name, role, phone, email}]; stored as JSON */
  CDM_FIELD_PROFILE,    /* visitor profile object; one column per item */
  CDM_FIELD_REF,        /* id of a record of ref_entity */
  CDM_FIELD_REFS,       /* array of ids of ref_entity, kept in link_table */
} CdmFieldKind;

typedef enum {
  CDM_FIELD_REQUIRED      = 1 << 0,
  /* Filled by the store from its identity when null (cdm_store_set_identity). */
  CDM_FIELD_FROM_DESK     = 1 << 1,
  CDM_FIELD_FROM_USER     = 1 << 2,
  CDM_FIELD_FROM_ORG      = 1 << 3,
} CdmFieldFlags;

typedef struct {
  const char *name;             /* key in the interchange format */
  const char *column;           /* SQL column (or column prefix, or link table) */
  CdmFieldKind kind;
  CdmFieldFlags flags;
  const char * const *codes;    /* vocabulary for CODE/CODES, NULL-terminated */
  gint64 min, max;              /* INT bounds; TEXT/STRINGS: max = length */
  CdmEntity ref_entity;         /* REF/REFS */
  const char *link_owner;       /* REFS: link_table column naming the owner */
  const char *link_target;      /* REFS: link_table column naming the target */
  const char *unix_column;      /* TIMESTAMP: derived unix time column, or NULL */
  const char *day_column;       /* TIMESTAMP: derived local day column, or NULL */
} CdmField;

typedef enum {
  CDM_ENTITY_APPEND_ONLY = 1 << 0, /* counted rows: never updated once written */
  CDM_ENTITY_SEARCHABLE  = 1 << 1,
} CdmEntityFlags;

typedef struct {
  CdmEntity entity;
  const char *name;            /* the "type" of the interchange format */
  const char *table;           /* SQL table */
  CdmEntityFlags flags;
  const CdmField *fields;
  guint n_fields;
} CdmEntityInfo;

/* Vocabularies of DESIGN.md section 3, NULL-terminated, in display order. */
extern const char * const cdm_circles[];
extern const char * const cdm_organisation_kinds[];
extern const char * const cdm_themes[];
extern const char * const cdm_resource_kinds[];
extern const char * const cdm_activity_modes[];
extern const char * const cdm_audiences[];
extern const char * const cdm_activity_statuses[];
extern const char * const cdm_sites[];
extern const char * const cdm_services[];
extern const char * const cdm_channels[];
extern const char * const cdm_programmes[];
extern const char * const cdm_genders[];
extern const char * const cdm_age_bands[];
extern const char * const cdm_regions[];
extern const char * const cdm_statuses[];
extern const char * const cdm_education_levels[];
extern const char * const cdm_heard_from[];
extern const char * const cdm_tally_kinds[];
extern const char * const cdm_frequencies[];
extern const char * const cdm_closure_scopes[];
extern const char * const cdm_roles[];
extern const char * const cdm_weekdays[];

/* The profile items of a contact or a satisfaction response, in order. */
extern const CdmField cdm_profile_fields[];
extern const guint cdm_n_profile_fields;

const CdmEntityInfo *cdm_entity_info      (CdmEntity    entity);
gboolean             cdm_entity_from_name (const char  *name,
                                           CdmEntity   *out_entity);
const CdmField      *cdm_entity_field     (CdmEntity    entity,
                                           const char  *name);

/* Index of @code in the NULL-terminated @codes, or -1. */
int      cdm_code_index (const char * const *codes,
                         const char         *code);
gboolean cdm_code_valid (const char * const *codes,
                         const char         *code);

#define CDM_RECORD_ERROR (cdm_record_error_quark ())

/**
 * CdmRecordError:
 * @CDM_RECORD_ERROR_NOT_OBJECT: the record is not a JSON object
 * @CDM_RECORD_ERROR_UNKNOWN_TYPE: "type" names no entity
 * @CDM_RECORD_ERROR_MISSING_FIELD: a required field is absent or null
 * @CDM_RECORD_ERROR_WRONG_TYPE: a field has the wrong JSON type
 * @CDM_RECORD_ERROR_UNKNOWN_CODE: a code is not in its vocabulary
 * @CDM_RECORD_ERROR_OUT_OF_RANGE: a number or length is outside its bounds
 * @CDM_RECORD_ERROR_BAD_VALUE: a malformed date, timestamp, UUID or UTF-8
 * @CDM_RECORD_ERROR_UNKNOWN_FIELD: a field that the entity does not have
 *
 * Why a record was refused.  Messages name the field and the value.
 */
typedef enum {
  CDM_RECORD_ERROR_NOT_OBJECT,
  CDM_RECORD_ERROR_UNKNOWN_TYPE,
  CDM_RECORD_ERROR_MISSING_FIELD,
  CDM_RECORD_ERROR_WRONG_TYPE,
  CDM_RECORD_ERROR_UNKNOWN_CODE,
  CDM_RECORD_ERROR_OUT_OF_RANGE,
  CDM_RECORD_ERROR_BAD_VALUE,
  CDM_RECORD_ERROR_UNKNOWN_FIELD,
} CdmRecordError;

GQuark cdm_record_error_quark (void);

/**
 * cdm_record_normalize:
 * @entity: the record's entity
 * @record: a record in the interchange format ("type" may be present)
 * @error: return location for a #CDM_RECORD_ERROR
 *
 * Validates @record against the entity's fields and returns a canonical
 * copy: every field present (null when unknown), arrays of codes sorted in
 * vocabulary order, strings trimmed, "type" set, "id" kept if present.
 * Unknown fields are refused, except the sync columns that the store
 * itself writes ("version", "updated_at", "updated_by", "deleted").
 *
 * Returns: (transfer full): the canonical record, or %NULL with @error set.
 */
JsonObject *cdm_record_normalize (CdmEntity    entity,
                                  JsonObject  *record,
                                  GError     **error);

/* Timestamps and days.  The centre's days are those of its local time zone
 * (DESIGN.md section 4); cdm_local_day() maps an ISO 8601 timestamp with
 * an offset to the local "YYYY-MM-DD". */
gboolean cdm_parse_timestamp (const char  *text,
                              gint64      *out_unix,
                              GError     **error);
gboolean cdm_parse_date      (const char  *text,
                              GError     **error);
char    *cdm_local_day       (GTimeZone   *zone,
                              gint64       unix_time);
GTimeZone *cdm_default_time_zone (void);

/* A random UUID, and a name-based one (RFC 4122 version 5) so that the
 * same imported line always gets the same id. */
char *cdm_uuid_new      (void);
char *cdm_uuid_for_name (const char *name);
gboolean cdm_uuid_valid (const char *text);

G_END_DECLS
