# SPDX-License-Identifier: MIT
#
# guest.sh - a tiny Linux guest for QEMU integration tests. Source it after
# common.sh.
#
# Theory of operation: the guest is Debian's own kernel (linux-image-amd64)
# and an initramfs holding busybox-static, the NIC driver modules and
# tests/guest/init. It is built once and cached under build/guest/KEY/, KEY
# hashing every input (kernel, modules, busybox, init sources), so a test
# pays for the build only the first time. The host test passes the guest its
# address and a shell script on the kernel command line (see tests/guest/init)
# and reads the outcome from the serial console log: "VWTEST-BOOTED MAC" once
# eth0 is configured, then "VWTEST-RESULT ok|fail" just before power-off.
#
# Without /dev/kvm the guest runs under TCG. Measured on the 2-core CI
# machine: building the guest takes about 3 s (once), one guest reaches
# VWTEST-BOOTED in about 3 s, two booting side by side in about 8 s. Tests
# start their guests in parallel and still wait with generous timeouts, as
# a loaded machine can be several times slower.
#
# API:
#   vw_guest_build          build (or find) the guest; sets VW_GUEST_KERNEL
#                           and VW_GUEST_INITRD
#   vw_guest_run NAME NETDEV DEVICE [CMDLINE...]
#                           start QEMU in background with "-netdev NETDEV
#                           -device DEVICE"; serial console to $VW_TMP/NAME.log,
#                           QEMU's own output to $VW_TMP/NAME.qemu.log;
#                           killed at exit. CMDLINE words are appended to the
#                           kernel command line (vw.ip=..., vw.timeout=...).
#   vw_guest_cmd SCRIPT     print "vw.cmd=BASE64" for SCRIPT, for CMDLINE
#   vw_guest_wait NAME MARKER [SECS]
#                           wait until MARKER appears in NAME's console;
#                           return 1 on timeout or when QEMU exited first
#   vw_guest_result NAME [SECS]
#                           wait for the result line (default 300 s);
#                           return 0 for ok, 1 for fail, timeout or crash

VW_GUEST_MODULES="virtio_pci virtio_net e1000"
declare -A VW_GUEST_PID=()

