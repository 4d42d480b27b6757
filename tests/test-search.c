/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-search.c: what a person typing in a search box sees. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "cdm-search.h"
#include "cdm-search-private.h"
#include "cdm-store-private.h"
#include "cdm-test-util.h"

typedef struct {
  char *dir;
  CdmStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("cdm-test-search-XXXXXX", &error);
  g_assert_no_error (error);

  path = g_build_filename (fixture->dir, "desk.sqlite", NULL);
  fixture->store = cdm_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  cdm_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static JsonObject *
parse_record (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* Puts @json and returns the record's id. */
static char *
put (Fixture    *fixture,
     CdmEntity   entity,
     const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) record = parse_record (json);
  char *id = NULL;

  g_assert_true (cdm_store_put (fixture->store, entity, record, &id, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

static char *
put_organisation (Fixture    *fixture,
                  const char *name_fr,
                  const char *name_nl,
                  const char *acronym)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "organisation");
  json_builder_set_member_name (builder, "name");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "fr");
  if (name_fr != NULL)
    json_builder_add_string_value (builder, name_fr);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "nl");
  if (name_nl != NULL)
    json_builder_add_string_value (builder, name_nl);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "acronym");
  if (acronym != NULL)
    json_builder_add_string_value (builder, acronym);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "circle");
  json_builder_add_string_value (builder, "first");
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, "public_employment");
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  g_assert_true (cdm_store_put (fixture->store, CDM_ENTITY_ORGANISATION,
                                json_node_get_object (node), &id, NULL, &error));
  g_assert_no_error (error);
  return id;
}

static GPtrArray *
search (Fixture    *fixture,
        CdmEntity   entity,
        const char *query)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *hits;

  hits = cdm_search (fixture->store, entity, query, 50, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

static gboolean
hits_contain (GPtrArray  *hits,
              const char *id)
{
  for (guint i = 0; i < hits->len; i++)
    {
      CdmSearchHit *hit = g_ptr_array_index (hits, i);
      if (g_strcmp0 (hit->id, id) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
assert_finds (Fixture    *fixture,
              CdmEntity   entity,
              const char *query,
              const char *id)
{
  g_autoptr(GPtrArray) hits = search (fixture, entity, query);

  if (!hits_contain (hits, id))
    g_error ("“%s” does not find %s (%u hits)", query, id, hits->len);
}

static void
assert_misses (Fixture    *fixture,
               CdmEntity   entity,
               const char *query,
               const char *id)
{
  g_autoptr(GPtrArray) hits = search (fixture, entity, query);

  if (hits_contain (hits, id))
    g_error ("“%s” finds %s and should not", query, id);
}

/* build_match ---------------------------------------------------------- */

static void
test_build_match (void)
{
  static const struct {
    const char *query;
    const char *match;
  } cases[] = {
    { "metiers", "\"metiers\"*" },
    { "bruxelles form", "\"bruxelles\"* \"form\"*" },
    { "  Cité   des\tmétiers ", "\"Cité\"* \"des\"* \"métiers\"*" },
    { "a OR b", "\"a\"* \"OR\"* \"b\"*" },
    { "AND", "\"AND\"*" },
    { "NOT x", "\"NOT\"* \"x\"*" },
    { "NEAR(", "\"NEAR\"*" },
    { "NEAR(a b, 3)", "\"NEAR\"* \"a\"* \"b\"* \"3\"*" },
    { "-x", "\"x\"*" },
    { "col:foo", "\"col\"* \"foo\"*" },
    { "\"unbalanced", "\"unbalanced\"*" },
    { "say \"hi\"", "\"say\"* \"hi\"*" },
    { "l'école", "\"l\"* \"école\"*" },
    { "e-mail", "\"e\"* \"mail\"*" },
    { "50_plus", "\"50\"* \"plus\"*" },
    { "ab\xff\xfe" "cd", "\"ab\"* \"cd\"*" },
    { "Бельгия", "\"Бельгия\"*" },
    { "me\xcc\x81tiers", "\"me\xcc\x81tiers\"*" },  /* decomposed é */
    { NULL, NULL },
    { "", NULL },
    { "   ", NULL },
    { "\"", NULL },
    { "*", NULL },
    { "(((", NULL },
    { ")", NULL },
    { "^", NULL },
    { ":", NULL },
    { "\xff\xfe", NULL },
    { "\xf0\x9f\x98\x80 \xf0\x9f\x91\x8d", NULL },  /* emoji */
    { "\xcc\x81", NULL },  /* a combining mark alone */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *match = cdm_search_build_match (cases[i].query);
      g_assert_cmpstr (match, ==, cases[i].match);
    }
}

static void
test_build_match_bounds (void)
{
  g_autoptr(GString) words = g_string_new (NULL);
  g_autoptr(GString) one = g_string_new (NULL);
  g_autofree char *match = NULL;
  g_autofree char *long_match = NULL;
  g_auto(GStrv) terms = NULL;

  /* 10 KB of words: at most 16 terms come out. */
  while (words->len < 10 * 1024)
    g_string_append_printf (words, "w%" G_GSIZE_FORMAT " ", words->len);
  match = cdm_search_build_match (words->str);
  g_assert_nonnull (match);
  terms = g_strsplit (match, " ", -1);
  g_assert_cmpuint (g_strv_length (terms), ==, 16);
  g_assert_cmpstr (terms[0], ==, "\"w0\"*");

  /* One 10 KB word is cut to 256 characters. */
  while (one->len < 10 * 1024)
    g_string_append (one, "é");
  long_match = cdm_search_build_match (one->str);
  g_assert_nonnull (long_match);
  g_assert_cmpuint (g_utf8_strlen (long_match, -1), ==, 256 + 3);
}

/* Search ---------------------------------------------------------------- */

static void
test_diacritics (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *cdm = put_organisation (fixture, "Cité des métiers", "Beroepenpunt", "CDM");
  g_autofree char *other = put_organisation (fixture, "Actiris", NULL, NULL);
  g_autoptr(GPtrArray) hits = NULL;
  CdmSearchHit *hit;

  hits = search (fixture, CDM_ENTITY_ORGANISATION, "metiers");
  g_assert_cmpuint (hits->len, ==, 1);
  hit = g_ptr_array_index (hits, 0);
  g_assert_cmpint (hit->entity, ==, CDM_ENTITY_ORGANISATION);
  g_assert_cmpstr (hit->id, ==, cdm);
  g_assert_cmpstr (hit->title, ==, "Cité des métiers");
  g_assert_cmpstr (hit->detail, ==, "CDM");

  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "MÉTIERS", cdm);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "cite", cdm);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "me\xcc\x81tiers", cdm);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "cdm", cdm);
  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "metiers", other);
}

