/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-interchange.c: NDJSON import and export (DESIGN.md section 7), and
 * the line reader and import path that the CSV module shares.
 *
 * An import runs in one bulk transaction: every record goes through
 * cdm_store_put(), which validates it and checks its references, and the
 * first refused line rolls everything back.  So a file with a bad line
 * changes nothing, and its error names the line.
 *
 * Ids.  A record without an id gets a name-based UUID computed from its
 * type and its canonical form (cdm_record_normalize(), then the compact
 * form that export writes), so the same line imported twice is the same
 * record and the second import finds it unchanged, however its JSON was
 * spelt (member order, spaces, nulls).  Identical lines without ids in one file are distinct
 * records (two anonymous contacts can be alike in every field): the n-th
 * copy of a line gets the id of "its content + n", so they all count, and
 * importing the file again still maps each copy to the same id.
 *
 * Export writes parents before children (partners and resources, then
 * activities, their attendance, contacts that refer to partners and
 * resources, then the rest), in creation order, so that a file imports
 * back.  Users and desks are not exported: they come from the server.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cdm-interchange-private.h"

G_DEFINE_QUARK (cdm-import-error-quark, cdm_import_error)

#define READ_CHUNK  (64 * 1024)
#define WRITE_CHUNK (64 * 1024)

/* Line reader */

struct _CdmLineReader {
  GInputStream *input;
  guint8 *chunk;
  gsize chunk_len;
  gsize chunk_pos;
  GByteArray *line;
  guint line_number;
  gboolean eof;
};

CdmLineReader *
_cdm_line_reader_new (GInputStream *input)
{
  CdmLineReader *self = g_new0 (CdmLineReader, 1);

  self->input = g_object_ref (input);
  self->chunk = g_malloc (READ_CHUNK);
  self->line = g_byte_array_new ();
  return self;
}

void
_cdm_line_reader_free (CdmLineReader *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->input);
  g_free (self->chunk);
  g_byte_array_unref (self->line);
  g_free (self);
}

guint
_cdm_line_reader_get_line_number (CdmLineReader *self)
{
  return self->line_number;
}

static void
set_too_long (GError **error,
              guint    line)
{
  g_set_error (error, CDM_IMPORT_ERROR, CDM_IMPORT_ERROR_TOO_LONG,
               _("line %u: longer than the limit of 1 MiB"), line);
}

gboolean
_cdm_line_reader_next (CdmLineReader  *self,
                       const char    **out_line,
                       gsize          *out_len,
                       GCancellable   *cancellable,
                       GError        **error)
{
  /* Room for a byte order mark and a CRLF beyond the limit. */
  const gsize hard_limit = CDM_IMPORT_MAX_LINE + 5;
  gboolean first = self->line_number == 0;
  gsize content;

  *out_line = NULL;
  *out_len = 0;
  g_byte_array_set_size (self->line, 0);

  for (;;)
    {
      const guint8 *start, *newline;
      gsize take;

      if (self->chunk_pos == self->chunk_len)
        {
          gssize n;

          if (self->eof)
            break;
          n = g_input_stream_read (self->input, self->chunk, READ_CHUNK,
                                   cancellable, error);
          if (n < 0)
            return FALSE;
          if (n == 0)
            {
              self->eof = TRUE;
              break;
            }
          self->chunk_len = n;
          self->chunk_pos = 0;
        }

      start = self->chunk + self->chunk_pos;
      newline = memchr (start, '\n', self->chunk_len - self->chunk_pos);
      take = newline != NULL ? (gsize) (newline - start) + 1
                             : self->chunk_len - self->chunk_pos;

      /* Never hold more than the limit of one line in memory. */
      if (self->line->len + take > hard_limit)
        {
          set_too_long (error, self->line_number + 1);
          return FALSE;
        }

      g_byte_array_append (self->line, start, take);
      self->chunk_pos += take;
      if (newline != NULL)
        break;
    }

  if (self->line->len == 0)
    return TRUE;

  self->line_number++;

  if (first && self->line->len >= 3 && memcmp (self->line->data, "\xEF\xBB\xBF", 3) == 0)
    g_byte_array_remove_range (self->line, 0, 3);

  content = self->line->len;
  if (content > 0 && self->line->data[content - 1] == '\n')
    content--;
  if (content > 0 && self->line->data[content - 1] == '\r')
    content--;
  if (content > CDM_IMPORT_MAX_LINE)
    {
      set_too_long (error, self->line_number);
      return FALSE;
    }

  *out_len = self->line->len;
  g_byte_array_append (self->line, (const guint8 *) "", 1);
  *out_line = (const char *) self->line->data;
  return TRUE;
}

