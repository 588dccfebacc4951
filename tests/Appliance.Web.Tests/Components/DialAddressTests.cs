using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Components.AgentParts;
using Appliance.Web.Tests.AgentsSupport;
using Appliance.Web.Users;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Components;

/// <summary>The address an agent's profiles dial, on the Agents page: shown, checked, changed through the agent's config API, audited.</summary>
public sealed class DialAddressTests : IDisposable
{
    private readonly FakeAgent _agent = new();
    private PanelComponentContext? _context;
    private long _agentId;

    public void Dispose() => _context?.Dispose();

    private IRenderedComponent<DialAddressPanel> Render(string role = PanelRoles.Admin)
    {
        _context = new PanelComponentContext(role, services: services =>
        {
            services.AddSingleton<AgentStore>();
            services.AddSingleton<AgentHandlerFactory>(_ => _ => _agent);
            services.AddSingleton<AgentConnections>();
            services.AddSingleton<AgentDialAddress>();
        });
        _agentId = _context!.Get<AgentStore>().AddAsync("lab", new Uri("https://lab.invalid:7443/"), "AA:BB", "pairing-token", DateTimeOffset.UnixEpoch, "admin")
            .GetAwaiter().GetResult().Id;
        return _context.Render<DialAddressPanel>(p => p
            .Add(c => c.AgentId, _agentId)
            .Add(c => c.AgentName, "lab")
            .Add(c => c.Listeners, ["udp 0.0.0.0:1194", "tcp 0.0.0.0:1443"])
            .Add(c => c.IsAdmin, role == PanelRoles.Admin));
    }

    [Fact]
    public void Shows_the_host_and_the_listener_ports_profiles_dial_and_warns_of_a_name_without_a_domain()
    {
        var panel = Render();

        panel.WaitForAssertion(() => Assert.Contains("Profiles dial vm, UDP port the listener's port (1194), TCP port the listener's port (1443).",
            panel.Find("[data-testid=dial-current]").TextContent, StringComparison.Ordinal));
        Assert.Contains("without a domain", panel.Find("[data-testid=dial-warning]").TextContent, StringComparison.Ordinal);
        Assert.Equal("vm", panel.Find("[data-testid=dial-host]").GetAttribute("value"));
        Assert.Equal("", panel.Find("[data-testid=dial-udp]").GetAttribute("value") ?? "");
    }

    [Fact]
    public async Task Admin_changes_the_address_in_the_agents_config_and_the_change_is_audited()
    {
        var panel = Render();
        panel.WaitForElement("[data-testid=dial-host]");
        var before = _agent.Config;

        panel.Find("[data-testid=dial-host]").Change("vpn.example.net");
        panel.Find("[data-testid=dial-udp]").Change("443");
        panel.Find("form").Submit();

        panel.WaitForAssertion(() => Assert.Contains("dial the new address", panel.Find("[data-testid=banner]").TextContent, StringComparison.Ordinal));
        Assert.Equal(("vpn.example.net", 443, 0), (_agent.Config.Profiles.ServerHost, _agent.Config.Profiles.UdpPort, _agent.Config.Profiles.TcpPort));
        // Nothing else of the config changed.
        Assert.Equal(Json(before with { Profiles = _agent.Config.Profiles }), Json(_agent.Config));
        Assert.Contains("Profiles dial vpn.example.net, UDP port 443, TCP port the listener's port (1443).", panel.Find("[data-testid=dial-current]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=dial-warning]"));
        var entry = Assert.Single(await _context!.Get<AuditLog>().QueryAsync(new AuditQuery(Action: AgentAuditActions.DialAddressChanged)));
        Assert.Equal(("admin", "lab"), (entry.UserName, entry.Target));
        Assert.Equal("profiles dial vpn.example.net udp 443, tcp the listener's port (was vm udp the listener's port, tcp the listener's port)", entry.Detail);
    }

