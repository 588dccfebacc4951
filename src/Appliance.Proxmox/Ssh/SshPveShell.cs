using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Appliance.Proxmox.Ssh;

/// <summary>Connects <see cref="SshPveShell"/>s with SSH.NET.</summary>
public sealed class SshPveShellFactory : IPveShellFactory
{
    /// <inheritdoc />
    public async Task<IPveShell> ConnectAsync(SshHostSettings settings, CancellationToken cancellationToken = default)
        => await SshPveShell.ConnectAsync(settings, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<string> ReadHostKeyAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
        => SshHostKeyProbe.ReadAsync(host, port, timeout, cancellationToken);
}

/// <summary>
/// An SSH session to a PVE host (SSH.NET): key-only authentication, only to a host key pinned by SHA-256 (read first with
/// <see cref="SshHostKeyProbe"/> and confirmed by the operator), refused on mismatch before anything is sent. Commands run over
/// an exec channel, files go over SFTP.
/// </summary>
public sealed class SshPveShell : IPveShell
{
    private readonly SshClient _ssh;
    private readonly SftpClient _sftp;
    private readonly IDisposable[] _credentials;

    private SshPveShell(SshClient ssh, SftpClient sftp, IDisposable[] credentials, string fingerprint, bool wasNew)
        => (_ssh, _sftp, _credentials, HostKeyFingerprint, HostKeyWasNew) = (ssh, sftp, credentials, fingerprint, wasNew);

    /// <inheritdoc />
    public string HostKeyFingerprint { get; }

    /// <inheritdoc />
    public bool HostKeyWasNew { get; }

    /// <summary>Connects both the command and the SFTP session; throws <see cref="SshHostKeyMismatchException"/> on a changed host key.</summary>
    public static async Task<SshPveShell> ConnectAsync(SshHostSettings settings, CancellationToken cancellationToken = default)
    {
        var problems = settings.Validate();
        if (problems.Count > 0)
            throw new ArgumentException(string.Join("; ", problems), nameof(settings));

        using var keyStream = new MemoryStream(Encoding.UTF8.GetBytes(settings.PrivateKey));
        PrivateKeyFile key;
        try
        {
            key = new PrivateKeyFile(keyStream);
        }
        catch (Exception e) when (e is SshException or ArgumentException or InvalidOperationException)
        {
            // The message of a key parser never contains the key itself, but say only what the operator can act on.
            throw new ArgumentException("SSH PrivateKey could not be read (not an unencrypted key in a known format); paste an unencrypted OpenSSH or PEM private key (ed25519, ECDSA or RSA)", nameof(settings), e);
        }
        if (settings.PinnedHostKey is null)
        {
            key.Dispose();
            throw new ArgumentException($"the SSH host key of {settings.Host}:{settings.Port} has not been confirmed; read it first (nothing is sent), " +
                "compare it with ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host and confirm it", nameof(settings));
        }
        var authentication = new PrivateKeyAuthenticationMethod(settings.User, key);
        IDisposable[] credentials = [authentication, key];
        var connection = new ConnectionInfo(settings.Host, settings.Port, settings.User, authentication)
        {
            Timeout = settings.ConnectTimeout,
        };
        var ssh = new SshClient(connection);
        var sftp = new SftpClient(connection);
        var check = new HostKeyCheck(settings.PinnedHostKey);
        ssh.HostKeyReceived += check.OnHostKeyReceived;
        sftp.HostKeyReceived += check.OnHostKeyReceived;
        try
        {
            await ConnectCheckedAsync(ssh, check, settings, cancellationToken).ConfigureAwait(false);
            // The SFTP session is a second connection; it must present the same key (pinned now to the first one's).
            check.PinToSeen();
            await ConnectCheckedAsync(sftp, check, settings, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ssh.Dispose();
            sftp.Dispose();
            foreach (var credential in credentials)
                credential.Dispose();
            throw;
        }
        return new SshPveShell(ssh, sftp, credentials, check.Seen!, settings.PinnedHostKey is null);
    }

    private static async Task ConnectCheckedAsync(BaseClient client, HostKeyCheck check, SshHostSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectionException) when (check.Mismatch)
        {
            throw new SshHostKeyMismatchException($"{settings.Host}:{settings.Port}", check.Pinned!, check.Seen!);
        }
        catch (SshAuthenticationException e)
        {
            throw new InvalidOperationException($"the SSH server {settings.Host}:{settings.Port} refused the key for user '{settings.User}' ({e.Message}); " +
                "add the panel's public key to that user's ~/.ssh/authorized_keys on the Proxmox host", e);
        }
        catch (Exception e) when (e is SshOperationTimeoutException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException($"could not reach SSH on {settings.Host}:{settings.Port} ({e.Message}); check the address, the port and that sshd runs on the Proxmox host", e);
        }
    }

    /// <inheritdoc />
    public async Task<SshCommandResult> RunAsync(string command, CancellationToken cancellationToken = default)
    {
        using var run = _ssh.CreateCommand(command);
        await run.ExecuteAsync(cancellationToken).ConfigureAwait(false);
        return new SshCommandResult(run.ExitStatus ?? -1, run.Result, run.Error);
    }

    /// <inheritdoc />
    public Task UploadAsync(Stream content, string remotePath, CancellationToken cancellationToken = default)
        => _sftp.UploadFileAsync(content, remotePath, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _ssh.Dispose();
        _sftp.Dispose();
        foreach (var credential in _credentials)
            credential.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class HostKeyCheck(string? pinned)
    {
        public string? Pinned { get; private set; } = pinned;
        public string? Seen { get; private set; }
        public bool Mismatch { get; private set; }

        public void PinToSeen() => Pinned = Seen;

        public void OnHostKeyReceived(object? sender, HostKeyEventArgs e)
        {
            Seen = SshHostKeyPin.Format(e.FingerPrintSHA256);
            Mismatch = Pinned is not null && !SshHostKeyPin.AreEqual(Pinned, Seen);
            e.CanTrust = !Mismatch;
        }
    }
}
