#!/bin/bash
# SPDX-License-Identifier: MIT
#
# deps_listed.sh - CI installs every package a test needs before the run
# (.ci/run: tools/ensure-deps.sh all), so no test races another apt for the
# dpkg lock mid-run; and the lazy installer waits for that lock instead of
# failing.
#
#  - every package a test asks for with vw_need_pkgs, and the build and
#    test sets, are in ensure-deps.sh's "all" set, and README.md names each
#    one of those;
#  - with a stand-in apt-get on PATH that reports a held lock twice,
#    ensure-deps.sh --pkgs (what vw_need_pkgs runs) waits and then
#    installs, passing DPkg::Lock::Timeout on every call; any other apt
#    error fails it at once.
. "$(dirname "$0")/../lib/common.sh"
vw_tmpdir
T=deps_listed
DEPS=$VW_ROOT/tools/ensure-deps.sh

all=" $("$DEPS" --list all | tr '\n' ' ') "
[ "$(wc -w <<<"$all")" -ge 20 ] || vw_fail $T "ensure-deps.sh --list all: '$all'"

# The packages of each vw_need_pkgs command (first on its line or after
# || && ;), up to a shell operator or a comment.
wanted=$(grep -h -E '(^[[:space:]]*|(\|\||&&|;)[[:space:]]*)vw_need_pkgs[[:space:]]+[a-z0-9]' \
	"$VW_ROOT"/tests/integration/*.sh "$VW_ROOT"/tests/lib/*.sh |
	sed -E 's/.*vw_need_pkgs[[:space:]]+//; s/[;&|#)].*//')
[ -n "$wanted" ] || vw_fail $T "found no vw_need_pkgs calls under tests/"
for p in $wanted $("$DEPS" --list build) $("$DEPS" --list test); do
	case $all in *" $p "*) ;; *) vw_fail $T "'$p' is needed but not in ensure-deps.sh's all set" ;; esac
done
for p in $all; do
	grep -qF "\`$p\`" "$VW_ROOT/README.md" || vw_fail $T "README.md does not name \`$p\`"
done
vw_pass "$T: $(tr " " "\n" <<<"$wanted" | sort -u | grep -c .) vw_need_pkgs packages and the build/test sets are in the all set; README names its $(wc -w <<<"$all")"

[ "$(id -u)" -eq 0 ] || vw_skip "the apt-get stand-in needs root (ensure-deps.sh only installs as root)"

# apt-get stand-in: each call is logged; "lock" answers the first two with
# apt's message for a held lock, "broken" fails every call differently.
mkdir -p "$VW_TMP/bin"
cat >"$VW_TMP/bin/apt-get" <<'EOF'
#!/bin/sh
echo "$*" >>"$STUB/calls"
n=$(wc -l <"$STUB/calls")
case $STUB_MODE in
lock)
	[ "$n" -gt 2 ] && exit 0
	echo "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1 (apt-get)"
	exit 100
	;;
broken) echo "E: Unable to locate package $*"; exit 100 ;;
esac
EOF
chmod +x "$VW_TMP/bin/apt-get"
PKG=vmwire-test-no-such-package # never installed: always "missing"

run_stub() {
	rm -f "$VW_TMP/calls"
	STUB=$VW_TMP STUB_MODE=$1 VMWIRE_APT_POLL=1 PATH=$VW_TMP/bin:$PATH \
		timeout 60 "$DEPS" --pkgs $PKG >"$VW_TMP/out" 2>&1
}

run_stub lock || vw_fail $T "a held lock was not waited for: $(cat "$VW_TMP/out")"
grep -q "waiting for another apt" "$VW_TMP/out" || vw_fail $T "no wait reported: $(cat "$VW_TMP/out")"
[ "$(grep -c install "$VW_TMP/calls")" -ge 2 ] || vw_fail $T "install not retried: $(cat "$VW_TMP/calls")"
tail -n 1 "$VW_TMP/calls" | grep -q "install .*$PKG" ||
	vw_fail $T "the last call is not the install: $(cat "$VW_TMP/calls")"
[ "$(grep -vc -- '-o DPkg::Lock::Timeout=600 ' "$VW_TMP/calls")" -eq 0 ] ||
	vw_fail $T "an apt-get call without DPkg::Lock::Timeout=600: $(cat "$VW_TMP/calls")"
vw_pass "$T: a held dpkg lock is waited for, then $PKG installed ($(wc -l <"$VW_TMP/calls") apt-get calls)"

run_stub broken && vw_fail $T "an apt-get error was not reported as a failure"
# One try on the old lists, one update, one install: no waiting.
[ "$(wc -l <"$VW_TMP/calls")" -eq 3 ] || vw_fail $T "want 3 apt-get calls: $(cat "$VW_TMP/calls")"
grep -q "Unable to locate package" "$VW_TMP/out" || vw_fail $T "apt's error not shown: $(cat "$VW_TMP/out")"
vw_pass "$T: any other apt-get error fails at once and is shown"
