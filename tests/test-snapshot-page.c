/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Snapshot pages read from their bytes (cdm-snapshot-page.h) against the
 * json-glib path (cdm_sync_store_apply_records()): the same pages give
 * the same tables, byte for byte, and the same bad pages the same errors;
 * pages that are not JSON, or strange JSON, are refused whole. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cdm-demo.h"
#include "cdm-json-scan.h"
#include "cdm-snapshot-page.h"
#include "cdm-store.h"
#include "cdm-sync.h"
#include "cdm-sync-store.h"
#include "cdm-test-util.h"

#define ORG_A "0b8e3f0a-5d6c-4b7e-9a1f-2c3d4e5f6a7b"
#define ORG_B "1c9f4a1b-6e7d-4c8f-8b20-3d4e5f6a7b8c"
#define ORG_C "3c9f4a1b-6e7d-4c8f-8b20-3d4e5f6a7b8c"
#define RES_A "4da05b2c-7f8e-4d90-9c31-4e5f6a7b8c9d"
#define CONTACT_A "5da05b2c-7f8e-4d90-9c31-4e5f6a7b8c9d"
#define CONTACT_B "6da05b2c-7f8e-4d90-9c31-4e5f6a7b8c9d"

#define PAGE_SIZE 400
#define MAX_PER_TYPE 2400

typedef struct {
  char *dir;
  CdmStore *source;
  CdmStore *old_path;
  CdmStore *new_path;
} Fixture;

