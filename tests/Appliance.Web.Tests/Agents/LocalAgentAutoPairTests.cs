using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Tests.AgentsSupport;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Agents;

public sealed class LocalAgentAutoPairTests : IDisposable
{
    private const string FingerprintA = "AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA:AA";
    private const string FingerprintB = "bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb:bb";
    private readonly TestDatabase _db = new();
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"local-access-{Guid.NewGuid():N}.json");
    private readonly AgentStore _agents;
    private readonly AuditLog _audit;
    private readonly LocalAgentAutoPair _autoPair;

    public LocalAgentAutoPairTests()
    {
        var time = new FakeTimeProvider();
        _agents = new AgentStore(_db.Database, new EphemeralDataProtectionProvider());
        _audit = new AuditLog(_db.Database, time);
        var connections = new AgentConnections(_agents, _ => new FakeAgent());
        _autoPair = new LocalAgentAutoPair(Options.Create(new LocalAgentOptions { LocalAccessFile = _file }), _agents, connections, _audit, time, NullLogger<LocalAgentAutoPair>.Instance);
    }

    public void Dispose()
    {
        _autoPair.Dispose();
        File.Delete(_file);
        _db.Dispose();
    }

    private void WriteFile(string token, string fingerprint, string url = "https://127.0.0.1:7443/") =>
        File.WriteAllText(_file, $$"""{ "url": "{{url}}", "token": "{{token}}", "fingerprint": "{{fingerprint}}" }""");

    [Fact]
    public async Task Nothing_happens_while_the_agent_has_not_written_its_file()
    {
        await _autoPair.SyncAsync(_file, CancellationToken.None);

        Assert.Empty(await _agents.ListAsync());
    }

    [Fact]
    public async Task The_local_agent_is_paired_once_from_its_file_and_audited()
    {
        WriteFile("token-1", FingerprintA);

        await _autoPair.SyncAsync(_file, CancellationToken.None);
        await _autoPair.SyncAsync(_file, CancellationToken.None);

        var agent = Assert.Single(await _agents.ListAsync());
        Assert.Equal("local", agent.Name);
        Assert.Equal(FingerprintA, agent.Fingerprint);
        Assert.Equal("token-1", (await _agents.FindSecretAsync(agent.Id))!.Token);
        Assert.Single(await _audit.QueryAsync(new AuditQuery(Action: AgentAuditActions.AgentPaired)));
    }

    [Fact]
    public async Task A_restarted_agent_with_a_new_token_and_certificate_is_followed()
    {
        WriteFile("token-1", FingerprintA);
        await _autoPair.SyncAsync(_file, CancellationToken.None);

        WriteFile("token-2", FingerprintB);
        await _autoPair.SyncAsync(_file, CancellationToken.None);

        var agent = Assert.Single(await _agents.ListAsync());
        Assert.Equal(FingerprintB.ToUpperInvariant(), agent.Fingerprint);
        Assert.Equal("token-2", (await _agents.FindSecretAsync(agent.Id))!.Token);
    }

    [Fact]
    public async Task A_malformed_file_is_refused_naming_the_file()
    {
        File.WriteAllText(_file, "{ not json");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => _autoPair.SyncAsync(_file, CancellationToken.None));

        Assert.Contains(_file, e.Message, StringComparison.Ordinal);
        Assert.Empty(await _agents.ListAsync());
    }

    [Fact]
    public async Task The_token_is_stored_protected_not_in_clear()
    {
        WriteFile("very-secret-local-token", FingerprintA);
        await _autoPair.SyncAsync(_file, CancellationToken.None);

        await using var connection = await _db.Database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT protected_token FROM agents";
        string stored = (string)(await command.ExecuteScalarAsync())!;
        Assert.DoesNotContain("very-secret-local-token", stored, StringComparison.Ordinal);
    }
}
