/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-content-order.c: the desk's content language order
 * (cdm-content-order.h).
 *
 * One GSettings for the process, kept for its lifetime: the order is read
 * on every row drawn, far too often to ask GSettings each time.  Without
 * the desk's schema (a tool linking the desk's code), the desktop's
 * language comes first, as with no preference set.
 */

#include "config.h"

#include <gio/gio.h>

#include "cdm-content-order.h"
#include "cdm-i18n.h"
#include "cdm-labels.h"

#define ORDER_KEY "content-languages"

/* What emits "changed". */
typedef struct {
  GObject parent_instance;
} CdmContentOrder;

typedef struct {
  GObjectClass parent_class;
} CdmContentOrderClass;

static GType cdm_content_order_get_type (void);
G_DEFINE_TYPE (CdmContentOrder, cdm_content_order, G_TYPE_OBJECT)

static guint changed_signal;

static void
cdm_content_order_class_init (CdmContentOrderClass *klass)
{
  changed_signal = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cdm_content_order_init (CdmContentOrder *self)
{
}

static GSettings *settings;
static GObject *notifier;
static GStrv order;

static void
read_order (void)
{
  g_auto(GStrv) chosen = settings != NULL ? g_settings_get_strv (settings, ORDER_KEY) : NULL;

  g_clear_pointer (&order, g_strfreev);
  if (chosen != NULL && chosen[0] != NULL)
    order = cdm_i18n_order ((const char * const *) chosen);
  else
    {
      /* No choice made: the desktop's language, then the centre's order. */
      const char * const first[] = { cdm_labels_content_language (), NULL };

      order = cdm_i18n_order (first);
    }
}

static void
on_order_changed (GSettings  *changed,
                  const char *key,
                  gpointer    user_data)
{
  read_order ();
  g_signal_emit (notifier, changed_signal, 0);
}

static void
ensure_initialised (void)
{
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  if (notifier != NULL)
    return;

  notifier = g_object_new (cdm_content_order_get_type (), NULL);

  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, ORDER_KEY))
    {
      settings = g_settings_new (APP_ID);
      g_signal_connect (settings, "changed::" ORDER_KEY, G_CALLBACK (on_order_changed), NULL);
    }
  read_order ();
}

const char * const *
cdm_content_order_get (void)
{
  ensure_initialised ();
  return (const char * const *) order;
}

const char *
cdm_content_pick (const char *fr,
                  const char *nl,
                  const char *en)
{
  return cdm_i18n_pick (fr, nl, en, cdm_content_order_get ());
}

const char *
cdm_content_pick_object (JsonObject *variants)
{
  return cdm_i18n_pick_object (variants, cdm_content_order_get ());
}

GObject *
cdm_content_order_get_notifier (void)
{
  ensure_initialised ();
  return notifier;
}
