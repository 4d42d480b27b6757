/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Choosing the French, Dutch or English variant of a title in a person's
 * language order, with the centre's fallback fr → nl → en. */
#include "config.h"

#include "cdm-i18n.h"

static void
assert_strv (GStrv               actual,
             const char * const *expected)
{
  g_assert_true (g_strv_equal ((const char * const *) actual, expected));
}

static void
test_order (void)
{
  g_auto(GStrv) none = cdm_i18n_order (NULL);
  g_auto(GStrv) english = cdm_i18n_order ((const char * const []) { "en", NULL });
  g_auto(GStrv) full = cdm_i18n_order ((const char * const []) { "nl", "en", "fr", NULL });
  /* A language content is not written in, and repeats, are skipped. */
  g_auto(GStrv) odd = cdm_i18n_order ((const char * const []) { "de", "en", "en", "", NULL });

  assert_strv (none, (const char * const []) { "fr", "nl", "en", NULL });
  assert_strv (english, (const char * const []) { "en", "fr", "nl", NULL });
  assert_strv (full, (const char * const []) { "nl", "en", "fr", NULL });
  assert_strv (odd, (const char * const []) { "en", "fr", "nl", NULL });
}

static void
test_pick (void)
{
  const char * const nl_first[] = { "nl", "fr", "en", NULL };
  const char * const en_first[] = { "en", "nl", "fr", NULL };

  g_assert_cmpstr (cdm_i18n_pick ("Atelier CV", "CV-workshop", "CV workshop", nl_first), ==, "CV-workshop");
  g_assert_cmpstr (cdm_i18n_pick ("Atelier CV", "CV-workshop", "CV workshop", en_first), ==, "CV workshop");
  /* Missing or empty in the order: the next one. */
  g_assert_cmpstr (cdm_i18n_pick ("Atelier CV", "", NULL, nl_first), ==, "Atelier CV");
  g_assert_cmpstr (cdm_i18n_pick (NULL, "CV-workshop", "CV workshop", (const char * const []) { "fr", NULL }),
                   ==, "CV-workshop");
  /* No order: the centre's. */
  g_assert_cmpstr (cdm_i18n_pick ("Atelier CV", "CV-workshop", NULL, NULL), ==, "Atelier CV");
  g_assert_null (cdm_i18n_pick (NULL, "", NULL, en_first));
}

static void
test_pick_object (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  const char * const en_first[] = { "en", "nl", "fr", NULL };
  JsonObject *title;

  json_parser_load_from_data (parser, "{\"fr\": \"Salon de l'emploi\", \"nl\": \"Jobbeurs\", \"en\": 42}", -1, &error);
  g_assert_no_error (error);
  title = json_node_get_object (json_parser_get_root (parser));
  /* 42 is not a title: Dutch is next in the order. */
  g_assert_cmpstr (cdm_i18n_pick_object (title, en_first), ==, "Jobbeurs");
  g_assert_cmpstr (cdm_i18n_pick_object (title, NULL), ==, "Salon de l'emploi");
  g_assert_null (cdm_i18n_pick_object (NULL, en_first));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/i18n/order", test_order);
  g_test_add_func ("/i18n/pick", test_pick);
  g_test_add_func ("/i18n/pick-object", test_pick_object);

  return g_test_run ();
}
