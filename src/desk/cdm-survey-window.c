/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cdm-survey-window.c: the anonymous satisfaction survey.
 *
 * The form is built in code: four questions answered with large toggle
 * buttons (one answer per question; a second tap on the chosen answer
 * takes it back, since only the score is required), the optional profile
 * in an expander, Submit.  Nothing identifies the visitor: the record
 * holds the day, not the time, and the desk that the store adds.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "cdm-labels.h"
#include "cdm-survey-window.h"

#define N_SCORES 11

typedef struct {
  const char *field;
  const char * const *codes;
  AdwComboRow *row;
} ProfileItem;

struct _CdmSurveyWindow
{
  AdwWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  GtkScrolledWindow *scrolled;
  AdwHeaderBar *header;
  GtkWidget *kiosk_button;
  GtkWidget *leave_button;
  GtkWidget *submit_button;
  GtkWidget *submit_bar;
  AdwExpanderRow *profile_row;

  GtkToggleButton *scores[N_SCORES];
  GtkToggleButton *recommend[2];      /* yes, no */
  GtkToggleButton *found[2];          /* yes, no */
  GtkToggleButton **frequencies;      /* one per cdm_frequencies code */
  guint n_frequencies;
  ProfileItem profile[5];

  CdmStore *store;
  GCancellable *cancellable;
  gboolean kiosk;
  gboolean leaving;
  gboolean saving;
  guint reset_delay;
  guint reset_source;
  guint n_saved;
};

G_DEFINE_FINAL_TYPE (CdmSurveyWindow, cdm_survey_window, ADW_TYPE_WINDOW)

/* The index of the active button of a set, or -1. */
static int
active_index (GtkToggleButton **buttons,
              guint             n)
{
  for (guint i = 0; i < n; i++)
    if (gtk_toggle_button_get_active (buttons[i]))
      return (int) i;
  return -1;
}

/* One answer per question: choosing one lets go of the others. */
static void
on_choice_toggled (GtkToggleButton *button,
                   gpointer         user_data)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (button));
  CdmSurveyWindow *self = user_data;

  if (gtk_toggle_button_get_active (button))
    for (GtkWidget *child = gtk_widget_get_first_child (parent);
         child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (child != GTK_WIDGET (button) && GTK_IS_TOGGLE_BUTTON (child))
        gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child), FALSE);

  /* The score is the one answer required. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "survey.submit",
                                 !self->saving && active_index (self->scores, N_SCORES) >= 0);
}

static GtkToggleButton *
add_choice (CdmSurveyWindow *self,
            GtkWidget       *box,
            const char      *label,
            const char      *accessible_label,
            const char      *name)
{
  GtkWidget *button = gtk_toggle_button_new ();
  GtkWidget *text = gtk_label_new (label);

  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_justify (GTK_LABEL (text), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (text, "title-4");
  gtk_button_set_child (GTK_BUTTON (button), text);
  gtk_widget_set_size_request (button, -1, 56);
  gtk_widget_set_hexpand (button, TRUE);
  gtk_widget_add_css_class (button, "cdm-survey-choice");
  gtk_widget_set_name (button, name);
  if (accessible_label != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_signal_connect (button, "toggled", G_CALLBACK (on_choice_toggled), self);
  gtk_box_append (GTK_BOX (box), button);
  return GTK_TOGGLE_BUTTON (button);
}

/* A question: its text above a row of answers. */
static GtkWidget *
add_question (GtkWidget  *page,
              const char *question)
{
  GtkWidget *label = gtk_label_new (question);
  GtkWidget *answers = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "title-3");
  gtk_widget_set_margin_top (label, 12);
  gtk_box_append (GTK_BOX (page), label);

  gtk_box_set_homogeneous (GTK_BOX (answers), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (answers), GTK_ACCESSIBLE_PROPERTY_LABEL, question, -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (answers), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  gtk_box_append (GTK_BOX (page), answers);
  return answers;
}

