using Appliance.Proxmox.Connection;
using Appliance.Proxmox.Tests.FakePve;

namespace Appliance.Proxmox.Tests.Support;

/// <summary>Builds clients for a fake node, and realistic canned answers (as a PVE 9.1 node sends them).</summary>
public static class Pve
{
    /// <summary>A client pinned to the fake's certificate on virtual time.</summary>
    public static ProxmoxClient Client(FakePveServer pve, InstantDelayTimeProvider? time = null, ProxmoxConnection? connection = null)
        => new(connection ?? pve.Connection(), time ?? new InstantDelayTimeProvider());

    /// <summary><c>GET /nodes/{node}/status</c> of a small node.</summary>
    public static object NodeStatus => new Dictionary<string, object>
    {
        ["boot-info"] = new { mode = "efi", secureboot = 0 },
        ["cpu"] = 0.031,
        ["cpuinfo"] = new { cores = 4, cpus = 8, model = "Intel(R) N100", sockets = 1 },
        ["current-kernel"] = new { machine = "x86_64", release = "6.17.2-1-pve", sysname = "Linux", version = "#1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1" },
        ["loadavg"] = new[] { "0.12", "0.08", "0.02" },
        ["memory"] = new { available = 12_000_000_000L, free = 10_000_000_000L, total = 16_000_000_000L, used = 4_000_000_000L },
        ["pveversion"] = "pve-manager/9.1.2/4c1ab1fa59f2d0c7",
        ["rootfs"] = new { avail = 50_000_000_000L, free = 52_000_000_000L, total = 100_000_000_000L, used = 48_000_000_000L },
        ["uptime"] = 86_400,
    };
}
