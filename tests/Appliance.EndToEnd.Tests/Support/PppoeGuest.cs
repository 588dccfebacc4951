using System.Globalization;
using System.Text.RegularExpressions;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>What a command run inside a guest returned.</summary>
public sealed record GuestCommandResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>One user-mode-linux guest of a <see cref="PppoeLab"/>: its console, its PPP state, commands run inside it.</summary>
public sealed partial class PppoeGuest : IDisposable
{
    public static readonly TimeSpan DefaultLinkTimeout = TimeSpan.FromSeconds(30);
    private readonly NetworkNamespace _namespace;
    private readonly string _hostDirectory;
    private readonly NamespaceProcess _process;
    private int _commands;
    private bool _disposed;

    internal PppoeGuest(PppoeRole role, string umid, string tapName, string mac, NetworkNamespace ns, string hostDirectory, NamespaceProcess process)
    {
        Role = role;
        Umid = umid;
        TapName = tapName;
        Mac = mac;
        _namespace = ns;
        _hostDirectory = hostDirectory;
        _process = process;
    }

    public PppoeRole Role { get; }

    public string Umid { get; }

    /// <summary>The host-side TAP (a port of the bridge the guest was started on).</summary>
    public string TapName { get; }

    /// <summary>The guest's eth0 MAC.</summary>
    public string Mac { get; }

    public int Pid => _process.Pid;

    public bool HasExited => _process.HasExited;

    /// <summary>Kernel messages, pppd's debug log (LCP/IPCP/IPv6CP packets) and "E2E …" markers.</summary>
    public string Console => _process.Output;

    public bool WaitForConsole(string text, TimeSpan timeout) => _process.WaitForOutput(text, timeout);

    /// <summary>Waits for pppd's "local  IP address" line (IPCP up) and returns that address; throws with the console on timeout.</summary>
    public string WaitForIpcp(TimeSpan? timeout = null) => WaitForAddress(LocalIpv4(), "IPCP", timeout);

    /// <summary>Waits for pppd's "local  LL address" line (IPv6CP up) and returns that link-local address.</summary>
    public string WaitForIpv6cp(TimeSpan? timeout = null) => WaitForAddress(LocalLinkLocal(), "IPv6CP", timeout);

    /// <summary>Runs a program inside the guest (no shell; one argument per element) and returns its exit code and output.</summary>
    public GuestCommandResult Run(TimeSpan timeout, params string[] argv)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string id = $"cmd-{Interlocked.Increment(ref _commands).ToString(CultureInfo.InvariantCulture)}";
        string request = Path.Combine(_hostDirectory, id + ".args");
        File.WriteAllText(request + ".tmp", string.Join('\n', argv) + "\n");
        File.Move(request + ".tmp", request);
        string rc = Path.Combine(_hostDirectory, id + ".rc");
        if (!Poll.Until(() => File.Exists(rc), timeout, stopEarly: () => _process.HasExited))
            throw new TimeoutException($"guest {Umid} did not finish '{string.Join(' ', argv)}' within {timeout.TotalSeconds} s; console:\n{Console}");
        int code = int.Parse(File.ReadAllText(rc).Trim(), CultureInfo.InvariantCulture);
        return new GuestCommandResult(code, File.ReadAllText(Path.Combine(_hostDirectory, id + ".out")));
    }

    /// <summary>ping (IPv4) from inside the guest; <paramref name="dontFragment"/> sets DF (-M do).</summary>
    public GuestCommandResult Ping(string address, int payload = 56, bool dontFragment = false, int count = 3) =>
        Run(TimeSpan.FromSeconds(count + 10), PingArgs("-4", address, payload, dontFragment, count));

    /// <summary>ping -6 from inside the guest, e.g. to "fe80::1%ppp0".</summary>
    public GuestCommandResult Ping6(string address, int payload = 56, int count = 3) =>
        Run(TimeSpan.FromSeconds(count + 10), PingArgs("-6", address, payload, false, count));

    /// <summary>Stops the guest by its PID (SIGTERM: UML halts and reaps its own helper processes).</summary>
    public void Stop() => _process.Stop(TimeSpan.FromSeconds(5));

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            _process.Stop(TimeSpan.FromSeconds(5));
            _process.Dispose();
        }
        finally
        {
            NetworkNamespace.TryRun("ip", ["-n", _namespace.Name, "link", "del", TapName], out _);
        }
    }

    private static string[] PingArgs(string family, string address, int payload, bool dontFragment, int count)
    {
        List<string> args = ["ping", family, "-c", count.ToString(CultureInfo.InvariantCulture), "-i", "0.2", "-W", "2",
            "-s", payload.ToString(CultureInfo.InvariantCulture)];
        if (dontFragment)
            args.AddRange(["-M", "do"]);
        args.Add(address);
        return [.. args];
    }

    private string WaitForAddress(Regex line, string what, TimeSpan? timeout)
    {
        string? address = null;
        bool found = Poll.Until(() =>
        {
            var match = line.Match(Console);
            address = match.Success ? match.Groups[1].Value : null;
            return match.Success;
        }, timeout ?? DefaultLinkTimeout, stopEarly: () => _process.HasExited);
        if (!found || address is null)
            throw new TimeoutException($"{what} did not come up in guest {Umid} ({Role}) within {(timeout ?? DefaultLinkTimeout).TotalSeconds} s; console:\n{Console}");
        return address;
    }

    [GeneratedRegex(@"local  IP address (\S+)")]
    private static partial Regex LocalIpv4();

    [GeneratedRegex(@"local  LL address (\S+)")]
    private static partial Regex LocalLinkLocal();
}
