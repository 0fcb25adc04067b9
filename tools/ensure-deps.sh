#!/bin/sh
# SPDX-License-Identifier: MIT
#
# ensure-deps.sh build|test - make sure the Debian packages vmwire needs are
# installed, so `make` and `make check` work on a fresh Debian machine.
#
# Missing packages are installed with apt-get when running as root;
# otherwise the script names them and fails, so the user knows the one
# command to run. Already-installed packages cost one dpkg-query each.
set -eu

case ${1:-build} in
build) pkgs="libmnl-dev libseccomp-dev pkg-config" ;;
test) pkgs="libmnl-dev libseccomp-dev pkg-config valgrind libcmocka-dev iproute2 util-linux python3 python3-scapy socat" ;;
*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac

command -v dpkg-query >/dev/null 2>&1 || exit 0 # not Debian: the user's job

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "vmwire: missing packages:$missing (run: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "vmwire: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
