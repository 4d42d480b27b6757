/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-open-requests.h: the remote requests (e-mail, call centre, chat)
 * still waiting for an answer, and marking one answered.
 *
 * The centre answers every remote request within 48 hours of its
 * reception; a request is open while its contact has a received_at and no
 * answered_at.  Tombstoned contacts are never open.
 *
 * Threads: the synchronous functions may be called from any thread (the
 * store serialises them); the _async variants run in the store's worker
 * and return on the caller's thread-default main context.
 */
#pragma once

#include "cdm-store.h"

G_BEGIN_DECLS

/* The time the centre gives itself to answer a remote request. */
#define CDM_OPEN_REQUEST_DELAY_SECONDS (48 * 60 * 60)

/**
 * CdmOpenRequest:
 * @id: the contact's id
 * @channel: a code of cdm_channels
 * @received_at: the timestamp as written, with its offset
 * @received_unix: the same as a unix time
 * @due_unix: when the answer is due, @received_unix + 48 h
 * @themes: (array zero-terminated=1): codes, vocabulary order; never NULL
 * @note: (nullable): the note, on one line, at most 120 characters
 */
typedef struct {
  char *id;
  char *channel;
  char *received_at;
  gint64 received_unix;
  gint64 due_unix;
  char **themes;
  char *note;
} CdmOpenRequest;

void cdm_open_request_free (CdmOpenRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmOpenRequest, cdm_open_request_free)

/**
 * CdmOpenRequests:
 * @requests: (element-type CdmOpenRequest): the oldest open requests first,
 *   at most the limit asked for
 * @total: how many requests are open in all
 */
typedef struct {
  GPtrArray *requests;
  guint64 total;
} CdmOpenRequests;

void cdm_open_requests_free (CdmOpenRequests *open);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmOpenRequests, cdm_open_requests_free)

/**
 * cdm_open_requests_list:
 * @limit: the most requests to return (their total is counted anyway)
 *
 * Returns: (transfer full): the open requests, oldest received first;
 * %NULL with @error set on a store failure or cancellation.
 */
CdmOpenRequests *cdm_open_requests_list        (CdmStore      *store,
                                                guint          limit,
                                                GCancellable  *cancellable,
                                                GError       **error);
void             cdm_open_requests_list_async  (CdmStore            *store,
                                                guint                limit,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
CdmOpenRequests *cdm_open_requests_list_finish (CdmStore      *store,
                                                GAsyncResult  *result,
                                                GError       **error);

/**
 * cdm_open_request_mark_answered:
 * @answered_at_unix: when it was answered, or -1 to make it open again
 *   (undoing a mark)
 *
 * Sets the contact's answered_at (written in the store's time zone, with
 * its offset) and nothing else, in one transaction.  Errors:
 * CDM_STORE_ERROR_NOT_FOUND for a contact that is missing or tombstoned,
 * CDM_RECORD_ERROR_BAD_VALUE for a contact that is not a remote request
 * or an answer before the reception.
 */
gboolean cdm_open_request_mark_answered        (CdmStore      *store,
                                                const char    *id,
                                                gint64         answered_at_unix,
                                                GError       **error);
void     cdm_open_request_mark_answered_async  (CdmStore            *store,
                                                const char          *id,
                                                gint64               answered_at_unix,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean cdm_open_request_mark_answered_finish (CdmStore      *store,
                                                GAsyncResult  *result,
                                                GError       **error);

G_END_DECLS
