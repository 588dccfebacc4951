using Appliance.Proxmox.Config;
using Appliance.Proxmox.Console;
using Appliance.Proxmox.Models;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;

namespace Appliance.Proxmox.Tests;

/// <summary>VM calls against the schema-generated node: every parameter sent passes the PVE 9.1 schema.</summary>
public sealed class VmContractTests
{
    [Fact]
    [Covers(nameof(ProxmoxClient.GetVmsAsync))]
    public async Task Vm_list_reads_status_and_lock()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/qemu", new object[]
        {
            new { vmid = 100, name = "appliance", status = "running", qmpstatus = "running", uptime = 120, cpus = 2, maxmem = 2_147_483_648L },
            new { vmid = 101, name = "copy", status = "stopped", @lock = "clone" },
        });
        using var client = Pve.Client(pve);

        var vms = await client.GetVmsAsync("pve");

        Assert.True(vms[0].IsRunning);
        Assert.Equal("clone", vms[1].Lock);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetVmStatusAsync))]
    public async Task Vm_status_reads_agent_flag()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/status/current",
            new Dictionary<string, object> { ["vmid"] = 100, ["status"] = "running", ["ha"] = new { managed = 0 }, ["agent"] = 1, ["running-qemu"] = "10.1.0" });
        using var client = Pve.Client(pve);

        var status = await client.GetVmStatusAsync("pve", 100);

        Assert.True(status.AgentEnabled);
        Assert.Equal("10.1.0", status.RunningQemu);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetVmConfigAsync))]
    public async Task Vm_config_is_a_dictionary_with_digest_nics_and_decoded_keys()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/config", new Dictionary<string, object>
        {
            ["digest"] = "3f1c2d", ["name"] = "appliance", ["memory"] = "2048", ["cores"] = 2, ["boot"] = "order=scsi0;net0",
            ["net0"] = "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1",
            ["net1"] = "virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0,mtu=1",
            ["sshkeys"] = CloudInitSettings.EncodeSshKeys(["ssh-ed25519 AAAAC3Nza+/= op@panel"]),
        });
        using var client = Pve.Client(pve);

        var config = await client.GetVmConfigAsync("pve", 100, current: true);

        Assert.Equal("1", pve.Last("GET", "/nodes/{node}/qemu/{vmid}/config")["current"]);
        Assert.Equal("3f1c2d", config.Digest);
        Assert.Equal("2", config["cores"]);
        Assert.Equal("vmbr1", config.NetworkDevices[1].Bridge);
        Assert.False(config.NetworkDevices[1].Firewall);
        Assert.Equal(["ssh-ed25519 AAAAC3Nza+/= op@panel"], config.SshPublicKeys);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.SetVmConfigAsync))]
    public async Task Config_post_returns_a_task_and_sends_delete_and_digest()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        var change = new VmConfigChange().Set("onboot", true).Set("agent", "enabled=1,fstrim_cloned_disks=1").Set("memory", 2048)
            .Delete("ide2", "unused0").ExpectDigest("3f1c2d");
        var upid = await client.SetVmConfigAsync("pve", 100, change);

        var sent = pve.Last("POST", "/nodes/{node}/qemu/{vmid}/config");
        Assert.Equal("qmconfig", upid.Type);
        Assert.Equal("1", sent["onboot"]);
        Assert.Equal("ide2,unused0", sent["delete"]);
        Assert.Equal("3f1c2d", sent["digest"]);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.SetVmConfigNowAsync))]
    public async Task Config_put_is_synchronous()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        await client.SetVmConfigNowAsync("pve", 100, new VmConfigChange().Set("description", "L2 VPN appliance; managed by the panel").Set("tags", "vpn;appliance"));

        var sent = pve.Last("PUT", "/nodes/{node}/qemu/{vmid}/config");
        Assert.Equal("L2 VPN appliance; managed by the panel", sent["description"]);
        Assert.Equal("vpn;appliance", sent["tags"]);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.SetNetworkDeviceAsync))]
    public async Task Nic_is_written_as_model_mac_bridge_firewall_off()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        await client.SetNetworkDeviceAsync("pve", 100, 1, new NetworkDevice { MacAddress = "bc:24:11:00:00:02", Bridge = "vmbr1", Firewall = false, Mtu = 1 });

        Assert.Equal("virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall=0,mtu=1", pve.Last("POST", "/nodes/{node}/qemu/{vmid}/config")["net1"]);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.SetCloudInitAsync))]
    public async Task Cloud_init_sends_user_percent_encoded_keys_and_ipconfig()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);
        string[] keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI+x/y=z op@panel", "ssh-rsa AAAAB3Nza+/== backup@panel"];

        await client.SetCloudInitAsync("pve", 100, new CloudInitSettings
        {
            User = "appliance",
            SshPublicKeys = keys,
            IpConfigs = new Dictionary<int, IpConfig> { [0] = IpConfig.Static("192.0.2.10/24", "192.0.2.1"), [1] = IpConfig.Dhcp },
            UpgradePackages = false,
        });

        var sent = pve.Last("POST", "/nodes/{node}/qemu/{vmid}/config");
        Assert.Equal("appliance", sent["ciuser"]);
        Assert.Equal(string.Join('\n', keys), Uri.UnescapeDataString(sent["sshkeys"]!));
        Assert.Equal("ip=192.0.2.10/24,gw=192.0.2.1", sent["ipconfig0"]);
        Assert.Equal("ip=dhcp", sent["ipconfig1"]);
        Assert.Equal("0", sent["ciupgrade"]);
    }

    [Theory]
    [InlineData("start", "qmstart")]
    [InlineData("shutdown", "qmshutdown")]
    [InlineData("reboot", "qmreboot")]
    [InlineData("stop", "qmstop")]
    [Covers(nameof(ProxmoxClient.StartVmAsync))]
    [Covers(nameof(ProxmoxClient.ShutdownVmAsync))]
    [Covers(nameof(ProxmoxClient.RebootVmAsync))]
    [Covers(nameof(ProxmoxClient.StopVmAsync))]
    public async Task Power_action_returns_its_task(string action, string taskType)
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        var upid = action switch
        {
            "start" => await client.StartVmAsync("pve", 100),
            "shutdown" => await client.ShutdownVmAsync("pve", 100, TimeSpan.FromSeconds(60), forceStopAfterTimeout: true),
            "reboot" => await client.RebootVmAsync("pve", 100),
            _ => await client.StopVmAsync("pve", 100),
        };

        Assert.Equal(taskType, upid.Type);
        Assert.Equal("100", upid.Id);
        Assert.Equal("pve", upid.Node);
        Assert.Contains(pve.Requests, r => r.Method == "POST" && r.Template == $"/nodes/{{node}}/qemu/{{vmid}}/status/{action}");
        if (action == "shutdown")
        {
            Assert.Equal("60", pve.Last("POST", "/nodes/{node}/qemu/{vmid}/status/shutdown")["timeout"]);
            Assert.Equal("1", pve.Last("POST", "/nodes/{node}/qemu/{vmid}/status/shutdown")["forceStop"]);
        }
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetVmRrdDataAsync))]
    public async Task Rrd_data_asks_hour_average_and_tolerates_missing_fields()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/rrddata", new object[]
        {
            new { time = 1_767_225_600L, cpu = 0.05, maxcpu = 2, mem = 1_000_000_000L, netin = 1234.5, netout = 987.25 },
            new { time = 1_767_225_660L },
        });
        using var client = Pve.Client(pve);

        var samples = await client.GetVmRrdDataAsync("pve", 100);

        var sent = pve.Last("GET", "/nodes/{node}/qemu/{vmid}/rrddata");
        Assert.Equal("hour", sent["timeframe"]);
        Assert.Equal("AVERAGE", sent["cf"]);
        Assert.Equal(1234.5, samples[0]["netin"]);
        Assert.Null(samples[1]["cpu"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_767_225_660L), samples[1].Time);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.CloneVmAsync))]
    public async Task Clone_sends_newid_name_full_and_storage()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        var upid = await client.CloneVmAsync("pve", 9000, new VmCloneRequest { NewVmId = 101, Name = "appliance-2", Full = true, Storage = "local-lvm" });

        var sent = pve.Last("POST", "/nodes/{node}/qemu/{vmid}/clone");
        Assert.Equal("qmclone", upid.Type);
        Assert.Equal("9000", upid.Id);
        Assert.Equal(("101", "1", "local-lvm"), (sent["newid"], sent["full"], sent["storage"]));
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.ConvertToTemplateAsync))]
    public async Task Template_conversion_returns_its_task()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        Assert.Equal("qmtemplate", (await client.ConvertToTemplateAsync("pve", 9000)).Type);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.CreateVmAsync))]
    public async Task Create_imports_the_uploaded_qcow2_and_sets_the_appliance_options()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);
        var config = new VmConfigChange()
            .Set("name", "l2vpn-appliance")
            .Set("memory", 2048)
            .Set("cores", 2)
            .Set("scsihw", "virtio-scsi-single")
            .Set("scsi0", DiskImport.FromVolume("local-lvm", DiskImport.ImportVolumeId("local", "appliance-1.4.0.qcow2"), "discard=on,ssd=1"))
            .Set("ide2", "local-lvm:cloudinit")
            .Set("boot", "order=scsi0;net0")
            .Set("agent", "enabled=1")
            .Set("serial0", "socket")
            .Set("onboot", true)
            .SetNetworkDevice(0, new NetworkDevice { Bridge = "vmbr0", Firewall = true })
            .SetNetworkDevice(1, new NetworkDevice { Bridge = "vmbr1", Firewall = false })
            .SetCloudInit(new CloudInitSettings { User = "appliance", SshPublicKeys = ["ssh-ed25519 AAAA+/= op@panel"], IpConfigs = new Dictionary<int, IpConfig> { [0] = IpConfig.Dhcp }, UpgradePackages = false });

        var upid = await client.CreateVmAsync("pve", new VmCreateRequest { VmId = 100, Config = config });

        var sent = pve.Last("POST", "/nodes/{node}/qemu");
        Assert.Equal("qmcreate", upid.Type);
        Assert.Equal("local-lvm:0,import-from=local:import/appliance-1.4.0.qcow2,discard=on,ssd=1", sent["scsi0"]);
        Assert.Equal("order=scsi0;net0", sent["boot"]);
        Assert.Equal("virtio,bridge=vmbr1,firewall=0", sent["net1"]);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.DeleteVmAsync))]
    public async Task Delete_destroys_a_stopped_vm_with_purge_and_refuses_a_running_one()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Vms.Add(150, new Dictionary<string, string> { ["name"] = "copy" });
        pve.Vms.Add(151, new Dictionary<string, string> { ["name"] = "live" }, status: "running");
        using var client = Pve.Client(pve);

        var upid = await client.DeleteVmAsync("pve", 150);
        var refused = await Assert.ThrowsAsync<Errors.ProxmoxException>(() => client.DeleteVmAsync("pve", 151));

        var sent = pve.Last("DELETE", "/nodes/{node}/qemu/{vmid}");
        Assert.Equal(("qmdestroy", "150"), (upid.Type, upid.Id));
        Assert.Equal(("1", "1"), (pve.Requests.First(r => r.Method == "DELETE")["purge"], sent["destroy-unreferenced-disks"]));
        Assert.Null(pve.Vms.Config(150));
        Assert.Contains("is running", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.GetVmFirewallOptionsAsync))]
    public async Task Firewall_options_read_enable_and_macfilter()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/firewall/options", new { enable = 1, macfilter = 0, policy_in = "DROP" });
        using var client = Pve.Client(pve);

        var options = await client.GetVmFirewallOptionsAsync("pve", 100);

        Assert.True(options.Enable);
        Assert.False(options.MacFilter);
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.SetVmFirewallOptionsAsync))]
    public async Task Firewall_options_are_written_as_one_and_zero()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        await client.SetVmFirewallOptionsAsync("pve", 100, enable: true, macFilter: false);

        var sent = pve.Last("PUT", "/nodes/{node}/qemu/{vmid}/firewall/options");
        Assert.Equal(("1", "0"), (sent["enable"], sent["macfilter"]));
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.BuildConsoleUrl))]
    public async Task Console_link_opens_novnc_in_the_pve_gui_without_an_api_call()
    {
        await using var pve = await FakePveServer.StartAsync();
        using var client = Pve.Client(pve);

        var url = client.BuildConsoleUrl("pve", 100, "l2vpn appliance");
        var serial = client.BuildConsoleUrl("pve", 100, viewer: ConsoleViewer.XtermJs);

        Assert.Equal($"{pve.BaseUrl.GetLeftPart(UriPartial.Authority)}/?console=kvm&novnc=1&vmid=100&vmname=l2vpn%20appliance&node=pve&resize=off&cmd=", url.AbsoluteUri);
        Assert.Contains("xtermjs=1", serial.Query, StringComparison.Ordinal);
        Assert.Empty(pve.Requests);
    }
}
