#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest is valid JSON and agrees with the meson project.

It cannot be built here (no GNOME runtime), so this checks what can drift:
the app id, the command, the build system and the source path.
Usage: test-flatpak.py SOURCE_ROOT APP_ID
"""
import json
import os
import sys

root, app_id = sys.argv[1], sys.argv[2]
path = os.path.join(root, "flatpak", app_id + ".json")
problems = []

try:
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
except (OSError, ValueError) as e:
    print(f"{path}: {e}")
    sys.exit(1)

if manifest.get("id") != app_id:
    problems.append(f"id is {manifest.get('id')!r}, the project's app id is {app_id!r}")
if manifest.get("command") != "cdm-desk":
    problems.append(f"command is {manifest.get('command')!r}, the desk's executable is 'cdm-desk'")
for key in ("runtime", "runtime-version", "sdk", "modules"):
    if key not in manifest:
        problems.append(f"no {key!r}")

modules = manifest.get("modules", [])
ours = [m for m in modules if isinstance(m, dict) and m.get("name") == "cdm-desk"]
if len(ours) != 1:
    problems.append("no single module named 'cdm-desk'")
else:
    module = ours[0]
    if module.get("buildsystem") != "meson":
        problems.append("the cdm-desk module is not built with meson")
    dirs = [s.get("path") for s in module.get("sources", []) if s.get("type") == "dir"]
    if not dirs or not os.path.isfile(os.path.join(root, "flatpak", dirs[0], "meson.build")):
        problems.append("the cdm-desk module's source is not the project's top folder")
    if module is not modules[-1]:
        problems.append("the cdm-desk module must come last, after what it depends on")

for p in problems:
    print(f"{path}: {p}")
sys.exit(1 if problems else 0)
