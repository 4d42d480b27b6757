/* SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cdm-server-auth.c: accounts, tokens and the admin endpoints.
 *
 * Passwords are hashed by PostgreSQL's pgcrypto (bcrypt, cost 10); a
 * token is 32 bytes from the kernel, given to the client once and stored
 * only as its SHA-256.  A login that fails 5 times within 15 minutes is
 * locked until the oldest of those failures is 15 minutes old; unknown
 * logins count and answer exactly like wrong passwords.
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "cdm-server-core.h"

#define LOCKOUT_FAILURES 5
#define LOCKOUT_WINDOW   "15 minutes"
#define MIN_PASSWORD     8
#define MAX_PASSWORD     1024

/* What a user looks like in answers. */
#define USER_JSON \
  "json_build_object ('id', u.id, 'login', u.login, 'display_name', u.display_name," \
  " 'role', u.role, 'organisation', u.organisation, 'disabled', u.disabled)"

void
cdm_user_free (CdmUser *user)
{
  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->login);
  g_free (user->display_name);
  g_free (user->organisation);
  g_free (user->desk);
  g_free (user);
}

gboolean
cdm_server_valid_login (const char *login)
{
  gsize len = login ? strlen (login) : 0;

  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = login[i];

      if (!(g_ascii_islower (c) || g_ascii_isdigit (c) ||
            (i > 0 && (c == '.' || c == '_' || c == '@' || c == '-'))))
        return FALSE;
    }
  return TRUE;
}

