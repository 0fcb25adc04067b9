#!/bin/bash
# SPDX-License-Identifier: MIT
#
# podman_slirp.sh - podman 4.3, buildah 1.28 and rootlesskit 1.1 run
# containers through "vmwire slirp4netns", offline, with their own argv:
#
#  - podman: containers.conf's [engine] network_cmd_path names a symlink
#    "slirp4netns" -> vmwire; the real /usr/bin/slirp4netns is covered by a
#    stub that fails, so nothing passes by falling back to it. A busybox
#    rootfs tarball is the image (podman import). --network slirp4netns
#    (podman's defaults: --enable-ipv6, --disable-host-loopback, -c, -e, -r,
#    --enable-sandbox, --enable-seccomp, mtu 65520) gives the container
#    10.0.2.100 with nameserver 10.0.2.3 first, and TCP to a server on the
#    host side: at the host's non-loopback address 192.0.2.1 (a veth of the
#    test's namespace), through the default route via 10.0.2.2, since
#    --disable-host-loopback refuses 10.0.2.2 itself;
#  - -p 127.0.0.1:H:80 with port_handler=rootlesskit (podman's
#    rootlessport) and port_handler=slirp4netns (podman's add_hostfwd on
#    the API socket, seen in vmwire's log): the host fetches from httpd in
#    the container;
#  - --network slirp4netns:cidr=10.9.0.0/24,enable_ipv6=true: 10.9.0.100;
#  - buildah bud, rootless (user nobody, as buildah uses slirp4netns only
#    rootless): a RUN instruction fetches from the host; buildah 1.28
#    looks slirp4netns up on PATH, not through network_cmd_path;
#  - rootlesskit --net=slirp4netns --slirp4netns-binary=vmwire's symlink
#    --port-driver=slirp4netns (no -c: rootlesskit makes tap0 itself; its
#    ports go through the API socket): the host fetches from the namespace.
#
# The machines this runs on need, for crun: a private network and mount
# namespace made with unshare (ip netns exec remounts /sys without the
# cgroup mounts), no cgroup v2 hierarchy next to the v1 ones (crun refuses
# "hybrid" mode: the private mount namespace unmounts /sys/fs/cgroup/
# unified), --cgroups=disabled and explicit --ulimit values. One mount
# namespace for the whole test: after "podman run -d", the container's
# netns bind mount exists only there, and the stub over the real
# slirp4netns and the private /etc/subuid (rootlesskit and rootless buildah
# need uid ranges; the host's file is empty) must not leak to the host.
#
# Slow (minutes of podman and buildah): skipped against the ASan build;
# slirp4netns_api.sh runs "vmwire slirp4netns" itself under both builds.
set -u
. "$(dirname "$0")/../lib/common.sh"

vw_require_root
vw_enter_private_netns "$@"
if [ -z "${VW_S4N_MOUNTNS:-}" ]; then
	export VW_S4N_MOUNTNS=1
	exec unshare -m --propagation private -- bash "$0" "$@"
fi
T=podman_slirp
[ -n "${VW_ASAN:-}" ] && vw_skip "slow interop (podman, buildah, rootlesskit); slirp4netns_api.sh covers vmwire slirp4netns under ASan"
vw_need_pkgs podman buildah rootlesskit crun uidmap busybox-static curl iproute2 util-linux
[ -x "$VMWIRE" ] || vw_fail $T "$VMWIRE not built (run make)"
BB=$(command -v busybox) || vw_skip "busybox not found"

# nobody (rootless buildah) walks into the temp dir.
chmod 711 "$VW_TMP"
mkdir -p "$VW_TMP/bin"
chmod 755 "$VW_TMP/bin"
S4N=$VW_TMP/bin/slirp4netns
ln -s "$VMWIRE" "$S4N"

# ---- the private mount namespace ------------------------------------------
if mountpoint -q /sys/fs/cgroup/unified; then
	umount /sys/fs/cgroup/unified || vw_fail $T "cannot unmount the cgroup v2 hierarchy"
fi
REAL=$(command -v slirp4netns || true)
if [ -n "$REAL" ]; then
	printf '#!/bin/sh\necho "the real slirp4netns was run: $*" >&2\nexit 1\n' >"$VW_TMP/stub"
	chmod 755 "$VW_TMP/stub"
	mount --bind "$VW_TMP/stub" "$(readlink -f "$REAL")" || vw_fail $T "cannot cover $REAL"
fi
printf 'root:100000:65536\nnobody:200000:65536\n' >"$VW_TMP/subid"
chmod 644 "$VW_TMP/subid"
mount --bind "$VW_TMP/subid" /etc/subuid && mount --bind "$VW_TMP/subid" /etc/subgid ||
	vw_fail $T "cannot bind-mount a private /etc/subuid"

