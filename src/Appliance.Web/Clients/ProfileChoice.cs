namespace Appliance.Web.Clients;

/// <summary>The transports and platforms a profile can be made for (the agent's <c>transport</c> and <c>platform</c> query values).</summary>
public static class ProfileChoice
{
    public static IReadOnlyList<string> Transports { get; } = ["udp", "tcp"];

    public static IReadOnlyList<string> Platforms { get; } = ["windows", "linux", "macos"];

    public static string RequireTransport(string? transport) =>
        transport is not null && Transports.Contains(transport, StringComparer.Ordinal)
            ? transport
            : throw new ArgumentException($"transport '{transport}' is not one of: {string.Join(", ", Transports)}", nameof(transport));

    public static string RequirePlatform(string? platform) =>
        platform is not null && Platforms.Contains(platform, StringComparer.Ordinal)
            ? platform
            : throw new ArgumentException($"platform '{platform}' is not one of: {string.Join(", ", Platforms)}", nameof(platform));
}
