/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-contact-list.c: the contacts matching a filter, as a GListModel.
 *
 * A million contacts are never all in memory.  The model first counts the
 * matching contacts (in libcdm's worker thread) and then has that many
 * items.  A GtkListView asks only for the items it shows: an item of a
 * page not read yet comes back as a placeholder, the page is read in the
 * worker thread, and items-changed then replaces its placeholders.  Only
 * the pages read last are kept.  Changing the filter or refreshing cancels
 * every read still running and starts again; the reads of an older
 * generation that finish anyway are dropped.
 */

#include "config.h"

#include <string.h>

#include "cdm-contact-item.h"
#include "cdm-contact-list.h"

#define PAGE_SIZE 100
/* 40 pages, 4,000 rows: many screens around the one shown. */
#define MAX_PAGES 40
/* The items announced changed at once when the list is read anew. */
#define CHUNK (10 * PAGE_SIZE)

struct _CdmContactList
{
  GObject parent_instance;

  CdmStore *store;
  CdmContactFilter filter;
  CdmContactCount *count;
  guint n_items;
  gboolean loading;

  /* page number → GPtrArray of CdmContactItem, placeholders until read */
  GHashTable *pages;
  /* page numbers being read */
  GHashTable *pending;
  GCancellable *cancellable;
  guint generation;
};

static void cdm_contact_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CdmContactList, cdm_contact_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      cdm_contact_list_model_init))

enum {
  PROP_0,
  PROP_N_ITEMS,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  FAILED,
  RESET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  CdmContactList *self;
  guint generation;
  guint page;
} PageLoad;

static void
filter_clear (CdmContactFilter *filter)
{
  g_free ((char *) filter->from_day);
  g_free ((char *) filter->to_day);
  g_free ((char *) filter->channel);
  g_free ((char *) filter->service);
  g_free ((char *) filter->theme);
  g_free ((char *) filter->programme);
  g_free ((char *) filter->site);
  memset (filter, 0, sizeof *filter);
}

static void
set_loading (CdmContactList *self,
             gboolean        loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Drops the page farthest from @near once there are too many. */
static void
evict_pages (CdmContactList *self,
             guint           near)
{
  while (g_hash_table_size (self->pages) > MAX_PAGES)
    {
      GHashTableIter iter;
      gpointer key;
      guint farthest = near;
      guint distance = 0;

      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          guint page = GPOINTER_TO_UINT (key);
          guint d = page > near ? page - near : near - page;

          if (d > distance)
            {
              distance = d;
              farthest = page;
            }
        }
      /* The items a list still shows keep their own reference. */
      g_hash_table_remove (self->pages, GUINT_TO_POINTER (farthest));
    }
}

static void
on_page_fetched (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PageLoad *load = user_data;
  CdmContactList *self = load->self;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *items;
  guint first, n;

  rows = cdm_contact_query_fetch_finish (CDM_STORE (source), result, &error);

  if (load->generation != self->generation)
    goto out;

  g_hash_table_remove (self->pending, GUINT_TO_POINTER (load->page));

  if (rows == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[FAILED], 0, error->message);
      goto out;
    }

  /* The rows go into the placeholders the list already holds: a
   * selection then still finds its item among them. */
  items = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (load->page));
  if (items == NULL)
    {
      items = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (load->page), items);
    }
  for (guint i = 0; i < rows->len; i++)
    {
      if (i < items->len)
        cdm_contact_item_set_row (items->pdata[i], g_steal_pointer (&rows->pdata[i]));
      else
        g_ptr_array_add (items, cdm_contact_item_new (g_steal_pointer (&rows->pdata[i])));
    }
  evict_pages (self, load->page);

  /* The store may have changed since the count: only positions the model
   * has are announced. */
  first = load->page * PAGE_SIZE;
  n = first < self->n_items ? MIN ((guint) PAGE_SIZE, self->n_items - first) : 0;
  n = MIN (n, items->len);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), first, n, n);

out:
  g_object_unref (load->self);
  g_free (load);
}

static void
load_page (CdmContactList *self,
           guint           page)
{
  PageLoad *load;

  if (self->store == NULL || self->count == NULL ||
      g_hash_table_contains (self->pending, GUINT_TO_POINTER (page)))
    return;

  g_hash_table_add (self->pending, GUINT_TO_POINTER (page));

  load = g_new0 (PageLoad, 1);
  load->self = g_object_ref (self);
  load->generation = self->generation;
  load->page = page;
  cdm_contact_query_fetch_async (self->store, &self->filter, self->count,
                                 (guint64) page * PAGE_SIZE, PAGE_SIZE,
                                 self->cancellable, on_page_fetched, load);
}

static GType
cdm_contact_list_get_item_type (GListModel *model)
{
  return CDM_TYPE_CONTACT_ITEM;
}

static guint
cdm_contact_list_get_n_items (GListModel *model)
{
  return CDM_CONTACT_LIST (model)->n_items;
}

static gpointer
cdm_contact_list_get_item (GListModel *model,
                           guint       position)
{
  CdmContactList *self = CDM_CONTACT_LIST (model);
  guint page = position / PAGE_SIZE;
  GPtrArray *items;

  if (position >= self->n_items)
    return NULL;

  items = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (items == NULL)
    {
      guint n = MIN ((guint) PAGE_SIZE, self->n_items - page * PAGE_SIZE);

      items = g_ptr_array_new_full (n, g_object_unref);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (items, cdm_contact_item_new (NULL));
      g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), items);
      load_page (self, page);
    }

  if (position % PAGE_SIZE < items->len)
    return g_object_ref (g_ptr_array_index (items, position % PAGE_SIZE));

  /* Rows the store no longer had when the page was read. */
  return cdm_contact_item_new (NULL);
}

