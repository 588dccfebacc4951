using Appliance.Web.Data;
using Dapper;

namespace Appliance.Web.Downloads;

/// <summary>One-time download links, found by the SHA-256 of their token.</summary>
public sealed class DownloadLinkStore(PanelDatabase database)
{
    private const string Columns =
        "id AS Id, agent_id AS AgentId, client_name AS ClientName, transport AS Transport, platform AS Platform, created_at AS CreatedAt, " +
        "created_by AS CreatedBy, expires_at AS ExpiresAt, consumed_at AS ConsumedAt";

    private const string Insert =
        "INSERT INTO download_links (token_hash, agent_id, client_name, transport, platform, created_at, created_by, expires_at) " +
        "VALUES (@TokenHash, @AgentId, @ClientName, @Transport, @Platform, @CreatedAt, @CreatedBy, @ExpiresAt) RETURNING id";

    private const string SelectByHash = "SELECT " + Columns + " FROM download_links WHERE token_hash = @hash";

    // Claiming is one statement: two concurrent downloads of one link cannot both win.
    private const string Claim =
        "UPDATE download_links SET consumed_at = @now, consumed_from = @from WHERE token_hash = @hash AND consumed_at IS NULL AND expires_at > @now " +
        "RETURNING " + Columns;

    private const string Release = "UPDATE download_links SET consumed_at = NULL, consumed_from = NULL WHERE id = @id";

    private const string DeleteOld = "DELETE FROM download_links WHERE expires_at < @before";

    public async Task<DownloadLink> AddAsync(string tokenHash, long agentId, string clientName, string transport, string platform, DateTimeOffset createdAt, string createdBy, DateTimeOffset expiresAt)
    {
        await using var connection = await database.OpenAsync();
        long id = await connection.ExecuteScalarAsync<long>(Insert, new
        {
            TokenHash = tokenHash,
            AgentId = agentId,
            ClientName = clientName,
            Transport = transport,
            Platform = platform,
            CreatedAt = createdAt.ToUnixTimeMilliseconds(),
            CreatedBy = createdBy,
            ExpiresAt = expiresAt.ToUnixTimeMilliseconds(),
        });
        return new DownloadLink(id, agentId, clientName, transport, platform, createdAt, createdBy, expiresAt, null);
    }

    public async Task<DownloadLink?> FindAsync(string tokenHash)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QuerySingleOrDefaultAsync<Row>(SelectByHash, new { hash = tokenHash }))?.ToLink();
    }

    /// <summary>Marks a usable link consumed and returns it; null when it is unknown, used or expired.</summary>
    public async Task<DownloadLink?> ClaimAsync(string tokenHash, DateTimeOffset now, string? from)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QuerySingleOrDefaultAsync<Row>(Claim, new { hash = tokenHash, now = now.ToUnixTimeMilliseconds(), from }))?.ToLink();
    }

    /// <summary>Makes a claimed link usable again (the download after the claim failed).</summary>
    public async Task ReleaseAsync(long id)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(Release, new { id });
    }

    /// <summary>Forgets links that expired before <paramref name="before"/>.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset before)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteAsync(DeleteOld, new { before = before.ToUnixTimeMilliseconds() });
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public long AgentId { get; init; }
        public string ClientName { get; init; } = "";
        public string Transport { get; init; } = "";
        public string Platform { get; init; } = "";
        public long CreatedAt { get; init; }
        public string CreatedBy { get; init; } = "";
        public long ExpiresAt { get; init; }
        public long? ConsumedAt { get; init; }

        public DownloadLink ToLink() => new(
            Id, AgentId, ClientName, Transport, Platform,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), CreatedBy, DateTimeOffset.FromUnixTimeMilliseconds(ExpiresAt),
            ConsumedAt is { } c ? DateTimeOffset.FromUnixTimeMilliseconds(c) : null);
    }
}
