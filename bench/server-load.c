/* SPDX-License-Identifier: GPL-3.0-or-later */
/* server-load.c: many desks pushing and pulling against one cdm-server.
 *
 *   server-load --url URL --login LOGIN --password-file FILE
 *               [--desks 200] [--seconds 20] [--batch 50] [--pull-every 5]
 *               [--rate PUSHES-PER-SECOND-PER-DESK]
 *
 * tools/bench-server starts a throwaway PostgreSQL and the real cdm-server
 * on loopback and runs this; docs/performance.md keeps the figures.
 *
 * Each simulated desk signs in (its own token), then, until the time is
 * up, pushes batches of new contacts, as a desk's outbox does after a
 * morning offline, and every few pushes pulls the change feed from its own
 * cursor.  All desks run at once over one libsoup session with a
 * connection per desk, from one thread: the server, not the load, must be
 * what limits the figures (so a pulled page is not parsed: its changes are
 * counted and its cursor read from its end, as the server writes them).
 *
 * Back to back (the default), the desks are a closed loop: a push waits
 * for all those queued before it, and its latency is the number of desks
 * over the throughput.  With --rate, each desk sends its pushes on a
 * fixed schedule (an open loop, the offered load is desks × rate × batch
 * records/s) and a push's latency counts from the moment it was due, so a
 * server that falls behind shows it.
 *
 * Afterwards it checks exactly: the server's contact count grew by the
 * number of entries it answered "applied"; every entry was answered; one
 * batch sent again gets the stored answers back and changes nothing; and a desk pulling from the start of the run sees every pushed
 * contact exactly once.  The exit status is 1 when a check fails or the
 * run could not start, 2 for bad usage.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "cdm-schema.h"

typedef struct _Load Load;

typedef struct {
  Load      *load;
  guint      index;
  char      *token;
  gint64     cursor;
  guint      pushes;
  gint64     started;    /* monotonic µs of the request in flight */
  gint64     due;        /* with --rate: when the next push is due */
  JsonNode  *last_batch; /* kept for the duplicate check */
} Desk;

struct _Load {
  const char  *url;
  const char  *login;
  char        *password;
  guint        n_desks;
  guint        batch;
  guint        pull_every;
  double       rate;
  gint64       deadline;

  SoupSession *session;
  GMainLoop   *loop;
  Desk        *desks;
  guint        running;
  gboolean     failed;

  GArray      *push_ms;   /* double */
  GArray      *pull_ms;
  guint64      sent;
  guint64      applied;
  guint64      answered;
  guint64      pulled;
  GHashTable  *ids;       /* every contact id pushed */
};

static char *opt_url;
static char *opt_login;
static char *opt_password_file;
static int opt_desks = 200;
static int opt_seconds = 20;
static int opt_batch = 50;
static int opt_pull_every = 5;
static double opt_rate = 0;

static const GOptionEntry entries[] = {
  { "url", 0, 0, G_OPTION_ARG_STRING, &opt_url, "The server, e.g. http://127.0.0.1:8080", "URL" },
  { "login", 0, 0, G_OPTION_ARG_STRING, &opt_login, "A counsellor's login", "LOGIN" },
  { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_password_file, "A file holding the password", "FILE" },
  { "desks", 0, 0, G_OPTION_ARG_INT, &opt_desks, "Desks at once (200)", "N" },
  { "seconds", 0, 0, G_OPTION_ARG_INT, &opt_seconds, "How long to push (20)", "S" },
  { "batch", 0, 0, G_OPTION_ARG_INT, &opt_batch, "Contacts per push (50)", "N" },
  { "pull-every", 0, 0, G_OPTION_ARG_INT, &opt_pull_every, "Pull after every N pushes (5)", "N" },
  { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt_rate,
    "Pushes a second per desk, on a schedule (default: back to back)", "R" },
  { NULL }
};

