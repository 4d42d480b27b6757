/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-csv.c: CSV import and export of partners, resources and contacts,
 * for people who keep them in a spreadsheet.
 *
 * The format is RFC 4180: a header row naming the columns, cells separated
 * by commas, a cell quoted with double quotes when it holds a comma, a
 * quote (written twice) or a line break.  Rows end with CRLF or LF.  On
 * import the separator is taken from the header: a header with semicolons
 * and no commas (what spreadsheets write in French and Dutch locales) is
 * read with semicolons, one with only tabs with tabs.
 *
 * Columns.  Each entity has a fixed list of columns (see the tables
 * below); export writes them all, in that order, so that an export imports
 * back.  On import the header may list them in any order, and may leave
 * out any column but the required ones; an unknown or repeated column is
 * refused.  A row whose id names a record already in the store keeps that
 * record's values for the columns the file does not have (for example a
 * partner's contact people, which have no column); a column that is there
 * but empty clears the field.
 *
 * Cells.  Multi-valued cells (themes, languages, authors, tags, referrals,
 * resources...) list their values separated by ";", spaces around them
 * ignored ("learn; work"): a value cannot itself contain ";".  Yes/no
 * cells accept true/false, yes/no and 1/0; an empty cell is unknown.
 * Timestamps and dates are ISO 8601 text as in the NDJSON format.
 *
 * Rows are numbered by the physical line where they start, the header
 * being line 1, so an error's line number is the one a text editor shows
 * even after cells with line breaks.
 *
 * Spreadsheets run a cell that starts with =, +, - or @ as a formula.
 * Export writes the data as it is (altering it would break the round
 * trip); whoever opens an export of data typed by others in a spreadsheet
 * should import it as text.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "cdm-interchange-private.h"

typedef struct {
  const char *column;
  const char *field;  /* the interchange field */
  const char *sub;    /* its key, for {fr, nl, en} names and profiles */
} Column;

static const Column organisation_columns[] = {
  { "id", "id", NULL },
  { "name_fr", "name", "fr" },
  { "name_nl", "name", "nl" },
  { "name_en", "name", "en" },
  { "acronym", "acronym", NULL },
  { "circle", "circle", NULL },
  { "kind", "kind", NULL },
  { "themes", "themes", NULL },
  { "languages", "languages", NULL },
  { "address", "address", NULL },
  { "phone", "phone", NULL },
  { "email", "email", NULL },
  { "website", "website", NULL },
  { "hours", "hours", NULL },
  { "desk_days", "desk_days", NULL },
  { "notes", "notes", NULL },
  { "active", "active", NULL },
};

static const Column resource_columns[] = {
  { "id", "id", NULL },
  { "kind", "kind", NULL },
  { "title", "title", NULL },
  { "authors", "authors", NULL },
  { "publisher", "publisher", NULL },
  { "year", "year", NULL },
  { "isbn", "isbn", NULL },
  { "language", "language", NULL },
  { "themes", "themes", NULL },
  { "audience", "audience", NULL },
  { "location", "location", NULL },
  { "url", "url", NULL },
  { "copies", "copies", NULL },
  { "summary", "summary", NULL },
  { "tags", "tags", NULL },
  { "active", "active", NULL },
};

static const Column contact_columns[] = {
  { "id", "id", NULL },
  { "occurred_at", "occurred_at", NULL },
  { "site", "site", NULL },
  { "service", "service", NULL },
  { "channel", "channel", NULL },
  { "programmes", "programmes", NULL },
  { "themes", "themes", NULL },
  { "gender", "profile", "gender" },
  { "age_band", "profile", "age_band" },
  { "region", "profile", "region" },
  { "status", "profile", "status" },
  { "education", "profile", "education" },
  { "foreign_diploma", "profile", "foreign_diploma" },
  { "language", "profile", "language" },
  { "first_visit", "profile", "first_visit" },
  { "heard_from", "profile", "heard_from" },
  { "referrals", "referrals", NULL },
  { "resources", "resources", NULL },
  { "duration_min", "duration_min", NULL },
  { "received_at", "received_at", NULL },
  { "answered_at", "answered_at", NULL },
  { "note", "note", NULL },
};

