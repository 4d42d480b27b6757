/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-sync.c: the desk's sync engine (cdm-sync.h).
 *
 * The engine only decides what to ask and in which order; what an answer
 * does to the store is cdm-store-sync.c's, each answer in one transaction,
 * so that a run stopped anywhere (error, cancel, crash) leaves a store that
 * the next run simply continues.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cdm-client.h"
#include "cdm-demo.h"
#include "cdm-sync.h"
#include "cdm-sync-store.h"

G_DEFINE_QUARK (cdm-sync-error-quark, cdm_sync_error)

#define DEFAULT_BATCH   200
#define DEFAULT_PAGE    1000
#define DEFAULT_TIMEOUT 30
/* The server's own limit on a page (SERVER-API.md: PULL_MAX_LIMIT). */
#define MAX_PAGE        5000

struct _CdmSync
{
  GObject parent_instance;

  CdmStore *store;
  char *server_url;

  GMutex lock;          /* guards token and the sizes */
  char *token;
  guint batch_size;
  guint page_size;
  guint timeout;

  gint running;         /* atomic */
};

G_DEFINE_FINAL_TYPE (CdmSync, cdm_sync, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

gboolean
cdm_sync_error_is_retryable (const GError *error)
{
  return error != NULL && error->domain == CDM_SYNC_ERROR &&
         (error->code == CDM_SYNC_ERROR_OFFLINE || error->code == CDM_SYNC_ERROR_TIMEOUT ||
          error->code == CDM_SYNC_ERROR_NETWORK || error->code == CDM_SYNC_ERROR_SERVER);
}

guint
cdm_sync_next_delay (guint attempt)
{
  guint64 step = 2000;

  for (guint i = 0; i < attempt && step < 600000; i++)
    step *= 2;
  step = MIN (step, 600000);
  return (guint) g_random_int_range ((gint32) (step / 2), (gint32) step + 1);
}

static void
cdm_sync_finalize (GObject *object)
{
  CdmSync *self = CDM_SYNC (object);

  g_clear_object (&self->store);
  g_free (self->server_url);
  g_free (self->token);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (cdm_sync_parent_class)->finalize (object);
}

static void
cdm_sync_class_init (CdmSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cdm_sync_finalize;

  /**
   * CdmSync::progress:
   * @done: records (or entries) done
   * @total: how many there are, 0 when unknown
   */
  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                           G_TYPE_UINT64, G_TYPE_UINT64);
  /**
   * CdmSync::changed:
   *
   * The status may have changed: running or not, last sync, last error,
   * counts.  Read them with the getters.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cdm_sync_init (CdmSync *self)
{
  g_mutex_init (&self->lock);
  self->batch_size = DEFAULT_BATCH;
  self->page_size = DEFAULT_PAGE;
  self->timeout = DEFAULT_TIMEOUT;
}

CdmSync *
cdm_sync_new (CdmStore   *store,
              const char *server_url,
              const char *token)
{
  CdmSync *self;

  g_return_val_if_fail (CDM_IS_STORE (store), NULL);
  g_return_val_if_fail (server_url != NULL, NULL);

  self = g_object_new (CDM_TYPE_SYNC, NULL);
  self->store = g_object_ref (store);
  self->server_url = g_strdup (server_url);
  self->token = g_strdup (token);
  return self;
}

CdmStore *
cdm_sync_get_store (CdmSync *self)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), NULL);
  return self->store;
}

const char *
cdm_sync_get_server_url (CdmSync *self)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), NULL);
  return self->server_url;
}

void
cdm_sync_set_token (CdmSync    *self,
                    const char *token)
{
  g_return_if_fail (CDM_IS_SYNC (self));

  g_mutex_lock (&self->lock);
  g_free (self->token);
  self->token = g_strdup (token);
  g_mutex_unlock (&self->lock);
}

void
cdm_sync_set_batch_size (CdmSync *self,
                         guint    entries)
{
  g_return_if_fail (CDM_IS_SYNC (self));
  g_return_if_fail (entries > 0);

  g_mutex_lock (&self->lock);
  self->batch_size = entries;
  g_mutex_unlock (&self->lock);
}

void
cdm_sync_set_page_size (CdmSync *self,
                        guint    records)
{
  g_return_if_fail (CDM_IS_SYNC (self));
  g_return_if_fail (records > 0);

  g_mutex_lock (&self->lock);
  self->page_size = MIN (records, MAX_PAGE);
  g_mutex_unlock (&self->lock);
}

void
cdm_sync_set_timeout (CdmSync *self,
                      guint    seconds)
{
  g_return_if_fail (CDM_IS_SYNC (self));

  g_mutex_lock (&self->lock);
  self->timeout = seconds;
  g_mutex_unlock (&self->lock);
}

gboolean
cdm_sync_is_running (CdmSync *self)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), FALSE);
  return g_atomic_int_get (&self->running) != 0;
}

/* Signals, on the right thread */

typedef struct {
  CdmSync *self;
  guint signal;
  guint64 done;
  guint64 total;
} Emission;

static gboolean
emit_in_context (gpointer data)
{
  Emission *e = data;

  if (e->signal == SIGNAL_PROGRESS)
    g_signal_emit (e->self, signals[SIGNAL_PROGRESS], 0, e->done, e->total);
  else
    g_signal_emit (e->self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->self);
  g_free (e);
}

typedef struct {
  CdmSync *self;
  CdmClient *client;
  GCancellable *cancellable;
  GMainContext *context;      /* NULL: emit on the running thread */
  CdmSyncRunFlags flags;
  CdmSyncReport report;
  const char *token;
  guint batch_size;
  guint page_size;
  guint timeout;
  guint64 done;
  guint64 total;
} Run;

static void
emit (Run   *run,
      guint  signal)
{
  Emission *e;

  if (run->context == NULL)
    {
      if (signal == SIGNAL_PROGRESS)
        g_signal_emit (run->self, signals[SIGNAL_PROGRESS], 0, run->done, run->total);
      else
        g_signal_emit (run->self, signals[SIGNAL_CHANGED], 0);
      return;
    }
  e = g_new0 (Emission, 1);
  e->self = g_object_ref (run->self);
  e->signal = signal;
  e->done = run->done;
  e->total = run->total;
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, emit_in_context, e, emission_free);
}

