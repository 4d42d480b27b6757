/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-search.c: full-text search over partners, resources and activities.
 *
 * Each searchable table has an FTS5 twin (organisations_fts, resources_fts,
 * activities_fts) whose rowid is the rowid of the record it indexes.
 * Triggers on the entity tables keep the twins in step, so every writer
 * (a put, an import, a sync page) indexes as it writes, in the same
 * transaction.  A tombstoned record leaves the index; its row stays in its
 * table for sync.
 *
 * The index folds case and diacritics (unicode61 remove_diacritics 2) and
 * keeps prefix indexes of 1 to 6 characters, so that the prefix queries of
 * search-as-you-type read one precomputed list instead of merging the
 * lists of every term with that prefix.  The one-character index costs
 * about a tenth more index space and takes a third to a half off the
 * first keystroke, the query that matches the most.
 *
 * What a person types is never handed to FTS5 as syntax: it is cut into
 * words, each quoted and made a prefix, and the words are ANDed.  FTS5
 * operators (OR, NEAR, -, ^, column filters) become plain words or vanish.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "cdm-search.h"
#include "cdm-search-private.h"
#include "cdm-store-private.h"

/* Bounds on what a query can grow into: a paste of a whole page is cut to
 * its beginning.  256 characters hold any real search; 16 prefix terms
 * keep the cost of one query small whatever is typed. */
#define MAX_QUERY_CHARS 256
#define MAX_QUERY_BYTES (MAX_QUERY_CHARS * 4)
#define MAX_QUERY_TERMS 16

/* The labels under which the centre's five themes are known, so that
 * "travailler" or "werken" finds the partners covering "work".  The codes
 * themselves are the English words. */
static const struct {
  const char *code;
  const char *fr;
  const char *nl;
} theme_labels[] = {
  { "choose",    "choisir",      "kiezen" },
  { "learn",     "apprendre",    "leren" },
  { "move",      "bouger",       "bewegen" },
  { "undertake", "entreprendre", "ondernemen" },
  { "work",      "travailler",   "werken" },
};

/* cdm_theme_words(mask): the codes and labels of the themes whose bits
 * are set in @mask (bit i is cdm_themes[i]), as words separated by spaces;
 * NULL for no theme. */
static void
theme_words_func (sqlite3_context  *context,
                  int               argc,
                  sqlite3_value   **argv)
{
  GString *words;
  gint64 mask;
  gsize len;

  if (sqlite3_value_type (argv[0]) == SQLITE_NULL)
    {
      sqlite3_result_null (context);
      return;
    }

  mask = sqlite3_value_int64 (argv[0]);
  words = g_string_new (NULL);

  for (guint i = 0; cdm_themes[i] != NULL && i < 63; i++)
    {
      if ((mask & (G_GINT64_CONSTANT (1) << i)) == 0)
        continue;

      if (words->len > 0)
        g_string_append_c (words, ' ');
      g_string_append (words, cdm_themes[i]);

      for (guint j = 0; j < G_N_ELEMENTS (theme_labels); j++)
        {
          if (strcmp (theme_labels[j].code, cdm_themes[i]) == 0)
            {
              g_string_append_printf (words, " %s %s",
                                      theme_labels[j].fr, theme_labels[j].nl);
              break;
            }
        }
    }

  if (words->len == 0)
    {
      g_string_free (words, TRUE);
      sqlite3_result_null (context);
      return;
    }

  len = words->len;
  sqlite3_result_text64 (context, g_string_free (words, FALSE), len,
                         g_free, SQLITE_UTF8);
}

gboolean
_cdm_search_register_functions (sqlite3  *db,
                                GError  **error)
{
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);

  /* Deterministic and innocuous: the triggers that index call it, and a
   * function used there must be safe whatever the schema holds. */
  rc = sqlite3_create_function_v2 (db, "cdm_theme_words", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   NULL, theme_words_func, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      _cdm_store_set_error (error, db, rc, _("Preparing the search failed"));
      return FALSE;
    }

  return TRUE;
}

