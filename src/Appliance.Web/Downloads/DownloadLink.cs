namespace Appliance.Web.Downloads;

/// <summary>A one-time link to a client's profile, as stored (the token itself is not).</summary>
public sealed record DownloadLink(
    long Id,
    long AgentId,
    string ClientName,
    string Transport,
    string Platform,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? ConsumedAt)
{
    public bool IsUsable(DateTimeOffset now) => ConsumedAt is null && now < ExpiresAt;
}

/// <summary>What a link's token leads to: nothing (never issued: 404), a used or expired link (410), or a usable one.</summary>
public enum DownloadLinkState
{
    Unknown,
    Gone,
    Usable,
}

/// <summary>A new link: the token is shown to the admin once and never again.</summary>
public sealed record IssuedDownloadLink(DownloadLink Link, string Token)
{
    public string RelativeUrl => "d/" + Token;
}
