using System.Buffers.Binary;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.Support;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>Hand-made PPPoE exchanges for the rules the captures do not show, every frame 34 bytes or more unless said.</summary>
/// <remarks>Frames are unpadded, like a TAP carries them; discovery frames carry a Host-Uniq tag so that none is short.</remarks>
internal static class SyntheticSession
{
    public const ushort SessionId = 0x2a17;
    public const ushort ServiceNameErrorTag = 0x0201;
    public const ushort AcSystemErrorTag = 0x0202;
    private const ushort HostUniqTag = 0x0103;

    private static MacAddress Client => SessionReplay.Client;
    private static MacAddress Server => SessionReplay.Server;

    /// <summary>A discovery frame with a 10-byte Host-Uniq tag (40 bytes) and any extra tags.</summary>
    public static byte[] Discovery(FrameDirection direction, PppoeDiscoveryCode code, ushort sessionId = 0, params ushort[] extraTags)
    {
        int tagBytes = 4 + 10 + extraTags.Length * 4;
        var frame = new byte[14 + 6 + tagBytes];
        var destination = direction == FrameDirection.Inbound
            ? (code == PppoeDiscoveryCode.Padi ? MacAddress.Broadcast : Server)
            : Client;
        destination.Write(frame);
        (direction == FrameDirection.Inbound ? Client : Server).Write(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherTypes.PppoeDiscovery);
        frame[14] = 0x11;
        frame[15] = PppoeDiscoveryCodes.ToWire(code);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), sessionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(18), (ushort)tagBytes);
        var tags = frame.AsSpan(20);
        BinaryPrimitives.WriteUInt16BigEndian(tags, HostUniqTag);
        BinaryPrimitives.WriteUInt16BigEndian(tags[2..], 10);
        tags = tags[14..];
        foreach (ushort tag in extraTags)
        {
            BinaryPrimitives.WriteUInt16BigEndian(tags, tag);
            BinaryPrimitives.WriteUInt16BigEndian(tags[2..], 0);
            tags = tags[4..];
        }
        return frame;
    }

    /// <summary>A PPP control packet of this session with 10 bytes of options (36 bytes) unless told otherwise.</summary>
    public static byte[] Ppp(FrameDirection direction, ushort protocol, PppControlCode code, byte identifier, int optionBytes = 10, ushort sessionId = SessionId) =>
        SessionReplay.Control(direction, protocol, code, identifier, optionBytes, sessionId);

    public static byte[] Pap(FrameDirection direction, byte code, byte identifier = 1) =>
        SessionReplay.Control(direction, PppProtocols.PapValue, (PppControlCode)code, identifier, optionBytes: 16, sessionId: SessionId);

    public static byte[] Chap(FrameDirection direction, byte code, byte identifier = 7) =>
        SessionReplay.Control(direction, PppProtocols.ChapValue, (PppControlCode)code, identifier, optionBytes: 20, sessionId: SessionId);

    public static byte[] Data(FrameDirection direction, ushort pppProtocol, int length = 98)
    {
        var frame = direction == FrameDirection.Inbound
            ? FrameBuilder.PppoeIPv4(Server, Client, length, SessionId)
            : FrameBuilder.PppoeIPv4(Client, Server, length, SessionId);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(20), pppProtocol);
        return frame;
    }

    public static IEnumerable<byte[]> Discover()
    {
        yield return Discovery(FrameDirection.Inbound, PppoeDiscoveryCode.Padi);
        yield return Discovery(FrameDirection.Outbound, PppoeDiscoveryCode.Pado);
        yield return Discovery(FrameDirection.Inbound, PppoeDiscoveryCode.Padr);
        yield return Discovery(FrameDirection.Outbound, PppoeDiscoveryCode.Pads, SessionId);
    }

    /// <summary>Both ends' Configure-Request with identifier 1, each acknowledged.</summary>
    public static IEnumerable<byte[]> Open(ushort protocol)
    {
        yield return Ppp(FrameDirection.Inbound, protocol, PppControlCode.ConfigureRequest, 1);
        yield return Ppp(FrameDirection.Outbound, protocol, PppControlCode.ConfigureRequest, 1);
        yield return Ppp(FrameDirection.Outbound, protocol, PppControlCode.ConfigureAck, 1);
        yield return Ppp(FrameDirection.Inbound, protocol, PppControlCode.ConfigureAck, 1);
    }

    /// <summary>Discovery, LCP, PAP accepted: ready for the NCPs.</summary>
    public static IEnumerable<byte[]> UpToNcps()
    {
        foreach (var frame in Discover())
            yield return frame;
        foreach (var frame in Open(PppProtocols.LcpValue))
            yield return frame;
        yield return Pap(FrameDirection.Inbound, 1);
        yield return Pap(FrameDirection.Outbound, 2);
    }
}