gboolean
cdm_server_valid_uuid (const char *text)
{
  if (text == NULL || strlen (text) != 36)
    return FALSE;
  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (text[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

gboolean
cdm_server_valid_site (const char *site)
{
  static const char * const sites[] = { "centre", "formtruck", "school", "external_event", "remote" };

  for (guint i = 0; site != NULL && i < G_N_ELEMENTS (sites); i++)
    if (strcmp (site, sites[i]) == 0)
      return TRUE;
  return FALSE;
}

static char *
token_hash (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

/* 256 bits from the kernel's generator, base64url without padding. */
static char *
new_token (GError **error)
{
  guint8 bytes[32];
  gsize got = 0;
  g_autofree char *text = NULL;

  while (got < sizeof bytes)
    {
      ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "No random bytes from the kernel: %s", g_strerror (saved));
          return NULL;
        }
      got += (gsize) n;
    }
  text = g_base64_encode (bytes, sizeof bytes);
  memset (bytes, 0, sizeof bytes);
  for (char *p = text; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }
  return g_steal_pointer (&text);
}

CdmUser *
cdm_server_auth_lookup (PGconn      *db,
                        const char  *token,
                        GError     **error)
{
  g_autofree char *hash = NULL;
  g_autoptr(PGresult) res = NULL;
  CdmUser *user;

  if (token == NULL)
    return NULL;
  hash = token_hash (token);
  /* On every request: prepared once per connection. */
  res = cdm_db_exec_prepared (db, error,
                              "SELECT u.id, u.login, u.display_name, u.role, u.organisation, t.desk"
                              "  FROM tokens t JOIN users u ON u.id = t.user_id"
                              " WHERE t.token_hash = $1 AND NOT t.revoked AND t.expires_at > now ()"
                              "   AND NOT u.disabled", 1, hash);
  if (res == NULL || PQntuples (res) != 1)
    return NULL;
  user = g_new0 (CdmUser, 1);
  user->id = g_strdup (cdm_db_get_string (res, 0, 0));
  user->login = g_strdup (cdm_db_get_string (res, 0, 1));
  user->display_name = g_strdup (cdm_db_get_string (res, 0, 2));
  user->role = cdm_role_from_string (cdm_db_get_string (res, 0, 3));
  user->organisation = g_strdup (cdm_db_get_string (res, 0, 4));
  user->desk = g_strdup (cdm_db_get_string (res, 0, 5));
  return user;
}

gboolean
cdm_server_audit (PGconn         *db,
                  const CdmUser  *actor,
                  const char     *action,
                  const char     *target,
                  JsonNode       *details,
                  GError        **error)
{
  g_autofree char *details_text = details ? json_to_string (details, FALSE) : NULL;
  g_autoptr(PGresult) res = NULL;

  res = cdm_db_exec (db, error,
                     "INSERT INTO audit_log (actor, actor_login, action, target, details)"
                     " VALUES ($1::uuid, $2, $3, $4, $5::jsonb)", 5,
                     actor ? actor->id : NULL, actor ? actor->login : "(command line)",
                     action, target, details_text);
  return res != NULL;
}

gboolean
cdm_server_user_add (PGconn      *db,
                     const char  *login,
                     const char  *display_name,
                     CdmRole      role,
                     const char  *organisation,
                     const char  *password,
                     GError     **error)
{
  g_autoptr(PGresult) res = NULL;

  g_autoptr(GError) local = NULL;

  res = cdm_db_exec (db, &local,
                     "INSERT INTO users (login, display_name, role, organisation, password_hash)"
                     " VALUES ($1, $2, $3, $4::uuid, crypt ($5, gen_salt ('bf', 10)))", 5,
                     login, display_name ? display_name : login, cdm_role_to_string (role),
                     organisation, password);
  if (res == NULL && g_error_matches (local, CDM_DB_ERROR, CDM_DB_ERROR_UNIQUE))
    g_set_error (error, CDM_DB_ERROR, CDM_DB_ERROR_UNIQUE, "The login “%s” is taken", login);
  else if (res == NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  return res != NULL;
}

gboolean
cdm_server_user_password (PGconn      *db,
                          const char  *login,
                          const char  *password,
                          GError     **error)
{
  g_autoptr(PGresult) res = NULL;
  g_autoptr(PGresult) revoke = NULL;

  res = cdm_db_exec (db, error,
                     "UPDATE users SET password_hash = crypt ($2, gen_salt ('bf', 10)), updated_at = now ()"
                     " WHERE login = $1 RETURNING id", 2, login, password);
  if (res == NULL)
    return FALSE;
  if (PQntuples (res) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no user “%s”", login);
      return FALSE;
    }
  revoke = cdm_db_exec (db, error, "UPDATE tokens SET revoked = true WHERE user_id = $1::uuid", 1,
                        cdm_db_get_string (res, 0, 0));
  return revoke != NULL;
}

char *
cdm_server_desk_add (PGconn      *db,
                     const char  *id,
                     const char  *name,
                     const char  *site,
                     GError     **error)
{
  g_autoptr(PGresult) res = NULL;

  res = cdm_db_exec (db, error,
                     "INSERT INTO desks (id, name, site) VALUES (coalesce ($1::uuid, gen_random_uuid ()), $2, $3)"
                     " RETURNING id", 3, id, name, site);
  if (res == NULL)
    return NULL;
  return g_strdup (cdm_db_get_string (res, 0, 0));
}

/* Request helpers */

/* The string member `name`: NULL when absent; when present but not a
 * string (or not allowed to be null), replies 400 and sets *bad. */
static const char *
get_string (CdmRequest *req,
            JsonObject *object,
            const char *name,
            gboolean    required,
            gboolean   *bad)
{
  JsonNode *node = json_object_get_member (object, name);

  if (*bad)
    return NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          cdm_request_reply_error_field (req, 400, "bad_request", name, "The field “%s” is required", name);
          *bad = TRUE;
        }
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      cdm_request_reply_error_field (req, 400, "bad_request", name, "The field “%s” must be a string", name);
      *bad = TRUE;
      return NULL;
    }
  return json_node_get_string (node);
}

/* Refuses members other than those listed (a typo must not be ignored). */
static gboolean
only_members (CdmRequest         *req,
              JsonObject         *object,
              const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        cdm_request_reply_error_field (req, 400, "bad_request", l->data,
                                       "The field “%s” is not known here", (const char *) l->data);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_password (CdmRequest *req,
                const char *password)
{
  glong len = g_utf8_strlen (password, -1);

  if (len < MIN_PASSWORD || strlen (password) > MAX_PASSWORD)
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "password",
                                     "The password must have from %d to %d characters",
                                     MIN_PASSWORD, MAX_PASSWORD);
      return FALSE;
    }
  return TRUE;
}

static void
reply_user_by_login (CdmRequest *req,
                     PGconn     *db,
                     guint       status,
                     const char *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = cdm_db_exec (db, &error,
                                         "SELECT " USER_JSON " FROM users u WHERE u.login = $1", 1, login);

  if (res == NULL)
    cdm_request_reply_db_error (req, error);
  else if (PQntuples (res) == 0)
    cdm_request_reply_error (req, 404, "not_found", "There is no user with this login");
  else
    cdm_request_reply_json (req, status, cdm_db_get_json (res, 0, 0));
}

