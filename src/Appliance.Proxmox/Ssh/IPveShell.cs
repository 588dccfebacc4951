namespace Appliance.Proxmox.Ssh;

/// <summary>The result of one remote command.</summary>
/// <param name="ExitStatus">The command's exit status (-1 when the server sent none, e.g. killed by a signal).</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record SshCommandResult(int ExitStatus, string Output, string Error)
{
    /// <summary>True for exit status 0.</summary>
    public bool Succeeded => ExitStatus == 0;
}

/// <summary>A shell on a PVE host for the jobs the API cannot do: run a command, copy a file.</summary>
public interface IPveShell : IAsyncDisposable
{
    /// <summary>The host key fingerprint seen (<c>SHA256:…</c>): store it as the pin after first contact.</summary>
    string HostKeyFingerprint { get; }

    /// <summary>Always false now: a shell connects only to a pinned host key (kept for callers that report it).</summary>
    bool HostKeyWasNew { get; }

    /// <summary>Runs <paramref name="command"/> (a shell command line; quote arguments with <see cref="ShellQuote"/>).</summary>
    Task<SshCommandResult> RunAsync(string command, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="content"/> to <paramref name="remotePath"/> over SFTP, replacing a file there.</summary>
    Task UploadAsync(Stream content, string remotePath, CancellationToken cancellationToken = default);
}

/// <summary>Opens <see cref="IPveShell"/>s; the real one is <see cref="SshPveShellFactory"/>.</summary>
public interface IPveShellFactory
{
    /// <summary>Connects and authenticates after verifying the host key against <see cref="SshHostSettings.PinnedHostKey"/> (required).</summary>
    Task<IPveShell> ConnectAsync(SshHostSettings settings, CancellationToken cancellationToken = default);

    /// <summary>Reads the host key the server presents without authenticating or sending anything else, for the operator to confirm.</summary>
    Task<string> ReadHostKeyAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default);
}
