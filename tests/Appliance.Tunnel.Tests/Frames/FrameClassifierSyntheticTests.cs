using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Tests.Support;
using static Appliance.Tunnel.Tests.Support.SyntheticFrame;

namespace Appliance.Tunnel.Tests.Frames;

/// <summary>Hand-built frames for what the recorded exchanges do not hold: VLAN tags, PADM, broken headers, runts.</summary>
public sealed class FrameClassifierSyntheticTests
{
    private const ushort Dot1Q = 0x8100;
    private const ushort Dot1ad = 0x88A8;
    private const ushort LegacyQinQ = 0x9100;

    [Fact]
    public void Pppoe_session_frame_under_one_8021q_tag_reads_the_vlan_id_and_the_ppp_code()
    {
        var c = FrameClassifier.Classify(IpcpConfigureAck(new Tag(Dot1Q, 7, Priority: 5)));

        Assert.Equal(FrameStatus.Complete, c.Status);
        Assert.Equal(36, c.Length);
        Assert.Equal(SizeClass.Bytes34To59, c.SizeClass);
        Assert.Equal(1, c.VlanCount);
        Assert.Equal(7, c.OuterVlanId);
        Assert.Equal(0, c.InnerVlanId);
        Assert.Equal(18, c.PayloadOffset);
        Assert.Equal(EtherTypeFamily.PppoeSession, c.Family);
        Assert.Equal(PppProtocol.Ipcp, c.PppProtocol);
        Assert.Equal((byte)PppControlCode.ConfigureAck, c.PppCode);
        Assert.Equal(2, c.PppIdentifier);
    }

    [Fact]
    public void Padi_under_8021ad_and_8021q_tags_reads_both_vlan_ids()
    {
        var c = FrameClassifier.Classify(Padi(new Tag(Dot1ad, 100), new Tag(Dot1Q, 4094)));

        Assert.Equal(FrameStatus.Complete, c.Status);
        Assert.Equal(2, c.VlanCount);
        Assert.Equal(100, c.OuterVlanId);
        Assert.Equal(4094, c.InnerVlanId);
        Assert.Equal(22, c.PayloadOffset);
        Assert.Equal(EtherTypes.PppoeDiscovery, c.EtherType);
        Assert.Equal(PppoeDiscoveryCode.Padi, c.PppoeCode);
        Assert.Equal(DestinationKind.Broadcast, c.Destination);
    }

    [Fact]
    public void Legacy_9100_outer_tag_counts_as_a_vlan_tag()
    {
        var c = FrameClassifier.Classify(IpcpConfigureAck(new Tag(LegacyQinQ, 10), new Tag(Dot1Q, 20)));

        Assert.Equal(FrameStatus.Complete, c.Status);
        Assert.Equal((2, 10, 20), (c.VlanCount, c.OuterVlanId, c.InnerVlanId));
        Assert.Equal(PppProtocol.Ipcp, c.PppProtocol);
    }

    [Fact]
    public void Vlan_id_ignores_priority_and_dei_bits()
    {
        byte[] frame = Padi(new Tag(Dot1Q, 0x0ABC, Priority: 7));
        frame[14] |= 0x10; // DEI

        Assert.Equal(0x0ABC, FrameClassifier.Classify(frame).OuterVlanId);
    }

    [Fact]
    public void Three_stacked_tags_are_all_skipped_and_the_first_two_ids_kept()
    {
        var c = FrameClassifier.Classify(Padi(new Tag(Dot1ad, 1), new Tag(Dot1Q, 2), new Tag(Dot1Q, 3)));

        Assert.Equal(FrameStatus.Complete, c.Status);
        Assert.Equal((3, 1, 2), (c.VlanCount, c.OuterVlanId, c.InnerVlanId));
        Assert.Equal(PppoeDiscoveryCode.Padi, c.PppoeCode);
    }

