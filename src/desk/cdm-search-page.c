/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-search-page.c: search as you type over partners or the library.
 *
 * Every keystroke (debounced by GtkSearchEntry) cancels the search still
 * running and starts a new one in libcdm's worker thread; the list is
 * replaced in one splice when the results arrive, so it never shows the
 * hits of an older query.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-content-order.h"
#include "cdm-hit.h"
#include "cdm-labels.h"
#include "cdm-partner-editor.h"
#include "cdm-search.h"
#include "cdm-search-page.h"

/* A person reads the first screen or two; the rest is refined by typing.
 * Every row costs layout and drawing at each keystroke, far more than the
 * search itself (~3 ms on 100,000 resources): see docs/performance.md. */
#define MAX_HITS 50

struct _CdmSearchPage
{
  GtkWidget parent_instance;

  GtkSearchEntry *search_entry;
  GtkStack *results_stack;
  AdwStatusPage *start_page;
  AdwStatusPage *error_page;
  GtkListView *list_view;
  GtkBox *filter_box;
  GtkWidget *new_partner_button;

  /* The library's filters; NULL on the partners page.  Item 0 of each is
   * "All …", item i the code i - 1 of its vocabulary. */
  GtkDropDown *filter_kind;
  GtkDropDown *filter_theme;
  GtkDropDown *filter_language;
  GtkDropDown *filter_audience;

  char *kind;
  CdmEntity entity;
  CdmStore *store;
  GListStore *hits;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (CdmSearchPage, cdm_search_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  HIT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char * const content_languages[] = { "fr", "nl", "en", NULL };

/* The code chosen in @drop_down of the codes @vocabulary, NULL for "All". */
static const char *
filter_code (GtkDropDown        *drop_down,
             const char * const *vocabulary)
{
  guint selected;

  if (drop_down == NULL)
    return NULL;

  selected = gtk_drop_down_get_selected (drop_down);
  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
      selected > g_strv_length ((char **) vocabulary))
    return NULL;

  return vocabulary[selected - 1];
}

static void
show_results (CdmSearchPage *self,
              GPtrArray     *hits)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < hits->len; i++)
    g_ptr_array_add (items, cdm_hit_new (g_ptr_array_index (hits, i)));

  g_list_store_splice (self->hits, 0, g_list_model_get_n_items (G_LIST_MODEL (self->hits)),
                       items->pdata, items->len);
  gtk_stack_set_visible_child_name (self->results_stack, hits->len > 0 ? "results" : "none");
  if (hits->len > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
}

static void
on_search_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CdmSearchPage) self = user_data;
  g_autoptr(GPtrArray) hits = NULL;
  g_autoptr(GError) error = NULL;

  if (self->entity == CDM_ENTITY_RESOURCE)
    hits = cdm_search_resources_finish (CDM_STORE (source), result, &error);
  else
    hits = cdm_search_finish (CDM_STORE (source), result, &error);
  /* A newer keystroke replaced this search: its results are the ones to
   * show, and they are on their way. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (hits == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->results_stack, "error");
      return;
    }

  show_results (self, hits);
}

static void
on_search_entry_search_changed (CdmSearchPage  *self,
                                GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  CdmResourceFilter filter = {
    .kind = filter_code (self->filter_kind, cdm_resource_kinds),
    .theme = filter_code (self->filter_theme, cdm_themes),
    .language = filter_code (self->filter_language, content_languages),
    .audience = filter_code (self->filter_audience, cdm_audiences),
  };
  gboolean filtered = filter.kind != NULL || filter.theme != NULL ||
                      filter.language != NULL || filter.audience != NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->store == NULL)
    return;

  /* With a filter chosen and nothing typed, the library lists what
   * passes it, so that a person can browse the job sheets. */
  if (text[0] == '\0' && !filtered)
    {
      g_list_store_remove_all (self->hits);
      gtk_stack_set_visible_child_name (self->results_stack, "start");
      return;
    }

  self->cancellable = g_cancellable_new ();
  if (self->entity == CDM_ENTITY_RESOURCE)
    cdm_search_resources_async (self->store, text, &filter, MAX_HITS, self->cancellable,
                                on_search_done, g_object_ref (self));
  else
    cdm_search_async (self->store, self->entity, text, MAX_HITS, self->cancellable,
                      on_search_done, g_object_ref (self));
}

static void
on_filter_changed (CdmSearchPage *self)
{
  on_search_entry_search_changed (self, self->search_entry);
}

