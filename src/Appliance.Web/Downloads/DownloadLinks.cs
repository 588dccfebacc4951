using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.Clients;

namespace Appliance.Web.Downloads;

/// <summary>
/// One-time, expiring links that hand a client's profile to its user without a panel account. A link is consumed by
/// the first download that succeeds; a failed fetch from the agent leaves it usable.
/// </summary>
public sealed class DownloadLinks(DownloadLinkStore store, AgentConnections connections, AuditLog audit, TimeProvider time)
{
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromHours(24);
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(30);

    public async Task<IssuedDownloadLink> CreateAsync(PanelOperator by, long agentId, string clientName, string transport, string platform, TimeSpan validity)
    {
        by.RequireAdmin("create a download link");
        ProfileChoice.RequireTransport(transport);
        ProfileChoice.RequirePlatform(platform);
        if (validity <= TimeSpan.Zero || validity > MaxValidity)
            throw new ArgumentOutOfRangeException(nameof(validity), validity, $"a link is valid for more than 0 and at most {MaxValidity.TotalDays:0} days");
        string token = DownloadToken.New();
        var now = time.GetUtcNow();
        var link = await store.AddAsync(DownloadToken.Hash(token), agentId, clientName, transport, platform, now, by.Actor.UserName, now + validity);
        await audit.RecordAsync(by.Actor, AgentAuditActions.DownloadLinkCreated, clientName, $"{transport}, {platform}, expires {link.ExpiresAt:yyyy-MM-dd HH:mm} UTC");
        return new IssuedDownloadLink(link, token);
    }

    /// <summary>What the token leads to, without consuming it (the page a user opens first).</summary>
    public async Task<(DownloadLinkState State, DownloadLink? Link)> InspectAsync(string token)
    {
        if (!DownloadToken.IsWellFormed(token))
            return (DownloadLinkState.Unknown, null);
        var link = await store.FindAsync(DownloadToken.Hash(token));
        if (link is null)
            return (DownloadLinkState.Unknown, null);
        return (link.IsUsable(time.GetUtcNow()) ? DownloadLinkState.Usable : DownloadLinkState.Gone, link);
    }

    public async Task<ProfileNotesDto> GetNotesAsync(DownloadLink link, CancellationToken ct = default)
    {
        var agent = await connections.GetAsync(link.AgentId);
        return await agent.GetProfileNotesAsync(link.Platform, ct);
    }

    /// <summary>Consumes the link and fetches the profile; (state, null) when the link is unknown or gone.</summary>
    public async Task<(DownloadLinkState State, (string FileName, string Content)? Profile)> RedeemAsync(string token, string? remoteAddress, CancellationToken ct = default)
    {
        var (state, _) = await InspectAsync(token);
        if (state != DownloadLinkState.Usable)
            return (state, null);
        var link = await store.ClaimAsync(DownloadToken.Hash(token), time.GetUtcNow(), remoteAddress);
        if (link is null)
            return (DownloadLinkState.Gone, null);
        (string, string) profile;
        try
        {
            var agent = await connections.GetAsync(link.AgentId);
            profile = await agent.GetProfileAsync(link.ClientName, link.Transport, link.Platform, ct);
        }
        catch
        {
            await store.ReleaseAsync(link.Id);
            throw;
        }
        await audit.RecordAsync(new AuditActor("(download link)", remoteAddress), AgentAuditActions.DownloadLinkUsed, link.ClientName,
            $"{link.Transport}, {link.Platform}, link by {link.CreatedBy}");
        return (DownloadLinkState.Usable, profile);
    }
}