/* Records */

/* A copy of @node without null members in its objects, or NULL when
 * nothing is left: absent and null mean the same on import, and a contact
 * with no profile should not cost nine nulls a line. */
static JsonNode *
copy_without_nulls (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_NULL:
      return NULL;

    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(JsonObject) copy = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init_ordered (&iter, object);
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            JsonNode *kept = copy_without_nulls (member);

            if (kept != NULL)
              json_object_set_member (copy, name, kept);
          }
        if (json_object_get_size (copy) == 0)
          return NULL;
        return json_node_init_object (json_node_alloc (), copy);
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        g_autoptr(JsonArray) copy = json_array_sized_new (json_array_get_length (array));

        /* Elements are kept, even empty ones, so that lists keep their
         * length and order. */
        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            JsonNode *element = json_array_get_element (array, i);
            JsonNode *kept = copy_without_nulls (element);

            if (kept == NULL && JSON_NODE_HOLDS_OBJECT (element))
              {
                kept = json_node_new (JSON_NODE_OBJECT);
                json_node_take_object (kept, json_object_new ());
              }
            else if (kept == NULL)
              kept = json_node_new (JSON_NODE_NULL);
            json_array_add_element (copy, kept);
          }
        return json_node_init_array (json_node_alloc (), copy);
      }

    case JSON_NODE_VALUE:
    default:
      return json_node_copy (node);
    }
}

/* @record in its compact form: "type" first, then the id (if @with_id)
 * and the fields in the order of the schema, without null fields and empty
 * lists, which import reads back as the same record.  The sync columns
 * (version, updated_at, ...) stay behind. */
static JsonObject *
compact_record (CdmEntity   entity,
                JsonObject *record,
                gboolean    with_id)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  JsonObject *compact = json_object_new ();
  JsonNode *id;

  json_object_set_string_member (compact, "type", info->name);
  id = json_object_get_member (record, "id");
  if (with_id && id != NULL && !JSON_NODE_HOLDS_NULL (id))
    json_object_set_member (compact, "id", json_node_copy (id));

  for (guint i = 0; i < info->n_fields; i++)
    {
      const char *name = info->fields[i].name;
      JsonNode *value = json_object_get_member (record, name);

      if (value == NULL || (value = copy_without_nulls (value)) == NULL)
        continue;
      if (JSON_NODE_HOLDS_ARRAY (value) && json_array_get_length (json_node_get_array (value)) == 0)
        {
          json_node_unref (value);
          continue;
        }
      json_object_set_member (compact, name, value);
    }

  return compact;
}

/* The import path */

struct _CdmImporter {
  CdmStore *store;
  gboolean in_transaction;
  CdmImportStats stats;
  /* id_key() of a line's derived id -> how many times it was seen. */
  GHashTable *seen;
  JsonGenerator *generator;
};

void
_cdm_import_set_line_error (GError     **error,
                            guint        line,
                            const char  *format,
                            ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, CDM_IMPORT_ERROR, CDM_IMPORT_ERROR_BAD_LINE,
               _("line %u: %s"), line, reason);
}

CdmImporter *
_cdm_importer_new (CdmStore  *store,
                   GError   **error)
{
  CdmImporter *self;

  if (!cdm_store_begin (store, TRUE, error))
    return NULL;

  self = g_new0 (CdmImporter, 1);
  self->store = g_object_ref (store);
  self->in_transaction = TRUE;
  self->seen = g_hash_table_new (g_direct_hash, NULL);
  self->generator = json_generator_new ();
  return self;
}

void
_cdm_importer_free (CdmImporter *self)
{
  if (self == NULL)
    return;
  if (self->in_transaction)
    cdm_store_rollback (self->store);
  g_object_unref (self->store);
  g_hash_table_unref (self->seen);
  g_object_unref (self->generator);
  g_free (self);
}

CdmStore *
_cdm_importer_get_store (CdmImporter *self)
{
  return self->store;
}

gboolean
_cdm_importer_commit (CdmImporter     *self,
                      CdmImportStats  *out_stats,
                      GError         **error)
{
  g_return_val_if_fail (self->in_transaction, FALSE);

  /* A failed commit rolls back and ends the transaction too. */
  self->in_transaction = FALSE;
  if (!cdm_store_commit (self->store, error))
    return FALSE;

  if (out_stats != NULL)
    *out_stats = self->stats;
  return TRUE;
}

