using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Appliance.Web.Security;

/// <summary>
/// The TLS reverse proxies in front of the panel (<c>Panel:ReverseProxy</c>): only requests whose connection comes from one of
/// them have their <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> honoured.
/// </summary>
public sealed class ReverseProxyOptions
{
    public const string Section = "Panel:ReverseProxy";

    /// <summary>Addresses of the proxies, like <c>172.18.0.1</c> or <c>::1</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks the proxies sit in, like <c>172.18.0.0/16</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];
}

public static class ReverseProxy
{
    /// <summary>
    /// Behind a configured proxy the request becomes what the client sent: the client's address (per-address limits, lockouts
    /// and the audit log see it) and its scheme (sign-in cookies are Secure and HSTS is sent when the client used https).
    /// With no proxy configured nothing is forwarded, so nobody can claim another address or https by sending the headers.
    /// Must come before anything that reads the address or scheme.
    /// </summary>
    public static WebApplication UseForwardedHeadersFromKnownProxies(this WebApplication app)
    {
        var options = app.Configuration.GetSection(ReverseProxyOptions.Section).Get<ReverseProxyOptions>() ?? new ReverseProxyOptions();
        var forwarded = Build(options);
        if (forwarded is not null)
            app.UseForwardedHeaders(forwarded);
        return app;
    }

    /// <summary>The middleware's options, or null when no proxy is configured; throws naming a value that is not an address.</summary>
    internal static ForwardedHeadersOptions? Build(ReverseProxyOptions options)
    {
        if (options.KnownProxies.Length == 0 && options.KnownNetworks.Length == 0)
            return null;
        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // One proxy: the right-most X-Forwarded-For entry is the address that proxy saw.
            ForwardLimit = 1,
        };
        // The defaults trust loopback; only what the operator configured is trusted.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (string text in options.KnownProxies)
        {
            if (!IPAddress.TryParse(text.Trim(), out var address))
                throw new InvalidOperationException(
                    $"{ReverseProxyOptions.Section}:KnownProxies has '{text}', which is not an IP address; write it like 172.18.0.1 or ::1");
            forwarded.KnownProxies.Add(address);
        }
        foreach (string text in options.KnownNetworks)
        {
            if (!System.Net.IPNetwork.TryParse(text.Trim(), out var network))
                throw new InvalidOperationException(
                    $"{ReverseProxyOptions.Section}:KnownNetworks has '{text}', which is not a network; write it like 172.18.0.0/16");
            forwarded.KnownIPNetworks.Add(network);
        }
        return forwarded;
    }
}
