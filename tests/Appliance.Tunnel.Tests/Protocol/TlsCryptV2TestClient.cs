using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Tests.Protocol;

/// <summary>The client side of tls-crypt-v2, as the OpenVPN 2.6 client does it: tls-crypt under Kc (client direction), WKc appended to opcodes 10 and 11.</summary>
internal sealed class TlsCryptV2TestClient : IDisposable
{
    public const ulong SessionId = 0x1122334455667788;
    private readonly TlsCryptV2ClientKey _key;
    private readonly TlsCryptWrapper _wrapper;

    public TlsCryptV2TestClient(TlsCryptV2ClientKey key)
    {
        _key = key;
        using var kc = StaticKey.FromBytes(key.ClientKey);
        _wrapper = new TlsCryptWrapper(kc, KeyDirection.Inverse);
    }

    /// <summary>A hard reset V3 (message 0, no ACKs), replay counter <paramref name="counter"/> (a 2.6 client's first is 0x0F000001).</summary>
    public byte[] Opening(uint counter = TlsCryptV2EarlyNegotiation.ReplayCounterStart + 1) =>
        Packet(Opcode.ControlHardResetClientV3, [], 0, 0, [], counter, appendWrappedKey: true);

    public byte[] Packet(Opcode opcode, uint[] acks, ulong peerSessionId, uint messageId, byte[] payload, uint counter, bool appendWrappedKey)
    {
        byte[] plain = new byte[ControlPacket.SizeOf(opcode, acks.Length, payload.Length)];
        Assert.True(ControlPacket.TryWrite(plain, opcode, 0, SessionId, acks, peerSessionId, messageId, payload, out int plainLength));
        byte[] wire = new byte[plainLength + _wrapper.Overhead + (appendWrappedKey ? _key.WrappedKey.Length : 0)];
        Assert.True(_wrapper.TryWrap(plain.AsSpan(0, plainLength), new WrapReplayId(counter, 1_700_000_000), wire, out int written));
        if (appendWrappedKey)
            _key.WrappedKey.CopyTo(wire.AsSpan(written));
        return wire;
    }

    /// <summary>Unwraps a server packet as the client would.</summary>
    public UnwrapResult Unwrap(ReadOnlySpan<byte> wire, byte[] plain, out int length) => _wrapper.Unwrap(wire, plain, out length, out _);

    public void Dispose() => _wrapper.Dispose();
}
