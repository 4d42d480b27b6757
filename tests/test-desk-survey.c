/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-desk-survey.c: the satisfaction survey in a real window.
 *
 * Runs under Xvfb (see tests/meson.build) on a demo store in a fresh
 * temporary folder.  An answer given with the form's buttons must be
 * saved as one "satisfaction" record with exactly those answers, and the
 * form must come back empty; no score, no answer; a kiosk refuses to
 * close until it is left on purpose.  Screenshots of the form at
 * 1366×768 and 800×600, light and dark, go to screenshots/.
 */

#include "config.h"

#include <adwaita.h>

#include "cdm-application.h"
#include "cdm-desk-test-util.h"
#include "cdm-store.h"
#include "cdm-survey-window.h"
#include "cdm-window.h"

static CdmApplication *app;
static char *store_dir;
static char *store_path;

static gboolean
store_is_open (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "log-contact");
}

static gboolean
survey_shown (gpointer data)
{
  return cdm_desk_test_find_toplevel (CDM_TYPE_SURVEY_WINDOW) != NULL;
}

static CdmSurveyWindow *
open_survey (const char *action)
{
  CdmWindow *window = cdm_desk_test_get_window (app);

  cdm_desk_test_wait_until (store_is_open, window, 30, "the desk to open its store");
  g_action_group_activate_action (G_ACTION_GROUP (app), action, NULL);
  cdm_desk_test_wait_until (survey_shown, NULL, 10, "the survey");
  return CDM_SURVEY_WINDOW (cdm_desk_test_find_toplevel (CDM_TYPE_SURVEY_WINDOW));
}

static gboolean
collect (JsonObject *record,
         gpointer    user_data)
{
  g_ptr_array_add (user_data, json_object_ref (record));
  return TRUE;
}

/* The survey answers in the store, read through a connection of their own. */
static GPtrArray *
stored_answers (void)
{
  g_autoptr(CdmStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  store = cdm_store_open (store_path, &error);
  g_assert_no_error (error);
  g_assert_true (cdm_store_foreach (store, CDM_ENTITY_SATISFACTION, FALSE, collect, records, NULL, &error));
  g_assert_no_error (error);
  return records;
}

static void
click (GtkWidget  *root,
       const char *name)
{
  GtkWidget *button = cdm_desk_test_get_named (root, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  /* What a tap does: the toggle flips, its handlers run. */
  if (GTK_IS_TOGGLE_BUTTON (button))
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button),
                                  !gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (button)));
  else
    g_signal_emit_by_name (button, "clicked");
}

static gboolean
is_active (GtkWidget  *root,
           const char *name)
{
  return gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (cdm_desk_test_get_named (root, name)));
}

typedef struct {
  CdmSurveyWindow *survey;
  guint n;
} SavedWait;

static gboolean
answer_saved (gpointer data)
{
  SavedWait *wait = data;

  return cdm_survey_window_get_n_saved (wait->survey) == wait->n;
}

static gboolean
form_is_back (gpointer data)
{
  GtkWidget *survey = data;

  return gtk_widget_get_mapped (cdm_desk_test_get_named (survey, "survey-submit")) &&
         !is_active (survey, "survey-score-8");
}

