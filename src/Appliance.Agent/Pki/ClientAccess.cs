namespace Appliance.Agent.Pki;

/// <summary>What decides whether a certificate may connect: its name, expiry, and the revoked and disabled flags.</summary>
public readonly record struct ClientAccess(string Name, DateTimeOffset ExpiresAt, bool Revoked, bool Disabled);