static void
reset_form (CdmSurveyWindow *self)
{
  for (guint i = 0; i < N_SCORES; i++)
    gtk_toggle_button_set_active (self->scores[i], FALSE);
  for (guint i = 0; i < 2; i++)
    {
      gtk_toggle_button_set_active (self->recommend[i], FALSE);
      gtk_toggle_button_set_active (self->found[i], FALSE);
    }
  for (guint i = 0; i < self->n_frequencies; i++)
    gtk_toggle_button_set_active (self->frequencies[i], FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (self->profile); i++)
    adw_combo_row_set_selected (self->profile[i].row, 0);
  adw_expander_row_set_expanded (self->profile_row, FALSE);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scrolled), 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "survey.submit", FALSE);
  gtk_stack_set_visible_child_name (self->stack, "form");
}

static gboolean
reset_after_thanks (gpointer user_data)
{
  CdmSurveyWindow *self = user_data;

  self->reset_source = 0;
  reset_form (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->scores[0]));
  return G_SOURCE_REMOVE;
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CdmSurveyWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  self->saving = FALSE;
  id = cdm_store_put_finish (CDM_STORE (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (id == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The answer could not be saved: %s"), error->message);

      gtk_widget_action_set_enabled (GTK_WIDGET (self), "survey.submit", TRUE);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
      return;
    }

  self->n_saved++;
  gtk_stack_set_visible_child_name (self->stack, "thanks");
  g_clear_handle_id (&self->reset_source, g_source_remove);
  self->reset_source = g_timeout_add (self->reset_delay, reset_after_thanks, self);
}

static char *
today (CdmSurveyWindow *self)
{
  g_autoptr(GTimeZone) zone = cdm_store_get_time_zone (self->store);
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);

  return g_date_time_format (now, "%Y-%m-%d");
}

static void
submit (CdmSurveyWindow *self)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(JsonObject) profile = json_object_new ();
  g_autofree char *day = NULL;
  int score = active_index (self->scores, N_SCORES);
  int recommend = active_index (self->recommend, 2);
  int found = active_index (self->found, 2);
  int frequency = active_index (self->frequencies, self->n_frequencies);

  if (self->saving || self->store == NULL || score < 0)
    return;

  day = today (self);
  json_object_set_string_member (record, "type", "satisfaction");
  json_object_set_string_member (record, "answered_on", day);
  json_object_set_int_member (record, "score", score);
  if (recommend >= 0)
    json_object_set_boolean_member (record, "recommend", recommend == 0);
  if (found >= 0)
    json_object_set_boolean_member (record, "found", found == 0);
  if (frequency >= 0)
    json_object_set_string_member (record, "frequency", cdm_frequencies[frequency]);

  for (guint i = 0; i < G_N_ELEMENTS (self->profile); i++)
    {
      guint selected = adw_combo_row_get_selected (self->profile[i].row);

      /* The first answer is "Prefer not to say". */
      if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
        json_object_set_string_member (profile, self->profile[i].field,
                                       self->profile[i].codes[selected - 1]);
    }
  if (json_object_get_size (profile) > 0)
    json_object_set_object_member (record, "profile", g_steal_pointer (&profile));

  self->saving = TRUE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "survey.submit", FALSE);
  cdm_store_put_async (self->store, CDM_ENTITY_SATISFACTION, record, self->cancellable,
                       on_saved, g_object_ref (self));
}

static void
set_kiosk (CdmSurveyWindow *self,
           gboolean         kiosk)
{
  self->kiosk = kiosk;
  adw_header_bar_set_show_end_title_buttons (self->header, !kiosk);
  adw_header_bar_set_show_start_title_buttons (self->header, !kiosk);
  gtk_widget_set_visible (self->kiosk_button, !kiosk);
  gtk_widget_set_visible (self->leave_button, kiosk);
  gtk_window_set_deletable (GTK_WINDOW (self), !kiosk);
  if (kiosk)
    gtk_window_fullscreen (GTK_WINDOW (self));
  else
    gtk_window_unfullscreen (GTK_WINDOW (self));
}

static void
on_leave_response (AdwMessageDialog *dialog,
                   const char       *response,
                   CdmSurveyWindow  *self)
{
  if (g_strcmp0 (response, "leave") == 0)
    cdm_survey_window_leave (self);
}

