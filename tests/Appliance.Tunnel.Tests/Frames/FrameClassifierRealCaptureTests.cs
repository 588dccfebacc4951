using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Tests.Support;

namespace Appliance.Tunnel.Tests.Frames;

/// <summary>The classifier against real PPPoE exchanges recorded between pppd and pppoe-server (Vectors/README.md),
/// frame by frame against Wireshark's dissection of the same capture.</summary>
public sealed class FrameClassifierRealCaptureTests
{
    public static TheoryData<string> Captures => new(CaptureVector.PppoeExchanges);

    [Theory]
    [MemberData(nameof(Captures))]
    public void Every_frame_is_classified_as_wireshark_dissects_it(string capture)
    {
        var vector = CaptureVector.Load(capture);
        Assert.Equal(vector.Dissections.Count, vector.Frames.Count);

        var mismatches = new List<string>();
        for (int i = 0; i < vector.Frames.Count; i++)
        {
            var frame = vector.Frames[i];
            var expected = vector.Dissections[i];
            Assert.Equal(frame.Number, expected.Number);
            var actual = FrameClassifier.Classify(frame.Data);
            void Check<T>(string field, T want, T got)
            {
                if (!EqualityComparer<T>.Default.Equals(want, got))
                    mismatches.Add($"frame {frame.Number} ({expected.ProtocolColumn}): {field} expected {want}, classifier says {got}");
            }

            Check("captured length (full snaplen)", frame.OriginalLength, frame.Data.Length);
            Check("Length", expected.Length, actual.Length);
            Check("SizeClass", ClassificationInvariants.ExpectedSizeClass(expected.Length), actual.SizeClass);
            Check("Status", FrameStatus.Complete, actual.Status);
            Check("Destination", DestinationOf(expected.Destination), actual.Destination);
            Check("SourceIsGroup", false, actual.SourceIsGroup);
            Check("VlanCount", 0, (int)actual.VlanCount);
            Check("EtherType", expected.EtherType ?? 0, actual.EtherType);
            Check("Family", ClassificationInvariants.ExpectedFamily(expected.EtherType ?? 0), actual.Family);
            Check("PPPoE version/type", ((byte?)1, (byte?)1), (expected.PppoeVersion, expected.PppoeType));
            Check("PppoeCodeValue", expected.PppoeCode ?? 0, actual.PppoeCodeValue);
            Check("PppoeCode", DiscoveryCodeOf(expected), actual.PppoeCode);
            Check("PppoeSessionId", expected.PppoeSessionId ?? 0, actual.PppoeSessionId);
            Check("PppoeLength", expected.PppoePayloadLength ?? 0, actual.PppoeLength);
            Check("PppProtocolValue", expected.PppProtocol ?? 0, actual.PppProtocolValue);
            Check("PppProtocol", PppProtocolOf(expected.PppProtocol), actual.PppProtocol);
            Check("PppCode", expected.ControlCode ?? 0, actual.PppCode);
            Check("PppIdentifier", expected.ControlIdentifier ?? 0, actual.PppIdentifier);
            Check("HasPppControl", expected.ControlCode is > 0, actual.HasPppControl);
        }
        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }

    [Fact]
    public void Pap_capture_holds_every_landmark_of_a_pppoe_session()
    {
        var landmarks = Landmarks.Of(CaptureVector.Load("pppoe-pap"));

        landmarks.AssertCommonToEveryExchange();
        Assert.Equal(1, landmarks.Control(PppProtocol.Pap, 1)); // Authenticate-Request
        Assert.Equal(1, landmarks.Control(PppProtocol.Pap, 2)); // Authenticate-Ack
        Assert.Equal(0, landmarks.Protocol(PppProtocol.Chap));
    }