static void
test_prefix (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *cdm = put_organisation (fixture, "Cité des métiers", "Beroepenpunt", NULL);
  g_autofree char *bf = put_organisation (fixture, "Bruxelles Formation", NULL, "BF");
  g_autofree char *bz = put_organisation (fixture, "Bruxelles Environnement", NULL, NULL);
  g_autoptr(GPtrArray) hits = NULL;

  /* As one types, every word is a prefix. */
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "B", cdm);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "Be", cdm);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "Beroep", cdm);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "beroepenpunt", cdm);
  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "beroepenpunten", cdm);

  /* Words are ANDed. */
  hits = search (fixture, CDM_ENTITY_ORGANISATION, "bruxelles form");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (hits, 0))->id, ==, bf);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "form brux", bf);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "bruxelles", bz);
  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "bruxelles xyz", bf);
}

static void
test_ranking (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *in_summary = NULL;
  g_autofree char *in_title = NULL;
  g_autoptr(GPtrArray) hits = NULL;

  /* The summary-only match goes in first, so creation order cannot be
   * what puts the title match on top. */
  in_summary = put (fixture, CDM_ENTITY_RESOURCE,
                    "{\"type\":\"resource\",\"kind\":\"book\","
                    "\"title\":\"Trouver un emploi à Bruxelles\","
                    "\"summary\":\"Chercher, postuler, rédiger son curriculum et sa lettre.\"}");
  in_title = put (fixture, CDM_ENTITY_RESOURCE,
                  "{\"type\":\"resource\",\"kind\":\"book\","
                  "\"title\":\"Le curriculum vitae pas à pas\","
                  "\"summary\":\"Un guide pratique pour les demandeurs d'emploi.\"}");

  hits = search (fixture, CDM_ENTITY_RESOURCE, "curriculum");
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (hits, 0))->id, ==, in_title);
  g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (hits, 1))->id, ==, in_summary);
  g_assert_cmpfloat (((CdmSearchHit *) g_ptr_array_index (hits, 0))->rank, <,
                     ((CdmSearchHit *) g_ptr_array_index (hits, 1))->rank);
}

