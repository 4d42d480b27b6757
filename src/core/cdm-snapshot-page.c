/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-snapshot-page.c: snapshot pages read without trees (cdm-snapshot-page.h).
 *
 * Every check on a record is done in the order cdm_sync_store_check_records()
 * and cdm_record_normalize() do it, through the same rule functions, so
 * that a bad page is refused with the same message by both paths: the
 * record's shape, its "type", "id", "version", "deleted", then unknown
 * members, then each field in the entity's order, then the rules across
 * fields.  A member named twice in one object counts once, with its last
 * value, as json-glib reads it: cdm-server writes a record's "version" and
 * "deleted" after its body, which may hold older ones.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cdm-schema-private.h"
#include "cdm-snapshot-page.h"
#include "cdm-sync.h"
#include "cdm-sync-store.h"

/* Column layout of each entity, as cdm-store.c's add_field_columns(). */
static guint
field_columns (const CdmField *f)
{
  switch (f->kind)
    {
    case CDM_FIELD_I18N:
      return 3;
    case CDM_FIELD_PROFILE:
      return cdm_n_profile_fields;
    case CDM_FIELD_REFS:
      return 0;
    case CDM_FIELD_TIMESTAMP:
      return 1 + (f->unix_column != NULL) + (f->day_column != NULL);
    case CDM_FIELD_TEXT:
    case CDM_FIELD_CODE:
    case CDM_FIELD_CODES:
    case CDM_FIELD_LANGUAGE:
    case CDM_FIELD_LANGUAGES:
    case CDM_FIELD_STRINGS:
    case CDM_FIELD_INT:
    case CDM_FIELD_BOOL:
    case CDM_FIELD_DATE:
    case CDM_FIELD_PEOPLE:
    case CDM_FIELD_REF:
    default:
      return 1;
    }
}

guint
cdm_snapshot_n_columns (CdmEntity entity)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  guint n = 0;

  for (guint i = 0; i < info->n_fields; i++)
    n += field_columns (&info->fields[i]);
  return n;
}

void
cdm_snapshot_page_free (CdmSnapshotPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->bytes, g_bytes_unref);
  if (page->text != NULL)
    g_string_free (page->text, TRUE);
  g_clear_pointer (&page->records, g_array_unref);
  g_clear_pointer (&page->values, g_array_unref);
  g_clear_pointer (&page->links, g_array_unref);
  g_free (page->next);
  g_free (page);
}

typedef struct {
  CdmSnapshotPage *page;
  const CdmEntityInfo *info;
  CdmJsonScan scan;
  guint index;            /* of the record, for messages */
  CdmValue *row;          /* the record's values */
  guint column;
  guint *member;          /* per field: the value's token, or 0 */
} Reader;

static gboolean G_GNUC_PRINTF (2, 3)
bad_page (GError    **error,
          const char *format,
          ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CDM_SYNC_STORE_ERROR, CDM_SYNC_STORE_ERROR_BAD_PAGE,
               _("The server's answer was refused, nothing was applied: %s"), message);
  return FALSE;
}

/* A record error as cdm_sync_store_check_records() words it. */
static gboolean
bad_record (Reader  *r,
            GError  *record_error,
            GError **error)
{
  bad_page (error, _("item %u: %s"), r->index, record_error->message);
  g_error_free (record_error);
  return FALSE;
}

static gsize
keep_text (Reader     *r,
           const char *text,
           gsize       len)
{
  gsize offset = r->page->text->len;

  g_string_append_len (r->page->text, text, len);
  g_string_append_c (r->page->text, '\0');
  return offset;
}

static void
put_null (Reader *r)
{
  r->row[r->column++].type = CDM_VALUE_NULL;
}

static void
put_int (Reader *r,
         gint64  i)
{
  CdmValue *v = &r->row[r->column++];

  v->type = CDM_VALUE_INT;
  v->i = i;
}

