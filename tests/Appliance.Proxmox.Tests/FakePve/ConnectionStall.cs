using Microsoft.AspNetCore.Connections;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>
/// A node that stalls: Kestrel connection middleware ahead of TLS. While <see cref="Pending"/> is above zero, each new
/// connection is accepted and then left silent (no TLS handshake) until the client gives up, as a node under load or a
/// half-dead pveproxy does; <see cref="StallNext"/> also drops the open connections, so the client's pool cannot dodge it.
/// </summary>
public sealed class ConnectionStall
{
    private readonly Lock _gate = new();
    private readonly HashSet<ConnectionContext> _open = [];
    private int _pending;

    /// <summary>Connections still to stall.</summary>
    public int Pending { get { lock (_gate) return _pending; } }

    /// <summary>Connections stalled so far.</summary>
    public int Stalled { get; private set; }

    /// <summary>Stalls the next <paramref name="connections"/> new connections and closes every open one.</summary>
    public void StallNext(int connections)
    {
        List<ConnectionContext> open;
        lock (_gate)
        {
            _pending = connections;
            open = [.. _open];
        }
        foreach (var connection in open)
            connection.Abort(new ConnectionAbortedException("the fake node stalls"));
    }

    public async Task HandleAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        bool stall;
        lock (_gate)
        {
            stall = _pending > 0;
            if (stall)
            {
                _pending--;
                Stalled++;
            }
            else
            {
                _open.Add(connection);
            }
        }
        if (stall)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, connection.ConnectionClosed);
            }
            catch (OperationCanceledException)
            {
                // The client gave up.
            }
            return;
        }
        try
        {
            await next(connection);
        }
        finally
        {
            lock (_gate)
                _open.Remove(connection);
        }
    }
}
