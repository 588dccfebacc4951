using System.Diagnostics;

namespace Appliance.Agent.Tests.Support;

/// <summary>A Linux bridge of the test's own (unique name) for the daemon's uplink TAP; deleted at dispose with the TAP on it.</summary>
public sealed class TestBridge : IDisposable
{
    public TestBridge()
    {
        string suffix = Guid.NewGuid().ToString("N")[..6];
        Name = "aatb" + suffix;
        TapName = "aatu" + suffix;
        Ip("link", "add", Name, "type", "bridge");
        Ip("link", "set", Name, "up");
    }

    public string Name { get; }

    /// <summary>The name the daemon's uplink TAP gets (<c>--uplink-tap</c>).</summary>
    public string TapName { get; }

    /// <summary>The serve flags that put the daemon's uplink on this bridge.</summary>
    public IReadOnlyList<string> ServeArguments => ["--uplink-bridge", Name, "--uplink-tap", TapName];

    public void Dispose()
    {
        Ip("link", "del", TapName);
        Ip("link", "del", Name);
    }

    public static bool IsRoot => Environment.UserName == "root";

    private static void Ip(params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.WaitForExit();
    }
}
