/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fixture-2020.h: a store built to the centre's published 2020 figures.
 *
 * fixture_2020_fill() writes, in one bulk transaction, records whose
 * figures (DESIGN.md section 4) are exactly those of the 2020 annual
 * report, plus records that must count nowhere in 2020: tombstoned
 * contacts, attendance of cancelled, planned and tombstoned activities,
 * a tombstoned attendance row, and records on the far side of the year's
 * boundaries in Brussels time.  The expected figures are below; the
 * figures the report does not publish are the fixture's own.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

/* Published (2020 annual report). */
#define FIXTURE_2020_TOTAL                 29523
#define FIXTURE_2020_ADVICE                14466
#define FIXTURE_2020_IN_PERSON             7684
#define FIXTURE_2020_EMAIL                 2459
#define FIXTURE_2020_CALL_CENTRE           2828
#define FIXTURE_2020_CHAT                  937
#define FIXTURE_2020_AFTER_GROUP           419
#define FIXTURE_2020_NEET_OUTREACH         139
#define FIXTURE_2020_HELD                  831
#define FIXTURE_2020_HELD_IN_PERSON        263
#define FIXTURE_2020_HELD_ONLINE           568
#define FIXTURE_2020_PARTICIPANTS          10380
#define FIXTURE_2020_MULTIMEDIA            4677
#define FIXTURE_2020_SKILLS_VALIDATION     233
#define FIXTURE_2020_SKILLS_IDENTIFICATION 94
#define FIXTURE_2020_EUROGUIDANCE          46
#define FIXTURE_2020_PRISON                24
#define FIXTURE_2020_DISABILITY            244
#define FIXTURE_2020_FORMTRUCK             239
#define FIXTURE_2020_NEET                  249
#define FIXTURE_2020_NEET_CONTACTS         139
#define FIXTURE_2020_NEET_PARTICIPANTS     110
#define FIXTURE_2020_RESPONSES             500

/* The fixture's own. */
#define FIXTURE_2020_MULTIMEDIA_TALLIES    4500
#define FIXTURE_2020_MULTIMEDIA_RECORDS    177
#define FIXTURE_2020_REMOTE_REQUESTS       5287
#define FIXTURE_2020_REMOTE_WITHIN         5136
#define FIXTURE_2020_REMOTE_ANSWERED_LATE  101
#define FIXTURE_2020_REMOTE_UNANSWERED     50
#define FIXTURE_2020_SATISFIED             475
#define FIXTURE_2020_EXCELLENT             175
#define FIXTURE_2020_RECOMMEND_ANSWERS     400
#define FIXTURE_2020_RECOMMEND_YES         364
#define FIXTURE_2020_FOUND_ANSWERS         450
#define FIXTURE_2020_FOUND_YES             405

/* 2021, from the records just past the boundary: two chats logged at
 * 00:30 on 1 January in Brussels, an e-mail, a tally and a held activity. */
#define FIXTURE_2021_ADVICE                3
#define FIXTURE_2021_PARTICIPANTS          25
#define FIXTURE_2021_MULTIMEDIA            10
#define FIXTURE_2021_TOTAL                 38

gboolean fixture_2020_fill (CdmStore  *store,
                            GError   **error);

G_END_DECLS
