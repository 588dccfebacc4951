#!/usr/bin/env bash
# Records real PPPoE exchanges (PAP and CHAP) between pppoe-server and a pppd client, each running in a
# user-mode-linux guest, joined by a bridge inside a private network namespace, and captures them with tcpdump.
# Writes pppoe-pap.pcap and pppoe-chap.pcap, tshark's dissection of each as .tshark.tsv, and guest console logs into the directory given as argument.
#
# Needs root, Debian packages ppp, pppoe, user-mode-linux, tcpdump, tshark, iproute2, kmod (insmod in the guest)
# and iputils-ping (the guests run the host's binaries through hostfs). The host kernel needs tun and
# bridge support, not PPP: pppd and the pppoe kernel driver only ever run inside the guests.
# Usage: sudo tests/lab/record-pppoe-vector.sh OUTPUT_DIR [pap|chap ...]
set -euo pipefail

if [[ $# -lt 1 ]]; then
    echo "usage: $0 OUTPUT_DIR [pap|chap ...]" >&2
    exit 2
fi
out_dir=$(realpath -m "$1")
shift
auths=("$@")
[[ ${#auths[@]} -eq 0 ]] && auths=(pap chap)
mkdir -p "$out_dir"

uml=/usr/bin/linux.uml
ns=vecrec$$
bridge=vecbr0
tap_server=vectap-s
tap_client=vectap-c
work=$(mktemp -d /tmp/pppoe-vector.XXXXXX)
pids=()

cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if ip netns list | grep -qw "$ns"; then
        ip netns delete "$ns"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Everything a guest does is in this one init script; kernel command line words key=value arrive as its environment.
cat >"$work/guest-init.sh" <<'GUEST'
#!/bin/bash
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
exec </dev/null
mount -t proc proc /proc
mount -t sysfs sys /sys
# UML mounts devtmpfs itself (CONFIG_DEVTMPFS_MOUNT); /dev/ppp appears when ppp_generic loads.
mountpoint -q /dev || mount -t devtmpfs dev /dev
mkdir -p /dev/pts
mount -t devpts -o ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /etc/ppp
# Our key=value words on the kernel command line do not reach init's environment under UML: read them back.
for word in $(cat /proc/cmdline); do
    case $word in
        vecrole=*) vecrole=${word#vecrole=} ;;
        vecauth=*) vecauth=${word#vecauth=} ;;
    esac
done
modules=/usr/lib/uml/modules/$(uname -r)/kernel
for module in lib/crc-ccitt net/ipv6/ipv6 drivers/net/slip/slhc drivers/net/ppp/ppp_generic \
              drivers/net/ppp/ppp_async drivers/net/ppp/pppox drivers/net/ppp/pppoe; do
    insmod "$modules/$module.ko"
done
# No IPv6 neighbour discovery or MLD on the Ethernet side: the capture holds only PPPoE.
sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
ip link set lo up
ip link set eth0 up

# A throw-away test secret: these guests live for seconds on a private bridge.
printf '"vector" * "vector-test-only" *\n' >/etc/ppp/pap-secrets
printf '"vector" * "vector-test-only" *\n' >/etc/ppp/chap-secrets
chmod 600 /etc/ppp/pap-secrets /etc/ppp/chap-secrets

echo "GUEST role=$vecrole auth=$vecauth"
if [[ $vecrole == server ]]; then
    cat >/etc/ppp/pppoe-server-options <<EOF
require-$vecauth
name vecserver
+ipv6
ipv6 ::1,::2
lcp-echo-interval 1
lcp-echo-failure 5
noipx
debug
logfile /dev/console
EOF
    motm=()
    [[ $vecauth == chap ]] && motm=(-M "vector test message")
    pppoe-server -F -I eth0 -L 10.67.0.1 -R 10.67.0.2 -N 1 -C vector-ac -S vector "${motm[@]}" &
    echo "GUEST pppoe-server started"
    while true; do sleep 60; done
else
    pppd plugin rp-pppoe.so nic-eth0 user vector noauth "refuse-$([[ $vecauth == pap ]] && echo chap || echo pap)" \
        +ipv6 ipv6 ::2,::1 noipdefault nodefaultroute lcp-echo-interval 1 lcp-echo-failure 5 \
        debug nodetach logfile /dev/console &
    pppd_pid=$!
    up=0
    for _ in $(seq 1 150); do
        if ip -4 addr show dev ppp0 2>/dev/null | grep -q 'inet ' &&
           ip -6 addr show dev ppp0 2>/dev/null | grep -q 'fe80::2' &&
           ! ip -6 addr show dev ppp0 | grep -q tentative; then
            up=1
            break
        fi
        sleep 0.2
    done
    echo "GUEST link up=$up"
    ip addr show dev ppp0 || true
    # Let at least one LCP echo pass both ways (interval 1 s).
    sleep 2.5
    ping -c 2 -W 2 10.67.0.1 && echo "GUEST ping4 ok" || echo "GUEST ping4 FAILED"
    ping -6 -c 2 -W 2 fe80::1%ppp0 && echo "GUEST ping6 ok" || echo "GUEST ping6 FAILED"
    kill -TERM "$pppd_pid"
    wait "$pppd_pid" || true
    echo "GUEST client done"
    sleep 1
fi
echo "GUEST halting"
poweroff -f -f
GUEST
chmod 755 "$work/guest-init.sh"

ip netns add "$ns"
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$ns" link set lo up
ip -n "$ns" link add "$bridge" type bridge mcast_snooping 0
for key in bridge-nf-call-iptables bridge-nf-call-ip6tables bridge-nf-call-arptables; do
    if ip netns exec "$ns" test -e "/proc/sys/net/bridge/$key"; then
        ip netns exec "$ns" sysctl -qw "net.bridge.$key=0"
    fi
done
for tap in "$tap_server" "$tap_client"; do
    ip -n "$ns" tuntap add dev "$tap" mode tap
    ip -n "$ns" link set "$tap" master "$bridge" up
done
ip -n "$ns" link set "$bridge" up

start_guest() { # role auth tap mac log
    ip netns exec "$ns" "$uml" mem=256M \
        root=/dev/root rootfstype=hostfs rootflags=/ ro \
        "eth0=tuntap,$3,$4" con=null "con0=null,fd:1" ssl=null \
        "uml_dir=$work" "umid=vec-$1" \
        "vecrole=$1" "vecauth=$2" \
        "init=$work/guest-init.sh" </dev/null >"$5" 2>&1 &
    pids+=($!)
}

for auth in "${auths[@]}"; do
    pcap="$out_dir/pppoe-$auth.pcap"
    ip netns exec "$ns" tcpdump -i "$bridge" -s 0 -U -Z root -w "$pcap" 2>"$out_dir/pppoe-$auth.tcpdump.log" &
    tcpdump_pid=$!
    pids+=("$tcpdump_pid")
    sleep 1

    start_guest server "$auth" "$tap_server" 02:00:5e:10:00:01 "$out_dir/pppoe-$auth.server.log"
    server_pid=$!
    sleep 3
    start_guest client "$auth" "$tap_client" 02:00:5e:10:00:02 "$out_dir/pppoe-$auth.client.log"
    client_pid=$!

    for _ in $(seq 1 60); do
        kill -0 "$client_pid" 2>/dev/null || break
        sleep 1
    done
    kill "$client_pid" 2>/dev/null || true
    wait "$client_pid" 2>/dev/null || true
    # The client's pppd does not send PADT itself; the server's pppd hangs up one LCP restart timer (3 s) after
    # its Terminate-Ack, and then its pppoe relay sends the PADT.
    sleep 6
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    kill -INT "$tcpdump_pid"
    wait "$tcpdump_pid" || true
    pids=()

    grep -q "GUEST ping4 ok" "$out_dir/pppoe-$auth.client.log" || { echo "$auth: IPv4 ping failed, see $out_dir/pppoe-$auth.client.log" >&2; exit 1; }
    grep -q "GUEST ping6 ok" "$out_dir/pppoe-$auth.client.log" || { echo "$auth: IPv6 ping failed, see $out_dir/pppoe-$auth.client.log" >&2; exit 1; }
    # An independent expectation: Wireshark's dissection of every frame, which the classifier tests compare against.
    tshark -r "$pcap" -T fields -E header=y -E separator=/t -E occurrence=f \
        -e frame.number -e frame.len -e eth.dst -e eth.type \
        -e pppoe.version -e pppoe.type -e pppoe.code -e pppoe.session_id -e pppoe.payload_length \
        -e ppp.protocol -e ppp.code -e ppp.identifier -e pap.code -e pap.identifier -e chap.code -e chap.identifier \
        -e _ws.col.Protocol >"$out_dir/pppoe-$auth.tshark.tsv" 2>/dev/null
    echo "recorded $pcap"
done
