using System.Buffers.Binary;
using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>Reads an end's LCP Magic-Number (RFC 1661 §6.4) from its Configure-Request or Echo-Request. Pure, allocation-free, never throws.</summary>
internal static class LcpMagic
{
    private const byte MagicNumberOption = 5;

    public static bool TryRead(ReadOnlySpan<byte> frame, in FrameClass info, out uint magic)
    {
        magic = 0;
        int lcp = info.PayloadOffset + FrameClassifier.PppoeHeaderLength + 2;
        if (info.PppProtocol != PppProtocol.Lcp || frame.Length < lcp + 4)
            return false;
        int length = BinaryPrimitives.ReadUInt16BigEndian(frame[(lcp + 2)..]);
        var packet = frame[lcp..Math.Min(frame.Length, lcp + length)];
        if (packet.Length < 4)
            return false;
        switch ((PppControlCode)info.PppCode)
        {
            case PppControlCode.EchoRequest when packet.Length >= 8:
                magic = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
                return magic != 0;
            case PppControlCode.ConfigureRequest:
                var options = packet[4..];
                while (options.Length >= 2)
                {
                    int optionLength = options[1];
                    if (optionLength < 2 || optionLength > options.Length)
                        return false;
                    if (options[0] == MagicNumberOption && optionLength == 6)
                    {
                        magic = BinaryPrimitives.ReadUInt32BigEndian(options[2..]);
                        return magic != 0;
                    }
                    options = options[optionLength..];
                }
                return false;
            default:
                return false;
        }
    }
}