static void
cdm_contact_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = cdm_contact_list_get_item_type;
  iface->get_n_items = cdm_contact_list_get_n_items;
  iface->get_item = cdm_contact_list_get_item;
}

static void
on_counted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  PageLoad *load = user_data;
  CdmContactList *self = load->self;
  g_autoptr(CdmContactCount) count = NULL;
  g_autoptr(GError) error = NULL;
  guint old_n;

  count = cdm_contact_query_count_finish (CDM_STORE (source), result, &error);

  if (load->generation != self->generation)
    goto out;

  if (count == NULL)
    {
      set_loading (self, FALSE);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[FAILED], 0, error->message);
      goto out;
    }

  g_clear_pointer (&self->count, cdm_contact_count_unref);
  self->count = g_steal_pointer (&count);
  g_hash_table_remove_all (self->pages);
  g_hash_table_remove_all (self->pending);

  old_n = self->n_items;
  self->n_items = (guint) MIN (cdm_contact_count_get_total (self->count), (guint64) G_MAXUINT);
  g_signal_emit (self, signals[RESET], 0);

  /* GTK looks for the items it tracks (the scroll position, the focus)
   * among all the items that one items-changed adds, reading each of
   * them: a single change over a million contacts would read every page.
   * So the size changes first, at the end of the list, and then every
   * item in chunks, which keeps that search within a few pages of the
   * rows shown, and keeps the scroll position too. */
  if (old_n > self->n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), self->n_items, old_n - self->n_items, 0);
  else if (old_n < self->n_items)
    g_list_model_items_changed (G_LIST_MODEL (self), old_n, 0, self->n_items - old_n);
  for (guint position = 0; position < MIN (old_n, self->n_items); position += CHUNK)
    {
      guint n = MIN ((guint) CHUNK, MIN (old_n, self->n_items) - position);

      g_list_model_items_changed (G_LIST_MODEL (self), position, n, n);
    }

  if (old_n != self->n_items)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  /* Last, once every item is announced. */
  set_loading (self, FALSE);

out:
  g_object_unref (load->self);
  g_free (load);
}

void
cdm_contact_list_refresh (CdmContactList *self)
{
  PageLoad *load;

  g_return_if_fail (CDM_IS_CONTACT_LIST (self));

  if (self->store == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  g_hash_table_remove_all (self->pending);

  set_loading (self, TRUE);

  /* The rows shown stay until the new count replaces them, so that a
   * refresh does not flash an empty list. */
  load = g_new0 (PageLoad, 1);
  load->self = g_object_ref (self);
  load->generation = self->generation;
  cdm_contact_query_count_async (self->store, &self->filter, self->cancellable,
                                 on_counted, load);
}

void
cdm_contact_list_set_filter (CdmContactList         *self,
                             const CdmContactFilter *filter)
{
  g_return_if_fail (CDM_IS_CONTACT_LIST (self));

  filter_clear (&self->filter);
  if (filter != NULL)
    {
      self->filter.from_day = g_strdup (filter->from_day);
      self->filter.to_day = g_strdup (filter->to_day);
      self->filter.channel = g_strdup (filter->channel);
      self->filter.service = g_strdup (filter->service);
      self->filter.theme = g_strdup (filter->theme);
      self->filter.programme = g_strdup (filter->programme);
      self->filter.site = g_strdup (filter->site);
    }

  cdm_contact_list_refresh (self);
}

void
cdm_contact_list_set_store (CdmContactList *self,
                            CdmStore       *store)
{
  g_return_if_fail (CDM_IS_CONTACT_LIST (self));
  g_return_if_fail (store == NULL || CDM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  cdm_contact_list_refresh (self);
}

gboolean
cdm_contact_list_is_loading (CdmContactList *self)
{
  g_return_val_if_fail (CDM_IS_CONTACT_LIST (self), FALSE);

  return self->loading;
}

static void
cdm_contact_list_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CdmContactList *self = CDM_CONTACT_LIST (object);

  switch (prop_id)
    {
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cdm_contact_list_dispose (GObject *object)
{
  CdmContactList *self = CDM_CONTACT_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cdm_contact_list_parent_class)->dispose (object);
}

static void
cdm_contact_list_finalize (GObject *object)
{
  CdmContactList *self = CDM_CONTACT_LIST (object);

  filter_clear (&self->filter);
  g_clear_pointer (&self->count, cdm_contact_count_unref);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);

  G_OBJECT_CLASS (cdm_contact_list_parent_class)->finalize (object);
}

static void
cdm_contact_list_class_init (CdmContactListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cdm_contact_list_get_property;
  object_class->dispose = cdm_contact_list_dispose;
  object_class->finalize = cdm_contact_list_finalize;

  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CdmContactList::failed:
   * @message: what went wrong
   *
   * The store could not be read.
   */
  signals[FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * CdmContactList::reset:
   *
   * Emitted just before every item is replaced (a new count).  A
   * GtkSingleSelection looks for its selected item among all the new
   * items, which would read every page of the list: unselect here.
   */
  signals[RESET] =
    g_signal_new ("reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cdm_contact_list_init (CdmContactList *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  self->pending = g_hash_table_new (NULL, NULL);
}

CdmContactList *
cdm_contact_list_new (void)
{
  return g_object_new (CDM_TYPE_CONTACT_LIST, NULL);
}
