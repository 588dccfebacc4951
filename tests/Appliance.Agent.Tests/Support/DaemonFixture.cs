using System.Runtime.Versioning;

namespace Appliance.Agent.Tests.Support;

/// <summary>One real daemon for a test class, its uplink on a bridge of its own, started with a preset pairing token.</summary>
[SupportedOSPlatform("linux")]
public sealed class DaemonFixture : IAsyncLifetime
{
    public const string PairingToken = "preset-pairing-token-for-the-api-tests-0123456789";

    public TestBridge Bridge { get; } = new();
    public AgentDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Daemon = await AgentDaemon.StartAsync(new AgentDaemonOptions { Arguments = Bridge.ServeArguments, PresetPairingToken = PairingToken });

    public async Task DisposeAsync()
    {
        if (Daemon is not null)
            await Daemon.DisposeAsync();
        Bridge.Dispose();
    }
}
