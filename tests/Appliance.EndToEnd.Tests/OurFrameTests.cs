using System.Buffers.Binary;
using System.Diagnostics;
using Appliance.EndToEnd.Tests.Support;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Devices;
using Appliance.Tunnel.Switching;
using Xunit.Abstractions;

namespace Appliance.EndToEnd.Tests;

/// <summary>
/// The origin case's first rule against our server: every Ethernet frame from 14 bytes up to the largest the MTU allows,
/// untagged or 802.1Q-tagged, whatever its EtherType, crosses the stock 2.6 client and our tunnel unchanged in both
/// directions, and the session port and the uplink count exactly what was sent, class by class.
/// </summary>
/// <remarks>
/// <code>
///  client site                           │ server namespace
///  raw socket on tap0 (no bridge) ─ openvpn ══ underlay ══ our server ─ switch ─ appl-up0 ── br-uplink ── upw-br ═ upw0
///                                         │                                       └ raw socket              raw socket ┘
/// </code>
/// The client's TAP is left out of any bridge, so on that side only the kernel's receive path touches frames: it frees
/// 802.1Q frames shorter than 20 bytes (Devices/README.md). On the server side frames are watched twice: on appl-up0
/// itself (packet sockets see a received frame before the bridge does) and on a veth behind br-uplink, whose
/// br_netfilter hook also frees PPPoE session frames shorter than 22 (26 tagged) bytes. Frames the bridge would eat
/// are therefore sent to our uplink from a raw socket on appl-up0 (a transmit on the TAP, straight into our switch)
/// instead of through the bridge, so every frame of the sweep, 14..21-byte PPPoE included, goes through our code in
/// both directions and is compared byte for byte wherever the kernel lets it be seen.
/// </remarks>
[Trait("Category", "EndToEnd")]
public sealed class OurFrameTests(ITestOutputHelper output)
{
    private const string WireBridgePort = "upw-br";
    private const string Wire = "upw0";
    private const int Window = 48;
    /// <summary>DATA_V2 header and tag (24) + UDP (8) + IPv4 (20): what a frame grows by on the underlay.</summary>
    private const int UdpOverhead = 24 + 8 + 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("udp, underlay mtu 1500", OpenVpnTransport.Udp, 1500)]
    [InlineData("tcp, underlay mtu 1500", OpenVpnTransport.Tcp, 1500)]
    [InlineData("udp, underlay mtu 1280", OpenVpnTransport.Udp, 1280)]
    [InlineData("tcp, underlay mtu 1280", OpenVpnTransport.Tcp, 1280)]
    public async Task Every_frame_from_14_to_1518_bytes_crosses_our_tunnel_byte_exact_both_ways_and_is_counted_class_by_class(string underlay, OpenVpnTransport transport, int mtu)
    {
        var clock = Stopwatch.StartNew();
        using var pki = TestPki.Create();
        using var lab = VpnLab.Create(mtu);
        var site = lab.AddClientSite();
        AddWire(lab.Server);
        await using var server = ApplianceServer.Start(lab, pki, new ApplianceServerOptions { Transport = transport, Policy = SwitchPolicy.AllLayer2 });
        using var client = OpenVpnClient.Connect(site.Namespace, server.RenderProfile(pki.Client));
        var session = server.SessionOf(pki.Client.CommonName);
        Assert.NotNull(session?.Port);
        var sessionPort = session.Port;
        var uplinkPort = server.Uplink.Port;
        string tap = client.TapName!;

        var clientTap = site.Namespace.InvokeInside(() => RawSocketDevice.Open(tap));
        var uplinkTap = lab.Server.InvokeInside(() => RawSocketDevice.Open(ApplianceServer.UplinkTap));
        var wire = lab.Server.InvokeInside(() => RawSocketDevice.Open(Wire));
        var atClient = new FrameCollector(clientTap);
        var atUplinkTap = new FrameCollector(uplinkTap);
        var atWire = new FrameCollector(wire);
        try
        {
            var frames = Sweep(TestFrames.BehindTap, TestFrames.BehindWire);
            output.WriteLine($"{underlay}: connected after {clock.ElapsedMilliseconds} ms; {frames.Count} frames each way");

            // Client -> server: everything from the client's TAP.
            var before = Counters(sessionPort, uplinkPort);
            long clientFragments = site.Namespace.Ipv4Counter("FragCreates");
            long serverReassembled = lab.Server.Ipv4Counter("ReasmOKs");
            Send(frames, _ => clientTap, () => (int)(sessionPort.Counters.In.Snapshot().Frames - before.SessionIn.Frames));
            Assert.True(ClassCounts.Eventually(() => uplinkPort.Counters.Out.Snapshot().Frames - before.UplinkOut.Frames >= frames.Count, Patience),
                $"{underlay}: the uplink delivered {uplinkPort.Counters.Out.Snapshot().Frames - before.UplinkOut.Frames} of {frames.Count} frames; session {Describe(sessionPort)}");
            var upward = frames.Where(ReceivePathKeeps).ToList();
            var pastBridge = frames.Where(BridgeKeeps).ToList();
            // PPPoE session frames of 14..21 bytes (20..25 tagged): our path must carry them even though no bridge would.
            var shortPppoe = upward.Except(pastBridge).ToList();
            Assert.Equal(8 + 6, shortPppoe.Count);
            atUplinkTap.WaitForCount(upward.Count, Patience);
            atWire.WaitForCount(pastBridge.Count, Patience);
            Thread.Sleep(200);
            AssertSame($"{underlay}: client tap -> our tunnel -> appl-up0", upward, atUplinkTap.Frames());
            AssertSame($"{underlay}: client tap -> our tunnel -> appl-up0 -> br-uplink -> veth", pastBridge, atWire.Frames());
            var afterUp = Counters(sessionPort, uplinkPort);
            ClassCounts.AssertMatches($"{underlay}: session port In", frames, afterUp.SessionIn.Since(before.SessionIn));
            ClassCounts.AssertMatches($"{underlay}: uplink port Out", frames, afterUp.UplinkOut.Since(before.UplinkOut));
            AssertFragments(underlay, transport, mtu, "client", frames, site.Namespace.Ipv4Counter("FragCreates") - clientFragments,
                lab.Server.Ipv4Counter("ReasmOKs") - serverReassembled);

            // Server -> client: through br-uplink where the bridge lets a frame pass, else straight into appl-up0.
            var reversed = Sweep(TestFrames.BehindWire, TestFrames.BehindTap);
            long serverFragments = lab.Server.Ipv4Counter("FragCreates");
            long clientReassembled = site.Namespace.Ipv4Counter("ReasmOKs");
            var downward = reversed.Where(ReceivePathKeeps).ToList();
            int expectedBefore = 0;
            var expectedAtClient = new HashSet<byte[]>(downward, ReferenceEqualityComparer.Instance);
            Send(reversed, frame => BridgeKeeps(frame) ? wire : uplinkTap, () => atClient.Count,
                sent => expectedBefore += expectedAtClient.Contains(sent) ? 1 : 0, () => expectedBefore);
            atClient.WaitForCount(downward.Count, Patience);
            Assert.True(ClassCounts.Eventually(() => sessionPort.Counters.Out.Snapshot().Frames - afterUp.SessionOut.Frames >= reversed.Count, Patience),
                $"{underlay}: the session port delivered {sessionPort.Counters.Out.Snapshot().Frames - afterUp.SessionOut.Frames} of {reversed.Count}");
            Thread.Sleep(200);
            AssertSame($"{underlay}: br-uplink / appl-up0 -> our tunnel -> client tap", downward, atClient.Frames());
            var afterDown = Counters(sessionPort, uplinkPort);
            ClassCounts.AssertMatches($"{underlay}: uplink port In", reversed, afterDown.UplinkIn.Since(afterUp.UplinkIn));
            ClassCounts.AssertMatches($"{underlay}: session port Out", reversed, afterDown.SessionOut.Since(afterUp.SessionOut));
            AssertFragments(underlay, transport, mtu, "server", reversed, lab.Server.Ipv4Counter("FragCreates") - serverFragments,
                site.Namespace.Ipv4Counter("ReasmOKs") - clientReassembled);

            Assert.Equal(upward.Count, atUplinkTap.Count);
            Assert.Empty(atClient.Errors);
            Assert.Empty(atUplinkTap.Errors);
            Assert.Empty(atWire.Errors);
            Assert.Equal(0, session.Port.Counters.In.Snapshot().Drops(DropReason.Replay));
            output.WriteLine($"{underlay}: done after {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            clientTap.Dispose();
            uplinkTap.Dispose();
            wire.Dispose();
        }
    }

    /// <summary>Untagged 14..1514 and 802.1Q 14..1518 bytes, EtherTypes rotating (IPv4, ARP, IPv6, PPPoE discovery and
    /// session, an unknown one, an 802.3 length), every fifth frame broadcast; and below 41 bytes every EtherType at every
    /// length, so the short PPPoE frames of the origin case are all there.</summary>
    private static List<byte[]> Sweep(byte[] source, byte[] destination)
    {
        var frames = new List<byte[]>();
        var kinds = Enum.GetValues<PayloadKind>();
        foreach (var tagging in new[] { Tagging.Untagged, Tagging.Dot1Q })
        {
            int tags = (int)tagging;
            for (int length = 14; length <= 1514 + 4 * tags; length++)
            {
                var destinationOf = length % 5 == 0 ? TestFrames.Broadcast : destination;
                if (length <= 40)
                {
                    foreach (var kind in kinds)
                        frames.Add(TestFrames.Build(length, kind, tagging, source, destinationOf, seed: length * 11 + (int)kind * 3 + tags));
                }
                else
                {
                    frames.Add(TestFrames.Build(length, kinds[(length + tags) % kinds.Length], tagging, source, destinationOf, seed: length * 3 + tags));
                }
            }
        }
        return frames;
    }

    /// <summary>The Linux receive path (any interface) frees a VLAN-tagged frame with fewer than 2 bytes after the tag.</summary>
    private static bool ReceivePathKeeps(byte[] frame) => !(OuterTag(frame) && frame.Length < 20);

    /// <summary>A Linux bridge also frees PPPoE session frames without a whole PPPoE header and PPP protocol (br_netfilter).</summary>
    private static bool BridgeKeeps(byte[] frame)
    {
        if (!ReceivePathKeeps(frame))
            return false;
        int typeAt = OuterTag(frame) ? 16 : 12;
        bool pppoeSession = typeAt + 2 <= frame.Length && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(typeAt)) == 0x8864;
        return !pppoeSession || frame.Length >= typeAt + 2 + 8;
    }

    private static bool OuterTag(byte[] frame) =>
        frame.Length >= 14 && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) is 0x8100 or 0x88A8;

    private static void AddWire(NetworkNamespace server)
    {
        server.Ip("link", "add", WireBridgePort, "type", "veth", "peer", "name", Wire);
        server.Ip("link", "set", WireBridgePort, "master", VpnLab.UplinkBridge);
        foreach (var link in new[] { WireBridgePort, Wire, VpnLab.UplinkBridge })
            server.Ip("link", "set", link, "up");
    }

    /// <summary>Sends with at most <see cref="Window"/> frames in flight, so any loss is the path's, not our flood's.</summary>
    private static void Send(List<byte[]> frames, Func<byte[], IFrameDevice> via, Func<int> arrived,
        Action<byte[]>? sent = null, Func<int>? expected = null)
    {
        int start = arrived();
        for (int i = 0; i < frames.Count; i++)
        {
            int inFlight() => (expected?.Invoke() ?? i) - (arrived() - start);
            if (inFlight() >= Window && !ClassCounts.Eventually(() => inFlight() < Window, Patience))
                Assert.Fail($"frames stopped arriving after {arrived() - start} (sending {TestFrames.Describe(frames[i])})");
            var device = via(frames[i]);
            var result = device.Write(frames[i]);
            Assert.True(result == DeviceResult.Ok(frames[i].Length), $"{device.Name} write of {TestFrames.Describe(frames[i])}: {result}");
            sent?.Invoke(frames[i]);
        }
    }

    /// <summary>Over UDP every datagram larger than the underlay MTU leaves its sender as two IPv4 fragments (DF off on
    /// our socket, the 2.6 client's kernel fragments what does not fit) and is reassembled on the other side; TCP
    /// segments instead and fragments nothing.</summary>
    private void AssertFragments(string underlay, OpenVpnTransport transport, int mtu, string sender, List<byte[]> frames, long fragments, long reassembled)
    {
        int large = frames.Count(f => f.Length + UdpOverhead > mtu);
        output.WriteLine(transport == OpenVpnTransport.Udp
            ? $"{underlay}: {sender} sent {large} datagrams above {mtu} bytes: {fragments} fragments made, {reassembled} reassembled"
            : $"{underlay}: {sender} sent {large} frames that would not fit a {mtu}-byte datagram: {fragments} fragments made");
        if (transport == OpenVpnTransport.Udp)
        {
            Assert.True(fragments == 2 * large, $"{underlay}: {sender} made {fragments} fragments for {large} datagrams above the MTU");
            Assert.True(reassembled == large, $"{underlay}: {reassembled} of {large} fragmented datagrams were reassembled");
        }
        else
        {
            Assert.Equal(0, fragments);
        }
    }

    private static (DirectionSnapshot SessionIn, DirectionSnapshot SessionOut, DirectionSnapshot UplinkIn, DirectionSnapshot UplinkOut) Counters(SwitchPort session, SwitchPort uplink)
    {
        var s = session.Counters.Snapshot();
        var u = uplink.Counters.Snapshot();
        return (s.In, s.Out, u.In, u.Out);
    }

    private static string Describe(SwitchPort port)
    {
        var c = port.Counters.Snapshot();
        return $"in {c.In.Frames} (dropped {c.In.DroppedFrames}), out {c.Out.Frames} (dropped {c.Out.DroppedFrames})";
    }

    private static void AssertSame(string path, List<byte[]> sent, List<byte[]> received)
    {
        var (missing, unexpected) = FrameSets.Compare(sent, received);
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"{path}: sent {sent.Count}, received {received.Count}; missing {FrameSets.Summary(missing)}; unexpected {FrameSets.Summary(unexpected)}");
    }
}