# ---- the host side: httpd at a non-loopback address --------------------------
ip link add vw-s4n-a type veth peer name vw-s4n-b || vw_fail $T "cannot add a veth"
ip addr add 192.0.2.1/24 dev vw-s4n-a
ip link set vw-s4n-a up
ip link set vw-s4n-b up
mkdir -p "$VW_TMP/www"
chmod 755 "$VW_TMP/www"
echo "hello from the host" >"$VW_TMP/www/index.html"
chmod 644 "$VW_TMP/www/index.html"
"$BB" httpd -f -p 192.0.2.1:18000 -h "$VW_TMP/www" &
vw_on_exit "kill $! 2>/dev/null; true"
vw_wait_for sh -c 'ss -ltn | grep -q "192.0.2.1:18000 "' || vw_fail $T "httpd did not start"

# ---- the image: a busybox rootfs --------------------------------------------
R=$VW_TMP/rootfs
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/proc" "$R/sys" "$R/dev" "$R/www"
cp "$BB" "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$R/bin/$a"
done
echo "hello from the container" >"$R/www/index.html"
tar -C "$R" -cf "$VW_TMP/bb.tar" .
chmod 644 "$VW_TMP/bb.tar"

cat >"$VW_TMP/containers.conf" <<EOF
[engine]
network_cmd_path = "$S4N"
cgroup_manager = "cgroupfs"
events_logger = "file"
[containers]
cgroups = "disabled"
EOF
chmod 644 "$VW_TMP/containers.conf"
export CONTAINERS_CONF=$VW_TMP/containers.conf
P=(podman --root "$VW_TMP/storage" --runroot "$VW_TMP/run" --tmpdir "$VW_TMP/ptmp"
	--storage-driver vfs)
RUN=(run --cgroups=disabled --ulimit nofile=1024:1024 --ulimit nproc=1000:1000)
vw_on_exit "${P[*]} rm -a -f -t 0 >/dev/null 2>&1; true"
timeout 120 "${P[@]}" import "$VW_TMP/bb.tar" localhost/bb:1 >"$VW_TMP/import.log" 2>&1 ||
	vw_fail $T "podman import: $(cat "$VW_TMP/import.log")"

# ---- podman --network slirp4netns ---------------------------------------------
out=$(timeout 120 "${P[@]}" "${RUN[@]}" --rm --network slirp4netns localhost/bb:1 sh -c \
	'ip -4 -o addr show dev tap0; head -n 1 /etc/resolv.conf; wget -qO- http://192.0.2.1:18000/index.html' 2>&1) ||
	vw_fail $T "podman run --network slirp4netns: $out"
grep -q 'inet 10\.0\.2\.100/24' <<<"$out" || vw_fail $T "no 10.0.2.100 in the container: $out"
grep -qx 'nameserver 10\.0\.2\.3' <<<"$out" || vw_fail $T "resolv.conf does not start with 10.0.2.3: $out"
grep -qx 'hello from the host' <<<"$out" || vw_fail $T "no TCP to the host: $out"
vw_pass "$T: podman --network slirp4netns: 10.0.2.100, DNS 10.0.2.3, TCP to the host via 10.0.2.2"

# vmwire_pid: the one vmwire slirp4netns running (podman's, of a run -d).
vmwire_pid() {
	local p
	for p in $(pgrep -f "^$S4N "); do
		[ "$(readlink -f /proc/$p/exe)" = "$(readlink -f "$VMWIRE")" ] && echo "$p" && return 0
	done
	return 1
}

port=18080
for ph in rootlesskit slirp4netns; do
	port=$((port + 1))
	id=$(timeout 120 "${P[@]}" "${RUN[@]}" -d --network "slirp4netns:port_handler=$ph" \
		-p "127.0.0.1:$port:80" localhost/bb:1 httpd -f -p 80 -h /www 2>&1) ||
		vw_fail $T "podman run -p ($ph): $id"
	vw_wait_for -t 30 curl -sf --max-time 2 "http://127.0.0.1:$port/index.html" ||
		vw_fail $T "port_handler=$ph: nothing answers on 127.0.0.1:$port"
	out=$(curl -sS --max-time 5 "http://127.0.0.1:$port/index.html")
	[ "$out" = "hello from the container" ] || vw_fail $T "port_handler=$ph: got '$out'"
	pid=$(vmwire_pid) || vw_fail $T "port_handler=$ph: no vmwire slirp4netns running"
	args=$(tr '\0' ' ' </proc/$pid/cmdline)
	for o in --enable-ipv6 --disable-host-loopback -c; do
		grep -q -- " $o " <<<"$args " || vw_fail $T "podman did not pass $o: $args"
	done
	# podman deletes the log file once started; vmwire keeps it open.
	if [ $ph = slirp4netns ]; then
		grep -q "add_hostfwd tcp:127.0.0.1:$port-10.0.2.100:80" /proc/$pid/fd/2 ||
			vw_fail $T "port_handler=slirp4netns: no add_hostfwd in the log: $(cat /proc/$pid/fd/2)"
	fi
	timeout 60 "${P[@]}" rm -f -t 0 "$id" >/dev/null 2>&1
	vw_wait_for -t 20 sh -c "! kill -0 $pid" ||
		vw_fail $T "port_handler=$ph: vmwire still runs after the container is gone"
