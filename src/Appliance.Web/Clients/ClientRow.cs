using Appliance.Contracts;

namespace Appliance.Web.Clients;

/// <summary>One client as the Clients page lists it: the agent's record and the panel's default transport.</summary>
public sealed record ClientRow(ClientDto Client, string Transport)
{
    public string Name => Client.Name;
    public string Status => Client.Status;
    public DateTimeOffset IssuedAt => Client.IssuedAt;
    public DateTimeOffset ExpiresAt => Client.ExpiresAt;
    public int LiveSessions => Client.LiveSessions;
    public bool IsRevoked => Client.Status == "revoked";
    public bool CanDisable => Client.Status == "active";
    public bool CanEnable => Client.Disabled && !IsRevoked;
    /// <summary>The client may hold several sessions at once; otherwise a new one replaces the older.</summary>
    public bool AllowConcurrent => Client.AllowConcurrent;
}
