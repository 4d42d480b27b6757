#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-po.sh SRCDIR: the translations are complete and po/POTFILES.in is
# right, so that no counsellor meets an English string in a French or
# Dutch desk.
#
#  - po/POTFILES.in lists every file of src/ and data/ that has a
#    translatable string, and nothing that does not exist;
#  - po/LINGUAS and the po/*.po files name the same languages;
#  - every po/*.po passes `msgfmt --check`, and once merged with the
#    strings the sources have today it has no fuzzy and no untranslated
#    message (a string added to the code and not yet translated fails).
set -eu

srcdir=${1:?usage: test-po.sh SRCDIR}
cd "$srcdir"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
# Everything goes to stdout so that the log reads in order.
exec 2>&1
fail () {
  echo "FAIL: $*"
  status=1
}

# The keywords of meson's "glib" gettext preset (po/meson.build).
xgettext_args="--from-code=UTF-8 --no-wrap --keyword=_ --keyword=N_
  --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dcgettext:2
  --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3"

# --- po/POTFILES.in ------------------------------------------------------

sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' po/POTFILES.in | sort -u >"$tmp/listed"
while read -r f; do
  [ -f "$f" ] || fail "po/POTFILES.in lists $f, which does not exist"
done <"$tmp/listed"

# Ask xgettext itself which files carry messages: a "_(" in a comment is
# not a string to translate, a string in a .ui file is.
find src data -type f \( -name '*.c' -o -name '*.h' -o -name '*.ui' \
     -o -name '*.desktop.in' -o -name '*.metainfo.xml.in' -o -name '*.gschema.xml' \) \
     2>/dev/null | sort >"$tmp/candidates"
: >"$tmp/marked"
if [ -s "$tmp/candidates" ]; then
  # shellcheck disable=SC2086
  xgettext $xgettext_args --files-from="$tmp/candidates" -o "$tmp/all.pot" 2>"$tmp/xgettext.log" \
    || { cat "$tmp/xgettext.log"; fail "xgettext could not read the sources"; }
  if [ -f "$tmp/all.pot" ]; then
    sed -n 's/^#: //p' "$tmp/all.pot" | tr ' ' '\n' | sed 's/:[0-9]*$//' | sort -u >"$tmp/marked"
  fi
fi
while read -r f; do
  grep -qxF "$f" "$tmp/listed" || fail "$f has translatable strings but is not in po/POTFILES.in"
done <"$tmp/marked"

# --- po/LINGUAS ----------------------------------------------------------

sed -e 's/#.*//' po/LINGUAS | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -u >"$tmp/linguas"
while read -r lang; do
  [ -f "po/$lang.po" ] || fail "po/LINGUAS lists $lang but po/$lang.po does not exist"
done <"$tmp/linguas"
for po in po/*.po; do
  [ -f "$po" ] || continue
  lang=$(basename "$po" .po)
  grep -qxF "$lang" "$tmp/linguas" || fail "$po exists but po/LINGUAS does not list $lang"
done

# --- each translation ----------------------------------------------------

# The template the sources give today, from the files POTFILES.in lists.
: >"$tmp/potfiles"
while read -r f; do
  [ -f "$f" ] && echo "$f" >>"$tmp/potfiles"
done <"$tmp/listed"
# shellcheck disable=SC2086
xgettext $xgettext_args --files-from="$tmp/potfiles" --force-po -o "$tmp/current.pot" \
  2>"$tmp/xgettext.log" || { cat "$tmp/xgettext.log"; fail "xgettext could not read po/POTFILES.in's files"; }

for po in po/*.po; do
  [ -f "$po" ] || continue
  # Header warnings are shown; errors (bad syntax, a format string that
  # does not match its msgid) fail.
  if ! msgfmt --check -o /dev/null "$po"; then
    fail "$po: msgfmt --check refuses it"
    continue
  fi
  merged="$tmp/$(basename "$po")"
  if ! msgmerge --quiet --no-fuzzy-matching -o "$merged" "$po" "$tmp/current.pot"; then
    fail "$po: msgmerge failed"
    continue
  fi
  # "N translated messages, N fuzzy translations, N untranslated messages."
  stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$merged" 2>&1 | tail -n 1)
  echo "$po: $stats"
  case "$stats" in
    *fuzzy*|*untranslated*)
      fail "$po is incomplete against the current sources ($stats)"
      { LC_ALL=C msgattrib --no-wrap --only-fuzzy --no-obsolete "$merged" | sed -n '/^msgid ""$/d; s/^msgid /  fuzzy: /p'
        LC_ALL=C msgattrib --no-wrap --untranslated --no-obsolete "$merged" | sed -n '/^msgid ""$/d; s/^msgid /  untranslated: /p'
      } >"$tmp/missing"
      head -n 10 "$tmp/missing"
      more=$(($(wc -l <"$tmp/missing") - 10))
      [ "$more" -le 0 ] || echo "  … and $more more"
      ;;
  esac
done

exit $status
