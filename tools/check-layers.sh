#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check-layers.sh [--src DIR] - fail when a lower layer includes a higher one.
#
# The folders under src/ are layers; each may include only itself and the
# layers listed for it below (doc/HACKING.md, "Layers"). Run by `make check`
# (and `make layers`), so a shortcut upwards fails the build's tests, not a
# review.
#
#   core      the loop, logging, the port interface, frames, pcap, offloads
#   fabric    hubs and switches            (core)
#   config    option parser, netdev types  (core, fabric)
#   ports     transports                   (core, fabric, config)
#   gateway   user-mode gateway            (core, fabric, config)
#   control   CLI, monitor, run, sandbox   (everything)
#   main.c                                 (everything)
#
# --src DIR checks a copy of the tree instead of src/ (the checker's own
# test, tests/integration/check_layers.sh, plants a bad include in one).

set -uo pipefail

src=$(dirname "$0")/../src
name=src
case ${1:-} in
--src)
	[ $# -eq 2 ] || { echo "usage: $0 [--src DIR]" >&2; exit 2; }
	src=$2
	name=$2
	;;
"") ;;
*) echo "usage: $0 [--src DIR]" >&2; exit 2 ;;
esac
cd "$src" || exit 2

declare -A allowed=(
	[core]="core"
	[fabric]="core fabric"
	[config]="core fabric config"
	[ports]="core fabric config ports"
	[gateway]="core fabric config gateway"
	[control]="core fabric config ports gateway control"
	[api]="core fabric config ports gateway control api"
)

bad=0
while IFS= read -r -d '' f; do
	layer=${f%%/*}
	[ "$layer" = "$f" ] && continue # src/main.c: top, may include anything
	ok=${allowed[$layer]:-}
	if [ -z "$ok" ]; then
		echo "check-layers: $name/$f: folder '$layer' has no rule in tools/check-layers.sh" >&2
		bad=1
		continue
	fi
	while IFS= read -r line; do
		n=${line%%:*}
		inc=${line#*:}
		inc=${inc#*\"}
		inc=${inc%%\"*}
		target=${inc%%/*}
		[ "$target" = "$inc" ] && continue # a sibling header, same folder
		case " $ok " in
		*" $target "*) ;;
		*)
			echo "check-layers: $name/$f:$n includes \"$inc\": $layer may include only: $ok" >&2
			bad=1
			;;
		esac
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
done < <(find . -name '*.[ch]' -printf '%P\0' | sort -z)

if [ $bad -ne 0 ]; then
	echo "check-layers: FAILED (see doc/HACKING.md, Layers)" >&2
	exit 1
fi
echo "check-layers: ok"
