#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-api-doc.sh SRCDIR: lints docs/api/openapi.yaml with Redocly's strict
# rules, then shows that tools/api-lint/check-responses.mjs, which the
# server suite runs over every answer it got, accepts answers that follow
# the description and refuses those that don't.
set -u
src=$1
lint=$src/tools/api-lint
spec=$src/docs/api/openapi.yaml

echo "1..3"
# A Node.js too old for Redocly fails with errors that do not say so.
if ! message=$(sh "$lint/check-node.sh"); then
  echo "Bail out! $message"
  exit 1
fi
if [ ! -x "$lint/node_modules/.bin/redocly" ]; then
  echo "Bail out! tools/api-lint's packages are missing: run tools/install-deps test"
  exit 1
fi

if out=$("$lint/node_modules/.bin/redocly" lint --format=stylish \
           --config "$lint/redocly.yaml" "$spec" 2>&1); then
  echo "ok 1 - docs/api/openapi.yaml passes the strict lint"
else
  printf '%s\n' "$out" | grep -v '[║╔╚]' | sed 's/^/# /'
  echo "not ok 1 - docs/api/openapi.yaml passes the strict lint"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
id=6f1c1b1e-9a8e-4c4e-8d0e-1f2a3b4c5d6e

cat >"$tmp/good.jsonl" <<JSON
{"method":"GET","path":"/api/v1/health","status":200,"content_type":"application/json","body":{"status":"ok","schema_version":2}}
{"method":"POST","path":"/api/v1/auth/login","status":401,"content_type":"application/json","body":{"error":{"code":"bad_credentials","message":"Wrong login or password."}}}
{"method":"GET","path":"/api/v1/auth/me","status":200,"content_type":"application/json","body":{"id":"$id","login":"ana","role":"counsellor","organisation":null}}
{"method":"POST","path":"/api/v1/auth/logout","status":204,"content_type":null,"body":null}
{"method":"GET","path":"/api/v1/sync/pull?cursor=0","status":200,"content_type":"application/json","body":{"changes":[],"cursor":0,"more":false}}
{"method":"DELETE","path":"/api/v1/admin/users","status":405,"content_type":"application/json","body":{"error":{"code":"method_not_allowed","message":"DELETE is not allowed here."}}}
JSON
if out=$(node "$lint/check-responses.mjs" "$spec" "$tmp/good.jsonl" 2>&1); then
  echo "ok 2 - answers that follow the description pass"
else
  printf '%s\n' "$out" | sed 's/^/# /'
  echo "not ok 2 - answers that follow the description pass"
fi

# Each line breaks the description in its own way: a password in a user,
# a cursor that is a string, an undocumented 500, an error without JSON.
cat >"$tmp/bad.jsonl" <<JSON
{"method":"GET","path":"/api/v1/auth/me","status":200,"content_type":"application/json","body":{"id":"$id","login":"ana","role":"counsellor","password":"secret"}}
{"method":"GET","path":"/api/v1/sync/pull?cursor=0","status":200,"content_type":"application/json","body":{"changes":[],"cursor":"0","more":false}}
{"method":"GET","path":"/api/v1/figures?year=2020","status":500,"content_type":"application/json","body":{"error":{"code":"internal","message":"oops"}}}
{"method":"GET","path":"/api/v1/sync/cursor","status":401,"content_type":"text/plain","body":null}
JSON
out=$(node "$lint/check-responses.mjs" "$spec" "$tmp/bad.jsonl" 2>&1)
if [ $? -eq 1 ] && printf '%s\n' "$out" | grep -q '4 exchanges, .* 4 failures'; then
  echo "ok 3 - answers that break the description are each refused"
else
  printf '%s\n' "$out" | sed 's/^/# /'
  echo "not ok 3 - answers that break the description are each refused"
fi