/* A drop-down of "All …" then the labels of @vocabulary. */
static GtkDropDown *
add_filter (CdmSearchPage      *self,
            const char         *name,
            const char         *all,
            const char         *field,
            const char * const *vocabulary)
{
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  GtkWidget *drop_down;

  gtk_string_list_append (strings, all);
  for (guint i = 0; vocabulary[i] != NULL; i++)
    {
      if (field != NULL)
        gtk_string_list_append (strings, cdm_label_for_code (field, vocabulary[i]));
      else if (g_str_equal (vocabulary[i], "fr"))
        gtk_string_list_append (strings, _("French"));
      else if (g_str_equal (vocabulary[i], "nl"))
        gtk_string_list_append (strings, _("Dutch"));
      else
        gtk_string_list_append (strings, _("English"));
    }

  drop_down = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&strings)), NULL);
  gtk_widget_set_name (drop_down, name);
  gtk_widget_set_tooltip_text (drop_down, all);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, all,
                                  -1);
  g_signal_connect_swapped (drop_down, "notify::selected", G_CALLBACK (on_filter_changed), self);
  gtk_box_append (self->filter_box, drop_down);

  return GTK_DROP_DOWN (drop_down);
}

/* The new partner shows in the list at once when it matches the search. */
static void
on_partner_saved (CdmSearchPage *self,
                  const char    *id)
{
  on_search_entry_search_changed (self, self->search_entry);
}

static void
new_partner_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CdmSearchPage *self = CDM_SEARCH_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  CdmPartnerEditor *editor;

  if (self->store == NULL || self->entity != CDM_ENTITY_ORGANISATION)
    return;

  editor = cdm_partner_editor_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store, NULL);
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_partner_saved), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

/* Names show in the new order: the same search again. */
static void
on_content_order_changed (CdmSearchPage *self)
{
  if (self->store != NULL)
    on_search_entry_search_changed (self, self->search_entry);
}

static void
on_search_entry_stop_search (CdmSearchPage  *self,
                             GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

/* Enter, or a click, on a hit. */
static void
on_list_view_activate (GtkListView   *list_view,
                       guint          position,
                       CdmSearchPage *self)
{
  g_autoptr(CdmHit) hit = g_list_model_get_item (G_LIST_MODEL (self->hits), position);

  if (hit != NULL)
    g_signal_emit (self, signals[HIT_ACTIVATED], 0, hit);
}

static void
on_factory_setup (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *tag = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);

  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (title, "heading");

  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (detail, "dim-label");

  /* A partner that no longer works with the centre stays findable (its
   * past referrals name it) but reads as such. */
  gtk_widget_set_name (tag, "inactive-tag");
  gtk_widget_add_css_class (tag, "caption");
  gtk_widget_add_css_class (tag, "dim-label");
  gtk_widget_set_valign (tag, GTK_ALIGN_BASELINE);
  gtk_widget_set_hexpand (title, TRUE);

  gtk_box_append (GTK_BOX (line), title);
  gtk_box_append (GTK_BOX (line), tag);
  gtk_box_append (GTK_BOX (box), line);
  gtk_box_append (GTK_BOX (box), detail);
  gtk_list_item_set_child (item, box);
}

static void
on_factory_bind (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  CdmHit *hit = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *line = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_first_child (line);
  GtkWidget *tag = gtk_widget_get_next_sibling (title);
  GtkWidget *detail = gtk_widget_get_next_sibling (line);
  const char *detail_text = cdm_hit_get_detail (hit);
  gboolean inactive = cdm_hit_get_inactive (hit);

  gtk_label_set_text (GTK_LABEL (title), cdm_hit_get_title (hit));
  /* French and Dutch agree the word with "partner" or "resource". */
  gtk_label_set_text (GTK_LABEL (tag), cdm_hit_get_entity (hit) == CDM_ENTITY_RESOURCE
                                       ? C_("resource", "Inactive") : C_("partner", "Inactive"));
  gtk_widget_set_visible (tag, inactive);
  if (inactive)
    gtk_widget_add_css_class (title, "dim-label");
  else
    gtk_widget_remove_css_class (title, "dim-label");
  gtk_label_set_text (GTK_LABEL (detail), detail_text != NULL ? detail_text : "");
  gtk_widget_set_visible (detail, detail_text != NULL);
}