done
vw_pass "$T: podman -p 127.0.0.1:H:80 with port_handler=rootlesskit and =slirp4netns (API)"

out=$(timeout 120 "${P[@]}" "${RUN[@]}" --rm --network slirp4netns:cidr=10.9.0.0/24,enable_ipv6=true \
	localhost/bb:1 sh -c 'ip -4 -o addr show dev tap0; ip route; wget -qO- http://192.0.2.1:18000/index.html' 2>&1) ||
	vw_fail $T "podman --network slirp4netns:cidr=...: $out"
grep -q 'inet 10\.9\.0\.100/24' <<<"$out" || vw_fail $T "cidr: no 10.9.0.100: $out"
grep -q 'default via 10\.9\.0\.2' <<<"$out" || vw_fail $T "cidr: no route via 10.9.0.2: $out"
grep -qx 'hello from the host' <<<"$out" || vw_fail $T "cidr: no TCP to the host: $out"
vw_pass "$T: podman --network slirp4netns:cidr=10.9.0.0/24,enable_ipv6=true: 10.9.0.100"

# ---- buildah bud, rootless --------------------------------------------------------
BH=$VW_TMP/buildah
mkdir -p "$BH/run"
cp "$VW_TMP/bb.tar" "$BH/bb.tar"
cat >"$BH/Containerfile" <<'EOF'
FROM scratch
ADD bb.tar /
RUN ip -4 -o addr show dev tap0 && wget -qO /got http://192.0.2.1:18000/index.html && cat /got
EOF
chown -R 65534:65534 "$BH"
out=$(cd "$BH" && timeout 300 setpriv --reuid=65534 --regid=65534 --clear-groups \
	env PATH="$VW_TMP/bin:$PATH" HOME="$BH" XDG_RUNTIME_DIR="$BH/run" CONTAINERS_CONF="$CONTAINERS_CONF" \
	buildah --storage-driver vfs bud -f Containerfile -t localhost/built:1 . 2>&1) ||
	vw_fail $T "buildah bud: $out"
grep -q 'inet 10\.0\.2\.100/24' <<<"$out" || vw_fail $T "buildah RUN: no 10.0.2.100: $out"
grep -qx 'hello from the host' <<<"$out" || vw_fail $T "buildah RUN: no TCP to the host: $out"
vw_pass "$T: buildah bud (rootless): RUN reaches the host through vmwire"

# ---- rootlesskit ------------------------------------------------------------------
RK=$VW_TMP/rk
mkdir -p "$RK/xdg"
XDG_RUNTIME_DIR=$RK/xdg timeout 120 rootlesskit --state-dir="$RK/state" --net=slirp4netns \
	--slirp4netns-binary="$S4N" --disable-host-loopback --port-driver=slirp4netns \
	-p 127.0.0.1:18085:80/tcp sh -c "ip -4 -o addr show dev tap0 >'$RK/addr'; exec $BB httpd -f -p 80 -h '$R/www'" \
	>"$RK/log" 2>&1 &
rkpid=$!
vw_on_exit "kill $rkpid 2>/dev/null; true"
vw_wait_for -t 60 curl -sf --max-time 2 http://127.0.0.1:18085/index.html ||
	vw_fail $T "rootlesskit: nothing answers on 127.0.0.1:18085: $(cat "$RK/log")"
out=$(curl -sS --max-time 5 http://127.0.0.1:18085/index.html)
[ "$out" = "hello from the container" ] || vw_fail $T "rootlesskit: got '$out'"
grep -q 'inet 10\.0\.2\.100/24' "$RK/addr" || vw_fail $T "rootlesskit: $(cat "$RK/addr")"
pid=$(vmwire_pid) || vw_fail $T "rootlesskit: no vmwire slirp4netns running"
grep -q -- '--api-socket' /proc/$pid/cmdline || vw_fail $T "rootlesskit: no --api-socket"
# Its port driver has no other way in than the API socket; vmwire's log
# says so too when it is a file (rootlesskit may hand it a pipe instead,
# which reading here would steal from).
if [ -f "/proc/$pid/fd/2" ]; then
	grep -q 'add_hostfwd tcp:127.0.0.1:18085-10.0.2.100:80' /proc/$pid/fd/2 ||
		vw_fail $T "rootlesskit: its port did not go through the API: $(cat /proc/$pid/fd/2)"
fi
kill "$rkpid"
wait "$rkpid" 2>/dev/null
vw_wait_for -t 20 sh -c "! kill -0 $pid" || vw_fail $T "rootlesskit: vmwire outlived it"
vw_pass "$T: rootlesskit --net=slirp4netns --port-driver=slirp4netns through vmwire"