/* The text of a JSON array of strings as words; a value that is not JSON
 * (it should not happen: the store validates) is indexed as it is rather
 * than failing the write. */
#define JSON_STRINGS(col) \
  "CASE WHEN json_valid (" col ") THEN" \
  " (SELECT group_concat (value, ' ') FROM json_each (" col ") WHERE type = 'text')" \
  " ELSE " col " END"

/* The names and roles of an organisation's contact people. */
#define PEOPLE_WORDS(col) \
  "CASE WHEN json_valid (" col ") THEN" \
  " (SELECT group_concat (ifnull (json_extract (value, '$.name'), '') || ' ' ||" \
  "                       ifnull (json_extract (value, '$.role'), ''), ' ')" \
  "  FROM json_each (" col ") WHERE type = 'object')" \
  " END"

#define FTS_OPTIONS \
  "  tokenize = 'unicode61 remove_diacritics 2',\n" \
  "  prefix = '1 2 3 4 5 6'\n"

#define ORGANISATION_COLUMNS "name_fr, name_nl, name_en, acronym, themes, people"
#define ORGANISATION_VALUES(r) \
  r ".rowid, " r ".name_fr, " r ".name_nl, " r ".name_en, " r ".acronym, " \
  "cdm_theme_words (" r ".themes), " PEOPLE_WORDS (r ".people")

#define RESOURCE_COLUMNS "title, authors, summary, tags"
#define RESOURCE_VALUES(r) \
  r ".rowid, " r ".title, " JSON_STRINGS (r ".authors") ", " r ".summary, " \
  JSON_STRINGS (r ".tags")

#define ACTIVITY_COLUMNS "title_fr, title_nl, title_en, summary"
#define ACTIVITY_VALUES(r) \
  r ".rowid, " r ".title_fr, " r ".title_nl, " r ".title_en, " r ".summary"

/* An index table and the triggers that keep it in step with @table.  An
 * update reindexes only when an indexed column or the tombstone changes,
 * so that sync bookkeeping (version, sync_state) costs no index work. */
#define FTS_CREATE(table, columns) \
  "CREATE VIRTUAL TABLE " table "_fts USING fts5 (\n" \
  "  " columns ",\n" \
  FTS_OPTIONS \
  ");\n"

#define FTS_TABLE(table, columns, values, watched) \
  FTS_CREATE (table, columns) \
  "CREATE TRIGGER " table "_fts_insert AFTER INSERT ON " table "\n" \
  "WHEN new.deleted = 0 BEGIN\n" \
  "  INSERT INTO " table "_fts (rowid, " columns ")\n" \
  "  VALUES (" values ");\n" \
  "END;\n" \
  "CREATE TRIGGER " table "_fts_update AFTER UPDATE OF deleted, " watched " ON " table " BEGIN\n" \
  "  DELETE FROM " table "_fts WHERE rowid = old.rowid;\n" \
  "  INSERT INTO " table "_fts (rowid, " columns ")\n" \
  "  SELECT " values " WHERE new.deleted = 0;\n" \
  "END;\n" \
  "CREATE TRIGGER " table "_fts_delete AFTER DELETE ON " table " BEGIN\n" \
  "  DELETE FROM " table "_fts WHERE rowid = old.rowid;\n" \
  "END;\n"

const char _cdm_search_schema_sql[] =
  FTS_TABLE ("organisations", ORGANISATION_COLUMNS, ORGANISATION_VALUES ("new"),
             ORGANISATION_COLUMNS)
  FTS_TABLE ("resources", RESOURCE_COLUMNS, RESOURCE_VALUES ("new"),
             RESOURCE_COLUMNS)
  FTS_TABLE ("activities", ACTIVITY_COLUMNS, ACTIVITY_VALUES ("new"),
             ACTIVITY_COLUMNS);

/* Rebuilding: the same text as the triggers write, for every live row.
 * Dropping the tables is much cheaper than deleting their rows one by one
 * (a regular FTS5 table has no "delete-all"); the triggers name them and
 * find the new ones.  'optimize' merges each index into one segment. */
