#!/bin/bash
# SPDX-License-Identifier: MIT
#
# check_layers.sh - the include layering of src/ (core < fabric < config <
# ports, gateway < control < main.c) holds, and tools/check-layers.sh
# really catches a violation:
#
#  - a small tree that follows the rules passes, sibling and subfolder
#    includes included;
#  - a copy of src/ with one include from core/ up to control/ planted
#    fails, naming that file, line and header;
#  - a gateway/ subfolder including control/, and a folder with no rule,
#    fail too;
#  - and then the real src/ passes.
. "$(dirname "$0")/../lib/common.sh"
vw_tmpdir
T=check_layers
CHECK=$VW_ROOT/tools/check-layers.sh

# mk FILE LINE...: write a source file of the given lines under $VW_TMP.
mk() {
	local f=$VW_TMP/$1
	shift
	mkdir -p "$(dirname "$f")"
	printf '%s\n' "$@" >"$f"
}

# ---- a clean tree --------------------------------------------------------------
mk good/core/a.c '#include "core/a.h"' '#include "b.h"' '#include <stdio.h>'
mk good/fabric/net.c '#include "core/a.h"' '  #  include "fabric/net.h"'
mk good/config/kv.c '#include "fabric/net.h"'
mk good/ports/tap.c '#include "config/kv.h"' '#include "fabric/net.h"'
mk good/gateway/tcp/t.c '#include "gateway/nat/u.h"' '#include "config/kv.h"'
mk good/control/cli.c '#include "gateway/tcp/t.h"' '#include "ports/tap.h"'
mk good/main.c '#include "control/cli.h"'
"$CHECK" --src "$VW_TMP/good" >"$VW_TMP/out" 2>&1 ||
	vw_fail $T "a tree that keeps the rules failed: $(cat "$VW_TMP/out")"
grep -q "check-layers: ok" "$VW_TMP/out" || vw_fail $T "no ok line: $(cat "$VW_TMP/out")"
vw_pass "$T: a tree keeping the rules passes (siblings, subfolders, main.c)"

# ---- src/ with one bad include planted --------------------------------------------
cp -r "$VW_ROOT/src" "$VW_TMP/bad"
line=$(($(grep -n '^#include' "$VW_TMP/bad/core/log.c" | tail -n 1 | cut -d: -f1) + 1))
sed -i "${line}i #include \"control/monitor.h\"" "$VW_TMP/bad/core/log.c"
rc=0
"$CHECK" --src "$VW_TMP/bad" >"$VW_TMP/out" 2>&1 || rc=$?
[ $rc -eq 1 ] || vw_fail $T "planted core -> control include: exit $rc, want 1: $(cat "$VW_TMP/out")"
grep -qF "$VW_TMP/bad/core/log.c:$line includes \"control/monitor.h\": core may include only: core" \
	"$VW_TMP/out" || vw_fail $T "the planted include is not named: $(cat "$VW_TMP/out")"
vw_pass "$T: src/ with core/log.c including control/monitor.h fails and names core/log.c:$line"

# ---- a subfolder going up, a folder without a rule ------------------------------------
cp -r "$VW_TMP/good" "$VW_TMP/up"
mk up/gateway/tcp/t.c '#include "config/kv.h"' '#include "control/cli.h"'
mk up/vhost/v.c '#include "core/a.h"'
rc=0
"$CHECK" --src "$VW_TMP/up" >"$VW_TMP/out" 2>&1 || rc=$?
[ $rc -eq 1 ] || vw_fail $T "gateway/tcp -> control: exit $rc, want 1: $(cat "$VW_TMP/out")"
grep -qF "up/gateway/tcp/t.c:2 includes \"control/cli.h\"" "$VW_TMP/out" ||
	vw_fail $T "gateway/tcp/t.c not named: $(cat "$VW_TMP/out")"
grep -qF "up/vhost/v.c: folder 'vhost' has no rule" "$VW_TMP/out" ||
	vw_fail $T "a folder without a rule passed: $(cat "$VW_TMP/out")"
vw_pass "$T: gateway/tcp/ including control/ fails, so does a folder without a rule"

# ---- the real tree -------------------------------------------------------------------
"$CHECK" >"$VW_TMP/out" 2>&1 || vw_fail $T "src/ breaks the layering: $(cat "$VW_TMP/out")"
vw_pass "$T: src/ keeps the layering"
