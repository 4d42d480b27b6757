/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sync under faults: three desk stores synced through the engine
 * (cdm-sync.h) with the real cdm-server over a throwaway PostgreSQL
 * (tests/server/cdm-server-test-util.h), through a proxy that breaks
 * connections at random, with desks and the server killed with SIGKILL
 * and desk clocks a day off.  Whatever happens on the way, once the
 * network is good again every desk equals the server, record by record,
 * and the server holds exactly what the desks wrote.
 *
 * Environment:
 *   CDM_FAULT_SEED    the seed of the random choices (printed by every
 *                     run), to replay a failure
 *   CDM_FAULT_PERCENT the share of connections that meet a fault (45)
 *   CDM_FAULT_ROUNDS  random operations in /sync-faults/rounds (default
 *                     300).  The long soak, without meson's time limit:
 *                     CDM_FAULT_ROUNDS=5000 meson test -C BUILD sync-faults -t 0
 */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cdm-server-test-util.h"
#include "cdm-sync-test-util.h"
#include "cdm-test-util.h"
#include "cdm-store.h"
#include "cdm-sync.h"
#include "cdm-sync-store.h"

static CdmTestServer *server;
static char *tmpdir;
/* What the rounds did, to explain a failure. */
static GPtrArray *history;

static void history_dump (const char *id);
static char *token;           /* the counsellor's, kept across server restarts */

/* The random choices of the whole program come from one seeded
 * generator, shared by the proxy's threads. */
static GRand *rand_;
static GMutex rand_lock;

static guint
pick (guint n)
{
  guint value;

  g_mutex_lock (&rand_lock);
  value = g_rand_int_range (rand_, 0, (gint32) n);
  g_mutex_unlock (&rand_lock);
  return value;
}

static gboolean
chance (guint percent)
{
  return pick (100) < percent;
}

/* The fault-injecting proxy (cdm-sync-test-util.h): while faults are
 * on, a share of the connections meet a random fate. */

static gint faulty;           /* atomic: 0 passes everything */
static guint fault_percent;   /* of the connections that meet a fault */

static void
choose_fault (gpointer         user_data,
              CdmSyncTestFate *fate,
              gsize           *offset)
{
  if (g_atomic_int_get (&faulty) && chance (fault_percent))
    {
      guint p = pick (3);

      *fate = p == 0 ? CDM_SYNC_TEST_FATE_CUT_REQUEST : p == 1 ? CDM_SYNC_TEST_FATE_CUT_ANSWER : CDM_SYNC_TEST_FATE_DROP_ANSWER;
      /* Mostly inside the headers or a small body, now and then deep
       * in a big one. */
      *offset = chance (70) ? pick (600) : pick (60000);
    }
}

static CdmSyncTestProxy *
proxy_new (void)
{
  g_atomic_int_set (&faulty, 0);
  fault_percent = g_getenv ("CDM_FAULT_PERCENT") ? atoi (g_getenv ("CDM_FAULT_PERCENT")) : 45;
  return cdm_sync_test_proxy_new (server, 32, choose_fault, NULL);
}

/* Records */

static CdmStore *
store_new (const char *name)
{
  return cdm_sync_test_store_new (tmpdir, name);
}

static CdmSync *
sync_new (CdmStore   *store,
          const char *url)
{
  CdmSync *sync = cdm_sync_new (store, url ? url : cdm_test_server_url (server), token);

  cdm_sync_set_timeout (sync, 20);
  return sync;
}

static void
sync_ok (CdmStore   *store,
         const char *url)
{
  g_autoptr(CdmSync) sync = sync_new (store, url);
  g_autoptr(GError) error = NULL;

  cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_VERIFY, NULL, &error);
  g_assert_no_error (error);
}

/* The server's copy of a record, tombstones included. */
static JsonObject *
server_record (CdmEntity   entity,
               const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/records/%s/%s", cdm_entity_info (entity)->name, id);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", path, cdm_test_server_token (server, "manager"), NULL);

  if (reply->status != 200)
    g_error ("the server has no %s %s (%u)", cdm_entity_info (entity)->name, id, reply->status);
  return json_object_ref (json_node_get_object (reply->json));
}

static JsonNode *
member_or_null (JsonObject *record,
                const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node) ? node : NULL;
}

/* Same version, same tombstone, same value in every field of section 7
 * (an absent field and a null one are the same). */