static CdmStore *
open_store (Fixture    *f,
            const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  CdmStore *store = cdm_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("cdm-snapshot-page-XXXXXX", &error);
  g_assert_no_error (error);
  f->old_path = open_store (f, "old.db");
  f->new_path = open_store (f, "new.db");
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_clear_object (&f->source);
  g_clear_object (&f->old_path);
  g_clear_object (&f->new_path);
  cdm_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* Records as the server's snapshot sends them. */
typedef struct {
  GPtrArray *records;   /* JsonObject */
} Collect;

static gboolean
collect (JsonObject *record,
         gpointer    data)
{
  Collect *c = data;

  if (c->records->len >= MAX_PER_TYPE)
    return FALSE;
  json_object_set_int_member (record, "version", c->records->len + 1);
  json_object_set_string_member (record, "updated_at", "2026-11-23T10:00:00Z");
  json_object_set_string_member (record, "updated_by", "bench");
  json_object_set_boolean_member (record, "deleted", FALSE);
  g_ptr_array_add (c->records, json_object_ref (record));
  return TRUE;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  JsonObject *x = *(JsonObject **) a, *y = *(JsonObject **) b;

  return strcmp (json_object_get_string_member (x, "id"), json_object_get_string_member (y, "id"));
}

static char *
page_text (GPtrArray  *records,
           guint       from,
           guint       to,
           const char *next)
{
  g_autoptr(JsonObject) answer = json_object_new ();
  g_autoptr(JsonArray) array = json_array_new ();
  g_autoptr(JsonNode) node = NULL;

  for (guint i = from; i < to; i++)
    json_array_add_object_element (array, json_object_ref (records->pdata[i]));
  json_object_set_array_member (answer, "records", g_steal_pointer (&array));
  if (next != NULL)
    json_object_set_string_member (answer, "next", next);
  else
    json_object_set_null_member (answer, "next");
  node = json_node_init_object (json_node_alloc (), answer);
  return json_to_string (node, FALSE);
}

/* The json-glib path, as before; without @position, not a bootstrap:
 * every trigger on. */
static void
write_old_at (CdmStore   *store,
              CdmEntity   entity,
              const char *text,
              const char *position)
{
  g_autoptr(JsonNode) node = cdm_test_parse_json (text);
  JsonArray *records = json_object_get_array_member (json_node_get_object (node), "records");
  g_autoptr(GError) error = NULL;

  g_assert_true (cdm_sync_store_apply_records (store, entity, records, NULL, position, &error));
  g_assert_no_error (error);
}

static void
write_old (CdmStore   *store,
           CdmEntity   entity,
           const char *text)
{
  write_old_at (store, entity, text, "{}");
}

/* The contacts' figures, as text. */
static char *
figures (CdmStore *store)
{
  g_autoptr(GString) out = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (cdm_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT '', day, key, n FROM contact_stats UNION ALL "
                                           "SELECT organisation, day, key, n FROM contact_org_stats ORDER BY 1, 2, 3",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (out, "%s %s %s %lld\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
                            sqlite3_column_text (stmt, 2), (long long) sqlite3_column_int64 (stmt, 3));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The bytes path, as cdm-sync.c's bootstrap. */
static void
write_new (CdmStore    *store,
           CdmEntity    entity,
           const char  *text,
           gboolean     fresh,
           char       **last_id)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmSyncRecords) checked = NULL;
  g_autofree char *next = NULL;

  checked = cdm_sync_store_read_page (entity, bytes, &next, &error);
  g_assert_no_error (error);
  g_assert_nonnull (checked);
  if (fresh)
    {
      g_assert_true (cdm_sync_records_follow (checked, *last_id));
      cdm_sync_records_set_new_rows (checked, TRUE);
    }
  g_assert_true (cdm_sync_store_apply_checked (store, checked, NULL, "{}", &error));
  g_assert_no_error (error);
  if (cdm_sync_records_get_last_id (checked) != NULL)
    {
      g_free (*last_id);
      *last_id = g_strdup (cdm_sync_records_get_last_id (checked));
    }
}

/* Every table, every row, every column, as text. */
static char *
dump (CdmStore *store)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (cdm_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' AND name NOT IN ('sync_state', 'meta') ORDER BY name",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint t = 0; t < tables->len; t++)
    {
      /* A table name of the schema, not data. */
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\" ORDER BY 1, 2", (char *) tables->pdata[t]);

      if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
        {
          /* Virtual tables of the full-text index without their module. */
          sqlite3_finalize (stmt);
          continue;
        }
      g_string_append_printf (out, "== %s\n", (char *) tables->pdata[t]);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              switch (sqlite3_column_type (stmt, c))
                {
                case SQLITE_NULL:
                  g_string_append (out, "NULL");
                  break;
                case SQLITE_INTEGER:
                  g_string_append_printf (out, "i%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, c));
                  break;
                case SQLITE_FLOAT:
                  g_string_append_printf (out, "f%.17g", sqlite3_column_double (stmt, c));
                  break;
                case SQLITE_BLOB:
                  {
                    const guint8 *blob = sqlite3_column_blob (stmt, c);
                    g_string_append (out, "b:");
                    for (int b = 0; b < sqlite3_column_bytes (stmt, c); b++)
                      g_string_append_printf (out, "%02x", blob[b]);
                  }
                  break;
                default:
                  {
                    const char *text = (const char *) sqlite3_column_text (stmt, c);
                    int n = sqlite3_column_bytes (stmt, c);

                    /* The time a placeholder was written (now_iso8601(),
                     * microseconds): the pages' own times have none. */
                    if (n == 27 && text[19] == '.' && text[26] == 'Z')
                      g_string_append (out, "<now>");
                    else
                      {
                        g_string_append_printf (out, "t%d:", n);
                        g_string_append_len (out, text, n);
                      }
                  }
                  break;
                }
              g_string_append_c (out, '|');
            }
          g_string_append_c (out, '\n');
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
  /* Compared as strings: no NUL may hide what follows. */
  g_assert_cmpuint (strlen (out->str), ==, out->len);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Records no generator makes: strings that need escaping or trimming,
 * control characters, every script, lists with duplicates, whole numbers
 * written as 5.0, referrals and handed-over resources, an answered
 * request, a partner without people, one whose people have no phone. */
static const char * const extra_partners[] = {
  "{\"type\": \"organisation\", \"id\": \"" ORG_A "\", \"version\": 3, \"updated_at\": \"2026-01-01T00:00:00Z\", "
  "\"name\": {\"fr\": \"  Maison \\\"de\\\" l'emploi \\\\ \\u00e9\\u20ac\\ud83d\\ude00 \", \"nl\": \"\\t\\n\", \"en\": null}, "
  "\"circle\": \"first\", \"kind\": \"training\", \"themes\": [\"work\", \"choose\", \"work\"], "
  "\"languages\": [\"nl\", \"fr\", \"nl\"], \"desk_days\": [\"fri\", \"mon\"], \"acronym\": \"\", "
  "\"people\": [{\"name\": \" Ana \\u001e\\u007f\\b\\f\\r\", \"role\": \"chef/\\\"boss\\\"\", \"email\": \"a@b.be\"}, "
  "{\"phone\": \"02\", \"name\": \"Jo\"}], \"notes\": \"línea\\nдва\\tثلاثة 四\", \"active\": false}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00Z\", \"updated_by\": null, "
  "\"name\": {\"nl\": \"Werkhuis\"}, \"circle\": \"other\", \"kind\": \"company\", \"people\": [], \"themes\": null}",
  "{\"id\": \"" ORG_C "\", \"version\": 2, \"updated_at\": \"2026-01-01T00:00:00Z\", \"deleted\": true, "
  "\"name\": {\"fr\": \"Fermé\"}, \"circle\": \"other\", \"kind\": \"other\"}",
};
static const char * const extra_resources[] = {
  "{\"id\": \"" RES_A "\", \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00Z\", \"kind\": \"book\", "
  "\"title\": \" Le  métier \", \"authors\": [\"A\", \" \", \"B \\\"C\\\"\"], \"year\": 2.0e3, \"copies\": 5.0, "
  "\"tags\": [], \"language\": \"fr\", \"audience\": \"neet\"}",
};
static const char * const extra_contacts[] = {
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00Z\", "
  "\"occurred_at\": \"2020-03-16T23:30:00+01:00\", \"site\": \"remote\", \"service\": \"individual_advice\", "
  "\"channel\": \"email\", \"programmes\": [\"neet\", \"schools\"], \"referrals\": [\"" ORG_A "\", \"" ORG_B "\", \"" ORG_A "\"], "
  "\"resources\": [\"" RES_A "\"], \"received_at\": \"2020-03-16T09:00:00Z\", \"answered_at\": \"2020-03-19T09:00:00Z\", "
  "\"profile\": {\"gender\": \"f\", \"language\": \"ar\", \"first_visit\": true, \"foreign_diploma\": false, \"region\": null}, "
  "\"duration_min\": 30, \"note\": \" \", \"desk\": \"d1\", \"user\": \"u\", \"organisation\": \"o\"}",
  "{\"id\": \"" CONTACT_B "\", \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00Z\", "
  "\"occurred_at\": \"2020-12-31T23:59:59-12:00\", \"site\": \"centre\", \"service\": \"multimedia\", "
  "\"channel\": \"in_person\", \"referrals\": [\"" ORG_C "\", \"7da05b2c-7f8e-4d90-9c31-4e5f6a7b8c9d\"]}",
};

static void
add_extra (GPtrArray          *records,
           const char * const *texts,
           guint               n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonNode) node = cdm_test_parse_json (texts[i]);
      g_ptr_array_add (records, json_object_ref (json_node_get_object (node)));
    }
}

