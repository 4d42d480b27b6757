/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: cdm-desk, the desk app. */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cdm-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CdmApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* CDM_LOCALEDIR: the translations of a build tree (tools/run-demo). */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("CDM_LOCALEDIR") != NULL ? g_getenv ("CDM_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = cdm_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
