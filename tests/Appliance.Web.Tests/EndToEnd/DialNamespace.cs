using System.Diagnostics;

namespace Appliance.Web.Tests.EndToEnd;

/// <summary>
/// The remote machine's side: a network namespace this test created with one bridge (<see cref="Bridge"/>, STP and
/// multicast snooping off) that joins the OpenVPN client's TAP and the dialling guest's TAP. IPv6 is off on both ports,
/// so the tunnel carries only what the guest sends. Deleting the namespace at dispose removes the bridge and every TAP
/// still in it.
/// </summary>
public sealed class DialNamespace : IDisposable
{
    public const string Bridge = "dialbr0";

    private DialNamespace(string name) => Name = name;

    public string Name { get; }

    public static DialNamespace Create()
    {
        var ns = new DialNamespace("pae-dial-" + Guid.NewGuid().ToString("N")[..8]);
        Run("ip", "netns", "add", ns.Name);
        try
        {
            ns.Exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1", "net.ipv6.conf.all.disable_ipv6=1");
            ns.Ip("link", "set", "lo", "up");
            ns.Ip("link", "add", Bridge, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
            ns.Ip("link", "set", Bridge, "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    /// <summary>Adds a new TAP (for a guest) to the bridge.</summary>
    public void AddTap(string tap)
    {
        Ip("tuntap", "add", "dev", tap, "mode", "tap");
        Attach(tap);
    }

    /// <summary>
    /// Moves a TAP of the host's namespace that a running program holds open (the OpenVPN client's) into this namespace
    /// and onto the bridge; the program keeps reading and writing it.
    /// </summary>
    public void Adopt(string hostTap)
    {
        Run("ip", "link", "set", "dev", hostTap, "netns", Name);
        Attach(hostTap);
    }

    public void Dispose() => TryRun("ip", ["netns", "del", Name], out _);

    public string Ip(params string[] args) => Run("ip", ["-n", Name, .. args]);

    private void Exec(params string[] args) => Run("ip", ["netns", "exec", Name, .. args]);

    private void Attach(string tap)
    {
        Exec("sysctl", "-qw", $"net.ipv6.conf.{tap}.disable_ipv6=1");
        Ip("link", "set", tap, "master", Bridge, "up");
    }

    public static string Run(string program, params string[] args)
    {
        int code = TryRun(program, args, out var output);
        if (code != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({code}): {output}");
        return output;
    }

    public static int TryRun(string program, string[] args, out string output)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        output += stderr.Result;
        return process.ExitCode;
    }
}