/* Whether a visible label under @root has a text. */
static gboolean
has_label_inside (GtkWidget *root)
{
  if (!gtk_widget_get_visible (root))
    return FALSE;
  if (GTK_IS_LABEL (root) && gtk_label_get_text (GTK_LABEL (root))[0] != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (has_label_inside (child))
      return TRUE;
  return FALSE;
}

/* Every control a screen reader reaches under @root has a name: a label,
 * a tooltip, an accessible label or its row's title (the rule of
 * test-desk-a11y.c, for the windows that test does not open). */
static void
assert_controls_named (GtkWidget *root)
{
  GtkWidget *row;

  /* Window controls and toasts are named by GTK and libadwaita. */
  if (!gtk_widget_get_mapped (root) || GTK_IS_WINDOW_CONTROLS (root) ||
      g_str_equal (G_OBJECT_TYPE_NAME (root), "AdwToastWidget"))
    return;
  if (GTK_IS_BUTTON (root) || GTK_IS_DROP_DOWN (root) || ADW_IS_COMBO_ROW (root) || ADW_IS_ENTRY_ROW (root))
    {
      const char *tooltip = gtk_widget_get_tooltip_text (root);

      row = ADW_IS_PREFERENCES_ROW (root) ? root : NULL;
      if (!(gtk_test_accessible_has_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL) ||
            (tooltip != NULL && tooltip[0] != '\0') ||
            (GTK_IS_BUTTON (root) && has_label_inside (root)) ||
            (row != NULL && adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row))[0] != '\0')))
        g_error ("%s \"%s\" in %s has no accessible name", G_OBJECT_TYPE_NAME (root), gtk_widget_get_name (root),
                 G_OBJECT_TYPE_NAME (gtk_widget_get_parent (root)));
      if (!GTK_IS_BUTTON (root))
        return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    assert_controls_named (child);
}

static void
test_answer (void)
{
  CdmSurveyWindow *survey = open_survey ("survey");
  GtkWidget *root = GTK_WIDGET (survey);
  g_autoptr(GPtrArray) before = stored_answers ();
  g_autoptr(GPtrArray) after = NULL;
  JsonObject *answer, *profile;
  SavedWait wait = { survey, 1 };

  cdm_survey_window_set_reset_delay (survey, 1500);
  g_assert_false (cdm_survey_window_get_kiosk (survey));
  assert_controls_named (root);

  /* No score yet: nothing to submit. */
  g_assert_false (gtk_widget_is_sensitive (cdm_desk_test_get_named (root, "survey-submit")));

  click (root, "survey-score-3");
  click (root, "survey-score-8");
  /* One score at a time. */
  g_assert_false (is_active (root, "survey-score-3"));
  g_assert_true (is_active (root, "survey-score-8"));
  click (root, "survey-recommend-yes");
  click (root, "survey-found-yes");
  click (root, "survey-found-no");
  click (root, "survey-frequency-occasional");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (cdm_desk_test_get_named (root, "survey-profile")), TRUE);
  /* The first answer is "Prefer not to say"; the second a woman, then
   * the age band 25 to 29. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (root, "survey-profile-gender")), 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (root, "survey-profile-age_band")), 3);

  cdm_desk_test_resize (root, 1366, 768);
  cdm_desk_test_save_screenshot (root, "survey-1366x768");
  cdm_desk_test_resize (root, 800, 600);
  cdm_desk_test_save_screenshot (root, "survey-800x600");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  cdm_desk_test_settle (0.3);
  cdm_desk_test_save_screenshot (root, "survey-dark-800x600");
  cdm_desk_test_resize (root, 1366, 768);
  cdm_desk_test_save_screenshot (root, "survey-dark-1366x768");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  click (root, "survey-submit");
  cdm_desk_test_wait_until (answer_saved, &wait, 30, "the answer to be saved");
  g_assert_true (gtk_widget_get_mapped (cdm_desk_test_get_named (root, "survey-thanks")));
  /* Once the thanks have faded in. */
  cdm_desk_test_settle (0.5);
  cdm_desk_test_save_screenshot (root, "survey-thanks-1366x768");

  after = stored_answers ();
  g_assert_cmpuint (after->len, ==, before->len + 1);
  answer = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpint (json_object_get_int_member (answer, "score"), ==, 8);
  g_assert_true (json_object_get_boolean_member (answer, "recommend"));
  g_assert_false (json_object_get_boolean_member (answer, "found"));
  g_assert_cmpstr (json_object_get_string_member (answer, "frequency"), ==, "occasional");
  profile = json_object_get_object_member (answer, "profile");
  g_assert_cmpstr (json_object_get_string_member (profile, "gender"), ==, "f");
  g_assert_cmpstr (json_object_get_string_member (profile, "age_band"), ==, "25_29");
  g_assert_true (json_object_get_null_member (profile, "region"));

  /* A few moments later, an empty form for the next visitor. */
  cdm_desk_test_wait_until (form_is_back, survey, 10, "an empty form");
  g_assert_false (is_active (root, "survey-recommend-yes"));
  g_assert_false (is_active (root, "survey-found-no"));
  g_assert_false (is_active (root, "survey-frequency-occasional"));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (cdm_desk_test_get_named (root, "survey-profile-gender"))), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (cdm_desk_test_get_named (root, "survey-submit")));

  /* Only the score is required; a second tap takes an answer back. */
  click (root, "survey-score-10");
  click (root, "survey-recommend-no");
  click (root, "survey-recommend-no");
  wait.n = 2;
  click (root, "survey-submit");
  cdm_desk_test_wait_until (answer_saved, &wait, 30, "the second answer to be saved");
  g_ptr_array_unref (after);
  after = stored_answers ();
  g_assert_cmpuint (after->len, ==, before->len + 2);
  answer = g_ptr_array_index (after, after->len - 1);
  g_assert_cmpint (json_object_get_int_member (answer, "score"), ==, 10);
  g_assert_true (json_object_get_null_member (answer, "recommend"));

  gtk_window_destroy (GTK_WINDOW (survey));
}