static void
test_tombstone (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *keep = put_organisation (fixture, "Focus Carrière", NULL, NULL);
  g_autofree char *gone = put_organisation (fixture, "Focus Emploi", NULL, NULL);
  g_autofree char *res = put (fixture, CDM_ENTITY_RESOURCE,
                              "{\"type\":\"resource\",\"kind\":\"brochure\",\"title\":\"Focus sur les métiers\"}");
  g_autoptr(GPtrArray) before = search (fixture, CDM_N_ENTITIES, "focus");
  g_autoptr(GPtrArray) after = NULL;

  g_assert_cmpuint (before->len, ==, 3);

  g_assert_true (cdm_store_delete (fixture->store, CDM_ENTITY_ORGANISATION, gone, &error));
  g_assert_no_error (error);
  g_assert_true (cdm_store_delete (fixture->store, CDM_ENTITY_RESOURCE, res, &error));
  g_assert_no_error (error);

  after = search (fixture, CDM_N_ENTITIES, "focus");
  g_assert_cmpuint (after->len, ==, 1);
  g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (after, 0))->id, ==, keep);
  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "emploi", gone);
}

static void
test_update (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = put_organisation (fixture, "Mission locale", NULL, NULL);
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  JsonObject *name;

  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "mission", id);

  record = cdm_store_get (fixture->store, CDM_ENTITY_ORGANISATION, id, FALSE, &error);
  g_assert_no_error (error);
  name = json_object_get_object_member (record, "name");
  json_object_set_string_member (name, "fr", "Maison de l'emploi");
  json_object_set_string_member (name, "nl", "Werkwinkel");
  g_assert_true (cdm_store_put (fixture->store, CDM_ENTITY_ORGANISATION, record, NULL, NULL, &error));
  g_assert_no_error (error);

  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "mission", id);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "maison emploi", id);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "werkwink", id);

  hits = search (fixture, CDM_ENTITY_ORGANISATION, "maison");
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (hits, 0))->title, ==, "Maison de l'emploi");
}

static void
test_people_and_themes (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *partner = NULL;
  g_autofree char *other = NULL;

  partner = put (fixture, CDM_ENTITY_ORGANISATION,
                 "{\"type\":\"organisation\","
                 "\"name\":{\"fr\":null,\"nl\":\"VDAB Brussel\",\"en\":null},"
                 "\"acronym\":\"VDAB\",\"circle\":\"first\",\"kind\":\"public_employment\","
                 "\"themes\":[\"work\",\"learn\"],"
                 "\"people\":[{\"name\":\"Marie Dubois\",\"role\":\"conseillère emploi\","
                 "             \"phone\":\"+32 2 000 00 00\",\"email\":\"marie@example.org\"},"
                 "            {\"name\":\"Jan Peeters\",\"role\":null}]}");
  other = put (fixture, CDM_ENTITY_ORGANISATION,
               "{\"type\":\"organisation\","
               "\"name\":{\"fr\":\"Euroguidance\",\"nl\":null,\"en\":null},"
               "\"circle\":\"second\",\"kind\":\"other\",\"themes\":[\"move\"]}");

  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "dubois", partner);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "marie", partner);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "peeters", partner);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "conseillere", partner);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "travailler", partner);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "travail", partner);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "werken", partner);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "work", partner);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "apprendre", partner);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "leren", partner);
  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "travailler", other);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "bouger", other);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "bewegen", other);
  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "bouger", partner);
  /* Phone numbers are not words to search by. */
  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "000", partner);

  {
    g_autoptr(GPtrArray) hits = search (fixture, CDM_ENTITY_ORGANISATION, "vdab");
    CdmSearchHit *hit;

    g_assert_cmpuint (hits->len, ==, 1);
    hit = g_ptr_array_index (hits, 0);
    /* No French name: the Dutch one is the title. */
    g_assert_cmpstr (hit->title, ==, "VDAB Brussel");
    g_assert_cmpstr (hit->detail, ==, "VDAB");
  }
}