/* Answers */

static gboolean G_GNUC_PRINTF (2, 3)
bad_answer (GError    **error,
            const char *format,
            ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BAD_ANSWER,
               _("The server's answer was refused, nothing was applied: %s"), message);
  return FALSE;
}

static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* A page the store refused for its shape is the server's fault. */
static void
store_error_to_answer (GError **error)
{
  if (error != NULL && *error != NULL && (*error)->domain == CDM_SYNC_STORE_ERROR)
    {
      (*error)->domain = CDM_SYNC_ERROR;
      (*error)->code = CDM_SYNC_ERROR_BAD_ANSWER;
    }
}

/* Push */

static gboolean
push (Run     *run,
      GError **error)
{
  guint batch = run->batch_size;
  g_autoptr(GError) local_error = NULL;
  gint64 waiting = cdm_sync_store_count_pending (run->self->store, NULL);

  run->done = 0;
  run->total = MAX (waiting, 0);

  for (;;)
    {
      g_autoptr(JsonArray) entries = NULL;
      g_autoptr(JsonObject) body = json_object_new ();
      g_autoptr(JsonNode) body_node = NULL;
      g_autoptr(JsonObject) answer = NULL;
      JsonArray *results;
      guint acknowledged = 0, parked = 0, conflicts = 0;

      if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
        return FALSE;

      entries = cdm_sync_store_take_outbox (run->self->store, batch, error);
      if (entries == NULL)
        return FALSE;
      if (json_array_get_length (entries) == 0)
        return TRUE;

      json_object_set_array_member (body, "entries", json_array_ref (entries));
      body_node = json_node_init_object (json_node_alloc (), body);
      {
        g_autoptr(JsonNode) json = NULL;
        guint status = 0;

        json = cdm_client_call (run->client, "POST", "/sync/push", body_node, &status,
                                run->cancellable, &local_error);
        if (json == NULL)
          {
            /* 413: the server takes fewer entries at once than we sent. */
            if (status == 413 && batch > 1)
              {
                batch = MAX (1, batch / 2);
                g_clear_error (&local_error);
                continue;
              }
            g_propagate_error (error, g_steal_pointer (&local_error));
            return FALSE;
          }
        if (!JSON_NODE_HOLDS_OBJECT (json))
          return bad_answer (error, _("the push answer is not an object"));
        answer = json_object_ref (json_node_get_object (json));
      }

      results = member_array (answer, "results");
      if (results == NULL)
        return bad_answer (error, _("the push answer has no “results”"));
      if (!cdm_sync_store_apply_results (run->self->store, entries, results,
                                         &acknowledged, &parked, &conflicts, error))
        {
          store_error_to_answer (error);
          return FALSE;
        }
      /* An answer that settles nothing would make us send the same
       * entries for ever. */
      if (acknowledged + parked == 0)
        return bad_answer (error, _("the push answer settles none of the %u entries sent"),
                           json_array_get_length (entries));

      run->report.pushed += acknowledged;
      run->report.parked += parked;
      run->report.conflicts += conflicts;
      run->done += acknowledged + parked;
      emit (run, SIGNAL_PROGRESS);
      emit (run, SIGNAL_CHANGED);
    }
}

/* Bootstrap */

