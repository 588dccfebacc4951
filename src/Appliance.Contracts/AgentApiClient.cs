using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text.Json;

namespace Appliance.Contracts;

/// <summary>Where an agent is and how to trust it: its API URL, the pairing token and the pinned certificate fingerprint.</summary>
public sealed record AgentEndpoint(Uri BaseAddress, string Token, string Fingerprint)
{
    public override string ToString() => $"agent {BaseAddress} (certificate {Fingerprint[..11]}…)";
}

/// <summary>
/// A typed client of the agent's control API (<see cref="ApiRoutes"/>), used by the panel and the CLI.
/// Every failure becomes an <see cref="AgentApiException"/> whose message an operator can act on; the token never
/// appears in one.
/// </summary>
public sealed class AgentApiClient(HttpClient http)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Uri? BaseAddress => http.BaseAddress;

    /// <summary>An HttpClient that accepts only the certificate with <paramref name="endpoint"/>'s fingerprint and sends its token.</summary>
    public static HttpClient CreateHttpClient(AgentEndpoint endpoint, TimeSpan? timeout = null)
    {
        var handler = CreatePinnedHandler(endpoint.Fingerprint);
        var client = new HttpClient(handler) { BaseAddress = endpoint.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Token);
        return client;
    }

    /// <summary>A handler that trusts exactly one server certificate, by SHA-256 fingerprint (host name and chain are not checked: the pin is the trust).</summary>
    public static SocketsHttpHandler CreatePinnedHandler(string fingerprint)
    {
        string pinned = CertificateFingerprint.Normalize(fingerprint);
        return new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && CertificateFingerprint.Of(certificate) == pinned,
            },
        };
    }

    /// <summary>
    /// First contact: proves the agent at <paramref name="baseAddress"/> holds <paramref name="token"/> without sending
    /// the token, and returns the fingerprint to pin. Fails when the proof does not match the certificate seen.
    /// </summary>
    public static async Task<string> PairAsync(Uri baseAddress, string token, CancellationToken cancellationToken = default)
    {
        string? seen = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    seen = certificate is null ? null : CertificateFingerprint.Of(certificate);
                    return seen is not null;
                },
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var client = new AgentApiClient(http);
        string nonce = PairingProofs.NewNonce();
        var response = await client.SendAsync<PairingProofResponse>(HttpMethod.Post, ApiRoutes.PairingProof, new PairingProofRequest(nonce), cancellationToken);
        if (seen is null)
            throw new AgentApiException(AgentApiFailure.Refused, $"{baseAddress} did not present a certificate; is it an appliance agent (https)?");
        if (CertificateFingerprint.TryNormalize(response.Fingerprint) != seen)
            throw new AgentApiException(AgentApiFailure.Refused, $"the certificate {baseAddress} presented ({seen}) is not the one the agent reports ({response.Fingerprint}): something between the panel and the agent terminates TLS; pairing refused");
        if (!PairingProofs.Verify(token, nonce, seen, response.Proof))
            throw new AgentApiException(AgentApiFailure.Unauthorized, $"the agent at {baseAddress} does not hold this pairing token (wrong or already replaced token); pairing refused");
        return seen;
    }

    public Task<AgentHealthDto> GetHealthAsync(CancellationToken ct = default) => SendAsync<AgentHealthDto>(HttpMethod.Get, ApiRoutes.Health, null, ct);

    public Task<IReadOnlyList<PortStatus>> GetPortsAsync(CancellationToken ct = default) => SendAsync<IReadOnlyList<PortStatus>>(HttpMethod.Get, ApiRoutes.Ports, null, ct);

    public Task<IReadOnlyList<SessionDto>> GetSessionsAsync(CancellationToken ct = default) => SendAsync<IReadOnlyList<SessionDto>>(HttpMethod.Get, ApiRoutes.Sessions, null, ct);

    /// <summary>The ended sessions the agent keeps, newest first; only <paramref name="client"/>'s when given.</summary>
    public Task<IReadOnlyList<EndedSessionDto>> GetEndedSessionsAsync(string? client = null, CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<EndedSessionDto>>(HttpMethod.Get, client is null ? ApiRoutes.EndedSessions : ApiRoutes.EndedSessionsOf(client), null, ct);

    /// <summary>One ended session the agent still keeps, by its session id.</summary>
    public Task<EndedSessionDto> GetEndedSessionAsync(string id, CancellationToken ct = default) =>
        SendAsync<EndedSessionDto>(HttpMethod.Get, ApiRoutes.EndedSession(id), null, ct);

    public Task<SessionDto> GetSessionAsync(string id, CancellationToken ct = default) => SendAsync<SessionDto>(HttpMethod.Get, ApiRoutes.Session(id), null, ct);

    public Task KickSessionAsync(string id, bool halt = false, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Delete, ApiRoutes.Session(id) + (halt ? "?halt=true" : ""), null, ct);

    /// <summary>The live stream: one <see cref="SessionsUpdateDto"/> per tick until cancelled or the agent goes away (then it throws).</summary>
    public async IAsyncEnumerable<SessionsUpdateDto> StreamSessionsAsync(TimeSpan? interval = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        string path = ApiRoutes.SessionsStream + (interval is { } i ? $"?interval={(int)i.TotalMilliseconds}" : "");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw Unreachable(e);
        }
        using (response)
        {
            await ThrowIfFailedAsync(response, ct);
            var stream = await response.Content.ReadAsStreamAsync(ct);
            var parser = SseParser.Create(stream, (type, data) => type == "sessions" ? JsonSerializer.Deserialize<SessionsUpdateDto>(data, Json) : null);
            await foreach (var item in parser.EnumerateAsync(ct))
            {
                if (item.Data is { } update)
                    yield return update;
            }
        }
    }

    public Task<IReadOnlyList<ClientDto>> GetClientsAsync(CancellationToken ct = default) => SendAsync<IReadOnlyList<ClientDto>>(HttpMethod.Get, ApiRoutes.Clients, null, ct);

    public Task<ClientDto> GetClientAsync(string name, CancellationToken ct = default) => SendAsync<ClientDto>(HttpMethod.Get, ApiRoutes.Client(name), null, ct);

    public Task<ClientDto> IssueClientAsync(IssueClientRequest request, CancellationToken ct = default) => SendAsync<ClientDto>(HttpMethod.Post, ApiRoutes.Clients, request, ct);

    public Task<ClientDto> RevokeClientAsync(string name, CancellationToken ct = default) => SendAsync<ClientDto>(HttpMethod.Post, ApiRoutes.ClientRevoke(name), null, ct);

    public Task<ClientDto> RenewClientAsync(string name, RenewClientRequest request, CancellationToken ct = default) => SendAsync<ClientDto>(HttpMethod.Post, ApiRoutes.ClientRenew(name), request, ct);

    public Task<ClientDto> DisableClientAsync(string name, CancellationToken ct = default) => SendAsync<ClientDto>(HttpMethod.Post, ApiRoutes.ClientDisable(name), null, ct);

    public Task<ClientDto> EnableClientAsync(string name, CancellationToken ct = default) => SendAsync<ClientDto>(HttpMethod.Post, ApiRoutes.ClientEnable(name), null, ct);

    public Task<ClientDto> SetConcurrentSessionsAsync(string name, bool allowed, CancellationToken ct = default) =>
        SendAsync<ClientDto>(HttpMethod.Put, ApiRoutes.ClientConcurrent(name), new ConcurrentSessionsRequest(allowed), ct);

    /// <summary>The profile file: its suggested file name and its text (it holds the client's private key).</summary>
    public Task<(string FileName, string Content)> GetProfileAsync(string name, string transport, string platform, CancellationToken ct = default) =>
        ReadProfileAsync(ApiRoutes.ClientProfile(name, transport, platform), name, ct);

    /// <summary>The profile file with an explicit control-channel wrap (<c>tls-crypt-v2</c> or <c>tls-crypt</c>).</summary>
    public Task<(string FileName, string Content)> GetProfileAsync(string name, string transport, string platform, string wrap, CancellationToken ct = default) =>
        ReadProfileAsync(ApiRoutes.ClientProfile(name, transport, platform, wrap), name, ct);

    private async Task<(string FileName, string Content)> ReadProfileAsync(string route, string name, CancellationToken ct)
    {
        using var response = await GetAsync(route, ct);
        string fileName = response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? name + ".ovpn";
        return (fileName, await response.Content.ReadAsStringAsync(ct));
    }

    public Task<ProfileNotesDto> GetProfileNotesAsync(string platform, CancellationToken ct = default) => SendAsync<ProfileNotesDto>(HttpMethod.Get, ApiRoutes.ProfileNotes(platform), null, ct);

    /// <summary>Probes which frame sizes make the round trip through the session's PPPoE link (takes a few seconds).</summary>
    public Task<FrameSizeProbeDto> ProbeFrameSizesAsync(string sessionId, CancellationToken ct = default) => SendAsync<FrameSizeProbeDto>(HttpMethod.Post, ApiRoutes.SessionSizeProbe(sessionId), null, ct);

    public Task<CaptureDto> StartCaptureAsync(string sessionId, CaptureRequest request, CancellationToken ct = default) => SendAsync<CaptureDto>(HttpMethod.Post, ApiRoutes.SessionCaptures(sessionId), request, ct);

    public Task<IReadOnlyList<CaptureDto>> GetCapturesAsync(CancellationToken ct = default) => SendAsync<IReadOnlyList<CaptureDto>>(HttpMethod.Get, ApiRoutes.Captures, null, ct);

    public Task<CaptureDto> GetCaptureAsync(string id, CancellationToken ct = default) => SendAsync<CaptureDto>(HttpMethod.Get, ApiRoutes.Capture(id), null, ct);

    public Task<CaptureDto> StopCaptureAsync(string id, CancellationToken ct = default) => SendAsync<CaptureDto>(HttpMethod.Post, ApiRoutes.CaptureStop(id), null, ct);

    public Task DeleteCaptureAsync(string id, CancellationToken ct = default) => SendAsync(HttpMethod.Delete, ApiRoutes.Capture(id), null, ct);

    /// <summary>The pcapng bytes of a capture (a running capture answers what it has flushed so far).</summary>
    public async Task<byte[]> GetCaptureFileAsync(string id, CancellationToken ct = default)
    {
        using var response = await GetAsync(ApiRoutes.CaptureFile(id), ct);
        return await response.Content.ReadAsByteArrayAsync(ct);
    }

    public Task<AgentConfigDto> GetConfigAsync(CancellationToken ct = default) => SendAsync<AgentConfigDto>(HttpMethod.Get, ApiRoutes.Config, null, ct);

    public Task<ConfigChangeResult> PutConfigAsync(AgentConfigDto config, CancellationToken ct = default) => SendAsync<ConfigChangeResult>(HttpMethod.Put, ApiRoutes.Config, config, ct);

    public Task<IReadOnlyList<HostInterfaceDto>> GetInterfacesAsync(CancellationToken ct = default) => SendAsync<IReadOnlyList<HostInterfaceDto>>(HttpMethod.Get, ApiRoutes.Interfaces, null, ct);

    public async Task<string> GetMetricsAsync(CancellationToken ct = default)
    {
        using var response = await GetAsync(ApiRoutes.Metrics, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    private Task<HttpResponseMessage> GetAsync(string path, CancellationToken ct) => SendRawAsync(HttpMethod.Get, path, null, ct);

    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendRawAsync(method, path, body, ct);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendRawAsync(method, path, body, ct);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, ct)
                ?? throw new AgentApiException(AgentApiFailure.BadAnswer, $"{Describe()} answered {method} {path} with an empty body");
        }
        catch (JsonException e)
        {
            throw new AgentApiException(AgentApiFailure.BadAnswer, $"{Describe()} answered {method} {path} with something that is not the expected document ({e.Message}); are panel and agent of matching versions?");
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw Unreachable(e);
        }
        try
        {
            await ThrowIfFailedAsync(response, ct);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private string Describe() => http.BaseAddress is { } b ? $"the agent at {b}" : "the agent";

    private AgentApiException Unreachable(Exception e)
    {
        if (e is TaskCanceledException)
            return new AgentApiException(AgentApiFailure.Unreachable, $"{Describe()} did not answer within {http.Timeout.TotalSeconds:0} s", e);
        if (e.InnerException is AuthenticationException)
            return new AgentApiException(AgentApiFailure.Refused, $"{Describe()} presented a certificate other than the pinned one: it was reinstalled (pair it again) or something intercepts the connection", e);
        var reason = e is HttpRequestException h ? h.HttpRequestError.ToString() : e.GetType().Name;
        return new AgentApiException(AgentApiFailure.Unreachable, $"{Describe()} is not reachable ({reason}); is the agent running and the address right?", e);
    }

    private async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
            return;
        string? detail = null;
        IReadOnlyDictionary<string, string[]>? errors = null;
        try
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemDocument>(Json, ct);
            detail = problem?.Detail ?? problem?.Title;
            errors = problem?.Errors;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Not a problem document: the status alone must do.
        }
        var status = response.StatusCode;
        var failure = status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => AgentApiFailure.Unauthorized,
            HttpStatusCode.NotFound => AgentApiFailure.NotFound,
            HttpStatusCode.Conflict => AgentApiFailure.Conflict,
            HttpStatusCode.TooManyRequests => AgentApiFailure.Throttled,
            >= HttpStatusCode.BadRequest and < HttpStatusCode.InternalServerError => AgentApiFailure.Invalid,
            _ => AgentApiFailure.ServerError,
        };
        string message = failure switch
        {
            AgentApiFailure.Unauthorized => $"{Describe()} refused the pairing token (it was replaced or the agent was reinstalled): pair it again",
            _ => $"{Describe()}: {detail ?? $"{(int)status} {response.ReasonPhrase}"}",
        };
        throw new AgentApiException(failure, message, status: status, errors: errors);
    }

    private sealed record ProblemDocument(string? Title, string? Detail, int? Status, Dictionary<string, string[]>? Errors);
}

/// <summary>Why a call to the agent failed.</summary>
public enum AgentApiFailure
{
    Unreachable,
    Refused,
    Unauthorized,
    NotFound,
    Conflict,
    Invalid,
    Throttled,
    ServerError,
    BadAnswer,
}

/// <summary>A failed agent call with an operator-readable message and, for a 400, the errors per field.</summary>
public sealed class AgentApiException : Exception
{
    public AgentApiException(AgentApiFailure failure, string message, Exception? inner = null, HttpStatusCode? status = null, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(message, inner)
    {
        Failure = failure;
        Status = status;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    public AgentApiException() : this(AgentApiFailure.ServerError, "agent call failed") { }

    public AgentApiException(string message) : this(AgentApiFailure.ServerError, message) { }

    public AgentApiException(string message, Exception inner) : this(AgentApiFailure.ServerError, message, inner) { }

    public AgentApiFailure Failure { get; }

    public HttpStatusCode? Status { get; }

    public IReadOnlyDictionary<string, string[]> Errors { get; }
}
