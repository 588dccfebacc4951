using System.Globalization;
using System.Runtime.Versioning;

namespace Appliance.Agent.Lab;

/// <summary>The files the lab's ISP guest boots with: its init script (PID 1) and its PPP configuration.</summary>
/// <remarks>
/// The guest's root is the host's own, read-only through hostfs, so the guest reads these files at their host paths. The
/// secrets are files (0600), never kernel command line words: the command line shows in the host's process list. Key=value
/// words on a UML command line do not reach init's environment, so init reads its one parameter back from /proc/cmdline.
/// Console markers start with "LAB ".
/// </remarks>
internal static class LabGuestInit
{
    public const string RunningMarker = "LAB pppoe-server running";
    public const string CommandLineKey = "applab";
    private const string PppFolder = "ppp";

    /// <summary>Writes the init script and the PPP files into <see cref="LabPppoeServerOptions.Directory"/>; returns the script's path.</summary>
    [SupportedOSPlatform("linux")]
    public static string Write(LabPppoeServerOptions options, string moduleVersion)
    {
        var directory = System.IO.Directory.CreateDirectory(options.Directory);
        File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var ppp = directory.CreateSubdirectory(PppFolder);
        // PAP and CHAP secrets: client, server, secret, allowed addresses.
        string secret = $"\"{options.User}\" * \"{options.Password}\" *\n";
        WritePrivate(Path.Combine(ppp.FullName, "pap-secrets"), secret);
        WritePrivate(Path.Combine(ppp.FullName, "chap-secrets"), secret);
        WritePrivate(Path.Combine(ppp.FullName, "pppoe-server-options"), ServerOptions(options));
        string script = Path.Combine(directory.FullName, "guest-init.sh");
        File.WriteAllText(script, Script(options, moduleVersion));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    /// <summary>The options every session's pppd runs with (pppoe-server's default mode: one pppd per session on a pty).</summary>
    /// <remarks>CHAP is asked first; a client that Naks it with PAP gets PAP. Plain <c>auth</c> would ask EAP first.</remarks>
    internal static string ServerOptions(LabPppoeServerOptions options) => $"""
        name {options.AccessConcentrator}
        require-chap
        require-pap
        +ipv6
        ipv6 ::1,::2
        lcp-echo-interval 10
        lcp-echo-failure 6
        logfile /dev/console

        """;

    internal static string Script(LabPppoeServerOptions options, string moduleVersion)
    {
        string modules = $"{options.UmlModulesPath}/{moduleVersion}/kernel";
        string sessions = options.MaxSessions.ToString(CultureInfo.InvariantCulture);
        return $$"""
            #!/bin/bash
            # PID 1 of the one-machine lab's ISP guest, written by appliance-agent at every start (src/Appliance.Agent/Lab).
            export PATH=/usr/sbin:/usr/bin:/sbin:/bin
            exec </dev/null
            mount -t proc proc /proc
            mount -t sysfs sys /sys
            # UML mounts devtmpfs itself; /dev/ppp appears when ppp_generic loads.
            mountpoint -q /dev || mount -t devtmpfs dev /dev
            mkdir -p /dev/pts
            # pppoe-server's default mode runs each session's pppd on a pty.
            mount -t devpts -o ptmxmode=0666 devpts /dev/pts
            # The root is the host's, read-only: everything the guest writes goes to tmpfs. The PPP files are copied
            # before /tmp and /run are covered, as the lab directory may lie below either.
            mount -t tmpfs tmpfs /etc/ppp
            for word in $(cat /proc/cmdline); do
                case $word in
                    {{CommandLineKey}}=*) labdir=${word#{{CommandLineKey}}=} ;;
                esac
            done
            cp "$labdir/{{PppFolder}}/pap-secrets" "$labdir/{{PppFolder}}/chap-secrets" "$labdir/{{PppFolder}}/pppoe-server-options" /etc/ppp/ \
                || echo "LAB cannot read the PPP files in $labdir/{{PppFolder}}"
            chmod 600 /etc/ppp/pap-secrets /etc/ppp/chap-secrets
            mount -t tmpfs tmpfs /tmp
            mount -t tmpfs tmpfs /run
            # modprobe cannot work: /lib/modules holds the host kernel's tree, not UML's.
            for module in lib/crc-ccitt net/ipv6/ipv6 drivers/net/slip/slhc drivers/net/ppp/ppp_generic \
                          drivers/net/ppp/ppp_async drivers/net/ppp/pppox drivers/net/ppp/pppoe; do
                insmod '{{modules}}'/"$module.ko" || echo "LAB insmod $module failed"
            done
            # Only PPPoE on the Ethernet side; no DAD on the PPP links, so fe80::1 is usable once IPv6CP is up.
            sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
            sysctl -qw net.ipv6.conf.default.accept_dad=0
            ip link set lo up
            ip link set eth0 up
            pppoe-server -F -I eth0 -L '{{options.LocalAddress}}' -R '{{options.FirstRemoteAddress}}' -N {{sessions}} \
                -C '{{options.AccessConcentrator}}' -S '{{options.ServiceName}}' &
            server=$!
            sleep 1
            kill -0 "$server" 2>/dev/null && echo "{{RunningMarker}}"
            wait "$server"
            echo "LAB pppoe-server exited with status $?"
            poweroff -f -f

            """;
    }

    [SupportedOSPlatform("linux")]
    private static void WritePrivate(string path, string text)
    {
        // Created 0600 before the secret is written, so it is never readable by others, not even for a moment.
        using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
