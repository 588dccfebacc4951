using System.Buffers.Binary;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Tests.Devices;

/// <summary>Frames of every length from 14 to 1522 bytes, untagged, 802.1Q and QinQ, with rotating EtherTypes.</summary>
internal static class SweepFrames
{
    private static readonly ushort[] Types = [0x0800, 0x0806, 0x86DD, 0x8863, 0x8864, 0x88B5, 0];

    public static List<byte[]> Build(ulong source, ulong destination)
    {
        var frames = new List<byte[]>();
        for (int tags = 0; tags <= 2; tags++)
        {
            for (int length = 14 + 4 * tags; length <= 1514 + 4 * tags; length++)
            {
                var frame = new byte[length];
                WriteMac(frame, 0, length % 5 == 0 ? 0xFFFF_FFFF_FFFFUL : destination);
                WriteMac(frame, 6, source);
                int offset = 12;
                if (tags == 2)
                    offset = Tag(frame, offset, 0x88A8, (ushort)(length & 0xFFF));
                if (tags >= 1)
                    offset = Tag(frame, offset, 0x8100, (ushort)((length * 7) & 0xFFFF));
                if (offset + 2 <= length)
                {
                    ushort type = Types[length % Types.Length];
                    BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), type == 0 ? (ushort)(length - offset - 2) : type);
                    for (int i = offset + 2; i < length; i++)
                        frame[i] = (byte)(i * 13 + length);
                }
                frames.Add(frame);
            }
        }
        return frames;
    }

    /// <summary>Asserts the counters hold exactly <paramref name="frames"/>, size class by size class and family by family, no drops.</summary>
    public static void AssertCounted(string where, IReadOnlyList<byte[]> frames, DirectionSnapshot counted)
    {
        var sizes = new long[SizeClasses.Count];
        var families = new long[EtherTypes.FamilyCount];
        foreach (var frame in frames)
        {
            var info = FrameClassifier.Classify(frame);
            sizes[(int)info.SizeClass]++;
            families[(int)info.Family]++;
        }
        for (int i = 0; i < sizes.Length; i++)
            Assert.True(sizes[i] == counted.BySize((SizeClass)i), $"{where}, size {SizeClasses.Label((SizeClass)i)}: sent {sizes[i]}, counted {counted.BySize((SizeClass)i)}");
        for (int i = 0; i < families.Length; i++)
            Assert.True(families[i] == counted.ByFamily((EtherTypeFamily)i), $"{where}, family {(EtherTypeFamily)i}: sent {families[i]}, counted {counted.ByFamily((EtherTypeFamily)i)}");
        Assert.Equal(frames.Count, counted.Frames);
        Assert.Equal(0, counted.DroppedFrames);
    }

    private static void WriteMac(byte[] frame, int offset, ulong mac)
    {
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), (ushort)(mac >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(offset + 2), (uint)mac);
    }

    private static int Tag(byte[] frame, int offset, ushort tpid, ushort tci)
    {
        if (offset + 4 > frame.Length)
            return frame.Length;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset), tpid);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(offset + 2), tci);
        return offset + 4;
    }
}
