using Appliance.Proxmox.Ssh;

namespace Appliance.Proxmox.Tests.Support;

/// <summary>
/// A stand-in for the PVE host's shell in workflow tests (the real SSH client is tested against a real sshd in
/// <c>Ssh/SshPveShellTests</c>): records uploads and commands, answers commands by prefix.
/// </summary>
public sealed class RecordingShell : IPveShell, IPveShellFactory
{
    private readonly List<string> _commands = [];
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    /// <summary>The private directory <c>mktemp -d</c> answers with.</summary>
    public const string ScratchDirectory = "/var/tmp/appliance-import.Q7ab3Kx9Zp";

    /// <summary>Answers for commands starting with a key; others succeed with no output.</summary>
    public Dictionary<string, SshCommandResult> Answers { get; } = new(StringComparer.Ordinal)
    {
        ["mktemp -d /var/tmp/appliance-import.XXXXXXXXXX"] = new SshCommandResult(0, ScratchDirectory + "\n", ""),
    };

    /// <summary>Hosts whose key was read without connecting.</summary>
    public List<string> HostKeyReads { get; } = [];

    /// <summary>Thrown by <see cref="ConnectAsync"/> instead of connecting.</summary>
    public Exception? ConnectFailure { get; init; }

    /// <summary>The settings it was connected with.</summary>
    public SshHostSettings? ConnectedWith { get; private set; }

    /// <summary>Commands run, in order.</summary>
    public IReadOnlyList<string> Commands => _commands;

    /// <summary>Files uploaded, by remote path.</summary>
    public IReadOnlyDictionary<string, byte[]> Files => _files;

    /// <summary>True once disposed.</summary>
    public bool Disposed { get; private set; }

    /// <inheritdoc />
    public string HostKeyFingerprint => "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

    /// <inheritdoc />
    public bool HostKeyWasNew => ConnectedWith?.PinnedHostKey is null;

    /// <inheritdoc />
    public Task<IPveShell> ConnectAsync(SshHostSettings settings, CancellationToken cancellationToken = default)
    {
        if (ConnectFailure is not null)
            throw ConnectFailure;
        ConnectedWith = settings;
        return Task.FromResult<IPveShell>(this);
    }

    /// <inheritdoc />
    public Task<string> ReadHostKeyAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (ConnectFailure is not null)
            throw ConnectFailure;
        HostKeyReads.Add($"{host}:{port}");
        return Task.FromResult(HostKeyFingerprint);
    }

    /// <inheritdoc />
    public Task<SshCommandResult> RunAsync(string command, CancellationToken cancellationToken = default)
    {
        _commands.Add(command);
        var answer = Answers.FirstOrDefault(a => command.StartsWith(a.Key, StringComparison.Ordinal)).Value;
        return Task.FromResult(answer ?? new SshCommandResult(0, "", ""));
    }

    /// <inheritdoc />
    public async Task UploadAsync(Stream content, string remotePath, CancellationToken cancellationToken = default)
    {
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        _files[remotePath] = copy.ToArray();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
