namespace Appliance.Web.Audit;

/// <summary>One recorded admin action.</summary>
public sealed record AuditEntry
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public string UserName { get; init; } = "";
    public string Action { get; init; } = "";
    public string? Target { get; init; }
    public string? Detail { get; init; }
    public string? RemoteAddress { get; init; }
}

/// <summary>Who did something and from where: the signed-in user name and the client's IP address.</summary>
public sealed record AuditActor(string UserName, string? RemoteAddress)
{
    public static AuditActor System { get; } = new("(system)", null);
}

/// <summary>A filter of the audit log; null members do not filter. <see cref="Until"/> is exclusive.</summary>
public sealed record AuditQuery(string? UserName = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? Until = null, int Limit = 500);