    [Fact]
    public void Chap_capture_holds_every_landmark_of_a_pppoe_session_and_a_padm()
    {
        var landmarks = Landmarks.Of(CaptureVector.Load("pppoe-chap"));

        landmarks.AssertCommonToEveryExchange();
        Assert.Equal(1, landmarks.Control(PppProtocol.Chap, 1)); // Challenge
        Assert.Equal(1, landmarks.Control(PppProtocol.Chap, 2)); // Response
        Assert.Equal(1, landmarks.Control(PppProtocol.Chap, 3)); // Success
        Assert.Equal(0, landmarks.Protocol(PppProtocol.Pap));
        Assert.Equal(1, landmarks.Discovery(PppoeDiscoveryCode.Padm)); // pppoe-server -M sends one right after PADS
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Discovery_precedes_the_session_and_a_padt_for_that_session_ends_it(string capture)
    {
        var frames = CaptureVector.Load(capture).Frames.Select(f => FrameClassifier.Classify(f.Data)).ToList();

        Assert.Equal(PppoeDiscoveryCode.Padi, frames[0].PppoeCode);
        Assert.Equal(DestinationKind.Broadcast, frames[0].Destination);
        Assert.Equal(0, frames[0].PppoeSessionId);
        var pads = Assert.Single(frames, f => f.PppoeCode == PppoeDiscoveryCode.Pads);
        Assert.NotEqual(0, pads.PppoeSessionId);
        int firstSession = frames.FindIndex(f => f.Family == EtherTypeFamily.PppoeSession);
        Assert.True(frames.IndexOf(pads) < firstSession);
        Assert.All(frames.Where(f => f.Family == EtherTypeFamily.PppoeSession), f => Assert.Equal(pads.PppoeSessionId, f.PppoeSessionId));
        Assert.Equal(PppoeDiscoveryCode.Padt, frames[^1].PppoeCode);
        Assert.Equal(pads.PppoeSessionId, frames[^1].PppoeSessionId);
        Assert.Equal(DestinationKind.Unicast, frames[^1].Destination);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Ipcp_configure_ack_of_32_bytes_is_in_the_14_to_33_class(string capture)
    {
        var vector = CaptureVector.Load(capture);
        // Chosen by Wireshark's dissection, not by the classifier under test.
        var acks = vector.Frames
            .Where(f => vector.Dissections[f.Number - 1] is { PppProtocol: 0x8021, ControlCode: 2 })
            .ToList();

        Assert.Equal(2, acks.Count); // one each way
        Assert.All(acks, ack =>
        {
            // The UML guests hand frames to their TAP unpadded, as a tunnel carries them: 14 + 6 + 2 + 4 + 6.
            Assert.Equal(32, ack.Data.Length);
            var c = FrameClassifier.Classify(ack.Data);
            Assert.Equal(SizeClass.Bytes14To33, c.SizeClass);
            Assert.Equal(FrameStatus.Complete, c.Status);
            Assert.Equal(PppProtocol.Ipcp, c.PppProtocol);
            Assert.Equal((byte)PppControlCode.ConfigureAck, c.PppCode);
        });
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Ipcp_configure_ack_padded_to_the_60_byte_minimum_reads_the_same_and_cuts_back_to_32_bytes(string capture)
    {
        var vector = CaptureVector.Load(capture);
        var ack = vector.Frames.First(f => vector.Dissections[f.Number - 1] is { PppProtocol: 0x8021, ControlCode: 2 });
        var unpadded = FrameClassifier.Classify(ack.Data);

        // What a physical NIC would put on the wire: zero padding up to 60 bytes (the FCS is not carried).
        byte[] padded = SyntheticFrame.Resized(ack.Data, 60);
        var c = FrameClassifier.Classify(padded);

        Assert.Equal(SizeClass.Bytes60To63, c.SizeClass);
        Assert.Equal(unpadded with { Length = 60, SizeClass = SizeClass.Bytes60To63 }, c);
        int cut = 14 + 6 + c.PppoeLength;
        Assert.Equal(32, cut);
        Assert.Equal(ack.Data, padded[..cut]);
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void Counters_fed_a_real_capture_add_up_to_wiresharks_counts(string capture)
    {
        var vector = CaptureVector.Load(capture);
        var counters = new DirectionCounters();
        foreach (var frame in vector.Frames)
        {
            var c = FrameClassifier.Classify(frame.Data);
            counters.Record(in c);
        }
        var snapshot = counters.Snapshot();
        var d = vector.Dissections;

        Assert.Equal(d.Count, snapshot.Frames);
        Assert.Equal(d.Sum(r => (long)r.Length), snapshot.Bytes);
        Assert.Equal(0, snapshot.IncompleteFrames);
        Assert.Equal(d.Count(r => r.EtherType == 0x8863), snapshot.ByFamily(EtherTypeFamily.PppoeDiscovery));
        Assert.Equal(d.Count(r => r.EtherType == 0x8864), snapshot.ByFamily(EtherTypeFamily.PppoeSession));
        Assert.Equal(d.Count(r => r.Length is >= 14 and <= 33), snapshot.BySize(SizeClass.Bytes14To33));
        Assert.Equal(d.Count(r => r.PppProtocol == 0x0021), snapshot.ByPppProtocol(PppProtocol.IPv4));
        Assert.Equal(d.Count(r => r.PppProtocol == 0x0057), snapshot.ByPppProtocol(PppProtocol.IPv6));
        Assert.Equal(d.Count(r => r.PppProtocol == 0x8021 && r.ControlCode == 2), snapshot.ByPppControl(PppProtocol.Ipcp, PppControlCode.ConfigureAck));
        Assert.Equal(d.Count(r => r.PppProtocol == 0xC021 && r.ControlCode == 9), snapshot.ByPppControl(PppProtocol.Lcp, PppControlCode.EchoRequest));
        Assert.Equal(1, snapshot.ByPppoeCode(PppoeDiscoveryCode.Padi));
        Assert.Equal(1, snapshot.ByPppoeCode(PppoeDiscoveryCode.Padt));
    }

    private static DestinationKind DestinationOf(string mac) =>
        mac == "ff:ff:ff:ff:ff:ff" ? DestinationKind.Broadcast
        : (Convert.ToByte(mac[..2], 16) & 1) != 0 ? DestinationKind.Multicast
        : DestinationKind.Unicast;

    /// <summary>RFC 2516 §5 and RFC 4938 code values, as the test states them.</summary>
    private static PppoeDiscoveryCode DiscoveryCodeOf(TsharkDissection d) => d.EtherType != 0x8863
        ? PppoeDiscoveryCode.None
        : d.PppoeCode switch
        {
            0x09 => PppoeDiscoveryCode.Padi,
            0x07 => PppoeDiscoveryCode.Pado,
            0x19 => PppoeDiscoveryCode.Padr,
            0x65 => PppoeDiscoveryCode.Pads,
            0xA7 => PppoeDiscoveryCode.Padt,
            0xD3 => PppoeDiscoveryCode.Padm,
            _ => PppoeDiscoveryCode.Other,
        };

    private static PppProtocol PppProtocolOf(ushort? protocol) => protocol switch
    {
        null => PppProtocol.None,
        0xC021 => PppProtocol.Lcp,
        0xC023 => PppProtocol.Pap,
        0xC223 => PppProtocol.Chap,
        0x8021 => PppProtocol.Ipcp,
        0x8057 => PppProtocol.Ipv6cp,
        0x0021 => PppProtocol.IPv4,
        0x0057 => PppProtocol.IPv6,
        _ => PppProtocol.Other,
    };

    /// <summary>How often each message the classifier recognised occurs in a capture.</summary>
    private sealed class Landmarks
    {
        private readonly List<FrameClass> _frames;

        private Landmarks(List<FrameClass> frames) => _frames = frames;

        public static Landmarks Of(CaptureVector vector) =>
            new(vector.Frames.Select(f => FrameClassifier.Classify(f.Data)).ToList());

        public int Discovery(PppoeDiscoveryCode code) => _frames.Count(f => f.PppoeCode == code);
        public int Protocol(PppProtocol protocol) => _frames.Count(f => f.PppProtocol == protocol);
        public int Control(PppProtocol protocol, byte code) => _frames.Count(f => f.PppProtocol == protocol && f.PppCode == code);
        public int Control(PppProtocol protocol, PppControlCode code) => Control(protocol, (byte)code);

        public void AssertCommonToEveryExchange()
        {
            Assert.True(_frames.Count > 40, $"only {_frames.Count} frames: the recording is incomplete");
            Assert.Equal(1, Discovery(PppoeDiscoveryCode.Padi));
            Assert.Equal(1, Discovery(PppoeDiscoveryCode.Pado));
            Assert.Equal(1, Discovery(PppoeDiscoveryCode.Padr));
            Assert.Equal(1, Discovery(PppoeDiscoveryCode.Pads));
            Assert.Equal(1, Discovery(PppoeDiscoveryCode.Padt));
            Assert.Equal(0, Discovery(PppoeDiscoveryCode.Other));
            Assert.True(Control(PppProtocol.Lcp, PppControlCode.ConfigureRequest) >= 2, "LCP Configure-Request from both peers");
            Assert.True(Control(PppProtocol.Lcp, PppControlCode.ConfigureAck) >= 2, "LCP Configure-Ack from both peers");
            Assert.True(Control(PppProtocol.Lcp, PppControlCode.EchoRequest) >= 2, "LCP Echo-Request");
            Assert.True(Control(PppProtocol.Lcp, PppControlCode.EchoReply) >= 2, "LCP Echo-Reply");
            Assert.Equal(1, Control(PppProtocol.Lcp, PppControlCode.TerminateRequest));
            Assert.Equal(1, Control(PppProtocol.Lcp, PppControlCode.TerminateAck));
            Assert.True(Control(PppProtocol.Ipcp, PppControlCode.ConfigureRequest) >= 2, "IPCP Configure-Request");
            Assert.Equal(1, Control(PppProtocol.Ipcp, PppControlCode.ConfigureNak)); // the client asked for 0.0.0.0
            Assert.Equal(2, Control(PppProtocol.Ipcp, PppControlCode.ConfigureAck));
            Assert.Equal(2, Control(PppProtocol.Ipv6cp, PppControlCode.ConfigureRequest));
            Assert.Equal(2, Control(PppProtocol.Ipv6cp, PppControlCode.ConfigureAck));
            Assert.True(Protocol(PppProtocol.IPv4) >= 4, "IPv4 echo request and reply, twice");
            Assert.True(Protocol(PppProtocol.IPv6) >= 4, "IPv6 echo request and reply, twice");
            Assert.All(_frames, f => Assert.Equal(FrameStatus.Complete, f.Status));
        }
    }
}
