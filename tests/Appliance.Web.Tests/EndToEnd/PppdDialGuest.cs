using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Appliance.Web.Tests.EndToEnd;

/// <summary>
/// The remote machine's PPPoE dialler: a user-mode-linux guest (the host's root, read-only) on a TAP of the
/// <see cref="DialNamespace"/>'s bridge, running the stock pppd client (rp-pppoe plugin, PAP only, <c>+ipv6</c>) that
/// keeps dialling until a session is up. Once IPCP and IPv6CP are up it pings the ISP's end of the link (IPv4 and
/// IPv6), so data crosses the tunnel both ways. Stopped by its own PID (SIGTERM, then SIGKILL of the process group it
/// leads, where UML's helpers live) at dispose.
/// </summary>
/// <remarks>Adapted from the agent tests' lab client guest (tests/Appliance.Agent.Tests/Lab/PppdClientGuest.cs).</remarks>
[SupportedOSPlatform("linux")]
public sealed partial class PppdDialGuest : IDisposable
{
    public const string Tap = "dial-guest0";

    private const string Init = """
        #!/bin/bash
        export PATH=/usr/sbin:/usr/bin:/sbin:/bin
        exec </dev/null
        mount -t proc proc /proc
        mount -t sysfs sys /sys
        mountpoint -q /dev || mount -t devtmpfs dev /dev
        mkdir -p /dev/pts
        mount -t devpts -o ptmxmode=0666 devpts /dev/pts
        mount -t tmpfs tmpfs /etc/ppp
        for word in $(cat /proc/cmdline); do
            case $word in
                dialdir=*) dir=${word#dialdir=} ;;
                dialuser=*) user=${word#dialuser=} ;;
                dialpeer=*) peer=${word#dialpeer=} ;;
            esac
        done
        # Copied before /tmp is covered: the test's directory is below it.
        cp "$dir/pap-secrets" /etc/ppp/pap-secrets
        chmod 600 /etc/ppp/pap-secrets
        mount -t tmpfs tmpfs /tmp
        mount -t tmpfs tmpfs /run
        modules=/usr/lib/uml/modules/$(uname -r)/kernel
        for module in lib/crc-ccitt net/ipv6/ipv6 drivers/net/slip/slhc drivers/net/ppp/ppp_generic \
                      drivers/net/ppp/ppp_async drivers/net/ppp/pppox drivers/net/ppp/pppoe; do
            insmod "$modules/$module.ko" || echo "DIAL insmod $module failed"
        done
        sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
        sysctl -qw net.ipv6.conf.default.accept_dad=0
        ip link set lo up
        ip link set eth0 up
        # persist + short PADI timeouts: keeps dialling until the ISP answers through the tunnel.
        pppd plugin rp-pppoe.so nic-eth0 pppoe-padi-timeout 1 pppoe-padi-attempts 3 \
            user "$user" noauth refuse-chap refuse-mschap refuse-mschap-v2 refuse-eap \
            +ipv6 ipv6 ::2,::1 noipdefault nodefaultroute lcp-restart 1 persist maxfail 0 holdoff 1 \
            debug nodetach logfile /dev/console &
        (
            until ip -4 addr show dev ppp0 2>/dev/null | grep -q 'inet '; do sleep 0.2; done
            exec ping -n -c 1000 -i 0.5 "$peer" >/dev/console 2>&1
        ) &
        (
            until ip -6 addr show dev ppp0 2>/dev/null | grep -q 'inet6 fe80'; do sleep 0.2; done
            exec ping -6 -n -c 1000 -i 0.5 fe80::1%ppp0 >/dev/console 2>&1
        ) &
        while true; do sleep 60; done

        """;

    private readonly Process _process;
    private readonly StringBuilder _console = new();
    private readonly DialNamespace _ns;

    private PppdDialGuest(Process process, DialNamespace ns)
    {
        _process = process;
        _ns = ns;
    }

    public string Console
    {
        get
        {
            lock (_console)
                return _console.ToString();
        }
    }

    /// <summary>Boots the guest on a new TAP of <paramref name="ns"/>'s bridge; does not wait.</summary>
    /// <param name="directory">The guest's scratch (init script, 0600 secrets, UML's pid files); the caller deletes it.</param>
    /// <param name="peer">The ISP's IPv4 end of the link, which the guest pings once IPCP is up.</param>
    public static PppdDialGuest Start(DialNamespace ns, string directory, string user, string password, string peer)
    {
        string init = Path.Combine(directory, "dial-init.sh");
        File.WriteAllText(init, Init);
        File.SetUnixFileMode(init, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string secrets = Path.Combine(directory, "pap-secrets");
        File.WriteAllText(secrets, $"\"{user}\" * \"{password}\" *\n");
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ns.AddTap(Tap);
        byte[] random = RandomNumberGenerator.GetBytes(3);
        string mac = string.Create(CultureInfo.InvariantCulture, $"02:00:5e:{random[0]:x2}:{random[1]:x2}:{random[2]:x2}");
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in new[]
        {
            "ip", "netns", "exec", ns.Name, "linux.uml", "mem=128M", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
            $"eth0=tuntap,{Tap},{mac}", "con=null", "con0=null,fd:1", "ssl=null",
            $"uml_dir={directory}", "umid=dial-guest", $"dialdir={directory}", $"dialuser={user}", $"dialpeer={peer}", $"init={init}",
        })
        {
            start.ArgumentList.Add(word);
        }
        var process = new Process { StartInfo = start };
        var guest = new PppdDialGuest(process, ns);
        process.OutputDataReceived += (_, e) => guest.Append(e.Data);
        process.ErrorDataReceived += (_, e) => guest.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return guest;
    }

    /// <summary>pppd's "local  IP address" (IPCP up), or null while there is none.</summary>
    public string? Ipv4Address => Match(LocalIpv4());

    /// <summary>pppd's "local  LL address" (IPv6CP up), or null while there is none.</summary>
    public string? LinkLocalAddress => Match(LocalLinkLocal());

    /// <summary>Whether a ping reply from <paramref name="peer"/> is on the console.</summary>
    public bool Answered(string peer) => Console.Contains($"bytes from {peer}", StringComparison.Ordinal);

    /// <summary>Polls <paramref name="condition"/> until it holds; throws with the guest's console when it does not in time.</summary>
    public async Task WaitUntilAsync(Func<PppdDialGuest, bool> condition, string what, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!condition(this))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the dialling guest ended ({_process.ExitCode}) before {what}; console:\n{Console}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no {what} within {patience.TotalSeconds} s; guest console:\n{Console}");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Signal("TERM", _process.Id.ToString(CultureInfo.InvariantCulture));
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
                    _process.Kill();
            }
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            // UML's helper processes live in the group this guest leads.
            Signal("KILL", "-" + _process.Id.ToString(CultureInfo.InvariantCulture));
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            _process.Dispose();
        }
        finally
        {
            DialNamespace.TryRun("ip", ["-n", _ns.Name, "link", "del", Tap], out _);
        }
    }

    private static void Signal(string signal, string target) => DialNamespace.TryRun("kill", [$"-{signal}", "--", target], out _);

    private string? Match(Regex line) => line.Match(Console) is { Success: true } match ? match.Groups[1].Value : null;

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_console)
            _console.Append(line).Append('\n');
    }

    [GeneratedRegex(@"local  IP address (\S+)")]
    private static partial Regex LocalIpv4();

    [GeneratedRegex(@"local  LL address (\S+)")]
    private static partial Regex LocalLinkLocal();
}