#define FTS_REBUILD(table, columns, values) \
  "DROP TABLE " table "_fts;\n" \
  FTS_CREATE (table, columns) \
  "INSERT INTO " table "_fts (rowid, " columns ")\n" \
  "  SELECT " values " FROM " table " AS t WHERE t.deleted = 0;\n" \
  "INSERT INTO " table "_fts (" table "_fts) VALUES ('optimize');\n"

static const char rebuild_sql[] =
  "SAVEPOINT cdm_search_rebuild;\n"
  FTS_REBUILD ("organisations", ORGANISATION_COLUMNS, ORGANISATION_VALUES ("t"))
  FTS_REBUILD ("resources", RESOURCE_COLUMNS, RESOURCE_VALUES ("t"))
  FTS_REBUILD ("activities", ACTIVITY_COLUMNS, ACTIVITY_VALUES ("t"))
  "RELEASE cdm_search_rebuild;\n";

gboolean
_cdm_search_rebuild (CdmStore  *store,
                     GError   **error)
{
  gboolean ok;

  g_return_val_if_fail (CDM_IS_STORE (store), FALSE);

  _cdm_store_lock (store);
  ok = _cdm_store_exec (store, rebuild_sql, error);
  /* All or nothing: a failure leaves the old index as it was. */
  if (!ok && !sqlite3_get_autocommit (_cdm_store_get_db (store)))
    {
      sqlite3_exec (_cdm_store_get_db (store),
                    "ROLLBACK TO cdm_search_rebuild; RELEASE cdm_search_rebuild;",
                    NULL, NULL, NULL);
    }
  _cdm_store_unlock (store);

  return ok;
}

/* The queries, one per entity.  Weights of bm25 follow the columns of
 * the index: names and titles weigh most, then acronyms, authors, people
 * and tags, then themes and summaries.  rank MATCH sets them for this
 * query only.  deleted = 0 is also asserted here, so that a stale index
 * entry can never show a tombstone.
 *
 * Ranking costs a bm25 score per matching record, and the first letter or
 * two typed can match most of a 100,000-book library: scoring them all
 * takes ~100 ms, far too long between two keystrokes.  So at most
 * CANDIDATES matches are scored (?3: the materialised subquery stops the
 * index scan there), and cdm_search() asks first for matches in names and
 * titles only, then in every column.  Any query that matches fewer than
 * CANDIDATES records, which is every query of three letters or more on
 * the centre's own data, is ranked exactly. */
#define CANDIDATES 1000

/* A filter is applied to the records behind the candidates, so a broad
 * query with a narrow filter could find its few hits outside the first
 * CANDIDATES.  Filtered searches look further. */
#define FILTERED_CANDIDATES 10000

#define CANDIDATES_SQL(fts, weights) \
  "WITH c AS MATERIALIZED (" \
  "  SELECT rowid, rank FROM " fts \
  "   WHERE " fts " MATCH ?1 AND rank MATCH '" weights "'" \
  "   LIMIT ?3) "

static const char organisation_sql[] =
  CANDIDATES_SQL ("organisations_fts", "bm25(10.0, 10.0, 10.0, 8.0, 2.0, 4.0)")
  "SELECT o.id,"
  "       coalesce (nullif (o.name_fr, ''), nullif (o.name_nl, ''),"
  "                 nullif (o.name_en, ''), o.acronym, ''),"
  "       o.acronym,"
  "       c.rank,"
  "       o.active, o.name_fr, o.name_nl, o.name_en"
  "  FROM c JOIN organisations AS o ON o.rowid = c.rowid"
  " WHERE o.deleted = 0"
  " ORDER BY c.rank"
  " LIMIT ?2";

static const char resource_sql[] =
  CANDIDATES_SQL ("resources_fts", "bm25(10.0, 5.0, 1.0, 3.0)")
  "SELECT r.id,"
  "       r.title,"
  "       CASE WHEN json_valid (r.authors) THEN"
  "         (SELECT group_concat (value, ', ') FROM json_each (r.authors) WHERE type = 'text')"
  "       ELSE r.authors END,"
  "       c.rank,"
  "       r.active, NULL, NULL, NULL"
  "  FROM c JOIN resources AS r ON r.rowid = c.rowid"
  " WHERE r.deleted = 0"
  " ORDER BY c.rank"
  " LIMIT ?2";

