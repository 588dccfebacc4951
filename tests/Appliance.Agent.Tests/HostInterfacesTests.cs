using System.Runtime.Versioning;
using Appliance.Agent.Api;

namespace Appliance.Agent.Tests;

/// <summary>Reading interfaces from a sysfs-shaped tree (built here, so the test does not depend on this machine's NICs).</summary>
[SupportedOSPlatform("linux")]
public sealed class HostInterfacesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sysfs-net-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Bridges_list_their_members_and_members_name_their_master()
    {
        Interface("lo", ("type", "772"), ("address", "00:00:00:00:00:00"), ("mtu", "65536"), ("operstate", "unknown"));
        Interface("vmbr1", ("address", "aa:bb:cc:00:00:01"), ("mtu", "1500"), ("operstate", "up"));
        Directory.CreateDirectory(Path.Combine(_root, "vmbr1", "bridge"));
        Directory.CreateDirectory(Path.Combine(_root, "vmbr1", "brif", "ens19"));
        Directory.CreateDirectory(Path.Combine(_root, "vmbr1", "brif", "appl-up0"));
        Interface("ens19", ("address", "aa:bb:cc:00:00:02"), ("mtu", "1500"), ("operstate", "up"));
        Directory.CreateDirectory(Path.Combine(_root, "ens19", "device"));
        File.CreateSymbolicLink(Path.Combine(_root, "ens19", "master"), Path.Combine(_root, "vmbr1"));
        Interface("appl-up0", ("address", "aa:bb:cc:00:00:03"), ("mtu", "1500"), ("operstate", "unknown"), ("tun_flags", "0x1002"));
        File.CreateSymbolicLink(Path.Combine(_root, "appl-up0", "master"), Path.Combine(_root, "vmbr1"));
        Interface("vlan7", ("uevent", "DEVTYPE=vlan\nINTERFACE=vlan7"), ("mtu", "1500"), ("operstate", "down"));

        var interfaces = HostInterfaces.Read(_root, uplink: null).ToDictionary(i => i.Name);

        Assert.Equal(["appl-up0", "ens19", "lo", "vlan7", "vmbr1"], interfaces.Keys);
        Assert.Equal("loopback", interfaces["lo"].Kind);
        Assert.Equal("bridge", interfaces["vmbr1"].Kind);
        Assert.Equal(["appl-up0", "ens19"], interfaces["vmbr1"].Members);
        Assert.Equal("nic", interfaces["ens19"].Kind);
        Assert.Equal("vmbr1", interfaces["ens19"].Master);
        Assert.Equal("tap", interfaces["appl-up0"].Kind);
        Assert.Equal("vlan", interfaces["vlan7"].Kind);
        Assert.Equal(65536, interfaces["lo"].Mtu);
        Assert.Equal("up", interfaces["ens19"].OperState);
        Assert.Equal("aa:bb:cc:00:00:02", interfaces["ens19"].Mac);
        Assert.Null(interfaces["vlan7"].Mac);
    }

    [Fact]
    public void A_missing_tree_gives_no_interfaces()
    {
        Assert.Empty(HostInterfaces.Read(Path.Combine(_root, "absent"), uplink: null));
    }

    private void Interface(string name, params (string File, string Content)[] files)
    {
        string dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        foreach (var (file, content) in files)
            File.WriteAllText(Path.Combine(dir, file), content + "\n");
    }
}