/* A column of the current build's schema, with the field that types it. */
typedef struct {
  const Column *column;
  const CdmField *field;  /* NULL for "id" and the I18N sub-columns */
  CdmFieldKind kind;
} ActiveColumn;

static const CdmField *
profile_field (const char *name)
{
  for (guint i = 0; i < cdm_n_profile_fields; i++)
    if (strcmp (cdm_profile_fields[i].name, name) == 0)
      return &cdm_profile_fields[i];
  return NULL;
}

/* The columns of @entity whose fields the schema has, in export order. */
static GArray *
active_columns (CdmEntity entity)
{
  const Column *columns;
  guint n_columns;
  GArray *active = g_array_new (FALSE, TRUE, sizeof (ActiveColumn));

  switch (entity)
    {
    case CDM_ENTITY_ORGANISATION:
      columns = organisation_columns;
      n_columns = G_N_ELEMENTS (organisation_columns);
      break;
    case CDM_ENTITY_RESOURCE:
      columns = resource_columns;
      n_columns = G_N_ELEMENTS (resource_columns);
      break;
    case CDM_ENTITY_CONTACT:
      columns = contact_columns;
      n_columns = G_N_ELEMENTS (contact_columns);
      break;
    case CDM_ENTITY_ACTIVITY:
    case CDM_ENTITY_ATTENDANCE:
    case CDM_ENTITY_MULTIMEDIA_TALLY:
    case CDM_ENTITY_CLOSURE:
    case CDM_ENTITY_SATISFACTION:
    case CDM_ENTITY_USER:
    case CDM_ENTITY_DESK:
    case CDM_N_ENTITIES:
    default:
      g_return_val_if_reached (active);
    }

  for (guint i = 0; i < n_columns; i++)
    {
      ActiveColumn a = { &columns[i], NULL, CDM_FIELD_TEXT };

      if (strcmp (columns[i].field, "id") != 0)
        {
          a.field = cdm_entity_field (entity, columns[i].field);
          if (a.field == NULL)
            continue;
          a.kind = a.field->kind;
          if (a.kind == CDM_FIELD_PROFILE)
            {
              const CdmField *item = profile_field (columns[i].sub);

              if (item == NULL)
                continue;
              a.kind = item->kind;
            }
          else if (a.kind == CDM_FIELD_I18N)
            {
              a.kind = CDM_FIELD_TEXT;
            }
        }
      g_array_append_val (active, a);
    }

  return active;
}

/* Whether CSV import and export handle @entity: partners, resources and
 * contacts, the records people keep in spreadsheets. */
gboolean
cdm_csv_supports (CdmEntity entity)
{
  return entity == CDM_ENTITY_ORGANISATION ||
         entity == CDM_ENTITY_RESOURCE ||
         entity == CDM_ENTITY_CONTACT;
}

static gboolean
kind_is_list (CdmFieldKind kind)
{
  switch (kind)
    {
    case CDM_FIELD_CODES:
    case CDM_FIELD_LANGUAGES:
    case CDM_FIELD_STRINGS:
    case CDM_FIELD_REFS:
      return TRUE;
    case CDM_FIELD_TEXT:
    case CDM_FIELD_CODE:
    case CDM_FIELD_LANGUAGE:
    case CDM_FIELD_INT:
    case CDM_FIELD_BOOL:
    case CDM_FIELD_DATE:
    case CDM_FIELD_TIMESTAMP:
    case CDM_FIELD_I18N:
    case CDM_FIELD_PEOPLE:
    case CDM_FIELD_PROFILE:
    case CDM_FIELD_REF:
    default:
      return FALSE;
    }
}

/* Reading */