static void
test_resources (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *book = NULL;
  g_autofree char *site = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  CdmSearchHit *hit;

  book = put (fixture, CDM_ENTITY_RESOURCE,
              "{\"type\":\"resource\",\"kind\":\"book\","
              "\"title\":\"Réussir son entretien d'embauche\","
              "\"authors\":[\"Dupont, Jeanne\",\"Van den Berghe, Luc\"],"
              "\"year\":2019,\"themes\":[\"work\"],"
              "\"summary\":\"Se préparer aux questions du recruteur.\","
              "\"tags\":[\"entretien\",\"recrutement\",\"soft skills\"]}");
  site = put (fixture, CDM_ENTITY_RESOURCE,
              "{\"type\":\"resource\",\"kind\":\"website\","
              "\"title\":\"Dorifor\",\"url\":\"https://example.org/dorifor\","
              "\"tags\":[\"formation\"]}");

  hits = search (fixture, CDM_ENTITY_RESOURCE, "dupont");
  g_assert_cmpuint (hits->len, ==, 1);
  hit = g_ptr_array_index (hits, 0);
  g_assert_cmpint (hit->entity, ==, CDM_ENTITY_RESOURCE);
  g_assert_cmpstr (hit->id, ==, book);
  g_assert_cmpstr (hit->title, ==, "Réussir son entretien d'embauche");
  g_assert_cmpstr (hit->detail, ==, "Dupont, Jeanne, Van den Berghe, Luc");

  assert_finds (fixture, CDM_ENTITY_RESOURCE, "berghe luc", book);
  assert_finds (fixture, CDM_ENTITY_RESOURCE, "recrutement", book);
  assert_finds (fixture, CDM_ENTITY_RESOURCE, "soft skill", book);
  assert_finds (fixture, CDM_ENTITY_RESOURCE, "recruteur", book);
  assert_finds (fixture, CDM_ENTITY_RESOURCE, "formation", site);
  assert_misses (fixture, CDM_ENTITY_RESOURCE, "formation", book);

  /* A resource without authors has no second line. */
  {
    g_autoptr(GPtrArray) dorifor = search (fixture, CDM_ENTITY_RESOURCE, "dorifor");

    g_assert_cmpuint (dorifor->len, ==, 1);
    g_assert_null (((CdmSearchHit *) g_ptr_array_index (dorifor, 0))->detail);
  }
}

static GPtrArray *
search_filtered (Fixture                 *fixture,
                 const char              *query,
                 const CdmResourceFilter *filter)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *hits;

  hits = cdm_search_resources (fixture->store, query, filter, 50, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hits);
  return hits;
}

