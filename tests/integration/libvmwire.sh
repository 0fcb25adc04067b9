#!/bin/bash
# SPDX-License-Identifier: MIT
#
# libvmwire.sh - the embeddable library as a user gets it: `make install`
# into a staging root, then examples/embed.c built with nothing but
# `pkg-config --cflags --libs vmwire` (shared) and with the static archive
# (`pkg-config --static`), and run: the program's own port asks the
# gateway by ARP who has 10.0.2.2, in the program's own poll() loop, and
# must get 52:55:0a:00:02:02; the monitor through the API must list its
# port. The shared library must export the vmwire_* API and nothing else.
set -u
. "$(dirname "$0")/../lib/common.sh"
vw_require_root
vw_enter_private_netns "$@"
vw_need_pkgs pkg-config build-essential
vw_tmpdir
T=$VW_TMP
ip link set lo up

# The build the test runs against (build-asan/ for the ASan pass).
B=$(dirname "$VMWIRE")
make -s -C "$VW_ROOT" BUILD="$B" install DESTDIR="$T/root" PREFIX=/usr >"$T/install.log" 2>&1 ||
	vw_fail install "make install failed: $(tail -5 "$T/install.log")"
for f in usr/include/vmwire.h usr/lib/libvmwire.a usr/lib/libvmwire.so usr/lib/pkgconfig/vmwire.pc; do
	[ -e "$T/root/$f" ] || vw_fail install "$f not installed"
done
exported=$(nm -D --defined-only "$T/root/usr/lib/libvmwire.so" | awk '$2 == "T" { print $3 }' |
	grep -v '^vmwire_' || true)
[ -z "$exported" ] || vw_fail abi "the shared library exports internals: $(echo $exported | head -c 200)"
vw_pass "make install: header, static and shared library, vmwire.pc; only vmwire_* exported"

export PKG_CONFIG_SYSROOT_DIR=$T/root PKG_CONFIG_LIBDIR=$T/root/usr/lib/pkgconfig
san=
[ -n "${VW_ASAN:-}" ] && san="-fsanitize=address,undefined"
# shellcheck disable=SC2046 # pkg-config's words are separate arguments
cc $san "$VW_ROOT/examples/embed.c" $(pkg-config --cflags --libs vmwire) -o "$T/embed" ||
	vw_fail build "examples/embed.c does not build with pkg-config --cflags --libs vmwire"
LD_LIBRARY_PATH=$T/root/usr/lib "$T/embed" >"$T/shared.out" 2>"$T/shared.err" ||
	vw_fail run "embed (shared) exited $?: $(cat "$T/shared.out" "$T/shared.err")"
grep -qx '10.0.2.2 is-at 52:55:0a:00:02:02' "$T/shared.out" ||
	vw_fail run "no ARP answer from the gateway: $(cat "$T/shared.out")"
grep -q '^ \\ app: embedded, embedder port, vlan 1$' "$T/shared.out" ||
	vw_fail run "the embedder port is not in info network: $(cat "$T/shared.out")"
vw__sanitizer_report "$T/shared.err" && vw_fail run "sanitizer report"
vw_pass "embed linked against libvmwire.so: ARP answered in its own poll loop, port in the monitor"

# shellcheck disable=SC2046
cc $san "$VW_ROOT/examples/embed.c" $(pkg-config --cflags vmwire) \
	$(pkg-config --static --libs vmwire | sed 's/-lvmwire/-l:libvmwire.a/') -o "$T/embed-static" ||
	vw_fail build "examples/embed.c does not link against libvmwire.a"
ldd "$T/embed-static" | grep -q libvmwire && vw_fail build "the static build still needs libvmwire.so"
"$T/embed-static" >"$T/static.out" 2>"$T/static.err" ||
	vw_fail run "embed (static) exited $?: $(cat "$T/static.out" "$T/static.err")"
grep -qx '10.0.2.2 is-at 52:55:0a:00:02:02' "$T/static.out" || vw_fail run "static: no ARP answer"
vw_pass "embed linked against libvmwire.a with pkg-config --static works the same"
