using System.Buffers.Binary;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>What follows the MAC addresses (and tags) of a test frame.</summary>
public enum PayloadKind
{
    IPv4,
    Arp,
    IPv6,
    PppoeDiscovery,
    PppoeSession,
    /// <summary>0x88B5, IEEE local experimental: an EtherType nobody handles.</summary>
    Unknown,
    /// <summary>IEEE 802.3 length field followed by an LLC header.</summary>
    Ieee8023Length,
}

/// <summary>How a test frame is tagged.</summary>
public enum Tagging
{
    Untagged,
    /// <summary>One IEEE 802.1Q tag (TPID 0x8100).</summary>
    Dot1Q,
    /// <summary>IEEE 802.1ad outer tag (0x88A8) over an 802.1Q inner tag.</summary>
    QinQ,
}

/// <summary>Builds deterministic Ethernet test frames of exact lengths, tags and EtherTypes.</summary>
public static class TestFrames
{
    public static readonly byte[] BehindTap = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x0A];
    public static readonly byte[] BehindWire = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x0B];
    public static readonly byte[] Broadcast = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    /// <summary>Shortest frame of this tagging the Linux bridge path keeps (found with the skb:kfree_skb tracepoint on 6.18):
    /// skb_vlan_untag frees a tagged frame with fewer than 2 bytes after the outer tag, and br_nf_pre_routing frees a
    /// QinQ frame whose inner tag is cut (PKT_TOO_SMALL).</summary>
    public static int MinimumLength(Tagging tagging) => tagging switch
    {
        Tagging.Untagged => 14,
        Tagging.Dot1Q => 20,
        _ => 22,
    };

    /// <summary>Shortest PPPoE session frame a Linux bridge forwards: br_netfilter's pre-routing hook (built in, active on
    /// every bridge whatever the bridge-nf-call sysctls say) drops 0x8864 frames with less than the 6-byte PPPoE header plus
    /// the 2-byte PPP protocol as PKT_TOO_SMALL. Every real PPPoE session frame is longer. It looks only behind the one tag
    /// the receive path moved into metadata, so QinQ frames escape it.</summary>
    public static int MinimumPppoeSessionLength(Tagging tagging) =>
        tagging == Tagging.QinQ ? MinimumLength(tagging) : 14 + 4 * (int)tagging + 8;

    /// <summary>Every length from the minimum to <paramref name="maxUntagged"/> + tags, EtherTypes rotating, every fifth one broadcast.</summary>
    public static List<byte[]> Sweep(byte[] source, byte[] destination, int maxUntagged = 1514)
    {
        var frames = new List<byte[]>();
        var kinds = Enum.GetValues<PayloadKind>();
        foreach (var tagging in Enum.GetValues<Tagging>())
        {
            int tags = (int)tagging;
            for (int length = MinimumLength(tagging); length <= maxUntagged + 4 * tags; length++)
            {
                var kind = kinds[(length + tags) % kinds.Length];
                if (kind == PayloadKind.PppoeSession && length < MinimumPppoeSessionLength(tagging))
                    kind = PayloadKind.PppoeDiscovery;
                frames.Add(Build(length, kind, tagging, source, length % 5 == 0 ? Broadcast : destination, seed: length * 3 + tags));
            }
        }
        return frames;
    }

    public static byte[] Build(int length, PayloadKind kind, Tagging tagging, byte[] source, byte[] destination, int seed)
    {
        var frame = new byte[length];
        destination.CopyTo(frame, 0);
        source.CopyTo(frame, 6);
        int offset = 12;
        if (tagging == Tagging.QinQ)
            offset = WriteTag(frame, offset, 0x88A8, (ushort)(0x0100 | (seed & 0xFF)));
        if (tagging != Tagging.Untagged)
        {
            // Vary priority, drop-eligible bit and id; id 0 (priority tag) and DEI=1 must survive too.
            ushort tci = (ushort)(((seed % 8) << 13) | ((seed & 1) << 12) | (seed % 7 == 0 ? 0 : 1 + seed % 4094));
            offset = WriteTag(frame, offset, 0x8100, tci);
        }
        if (offset + 2 > length)
            return frame;
        int payloadStart = offset + 2;
        int payloadLength = length - payloadStart;
        ushort typeOrLength = kind switch
        {
            PayloadKind.IPv4 => 0x0800,
            PayloadKind.Arp => 0x0806,
            PayloadKind.IPv6 => 0x86DD,
            PayloadKind.PppoeDiscovery => 0x8863,
            PayloadKind.PppoeSession => 0x8864,
            PayloadKind.Unknown => 0x88B5,
            _ => (ushort)payloadLength,
        };
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), typeOrLength);
        var payload = frame.AsSpan(payloadStart);
        for (int i = 0; i < payload.Length; i++)
            payload[i] = (byte)(seed + i * 7);
        WriteHeader(kind, payload);
        return frame;
    }

    /// <summary>"1514 bytes, 802.1ad+802.1Q, 0x8864 …": for assertion messages.</summary>
    public static string Describe(byte[] frame)
    {
        int offset = 12;
        var tags = new List<string>();
        while (offset + 4 <= frame.Length && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(offset)) is 0x8100 or 0x88A8)
        {
            tags.Add($"{BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(offset)):x4}/{BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(offset + 2)):x4}");
            offset += 4;
        }
        string type = offset + 2 <= frame.Length ? $"0x{BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(offset)):x4}" : "(none)";
        return $"{frame.Length} bytes, tags [{string.Join(' ', tags)}], type {type}";
    }

    private static int WriteTag(byte[] frame, int offset, ushort tpid, ushort tci)
    {
        if (offset + 4 > frame.Length)
            return frame.Length;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), tpid);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), tci);
        return offset + 4;
    }

    private static void WriteHeader(PayloadKind kind, Span<byte> payload)
    {
        switch (kind)
        {
            case PayloadKind.PppoeDiscovery when payload.Length >= 6:
                // RFC 2516 §4: ver/type 0x11, code PADI (0x09), session 0, length of the tags that follow.
                payload[0] = 0x11;
                payload[1] = 0x09;
                BinaryPrimitives.WriteUInt16BigEndian(payload[2..], 0);
                BinaryPrimitives.WriteUInt16BigEndian(payload[4..], (ushort)(payload.Length - 6));
                break;
            case PayloadKind.PppoeSession when payload.Length >= 8:
                // RFC 2516 §5: session stage, then a PPP protocol (IPCP) and, where it fits, a Configure-Ack header.
                payload[0] = 0x11;
                payload[1] = 0x00;
                BinaryPrimitives.WriteUInt16BigEndian(payload[2..], 0x1234);
                BinaryPrimitives.WriteUInt16BigEndian(payload[4..], (ushort)(payload.Length - 6));
                BinaryPrimitives.WriteUInt16BigEndian(payload[6..], 0x8021);
                if (payload.Length >= 12)
                {
                    payload[8] = 0x02;
                    payload[9] = 0x01;
                    BinaryPrimitives.WriteUInt16BigEndian(payload[10..], (ushort)(payload.Length - 8));
                }
                break;
            case PayloadKind.Ieee8023Length when payload.Length >= 3:
                // LLC: SNAP DSAP/SSAP, UI.
                payload[0] = 0xAA;
                payload[1] = 0xAA;
                payload[2] = 0x03;
                break;
        }
    }
}
