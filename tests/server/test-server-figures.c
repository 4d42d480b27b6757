/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GET /figures: the server's figures are the desk's.  The records of the
 * published 2020 figures (tests/fixture-2020.c) are written to a desk
 * store, pushed to the server as a desk would, and the server's report
 * for 2020 and 2021 must equal cdm_report_compute() on that store, number
 * for number; a partner's staff gets their own organisation's only. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "cdm-interchange.h"
#include "cdm-report.h"
#include "cdm-server-test-util.h"
#include "../fixture-2020.h"

#define BATCH 500

static CdmTestServer *server;
static CdmStore *store;
static char *dir;

static const char *
token (const char *role)
{
  return cdm_test_server_token (server, role);
}

static void
push_batch (const char *role,
            GPtrArray  *entries)
{
  g_autofree char *joined = NULL;
  g_autofree char *body = NULL;
  g_autoptr(CdmTestReply) reply = NULL;
  JsonArray *results;

  if (entries->len == 0)
    return;
  g_ptr_array_add (entries, NULL);
  joined = g_strjoinv (",", (char **) entries->pdata);
  body = g_strdup_printf ("{\"entries\": [%s]}", joined);
  reply = cdm_test_request (server, "POST", "/api/v1/sync/push", token (role), body);
  g_assert_cmpuint (reply->status, ==, 200);
  results = json_node_get_array (cdm_test_reply_member (reply, "results"));
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      if (!g_str_equal (json_object_get_string_member (result, "status"), "applied"))
        {
          g_autofree char *text = json_to_string (json_array_get_element (results, i), FALSE);
          g_error ("entry %u: %s", i, text);
        }
    }
  g_ptr_array_set_size (entries, 0);
}

/* Every live record of the desk store goes to the server as one create
 * each, parents first, in batches as a desk's outbox would. */
static void
push_store (void)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) counsellor = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) manager = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (cdm_export_ndjson (store, CDM_N_ENTITIES, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, &error);
  g_output_stream_close (out, NULL, NULL);
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonNode) entry = NULL;
      g_autofree char *key = g_uuid_string_random ();
      JsonObject *record, *object;
      const char *type;
      gboolean closure;

      if (*lines[i] == '\0')
        continue;
      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      record = json_node_get_object (json_parser_get_root (parser));
      type = json_object_get_string_member (record, "type");
      closure = g_str_equal (type, "closure");

      object = json_object_new ();
      json_object_set_string_member (object, "key", key);
      json_object_set_string_member (object, "type", type);
      json_object_set_string_member (object, "id", json_object_get_string_member (record, "id"));
      json_object_set_string_member (object, "op", "create");
      json_object_set_int_member (object, "base_version", 0);
      json_object_set_object_member (object, "fields", json_object_ref (record));
      entry = json_node_init_object (json_node_alloc (), object);
      json_object_unref (object);

      /* Closures are the managers'; everything else a counsellor logs. */
      g_ptr_array_add (closure ? manager : counsellor, json_to_string (entry, FALSE));

      /* A tombstone (exported so that nothing comes back) was created,
       * then deleted. */
      if (json_object_get_boolean_member_with_default (record, "deleted", FALSE))
        {
          g_autofree char *del_key = g_uuid_string_random ();
          g_ptr_array_add (closure ? manager : counsellor,
                           g_strdup_printf ("{\"key\": \"%s\", \"type\": \"%s\", \"id\": \"%s\", "
                                            "\"op\": \"delete\", \"base_version\": 1}",
                                            del_key, type, json_object_get_string_member (record, "id")));
        }
      if (counsellor->len >= BATCH)
        push_batch ("counsellor", counsellor);
    }
  push_batch ("manager", manager);
  push_batch ("counsellor", counsellor);
}

static JsonNode *
server_figures (const char *role,
                const char *query,
                guint       expected_status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/figures?%s", query);
  g_autoptr(CdmTestReply) reply = cdm_test_request (server, "GET", path, token (role), NULL);

  g_assert_cmpuint (reply->status, ==, expected_status);
  return reply->json ? json_node_ref (reply->json) : NULL;
}