/* The same with a filter: ?4 kind, ?5 theme bit, ?6 language, ?7
 * audience, each NULL for any. */
#define RESOURCE_FILTER_SQL \
  "   AND (?4 IS NULL OR r.kind = ?4)" \
  "   AND (?5 IS NULL OR (r.themes & ?5) != 0)" \
  "   AND (?6 IS NULL OR r.language = ?6)" \
  "   AND (?7 IS NULL OR r.audience = ?7)"

#define RESOURCE_AUTHORS_SQL \
  "       CASE WHEN json_valid (r.authors) THEN" \
  "         (SELECT group_concat (value, ', ') FROM json_each (r.authors) WHERE type = 'text')" \
  "       ELSE r.authors END,"

static const char resource_filtered_sql[] =
  CANDIDATES_SQL ("resources_fts", "bm25(10.0, 5.0, 1.0, 3.0)")
  "SELECT r.id,"
  "       r.title,"
  RESOURCE_AUTHORS_SQL
  "       c.rank,"
  "       r.active, NULL, NULL, NULL"
  "  FROM c JOIN resources AS r ON r.rowid = c.rowid"
  " WHERE r.deleted = 0"
  RESOURCE_FILTER_SQL
  " ORDER BY c.rank"
  " LIMIT ?2";

/* Browsing: nothing typed, a filter set.  ?1 and ?3 are left unused
 * (SQLite keeps their slots), so one binding serves every query. */
static const char resource_browse_sql[] =
  "SELECT r.id,"
  "       r.title,"
  RESOURCE_AUTHORS_SQL
  "       0.0,"
  "       r.active, NULL, NULL, NULL"
  "  FROM resources AS r"
  " WHERE r.deleted = 0"
  RESOURCE_FILTER_SQL
  " ORDER BY r.title COLLATE NOCASE, r.id"
  " LIMIT ?2";

static const char activity_sql[] =
  CANDIDATES_SQL ("activities_fts", "bm25(10.0, 10.0, 10.0, 1.0)")
  "SELECT a.id,"
  "       coalesce (nullif (a.title_fr, ''), nullif (a.title_nl, ''),"
  "                 nullif (a.title_en, ''), ''),"
  "       a.day,"
  "       c.rank,"
  "       1, a.title_fr, a.title_nl, a.title_en"
  "  FROM c JOIN activities AS a ON a.rowid = c.rowid"
  " WHERE a.deleted = 0"
  " ORDER BY c.rank"
  " LIMIT ?2";

/* The columns that name a record, for the first pass. */
static const char *
title_columns (CdmEntity entity)
{
  switch (entity)
    {
    case CDM_ENTITY_ORGANISATION:
      return "{name_fr name_nl name_en acronym}";
    case CDM_ENTITY_RESOURCE:
      return "{title}";
    case CDM_ENTITY_ACTIVITY:
      return "{title_fr title_nl title_en}";
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

void
cdm_search_hit_free (CdmSearchHit *hit)
{
  if (hit == NULL)
    return;

  g_free (hit->id);
  g_free (hit->title);
  g_free (hit->detail);
  for (guint i = 0; i < G_N_ELEMENTS (hit->titles); i++)
    g_free (hit->titles[i]);
  g_free (hit);
}

/* A character that belongs to a word: what the unicode61 tokenizer keeps
 * as token characters (letters, digits, private use) and combining marks,
 * which it folds into the letter before them. */
static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) ||
         g_unichar_ismark (c) ||
         g_unichar_type (c) == G_UNICODE_PRIVATE_USE;
}

