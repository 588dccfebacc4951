namespace Appliance.Tunnel.Control.Wire;

/// <summary>The <c>--auth</c> digest of tls-auth; the value is the HMAC size in bytes.</summary>
public enum TlsAuthDigest : byte
{
    /// <summary>2.6's default.</summary>
    Sha1 = 20,
    Sha256 = 32,
    Sha512 = 64,
}