/* GET /api/v1/health */
static void
handle_health (CdmRequest *req,
               PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint version = cdm_server_schema_version (db, &error);

  if (version < 0)
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "schema_version");
  json_builder_add_int_value (builder, version);
  json_builder_end_object (builder);
  cdm_request_reply_json (req, 200, json_builder_get_root (builder));
}

/* POST /api/v1/auth/login */
static void
handle_login (CdmRequest *req,
              PGconn     *db)
{
  static const char * const allowed[] = { "login", "password", "desk", NULL };
  JsonObject *object = cdm_request_require_object (req);
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) failures = NULL;
  g_autoptr(PGresult) user = NULL;
  g_autoptr(PGresult) token_row = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *token = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *ttl = NULL;
  const char *login, *password, *desk;
  gboolean bad = FALSE;

  if (object == NULL || !only_members (req, object, allowed))
    return;
  login = get_string (req, object, "login", TRUE, &bad);
  password = get_string (req, object, "password", TRUE, &bad);
  desk = get_string (req, object, "desk", FALSE, &bad);
  if (bad)
    return;
  if (desk != NULL && !cdm_server_valid_uuid (desk))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "desk", "The field “desk” must be a UUID");
      return;
    }
  if (strlen (login) > 256 || strlen (password) > MAX_PASSWORD)
    {
      cdm_request_reply_error (req, 401, "bad_credentials", "The login or the password is wrong");
      return;
    }

  failures = cdm_db_exec (db, &error,
                          "SELECT count (*) FROM login_failures"
                          " WHERE login = $1 AND at > now () - interval '" LOCKOUT_WINDOW "'", 1, login);
  if (failures == NULL)
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  if (cdm_db_get_int64 (failures, 0, 0, 0) >= LOCKOUT_FAILURES)
    {
      cdm_request_reply_error (req, 429, "locked",
                               "Too many failed logins: this login is locked for 15 minutes");
      return;
    }

  /* An unknown login costs the same bcrypt round as a known one, so that
   * the time taken does not tell which logins exist. */
  user = cdm_db_exec (db, &error,
                      "SELECT u.id, u.disabled, u.password_hash = crypt ($2, u.password_hash)"
                      "  FROM users u WHERE u.login = $1"
                      " UNION ALL SELECT NULL, true, crypt ($2, gen_salt ('bf', 10)) IS NULL"
                      "  WHERE NOT EXISTS (SELECT 1 FROM users WHERE login = $1)", 2, login, password);
  if (user == NULL)
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  if (PQntuples (user) != 1 || cdm_db_get_bool (user, 0, 1) || !cdm_db_get_bool (user, 0, 2))
    {
      /* Failures older than the window count no more: forget them, so
       * that logins sprayed at random do not fill the table. */
      g_autoptr(PGresult) record = cdm_db_exec (db, &error,
                                                "WITH old AS (DELETE FROM login_failures"
                                                "  WHERE at < now () - interval '" LOCKOUT_WINDOW "')"
                                                " INSERT INTO login_failures (login) VALUES ($1)", 1, login);

      if (record == NULL)
        cdm_request_reply_db_error (req, error);
      else
        cdm_request_reply_error (req, 401, "bad_credentials", "The login or the password is wrong");
      return;
    }

  token = new_token (&error);
  if (token == NULL)
    {
      g_message ("login: %s", error->message);
      cdm_request_reply_error (req, 503, "unavailable", "No token can be made now");
      return;
    }
  hash = token_hash (token);
  ttl = g_strdup_printf ("%" G_GINT64_FORMAT, cdm_server_get_config (req->server)->token_ttl);
  if (!cdm_db_begin (db, &error))
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  token_row = cdm_db_exec (db, &error,
                           "WITH t AS (INSERT INTO tokens (token_hash, user_id, desk, expires_at)"
                           "  VALUES ($1, $2::uuid, $3::uuid, now () + make_interval (secs => $4::bigint))"
                           "  RETURNING expires_at)"
                           " SELECT to_json (t.expires_at) #>> '{}', " USER_JSON
                           "   FROM t, users u WHERE u.id = $2::uuid", 4,
                           hash, cdm_db_get_string (user, 0, 0), desk, ttl);
  if (token_row != NULL)
    {
      /* A successful login forgets its failures, and tokens expired for
       * a day go (the table stays the size of the live sessions). */
      g_autoptr(PGresult) cleared = cdm_db_exec (db, &error,
                                                 "WITH old AS (DELETE FROM tokens"
                                                 "  WHERE expires_at < now () - interval '1 day')"
                                                 " DELETE FROM login_failures WHERE login = $1", 1, login);

      if (cleared == NULL)
        g_clear_pointer (&token_row, PQclear);
    }
  if (token_row == NULL || !cdm_db_commit (db, &error))
    {
      cdm_db_rollback (db);
      if (g_error_matches (error, CDM_DB_ERROR, CDM_DB_ERROR_FOREIGN_KEY))
        cdm_request_reply_error_field (req, 400, "bad_request", "desk", "There is no desk with this id");
      else
        cdm_request_reply_db_error (req, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_string_value (builder, cdm_db_get_string (token_row, 0, 0));
  json_builder_set_member_name (builder, "user");
  json_builder_add_value (builder, cdm_db_get_json (token_row, 0, 1));
  json_builder_end_object (builder);
  memset (token, 0, strlen (token));
  cdm_request_reply_json (req, 200, json_builder_get_root (builder));
}

/* POST /api/v1/auth/logout */
static void
handle_logout (CdmRequest *req,
               PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *hash = token_hash (cdm_server_request_token (req));

  /* The core checked the token; its hash is what we revoke. */
  res = cdm_db_exec (db, &error,
                     "UPDATE tokens SET revoked = true"
                     " WHERE user_id = $1::uuid AND token_hash = $2", 2,
                     req->user->id, hash);
  if (res == NULL)
    cdm_request_reply_db_error (req, error);
  else
    cdm_request_reply_json (req, 204, NULL);
}

/* GET /api/v1/auth/me */
static void
handle_me (CdmRequest *req,
           PGconn     *db)
{
  reply_user_by_login (req, db, 200, req->user->login);
}

/* GET /api/v1/admin/users */
static void
handle_users_list (CdmRequest *req,
                   PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = cdm_db_exec (db, &error,
                                         "SELECT json_build_object ('users', coalesce (json_agg (" USER_JSON
                                         " ORDER BY u.login), '[]'::json)) FROM users u", 0);

  if (res == NULL)
    cdm_request_reply_db_error (req, error);
  else
    cdm_request_reply_json (req, 200, cdm_db_get_json (res, 0, 0));
}

static gboolean
check_role (CdmRequest *req,
            const char *role)
{
  if (cdm_role_from_string (role) == CDM_ROLE_NONE)
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "role",
                                     "The role must be one of admin, manager, counsellor, steward, partner_staff");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_organisation (CdmRequest *req,
                    const char *organisation)
{
  if (organisation != NULL && !cdm_server_valid_uuid (organisation))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "organisation",
                                     "The field “organisation” must be a UUID or null");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_display_name (CdmRequest *req,
                    const char *display_name)
{
  if (display_name != NULL && g_utf8_strlen (display_name, -1) > 200)
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "display_name",
                                     "The display name must have at most 200 characters");
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
details_object (const char *first_name,
                ...) G_GNUC_NULL_TERMINATED;

/* {"name": "value", …} of the (name, value) pairs whose value is set. */
static JsonNode *
details_object (const char *first_name,
                ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  va_list args;

  json_builder_begin_object (builder);
  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value == NULL)
        continue;
      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, value);
    }
  va_end (args);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* POST /api/v1/admin/users */
