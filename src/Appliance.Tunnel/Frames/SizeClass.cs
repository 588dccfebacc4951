namespace Appliance.Tunnel.Frames;

/// <summary>Frame length buckets chosen so that the frames that matter for PPPoE over an L2 tunnel stand apart.</summary>
/// <remarks>
/// Lengths are of the Ethernet frame as carried (destination MAC to end of payload, no FCS).
/// <see cref="Bytes14To33"/> is the class a driver eats when it wrongly checks for an IPv4 header
/// (14 + 20 = 34 bytes): the 32-byte IPCP Configure-Ack of the origin case lives here.
/// </remarks>
public enum SizeClass : byte
{
    /// <summary>Shorter than an Ethernet header (0–13 bytes): never a valid frame.</summary>
    Runt = 0,
    /// <summary>14–33 bytes: a header and less than an IPv4 header's worth of payload (short PPPoE control frames).</summary>
    Bytes14To33,
    /// <summary>34–59 bytes: shorter than the 60-byte Ethernet minimum, legal inside a tunnel (unpadded).</summary>
    Bytes34To59,
    /// <summary>60–63 bytes: padded minimum frames.</summary>
    Bytes60To63,
    Bytes64To127,
    Bytes128To255,
    Bytes256To511,
    Bytes512To1023,
    /// <summary>1024–1514 bytes: up to a full untagged frame (1500-byte payload).</summary>
    Bytes1024To1514,
    /// <summary>1515–1518 bytes: a full frame with one VLAN tag.</summary>
    Bytes1515To1518,
    /// <summary>1519 bytes and more: QinQ or jumbo frames.</summary>
    Bytes1519AndMore,
}

/// <summary>Maps a frame length to its <see cref="SizeClass"/>.</summary>
public static class SizeClasses
{
    /// <summary>Number of members in <see cref="SizeClass"/>; sizes counter arrays.</summary>
    public const int Count = (int)SizeClass.Bytes1519AndMore + 1;

    public static SizeClass Of(int length) => length switch
    {
        < 14 => SizeClass.Runt,
        < 34 => SizeClass.Bytes14To33,
        < 60 => SizeClass.Bytes34To59,
        < 64 => SizeClass.Bytes60To63,
        < 128 => SizeClass.Bytes64To127,
        < 256 => SizeClass.Bytes128To255,
        < 512 => SizeClass.Bytes256To511,
        < 1024 => SizeClass.Bytes512To1023,
        <= 1514 => SizeClass.Bytes1024To1514,
        <= 1518 => SizeClass.Bytes1515To1518,
        _ => SizeClass.Bytes1519AndMore,
    };

    /// <summary>A short human label, e.g. "14–33".</summary>
    public static string Label(SizeClass sizeClass) => sizeClass switch
    {
        SizeClass.Runt => "0-13",
        SizeClass.Bytes14To33 => "14-33",
        SizeClass.Bytes34To59 => "34-59",
        SizeClass.Bytes60To63 => "60-63",
        SizeClass.Bytes64To127 => "64-127",
        SizeClass.Bytes128To255 => "128-255",
        SizeClass.Bytes256To511 => "256-511",
        SizeClass.Bytes512To1023 => "512-1023",
        SizeClass.Bytes1024To1514 => "1024-1514",
        SizeClass.Bytes1515To1518 => "1515-1518",
        SizeClass.Bytes1519AndMore => "1519+",
        _ => "?",
    };
}
