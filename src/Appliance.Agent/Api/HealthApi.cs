using System.Runtime.Versioning;
using Appliance.Agent.Lab;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent.Api;

/// <summary>Liveness, the health document and the switch ports.</summary>
[SupportedOSPlatform("linux")]
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiRoutes.Liveness, () => TypedResults.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet(ApiRoutes.Health, Health).WithTags("health").RequireAuthorization(ApiScopes.MetricsPolicy);
        app.MapGet(ApiRoutes.Ports, Ports).WithTags("health");
        return app;
    }

    private static AgentHealthDto Health(AgentInfo info, Uplink uplink, TunnelHost tunnel, State.ApplianceState state, IServiceProvider services, TimeProvider time)
    {
        var listeners = new List<string>();
        foreach (var listener in tunnel.Listeners)
            listeners.Add(listener.ToString());
        int sessions = 0;
        if (tunnel.Server is { } server)
        {
            foreach (var session in server.Sessions)
                if (session.IsEstablished && !session.IsClosing)
                    sessions++;
        }
        var now = time.GetUtcNow();
        int clients = 0;
        foreach (var client in state.Clients.List())
            if (!client.IsRevoked && client.ExpiresAt > now)
                clients++;
        var lab = services.GetService<ILabPppoeServer>()?.Status;
        return new AgentHealthDto(info.Version, info.StartedAt, uplink.Name, uplink.Kind, listeners, sessions, clients, state.Ca.ServerName, lab);
    }

    private static List<PortStatus> Ports(EthernetSwitch sw)
    {
        var ports = new List<PortStatus>();
        foreach (var port in sw.Ports)
            ports.Add(CounterDtos.From(port));
        return ports;
    }
}