static double
quantile (GArray *samples,
          double  q)
{
  double *v = (double *) samples->data;
  double pos;
  guint lo;

  if (samples->len == 0)
    return NAN;
  pos = q * (samples->len - 1);
  lo = (guint) floor (pos);
  if (lo + 1 >= samples->len)
    return v[samples->len - 1];
  return v[lo] + (pos - lo) * (v[lo + 1] - v[lo]);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static SoupMessage *
new_request (Load       *load,
             const char *method,
             const char *path,
             const char *token,
             JsonNode   *body)
{
  g_autofree char *uri = g_strconcat (load->url, "/api/v1", path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      gsize length;
      char *text = json_to_string (body, FALSE);
      g_autoptr(GBytes) bytes = NULL;

      length = strlen (text);
      bytes = g_bytes_new_take (text, length);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  return msg;
}

/* Sends and waits, for the set-up and the checks after the run. */
static JsonNode *
request_sync (Load        *load,
              const char  *method,
              const char  *path,
              const char  *token,
              JsonNode    *body,
              guint       *out_status,
              GError     **error)
{
  g_autoptr(SoupMessage) msg = new_request (load, method, path, token, body);
  g_autoptr(GBytes) answer = soup_session_send_and_read (load->session, msg, NULL, error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (answer == NULL)
    return NULL;
  *out_status = soup_message_get_status (msg);
  if (g_bytes_get_size (answer) == 0)
    return json_node_new (JSON_NODE_NULL);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                   g_bytes_get_size (answer), error))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static JsonNode *
make_batch (Load *load)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  static const char * const channels[] = { "in_person", "email", "phone", "chat" };
  static const char * const themes[] = { "choose", "learn", "move", "undertake", "work" };

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "entries");
  json_builder_begin_array (b);
  for (guint i = 0; i < load->batch; i++)
    {
      g_autofree char *key = cdm_uuid_new ();
      g_autofree char *id = cdm_uuid_new ();

      g_hash_table_add (load->ids, g_strdup (id));
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "key");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, "contact");
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "op");
      json_builder_add_string_value (b, "create");
      json_builder_set_member_name (b, "base_version");
      json_builder_add_int_value (b, 0);
      json_builder_set_member_name (b, "fields");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "occurred_at");
      json_builder_add_string_value (b, when);
      json_builder_set_member_name (b, "site");
      json_builder_add_string_value (b, "centre");
      json_builder_set_member_name (b, "service");
      json_builder_add_string_value (b, "individual_advice");
      json_builder_set_member_name (b, "channel");
      json_builder_add_string_value (b, channels[g_random_int_range (0, G_N_ELEMENTS (channels))]);
      json_builder_set_member_name (b, "themes");
      json_builder_begin_array (b);
      json_builder_add_string_value (b, themes[g_random_int_range (0, G_N_ELEMENTS (themes))]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "duration_min");
      json_builder_add_int_value (b, g_random_int_range (5, 60));
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void desk_next (Desk     *desk,
                       gboolean  pull);

