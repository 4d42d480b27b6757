#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""test-metainfo-screenshots.py SRCDIR: every screenshot the AppStream
metainfo names is an image of the tree, data/screenshots/NAME.png, of the
size the metainfo gives, and has a caption; and no image of
data/screenshots/ is left unnamed.  The metainfo names them by the web
address they are published at, which appstreamcli requires; their file
names are those of the tree."""

import os
import struct
import sys
import xml.etree.ElementTree as ET

srcdir = sys.argv[1]
metainfo = os.path.join(srcdir, 'data', 'brussels.cdm_bp.Desk.metainfo.xml.in')
shots_dir = os.path.join(srcdir, 'data', 'screenshots')
failures = []


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', head[16:24])


named = set()
root = ET.parse(metainfo).getroot()
screenshots = root.findall('./screenshots/screenshot')
if not screenshots:
    failures.append('the metainfo has no screenshots')
for shot in screenshots:
    caption = shot.find('caption')
    if caption is None or not (caption.text or '').strip():
        failures.append('a screenshot has no caption')
    for image in shot.findall('image'):
        name = os.path.basename(image.text.strip())
        named.add(name)
        path = os.path.join(shots_dir, name)
        if not os.path.isfile(path):
            failures.append(f'{image.text.strip()}: data/screenshots/{name} is not in the tree')
            continue
        size = png_size(path)
        expected = (int(image.get('width', 0)), int(image.get('height', 0)))
        if size is None:
            failures.append(f'data/screenshots/{name} is not a PNG image')
        elif size != expected:
            failures.append(f'data/screenshots/{name} is {size[0]}×{size[1]}, the metainfo says {expected[0]}×{expected[1]}')

for name in sorted(os.listdir(shots_dir)) if os.path.isdir(shots_dir) else []:
    if name not in named:
        failures.append(f'data/screenshots/{name} is named by no screenshot of the metainfo')

for failure in failures:
    print('FAIL:', failure)
print(f'{len(named)} screenshots checked')
sys.exit(1 if failures else 0)
