using System.Diagnostics;

namespace Appliance.Agent.Tests.Lab;

/// <summary>A network namespace this test created, with one bridge in it (snooping and STP off); deleted on dispose.</summary>
public sealed class LabNamespace : IDisposable
{
    private LabNamespace(string name) => Name = name;

    public string Name { get; }

    public static LabNamespace Create(string bridge)
    {
        var ns = new LabNamespace($"appl-lab-{Guid.NewGuid().ToString("N")[..8]}");
        Run("ip", "netns", "add", ns.Name);
        try
        {
            ns.Ip("link", "set", "lo", "up");
            // Without a querier a snooping bridge can stop forwarding multicast; PPPoE itself is broadcast and unicast.
            ns.Ip("link", "add", bridge, "type", "bridge", "stp_state", "0", "mcast_snooping", "0");
            ns.Ip("link", "set", bridge, "up");
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    public string Ip(params string[] args) => Run("ip", ["-n", Name, .. args]);

    public bool LinkExists(string name) => TryRun("ip", ["-n", Name, "link", "show", "dev", name], out _) == 0;

    public void Dispose() => TryRun("ip", ["netns", "del", Name], out _);

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