static void
fail (Load       *load,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (Load       *load,
      const char *format,
      ...)
{
  va_list args;

  if (!load->failed)
    {
      va_start (args, format);
      g_autofree char *message = g_strdup_vprintf (format, args);
      va_end (args);
      g_printerr ("server-load: %s\n", message);
    }
  load->failed = TRUE;
}

static JsonNode *
finish_request (Desk          *desk,
                GAsyncResult  *result,
                double        *out_ms)
{
  Load *load = desk->load;
  SoupMessage *msg = soup_session_get_async_result_message (load->session, result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = soup_session_send_and_read_finish (load->session, result, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();

  *out_ms = (g_get_monotonic_time () - desk->started) / 1000.0;
  if (answer == NULL)
    {
      fail (load, "desk %u: %s", desk->index, error->message);
      return NULL;
    }
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      fail (load, "desk %u: %s %s answered %u: %.*s", desk->index,
            soup_message_get_method (msg), g_uri_get_path (soup_message_get_uri (msg)),
            soup_message_get_status (msg),
            (int) MIN (g_bytes_get_size (answer), 300), (const char *) g_bytes_get_data (answer, NULL));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL),
                                   g_bytes_get_size (answer), &error))
    {
      fail (load, "desk %u: the answer is not JSON: %s", desk->index, error->message);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

static void
desk_stop (Desk *desk)
{
  Load *load = desk->load;

  if (--load->running == 0)
    g_main_loop_quit (load->loop);
}

/* The cursor and the number of changes of a pull page, read as the
 * server writes it ({"changes":[{"seq":…},…],"cursor":N,"more":…}) rather
 * than parsed: a page of 1,000 contacts is most of a megabyte, and the
 * load's one thread must not be what limits the figures.  Inside a JSON
 * string a quote is always escaped, so these markers only match the
 * page's own members. */
static gboolean
scan_page (GBytes *page,
           gint64 *out_cursor,
           guint  *out_changes)
{
  gsize size;
  const char *data = g_bytes_get_data (page, &size);
  const char *end = data + size;
  const char *p = data;
  const char *cursor = NULL;
  guint changes = 0;

  if (size < 2 || data[0] != '{' || end[-1] != '}')
    return FALSE;
  while ((p = g_strstr_len (p, end - p, "{\"seq\":")) != NULL)
    {
      changes++;
      p += 7;
    }
  for (p = end - 10; p >= data; p--)
    if (memcmp (p, "],\"cursor\":", 11) == 0)
      {
        cursor = p + 11;
        break;
      }
  if (cursor == NULL || !g_ascii_isdigit (*cursor))
    return FALSE;
  *out_cursor = g_ascii_strtoll (cursor, NULL, 10);
  *out_changes = changes;
  return TRUE;
}

static void
pulled (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Desk *desk = user_data;
  Load *load = desk->load;
  SoupMessage *msg = soup_session_get_async_result_message (load->session, result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = soup_session_send_and_read_finish (load->session, result, &error);
  double ms = (g_get_monotonic_time () - desk->started) / 1000.0;
  guint changes = 0;

  if (answer == NULL)
    fail (load, "desk %u: %s", desk->index, error->message);
  else if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    fail (load, "desk %u: pull answered %u", desk->index, soup_message_get_status (msg));
  else if (!scan_page (answer, &desk->cursor, &changes))
    fail (load, "desk %u: a pull answer without its cursor", desk->index);
  if (load->failed)
    {
      desk_stop (desk);
      return;
    }
  g_array_append_val (load->pull_ms, ms);
  load->pulled += changes;
  desk_next (desk, FALSE);
}

static void
pushed (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Desk *desk = user_data;
  Load *load = desk->load;
  double ms;
  g_autoptr(JsonNode) root = finish_request (desk, result, &ms);
  JsonArray *results;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "results"))
    {
      if (root != NULL)
        fail (load, "desk %u: a push answer without results", desk->index);
      desk_stop (desk);
      return;
    }
  g_array_append_val (load->push_ms, ms);
  results = json_object_get_array_member (json_node_get_object (root), "results");
  if (json_array_get_length (results) != load->batch)
    fail (load, "desk %u: %u results for %u entries", desk->index,
          json_array_get_length (results), load->batch);
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *r = json_array_get_object_element (results, i);
      const char *status = json_object_get_string_member_with_default (r, "status", "");

      load->answered++;
      if (g_str_equal (status, "applied"))
        load->applied++;
      else
        fail (load, "desk %u: an entry was answered \"%s\"", desk->index, status);
    }
  desk->pushes++;
  /* Desks pull at different moments, as real ones do: desk i first pulls
   * after i mod N pushes, not all of them after their Nth. */
  desk_next (desk, (desk->pushes + desk->index) % load->pull_every == 0);
}

static gboolean
desk_due (gpointer data)
{
  Desk *desk = data;

  /* The timer may fire a little early: never before the time. */
  if (g_get_monotonic_time () < desk->due)
    desk->due = g_get_monotonic_time ();
  desk_next (desk, FALSE);
  return G_SOURCE_REMOVE;
}

