namespace Appliance.Agent.Pki;

/// <summary>A client certificate with its private key, both PEM: what a profile embeds.</summary>
/// <remarks>Holds a private key: never log it; <see cref="ToString"/> shows none.</remarks>
public sealed record IssuedClient(ClientRecord Record, string CertificatePem, string PrivateKeyPem)
{
    public override string ToString() => $"client '{Record.Name}' serial {Record.SerialNumber} (certificate and key)";
}
