using System.Data;
using Appliance.Web.Data;
using Dapper;

namespace Appliance.Web.History;

/// <summary>
/// Per-client traffic history. A sample's deltas go to <c>history_samples</c> together with each session's last counters
/// (<c>history_cursor</c>), in one transaction: a panel restart neither loses nor double-counts. Samples roll up into
/// minutes, minutes into hours, hours into days, each up to its watermark (<c>history_rollup</c>); only complete buckets
/// are rolled up, and a re-run rewrites the same buckets with the same sums.
/// </summary>
public sealed class HistoryStore(PanelDatabase database)
{
    private const string Counters = "frames_in, bytes_in, frames_out, bytes_out, dropped_in, dropped_out, short_in, short_out";
    private const string SumCounters =
        "SUM(frames_in), SUM(bytes_in), SUM(frames_out), SUM(bytes_out), SUM(dropped_in), SUM(dropped_out), SUM(short_in), SUM(short_out)";
    private const string SumAsTotals =
        "COALESCE(SUM(frames_in),0) AS FramesIn, COALESCE(SUM(bytes_in),0) AS BytesIn, COALESCE(SUM(frames_out),0) AS FramesOut, COALESCE(SUM(bytes_out),0) AS BytesOut, " +
        "COALESCE(SUM(dropped_in),0) AS DroppedIn, COALESCE(SUM(dropped_out),0) AS DroppedOut, COALESCE(SUM(short_in),0) AS ShortFramesIn, COALESCE(SUM(short_out),0) AS ShortFramesOut";
    private const string Values = "@FramesIn, @BytesIn, @FramesOut, @BytesOut, @DroppedIn, @DroppedOut, @ShortFramesIn, @ShortFramesOut";
    private const string ReplaceCounters =
        "frames_in = excluded.frames_in, bytes_in = excluded.bytes_in, frames_out = excluded.frames_out, bytes_out = excluded.bytes_out, " +
        "dropped_in = excluded.dropped_in, dropped_out = excluded.dropped_out, short_in = excluded.short_in, short_out = excluded.short_out";

    private const string SelectCursors =
        "SELECT session_id AS SessionId, frames_in AS FramesIn, bytes_in AS BytesIn, frames_out AS FramesOut, bytes_out AS BytesOut, dropped_in AS DroppedIn, " +
        "dropped_out AS DroppedOut, short_in AS ShortFramesIn, short_out AS ShortFramesOut FROM history_cursor WHERE agent_id = @agentId";
    private const string UpsertCursor =
        "INSERT INTO history_cursor (agent_id, session_id, client_name, sampled_at, " + Counters + ") VALUES (@AgentId, @SessionId, @ClientName, @At, " + Values + ") " +
        "ON CONFLICT(agent_id, session_id) DO UPDATE SET client_name = excluded.client_name, sampled_at = excluded.sampled_at, " + ReplaceCounters;
    private const string DeleteCursor = "DELETE FROM history_cursor WHERE agent_id = @agentId AND session_id = @sessionId";
    private const string InsertSample =
        "INSERT INTO history_samples (agent_id, client_name, at, " + Counters + ") VALUES (@AgentId, @ClientName, @At, " + Values + ")";

    /// <summary>Records one poll of an agent: the deltas since each session's previous sample; sessions no longer live are forgotten.</summary>
    public async Task RecordAsync(long agentId, DateTimeOffset at, IReadOnlyList<SessionSample> sessions)
    {
        long atMs = at.ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var cursors = (await connection.QueryAsync<CursorRow>(SelectCursors, new { agentId }, transaction))
            .ToDictionary(c => c.SessionId, StringComparer.Ordinal);
        foreach (var session in sessions)
        {
            TrafficTotals? previous = cursors.Remove(session.SessionId, out var cursor) ? cursor.Totals : null;
            var delta = CounterDelta.Between(previous, session.SessionId, session.Totals, session.SessionId);
            if (!delta.IsZero)
                await connection.ExecuteAsync(InsertSample, Parameters(agentId, session.ClientName, atMs, delta, null), transaction);
            await connection.ExecuteAsync(UpsertCursor, Parameters(agentId, session.ClientName, atMs, session.Totals, session.SessionId), transaction);
        }
        foreach (var gone in cursors.Keys)
            await connection.ExecuteAsync(DeleteCursor, new { agentId, sessionId = gone }, transaction);
        await transaction.CommitAsync();
    }

