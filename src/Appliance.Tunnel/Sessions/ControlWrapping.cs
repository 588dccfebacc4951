using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Sessions;

/// <summary>How control packets are protected before any TLS work: tls-crypt (our profiles) or tls-auth.</summary>
public enum ControlWrapMode : byte
{
    /// <summary>tls-crypt v1: HMAC-SHA256 + AES-256-CTR with a shared static key (older profiles).</summary>
    TlsCrypt = 0,
    /// <summary>tls-auth: HMAC over the clear packet, <c>key-direction 0</c> on the server.</summary>
    TlsAuth,
    /// <summary>
    /// tls-crypt-v2: tls-crypt v1 under the client's own key Kc, learned from the wrapped key in its opening packet. The mode
    /// of a v2 session; a server accepts v2 through <see cref="ControlWrapping.TlsCryptV2"/> beside its shared-key mode.
    /// </summary>
    TlsCryptV2,
}

/// <summary>
/// The control-channel protection of a server: the shared-key mode (tls-crypt v1 or tls-auth) with its static key, and
/// optionally tls-crypt-v2 (<see cref="TlsCryptV2"/>). With both, a client opening with opcode 7 uses the shared key and one
/// opening with opcode 10 its own key from the WKc: old and new profiles connect to the same server.
/// </summary>
public sealed record ControlWrapping(ControlWrapMode Mode, StaticKey Key, TlsAuthDigest Digest = TlsAuthDigest.Sha1)
{
    /// <summary>tls-crypt-v2 server key and client policy; null when the server accepts no v2 client.</summary>
    public TlsCryptV2Settings? TlsCryptV2 { get; init; }

    /// <summary>A new shared-key wrapper for the server role; each is owned by one thread (send or receive side).</summary>
    public IControlPacketWrapper CreateServerWrapper() => Mode switch
    {
        ControlWrapMode.TlsCrypt => new TlsCryptWrapper(Key, KeyDirection.Normal),
        ControlWrapMode.TlsAuth => new TlsAuthWrapper(Key, KeyDirection.Normal, Digest),
        _ => throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "the shared-key mode is tls-crypt or tls-auth; tls-crypt-v2 wrappers come from a client's opening (TlsCryptV2Opening.CreateServerWrapper)"),
    };

    /// <summary>A server-role wrapper for a tls-crypt-v2 session under the client key <paramref name="clientKey"/> (Kc).</summary>
    public static IControlPacketWrapper CreateTlsCryptV2ServerWrapper(StaticKey clientKey) => new TlsCryptWrapper(clientKey, KeyDirection.Normal);

    public override string ToString() =>
        (Mode == ControlWrapMode.TlsAuth ? $"tls-auth ({Digest})" : "tls-crypt") + (TlsCryptV2 is null ? "" : " + tls-crypt-v2");
}