    public static TheoryData<string, int, int> CutsInsideVlanTags => new()
    {
        { "cut after the outer TPID", 14, 0 },
        { "cut inside the outer TCI", 15, 0 },
        { "cut before the EtherType after one tag", 17, 0 },
        { "cut after the inner TPID", 18 + 2, 1 },
        { "cut before the EtherType after two tags", 18 + 3, 1 },
    };

    [Theory]
    [MemberData(nameof(CutsInsideVlanTags))]
    public void Frame_ending_inside_a_vlan_tag_is_truncated_and_keeps_the_tags_it_read(string row, int length, int wholeTags)
    {
        byte[] frame = Resized(Padi(new Tag(Dot1ad, 100), new Tag(Dot1Q, 200)), length);

        var c = FrameClassifier.Classify(frame);

        Assert.True(c.Status == FrameStatus.TruncatedVlanTag, row);
        Assert.Equal(EtherTypeFamily.Truncated, c.Family);
        Assert.Equal(0, c.EtherType);
        Assert.Equal(wholeTags, c.VlanCount);
        Assert.Equal(wholeTags > 0 ? 100 : 0, c.OuterVlanId);
        Assert.Equal(PppoeDiscoveryCode.None, c.PppoeCode);
    }

    public static TheoryData<string, byte, PppoeDiscoveryCode> DiscoveryCodes => new()
    {
        { "PADI", 0x09, PppoeDiscoveryCode.Padi },
        { "PADO", 0x07, PppoeDiscoveryCode.Pado },
        { "PADR", 0x19, PppoeDiscoveryCode.Padr },
        { "PADS", 0x65, PppoeDiscoveryCode.Pads },
        { "PADT", 0xA7, PppoeDiscoveryCode.Padt },
        { "PADM (RFC 4938)", 0xD3, PppoeDiscoveryCode.Padm },
        { "code 0 in discovery", 0x00, PppoeDiscoveryCode.Other },
        { "undefined code", 0x42, PppoeDiscoveryCode.Other },
    };

    [Theory]
    [MemberData(nameof(DiscoveryCodes))]
    public void Discovery_code_is_named_and_its_raw_value_kept(string row, byte wire, PppoeDiscoveryCode expected)
    {
        var c = FrameClassifier.Classify(Ethernet(Client, 0x8863, Pppoe(wire, 0x1234, [0x01, 0x01, 0x00, 0x00])));

        Assert.True(c.Status == FrameStatus.Complete, row);
        Assert.Equal(expected, c.PppoeCode);
        Assert.Equal(wire, c.PppoeCodeValue);
        Assert.Equal(0x1234, c.PppoeSessionId);
        Assert.Equal(PppProtocol.None, c.PppProtocol);
    }

