#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-api-doc-node.sh SRCDIR: with a Node.js too old for the API linter
# first in PATH, tests/test-api-doc.sh fails at once with one line that
# says which Node.js is there and which is needed (not a skip, and not
# Redocly's own errors); tools/api-lint/check-node.sh accepts the versions
# the linter's lock file allows and refuses the others.
set -u
src=${1:?usage: test-api-doc-node.sh SRCDIR}
check=$src/tools/api-lint/check-node.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fake_node () {
  printf '#!/bin/sh\necho %s\n' "$1" >"$tmp/node"
  chmod +x "$tmp/node"
}

echo "1..3"

fake_node v18.19.0
out=$(PATH="$tmp:$PATH" sh "$src/tests/test-api-doc.sh" "$src" 2>&1)
status=$?
if [ $status -ne 0 ] &&
   printf '%s\n' "$out" | grep -q '^Bail out! The API linter (tools/api-lint) needs Node.js 20.19 or later (20.x), or 22.12 or later; .*node is Node.js 18.19.0: install a newer one'; then
  echo "ok 1 - an old Node.js: the api-doc test fails and says what is needed"
else
  printf '%s\n' "$out" | sed 's/^/# /'
  echo "not ok 1 - an old Node.js: the api-doc test fails and says what is needed"
fi

bad=""
for v in v18.19.0 v20.18.1 v21.7.3 v22.11.0 v0.10.48 something; do
  fake_node "$v"
  if sh "$check" "$tmp/node" >/dev/null; then
    bad="$bad $v"
  fi
done
if [ -z "$bad" ]; then
  echo "ok 2 - versions the linter does not support are refused"
else
  echo "not ok 2 - versions the linter does not support are refused (accepted:$bad)"
fi

bad=""
for v in v20.19.0 v20.20.2 v22.12.0 v23.1.0 v24.11.1; do
  fake_node "$v"
  if ! out=$(sh "$check" "$tmp/node") || [ -n "$out" ]; then
    bad="$bad $v"
  fi
done
if [ -z "$bad" ]; then
  echo "ok 3 - versions the linter supports are accepted, silently"
else
  echo "not ok 3 - versions the linter supports are accepted, silently (refused:$bad)"
fi