static void
append_term (GString *match,
             GString *word,
             gboolean has_alnum,
             guint   *n_terms)
{
  /* A word of marks alone would be an empty phrase once folded. */
  if (word->len > 0 && has_alnum && *n_terms < MAX_QUERY_TERMS)
    {
      if (match->len > 0)
        g_string_append_c (match, ' ');
      /* Words hold letters, digits and marks only, never a double quote,
       * so quoting them makes a string that FTS5 cannot read as syntax. */
      g_string_append_c (match, '"');
      g_string_append_len (match, word->str, word->len);
      g_string_append (match, "\"*");
      (*n_terms)++;
    }

  g_string_truncate (word, 0);
}

char *
cdm_search_build_match (const char *query)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) word = NULL;
  GString *match;
  gboolean has_alnum = FALSE;
  guint n_terms = 0;
  guint n_chars = 0;
  const char *p;

  if (query == NULL)
    return NULL;

  /* Cut before validating so that a huge paste costs nothing; a sequence
   * cut in the middle becomes U+FFFD, which separates words. */
  valid = g_utf8_make_valid (query, strnlen (query, MAX_QUERY_BYTES));

  match = g_string_new (NULL);
  word = g_string_new (NULL);

  for (p = valid;
       *p != '\0' && n_chars < MAX_QUERY_CHARS && n_terms < MAX_QUERY_TERMS;
       p = g_utf8_next_char (p), n_chars++)
    {
      gunichar c = g_utf8_get_char (p);

      if (is_word_char (c))
        {
          g_string_append_unichar (word, c);
          if (g_unichar_isalnum (c) || g_unichar_type (c) == G_UNICODE_PRIVATE_USE)
            has_alnum = TRUE;
        }
      else
        {
          append_term (match, word, has_alnum, &n_terms);
          has_alnum = FALSE;
        }
    }
  append_term (match, word, has_alnum, &n_terms);

  if (match->len == 0)
    {
      g_string_free (match, TRUE);
      return NULL;
    }

  return g_string_free (match, FALSE);
}

static gboolean
is_fts_syntax_error (sqlite3 *db,
                     int      rc)
{
  return (rc & 0xff) == SQLITE_ERROR &&
         g_str_has_prefix (sqlite3_errmsg (db), "fts5:");
}

/* A CdmResourceFilter checked against the vocabularies: codes and the
 * bit of the theme. */
typedef struct {
  const char *kind;
  gint64 theme_bit;  /* 0 for any */
  const char *language;
  const char *audience;
} ResolvedFilter;

/* Whether @code is NULL or in @vocabulary, at @index. */
static gboolean
check_code (const char         *code,
            const char * const *vocabulary,
            guint              *index)
{
  if (code == NULL)
    return TRUE;

  for (guint i = 0; vocabulary[i] != NULL; i++)
    {
      if (strcmp (vocabulary[i], code) == 0)
        {
          if (index != NULL)
            *index = i;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
resolve_filter (const CdmResourceFilter  *filter,
                ResolvedFilter           *resolved,
                GError                  **error)
{
  static const char * const languages[] = { "fr", "nl", "en", NULL };
  guint theme = 0;

  memset (resolved, 0, sizeof *resolved);
  if (filter == NULL)
    return TRUE;

  if (!check_code (filter->kind, cdm_resource_kinds, NULL))
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE,
                   _("“%s” is not a known kind of resource"), filter->kind);
      return FALSE;
    }
  if (!check_code (filter->theme, cdm_themes, &theme))
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE,
                   _("“%s” is not a known theme"), filter->theme);
      return FALSE;
    }
  if (!check_code (filter->language, languages, NULL))
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE,
                   _("“%s” is not a known language"), filter->language);
      return FALSE;
    }
  if (!check_code (filter->audience, cdm_audiences, NULL))
    {
      g_set_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE,
                   _("“%s” is not a known audience"), filter->audience);
      return FALSE;
    }

  resolved->kind = filter->kind;
  resolved->theme_bit = filter->theme != NULL ? G_GINT64_CONSTANT (1) << theme : 0;
  resolved->language = filter->language;
  resolved->audience = filter->audience;
  return TRUE;
}