static void
check_same_tables (Fixture *f)
{
  g_autofree char *old_dump = dump (f->old_path);
  g_autofree char *new_dump = dump (f->new_path);

  g_test_message ("tables of %" G_GSIZE_FORMAT " and %" G_GSIZE_FORMAT " bytes", strlen (old_dump), strlen (new_dump));
  g_assert_cmpuint (strlen (old_dump), >, 1000);
  if (!g_str_equal (old_dump, new_dump))
    {
      g_auto(GStrv) a = g_strsplit (old_dump, "\n", -1);
      g_auto(GStrv) b = g_strsplit (new_dump, "\n", -1);

      for (guint i = 0; a[i] != NULL && b[i] != NULL; i++)
        if (!g_str_equal (a[i], b[i]))
          {
            g_test_message ("first difference, line %u:\nold: %s\nnew: %s", i, a[i], b[i]);
            break;
          }
    }
  g_assert_true (g_str_equal (old_dump, new_dump));
}

/* The demo data (partners with people, names in three languages,
 * activities with organisers, contacts with profiles, referrals and
 * handed-over resources, attendance, tallies, satisfaction, closures) and
 * the records above, in pages, written by both paths. */
static void
test_same_tables (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_autoptr(CdmStore) plain = open_store (f, "plain.db");

  f->source = open_store (f, "source.db");
  g_assert_true (cdm_demo_fill (f->source, 2020, NULL, &error));
  g_assert_no_error (error);

  for (guint e = 0; e < cdm_sync_n_entities; e++)
    {
      CdmEntity entity = cdm_sync_entities[e];
      Collect c = { g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref) };
      g_autofree char *last_id = NULL;
      gboolean fresh = cdm_sync_store_table_is_empty (f->new_path, entity, NULL);

      g_assert_true (cdm_store_foreach (f->source, entity, FALSE, collect, &c, NULL, &error));
      g_assert_no_error (error);
      if (entity == CDM_ENTITY_ORGANISATION)
        add_extra (c.records, extra_partners, G_N_ELEMENTS (extra_partners));
      else if (entity == CDM_ENTITY_RESOURCE)
        add_extra (c.records, extra_resources, G_N_ELEMENTS (extra_resources));
      else if (entity == CDM_ENTITY_CONTACT)
        add_extra (c.records, extra_contacts, G_N_ELEMENTS (extra_contacts));
      /* The server sends each type by increasing id. */
      g_ptr_array_sort (c.records, compare_ids);
      g_test_message ("%s: %u records", cdm_entity_info (entity)->name, c.records->len);
      g_assert_cmpuint (c.records->len, >, 0);

      for (guint from = 0; from < c.records->len; from += PAGE_SIZE)
        {
          guint to = MIN (from + PAGE_SIZE, c.records->len);
          const char *next = to < c.records->len ? json_object_get_string_member (c.records->pdata[to - 1], "id") : NULL;
          g_autofree char *text = page_text (c.records, from, to, next);

          write_old (f->old_path, entity, text);
          write_new (f->new_path, entity, text, fresh, &last_id);
          if (entity == CDM_ENTITY_CONTACT || entity == CDM_ENTITY_ORGANISATION || entity == CDM_ENTITY_RESOURCE)
            write_old_at (plain, entity, text, NULL);
        }
      g_ptr_array_unref (c.records);
    }
  g_assert_true (cdm_sync_store_finish_bootstrap (f->old_path, 42, &error));
  g_assert_no_error (error);
  g_assert_true (cdm_sync_store_finish_bootstrap (f->new_path, 42, &error));
  g_assert_no_error (error);
  check_same_tables (f);

  /* The figures a bootstrap counts once per page are those the triggers
   * count contact by contact. */
  {
    g_autofree char *bulk = figures (f->new_path);
    g_autofree char *by_triggers = figures (plain);

    g_assert_cmpuint (strlen (bulk), >, 10000);
    g_assert_nonnull (strstr (bulk, "foreign_diploma:1"));
    g_assert_nonnull (strstr (bulk, "remote:within_48h"));
    g_assert_cmpstr (bulk, ==, by_triggers);
  }

  /* Both again, over what they hold: the records are known, versions
   * compared, nothing changes; then with newer versions, rewritten. */
  for (guint round = 0; round < 2; round++)
    {
      Collect c = { g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref) };
      g_autofree char *last_id = NULL;

      g_assert_true (cdm_store_foreach (f->source, CDM_ENTITY_CONTACT, FALSE, collect, &c, NULL, &error));
      g_ptr_array_set_size (c.records, MIN (c.records->len, 300));
      for (guint i = 0; round == 1 && i < c.records->len; i++)
        json_object_set_int_member (c.records->pdata[i], "version", 1000 + i);
      g_ptr_array_sort (c.records, compare_ids);
      {
        g_autofree char *text = page_text (c.records, 0, c.records->len, NULL);
        write_old (f->old_path, CDM_ENTITY_CONTACT, text);
        write_new (f->new_path, CDM_ENTITY_CONTACT, text, FALSE, &last_id);
      }
      g_ptr_array_unref (c.records);
      check_same_tables (f);
    }
}

