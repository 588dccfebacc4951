using System.Net;

namespace Appliance.Agent.Pki;

/// <summary>What the server certificate says at first start: its CN (pinned by profiles with <c>verify-x509-name</c>) and subject alternative names.</summary>
/// <remarks>Read only when the CA is created; changing it later has no effect on an existing state directory.</remarks>
public sealed record ServerIdentity
{
    /// <summary>The server certificate's CN: 1-64 characters [A-Za-z0-9._-].</summary>
    public string Name { get; init; } = "appliance";
    public IReadOnlyList<string> DnsNames { get; init; } = [];
    public IReadOnlyList<IPAddress> Addresses { get; init; } = [];
}
