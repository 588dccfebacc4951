using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Sessions;

/// <summary>How control packets are protected before any TLS work: tls-crypt (our profiles) or tls-auth.</summary>
public enum ControlWrapMode : byte
{
    /// <summary>tls-crypt v1: HMAC-SHA256 + AES-256-CTR with a shared static key (the profiles' default).</summary>
    TlsCrypt = 0,
    /// <summary>tls-auth: HMAC over the clear packet, <c>key-direction 0</c> on the server.</summary>
    TlsAuth,
}

/// <summary>The control-channel protection of a server: a mode and the shared static key.</summary>
public sealed record ControlWrapping(ControlWrapMode Mode, StaticKey Key, TlsAuthDigest Digest = TlsAuthDigest.Sha1)
{
    /// <summary>A new wrapper for the server role; each is owned by one thread (send or receive side).</summary>
    public IControlPacketWrapper CreateServerWrapper() => Mode switch
    {
        ControlWrapMode.TlsCrypt => new TlsCryptWrapper(Key, KeyDirection.Normal),
        ControlWrapMode.TlsAuth => new TlsAuthWrapper(Key, KeyDirection.Normal, Digest),
        _ => throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "unknown control wrap mode"),
    };

    public override string ToString() => Mode == ControlWrapMode.TlsCrypt ? "tls-crypt" : $"tls-auth ({Digest})";
}
