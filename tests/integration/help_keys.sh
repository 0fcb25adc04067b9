#!/bin/bash
# SPDX-License-Identifier: MIT
#
# help_keys.sh - vmwire --help and vmwire(1) agree with the parsers
# (tools/check-help.sh), and the check really catches a drift:
#
#  - the real tree passes;
#  - a copy of src/ with a new -netdev tap key, a new -switch key, a new
#    top-level option or a new monitor command, none documented, fails,
#    naming it;
#  - a --help naming a key no parser accepts fails, and a man page missing
#    a key (max-frags=) or a monitor command (info usernet) fails.
. "$(dirname "$0")/../lib/common.sh"
vw_tmpdir
T=help_keys
CHECK=$VW_ROOT/tools/check-help.sh
MAN=$VW_ROOT/doc/vmwire.1
[ -x "$VMWIRE" ] || vw_fail $T "$VMWIRE not built (run make)"

"$CHECK" "$VW_ROOT/src" "$VMWIRE" "$MAN" >"$VW_TMP/real.out" 2>&1 ||
	vw_fail $T "the real tree: $(cat "$VW_TMP/real.out")"
vw_pass "$T: --help and vmwire(1) name every option, key and monitor command"

# planted NAME PATTERN SED-SCRIPT FILE: a copy of src/ with FILE edited
# must fail, with a message matching PATTERN.
planted() {
	local name=$1 pat=$2 script=$3 file=$4 rc=0
	rm -rf "$VW_TMP/src"
	cp -r "$VW_ROOT/src" "$VW_TMP/src"
	sed -i -e "$script" "$VW_TMP/src/$file"
	cmp -s "$VW_ROOT/src/$file" "$VW_TMP/src/$file" && vw_fail $T "$name: the edit did nothing"
	"$CHECK" "$VW_TMP/src" "$VMWIRE" "$MAN" >"$VW_TMP/$name.out" 2>&1 || rc=$?
	[ $rc -ne 0 ] || vw_fail $T "$name: passed: $(cat "$VW_TMP/$name.out")"
	grep -q -- "$pat" "$VW_TMP/$name.out" ||
		vw_fail $T "$name: no message matching '$pat': $(cat "$VW_TMP/$name.out")"
}
planted tap_key 'key frobnicate is accepted but not in --help' \
	's/s = kv_get(kv, key);/s = kv_get(kv, key); kv_get(kv, "frobnicate");/' ports/tap.c
planted switch_key 'key flood-limit is accepted but not in --help' \
	's/mode = kv_get(&kv, "mode");/mode = kv_get(\&kv, "mode"); kv_has(\&kv, "flood-limit");/' \
	control/cli.c
planted gw_key 'key lease-ttl is accepted but not in --help' \
	's/if ((r = kv_get_uint(kv, "max-frags"/if ((r = kv_get_uint(kv, "lease-ttl", 0, 1, \&n, err, errlen)) < 0) return -1; if ((r = kv_get_uint(kv, "max-frags"/' \
	gateway/config.c
planted option 'option -frobnicate is accepted but not in --help' \
	's/^\t{ "pidfile",    true,  opt_pidfile },/&\n\t{ "frobnicate", false, opt_daemonize },/' \
	control/cli.c
planted monitor_cmd "monitor command 'info frobs' is not in --help" \
	's/^\t{ "info version",/\t{ "info frobs", NULL, "", "x", false, cmd_info_version },\n&/' \
	control/monitor.c
# The other way: an option and a key --help names that the parsers lost.
planted lost_key '--help names key max-macs=' 's/"max-macs"/"max-addrs"/' control/cli.c
planted lost_option '--help names -pidfile' 's/{ "pidfile", /{ "pid-file", /' control/cli.c
vw_pass "$T: undocumented keys, options and monitor commands fail, as do help-only ones"

# A man page that lost a key or a monitor command.
grep -v '^\\fBmax\\-frags=' "$MAN" | sed 's/max\\-frags/max\\-fr4gs/g' >"$VW_TMP/nofrags.1"
rc=0
"$CHECK" "$VW_ROOT/src" "$VMWIRE" "$VW_TMP/nofrags.1" >"$VW_TMP/nofrags.out" 2>&1 || rc=$?
[ $rc -ne 0 ] && grep -q 'key max-frags is accepted but not in nofrags.1' "$VW_TMP/nofrags.out" ||
	vw_fail $T "a man page without max-frags= passed: $(cat "$VW_TMP/nofrags.out")"
sed '/^\.SH MONITOR/,/^\.SH VMWIRE CTL/s/info usernet/info users/' "$MAN" >"$VW_TMP/nousernet.1"
rc=0
"$CHECK" "$VW_ROOT/src" "$VMWIRE" "$VW_TMP/nousernet.1" >"$VW_TMP/nousernet.out" 2>&1 || rc=$?
[ $rc -ne 0 ] && grep -q "monitor command 'info usernet' is not in the MONITOR" \
	"$VW_TMP/nousernet.out" ||
	vw_fail $T "a man page without info usernet passed: $(cat "$VW_TMP/nousernet.out")"
vw_pass "$T: a man page missing max-frags= or info usernet fails"
