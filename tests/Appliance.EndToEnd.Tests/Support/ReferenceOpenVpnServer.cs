using System.Globalization;
using System.Text;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>How to run the reference server; the address, port and transport are what clients dial.</summary>
public sealed record ReferenceServerOptions
{
    public string Address { get; init; } = VpnLab.ServerAddress;

    public int Port { get; init; } = 1194;

    public OpenVpnTransport Transport { get; init; } = OpenVpnTransport.Udp;

    /// <summary>The bridge in the server namespace the server's TAP joins (the uplink segment).</summary>
    public string Bridge { get; init; } = VpnLab.UplinkBridge;

    /// <summary>The certificate the server presents; null for <see cref="TestPki.Server"/>.</summary>
    public IssuedCertificate? Certificate { get; init; }

    /// <summary>Further option lines, verbatim (e.g. "fragment 1300", "verb 4").</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];
}

/// <summary>
/// The real OpenVPN 2.6 server in L2 mode (`mode server`, `dev tap`, tls-crypt, `crl-verify`), its TAP on a bridge:
/// the stand-in for our server in these tests, and the baseline it is measured against.
/// </summary>
public sealed class ReferenceOpenVpnServer : IVpnServerEndpoint, IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly OpenVpnProcess _openvpn;
    private readonly string _crlPath;

    private ReferenceOpenVpnServer(OpenVpnProcess openvpn, string crlPath, ReferenceServerOptions options)
    {
        _openvpn = openvpn;
        _crlPath = crlPath;
        Address = options.Address;
        Port = options.Port;
        Transport = options.Transport;
        Bridge = options.Bridge;
    }

    public string Address { get; }

    public int Port { get; }

    public OpenVpnTransport Transport { get; }

    public string Bridge { get; }

    public string? TapName => _openvpn.TapName;

    public string Log => _openvpn.Log;

    public int Pid => _openvpn.Pid;

    /// <summary>Starts the server and waits until it listens ("Initialization Sequence Completed" on a server).</summary>
    public static ReferenceOpenVpnServer Start(NetworkNamespace ns, TestPki pki, ReferenceServerOptions? options = null)
    {
        options ??= new ReferenceServerOptions();
        // The CRL sits in a file of its own so a test can revoke later: 2.6 re-reads it when it changes.
        string crlPath = Path.Combine(Path.GetTempPath(), $"appl-crl-{Guid.NewGuid():N}.pem");
        ScratchFiles.WritePrivate(crlPath, pki.Ca.CrlPem());
        OpenVpnProcess? openvpn = null;
        try
        {
            openvpn = new OpenVpnProcess(ns, Render(options, pki, crlPath), options.Bridge);
            openvpn.Start();
            openvpn.ExpectLog("Initialization Sequence Completed", StartTimeout);
            return new ReferenceOpenVpnServer(openvpn, crlPath, options);
        }
        catch
        {
            openvpn?.Dispose();
            File.Delete(crlPath);
            throw;
        }
    }

    public bool WaitForLog(string text, TimeSpan timeout, int occurrences = 1) => _openvpn.WaitForLog(text, timeout, occurrences);

    /// <summary>Replaces the CRL file (e.g. after <see cref="TestCertificateAuthority.Revoke"/>); checked on the next TLS handshake.</summary>
    public void UpdateCrl(string crlPem) => File.WriteAllText(_crlPath, crlPem);

    public void Dispose()
    {
        try
        {
            _openvpn.Dispose();
        }
        finally
        {
            File.Delete(_crlPath);
        }
    }

    private static string Render(ReferenceServerOptions options, TestPki pki, string crlPath)
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');
        Line("mode server");
        Line("tls-server");
        Line("dev tap");
        Line(options.Transport == OpenVpnTransport.Udp ? "proto udp4" : "proto tcp4-server");
        Line($"local {options.Address}");
        Line($"port {options.Port.ToString(CultureInfo.InvariantCulture)}");
        Line("dh none");
        Line("keepalive 10 60");
        Line($"crl-verify {crlPath}");
        Line("verb 3");
        foreach (var option in options.ExtraOptions)
            Line(option);
        ProfileWriter.Inline(text, "ca", pki.Ca.CertificatePem);
        var certificate = options.Certificate ?? pki.Server;
        ProfileWriter.Inline(text, "cert", certificate.CertificatePem);
        ProfileWriter.Inline(text, "key", certificate.PrivateKeyPem);
        ProfileWriter.Inline(text, "tls-crypt", pki.TlsCryptKey);
        return text.ToString();
    }
}