/* Whether a refusal from the store is about the record (the line is bad)
 * rather than about the store (full disk, busy, broken file). */
static gboolean
error_is_about_record (const GError *error)
{
  if (error->domain == CDM_RECORD_ERROR)
    return TRUE;
  if (error->domain != CDM_STORE_ERROR)
    return FALSE;

  switch ((CdmStoreError) error->code)
    {
    case CDM_STORE_ERROR_CONSTRAINT:
    case CDM_STORE_ERROR_NOT_FOUND:
    case CDM_STORE_ERROR_DELETED:
    case CDM_STORE_ERROR_APPEND_ONLY:
    case CDM_STORE_ERROR_UNKNOWN_REFERENCE:
      return TRUE;
    case CDM_STORE_ERROR_FAILED:
    case CDM_STORE_ERROR_CANT_OPEN:
    case CDM_STORE_ERROR_NOT_A_STORE:
    case CDM_STORE_ERROR_TOO_NEW:
    case CDM_STORE_ERROR_BUSY:
    case CDM_STORE_ERROR_FULL:
    case CDM_STORE_ERROR_READ_ONLY:
    default:
      return FALSE;
    }
}

static void
propagate_put_error (GError **error,
                     GError  *local,
                     guint    line)
{
  if (error_is_about_record (local))
    {
      _cdm_import_set_line_error (error, line, "%s", local->message);
      g_error_free (local);
    }
  else
    {
      /* Keep the domain so that a caller can tell a full disk from bad
       * input, but still say where the import stopped. */
      g_propagate_prefixed_error (error, local, _("line %u: "), line);
    }
}

/* The hash table key of a derived id: its first 64 bits (32 on 32-bit
 * systems).  Two different lines that share a key are harmless: the
 * second one is taken for a copy and gets the id of a copy, which is still
 * its own and still the same at every import of the file. */
static gpointer
id_key (const char *id)
{
  guint64 bits = 0;
  guint digits = 0;

  for (const char *p = id; *p != '\0' && digits < 16; p++)
    if (g_ascii_isxdigit (*p))
      {
        bits = (bits << 4) | (guint64) g_ascii_xdigit_value (*p);
        digits++;
      }
  return GSIZE_TO_POINTER ((gsize) bits);
}

/* The record with an id derived from its canonical content. */
static JsonObject *
derive_id (CdmImporter  *self,
           CdmEntity     entity,
           JsonObject   *record,
           GError      **error)
{
  g_autoptr(JsonObject) normalized = NULL;
  g_autoptr(JsonObject) compact = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *id = NULL;
  gpointer key;
  guint seen;

  normalized = cdm_record_normalize (entity, record, error);
  if (normalized == NULL)
    return NULL;

  /* The compact form, so that a field added to the schema later (null in
   * every old line) does not change the ids of old files. */
  compact = compact_record (entity, normalized, FALSE);
  root = json_node_init_object (json_node_alloc (), compact);
  json_generator_set_root (self->generator, root);
  text = json_generator_to_data (self->generator, NULL);
  json_generator_set_root (self->generator, NULL);

  name = g_strconcat (cdm_entity_info (entity)->name, "\n", text, NULL);
  id = cdm_uuid_for_name (name);

  key = id_key (id);
  seen = GPOINTER_TO_UINT (g_hash_table_lookup (self->seen, key));
  g_hash_table_insert (self->seen, key, GUINT_TO_POINTER (seen + 1));
  if (seen > 0)
    {
      g_autofree char *nth = g_strdup_printf ("%s\n%u", name, seen);

      g_free (id);
      id = cdm_uuid_for_name (nth);
    }

  json_object_set_string_member (normalized, "id", id);
  return g_steal_pointer (&normalized);
}

gboolean
_cdm_importer_put (CdmImporter  *self,
                   CdmEntity     entity,
                   JsonObject   *record,
                   guint         line,
                   GError      **error)
{
  g_autoptr(JsonObject) with_id = NULL;
  GError *local = NULL;
  JsonNode *id;
  CdmPutResult result = CDM_PUT_UNCHANGED;

  g_return_val_if_fail (self->in_transaction, FALSE);

  id = json_object_get_member (record, "id");
  if (id == NULL || JSON_NODE_HOLDS_NULL (id))
    {
      if (id != NULL)
        json_object_remove_member (record, "id");
      with_id = derive_id (self, entity, record, &local);
      if (with_id == NULL)
        {
          propagate_put_error (error, local, line);
          return FALSE;
        }
      record = with_id;
    }

  if (!cdm_store_put (self->store, entity, record, NULL, &result, &local))
    {
      propagate_put_error (error, local, line);
      return FALSE;
    }

  switch (result)
    {
    case CDM_PUT_CREATED:
      self->stats.created++;
      break;
    case CDM_PUT_UPDATED:
      self->stats.updated++;
      break;
    case CDM_PUT_UNCHANGED:
    default:
      self->stats.unchanged++;
      break;
    }
  return TRUE;
}

