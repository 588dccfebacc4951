using Appliance.Contracts;
using Appliance.Web.Audit;
using Microsoft.Extensions.Options;

namespace Appliance.Web.Agents;

/// <summary>Where the local agent's access file is (set by ./run.sh and the lab); unset on a panel that pairs by hand.</summary>
public sealed class LocalAgentOptions
{
    public const string Section = "Agent";

    /// <summary>Path of the agent's <c>local-access.json</c>.</summary>
    public string? LocalAccessFile { get; set; }

    /// <summary>The name the local agent gets on the Agents page.</summary>
    public string LocalName { get; set; } = "local";
}

/// <summary>
/// Pairs the local agent named by <c>Agent:LocalAccessFile</c> so the lab works without typing, and keeps it paired: the
/// agent writes a new access token (and may have a new certificate) at every start, so the file is read again every few
/// seconds and the stored credentials follow it. The file is trusted as it stands (mode 0600 in the agent's 0700 state
/// directory on this machine): its token is a local-access token, not the pairing token, so there is no proof to run.
/// </summary>
public sealed partial class LocalAgentAutoPair(
    IOptions<LocalAgentOptions> options, AgentStore agents, AgentConnections connections, AuditLog audit, TimeProvider time, ILogger<LocalAgentAutoPair> log)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? path = options.Value.LocalAccessFile;
        if (string.IsNullOrWhiteSpace(path))
            return;
        string? lastProblem = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SyncAsync(path, stoppingToken);
                lastProblem = null;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or AgentPairingException)
            {
                if (e.Message != lastProblem)
                    LogProblem(log, e.Message);
                lastProblem = e.Message;
            }
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Pairs the local agent, or updates its credentials when the file changed; nothing while the file does not exist.</summary>
    internal async Task SyncAsync(string path, CancellationToken cancellationToken)
    {
        var file = await LocalAccessFile.TryReadAsync(path, cancellationToken);
        if (file is null)
            return;
        if (!Uri.TryCreate(file.Url, UriKind.Absolute, out var url))
            throw new InvalidDataException($"the agent's local access file '{path}' has url '{file.Url}', not an absolute URL");
        string fingerprint = CertificateFingerprint.TryNormalize(file.Fingerprint)
            ?? throw new InvalidDataException($"the agent's local access file '{path}' has a fingerprint that is not 32 bytes of hex");
        if (await agents.FindByUrlAsync(url) is { } known)
        {
            var secret = await agents.FindSecretAsync(known.Id);
            if (secret is not null && secret.Token == file.Token && known.Fingerprint == fingerprint)
                return;
            await agents.UpdateCredentialsAsync(known.Id, fingerprint, file.Token);
            connections.Forget(known.Id);
            LogRefreshed(log, known.Name, url);
            return;
        }
        var agent = await agents.AddAsync(options.Value.LocalName, url, fingerprint, file.Token, time.GetUtcNow(), AuditActor.System.UserName);
        await audit.RecordAsync(AuditActor.System, AgentAuditActions.AgentPaired, $"{agent.Name} ({url})", $"local access file, certificate {fingerprint}");
        LogPaired(log, agent.Name, url);
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "paired the local agent '{Name}' at {Url} from its access file")]
    private static partial void LogPaired(ILogger logger, string name, Uri url);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "cannot pair the local agent: {Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Information, Message = "the local agent '{Name}' at {Url} restarted: its new access credentials are in use")]
    private static partial void LogRefreshed(ILogger logger, string name, Uri url);
}
