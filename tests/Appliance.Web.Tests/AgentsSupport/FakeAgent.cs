using System.Net;
using System.Net.Http.Json;
using System.Text;
using Appliance.Contracts;

namespace Appliance.Web.Tests.AgentsSupport;

/// <summary>
/// An in-memory stand-in for an agent's control API (the routes of <see cref="ApiRoutes"/> the panel uses), for fast
/// tests; the end-to-end test uses the real agent. <see cref="IsDown"/> makes every request fail as a refused connection.
/// </summary>
public sealed class FakeAgent : HttpMessageHandler
{
    private readonly Lock _lock = new();

    public bool IsDown { get; set; }

    public List<ClientDto> Clients { get; } = [];

    public List<SessionDto> Sessions { get; } = [];

    public List<PortStatus> Ports { get; } = [];

    /// <summary>The ended sessions the agent keeps (a kick moves a live session here, as the agent does).</summary>
    public List<EndedSessionDto> Ended { get; } = [];

    public List<CaptureDto> Captures { get; } = [];

    /// <summary>Keep each live stream open after its first tick and push a tick to it whenever a session is kicked (as the agent's
    /// stream does every second); otherwise the stream ends after one tick.</summary>
    public bool HoldStreams { get; set; }

    private readonly List<System.IO.Pipelines.PipeWriter> _streams = [];

    public List<string> Requests { get; } = [];

    public int ProfileRequests { get; private set; }

    /// <summary>How many times the live stream was opened.</summary>
    public int StreamsOpened { get; private set; }

    /// <summary>The instant the stream's ticks report.</summary>
    public DateTimeOffset StreamTime { get; set; } = DateTimeOffset.UnixEpoch;

    /// <summary>Answers profile requests with a server error while true (to test that a failed download leaves a link usable).</summary>
    public bool ProfileFails { get; set; }

    /// <summary>The agent's config as GET /api/v1/config answers it; a PUT replaces it whole (as the real agent, after validating).</summary>
    public AgentConfigDto Config { get; set; } = new(
        new ApiConfigDto("0.0.0.0:7443"),
        new TunnelConfigDto(["udp 0.0.0.0:1194", "tcp 0.0.0.0:1194"], ["AES-256-GCM"], 100, 10, 60),
        new UplinkConfigDto(null, null, "br-lab", 1500),
        new SwitchConfigDto("pppoe-only", 16, true, 300),
        new ProfileConfigDto("vm", 0, 0, 365),
        new LabConfigDto(false));