/* NDJSON import */

char *
_cdm_import_excerpt (const char *text,
                     glong       max)
{
  g_autofree char *start = NULL;

  if (g_utf8_strlen (text, -1) <= max)
    return g_strdup (text);
  start = g_utf8_substring (text, 0, max);
  return g_strconcat (start, "…", NULL);
}

static gboolean
is_blank (const char *line,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n')
      return FALSE;
  return TRUE;
}

/* json-glib parses nested arrays and objects by recursion, so a line of
 * half a million "[" would exhaust the stack.  A record nests three deep
 * at most (a partner's people); refuse anything past MAX_DEPTH before
 * parsing. */
#define MAX_DEPTH 16

static gboolean
nesting_ok (const char *line,
            gsize       len)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = line[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

static gboolean
import_ndjson_line (CdmImporter  *importer,
                    JsonParser   *parser,
                    const char   *line,
                    gsize         len,
                    guint         number,
                    GError      **error)
{
  g_autoptr(GError) local = NULL;
  JsonNode *root, *type;
  JsonObject *record;
  const char *name;
  CdmEntity entity;

  if (!g_utf8_validate_len (line, len, NULL))
    {
      _cdm_import_set_line_error (error, number, _("not valid UTF-8 text"));
      return FALSE;
    }

  if (!nesting_ok (line, len))
    {
      _cdm_import_set_line_error (error, number, _("not a record: nested more than %u deep"), MAX_DEPTH);
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, line, len, &local))
    {
      _cdm_import_set_line_error (error, number, _("not valid JSON (%s)"), local->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      _cdm_import_set_line_error (error, number, _("not a JSON object"));
      return FALSE;
    }
  record = json_node_get_object (root);

  type = json_object_get_member (record, "type");
  if (type == NULL || JSON_NODE_HOLDS_NULL (type))
    {
      _cdm_import_set_line_error (error, number, _("the record has no “type”"));
      return FALSE;
    }
  if (json_node_get_value_type (type) != G_TYPE_STRING)
    {
      _cdm_import_set_line_error (error, number, _("“type” is not a string"));
      return FALSE;
    }

  name = json_node_get_string (type);
  if (!cdm_entity_from_name (name, &entity))
    {
      g_autofree char *shown = _cdm_import_excerpt (name, 40);

      _cdm_import_set_line_error (error, number, _("unknown type “%s”"), shown);
      return FALSE;
    }

  /* Users and desks belong to the server; a desk never creates them. */
  if (entity == CDM_ENTITY_USER || entity == CDM_ENTITY_DESK)
    {
      _cdm_import_set_line_error (error, number,
                                  _("records of type “%s” come from the server and cannot be imported"),
                                  name);
      return FALSE;
    }

  return _cdm_importer_put (importer, entity, record, number, error);
}

/**
 * cdm_import_ndjson:
 * @store: the store to write to
 * @input: NDJSON, UTF-8, one record a line (LF or CRLF)
 * @out_stats: (out) (optional): how many records were created, updated or
 *   found unchanged; zero unless the import succeeds
 *
 * Imports every line of @input in one transaction, or nothing.
 * Errors: CDM_IMPORT_ERROR with the line number, G_IO_ERROR from @input
 * (G_IO_ERROR_CANCELLED when cancelled) or CDM_STORE_ERROR when the store
 * itself fails.
 */
gboolean
cdm_import_ndjson (CdmStore        *store,
                   GInputStream    *input,
                   CdmImportStats  *out_stats,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_autoptr(CdmLineReader) reader = NULL;
  g_autoptr(CdmImporter) importer = NULL;
  g_autoptr(JsonParser) parser = NULL;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (input), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_stats != NULL)
    memset (out_stats, 0, sizeof *out_stats);

  importer = _cdm_importer_new (store, error);
  if (importer == NULL)
    return FALSE;

  reader = _cdm_line_reader_new (input);
  parser = json_parser_new ();

  for (;;)
    {
      const char *line;
      gsize len;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!_cdm_line_reader_next (reader, &line, &len, cancellable, error))
        return FALSE;
      if (line == NULL)
        break;
      if (is_blank (line, len))
        continue;

      /* The terminator is not part of the record. */
      while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;

      if (!import_ndjson_line (importer, parser, line, len,
                               _cdm_line_reader_get_line_number (reader), error))
        return FALSE;
    }

  return _cdm_importer_commit (importer, out_stats, error);
}

