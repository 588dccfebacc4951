namespace Appliance.Contracts;

/// <summary>
/// The agent's control API, version 1. Every route but <see cref="Liveness"/> and <see cref="PairingProof"/> needs
/// <c>Authorization: Bearer &lt;pairing token&gt;</c>; errors are RFC 7807 problem documents with a 4xx/5xx status.
/// The OpenAPI document is served at <see cref="OpenApi"/>.
/// </summary>
public static class ApiRoutes
{
    /// <summary>Unauthenticated liveness probe for systemd, QEMU boot checks and container health: answers <c>ok</c>, nothing else.</summary>
    public const string Liveness = "/healthz";

    /// <summary>Unauthenticated: POST a <see cref="PairingProofRequest"/>, get a <see cref="PairingProofResponse"/> proving the agent knows the token without sending it.</summary>
    public const string PairingProof = "/api/v1/pairing/proof";

    public const string OpenApi = "/openapi/v1.json";

    /// <summary>GET <see cref="AgentHealthDto"/>.</summary>
    public const string Health = "/api/v1/health";

    /// <summary>GET the switch ports and their counters (<see cref="PortStatus"/> list).</summary>
    public const string Ports = "/api/v1/ports";

    /// <summary>GET <see cref="SessionDto"/> list.</summary>
    public const string Sessions = "/api/v1/sessions";

    /// <summary>GET a server-sent event stream: event <c>sessions</c>, data a <see cref="SessionsUpdateDto"/>, once a second (query <c>interval</c> in ms, 250..60000).</summary>
    public const string SessionsStream = "/api/v1/sessions/stream";

    /// <summary>GET the ended sessions the agent still keeps (<see cref="EndedSessionDto"/> list, newest first; query <c>client</c> narrows to one
    /// client). Bounded: the last few per client (config <c>tunnel.endedSessionsPerClient</c>), kept in memory until the agent restarts.</summary>
    public const string EndedSessions = "/api/v1/ended-sessions";

    /// <summary>GET one kept <see cref="EndedSessionDto"/> by its session id (404 <c>ended-session-not-found</c> once the retention forgot it).</summary>
    public static string EndedSession(string id) => $"{EndedSessions}/{Uri.EscapeDataString(id)}";

    /// <summary><see cref="EndedSessions"/> of one client.</summary>
    public static string EndedSessionsOf(string client) => $"{EndedSessions}?client={Uri.EscapeDataString(client)}";

    /// <summary>GET one <see cref="SessionDto"/>; DELETE kicks it (query <c>halt=true</c> tells the client not to reconnect).</summary>
    public static string Session(string id) => $"/api/v1/sessions/{Uri.EscapeDataString(id)}";

    /// <summary>POST (no body) to probe which frame sizes make the round trip through the session's PPPoE link; answers a <see cref="FrameSizeProbeDto"/>
    /// (409 <c>probe-refused</c> unless LCP is Opened, 409 <c>probe-running</c> while another probe of the session runs).</summary>
    public static string SessionSizeProbe(string id) => $"/api/v1/sessions/{Uri.EscapeDataString(id)}/size-probe";

    /// <summary>POST a <see cref="CaptureRequest"/> to start capturing a session; answers a <see cref="CaptureDto"/>.</summary>
    public static string SessionCaptures(string id) => $"/api/v1/sessions/{Uri.EscapeDataString(id)}/captures";

    /// <summary>GET <see cref="ClientDto"/> list; POST an <see cref="IssueClientRequest"/>.</summary>
    public const string Clients = "/api/v1/clients";

    /// <summary>GET one <see cref="ClientDto"/>.</summary>
    public static string Client(string name) => $"/api/v1/clients/{Uri.EscapeDataString(name)}";

    /// <summary>POST: revoke (CRL updated, live sessions of the client closed at once). Irreversible.</summary>
    public static string ClientRevoke(string name) => Client(name) + "/revoke";

    /// <summary>POST a <see cref="RenewClientRequest"/>: a new certificate, the old one revoked.</summary>
    public static string ClientRenew(string name) => Client(name) + "/renew";

    /// <summary>POST: refuse the client's connections (and close its live sessions) until enabled again.</summary>
    public static string ClientDisable(string name) => Client(name) + "/disable";

    /// <summary>POST: accept the client's connections again.</summary>
    public static string ClientEnable(string name) => Client(name) + "/enable";

    /// <summary>PUT a <see cref="ConcurrentSessionsRequest"/>: whether the client may hold several sessions at once.</summary>
    public static string ClientConcurrent(string name) => Client(name) + "/concurrent";

    /// <summary>GET the <c>.ovpn</c> file (<c>application/x-openvpn-profile</c>); query <c>transport</c> (udp|tcp) and <c>platform</c> (windows|linux|macos).</summary>
    public static string ClientProfile(string name, string transport = "udp", string platform = "windows") =>
        $"{Client(name)}/profile?transport={Uri.EscapeDataString(transport)}&platform={Uri.EscapeDataString(platform)}";

    /// <summary>The profile with an explicit control-channel wrap: <c>tls-crypt-v2</c> (the default, the client's own key) or <c>tls-crypt</c> (the shared key of older profiles).</summary>
    public static string ClientProfile(string name, string transport, string platform, string wrap) =>
        $"{ClientProfile(name, transport, platform)}&wrap={Uri.EscapeDataString(wrap)}";

    /// <summary>GET <see cref="ProfileNotesDto"/> for a platform (query <c>platform</c>).</summary>
    public static string ProfileNotes(string platform) => $"/api/v1/profile-notes?platform={Uri.EscapeDataString(platform)}";

    /// <summary>GET <see cref="CaptureDto"/> list (running and finished, newest first).</summary>
    public const string Captures = "/api/v1/captures";

    /// <summary>GET one <see cref="CaptureDto"/>; DELETE removes a finished capture's file.</summary>
    public static string Capture(string id) => $"/api/v1/captures/{Uri.EscapeDataString(id)}";

    /// <summary>POST: stop a running capture.</summary>
    public static string CaptureStop(string id) => Capture(id) + "/stop";

    /// <summary>GET the capture file (<c>application/vnd.tcpdump.pcap</c>, pcapng).</summary>
    public static string CaptureFile(string id) => Capture(id) + "/pcapng";

    /// <summary>GET the <see cref="AgentConfigDto"/>; PUT one to change it (validated; answers a <see cref="ConfigChangeResult"/>).</summary>
    public const string Config = "/api/v1/config";

    /// <summary>GET the host's interfaces (<see cref="HostInterfaceDto"/> list): NICs, bridges and their members.</summary>
    public const string Interfaces = "/api/v1/host/interfaces";

    /// <summary>GET Prometheus text exposition (also needs the bearer token).</summary>
    public const string Metrics = "/metrics";
}