static void
leave_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CdmSurveyWindow *self = CDM_SURVEY_WINDOW (widget);
  GtkWidget *dialog;

  if (!self->kiosk)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Leave Kiosk Mode?"),
                                   _("Visitors can no longer answer the survey on this screen."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Stay"),
                                    "leave", _("_Leave"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "leave",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_leave_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
kiosk_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  set_kiosk (CDM_SURVEY_WINDOW (widget), TRUE);
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  submit (CDM_SURVEY_WINDOW (widget));
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CdmSurveyWindow *self = CDM_SURVEY_WINDOW (widget);

  g_clear_handle_id (&self->reset_source, g_source_remove);
  reset_after_thanks (self);
}

/* In a kiosk, the desk's shortcuts (Ctrl+N, Alt+1, Ctrl+Q, F1…) would
 * lead a visitor out of the survey: every key with Ctrl or Alt, and the
 * function keys, stop here, but for the staff's Ctrl+Shift+Q. */
static gboolean
on_kiosk_key_pressed (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      CdmSurveyWindow       *self)
{
  if (!self->kiosk)
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK)) == (GDK_CONTROL_MASK | GDK_SHIFT_MASK) &&
      gdk_keyval_to_lower (keyval) == GDK_KEY_q)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "survey.leave", NULL);
      return TRUE;
    }
  return (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0 ||
         (keyval >= GDK_KEY_F1 && keyval <= GDK_KEY_F35);
}

/* A kiosk is not closed by a visitor: only "Leave Kiosk Mode" does. */
static gboolean
cdm_survey_window_close_request (GtkWindow *window)
{
  CdmSurveyWindow *self = CDM_SURVEY_WINDOW (window);

  if (self->kiosk && !self->leaving)
    return TRUE;
  return GTK_WINDOW_CLASS (cdm_survey_window_parent_class)->close_request (window);
}

static void
cdm_survey_window_dispose (GObject *object)
{
  CdmSurveyWindow *self = CDM_SURVEY_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reset_source, g_source_remove);
  g_clear_object (&self->store);
  g_clear_pointer (&self->frequencies, g_free);

  G_OBJECT_CLASS (cdm_survey_window_parent_class)->dispose (object);
}

