/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * test-server-auth.c: logging in and out, tokens, lockout, roles, and the
 * admin endpoints with their audit log, against a real cdm-server and
 * PostgreSQL.
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "cdm-server-test-util.h"

static CdmTestServer *ts;

static char *
login_body (const char *login,
            const char *password)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "login");
  json_builder_add_string_value (builder, login);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static CdmTestReply *
login (const char *user,
       const char *password)
{
  g_autofree char *body = login_body (user, password);

  return cdm_test_request (ts, "POST", "/api/v1/auth/login", NULL, body);
}

static char *
login_token (const char *user,
             const char *password)
{
  g_autoptr(CdmTestReply) reply = login (user, password);

  g_assert_cmpuint (reply->status, ==, 200);
  return g_strdup (json_node_get_string (cdm_test_reply_member (reply, "token")));
}

static const char *
member_string (JsonNode   *node,
               const char *name)
{
  JsonNode *member;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  member = json_object_get_member (json_node_get_object (node), name);
  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    return NULL;
  return json_node_get_string (member);
}

static void
add_user (const char *user,
          const char *role,
          const char *password)
{
  const char *args[] = { "user-add", user, "--role", role, NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (cdm_test_server_command (ts, args, password, NULL, &err), ==, 0);
}

static void
test_health (void)
{
  g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/health", NULL, NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_cmpstr (reply->content_type, ==, "application/json");
  g_assert_cmpstr (member_string (reply->json, "status"), ==, "ok");
  g_assert_cmpint (json_node_get_int (cdm_test_reply_member (reply, "schema_version")), >=, 1);
}

static void
test_login_ok (void)
{
  g_autofree char *password = cdm_test_password ("counsellor");
  g_autoptr(CdmTestReply) reply = login ("counsellor", password);
  g_autofree char *sql = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *found = NULL;
  const char *token;
  JsonNode *user;

  g_assert_cmpuint (reply->status, ==, 200);
  token = json_node_get_string (cdm_test_reply_member (reply, "token"));
  /* 256 bits in base64url without padding. */
  g_assert_cmpuint (strlen (token), ==, 43);
  g_assert_nonnull (json_node_get_string (cdm_test_reply_member (reply, "expires_at")));
  user = cdm_test_reply_member (reply, "user");
  g_assert_cmpstr (member_string (user, "login"), ==, "counsellor");
  g_assert_cmpstr (member_string (user, "role"), ==, "counsellor");
  g_assert_cmpstr (member_string (user, "display_name"), ==, "Test counsellor");
  g_assert_null (member_string (user, "organisation"));
  g_assert_nonnull (member_string (user, "id"));

  /* The database holds the token's SHA-256, never the token. */
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  sql = g_strdup_printf ("SELECT count (*) FROM tokens WHERE token_hash = '%s'", hash);
  found = cdm_test_query_value (ts, sql);
  g_assert_cmpstr (found, ==, "1");
  g_free (sql);
  g_free (found);
  sql = g_strdup_printf ("SELECT count (*) FROM tokens t WHERE strpos (t::text, '%s') > 0", token);
  found = cdm_test_query_value (ts, sql);
  g_assert_cmpstr (found, ==, "0");
}

static void
test_login_bad (void)
{
  g_autoptr(CdmTestReply) wrong = login ("manager", "not-the-password");
  g_autoptr(CdmTestReply) unknown = login ("nobody-at-all", "not-the-password");
  g_autoptr(CdmTestReply) empty = login ("manager", "");

  g_assert_cmpuint (wrong->status, ==, 401);
  g_assert_cmpstr (cdm_test_reply_error_code (wrong), ==, "bad_credentials");
  /* An unknown login answers exactly like a wrong password. */
  g_assert_cmpuint (unknown->status, ==, 401);
  g_assert_true (g_bytes_equal (wrong->body, unknown->body));
  g_assert_cmpuint (empty->status, ==, 401);
  g_assert_true (g_bytes_equal (wrong->body, empty->body));
}

static void
test_lockout (void)
{
  g_autofree char *token = NULL;

  add_user ("lockme", "counsellor", "lockme-password");
  add_user ("bystander", "counsellor", "bystander-password");
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(CdmTestReply) reply = login ("lockme", "wrong-password");

      g_assert_cmpuint (reply->status, ==, 401);
    }
  /* Now even the right password is refused, with a clear answer. */
  {
    g_autoptr(CdmTestReply) reply = login ("lockme", "lockme-password");

    g_assert_cmpuint (reply->status, ==, 429);
    g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "locked");
  }
  /* Unknown logins lock the same way (no way to tell them apart). */
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(CdmTestReply) reply = login ("ghost", "wrong-password");

      g_assert_cmpuint (reply->status, ==, 401);
    }
  {
    g_autoptr(CdmTestReply) reply = login ("ghost", "wrong-password");

    g_assert_cmpuint (reply->status, ==, 429);
  }
  /* Other users are not affected. */
  token = login_token ("bystander", "bystander-password");
  g_assert_nonnull (token);
}