static void
assert_same_record (CdmEntity   entity,
                    const char *where,
                    JsonObject *ours,
                    JsonObject *theirs)
{
  const CdmEntityInfo *info = cdm_entity_info (entity);
  const char *id = json_object_get_string_member (theirs, "id");

  if (json_object_get_int_member (ours, "version") != json_object_get_int_member (theirs, "version") ||
      json_object_get_boolean_member (ours, "deleted") != json_object_get_boolean_member (theirs, "deleted"))
    {
      history_dump (id);
      g_error ("%s %s on %s: version %" G_GINT64_FORMAT "%s, the server's %" G_GINT64_FORMAT "%s",
               info->name, id, where,
               json_object_get_int_member (ours, "version"),
               json_object_get_boolean_member (ours, "deleted") ? " (deleted)" : "",
               json_object_get_int_member (theirs, "version"),
               json_object_get_boolean_member (theirs, "deleted") ? " (deleted)" : "");
    }
  /* What a tombstone still holds is seen by nobody: a desk keeps the
   * fields it last knew, the server the last ones written. */
  if (json_object_get_boolean_member (theirs, "deleted"))
    return;
  for (guint i = 0; i < info->n_fields; i++)
    {
      const char *name = info->fields[i].name;
      JsonNode *a = member_or_null (ours, name);
      JsonNode *b = member_or_null (theirs, name);

      if ((a == NULL) != (b == NULL) || (a != NULL && !json_node_equal (a, b)))
        {
          g_autofree char *a_text = a ? json_to_string (a, FALSE) : g_strdup ("null");
          g_autofree char *b_text = b ? json_to_string (b, FALSE) : g_strdup ("null");

          history_dump (id);
          g_error ("%s %s on %s (version %" G_GINT64_FORMAT "): %s is %s, on the server %s", info->name, id, where,
                   json_object_get_int_member (ours, "version"), name, a_text, b_text);
        }
    }
}

/* The local checksums equal the server's for every type. */
static void
assert_same_checksums (CdmStore *store)
{
  cdm_sync_test_assert_same_checksums (server, token, store);
}

static void
assert_nothing_waiting (CdmStore *store)
{
  gint64 parked = cdm_sync_store_count_parked (store, NULL);

  if (parked != 0)
    {
      g_autoptr(JsonArray) outbox = cdm_store_outbox_list (store, 20, NULL);
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), outbox);
      g_autofree char *text = json_to_string (node, TRUE);

      g_error ("%" G_GINT64_FORMAT " entries parked: %s", parked, text);
    }
  g_assert_cmpint (cdm_sync_store_count_pending (store, NULL), ==, 0);
}

/* The random rounds */

#define N_DESKS 3

/* What the server must end with. */
typedef struct {
  GPtrArray *ids[CDM_ENTITY_SATISFACTION + 1];   /* every id created, per type */
  GHashTable *deleted;                           /* ids some desk deleted */
  GPtrArray *anchors;                            /* activities never deleted (attendance refers to them) */
} Model;

static const struct {
  CdmEntity entity;
  const char *fields[4];
} editable[] = {
  { CDM_ENTITY_ORGANISATION, { "phone", "email", "notes", "website" } },
  { CDM_ENTITY_RESOURCE, { "summary", "location", "publisher", "url" } },
  { CDM_ENTITY_ACTIVITY, { "summary", "place", "platform", "link" } },
};

static char *
create_mutable (CdmStore   *store,
                CdmEntity   entity,
                guint       round)
{
  g_autofree char *json = NULL;

  switch (entity)
    {
    case CDM_ENTITY_ORGANISATION:
      json = g_strdup_printf ("{\"name\": {\"fr\": \"Partenaire %u\"}, \"circle\": \"first\", "
                              "\"kind\": \"training\", \"phone\": \"02 000 00 00\"}", round);
      break;
    case CDM_ENTITY_RESOURCE:
      json = g_strdup_printf ("{\"kind\": \"book\", \"title\": \"Livre %u\"}", round);
      break;
    case CDM_ENTITY_ACTIVITY:
      json = g_strdup_printf ("{\"title\": {\"fr\": \"Atelier %u\"}, \"starts_at\": \"2026-03-02T10:00:00+01:00\", "
                              "\"mode\": \"on_site\", \"status\": \"planned\"}", round);
      break;
    default:
      g_assert_not_reached ();
    }
  return cdm_sync_test_put (store, entity, json);
}

/* A value that no other desk or round writes, so that two edits of one
 * field always collide. */
static char *
field_value (const char *field,
             guint       desk,
             guint       round)
{
  if (g_str_equal (field, "email"))
    return g_strdup_printf ("d%u.r%u@example.org", desk, round);
  if (g_str_equal (field, "website") || g_str_equal (field, "url") || g_str_equal (field, "link"))
    return g_strdup_printf ("https://example.org/d%u/r%u", desk, round);
  return g_strdup_printf ("desk %u round %u", desk, round);
}

/* A live record of @entity that the desk knows, or NULL. */
static JsonObject *
pick_known (Model     *model,
            CdmStore  *store,
            CdmEntity  entity,
            gboolean   deletable)
{
  GPtrArray *ids = model->ids[entity];

  for (guint tries = 0; tries < 5 && ids->len > 0; tries++)
    {
      const char *id = ids->pdata[pick (ids->len)];
      JsonObject *record;

      if (deletable && g_ptr_array_find_with_equal_func (model->anchors, id, g_str_equal, NULL))
        continue;
      record = cdm_store_get (store, entity, id, FALSE, NULL);
      if (record != NULL)
        return record;
    }
  return NULL;
}

