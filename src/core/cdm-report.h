/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-report.h: the figures of DESIGN.md section 4, the one implementation.
 *
 * A CdmReport is computed from a store for a year and can be written as
 * the JSON of DESIGN.md section 7, as text and as CSV.  Days, months and
 * years are the centre's local ones (the store derives them when a record
 * is written); tombstoned records count nowhere.
 *
 * The rules, as computed here:
 *
 * - individual advice: contact records with service "individual_advice"
 *   whose day falls in the period, split by channel;
 * - group activities held: activities with status "held" whose day falls
 *   in the period, "online" when their mode is "online", "in_person"
 *   otherwise; their participants are the live attendance rows of those
 *   activities added up, counted in the activity's month;
 * - multimedia: the multimedia tallies of the period added up, plus the
 *   contact records with service "multimedia";
 * - total contacts: the three above;
 * - programmes: per programme, the contact records (any service) tagged
 *   with it plus the participants of held activities tagged with it;
 * - profile shares: over every contact record of the year (individual
 *   advice and multimedia alike), per profile item, the count of each
 *   answer and of unknowns (no answer);
 * - remote requests: contact records whose received_at falls in the
 *   period (whatever day they were answered or logged); answered within
 *   48 h when answered_at - received_at <= 48 h; late otherwise, and an
 *   unanswered request is late;
 * - satisfaction: responses answered in the period; satisfied = score >= 6,
 *   excellent = score >= 9 (over all responses); recommend and found over
 *   the responses that answered that question;
 * - objective: the "objective" setting (default 50000) against the total;
 * - closures: a month lists the scopes of the closures covering at least
 *   one of its days, each once, in vocabulary order.
 *
 * A share whose denominator is zero is unknown: null in JSON, empty in
 * CSV, "–" in text.
 *
 * Thread safety: a CdmReport is immutable once computed and may be read
 * from any thread.  Computing takes the store's lock for the duration.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

#define CDM_REPORT_ERROR (cdm_report_error_quark ())

/**
 * CdmReportError:
 * @CDM_REPORT_ERROR_BAD_YEAR: the year is outside 1000..9999
 */
typedef enum {
  CDM_REPORT_ERROR_BAD_YEAR,
} CdmReportError;

GQuark cdm_report_error_quark (void);

#define CDM_REPORT_MIN_YEAR 1000
#define CDM_REPORT_MAX_YEAR 9999

/* The default yearly objective (DESIGN.md section 1). */
#define CDM_REPORT_DEFAULT_OBJECTIVE 50000

typedef struct _CdmReport CdmReport;

/**
 * cdm_report_compute:
 * @store: the store
 * @year: the calendar year, 1000..9999
 * @cancellable: (nullable): cancels a running computation
 * @error: CDM_REPORT_ERROR, CDM_STORE_ERROR or G_IO_ERROR_CANCELLED
 *
 * Computes every figure of the year from one consistent snapshot of the
 * store.  Can take a few hundred milliseconds on a store of a million
 * contacts: call the _async variant from a user interface.
 *
 * Returns: (transfer full): the report, or %NULL with @error set
 */
CdmReport  *cdm_report_compute        (CdmStore      *store,
                                       int            year,
                                       GCancellable  *cancellable,
                                       GError       **error);
void        cdm_report_compute_async  (CdmStore            *store,
                                       int                  year,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
CdmReport  *cdm_report_compute_finish (CdmStore      *store,
                                       GAsyncResult  *result,
                                       GError       **error);

CdmReport  *cdm_report_ref   (CdmReport *report);
void        cdm_report_unref (CdmReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmReport, cdm_report_unref)

int         cdm_report_get_year               (CdmReport *report);
gint64      cdm_report_get_total_contacts     (CdmReport *report);
gint64      cdm_report_get_individual_advice  (CdmReport *report);
gint64      cdm_report_get_group_participants (CdmReport *report);
gint64      cdm_report_get_multimedia         (CdmReport *report);
gint64      cdm_report_get_objective          (CdmReport *report);

/* The same figures for one month (1..12) of the report's year. */
gint64      cdm_report_get_month_total        (CdmReport *report,
                                               guint      month);

/* The whole report as the JSON object of DESIGN.md section 7, with these
 * keys added: "individual_advice".by_month, "group_activities"
 * .participants_in_person/.participants_online/.by_month, "multimedia"
 * .tallies/.contact_records/.tallies_by_kind, "programmes_detail"
 * {code: {contacts, participants}}, "profile" {item: {answered, unknown,
 * counts, shares}}, "remote" {requests, within_48h, late (answered late
 * or not answered), answered_late, unanswered}, "satisfaction".recommend_answers/.found_answers,
 * "objective".progress, and per month "by_channel" and "activities_held".
 * (transfer full) */
JsonObject *cdm_report_to_json (CdmReport *report);
/* A readable summary, for cdmctl, in the user's language. (transfer full) */
char       *cdm_report_to_text (CdmReport *report);
/* One long tidy table "figure,breakdown,period,value" (RFC 4180, CRLF):
 * period is the year ("2020") or a month ("2020-03"), breakdown a code or
 * empty, value an integer or a share between 0 and 1. (transfer full) */
char       *cdm_report_to_csv  (CdmReport *report);

/* The configured yearly objective ("objective" setting, a positive
 * integer; CDM_REPORT_DEFAULT_OBJECTIVE when unset or not a number). */
gint64      cdm_report_objective (CdmStore *store);

G_END_DECLS
