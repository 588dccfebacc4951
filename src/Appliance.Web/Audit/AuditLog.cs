using Appliance.Web.Data;
using Dapper;

namespace Appliance.Web.Audit;

/// <summary>The audit log: every admin action, who did it, when and from where. Call <see cref="RecordAsync"/> after the action succeeded.</summary>
public sealed class AuditLog(PanelDatabase database, TimeProvider time)
{
    private const string Insert =
        "INSERT INTO audit_log (at, user_name, action, target, detail, remote_address) VALUES (@At, @UserName, @Action, @Target, @Detail, @RemoteAddress)";

    private const string Select =
        "SELECT id AS Id, at AS AtMs, user_name AS UserName, action AS Action, target AS Target, detail AS Detail, remote_address AS RemoteAddress " +
        "FROM audit_log WHERE (@UserName IS NULL OR user_name = @UserName COLLATE NOCASE) AND (@Action IS NULL OR action LIKE @Action || '%') " +
        "AND (@From IS NULL OR at >= @From) AND (@Until IS NULL OR at < @Until) ORDER BY at DESC, id DESC LIMIT @Limit";

    /// <summary>Records an action. <paramref name="detail"/> must never hold a secret (password, token, key).</summary>
    public async Task RecordAsync(AuditActor actor, string action, string? target = null, string? detail = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(Insert, new
        {
            At = time.GetUtcNow().ToUnixTimeMilliseconds(),
            actor.UserName,
            Action = action,
            Target = target,
            Detail = detail,
            actor.RemoteAddress,
        });
    }

    /// <summary>The newest entries first that match the filter. The action filter matches a prefix ("users." finds every user action).</summary>
    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query)
    {
        await using var connection = await database.OpenAsync();
        var rows = await connection.QueryAsync<Row>(Select, new
        {
            UserName = string.IsNullOrWhiteSpace(query.UserName) ? null : query.UserName.Trim(),
            Action = string.IsNullOrWhiteSpace(query.Action) ? null : query.Action.Trim(),
            From = query.From?.ToUnixTimeMilliseconds(),
            Until = query.Until?.ToUnixTimeMilliseconds(),
            Limit = Math.Clamp(query.Limit, 1, 10_000),
        });
        return rows.Select(r => new AuditEntry
        {
            Id = r.Id,
            At = DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs),
            UserName = r.UserName,
            Action = r.Action,
            Target = r.Target,
            Detail = r.Detail,
            RemoteAddress = r.RemoteAddress,
        }).ToList();
    }

    /// <summary>The distinct action names recorded so far, for the filter's choices.</summary>
    public async Task<IReadOnlyList<string>> ListActionsAsync()
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<string>("SELECT DISTINCT action FROM audit_log ORDER BY action")).AsList();
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public long AtMs { get; init; }
        public string UserName { get; init; } = "";
        public string Action { get; init; } = "";
        public string? Target { get; init; }
        public string? Detail { get; init; }
        public string? RemoteAddress { get; init; }
    }
}
