using System.Runtime.Versioning;
using Appliance.Agent.Captures;
using Appliance.Agent.Config;
using Appliance.Agent.Handover;
using Appliance.Agent.Pki;
using Appliance.Agent.State;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent;

/// <summary>The daemon's parts in the host: state, configuration, switch, uplink, tunnel, captures.</summary>
[SupportedOSPlatform("linux")]
internal static class AgentServices
{
    public static IServiceCollection AddAgentEngine(this IServiceCollection services, AgentOptions options, AgentConfigDto config, AgentConfigFile configFile, ApplianceState state, HandoverSettings handover)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(state);
        services.AddSingleton(state.Clients);
        services.AddSingleton(state.Pairing);
        services.AddSingleton(state.Directory);
        services.AddSingleton(configFile);
        services.AddSingleton(sp => new EthernetSwitch(LiveConfig.SwitchOptionsOf(config), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new LiveConfig(config, configFile, sp.GetRequiredService<EthernetSwitch>()));
        services.AddSingleton(new UplinkSettings(config.Uplink.Nic, config.Uplink.Bridge, config.Uplink.LabBridge, options.UplinkTap));
        // First registered, so it stops last: it hands on what the API, tunnel and uplink left it as they stopped.
        services.AddSingleton(handover);
        services.AddSingleton<AgentHandover>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentHandover>());
        // Hosted services start in this order: the uplink (it may create the lab bridge) before the tunnel.
        services.AddSingleton<Uplink>();
        services.AddHostedService(sp => sp.GetRequiredService<Uplink>());
        services.AddSingleton<TunnelHost>();
        services.AddHostedService(sp => sp.GetRequiredService<TunnelHost>());
        services.AddHostedService<RevocationListRefresher>();
        services.AddSingleton<EndedSessions>();
        services.AddSingleton(sp => new CaptureStore(state.Directory, sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<CaptureWatcher>();
        return services;
    }
}