static void
handle_users_create (CdmRequest *req,
                     PGconn     *db)
{
  static const char * const allowed[] = { "login", "display_name", "role", "organisation", "password", NULL };
  JsonObject *object = cdm_request_require_object (req);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) details = NULL;
  const char *login, *display_name, *role, *organisation, *password;
  gboolean bad = FALSE;

  if (object == NULL || !only_members (req, object, allowed))
    return;
  login = get_string (req, object, "login", TRUE, &bad);
  display_name = get_string (req, object, "display_name", FALSE, &bad);
  role = get_string (req, object, "role", TRUE, &bad);
  organisation = get_string (req, object, "organisation", FALSE, &bad);
  password = get_string (req, object, "password", TRUE, &bad);
  if (bad)
    return;
  if (!cdm_server_valid_login (login))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "login",
                                     "The login must be 1 to 64 lower-case letters, digits or . _ @ - "
                                     "and start with a letter or digit");
      return;
    }
  if (!check_role (req, role) || !check_organisation (req, organisation) ||
      !check_display_name (req, display_name) || !check_password (req, password))
    return;
  if (cdm_role_from_string (role) == CDM_ROLE_PARTNER_STAFF && organisation == NULL)
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "organisation",
                                     "A partner_staff user needs an organisation");
      return;
    }

  details = details_object ("role", role, "organisation", organisation, NULL);
  if (!cdm_db_begin (db, &error) ||
      !cdm_server_user_add (db, login, display_name, cdm_role_from_string (role), organisation, password, &error) ||
      !cdm_server_audit (db, req->user, "user.create", login, details, &error) ||
      !cdm_db_commit (db, &error))
    {
      cdm_db_rollback (db);
      if (g_error_matches (error, CDM_DB_ERROR, CDM_DB_ERROR_UNIQUE))
        cdm_request_reply_error_field (req, 409, "conflict", "login", "The login “%s” is taken", login);
      else
        cdm_request_reply_db_error (req, error);
      return;
    }
  reply_user_by_login (req, db, 201, login);
}