    /// <summary>Rolls every complete bucket up to <paramref name="now"/>: samples into minutes, minutes into hours, hours into days.</summary>
    public async Task RollUpAsync(DateTimeOffset now)
    {
        long nowMs = now.ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await RollUpAsync(connection, transaction, "history_samples", "at", Granularity.Minute, nowMs);
        await RollUpAsync(connection, transaction, Granularity.Minute.Table(), "bucket", Granularity.Hour, nowMs);
        await RollUpAsync(connection, transaction, Granularity.Hour.Table(), "bucket", Granularity.Day, nowMs);
        await transaction.CommitAsync();
    }

    /// <summary>
    /// Deletes what is older than each granularity's retention, but never a row not yet rolled up into the next level
    /// (the totals stay whole).
    /// </summary>
    public async Task<int> PruneAsync(DateTimeOffset now, HistorySettings settings)
    {
        long nowMs = now.ToUnixTimeMilliseconds();
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var marks = await WatermarksAsync(connection, transaction);
        int deleted = 0;
        deleted += await PruneAsync(connection, transaction, "history_samples", "at", Math.Min(nowMs - Days(settings.SampleRetentionDays), marks[Granularity.Minute]));
        deleted += await PruneAsync(connection, transaction, Granularity.Minute.Table(), "bucket", Math.Min(nowMs - Days(settings.MinuteRetentionDays), marks[Granularity.Hour]));
        deleted += await PruneAsync(connection, transaction, Granularity.Hour.Table(), "bucket", Math.Min(nowMs - Days(settings.HourRetentionDays), marks[Granularity.Day]));
        deleted += await PruneAsync(connection, transaction, Granularity.Day.Table(), "bucket", nowMs - Days(settings.DayRetentionDays));
        await transaction.CommitAsync();
        return deleted;
    }

    /// <summary>
    /// A client's traffic per bucket of <paramref name="bucket"/> over [from, until), read from <paramref name="source"/>
    /// (a level at least as fine as the bucket) plus what the finer levels hold that is not rolled up into it yet, so the
    /// newest bucket is current.
    /// </summary>
    public async Task<IReadOnlyList<HistoryPoint>> SeriesAsync(long agentId, string clientName, Granularity source, Granularity bucket, DateTimeOffset from, DateTimeOffset until)
    {
        if (source > bucket)
            throw new ArgumentException($"a {source} table cannot give {bucket} buckets", nameof(source));
        long size = bucket.BucketMilliseconds();
        await using var connection = await database.OpenAsync();
        var marks = await WatermarksAsync(connection, null);
        var parts = new List<string> { $"SELECT bucket AS t, {Counters} FROM {source.Table()} WHERE agent_id = @agentId AND client_name = @clientName" };
        if (source >= Granularity.Day)
            parts.Add($"SELECT bucket AS t, {Counters} FROM history_hour WHERE agent_id = @agentId AND client_name = @clientName AND bucket >= @dayMark");
        if (source >= Granularity.Hour)
            parts.Add($"SELECT bucket AS t, {Counters} FROM history_minute WHERE agent_id = @agentId AND client_name = @clientName AND bucket >= @hourMark");
        parts.Add($"SELECT at AS t, {Counters} FROM history_samples WHERE agent_id = @agentId AND client_name = @clientName AND at >= @minuteMark");
        string sql =
            $"SELECT (t / {size}) * {size} AS Bucket, {SumAsTotals} FROM ({string.Join(" UNION ALL ", parts)}) " +
            "WHERE t >= @from AND t < @until GROUP BY 1 ORDER BY 1";
        var rows = await connection.QueryAsync<BucketRow>(sql, new
        {
            agentId,
            clientName,
            from = from.ToUnixTimeMilliseconds(),
            until = until.ToUnixTimeMilliseconds(),
            dayMark = marks[Granularity.Day],
            hourMark = marks[Granularity.Hour],
            minuteMark = marks[Granularity.Minute],
        });
        return rows.Select(r => new HistoryPoint(DateTimeOffset.FromUnixTimeMilliseconds(r.Bucket), r.Totals)).ToList();
    }

