using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;

namespace Appliance.Agent.Tests.Lab;

/// <summary>
/// A second user-mode-linux guest on the lab bridge running the stock pppd client (rp-pppoe plugin, PAP only), dialling
/// until a session is up; stopped by its own PID (SIGTERM, then SIGKILL of the process group it leads) on dispose.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class PppdClientGuest : IDisposable
{
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
                labclient=*) dir=${word#labclient=} ;;
                labuser=*) user=${word#labuser=} ;;
                labping=*) ping=${word#labping=} ;;
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
            insmod "$modules/$module.ko" || echo "CLIENT insmod $module failed"
        done
        sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
        sysctl -qw net.ipv6.conf.default.accept_dad=0
        ip link set lo up
        ip link set eth0 up
        # persist + short PADI timeouts: keeps dialling until the lab's server answers.
        pppd plugin rp-pppoe.so nic-eth0 pppoe-padi-timeout 1 pppoe-padi-attempts 3 \
            user "$user" noauth refuse-chap refuse-mschap refuse-mschap-v2 refuse-eap \
            +ipv6 ipv6 ::2,::1 noipdefault nodefaultroute lcp-restart 1 persist maxfail 0 holdoff 1 \
            debug nodetach logfile /dev/console &
        # Optional: once IPCP is up, ping the ISP once a second for ever (a lost reply shows as a missing icmp_seq).
        if [ -n "$ping" ]; then
            while ! ip -4 addr show dev ppp0 2>/dev/null | grep -q inet; do sleep 0.2; done
            ping -n -i 1 -W 1 "$ping" &
        fi
        while true; do sleep 60; done

        """;

    private readonly Process _process;
    private readonly StringBuilder _console = new();
    private readonly string _tap;
    private readonly LabNamespace _ns;

    private PppdClientGuest(Process process, string tap, LabNamespace ns)
    {
        _process = process;
        _tap = tap;
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

    /// <param name="ping">An address to ping once a second once IPCP is up (replies on the console), or null.</param>
    public static PppdClientGuest Start(LabNamespace ns, string bridge, string directory, string user, string password, string? ping = null)
    {
        Directory.CreateDirectory(directory);
        string init = Path.Combine(directory, "client-init.sh");
        File.WriteAllText(init, Init);
        File.SetUnixFileMode(init, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string secrets = Path.Combine(directory, "pap-secrets");
        File.WriteAllText(secrets, $"\"{user}\" * \"{password}\" *\n");
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        const string tap = "lab-client0";
        ns.Ip("tuntap", "add", "dev", tap, "mode", "tap");
        ns.Ip("link", "set", tap, "master", bridge, "up");
        var start = new ProcessStartInfo("setsid") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var word in new[]
        {
            "ip", "netns", "exec", ns.Name, "linux.uml", "mem=128M", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
            $"eth0=tuntap,{tap},02:00:5e:4c:43:01", "con=null", "con0=null,fd:1", "ssl=null",
            $"uml_dir={directory}", "umid=lab-client", $"labclient={directory}", $"labuser={user}", $"labping={ping ?? ""}", $"init={init}",
        })
        {
            start.ArgumentList.Add(word);
        }
        var process = new Process { StartInfo = start };
        var guest = new PppdClientGuest(process, tap, ns);
        process.OutputDataReceived += (_, e) => guest.Append(e.Data);
        process.ErrorDataReceived += (_, e) => guest.Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return guest;
    }

    /// <summary>Waits for pppd's "local  IP address" line (IPCP up) and returns that address; null on timeout.</summary>
    public string? WaitForIpcp(TimeSpan timeout) => WaitFor(LocalIpv4(), timeout);

    /// <summary>Waits for pppd's "local  LL address" line (IPv6CP up); null on timeout.</summary>
    public string? WaitForIpv6cp(TimeSpan timeout) => WaitFor(LocalLinkLocal(), timeout);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Signal("TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (!_process.WaitForExit(TimeSpan.FromSeconds(5)))
                    _process.Kill();
            }
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            // UML's helper processes live in the group this guest leads.
            Signal("KILL", "-" + _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            _process.WaitForExit(TimeSpan.FromSeconds(5));
            _process.Dispose();
        }
        finally
        {
            LabNamespace.TryRun("ip", ["-n", _ns.Name, "link", "del", _tap], out _);
        }
    }

    private static void Signal(string signal, string target) => LabNamespace.TryRun("kill", [$"-{signal}", "--", target], out _);

    private string? WaitFor(Regex line, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            var match = line.Match(Console);
            if (match.Success)
                return match.Groups[1].Value;
            Thread.Sleep(100);
        }
        var last = line.Match(Console);
        return last.Success ? last.Groups[1].Value : null;
    }

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
