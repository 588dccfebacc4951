namespace Appliance.EndToEnd.Tests.Support;

/// <summary>Finds a tool on PATH and, when the tests run as root on Debian, installs its package if it is missing.</summary>
public static class DebianTools
{
    private static readonly SemaphoreSlim AptLock = new(1, 1);

    public static bool IsOnPath(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, tool)))
                return true;
        }
        return false;
    }

    /// <summary>Returns null when <paramref name="tool"/> is available, else why it is not.</summary>
    public static async Task<string?> EnsureAsync(string tool, string package)
    {
        if (IsOnPath(tool))
            return null;
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/apt-get"))
            return $"'{tool}' is not installed; install the Debian package '{package}' (apt-get install {package})";
        await AptLock.WaitAsync();
        try
        {
            if (IsOnPath(tool))
                return null;
            var install = await ScriptRun.RunAsync("apt-get",
                ["install", "-y", "-qq", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300", package],
                TimeSpan.FromMinutes(5),
                new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" });
            return install.Succeeded && IsOnPath(tool) ? null : install.Describe($"apt-get install {package}");
        }
        finally
        {
            AptLock.Release();
        }
    }
}