    /// <summary>
    /// All-time traffic per client of an agent: days, plus hours not yet in a day, minutes not yet in an hour, samples not
    /// yet in a minute. Exact as long as retention keeps rows until they are rolled up (pruning guarantees that).
    /// </summary>
    public async Task<IReadOnlyList<ClientTotals>> TotalsAsync(long agentId)
    {
        await using var connection = await database.OpenAsync();
        var marks = await WatermarksAsync(connection, null);
        string sql =
            $"SELECT client_name AS ClientName, {SumAsTotals} FROM (" +
            $"SELECT client_name, {Counters} FROM history_day WHERE agent_id = @agentId " +
            $"UNION ALL SELECT client_name, {Counters} FROM history_hour WHERE agent_id = @agentId AND bucket >= @dayMark " +
            $"UNION ALL SELECT client_name, {Counters} FROM history_minute WHERE agent_id = @agentId AND bucket >= @hourMark " +
            $"UNION ALL SELECT client_name, {Counters} FROM history_samples WHERE agent_id = @agentId AND at >= @minuteMark" +
            ") GROUP BY client_name ORDER BY client_name";
        var rows = await connection.QueryAsync<TotalsRow>(sql, new
        {
            agentId,
            dayMark = marks[Granularity.Day],
            hourMark = marks[Granularity.Hour],
            minuteMark = marks[Granularity.Minute],
        });
        return rows.Select(r => new ClientTotals(r.ClientName, r.Totals)).ToList();
    }

    /// <summary>How far each level is rolled up (exclusive; 0 when never).</summary>
    public async Task<IReadOnlyDictionary<Granularity, long>> WatermarksAsync()
    {
        await using var connection = await database.OpenAsync();
        return await WatermarksAsync(connection, null);
    }

    private static async Task RollUpAsync(IDbConnection connection, IDbTransaction transaction, string sourceTable, string timeColumn, Granularity target, long nowMs)
    {
        long size = target.BucketMilliseconds();
        long until = target.BucketOf(nowMs);
        long from = (await WatermarksAsync(connection, transaction))[target];
        if (until <= from)
            return;
        // Rewrites whole buckets from the watermark on: re-running gives the same rows, never double sums.
        string sql =
            $"INSERT INTO {target.Table()} (agent_id, client_name, bucket, {Counters}) " +
            $"SELECT agent_id, client_name, ({timeColumn} / {size}) * {size}, {SumCounters} FROM {sourceTable} " +
            $"WHERE {timeColumn} >= @from AND {timeColumn} < @until GROUP BY agent_id, client_name, 3 " +
            $"ON CONFLICT(agent_id, client_name, bucket) DO UPDATE SET {ReplaceCounters}";
        await connection.ExecuteAsync(sql, new { from, until }, transaction);
        await connection.ExecuteAsync(
            "INSERT INTO history_rollup (granularity, rolled_until) VALUES (@name, @until) ON CONFLICT(granularity) DO UPDATE SET rolled_until = excluded.rolled_until",
            new { name = target.ToString().ToLowerInvariant(), until }, transaction);
    }

    private static async Task<int> PruneAsync(IDbConnection connection, IDbTransaction transaction, string table, string timeColumn, long before) =>
        await connection.ExecuteAsync($"DELETE FROM {table} WHERE {timeColumn} < @before", new { before }, transaction);

    private static async Task<IReadOnlyDictionary<Granularity, long>> WatermarksAsync(IDbConnection connection, IDbTransaction? transaction)
    {
        var rows = (await connection.QueryAsync<(string Name, long Until)>("SELECT granularity, rolled_until FROM history_rollup", transaction: transaction))
            .ToDictionary(r => r.Name, r => r.Until, StringComparer.Ordinal);
        return Enum.GetValues<Granularity>().ToDictionary(g => g, g => rows.TryGetValue(g.ToString().ToLowerInvariant(), out long u) ? u : 0L);
    }

    private static long Days(int days) => days * 86_400_000L;

    private static object Parameters(long agentId, string clientName, long atMs, TrafficTotals t, string? sessionId) => new
    {
        AgentId = agentId,
        SessionId = sessionId,
        ClientName = clientName,
        At = atMs,
        t.FramesIn,
        t.BytesIn,
        t.FramesOut,
        t.BytesOut,
        t.DroppedIn,
        t.DroppedOut,
        t.ShortFramesIn,
        t.ShortFramesOut,
    };

    private record CounterColumns
    {
        public long FramesIn { get; init; }
        public long BytesIn { get; init; }
        public long FramesOut { get; init; }
        public long BytesOut { get; init; }
        public long DroppedIn { get; init; }
        public long DroppedOut { get; init; }
        public long ShortFramesIn { get; init; }
        public long ShortFramesOut { get; init; }

        public TrafficTotals Totals => new(FramesIn, BytesIn, FramesOut, BytesOut, DroppedIn, DroppedOut, ShortFramesIn, ShortFramesOut);
    }

    private sealed record CursorRow : CounterColumns
    {
        public string SessionId { get; init; } = "";
    }

    private sealed record BucketRow : CounterColumns
    {
        public long Bucket { get; init; }
    }

    private sealed record TotalsRow : CounterColumns
    {
        public string ClientName { get; init; } = "";
    }
}