static gboolean
filter_is_set (const ResolvedFilter *filter)
{
  return filter != NULL &&
         (filter->kind != NULL || filter->theme_bit != 0 ||
          filter->language != NULL || filter->audience != NULL);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, index);
}

/* Appends to @hits at most @limit hits of @entity matching @match that
 * are not in @seen yet; with @filter set (resources only), only those
 * that pass it, and with @match NULL, those by title.  Called with the
 * store locked. */
static gboolean
search_pass (CdmStore              *store,
             CdmEntity              entity,
             const char            *match,
             const ResolvedFilter  *filter,
             guint                  limit,
             GHashTable            *seen,
             GPtrArray             *hits,
             GCancellable          *cancellable,
             GError               **error)
{
  gboolean filtered = filter_is_set (filter);
  sqlite3 *db = _cdm_store_get_db (store);
  sqlite3_stmt *stmt;
  const char *sql;
  guint added = 0;
  int rc;

  switch (entity)
    {
    case CDM_ENTITY_ORGANISATION:
      sql = organisation_sql;
      break;
    case CDM_ENTITY_RESOURCE:
      if (match == NULL)
        sql = resource_browse_sql;
      else
        sql = filtered ? resource_filtered_sql : resource_sql;
      break;
    case CDM_ENTITY_ACTIVITY:
      sql = activity_sql;
      break;
    default:
      g_assert_not_reached ();
    }

  stmt = _cdm_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;

  bind_text_or_null (stmt, 1, match);
  /* The hits of a previous pass may come back: ask for enough. */
  sqlite3_bind_int64 (stmt, 2, limit + g_hash_table_size (seen));
  sqlite3_bind_int64 (stmt, 3, filtered ? FILTERED_CANDIDATES : CANDIDATES);
  if (filtered)
    {
      bind_text_or_null (stmt, 4, filter->kind);
      if (filter->theme_bit != 0)
        sqlite3_bind_int64 (stmt, 5, filter->theme_bit);
      else
        sqlite3_bind_null (stmt, 5);
      bind_text_or_null (stmt, 6, filter->language);
      bind_text_or_null (stmt, 7, filter->audience);
    }

  while (added < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      CdmSearchHit *hit;

      if (g_hash_table_contains (seen, id))
        continue;

      hit = g_new0 (CdmSearchHit, 1);
      hit->entity = entity;
      hit->id = g_strdup (id);
      hit->title = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      hit->detail = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      hit->rank = sqlite3_column_double (stmt, 3);
      hit->inactive = sqlite3_column_int (stmt, 4) == 0;
      for (guint i = 0; i < G_N_ELEMENTS (hit->titles); i++)
        hit->titles[i] = g_strdup ((const char *) sqlite3_column_text (stmt, 5 + i));
      g_hash_table_add (seen, hit->id);
      g_ptr_array_add (hits, hit);
      added++;
    }
  if (added == limit)
    rc = SQLITE_DONE;

  if (rc != SQLITE_DONE)
    {
      gboolean syntax = is_fts_syntax_error (db, rc);

      if (!g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          if (!syntax)
            _cdm_store_set_error (error, db, rc, _("Searching the store failed"));
        }

      /* Ends the read transaction now, not at the next search. */
      sqlite3_reset (stmt);

      if (syntax && !g_cancellable_is_cancelled (cancellable))
        {
          /* The quoting of cdm_search_build_match() should make this
           * impossible; if it happens anyway, the person sees no result
           * rather than an error about syntax they did not write. */
          g_debug ("Search expression refused: %s", match != NULL ? match : "");
          return TRUE;
        }

      return FALSE;
    }

  sqlite3_reset (stmt);
  return TRUE;
}

/* Appends at most @limit hits of @entity: those whose name or title
 * matches first, ranked among themselves, then matches in other columns.
 * A hit found in names always ranks before one found elsewhere, so its
 * rank is shifted below every rank of the second pass. */