static void
test_lockout_window (void)
{
  g_autofree char *token = NULL;

  add_user ("forgetful", "steward", "forgetful-password");
  for (int i = 0; i < 5; i++)
    {
      g_autoptr(CdmTestReply) reply = login ("forgetful", "wrong-password");

      g_assert_cmpuint (reply->status, ==, 401);
    }
  /* Failures older than 15 minutes no longer count. */
  g_free (cdm_test_query_value (ts, "WITH u AS (UPDATE login_failures SET at = at - interval '16 minutes'"
                                    " WHERE login = 'forgetful' RETURNING 1) SELECT count (*) FROM u"));
  token = login_token ("forgetful", "forgetful-password");
  g_assert_nonnull (token);
}

static void
test_me (void)
{
  for (guint i = 0; cdm_test_roles[i] != NULL; i++)
    {
      const char *role = cdm_test_roles[i];
      g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/auth/me",
                                                        cdm_test_server_token (ts, role), NULL);

      g_assert_cmpuint (reply->status, ==, 200);
      g_assert_cmpstr (member_string (reply->json, "login"), ==, role);
      g_assert_cmpstr (member_string (reply->json, "role"), ==, role);
      if (g_str_equal (role, "partner_staff"))
        g_assert_cmpstr (member_string (reply->json, "organisation"), ==, CDM_TEST_PARTNER_ORG);
      else
        g_assert_null (member_string (reply->json, "organisation"));
    }
}

static void
assert_unauthorized (const char *token)
{
  g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/auth/me", token, NULL);

  g_assert_cmpuint (reply->status, ==, 401);
  g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "unauthorized");
}

static void
test_logout (void)
{
  g_autofree char *password = cdm_test_password ("steward");
  g_autofree char *token = login_token ("steward", password);
  g_autofree char *other = login_token ("steward", password);

  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "POST", "/api/v1/auth/logout", token, NULL);

    g_assert_cmpuint (reply->status, ==, 204);
  }
  assert_unauthorized (token);
  /* Only that token: the user's other sessions go on. */
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/auth/me", other, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }
}

static void
test_forged (void)
{
  g_autofree char *real = g_strdup (cdm_test_server_token (ts, "admin"));
  g_autofree char *flipped = g_strdup (real);
  g_autofree char *reply_text = NULL;

  /* One character changed. */
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  assert_unauthorized (flipped);
  assert_unauthorized ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  assert_unauthorized ("short");
  assert_unauthorized ("' OR '1'='1");
  assert_unauthorized (NULL);
  /* The SHA-256 stored in the database is not a token either. */
  {
    g_autofree char *hash = cdm_test_query_value (ts, "SELECT token_hash FROM tokens LIMIT 1");

    assert_unauthorized (hash);
  }
  /* Another scheme. */
  {
    g_autofree char *request = g_strdup_printf ("GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\n"
                                                "Authorization: Basic %s\r\nConnection: close\r\n\r\n", real);
    g_autoptr(CdmTestReply) reply = cdm_test_request_raw (ts, request, strlen (request));

    g_assert_cmpuint (reply->status, ==, 401);
  }
}

