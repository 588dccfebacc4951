using System.Globalization;
using System.Text;

namespace Appliance.EndToEnd.Tests.Support;

public enum OpenVpnTransport
{
    Udp,
    Tcp,
}

/// <summary>Where a client dials: what any server under test (the reference or ours) offers.</summary>
public interface IVpnServerEndpoint
{
    string Address { get; }

    int Port { get; }

    OpenVpnTransport Transport { get; }
}

/// <summary>The test's own description of a client .ovpn (the product renders its profiles elsewhere).</summary>
public sealed record ClientProfile
{
    public required string RemoteAddress { get; init; }

    public required int Port { get; init; }

    public OpenVpnTransport Transport { get; init; } = OpenVpnTransport.Udp;

    public required string CaPem { get; init; }

    public required string CertificatePem { get; init; }

    public required string PrivateKeyPem { get; init; }

    public required string TlsCryptKey { get; init; }

    /// <summary>reneg-sec; null leaves the 2.6 default (3600 s).</summary>
    public int? RenegotiateSeconds { get; init; }

    /// <summary>explicit-exit-notify 1 (UDP only: OpenVPN refuses it on TCP clients).</summary>
    public bool ExplicitExitNotify { get; init; } = true;

    /// <summary>connect-retry N MAX (seconds), so a refused client retries fast instead of after 5 s.</summary>
    public (int Seconds, int MaxSeconds)? ConnectRetry { get; init; } = (1, 2);

    /// <summary>connect-retry-max N; null retries forever.</summary>
    public int? ConnectRetryMax { get; init; }

    /// <summary>verify-x509-name NAME name: pins the server certificate's CN.</summary>
    public string? VerifyServerName { get; init; }

    public int Verbosity { get; init; } = 3;

    /// <summary>Further option lines, verbatim (e.g. "tls-exit", "hand-window 15").</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];

    public static ClientProfile For(IVpnServerEndpoint server, string caPem, IssuedCertificate client, string tlsCryptKey) => new()
    {
        RemoteAddress = server.Address,
        Port = server.Port,
        Transport = server.Transport,
        CaPem = caPem,
        CertificatePem = client.CertificatePem,
        PrivateKeyPem = client.PrivateKeyPem,
        TlsCryptKey = tlsCryptKey,
    };
}

/// <summary>Renders a <see cref="ClientProfile"/> as the single-file .ovpn of openvpn-protocol.md §7.5, certificates inline.</summary>
public static class ProfileWriter
{
    public static string Render(ClientProfile profile)
    {
        var text = new StringBuilder();
        Line(text, "client");
        Line(text, "dev tap");
        Line(text, profile.Transport == OpenVpnTransport.Udp ? "proto udp" : "proto tcp-client");
        Line(text, $"remote {profile.RemoteAddress} {Number(profile.Port)}");
        Line(text, "nobind");
        Line(text, "persist-key");
        Line(text, "remote-cert-tls server");
        if (profile.VerifyServerName is { } name)
            Line(text, $"verify-x509-name {name} name");
        if (profile.ExplicitExitNotify && profile.Transport == OpenVpnTransport.Udp)
            Line(text, "explicit-exit-notify 1");
        if (profile.RenegotiateSeconds is int reneg)
            Line(text, $"reneg-sec {Number(reneg)}");
        if (profile.ConnectRetry is var (seconds, max))
            Line(text, $"connect-retry {Number(seconds)} {Number(max)}");
        if (profile.ConnectRetryMax is int tries)
            Line(text, $"connect-retry-max {Number(tries)}");
        Line(text, $"verb {Number(profile.Verbosity)}");
        foreach (var option in profile.ExtraOptions)
            Line(text, option);
        Inline(text, "ca", profile.CaPem);
        Inline(text, "cert", profile.CertificatePem);
        Inline(text, "key", profile.PrivateKeyPem);
        Inline(text, "tls-crypt", profile.TlsCryptKey);
        return text.ToString();
    }

    internal static void Inline(StringBuilder text, string tag, string pem)
    {
        text.Append('<').Append(tag).Append(">\n").Append(pem.TrimEnd('\n')).Append("\n</").Append(tag).Append(">\n");
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
