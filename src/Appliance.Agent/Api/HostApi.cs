using System.Globalization;
using System.Runtime.Versioning;
using Appliance.Contracts;

namespace Appliance.Agent.Api;

/// <summary>The host's network interfaces, read from <c>/sys/class/net</c>.</summary>
[SupportedOSPlatform("linux")]
internal static class HostApi
{
    public static IEndpointRouteBuilder MapHostApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiRoutes.Interfaces, (Uplink uplink) => HostInterfaces.Read(HostInterfaces.SysClassNet, uplink)).WithTags("host");
        return app;
    }
}

/// <summary>Reads interfaces from a sysfs tree: kind, MAC, MTU, operstate, bridge master and members.</summary>
[SupportedOSPlatform("linux")]
internal static class HostInterfaces
{
    public const string SysClassNet = "/sys/class/net";

    public static List<HostInterfaceDto> Read(string root, Uplink? uplink)
    {
        var result = new List<HostInterfaceDto>();
        if (!Directory.Exists(root))
            return result;
        var names = new List<string>();
        foreach (string path in Directory.EnumerateFileSystemEntries(root))
            names.Add(Path.GetFileName(path));
        names.Sort(StringComparer.Ordinal);
        foreach (string name in names)
        {
            string dir = Path.Combine(root, name);
            var members = new List<string>();
            if (Directory.Exists(Path.Combine(dir, "brif")))
            {
                foreach (string member in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "brif")))
                    members.Add(Path.GetFileName(member));
                members.Sort(StringComparer.Ordinal);
            }
            string? master = null;
            string masterLink = Path.Combine(dir, "master");
            if (File.Exists(masterLink) || Directory.Exists(masterLink))
                master = Path.GetFileName(new DirectoryInfo(masterLink).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "");
            int.TryParse(ReadText(dir, "mtu"), NumberStyles.None, CultureInfo.InvariantCulture, out int mtu);
            string? usedBy = null;
            if (uplink is not null && name == uplink.Name)
                usedBy = uplink.Kind == "lab-bridge" ? "lab-bridge" : "uplink";
            else if (uplink is not null && name == uplink.TapName)
                usedBy = "uplink";
            result.Add(new HostInterfaceDto(name, Kind(dir, name), NullIfEmpty(ReadText(dir, "address")), mtu, ReadText(dir, "operstate") ?? "unknown",
                string.IsNullOrEmpty(master) ? null : master, members, usedBy));
        }
        return result;
    }

    private static string Kind(string dir, string name)
    {
        if (name == "lo" || ReadText(dir, "type") == "772")
            return "loopback";
        if (Directory.Exists(Path.Combine(dir, "bridge")))
            return "bridge";
        if (File.Exists(Path.Combine(dir, "tun_flags")))
            return "tap";
        string uevent = ReadText(dir, "uevent") ?? "";
        if (uevent.Contains("DEVTYPE=vlan", StringComparison.Ordinal))
            return "vlan";
        if (uevent.Contains("DEVTYPE=", StringComparison.Ordinal) && !uevent.Contains("DEVTYPE=wlan", StringComparison.Ordinal))
            return "other";
        if (Directory.Exists(Path.Combine(dir, "device")))
            return "nic";
        string? driver = null;
        try
        {
            driver = new DirectoryInfo(Path.Combine(dir, "device", "driver")).ResolveLinkTarget(true)?.Name;
        }
        catch (IOException)
        {
        }
        return driver is null && File.Exists(Path.Combine(dir, "iflink")) && ReadText(dir, "iflink") != ReadText(dir, "ifindex") ? "veth" : "other";
    }

    private static string? ReadText(string dir, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, file)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
