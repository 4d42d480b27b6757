/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-snapshot-page.h: a snapshot page of the bootstrap, read from its
 * bytes straight into the values the store binds.
 *
 * GET /sync/snapshot answers {"records": [...], "next": id-or-null}.
 * cdm_snapshot_page_read() reads that answer in one pass
 * (cdm-json-scan.h), checks every record with the rules of
 * cdm_record_normalize() (cdm-schema-private.h) and keeps, per record,
 * the values of its row in the order of the store's INSERT (after the six
 * sync columns, see cdm-store.c) and the targets of its links.  No
 * json-glib tree is built, except for the rare record that cannot be
 * written from its values (a tombstone; a row the desk already has with
 * another version; waiting local changes to merge): those keep their
 * bytes, which cdm-store-sync.c reads the old way.
 *
 * A page is immutable once read and may be handed to another thread.
 */
#pragma once

#include <glib.h>

#include "cdm-schema.h"

G_BEGIN_DECLS

typedef enum {
  CDM_VALUE_NULL,
  CDM_VALUE_INT,
  CDM_VALUE_TEXT,
  CDM_VALUE_DAY,        /* the local day of the unix time in i (the store's zone) */
} CdmValueType;

typedef struct {
  CdmValueType type;
  guint len;            /* TEXT: bytes */
  gsize text;           /* TEXT: offset in the page's text */
  gint64 i;
} CdmValue;

typedef struct {
  guint field;          /* index of the REFS field in the entity */
  gsize target;         /* offset of the id in the page's text */
} CdmLink;

typedef struct {
  gsize id;             /* offsets in the page's text; G_MAXSIZE: none */
  gsize updated_at;
  gsize updated_by;
  gint64 version;
  gboolean deleted;     /* then only raw counts */
  guint first_value;    /* in values */
  guint first_link, n_links;
  gsize raw_start, raw_end;   /* the record's bytes in the answer */
} CdmSnapshotRecord;

typedef struct {
  CdmEntity entity;
  GBytes *bytes;        /* the answer */
  GString *text;        /* ids, strings, NUL-separated */
  GArray *records;      /* CdmSnapshotRecord */
  GArray *values;       /* CdmValue, n_columns per record */
  GArray *links;        /* CdmLink */
  guint n_columns;
  char *next;           /* NULL after the last page */
  gboolean increasing;  /* ids strictly increasing through the page */
} CdmSnapshotPage;

/* The columns after the six sync columns, in the INSERT's order. */
guint cdm_snapshot_n_columns (CdmEntity entity);

/**
 * cdm_snapshot_page_read:
 * @entity: the type asked for
 * @bytes: the server's answer
 * @error: CDM_SYNC_ERROR_BAD_ANSWER for bytes that are not JSON or a page
 *   without "records" or with a bad "next"; CDM_SYNC_STORE_ERROR_BAD_PAGE
 *   (the messages of cdm_sync_store_check_records()) for a bad record
 *
 * Returns: (transfer full): the page, or %NULL with @error set.
 */
CdmSnapshotPage *cdm_snapshot_page_read (CdmEntity    entity,
                                         GBytes      *bytes,
                                         GError     **error);
void             cdm_snapshot_page_free (CdmSnapshotPage *page);

static inline const char *
cdm_snapshot_page_text (const CdmSnapshotPage *page,
                        gsize                  offset)
{
  return offset == G_MAXSIZE ? NULL : page->text->str + offset;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CdmSnapshotPage, cdm_snapshot_page_free)

G_END_DECLS