/* A record that is refused gets the same message from both paths. */
static const char * const bad_records[] = {
  "42",
  "{\"type\": \"resource\", \"id\": \"" ORG_B "\", \"version\": 1}",
  "{\"type\": null, \"id\": \"" ORG_B "\", \"version\": 1}",
  "{\"id\": \"not-a-uuid\", \"version\": 1}",
  "{\"id\": \"" ORG_B "\", \"version\": \"1\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1.5}",
  "{\"id\": \"" ORG_B "\", \"version\": -1}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"deleted\": \"no\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"fourth\", \"kind\": \"other\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \" \"}, \"circle\": \"first\", \"kind\": \"other\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"de\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": \"X\", \"circle\": \"first\", \"kind\": \"other\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": 3}, \"circle\": \"first\", \"kind\": \"other\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\", \"colour\": 1}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\", "
  "\"themes\": \"work\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\", "
  "\"themes\": [\"work\", \"play\"]}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\", "
  "\"languages\": [\"FR\"]}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\", "
  "\"people\": [{\"role\": \"x\"}]}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\", "
  "\"people\": [{\"name\": \"x\", \"age\": 3}]}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\", "
  "\"people\": [\"x\"]}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\", "
  "\"acronym\": \"01234567890123456789012345678901234567890\"}",
  "{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, \"circle\": \"first\", \"kind\": \"other\", "
  "\"active\": 1}",
};

