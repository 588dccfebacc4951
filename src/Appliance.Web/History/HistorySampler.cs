using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Settings;

namespace Appliance.Web.History;

/// <summary>
/// Polls every paired agent's sessions each sample interval (a setting) and records the deltas; a failing agent is
/// skipped until the next poll. The rollup and pruning jobs run from here too, once a minute.
/// </summary>
public sealed partial class HistorySampler(
    AgentStore agents, AgentConnections connections, HistoryStore history, SettingsStore settings, TimeProvider time, ILogger<HistorySampler> log) : BackgroundService
{
    private static readonly TimeSpan JobInterval = TimeSpan.FromMinutes(1);

    private readonly HashSet<long> _failing = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lastJobs = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var config = await HistorySettings.ReadAsync(settings);
            await SampleAllAsync(stoppingToken);
            var now = time.GetUtcNow();
            if (now - lastJobs >= JobInterval)
            {
                await RunJobsAsync(now, config);
                lastJobs = now;
            }
            try
            {
                await Task.Delay(config.SampleInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One poll of every paired agent.</summary>
    public async Task SampleAllAsync(CancellationToken ct)
    {
        foreach (var agent in await agents.ListAsync())
        {
            try
            {
                var client = await connections.GetAsync(agent.Id);
                var sessions = await client.GetSessionsAsync(ct);
                var samples = sessions
                    .Where(s => s.Established && s.CommonName is not null)
                    .Select(s => new SessionSample(s.Id, s.CommonName!, TrafficTotals.Of(s)))
                    .ToList();
                await history.RecordAsync(agent.Id, time.GetUtcNow(), samples);
                if (_failing.Remove(agent.Id))
                    LogRecovered(log, agent.Name);
            }
            catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
            {
                if (_failing.Add(agent.Id))
                    LogSampleFailed(log, agent.Name, e.Message);
            }
        }
    }

    private async Task RunJobsAsync(DateTimeOffset now, HistorySettings config)
    {
        try
        {
            await history.RollUpAsync(now);
            await history.PruneAsync(now, config);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            LogJobsFailed(log, e);
        }
    }

    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "history: cannot sample agent '{Agent}': {Problem}; retrying each interval")]
    private static partial void LogSampleFailed(ILogger logger, string agent, string problem);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "history: sampling agent '{Agent}' again")]
    private static partial void LogRecovered(ILogger logger, string agent);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Error, Message = "history: rollup or pruning failed; retrying in a minute")]
    private static partial void LogJobsFailed(ILogger logger, Exception exception);
}
