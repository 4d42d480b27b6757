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

static const Label status_labels[] = {
  { "job_seeker", N_("Job seeker") },
  { "employed", N_("Employed") },
  { "self_employed", N_("Self-employed") },
  { "student", N_("Student") },
  { "other", N_("Other situation") },
  { NULL, NULL }
};

static const Label education_labels[] = {
  { "primary", N_("Primary school") },
  { "lower_secondary", N_("Lower secondary") },
  { "upper_secondary", N_("Upper secondary") },
  { "higher", N_("Higher education") },
  { NULL, NULL }
};

/* How a visitor heard of the centre. */
static const Label heard_from_labels[] = {
  { "own_initiative", N_("Own initiative") },
  { "partner", N_("A partner") },
  { "school", N_("School") },
  { "social_media", N_("Social media") },
  { "campaign", N_("A campaign") },
  { "word_of_mouth", N_("Word of mouth") },
  { "other", N_("Other way") },
  { NULL, NULL }
};

/* How often a visitor who answers the survey comes. */
static const Label frequency_labels[] = {
  { "first_visit", N_("First visit") },
  { "occasional", N_("Now and then") },
  { "several_per_month", N_("Several times a month") },
  { NULL, NULL }
};

/* What a closure shuts, as the statistics shade it. */
static const Label closure_scope_labels[] = {
  { "all", N_("Whole centre") },
  { "multimedia", N_("Multimedia area") },
  { "advice", N_("Individual advice") },
  { "activities", N_("Group activities") },
  { "appointment_only", N_("By appointment only") },
  { NULL, NULL }
};

/* A partner's place in the centre's network. */
static const Label circle_labels[] = {
  { "first", N_("First circle") },
  { "second", N_("Second circle") },
  { "other", N_("Other partner") },
  { NULL, NULL }
};

static const Label organisation_kind_labels[] = {
  { "public_employment", N_("Public employment service") },
  { "training", N_("Training") },
  { "education", N_("Education") },
  { "youth", N_("Youth") },
  { "disability", N_("Disability") },
  { "association", N_("Association") },
  { "company", N_("Company") },
  { "other", N_("Other") },
  { NULL, NULL }
};

static const Label resource_kind_labels[] = {
  { "book", N_("Book") },
  { "ebook", N_("E-book") },
  { "video", N_("Video") },
  { "job_sheet", N_("Job sheet") },
  { "website", N_("Website") },
  { "brochure", N_("Brochure") },
  { "test_tool", N_("Test or tool") },
  { NULL, NULL }
};

static const Label audience_labels[] = {
  { "general", N_("Everyone") },
  { "students", N_("Students") },
  { "neet", N_("NEET young people") },
  { "guidance_professionals", N_("Guidance professionals") },
  { "50_plus", N_("People over 50") },
  { "disability", N_("People with a disability") },
  { "jobseekers", N_("Jobseekers") },
  { "employees", N_("Employees") },
  { NULL, NULL }
};

/* Where a group activity takes place. */
static const Label activity_mode_labels[] = {
  { "on_site", N_("At the centre") },
  { "online", N_("Online") },
  { "formtruck", N_("Formtruck") },
  { "school", N_("At a school") },
  { "external", N_("Elsewhere") },
  { NULL, NULL }
};

/* An activity's status, with a context: French and Dutch agree the word
 * with "activity" ("Annulée"), unlike the same English word elsewhere. */
static const Label activity_status_labels[] = {
  { "planned", NC_("activity status", "Planned") },
  { "held", NC_("activity status", "Held") },
  { "cancelled", NC_("activity status", "Cancelled") },
  { NULL, NULL }
};

/* The help a steward gives in the multimedia area. */
static const Label tally_kind_labels[] = {
  { "computer_access", N_("Computer access") },
  { "jobseeker_profile", N_("Jobseeker profile") },
  { "documents", N_("Documents") },
  { "training_catalogue", N_("Training catalogue") },
  { "printing", N_("Printing") },
  { "other", N_("Other help") },
  { NULL, NULL }
};

static const struct {
  const char *field;
  const Label *labels;
  const char *context;          /* the labels' msgctxt, or NULL */
} vocabularies[] = {
  { "channel", channel_labels },
  { "service", service_labels },
  { "site", site_labels },
  { "themes", theme_labels },
  { "programmes", programme_labels },
  { "gender", gender_labels },
  { "age_band", age_band_labels },
  { "region", region_labels },
  { "status", status_labels },
  { "education", education_labels },
  { "heard_from", heard_from_labels },
  { "frequency", frequency_labels },
  { "circle", circle_labels },
  { "organisation_kind", organisation_kind_labels },
  { "resource_kind", resource_kind_labels },
  { "audience", audience_labels },
  { "tally_kind", tally_kind_labels },
  { "closure_scope", closure_scope_labels },
  { "activity_mode", activity_mode_labels },
  { "activity_status", activity_status_labels, "activity status" },
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
            return vocabularies[i].context != NULL
                   ? g_dpgettext2 (NULL, vocabularies[i].context, l->label)
                   : _(l->label);
        }
      break;
    }

  return code;
}

const char *
cdm_labels_content_language (void)
{
  const char * const *names = g_get_language_names ();

  /* The first of the desktop's languages that content is written in:
   * "nl_BE.UTF-8" gives "nl".  Any other language, "C" included, reads
   * the desk in English, its source language, and so the content too. */
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_has_prefix (names[i], "fr"))
        return "fr";
      if (g_str_has_prefix (names[i], "nl"))
        return "nl";
      if (g_str_has_prefix (names[i], "en"))
        return "en";
    }
  return "en";
}
