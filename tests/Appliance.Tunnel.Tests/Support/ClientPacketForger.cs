using System.Buffers.Binary;
using System.Security.Cryptography;
using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>Builds control packets as a client holding the profile's tls-crypt / tls-auth key would (client role:
/// <see cref="KeyDirection.Inverse"/>), for attackers who stole a profile and for the fuzz corpus.</summary>
internal sealed class ClientPacketForger : IDisposable
{
    private readonly IControlPacketWrapper _wrap;
    private uint _counter;

    public ClientPacketForger(StaticKey key, bool tlsAuth = false)
    {
        _wrap = tlsAuth ? new TlsAuthWrapper(key, KeyDirection.Inverse) : new TlsCryptWrapper(key, KeyDirection.Inverse);
    }

    /// <summary>A freshly wrapped P_CONTROL_HARD_RESET_CLIENT_V2 (key id 0, message id 0, no ACKs): a valid first reset.</summary>
    public byte[] FirstReset(ulong? sessionId = null) =>
        Control(Opcode.ControlHardResetClientV2, 0, sessionId ?? NewSessionId(), [], 0, 0, []);

    /// <summary>Any control opcode with the given reliable part, wrapped with a fresh replay id.</summary>
    public byte[] Control(Opcode opcode, int keyId, ulong sessionId, ReadOnlySpan<uint> acks, ulong peerSessionId, uint messageId, ReadOnlySpan<byte> payload)
    {
        var plain = new byte[ControlPacket.SizeOf(opcode, acks.Length, payload.Length)];
        if (!ControlPacket.TryWrite(plain, opcode, keyId, sessionId, acks, peerSessionId, messageId, payload, out int plainLength))
            throw new InvalidOperationException($"{opcode} did not fit {plain.Length} bytes");
        var wire = new byte[plainLength + _wrap.Overhead];
        var replayId = new WrapReplayId(++_counter, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        if (!_wrap.TryWrap(plain.AsSpan(0, plainLength), replayId, wire, out int written))
            throw new InvalidOperationException($"{_wrap} refused a {plainLength}-byte {opcode}");
        return wire.AsSpan(0, written).ToArray();
    }

    public static ulong NewSessionId()
    {
        ulong id;
        do
            id = BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8));
        while (id == 0);
        return id;
    }

    public void Dispose() => _wrap.Dispose();
}