/* The desk's next request: a pull when @pull, a push otherwise. */
static void
desk_next (Desk     *desk,
           gboolean  pull)
{
  Load *load = desk->load;
  g_autoptr(SoupMessage) msg = NULL;

  if (load->failed || g_get_monotonic_time () >= load->deadline)
    {
      desk_stop (desk);
      return;
    }
  desk->started = g_get_monotonic_time ();
  if (!pull && load->rate > 0)
    {
      /* On schedule: wait for the push's time; late, count from it.  A
       * push due after the end is not sent. */
      if (desk->due >= load->deadline)
        {
          desk_stop (desk);
          return;
        }
      if (desk->due > desk->started)
        {
          g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) ((desk->due - desk->started + 999) / 1000),
                              desk_due, desk, NULL);
          return;
        }
      desk->started = desk->due;
      desk->due += (gint64) (G_USEC_PER_SEC / load->rate);
    }
  if (pull)
    {
      g_autofree char *path = g_strdup_printf ("/sync/pull?cursor=%" G_GINT64_FORMAT "&limit=1000",
                                               desk->cursor);
      msg = new_request (load, "GET", path, desk->token, NULL);
      soup_session_send_and_read_async (load->session, msg, G_PRIORITY_DEFAULT, NULL, pulled, desk);
    }
  else
    {
      g_autoptr(JsonNode) batch = make_batch (load);

      msg = new_request (load, "POST", "/sync/push", desk->token, batch);
      g_clear_pointer (&desk->last_batch, json_node_unref);
      desk->last_batch = g_steal_pointer (&batch);
      load->sent += load->batch;
      soup_session_send_and_read_async (load->session, msg, G_PRIORITY_DEFAULT, NULL, pushed, desk);
    }
}

static gint64
contact_count (Load        *load,
               const char  *token,
               GError     **error)
{
  guint status = 0;
  g_autoptr(JsonNode) root = request_sync (load, "GET", "/sync/checksums", token, NULL, &status, error);
  JsonObject *types, *contact;

  if (root == NULL)
    return -1;
  if (status != SOUP_STATUS_OK || !JSON_NODE_HOLDS_OBJECT (root) ||
      (types = json_object_get_object_member (json_node_get_object (root), "types")) == NULL ||
      (contact = json_object_get_object_member (types, "contact")) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "/sync/checksums answered %u without a contact count", status);
      return -1;
    }
  return json_object_get_int_member (contact, "count");
}

static char *
login (Load        *load,
       GError     **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  guint status = 0;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "login");
  json_builder_add_string_value (b, load->login);
  json_builder_set_member_name (b, "password");
  json_builder_add_string_value (b, load->password);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  root = request_sync (load, "POST", "/auth/login", NULL, body, &status, error);
  if (root == NULL)
    return NULL;
  if (status != SOUP_STATUS_OK || !JSON_NODE_HOLDS_OBJECT (root) ||
      !json_object_has_member (json_node_get_object (root), "token"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "signing in answered %u", status);
      return NULL;
    }
  return g_strdup (json_object_get_string_member (json_node_get_object (root), "token"));
}

/* Pulls the whole feed from @cursor and counts how often each pushed id
 * comes back. */