static void
test_no_score (void)
{
  CdmSurveyWindow *survey = open_survey ("survey");
  g_autoptr(GPtrArray) before = stored_answers ();
  g_autoptr(GPtrArray) after = NULL;

  click (GTK_WIDGET (survey), "survey-recommend-yes");
  /* Submit is refused without a score, even by its action. */
  gtk_widget_activate_action (GTK_WIDGET (survey), "survey.submit", NULL);
  cdm_desk_test_settle (0.5);
  g_assert_cmpuint (cdm_survey_window_get_n_saved (survey), ==, 0);
  after = stored_answers ();
  g_assert_cmpuint (after->len, ==, before->len);
  gtk_window_destroy (GTK_WINDOW (survey));
}

static gboolean
survey_gone (gpointer data)
{
  return cdm_desk_test_find_toplevel (CDM_TYPE_SURVEY_WINDOW) == NULL;
}

static void
test_kiosk (void)
{
  CdmSurveyWindow *survey = open_survey ("survey-kiosk");

  g_assert_true (cdm_survey_window_get_kiosk (survey));
  /* No close button, and closing is refused. */
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (survey)));
  gtk_window_close (GTK_WINDOW (survey));
  cdm_desk_test_settle (0.3);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (survey)));
  g_assert_true (gtk_widget_get_mapped (cdm_desk_test_get_named (GTK_WIDGET (survey), "survey-leave")));
  cdm_desk_test_save_screenshot (GTK_WIDGET (survey), "survey-kiosk");

  /* Leaving on purpose closes it. */
  cdm_survey_window_leave (survey);
  cdm_desk_test_wait_until (survey_gone, NULL, 10, "the kiosk to close");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  cdm_desk_test_init (&argc, &argv);

  store_dir = cdm_desk_test_make_store_dir ("cdm-desk-survey-XXXXXX", &store_path);
  cdm_desk_test_fill_demo (store_path);

  app = cdm_desk_test_new_application ("brussels.cdm_bp.Desk.Test");

  g_test_add_func ("/desk/survey/answer", test_answer);
  g_test_add_func ("/desk/survey/no-score", test_no_score);
  g_test_add_func ("/desk/survey/kiosk", test_kiosk);

  status = g_test_run ();

  cdm_desk_test_close_application (&app);

  cdm_desk_test_remove_dir (store_dir);
  g_free (store_path);
  g_free (store_dir);

  return status;
}