typedef struct {
  CdmLineReader *lines;
  char separator;       /* 0 until the header's first line is seen */
  GPtrArray *cells;     /* of char *, the current record */
  GString *cell;
  guint record_line;    /* where the current record starts */
} CsvReader;

static void
csv_reader_clear (CsvReader *self)
{
  g_clear_pointer (&self->lines, _cdm_line_reader_free);
  g_clear_pointer (&self->cells, g_ptr_array_unref);
  if (self->cell != NULL)
    g_string_free (self->cell, TRUE);
  self->cell = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CsvReader, csv_reader_clear)

static char
guess_separator (const char *line,
                 gsize       len)
{
  gboolean quoted = FALSE, semicolon = FALSE, tab = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (line[i] == '"')
        quoted = !quoted;
      else if (quoted)
        continue;
      else if (line[i] == ',')
        return ',';
      else if (line[i] == ';')
        semicolon = TRUE;
      else if (line[i] == '\t')
        tab = TRUE;
    }
  return semicolon ? ';' : tab ? '\t' : ',';
}

static void
end_cell (CsvReader *self)
{
  g_ptr_array_add (self->cells, g_strndup (self->cell->str, self->cell->len));
  g_string_truncate (self->cell, 0);
}

/* Reads the cells of the next record into self->cells; none at the end. */
static gboolean
csv_read_record (CsvReader     *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  gboolean in_quotes = FALSE;   /* inside a quoted cell */
  gboolean closed = FALSE;      /* after the closing quote of a cell */
  gboolean started = FALSE;     /* the cell has content or an opening quote */
  gboolean first_line = TRUE;
  gsize total = 0;

  g_ptr_array_set_size (self->cells, 0);
  g_string_truncate (self->cell, 0);

  for (;;)
    {
      const char *line;
      gsize len, end;
      guint number;

      if (!_cdm_line_reader_next (self->lines, &line, &len, cancellable, error))
        return FALSE;
      number = _cdm_line_reader_get_line_number (self->lines);

      if (line == NULL)
        {
          if (in_quotes)
            {
              _cdm_import_set_line_error (error, self->record_line,
                                          _("a quoted cell is not closed"));
              return FALSE;
            }
          return TRUE;
        }

      if (first_line)
        self->record_line = number;
      first_line = FALSE;

      total += len;
      if (total > CDM_IMPORT_MAX_LINE)
        {
          g_set_error (error, CDM_IMPORT_ERROR, CDM_IMPORT_ERROR_TOO_LONG,
                       _("line %u: the row is longer than the limit of 1 MiB"),
                       self->record_line);
          return FALSE;
        }

      end = len;
      if (end > 0 && line[end - 1] == '\n')
        end--;
      if (end > 0 && line[end - 1] == '\r')
        end--;

      if (!g_utf8_validate_len (line, end, NULL))
        {
          _cdm_import_set_line_error (error, self->record_line, _("not valid UTF-8 text"));
          return FALSE;
        }

      if (self->separator == 0)
        self->separator = guess_separator (line, end);

      for (gsize i = 0; i < end; i++)
        {
          char c = line[i];

          if (in_quotes)
            {
              if (c != '"')
                g_string_append_c (self->cell, c);
              else if (i + 1 < end && line[i + 1] == '"')
                g_string_append_c (self->cell, line[i++]);
              else
                {
                  in_quotes = FALSE;
                  closed = TRUE;
                }
            }
          else if (c == self->separator)
            {
              end_cell (self);
              closed = started = FALSE;
            }
          else if (closed)
            {
              /* Spaces after a closing quote are harmless; anything else
               * means the quoting is not what the writer meant. */
              if (c != ' ' && c != '\t')
                {
                  _cdm_import_set_line_error (error, self->record_line,
                                              _("text after the closing quote of a cell"));
                  return FALSE;
                }
            }
          else if (c == '"' && !started)
            {
              in_quotes = started = TRUE;
            }
          else
            {
              /* A quote inside an unquoted cell is taken as it is. */
              g_string_append_c (self->cell, c);
              started = TRUE;
            }
        }

      if (in_quotes)
        {
          /* The line break belongs to the cell, as it was written. */
          g_string_append_len (self->cell, line + end, len - end);
          continue;
        }

      end_cell (self);
      return TRUE;
    }
}

