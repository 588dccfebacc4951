using Renci.SshNet;
using Renci.SshNet.Common;

namespace Appliance.Proxmox.Ssh;

/// <summary>
/// Reads the host key an SSH server presents and walks away: the key exchange is stopped at the host-key check, so no user
/// name, key or command reaches the server. The operator confirms the fingerprint before anything else is sent.
/// </summary>
public static class SshHostKeyProbe
{
    /// <summary>The server's host key fingerprint, <c>SHA256:…</c> as <c>ssh-keygen -lf</c> prints it.</summary>
    public static async Task<string> ReadAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        // The authentication method is never reached: the handshake ends when the host key is refused below.
        using var none = new NoneAuthenticationMethod("host-key-probe");
        var connection = new ConnectionInfo(host, port, "host-key-probe", none) { Timeout = timeout };
        using var client = new SshClient(connection);
        string? seen = null;
        client.HostKeyReceived += (_, e) =>
        {
            seen = SshHostKeyPin.Format(e.FingerPrintSHA256);
            e.CanTrust = false;
        };
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectionException) when (seen is not null)
        {
            // Expected: the key was refused on purpose once read.
        }
        catch (Exception e) when (e is SshException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException($"could not read the SSH host key of {host}:{port} ({e.Message}); check the address, the port and that sshd runs on the Proxmox host", e);
        }
        return seen ?? throw new InvalidOperationException($"the SSH server at {host}:{port} presented no host key");
    }
}
