using System.Runtime.Versioning;
using Appliance.Agent.State;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent.Api;

/// <summary>
/// <c>/metrics</c>: the switch ports' counters (uplink and one port per session, labelled by session id and client
/// name), sessions, clients and tunnel refusals, in Prometheus text format.
/// </summary>
/// <remarks>
/// Written by hand from snapshots taken at scrape time: the counters already live in the engine, and session series
/// must vanish with their session; a metrics library would need every counter mirrored into its registry and removed
/// again, for a text format of a few dozen lines.
/// </remarks>
[SupportedOSPlatform("linux")]
internal static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiRoutes.Metrics, (EthernetSwitch sw, TunnelHost tunnel, ApplianceState state, AgentInfo info, TimeProvider time) =>
            TypedResults.Text(Render(sw, tunnel, state, info, time.GetUtcNow()), PrometheusText.ContentType))
            .WithTags("metrics").RequireAuthorization(ApiScopes.MetricsPolicy);
        return app;
    }

    public static string Render(EthernetSwitch sw, TunnelHost tunnel, ApplianceState state, AgentInfo info, DateTimeOffset now)
    {
        var text = new PrometheusText();
        text.Family("appliance_agent_info", "gauge", "The agent's version; always 1.");
        text.Sample("appliance_agent_info", 1, ("version", info.Version));
        text.Family("appliance_agent_start_time_seconds", "gauge", "When the agent started (Unix time).");
        text.Sample("appliance_agent_start_time_seconds", info.StartedAt.ToUnixTimeSeconds());

        var clientOfPort = new Dictionary<SwitchPort, (string Session, string Client)>();
        int sessions = 0;
        if (tunnel.Server is { } server)
        {
            foreach (var session in server.Sessions)
            {
                if (session.Port is { } port)
                {
                    clientOfPort[port] = (session.Name, session.CommonName ?? "");
                    if (!session.IsClosing)
                        sessions++;
                }
            }
            text.Family("appliance_tunnel_refusals_total", "counter", "Clients refused after TLS (revoked, disabled, expired, unknown CA).");
            text.Sample("appliance_tunnel_refusals_total", server.Refusals);
            var unattributed = server.Unattributed.Snapshot();
            text.Family("appliance_tunnel_unattributed_drops_total", "counter", "Packets belonging to no session, dropped, by reason.");
            for (int i = 0; i < DropReasons.Count; i++)
            {
                long value = unattributed.Drops((DropReason)i);
                if (value != 0)
                    text.Sample("appliance_tunnel_unattributed_drops_total", value, ("reason", DropReasons.Key((DropReason)i)));
            }
        }
        text.Family("appliance_sessions", "gauge", "Established tunnel sessions.");
        text.Sample("appliance_sessions", sessions);
        int clients = 0;
        foreach (var client in state.Clients.List())
            if (!client.IsRevoked && client.ExpiresAt > now && !client.Disabled)
                clients++;
        text.Family("appliance_clients", "gauge", "Clients whose certificate is in force and who are not disabled.");
        text.Sample("appliance_clients", clients);

        text.Family("appliance_port_frames_total", "counter", "Frames per switch port and direction (in = into the switch from the port's device).");
        text.Family("appliance_port_bytes_total", "counter", "Bytes per switch port and direction.");
        text.Family("appliance_port_drops_total", "counter", "Dropped frames per switch port, direction and reason.");
        text.Family("appliance_port_frames_by_size_total", "counter", "Frames per switch port, direction and size class (14-33: the class a faulty TAP driver eats).");
        text.Family("appliance_port_frames_by_family_total", "counter", "Frames per switch port, direction and EtherType family.");
        text.Family("appliance_port_pppoe_discovery_total", "counter", "PPPoE discovery frames per switch port, direction and code.");
        text.Family("appliance_port_learned_macs", "gauge", "MAC addresses learned on the port.");
        foreach (var port in sw.Ports)
        {
            var (session, client) = clientOfPort.TryGetValue(port, out var owner) ? owner : ("", "");
            string kind = port.Kind == PortKind.Uplink ? "uplink" : "session";
            var snapshot = port.Counters.Snapshot();
            text.Sample("appliance_port_learned_macs", port.LearnedMacCount, ("port", port.Name), ("kind", kind), ("session", session), ("client", client));
            Direction(text, snapshot.In, "in", port.Name, kind, session, client);
            Direction(text, snapshot.Out, "out", port.Name, kind, session, client);
        }
        return text.ToString();
    }

    private static void Direction(PrometheusText text, DirectionSnapshot s, string direction, string port, string kind, string session, string client)
    {
        (string, string)[] Labels(params (string, string)[] extra) =>
            [("port", port), ("kind", kind), ("session", session), ("client", client), ("direction", direction), .. extra];
        text.Sample("appliance_port_frames_total", s.Frames, Labels());
        text.Sample("appliance_port_bytes_total", s.Bytes, Labels());
        for (int i = 0; i < DropReasons.Count; i++)
        {
            long value = s.Drops((DropReason)i);
            if (value != 0)
                text.Sample("appliance_port_drops_total", value, Labels(("reason", DropReasons.Key((DropReason)i))));
        }
        foreach (var sizeClass in Enum.GetValues<SizeClass>())
            text.Sample("appliance_port_frames_by_size_total", s.BySize(sizeClass), Labels(("size", SizeClasses.Label(sizeClass))));
        foreach (var family in Enum.GetValues<EtherTypeFamily>())
        {
            long value = s.ByFamily(family);
            if (value != 0)
                text.Sample("appliance_port_frames_by_family_total", value, Labels(("family", family.ToString())));
        }
        foreach (var code in Enum.GetValues<PppoeDiscoveryCode>())
        {
            long value = code == PppoeDiscoveryCode.None ? 0 : s.ByPppoeCode(code);
            if (value != 0)
                text.Sample("appliance_port_pppoe_discovery_total", value, Labels(("code", code.ToString().ToUpperInvariant())));
        }
    }
}
