using System.Text.Json;
using Appliance.Proxmox.Connection;
using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Http;
using Appliance.Proxmox.Tasks;
using Appliance.Proxmox.Tls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Proxmox;

/// <summary>
/// Typed calls on the Proxmox VE API for the appliance panel. One instance per PVE endpoint; thread-safe.
/// Every call throws <see cref="ProxmoxException"/> with an operator message when PVE refuses or cannot be reached;
/// writes that start a task return its <see cref="Upid"/> for <see cref="WaitForTaskAsync"/>.
/// </summary>
public sealed partial class ProxmoxClient : IDisposable
{
    private readonly ProxmoxApi _api;
    private readonly ProxmoxConnection _connection;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient? _ownedHttp;
    private readonly NodeCertificateTrust? _ownedTrust;

    /// <summary>Connects with a handler built from <paramref name="connection"/>: pinned TLS trust and a short idle timeout.</summary>
    public ProxmoxClient(ProxmoxConnection connection, TimeProvider time, ILogger<ProxmoxClient>? logger = null)
    {
        connection.EnsureValid();
        _connection = connection;
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _ownedTrust = new NodeCertificateTrust(connection.PinnedFingerprint, connection.TrustedClusterCaPem);
        Handler = ProxmoxHttpHandler.Create(_ownedTrust, connection.ConnectTimeout);
        // Per-request deadlines come from the connection (TimeProvider-driven); uploads need far longer than HttpClient's 100 s.
        _ownedHttp = new HttpClient(Handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _api = new ProxmoxApi(_ownedHttp, connection, _ownedTrust, time, _logger);
    }

    /// <summary>The handler in use, so its settings (idle timeout, TLS callback) can be inspected.</summary>
    public SocketsHttpHandler? Handler { get; }

    /// <summary>The connection settings (secret included; never log them except through <see cref="ProxmoxConnection.ToString"/>).</summary>
    public ProxmoxConnection Connection => _connection;

    private static Upid ReadUpid(JsonElement data, string request)
    {
        var text = data.ValueKind == JsonValueKind.String ? data.GetString() : null;
        if (Upid.TryParse(text, out var upid))
            return upid!;
        throw new ProxmoxException(new ProxmoxError(ProxmoxErrorKind.UnexpectedResponse,
            $"Proxmox answered {request} without a task id (got {data.GetRawText()}); the PVE version may be too old for this panel",
            request, 200, "no UPID"));
    }

    internal static T Read<T>(JsonElement data, string request)
    {
        try
        {
            return data.Deserialize<T>(ProxmoxJson.Options)
                   ?? throw new JsonException("null where a value was expected");
        }
        catch (JsonException e)
        {
            // The serializer's message names .NET types; the operator gets where in the answer it went wrong instead.
            string where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "the answer as a whole" : "the value at " + e.Path.Replace("$", "data", StringComparison.Ordinal);
            string reason = $"unexpected form of {where}";
            throw new ProxmoxException(new ProxmoxError(ProxmoxErrorKind.UnexpectedResponse,
                $"Proxmox's answer to {request} was not in the form this panel expects ({reason}); check that the node runs a supported Proxmox VE version (8.4 or 9.x)",
                request, 200, reason), e);
        }
    }

    /// <summary>Releases the HTTP connections.</summary>
    public void Dispose()
    {
        _ownedHttp?.Dispose();
        _ownedTrust?.Dispose();
    }
}