static void
put_text (Reader     *r,
          const char *text,
          gsize       len)
{
  CdmValue *v = &r->row[r->column++];

  v->type = CDM_VALUE_TEXT;
  v->len = len;
  v->text = keep_text (r, text, len);
}

/* A string member, checked and trimmed in place; *out is NULL when empty. */
/* The index of a member's name in a NULL-terminated list, or -1. */
static int
find_key (const char * const *keys,
          const char         *name)
{
  for (int j = 0; keys[j] != NULL; j++)
    if (g_str_equal (keys[j], name))
      return j;
  return -1;
}

static int
find_person_key (const char *name)
{
  return find_key (_cdm_person_keys, name);
}

static int
find_language (const char *name)
{
  return find_key (_cdm_i18n_languages, name);
}

static int
find_profile_item (const char *name)
{
  for (guint j = 0; j < cdm_n_profile_fields; j++)
    if (g_str_equal (cdm_profile_fields[j].name, name))
      return (int) j;
  return -1;
}

/* Where each member of the object at token @t is: @slots[i] gets the
 * token of the value whose name @find maps to i (0 when absent).  A name
 * it does not know refuses the record, as cdm_record_normalize() does. */
static gboolean
member_slots (Reader        *r,
              guint          t,
              int          (*find) (const char *name),
              guint         *slots,
              CdmUnknownIn   where,
              const char    *field,
              GError       **error)
{
  guint size = cdm_json_scan_token (&r->scan, t)->size;
  guint m = t + 1;

  for (guint k = 0; k < size; k++, m = cdm_json_scan_token (&r->scan, m + 1)->next)
    {
      const char *name = cdm_json_scan_text (&r->scan, cdm_json_scan_token (&r->scan, m));
      int index = find (name);

      if (index < 0)
        return _cdm_rule_unknown_member (where, field, name, error);
      slots[index] = m + 1;
    }
  return TRUE;
}

static gboolean
read_string (Reader      *r,
             const char  *field,
             guint        t,
             gint64       max,
             char       **out,
             gsize       *out_len,
             GError     **error)
{
  CdmJsonToken *token = cdm_json_scan_token (&r->scan, t);
  char *text;
  gsize start, len;

  if (token->kind != CDM_JSON_STRING)
    return _cdm_rule_wrong_type (field, token->kind, CDM_EXPECT_STRING, error);
  text = cdm_json_scan_text (&r->scan, token);
  if (!_cdm_rule_string (field, text, token->len, max, &start, &len, error))
    return FALSE;
  text[start + len] = '\0';
  *out = len > 0 ? text + start : NULL;
  *out_len = len;
  return TRUE;
}

/* JSON text as json-glib writes it (json_to_string (node, FALSE)), so that
 * both paths store the same bytes. */
static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          /* json-glib leaves 0x1f as it is and escapes 0x7f. */
          if (*p < 0x1f || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, *p);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static gboolean read_value (Reader          *r,
                            const CdmField  *f,
                            guint            field_index,
                            const char      *field,
                            guint            t,
                            gboolean        *out_present,
                            GError         **error);

