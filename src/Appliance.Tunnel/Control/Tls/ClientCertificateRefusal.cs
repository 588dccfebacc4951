namespace Appliance.Tunnel.Control.Tls;

/// <summary>Why a client certificate was refused; counted and logged per reason.</summary>
/// <remarks>Append new members at the end: values are stable and appear in metrics.</remarks>
public enum ClientCertificateRefusal : byte
{
    /// <summary>The client sent no certificate.</summary>
    NoCertificate,
    /// <summary>The certificate does not chain to our CA (a foreign CA, self-signed, or a bad signature).</summary>
    UnknownCa,
    /// <summary>Past its notAfter (or its CA's) at the time of the handshake.</summary>
    Expired,
    /// <summary>Before its notBefore at the time of the handshake (clock skew or a certificate issued for later).</summary>
    NotYetValid,
    /// <summary>Listed in our current CRL.</summary>
    Revoked,
    /// <summary>No extended key usage clientAuth (1.3.6.1.5.5.7.3.2): e.g. a server certificate offered as a client's.</summary>
    MissingClientAuthEku,
    /// <summary>Chains to our CA but the chain has another fault (unsupported critical extension, invalid basic constraints, ...).</summary>
    InvalidChain,
}
