using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;
using Appliance.Proxmox.Workflows.Connect;
using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Data;
using Appliance.Web.Proxmox;
using Appliance.Web.Tests.AgentsSupport;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Web.Tests.Proxmox;

/// <summary>The Proxmox services over a migrated database and the fake node, on virtual time; operators of both roles.</summary>
public sealed class ProxmoxServicesHarness : IAsyncDisposable
{
    private readonly TestDatabase _database = new();

    private ProxmoxServicesHarness(FakePveServer pve)
    {
        Pve = pve;
        var protection = new EphemeralDataProtectionProvider();
        Sites = new ProxmoxSiteStore(_database.Database, protection);
        Audit = new AuditLog(_database.Database, Time);
        Agents = new AgentStore(_database.Database, protection);
        var clients = new ProxmoxClients(Sites, Time, NullLoggerFactory.Instance) { ConnectTimeout = TimeSpan.FromSeconds(1) };
        Connector = new ProxmoxConnector(Sites, clients, Audit, Time);
        Vm = new ApplianceVmService(clients, Sites, Audit);
        Preflight = new PreflightService(clients, Audit);
        Deploy = new DeployService(clients, Sites, Agents, new AgentDialAddress(new AgentConnections(Agents, _ => Agent), Agents, Audit), Audit, Time);
        Templates = new TemplateImportService(clients, Sites, Audit, new PanelDataDirectory(Path.GetDirectoryName(_database.Database.DatabasePath)!), Time, Shell);
    }

    public static PanelOperator Admin { get; } = new(new AuditActor("alice", "192.0.2.10"), true);

    public static PanelOperator Viewer { get; } = new(new AuditActor("victor", "192.0.2.11"), false);

    public FakePveServer Pve { get; }

    /// <summary>Answers every agent the panel pairs (the deployed one included).</summary>
    public FakeAgent Agent { get; } = new();

    /// <summary>The node's shell for the SSH path of the template import.</summary>
    public RecordingShell Shell { get; } = new();

    public InstantDelayTimeProvider Time { get; } = new();

    public PanelDatabase Database => _database.Database;

    public ProxmoxSiteStore Sites { get; }

    public AuditLog Audit { get; }

    public AgentStore Agents { get; }

    public ProxmoxConnector Connector { get; }

    public ApplianceVmService Vm { get; }

    public PreflightService Preflight { get; }

    public DeployService Deploy { get; }

    public TemplateImportService Templates { get; }

    public static async Task<ProxmoxServicesHarness> StartAsync() => new(await FakePveServer.StartAsync());

    /// <summary>What an admin types to connect the fake (no fingerprint: first contact).</summary>
    public ConnectionCheckRequest ConnectRequest(string? fingerprint = null) => new()
    {
        BaseUrl = Pve.BaseUrl,
        TokenId = FakePveServer.TokenId,
        Secret = FakePveServer.Secret,
        Fingerprint = fingerprint,
    };

    /// <summary>Checks and saves the connection, and chooses the appliance VM.</summary>
    public async Task ConnectAsync(bool chooseVm = true)
    {
        var request = ConnectRequest(Pve.Fingerprint) with { FingerprintConfirmedOnScreen = true };
        var result = await Connector.CheckAsync(Admin, request);
        Assert.True(result.Connected, result.Error);
        await Connector.SaveAsync(Admin, request, result);
        if (chooseVm)
            await Vm.ChooseAsync(Admin, PveScenario.Node, PveScenario.ApplianceVmId, "vmbr1");
    }

    public async ValueTask DisposeAsync()
    {
        await Pve.DisposeAsync();
        _database.Dispose();
    }
}