/* PATCH /api/v1/admin/users/{login} */
static void
handle_users_update (CdmRequest *req,
                     PGconn     *db)
{
  static const char * const allowed[] = { "display_name", "role", "organisation", "disabled", "password", NULL };
  const char *login = cdm_request_get_path_param (req, "login");
  JsonObject *object = cdm_request_require_object (req);
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autoptr(JsonBuilder) fields = NULL;
  g_autoptr(JsonNode) details = NULL;
  const char *display_name, *role, *organisation, *password;
  const char *disabled = NULL;
  gboolean bad = FALSE;
  gboolean set_organisation;
  gboolean revoke;

  if (object == NULL || !only_members (req, object, allowed))
    return;
  if (json_object_get_size (object) == 0)
    {
      cdm_request_reply_error (req, 400, "bad_request", "Nothing to change: give at least one field");
      return;
    }
  display_name = get_string (req, object, "display_name", FALSE, &bad);
  role = get_string (req, object, "role", FALSE, &bad);
  organisation = get_string (req, object, "organisation", FALSE, &bad);
  password = get_string (req, object, "password", FALSE, &bad);
  if (bad)
    return;
  if (json_object_has_member (object, "disabled"))
    {
      JsonNode *node = json_object_get_member (object, "disabled");

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          cdm_request_reply_error_field (req, 400, "bad_request", "disabled",
                                         "The field “disabled” must be true or false");
          return;
        }
      disabled = json_node_get_boolean (node) ? "true" : "false";
    }
  if ((json_object_has_member (object, "display_name") && display_name == NULL) ||
      (json_object_has_member (object, "role") && role == NULL) ||
      (json_object_has_member (object, "password") && password == NULL))
    {
      cdm_request_reply_error (req, 400, "bad_request", "Only “organisation” may be null");
      return;
    }
  if ((role != NULL && !check_role (req, role)) || !check_organisation (req, organisation) ||
      !check_display_name (req, display_name) || (password != NULL && !check_password (req, password)))
    return;
  set_organisation = json_object_has_member (object, "organisation");
  revoke = password != NULL || g_strcmp0 (disabled, "true") == 0;

  /* The audit keeps which fields changed and the new role, never a
   * password. */
  fields = json_builder_new ();
  json_builder_begin_array (fields);
  {
    g_autoptr(GList) members = json_object_get_members (object);

    members = g_list_sort (members, (GCompareFunc) strcmp);
    for (GList *l = members; l != NULL; l = l->next)
      json_builder_add_string_value (fields, l->data);
  }
  json_builder_end_array (fields);
  details = details_object ("role", role, NULL);
  json_object_set_member (json_node_get_object (details), "fields", json_builder_get_root (fields));

  if (!cdm_db_begin (db, &error))
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  res = cdm_db_exec (db, &error,
                     "UPDATE users SET"
                     "  display_name = coalesce ($2, display_name),"
                     "  role = coalesce ($3, role),"
                     "  organisation = CASE WHEN $4::boolean THEN $5::uuid ELSE organisation END,"
                     "  disabled = coalesce ($6::boolean, disabled),"
                     "  password_hash = CASE WHEN $7::text IS NULL THEN password_hash"
                     "                       ELSE crypt ($7, gen_salt ('bf', 10)) END,"
                     "  updated_at = now ()"
                     " WHERE login = $1 RETURNING id", 7,
                     login, display_name, role, set_organisation ? "true" : "false", organisation,
                     disabled, password);
  if (res != NULL && PQntuples (res) == 0)
    {
      cdm_db_rollback (db);
      cdm_request_reply_error (req, 404, "not_found", "There is no user with this login");
      return;
    }
  if (res != NULL && revoke)
    {
      g_autoptr(PGresult) revoked = cdm_db_exec (db, &error,
                                                 "UPDATE tokens SET revoked = true WHERE user_id = $1::uuid", 1,
                                                 cdm_db_get_string (res, 0, 0));

      if (revoked == NULL)
        g_clear_pointer (&res, PQclear);
    }
  if (res != NULL && (role != NULL || disabled != NULL))
    {
      /* Nobody could manage accounts any more. */
      g_autoptr(PGresult) admins = cdm_db_exec (db, &error,
                                                "SELECT count (*) FROM users WHERE role = 'admin' AND NOT disabled", 0);

      if (admins == NULL)
        g_clear_pointer (&res, PQclear);
      else if (cdm_db_get_int64 (admins, 0, 0, 0) == 0)
        {
          cdm_db_rollback (db);
          cdm_request_reply_error (req, 409, "conflict",
                                   "This change would leave no enabled admin; make another admin first");
          return;
        }
    }
  if (res == NULL ||
      !cdm_server_audit (db, req->user, "user.update", login, details, &error) ||
      !cdm_db_commit (db, &error))
    {
      cdm_db_rollback (db);
      if (g_error_matches (error, CDM_DB_ERROR, CDM_DB_ERROR_CONSTRAINT))
        cdm_request_reply_error_field (req, 400, "bad_request", "organisation",
                                       "A partner_staff user needs an organisation");
      else
        cdm_request_reply_db_error (req, error);
      return;
    }
  reply_user_by_login (req, db, 200, login);
}