static gboolean
record_is_blank (GPtrArray *cells)
{
  return cells->len == 1 && *(const char *) cells->pdata[0] == '\0';
}

/* Cells to values */

static JsonNode *
string_node (const char *text)
{
  JsonNode *node = json_node_alloc ();

  return json_node_init_string (node, text);
}

static gboolean
parse_bool (const char *text,
            gboolean   *out_value)
{
  static const char * const yes[] = { "true", "yes", "1", NULL };
  static const char * const no[] = { "false", "no", "0", NULL };

  for (guint i = 0; yes[i] != NULL; i++)
    {
      if (g_ascii_strcasecmp (text, yes[i]) == 0)
        {
          *out_value = TRUE;
          return TRUE;
        }
      if (g_ascii_strcasecmp (text, no[i]) == 0)
        {
          *out_value = FALSE;
          return TRUE;
        }
    }
  return FALSE;
}

/* The JSON value of a cell; an empty cell is null.  Codes, numbers and
 * ids are trimmed; text is passed as it is (validation trims it). */
static JsonNode *
cell_to_node (const ActiveColumn  *column,
              const char          *cell,
              guint                line,
              GError             **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (cell));

  if (*trimmed == '\0')
    return json_node_new (JSON_NODE_NULL);

  if (kind_is_list (column->kind))
    {
      g_auto(GStrv) items = g_strsplit (cell, ";", -1);
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; items[i] != NULL; i++)
        {
          g_strstrip (items[i]);
          if (*items[i] != '\0')
            json_array_add_string_element (array, items[i]);
        }
      return json_node_init_array (json_node_alloc (), array);
    }

  switch (column->kind)
    {
    case CDM_FIELD_INT:
      {
        gint64 value;

        if (!g_ascii_string_to_signed (trimmed, 10, G_MININT64, G_MAXINT64, &value, NULL))
          {
            _cdm_import_set_line_error (error, line,
                                        _("column “%s”: “%s” is not a whole number"),
                                        column->column->column, trimmed);
            return NULL;
          }
        return json_node_init_int (json_node_alloc (), value);
      }

    case CDM_FIELD_BOOL:
      {
        gboolean value;

        if (!parse_bool (trimmed, &value))
          {
            _cdm_import_set_line_error (error, line,
                                        _("column “%s”: “%s” is not yes or no (true/false, yes/no or 1/0)"),
                                        column->column->column, trimmed);
            return NULL;
          }
        return json_node_init_boolean (json_node_alloc (), value);
      }

    case CDM_FIELD_TEXT:
    case CDM_FIELD_PEOPLE:
      return string_node (cell);

    case CDM_FIELD_CODE:
    case CDM_FIELD_LANGUAGE:
    case CDM_FIELD_DATE:
    case CDM_FIELD_TIMESTAMP:
    case CDM_FIELD_REF:
    case CDM_FIELD_CODES:
    case CDM_FIELD_LANGUAGES:
    case CDM_FIELD_STRINGS:
    case CDM_FIELD_REFS:
    case CDM_FIELD_I18N:
    case CDM_FIELD_PROFILE:
    default:
      return string_node (trimmed);
    }
}

static const char * const sync_columns[] = {
  "version", "updated_at", "updated_by", "deleted", NULL
};

/* The stored record with this row's id, without its sync columns, to keep
 * the fields that the file has no column for; an empty record if none. */
