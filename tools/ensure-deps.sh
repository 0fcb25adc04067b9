#!/bin/sh
# SPDX-License-Identifier: MIT
#
# ensure-deps.sh build|test|all | --pkgs PKG... | --list build|test|all
#
# Make sure the Debian packages vmwire needs are installed, so `make`,
# `make check` and single tests work on a fresh Debian machine:
#   build   what `make` needs (`make` runs this itself)
#   test    what `make check` needs before any test runs
#   all     everything: both compilers, and every package any test needs;
#           .ci/run installs this up front, so no test installs anything
#           during the run (README.md lists the same packages)
#   --pkgs  exactly these (tests/lib's vw_need_pkgs, for one test run alone)
#   --list  print a set, one package a line, and install nothing
#
# Missing packages are installed with apt-get when running as root;
# otherwise the script names them and fails, so the user knows the one
# command to run. Already-installed packages cost one dpkg-query each.
# Another apt (unattended-upgrades, a parallel test) holding the dpkg lock
# is waited for, up to 10 minutes, rather than failing the install.
set -eu

BUILD="libmnl-dev libseccomp-dev libjson-c-dev libsystemd-dev pkg-config"
TEST="$BUILD valgrind libcmocka-dev iproute2 util-linux python3 python3-scapy socat"
# By what needs them; tests/integration/deps_listed.sh checks that every
# vw_need_pkgs package is here and README.md names each one.
ALL="build-essential clang libclang-rt-dev $TEST
	qemu-system-x86 linux-image-amd64 busybox-static kmod cpio xz-utils zstd
	iputils-ping procps curl dnsmasq-base ethtool iperf3 tcpdump
	graphviz systemd
	openvswitch-switch
	vde2 vdeplug
	dpdk-dev
	tftp-hpa atftp ipxe-qemu
	iputils-tracepath
	podman buildah rootlesskit crun uidmap
	isc-dhcp-client
	passwd"

LOCK_WAIT=600
POLL=${VMWIRE_APT_POLL:-5} # seconds; tests shorten it

set_of() {
	case $1 in
	build) echo "$BUILD" ;;
	test) echo "$TEST" ;;
	all) echo "$ALL" ;;
	*) echo "usage: $0 build|test|all | --pkgs PKG... | --list build|test|all" >&2; exit 2 ;;
	esac
}

case ${1:-build} in
--list)
	for p in $(set_of "${2:-}"); do echo "$p"; done
	exit 0
	;;
--pkgs) shift; pkgs="$*" ;;
*) pkgs=$(set_of "${1:-build}") ;;
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

# apt-get CMD... waiting for other apts: DPkg::Lock::Timeout covers the dpkg
# lock, but not the lists lock `update` takes, so that one is polled. Its
# output only on failure, and not with quiet=1.
quiet=
apt_wait() {
	waited=0
	while ! out=$(apt-get -o DPkg::Lock::Timeout=$LOCK_WAIT "$@" 2>&1); do
		case $out in
		*"Could not get lock"* | *"Unable to lock"*) ;;
		*) [ -n "$quiet" ] || printf '%s\n' "$out" >&2; return 1 ;;
		esac
		if [ $waited -ge $LOCK_WAIT ]; then
			printf '%s\n' "$out" >&2
			return 1
		fi
		[ $waited -gt 0 ] || echo "vmwire: waiting for another apt to release its lock" >&2
		sleep "$POLL"
		waited=$((waited + POLL))
	done
}

echo "vmwire: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Try the package lists we have first; update them only if that fails.
quiet=1
# shellcheck disable=SC2086 # one word per package
if ! apt_wait install -y -qq --no-install-recommends $missing; then
	quiet=
	apt_wait update -qq || echo "vmwire: apt-get update failed, trying the old lists" >&2
	apt_wait install -y -qq --no-install-recommends $missing
fi