static gboolean
search_entity (CdmStore              *store,
               CdmEntity              entity,
               const char            *match,
               const ResolvedFilter  *filter,
               guint                  limit,
               GPtrArray             *hits,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *in_titles = NULL;
  guint first = hits->len;

  if (match == NULL)
    return search_pass (store, entity, NULL, filter, limit, seen, hits, cancellable, error);

  in_titles = g_strdup_printf ("%s : (%s)", title_columns (entity), match);
  if (!search_pass (store, entity, in_titles, filter, limit, seen, hits, cancellable, error))
    return FALSE;

  /* bm25 is negative, better when lower: keep title hits in front. */
  for (guint i = first; i < hits->len; i++)
    ((CdmSearchHit *) hits->pdata[i])->rank -= 1e6;

  if (hits->len - first < limit &&
      !search_pass (store, entity, match, filter, limit - (hits->len - first), seen, hits,
                    cancellable, error))
    return FALSE;

  return TRUE;
}

static int
compare_hits (gconstpointer a,
              gconstpointer b)
{
  const CdmSearchHit *ha = *(const CdmSearchHit * const *) a;
  const CdmSearchHit *hb = *(const CdmSearchHit * const *) b;

  if (ha->rank != hb->rank)
    return ha->rank < hb->rank ? -1 : 1;
  if (ha->entity != hb->entity)
    return ha->entity < hb->entity ? -1 : 1;
  return g_strcmp0 (ha->title, hb->title);
}

