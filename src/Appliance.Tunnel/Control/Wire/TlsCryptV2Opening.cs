namespace Appliance.Tunnel.Control.Wire;

/// <summary>
/// An authentic tls-crypt-v2 opening packet, as <see cref="TlsCryptV2ServerUnwrapper.Unwrap"/> left it in the caller's work
/// buffer: the client's key Kc, its metadata, the plain packet and its replay id. Valid while that buffer is untouched.
/// </summary>
/// <remarks>Holds key material (Kc): zero the work buffer when done with it; never log it.</remarks>
public readonly ref struct TlsCryptV2Opening
{
    internal TlsCryptV2Opening(ReadOnlySpan<byte> clientKey, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> plain, WrapReplayId replayId)
    {
        ClientKey = clientKey;
        Metadata = metadata;
        Plain = plain;
        ReplayId = replayId;
    }

    /// <summary>Kc, 256 bytes: the client's own tls-crypt key for the rest of the session.</summary>
    public ReadOnlySpan<byte> ClientKey { get; }

    /// <summary>The metadata sealed in the WKc, type byte first.</summary>
    public ReadOnlySpan<byte> Metadata { get; }

    /// <summary>The plain packet, <c>op ‖ session id ‖ reliable part</c>, for <see cref="ControlPacket.TryParse"/>.</summary>
    public ReadOnlySpan<byte> Plain { get; }

    /// <summary>The packet's wrap replay id, for the caller's replay check.</summary>
    public WrapReplayId ReplayId { get; }

    /// <summary>The client starts its replay counter at 0x0F000000: it can resend its WKc (opcode 11) when asked.</summary>
    public bool AnnouncesEarlyNegotiation => TlsCryptV2EarlyNegotiation.IsAnnounced(ReplayId);

    /// <summary>Reads the metadata and asks <paramref name="policy"/>; metadata not in our format is <see cref="TlsCryptV2Verdict.UnreadableMetadata"/>.</summary>
    public TlsCryptV2Verdict Admit(TlsCryptV2ClientPolicy policy, out TlsCryptV2Metadata metadata, out TlsCryptV2MetadataParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(policy);
        parse = TlsCryptV2Metadata.TryParse(Metadata, out metadata);
        return parse == TlsCryptV2MetadataParseResult.Ok ? policy(in metadata) : TlsCryptV2Verdict.UnreadableMetadata;
    }

    /// <summary>A copy of Kc as a static key, owned by the caller (dispose it once the session's wrappers are made).</summary>
    public StaticKey CopyClientKey() => StaticKey.FromBytes(ClientKey);

    /// <summary>A server-role tls-crypt wrapper under Kc for this client's session: exactly tls-crypt v1 with Kc as the key file.</summary>
    public IControlPacketWrapper CreateServerWrapper()
    {
        using var key = CopyClientKey();
        return new TlsCryptWrapper(key, KeyDirection.Normal);
    }
}
