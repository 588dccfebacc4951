namespace Appliance.Tunnel.Control.Tls;

/// <summary>The verdict on one client certificate.</summary>
/// <param name="Refusal">Null when accepted.</param>
/// <param name="CommonName">The subject CN, when a certificate was presented (also for refused ones, for the log).</param>
/// <param name="SerialNumber">Hex serial number, when a certificate was presented.</param>
/// <param name="Detail">A sentence naming the problem, for the operator; never secret.</param>
public readonly record struct ClientCertificateCheck(ClientCertificateRefusal? Refusal, string? CommonName, string? SerialNumber, string? Detail)
{
    public bool IsAccepted => Refusal is null;
}