static void
cdm_search_page_constructed (GObject *object)
{
  CdmSearchPage *self = CDM_SEARCH_PAGE (object);
  const char *placeholder;

  G_OBJECT_CLASS (cdm_search_page_parent_class)->constructed (object);

  if (g_strcmp0 (self->kind, "library") == 0)
    {
      self->entity = CDM_ENTITY_RESOURCE;
      placeholder = _("Search the library");
      adw_status_page_set_title (self->start_page, _("Search the Library"));
      adw_status_page_set_description (self->start_page,
                                       _("Type words of a title, an author or a subject: "
                                         "books, job sheets, videos and websites appear as you type. "
                                         "Choose a kind, a theme, a language or an audience "
                                         "to narrow the list, or to browse it."));
      self->filter_kind = add_filter (self, "filter-kind", _("All kinds"),
                                      "resource_kind", cdm_resource_kinds);
      self->filter_theme = add_filter (self, "filter-theme", _("All themes"),
                                       "themes", cdm_themes);
      self->filter_language = add_filter (self, "filter-language", _("All languages"),
                                          NULL, content_languages);
      self->filter_audience = add_filter (self, "filter-audience", _("All audiences"),
                                          "audience", cdm_audiences);
      gtk_widget_set_visible (GTK_WIDGET (self->filter_box), TRUE);
    }
  else
    {
      self->entity = CDM_ENTITY_ORGANISATION;
      placeholder = _("Search partners");
      adw_status_page_set_title (self->start_page, _("Search Partners"));
      adw_status_page_set_description (self->start_page,
                                       _("Type a name, an acronym or a subject: "
                                         "the partners appear as you type."));
      gtk_widget_set_visible (self->new_partner_button, TRUE);
    }

  g_object_set (self->search_entry, "placeholder-text", placeholder, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, placeholder,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Results"),
                                  -1);
}

static void
cdm_search_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CdmSearchPage *self = CDM_SEARCH_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_free (self->kind);
      self->kind = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cdm_search_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CdmSearchPage *self = CDM_SEARCH_PAGE (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cdm_search_page_dispose (GObject *object)
{
  CdmSearchPage *self = CDM_SEARCH_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->hits);

  /* A plain GtkWidget must let go of its children itself. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  gtk_widget_dispose_template (GTK_WIDGET (self), CDM_TYPE_SEARCH_PAGE);

  G_OBJECT_CLASS (cdm_search_page_parent_class)->dispose (object);
}

static void
cdm_search_page_finalize (GObject *object)
{
  CdmSearchPage *self = CDM_SEARCH_PAGE (object);

  g_free (self->kind);

  G_OBJECT_CLASS (cdm_search_page_parent_class)->finalize (object);
}

static void
cdm_search_page_class_init (CdmSearchPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = cdm_search_page_constructed;
  object_class->set_property = cdm_search_page_set_property;
  object_class->get_property = cdm_search_page_get_property;
  object_class->dispose = cdm_search_page_dispose;
  object_class->finalize = cdm_search_page_finalize;

  properties[PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, "partners",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CdmSearchPage::hit-activated:
   * @hit: the CdmHit
   *
   * A person chose a hit, to see it in full.
   */
  signals[HIT_ACTIVATED] =
    g_signal_new ("hit-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, CDM_TYPE_HIT);

  gtk_widget_class_set_template_from_resource (widget_class, "/brussels/cdm_bp/Desk/cdm-search-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CdmSearchPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CdmSearchPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, CdmSearchPage, start_page);
  gtk_widget_class_bind_template_child (widget_class, CdmSearchPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, CdmSearchPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, CdmSearchPage, filter_box);
  gtk_widget_class_bind_template_child (widget_class, CdmSearchPage, new_partner_button);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_stop_search);

  gtk_widget_class_install_action (widget_class, "search.new-partner", NULL, new_partner_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_N, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "search.new-partner", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cdm_search_page_init (CdmSearchPage *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Enabled for partners once there is a store to write to. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "search.new-partner", FALSE);

  /* The search answers in a few milliseconds and each keystroke cancels
   * the previous one: no need for GtkSearchEntry's 150 ms wait. */
  gtk_search_entry_set_search_delay (self->search_entry, 0);

  self->hits = g_list_store_new (CDM_TYPE_HIT);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->hits)));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_factory_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (on_factory_bind), NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_single_click_activate (self->list_view, TRUE);
  g_signal_connect (self->list_view, "activate", G_CALLBACK (on_list_view_activate), self);
  g_signal_connect_object (cdm_content_order_get_notifier (), "changed",
                           G_CALLBACK (on_content_order_changed), self, G_CONNECT_SWAPPED);
}

void
cdm_search_page_set_store (CdmSearchPage *self,
                           CdmStore      *store)
{
  g_return_if_fail (CDM_IS_SEARCH_PAGE (self));
  g_return_if_fail (store == NULL || CDM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "search.new-partner",
                                 store != NULL && self->entity == CDM_ENTITY_ORGANISATION);

  on_search_entry_search_changed (self, self->search_entry);
}

void
cdm_search_page_focus_entry (CdmSearchPage *self)
{
  g_return_if_fail (CDM_IS_SEARCH_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}