static void
test_revoke (void)
{
  g_autofree char *password = cdm_test_password ("counsellor");
  g_autofree char *token = login_token ("counsellor", password);
  const char *admin = cdm_test_server_token (ts, "admin");

  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "POST", "/api/v1/admin/users/counsellor/revoke",
                                                      admin, NULL);

    g_assert_cmpuint (reply->status, ==, 204);
  }
  assert_unauthorized (token);
  /* The test's own counsellor token went too. */
  cdm_test_server_forget_tokens (ts);
  admin = cdm_test_server_token (ts, "admin");
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "POST", "/api/v1/admin/users/nobody/revoke", admin, NULL);

    g_assert_cmpuint (reply->status, ==, 404);
    g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "not_found");
  }
}

static void
test_password_change (void)
{
  const char *admin = cdm_test_server_token (ts, "admin");
  g_autofree char *token = NULL;

  add_user ("changing", "manager", "first-password");
  token = login_token ("changing", "first-password");
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "PATCH", "/api/v1/admin/users/changing", admin,
                                                      "{\"password\": \"second-password\"}");

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_null (cdm_test_reply_member (reply, "password"));
    g_assert_null (cdm_test_reply_member (reply, "password_hash"));
  }
  /* A new password ends every session. */
  assert_unauthorized (token);
  {
    g_autoptr(CdmTestReply) old = login ("changing", "first-password");

    g_assert_cmpuint (old->status, ==, 401);
  }
  g_free (token);
  token = login_token ("changing", "second-password");

  /* The same from the command line, with the password on stdin. */
  {
    const char *args[] = { "user-password", "changing", NULL };

    g_assert_cmpint (cdm_test_server_command (ts, args, "third-password\n", NULL, NULL), ==, 0);
  }
  assert_unauthorized (token);
  g_free (token);
  token = login_token ("changing", "third-password");

  /* A disabled user cannot log in, and their tokens stop working. */
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "PATCH", "/api/v1/admin/users/changing", admin,
                                                      "{\"disabled\": true}");

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_true (json_node_get_boolean (cdm_test_reply_member (reply, "disabled")));
  }
  assert_unauthorized (token);
  {
    g_autoptr(CdmTestReply) reply = login ("changing", "third-password");

    g_assert_cmpuint (reply->status, ==, 401);
    g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "bad_credentials");
  }
}

static void
test_role_change (void)
{
  const char *admin = cdm_test_server_token (ts, "admin");
  g_autofree char *token = NULL;

  add_user ("promoted", "steward", "promoted-password");
  token = login_token ("promoted", "promoted-password");
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/admin/users", token, NULL);

    g_assert_cmpuint (reply->status, ==, 403);
  }
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "PATCH", "/api/v1/admin/users/promoted", admin,
                                                      "{\"role\": \"admin\", \"display_name\": \"Promoted\"}");

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpstr (member_string (reply->json, "role"), ==, "admin");
    g_assert_cmpstr (member_string (reply->json, "display_name"), ==, "Promoted");
  }
  /* The role is read on every request: the same token is now admin. */
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/admin/users", token, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }
  /* partner_staff needs an organisation. */
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "PATCH", "/api/v1/admin/users/promoted", admin,
                                                      "{\"role\": \"partner_staff\"}");

    g_assert_cmpuint (reply->status, ==, 400);
    g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "bad_request");
  }
}