static int
entity_index (const char *name)
{
  CdmEntity entity;

  if (name == NULL || !cdm_entity_from_name (name, &entity))
    return -1;
  for (guint i = 0; i < cdm_sync_n_entities; i++)
    if (cdm_sync_entities[i] == entity)
      return (int) i;
  return -1;
}

static char *
position_text (gint64      cursor,
               int         type_index,
               const char *after)
{
  g_autoptr(JsonObject) position = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  json_object_set_int_member (position, "cursor", cursor);
  if (type_index < (int) cdm_sync_n_entities)
    json_object_set_string_member (position, "type", cdm_entity_info (cdm_sync_entities[type_index])->name);
  else
    json_object_set_null_member (position, "type");
  if (after != NULL)
    json_object_set_string_member (position, "after", after);
  else
    json_object_set_null_member (position, "after");
  node = json_node_init_object (json_node_alloc (), position);
  return json_to_string (node, FALSE);
}

/* Reads the recorded position; FALSE when there is none (or it is damaged). */
static gboolean
read_position (CdmStore  *store,
               gint64    *out_cursor,
               int       *out_type,
               char     **out_after)
{
  g_autofree char *text = cdm_sync_store_get_state (store, CDM_SYNC_KEY_BOOTSTRAP);
  g_autoptr(JsonNode) node = text != NULL ? json_from_string (text, NULL) : NULL;
  JsonObject *position;
  JsonNode *type, *after;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  position = json_node_get_object (node);
  if (!member_int (position, "cursor", out_cursor))
    return FALSE;
  type = json_object_get_member (position, "type");
  after = json_object_get_member (position, "after");
  if (type == NULL || JSON_NODE_HOLDS_NULL (type))
    *out_type = cdm_sync_n_entities;
  else if (JSON_NODE_HOLDS_VALUE (type) && json_node_get_value_type (type) == G_TYPE_STRING)
    *out_type = entity_index (json_node_get_string (type));
  else
    return FALSE;
  if (*out_type < 0)
    return FALSE;
  *out_after = after != NULL && JSON_NODE_HOLDS_VALUE (after) &&
               json_node_get_value_type (after) == G_TYPE_STRING ?
               g_strdup (json_node_get_string (after)) : NULL;
  return TRUE;
}