static void
cdm_survey_window_class_init (CdmSurveyWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cdm_survey_window_dispose;
  window_class->close_request = cdm_survey_window_close_request;

  gtk_widget_class_install_action (widget_class, "survey.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "survey.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "survey.kiosk", NULL, kiosk_action);
  gtk_widget_class_install_action (widget_class, "survey.leave", NULL, leave_action);
  /* The deliberate way out of a kiosk, for the staff. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_q, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "survey.leave", NULL);
}

static GtkWidget *
build_form (CdmSurveyWindow *self)
{
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *title = gtk_label_new (_("How satisfied are you with your visit today?"));
  GtkWidget *hint = gtk_label_new (_("Anonymous: nothing you answer identifies you."));
  GtkWidget *scores = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *ends = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *low = gtk_label_new (_("0 = not at all"));
  GtkWidget *high = gtk_label_new (_("10 = completely"));
  GtkWidget *answers, *group, *submit_box;
  const char *profile_fields[] = { "gender", "age_band", "region", "status", "education" };
  const char * const *profile_codes[] = { cdm_genders, cdm_age_bands, cdm_regions, cdm_statuses, cdm_education_levels };
  const char *profile_titles[] = {
    N_("Gender"), N_("Age"), N_("Where you live"), N_("Your situation"), N_("Education level"),
  };

  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_justify (GTK_LABEL (title), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (title, "title-1");
  gtk_box_append (GTK_BOX (page), title);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (page), hint);

  gtk_box_set_homogeneous (GTK_BOX (scores), TRUE);
  gtk_widget_set_margin_top (scores, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (scores), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Your score, from 0 to 10"), -1);
  for (guint i = 0; i < N_SCORES; i++)
    {
      g_autofree char *label = g_strdup_printf ("%u", i);
      g_autofree char *name = g_strdup_printf ("survey-score-%u", i);
      /* Translators: the accessible name of a score button */
      g_autofree char *accessible = g_strdup_printf (_("%u out of 10"), i);

      self->scores[i] = add_choice (self, scores, label, accessible, name);
      gtk_widget_set_size_request (GTK_WIDGET (self->scores[i]), 40, 64);
    }
  gtk_box_append (GTK_BOX (page), scores);

  gtk_widget_add_css_class (low, "dim-label");
  gtk_widget_add_css_class (high, "dim-label");
  gtk_widget_set_hexpand (low, TRUE);
  gtk_label_set_xalign (GTK_LABEL (low), 0);
  gtk_box_append (GTK_BOX (ends), low);
  gtk_box_append (GTK_BOX (ends), high);
  gtk_box_append (GTK_BOX (page), ends);

  answers = add_question (page, _("Would you recommend the Cité des métiers to a friend?"));
  self->recommend[0] = add_choice (self, answers, _("Yes"), _("Would recommend: yes"), "survey-recommend-yes");
  self->recommend[1] = add_choice (self, answers, _("No"), _("Would recommend: no"), "survey-recommend-no");

  answers = add_question (page, _("Did you find what you were looking for?"));
  self->found[0] = add_choice (self, answers, _("Yes"), _("Found it: yes"), "survey-found-yes");
  self->found[1] = add_choice (self, answers, _("No"), _("Found it: no"), "survey-found-no");

  answers = add_question (page, _("How often do you come?"));
  self->n_frequencies = g_strv_length ((char **) cdm_frequencies);
  self->frequencies = g_new0 (GtkToggleButton *, self->n_frequencies);
  for (guint i = 0; i < self->n_frequencies; i++)
    {
      g_autofree char *name = g_strdup_printf ("survey-frequency-%s", cdm_frequencies[i]);

      self->frequencies[i] = add_choice (self, answers, cdm_label_for_code ("frequency", cdm_frequencies[i]),
                                         NULL, name);
    }

  group = adw_preferences_group_new ();
  gtk_widget_set_margin_top (group, 18);
  self->profile_row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->profile_row), _("About you (optional)"));
  adw_expander_row_set_subtitle (self->profile_row, _("Helps the centre know whom it serves"));
  gtk_widget_set_name (GTK_WIDGET (self->profile_row), "survey-profile");
  for (guint i = 0; i < G_N_ELEMENTS (self->profile); i++)
    {
      g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
      g_autofree char *name = g_strdup_printf ("survey-profile-%s", profile_fields[i]);
      GtkWidget *row = adw_combo_row_new ();

      gtk_string_list_append (model, _("Prefer not to say"));
      for (guint c = 0; profile_codes[i][c] != NULL; c++)
        gtk_string_list_append (model, cdm_label_for_code (profile_fields[i], profile_codes[i][c]));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(profile_titles[i]));
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
      gtk_widget_set_name (row, name);
      adw_expander_row_add_row (self->profile_row, row);
      self->profile[i] = (ProfileItem) { profile_fields[i], profile_codes[i], ADW_COMBO_ROW (row) };
    }
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->profile_row));
  gtk_box_append (GTK_BOX (page), group);

  /* Submit stays in sight below the questions, however small the screen. */
  submit_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_halign (submit_box, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (submit_box, 12);
  gtk_widget_set_margin_bottom (submit_box, 12);
  self->submit_button = gtk_button_new_with_mnemonic (_("_Submit"));
  gtk_widget_set_name (self->submit_button, "survey-submit");
  gtk_widget_add_css_class (self->submit_button, "pill");
  gtk_widget_add_css_class (self->submit_button, "suggested-action");
  gtk_widget_set_size_request (self->submit_button, 240, 56);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->submit_button), "survey.submit");
  gtk_widget_set_tooltip_text (self->submit_button, _("Choose a score first"));
  gtk_box_append (GTK_BOX (submit_box), self->submit_button);
  self->submit_bar = submit_box;

  return page;
}

static GtkWidget *
build_thanks (CdmSurveyWindow *self)
{
  GtkWidget *status = adw_status_page_new ();
  GtkWidget *next = gtk_button_new_with_mnemonic (_("_New Answer"));

  gtk_widget_set_name (status, "survey-thanks");
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "emblem-ok-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _("Thank You!"));
  adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                   _("Your answer helps the centre serve you better."));
  gtk_widget_set_name (next, "survey-next");
  gtk_widget_set_halign (next, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (next, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (next), "survey.next");
  adw_status_page_set_child (ADW_STATUS_PAGE (status), next);
  return status;
}

