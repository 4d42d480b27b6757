/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-merge.c: the field-level merge of one pushed change (cdm-merge.h). */
#include "config.h"

#include "cdm-merge.h"

G_DEFINE_QUARK (cdm-merge-error-quark, cdm_merge_error)

static const char * const op_names[] = { "create", "update", "delete", NULL };
static const char * const status_names[] = { "applied", "merged", "conflict", "duplicate", NULL };

gboolean
cdm_merge_op_from_string (const char *name,
                          CdmMergeOp *out_op)
{
  int i = cdm_code_index (op_names, name);

  if (i < 0)
    return FALSE;
  if (out_op != NULL)
    *out_op = (CdmMergeOp) i;
  return TRUE;
}

const char *
cdm_merge_status_to_string (CdmMergeStatus status)
{
  g_return_val_if_fail (status <= CDM_MERGE_DUPLICATE, NULL);
  return status_names[status];
}

static void
conflict_free (gpointer data)
{
  CdmMergeConflict *conflict = data;

  g_free (conflict->field);
  g_clear_pointer (&conflict->kept, json_node_unref);
  g_clear_pointer (&conflict->other, json_node_unref);
  g_free (conflict);
}

void
cdm_merge_free (CdmMerge *merge)
{
  if (merge == NULL)
    return;
  g_clear_pointer (&merge->record, json_object_unref);
  g_ptr_array_unref (merge->applied);
  g_ptr_array_unref (merge->conflicts);
  g_free (merge);
}

static CdmMerge *
merge_new (void)
{
  CdmMerge *merge = g_new0 (CdmMerge, 1);

  merge->applied = g_ptr_array_new_with_free_func (g_free);
  merge->conflicts = g_ptr_array_new_with_free_func (conflict_free);
  return merge;
}

static JsonNode *
null_node (void)
{
  return json_node_new (JSON_NODE_NULL);
}

/* A member, absent and null alike being "no value". */
static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

static gboolean
is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static gboolean
values_equal (JsonNode *a,
              JsonNode *b)
{
  if (is_null (a) || is_null (b))
    return is_null (a) && is_null (b);
  return json_node_equal (a, b);
}

static JsonNode *
copy_or_null (JsonNode *node)
{
  return node != NULL ? json_node_copy (node) : null_node ();
}

static void
add_conflict (CdmMerge   *merge,
              const char *field,
              JsonNode   *kept,
              JsonNode   *other)
{
  CdmMergeConflict *conflict = g_new0 (CdmMergeConflict, 1);

  conflict->field = g_strdup (field);
  conflict->kept = copy_or_null (kept);
  conflict->other = copy_or_null (other);
  g_ptr_array_add (merge->conflicts, conflict);
}

/* Members that say where a record stands, not what it says: never merged. */
static gboolean
is_sync_member (const char *name)
{
  return g_str_equal (name, "type") || g_str_equal (name, "id") ||
         g_str_equal (name, "version") || g_str_equal (name, "updated_at") ||
         g_str_equal (name, "updated_by") || g_str_equal (name, "deleted");
}

/* The record without its sync members other than "type" and "id". */
static JsonObject *
record_copy (JsonObject *record)
{
  JsonObject *copy = json_object_new ();
  g_autoptr(GList) members = json_object_get_members (record);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      if (is_sync_member (name) && !g_str_equal (name, "type") && !g_str_equal (name, "id"))
        continue;
      json_object_set_member (copy, name, json_node_copy (json_object_get_member (record, name)));
    }
  return copy;
}

/* Decides one value: the entry set @mine (its old value @theirs_old, or
 * NULL when it gave none), the record holds @current.  Returns the value
 * to keep (borrowed from @mine or @current) and says whether it collided. */
typedef enum {
  PICK_UNCHANGED,   /* keep the record's value: the entry's, or one it did not change */
  PICK_MINE,
  PICK_COLLISION,
} Pick;

static Pick
pick (JsonNode *current,
      JsonNode *mine,
      JsonNode *mine_old,
      gboolean  has_old,
      gboolean  at_base)
{
  if (values_equal (current, mine))
    return PICK_UNCHANGED;
  /* The entry sends a whole object of which it changed one part: the
   * parts it left as they were are not its changes. */
  if (has_old && values_equal (mine, mine_old))
    return PICK_UNCHANGED;
  if (at_base)
    return PICK_MINE;
  if (has_old && values_equal (current, mine_old))
    return PICK_MINE;
  return PICK_COLLISION;
}