static gboolean
check_feed (Load        *load,
            const char  *token,
            gint64       cursor,
            GError     **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint64 twice = 0;
  gboolean more = TRUE;

  while (more)
    {
      g_autofree char *path = g_strdup_printf ("/sync/pull?cursor=%" G_GINT64_FORMAT "&limit=5000", cursor);
      guint status = 0;
      g_autoptr(JsonNode) root = request_sync (load, "GET", path, token, NULL, &status, error);
      JsonObject *page;
      JsonArray *changes;

      if (root == NULL)
        return FALSE;
      if (status != SOUP_STATUS_OK || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "pulling answered %u", status);
          return FALSE;
        }
      page = json_node_get_object (root);
      changes = json_object_get_array_member (page, "changes");
      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          const char *id = json_object_get_string_member (json_array_get_object_element (changes, i), "id");
          gpointer key;

          if (!g_hash_table_lookup_extended (load->ids, id, &key, NULL))
            continue;
          if (!g_hash_table_add (seen, key))
            twice++;
        }
      cursor = json_object_get_int_member (page, "cursor");
      more = json_object_get_boolean_member (page, "more");
    }
  if (twice > 0 || g_hash_table_size (seen) != g_hash_table_size (load->ids))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the feed gave %u of the %u pushed contacts, %" G_GUINT64_FORMAT " of them twice",
                   g_hash_table_size (seen), g_hash_table_size (load->ids), twice);
      return FALSE;
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- many desks against one cdm-server");
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr(JsonNode) again = NULL;
  Load load = { 0 };
  gint64 before, after, start_cursor, started, elapsed;
  guint status = 0;
  gboolean ok = TRUE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      opt_url == NULL || opt_login == NULL || opt_password_file == NULL ||
      opt_desks < 1 || opt_seconds < 1 || opt_batch < 1 || opt_pull_every < 1)
    {
      g_printerr ("server-load: %s\n", error ? error->message : "--url, --login and --password-file are needed");
      return 2;
    }
  if (!g_file_get_contents (opt_password_file, &load.password, NULL, &error))
    {
      g_printerr ("server-load: %s\n", error->message);
      return 2;
    }
  g_strchomp (load.password);
  load.url = opt_url;
  load.login = opt_login;
  load.n_desks = opt_desks;
  load.batch = opt_batch;
  load.pull_every = opt_pull_every;
  load.rate = opt_rate;
  load.session = soup_session_new_with_options ("max-conns", opt_desks + 4,
                                                "max-conns-per-host", opt_desks + 4,
                                                "timeout", 120, NULL);
  load.loop = g_main_loop_new (NULL, FALSE);
  load.push_ms = g_array_new (FALSE, FALSE, sizeof (double));
  load.pull_ms = g_array_new (FALSE, FALSE, sizeof (double));
  load.ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  load.desks = g_new0 (Desk, load.n_desks);

  if ((token = login (&load, &error)) == NULL ||
      (before = contact_count (&load, token, &error)) < 0)
    {
      g_printerr ("server-load: %s\n", error->message);
      return 1;
    }
  {
    g_autoptr(JsonNode) root = request_sync (&load, "GET", "/sync/cursor", token, NULL, &status, &error);
    start_cursor = root && JSON_NODE_HOLDS_OBJECT (root) ?
      json_object_get_int_member_with_default (json_node_get_object (root), "cursor", 0) : 0;
  }

  for (guint i = 0; i < load.n_desks; i++)
    {
      load.desks[i].load = &load;
      load.desks[i].index = i;
      load.desks[i].cursor = start_cursor;
      if ((load.desks[i].token = login (&load, &error)) == NULL)
        {
          g_printerr ("server-load: desk %u: %s\n", i, error->message);
          return 1;
        }
    }

  printf ("%u desks, batches of %u contacts, a pull every %u pushes, for %d s against %s\n",
          load.n_desks, load.batch, load.pull_every, opt_seconds, load.url);
  if (load.rate > 0)
    printf ("on a schedule: %.2f pushes/s per desk, %.0f records/s offered\n",
            load.rate, load.rate * load.n_desks * load.batch);
  started = g_get_monotonic_time ();
  /* Scheduled desks start spread over one period. */
  for (guint i = 0; i < load.n_desks; i++)
    load.desks[i].due = started + (load.rate > 0 ? (gint64) (i * G_USEC_PER_SEC / load.rate / load.n_desks) : 0);
  load.deadline = started + (gint64) opt_seconds * G_USEC_PER_SEC;
  load.running = load.n_desks;
  for (guint i = 0; i < load.n_desks; i++)
    desk_next (&load.desks[i], FALSE);
  g_main_loop_run (load.loop);
  elapsed = g_get_monotonic_time () - started;

  g_array_sort (load.push_ms, compare_doubles);
  g_array_sort (load.pull_ms, compare_doubles);
  printf ("\n%-22s %12s\n", "", "cdm-server");
  printf ("%-22s %12u\n", "pushes", load.push_ms->len);
  printf ("%-22s %12.0f\n", "pushes/s", load.push_ms->len / (elapsed / 1e6));
  printf ("%-22s %12.0f\n", "records/s", load.applied / (elapsed / 1e6));
  printf ("%-22s %12.1f\n", "push p50 (ms)", quantile (load.push_ms, 0.5));
  printf ("%-22s %12.1f\n", "push p99 (ms)", quantile (load.push_ms, 0.99));
  printf ("%-22s %12u\n", "pulls", load.pull_ms->len);
  printf ("%-22s %12.1f\n", "pull p50 (ms)", quantile (load.pull_ms, 0.5));
  printf ("%-22s %12.1f\n", "pull p99 (ms)", quantile (load.pull_ms, 0.99));
  printf ("%-22s %12" G_GUINT64_FORMAT "\n", "records applied", load.applied);
  printf ("RECORDS %" G_GUINT64_FORMAT "\n", load.applied);

  /* The exact checks. */
  if (load.failed)
    ok = FALSE;
  if (load.answered != load.applied)
    {
      g_printerr ("server-load: %" G_GUINT64_FORMAT " entries answered, %" G_GUINT64_FORMAT " applied\n",
                  load.answered, load.applied);
      ok = FALSE;
    }
  after = contact_count (&load, token, &error);
  if (after < 0)
    {
      g_printerr ("server-load: %s\n", error->message);
      return 1;
    }
  if ((guint64) (after - before) != load.applied)
    {
      g_printerr ("server-load: the server holds %" G_GINT64_FORMAT " more contacts, %" G_GUINT64_FORMAT " were applied\n",
                  after - before, load.applied);
      ok = FALSE;
    }
  /* A retried batch: every entry "duplicate", nothing added. */
  for (guint i = 0; i < load.n_desks && again == NULL; i++)
    if (load.desks[i].last_batch != NULL && load.desks[i].pushes > 0)
      again = request_sync (&load, "POST", "/sync/push", load.desks[i].token,
                            load.desks[i].last_batch, &status, &error);
  if (again == NULL || status != SOUP_STATUS_OK)
    {
      g_printerr ("server-load: sending a batch again failed (%u)\n", status);
      ok = FALSE;
    }
  else
    {
      JsonArray *results = json_object_get_array_member (json_node_get_object (again), "results");
      for (guint i = 0; i < json_array_get_length (results); i++)
        {
          const char *s = json_object_get_string_member (json_array_get_object_element (results, i), "status");
          if (!g_str_equal (s, "duplicate") && !g_str_equal (s, "applied"))
            {
              g_printerr ("server-load: a batch sent again was answered \"%s\"\n", s);
              ok = FALSE;
              break;
            }
        }
      if (contact_count (&load, token, NULL) != after)
        {
          g_printerr ("server-load: a batch sent again changed the count\n");
          ok = FALSE;
        }
    }
  if (!check_feed (&load, token, start_cursor, &error))
    {
      g_printerr ("server-load: %s\n", error->message);
      ok = FALSE;
    }
  printf ("%-22s %12s\n", "exact count check", ok ? "passed" : "FAILED");

  for (guint i = 0; i < load.n_desks; i++)
    {
      g_free (load.desks[i].token);
      g_clear_pointer (&load.desks[i].last_batch, json_node_unref);
    }
  g_free (load.desks);
  g_hash_table_unref (load.ids);
  g_array_unref (load.push_ms);
  g_array_unref (load.pull_ms);
  g_main_loop_unref (load.loop);
  g_object_unref (load.session);
  g_free (load.password);
  return ok ? 0 : 1;
}