/* Export */

typedef struct {
  GOutputStream *output;
  GCancellable *cancellable;
  GString *buffer;
  JsonGenerator *generator;
  CdmEntity entity;
  GError *error;
} Export;

static gboolean
export_flush (Export *self)
{
  if (self->buffer->len == 0)
    return TRUE;
  if (!g_output_stream_write_all (self->output, self->buffer->str, self->buffer->len,
                                  NULL, self->cancellable, &self->error))
    return FALSE;
  g_string_truncate (self->buffer, 0);
  return TRUE;
}

static gboolean
export_ndjson_record (JsonObject *record,
                      gpointer    user_data)
{
  Export *self = user_data;
  g_autoptr(JsonObject) line = compact_record (self->entity, record, TRUE);

  /* Tombstones travel too, so that records referring to them import back
   * and a restored store does not resurrect what was deleted. */
  if (json_object_get_boolean_member (record, "deleted"))
    json_object_set_boolean_member (line, "deleted", TRUE);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize len;

  root = json_node_init_object (json_node_alloc (), line);
  json_generator_set_root (self->generator, root);
  text = json_generator_to_data (self->generator, &len);
  json_generator_set_root (self->generator, NULL);

  g_string_append_len (self->buffer, text, len);
  g_string_append_c (self->buffer, '\n');

  if (self->buffer->len >= WRITE_CHUNK && !export_flush (self))
    return FALSE;
  return TRUE;
}

static gboolean
export_entity (CdmStore      *store,
               Export        *export,
               CdmEntity      entity,
               gboolean       include_deleted,
               CdmRecordFunc  func,
               GError       **error)
{
  export->entity = entity;
  if (!cdm_store_foreach (store, entity, include_deleted, func, export, export->cancellable, error))
    return FALSE;
  if (export->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&export->error));
      return FALSE;
    }
  return TRUE;
}

/**
 * cdm_export_ndjson:
 * @entity: one entity, or CDM_N_ENTITIES for every entity but users and
 *   desks
 * @output: where the NDJSON goes; flushed, not closed
 *
 * Writes every record, one compact JSON object a line with "type"
 * first, without the sync columns; null fields and empty lists are left
 * out; tombstones carry "deleted": true, so that a contact referred to a
 * partner since deleted imports back and nothing deleted comes back to
 * life.  The order (parents first, then creation order) makes the file
 * import back and makes two exports of equal stores byte for byte equal.
 */
gboolean
cdm_export_ndjson (CdmStore       *store,
                   CdmEntity       entity,
                   GOutputStream  *output,
                   GCancellable   *cancellable,
                   GError        **error)
{
  /* Parents before the records that refer to them. */
  static const CdmEntity order[] = {
    CDM_ENTITY_ORGANISATION,
    CDM_ENTITY_RESOURCE,
    CDM_ENTITY_ACTIVITY,
    CDM_ENTITY_ATTENDANCE,
    CDM_ENTITY_CONTACT,
    CDM_ENTITY_MULTIMEDIA_TALLY,
    CDM_ENTITY_CLOSURE,
    CDM_ENTITY_SATISFACTION,
  };
  g_autoptr(GString) buffer = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  Export export = { 0 };

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (entity <= CDM_N_ENTITIES, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buffer = g_string_sized_new (WRITE_CHUNK + 4096);
  generator = json_generator_new ();
  export.output = output;
  export.cancellable = cancellable;
  export.buffer = buffer;
  export.generator = generator;

  if (entity != CDM_N_ENTITIES)
    {
      if (!export_entity (store, &export, entity, TRUE, export_ndjson_record, error))
        return FALSE;
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (order); i++)
        if (!export_entity (store, &export, order[i], TRUE, export_ndjson_record, error))
          return FALSE;
    }

  if (!export_flush (&export))
    {
      g_propagate_error (error, export.error);
      return FALSE;
    }
  return g_output_stream_flush (output, cancellable, error);
}
