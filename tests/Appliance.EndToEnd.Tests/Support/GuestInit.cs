namespace Appliance.EndToEnd.Tests.Support;

/// <summary>PID 1 of a PPPoE guest (user-mode Linux on the host's own root, read-only), following tests/lab/README.md.</summary>
/// <remarks>
/// Parameters come from /proc/cmdline (key=value words do not reach init's environment under UML):
/// <c>e2erole=server|client</c> and <c>e2ehost=DIR</c>, a host directory mounted read-write at /tmp/host, and optionally
/// <c>e2eecho=SECONDS</c>, pppd's lcp-echo-interval (default 1; the failure count stays 5), and <c>e2eextra=OPT,OPT</c>, more
/// options for the client's pppd (commas become spaces, e.g. <c>noip</c> or <c>pppoe-service,e2e</c>).
/// Besides running pppoe-server or pppd, init serves commands the test drops into that directory: a file
/// <c>cmd-N.args</c> holds one argument per line; init runs it (no shell) and leaves <c>cmd-N.out</c> and then
/// <c>cmd-N.rc</c>. Markers on the console start with "E2E ".
/// </remarks>
internal static class GuestInit
{
    public const string Script = """
        #!/bin/bash
        export PATH=/usr/sbin:/usr/bin:/sbin:/bin
        exec </dev/null
        mount -t proc proc /proc
        mount -t sysfs sys /sys
        # UML mounts devtmpfs itself (CONFIG_DEVTMPFS_MOUNT); /dev/ppp appears when ppp_generic loads.
        mountpoint -q /dev || mount -t devtmpfs dev /dev
        mkdir -p /dev/pts
        # pppoe-server runs each session's pppd on a pty.
        mount -t devpts -o ptmxmode=0666 devpts /dev/pts
        mount -t tmpfs tmpfs /tmp
        mount -t tmpfs tmpfs /run
        mount -t tmpfs tmpfs /etc/ppp
        for word in $(cat /proc/cmdline); do
            case $word in
                e2erole=*) role=${word#e2erole=} ;;
                e2ehost=*) hostdir=${word#e2ehost=} ;;
                e2eecho=*) echo_interval=${word#e2eecho=} ;;
                e2eextra=*) extra=${word#e2eextra=} ;;
            esac
        done
        echo_interval=${echo_interval:-1}
        mkdir -p /tmp/host
        mount -t hostfs -o "$hostdir" none /tmp/host || echo "E2E hostfs FAILED"
        # modprobe cannot work: /lib/modules holds the host kernel's tree, not the UML one.
        modules=/usr/lib/uml/modules/$(uname -r)/kernel
        for module in lib/crc-ccitt net/ipv6/ipv6 drivers/net/slip/slhc drivers/net/ppp/ppp_generic \
                      drivers/net/ppp/ppp_async drivers/net/ppp/pppox drivers/net/ppp/pppoe; do
            insmod "$modules/$module.ko" || echo "E2E insmod $module FAILED"
        done
        # Only PPPoE on the Ethernet side; and no DAD on ppp links, so fe80:: is usable once IPv6CP is up.
        sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
        sysctl -qw net.ipv6.conf.default.accept_dad=0
        ip link set lo up
        ip link set eth0 up

        # A throw-away secret: the guests live for seconds on private bridges.
        printf '"e2e" * "e2e-test-only" *\n' >/etc/ppp/pap-secrets
        chmod 600 /etc/ppp/pap-secrets
        echo "E2E role=$role"
        if [[ $role == server ]]; then
            cat >/etc/ppp/pppoe-server-options <<EOF
        require-pap
        name e2e-isp
        +ipv6
        ipv6 ::1,::2
        lcp-echo-interval $echo_interval
        lcp-echo-failure 5
        debug
        logfile /dev/console
        EOF
            # A second, 30-byte service name: a client asking for it sends a 62-byte PADI (fault matrix case 3 drops frames under 60).
            pppoe-server -F -I eth0 -L 10.67.0.1 -R 10.67.0.2 -N 16 -C e2e-ac -S e2e -S e2e-a-service-name-of-30-bytes &
        else
            # persist + short PADI timeouts: keeps dialling until the tunnel and the server are there. lcp-restart 1:
            # the first LCP Configure-Request often arrives before the server has attached its pppd to the session.
            pppd plugin rp-pppoe.so nic-eth0 pppoe-padi-timeout 1 pppoe-padi-attempts 3 \
                user e2e noauth refuse-chap refuse-mschap refuse-mschap-v2 refuse-eap \
                +ipv6 ipv6 ::2,::1 noipdefault nodefaultroute lcp-echo-interval $echo_interval lcp-echo-failure 5 \
                lcp-restart 1 persist maxfail 0 holdoff 1 debug nodetach logfile /dev/console ${extra//,/ } &
        fi
        echo "E2E ready"
        while true; do
            for request in /tmp/host/cmd-*.args; do
                [[ -e $request ]] || continue
                id=${request%.args}
                mapfile -t args <"$request"
                rm -f "$request"
                "${args[@]}" >"$id.out" 2>&1
                echo "$?" >"$id.rc.tmp"
                mv "$id.rc.tmp" "$id.rc"
            done
            sleep 0.1
        done

        """;
}
