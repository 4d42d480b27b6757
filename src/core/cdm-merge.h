/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-merge.h: the field-level merge of one pushed change (DESIGN.md
 * section 5), shared by the server and the desk's sync engine so that both
 * sides agree on what a change does to a record.
 *
 * A change (an outbox entry) carries the version it was based on, the
 * fields it changed with their new values and their old values (what the
 * desk had before the edit).  It is merged into the current record:
 *
 * - A field the entry changed and nobody else changed since its base (the
 *   current value equals the entry's old value, or the record is still at
 *   the base version) takes the entry's value: "applied".
 * - A field changed by others and not by the entry keeps the others' value
 *   (the entry does not name it, or names it with its new value equal to
 *   its old one).
 * - A field changed on both sides to different values is a collision.  The
 *   rule is the same for every mutable type: the value already in the
 *   record wins ("first writer wins": it is the one every other desk has
 *   already seen), and the entry's value is reported in a CdmMergeConflict
 *   for a person to resolve.  Both sides changing a field to the same value
 *   is no collision.  When the entry gives no old value for a field and the
 *   record has moved past the base, nobody can tell who changed it: a
 *   different value is a collision.
 * - Objects of the interchange format whose parts are independent — an
 *   I18N name or title {fr, nl, en} and a visitor profile {gender, …} —
 *   merge part by part: a translation edited on one desk and another
 *   translation edited on a second desk both survive, and a collision
 *   names the part ("name.fr").  Lists (themes, organisers, people…) are
 *   whole values: a list is one field.
 * - Deletes win: a delete applies whatever changed since its base, and a
 *   change (update, or a create of the same id) arriving for a tombstoned
 *   record is a collision on "deleted" whose kept value is true; the
 *   tombstone never comes back to life.  Deleting a tombstone again is a
 *   duplicate.
 * - Counted types (CDM_ENTITY_APPEND_ONLY: attendance, multimedia tallies,
 *   satisfaction) take a create and a delete, never an update; a create of
 *   an id that exists is a duplicate and changes nothing.
 * - A create of an id that already exists as a mutable record is merged
 *   like an update from version 0 without old values: the same record sent
 *   twice (an import on two desks) is a duplicate, differing fields are
 *   collisions.
 *
 * Values are compared as JSON: pass records and fields normalised by
 * cdm_record_normalize() (the store returns them so), and normalise the
 * merged record before writing it.
 *
 * Thread safety: the functions are pure and may be called from any thread.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "cdm-schema.h"

G_BEGIN_DECLS

#define CDM_MERGE_ERROR (cdm_merge_error_quark ())

/**
 * CdmMergeError:
 * @CDM_MERGE_ERROR_NOT_FOUND: an update or delete names a record that does not exist
 * @CDM_MERGE_ERROR_APPEND_ONLY: an update of a counted record (attendance, tally, survey)
 * @CDM_MERGE_ERROR_BAD_ENTRY: the change itself is malformed (the message says how)
 *
 * Why a change cannot be merged at all.
 */
typedef enum {
  CDM_MERGE_ERROR_NOT_FOUND,
  CDM_MERGE_ERROR_APPEND_ONLY,
  CDM_MERGE_ERROR_BAD_ENTRY,
} CdmMergeError;

GQuark cdm_merge_error_quark (void);

typedef enum {
  CDM_MERGE_OP_CREATE,
  CDM_MERGE_OP_UPDATE,
  CDM_MERGE_OP_DELETE,
} CdmMergeOp;

/* "create", "update", "delete". */
gboolean    cdm_merge_op_from_string (const char *name,
                                      CdmMergeOp *out_op);

/**
 * CdmMergeStatus:
 * @CDM_MERGE_APPLIED: the change applied on the version it was based on
 * @CDM_MERGE_MERGED: the change applied on a newer version; what others
 *   changed meanwhile is kept
 * @CDM_MERGE_CONFLICT: at least one field collided; the record's value is
 *   kept for those, the entry's other fields applied
 * @CDM_MERGE_DUPLICATE: the change was already there (a counted record
 *   created twice, the same record created twice, a tombstone deleted
 *   twice); nothing changes
 *
 * The statuses are also the words of the push answer ("applied", …).
 */
typedef enum {
  CDM_MERGE_APPLIED,
  CDM_MERGE_MERGED,
  CDM_MERGE_CONFLICT,
  CDM_MERGE_DUPLICATE,
} CdmMergeStatus;

const char *cdm_merge_status_to_string (CdmMergeStatus status);

/* One collision: @field is a field name or "parent.part"; @kept the value
 * the record keeps, @other the entry's value (both may be JSON null).  For
 * a change to a tombstone, @field is "deleted", @kept true and @other the
 * entry's fields. */
typedef struct {
  char     *field;
  JsonNode *kept;
  JsonNode *other;
} CdmMergeConflict;

typedef struct {
  CdmMergeStatus status;
  /* The merged record: the fields of the entity (with "id"/"type" when the
   * current record or the entry had them), without the sync members.
   * NULL for a tombstone or when the change is a duplicate. */
  JsonObject *record;
  /* Whether anything must be written: the record differs from the current
   * one, or becomes a tombstone. */
  gboolean changed;
  /* The result is a tombstone (a delete that applies). */
  gboolean deleted;
  /* Names of the entry's fields (or "parent.part") taken, (element-type utf8). */
  GPtrArray *applied;
  /* (element-type CdmMergeConflict) */
  GPtrArray *conflicts;
} CdmMerge;

/**
 * cdm_merge_entry:
 * @entity: the record's type
 * @current: (nullable): the record as it is now, in the interchange format
 *   with its "version" and "deleted" members; %NULL when there is none
 * @op: what the entry does
 * @base_version: the version the entry's author saw (0 for a new record)
 * @fields: the fields the entry sets (a create gives every field)
 * @old: (nullable): the entry's old values of @fields
 * @error: a #CDM_MERGE_ERROR
 *
 * Merges one change into @current by the rules of the section comment.
 * Nothing is validated beyond the shape of the change: normalise
 * result->record before writing it.
 *
 * Returns: (transfer full): the merge, or %NULL with @error set
 */
CdmMerge *cdm_merge_entry (CdmEntity    entity,
                           JsonObject  *current,
                           CdmMergeOp   op,
                           gint64       base_version,
                           JsonObject  *fields,
                           JsonObject  *old,
                           GError     **error);
void      cdm_merge_free  (CdmMerge    *merge);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmMerge, cdm_merge_free)

/* The conflicts as [{"field", "kept", "other"}], the form of the push
 * answer.  (transfer full) */
JsonArray *cdm_merge_conflicts_to_json (CdmMerge *merge);

G_END_DECLS
