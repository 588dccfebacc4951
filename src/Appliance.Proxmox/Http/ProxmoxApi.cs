using System.Diagnostics;
using System.Security.Authentication;
using System.Text.Json;
using Appliance.Proxmox.Connection;
using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Tls;
using Microsoft.Extensions.Logging;

namespace Appliance.Proxmox.Http;

/// <summary>
/// The wire layer: token header, form/query encoding, the <c>{"data": …}</c> envelope and error translation.
/// Thread-safe; one instance per PVE endpoint.
/// </summary>
internal sealed class ProxmoxApi
{
    private readonly HttpClient _http;
    private readonly ProxmoxConnection _connection;
    private readonly NodeCertificateTrust? _trust;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _authorization;

    public ProxmoxApi(HttpClient http, ProxmoxConnection connection, NodeCertificateTrust? trust, TimeProvider time, ILogger logger)
    {
        _http = http;
        _connection = connection;
        _trust = trust;
        _time = time;
        _logger = logger;
        // pve-http-server Formatter.pm: "PVEAPIToken=USER@REALM!TOKENID=SECRET".
        _authorization = $"PVEAPIToken={connection.TokenId}={connection.Secret}";
    }

    public Task<JsonElement> GetAsync(string path, ProxmoxParameters? query, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Get, path, query, cancellationToken);

    public Task<JsonElement> PostAsync(string path, ProxmoxParameters? form, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Post, path, form, cancellationToken);

    public Task<JsonElement> PutAsync(string path, ProxmoxParameters? form, CancellationToken cancellationToken)
        => SendAsync(HttpMethod.Put, path, form, cancellationToken);

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, ProxmoxParameters? parameters, CancellationToken cancellationToken)
    {
        var carriesBody = method == HttpMethod.Post || method == HttpMethod.Put;
        var target = path;
        if (!carriesBody && parameters is { IsEmpty: false })
            target += "?" + parameters.ToQueryString();
        using var request = new HttpRequestMessage(method, Address(target));
        if (carriesBody)
            request.Content = (parameters ?? new ProxmoxParameters()).ToFormContent();
        return await SendAsync(request, $"{method} {path}", _connection.RequestTimeout, cancellationToken).ConfigureAwait(false);
    }

    public async Task<JsonElement> SendContentAsync(HttpMethod method, string path, HttpContent content, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, Address(path)) { Content = content };
        return await SendAsync(request, $"{method} {path}", timeout, cancellationToken).ConfigureAwait(false);
    }

    private Uri Address(string pathAndQuery)
        => new(_connection.BaseUrl!, "/api2/json" + pathAndQuery);

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, string description, TimeSpan timeout, CancellationToken cancellationToken)
    {
        request.Headers.TryAddWithoutValidation("Authorization", _authorization);
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (IsCertificateFailure(e))
        {
            var reason = _trust?.LastRejection ?? e.InnerException?.Message ?? e.Message;
            Log.CertificateRefused(_logger, reason);
            throw Fail(new ProxmoxError(ProxmoxErrorKind.Certificate,
                $"refused the TLS certificate of {_connection.BaseUrl!.Authority} for {description}: {reason}", description, 0, reason), e);
        }
        catch (HttpRequestException e)
        {
            throw Fail(new ProxmoxError(ProxmoxErrorKind.Connection,
                $"cannot reach Proxmox at {_connection.BaseUrl!.Authority} for {description}: {e.Message}; check the address and port (8006) and that pveproxy runs on the node",
                description, 0, e.Message), e);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Fail(new ProxmoxError(ProxmoxErrorKind.Connection,
                $"Proxmox did not answer {description} within {timeout.TotalSeconds:0} s; check the node's load and network, or use the asynchronous (task) variant",
                description, 0, "timeout"), e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // Neither the caller nor our deadline: the handler's ConnectTimeout (or an HttpClient.Timeout of a client passed in)
            // surfaces as a TaskCanceledException; a node that accepts TCP and stalls in TLS ends here.
            throw Fail(new ProxmoxError(ProxmoxErrorKind.Connection,
                $"Proxmox at {_connection.BaseUrl!.Authority} did not set up a connection for {description} within {_connection.ConnectTimeout.TotalSeconds:0} s; " +
                "the node may be down, overloaded or cut off: check it on its console or web UI, then try again",
                description, 0, "connect timeout"), e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var elapsedMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Log.RequestCompleted(_logger, description, status, elapsedMs);
            if (!response.IsSuccessStatusCode)
                throw Fail(ProxmoxErrorTranslator.FromResponse(description, status, response.ReasonPhrase, body, _connection.TokenId));
            return ReadData(description, status, body);
        }
    }

    private ProxmoxException Fail(ProxmoxError error, Exception? inner = null)
    {
        Log.RequestFailed(_logger, error.Request, error.Message);
        return new ProxmoxException(error, inner);
    }

    private ProxmoxException Unexpected(string description, int status, string what)
        => Fail(new ProxmoxError(ProxmoxErrorKind.UnexpectedResponse,
            $"Proxmox answered {description} with {what}; is {_connection.BaseUrl} a Proxmox VE API (https://<node>:8006)?", description, status, what));

    private JsonElement ReadData(string description, int status, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("data", out var data))
                throw Unexpected(description, status, "JSON without a 'data' member");
            return data.Clone();
        }
        catch (JsonException)
        {
            throw Unexpected(description, status, "a body that is not JSON");
        }
    }

    private static bool IsCertificateFailure(HttpRequestException e)
    {
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException)
                return true;
        }
        return false;
    }
}
