using Appliance.Proxmox.Access;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;

namespace Appliance.Proxmox.Tests;

/// <summary>The privilege check over <c>GET /access/permissions</c>.</summary>
public sealed class AccessContractTests
{
    [Fact]
    [Covers(nameof(ProxmoxClient.GetPermissionsAsync))]
    public async Task Permissions_read_path_privilege_and_propagation()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/access/permissions", new Dictionary<string, object>
        {
            ["/vms"] = new Dictionary<string, int> { ["VM.Audit"] = 1, ["VM.PowerMgmt"] = 0 },
        });
        using var client = Pve.Client(pve);

        var permissions = await client.GetPermissionsAsync();

        Assert.True(permissions.Grants("/vms", "VM.PowerMgmt"));
        Assert.True(permissions.Grants("/vms/100", "VM.Audit"));
        Assert.False(permissions.Grants("/vms/100", "VM.PowerMgmt"));
    }

    [Fact]
    [Covers(nameof(ProxmoxClient.CheckPrivilegesAsync))]
    public async Task Privilege_check_lists_what_the_token_lacks_on_which_path()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/access/permissions", new Dictionary<string, object>
        {
            ["/vms/100"] = new Dictionary<string, int> { ["VM.Audit"] = 1, ["VM.Config.Network"] = 1 },
        });
        using var client = Pve.Client(pve);
        PrivilegeRequirement[] needed =
        [
            new("/vms/100", "VM.Audit", "read the VM's status"),
            new("/vms/100", "VM.PowerMgmt", "start and stop the VM"),
            new("/vms/100", "VM.Config.Network", "connect the NICs"),
        ];

        var result = await client.CheckPrivilegesAsync(needed);

        Assert.Equal("/vms/100", pve.Last("GET", "/access/permissions")["path"]);
        Assert.Equal("VM.PowerMgmt", Assert.Single(result.Missing).Privilege);
        var line = Assert.Single(result.Describe());
        Assert.Contains("lacks VM.PowerMgmt on /vms/100", line, StringComparison.Ordinal);
        Assert.Contains($"--tokens '{FakePveServer.TokenId}'", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_privileges_come_with_the_exact_pveum_commands_no_placeholder()
    {
        var result = new PrivilegeCheckResult("panel@pve!appliance",
        [
            new("/vms", "VM.PowerMgmt", "start and stop the VM"),
            new("/vms", "VM.Audit", "read the VM's status"),
            new("/sdn/zones/localnetwork/vmbr1", "SDN.Use", "attach a NIC to bridge vmbr1"),
        ]);

        Assert.Equal(
        [
            "pveum role add ApplianceL2Vpn --privs 'SDN.Use,VM.Audit,VM.PowerMgmt' || pveum role modify ApplianceL2Vpn --append 1 --privs 'SDN.Use,VM.Audit,VM.PowerMgmt'",
            "pveum acl modify /vms --roles ApplianceL2Vpn --users 'panel@pve'",
            "pveum acl modify /vms --roles ApplianceL2Vpn --tokens 'panel@pve!appliance'",
            "pveum acl modify /sdn/zones/localnetwork/vmbr1 --roles ApplianceL2Vpn --users 'panel@pve'",
            "pveum acl modify /sdn/zones/localnetwork/vmbr1 --roles ApplianceL2Vpn --tokens 'panel@pve!appliance'",
        ], result.Commands());
        Assert.Empty(new PrivilegeCheckResult("panel@pve!appliance", []).Commands());
    }

    [Fact]
    public void Privilege_from_an_ancestor_counts_only_when_it_propagates()
    {
        var permissions = new PermissionMap(new Dictionary<string, IReadOnlyDictionary<string, bool>>
        {
            ["/"] = new Dictionary<string, bool> { ["Sys.Audit"] = true },
            ["/storage"] = new Dictionary<string, bool> { ["Datastore.Audit"] = false },
        });

        Assert.True(permissions.Grants("/nodes/pve", "Sys.Audit"));
        Assert.False(permissions.Grants("/storage/local", "Datastore.Audit"));
        Assert.True(permissions.Grants("/storage", "Datastore.Audit"));
    }

    [Fact]
    public void Appliance_privileges_follow_the_pve_major_version()
    {
        var nine = AppliancePrivileges.For("pve", 100, "local", "local-lvm", ["vmbr0", "vmbr1"], 9);
        var eight = AppliancePrivileges.For("pve", 100, "local", "local-lvm", ["vmbr0"], 8);

        Assert.Contains(nine, r => r.Privilege == "VM.GuestAgent.Audit");
        Assert.DoesNotContain(nine, r => r.Privilege == "VM.Monitor");
        Assert.Contains(eight, r => r.Privilege == "VM.Monitor");
        Assert.Contains(nine, r => r.Path == "/sdn/zones/localnetwork/vmbr1" && r.Privilege == "SDN.Use");
    }
}