/* A password from a file; never from the command line. */
static void
test_password_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cdm-server-pw-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "pw", NULL);
  const char *args[] = { "user-add", "fromfile", "--role", "partner_staff", "--organisation",
                         CDM_TEST_PARTNER_ORG, "--password-file", file, NULL };
  const char *no_org[] = { "user-add", "noorg", "--role", "partner_staff", "--password-file", file, NULL };
  g_autofree char *token = NULL;

  g_assert_true (g_file_set_contents (file, "file-password-1\n", -1, NULL));
  g_assert_cmpint (cdm_test_server_command (ts, args, NULL, NULL, NULL), ==, 0);
  token = login_token ("fromfile", "file-password-1");
  g_assert_nonnull (token);
  /* partner_staff without an organisation is refused. */
  g_assert_cmpint (cdm_test_server_command (ts, no_org, NULL, NULL, NULL), ==, 2);
  g_assert_cmpint (cdm_test_count_rows (ts, "users") , >, 5);
  {
    g_autofree char *none = cdm_test_query_value (ts, "SELECT count (*) FROM users WHERE login = 'noorg'");

    g_assert_cmpstr (none, ==, "0");
  }
  /* The same login twice: a clear message. */
  {
    g_autofree char *err = NULL;

    g_assert_cmpint (cdm_test_server_command (ts, args, NULL, NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, "The login “fromfile” is taken"));
  }
  g_unlink (file);
  g_rmdir (dir);
}

/* The request log names requests and users, never a secret. */
static void
test_log (void)
{
  g_autofree char *log = cdm_test_server_log (ts);

  g_assert_nonnull (strstr (log, "request method=POST path=\"/api/v1/auth/login\" status=200"));
  g_assert_nonnull (strstr (log, "status=401"));
  g_assert_null (strstr (log, "secret-"));
  g_assert_null (strstr (log, "password-"));
  g_assert_null (strstr (log, "Bearer"));
  for (guint i = 0; cdm_test_roles[i] != NULL; i++)
    g_assert_null (strstr (log, cdm_test_server_token (ts, cdm_test_roles[i])));
}

static void
test_expiry (void)
{
  const char * const args[] = { "--token-ttl", "2", NULL };
  g_autofree char *password = cdm_test_password ("manager");
  g_autofree char *token = NULL;

  g_assert_cmpint (cdm_test_server_stop_serving (ts), ==, 0);
  cdm_test_server_set_serve_args (ts, args);
  cdm_test_server_start_serving (ts);

  token = login_token ("manager", password);
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/auth/me", token, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
  }
  g_usleep (2500 * 1000);
  assert_unauthorized (token);

  g_assert_cmpint (cdm_test_server_stop_serving (ts), ==, 0);
  cdm_test_server_set_serve_args (ts, NULL);
  cdm_test_server_start_serving (ts);
}

typedef struct {
  const char *method;
  const char *path;
  const char *body;      /* "@": a unique suffix */
  guint       admin_status;
} AdminCall;

static void
test_role_matrix (void)
{
  static const AdminCall calls[] = {
    { "GET", "/api/v1/admin/users", NULL, 200 },
    { "POST", "/api/v1/admin/users",
      "{\"login\": \"made-@\", \"role\": \"counsellor\", \"password\": \"made-password\"}", 201 },
    { "PATCH", "/api/v1/admin/users/steward", "{\"display_name\": \"Steward @\"}", 200 },
    { "POST", "/api/v1/admin/users/matrix-target/revoke", NULL, 204 },
    { "GET", "/api/v1/admin/desks", NULL, 200 },
    { "POST", "/api/v1/admin/desks", "{\"name\": \"Desk @\", \"site\": \"centre\"}", 201 },
    { "GET", "/api/v1/admin/audit", NULL, 200 },
  };

  add_user ("matrix-target", "counsellor", "matrix-password");
  for (guint c = 0; c < G_N_ELEMENTS (calls); c++)
    for (guint r = 0; cdm_test_roles[r] != NULL; r++)
      {
        const char *role = cdm_test_roles[r];
        gboolean admin = g_str_equal (role, "admin");
        g_autoptr(GString) body = calls[c].body ? g_string_new (calls[c].body) : NULL;
        const char *token = cdm_test_server_token (ts, role);
        g_autofree char *before = cdm_test_database_digest (ts);
        g_autofree char *after = NULL;
        g_autoptr(CdmTestReply) reply = NULL;

        if (body != NULL)
          g_string_replace (body, "@", role, 0);
        reply = cdm_test_request (ts, calls[c].method, calls[c].path, token, body ? body->str : NULL);
        if (admin)
          {
            g_assert_cmpuint (reply->status, ==, calls[c].admin_status);
          }
        else
          {
            if (reply->status != 403)
              g_error ("%s %s as %s: %u", calls[c].method, calls[c].path, role, reply->status);
            g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "forbidden");
            after = cdm_test_database_digest (ts);
            g_assert_cmpstr (before, ==, after);
          }
      }
}