static const char * const bad_contacts[] = {
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\"}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"duration_min\": 100000}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"duration_min\": 1.5}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"duration_min\": 1e300}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"profile\": {\"gender\": \"q\"}}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"profile\": {\"shoe_size\": 44}}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"profile\": []}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"referrals\": [\"x\"]}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"answered_at\": \"2020-03-16T10:00:00Z\"}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"received_at\": \"2020-03-16T10:00:00Z\", "
  "\"answered_at\": \"2020-03-15T10:00:00Z\"}",
  "{\"id\": \"" CONTACT_A "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", \"site\": \"centre\", "
  "\"service\": \"multimedia\", \"channel\": \"email\", \"note\": [\"a\"]}",
};

static void
check_same_error (Fixture    *f,
                  CdmEntity   entity,
                  const char *good,
                  const char *bad)
{
  g_autofree char *text = g_strdup_printf ("{\"records\": [%s, %s], \"next\": null}", good, bad);
  g_autoptr(JsonNode) node = cdm_test_parse_json (text);
  JsonArray *records = json_object_get_array_member (json_node_get_object (node), "records");
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) old_error = NULL;
  g_autoptr(GError) new_error = NULL;
  g_autoptr(CdmSyncRecords) checked = NULL;
  g_autofree char *next = NULL;

  g_assert_null (cdm_sync_store_check_records (entity, records, &old_error));
  checked = cdm_sync_store_read_page (entity, bytes, &next, &new_error);
  g_assert_null (checked);
  g_assert_error (old_error, CDM_SYNC_STORE_ERROR, CDM_SYNC_STORE_ERROR_BAD_PAGE);
  g_assert_error (new_error, CDM_SYNC_STORE_ERROR, CDM_SYNC_STORE_ERROR_BAD_PAGE);
  g_test_message ("%s", new_error->message);
  g_assert_cmpstr (new_error->message, ==, old_error->message);
}

static void
test_same_errors (Fixture       *f,
                  gconstpointer  data)
{
  const char *good_org = "{\"id\": \"" ORG_A "\", \"version\": 1, \"name\": {\"fr\": \"A\"}, "
                         "\"circle\": \"first\", \"kind\": \"other\"}";
  const char *good_contact = "{\"id\": \"" CONTACT_B "\", \"version\": 1, \"occurred_at\": \"2020-03-16T10:00:00Z\", "
                             "\"site\": \"centre\", \"service\": \"multimedia\", \"channel\": \"email\"}";
  g_autoptr(GString) many = g_string_new ("{\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, "
                                          "\"circle\": \"first\", \"kind\": \"other\", \"themes\": [");

  for (guint i = 0; i < G_N_ELEMENTS (bad_records); i++)
    check_same_error (f, CDM_ENTITY_ORGANISATION, good_org, bad_records[i]);
  for (guint i = 0; i < G_N_ELEMENTS (bad_contacts); i++)
    check_same_error (f, CDM_ENTITY_CONTACT, good_contact, bad_contacts[i]);

  /* More than 1000 items. */
  for (guint i = 0; i < 1001; i++)
    g_string_append (many, i > 0 ? ", \"work\"" : "\"work\"");
  g_string_append (many, "]}");
  check_same_error (f, CDM_ENTITY_ORGANISATION, good_org, many->str);
}

/* Pages that are not JSON, or JSON the reader will not take: refused
 * whole with a clear error, the store unchanged. */