/* Whether a field is an object whose parts merge one by one. */
static gboolean
merges_by_part (CdmEntity   entity,
                const char *name)
{
  const CdmField *f = cdm_entity_field (entity, name);

  return f != NULL && (f->kind == CDM_FIELD_I18N || f->kind == CDM_FIELD_PROFILE);
}

static gboolean
object_or_null (JsonNode *node)
{
  return is_null (node) || JSON_NODE_HOLDS_OBJECT (node);
}

/* Merges the parts of an object field; returns the merged object (an
 * object, possibly with every part null: normalisation makes it null). */
static JsonNode *
merge_parts (CdmMerge   *merge,
             const char *name,
             JsonNode   *current,
             JsonNode   *mine,
             JsonNode   *mine_old,
             gboolean    has_old,
             gboolean    at_base)
{
  JsonObject *cur = is_null (current) ? NULL : json_node_get_object (current);
  JsonObject *new = is_null (mine) ? NULL : json_node_get_object (mine);
  JsonObject *old = is_null (mine_old) ? NULL : json_node_get_object (mine_old);
  g_autoptr(JsonObject) result = json_object_new ();
  g_autoptr(GHashTable) parts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GList) names = NULL;
  JsonObject *sources[] = { cur, new, old };

  /* Every part named on any side, in a stable order. */
  for (guint s = 0; s < G_N_ELEMENTS (sources); s++)
    {
      g_autoptr(GList) members = sources[s] ? json_object_get_members (sources[s]) : NULL;
      for (GList *l = members; l != NULL; l = l->next)
        if (g_hash_table_add (parts, l->data))
          names = g_list_append (names, l->data);
    }

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *part = l->data;
      JsonNode *c = member (cur, part);
      JsonNode *m = member (new, part);
      JsonNode *o = member (old, part);
      g_autofree char *path = g_strdup_printf ("%s.%s", name, part);

      /* A part the entry's value does not mention is not changed by it. */
      if (new != NULL && !json_object_has_member (new, part) && !is_null (mine))
        {
          json_object_set_member (result, part, copy_or_null (c));
          continue;
        }

      switch (pick (c, m, o, has_old, at_base))
        {
        case PICK_UNCHANGED:
          json_object_set_member (result, part, copy_or_null (c));
          break;
        case PICK_MINE:
          json_object_set_member (result, part, copy_or_null (m));
          g_ptr_array_add (merge->applied, g_steal_pointer (&path));
          break;
        case PICK_COLLISION:
        default:
          json_object_set_member (result, part, copy_or_null (c));
          add_conflict (merge, path, c, m);
          break;
        }
    }

  return json_node_init_object (json_node_alloc (), result);
}

static CdmMerge *
merge_fields (CdmEntity    entity,
              JsonObject  *current,
              gint64       base_version,
              JsonObject  *fields,
              JsonObject  *old)
{
  CdmMerge *merge = merge_new ();
  gint64 version = json_object_get_int_member_with_default (current, "version", 0);
  gboolean at_base = base_version == version;
  g_autoptr(GList) members = json_object_get_members (fields);
  gboolean changed = FALSE;

  merge->record = record_copy (current);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *c = member (current, name);
      JsonNode *m = json_object_get_member (fields, name);
      JsonNode *o = member (old, name);
      gboolean has_old = old != NULL && json_object_has_member (old, name);

      if (is_sync_member (name))
        continue;

      if (merges_by_part (entity, name) && object_or_null (c) && object_or_null (m) &&
          object_or_null (o) && !(is_null (c) && is_null (m)))
        {
          guint applied = merge->applied->len;
          JsonNode *merged = merge_parts (merge, name, c, m, o, has_old, at_base);

          if (merge->applied->len > applied)
            changed = TRUE;
          json_object_set_member (merge->record, name, merged);
          continue;
        }

      switch (pick (c, m, o, has_old, at_base))
        {
        case PICK_UNCHANGED:
          break;
        case PICK_MINE:
          json_object_set_member (merge->record, name, json_node_copy (m));
          g_ptr_array_add (merge->applied, g_strdup (name));
          changed = TRUE;
          break;
        case PICK_COLLISION:
        default:
          add_conflict (merge, name, c, m);
          break;
        }
    }

  merge->changed = changed;
  if (merge->conflicts->len > 0)
    merge->status = CDM_MERGE_CONFLICT;
  else
    merge->status = at_base ? CDM_MERGE_APPLIED : CDM_MERGE_MERGED;
  return merge;
}

/* A change to a tombstone: the tombstone stays, the change is the other
 * side of a collision on "deleted". */