/* The per-type counts of /sync/checksums (the caller's scope), or NULL. */
static JsonObject *
fetch_checksums (Run     *run,
                 GError **error)
{
  g_autoptr(JsonObject) answer = cdm_client_call_object (run->client, "GET", "/sync/checksums", NULL,
                                                         run->cancellable, error);
  JsonNode *types;

  if (answer == NULL)
    return NULL;
  types = json_object_get_member (answer, "types");
  if (types == NULL || !JSON_NODE_HOLDS_OBJECT (types))
    {
      bad_answer (error, _("the checksums answer has no “types”"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (types));
}

/* One snapshot page, checked; next_id NULL after the last page. */
typedef struct {
  CdmSyncRecords *checked;  /* the records, checked */
  char *next_id;
  GError *error;
} Page;

static void
page_free (gpointer data)
{
  Page *page = data;

  g_clear_pointer (&page->checked, cdm_sync_records_free);
  g_free (page->next_id);
  g_clear_error (&page->error);
  g_free (page);
}

/* The page is read from the answer's bytes, without json-glib trees
 * (cdm-snapshot-page.h), with the same checks and messages. */
static Page *
fetch_page (CdmClient    *client,
            CdmEntity     entity,
            const char   *name,
            const char   *after,
            guint         page_size,
            GCancellable *cancellable)
{
  Page *page = g_new0 (Page, 1);
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (after != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (after, NULL, FALSE);
      path = g_strdup_printf ("/sync/snapshot?type=%s&limit=%u&after=%s", name, page_size, escaped);
    }
  else
    path = g_strdup_printf ("/sync/snapshot?type=%s&limit=%u", name, page_size);

  bytes = cdm_client_get_bytes (client, path, cancellable, &page->error);
  if (bytes == NULL)
    return page;
  page->checked = cdm_sync_store_read_page (entity, bytes, &page->next_id, &page->error);
  return page;
}

/* The pages of one type are fetched by a thread of their own, one or two
 * pages ahead of the one being written, so that the server prepares the
 * next page while the desk writes this one.  That thread also reads and
 * checks each page (cdm_sync_store_read_page(), from the answer's bytes
 * into the values the writer binds) and frees the pages once written, so
 * that of the desk's work per record only the writing is left to the
 * thread that writes: the two share the load of a bootstrap on two
 * cores.  The credits that let the fetcher go ahead are the pages written
 * (to free), or CREDIT for none. */
static int credit_token;
#define CREDIT ((gpointer) &credit_token)

typedef struct {
  const char *url;
  const char *token;
  guint timeout;
  guint page_size;
  CdmEntity entity;
  const char *name;
  char *after;
  GCancellable *cancellable;
  GAsyncQueue *pages;     /* Page */
  GAsyncQueue *credits;   /* how many pages it may fetch ahead: CREDIT or a Page to free */
} Fetcher;

static gpointer
fetch_thread (gpointer data)
{
  Fetcher *f = data;
  CdmClient *client = cdm_client_new (f->url, f->token, f->timeout);

  for (;;)
    {
      Page *page;
      gboolean last;
      gpointer credit;

      credit = g_async_queue_pop (f->credits);
      if (credit != CREDIT)
        page_free (credit);
      if (g_cancellable_is_cancelled (f->cancellable))
        break;
      page = fetch_page (client, f->entity, f->name, f->after, f->page_size, f->cancellable);
      last = page->error != NULL || page->next_id == NULL;
      if (!last)
        {
          g_free (f->after);
          f->after = g_strdup (page->next_id);
        }
      g_async_queue_push (f->pages, page);
      if (last)
        break;
    }
  cdm_client_free (client);
  return NULL;
}

static void
on_run_cancelled (GCancellable *cancellable,
                  gpointer      data)
{
  g_cancellable_cancel (data);
}

/* Loads every page of one type from @after.  Each page is committed with
 * the position reached (when @cursor >= 0: a bootstrap) so that a crash
 * resumes there.  @seen collects the ids. */
static gboolean
load_type (Run         *run,
           int          type_index,
           const char  *after,
           gint64       cursor,
           GHashTable  *seen,
           GError     **error)
{
  CdmEntity entity = cdm_sync_entities[type_index];
  Fetcher f = { 0 };
  GThread *thread;
  gulong handler = 0;
  gboolean ok = FALSE;
  Page *page;
  /* A type loaded whole into a table that had no row: its records are
   * all new, if the pages' ids keep increasing (checked page by page),
   * and the writer need not look each one up first. */
  gboolean fresh = cursor >= 0 && after == NULL &&
                   cdm_sync_store_table_is_empty (run->self->store, entity, NULL);
  g_autofree char *last_id = NULL;

  f.url = run->self->server_url;
  f.token = run->token;
  f.timeout = run->timeout;
  f.page_size = run->page_size;
  f.entity = entity;
  f.name = cdm_entity_info (entity)->name;
  f.after = g_strdup (after);
  f.cancellable = g_cancellable_new ();
  f.pages = g_async_queue_new_full (page_free);
  f.credits = g_async_queue_new ();
  if (run->cancellable != NULL)
    handler = g_cancellable_connect (run->cancellable, G_CALLBACK (on_run_cancelled),
                                     g_object_ref (f.cancellable), g_object_unref);
  g_async_queue_push (f.credits, CREDIT);
  g_async_queue_push (f.credits, CREDIT);
  thread = g_thread_new ("cdm-sync-fetch", fetch_thread, &f);

  for (;;)
    {
      g_autofree char *next_position = NULL;

      page = g_async_queue_pop (f.pages);
      if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
        break;
      if (page->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&page->error));
          store_error_to_answer (error);
          break;
        }

      if (cursor >= 0)
        next_position = page->next_id != NULL ? position_text (cursor, type_index, page->next_id) :
                        position_text (cursor, type_index + 1, NULL);

      if (fresh)
        {
          fresh = cdm_sync_records_follow (page->checked, last_id);
          cdm_sync_records_set_new_rows (page->checked, fresh);
        }
      if (!cdm_sync_store_apply_checked (run->self->store, page->checked, seen, next_position, error))
        {
          store_error_to_answer (error);
          break;
        }
      if (fresh && cdm_sync_records_get_last_id (page->checked) != NULL)
        {
          g_free (last_id);
          last_id = g_strdup (cdm_sync_records_get_last_id (page->checked));
        }
      run->report.loaded += cdm_sync_records_get_length (page->checked);
      run->done += cdm_sync_records_get_length (page->checked);
      emit (run, SIGNAL_PROGRESS);

      if (page->next_id == NULL)
        {
          ok = TRUE;
          break;
        }
      /* The fetcher frees it, and fetches one more. */
      g_async_queue_push (f.credits, g_steal_pointer (&page));
    }
  g_clear_pointer (&page, page_free);

  /* Stop the fetcher wherever it is, and wait for it. */
  g_cancellable_cancel (f.cancellable);
  g_async_queue_push (f.credits, CREDIT);
  g_thread_join (thread);
  /* The pages it did not take back. */
  while ((page = g_async_queue_try_pop (f.credits)) != NULL)
    if (page != CREDIT)
      page_free (page);
  if (handler != 0)
    g_cancellable_disconnect (run->cancellable, handler);

  g_object_unref (f.cancellable);
  g_async_queue_unref (f.pages);
  g_async_queue_unref (f.credits);
  g_free (f.after);
  return ok;
}