/* POST /api/v1/admin/users/{login}/revoke */
static void
handle_users_revoke (CdmRequest *req,
                     PGconn     *db)
{
  const char *login = cdm_request_get_path_param (req, "login");
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) user = NULL;
  g_autoptr(PGresult) res = NULL;

  if (!cdm_db_begin (db, &error))
    {
      cdm_request_reply_db_error (req, error);
      return;
    }
  user = cdm_db_exec (db, &error, "SELECT id FROM users WHERE login = $1", 1, login);
  if (user != NULL && PQntuples (user) == 0)
    {
      cdm_db_rollback (db);
      cdm_request_reply_error (req, 404, "not_found", "There is no user with this login");
      return;
    }
  if (user != NULL)
    res = cdm_db_exec (db, &error, "UPDATE tokens SET revoked = true WHERE user_id = $1::uuid", 1,
                       cdm_db_get_string (user, 0, 0));
  if (res == NULL ||
      !cdm_server_audit (db, req->user, "user.revoke", login, NULL, &error) ||
      !cdm_db_commit (db, &error))
    {
      cdm_db_rollback (db);
      cdm_request_reply_db_error (req, error);
      return;
    }
  cdm_request_reply_json (req, 204, NULL);
}

/* GET /api/v1/admin/desks */
static void
handle_desks_list (CdmRequest *req,
                   PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = cdm_db_exec (db, &error,
                                         "SELECT json_build_object ('desks', coalesce (json_agg ("
                                         "  json_build_object ('id', id, 'name', name, 'site', site,"
                                         "                     'created_at', created_at)"
                                         "  ORDER BY name, id), '[]'::json)) FROM desks", 0);

  if (res == NULL)
    cdm_request_reply_db_error (req, error);
  else
    cdm_request_reply_json (req, 200, cdm_db_get_json (res, 0, 0));
}

