#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-help-typography.py SRCDIR: the prose of the user help (help/C/*.page)
# uses the typographic apostrophe, as the app's own strings do ("centre’s",
# not "centre's").  What a person types or reads back literally (code,
# commands, file names, screens, input, output) is left alone.

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

MALLARD = '{http://projectmallard.org/1.0/}'
LITERAL = {MALLARD + name for name in ('code', 'cmd', 'screen', 'input', 'output', 'file', 'var', 'sys', 'key')}
STRAIGHT = re.compile(r"\w'\w")


def prose(element, out):
    """Collects (text) of @element and below, literal elements left out."""
    if element.tag in LITERAL:
        return
    if element.text:
        out.append(element.text)
    for child in element:
        prose(child, out)
        # The text after a literal element is prose again.
        if child.tail:
            out.append(child.tail)


def main():
    srcdir = Path(sys.argv[1] if len(sys.argv) > 1 else '.')
    pages = sorted((srcdir / 'help' / 'C').glob('*.page'))
    if not pages:
        print(f'FAIL: no page in {srcdir / "help" / "C"}')
        return 1
    failures = 0
    for page in pages:
        texts = []
        prose(ET.parse(page).getroot(), texts)
        for text in texts:
            for match in STRAIGHT.finditer(text):
                start = max(0, match.start() - 30)
                context = ' '.join(text[start:match.end() + 30].split())
                print(f'FAIL: {page.relative_to(srcdir)}: a straight apostrophe in “…{context}…”: write ’')
                failures += 1
    print(f'{len(pages)} pages, {failures} straight apostrophe(s) in prose')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
