namespace Appliance.Agent.Lab;

/// <summary>What the one-machine lab needs on the host, checked before anything is created.</summary>
/// <remarks>The guest runs the host's own binaries through hostfs, so bash, insmod, ip and pppoe's helpers must be on the host.</remarks>
public static class LabPrerequisites
{
    private const string Install = "apt-get install user-mode-linux ppp pppoe";

    /// <summary>The guest init's PATH (the host's root, seen through hostfs).</summary>
    private static readonly string[] GuestPath = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>Null when the lab can run; else why not and what to do, in one line.</summary>
    public static string? Missing(LabPppoeServerOptions options, bool isRoot)
    {
        if (!OperatingSystem.IsLinux())
            return "the lab runs on Linux only";
        if (!isRoot)
            return "the lab needs root (TAP devices and a user-mode-linux guest): run the agent as root, or name an uplink";
        if (!File.Exists(options.UmlPath))
            return $"user-mode-linux not installed ({options.UmlPath} missing): {Install}";
        if (UmlModuleVersion(options) is null)
            return $"user-mode-linux's modules not found (no {options.UmlModulesPath}/<version>/kernel/drivers/net/ppp/pppoe.ko): {Install}";
        if (!File.Exists(options.PppoeServerPath))
            return $"pppoe not installed ({options.PppoeServerPath} missing): {Install}";
        if (!File.Exists(options.PppdPath))
            return $"ppp not installed ({options.PppdPath} missing): {Install}";
        foreach (var (tool, package) in new[] { ("insmod", "kmod"), ("setsid", "util-linux"), ("bash", "bash"), ("ip", "iproute2") })
        {
            if (!OnPath(tool))
                return $"'{tool}' not found (the guest runs the host's own binaries): apt-get install {package}";
        }
        if (options.Directory.Any(char.IsWhiteSpace))
            return $"lab directory '{options.Directory}' contains white space, which a kernel command line cannot carry: use a state directory without spaces";
        return null;
    }

    private static bool OnPath(string tool)
    {
        foreach (var directory in GuestPath)
        {
            if (File.Exists(Path.Combine(directory, tool)))
                return true;
        }
        return false;
    }

    /// <summary>The UML kernel version whose modules hold the PPPoE driver, or null.</summary>
    public static string? UmlModuleVersion(LabPppoeServerOptions options)
    {
        if (!System.IO.Directory.Exists(options.UmlModulesPath))
            return null;
        foreach (var version in System.IO.Directory.EnumerateDirectories(options.UmlModulesPath))
        {
            if (File.Exists(Path.Combine(version, "kernel", "drivers", "net", "ppp", "pppoe.ko")))
                return Path.GetFileName(version);
        }
        return null;
    }
}