static gboolean
bootstrap_pages (Run       *run,
                 gboolean   restart,
                 GError   **error)
{
  CdmStore *store = run->self->store;
  g_autofree char *after = NULL;
  g_autoptr(JsonObject) sums = NULL;
  gboolean had_records = cdm_sync_store_get_cursor (store) >= 0;
  gint64 cursor = -1;
  int type_index = 0;

  if (restart || !read_position (store, &cursor, &type_index, &after))
    {
      g_autoptr(JsonObject) answer = cdm_client_call_object (run->client, "GET", "/sync/cursor", NULL,
                                                             run->cancellable, error);
      g_autofree char *text = NULL;

      if (answer == NULL)
        return FALSE;
      if (!member_int (answer, "cursor", &cursor) || cursor < 0)
        return bad_answer (error, _("the cursor answer has no “cursor”"));
      type_index = 0;
      g_clear_pointer (&after, g_free);
      /* Demo or generated data never mixes with the centre's records:
       * a store holding it is emptied before the first page. */
      if (!cdm_demo_remove (store, NULL, error))
        return FALSE;
      text = position_text (cursor, 0, NULL);
      if (!cdm_sync_store_set_state (store, CDM_SYNC_KEY_BOOTSTRAP, text, error))
        return FALSE;
    }

  /* The total, for the progress bar; not knowing it is no failure. */
  run->done = 0;
  run->total = 0;
  sums = fetch_checksums (run, NULL);
  if (sums != NULL)
    {
      for (guint i = type_index; i < cdm_sync_n_entities; i++)
        {
          JsonNode *node = json_object_get_member (sums, cdm_entity_info (cdm_sync_entities[i])->name);
          gint64 n;
          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && member_int (json_node_get_object (node), "count", &n))
            run->total += MAX (n, 0);
        }
    }
  emit (run, SIGNAL_PROGRESS);

  for (guint i = type_index; i < cdm_sync_n_entities; i++)
    {
      CdmEntity entity = cdm_sync_entities[i];
      g_autoptr(GHashTable) seen = NULL;
      gboolean whole = (i != (guint) type_index || after == NULL);

      /* A type the role may not read is skipped (stewards see no contacts). */
      if (sums != NULL && !json_object_has_member (sums, cdm_entity_info (entity)->name))
        {
          g_autofree char *text = position_text (cursor, i + 1, NULL);
          if (!cdm_sync_store_set_state (store, CDM_SYNC_KEY_BOOTSTRAP, text, error))
            return FALSE;
          continue;
        }

      /* Records the server no longer has can only be found when the whole
       * type was seen in this run. */
      if (had_records && whole)
        seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (!load_type (run, i, i == (guint) type_index ? after : NULL, cursor, seen, error))
        return FALSE;
      if (seen != NULL && cdm_sync_store_prune (store, entity, seen, error) < 0)
        return FALSE;
    }

  if (!cdm_sync_store_finish_bootstrap (store, cursor, error))
    return FALSE;
  run->report.bootstrapped = TRUE;
  emit (run, SIGNAL_CHANGED);
  return TRUE;
}

static gboolean
bootstrap (Run       *run,
           gboolean   restart,
           GError   **error)
{
  gboolean ok;

  if (!cdm_sync_store_begin_bulk (run->self->store, error))
    return FALSE;
  ok = bootstrap_pages (run, restart, error);
  /* A failed checkpoint loses nothing: the WAL keeps every page. */
  cdm_sync_store_end_bulk (run->self->store, NULL);
  return ok;
}

/* Pull */

static gboolean
pull (Run     *run,
      GError **error)
{
  for (;;)
    {
      g_autofree char *path = NULL;
      g_autoptr(JsonObject) answer = NULL;
      JsonArray *changes;
      JsonNode *more;
      gint64 cursor = cdm_sync_store_get_cursor (run->self->store);
      gint64 next;
      guint applied = 0;

      if (g_cancellable_set_error_if_cancelled (run->cancellable, error))
        return FALSE;

      path = g_strdup_printf ("/sync/pull?cursor=%" G_GINT64_FORMAT "&limit=%u", MAX (cursor, 0), run->page_size);
      answer = cdm_client_call_object (run->client, "GET", path, NULL, run->cancellable, error);
      if (answer == NULL)
        return FALSE;

      changes = member_array (answer, "changes");
      more = json_object_get_member (answer, "more");
      if (changes == NULL)
        return bad_answer (error, _("the pull answer has no “changes”"));
      if (!member_int (answer, "cursor", &next))
        return bad_answer (error, _("the pull answer has no “cursor”"));
      if (more == NULL || !JSON_NODE_HOLDS_VALUE (more) || json_node_get_value_type (more) != G_TYPE_BOOLEAN)
        return bad_answer (error, _("the pull answer has no “more”"));

      if (!cdm_sync_store_apply_changes (run->self->store, changes, next, &applied, error))
        {
          store_error_to_answer (error);
          return FALSE;
        }
      run->report.pulled += applied;
      if (applied > 0)
        emit (run, SIGNAL_CHANGED);

      if (!json_node_get_boolean (more))
        return TRUE;
      /* "more" without progress would loop for ever. */
      if (next == cursor)
        return bad_answer (error, _("the pull answer says “more” without moving the cursor"));
    }
}

