using System.Runtime.Versioning;
using System.Text;
using Appliance.Agent.Config;
using Appliance.Agent.Pki;
using Appliance.Agent.Profiles;
using Appliance.Agent.State;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;
using Appliance.Tunnel.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Agent.Api;

/// <summary>Clients: issue, list, get, revoke, renew, disable, enable, and their profiles.</summary>
[SupportedOSPlatform("linux")]
internal static class ClientsApi
{
    public const string ProfileContentType = "application/x-openvpn-profile";

    public static IEndpointRouteBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ApiRoutes.Clients).WithTags("clients");
        group.MapGet("", List);
        group.MapPost("", Issue);
        group.MapGet("/{name}", Get);
        group.MapPost("/{name}/revoke", Revoke);
        group.MapPost("/{name}/renew", Renew);
        group.MapPost("/{name}/disable", (string name, ApplianceState state, TunnelHost tunnel, TimeProvider time) => SetDisabled(name, true, state, tunnel, time));
        group.MapPost("/{name}/enable", (string name, ApplianceState state, TunnelHost tunnel, TimeProvider time) => SetDisabled(name, false, state, tunnel, time));
        group.MapPut("/{name}/concurrent", SetConcurrent);
        group.MapGet("/{name}/profile", Profile);
        app.MapGet("/api/v1/profile-notes", Notes).WithTags("clients");
        return app;
    }

    public static ClientDto ToDto(ClientRecord record, TunnelHost tunnel, DateTimeOffset now) =>
        ToDto(record, LiveSessionsBySerial(tunnel), now);

    private static ClientDto ToDto(ClientRecord record, Dictionary<string, int> liveBySerial, DateTimeOffset now)
    {
        string status = record.IsRevoked ? "revoked" : record.ExpiresAt <= now ? "expired" : record.Disabled ? "disabled" : "active";
        int live = record.IsRevoked ? 0 : liveBySerial.GetValueOrDefault(record.SerialNumber);
        return new ClientDto(record.Name, status, record.SerialNumber, record.CertificateFingerprint, record.CreatedAt, record.ExpiresAt,
            record.RevokedAt, record.Disabled, live, record.AllowConcurrent);
    }

    /// <summary>Established, not closing sessions per certificate serial: one pass over the sessions for a whole list.</summary>
    private static Dictionary<string, int> LiveSessionsBySerial(TunnelHost tunnel)
    {
        var live = new Dictionary<string, int>(StringComparer.Ordinal);
        if (tunnel.Server is { } server)
        {
            foreach (var session in server.Sessions)
            {
                if (session.IsEstablished && !session.IsClosing && session.CertificateSerial is { } serial)
                    live[serial] = live.GetValueOrDefault(serial) + 1;
            }
        }
        return live;
    }

    private static List<ClientDto> List(ApplianceState state, TunnelHost tunnel, TimeProvider time)
    {
        // One row per name: its certificate in force, else its newest revoked one.
        var latest = new Dictionary<string, ClientRecord>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var record in state.Clients.List())
        {
            if (!latest.TryGetValue(record.Name, out var seen))
                order.Add(record.Name);
            if (seen is null || !record.IsRevoked || (seen.IsRevoked && record.CreatedAt >= seen.CreatedAt))
                latest[record.Name] = record;
        }
        var now = time.GetUtcNow();
        var liveBySerial = LiveSessionsBySerial(tunnel);
        var result = new List<ClientDto>(order.Count);
        foreach (string name in order)
            result.Add(ToDto(latest[name], liveBySerial, now));
        return result;
    }

    private static Results<Ok<ClientDto>, ProblemHttpResult> Get(string name, ApplianceState state, TunnelHost tunnel, TimeProvider time) =>
        state.Clients.FindLatest(name) is { } record
            ? TypedResults.Ok(ToDto(record, tunnel, time.GetUtcNow()))
            : ApiProblems.NotFound($"no client named '{name}'; list the clients to see the names", "client-not-found");

    private static IResult Issue(IssueClientRequest request, ApplianceState state, LiveConfig config, TunnelHost tunnel, TimeProvider time)
    {
        if (request.Name is null)
            return ApiProblems.Invalid("name", "name is required");
        var now = time.GetUtcNow();
        DateTimeOffset expires = request.ExpiresAt ?? Min(now.AddDays(config.Current.Profiles.ClientValidityDays), state.Ca.Certificate.NotAfter);
        var result = state.Clients.Issue(request.Name, expires);
        if (!result.Succeeded)
            return ApiProblems.From(result.Error, result.Detail);
        return TypedResults.Created(ApiRoutes.Client(request.Name), ToDto(result.Value!.Record, tunnel, now));
    }

    private static IResult Revoke(string name, ApplianceState state, TunnelHost tunnel, TimeProvider time)
    {
        var result = state.Clients.Revoke(name);
        return result.Succeeded ? TypedResults.Ok(ToDto(result.Value!, tunnel, time.GetUtcNow())) : ApiProblems.From(result.Error, result.Detail);
    }

    private static IResult Renew(string name, RenewClientRequest? request, ApplianceState state, TunnelHost tunnel, TimeProvider time)
    {
        var result = state.Clients.Renew(name, request?.ExpiresAt);
        return result.Succeeded ? TypedResults.Ok(ToDto(result.Value!.Record, tunnel, time.GetUtcNow())) : ApiProblems.From(result.Error, result.Detail);
    }

    private static IResult SetDisabled(string name, bool disabled, ApplianceState state, TunnelHost tunnel, TimeProvider time)
    {
        var result = state.Clients.SetDisabled(name, disabled);
        return result.Succeeded ? TypedResults.Ok(ToDto(result.Value!, tunnel, time.GetUtcNow())) : ApiProblems.From(result.Error, result.Detail);
    }

    private static IResult SetConcurrent(string name, ConcurrentSessionsRequest? request, ApplianceState state, TunnelHost tunnel, TimeProvider time)
    {
        if (request is null)
            return ApiProblems.Invalid("allowed", "send {\"allowed\": true} or {\"allowed\": false}");
        var result = state.Clients.SetAllowConcurrent(name, request.Allowed);
        return result.Succeeded ? TypedResults.Ok(ToDto(result.Value!, tunnel, time.GetUtcNow())) : ApiProblems.From(result.Error, result.Detail);
    }

    private static IResult Profile(string name, string? transport, string? platform, string? wrap, ApplianceState state, LiveConfig config, TunnelHost tunnel)
    {
        bool tcp;
        switch (transport ?? "udp")
        {
            case "udp":
                tcp = false;
                break;
            case "tcp":
                tcp = true;
                break;
            default:
                return ApiProblems.Invalid("transport", $"transport '{transport}' is neither udp nor tcp");
        }
        if (ParsePlatform(platform) is not { } profilePlatform)
            return ApiProblems.Invalid("platform", $"platform '{platform}' is not windows, linux or macos");
        if (ParseWrap(wrap) is not { } controlWrap)
            return ApiProblems.Invalid("wrap", $"wrap '{wrap}' is neither tls-crypt-v2 (the default: the client's own key) nor tls-crypt (the shared key of older profiles)");
        if (state.Clients.FindInForce(name) is not { } client)
        {
            return state.Clients.FindLatest(name) switch
            {
                null => ApiProblems.NotFound($"no client named '{name}'; list the clients to see the names", "client-not-found"),
                { IsRevoked: false } expired => ApiProblems.Conflict(
                    $"client '{name}' expired at {expired.ExpiresAt:u} and its private key was deleted; renew the client for a new profile", "client-expired"),
                _ => ApiProblems.Conflict($"client '{name}' is revoked: its profile can no longer be used; issue a new one", "client-revoked"),
            };
        }
        var profiles = config.Current.Profiles;
        int port = tcp ? profiles.TcpPort : profiles.UdpPort;
        if (port == 0)
        {
            var protocol = tcp ? TunnelProtocol.Tcp : TunnelProtocol.Udp;
            foreach (var listener in tunnel.Listeners)
            {
                if (listener.Protocol == protocol)
                {
                    port = listener.EndPoint.Port;
                    break;
                }
            }
        }
        if (port == 0)
            return ApiProblems.Conflict($"the tunnel has no {(tcp ? "tcp" : "udp")} listener (tunnel.listen) and profiles.{(tcp ? "tcpPort" : "udpPort")} is 0: nothing for such a profile to dial", "no-listener");
        string text = ProfileRenderer.Render(new ClientProfile
        {
            ClientName = name,
            ServerHost = profiles.ServerHost,
            ServerPort = port,
            Tcp = tcp,
            ServerName = state.Ca.ServerName,
            CaPem = state.Ca.CertificatePem,
            CertificatePem = client.CertificatePem,
            PrivateKeyPem = client.PrivateKeyPem,
            ControlWrap = controlWrap,
            TlsCryptV2Key = controlWrap == ProfileControlWrap.TlsCryptV2 ? client.TlsCryptV2KeyPem : null,
            TlsCryptKey = controlWrap == ProfileControlWrap.TlsCrypt ? state.Ca.TlsCryptKey.ToFileText() : null,
            Platform = profilePlatform,
        });
        return TypedResults.File(Encoding.UTF8.GetBytes(text), ProfileContentType, $"{name}-{(tcp ? "tcp" : "udp")}.ovpn");
    }

    private static Results<Ok<ProfileNotesDto>, ValidationProblem> Notes(string? platform) =>
        ParsePlatform(platform) is { } p
            ? TypedResults.Ok(new ProfileNotesDto(platform ?? "windows", ProfileRenderer.Notes(p)))
            : ApiProblems.Invalid("platform", $"platform '{platform}' is not windows, linux or macos");

    private static ProfilePlatform? ParsePlatform(string? platform) => (platform ?? "windows") switch
    {
        "windows" => ProfilePlatform.Windows,
        "linux" => ProfilePlatform.Linux,
        "macos" => ProfilePlatform.MacOs,
        _ => null,
    };

    private static ProfileControlWrap? ParseWrap(string? wrap) => (wrap ?? "tls-crypt-v2") switch
    {
        "tls-crypt-v2" => ProfileControlWrap.TlsCryptV2,
        "tls-crypt" => ProfileControlWrap.TlsCrypt,
        _ => null,
    };

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
