using Appliance.Web.Data;
using Dapper;
using Microsoft.AspNetCore.DataProtection;

namespace Appliance.Web.Agents;

/// <summary>The paired agents. The pairing token is kept protected with Data Protection: a copy of the database alone does not reveal it.</summary>
public sealed class AgentStore(PanelDatabase database, IDataProtectionProvider dataProtection)
{
    private const string Columns = "id AS Id, name AS Name, url AS Url, fingerprint AS Fingerprint, paired_at AS PairedAt, paired_by AS PairedBy, protected_token AS ProtectedToken";
    private const string SelectAll = "SELECT " + Columns + " FROM agents ORDER BY name";
    private const string SelectById = "SELECT " + Columns + " FROM agents WHERE id = @id";
    private const string SelectByUrl = "SELECT " + Columns + " FROM agents WHERE url = @url";
    private const string Insert =
        "INSERT INTO agents (name, url, fingerprint, protected_token, paired_at, paired_by) VALUES (@Name, @Url, @Fingerprint, @ProtectedToken, @PairedAt, @PairedBy) RETURNING id";
    private const string Delete = "DELETE FROM agents WHERE id = @id";
    private const string UpdateCredentials = "UPDATE agents SET fingerprint = @Fingerprint, protected_token = @ProtectedToken WHERE id = @Id";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Appliance.Web.Agents.PairingToken.v1");

    public async Task<IReadOnlyList<PairedAgent>> ListAsync()
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<Row>(SelectAll)).Select(r => r.ToAgent()).ToList();
    }

    public async Task<PairedAgent?> FindAsync(long id) => (await FindRowAsync(id))?.ToAgent();

    public async Task<PairedAgent?> FindByUrlAsync(Uri url)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QuerySingleOrDefaultAsync<Row>(SelectByUrl, new { url = url.ToString() }))?.ToAgent();
    }

    internal async Task<PairedAgentSecret?> FindSecretAsync(long id) =>
        await FindRowAsync(id) is { } row ? new PairedAgentSecret(row.ToAgent(), _protector.Unprotect(row.ProtectedToken)) : null;

    /// <summary>Stores a newly paired agent; fails with a clear message when its name or URL is already paired.</summary>
    public async Task<PairedAgent> AddAsync(string name, Uri url, string fingerprint, string token, DateTimeOffset pairedAt, string pairedBy)
    {
        await using var connection = await database.OpenAsync();
        try
        {
            long id = await connection.ExecuteScalarAsync<long>(Insert, new
            {
                Name = name,
                Url = url.ToString(),
                Fingerprint = fingerprint,
                ProtectedToken = _protector.Protect(token),
                PairedAt = pairedAt.ToUnixTimeMilliseconds(),
                PairedBy = pairedBy,
            });
            return new PairedAgent(id, name, url, fingerprint, pairedAt, pairedBy);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode == 19)
        {
            throw new AgentPairingException($"an agent named '{name}' or at {url} is already paired; unpair it first to pair it again");
        }
    }

    /// <summary>Replaces an agent's pinned fingerprint and token (the local agent issues a new access token at every start).</summary>
    public async Task UpdateCredentialsAsync(long id, string fingerprint, string token)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(UpdateCredentials, new { Id = id, Fingerprint = fingerprint, ProtectedToken = _protector.Protect(token) });
    }

    public async Task<bool> RemoveAsync(long id)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteAsync(Delete, new { id }) == 1;
    }

    private async Task<Row?> FindRowAsync(long id)
    {
        await using var connection = await database.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<Row>(SelectById, new { id });
    }

    private sealed record Row
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Url { get; init; } = "";
        public string Fingerprint { get; init; } = "";
        public long PairedAt { get; init; }
        public string PairedBy { get; init; } = "";
        public string ProtectedToken { get; init; } = "";

        public PairedAgent ToAgent() => new(Id, Name, new Uri(Url), Fingerprint, DateTimeOffset.FromUnixTimeMilliseconds(PairedAt), PairedBy);
    }
}