static void
test_resource_filters (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *book_fr = NULL;
  g_autofree char *sheet_nl = NULL;
  g_autofree char *sheet_fr = NULL;
  g_autofree char *site_en = NULL;
  g_autoptr(GError) error = NULL;

  book_fr = put (fixture, CDM_ENTITY_RESOURCE,
                 "{\"type\":\"resource\",\"kind\":\"book\","
                 "\"title\":\"Les métiers de la santé\",\"language\":\"fr\","
                 "\"themes\":[\"choose\"],\"audience\":\"students\"}");
  sheet_nl = put (fixture, CDM_ENTITY_RESOURCE,
                  "{\"type\":\"resource\",\"kind\":\"job_sheet\","
                  "\"title\":\"Beroepen in de zorg (métiers)\",\"language\":\"nl\","
                  "\"themes\":[\"work\",\"choose\"],\"audience\":\"jobseekers\"}");
  sheet_fr = put (fixture, CDM_ENTITY_RESOURCE,
                  "{\"type\":\"resource\",\"kind\":\"job_sheet\","
                  "\"title\":\"Fiche métier : aide-soignant\",\"language\":\"fr\","
                  "\"themes\":[\"work\"],\"audience\":\"jobseekers\"}");
  site_en = put (fixture, CDM_ENTITY_RESOURCE,
                 "{\"type\":\"resource\",\"kind\":\"website\","
                 "\"title\":\"Careers (metiers) abroad\",\"language\":\"en\","
                 "\"themes\":[\"move\"],\"audience\":\"general\"}");

  /* No filter: the four. */
  {
    g_autoptr(GPtrArray) hits = search_filtered (fixture, "metier", NULL);
    g_assert_cmpuint (hits->len, ==, 4);
  }
  /* Each filter narrows. */
  {
    CdmResourceFilter f = { .kind = "job_sheet" };
    g_autoptr(GPtrArray) hits = search_filtered (fixture, "metier", &f);
    g_assert_cmpuint (hits->len, ==, 2);
    g_assert_true (hits_contain (hits, sheet_nl));
    g_assert_true (hits_contain (hits, sheet_fr));
  }
  {
    CdmResourceFilter f = { .theme = "choose" };
    g_autoptr(GPtrArray) hits = search_filtered (fixture, "metier", &f);
    g_assert_cmpuint (hits->len, ==, 2);
    g_assert_true (hits_contain (hits, book_fr));
    g_assert_true (hits_contain (hits, sheet_nl));
  }
  {
    CdmResourceFilter f = { .language = "nl" };
    g_autoptr(GPtrArray) hits = search_filtered (fixture, "metier", &f);
    g_assert_cmpuint (hits->len, ==, 1);
    g_assert_true (hits_contain (hits, sheet_nl));
  }
  {
    CdmResourceFilter f = { .audience = "general" };
    g_autoptr(GPtrArray) hits = search_filtered (fixture, "metier", &f);
    g_assert_cmpuint (hits->len, ==, 1);
    g_assert_true (hits_contain (hits, site_en));
  }
  /* Filters combine. */
  {
    CdmResourceFilter f = { .kind = "job_sheet", .language = "fr", .theme = "work",
                            .audience = "jobseekers" };
    g_autoptr(GPtrArray) hits = search_filtered (fixture, "metier", &f);
    g_assert_cmpuint (hits->len, ==, 1);
    g_assert_true (hits_contain (hits, sheet_fr));
  }
  {
    CdmResourceFilter f = { .kind = "book", .language = "nl" };
    g_autoptr(GPtrArray) hits = search_filtered (fixture, "metier", &f);
    g_assert_cmpuint (hits->len, ==, 0);
  }
  /* Nothing typed, a filter set: browse by title. */
  {
    CdmResourceFilter f = { .kind = "job_sheet" };
    g_autoptr(GPtrArray) hits = search_filtered (fixture, "", &f);
    g_assert_cmpuint (hits->len, ==, 2);
    g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (hits, 0))->id, ==, sheet_nl);
    g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (hits, 1))->id, ==, sheet_fr);
  }
  /* Nothing typed, no filter: nothing, as cdm_search(). */
  {
    CdmResourceFilter f = { NULL };
    g_autoptr(GPtrArray) hits = search_filtered (fixture, "  ", &f);
    g_assert_cmpuint (hits->len, ==, 0);
  }
  /* A tombstone never comes back, even when browsing. */
  {
    CdmResourceFilter f = { .kind = "website" };
    g_autoptr(GPtrArray) hits = NULL;

    g_assert_true (cdm_store_delete (fixture->store, CDM_ENTITY_RESOURCE, site_en, &error));
    g_assert_no_error (error);
    hits = search_filtered (fixture, NULL, &f);
    g_assert_cmpuint (hits->len, ==, 0);
  }
  /* An unknown code is a clear error. */
  {
    CdmResourceFilter f = { .kind = "job_sheet", .language = "de" };
    g_autoptr(GPtrArray) hits = cdm_search_resources (fixture->store, "metier", &f, 50,
                                                      NULL, &error);
    g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE);
    g_assert_cmpstr (error->message, ==, "“de” is not a known language");
    g_assert_null (hits);
    g_clear_error (&error);
  }
  {
    CdmResourceFilter f = { .theme = "cooking" };
    g_autoptr(GPtrArray) hits = cdm_search_resources (fixture->store, "metier", &f, 50,
                                                      NULL, &error);
    g_assert_error (error, CDM_RECORD_ERROR, CDM_RECORD_ERROR_UNKNOWN_CODE);
    g_assert_null (hits);
    g_clear_error (&error);
  }
}

