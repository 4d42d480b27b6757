#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# check-node.sh [NODE]: whether NODE (default: node in PATH) can run the
# API linter of tools/api-lint.  Its Redocly CLI needs Node.js 20.19 or
# later in the 20 series, or 22.12 or later (package-lock.json, "engines");
# an older one fails at run time with errors that do not say so.  Debian
# 12's own nodejs is 18.
#
# Silent with exit status 0 when it can; otherwise prints one line saying
# what is there and what is needed, and exits 1.  tools/install-deps and
# tests/test-api-doc.sh both ask it, so that the message is the same.
set -u

node=${1:-node}
needed="Node.js 20.19 or later (20.x), or 22.12 or later"

if ! path=$(command -v "$node" 2>/dev/null) || [ -z "$path" ]; then
  echo "The API linter (tools/api-lint) needs $needed, and this machine has no Node.js: install one, put it first in PATH, then run tools/install-deps test"
  exit 1
fi

version=$("$path" --version 2>/dev/null)
version=${version#v}
major=${version%%.*}
rest=${version#*.}
minor=${rest%%.*}
case "$major.$minor" in
  *[!0-9.]*|.*|*.)
    echo "The API linter (tools/api-lint) needs $needed; $path does not say which version it is (“$version”): install one, put it first in PATH, then run tools/install-deps test"
    exit 1
    ;;
esac

if { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; } ||
   { [ "$major" -eq 22 ] && [ "$minor" -ge 12 ]; } ||
   [ "$major" -gt 22 ]; then
  exit 0
fi

echo "The API linter (tools/api-lint) needs $needed; $path is Node.js $version: install a newer one, put it first in PATH, then run tools/install-deps test"
exit 1
