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
 * - profile shares: over every contact record of the period (individual
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
 * Per organisation (CdmReportOptions.organisation):
 *
 * - individual advice, multimedia contact records, programmes (contact
 *   part), profile shares and remote requests: the contact records
 *   logged by that institution's counsellors (contacts.organisation);
 * - group activities held and their participants, and the programmes'
 *   participants: the activities it organised or co-organised
 *   (activity_organisers), each counted whole for every co-organiser;
 * - multimedia tallies are the centre's, not attributable: left out
 *   (the organisation's multimedia figure is its contact records);
 * - satisfaction is anonymous and the centre's: the centre's figures,
 *   marked "scope": "centre" in JSON;
 * - closures are the centre's, the same in every report;
 * - there is no objective nor projection for an organisation.
 *
 * Suppression.  In any breakdown finer than the whole centre, that is in
 * every count of an organisation's report (its total included), a count
 * of 1 to threshold - 1 people (default 5, "suppression_threshold"
 * setting or CdmReportOptions.threshold; 0 disables) is withheld, and so
 * is every share computed from a withheld count or over fewer people
 * than the threshold.  A true zero is shown as 0: it describes nobody,
 * and "< 5" in its place would tell a reader that someone was there
 * (a programme the institution never ran would read as 1 to 4 people).
 * Then, in every sum the report shows (a total and its parts: the
 * headline, the channels, held in person / online, the services of a
 * month, the months of a series, a programme's contacts and
 * participants, a profile item's answers and unknowns, the remote
 * requests by outcome), when exactly one cell is withheld the smallest
 * other part that is not zero is withheld too, until no sum has exactly
 * one: no withheld count can be had by subtracting shown ones.
 * Not protected: narrowing by bounds (a withheld count is known to be
 * 1..threshold-1, which with several sums can narrow another withheld
 * one), and the difference between the centre's report (never
 * suppressed) and the sum of every other organisation's.
 *
 * A withheld count is never written as a number: a count below the
 * threshold is the string "< 5" (with the threshold in force) in JSON,
 * CSV, text and PDF; a count withheld only so that another cannot be
 * worked out from a total (it may be of any size, so "< 5" would be
 * untrue) is the string "withheld" (translated in text and PDF).  Here
 * both are CdmReportCell.suppressed, the second also .complementary.
 * JSON consumers must check JSON_NODE_HOLDS_VALUE + G_TYPE_STRING before
 * reading a count.  The JSON root says "suppression": {"threshold": N,
 * "marker": "< N", "complementary_marker": "withheld"}; when nothing is
 * withheld, {"threshold": 0, "marker": null, "complementary_marker": null}.
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
 * @CDM_REPORT_ERROR_BAD_MONTHS: a month is outside 1..12, or the range
 *   ends before it starts
 * @CDM_REPORT_ERROR_UNKNOWN_ORGANISATION: no live organisation has the
 *   given id
 * @CDM_REPORT_ERROR_BAD_THRESHOLD: the suppression threshold (option or
 *   "suppression_threshold" setting) is not an integer in 0..1000
 */
typedef enum {
  CDM_REPORT_ERROR_BAD_YEAR,
  CDM_REPORT_ERROR_BAD_MONTHS,
  CDM_REPORT_ERROR_UNKNOWN_ORGANISATION,
  CDM_REPORT_ERROR_BAD_THRESHOLD,
} CdmReportError;

GQuark cdm_report_error_quark (void);

#define CDM_REPORT_MIN_YEAR 1000
#define CDM_REPORT_MAX_YEAR 9999

/* The default yearly objective (DESIGN.md section 1). */
#define CDM_REPORT_DEFAULT_OBJECTIVE 50000

/* Small-count suppression (see "Per organisation" below). */
#define CDM_REPORT_DEFAULT_THRESHOLD 5
#define CDM_REPORT_MAX_THRESHOLD 1000
/* CdmReportOptions.threshold: take the "suppression_threshold" setting,
 * or CDM_REPORT_DEFAULT_THRESHOLD when it is unset. */
#define CDM_REPORT_THRESHOLD_FROM_STORE (-1)
/* What the count getters return for a suppressed count. */
#define CDM_REPORT_SUPPRESSED G_GINT64_CONSTANT (-1)

typedef struct _CdmReport CdmReport;

/**
 * CdmReportOptions:
 * @year: the calendar year, 1000..9999
 * @from_month: the first month of the period, 1..12 (default 1)
 * @to_month: the last month of the period, @from_month..12 (default 12)
 * @organisation: (nullable): an organisation id: the figures of that
 *   institution only (see "Per organisation"); %NULL for the whole centre
 * @threshold: counts below it are suppressed in any breakdown finer than
 *   the whole centre; 0 disables suppression;
 *   CDM_REPORT_THRESHOLD_FROM_STORE (the default) reads the
 *   "suppression_threshold" setting (default 5)
 * @today: (nullable): the centre's local day "YYYY-MM-DD" the projection
 *   counts from; %NULL for today (tests set it)
 *
 * What to compute.  Initialise with cdm_report_options_init(), then set
 * fields.  The strings are borrowed: the _async variant copies them.
 *
 * The period is @from_month..@to_month of @year.  Every figure covers the
 * period only; the monthly series hold the months of the period (the
 * other months are absent from JSON, CSV and text and read as 0 here).
 */
typedef struct {
  int         year;
  guint       from_month;
  guint       to_month;
  const char *organisation;
  int         threshold;
  const char *today;
} CdmReportOptions;

void cdm_report_options_init (CdmReportOptions *options,
                              int               year);

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

/**
 * cdm_report_compute_full:
 * @store: the store
 * @options: what to compute (cdm_report_options_init())
 * @cancellable: (nullable): cancels a running computation
 * @error: CDM_REPORT_ERROR (bad year, bad months, unknown organisation,
 *   bad threshold), CDM_STORE_ERROR or G_IO_ERROR_CANCELLED
 *
 * cdm_report_compute() with a month range, an organisation and the
 * suppression threshold.  cdm_report_compute (store, year, ...) is
 * cdm_report_compute_full() with cdm_report_options_init (&o, year).
 *
 * Speed: the whole centre reads the per-day aggregate (contact_stats),
 * one organisation its own (contact_org_stats): about 0.1 s for a year
 * of a million contacts (docs/performance.md).
 *
 * Returns: (transfer full): the report, or %NULL with @error set
 */
CdmReport  *cdm_report_compute_full        (CdmStore                *store,
                                            const CdmReportOptions  *options,
                                            GCancellable            *cancellable,
                                            GError                 **error);
/* Runs in the store's worker thread; @options is copied. */
void        cdm_report_compute_full_async  (CdmStore                *store,
                                            const CdmReportOptions  *options,
                                            GCancellable            *cancellable,
                                            GAsyncReadyCallback      callback,
                                            gpointer                 user_data);
CdmReport  *cdm_report_compute_full_finish (CdmStore                *store,
                                            GAsyncResult            *result,
                                            GError                 **error);

CdmReport  *cdm_report_ref   (CdmReport *report);
void        cdm_report_unref (CdmReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmReport, cdm_report_unref)

int         cdm_report_get_year               (CdmReport *report);
guint       cdm_report_get_from_month         (CdmReport *report);
guint       cdm_report_get_to_month           (CdmReport *report);
/* The organisation id, or %NULL for the whole centre. */
const char *cdm_report_get_organisation       (CdmReport *report);
/* The organisation's name in @language ("fr", "nl", "en"; falls back to
 * another language, then the acronym, then the id), or %NULL for the
 * whole centre. (transfer full) (nullable) */
char       *cdm_report_get_organisation_name  (CdmReport  *report,
                                               const char *language);
/* The "centre_name" setting, or %NULL when unset (the PDF then prints
 * the centre's name in its language). (nullable) */
const char *cdm_report_get_centre_name        (CdmReport *report);
/* The threshold in force: 0 when nothing is suppressed (the whole
 * centre, or suppression disabled). */
int         cdm_report_get_threshold          (CdmReport *report);

/* Headline counts of the period; CDM_REPORT_SUPPRESSED when suppressed. */
gint64      cdm_report_get_total_contacts     (CdmReport *report);
gint64      cdm_report_get_individual_advice  (CdmReport *report);
gint64      cdm_report_get_group_participants (CdmReport *report);
gint64      cdm_report_get_multimedia         (CdmReport *report);
/* The configured target (whole centre), 0 for an organisation. */
gint64      cdm_report_get_objective          (CdmReport *report);

/* The total for one month (1..12) of the report's year: 0 outside the
 * period, CDM_REPORT_SUPPRESSED when suppressed. */
gint64      cdm_report_get_month_total        (CdmReport *report,
                                               guint      month);

/**
 * CdmReportSeries:
 * @CDM_REPORT_SERIES_INDIVIDUAL_ADVICE: contacts in individual advice
 * @CDM_REPORT_SERIES_GROUP_PARTICIPANTS: participants in group activities
 * @CDM_REPORT_SERIES_MULTIMEDIA: contacts in the multimedia area
 * @CDM_REPORT_SERIES_TOTAL: the three added up
 *
 * The monthly series the charts draw, one per service.
 */
typedef enum {
  CDM_REPORT_SERIES_INDIVIDUAL_ADVICE,
  CDM_REPORT_SERIES_GROUP_PARTICIPANTS,
  CDM_REPORT_SERIES_MULTIMEDIA,
  CDM_REPORT_SERIES_TOTAL,
} CdmReportSeries;
#define CDM_REPORT_N_SERIES 4

/* The code of a series as in JSON and CSV ("individual_advice",
 * "group_participants", "multimedia", "total_contacts"). */
const char *cdm_report_series_code (CdmReportSeries series);

/* Month @month (1..12) of @series: 0 outside the period,
 * CDM_REPORT_SUPPRESSED when suppressed. */
gint64      cdm_report_get_series_value (CdmReport       *report,
                                         CdmReportSeries  series,
                                         guint            month);

/**
 * CdmReportCellKind:
 * @CDM_REPORT_CELL_COUNT: a count (CdmReportCell.count)
 * @CDM_REPORT_CELL_SHARE: a share between 0 and 1 (CdmReportCell.share)
 */
typedef enum {
  CDM_REPORT_CELL_COUNT,
  CDM_REPORT_CELL_SHARE,
} CdmReportCellKind;

/**
 * CdmReportCell:
 * @table: the table of figures it belongs to (one CSV file each in
 *   cdm_report_write_csv_dir()): "headline", "individual_advice",
 *   "group_activities", "multimedia", "programmes", "monthly", "profile",
 *   "remote", "satisfaction", "objective"
 * @figure: the figure, as in the tidy CSV ("individual_advice",
 *   "profile_gender", "profile_gender_share", "satisfaction", …)
 * @breakdown: a code ("email", "f", "unknown", "satisfied"…) or ""
 * @month: 0 for the whole period, 1..12 for a month of it
 * @kind: count or share
 * @suppressed: TRUE when the value is withheld (below the threshold, or
 *   withheld so that another cannot be worked out from a total); @count
 *   and @share are then 0 and must not be shown: show "< N", or
 *   "withheld" when @complementary
 * @complementary: withheld only to protect another cell: its count may
 *   be of any size
 * @known: FALSE for a share whose denominator is zero (shown as "–",
 *   null in JSON, empty in CSV)
 * @count: the count (CDM_REPORT_CELL_COUNT)
 * @share: the share (CDM_REPORT_CELL_SHARE)
 *
 * One figure of the report, as every output states it: JSON, text, CSV
 * and PDF are all written from the same cells, suppression applied once.
 */
typedef struct {
  const char        *table;
  const char        *figure;
  const char        *breakdown;
  guint              month;
  CdmReportCellKind  kind;
  gboolean           suppressed;
  gboolean           complementary;
  gboolean           known;
  gint64             count;
  double             share;
} CdmReportCell;

/* Every cell, in the order of the tidy CSV. (transfer none) */
const CdmReportCell *cdm_report_get_cells (CdmReport *report,
                                           guint     *n_cells);
/* The cell of @figure / @breakdown ("" or %NULL for none) / @month (0 for
 * the period), or %NULL when the report has no such figure. (transfer none) */
const CdmReportCell *cdm_report_lookup    (CdmReport  *report,
                                           const char *figure,
                                           const char *breakdown,
                                           guint       month);
/* A cell as text: "1234", "0.9720", "< 5" when below the threshold,
 * "withheld" when complementary, "" when an unknown share.
 * (transfer full) */
char       *cdm_report_cell_to_string (CdmReport           *report,
                                       const CdmReportCell *cell);

/**
 * CdmReportClosure:
 * @scope: a code of cdm_closure_scopes
 * @reason: (nullable): as recorded
 * @from: the first day closed, "YYYY-MM-DD", as recorded
 * @to: the last day closed, as recorded
 * @first_day: the first day closed within the period, as a day of the
 *   year (1 = 1 January)
 * @last_day: the last day closed within the period, day of the year
 *
 * A closure overlapping the report's period, for shading the charts
 * (closures are the centre's: the same in every organisation's report).
 */
typedef struct {
  const char *scope;
  const char *reason;
  char        from[11];
  char        to[11];
  guint       first_day;
  guint       last_day;
} CdmReportClosure;

/* The closures overlapping the period, by first day then scope order.
 * (transfer none) */
const CdmReportClosure *cdm_report_get_closures (CdmReport *report,
                                                 guint     *n_closures);
/* The scopes closed on at least one day of @month (1..12), as a bit mask
 * over cdm_closure_scopes (bit i = cdm_closure_scopes[i]). */
guint       cdm_report_get_closed_scopes (CdmReport *report,
                                          guint      month);

/**
 * cdm_report_get_projection:
 * @report: a report
 * @out_projection: (out) (optional): the projected total of the year
 * @out_days_elapsed: (out) (optional): days of the year up to and
 *   including today (CdmReportOptions.today)
 * @out_days_in_year: (out) (optional): 365 or 366
 *
 * The year-end projection, for the whole centre over the whole current
 * year only: linear on the days elapsed, total × days in year ÷ days
 * elapsed (today counts as elapsed), rounded to the nearest contact.
 * Not available (FALSE) for an organisation, a month range, a year
 * that is over or has not begun.
 *
 * Returns: TRUE when there is a projection
 */
gboolean    cdm_report_get_projection (CdmReport *report,
                                       gint64    *out_projection,
                                       guint     *out_days_elapsed,
                                       guint     *out_days_in_year);

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

/**
 * cdm_report_write_csv_dir:
 * @report: a report
 * @directory: a folder, created when missing
 * @error: G_IO_ERROR
 *
 * Writes one RFC 4180 file per table of figures (CdmReportCell.table),
 * "<table>.csv" with the columns figure,breakdown,period,value, plus
 * "monthly-series.csv" (month, the four series, the scopes closed) and
 * "closures.csv" (from, to, scope, reason).  Suppressed cells read
 * "< N".  Each file is written whole or not at all.
 *
 * Returns: TRUE on success
 */
gboolean    cdm_report_write_csv_dir (CdmReport   *report,
                                      const char  *directory,
                                      GError     **error);

/* The configured yearly objective ("objective" setting, a positive
 * integer; CDM_REPORT_DEFAULT_OBJECTIVE when unset or not a number). */
gint64      cdm_report_objective (CdmStore *store);

G_END_DECLS
