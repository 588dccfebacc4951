using System.Buffers.Binary;
using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>RFC 2516 Appendix A error tags found in a discovery frame (their text is never read).</summary>
[Flags]
public enum PppoeErrorTags : byte
{
    None = 0,
    /// <summary>0x0201: the access concentrator does not offer the requested service name.</summary>
    ServiceNameError = 1,
    /// <summary>0x0202: the access concentrator has an internal error (often: out of sessions).</summary>
    AcSystemError = 2,
    /// <summary>0x0203: any other error.</summary>
    GenericError = 4,
}

/// <summary>Reads the tag list of a PPPoE discovery frame. Allocation-free; never throws; stops at a cut tag.</summary>
public static class PppoeTags
{
    private const ushort EndOfList = 0x0000;
    private const ushort ServiceNameError = 0x0201;
    private const ushort AcSystemError = 0x0202;
    private const ushort GenericError = 0x0203;
    private const int TagHeaderLength = 4;

    /// <summary>The error tags of a discovery frame; <see cref="PppoeErrorTags.None"/> for any other frame.</summary>
    public static PppoeErrorTags ReadErrors(ReadOnlySpan<byte> frame, in FrameClass info)
    {
        if (info.Family != EtherTypeFamily.PppoeDiscovery || info.PayloadOffset <= 0)
            return PppoeErrorTags.None;
        int start = info.PayloadOffset + FrameClassifier.PppoeHeaderLength;
        if (start > frame.Length)
            return PppoeErrorTags.None;
        // RFC 2516 §4: the length field bounds the tags; bytes past it are Ethernet padding.
        var tags = frame[start..];
        if (info.PppoeLength < tags.Length)
            tags = tags[..info.PppoeLength];

        var found = PppoeErrorTags.None;
        while (tags.Length >= TagHeaderLength)
        {
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(tags);
            int length = BinaryPrimitives.ReadUInt16BigEndian(tags[2..]);
            if (type == EndOfList)
                break;
            found |= type switch
            {
                ServiceNameError => PppoeErrorTags.ServiceNameError,
                AcSystemError => PppoeErrorTags.AcSystemError,
                GenericError => PppoeErrorTags.GenericError,
                _ => PppoeErrorTags.None,
            };
            if (tags.Length - TagHeaderLength < length)
                break;
            tags = tags[(TagHeaderLength + length)..];
        }
        return found;
    }
}
