#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# tests/netns-run.sh COMMAND [ARGUMENT]...
#
# Runs COMMAND in a network namespace of its own, with loopback up and no
# default route: GLib's network monitor then says there is no network, and
# the test may add and remove routes (test-desk-network.c) without
# touching the machine's.  Needs root (CI and tools/test-all run as root);
# otherwise the test is skipped, saying why, in TAP.
if [ "$(id -u)" -ne 0 ]; then
  echo "1..0 # SKIP a network namespace needs root"
  exit 0
fi
exec unshare --net sh -c 'ip link set lo up && exec "$@"' sh "$@"