/* Integrity */

static gboolean
differs (CdmStore    *store,
         CdmEntity    entity,
         JsonObject  *theirs,
         gboolean    *out_differs,
         GError     **error)
{
  g_autofree char *sum = NULL;
  gint64 count = 0, their_count = 0;
  JsonNode *node;

  if (!cdm_sync_store_checksum (store, entity, &count, &sum, error))
    return FALSE;
  node = json_object_get_member (theirs, "checksum");
  if (!member_int (theirs, "count", &their_count) || node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return bad_answer (error, _("the checksums of %s are not a count and a checksum"),
                       cdm_entity_info (entity)->name);
  *out_differs = count != their_count || g_ascii_strcasecmp (sum, json_node_get_string (node)) != 0;
  return TRUE;
}

static gboolean
verify (Run     *run,
        GError **error)
{
  CdmStore *store = run->self->store;

  /* Twice at most: a difference may only be a change committed between
   * our last page and the checksums, which a catch-up pull brings. */
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(JsonObject) sums = fetch_checksums (run, error);
      g_autoptr(GArray) different = g_array_new (FALSE, FALSE, sizeof (guint));

      if (sums == NULL)
        return FALSE;
      for (guint i = 0; i < cdm_sync_n_entities; i++)
        {
          JsonNode *node = json_object_get_member (sums, cdm_entity_info (cdm_sync_entities[i])->name);
          gboolean d = FALSE;

          if (node == NULL)
            continue;
          if (!JSON_NODE_HOLDS_OBJECT (node))
            return bad_answer (error, _("the checksums answer is not an object per type"));
          if (!differs (store, cdm_sync_entities[i], json_node_get_object (node), &d, error))
            return FALSE;
          if (d)
            g_array_append_val (different, i);
        }
      if (different->len == 0)
        return TRUE;

      if (round == 0)
        {
          if (!pull (run, error))
            return FALSE;
          continue;
        }

      for (guint j = 0; j < different->len; j++)
        {
          guint i = g_array_index (different, guint, j);
          g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

          g_message ("The %s records differ from the server's; loading them again",
                     cdm_entity_info (cdm_sync_entities[i])->name);
          if (!load_type (run, i, NULL, -1, seen, error) ||
              cdm_sync_store_prune (store, cdm_sync_entities[i], seen, error) < 0)
            return FALSE;
          run->report.resynced++;
        }
      emit (run, SIGNAL_CHANGED);
    }
  return TRUE;
}

/* A run */

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
run_steps (Run     *run,
           GError **error)
{
  CdmStore *store = run->self->store;
  g_autoptr(GError) local_error = NULL;
  gboolean need_bootstrap;

  /* Written only when it changes: every durable write costs an fsync.
   * Another server's cursor means nothing here: load everything again
   * (the outbox is kept and goes to the new server). */
  {
    g_autofree char *configured = cdm_sync_store_get_state (store, CDM_SYNC_KEY_SERVER);
    g_autofree char *known = cdm_sync_store_get_state (store, CDM_SYNC_KEY_CURSOR_SERVER);

    if (g_strcmp0 (configured, run->self->server_url) != 0 &&
        !cdm_sync_store_set_state (store, CDM_SYNC_KEY_SERVER, run->self->server_url, error))
      return FALSE;
    if (g_strcmp0 (known, run->self->server_url) != 0)
      {
        if (!cdm_sync_store_set_state (store, CDM_SYNC_KEY_CURSOR_SERVER, run->self->server_url, error))
          return FALSE;
        if (known != NULL && cdm_sync_store_get_cursor (store) >= 0)
          run->flags |= CDM_SYNC_RUN_BOOTSTRAP;
      }
  }

  if (!(run->flags & CDM_SYNC_RUN_NO_PUSH) && !push (run, error))
    return FALSE;
  if (run->flags & CDM_SYNC_RUN_NO_PULL)
    return TRUE;

  {
    g_autofree char *position = cdm_sync_store_get_state (store, CDM_SYNC_KEY_BOOTSTRAP);
    need_bootstrap = (run->flags & CDM_SYNC_RUN_BOOTSTRAP) || position != NULL ||
                     cdm_sync_store_get_cursor (store) < 0;
  }
  if (need_bootstrap && !bootstrap (run, (run->flags & CDM_SYNC_RUN_BOOTSTRAP) != 0, error))
    return FALSE;

  if (!pull (run, &local_error))
    {
      if (!g_error_matches (local_error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_REBOOTSTRAP))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* Past the server's horizon: load everything again, keeping the
       * outbox, and catch up from there. */
      g_clear_error (&local_error);
      if (!bootstrap (run, TRUE, error) || !pull (run, error))
        return FALSE;
    }

  if (run->flags & CDM_SYNC_RUN_VERIFY || run->report.bootstrapped)
    return verify (run, error);
  return TRUE;
}