static void
test_activities (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) hits = NULL;
  CdmSearchHit *hit;

  /* 23:30 UTC on the 14th is already the 15th in Brussels. */
  id = put (fixture, CDM_ENTITY_ACTIVITY,
            "{\"type\":\"activity\","
            "\"title\":{\"fr\":\"Séance d'information Formtruck\",\"nl\":\"Infosessie Formtruck\",\"en\":null},"
            "\"summary\":\"Découvrir les métiers de la construction.\","
            "\"starts_at\":\"2021-03-14T23:30:00Z\",\"duration_min\":90,"
            "\"mode\":\"formtruck\",\"status\":\"planned\"}");

  hits = search (fixture, CDM_ENTITY_ACTIVITY, "seance info");
  g_assert_cmpuint (hits->len, ==, 1);
  hit = g_ptr_array_index (hits, 0);
  g_assert_cmpint (hit->entity, ==, CDM_ENTITY_ACTIVITY);
  g_assert_cmpstr (hit->id, ==, id);
  g_assert_cmpstr (hit->title, ==, "Séance d'information Formtruck");
  g_assert_cmpstr (hit->detail, ==, "2021-03-15");

  assert_finds (fixture, CDM_ENTITY_ACTIVITY, "infosessie", id);
  assert_finds (fixture, CDM_ENTITY_ACTIVITY, "construction", id);
  assert_misses (fixture, CDM_ENTITY_ACTIVITY, "construction ecole", id);
}

static void
test_all_entities (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org = put_organisation (fixture, "Euroguidance Belgique", NULL, NULL);
  g_autofree char *res = put (fixture, CDM_ENTITY_RESOURCE,
                              "{\"type\":\"resource\",\"kind\":\"brochure\",\"title\":\"Euroguidance : étudier en Europe\"}");
  g_autofree char *act = put (fixture, CDM_ENTITY_ACTIVITY,
                              "{\"type\":\"activity\",\"title\":{\"fr\":\"Matinée Euroguidance\",\"nl\":null,\"en\":null},"
                              "\"starts_at\":\"2021-05-04T10:00:00+02:00\",\"mode\":\"on_site\",\"status\":\"held\"}");
  g_autoptr(GPtrArray) hits = search (fixture, CDM_N_ENTITIES, "euroguid");
  g_autoptr(GPtrArray) two = NULL;
  g_autoptr(GPtrArray) none = NULL;
  guint seen = 0;

  g_assert_cmpuint (hits->len, ==, 3);
  for (guint i = 0; i < hits->len; i++)
    {
      CdmSearchHit *hit = g_ptr_array_index (hits, i);

      if (hit->entity == CDM_ENTITY_ORGANISATION && g_str_equal (hit->id, org))
        seen |= 1;
      else if (hit->entity == CDM_ENTITY_RESOURCE && g_str_equal (hit->id, res))
        seen |= 2;
      else if (hit->entity == CDM_ENTITY_ACTIVITY && g_str_equal (hit->id, act))
        seen |= 4;
      if (i > 0)
        g_assert_cmpfloat (((CdmSearchHit *) g_ptr_array_index (hits, i - 1))->rank, <=, hit->rank);
    }
  g_assert_cmpuint (seen, ==, 7);

  /* One entity only. */
  {
    g_autoptr(GPtrArray) orgs = search (fixture, CDM_ENTITY_ORGANISATION, "euroguid");
    g_assert_cmpuint (orgs->len, ==, 1);
  }

  /* The limit holds across entities. */
  two = cdm_search (fixture->store, CDM_N_ENTITIES, "euroguid", 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (two->len, ==, 2);

  none = cdm_search (fixture->store, CDM_N_ENTITIES, "euroguid", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_hostile (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *id = put_organisation (fixture, "Actiris", NULL, "AND");
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(GString) quotes = g_string_new (NULL);
  const char *queries[] = {
    "\"", "\"unbalanced", "*", "NEAR(", "NEAR(a b", "a OR b", "-x", "(((", ")",
    "AND", "OR", "NOT", "a AND", "^", ":", "col:foo", "name_fr:actiris",
    "{name_fr}:x", "\xff\xfe", "", "   ", "\t\n", "\xf0\x9f\x98\x80", "actiris\xf0\x9f\x98\x80",
    "'; DROP TABLE organisations; --", "\\", "%", "_", "a\"b", "+", "\"\"*",
    NULL, NULL, NULL,
  };
  const CdmEntity entities[] = {
    CDM_ENTITY_ORGANISATION, CDM_ENTITY_RESOURCE, CDM_ENTITY_ACTIVITY, CDM_N_ENTITIES,
  };

  while (big->len < 10 * 1024)
    g_string_append (big, "actiris OR \"(NEAR* ");
  while (quotes->len < 10 * 1024)
    g_string_append_c (quotes, '"');
  queries[G_N_ELEMENTS (queries) - 3] = big->str;
  queries[G_N_ELEMENTS (queries) - 2] = quotes->str;

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      for (guint e = 0; e < G_N_ELEMENTS (entities); e++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GPtrArray) hits = NULL;

          hits = cdm_search (fixture->store, entities[e], queries[i], 20, NULL, &error);
          g_assert_no_error (error);
          g_assert_nonnull (hits);
        }
    }

  /* Random mixes of FTS5 syntax, words and broken bytes. */
  for (guint i = 0; i < 500; i++)
    {
      static const char *pieces[] = {
        "\"", "*", "(", ")", "^", ":", "-", "+", "{", "}", ",", " ", "NEAR", "OR",
        "AND", "NOT", "actiris", "a", "é", "\xff", "\xc3", "\xe2\x80", "\xf0\x9f\x98\x80",
        "name_fr", "rank", "'", "\\", "\t",
      };
      g_autoptr(GString) query = g_string_new (NULL);
      g_autoptr(GPtrArray) hits = NULL;
      g_autoptr(GError) error = NULL;
      guint n = g_test_rand_int_range (0, 12);

      for (guint k = 0; k < n; k++)
        g_string_append (query, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);

      hits = cdm_search (fixture->store, CDM_N_ENTITIES, query->str, 20, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (hits);
    }

  /* Operators are words: the acronym "AND" is found, and the 10 KB
   * paste still finds what it starts with. */
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "AND", id);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "and", id);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "actiris AND", id);
  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "actiris OR xyz", id);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "\"actiris", id);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "actiris\xf0\x9f\x98\x80", id);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "act\xff", id);

  /* Nothing searchable typed: an empty list. */
  {
    g_autoptr(GPtrArray) hits = search (fixture, CDM_N_ENTITIES, "\"");
    g_assert_cmpuint (hits->len, ==, 0);
  }

  /* And the store is intact. */
  g_assert_cmpint (cdm_store_count (fixture->store, CDM_ENTITY_ORGANISATION, NULL), ==, 1);
}

