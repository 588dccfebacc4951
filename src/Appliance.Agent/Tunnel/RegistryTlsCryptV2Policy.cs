using System.Runtime.Versioning;
using Appliance.Agent.Pki;
using Appliance.Tunnel.Control.Wire;

namespace Appliance.Agent.Tunnel;

/// <summary>
/// The engine's tls-crypt-v2 seam answered from the client registry: a client whose key is authentic is still refused,
/// before any TLS, when its certificate is unknown (or the name differs), revoked, disabled or expired.
/// </summary>
/// <remarks>Reads the registry's last committed state (lock-free); no I/O, no allocation; safe on the receive thread.</remarks>
[SupportedOSPlatform("linux")]
internal sealed class RegistryTlsCryptV2Policy(ClientRegistry registry, TimeProvider time)
{
    public TlsCryptV2Verdict Check(in TlsCryptV2Metadata metadata)
    {
        if (!registry.TryGetAccess(metadata.SerialNumber, out var access) || !string.Equals(access.Name, metadata.CommonName, StringComparison.Ordinal))
            return TlsCryptV2Verdict.UnknownClient;
        if (access.Revoked)
            return TlsCryptV2Verdict.Revoked;
        if (access.Disabled)
            return TlsCryptV2Verdict.Disabled;
        DateTimeOffset now = time.GetUtcNow();
        if (now >= access.ExpiresAt || now >= metadata.NotAfter)
            return TlsCryptV2Verdict.Expired;
        return TlsCryptV2Verdict.Accepted;
    }
}