static void
assert_same_figures (int year)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CdmReport) report = cdm_report_compute (store, year, NULL, &error);
  g_autoptr(JsonObject) desk = NULL;
  g_autoptr(JsonNode) desk_node = NULL;
  g_autoptr(JsonNode) remote = NULL;
  g_autofree char *query = g_strdup_printf ("year=%d", year);
  g_autofree char *desk_text = NULL, *remote_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  desk = cdm_report_to_json (report);
  /* Through text, as the server's answer came. */
  desk_node = json_node_init_object (json_node_alloc (), desk);
  desk_text = json_to_string (desk_node, FALSE);
  g_assert_true (json_parser_load_from_data (parser, desk_text, -1, NULL));

  remote = server_figures ("manager", query, 200);
  g_assert_true (json_node_get_object (remote) != NULL);
  g_assert_true (json_object_get_null_member (json_node_get_object (remote), "organisation"));
  remote_text = json_to_string (remote, FALSE);
  if (!json_node_equal (json_parser_get_root (parser), remote))
    g_error ("figures of %d differ:\ndesk   %s\nserver %s", year, desk_text, remote_text);
}

static void
test_same_as_desk (void)
{
  g_autoptr(JsonNode) figures = NULL;
  JsonObject *root;

  assert_same_figures (2020);
  assert_same_figures (2021);

  /* And the published numbers themselves. */
  figures = server_figures ("admin", "year=2020", 200);
  root = json_node_get_object (figures);
  g_assert_cmpint (json_object_get_int_member (root, "total_contacts"), ==, FIXTURE_2020_TOTAL);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "individual_advice"), "total"), ==,
                   FIXTURE_2020_ADVICE);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "group_activities"), "participants"), ==,
                   FIXTURE_2020_PARTICIPANTS);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "multimedia"), "contacts"), ==,
                   FIXTURE_2020_MULTIMEDIA);
}

/* A partner's staff: their organisation's figures, whatever they ask. */
static void
test_partner (void)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf ("{\"entries\": [{\"key\": \"%s\", \"type\": \"contact\", \"id\": \"%s\", "
                                           "\"op\": \"create\", \"fields\": {\"occurred_at\": \"2020-06-02T10:00:00+02:00\", "
                                           "\"site\": \"centre\", \"service\": \"individual_advice\", \"channel\": \"chat\"}}]}",
                                           key, id);
  g_autofree char *other = g_strdup_printf ("year=2020&organisation=%s", "5b1e2d3c-0000-4000-8000-0000000000b2");
  g_autoptr(CdmTestReply) pushed = cdm_test_request (server, "POST", "/api/v1/sync/push", token ("partner_staff"), body);
  g_autoptr(JsonNode) own = NULL;
  g_autoptr(JsonNode) refused = NULL;
  g_autoptr(JsonNode) as_manager = NULL;
  g_autofree char *manager_query = g_strdup_printf ("year=2020&organisation=%s", CDM_TEST_PARTNER_ORG);
  JsonObject *root;

  g_assert_cmpuint (pushed->status, ==, 200);

  own = server_figures ("partner_staff", "year=2020", 200);
  root = json_node_get_object (own);
  g_assert_cmpstr (json_object_get_string_member (root, "organisation"), ==, CDM_TEST_PARTNER_ORG);
  g_assert_cmpint (json_object_get_int_member (root, "total_contacts"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_object_get_object_member (root, "individual_advice"),
                                                                              "by_channel"), "chat"), ==, 1);

  refused = server_figures ("partner_staff", other, 403);

  as_manager = server_figures ("manager", manager_query, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (as_manager), "total_contacts"), ==, 1);
}

static void
test_bad_year (void)
{
  g_autoptr(JsonNode) a = server_figures ("manager", "year=abc", 400);
  g_autoptr(JsonNode) b = server_figures ("manager", "year=99999", 400);
  g_autoptr(JsonNode) c = server_figures ("manager", "year=2020&organisation=x'%20OR%201=1", 400);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server-figures/same-as-desk", test_same_as_desk);
  g_test_add_func ("/server-figures/partner", test_partner);
  g_test_add_func ("/server-figures/bad-year", test_bad_year);

  dir = g_dir_make_tmp ("cdm-test-server-figures-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "desk.sqlite", NULL);
  store = cdm_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (fixture_2020_fill (store, &error));
  g_assert_no_error (error);

  server = cdm_test_server_new (NULL);
  /* Last: every answer the tests got follows docs/api/openapi.yaml. */
  cdm_test_server_add_api_test (server);
  push_store ();
  status = g_test_run ();
  cdm_test_server_free (server);

  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
    g_free (dir);
  }
  return status;
}