static void
test_reopen (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (cdm_store_get_path (fixture->store));
  g_autofree char *first = put_organisation (fixture, "Leerwinkel", NULL, NULL);
  g_autofree char *second = NULL;

  /* The index survives a restart, and the triggers work on the new
   * connection, which must have the search functions too. */
  g_clear_object (&fixture->store);
  fixture->store = cdm_store_open (path, &error);
  g_assert_no_error (error);

  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "leerwinkel", first);
  second = put (fixture, CDM_ENTITY_ORGANISATION,
                "{\"type\":\"organisation\",\"name\":{\"fr\":\"SIEP\",\"nl\":null,\"en\":null},"
                "\"circle\":\"second\",\"kind\":\"education\",\"themes\":[\"choose\"]}");
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "choisir", second);
}

static void
test_rebuild (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *org = put_organisation (fixture, "Team4Job", NULL, NULL);
  g_autofree char *gone = put_organisation (fixture, "Team Emploi", NULL, NULL);
  g_autofree char *res = put (fixture, CDM_ENTITY_RESOURCE,
                              "{\"type\":\"resource\",\"kind\":\"video\",\"title\":\"Team building\","
                              "\"authors\":[\"Claes\"],\"tags\":[\"equipe\"]}");
  g_autofree char *later = NULL;
  g_autoptr(GPtrArray) hits = NULL;

  g_assert_true (cdm_store_delete (fixture->store, CDM_ENTITY_ORGANISATION, gone, &error));
  g_assert_no_error (error);

  /* An index that lost its entries (as after a bulk load without
   * triggers) finds nothing until it is rebuilt... */
  _cdm_store_lock (fixture->store);
  g_assert_true (_cdm_store_exec (fixture->store, "DELETE FROM organisations_fts; DELETE FROM resources_fts;", &error));
  _cdm_store_unlock (fixture->store);
  g_assert_no_error (error);
  hits = search (fixture, CDM_N_ENTITIES, "team");
  g_assert_cmpuint (hits->len, ==, 0);
  g_clear_pointer (&hits, g_ptr_array_unref);

  /* ...then finds the live records, and only them. */
  g_assert_true (_cdm_search_rebuild (fixture->store, &error));
  g_assert_no_error (error);
  hits = search (fixture, CDM_N_ENTITIES, "team");
  g_assert_cmpuint (hits->len, ==, 2);
  g_assert_true (hits_contain (hits, org));
  g_assert_true (hits_contain (hits, res));
  assert_finds (fixture, CDM_ENTITY_RESOURCE, "claes equipe", res);

  /* The triggers keep the rebuilt index in step. */
  later = put_organisation (fixture, "Team Formtruck", NULL, NULL);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "formtruck", later);
  g_assert_true (cdm_store_delete (fixture->store, CDM_ENTITY_ORGANISATION, org, &error));
  g_assert_no_error (error);
  assert_misses (fixture, CDM_ENTITY_ORGANISATION, "team4job", org);

  /* Inside a transaction too. */
  g_assert_true (cdm_store_begin (fixture->store, TRUE, &error));
  g_assert_true (_cdm_search_rebuild (fixture->store, &error));
  g_assert_true (cdm_store_commit (fixture->store, &error));
  g_assert_no_error (error);
  assert_finds (fixture, CDM_ENTITY_ORGANISATION, "formtruck", later);
}