static const struct {
  const char *page;
  const char *says;
} bad_pages[] = {
  { "", "not JSON" },
  { "{\"records\": [GOOD", "not JSON" },
  { "{\"records\": [GOOD]", "not JSON" },
  { "{\"records\": [GOOD], \"next\": null", "not JSON" },
  { "{\"records\": [GOOD], \"next\": null}}", "follows the end" },
  { "{\"records\": [GOOD], \"next\": null} x", "follows the end" },
  { "{\"records\": [GOOD,], \"next\": null}", "not JSON" },
  { "{\"records\": [GOOD] \"next\": null}", "not JSON" },
  { "{\"records\": [GOOD], \"next\": nul}", "unknown word" },
  { "{\"records\": [GOOD], \"next\": None}", "a value expected" },
  { "{'records': [GOOD]}", "not JSON" },
  { "[GOOD]", "not JSON" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"\xff\"}", "UTF-8" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"\xc3\x28\"}", "UTF-8" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"\xed\xa0\x80\"}", "UTF-8" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"\xc0\xaf\"}", "UTF-8" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"\\ud800\"}", "lone surrogate" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"\\udc00\\ud800\"}", "lone surrogate" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"\\u00\"}", "four hexadecimal" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"\\u0000\"}", "\\u0000" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"\\q\"}", "unknown escape" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": \"a\tb\"}", "control character" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": 99999999999999999999}", "64 bits" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": 1e999}", "too large" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": 01}", "malformed number" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": -}", "malformed number" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": 1.}", "malformed number" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": .5}", "a value expected" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": +1}", "a value expected" },
  { "{\"records\": [GOOD], \"next\": null, \"x\": "
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "nested deeper" },
  { "{\"next\": null}", "no “records”" },
  { "{\"records\": {}, \"next\": null}", "no “records”" },
  { "{\"records\": [GOOD], \"next\": \"page-2\"}", "“next” that is not an id" },
  { "{\"records\": [GOOD], \"records\": [], \"next\": null}", "twice" },
  { "{\"records\": [GOOD, {\"id\": \"" ORG_B "\", \"version\": 1, \"name\": {\"fr\": \"X\"}, "
    "\"circle\": \"first\", \"kind\": \"other\", \"acronym\": \"x\\u0000\"}], \"next\": null}", "\\u0000" },
};

static void
test_bad_pages (Fixture       *f,
                gconstpointer  data)
{
  const char *good = "{\"id\": \"" ORG_A "\", \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00Z\", "
                     "\"name\": {\"fr\": \"A\"}, \"circle\": \"first\", \"kind\": \"other\"}";
  g_autofree char *first = g_strdup_printf ("{\"records\": [%s], \"next\": null}", good);
  g_autofree char *before = NULL;
  g_autofree char *last_id = NULL;

  write_new (f->new_path, CDM_ENTITY_ORGANISATION, first, FALSE, &last_id);
  before = dump (f->new_path);

  for (guint i = 0; i < G_N_ELEMENTS (bad_pages); i++)
    {
      g_autoptr(GString) text = g_string_new (bad_pages[i].page);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(CdmSyncRecords) checked = NULL;
      g_autofree char *next = NULL;
      g_autofree char *after = NULL;

      /* A record that would be new, so that writing it would show. */
      g_string_replace (text, "GOOD",
                        "{\"id\": \"" ORG_C "\", \"version\": 1, \"name\": {\"fr\": \"C\"}, "
                        "\"circle\": \"first\", \"kind\": \"other\"}", 0);
      bytes = g_bytes_new (text->str, text->len);
      checked = cdm_sync_store_read_page (CDM_ENTITY_ORGANISATION, bytes, &next, &error);
      {
        /* The test's output is TAP, which must stay valid UTF-8. */
        g_autofree char *shown = g_utf8_make_valid (text->str, (gssize) text->len);

        g_test_message ("%s → %s", shown, error != NULL ? error->message : "accepted");
      }
      g_assert_null (checked);
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BAD_ANSWER) ||
                     g_error_matches (error, CDM_SYNC_STORE_ERROR, CDM_SYNC_STORE_ERROR_BAD_PAGE));
      g_assert_nonnull (strstr (error->message, "nothing"));
      g_assert_nonnull (strstr (error->message, bad_pages[i].says));
      after = dump (f->new_path);
      g_assert_cmpstr (after, ==, before);
    }
}

/* The writer skips its look-ups only for ids that keep increasing past
 * the last one written; a page that names a record twice, or goes back,
 * is written with them, and gives what the json-glib path gives, members
 * named twice included. */