static void
cdm_survey_window_init (CdmSurveyWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *form = build_form (self);
  GtkWidget *form_page;
  GtkEventController *keys;

  self->cancellable = g_cancellable_new ();
  self->reset_delay = CDM_SURVEY_RESET_SECONDS * 1000;

  gtk_window_set_title (GTK_WINDOW (self), _("Satisfaction Survey"));
  gtk_window_set_default_size (GTK_WINDOW (self), 900, 720);

  self->header = ADW_HEADER_BAR (adw_header_bar_new ());
  adw_header_bar_set_title_widget (self->header, adw_window_title_new (_("Satisfaction Survey"), NULL));
  self->kiosk_button = gtk_button_new_with_mnemonic (_("_Kiosk Mode"));
  gtk_widget_set_name (self->kiosk_button, "survey-kiosk");
  gtk_widget_set_tooltip_text (self->kiosk_button, _("Fill the screen for visitors, with no way to the desk"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->kiosk_button), "survey.kiosk");
  adw_header_bar_pack_start (self->header, self->kiosk_button);
  self->leave_button = gtk_button_new_from_icon_name ("application-exit-symbolic");
  gtk_widget_set_name (self->leave_button, "survey-leave");
  gtk_widget_add_css_class (self->leave_button, "flat");
  gtk_widget_set_tooltip_text (self->leave_button, _("Leave Kiosk Mode (Ctrl+Shift+Q)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->leave_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Leave Kiosk Mode"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->leave_button), "survey.leave");
  adw_header_bar_pack_end (self->header, self->leave_button);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->header));

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  gtk_widget_set_margin_top (form, 24);
  gtk_widget_set_margin_bottom (form, 24);
  gtk_widget_set_margin_start (form, 18);
  gtk_widget_set_margin_end (form, 18);
  adw_clamp_set_child (ADW_CLAMP (clamp), form);
  self->scrolled = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_policy (self->scrolled, GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (self->scrolled, clamp);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_CROSSFADE);
  form_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_vexpand (GTK_WIDGET (self->scrolled), TRUE);
  gtk_box_append (GTK_BOX (form_page), GTK_WIDGET (self->scrolled));
  gtk_box_append (GTK_BOX (form_page), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (form_page), self->submit_bar);
  gtk_stack_add_named (self->stack, form_page, "form");
  gtk_stack_add_named (self->stack, build_thanks (self), "thanks");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, box);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_kiosk_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  set_kiosk (self, FALSE);
  reset_form (self);
}

CdmSurveyWindow *
cdm_survey_window_new (GtkApplication *application,
                       CdmStore       *store,
                       gboolean        kiosk)
{
  CdmSurveyWindow *self;

  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CDM_IS_STORE (store), NULL);

  self = g_object_new (CDM_TYPE_SURVEY_WINDOW, "application", application, NULL);
  self->store = g_object_ref (store);
  if (kiosk)
    set_kiosk (self, TRUE);
  return self;
}

gboolean
cdm_survey_window_get_kiosk (CdmSurveyWindow *self)
{
  g_return_val_if_fail (CDM_IS_SURVEY_WINDOW (self), FALSE);

  return self->kiosk;
}

void
cdm_survey_window_set_reset_delay (CdmSurveyWindow *self,
                                   guint            milliseconds)
{
  g_return_if_fail (CDM_IS_SURVEY_WINDOW (self));

  self->reset_delay = milliseconds;
}

guint
cdm_survey_window_get_n_saved (CdmSurveyWindow *self)
{
  g_return_val_if_fail (CDM_IS_SURVEY_WINDOW (self), 0);

  return self->n_saved;
}

void
cdm_survey_window_leave (CdmSurveyWindow *self)
{
  g_return_if_fail (CDM_IS_SURVEY_WINDOW (self));

  self->leaving = TRUE;
  set_kiosk (self, FALSE);
  gtk_window_close (GTK_WINDOW (self));
}
