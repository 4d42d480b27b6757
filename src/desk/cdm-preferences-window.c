/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-preferences-window.c: the desk's preferences.
 *
 * Every row is bound to its GSettings key (data/brussels.cdm_bp.Desk.gschema.xml):
 * a change is saved at once and seen by whatever reads the key next, such
 * as the contact form's defaults.  The combo rows list the vocabularies of
 * cdm-schema.h in their order, so a row's position is the code's index.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-labels.h"
#include "cdm-preferences-window.h"
#include "cdm-schema.h"
#include "cdm-sync-account-page.h"

struct _CdmPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwEntryRow *desk_name_row;
  AdwComboRow *site_row;
  AdwComboRow *channel_row;
  AdwComboRow *languages_row;

  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (CdmPreferencesWindow, cdm_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The orders of the three content languages a desk can choose; the
 * first, none, follows the desktop's language (cdm-content-order.h). */
static const char * const language_orders[][4] = {
  { NULL, },
  { "fr", "nl", "en", NULL },
  { "fr", "en", "nl", NULL },
  { "nl", "fr", "en", NULL },
  { "nl", "en", "fr", NULL },
  { "en", "fr", "nl", NULL },
  { "en", "nl", "fr", NULL },
};

static const char *
language_name (const char *code)
{
  if (g_str_equal (code, "fr"))
    return _("French");
  if (g_str_equal (code, "nl"))
    return _("Dutch");
  return _("English");
}

static void
fill_codes (AdwComboRow        *row,
            const char         *field,
            const char * const *codes)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  for (guint i = 0; codes[i] != NULL; i++)
    gtk_string_list_append (list, cdm_label_for_code (field, codes[i]));
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
}

static void
fill_language_orders (AdwComboRow *row)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  /* TRANSLATORS: the content language order that follows the desktop's language */
  gtk_string_list_append (list, C_("language order", "Automatic"));
  for (guint i = 1; i < G_N_ELEMENTS (language_orders); i++)
    {
      /* TRANSLATORS: an order of languages, "French, Dutch, English" */
      g_autofree char *label = g_strdup_printf (_("%s, %s, %s"),
                                                language_name (language_orders[i][0]),
                                                language_name (language_orders[i][1]),
                                                language_name (language_orders[i][2]));

      gtk_string_list_append (list, label);
    }
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
}

/* Key (an enum nick) to row position; @user_data is the vocabulary. */
static gboolean
code_to_position (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char * const *codes = user_data;
  int index = cdm_code_index (codes, g_variant_get_string (variant, NULL));

  if (index < 0)
    return FALSE;
  g_value_set_uint (value, (guint) index);
  return TRUE;
}

static GVariant *
position_to_code (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char * const *codes = user_data;
  guint position = g_value_get_uint (value);

  if (position >= g_strv_length ((char **) codes))
    return NULL;
  return g_variant_new_string (codes[position]);
}

/* The key's list to one of the orders offered.  A list set by hand that
 * is none of them (one language missing, another one added) shows the
 * order of its first language. */
static gboolean
languages_to_position (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  g_autofree const char **languages = g_variant_get_strv (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (language_orders); i++)
    {
      if (g_strv_equal (languages, (const char * const *) language_orders[i]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }
  for (guint i = 1; languages[0] != NULL && i < G_N_ELEMENTS (language_orders); i++)
    {
      if (g_str_equal (languages[0], language_orders[i][0]))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }
  return FALSE;
}

static GVariant *
position_to_languages (const GValue       *value,
                       const GVariantType *expected_type,
                       gpointer            user_data)
{
  guint position = g_value_get_uint (value);

  if (position >= G_N_ELEMENTS (language_orders))
    return NULL;
  return g_variant_new_strv ((const char * const *) language_orders[position], -1);
}

static void
cdm_preferences_window_dispose (GObject *object)
{
  CdmPreferencesWindow *self = CDM_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (cdm_preferences_window_parent_class)->dispose (object);
}

static void
cdm_preferences_window_class_init (CdmPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cdm_preferences_window_dispose;

  g_type_ensure (CDM_TYPE_SYNC_ACCOUNT_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmPreferencesWindow, desk_name_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPreferencesWindow, site_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPreferencesWindow, channel_row);
  gtk_widget_class_bind_template_child (widget_class, CdmPreferencesWindow, languages_row);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cdm_preferences_window_init (CdmPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  fill_codes (self->site_row, "site", cdm_sites);
  fill_codes (self->channel_row, "channel", cdm_channels);
  fill_language_orders (self->languages_row);

  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "desk-name", self->desk_name_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "site", self->site_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                code_to_position, position_to_code,
                                (gpointer) cdm_sites, NULL);
  g_settings_bind_with_mapping (self->settings, "default-channel", self->channel_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                code_to_position, position_to_code,
                                (gpointer) cdm_channels, NULL);
  g_settings_bind_with_mapping (self->settings, "content-languages", self->languages_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                languages_to_position, position_to_languages,
                                NULL, NULL);
}

/**
 * cdm_preferences_window_new:
 * @parent: (nullable): the window it is modal to
 *
 * Returns: (transfer none): the window, not yet shown
 */
CdmPreferencesWindow *
cdm_preferences_window_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (CDM_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       NULL);
}