static void
test_admin_users (void)
{
  const char *admin = cdm_test_server_token (ts, "admin");
  g_autofree char *token = NULL;

  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "POST", "/api/v1/admin/users", admin,
                                                      "{\"login\": \"partner2\", \"role\": \"partner_staff\","
                                                      " \"organisation\": \"" CDM_TEST_PARTNER_ORG "\","
                                                      " \"display_name\": \"Zoë Partner\","
                                                      " \"password\": \"partner2-password\"}");

    g_assert_cmpuint (reply->status, ==, 201);
    g_assert_cmpstr (member_string (reply->json, "display_name"), ==, "Zoë Partner");
    g_assert_cmpstr (member_string (reply->json, "organisation"), ==, CDM_TEST_PARTNER_ORG);
  }
  token = login_token ("partner2", "partner2-password");
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "POST", "/api/v1/admin/users", admin,
                                                      "{\"login\": \"partner2\", \"role\": \"manager\","
                                                      " \"password\": \"partner2-password\"}");

    g_assert_cmpuint (reply->status, ==, 409);
    g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "conflict");
  }
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/admin/users", admin, NULL);
    JsonArray *users;
    gboolean seen = FALSE;

    g_assert_cmpuint (reply->status, ==, 200);
    users = json_node_get_array (cdm_test_reply_member (reply, "users"));
    g_assert_cmpuint (json_array_get_length (users), >=, 6);
    for (guint i = 0; i < json_array_get_length (users); i++)
      {
        JsonObject *user = json_array_get_object_element (users, i);

        g_assert_false (json_object_has_member (user, "password_hash"));
        if (g_str_equal (json_object_get_string_member (user, "login"), "partner2"))
          seen = TRUE;
      }
    g_assert_true (seen);
  }
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "PATCH", "/api/v1/admin/users/nobody", admin,
                                                      "{\"display_name\": \"x\"}");

    g_assert_cmpuint (reply->status, ==, 404);
  }
}

static void
test_admin_desks (void)
{
  const char *admin = cdm_test_server_token (ts, "admin");
  static const char id[] = "0d35c0de-1111-4222-8333-444455556666";
  g_autofree char *password = cdm_test_password ("counsellor");
  g_autofree char *body = NULL;

  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "POST", "/api/v1/admin/desks", admin,
                                                      "{\"id\": \"0d35c0de-1111-4222-8333-444455556666\","
                                                      " \"name\": \"Formtruck 1\", \"site\": \"formtruck\"}");

    g_assert_cmpuint (reply->status, ==, 201);
    g_assert_cmpstr (member_string (reply->json, "id"), ==, id);
    g_assert_cmpstr (member_string (reply->json, "site"), ==, "formtruck");
  }
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "POST", "/api/v1/admin/desks", admin,
                                                      "{\"id\": \"0d35c0de-1111-4222-8333-444455556666\","
                                                      " \"name\": \"Again\", \"site\": \"centre\"}");

    g_assert_cmpuint (reply->status, ==, 409);
  }
  /* A desk made on the command line. */
  {
    const char *args[] = { "desk-add", "Accueil", "--site", "centre", NULL };
    g_autofree char *out = NULL;

    g_assert_cmpint (cdm_test_server_command (ts, args, NULL, &out, NULL), ==, 0);
    g_assert_cmpuint (strlen (g_strstrip (out)), ==, 36);
  }
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/admin/desks", admin, NULL);
    JsonArray *desks = json_node_get_array (cdm_test_reply_member (reply, "desks"));

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (desks), >=, 2);
  }
  /* A login for a desk: the token carries it; an unknown desk is refused. */
  {
    g_autoptr(CdmTestReply) reply = NULL;

    body = g_strdup_printf ("{\"login\": \"counsellor\", \"password\": \"%s\", \"desk\": \"%s\"}", password, id);
    reply = cdm_test_request (ts, "POST", "/api/v1/auth/login", NULL, body);
    g_assert_cmpuint (reply->status, ==, 200);
  }
  {
    g_autoptr(CdmTestReply) reply = NULL;

    g_free (body);
    body = g_strdup_printf ("{\"login\": \"counsellor\", \"password\": \"%s\","
                            " \"desk\": \"99999999-1111-4222-8333-444455556666\"}", password);
    reply = cdm_test_request (ts, "POST", "/api/v1/auth/login", NULL, body);
    g_assert_cmpuint (reply->status, ==, 400);
    g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "bad_request");
  }
}