    [Fact]
    public void Padm_with_a_motm_tag_is_a_complete_discovery_frame()
    {
        // RFC 4938 §5.3: MOTM tag 0x0113 carrying a message to the user.
        byte[] motm = [0x01, 0x13, 0x00, 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o'];
        var c = FrameClassifier.Classify(Ethernet(Client, 0x8863, Pppoe(0xD3, 0x0001, motm)));

        Assert.Equal(FrameStatus.Complete, c.Status);
        Assert.Equal(PppoeDiscoveryCode.Padm, c.PppoeCode);
        Assert.Equal(9, c.PppoeLength);
    }

    public static TheoryData<string, ushort, byte, byte> BadPppoeHeaders => new()
    {
        { "discovery version 2", 0x8863, 0x21, 0x09 },
        { "discovery type 2", 0x8863, 0x12, 0x09 },
        { "session version 0 type 0", 0x8864, 0x00, 0x00 },
        { "session frame with a non-zero code", 0x8864, 0x11, 0x09 },
    };

    [Theory]
    [MemberData(nameof(BadPppoeHeaders))]
    public void Pppoe_header_with_a_bad_version_type_or_code_is_reported_and_nothing_past_it_is_read(string row, ushort etherType, byte versionType, byte code)
    {
        byte[] payload = etherType == 0x8864 ? Ppp(0xC021, SyntheticFrame.Control(1, 1, [])) : [0x01, 0x01, 0x00, 0x00];
        var c = FrameClassifier.Classify(Ethernet(Concentrator, etherType, Pppoe(code, 1, payload, versionType: versionType)));

        Assert.True(c.Status == FrameStatus.BadPppoeHeader, row);
        Assert.Equal(code, c.PppoeCodeValue);
        Assert.Equal(PppProtocol.None, c.PppProtocol);
        Assert.False(c.HasPppControl);
    }

    [Fact]
    public void Pppoe_length_larger_than_the_frame_is_reported_and_the_ppp_header_is_not_read()
    {
        byte[] ppp = Ppp(0x8021, SyntheticFrame.Control(2, 2, [0x03, 0x06, 10, 67, 0, 1]));
        var c = FrameClassifier.Classify(Ethernet(Concentrator, 0x8864, Pppoe(0, 1, ppp, lengthField: (ushort)(ppp.Length + 1))));

        Assert.Equal(FrameStatus.PppoeLengthExceedsFrame, c.Status);
        Assert.Equal(ppp.Length + 1, c.PppoeLength);
        Assert.Equal(PppProtocol.None, c.PppProtocol);
        Assert.False(c.HasPppControl);
    }

    [Fact]
    public void Bytes_past_the_pppoe_length_are_padding_and_do_not_change_the_classification()
    {
        byte[] frame = IpcpConfigureAck();
        var unpadded = FrameClassifier.Classify(frame);

        var padded = FrameClassifier.Classify(Resized(frame, 64));

        Assert.Equal(unpadded with { Length = 64, SizeClass = SizeClass.Bytes64To127 }, padded);
    }

    [Fact]
    public void Pppoe_length_shorter_than_the_ppp_protocol_field_is_a_truncated_protocol_even_with_padding()
    {
        // The protocol bytes are in the frame, but past the PPPoE length: they are padding, not a protocol.
        byte[] frame = Resized(Ethernet(Concentrator, 0x8864, Pppoe(0, 1, Ppp(0xC021, []), lengthField: 1)), 60);

        var c = FrameClassifier.Classify(frame);

        Assert.Equal(FrameStatus.TruncatedPppProtocol, c.Status);
        Assert.Equal(PppProtocol.None, c.PppProtocol);
    }

    [Fact]
    public void Control_header_cut_by_the_pppoe_length_reports_the_protocol_but_no_code()
    {
        byte[] frame = Resized(Ethernet(Concentrator, 0x8864, Pppoe(0, 1, Ppp(0xC021, SyntheticFrame.Control(9, 1, [1, 2, 3, 4])), lengthField: 5)), 60);

        var c = FrameClassifier.Classify(frame);

        Assert.Equal(FrameStatus.TruncatedPppControlHeader, c.Status);
        Assert.Equal(PppProtocol.Lcp, c.PppProtocol);
        Assert.False(c.HasPppControl);
        Assert.Equal(0, c.PppIdentifier);
    }

    public static TheoryData<string, ushort> InconsistentControlLengths => new()
    {
        { "control length 0", 0 },
        { "control length 3, below its own header", 3 },
        { "control length one past the PPPoE payload", 4 + 6 + 1 },
        { "control length 0xFFFF", 0xFFFF },
    };

    [Theory]
    [MemberData(nameof(InconsistentControlLengths))]
    public void Control_length_that_contradicts_the_pppoe_payload_is_reported_with_the_code_it_read(string row, ushort controlLength)
    {
        byte[] frame = Ethernet(Client, 0x8864, Pppoe(0, 1, Ppp(0x8021, SyntheticFrame.Control(1, 9, [0x03, 0x06, 0, 0, 0, 0], controlLength))));

        var c = FrameClassifier.Classify(frame);

        Assert.True(c.Status == FrameStatus.PppControlLengthInconsistent, row);
        Assert.Equal(PppProtocol.Ipcp, c.PppProtocol);
        Assert.Equal(1, c.PppCode);
        Assert.Equal(9, c.PppIdentifier);
    }

    [Fact]
    public void Ppp_data_protocols_are_complete_without_a_control_header()
    {
        var c = FrameClassifier.Classify(Ethernet(Client, 0x8864, Pppoe(0, 1, Ppp(0x0021, []))));

        Assert.Equal(FrameStatus.Complete, c.Status);
        Assert.Equal(PppProtocol.IPv4, c.PppProtocol);
        Assert.False(c.HasPppControl);
    }

    [Fact]
    public void Unknown_ppp_protocol_is_other_and_keeps_its_value()
    {
        var c = FrameClassifier.Classify(Ethernet(Client, 0x8864, Pppoe(0, 1, Ppp(0x80FD, SyntheticFrame.Control(1, 1, [])))));

        Assert.Equal(FrameStatus.Complete, c.Status);
        Assert.Equal(PppProtocol.Other, c.PppProtocol);
        Assert.Equal(0x80FD, c.PppProtocolValue);
        Assert.False(c.HasPppControl); // CCP has a control header, but the classifier does not read unknown protocols
    }

    [Fact]
    public void Pppoe_ethertype_with_a_header_cut_short_is_a_truncated_pppoe_header()
    {
        byte[] frame = Resized(Padi(), 14 + 5);

        var c = FrameClassifier.Classify(frame);

        Assert.Equal(FrameStatus.TruncatedPppoeHeader, c.Status);
        Assert.Equal(EtherTypeFamily.PppoeDiscovery, c.Family);
        Assert.Equal(0, c.PppoeCodeValue);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void Runt_frame_shorter_than_an_ethernet_header_is_a_runt_with_what_could_be_read(int length)
    {
        byte[] frame = Resized(Padi(), length);

        var c = FrameClassifier.Classify(frame);

        Assert.Equal(FrameStatus.Runt, c.Status);
        Assert.Equal(SizeClass.Runt, c.SizeClass);
        Assert.Equal(EtherTypeFamily.Truncated, c.Family);
        Assert.Equal(length, c.Length);
        Assert.Equal(length >= 6 ? DestinationKind.Broadcast : DestinationKind.Unknown, c.Destination);
        Assert.Equal(0, c.EtherType);
    }

    [Fact]
    public void Frame_of_14_bytes_is_a_complete_header_with_an_empty_payload()
    {
        var c = FrameClassifier.Classify(Ethernet(Broadcast, 0x0800, []));

        Assert.Equal(FrameStatus.Complete, c.Status);
        Assert.Equal(SizeClass.Bytes14To33, c.SizeClass);
        Assert.Equal(EtherTypeFamily.IPv4, c.Family);
        Assert.Equal(14, c.PayloadOffset);
    }

    public static TheoryData<string, byte[], DestinationKind> Destinations => new()
    {
        { "broadcast", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], DestinationKind.Broadcast },
        { "IPv4 multicast", [0x01, 0x00, 0x5E, 0x00, 0x00, 0x01], DestinationKind.Multicast },
        { "IPv6 multicast", [0x33, 0x33, 0x00, 0x00, 0x00, 0x01], DestinationKind.Multicast },
        { "spanning tree", [0x01, 0x80, 0xC2, 0x00, 0x00, 0x00], DestinationKind.Multicast },
        { "all ones but the last byte", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE], DestinationKind.Multicast },
        { "locally administered unicast", [0x02, 0x00, 0x5E, 0x10, 0x00, 0x01], DestinationKind.Unicast },
        { "globally unique unicast", [0x00, 0x1B, 0x21, 0x3A, 0x4B, 0x5C], DestinationKind.Unicast },
    };