static void
model_add (Model      *model,
           CdmEntity   entity,
           char       *id)
{
  g_ptr_array_add (model->ids[entity], id);
}

static void
history_dump (const char *id)
{
  for (guint i = 0; history != NULL && i < history->len; i++)
    if (id == NULL || strstr (history->pdata[i], id) != NULL || strstr (history->pdata[i], "sync") != NULL)
      g_printerr ("  %s\n", (char *) history->pdata[i]);
}

static void
note (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static void
note (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (history, g_strdup_vprintf (format, args));
  va_end (args);
}

typedef struct {
  guint ops;
  guint syncs;
  guint failed_syncs;
  guint conflicts_reported;
} Tally;

static void
random_op (Model    *model,
           CdmStore *store,
           CdmSync  *sync,
           guint     desk,
           guint     round,
           Tally    *tally)
{
  guint op = pick (100);
  g_autoptr(GError) error = NULL;

  tally->ops++;
  if (op < 12)
    {
      CdmEntity entity = editable[pick (G_N_ELEMENTS (editable))].entity;
      char *id = create_mutable (store, entity, round);

      note ("round %u desk %u: create %s %s", round, desk, cdm_entity_info (entity)->name, id);
      model_add (model, entity, id);
    }
  else if (op < 40)
    {
      guint e = pick (G_N_ELEMENTS (editable));
      g_autoptr(JsonObject) record = pick_known (model, store, editable[e].entity, FALSE);
      const char *field = editable[e].fields[pick (4)];
      g_autofree char *value = field_value (field, desk, round);

      if (record == NULL)
        return;
      note ("round %u desk %u: edit %s %s v%" G_GINT64_FORMAT " %s = %s", round, desk,
            cdm_entity_info (editable[e].entity)->name, json_object_get_string_member (record, "id"),
            json_object_get_int_member (record, "version"), field, value);
      json_object_set_string_member (record, field, value);
      g_assert_true (cdm_store_put (store, editable[e].entity, record, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  else if (op < 44)
    {
      CdmEntity entity = editable[pick (G_N_ELEMENTS (editable))].entity;
      g_autoptr(JsonObject) record = pick_known (model, store, entity, TRUE);
      const char *id;

      if (record == NULL)
        return;
      id = json_object_get_string_member (record, "id");
      note ("round %u desk %u: delete %s %s", round, desk, cdm_entity_info (entity)->name, id);
      g_assert_true (cdm_store_delete (store, entity, id, &error));
      g_assert_no_error (error);
      g_hash_table_add (model->deleted, g_strdup (id));
    }
  else if (op < 58)
    {
      g_autofree char *note = g_strdup_printf ("fault desk %u round %u", desk, round);
      model_add (model, CDM_ENTITY_CONTACT, cdm_sync_test_put_contact (store, note));
    }
  else if (op < 61)
    {
      g_autoptr(JsonObject) record = pick_known (model, store, CDM_ENTITY_CONTACT, TRUE);
      const char *id;

      if (record == NULL)
        return;
      id = json_object_get_string_member (record, "id");
      g_assert_true (cdm_store_delete (store, CDM_ENTITY_CONTACT, id, &error));
      g_assert_no_error (error);
      g_hash_table_add (model->deleted, g_strdup (id));
    }
  else if (op < 68)
    {
      const char *activity = model->anchors->pdata[pick (model->anchors->len)];
      g_autofree char *json = g_strdup_printf ("{\"activity\": \"%s\", \"count\": %u, "
                                               "\"recorded_at\": \"2026-03-02T12:00:00+01:00\"}",
                                               activity, 1 + pick (30));
      model_add (model, CDM_ENTITY_ATTENDANCE, cdm_sync_test_put (store, CDM_ENTITY_ATTENDANCE, json));
    }
  else if (op < 75)
    {
      g_autofree char *json = g_strdup_printf ("{\"day\": \"2026-03-%02u\", \"kind\": \"printing\", \"count\": %u}",
                                               1 + pick (28), 1 + pick (9));
      model_add (model, CDM_ENTITY_MULTIMEDIA_TALLY, cdm_sync_test_put (store, CDM_ENTITY_MULTIMEDIA_TALLY, json));
    }
  else
    {
      CdmSyncReport report = { 0 };
      /* Now and then a small batch, so that a push takes several
       * exchanges and a fault can fall between them. */
      cdm_sync_set_batch_size (sync, chance (50) ? 1 + pick (5) : 200);
      tally->syncs++;
      if (!cdm_sync_test_run_and_wait (sync, chance (20) ? CDM_SYNC_RUN_VERIFY : CDM_SYNC_RUN_DEFAULT, &report, &error))
        {
          note ("round %u desk %u: sync failed: %s", round, desk, error->message);
          if (!cdm_sync_error_is_retryable (error))
            g_error ("desk %u, round %u: a broken connection gave an error that is not to retry: %s",
                     desk, round, error->message);
          tally->failed_syncs++;
        }
      else
        note ("round %u desk %u: sync pushed %u, %u conflicts, pulled %u", round, desk,
              report.pushed, report.conflicts, report.pulled);
      tally->conflicts_reported += report.conflicts;
    }
}

static void
test_rounds (void)
{
  const char *rounds_env = g_getenv ("CDM_FAULT_ROUNDS");
  guint rounds = rounds_env ? (guint) g_ascii_strtoull (rounds_env, NULL, 10) : 300;
  CdmSyncTestProxy *proxy = proxy_new ();
  CdmStore *stores[N_DESKS];
  CdmSync *syncs[N_DESKS];
  Model model = { 0 };
  Tally tally = { 0 };
  gint64 started = g_get_monotonic_time ();
  gint64 desk_conflicts = 0;
  gint64 live_contacts = 0;

  for (guint e = 0; e < G_N_ELEMENTS (model.ids); e++)
    model.ids[e] = g_ptr_array_new_with_free_func (g_free);
  model.deleted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  model.anchors = g_ptr_array_new ();
  history = g_ptr_array_new_with_free_func (g_free);

  for (guint d = 0; d < N_DESKS; d++)
    {
      stores[d] = store_new ("faults");
      syncs[d] = sync_new (stores[d], proxy->url);
    }
  /* What every desk starts from: activities to count attendance at. */
  for (guint i = 0; i < 3; i++)
    {
      char *id = create_mutable (stores[0], CDM_ENTITY_ACTIVITY, i);
      model_add (&model, CDM_ENTITY_ACTIVITY, id);
      g_ptr_array_add (model.anchors, id);
    }
  for (guint d = 0; d < N_DESKS; d++)
    sync_ok (stores[d], proxy->url);

  g_atomic_int_set (&faulty, 1);
  for (guint round = 0; round < rounds; round++)
    {
      guint d = pick (N_DESKS);
      random_op (&model, stores[d], syncs[d], d, round, &tally);
    }
  g_atomic_int_set (&faulty, 0);

  /* The network is good again: every desk syncs, twice over. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint d = 0; d < N_DESKS; d++)
      {
        CdmSyncReport report = { 0 };
        g_autoptr(GError) error = NULL;

        cdm_sync_set_batch_size (syncs[d], 200);
        cdm_sync_test_run_and_wait (syncs[d], CDM_SYNC_RUN_VERIFY, &report, &error);
        g_assert_no_error (error);
        tally.conflicts_reported += report.conflicts;
      }

  g_test_message ("%u operations, %u syncs (%u failed) in %.1f s; connections: %d passed, %d request cut, "
                  "%d answer cut, %d answer dropped",
                  tally.ops, tally.syncs, tally.failed_syncs,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC,
                  proxy->fates[CDM_SYNC_TEST_FATE_PASS], proxy->fates[CDM_SYNC_TEST_FATE_CUT_REQUEST],
                  proxy->fates[CDM_SYNC_TEST_FATE_CUT_ANSWER], proxy->fates[CDM_SYNC_TEST_FATE_DROP_ANSWER]);

  /* Every desk equals the server, record by record. */
  for (guint d = 0; d < N_DESKS; d++)
    {
      g_autofree char *where = g_strdup_printf ("desk %u", d);

      assert_nothing_waiting (stores[d]);
      assert_same_checksums (stores[d]);
      for (guint e = 0; e < G_N_ELEMENTS (model.ids); e++)
        for (guint i = 0; i < model.ids[e]->len; i++)
          {
            const char *id = model.ids[e]->pdata[i];
            g_autoptr(JsonObject) theirs = server_record (e, id);
            g_autoptr(GError) error = NULL;
            g_autoptr(JsonObject) ours = cdm_store_get (stores[d], e, id, TRUE, &error);

            /* A desk that never saw a record before it was deleted
             * needs no tombstone of it. */
            if (ours == NULL && json_object_get_boolean_member (theirs, "deleted"))
              g_clear_error (&error);
            else if (ours == NULL)
              {
                history_dump (id);
                g_error ("%s %s is missing on %s: %s", cdm_entity_info (e)->name, id, where,
                         error ? error->message : "");
              }
            else
              assert_same_record (e, where, ours, theirs);
            /* A delete wins: the tombstone stays. */
            g_assert_true (json_object_get_boolean_member (theirs, "deleted") ==
                           g_hash_table_contains (model.deleted, id));
          }
      desk_conflicts += cdm_sync_store_count_conflicts (stores[d], NULL);
    }

  /* Counted records: each exactly once, unless deleted. */
  for (guint i = 0; i < model.ids[CDM_ENTITY_CONTACT]->len; i++)
    if (!g_hash_table_contains (model.deleted, model.ids[CDM_ENTITY_CONTACT]->pdata[i]))
      live_contacts++;
  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE NOT deleted AND body->>'note' LIKE 'fault desk %'"),
                   ==, live_contacts);
  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM contacts WHERE body->>'note' LIKE 'fault desk %'"),
                   ==, model.ids[CDM_ENTITY_CONTACT]->len);
  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM attendance"), ==, model.ids[CDM_ENTITY_ATTENDANCE]->len);
  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM multimedia_tallies"), ==, model.ids[CDM_ENTITY_MULTIMEDIA_TALLY]->len);
  for (guint e = CDM_ENTITY_ORGANISATION; e <= CDM_ENTITY_ACTIVITY; e++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", cdm_entity_info (e)->table);
      g_assert_cmpint (cdm_sync_test_server_count (server, sql), ==, model.ids[e]->len);
    }

  /* Every same-field collision is one conflict record, on the server and
   * on the desk that lost it, however many times its answer was lost. */
  g_test_message ("%u conflicts reported to the desks, %" G_GINT64_FORMAT " kept by them, %"
                  G_GINT64_FORMAT " on the server", tally.conflicts_reported, desk_conflicts,
                  cdm_sync_test_server_count (server, "SELECT count(*) FROM conflicts"));
  g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM conflicts"), ==, desk_conflicts);

  for (guint d = 0; d < N_DESKS; d++)
    {
      g_object_unref (syncs[d]);
      g_object_unref (stores[d]);
    }
  for (guint e = 0; e < G_N_ELEMENTS (model.ids); e++)
    g_ptr_array_unref (model.ids[e]);
  g_hash_table_unref (model.deleted);
  g_ptr_array_unref (model.anchors);
  g_clear_pointer (&history, g_ptr_array_unref);
  /* Let the pumps of the connections just closed end. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  cdm_sync_test_proxy_free (proxy);
}

/* SIGKILL */

static void
cdmctl_login (const char *store_path)
{
  g_autofree char *password_file = g_build_filename (tmpdir, "password", NULL);

  cdm_sync_test_cdmctl_login (server, password_file, store_path);
}

/* Starts `cdmctl sync` and SIGKILLs it: once @sql (on the store) gives a
 * value in ]0, @below[ when @sql is given, else after a random delay.
 * Returns whether it died of the signal. */
static gboolean
kill_cdmctl_sync (const char *store_path,
                  const char *sql,
                  gint64      below)
{
  const char *argv[] = { g_getenv ("CDMCTL"), "--store", store_path, "sync", NULL };
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  child = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + (sql != NULL ? 20 * G_USEC_PER_SEC : pick (800) * 1000);
  while (g_get_monotonic_time () < deadline && g_subprocess_get_identifier (child) != NULL)
    {
      if (sql != NULL)
        {
          gint64 value = cdm_sync_test_peek_value (store_path, sql);
          if (value > 0 && value < below)
            break;
        }
      g_usleep (1000);
    }
  g_subprocess_force_exit (child);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  return g_subprocess_get_if_signaled (child);
}

static void
put_contacts (CdmStore   *store,
              const char *prefix,
              guint       n)
{
  g_assert_true (cdm_store_begin (store, FALSE, NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("%s%u", prefix, i);
      g_free (cdm_sync_test_put_contact (store, text));
    }
  g_assert_true (cdm_store_commit (store, NULL));
}

static gint64
count_notes (const char *prefix,
             gboolean    live)
{
  PGconn *db = cdm_test_server_db (server);
  g_autofree char *pattern = g_strdup_printf ("%s%%", prefix);
  const char *params[] = { pattern };
  PGresult *res = PQexecParams (db, live ? "SELECT count(*) FROM contacts WHERE NOT deleted AND body->>'note' LIKE $1"
                                         : "SELECT count(*) FROM contacts WHERE body->>'note' LIKE $1",
                                1, NULL, params, NULL, NULL, 0);
  gint64 n;

  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  n = g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  PQclear (res);
  return n;
}

/* The desk (cdmctl) killed during a push and during a pull, at a moment
 * found by watching its store, then at random moments; run again, it
 * ends equal to the server, nothing sent twice, nothing lost. */
static void
test_kill_desk (void)
{
  const guint n = 800;
  const guint n_pull = 1300;
  const guint attempts = 2;
  guint landed_push = 0, landed_pull = 0;

  for (guint attempt = 0; attempt < attempts; attempt++)
    {
      g_autofree char *push_prefix = g_strdup_printf ("kill-desk-push-%u-", attempt);
      g_autofree char *pull_prefix = g_strdup_printf ("kill-desk-pull-%u-", attempt);
      g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE note LIKE '%s%%'", pull_prefix);
      g_autofree char *path = NULL;
      g_autoptr(CdmStore) store = store_new ("kill-desk");
      g_autoptr(CdmStore) other = store_new ("kill-desk-other");
      g_autoptr(GError) error = NULL;

      path = g_strdup (cdm_store_get_path (store));
      sync_ok (store, NULL);
      put_contacts (store, push_prefix, n);
      g_clear_object (&store);
      cdmctl_login (path);

      /* During the push. */
      if (kill_cdmctl_sync (path, attempt == 0 ? "SELECT count(*) FROM outbox" : NULL, n))
        {
          landed_push++;
          g_test_message ("killed while pushing, %" G_GINT64_FORMAT " of %u changes still waiting",
                          cdm_sync_test_peek_value (path, "SELECT count(*) FROM outbox"), n);
        }
      cdm_sync_test_cdmctl_sync (path);
      g_assert_cmpint (count_notes (push_prefix, FALSE), ==, n);

      /* During the pull of what another desk wrote: more than one page
       * (cdmctl pulls 1000 changes a page). */
      put_contacts (other, pull_prefix, n_pull);
      sync_ok (other, NULL);
      if (kill_cdmctl_sync (path, attempt == 0 ? count_sql : NULL, n_pull))
        {
          landed_pull++;
          g_test_message ("killed while pulling, %" G_GINT64_FORMAT " of %u changes applied",
                          cdm_sync_test_peek_value (path, count_sql), n_pull);
        }
      cdm_sync_test_cdmctl_sync (path);

      store = cdm_store_open (path, &error);
      g_assert_no_error (error);
      assert_nothing_waiting (store);
      assert_same_checksums (store);
      g_assert_cmpint (cdm_sync_test_peek_value (path, count_sql), ==, n_pull);
      g_assert_cmpint (count_notes (pull_prefix, FALSE), ==, n_pull);
      g_assert_cmpint (count_notes (push_prefix, FALSE), ==, n);
    }
  g_test_message ("desk killed during the push %u times, during the pull %u times, of %u", landed_push, landed_pull,
                  attempts);
  g_assert_cmpuint (landed_push, >=, 1);
  g_assert_cmpuint (landed_pull, >=, 1);
}

typedef struct {
  GPid pid;
  guint delay_ms;
} Killer;

static gpointer
killer_thread (gpointer data)
{
  Killer *killer = data;

  g_usleep (killer->delay_ms * 1000);
  kill (killer->pid, SIGKILL);
  return NULL;
}

/* cdm-server killed in the middle of pushes of big batches and of a
 * pull, then the server and the desk (its store reopened) restarted:
 * everything arrives once. */
static void
test_kill_server (void)
{
  const guint n = 1500;
  const guint attempts = 2;
  CdmSyncTestProxy *proxy = proxy_new ();   /* one address across the server's restarts */
  guint failed = 0;

  for (guint attempt = 0; attempt < attempts; attempt++)
    {
      g_autofree char *prefix = g_strdup_printf ("kill-server-%u-", attempt);
      g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE note LIKE '%s%%'", prefix);
      g_autoptr(CdmStore) store = store_new ("kill-server");
      g_autoptr(CdmStore) reader = store_new ("kill-server-reader");
      g_autofree char *path = g_strdup (cdm_store_get_path (store));
      g_autofree char *reader_path = g_strdup (cdm_store_get_path (reader));
      g_autoptr(GError) error = NULL;

      sync_ok (store, proxy->url);
      sync_ok (reader, proxy->url);
      put_contacts (store, prefix, n);

      for (guint phase = 0; phase < 2; phase++)
        {
          CdmStore *desk = phase == 0 ? store : reader;
          g_autoptr(CdmSync) sync = sync_new (desk, proxy->url);
          Killer killer = { cdm_test_server_pid (server), pick (phase == 0 ? 400 : 50) };
          GThread *thread;

          cdm_sync_set_batch_size (sync, 500);
          cdm_sync_set_page_size (sync, 150);
          thread = g_thread_new ("killer", killer_thread, &killer);
          if (!cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_DEFAULT, NULL, &error))
            {
              g_test_message ("%s stopped by the server's death after %u ms: %s",
                              phase == 0 ? "push" : "pull", killer.delay_ms, error->message);
              g_assert_true (cdm_sync_error_is_retryable (error));
              g_clear_error (&error);
              failed++;
            }
          g_thread_join (thread);
          g_assert_cmpint (cdm_test_server_wait_exit (server), ==, -1);
          cdm_test_server_start_serving (server);
        }

      /* The desks restart too. */
      g_clear_object (&store);
      g_clear_object (&reader);
      store = cdm_store_open (path, &error);
      g_assert_no_error (error);
      reader = cdm_store_open (reader_path, &error);
      g_assert_no_error (error);
      sync_ok (store, proxy->url);
      sync_ok (reader, proxy->url);
      sync_ok (store, proxy->url);

      g_assert_cmpint (count_notes (prefix, FALSE), ==, n);
      g_assert_cmpint (cdm_sync_test_peek_value (path, count_sql), ==, n);
      g_assert_cmpint (cdm_sync_test_peek_value (reader_path, count_sql), ==, n);
      assert_nothing_waiting (store);
      assert_same_checksums (store);
      assert_same_checksums (reader);
    }
  g_test_message ("%u of %u runs broken by the server's death", failed, 2 * attempts);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  cdm_sync_test_proxy_free (proxy);
}

/* Desk clocks */

/* Moves every time the store wrote from its own clock by @shift (an
 * SQLite modifier such as "+1 day"), as a desk whose clock is that far
 * off would have written them.  (Record fields such as occurred_at are
 * what a person typed, not the clock's.) */
static void
skew_clock (const char *path,
            const char *shift)
{
  static const char * const columns[] = { "updated_at", "queued_at", "created_at" };
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint changed = 0;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);

  for (guint t = 0; t < tables->len; t++)
    for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
      {
        /* Names from the store's own schema, not data. */
        g_autofree char *probe = g_strdup_printf ("SELECT %s FROM \"%s\" LIMIT 0", columns[c], (char *) tables->pdata[t]);
        g_autofree char *update = g_strdup_printf ("UPDATE \"%s\" SET %s = strftime ('%%Y-%%m-%%dT%%H:%%M:%%fZ', "
                                                   "substr (%s, 1, 19), ?1) WHERE %s IS NOT NULL",
                                                   (char *) tables->pdata[t], columns[c], columns[c], columns[c]);

        if (sqlite3_prepare_v2 (db, probe, -1, &stmt, NULL) != SQLITE_OK)
          {
            sqlite3_finalize (stmt);
            continue;
          }
        sqlite3_finalize (stmt);
        g_assert_cmpint (sqlite3_prepare_v2 (db, update, -1, &stmt, NULL), ==, SQLITE_OK);
        sqlite3_bind_text (stmt, 1, shift, -1, SQLITE_STATIC);
        g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
        changed += sqlite3_changes (db);
        sqlite3_finalize (stmt);
      }
  sqlite3_close (db);
  g_assert_cmpuint (changed, >, 0);
}

static char *
phone_of (CdmStore   *store,
          const char *id)
{
  g_autoptr(JsonObject) record = cdm_store_get (store, CDM_ENTITY_ORGANISATION, id, FALSE, NULL);

  g_assert_nonnull (record);
  return g_strdup (json_object_get_string_member (record, "phone"));
}

static void
set_phone (CdmStore   *store,
           const char *id,
           const char *phone)
{
  g_autoptr(JsonObject) record = cdm_store_get (store, CDM_ENTITY_ORGANISATION, id, FALSE, NULL);
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (record, "phone", phone);
  g_assert_true (cdm_store_put (store, CDM_ENTITY_ORGANISATION, record, NULL, NULL, &error));
  g_assert_no_error (error);
}

static CdmStore *
reopen (CdmStore *store)
{
  g_autofree char *path = g_strdup (cdm_store_get_path (store));
  g_autoptr(GError) error = NULL;
  CdmStore *again;

  g_object_unref (store);
  again = cdm_store_open (path, &error);
  g_assert_no_error (error);
  cdm_store_set_identity (again, "counsellor", NULL, NULL);
  return again;
}

/* Two desks, one clock a day ahead and one a day behind, then the other
 * way round: the same field edited on both goes to whichever desk reached
 * the server first, never to the "latest" clock, and contacts logged on
 * both all arrive once. */
static void
test_clock_skew (void)
{
  static const char * const shifts[2][2] = { { "+1 day", "-1 day" }, { "-1 day", "+1 day" } };

  for (guint s = 0; s < 2; s++)
    {
      CdmStore *a = store_new ("clock-a");
      CdmStore *b = store_new ("clock-b");
      g_autofree char *partner = NULL;
      g_autofree char *prefix = g_strdup_printf ("clock-%u-", s);
      g_autofree char *sql = NULL;
      g_autofree char *on_a = NULL, *on_b = NULL;
      gint64 conflicts_before = cdm_sync_test_server_count (server, "SELECT count(*) FROM conflicts");
      JsonObject *theirs;

      partner = create_mutable (a, CDM_ENTITY_ORGANISATION, 9000 + s);
      sync_ok (a, NULL);
      sync_ok (b, NULL);

      /* b edits after a in real time, but with a clock that says
       * otherwise in one of the two runs. */
      set_phone (a, partner, "02 100 00 00");
      put_contacts (a, prefix, 5);
      a = reopen (a);
      skew_clock (cdm_store_get_path (a), shifts[s][0]);
      set_phone (b, partner, "02 200 00 00");
      put_contacts (b, prefix, 5);
      b = reopen (b);
      skew_clock (cdm_store_get_path (b), shifts[s][1]);

      sync_ok (a, NULL);
      sync_ok (b, NULL);
      sync_ok (a, NULL);

      on_a = phone_of (a, partner);
      on_b = phone_of (b, partner);
      theirs = server_record (CDM_ENTITY_ORGANISATION, partner);
      g_assert_cmpstr (json_object_get_string_member (theirs, "phone"), ==, "02 100 00 00");
      g_assert_cmpstr (on_a, ==, "02 100 00 00");
      g_assert_cmpstr (on_b, ==, "02 100 00 00");
      json_object_unref (theirs);
      g_assert_cmpint (cdm_sync_test_server_count (server, "SELECT count(*) FROM conflicts"), ==, conflicts_before + 1);
      g_assert_cmpint (cdm_sync_store_count_conflicts (a, NULL), ==, 0);
      g_assert_cmpint (cdm_sync_store_count_conflicts (b, NULL), ==, 1);
      g_assert_cmpint (count_notes (prefix, TRUE), ==, 10);
      sql = g_strdup_printf ("SELECT count(*) FROM contacts WHERE note LIKE '%s%%' AND deleted = 0", prefix);
      g_assert_cmpint (cdm_sync_test_peek_value (cdm_store_get_path (a), sql), ==, 10);
      g_assert_cmpint (cdm_sync_test_peek_value (cdm_store_get_path (b), sql), ==, 10);
      assert_nothing_waiting (a);
      assert_nothing_waiting (b);
      assert_same_checksums (a);
      assert_same_checksums (b);
      g_object_unref (a);
      g_object_unref (b);
    }
}

/* An answer cut right after its headers (the connection breaks before
 * the body) is a broken connection, to try again, not a malformed answer
 * from the server. */
static void
test_cut_after_headers (void)
{
  g_autoptr(CdmStore) store = store_new ("headers");
  CdmSyncTestProxy *proxy = proxy_new ();
  g_autoptr(GError) error = NULL;

  sync_ok (store, NULL);
  g_free (cdm_sync_test_put_contact (store, "cut-after-headers"));
  {
    g_autoptr(CdmSync) sync = sync_new (store, proxy->url);

    g_atomic_int_set (&proxy->force, CDM_SYNC_TEST_FATE_CUT_AFTER_HEADERS + 1);
    g_assert_false (cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_NO_PULL, NULL, &error));
    g_test_message ("push answer cut after its headers: %s", error->message);
    g_assert_true (cdm_sync_error_is_retryable (error));
    g_clear_error (&error);
    g_assert_false (cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_NO_PUSH, NULL, &error));
    g_test_message ("pull answer cut after its headers: %s", error->message);
    g_assert_true (cdm_sync_error_is_retryable (error));
    g_clear_error (&error);

    g_atomic_int_set (&proxy->force, 0);
    cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_VERIFY, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (count_notes ("cut-after-headers", TRUE), ==, 1);
  assert_nothing_waiting (store);
  assert_same_checksums (store);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  cdm_sync_test_proxy_free (proxy);
}

/* The headers of an answer are some 150 bytes. */
#define N_CUTS 200

/* A cut at every byte of an answer's headers and the start of its body:
 * each is a broken connection, to try again, never a malformed answer
 * (which the engine does not retry). */
static void
test_cut_answer_everywhere (void)
{
  g_autoptr(CdmStore) store = store_new ("everywhere");
  CdmSyncTestProxy *proxy = proxy_new ();
  g_autoptr(CdmSync) sync = sync_new (store, proxy->url);
  g_autoptr(GString) bad = g_string_new (NULL);

  sync_ok (store, NULL);
  g_atomic_int_set (&proxy->force, CDM_SYNC_TEST_FATE_CUT_ANSWER + 1);
  for (gint offset = 0; offset < N_CUTS; offset++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = g_strdup_printf ("everywhere-%d", offset);

      g_free (cdm_sync_test_put_contact (store, text));
      g_atomic_int_set (&proxy->force_offset, offset);
      if (cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_NO_PULL, NULL, &error))
        continue;   /* the whole answer fitted before the cut */
      if (!cdm_sync_error_is_retryable (error))
        g_string_append_printf (bad, "cut at %d: %s\n", offset, error->message);
    }
  g_atomic_int_set (&proxy->force, 0);
  cdm_sync_test_run_and_wait (sync, CDM_SYNC_RUN_VERIFY, NULL, NULL);
  g_assert_cmpint (count_notes ("everywhere-", TRUE), ==, N_CUTS);
  assert_nothing_waiting (store);
  if (bad->len > 0)
    g_error ("answers cut short taken for malformed ones:\n%s", bad->str);
  g_clear_object (&sync);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  cdm_sync_test_proxy_free (proxy);
}

