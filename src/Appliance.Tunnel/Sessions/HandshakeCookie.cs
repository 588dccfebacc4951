using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Appliance.Tunnel.Sessions;

/// <summary>
/// Stateless server session ids for UDP (as OpenVPN 2.6's HMAC cookie, openvpn-protocol.md §1.3): the id we answer a
/// client's first reset with is HMAC-SHA256(process secret, time slot ‖ client address ‖ client session id), so the
/// server keeps nothing for a reset and creates a session only when the client's next packet acknowledges our reset
/// with that id — proof that the client really is at that address and received our answer.
/// </summary>
/// <remarks>
/// A slot lasts <see cref="SlotLength"/>; an id from the current or the previous slot verifies, so a client has at least
/// one slot (longer than OpenVPN's 60 s hand-window) to answer. Nothing here allocates.
/// </remarks>
internal sealed class HandshakeCookie
{
    public static readonly TimeSpan SlotLength = TimeSpan.FromSeconds(64);
    private const int MaxAddress = 128;
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;

    public HandshakeCookie(TimeProvider time) => _time = time;

    /// <summary>The session id to answer <paramref name="clientSessionId"/>'s reset from <paramref name="from"/> with.</summary>
    public ulong Issue(SocketAddress from, ulong clientSessionId) => Compute(from, clientSessionId, CurrentSlot());

    /// <summary>True when <paramref name="serverSessionId"/> is what we answered this client and address with, now or in the previous slot.</summary>
    public bool Verify(SocketAddress from, ulong clientSessionId, ulong serverSessionId)
    {
        long slot = CurrentSlot();
        // Both computed always: the time taken does not say which slot matched.
        bool current = Compute(from, clientSessionId, slot) == serverSessionId;
        bool previous = Compute(from, clientSessionId, slot - 1) == serverSessionId;
        return current | previous;
    }

    private long CurrentSlot() => _time.GetUtcNow().ToUnixTimeSeconds() / (long)SlotLength.TotalSeconds;

    private ulong Compute(SocketAddress from, ulong clientSessionId, long slot)
    {
        int addressLength = Math.Min(from.Size, MaxAddress);
        Span<byte> input = stackalloc byte[16 + MaxAddress];
        BinaryPrimitives.WriteInt64BigEndian(input, slot);
        BinaryPrimitives.WriteUInt64BigEndian(input[8..], clientSessionId);
        from.Buffer.Span[..addressLength].CopyTo(input[16..]);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, input[..(16 + addressLength)], mac);
        ulong id = BinaryPrimitives.ReadUInt64BigEndian(mac);
        // A session id is never 0 (0 means "none" in an ACK block).
        return id == 0 ? 1 : id;
    }
}