static void
on_search_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) cancelled_result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autofree char *id = put_organisation (fixture, "Duo for a Job", NULL, NULL);
  char query[] = "duo job";

  cdm_search_async (fixture->store, CDM_N_ENTITIES, query, 10, NULL, on_search_done, &result);
  /* The caller's buffer may change at once: the search has its copy. */
  memset (query, 'x', sizeof query - 1);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  hits = cdm_search_finish (fixture->store, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (hits->len, ==, 1);
  g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (hits, 0))->id, ==, id);

  /* A search cancelled (a newer keystroke) reports cancellation. */
  g_cancellable_cancel (cancellable);
  cdm_search_async (fixture->store, CDM_N_ENTITIES, "duo", 10, cancellable,
                    on_search_done, &cancelled_result);
  while (cancelled_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  none = cdm_search_finish (fixture->store, cancelled_result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (none);
}

static void
test_broad_prefix (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *in_title = NULL;
  g_autoptr(GPtrArray) hits = NULL;

  /* More summary matches than the search scores (1,000), all older than
   * the one book with the word in its title: that book still comes first,
   * and the list is full. */
  g_assert_true (cdm_store_begin (fixture->store, TRUE, &error));
  for (guint i = 0; i < 1500; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"type\":\"resource\",\"kind\":\"book\","
                                               "\"title\":\"Dossier %u\","
                                               "\"summary\":\"Des pistes pour l'apprentissage en alternance.\"}", i);
      g_free (put (fixture, CDM_ENTITY_RESOURCE, json));
    }
  in_title = put (fixture, CDM_ENTITY_RESOURCE,
                  "{\"type\":\"resource\",\"kind\":\"book\","
                  "\"title\":\"L'apprentissage, mode d'emploi\"}");
  g_assert_true (cdm_store_commit (fixture->store, &error));

  hits = search (fixture, CDM_ENTITY_RESOURCE, "ap");
  g_assert_cmpuint (hits->len, ==, 50);
  g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (hits, 0))->id, ==, in_title);
  for (guint i = 1; i < hits->len; i++)
    g_assert_cmpstr (((CdmSearchHit *) g_ptr_array_index (hits, i))->id, !=, in_title);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/search/build-match", test_build_match);
  g_test_add_func ("/search/build-match-bounds", test_build_match_bounds);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/search/diacritics", test_diacritics);
  ADD ("/search/prefix", test_prefix);
  ADD ("/search/ranking", test_ranking);
  ADD ("/search/broad-prefix", test_broad_prefix);
  ADD ("/search/tombstone", test_tombstone);
  ADD ("/search/update", test_update);
  ADD ("/search/people-and-themes", test_people_and_themes);
  ADD ("/search/resources", test_resources);
  ADD ("/search/resource-filters", test_resource_filters);
  ADD ("/search/activities", test_activities);
  ADD ("/search/all-entities", test_all_entities);
  ADD ("/search/hostile", test_hostile);
  ADD ("/search/reopen", test_reopen);
  ADD ("/search/rebuild", test_rebuild);
  ADD ("/search/async", test_async);

#undef ADD

  return g_test_run ();
}
