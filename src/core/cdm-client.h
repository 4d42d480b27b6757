/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-client.h: the REST client of cdm-server's API (docs/api/openapi.yaml),
 * for the sync engine only (cdm-sync.c).
 *
 * JSON bodies over libsoup 3, a bearer token, a timeout per exchange.
 * Calls are synchronous: the engine runs them in a worker thread.  A
 * CdmClient (and its SoupSession) must be used from one thread at a time.
 * Every failure is a CDM_SYNC_ERROR (or G_IO_ERROR_CANCELLED): transport
 * failures are mapped to OFFLINE / TIMEOUT / NETWORK, HTTP statuses to
 * UNAUTHORIZED, FORBIDDEN, LOCKED, REBOOTSTRAP, SERVER, REFUSED, and an
 * answer that is not JSON to BAD_ANSWER.  Error messages carry the
 * server's own message when it gave one.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _CdmClient CdmClient;

/* @base_url: the server, e.g. "http://127.0.0.1:8080" (a trailing "/" and
 * "/api/v1" are optional).  @token may be NULL. */
CdmClient *cdm_client_new         (const char  *base_url,
                                   const char  *token,
                                   guint        timeout_seconds);
void       cdm_client_free        (CdmClient   *client);

/**
 * cdm_client_call:
 * @method: "GET", "POST", …
 * @path: under /api/v1, e.g. "/sync/pull?cursor=3"
 * @body: (nullable): sent as application/json
 * @out_status: (out) (optional): the HTTP status
 *
 * Returns: (transfer full): the answer's JSON (a null node for an empty
 * 2xx answer), or %NULL with @error set.
 */
JsonNode  *cdm_client_call        (CdmClient     *client,
                                   const char    *method,
                                   const char    *path,
                                   JsonNode      *body,
                                   guint         *out_status,
                                   GCancellable  *cancellable,
                                   GError       **error);

/* A GET whose 2xx answer is returned as it came, unparsed (the snapshot
 * pages, read by cdm-snapshot-page.c); other answers fail as above.
 * (transfer full) */
GBytes    *cdm_client_get_bytes   (CdmClient     *client,
                                   const char    *path,
                                   GCancellable  *cancellable,
                                   GError       **error);

/* The same, requiring a JSON object in a 2xx answer. (transfer full) */
JsonObject *cdm_client_call_object (CdmClient     *client,
                                    const char    *method,
                                    const char    *path,
                                    JsonNode      *body,
                                    GCancellable  *cancellable,
                                    GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmClient, cdm_client_free)

G_END_DECLS
