#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check-help.sh [SRC VMWIRE MAN] - vmwire --help and vmwire(1) name every
# option, key and monitor command the parsers accept, and --help names none
# they do not (issue 16: a new user found keys that were accepted but not
# documented, and monitor commands missing from --help).
#
# Theory of operation: what the parsers accept is read from their source,
# where every key is a string literal given to a kv_*() getter (or to
# sockaddr.c's prefixed getters, whose keys follow "addr.", "local." or
# "remote."), a table (the gateway's name keys, -netdev socket's modes),
# or the option table cli_opts[] of cli.c; the monitor's commands are its
# mon_cmds[] table. What is documented is the binary's --help and the man
# page. A key added to a parser without a line of help fails here.
# Defaults: src/, build/vmwire, doc/vmwire.1 of this tree.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SRC=${1:-$ROOT/src}
VMWIRE=${2:-$ROOT/build/vmwire}
MAN=${3:-$ROOT/doc/vmwire.1}
fail=0

bad() {
	echo "check-help: $*" >&2
	fail=1
}

help=$("$VMWIRE" --help) || { echo "check-help: $VMWIRE --help failed" >&2; exit 1; }
# The man page as text: no font changes, real minus signs, no requests.
man=$(sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(dq/"/g' -e 's/\\&//g' \
	-e 's/^\.[A-Z][A-Z]* *//' "$MAN")
# The part of --help that documents options and keys (not the examples,
# whose QEMU lines hold QEMU's keys).
help_opts=$(printf '%s\n' "$help" | sed -n '/^Options:/,/^With no -netdev/p')

# missing TEXT BEFORE PREFIX AFTER WORD...: the WORDs that TEXT does not
# hold as PREFIX WORD between a character of class BEFORE (or a line
# start) and one of AFTER (or a line end); one awk for the lot, as this
# runs on loaded machines.
missing() {
	local text=$1 before=$2 prefix=$3 after=$4
	shift 4
	printf '%s\n' "$text" | awk -v words="$*" -v b="$before" -v p="$prefix" -v a="$after" '
		{ t = t "\n" $0 }
		END {
			t = t "\n"
			n = split(words, w, " ")
			for (i = 1; i <= n; i++) {
				re = "(\n|" b ")" p w[i] "(" a "|\n)"
				if (t !~ re)
					print w[i]
			}
		}'
}

# ---- top-level options -------------------------------------------------
opts=$(sed -n '/^} cli_opts\[\] = {/,/^};/p' "$SRC/control/cli.c" |
	sed -nE 's/^[[:space:]]*\{ "([^"]+)",.*/\1/p')
[ -n "$opts" ] || bad "no option table cli_opts[] in $SRC/control/cli.c"
# shellcheck disable=SC2086
for o in $(missing "$help_opts" '[ ,]' '--?' '[ ,=]' $opts); do
	bad "option -$o is accepted but not in --help"
done
# shellcheck disable=SC2086
for o in $(missing "$man" '[ ,"]' '--?' '[ ,="]' $opts); do
	bad "option -$o is accepted but not in $(basename "$MAN")"
done
for o in $(printf '%s\n' "$help_opts" | sed -n '/^Options:/,/^$/p' |
	grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | sed -E 's/^[ ,]*-+//' | sort -u |
	grep -vxF -f <(printf '%s\n' "$opts")); do
	bad "--help names -$o, which no parser accepts"
done

# ---- keys ----------------------------------------------------------------
files="$SRC/control/cli.c $SRC/config/netdev.c $SRC/ports/*.c $SRC/gateway/config.c $SRC/gateway/config6.c $SRC/gateway/quota.c $SRC/gateway/netdev_user.c"
# shellcheck disable=SC2086
keys=$( {
	grep -ohE 'kv_(get|get_bool|get_uint|get_str|next|has)\(&?kv, "[a-z0-9._-]+"' $files
	grep -ohE '(get_prefixed[a-z_]*|prefixed_key_present)\(kv, prefix, "[a-z]+"' $files
	grep -ohE '\{ "[a-z-]+", offsetof\(struct gw_config' $files
	grep -ohE 'modes\[\] = \{[^}]*\}' $files | grep -oE '"[a-z]+"'
	grep -ohE '"[a-z]+" : "[a-z]+";' $SRC/ports/tap.c | grep -oE '"[a-z]+"'
} | grep -oE '"[^"]+"' | tr -d '"' | sort -u)
[ "$(printf '%s\n' "$keys" | wc -l)" -gt 20 ] || bad "found only: $keys (did the parsers move?)"
# Implied keys: the first, bare word of an option ("-netdev TYPE",
# "-sandbox on") is the value of type=, enable=, path=.
implied="type enable path"
documented=
for k in $keys; do
	case " $implied " in *" $k "*) ;; *) documented="$documented $k" ;; esac
done
# A key word, not part of one ("mode" is not in "user-mode").
# shellcheck disable=SC2086
for k in $(missing "$help" '[^a-z0-9_-]' '' '[]=,| |).:]' $documented); do
	bad "key $k is accepted but not in --help"
done
# shellcheck disable=SC2086
for k in $(missing "$man" '[^a-z0-9_-]' '' '[]=,| |).:]' $documented); do
	bad "key $k is accepted but not in $(basename "$MAN")"
done
for k in $(printf '%s\n' "$help_opts" | grep -oE '(^|[^a-zA-Z0-9_.-])[a-z][a-z0-9_.-]*=' |
	sed -E 's/^[^a-z]//; s/=$//; s/.*\.//' | sort -u | grep -vxF -f <(printf '%s\n' "$keys")); do
	bad "--help names key $k=, which no parser accepts"
done

# ---- monitor commands ------------------------------------------------------
cmds=$(sed -n '/mon_cmds\[\] = {/,/^};/p' "$SRC/control/monitor.c" |
	sed -nE 's/^[[:space:]]*\{ "([^"]+)",.*/\1/p')
[ -n "$cmds" ] || bad "no command table mon_cmds[] in $SRC/control/monitor.c"
mon_help=$(printf '%s\n' "$help" | sed -n '/^Monitor commands/,/^$/p')
man_mon=$(printf '%s\n' "$man" | sed -n '/^MONITOR$/,/^VMWIRE CTL$/p')
while read -r c; do
	[ -n "$c" ] || continue
	printf '%s\n' "$mon_help" | grep -qE -- "^  $c([ |]|$)" ||
		bad "monitor command '$c' is not in --help"
	printf '%s\n' "$man_mon" | grep -qE -- "(^|\")$c([ \",]|$)" ||
		bad "monitor command '$c' is not in the MONITOR section of $(basename "$MAN")"
done <<<"$cmds"

[ $fail -eq 0 ] && echo "check-help: OK"
exit $fail
