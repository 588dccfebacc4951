using System.Net;
using System.Net.Sockets;
using Appliance.Proxmox.Config;
using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;

namespace Appliance.Proxmox.Tests;

/// <summary>PVE's error answers become operator messages naming the thing, the value and the fix.</summary>
public sealed class ErrorTests
{
    [Fact]
    public async Task Refused_token_is_reported_with_its_id_and_never_its_secret()
    {
        await using var pve = await FakePveServer.StartAsync();
        var connection = pve.Connection();
        connection.Secret = "11111111-2222-3333-4444-555555555555";
        using var client = Pve.Client(pve, connection: connection);

        var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.GetVersionAsync());

        Assert.Equal(ProxmoxErrorKind.Authentication, thrown.Error.Kind);
        Assert.Contains("refused the API token 'panel@pve!appliance'", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("API Tokens", thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(connection.Secret, thrown.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Permission_check_failure_names_privilege_path_and_the_grant()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Fail("POST", "/nodes/{node}/qemu/{vmid}/status/start", 403, "Permission check failed (/vms/100, VM.PowerMgmt)");
        using var client = Pve.Client(pve);

        var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.StartVmAsync("pve", 100));

        Assert.Equal(ProxmoxErrorKind.Permission, thrown.Error.Kind);
        Assert.Equal(("/vms/100", "VM.PowerMgmt"), (thrown.Error.PermissionPath, thrown.Error.MissingPrivilege));
        Assert.StartsWith("the token 'panel@pve!appliance' lacks VM.PowerMgmt on /vms/100", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("grant", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("pveum acl modify /vms/100 --roles <role> --users panel@pve", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parameter_errors_are_reported_per_parameter()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Fail("POST", "/nodes/{node}/qemu", 400, "Parameter verification failed.", new Dictionary<string, string>
        {
            ["vmid"] = "unable to create VM 100 - VM 100 already exists on node 'pve'",
            ["name"] = "invalid format - value does not look like a valid DNS name",
        });
        using var client = Pve.Client(pve);

        var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.CreateVmAsync("pve", new VmCreateRequest { VmId = 100 }));

        Assert.Equal(ProxmoxErrorKind.InvalidParameters, thrown.Error.Kind);
        Assert.Equal(2, thrown.Error.ParameterErrors.Count);
        Assert.Contains("parameter 'vmid': unable to create VM 100 - VM 100 already exists", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("parameter 'name': invalid format", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_failure_carries_the_reason_and_what_to_do()
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Fail("POST", "/nodes/{node}/qemu/{vmid}/config", 500, "VM is locked (clone)");
        using var client = Pve.Client(pve);

        var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.SetVmConfigAsync("pve", 101, new VmConfigChange().Set("name", "copy")));

        Assert.Equal(ProxmoxErrorKind.ServerFailure, thrown.Error.Kind);
        Assert.Contains("VM is locked (clone)", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("wait for it to finish", thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(595, "Connection refused")]
    [InlineData(596, "Connection timed out")]
    public async Task Proxy_failure_points_at_the_target_node(int status, string reason)
    {
        await using var pve = await FakePveServer.StartAsync();
        pve.Fail("GET", "/nodes/{node}/status", status, reason);
        using var client = Pve.Client(pve);

        var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.GetNodeStatusAsync("pve2"));

        Assert.Equal(ProxmoxErrorKind.ProxyFailure, thrown.Error.Kind);
        Assert.Contains($"({status} {reason})", thrown.Message, StringComparison.Ordinal);
        Assert.Contains("target node is online", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_node_is_a_connection_error_naming_the_address()
    {
        await using var pve = await FakePveServer.StartAsync();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var connection = pve.Connection();
        connection.BaseUrl = new Uri($"https://127.0.0.1:{closedPort}");
        using var client = Pve.Client(pve, connection: connection);

        var thrown = await Assert.ThrowsAsync<ProxmoxException>(() => client.GetVersionAsync());

        Assert.Equal(ProxmoxErrorKind.Connection, thrown.Error.Kind);
        Assert.Contains($"127.0.0.1:{closedPort}", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forbidden_without_the_standard_phrase_still_points_at_permissions()
    {
        var error = ProxmoxErrorTranslator.FromResponse("GET /nodes/pve/network", 403, "Forbidden", null, "panel@pve!appliance");
        Assert.Equal(ProxmoxErrorKind.Permission, error.Kind);
        Assert.Contains("/access/permissions", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_member_of_newer_pve_bodies_is_preferred_over_the_reason_phrase()
    {
        var error = ProxmoxErrorTranslator.FromResponse("POST /nodes/pve/qemu/100/agent/ping", 500, "Internal Server Error",
            """{"data":null,"message":"QEMU guest agent is not running\n"}""", "panel@pve!appliance");
        Assert.Equal("QEMU guest agent is not running", error.Reason);
        Assert.Contains("qemu-guest-agent", error.Message, StringComparison.Ordinal);
    }
}