static gboolean
run_sync (CdmSync          *self,
          CdmSyncRunFlags   flags,
          GMainContext     *context,
          CdmSyncReport    *out_report,
          GCancellable     *cancellable,
          GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *token = NULL;
  Run run = { 0 };
  gboolean ok;

  g_mutex_lock (&self->lock);
  token = g_strdup (self->token);
  run.batch_size = self->batch_size;
  run.page_size = self->page_size;
  run.timeout = self->timeout;
  run.token = token;
  run.client = cdm_client_new (self->server_url, token, self->timeout);
  g_mutex_unlock (&self->lock);

  run.self = self;
  run.cancellable = cancellable;
  run.context = context;
  run.flags = flags;

  emit (&run, SIGNAL_CHANGED);
  if (token == NULL)
    {
      g_set_error (&local_error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_NOT_CONFIGURED,
                   _("Not signed in to %s: sign in first"), self->server_url);
      ok = FALSE;
    }
  else
    ok = run_steps (&run, &local_error);

  if (ok)
    {
      g_autofree char *now = now_iso8601 ();
      g_autofree char *last_error = cdm_sync_store_get_state (self->store, CDM_SYNC_KEY_LAST_ERROR);

      /* One transaction, and one commit to wait for: the time of the
       * last sync is what the status shows, not a change to protect. */
      if (cdm_store_begin (self->store, TRUE, NULL))
        {
          cdm_sync_store_set_state (self->store, CDM_SYNC_KEY_LAST_SYNC, now, NULL);
          if (last_error != NULL)
            cdm_sync_store_set_state (self->store, CDM_SYNC_KEY_LAST_ERROR, NULL, NULL);
          cdm_store_commit (self->store, NULL);
        }
    }
  else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cdm_sync_store_set_state (self->store, CDM_SYNC_KEY_LAST_ERROR, local_error->message, NULL);

  cdm_client_free (run.client);
  g_atomic_int_set (&self->running, 0);
  emit (&run, SIGNAL_CHANGED);

  if (out_report != NULL)
    *out_report = run.report;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

static gboolean
claim (CdmSync  *self,
       GError  **error)
{
  if (!g_atomic_int_compare_and_exchange (&self->running, 0, 1))
    {
      g_set_error (error, CDM_SYNC_ERROR, CDM_SYNC_ERROR_BUSY, _("A sync is already running"));
      return FALSE;
    }
  return TRUE;
}

gboolean
cdm_sync_run (CdmSync          *self,
              CdmSyncRunFlags   flags,
              CdmSyncReport    *out_report,
              GCancellable     *cancellable,
              GError          **error)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), FALSE);

  if (out_report != NULL)
    memset (out_report, 0, sizeof *out_report);
  if (!claim (self, error))
    return FALSE;
  return run_sync (self, flags, NULL, out_report, cancellable, error);
}

typedef struct {
  CdmSyncRunFlags flags;
  GMainContext *context;
  CdmSyncReport report;
} RunTask;