static CdmMerge *
merge_on_tombstone (JsonObject *fields)
{
  CdmMerge *merge = merge_new ();
  g_autoptr(JsonNode) kept = json_node_init_boolean (json_node_alloc (), TRUE);
  g_autoptr(JsonObject) theirs = record_copy (fields);
  g_autoptr(JsonNode) other = json_node_init_object (json_node_alloc (), theirs);

  merge->status = CDM_MERGE_CONFLICT;
  add_conflict (merge, "deleted", kept, other);
  return merge;
}

static CdmMerge *
duplicate (void)
{
  CdmMerge *merge = merge_new ();

  merge->status = CDM_MERGE_DUPLICATE;
  return merge;
}

CdmMerge *
cdm_merge_entry (CdmEntity    entity,
                 JsonObject  *current,
                 CdmMergeOp   op,
                 gint64       base_version,
                 JsonObject  *fields,
                 JsonObject  *old,
                 GError     **error)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  gboolean append_only;
  gboolean tombstone;
  CdmMerge *merge;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (op <= CDM_MERGE_OP_DELETE, NULL);

  append_only = (info->flags & CDM_ENTITY_APPEND_ONLY) != 0;
  tombstone = current != NULL && json_object_get_boolean_member_with_default (current, "deleted", FALSE);

  if (fields == NULL && op != CDM_MERGE_OP_DELETE)
    {
      g_set_error (error, CDM_MERGE_ERROR, CDM_MERGE_ERROR_BAD_ENTRY,
                   "fields: a %s gives the fields it sets", op == CDM_MERGE_OP_CREATE ? "create" : "update");
      return NULL;
    }
  if (base_version < 0)
    {
      g_set_error (error, CDM_MERGE_ERROR, CDM_MERGE_ERROR_BAD_ENTRY,
                   "base_version: %" G_GINT64_FORMAT " is not a version", base_version);
      return NULL;
    }

  switch (op)
    {
    case CDM_MERGE_OP_CREATE:
      if (current == NULL)
        {
          merge = merge_new ();
          merge->status = CDM_MERGE_APPLIED;
          merge->record = record_copy (fields);
          merge->changed = TRUE;
          {
            g_autoptr(GList) members = json_object_get_members (merge->record);
            for (GList *l = members; l != NULL; l = l->next)
              if (!is_sync_member (l->data))
                g_ptr_array_add (merge->applied, g_strdup (l->data));
          }
          return merge;
        }
      if (append_only)
        return duplicate ();
      if (tombstone)
        return merge_on_tombstone (fields);
      merge = merge_fields (entity, current, 0, fields, NULL);
      if (merge->status != CDM_MERGE_CONFLICT && !merge->changed)
        merge->status = CDM_MERGE_DUPLICATE;
      return merge;

    case CDM_MERGE_OP_UPDATE:
      if (current == NULL)
        {
          g_set_error (error, CDM_MERGE_ERROR, CDM_MERGE_ERROR_NOT_FOUND,
                       "id: no %s has this id", info->name);
          return NULL;
        }
      if (append_only)
        {
          g_set_error (error, CDM_MERGE_ERROR, CDM_MERGE_ERROR_APPEND_ONLY,
                       "op: a %s is counted once written and is never updated; delete it and record a new one",
                       info->name);
          return NULL;
        }
      if (tombstone)
        return merge_on_tombstone (fields);
      return merge_fields (entity, current, base_version, fields, old);

    case CDM_MERGE_OP_DELETE:
    default:
      if (current == NULL)
        {
          g_set_error (error, CDM_MERGE_ERROR, CDM_MERGE_ERROR_NOT_FOUND,
                       "id: no %s has this id", info->name);
          return NULL;
        }
      if (tombstone)
        return duplicate ();
      merge = merge_new ();
      merge->deleted = TRUE;
      merge->changed = TRUE;
      merge->status = base_version == json_object_get_int_member_with_default (current, "version", 0) ?
                      CDM_MERGE_APPLIED : CDM_MERGE_MERGED;
      g_ptr_array_add (merge->applied, g_strdup ("deleted"));
      return merge;
    }
}

JsonArray *
cdm_merge_conflicts_to_json (CdmMerge *merge)
{
  JsonArray *array = json_array_new ();

  g_return_val_if_fail (merge != NULL, array);

  for (guint i = 0; i < merge->conflicts->len; i++)
    {
      CdmMergeConflict *conflict = g_ptr_array_index (merge->conflicts, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "field", conflict->field);
      json_object_set_member (object, "kept", json_node_copy (conflict->kept));
      json_object_set_member (object, "other", json_node_copy (conflict->other));
      json_array_add_object_element (array, object);
    }
  return array;
}