GPtrArray *
cdm_search (CdmStore      *store,
            CdmEntity      entity,
            const char    *query,
            guint          limit,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *match = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (entity == CDM_ENTITY_ORGANISATION ||
                        entity == CDM_ENTITY_RESOURCE ||
                        entity == CDM_ENTITY_ACTIVITY ||
                        entity == CDM_N_ENTITIES, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  hits = g_ptr_array_new_with_free_func ((GDestroyNotify) cdm_search_hit_free);

  match = cdm_search_build_match (query);
  if (match == NULL || limit == 0)
    return g_steal_pointer (&hits);

  _cdm_store_lock (store);
  _cdm_store_watch_cancellable (store, cancellable);

  if (entity == CDM_N_ENTITIES)
    {
      /* Each table gives its best @limit; the merge keeps the best of
       * those.  bm25 scores of different tables are not on one scale, but
       * near enough to interleave a short list. */
      const CdmEntity all[] = {
        CDM_ENTITY_ORGANISATION, CDM_ENTITY_RESOURCE, CDM_ENTITY_ACTIVITY
      };

      for (guint i = 0; ok && i < G_N_ELEMENTS (all); i++)
        ok = search_entity (store, all[i], match, NULL, limit, hits, cancellable, error);
    }
  else
    {
      ok = search_entity (store, entity, match, NULL, limit, hits, cancellable, error);
    }

  _cdm_store_unwatch_cancellable (store);
  _cdm_store_unlock (store);

  if (!ok)
    return NULL;

  g_ptr_array_sort (hits, compare_hits);
  if (hits->len > limit)
    g_ptr_array_set_size (hits, limit);

  return g_steal_pointer (&hits);
}

typedef struct {
  CdmEntity entity;
  char *query;
  guint limit;
} SearchData;

static void
search_data_free (gpointer data)
{
  SearchData *sd = data;

  g_free (sd->query);
  g_free (sd);
}

static void
search_thread (GTask        *task,
               CdmStore     *store,
               gpointer      task_data,
               GCancellable *cancellable)
{
  SearchData *sd = task_data;
  GError *error = NULL;
  GPtrArray *hits;

  hits = cdm_search (store, sd->entity, sd->query, sd->limit, cancellable, &error);
  if (hits == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hits, (GDestroyNotify) g_ptr_array_unref);
}

void
cdm_search_async (CdmStore            *store,
                  CdmEntity            entity,
                  const char          *query,
                  guint                limit,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  SearchData *sd;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (entity == CDM_ENTITY_ORGANISATION ||
                    entity == CDM_ENTITY_RESOURCE ||
                    entity == CDM_ENTITY_ACTIVITY ||
                    entity == CDM_N_ENTITIES);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  sd = g_new0 (SearchData, 1);
  sd->entity = entity;
  /* The caller's text may change as soon as we return (it is often an
   * entry's buffer), so the worker gets its own valid, bounded copy. */
  sd->query = query != NULL ? g_utf8_make_valid (query, strnlen (query, MAX_QUERY_BYTES)) : NULL;
  sd->limit = limit;

  _cdm_store_run_in_thread (store, cdm_search_async, search_thread,
                            sd, search_data_free,
                            cancellable, callback, user_data);
}

GPtrArray *
cdm_search_finish (CdmStore      *store,
                   GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_search_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GPtrArray *
cdm_search_resources (CdmStore                 *store,
                      const char               *query,
                      const CdmResourceFilter  *filter,
                      guint                     limit,
                      GCancellable             *cancellable,
                      GError                  **error)
{
  g_autoptr(GPtrArray) hits = NULL;
  g_autofree char *match = NULL;
  ResolvedFilter resolved;
  gboolean ok;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!resolve_filter (filter, &resolved, error))
    return NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  hits = g_ptr_array_new_with_free_func ((GDestroyNotify) cdm_search_hit_free);

  match = cdm_search_build_match (query);
  if (limit == 0 || (match == NULL && !filter_is_set (&resolved)))
    return g_steal_pointer (&hits);

  _cdm_store_lock (store);
  _cdm_store_watch_cancellable (store, cancellable);
  ok = search_entity (store, CDM_ENTITY_RESOURCE, match, &resolved, limit, hits,
                      cancellable, error);
  _cdm_store_unwatch_cancellable (store);
  _cdm_store_unlock (store);

  if (!ok)
    return NULL;

  /* Browsing keeps the order of titles. */
  if (match != NULL)
    g_ptr_array_sort (hits, compare_hits);
  if (hits->len > limit)
    g_ptr_array_set_size (hits, limit);

  return g_steal_pointer (&hits);
}

typedef struct {
  char *query;
  char *kind;
  char *theme;
  char *language;
  char *audience;
  gboolean has_filter;
  guint limit;
} ResourceSearchData;

static void
resource_search_data_free (gpointer data)
{
  ResourceSearchData *sd = data;

  g_free (sd->query);
  g_free (sd->kind);
  g_free (sd->theme);
  g_free (sd->language);
  g_free (sd->audience);
  g_free (sd);
}

static void
resource_search_thread (GTask        *task,
                        CdmStore     *store,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  ResourceSearchData *sd = task_data;
  CdmResourceFilter filter = { sd->kind, sd->theme, sd->language, sd->audience };
  GError *error = NULL;
  GPtrArray *hits;

  hits = cdm_search_resources (store, sd->query, sd->has_filter ? &filter : NULL,
                               sd->limit, cancellable, &error);
  if (hits == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hits, (GDestroyNotify) g_ptr_array_unref);
}

void
cdm_search_resources_async (CdmStore                 *store,
                            const char               *query,
                            const CdmResourceFilter  *filter,
                            guint                     limit,
                            GCancellable             *cancellable,
                            GAsyncReadyCallback       callback,
                            gpointer                  user_data)
{
  ResourceSearchData *sd;

  g_return_if_fail (CDM_IS_STORE (store));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  sd = g_new0 (ResourceSearchData, 1);
  /* The worker gets its own copies: the caller's may change on return. */
  sd->query = query != NULL ? g_utf8_make_valid (query, strnlen (query, MAX_QUERY_BYTES)) : NULL;
  if (filter != NULL)
    {
      sd->has_filter = TRUE;
      sd->kind = g_strdup (filter->kind);
      sd->theme = g_strdup (filter->theme);
      sd->language = g_strdup (filter->language);
      sd->audience = g_strdup (filter->audience);
    }
  sd->limit = limit;

  _cdm_store_run_in_thread (store, cdm_search_resources_async, resource_search_thread,
                            sd, resource_search_data_free,
                            cancellable, callback, user_data);
}

GPtrArray *
cdm_search_resources_finish (CdmStore      *store,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cdm_search_resources_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
