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
#    message (a string added to the code and not yet translated fails);
#  - every translator comment ("/* TRANSLATORS: …" or "/* Translators: …")
#    in those files reaches the template, where translators read it: xgettext
#    keeps a comment only when the message's string starts on the line right
#    after it (or on the same line);
#  - when itstool is installed, the same holds for the user help: each
#    language of help/LINGUAS has a help/LANG/LANG.po with no fuzzy and
#    no untranslated message against the pages of help/C/ as they are
#    today (a paragraph added to a page and not yet translated fails).
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

# The keywords of meson's "glib" gettext preset (po/meson.build), with its
# --add-comments, so that the template made here carries the translator
# comments as the one meson makes (ninja cdm-desk-pot) does.
xgettext_args="--from-code=UTF-8 --no-wrap --add-comments --keyword=_ --keyword=N_
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

# Each translator comment of the listed C files, by its first line, must be
# a "#." line of the template.
sed -n 's/^#\. //p' "$tmp/current.pot" | sort -u >"$tmp/pot-comments"
while read -r f; do
  case "$f" in
    *.c|*.h) ;;
    *) continue ;;
  esac
  grep -n -o '/\*[[:space:]]*\(TRANSLATORS\|Translators\):.*' "$f" | while IFS=: read -r line text; do
    comment=$(printf '%s\n' "$text" | sed -e 's|^/\*[[:space:]]*||' -e 's|[[:space:]]*\*/[[:space:]]*$||')
    grep -qxF "$comment" "$tmp/pot-comments" ||
      echo "FAIL: $f:$line: the translator comment “$comment” does not reach the template (put it on the line right above the string)"
  done
done <"$tmp/listed" >"$tmp/lost-comments"
if [ -s "$tmp/lost-comments" ]; then
  cat "$tmp/lost-comments"
  status=1
fi

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

# --- the user help -------------------------------------------------------

# The pages help/meson.build installs, or every page of help/C/ if that
# list cannot be read.  itstool runs from help/C/ so that the template's
# references ("index.page:8") are those of the committed help/*/*.po.
if [ -d help/C ] && [ -f help/LINGUAS ]; then
  if command -v itstool >/dev/null 2>&1; then
    pages=$(sed -n "s/^[[:space:]]*'\([^']*\.page\)',\{0,1\}[[:space:]]*$/\1/p" help/meson.build 2>/dev/null || true)
    if [ -z "$pages" ]; then
      pages=
      for page in help/C/*.page; do
        [ -f "$page" ] && pages="$pages ${page#help/C/}"
      done
    fi
    for page in $pages; do
      [ -f "help/C/$page" ] || fail "help/meson.build lists $page, which is not in help/C/"
    done
    # shellcheck disable=SC2016 # an awk program, not shell
    list_msgids='
      /^msgid / { id = substr($0, 7); in_id = 1; next }
      in_id && /^"/ { id = substr(id, 1, length(id) - 1) substr($0, 2); next }
      in_id { in_id = 0; if (id != "\"\"") print "  " what ": " id }'
    # shellcheck disable=SC2086
    if (cd help/C && itstool -o "$tmp/help.pot" $pages) 2>"$tmp/itstool.log"; then
      sed -e 's/#.*//' help/LINGUAS | tr -s ' \t' '\n' | sed '/^$/d' | sort -u >"$tmp/help-linguas"
      while read -r lang; do
        po="help/$lang/$lang.po"
        if [ ! -f "$po" ]; then
          fail "help/LINGUAS lists $lang but $po does not exist"
          continue
        fi
        if ! msgfmt --check -o /dev/null "$po"; then
          fail "$po: msgfmt --check refuses it"
          continue
        fi
        merged="$tmp/help-$lang.po"
        if ! msgmerge --quiet --no-fuzzy-matching -o "$merged" "$po" "$tmp/help.pot"; then
          fail "$po: msgmerge failed"
          continue
        fi
        # One line per message, the header entry (msgid "") left out; a
        # msgid that msgattrib writes over several lines (a <screen> keeps
        # its line breaks) is joined back so that it still counts once.
        LC_ALL=C msgattrib --no-wrap --only-fuzzy --no-obsolete "$merged" \
          | awk -v what=fuzzy "$list_msgids" >"$tmp/help-fuzzy"
        LC_ALL=C msgattrib --no-wrap --untranslated --no-obsolete "$merged" \
          | awk -v what=untranslated "$list_msgids" >"$tmp/help-untranslated"
        n_fuzzy=$(wc -l <"$tmp/help-fuzzy")
        n_untranslated=$(wc -l <"$tmp/help-untranslated")
        echo "$po: $n_fuzzy fuzzy, $n_untranslated untranslated against help/C/"
        if [ "$n_fuzzy" -gt 0 ] || [ "$n_untranslated" -gt 0 ]; then
          fail "help ($lang): $po has $n_untranslated untranslated and $n_fuzzy fuzzy messages against the current pages (regenerate with itstool and msgmerge, then translate)"
          cat "$tmp/help-fuzzy" "$tmp/help-untranslated" >"$tmp/missing"
          head -n 10 "$tmp/missing"
          more=$(($(wc -l <"$tmp/missing") - 10))
          [ "$more" -le 0 ] || echo "  … and $more more"
        fi
      done <"$tmp/help-linguas"
    else
      cat "$tmp/itstool.log"
      fail "itstool could not read the pages of help/C/"
    fi
  else
    echo "itstool not found: the user help's translations are not checked"
  fi
fi

exit $status