    [Theory]
    [MemberData(nameof(Destinations))]
    public void Destination_is_broadcast_multicast_or_unicast_by_its_group_bit(string row, byte[] destination, DestinationKind expected)
    {
        var c = FrameClassifier.Classify(Ethernet(destination, 0x0800, new byte[20]));

        Assert.True(expected == c.Destination, row);
        Assert.False(c.SourceIsGroup);
    }

    [Fact]
    public void Group_source_address_is_flagged()
    {
        byte[] frame = IpcpConfigureAck();
        frame[6] |= 0x01;

        Assert.True(FrameClassifier.Classify(frame).SourceIsGroup);
    }

    public static TheoryData<string, ushort, EtherTypeFamily> Families => new()
    {
        { "IPv4", 0x0800, EtherTypeFamily.IPv4 },
        { "ARP", 0x0806, EtherTypeFamily.Arp },
        { "IPv6", 0x86DD, EtherTypeFamily.IPv6 },
        { "LLDP", 0x88CC, EtherTypeFamily.Lldp },
        { "802.3 length 38 (spanning tree)", 0x0026, EtherTypeFamily.Ieee8023Length },
        { "802.3 largest length 0x05FF", 0x05FF, EtherTypeFamily.Ieee8023Length },
        { "first EtherType 0x0600", 0x0600, EtherTypeFamily.Other },
        { "MPLS", 0x8847, EtherTypeFamily.Other },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void Ethertype_family_is_read_after_any_tags(string row, ushort etherType, EtherTypeFamily expected)
    {
        Assert.True(expected == FrameClassifier.Classify(Ethernet(Client, etherType, new byte[46])).Family, row);
        Assert.True(expected == FrameClassifier.Classify(Ethernet(Client, etherType, new byte[42], new Tag(Dot1Q, 5))).Family, row);
    }

    public static TheoryData<string, int, SizeClass> SizeBoundaries => new()
    {
        { "13, one short of a header", 13, SizeClass.Runt },
        { "14, a bare header", 14, SizeClass.Bytes14To33 },
        { "32, the origin case's IPCP Configure-Ack", 32, SizeClass.Bytes14To33 },
        { "33, the largest frame the broken driver ate", 33, SizeClass.Bytes14To33 },
        { "34, Ethernet + IPv4 header", 34, SizeClass.Bytes34To59 },
        { "59", 59, SizeClass.Bytes34To59 },
        { "60, padded minimum", 60, SizeClass.Bytes60To63 },
        { "63", 63, SizeClass.Bytes60To63 },
        { "64", 64, SizeClass.Bytes64To127 },
        { "1514, full untagged frame", 1514, SizeClass.Bytes1024To1514 },
        { "1515", 1515, SizeClass.Bytes1515To1518 },
        { "1518, full frame with one tag", 1518, SizeClass.Bytes1515To1518 },
        { "1519", 1519, SizeClass.Bytes1519AndMore },
    };

    [Theory]
    [MemberData(nameof(SizeBoundaries))]
    public void Size_class_boundaries_separate_the_frames_that_matter(string row, int length, SizeClass expected)
    {
        Assert.True(expected == FrameClassifier.Classify(new byte[length]).SizeClass, row);
    }

    [Fact]
    public void Jumbo_frame_of_nothing_but_vlan_tags_does_not_throw_and_saturates_the_tag_count()
    {
        // 300 stacked tags, then an EtherType: no one sends this, but a parser must survive it.
        var tags = Enumerable.Range(0, 300).Select(i => new Tag(Dot1Q, (ushort)i)).ToArray();
        byte[] frame = Ethernet(Client, 0x0800, new byte[20], tags);

        var c = FrameClassifier.Classify(frame);

        Assert.Equal(FrameStatus.Complete, c.Status);
        Assert.Equal(byte.MaxValue, c.VlanCount);
        Assert.Equal((0, 1), (c.OuterVlanId, c.InnerVlanId));
        Assert.Equal(EtherTypeFamily.IPv4, c.Family);
        Assert.Equal(14 + 4 * 300, c.PayloadOffset);
    }
}
