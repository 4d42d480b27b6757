/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-i18n.c: choosing a content variant in a person's language order. */

#include "config.h"

#include "cdm-i18n.h"

const char * const cdm_content_languages[] = { "fr", "nl", "en", NULL };

GStrv
cdm_i18n_order (const char * const *preferred)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *chosen[4] = { NULL, };
  guint n = 0;

  for (guint i = 0; preferred != NULL && preferred[i] != NULL; i++)
    {
      if (g_strv_contains (cdm_content_languages, preferred[i]) &&
          !g_strv_contains (chosen, preferred[i]))
        chosen[n++] = preferred[i];
    }
  for (guint i = 0; cdm_content_languages[i] != NULL; i++)
    {
      if (!g_strv_contains (chosen, cdm_content_languages[i]))
        chosen[n++] = cdm_content_languages[i];
    }
  g_strv_builder_addv (builder, chosen);
  return g_strv_builder_end (builder);
}

static const char *
variant (const char *fr,
         const char *nl,
         const char *en,
         const char *language)
{
  const char *value = NULL;

  if (g_strcmp0 (language, "fr") == 0)
    value = fr;
  else if (g_strcmp0 (language, "nl") == 0)
    value = nl;
  else if (g_strcmp0 (language, "en") == 0)
    value = en;
  return value != NULL && value[0] != '\0' ? value : NULL;
}

const char *
cdm_i18n_pick (const char         *fr,
               const char         *nl,
               const char         *en,
               const char * const *order)
{
  const char *value;

  for (guint i = 0; order != NULL && order[i] != NULL; i++)
    {
      if ((value = variant (fr, nl, en, order[i])) != NULL)
        return value;
    }
  for (guint i = 0; cdm_content_languages[i] != NULL; i++)
    {
      if ((value = variant (fr, nl, en, cdm_content_languages[i])) != NULL)
        return value;
    }
  return NULL;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

const char *
cdm_i18n_pick_object (JsonObject         *variants,
                      const char * const *order)
{
  return cdm_i18n_pick (member_string (variants, "fr"), member_string (variants, "nl"),
                        member_string (variants, "en"), order);
}
