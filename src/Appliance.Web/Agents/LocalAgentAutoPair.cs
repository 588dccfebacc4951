using Appliance.Contracts;
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
/// At start, pairs the local agent named by <c>Agent:LocalAccessFile</c> unless it is paired already, so the lab works
/// without typing. The agent may start after the panel: the file and the agent are waited for, then the normal proof runs.
/// </summary>
public sealed partial class LocalAgentAutoPair(
    IOptions<LocalAgentOptions> options, AgentStore agents, AgentPairing pairing, TimeProvider time, ILogger<LocalAgentAutoPair> log) : BackgroundService
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? path = options.Value.LocalAccessFile;
        if (string.IsNullOrWhiteSpace(path))
            return;
        var deadline = time.GetUtcNow() + Patience;
        var delay = TimeSpan.FromMilliseconds(500);
        string? lastProblem = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await TryPairAsync(path, stoppingToken))
                    return;
                lastProblem = $"'{path}' does not exist yet";
            }
            catch (Exception e) when (e is AgentPairingException or InvalidDataException or IOException or AgentApiException)
            {
                lastProblem = e.Message;
            }
            if (time.GetUtcNow() > deadline)
            {
                LogGaveUp(log, path, lastProblem);
                return;
            }
            await Task.Delay(delay, time, stoppingToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    /// <summary>True when the local agent is paired (now or before).</summary>
    internal async Task<bool> TryPairAsync(string path, CancellationToken cancellationToken)
    {
        var file = await LocalAccessFile.TryReadAsync(path, cancellationToken);
        if (file is null)
            return false;
        if (!Uri.TryCreate(file.Url, UriKind.Absolute, out var url))
            throw new InvalidDataException($"the agent's local access file '{path}' has url '{file.Url}', not an absolute URL");
        if (await agents.FindByUrlAsync(url) is not null)
            return true;
        var agent = await pairing.PairAsync(PanelOperator.System, options.Value.LocalName, file.Url, file.Token, cancellationToken);
        if (CertificateFingerprint.TryNormalize(file.Fingerprint) != CertificateFingerprint.TryNormalize(agent.Fingerprint))
            LogFingerprintDiffers(log, agent.Url);
        LogPaired(log, agent.Name, agent.Url);
        return true;
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "paired the local agent '{Name}' at {Url}")]
    private static partial void LogPaired(ILogger logger, string name, Uri url);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "gave up pairing the local agent from '{Path}': {Problem}; pair it on the Agents page")]
    private static partial void LogGaveUp(ILogger logger, string path, string? problem);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "the local agent at {Url} proved a certificate other than the one its access file names; the proven one is pinned")]
    private static partial void LogFingerprintDiffers(ILogger logger, Uri url);
}