static JsonObject *
start_record (CdmStore    *store,
              CdmEntity    entity,
              const char  *id,
              GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonObject) stored = NULL;

  if (id == NULL)
    return json_object_new ();

  stored = cdm_store_get (store, entity, id, FALSE, &local);
  if (stored == NULL)
    {
      /* A new record, or a tombstone, which cdm_store_put() refuses
       * with its own reason. */
      if (g_error_matches (local, CDM_STORE_ERROR, CDM_STORE_ERROR_NOT_FOUND) ||
          g_error_matches (local, CDM_STORE_ERROR, CDM_STORE_ERROR_DELETED) ||
          local == NULL)
        return json_object_new ();
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }

  for (guint i = 0; sync_columns[i] != NULL; i++)
    if (json_object_has_member (stored, sync_columns[i]))
      json_object_remove_member (stored, sync_columns[i]);
  return g_steal_pointer (&stored);
}

static gboolean
import_row (CdmImporter   *importer,
            CdmEntity      entity,
            GArray        *header,  /* of ActiveColumn, one per cell */
            GPtrArray     *cells,
            guint          line,
            GError       **error)
{
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *id = NULL;

  if (cells->len != header->len)
    {
      _cdm_import_set_line_error (error, line,
                                  _("%u cells where the header has %u columns"),
                                  cells->len, header->len);
      return FALSE;
    }

  for (guint i = 0; i < header->len; i++)
    {
      const ActiveColumn *column = &g_array_index (header, ActiveColumn, i);

      if (column->field == NULL && column->column->sub == NULL)
        {
          id = g_strstrip (g_strdup (cells->pdata[i]));
          if (*id == '\0')
            g_clear_pointer (&id, g_free);
        }
    }

  record = start_record (_cdm_importer_get_store (importer), entity, id, error);
  if (record == NULL)
    return FALSE;

  for (guint i = 0; i < header->len; i++)
    {
      const ActiveColumn *column = &g_array_index (header, ActiveColumn, i);
      const char *sub = column->column->sub;
      JsonNode *value;

      if (column->field == NULL)
        continue;

      value = cell_to_node (column, cells->pdata[i], line, error);
      if (value == NULL)
        return FALSE;

      if (sub == NULL)
        {
          json_object_set_member (record, column->column->field, value);
        }
      else
        {
          JsonNode *parent = json_object_get_member (record, column->column->field);
          JsonObject *object;

          if (parent == NULL || !JSON_NODE_HOLDS_OBJECT (parent))
            {
              object = json_object_new ();
              json_object_set_object_member (record, column->column->field, object);
            }
          else
            {
              object = json_node_get_object (parent);
            }
          json_object_set_member (object, sub, value);
        }
    }

  json_object_set_string_member (record, "type", cdm_entity_info (entity)->name);
  if (id != NULL)
    json_object_set_string_member (record, "id", id);
  else if (json_object_has_member (record, "id"))
    json_object_remove_member (record, "id");

  return _cdm_importer_put (importer, entity, record, line, error);
}

static char *
column_list (GArray *columns)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < columns->len; i++)
    {
      if (i > 0)
        g_string_append (list, ", ");
      g_string_append (list, g_array_index (columns, ActiveColumn, i).column->column);
    }
  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* Maps the header's cells to columns, checking that every required field
 * has a column. */