int
main (int   argc,
      char *argv[])
{
  const char *seed_env = g_getenv ("CDM_FAULT_SEED");
  guint32 seed;
  int status;

  g_test_init (&argc, &argv, NULL);

  seed = seed_env ? (guint32) g_ascii_strtoull (seed_env, NULL, 10) : g_random_int ();
  g_test_message ("CDM_FAULT_SEED=%u", seed);
  rand_ = g_rand_new_with_seed (seed);

  g_test_add_func ("/sync-faults/rounds", test_rounds);
  g_test_add_func ("/sync-faults/cut-after-headers", test_cut_after_headers);
  g_test_add_func ("/sync-faults/cut-answer-everywhere", test_cut_answer_everywhere);
  g_test_add_func ("/sync-faults/kill-desk", test_kill_desk);
  g_test_add_func ("/sync-faults/kill-server", test_kill_server);
  g_test_add_func ("/sync-faults/clock-skew", test_clock_skew);

  tmpdir = cdm_sync_test_make_tmpdir ("cdm-sync-faults-XXXXXX");
  server = cdm_test_server_new (NULL);
  token = g_strdup (cdm_test_server_token (server, "counsellor"));
  status = g_test_run ();
  cdm_test_server_free (server);
  g_free (token);
  g_rand_free (rand_);
  cdm_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