    public AgentHealthDto Health { get; set; } = new("1.2.3-test", DateTimeOffset.UnixEpoch, "", "detached", ["udp 127.0.0.1:1194"], 0, 0, "test-server", null);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (IsDown)
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (fake agent is down)");
        string path = request.RequestUri!.AbsolutePath;
        string query = request.RequestUri.Query;
        lock (_lock)
        {
            Requests.Add($"{request.Method} {path}{query}");
            return Task.FromResult(Route(request.Method, path, query, request.Content?.ReadAsStringAsync(cancellationToken).GetAwaiter().GetResult()));
        }
    }

    private HttpResponseMessage Route(HttpMethod method, string path, string query, string? requestBody)
    {
        if (method == HttpMethod.Get && path == ApiRoutes.Health)
            return Json(Health);
        if (method == HttpMethod.Get && path == ApiRoutes.Config)
            return Json(Config);
        if (method == HttpMethod.Put && path == ApiRoutes.Config)
        {
            Config = System.Text.Json.JsonSerializer.Deserialize<AgentConfigDto>(requestBody!, AgentApiClient.Json)!;
            return Json(new ConfigChangeResult(["profiles.serverHost"], []));
        }
        if (method == HttpMethod.Get && path == ApiRoutes.Sessions)
            return Json(Sessions);
        if (method == HttpMethod.Get && path == ApiRoutes.Ports)
            return Json(Ports);
        if (method == HttpMethod.Get && path == ApiRoutes.SessionsStream)
        {
            // One tick, then the stream ends (as when the agent restarts): the panel must reconnect by itself.
            StreamsOpened++;
            if (HoldStreams)
            {
                var pipe = new System.IO.Pipelines.Pipe(new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 0));
                _streams.Add(pipe.Writer);
                Tick(pipe.Writer);
                var held = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(pipe.Reader.AsStream()) };
                held.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
                return held;
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(TickText(), Encoding.UTF8, "text/event-stream") };
        }
        if (method == HttpMethod.Delete && path.StartsWith("/api/v1/sessions/", StringComparison.Ordinal))
        {
            string id = Uri.UnescapeDataString(path["/api/v1/sessions/".Length..]);
            var session = Sessions.FirstOrDefault(s => s.Id == id);
            if (session is null)
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            Sessions.Remove(session);
            Ended.Add(new EndedSessionDto(session, StreamTime, "kicked"));
            foreach (var stream in _streams)
                Tick(stream);
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }
        if (method == HttpMethod.Get && path == ApiRoutes.EndedSessions)
        {
            string? client = QueryValue(query, "client");
            return Json(Ended.Where(e => client is null || e.Last.CommonName == client).OrderByDescending(e => e.EndedAt).ToList());
        }
        if (method == HttpMethod.Get && path.StartsWith(ApiRoutes.EndedSessions + "/", StringComparison.Ordinal))
        {
            string id = Uri.UnescapeDataString(path[(ApiRoutes.EndedSessions.Length + 1)..]);
            return Ended.FirstOrDefault(e => e.Last.Id == id) is { } kept ? Json(kept) : new HttpResponseMessage(HttpStatusCode.NotFound);
        }
        if (method == HttpMethod.Get && path == ApiRoutes.Captures)
            return Json(Captures);
        if (method == HttpMethod.Get && path == ApiRoutes.Clients)
            return Json(Clients);
        if (method == HttpMethod.Get && path == "/api/v1/profile-notes")
            return Json(new ProfileNotesDto(QueryValue(query, "platform") ?? "", ["Use the community OpenVPN client with TAP-Windows6 9.25 or newer."]));
        if (method == HttpMethod.Get && path.StartsWith("/api/v1/clients/", StringComparison.Ordinal) && path.EndsWith("/profile", StringComparison.Ordinal))
        {
            ProfileRequests++;
            if (ProfileFails)
                return new HttpResponseMessage(HttpStatusCode.InternalServerError);
            string name = Uri.UnescapeDataString(path["/api/v1/clients/".Length..^"/profile".Length]);
            var response = new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($"client\ndev tap\n# {name} {QueryValue(query, "transport")} {QueryValue(query, "platform")}\n", Encoding.UTF8, "application/x-openvpn-profile"),
            };
            response.Content.Headers.ContentDisposition = new System.Net.Http.Headers.ContentDispositionHeaderValue("attachment") { FileName = name + ".ovpn" };
            return response;
        }
        if (method == HttpMethod.Put && path.StartsWith("/api/v1/clients/", StringComparison.Ordinal) && path.EndsWith("/concurrent", StringComparison.Ordinal))
        {
            var name = Uri.UnescapeDataString(path["/api/v1/clients/".Length..].Split('/')[0]);
            var client = Clients.FirstOrDefault(c => c.Name == name);
            if (client is null)
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            var asked = requestBody is null ? null : System.Text.Json.JsonSerializer.Deserialize<ConcurrentSessionsRequest>(requestBody, AgentApiClient.Json);
            var changed = client with { AllowConcurrent = asked?.Allowed ?? false };
            Clients[Clients.IndexOf(client)] = changed;
            return Json(changed);
        }
        if (method == HttpMethod.Post && path.StartsWith("/api/v1/clients/", StringComparison.Ordinal))
        {
            var parts = path["/api/v1/clients/".Length..].Split('/');
            var client = Clients.FirstOrDefault(c => c.Name == Uri.UnescapeDataString(parts[0]));
            if (client is null)
                return new HttpResponseMessage(HttpStatusCode.NotFound);
            var changed = parts[1] switch
            {
                "revoke" => client with { Status = "revoked", RevokedAt = DateTimeOffset.UnixEpoch },
                "disable" => client with { Status = "disabled", Disabled = true },
                "enable" => client with { Status = "active", Disabled = false },
                _ => client,
            };
            Clients[Clients.IndexOf(client)] = changed;
            return Json(changed);
        }
        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private string TickText() =>
        "event: sessions\ndata: " + System.Text.Json.JsonSerializer.Serialize(new SessionsUpdateDto(StreamTime, Sessions.ToList(), null), AgentApiClient.Json) + "\n\n";

    private void Tick(System.IO.Pipelines.PipeWriter stream)
    {
        System.Buffers.BuffersExtensions.Write(stream, Encoding.UTF8.GetBytes(TickText()));
        stream.FlushAsync().AsTask().GetAwaiter().GetResult(); // no back-pressure: completes at once
    }

    private static HttpResponseMessage Json<T>(T value) => new(HttpStatusCode.OK) { Content = JsonContent.Create(value, options: AgentApiClient.Json) };

    private static string? QueryValue(string query, string key)
    {
        foreach (var pair in query.TrimStart('?').Split('&'))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2 && kv[0] == key)
                return Uri.UnescapeDataString(kv[1]);
        }
        return null;
    }

    public static ClientDto Client(string name, string status = "active") =>
        new(name, status, "01", "AA:BB", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(60), null, status == "disabled", 0);
}
