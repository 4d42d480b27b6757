/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-labels.c: codes to words, one table per vocabulary. */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cdm-labels.h"

typedef struct {
  const char *code;
  const char *label;
} Label;

/* N_() marks the strings; they are translated when looked up, so that the
 * table follows the locale the process runs in. */
static const Label channel_labels[] = {
  { "in_person", N_("In person") },
  { "email", N_("E-mail") },
  { "call_centre", N_("Call centre") },
  { "chat", N_("Chat") },
  { "phone", N_("Phone") },
  { "video", N_("Video call") },
  { "after_group_activity", N_("After a group activity") },
  { "neet_outreach", N_("NEET outreach") },
  { NULL, NULL }
};

static const Label service_labels[] = {
  { "individual_advice", N_("Individual advice") },
  { "multimedia", N_("Multimedia area") },
  { NULL, NULL }
};

static const Label site_labels[] = {
  { "centre", N_("The centre") },
  { "formtruck", N_("Formtruck") },
  { "school", N_("School") },
  { "external_event", N_("External event") },
  { "remote", N_("Remote") },
  { NULL, NULL }
};

/* The centre's five themes, as its website names them. */
static const Label theme_labels[] = {
  { "choose", N_("Choose") },
  { "learn", N_("Learn") },
  { "move", N_("Move") },
  { "undertake", N_("Undertake") },
  { "work", N_("Work") },
  { NULL, NULL }
};

static const Label programme_labels[] = {
  { "neet", N_("NEET") },
  { "skills_validation", N_("Skills validation") },
  { "skills_identification", N_("Skills identification") },
  { "euroguidance", N_("Euroguidance") },
  { "prison_reintegration", N_("Prison reintegration") },
  { "disability", N_("Disability") },
  { "formtruck", N_("Formtruck") },
  { "schools", N_("Schools") },
  { NULL, NULL }
};

static const Label gender_labels[] = {
  { "f", N_("Woman") },
  { "m", N_("Man") },
  { "x", N_("Non-binary") },
  { NULL, NULL }
};

static const Label age_band_labels[] = {
  { "under_18", N_("Under 18") },
  { "18_24", N_("18 to 24") },
  { "25_29", N_("25 to 29") },
  { "30_49", N_("30 to 49") },
  { "50_plus", N_("50 and over") },
  { NULL, NULL }
};

static const Label region_labels[] = {
  { "brussels", N_("Brussels") },
  { "wallonia", N_("Wallonia") },
  { "flanders", N_("Flanders") },
  { "abroad", N_("Abroad") },
  { NULL, NULL }
};

static const struct {
  const char *field;
  const Label *labels;
} vocabularies[] = {
  { "channel", channel_labels },
  { "service", service_labels },
  { "site", site_labels },
  { "themes", theme_labels },
  { "programmes", programme_labels },
  { "gender", gender_labels },
  { "age_band", age_band_labels },
  { "region", region_labels },
};

const char *
cdm_label_for_code (const char *field,
                    const char *code)
{
  g_return_val_if_fail (field != NULL, code);
  g_return_val_if_fail (code != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (vocabularies); i++)
    {
      if (strcmp (vocabularies[i].field, field) != 0)
        continue;

      for (const Label *l = vocabularies[i].labels; l->code != NULL; l++)
        {
          if (strcmp (l->code, code) == 0)
            return _(l->label);
        }
      break;
    }

  return code;
}
