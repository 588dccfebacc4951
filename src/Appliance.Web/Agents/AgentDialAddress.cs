using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Appliance.Contracts;
using Appliance.Web.Audit;

namespace Appliance.Web.Agents;

/// <summary>Where an agent's profiles send clients: <c>profiles.serverHost</c> and the two ports (0 = the first listener's port of that transport).</summary>
public sealed record DialAddress(string ServerHost, int UdpPort, int TcpPort)
{
    /// <summary>The port written into a profile: the configured one, else the first listener's of that transport (from health), else null.</summary>
    public static int? Effective(int configured, string transport, IReadOnlyList<string>? listeners)
    {
        if (configured != 0)
            return configured;
        foreach (var listener in listeners ?? [])
        {
            // "udp 0.0.0.0:1194"
            if (listener.StartsWith(transport + " ", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(listener[(listener.LastIndexOf(':') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
                return port;
        }
        return null;
    }
}

/// <summary>Reads and changes the address an agent's profiles dial, through the agent's config API; changes are audited.</summary>
/// <remarks>Profiles are rendered at download, so a change applies to every profile downloaded afterwards, old clients included.</remarks>
public sealed class AgentDialAddress(AgentConnections connections, AgentStore agents, AuditLog audit)
{
    public async Task<DialAddress> GetAsync(long agentId, CancellationToken cancellationToken = default)
    {
        var client = await connections.GetAsync(agentId);
        var profiles = (await client.GetConfigAsync(cancellationToken)).Profiles;
        return new DialAddress(profiles.ServerHost, profiles.UdpPort, profiles.TcpPort);
    }

    /// <summary>
    /// Writes the address into the agent's config (the rest of it unchanged) and audits the change. Checked here first
    /// (<see cref="Problems"/>), then by the agent: its refusal comes back as <see cref="AgentApiException"/>, nothing changed.
    /// </summary>
    public async Task SaveAsync(PanelOperator by, long agentId, DialAddress address, CancellationToken cancellationToken = default)
    {
        by.RequireAdmin("change where profiles dial");
        address = address with { ServerHost = address.ServerHost.Trim() };
        if (Problems(address) is { Count: > 0 } problems)
            throw new ArgumentException(string.Join("; ", problems), nameof(address));
        var agent = await agents.FindAsync(agentId) ?? throw new AgentNotPairedException(agentId);
        var client = await connections.GetAsync(agentId);
        var config = await client.GetConfigAsync(cancellationToken);
        var before = config.Profiles;
        var changed = config with { Profiles = before with { ServerHost = address.ServerHost, UdpPort = address.UdpPort, TcpPort = address.TcpPort } };
        await client.PutConfigAsync(changed, cancellationToken);
        await audit.RecordAsync(by.Actor, AgentAuditActions.DialAddressChanged, agent.Name,
            $"profiles dial {Describe(address)} (was {Describe(new DialAddress(before.ServerHost, before.UdpPort, before.TcpPort))})");
    }

    /// <summary>Like <c>vpn.example.net udp 1194, tcp the listener's port</c>.</summary>
    public static string Describe(DialAddress address) => $"{address.ServerHost} udp {Port(address.UdpPort)}, tcp {Port(address.TcpPort)}";

    private static string Port(int port) => port == 0 ? "the listener's port" : port.ToString(CultureInfo.InvariantCulture);

    /// <summary>What makes an address unusable in a profile (empty when it is fine): the host is no DNS name or IP address, a port is outside 0..65535.</summary>
    public static IReadOnlyList<string> Problems(DialAddress address)
    {
        var problems = new List<string>();
        if (!IsHost(address.ServerHost))
            problems.Add($"'{address.ServerHost}' is not a host name or IP address clients could dial");
        if (address.UdpPort is < 0 or > 65535)
            problems.Add($"UDP port {address.UdpPort} is outside 1..65535");
        if (address.TcpPort is < 0 or > 65535)
            problems.Add($"TCP port {address.TcpPort} is outside 1..65535");
        return problems;
    }

    /// <summary>A DNS name (letters, digits, hyphens, dots) or an IPv4/IPv6 address: what OpenVPN's <c>remote</c> takes.</summary>
    public static bool IsHost(string? host)
    {
        host = host?.Trim();
        if (string.IsNullOrEmpty(host) || host.Length > 253)
            return false;
        if (IPAddress.TryParse(host.Trim('[', ']'), out _))
            return true;
        return Uri.CheckHostName(host) == UriHostNameType.Dns;
    }

    /// <summary>
    /// Why clients on the internet could likely not reach <paramref name="host"/>, or null when it looks public: a private,
    /// loopback, link-local, shared (100.64/10) or unique-local address, or a name without a dot or under a local-only
    /// suffix. A heuristic: nothing is resolved.
    /// </summary>
    public static DialAddressWarning? Check(string? host)
    {
        host = host?.Trim().TrimEnd('.') ?? "";
        if (host.Length == 0)
            return null;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip))
            return IsPublic(ip) ? null : DialAddressWarning.PrivateAddress;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return DialAddressWarning.LocalName;
        if (!host.Contains('.', StringComparison.Ordinal))
            return DialAddressWarning.SingleLabel;
        foreach (string suffix in LocalSuffixes)
        {
            if (host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                return DialAddressWarning.LocalName;
        }
        return null;
    }

    private static readonly string[] LocalSuffixes = [".local", ".lan", ".home", ".home.arpa", ".internal", ".localdomain", ".localhost", ".corp", ".intranet", ".invalid", ".test"];

    private static bool IsPublic(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
            ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            return false;
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
            return !(ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6UniqueLocal);
        byte[] b = ip.GetAddressBytes();
        return !(b[0] == 10
            || (b[0] == 172 && b[1] is >= 16 and <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] is >= 64 and <= 127));
    }
}

/// <summary>Why a dial address does not look reachable from the internet.</summary>
public enum DialAddressWarning
{
    /// <summary>A private, loopback, link-local, shared or unique-local IP address.</summary>
    PrivateAddress,

    /// <summary>A name with no dot (resolved only on the local network, if at all).</summary>
    SingleLabel,

    /// <summary>localhost, or a name under a local-only suffix such as .lan or .local.</summary>
    LocalName,
}