static void
test_order (Fixture       *f,
            gconstpointer  data)
{
  const char *a = "{\"id\": \"" ORG_A "\", \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00Z\", "
                  "\"name\": {\"fr\": \"A\"}, \"circle\": \"first\", \"kind\": \"other\"}";
  /* Members named twice count with their last value, as cdm-server
   * writes them: "version" and "deleted" after a body that has its own. */
  const char *a2 = "{\"id\": \"" ORG_A "\", \"version\": 1, \"deleted\": true, \"updated_at\": \"2026-01-02T00:00:00Z\", "
                   "\"name\": {\"fr\": \"A1\", \"fr\": \"A2\"}, \"circle\": \"second\", \"kind\": \"other\", "
                   "\"people\": [{\"name\": \"x\", \"name\": \"Y\"}], \"version\": 2, \"deleted\": false}";
  const char *b = "{\"id\": \"" ORG_B "\", \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00Z\", "
                  "\"name\": {\"nl\": \"B\"}, \"circle\": \"other\", \"kind\": \"company\"}";
  g_autofree char *increasing = g_strdup_printf ("{\"records\": [%s, %s], \"next\": null}", a, b);
  g_autofree char *back = g_strdup_printf ("{\"records\": [%s, %s, %s], \"next\": null}", b, a, a2);
  g_autoptr(GBytes) bytes = g_bytes_new (increasing, strlen (increasing));
  g_autoptr(GBytes) back_bytes = g_bytes_new (back, strlen (back));
  g_autoptr(CdmSyncRecords) checked = cdm_sync_store_read_page (CDM_ENTITY_ORGANISATION, bytes, NULL, NULL);
  g_autoptr(CdmSyncRecords) back_checked = cdm_sync_store_read_page (CDM_ENTITY_ORGANISATION, back_bytes, NULL, NULL);
  g_autofree char *last_id = NULL;

  g_assert_nonnull (checked);
  g_assert_nonnull (back_checked);
  g_assert_true (cdm_sync_records_follow (checked, NULL));
  g_assert_true (cdm_sync_records_follow (checked, "00000000-0000-0000-0000-000000000000"));
  g_assert_false (cdm_sync_records_follow (checked, ORG_A));
  g_assert_cmpstr (cdm_sync_records_get_last_id (checked), ==, ORG_B);
  g_assert_false (cdm_sync_records_follow (back_checked, NULL));

  write_old (f->old_path, CDM_ENTITY_ORGANISATION, back);
  write_new (f->new_path, CDM_ENTITY_ORGANISATION, back, FALSE, &last_id);
  g_assert_cmpint (cdm_store_count (f->new_path, CDM_ENTITY_ORGANISATION, NULL), ==, 2);
  {
    g_autofree char *old_dump = dump (f->old_path);
    g_autofree char *new_dump = dump (f->new_path);
    g_assert_cmpstr (old_dump, ==, new_dump);
    g_assert_nonnull (strstr (new_dump, "t2:A2|"));
    g_assert_nonnull (strstr (new_dump, "\"name\":\"Y\""));
  }
}

/* The scanner on its own: numbers typed as json-glib types them. */
static void
test_scan_numbers (void)
{
  static const struct {
    const char *text;
    gboolean is_int;
    gint64 i;
    double d;
  } numbers[] = {
    { "0", TRUE, 0, 0 },
    { "-0", TRUE, 0, 0 },
    { "9223372036854775807", TRUE, G_MAXINT64, 0 },
    { "-9223372036854775808", TRUE, G_MININT64, 0 },
    { "1.5", FALSE, 0, 1.5 },
    { "2e3", FALSE, 0, 2000 },
    { "-1.25E-2", FALSE, 0, -0.0125 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      CdmJsonScan scan;
      g_autoptr(GError) error = NULL;
      CdmJsonToken *token;

      cdm_json_scan_init (&scan, numbers[i].text, strlen (numbers[i].text));
      g_assert_true (cdm_json_scan_value (&scan, 0, &error));
      g_assert_no_error (error);
      g_assert_true (cdm_json_scan_end (&scan, &error));
      token = cdm_json_scan_token (&scan, 0);
      g_assert_cmpint (token->kind, ==, CDM_JSON_NUMBER);
      g_assert_cmpint (token->is_int, ==, numbers[i].is_int);
      if (numbers[i].is_int)
        g_assert_cmpint (token->i, ==, numbers[i].i);
      else
        g_assert_cmpfloat (token->d, ==, numbers[i].d);
      cdm_json_scan_clear (&scan);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/snapshot-page/same-tables", Fixture, NULL, setup, test_same_tables, teardown);
  g_test_add ("/snapshot-page/same-errors", Fixture, NULL, setup, test_same_errors, teardown);
  g_test_add ("/snapshot-page/bad-pages", Fixture, NULL, setup, test_bad_pages, teardown);
  g_test_add ("/snapshot-page/order", Fixture, NULL, setup, test_order, teardown);
  g_test_add_func ("/snapshot-page/scan-numbers", test_scan_numbers);

  return g_test_run ();
}