static GArray *
read_header (CdmEntity   entity,
             GArray     *known,
             GPtrArray  *cells,
             GError    **error)
{
  g_autoptr(GArray) header = g_array_new (FALSE, TRUE, sizeof (ActiveColumn));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < cells->len; i++)
    {
      g_autofree char *name = g_ascii_strdown (cells->pdata[i], -1);
      const ActiveColumn *match = NULL;

      g_strstrip (name);
      if (*name == '\0')
        {
          g_set_error (error, CDM_IMPORT_ERROR, CDM_IMPORT_ERROR_BAD_HEADER,
                       _("column %u of the header has no name"), i + 1);
          return NULL;
        }

      for (guint j = 0; j < known->len && match == NULL; j++)
        if (strcmp (g_array_index (known, ActiveColumn, j).column->column, name) == 0)
          match = &g_array_index (known, ActiveColumn, j);

      if (match == NULL)
        {
          g_autofree char *list = column_list (known);
          g_autofree char *shown = _cdm_import_excerpt (name, 40);

          g_set_error (error, CDM_IMPORT_ERROR, CDM_IMPORT_ERROR_BAD_HEADER,
                       _("unknown column “%s”; the columns of a %s are: %s"),
                       shown, cdm_entity_info (entity)->name, list);
          return NULL;
        }
      if (g_hash_table_contains (seen, match->column->column))
        {
          g_set_error (error, CDM_IMPORT_ERROR, CDM_IMPORT_ERROR_BAD_HEADER,
                       _("column “%s” appears twice"), match->column->column);
          return NULL;
        }
      g_hash_table_add (seen, (gpointer) match->column->column);
      g_array_append_val (header, *match);
    }

  /* Every required field needs one of its columns (a name needs one of
   * name_fr, name_nl, name_en). */
  for (guint i = 0; i < known->len; i++)
    {
      const ActiveColumn *column = &g_array_index (known, ActiveColumn, i);
      g_autoptr(GString) names = NULL;
      gboolean present = FALSE;

      if (column->field == NULL || !(column->field->flags & CDM_FIELD_REQUIRED))
        continue;
      if (i > 0 && g_array_index (known, ActiveColumn, i - 1).field == column->field)
        continue;

      names = g_string_new (NULL);
      for (guint j = i; j < known->len; j++)
        {
          const ActiveColumn *other = &g_array_index (known, ActiveColumn, j);

          if (other->field != column->field)
            break;
          if (names->len > 0)
            g_string_append (names, "” or “");
          g_string_append (names, other->column->column);
          present |= g_hash_table_contains (seen, other->column->column);
        }

      if (!present)
        {
          g_set_error (error, CDM_IMPORT_ERROR, CDM_IMPORT_ERROR_BAD_HEADER,
                       _("missing column “%s”"), names->str);
          return NULL;
        }
    }

  return g_steal_pointer (&header);
}

/**
 * cdm_import_csv:
 * @entity: CDM_ENTITY_ORGANISATION, _RESOURCE or _CONTACT
 * @input: CSV with a header row, UTF-8 (a byte order mark is allowed)
 * @out_stats: (out) (optional): created, updated and unchanged records;
 *   zero unless the import succeeds
 *
 * Imports every row in one transaction, or nothing.  Errors:
 * CDM_IMPORT_ERROR_BAD_HEADER, CDM_IMPORT_ERROR_BAD_LINE and
 * CDM_IMPORT_ERROR_TOO_LONG with the line where the row starts, G_IO_ERROR
 * from @input, CDM_STORE_ERROR when the store itself fails.
 */
gboolean
cdm_import_csv (CdmStore        *store,
                CdmEntity        entity,
                GInputStream    *input,
                CdmImportStats  *out_stats,
                GCancellable    *cancellable,
                GError         **error)
{
  g_auto(CsvReader) reader = { 0 };
  g_autoptr(CdmImporter) importer = NULL;
  g_autoptr(GArray) known = NULL;
  g_autoptr(GArray) header = NULL;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (cdm_csv_supports (entity), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (input), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_stats != NULL)
    memset (out_stats, 0, sizeof *out_stats);

  reader.lines = _cdm_line_reader_new (input);
  reader.cells = g_ptr_array_new_with_free_func (g_free);
  reader.cell = g_string_new (NULL);
  known = active_columns (entity);

  if (!csv_read_record (&reader, cancellable, error))
    return FALSE;
  if (reader.cells->len == 0 || record_is_blank (reader.cells))
    {
      g_set_error (error, CDM_IMPORT_ERROR, CDM_IMPORT_ERROR_BAD_HEADER,
                   _("no header row: the first line must name the columns"));
      return FALSE;
    }
  header = read_header (entity, known, reader.cells, error);
  if (header == NULL)
    return FALSE;

  importer = _cdm_importer_new (store, error);
  if (importer == NULL)
    return FALSE;

  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!csv_read_record (&reader, cancellable, error))
        return FALSE;
      if (reader.cells->len == 0)
        break;
      if (record_is_blank (reader.cells))
        continue;
      if (!import_row (importer, entity, header, reader.cells, reader.record_line, error))
        return FALSE;
    }

  return _cdm_importer_commit (importer, out_stats, error);
}

