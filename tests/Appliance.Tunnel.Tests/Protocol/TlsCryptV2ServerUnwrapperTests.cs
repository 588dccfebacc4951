using System.Buffers.Binary;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;

namespace Appliance.Tunnel.Tests.Protocol;

public sealed class TlsCryptV2ServerUnwrapperTests : IDisposable
{
    private static readonly DateTimeOffset NotAfter = DateTimeOffset.FromUnixTimeSeconds(2_000_000_000);
    private readonly TlsCryptV2ServerKey _serverKey = TlsCryptV2ServerKey.Generate();
    private readonly byte[] _metadata;
    private readonly TlsCryptV2ClientKey _clientKey;
    private readonly TlsCryptV2TestClient _client;
    private readonly TlsCryptV2ServerUnwrapper _unwrapper;

    public TlsCryptV2ServerUnwrapperTests()
    {
        _metadata = TlsCryptV2Metadata.Encode([0x4A, 0x0B, 0xC0], "alice", NotAfter);
        _clientKey = TlsCryptV2ClientKey.Create(_serverKey, _metadata);
        _client = new TlsCryptV2TestClient(_clientKey);
        _unwrapper = new TlsCryptV2ServerUnwrapper(_serverKey);
    }

    [Fact]
    public void Opening_reset_unwraps_to_kc_metadata_and_the_plain_reset()
    {
        byte[] wire = _client.Opening();
        byte[] work = new byte[wire.Length];

        Assert.Equal(TlsCryptV2UnwrapResult.Ok, _unwrapper.Unwrap(wire, work, out var opening));

        Assert.Equal(_clientKey.ClientKey.ToArray(), opening.ClientKey.ToArray());
        Assert.Equal(_metadata, opening.Metadata.ToArray());
        Assert.Equal(new WrapReplayId(0x0F000001, 1_700_000_000), opening.ReplayId);
        Assert.True(opening.AnnouncesEarlyNegotiation);
        Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(opening.Plain, out var reset));
        Assert.Equal(Opcode.ControlHardResetClientV3, reset.Opcode);
        Assert.Equal(TlsCryptV2TestClient.SessionId, reset.SessionId);
        Assert.Equal(0u, reset.MessageId);
        Assert.Equal(0, reset.AckCount);
    }

    [Fact]
    public void Client_without_early_negotiation_starts_its_counter_at_one()
    {
        byte[] wire = _client.Opening(counter: 1);
        Assert.Equal(TlsCryptV2UnwrapResult.Ok, _unwrapper.Unwrap(wire, new byte[wire.Length], out var opening));
        Assert.False(opening.AnnouncesEarlyNegotiation);
    }

    [Fact]
    public void Resent_wkc_on_opcode_11_unwraps_with_its_payload()
    {
        byte[] clientHello = [0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5];
        byte[] wire = _client.Packet(Opcode.ControlWkcV1, [0], 0xAABBCCDDEEFF0011, 1, clientHello, 0x0F000002, appendWrappedKey: true);
        Assert.Equal(TlsCryptV2UnwrapResult.Ok, _unwrapper.Unwrap(wire, new byte[wire.Length], out var opening));
        Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(opening.Plain, out var packet));
        Assert.Equal(Opcode.ControlWkcV1, packet.Opcode);
        Assert.Equal(0xAABBCCDDEEFF0011ul, packet.PeerSessionId);
        Assert.Equal(clientHello, packet.Payload.ToArray());
    }

    [Fact]
    public void Session_wrapper_from_the_opening_speaks_tls_crypt_with_the_client_both_ways()
    {
        byte[] wire = _client.Opening();
        byte[] work = new byte[wire.Length];
        Assert.Equal(TlsCryptV2UnwrapResult.Ok, _unwrapper.Unwrap(wire, work, out var opening));
        using var server = opening.CreateServerWrapper();

        byte[] control = _client.Packet(Opcode.ControlV1, [0], 0x99, 1, [1, 2, 3], 0x0F000002, appendWrappedKey: false);
        byte[] plain = new byte[control.Length];
        Assert.Equal(UnwrapResult.Ok, server.Unwrap(control, plain, out int length, out var replayId));
        Assert.Equal(0x0F000002u, replayId.Counter);
        Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(plain.AsSpan(0, length), out var packet));
        Assert.Equal([1, 2, 3], packet.Payload.ToArray());

        byte[] reply = new byte[64];
        Assert.True(ControlPacket.TryWrite(reply, Opcode.ControlHardResetServerV2, 0, 0x99, [0u], TlsCryptV2TestClient.SessionId, 0, [], out int replyLength));
        byte[] replyWire = new byte[replyLength + server.Overhead];
        Assert.True(server.TryWrap(reply.AsSpan(0, replyLength), new WrapReplayId(1, 1), replyWire, out _));
        Assert.Equal(UnwrapResult.Ok, _client.Unwrap(replyWire, new byte[replyWire.Length], out int clientLength));
        Assert.Equal(replyLength, clientLength);
    }

    [Fact]
    public void Wkc_of_another_server_is_refused_as_bad_control_authentication()
    {
        using var other = TlsCryptV2ServerKey.Generate();
        using var foreignKey = TlsCryptV2ClientKey.Create(other, _metadata);
        using var foreign = new TlsCryptV2TestClient(foreignKey);
        byte[] wire = foreign.Opening();
        byte[] work = new byte[wire.Length];
        var result = _unwrapper.Unwrap(wire, work, out _);
        Assert.Equal(TlsCryptV2UnwrapResult.BadWrappedKeyTag, result);
        Assert.Equal(DropReason.BadControlAuthentication, TlsCryptV2UnwrapResults.ToDropReason(result));
        Assert.All(work, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Authentic_wkc_replayed_around_a_forged_packet_is_refused_and_leaves_no_key_behind()
    {
        byte[] wire = _client.Opening();
        wire[20] ^= 0x01; // inside the tls-crypt tag: the WKc after it is untouched and authentic
        byte[] work = new byte[wire.Length];
        var result = _unwrapper.Unwrap(wire, work, out _);
        Assert.Equal(TlsCryptV2UnwrapResult.BadPacketTag, result);
        Assert.Equal(DropReason.BadControlAuthentication, TlsCryptV2UnwrapResults.ToDropReason(result));
        Assert.All(work, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Every_truncation_of_an_opening_is_refused_without_throwing()
    {
        byte[] wire = _client.Opening();
        byte[] work = new byte[wire.Length];
        for (int length = 0; length < wire.Length; length++)
        {
            Assert.NotEqual(TlsCryptV2UnwrapResult.Ok, _unwrapper.Unwrap(wire.AsSpan(0, length), work, out _));
        }
    }

    public static TheoryData<string, TlsCryptV2UnwrapResult> Splits => new()
    {
        { "empty", TlsCryptV2UnwrapResult.Truncated },
        { "opcode_7_tls_crypt_v1_reset", TlsCryptV2UnwrapResult.NotWrappedKeyOpcode },
        { "opcode_4_control", TlsCryptV2UnwrapResult.NotWrappedKeyOpcode },
        { "only_a_header", TlsCryptV2UnwrapResult.Truncated },
        { "length_1025", TlsCryptV2UnwrapResult.WrappedKeyTooLong },
        { "length_below_a_wkc_with_kc", TlsCryptV2UnwrapResult.WrappedKeyLengthInvalid },
        { "length_beyond_the_packet", TlsCryptV2UnwrapResult.WrappedKeyLengthInvalid },
        { "length_that_eats_the_tls_crypt_header", TlsCryptV2UnwrapResult.WrappedKeyLengthInvalid },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void Opening_with_bad_framing_is_refused_with_a_reason(string name, TlsCryptV2UnwrapResult expected)
    {
        byte[] opening = _client.Opening();
        byte[] wire = name switch
        {
            "empty" => [],
            "opcode_7_tls_crypt_v1_reset" => WithFirstByte(opening, 0x38),
            "opcode_4_control" => WithFirstByte(opening, 0x20),
            "only_a_header" => opening[..50],
            "length_1025" => WithLength(opening, 1025),
            "length_below_a_wkc_with_kc" => WithLength(opening, 289),
            "length_beyond_the_packet" => WithLength(opening, (ushort)Math.Min(1024, opening.Length + 1)),
            "length_that_eats_the_tls_crypt_header" => WithLength(opening, (ushort)(opening.Length - 48)),
            _ => throw new ArgumentException(name),
        };
        Assert.Equal(expected, _unwrapper.Unwrap(wire, new byte[Math.Max(wire.Length, 1)], out _));
    }

    [Fact]
    public void Work_buffer_shorter_than_the_packet_is_a_caller_error_not_a_drop_of_the_peer()
    {
        byte[] wire = _client.Opening();
        Assert.Equal(TlsCryptV2UnwrapResult.DestinationTooSmall, _unwrapper.Unwrap(wire, new byte[wire.Length - 1], out _));
    }

    [Fact]
    public void Random_datagrams_shaped_like_openings_never_throw_and_never_pass()
    {
        var random = new Random(11);
        byte[] work = new byte[2048];
        for (int i = 0; i < 20_000; i++)
        {
            byte[] wire = new byte[random.Next(0, 1400)];
            random.NextBytes(wire);
            if (wire.Length > 0)
                wire[0] = (byte)(i % 2 == 0 ? 0x50 : 0x58);
            if (wire.Length > 400 && i % 3 == 0)
                BinaryPrimitives.WriteUInt16BigEndian(wire.AsSpan(wire.Length - 2), (ushort)random.Next(290, 400));
            Assert.NotEqual(TlsCryptV2UnwrapResult.Ok, _unwrapper.Unwrap(wire, work, out _));
        }
    }

    private static byte[] WithFirstByte(byte[] wire, byte first)
    {
        byte[] copy = wire.ToArray();
        copy[0] = first;
        return copy;
    }

    private static byte[] WithLength(byte[] wire, ushort length)
    {
        byte[] copy = wire.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(copy.Length - 2), length);
        return copy;
    }

    public void Dispose()
    {
        _unwrapper.Dispose();
        _client.Dispose();
        _clientKey.Dispose();
        _serverKey.Dispose();
    }
}

/// <summary>What an opening costs in memory: nothing of ours; only .NET's one-shot AES calls allocate (64 B per EncryptEcb, 72 B per SetKey on .NET 10).</summary>
public sealed class TlsCryptV2UnwrapAllocationTests
{
    [Fact]
    public void Unwrapping_openings_good_and_forged_allocates_only_what_dotnets_aes_calls_do()
    {
        using var serverKey = TlsCryptV2ServerKey.Generate();
        using var clientKey = TlsCryptV2ClientKey.Create(serverKey, TlsCryptV2Metadata.Encode([0x41], "alice", DateTimeOffset.UnixEpoch.AddYears(60)));
        using var client = new TlsCryptV2TestClient(clientKey);
        using var unwrapper = new TlsCryptV2ServerUnwrapper(serverKey);
        byte[] good = client.Opening();
        byte[] forgedPacket = good.ToArray();
        forgedPacket[20] ^= 1;
        byte[] forgedKey = good.ToArray();
        forgedKey[^10] ^= 1;
        byte[] work = new byte[2048];
        Assert.Equal(3, Unwrap(unwrapper, good, forgedPacket, forgedKey, work));

        long before = GC.GetAllocatedBytesForCurrentThread();
        int right = 0;
        for (int i = 0; i < 1000; i++)
            right += Unwrap(unwrapper, good, forgedPacket, forgedKey, work);
        long perRound = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;

        Assert.Equal(3000, right);
        // Per round: WKc decryption 2 ECB calls each (x3), the packet under Kc 1 ECB + 1 SetKey (x2) = 6*64 + 2*136 = 656 B.
        Assert.True(perRound <= 700, $"{perRound} bytes per round of 3 unwraps");
    }

    private static int Unwrap(TlsCryptV2ServerUnwrapper unwrapper, byte[] good, byte[] forgedPacket, byte[] forgedKey, byte[] work) =>
        (unwrapper.Unwrap(good, work, out _) == TlsCryptV2UnwrapResult.Ok ? 1 : 0)
        + (unwrapper.Unwrap(forgedPacket, work, out _) == TlsCryptV2UnwrapResult.BadPacketTag ? 1 : 0)
        + (unwrapper.Unwrap(forgedKey, work, out _) == TlsCryptV2UnwrapResult.BadWrappedKeyTag ? 1 : 0);
}