/* POST /api/v1/admin/desks */
static void
handle_desks_create (CdmRequest *req,
                     PGconn     *db)
{
  static const char * const allowed[] = { "id", "name", "site", NULL };
  JsonObject *object = cdm_request_require_object (req);
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autoptr(JsonNode) details = NULL;
  g_autofree char *id_made = NULL;
  const char *id, *name, *site;
  gboolean bad = FALSE;

  if (object == NULL || !only_members (req, object, allowed))
    return;
  id = get_string (req, object, "id", FALSE, &bad);
  name = get_string (req, object, "name", TRUE, &bad);
  site = get_string (req, object, "site", TRUE, &bad);
  if (bad)
    return;
  if (id != NULL && !cdm_server_valid_uuid (id))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "id", "The field “id” must be a UUID");
      return;
    }
  if (name[0] == '\0' || g_utf8_strlen (name, -1) > 200)
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "name",
                                     "The desk name must have from 1 to 200 characters");
      return;
    }
  if (!cdm_server_valid_site (site))
    {
      cdm_request_reply_error_field (req, 400, "bad_request", "site",
                                     "The site must be one of centre, formtruck, school, external_event, remote");
      return;
    }

  details = details_object ("name", name, "site", site, NULL);
  if (!cdm_db_begin (db, &error) ||
      (id_made = cdm_server_desk_add (db, id, name, site, &error)) == NULL ||
      !cdm_server_audit (db, req->user, "desk.create", id_made, details, &error) ||
      !cdm_db_commit (db, &error))
    {
      cdm_db_rollback (db);
      if (g_error_matches (error, CDM_DB_ERROR, CDM_DB_ERROR_UNIQUE))
        cdm_request_reply_error_field (req, 409, "conflict", "id", "A desk with this id exists already");
      else
        cdm_request_reply_db_error (req, error);
      return;
    }
  res = cdm_db_exec (db, &error,
                     "SELECT json_build_object ('id', id, 'name', name, 'site', site, 'created_at', created_at)"
                     "  FROM desks WHERE id = $1::uuid", 1, id_made);
  if (res == NULL || PQntuples (res) != 1)
    cdm_request_reply_db_error (req, error);
  else
    cdm_request_reply_json (req, 201, cdm_db_get_json (res, 0, 0));
}

/* GET /api/v1/admin/audit?limit=N */
static void
handle_audit (CdmRequest *req,
              PGconn     *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *limit_text = NULL;
  gint64 limit;

  if (!cdm_request_get_query_int64 (req, "limit", 100, 1, 1000, &limit))
    return;
  limit_text = g_strdup_printf ("%" G_GINT64_FORMAT, limit);
  res = cdm_db_exec (db, &error,
                     "SELECT json_build_object ('entries', coalesce (json_agg (json_build_object ("
                     "  'id', a.id, 'at', a.at, 'actor', a.actor, 'actor_login', a.actor_login,"
                     "  'action', a.action, 'target', a.target, 'details', a.details) ORDER BY a.id DESC),"
                     "  '[]'::json))"
                     "  FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT $1::integer) a", 1, limit_text);
  if (res == NULL)
    cdm_request_reply_db_error (req, error);
  else
    cdm_request_reply_json (req, 200, cdm_db_get_json (res, 0, 0));
}

void
cdm_server_auth_register (CdmServer *server)
{
  cdm_server_add_route (server, "GET", "/api/v1/health", CDM_ROUTE_PUBLIC, handle_health);
  cdm_server_add_route (server, "POST", "/api/v1/auth/login", CDM_ROUTE_PUBLIC, handle_login);
  cdm_server_add_route (server, "POST", "/api/v1/auth/logout", CDM_ROLES_ALL, handle_logout);
  cdm_server_add_route (server, "GET", "/api/v1/auth/me", CDM_ROLES_ALL, handle_me);
  cdm_server_add_route (server, "GET", "/api/v1/admin/users", CDM_ROLE_ADMIN, handle_users_list);
  cdm_server_add_route (server, "POST", "/api/v1/admin/users", CDM_ROLE_ADMIN, handle_users_create);
  cdm_server_add_route (server, "PATCH", "/api/v1/admin/users/{login}", CDM_ROLE_ADMIN, handle_users_update);
  cdm_server_add_route (server, "POST", "/api/v1/admin/users/{login}/revoke", CDM_ROLE_ADMIN, handle_users_revoke);
  cdm_server_add_route (server, "GET", "/api/v1/admin/desks", CDM_ROLE_ADMIN, handle_desks_list);
  cdm_server_add_route (server, "POST", "/api/v1/admin/desks", CDM_ROLE_ADMIN, handle_desks_create);
  cdm_server_add_route (server, "GET", "/api/v1/admin/audit", CDM_ROLE_ADMIN, handle_audit);
}