    private static string Json(Appliance.Contracts.AgentConfigDto config) => System.Text.Json.JsonSerializer.Serialize(config);

    [Fact]
    public void A_host_that_is_no_name_and_a_port_out_of_range_are_refused_before_the_agent_is_asked()
    {
        var panel = Render();
        panel.WaitForElement("[data-testid=dial-host]");

        panel.Find("[data-testid=dial-host]").Change("vpn example!");
        panel.Find("[data-testid=dial-tcp]").Change("70000");
        panel.Find("form").Submit();

        var messages = panel.FindAll(".validation-message").Select(m => m.TextContent).ToList();
        Assert.Contains("Enter a DNS name (letters, digits, hyphens, dots) or an IP address.", messages);
        Assert.Contains("Enter a port from 1 to 65535, or leave it blank.", messages);
        Assert.DoesNotContain(_agent.Requests, r => r.StartsWith("PUT", StringComparison.Ordinal));
        Assert.Equal("vm", _agent.Config.Profiles.ServerHost);
    }

    [Fact]
    public void Typing_a_local_name_warns_before_saving()
    {
        var panel = Render();
        panel.WaitForElement("[data-testid=dial-host]");

        panel.Find("[data-testid=dial-host]").Change("appliance.lan");

        Assert.Contains("local-only name", panel.Find("[data-testid=dial-warning-typed]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Viewer_sees_the_address_but_no_form()
    {
        var panel = Render(PanelRoles.Viewer);

        panel.WaitForElement("[data-testid=dial-current]");
        Assert.Empty(panel.FindAll("form"));
    }

    [Fact]
    public async Task The_service_refuses_a_viewer_whatever_the_page_showed()
    {
        Render(PanelRoles.Viewer);
        var viewer = new PanelOperator(new AuditActor("watcher", "127.0.0.1"), IsAdmin: false);

        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _context!.Get<AgentDialAddress>().SaveAsync(viewer, _agentId, new DialAddress("vpn.example.net", 0, 0)));
        Assert.Equal("vm", _agent.Config.Profiles.ServerHost);
    }

    [Theory]
    [InlineData("vpn.example.net", null)]
    [InlineData("203.0.113.7", null)]
    [InlineData("2001:db8::7", null)]
    [InlineData("vm", DialAddressWarning.SingleLabel)]
    [InlineData("localhost", DialAddressWarning.LocalName)]
    [InlineData("appliance.local", DialAddressWarning.LocalName)]
    [InlineData("appliance.lan", DialAddressWarning.LocalName)]
    [InlineData("10.0.0.5", DialAddressWarning.PrivateAddress)]
    [InlineData("172.20.1.1", DialAddressWarning.PrivateAddress)]
    [InlineData("192.168.1.10", DialAddressWarning.PrivateAddress)]
    [InlineData("127.0.0.1", DialAddressWarning.PrivateAddress)]
    [InlineData("169.254.3.4", DialAddressWarning.PrivateAddress)]
    [InlineData("100.64.0.1", DialAddressWarning.PrivateAddress)]
    [InlineData("fd00::1", DialAddressWarning.PrivateAddress)]
    [InlineData("::1", DialAddressWarning.PrivateAddress)]
    public void Names_and_addresses_that_do_not_look_publicly_reachable_are_flagged(string host, DialAddressWarning? expected)
        => Assert.Equal(expected, AgentDialAddress.Check(host));

    [Theory]
    [InlineData("vpn.example.net", true)]
    [InlineData("vm", true)]
    [InlineData("203.0.113.7", true)]
    [InlineData("2001:db8::7", true)]
    [InlineData("", false)]
    [InlineData("vpn example", false)]
    [InlineData("vpn.example.net:1194", false)]
    [InlineData("vpn,example", false)]
    public void A_host_is_a_dns_name_or_an_ip_address(string host, bool valid) => Assert.Equal(valid, AgentDialAddress.IsHost(host));
}
