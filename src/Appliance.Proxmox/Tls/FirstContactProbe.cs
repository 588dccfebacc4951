using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Proxmox.Tls;

/// <summary>The certificate a node presented on first contact, for the operator to compare with the PVE GUI.</summary>
/// <param name="Fingerprint">SHA-256 fingerprint, <c>AB:CD:…</c>.</param>
/// <param name="Subject">Certificate subject.</param>
/// <param name="Issuer">Certificate issuer (the cluster CA for PVE's own certificates).</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="PolicyErrors">What ordinary validation would have said (name mismatch and untrusted root are normal for PVE).</param>
public sealed record PresentedCertificate(string Fingerprint, string Subject, string Issuer, DateTimeOffset NotAfter, SslPolicyErrors PolicyErrors);

/// <summary>
/// Completes one TLS handshake with a node without trusting it, sends nothing (no token), and returns the presented
/// certificate so the operator can confirm its fingerprint before it is pinned.
/// </summary>
public static class FirstContactProbe
{
    /// <summary>
    /// Reads the certificate presented at <paramref name="baseUrl"/>; throws <see cref="TimeoutException"/> when TCP and TLS
    /// are not done within <paramref name="timeout"/> (10 s when null): a node that accepts and stalls.
    /// </summary>
    public static async Task<PresentedCertificate> ProbeAsync(Uri baseUrl, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            return await ProbeUntilAsync(baseUrl, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{baseUrl.Authority} did not complete a TLS handshake within {limit.TotalSeconds:0} s", e);
        }
    }

    private static async Task<PresentedCertificate> ProbeUntilAsync(Uri baseUrl, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseUrl.Host, baseUrl.Port, cancellationToken).ConfigureAwait(false);
        X509Certificate2? presented = null;
        var policyErrors = SslPolicyErrors.None;
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = baseUrl.IdnHost,
            // Deliberately accepts any certificate: nothing is sent over this connection, and the result is shown to a human.
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is not null)
                    presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                policyErrors = errors;
                return certificate is not null;
            },
        };
        await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
        if (presented is null)
            throw new InvalidOperationException($"{baseUrl.Authority} completed TLS without presenting a certificate; check that the address is a Proxmox VE node (port 8006)");
        using (presented)
            return new PresentedCertificate(CertificateFingerprint.Of(presented), presented.Subject, presented.Issuer, presented.NotAfter, policyErrors);
    }
}
