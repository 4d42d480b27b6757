/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-demo-private.h: the tables the demo data is made of.
 *
 * cdm-demo-data.c holds what a counsellor would recognise: the centre's
 * partners, its 2020 programme of group activities, the sectors and
 * occupations of its library, plausible publishers and invented names.
 * cdm-demo.c turns them into records.  Lists of codes are written as
 * space-separated words ("learn work") so that the tables stay readable.
 *
 * Every organisation, address, telephone number and person here is
 * invented except the names of the partner institutions themselves, which
 * the centre's annual reports name.  Web sites and e-mail addresses use
 * the reserved ".example" domain.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

/* Days of the week as a bit mask in the order of cdm_weekdays (Monday first). */
#define CDM_DEMO_MON (1 << 0)
#define CDM_DEMO_TUE (1 << 1)
#define CDM_DEMO_WED (1 << 2)
#define CDM_DEMO_THU (1 << 3)
#define CDM_DEMO_FRI (1 << 4)
#define CDM_DEMO_WEEK (CDM_DEMO_MON | CDM_DEMO_TUE | CDM_DEMO_WED | CDM_DEMO_THU | CDM_DEMO_FRI)

typedef struct {
  const char *key;          /* stable: the record's id is derived from it */
  const char *name_fr;
  const char *name_nl;
  const char *name_en;
  const char *acronym;      /* or NULL */
  const char *circle;
  const char *kind;
  const char *themes;
  const char *languages;
  const char *address;
  const char *phone;
  const char *domain;       /* web site and e-mail: www.<domain>, info@<domain> */
  const char *hours;
  guint desk_days;          /* CDM_DEMO_MON | ... */
  const char *notes;
  guint referral_weight;    /* how often counsellors refer people there */
  const char *roles;        /* "|"-separated roles of its contact people */
} CdmDemoPartner;

/* When a regular activity runs, as the 2020 programme did. */
typedef enum {
  CDM_DEMO_EARLY  = 1 << 0, /* in person, January to the first closure */
  CDM_DEMO_AUTUMN = 1 << 1, /* in person, by appointment, from the reopening */
  CDM_DEMO_ONLINE = 1 << 2, /* online, from the first online workshop on */
} CdmDemoPeriod;

typedef struct {
  const char *title_fr;
  const char *title_nl;     /* or NULL where the activity had no Dutch title */
  const char *title_en;
  const char *summary;
  const char *organisers;   /* partner keys, the main organiser first */
  const char *themes;
  const char *programmes;   /* or NULL */
  const char *audience;
  const char *languages;
  guint periods;            /* CdmDemoPeriod */
  guint weight;             /* relative frequency in the weekly programme */
  guint weekday;            /* 0: any day; 1 = Monday … 5 = Friday */
  guint duration_min;
  guint size_min, size_max; /* headcount */
  const char *mode;         /* in person: on_site, school or external */
  const char *place;        /* for external */
} CdmDemoActivity;

/* One-off events on a fixed day of the year. */
typedef struct {
  guint month, day, hour, minute;
  const char *title_fr;
  const char *title_nl;
  const char *title_en;
  const char *summary;
  const char *organisers;
  const char *themes;
  const char *programmes;
  const char *audience;
  const char *languages;
  const char *mode;
  const char *place;
  guint duration_min;
  guint size_min, size_max;
  gboolean cancelled;       /* called off, like the 2020 Spring School */
} CdmDemoEvent;

/* A sector of the labour market, in the forms the titles need. */
typedef struct {
  const char *fr_de;        /* "de la santé" */
  const char *fr;           /* "la santé" */
  const char *nl;           /* "de zorg" */
  const char *en;           /* "health care" */
  const char *themes;
  const char *tag_fr;
  const char *tag_nl;
} CdmDemoSector;

typedef struct {
  const char *fr;
  const char *nl;           /* or NULL */
  const char *en;           /* or NULL */
  guint sector;             /* index in cdm_demo_sectors */
} CdmDemoOccupation;

/* A title; "%s" stands for a sector form of the title's language. */
typedef struct {
  const char *language;
  const char *title;
  const char *themes;
  const char *summary;      /* may contain "%s" too */
} CdmDemoTitle;

typedef struct {
  const char *name;
  const char *language;
  const char *isbn_prefix;  /* "978" + group + registrant, digits only */
} CdmDemoPublisher;

typedef struct {
  const char *title;
  const char *language;
  const char *kind;         /* website or test_tool */
  const char *themes;
  const char *path;         /* appended to a partner's domain, or NULL */
  const char *partner;      /* partner key, or NULL */
  const char *summary;
} CdmDemoTool;

extern const CdmDemoPartner cdm_demo_partners[];
extern const guint cdm_demo_n_partners;
extern const CdmDemoActivity cdm_demo_activities[];
extern const guint cdm_demo_n_activities;
extern const CdmDemoEvent cdm_demo_events[];
extern const guint cdm_demo_n_events;
extern const CdmDemoSector cdm_demo_sectors[];
extern const guint cdm_demo_n_sectors;
extern const CdmDemoOccupation cdm_demo_occupations[];
extern const guint cdm_demo_n_occupations;
extern const CdmDemoTitle cdm_demo_sector_titles[];
extern const guint cdm_demo_n_sector_titles;
extern const CdmDemoTitle cdm_demo_general_titles[];
extern const guint cdm_demo_n_general_titles;
extern const CdmDemoTitle cdm_demo_brochure_titles[];
extern const guint cdm_demo_n_brochure_titles;
extern const CdmDemoPublisher cdm_demo_publishers[];
extern const guint cdm_demo_n_publishers;
extern const CdmDemoTool cdm_demo_tools[];
extern const guint cdm_demo_n_tools;

/* Invented names for authors, contact people and staff. */
extern const char * const cdm_demo_first_names[];
extern const char * const cdm_demo_last_names[];
/* Brussels streets (French name) and communes (postcode, fr, nl). */
extern const char * const cdm_demo_streets[];
extern const char * const cdm_demo_communes[][3];
extern const guint cdm_demo_n_communes;
/* For the generated partners: kinds of places and their qualifiers. */
extern const char * const cdm_demo_org_prefixes[][4];   /* fr, nl, en, kind */
extern const char * const cdm_demo_org_qualifiers[];
/* What a counsellor jots down: short, never identifying. */
extern const char * const cdm_demo_notes[];
/* Subtitles that turn a title into another book of a large catalogue. */
extern const char * const cdm_demo_subtitles[][3];      /* fr, nl, en */

guint cdm_demo_strv_length (const char * const *strv);

/* cdm_demo_fill() as if the present were @now (unix time): what lies
 * after it is planned or not yet counted.  For tests. */
gboolean _cdm_demo_fill_at (CdmStore      *store,
                            int            year,
                            gint64         now,
                            GCancellable  *cancellable,
                            GError       **error);

G_END_DECLS
