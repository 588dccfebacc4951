using Appliance.Proxmox.Config;
using Appliance.Proxmox.Http;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;

namespace Appliance.Proxmox.Tests;

/// <summary>Values reach PVE's form decoder intact: <c>;</c>, <c>+</c>, <c>=</c> escaped, booleans as 1/0.</summary>
public sealed class EncodingTests
{
    [Fact]
    public async Task Semicolon_plus_and_equals_inside_values_arrive_intact()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        await client.SetVmConfigNowAsync("pve", 100, new VmConfigChange()
            .Set("boot", "order=scsi0;net0")
            .Set("tags", "vpn;appliance")
            .Set("description", "size=+2G; a+b=c & d"));

        var sent = pve.Last("PUT", "/nodes/{node}/qemu/{vmid}/config");
        Assert.Equal("order=scsi0;net0", sent["boot"]);
        Assert.Equal("vpn;appliance", sent["tags"]);
        Assert.Equal("size=+2G; a+b=c & d", sent["description"]);
        Assert.Equal(3, sent.Parameters.Count - 2);
    }

    [Fact]
    public async Task Ssh_keys_are_percent_encoded_once_before_form_encoding()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);
        const string key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK+/x=y op@panel:1";

        await client.SetCloudInitAsync("pve", 100, new CloudInitSettings { SshPublicKeys = [key, "ssh-rsa AAAAB3== second"] });

        var sshkeys = pve.Last("POST", "/nodes/{node}/qemu/{vmid}/config")["sshkeys"]!;
        Assert.Contains("%2B", sshkeys, StringComparison.Ordinal);
        Assert.Contains("%2F", sshkeys, StringComparison.Ordinal);
        Assert.Contains("%0A", sshkeys, StringComparison.Ordinal);
        Assert.DoesNotContain("+", sshkeys, StringComparison.Ordinal);
        Assert.DoesNotContain(" ", sshkeys, StringComparison.Ordinal);
        Assert.Equal($"{key}\nssh-rsa AAAAB3== second", Uri.UnescapeDataString(sshkeys));
    }

    [Fact]
    public async Task Booleans_go_out_as_one_and_zero()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        await client.CreateVmAsync("pve", new VmCreateRequest { VmId = 100, Start = true, Config = new VmConfigChange().Set("onboot", false) });

        var sent = pve.Last("POST", "/nodes/{node}/qemu");
        Assert.Equal(("1", "0"), (sent["start"], sent["onboot"]));
    }

    [Fact]
    public void Query_strings_escape_the_same_characters_as_forms()
    {
        var query = new ProxmoxParameters().Add("path", "/vms/100").Add("note", "a;b+c=d").Add("flag", true).ToQueryString();
        Assert.Equal("path=%2Fvms%2F100&note=a%3Bb%2Bc%3Dd&flag=1", query);
    }

    [Fact]
    public void Nic_property_string_for_the_pppoe_bridge_keeps_the_firewall_off()
    {
        var nic = new NetworkDevice { MacAddress = "BC:24:11:00:00:02", Bridge = "vmbr1", VlanTag = 7 };
        Assert.Equal("virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0,tag=7", nic.ToPropertyString());
        Assert.Equal(nic, NetworkDevice.TryParse(nic.ToPropertyString()));
    }

    [Theory]
    [InlineData("vmbr 1", "bridge")]
    [InlineData("vmbr1", "MAC address")]
    public void Nic_with_a_bad_field_is_refused_naming_it(string bridge, string field)
    {
        var nic = new NetworkDevice { Bridge = bridge, MacAddress = bridge == "vmbr1" ? "BC:24:11:00:00" : null };
        Assert.Contains(field, Assert.Throws<ArgumentException>(() => nic.ToPropertyString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_from_a_host_path_is_refused_because_only_root_may()
        => Assert.Contains("only root@pam", Assert.Throws<ArgumentException>(() => DiskImport.FromVolume("local-lvm", "/root/appliance.qcow2")).Message, StringComparison.Ordinal);
}