# Print the modules.dep paths for "$@" and their dependencies, dependencies
# first, each once.
vw__guest_mod_order() {
	local dep=$1 m
	shift
	declare -A seen=()
	vw__guest_mod_visit() {
		local path=$1 line d
		[ -n "${seen[$path]:-}" ] && return 0
		seen[$path]=1
		line=$(grep -E "^${path//./\\.}:" "$dep") || return 1
		# modules.dep lists a module's dependencies so that the last one
		# must be loaded first.
		local deps=(${line#*:})
		for ((d = ${#deps[@]} - 1; d >= 0; d--)); do
			vw__guest_mod_visit "${deps[d]}" || return 1
		done
		echo "$path"
	}
	for m in "$@"; do
		local path
		path=$(grep -oE "^[^:]*/${m}\.ko(\.xz|\.zst|\.gz)?:" "$dep" | head -n 1)
		[ -n "$path" ] || { echo "module $m not in $dep" >&2; return 1; }
		vw__guest_mod_visit "${path%:}" || return 1
	done
}

vw__guest_kernel() {
	local k ver
	for k in $(ls -v /boot/vmlinuz-* 2>/dev/null | sort -rV); do
		ver=${k#/boot/vmlinuz-}
		if [ -f "/lib/modules/$ver/modules.dep" ]; then
			echo "$ver"
			return 0
		fi
	done
	return 1
}

vw_guest_build() {
	vw_need_pkgs linux-image-amd64 busybox-static qemu-system-x86 cpio kmod
	local ver
	ver=$(vw__guest_kernel) || vw_fail "$VW_NAME" "no kernel with modules in /boot"
	local moddir=/lib/modules/$ver mods
	mods=$(vw__guest_mod_order "$moddir/modules.dep" $VW_GUEST_MODULES) ||
		vw_fail "$VW_NAME" "cannot resolve guest modules"

	local key
	key=$({
		echo "$ver"
		stat -c '%s %Y' "/boot/vmlinuz-$ver" /bin/busybox
		for m in $mods; do stat -c '%n %s %Y' "$moddir/$m"; done
		cat "$VW_ROOT/tests/guest/init" "$VW_ROOT/tests/guest/vw.sh" \
			"${BASH_SOURCE[0]}"
	} | sha256sum | cut -c1-16)
	local dir=$VW_ROOT/build/guest/$key
	VW_GUEST_KERNEL=$dir/vmlinuz
	VW_GUEST_INITRD=$dir/initrd.gz
	[ -f "$VW_GUEST_INITRD" ] && return 0

	mkdir -p "$VW_ROOT/build/guest"
	(
		# Tests run in parallel by hand must not build over each other.
		flock 9
		[ -f "$VW_GUEST_INITRD" ] && exit 0
		set -e
		local stage=$dir.tmp.$$ root
		rm -rf "$stage"
		root=$stage/root
		mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules}
		cp /bin/busybox "$root/bin/busybox"
		local a
		for a in $(/bin/busybox --list); do
			[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
		done
		for a in poweroff insmod ip; do ln -sf ../bin/busybox "$root/sbin/$a"; done
		: >"$root/lib/modules/order"
		local m base
		for m in $mods; do
			base=$(basename "$m")
			case $base in
			*.ko.xz) xz -dc "$moddir/$m" >"$root/lib/modules/${base%.xz}" ;;
			*.ko.zst) zstd -qdc "$moddir/$m" >"$root/lib/modules/${base%.zst}" ;;
			*.ko.gz) gzip -dc "$moddir/$m" >"$root/lib/modules/${base%.gz}" ;;
			*) cp "$moddir/$m" "$root/lib/modules/$base" ;;
			esac
			base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
			echo "$base" >>"$root/lib/modules/order"
		done
		install -m 0755 "$VW_ROOT/tests/guest/init" "$root/init"
		install -m 0644 "$VW_ROOT/tests/guest/vw.sh" "$root/lib/vw.sh"
		cp "/boot/vmlinuz-$ver" "$stage/vmlinuz"
		(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$stage/initrd.gz"
		rm -rf "$root" "$dir"
		mv "$stage" "$dir"
		# Older keys are stale inputs; keep only this one.
		find "$VW_ROOT/build/guest" -mindepth 1 -maxdepth 1 -type d \
			! -name "$key" ! -name '*.tmp.*' -exec rm -rf {} +
	) 9>"$VW_ROOT/build/guest/.lock" || vw_fail "$VW_NAME" "guest build failed"
}

vw_guest_cmd() {
	printf 'vw.cmd=%s' "$(printf '%s\n' "$1" | base64 -w0)"
}

# Guests run under TCG unless VW_GUEST_ACCEL=kvm: on these machines
# /dev/kvm is there but nested KVM hangs a guest silently at boot (and
# iPXE stops with "emulation failure"), while TCG boots the same kernel in
# seconds. Every test is written for TCG's speed.
vw__guest_accel() {
	echo "${VW_GUEST_ACCEL:-tcg}"
}

vw_guest_run() {
	local name=$1 netdev=$2 device=$3
	shift 3
	vw_tmpdir
	[ -n "${VW_GUEST_INITRD:-}" ] || vw_guest_build
	local log=$VW_TMP/$name.log
	: >"$log"
	qemu-system-x86_64 -nodefaults -no-user-config -display none \
		-monitor none -no-reboot -m 256 -accel "$(vw__guest_accel)" \
		-kernel "$VW_GUEST_KERNEL" -initrd "$VW_GUEST_INITRD" \
		-append "console=ttyS0 quiet loglevel=1 panic=-1 $*" \
		-serial "file:$log" -netdev "$netdev" -device "$device" \
		</dev/null >"$VW_TMP/$name.qemu.log" 2>&1 &
	VW_GUEST_PID[$name]=$!
	vw_on_exit "vw__guest_kill $name"
}

vw__guest_kill() {
	local pid=${VW_GUEST_PID[$1]:-}
	[ -n "$pid" ] || return 0
	unset "VW_GUEST_PID[$1]"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

vw_guest_wait() {
	local name=$1 marker=$2 secs=${3:-300} n
	local log=$VW_TMP/$name.log pid=${VW_GUEST_PID[$name]}
	for ((n = secs * 5; n > 0; n--)); do
		grep -qF -- "$marker" "$log" && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			grep -qF -- "$marker" "$log" && return 0
			echo "guest $name: QEMU exited before '$marker'" >&2
			return 1
		fi
		sleep 0.2
	done
	echo "guest $name: no '$marker' after ${secs}s" >&2
	return 1
}

vw_guest_result() {
	vw_guest_wait "$1" "VWTEST-RESULT" "${2:-300}" || return 1
	grep -q '^VWTEST-RESULT ok' "$VW_TMP/$1.log"
}