static void
test_audit (void)
{
  const char *admin = cdm_test_server_token (ts, "admin");
  g_autoptr(CdmTestReply) made = NULL;
  g_autofree char *leaks = NULL;
  g_autofree char *sql = NULL;

  made = cdm_test_request (ts, "POST", "/api/v1/admin/users", admin,
                           "{\"login\": \"audited\", \"role\": \"steward\", \"password\": \"audited-secret-pw\"}");
  g_assert_cmpuint (made->status, ==, 201);
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "PATCH", "/api/v1/admin/users/audited", admin,
                                                      "{\"password\": \"audited-second-pw\"}");

    g_assert_cmpuint (reply->status, ==, 200);
  }
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/admin/audit?limit=2", admin, NULL);
    JsonArray *entries = json_node_get_array (cdm_test_reply_member (reply, "entries"));
    JsonObject *latest, *previous;

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (entries), ==, 2);
    latest = json_array_get_object_element (entries, 0);
    previous = json_array_get_object_element (entries, 1);
    g_assert_cmpstr (json_object_get_string_member (latest, "action"), ==, "user.update");
    g_assert_cmpstr (json_object_get_string_member (latest, "target"), ==, "audited");
    g_assert_cmpstr (json_object_get_string_member (latest, "actor_login"), ==, "admin");
    g_assert_cmpstr (json_object_get_string_member (previous, "action"), ==, "user.create");
  }
  {
    g_autoptr(CdmTestReply) reply = cdm_test_request (ts, "GET", "/api/v1/admin/audit?limit=0", admin, NULL);

    g_assert_cmpuint (reply->status, ==, 400);
    g_assert_cmpstr (cdm_test_reply_error_code (reply), ==, "bad_request");
  }
  /* No password and no token anywhere in the audit log. */
  sql = g_strdup_printf ("SELECT count (*) FROM audit_log a WHERE a::text ~ 'secret|-pw|password-|%s'", admin);
  leaks = cdm_test_query_value (ts, sql);
  g_assert_cmpstr (leaks, ==, "0");
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  ts = cdm_test_server_new (NULL);

  g_test_add_func ("/server/auth/health", test_health);
  g_test_add_func ("/server/auth/login-ok", test_login_ok);
  g_test_add_func ("/server/auth/login-bad", test_login_bad);
  g_test_add_func ("/server/auth/lockout", test_lockout);
  g_test_add_func ("/server/auth/lockout-window", test_lockout_window);
  g_test_add_func ("/server/auth/me", test_me);
  g_test_add_func ("/server/auth/logout", test_logout);
  g_test_add_func ("/server/auth/forged", test_forged);
  g_test_add_func ("/server/auth/revoke", test_revoke);
  g_test_add_func ("/server/auth/password-change", test_password_change);
  g_test_add_func ("/server/auth/role-change", test_role_change);
  g_test_add_func ("/server/auth/password-file", test_password_file);
  g_test_add_func ("/server/auth/log", test_log);
  g_test_add_func ("/server/auth/expiry", test_expiry);
  g_test_add_func ("/server/admin/role-matrix", test_role_matrix);
  g_test_add_func ("/server/admin/users", test_admin_users);
  g_test_add_func ("/server/admin/desks", test_admin_desks);
  g_test_add_func ("/server/admin/audit", test_audit);

  cdm_test_server_add_api_test (ts);

  status = g_test_run ();
  cdm_test_server_free (ts);
  return status;
}
