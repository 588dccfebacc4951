namespace Appliance.Agent.Pki;

/// <summary>A client certificate with its private key and its own tls-crypt-v2 key, all PEM: what a profile embeds.</summary>
/// <remarks>Holds private keys: never log it; <see cref="ToString"/> shows none.</remarks>
/// <param name="TlsCryptV2KeyPem">The client's tls-crypt-v2 key file (<c>OpenVPN tls-crypt-v2 client key</c>), wrapped under the appliance's server key with the serial, name and not-after.</param>
public sealed record IssuedClient(ClientRecord Record, string CertificatePem, string PrivateKeyPem, string TlsCryptV2KeyPem)
{
    public override string ToString() => $"client '{Record.Name}' serial {Record.SerialNumber} (certificate and keys)";
}