static gboolean
read_array (Reader          *r,
            const CdmField  *f,
            guint            field_index,
            const char      *field,
            guint            t,
            GError         **error)
{
  CdmJsonToken *array = cdm_json_scan_token (&r->scan, t);
  guint n = array->size;
  guint item = t + 1;
  gint64 mask = 0;
  g_autoptr(GString) json = NULL;
  g_autoptr(GPtrArray) kept = NULL;   /* LANGUAGES, REFS: for duplicates */

  if (array->kind != CDM_JSON_ARRAY)
    return _cdm_rule_wrong_type (field, array->kind, CDM_EXPECT_ARRAY, error);
  if (!_cdm_rule_items (field, n, error))
    return FALSE;
  if (f->kind != CDM_FIELD_CODES && n > 0)
    json = g_string_new ("[");
  if ((f->kind == CDM_FIELD_LANGUAGES || f->kind == CDM_FIELD_REFS) && n > 0)
    kept = g_ptr_array_new ();

  for (guint i = 0; i < n; i++, item = cdm_json_scan_token (&r->scan, item)->next)
    {
      char item_field[128];
      char *text = NULL;
      gsize len = 0;
      int index;

      g_snprintf (item_field, sizeof item_field, "%s[%u]", field, i);
      switch (f->kind)
        {
        case CDM_FIELD_CODES:
          if (!read_string (r, item_field, item, 100, &text, &len, error) ||
              !_cdm_rule_code (item_field, f->codes, text, &index, error))
            return FALSE;
          mask |= G_GINT64_CONSTANT (1) << index;
          break;

        case CDM_FIELD_LANGUAGES:
        case CDM_FIELD_REFS:
          if (f->kind == CDM_FIELD_LANGUAGES ?
              (!read_string (r, item_field, item, 100, &text, &len, error) ||
               !_cdm_rule_language (item_field, text, error)) :
              (!read_string (r, item_field, item, 36, &text, &len, error) ||
               !_cdm_rule_ref (item_field, text, error)))
            return FALSE;
          {
            gboolean seen = FALSE;
            for (guint j = 0; j < kept->len && !seen; j++)
              seen = g_str_equal (kept->pdata[j], text);
            if (seen)
              break;
            g_ptr_array_add (kept, text);
          }
          if (f->kind == CDM_FIELD_REFS)
            {
              CdmLink link = { field_index, keep_text (r, text, len) };
              g_array_append_val (r->page->links, link);
            }
          else
            {
              if (kept->len > 1)
                g_string_append_c (json, ',');
              append_json_string (json, text);
            }
          break;

        case CDM_FIELD_STRINGS:
          if (!read_string (r, item_field, item, f->max, &text, &len, error))
            return FALSE;
          if (text != NULL)
            {
              if (json->len > 1)
                g_string_append_c (json, ',');
              append_json_string (json, text);
            }
          break;

        case CDM_FIELD_PEOPLE:
          {
            CdmJsonToken *person = cdm_json_scan_token (&r->scan, item);
            guint values[4] = { 0 };
            char *texts[4] = { NULL };

            if (person->kind != CDM_JSON_OBJECT)
              return _cdm_rule_wrong_type (item_field, person->kind, CDM_EXPECT_OBJECT, error);
            if (!member_slots (r, item, find_person_key, values, CDM_UNKNOWN_IN_OBJECT, item_field, error))
              return FALSE;
            for (guint k = 0; k < 4; k++)
              {
                char sub[160];

                g_snprintf (sub, sizeof sub, "%s.%s", item_field, _cdm_person_keys[k]);
                if (values[k] != 0 && cdm_json_scan_token (&r->scan, values[k])->kind != CDM_JSON_NULL &&
                    !read_string (r, sub, values[k], f->max, &texts[k], &len, error))
                  return FALSE;
              }
            if (!_cdm_rule_person_name (item_field, texts[0] != NULL, error))
              return FALSE;
            g_string_append (json, json->len > 1 ? ",{" : "{");
            for (guint k = 0; k < 4; k++)
              {
                g_string_append_printf (json, k > 0 ? ",\"%s\":" : "\"%s\":", _cdm_person_keys[k]);
                if (texts[k] != NULL)
                  append_json_string (json, texts[k]);
                else
                  g_string_append (json, "null");
              }
            g_string_append_c (json, '}');
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

  switch (f->kind)
    {
    case CDM_FIELD_CODES:
      put_int (r, mask);
      break;
    case CDM_FIELD_REFS:
      break;
    case CDM_FIELD_LANGUAGES:
    case CDM_FIELD_STRINGS:
    case CDM_FIELD_PEOPLE:
    default:
      /* An empty list is stored as NULL. */
      if (json == NULL || json->len == 1)
        put_null (r);
      else
        {
          g_string_append_c (json, ']');
          put_text (r, json->str, json->len);
        }
      break;
    }
  return TRUE;
}

/* Puts the columns of an absent (or null) field, as its canonical empty. */
static void
put_empty (Reader         *r,
           const CdmField *f)
{
  switch (f->kind)
    {
    case CDM_FIELD_CODES:
      put_int (r, 0);
      break;
    case CDM_FIELD_BOOL:
      if (g_str_equal (f->name, "active"))
        put_int (r, 1);
      else
        put_null (r);
      break;
    case CDM_FIELD_REFS:
      break;
    case CDM_FIELD_TEXT:
    case CDM_FIELD_CODE:
    case CDM_FIELD_LANGUAGE:
    case CDM_FIELD_LANGUAGES:
    case CDM_FIELD_STRINGS:
    case CDM_FIELD_PEOPLE:
    case CDM_FIELD_INT:
    case CDM_FIELD_DATE:
    case CDM_FIELD_TIMESTAMP:
    case CDM_FIELD_I18N:
    case CDM_FIELD_PROFILE:
    case CDM_FIELD_REF:
    default:
      for (guint c = field_columns (f); c > 0; c--)
        put_null (r);
      break;
    }
}

/* @t: the value's token, not null.  *out_present: whether the value
 * amounts to something (not an empty string, not a name without text). */
static gboolean
read_value (Reader          *r,
            const CdmField  *f,
            guint            field_index,
            const char      *field,
            guint            t,
            gboolean        *out_present,
            GError         **error)
{
  CdmJsonToken *token = cdm_json_scan_token (&r->scan, t);
  char *text = NULL;
  gsize len = 0;
  gint64 n;

  *out_present = TRUE;
  switch (f->kind)
    {
    case CDM_FIELD_TEXT:
      if (!read_string (r, field, t, f->max, &text, &len, error))
        return FALSE;
      *out_present = text != NULL;
      if (text != NULL)
        put_text (r, text, len);
      else
        put_null (r);
      return TRUE;

    case CDM_FIELD_CODE:
      if (!read_string (r, field, t, 100, &text, &len, error) ||
          !_cdm_rule_code (field, f->codes, text, NULL, error))
        return FALSE;
      put_text (r, text, len);
      return TRUE;

    case CDM_FIELD_LANGUAGE:
      if (!read_string (r, field, t, 100, &text, &len, error) ||
          !_cdm_rule_language (field, text, error))
        return FALSE;
      put_text (r, text, len);
      return TRUE;

    case CDM_FIELD_INT:
      if (token->kind != CDM_JSON_NUMBER)
        return _cdm_rule_wrong_type (field, token->kind, CDM_EXPECT_WHOLE_NUMBER, error);
      if (!_cdm_rule_whole_number (field, token->is_int, token->i, token->d, &n, error) ||
          !_cdm_rule_int_range (f, field, n, error))
        return FALSE;
      put_int (r, n);
      return TRUE;

    case CDM_FIELD_BOOL:
      if (token->kind != CDM_JSON_BOOLEAN)
        return _cdm_rule_wrong_type (field, token->kind, CDM_EXPECT_BOOLEAN, error);
      put_int (r, token->boolean);
      return TRUE;

    case CDM_FIELD_DATE:
      if (!read_string (r, field, t, 10, &text, &len, error) ||
          !_cdm_rule_date (field, text, error))
        return FALSE;
      put_text (r, text, len);
      return TRUE;

    case CDM_FIELD_TIMESTAMP:
      if (!read_string (r, field, t, 64, &text, &len, error) ||
          !_cdm_rule_timestamp (field, text, &n, error))
        return FALSE;
      put_text (r, text, len);
      if (f->unix_column != NULL)
        put_int (r, n);
      if (f->day_column != NULL)
        {
          put_int (r, n);
          r->row[r->column - 1].type = CDM_VALUE_DAY;
        }
      return TRUE;

    case CDM_FIELD_I18N:
      {
        guint values[3] = { 0 };
        char *texts[3] = { NULL };
        gsize lens[3] = { 0 };

        if (token->kind != CDM_JSON_OBJECT)
          return _cdm_rule_wrong_type (field, token->kind, CDM_EXPECT_I18N, error);
        if (!member_slots (r, t, find_language, values, CDM_UNKNOWN_IN_I18N, field, error))
          return FALSE;
        for (guint k = 0; k < 3; k++)
          {
            char sub[160];

            g_snprintf (sub, sizeof sub, "%s.%s", field, _cdm_i18n_languages[k]);
            if (values[k] != 0 && cdm_json_scan_token (&r->scan, values[k])->kind != CDM_JSON_NULL &&
                !read_string (r, sub, values[k], f->max, &texts[k], &lens[k], error))
              return FALSE;
          }
        *out_present = texts[0] != NULL || texts[1] != NULL || texts[2] != NULL;
        for (guint k = 0; k < 3; k++)
          if (texts[k] != NULL)
            put_text (r, texts[k], lens[k]);
          else
            put_null (r);
        return TRUE;
      }

    case CDM_FIELD_PROFILE:
      {
        guint values[16] = { 0 };

        g_assert (cdm_n_profile_fields <= G_N_ELEMENTS (values));
        if (token->kind != CDM_JSON_OBJECT)
          return _cdm_rule_wrong_type (field, token->kind, CDM_EXPECT_OBJECT, error);
        if (!member_slots (r, t, find_profile_item, values, CDM_UNKNOWN_IN_OBJECT, field, error))
          return FALSE;
        for (guint k = 0; k < cdm_n_profile_fields; k++)
          {
            char sub[160];
            gboolean present;

            if (values[k] == 0 || cdm_json_scan_token (&r->scan, values[k])->kind == CDM_JSON_NULL)
              {
                put_null (r);
                continue;
              }
            g_snprintf (sub, sizeof sub, "%s.%s", field, cdm_profile_fields[k].name);
            if (!read_value (r, &cdm_profile_fields[k], k, sub, values[k], &present, error))
              return FALSE;
          }
        return TRUE;
      }

    case CDM_FIELD_REF:
      if (!read_string (r, field, t, 36, &text, &len, error) ||
          !_cdm_rule_ref (field, text, error))
        return FALSE;
      put_text (r, text, len);
      return TRUE;

    case CDM_FIELD_CODES:
    case CDM_FIELD_LANGUAGES:
    case CDM_FIELD_STRINGS:
    case CDM_FIELD_PEOPLE:
    case CDM_FIELD_REFS:
      return read_array (r, f, field_index, field, t, error);

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

static const char *
token_string (Reader *r,
              guint   t)
{
  CdmJsonToken *token;

  if (t == 0)
    return NULL;
  token = cdm_json_scan_token (&r->scan, t);
  return token->kind == CDM_JSON_STRING ? cdm_json_scan_text (&r->scan, token) : NULL;
}

/* The record just scanned (token 0). */
static gboolean
read_record (Reader  *r,
             GError **error)
{
  const CdmEntityInfo *info = r->info;
  CdmSnapshotPage *page = r->page;
  CdmJsonToken *object = cdm_json_scan_token (&r->scan, 0);
  CdmSnapshotRecord rec = { 0 };
  guint type_t = 0, id_t = 0, version_t = 0, deleted_t = 0, updated_at_t = 0, updated_by_t = 0;
  const char *unknown = NULL;
  GError *record_error = NULL;
  const char *id;
  CdmJsonToken *token;
  guint m = 1;

  if (object->kind != CDM_JSON_OBJECT)
    return bad_page (error, _("record %u is not an object"), r->index);

  memset (r->member, 0, sizeof (guint) * info->n_fields);
  for (guint k = 0; k < object->size; k++, m = cdm_json_scan_token (&r->scan, m + 1)->next)
    {
      const char *name = cdm_json_scan_text (&r->scan, cdm_json_scan_token (&r->scan, m));
      guint *slot = NULL;

      if (g_str_equal (name, "type"))
        slot = &type_t;
      else if (g_str_equal (name, "id"))
        slot = &id_t;
      else if (g_str_equal (name, "version"))
        slot = &version_t;
      else if (g_str_equal (name, "deleted"))
        slot = &deleted_t;
      else if (g_str_equal (name, "updated_at"))
        slot = &updated_at_t;
      else if (g_str_equal (name, "updated_by"))
        slot = &updated_by_t;
      else
        {
          for (guint i = 0; i < info->n_fields && slot == NULL; i++)
            if (g_str_equal (info->fields[i].name, name))
              slot = &r->member[i];
          if (slot == NULL)
            {
              if (unknown == NULL)
                unknown = name;
              continue;
            }
        }
      *slot = m + 1;
    }

  if (type_t != 0)
    {
      const char *type = token_string (r, type_t);
      CdmEntity named = CDM_N_ENTITIES;
      gboolean synced = FALSE;

      if (type != NULL && cdm_entity_from_name (type, &named))
        for (guint i = 0; i < cdm_sync_n_entities; i++)
          synced |= cdm_sync_entities[i] == named;
      if (!synced || named != info->entity)
        return bad_page (error, _("record %u is not a %s"), r->index, info->name);
    }

  id = token_string (r, id_t);
  if (id == NULL || !cdm_uuid_valid (id))
    return bad_page (error, _("item %u: “id” is not a UUID"), r->index);
  token = version_t != 0 ? cdm_json_scan_token (&r->scan, version_t) : NULL;
  if (token == NULL || token->kind != CDM_JSON_NUMBER || !token->is_int || token->i < 0)
    return bad_page (error, _("item %u: “version” is not a version number"), r->index);
  rec.version = token->i;
  token = deleted_t != 0 ? cdm_json_scan_token (&r->scan, deleted_t) : NULL;
  if (token != NULL && token->kind != CDM_JSON_NULL && token->kind != CDM_JSON_BOOLEAN)
    return bad_page (error, _("item %u: “deleted” is not true or false"), r->index);
  rec.deleted = token != NULL && token->kind == CDM_JSON_BOOLEAN && token->boolean;

  rec.id = keep_text (r, id, strlen (id));
  rec.updated_at = token_string (r, updated_at_t) != NULL ?
                   keep_text (r, token_string (r, updated_at_t), strlen (token_string (r, updated_at_t))) :
                   G_MAXSIZE;
  rec.updated_by = token_string (r, updated_by_t) != NULL ?
                   keep_text (r, token_string (r, updated_by_t), strlen (token_string (r, updated_by_t))) :
                   G_MAXSIZE;
  rec.raw_start = object->start;
  rec.raw_end = object->end;
  rec.first_value = page->values->len;
  rec.first_link = page->links->len;

  /* The increasing order lets the writer skip its probes (cdm-store-sync.c). */
  if (page->records->len > 0)
    {
      CdmSnapshotRecord *last = &g_array_index (page->records, CdmSnapshotRecord, page->records->len - 1);
      if (strcmp (cdm_snapshot_page_text (page, last->id), id) >= 0)
        page->increasing = FALSE;
    }

  /* A tombstone's last body does not matter: it is written the old way. */
  if (rec.deleted)
    {
      g_array_append_val (page->records, rec);
      return TRUE;
    }

  if (unknown != NULL)
    {
      _cdm_rule_unknown_member (CDM_UNKNOWN_IN_RECORD, info->name, unknown, &record_error);
      return bad_record (r, record_error, error);
    }

  g_array_set_size (page->values, rec.first_value + page->n_columns);
  r->row = &g_array_index (page->values, CdmValue, rec.first_value);
  r->column = 0;
  for (guint i = 0; i < info->n_fields; i++)
    {
      const CdmField *f = &info->fields[i];
      guint t = r->member[i];
      gboolean present = FALSE;
      guint column = r->column;

      if (t != 0 && cdm_json_scan_token (&r->scan, t)->kind != CDM_JSON_NULL)
        {
          if (!read_value (r, f, i, f->name, t, &present, &record_error))
            return bad_record (r, record_error, error);
        }
      if (!_cdm_rule_required (f, present, &record_error))
        return bad_record (r, record_error, error);
      if (!present)
        {
          r->column = column;
          put_empty (r, f);
        }
    }
  g_assert (r->column == page->n_columns);

  /* Rules across fields. */
  if (info->entity == CDM_ENTITY_CLOSURE || info->entity == CDM_ENTITY_CONTACT)
    {
      guint column = 0;
      const CdmValue *from = NULL, *to = NULL, *received = NULL, *answered = NULL;

      for (guint i = 0; i < info->n_fields; i++)
        {
          const CdmField *f = &info->fields[i];

          if (g_str_equal (f->name, "from"))
            from = &r->row[column];
          else if (g_str_equal (f->name, "to"))
            to = &r->row[column];
          else if (g_str_equal (f->name, "received_at"))
            received = &r->row[column + 1];
          else if (g_str_equal (f->name, "answered_at"))
            answered = &r->row[column + 1];
          column += field_columns (f);
        }
      if (from != NULL && to != NULL &&
          !_cdm_rule_closure (cdm_snapshot_page_text (page, from->text),
                              cdm_snapshot_page_text (page, to->text), &record_error))
        return bad_record (r, record_error, error);
      if (received != NULL && answered != NULL && answered->type != CDM_VALUE_NULL &&
          !_cdm_rule_answered (received->type != CDM_VALUE_NULL, received->i, answered->i, &record_error))
        return bad_record (r, record_error, error);
    }

  rec.n_links = page->links->len - rec.first_link;
  g_array_append_val (page->records, rec);
  return TRUE;
}

static gboolean G_GNUC_PRINTF (3, 4)
bad_answer (GError    **error,
            GError     *scan_error,
            const char *format,
            ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (scan_error != NULL)
    {
      g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BAD_ANSWER,
                   _("The server's answer to %s is not JSON; nothing of it was applied (%s)"),
                   message, scan_error->message);
      g_error_free (scan_error);
    }
  else
    g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BAD_ANSWER,
                 _("The server's answer was refused, nothing was applied: %s"), message);
  return FALSE;
}

static gboolean
read_page (Reader  *r,
           GError **error)
{
  CdmSnapshotPage *page = r->page;
  CdmJsonScan *scan = &r->scan;
  const char *name = r->info->name;
  GError *scan_error = NULL;
  gboolean have_records = FALSE, have_next = FALSE, next_bad = FALSE;
  GError *record_error = NULL;

  /* JSON errors come first, whatever the records hold, as when the whole
   * answer was parsed before it was checked. */
  if (!cdm_json_scan_expect (scan, '{', &scan_error))
    goto not_json;
  if (!cdm_json_scan_accept (scan, '}'))
    {
      do
        {
          const char *key;

          cdm_json_scan_reset (scan);
          if (!cdm_json_scan_value (scan, 1, &scan_error))
            goto not_json;
          if (cdm_json_scan_token (scan, 0)->kind != CDM_JSON_STRING)
            {
              scan_error = g_error_new (CDM_JSON_SCAN_ERROR, 0, _("a member name expected"));
              goto not_json;
            }
          key = cdm_json_scan_text (scan, cdm_json_scan_token (scan, 0));
          if (!cdm_json_scan_expect (scan, ':', &scan_error))
            goto not_json;

          if (g_str_equal (key, "records") && !have_records)
            {
              have_records = TRUE;
              if (!cdm_json_scan_accept (scan, '['))
                {
                  /* Not an array: the same as none. */
                  have_records = FALSE;
                  cdm_json_scan_reset (scan);
                  if (!cdm_json_scan_value (scan, 1, &scan_error))
                    goto not_json;
                  continue;
                }
              if (!cdm_json_scan_accept (scan, ']'))
                {
                  do
                    {
                      cdm_json_scan_reset (scan);
                      if (!cdm_json_scan_value (scan, 2, &scan_error))
                        goto not_json;
                      /* The first bad record decides; the rest is only scanned. */
                      if (record_error == NULL)
                        read_record (r, &record_error);
                      r->index++;
                    }
                  while (cdm_json_scan_accept (scan, ','));
                  if (!cdm_json_scan_expect (scan, ']', &scan_error))
                    goto not_json;
                }
            }
          else if (g_str_equal (key, "next") && !have_next)
            {
              CdmJsonToken *next;

              have_next = TRUE;
              cdm_json_scan_reset (scan);
              if (!cdm_json_scan_value (scan, 1, &scan_error))
                goto not_json;
              next = cdm_json_scan_token (scan, 0);
              if (next->kind == CDM_JSON_STRING && cdm_uuid_valid (cdm_json_scan_text (scan, next)))
                page->next = g_strdup (cdm_json_scan_text (scan, next));
              else if (next->kind != CDM_JSON_NULL)
                next_bad = TRUE;
            }
          else if (g_str_equal (key, "records") || g_str_equal (key, "next"))
            {
              g_clear_error (&record_error);
              return bad_answer (error, NULL, _("the snapshot of %s names “%s” twice"), name, key);
            }
          else
            {
              cdm_json_scan_reset (scan);
              if (!cdm_json_scan_value (scan, 1, &scan_error))
                goto not_json;
            }
        }
      while (cdm_json_scan_accept (scan, ','));
      if (!cdm_json_scan_expect (scan, '}', &scan_error))
        goto not_json;
    }
  if (!cdm_json_scan_end (scan, &scan_error))
    goto not_json;

  if (!have_records)
    {
      g_clear_error (&record_error);
      return bad_answer (error, NULL, _("the snapshot of %s has no “records”"), name);
    }
  if (next_bad)
    {
      g_clear_error (&record_error);
      return bad_answer (error, NULL, _("the snapshot of %s has a “next” that is not an id"), name);
    }
  if (record_error != NULL)
    {
      g_propagate_error (error, record_error);
      return FALSE;
    }
  /* A "next" with an empty page would ask for the same page again. */
  if (page->records->len == 0)
    g_clear_pointer (&page->next, g_free);
  return TRUE;

not_json:
  g_clear_error (&record_error);
  {
    g_autofree char *what = g_strdup_printf ("GET /sync/snapshot?type=%s", name);
    return bad_answer (error, scan_error, "%s", what);
  }
}

CdmSnapshotPage *
cdm_snapshot_page_read (CdmEntity    entity,
                        GBytes      *bytes,
                        GError     **error)
{
  g_autoptr(CdmSnapshotPage) page = g_new0 (CdmSnapshotPage, 1);
  Reader r = { 0 };
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  gboolean ok;

  g_return_val_if_fail (bytes != NULL, NULL);

  page->entity = entity;
  page->bytes = g_bytes_ref (bytes);
  page->text = g_string_sized_new (size / 2 + 64);
  page->records = g_array_new (FALSE, FALSE, sizeof (CdmSnapshotRecord));
  page->values = g_array_new (FALSE, FALSE, sizeof (CdmValue));
  page->links = g_array_new (FALSE, FALSE, sizeof (CdmLink));
  page->n_columns = cdm_snapshot_n_columns (entity);
  page->increasing = TRUE;

  r.page = page;
  r.info = cdm_entity_info (entity);
  r.member = g_new0 (guint, r.info->n_fields);
  cdm_json_scan_init (&r.scan, data != NULL ? data : "", size);
  ok = read_page (&r, error);
  cdm_json_scan_clear (&r.scan);
  g_free (r.member);
  if (!ok)
    return NULL;
  return g_steal_pointer (&page);
}