/* Writing */

typedef struct {
  GOutputStream *output;
  GCancellable *cancellable;
  GString *buffer;
  GArray *columns;
  GError *error;
} CsvExport;

static void
append_cell (GString    *out,
             const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_value (GString  *out,
              JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          g_string_append (out, json_node_get_string (node));
        else if (type == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (type == G_TYPE_INT64)
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
        else if (type == G_TYPE_DOUBLE)
          {
            char text[G_ASCII_DTOSTR_BUF_SIZE];

            g_string_append (out, g_ascii_dtostr (text, sizeof text, json_node_get_double (node)));
          }
        break;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            if (i > 0)
              g_string_append (out, ";");
            append_value (out, json_array_get_element (array, i));
          }
        break;
      }

    case JSON_NODE_NULL:
    case JSON_NODE_OBJECT:
    default:
      break;
    }
}

static gboolean
csv_flush (CsvExport *self)
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
export_csv_record (JsonObject *record,
                   gpointer    user_data)
{
  CsvExport *self = user_data;
  g_autoptr(GString) cell = g_string_new (NULL);

  for (guint i = 0; i < self->columns->len; i++)
    {
      const Column *column = g_array_index (self->columns, ActiveColumn, i).column;
      JsonNode *node = json_object_get_member (record, column->field);

      if (column->sub != NULL && node != NULL)
        node = JSON_NODE_HOLDS_OBJECT (node)
                 ? json_object_get_member (json_node_get_object (node), column->sub)
                 : NULL;

      g_string_truncate (cell, 0);
      if (node != NULL)
        append_value (cell, node);

      if (i > 0)
        g_string_append_c (self->buffer, ',');
      append_cell (self->buffer, cell->str);
    }
  g_string_append (self->buffer, "\r\n");

  if (self->buffer->len >= 64 * 1024 && !csv_flush (self))
    return FALSE;
  return TRUE;
}

/**
 * cdm_export_csv:
 * @entity: CDM_ENTITY_ORGANISATION, _RESOURCE or _CONTACT
 * @output: where the CSV goes; flushed, not closed
 *
 * Writes a header row and one row per live record, in creation order,
 * with CRLF line ends.  The file starts with a UTF-8 byte order mark,
 * which spreadsheets need to read accents right and which import skips.
 */
gboolean
cdm_export_csv (CdmStore       *store,
                CdmEntity       entity,
                GOutputStream  *output,
                GCancellable   *cancellable,
                GError        **error)
{
  g_autoptr(GArray) columns = NULL;
  g_autoptr(GString) buffer = NULL;
  CsvExport export = { 0 };

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);
  g_return_val_if_fail (cdm_csv_supports (entity), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (output), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  columns = active_columns (entity);
  buffer = g_string_sized_new (64 * 1024 + 4096);
  export.output = output;
  export.cancellable = cancellable;
  export.buffer = buffer;
  export.columns = columns;

  g_string_append (buffer, "\xEF\xBB\xBF");
  for (guint i = 0; i < columns->len; i++)
    {
      if (i > 0)
        g_string_append_c (buffer, ',');
      g_string_append (buffer, g_array_index (columns, ActiveColumn, i).column->column);
    }
  g_string_append (buffer, "\r\n");

  if (!cdm_store_foreach (store, entity, FALSE, export_csv_record, &export, cancellable, error))
    {
      g_clear_error (&export.error);
      return FALSE;
    }
  if (export.error != NULL || !csv_flush (&export))
    {
      g_propagate_error (error, export.error);
      return FALSE;
    }
  return g_output_stream_flush (output, cancellable, error);
}