static void
run_task_free (gpointer data)
{
  RunTask *rt = data;

  g_main_context_unref (rt->context);
  g_free (rt);
}

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunTask *rt = task_data;
  GError *error = NULL;

  if (run_sync (CDM_SYNC (source), rt->flags, rt->context, &rt->report, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cdm_sync_run_async (CdmSync             *self,
                    CdmSyncRunFlags      flags,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  RunTask *rt;

  g_return_if_fail (CDM_IS_SYNC (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cdm_sync_run_async);
  if (!claim (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  rt = g_new0 (RunTask, 1);
  rt->flags = flags;
  rt->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, rt, run_task_free);
  g_task_run_in_thread (task, run_thread);
}

gboolean
cdm_sync_run_finish (CdmSync        *self,
                     GAsyncResult   *result,
                     CdmSyncReport  *out_report,
                     GError        **error)
{
  RunTask *rt;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  rt = g_task_get_task_data (G_TASK (result));
  if (out_report != NULL)
    {
      if (rt != NULL)
        *out_report = rt->report;
      else
        memset (out_report, 0, sizeof *out_report);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Signing in */

char *
cdm_sync_login (CdmSync       *self,
                const char    *login,
                const char    *password,
                const char    *desk,
                JsonObject   **out_user,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(CdmClient) client = NULL;
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonNode) body_node = NULL;
  g_autoptr(JsonObject) answer = NULL;
  JsonNode *token, *user;

  g_return_val_if_fail (CDM_IS_SYNC (self), NULL);
  g_return_val_if_fail (login != NULL && password != NULL, NULL);

  g_mutex_lock (&self->lock);
  client = cdm_client_new (self->server_url, NULL, self->timeout);
  g_mutex_unlock (&self->lock);

  json_object_set_string_member (body, "login", login);
  json_object_set_string_member (body, "password", password);
  if (desk != NULL)
    json_object_set_string_member (body, "desk", desk);
  body_node = json_node_init_object (json_node_alloc (), body);

  answer = cdm_client_call_object (client, "POST", "/auth/login", body_node, cancellable, error);
  if (answer == NULL)
    return NULL;
  token = json_object_get_member (answer, "token");
  if (token == NULL || !JSON_NODE_HOLDS_VALUE (token) || json_node_get_value_type (token) != G_TYPE_STRING ||
      *json_node_get_string (token) == '\0')
    {
      bad_answer (error, _("the sign-in answer has no token"));
      return NULL;
    }
  user = json_object_get_member (answer, "user");
  if (out_user != NULL)
    *out_user = user != NULL && JSON_NODE_HOLDS_OBJECT (user) ?
                json_object_ref (json_node_get_object (user)) : NULL;

  cdm_sync_set_token (self, json_node_get_string (token));
  cdm_sync_store_set_state (self->store, CDM_SYNC_KEY_SERVER, self->server_url, NULL);
  cdm_sync_store_set_state (self->store, CDM_SYNC_KEY_USER, login, NULL);
  return g_strdup (json_node_get_string (token));
}

gboolean
cdm_sync_logout (CdmSync       *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(CdmClient) client = NULL;
  g_autoptr(JsonNode) answer = NULL;

  g_return_val_if_fail (CDM_IS_SYNC (self), FALSE);

  g_mutex_lock (&self->lock);
  client = self->token != NULL ? cdm_client_new (self->server_url, self->token, self->timeout) : NULL;
  g_mutex_unlock (&self->lock);
  if (client == NULL)
    return TRUE;

  answer = cdm_client_call (client, "POST", "/auth/logout", NULL, NULL, cancellable, error);
  if (answer == NULL)
    return FALSE;
  cdm_sync_set_token (self, NULL);
  return TRUE;
}

/* Status */

char *
cdm_sync_get_last_sync (CdmSync *self)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), NULL);
  return cdm_sync_store_get_state (self->store, CDM_SYNC_KEY_LAST_SYNC);
}

char *
cdm_sync_get_last_error (CdmSync *self)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), NULL);
  return cdm_sync_store_get_state (self->store, CDM_SYNC_KEY_LAST_ERROR);
}

gint64
cdm_sync_get_cursor (CdmSync *self)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), -1);
  return cdm_sync_store_get_cursor (self->store);
}

gint64
cdm_sync_get_pending_count (CdmSync *self)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), -1);
  return cdm_sync_store_count_pending (self->store, NULL);
}

gint64
cdm_sync_get_parked_count (CdmSync *self)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), -1);
  return cdm_sync_store_count_parked (self->store, NULL);
}

gint64
cdm_sync_get_conflict_count (CdmSync *self)
{
  g_return_val_if_fail (CDM_IS_SYNC (self), -1);
  return cdm_sync_store_count_conflicts (self->store, NULL);
}

/* The token file */

char *
cdm_sync_token_path (const char *store_path)
{
  g_autofree char *absolute = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (store_path != NULL, NULL);

  absolute = g_canonicalize_filename (store_path, NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, absolute, -1);
  digest[16] = '\0';
  name = g_strconcat ("token-", digest, NULL);
  return g_build_filename (g_get_user_config_dir (), "cdm-desk", name, NULL);
}

gboolean
cdm_sync_save_token (const char  *store_path,
                     const char  *token,
                     GError     **error)
{
  g_autofree char *path = cdm_sync_token_path (store_path);
  g_autofree char *dir = g_path_get_dirname (path);

  g_return_val_if_fail (token != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, token, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT,
                                   0600, error);
}

char *
cdm_sync_load_token (const char  *store_path,
                     GError     **error)
{
  g_autofree char *path = cdm_sync_token_path (store_path);
  g_autoptr(GError) local_error = NULL;
  char *token = NULL;

  if (!g_file_get_contents (path, &token, NULL, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_strstrip (token);
  if (*token == '\0')
    g_clear_pointer (&token, g_free);
  return token;
}

gboolean
cdm_sync_forget_token (const char  *store_path,
                       GError     **error)
{
  g_autofree char *path = cdm_sync_token_path (store_path);

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot remove %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
