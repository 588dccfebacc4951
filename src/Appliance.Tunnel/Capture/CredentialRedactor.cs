using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Capture;

/// <summary>Zeroes PAP and CHAP secrets in a captured copy of a frame, keeping every length byte so the structure still decodes.</summary>
/// <remarks>
/// Pure and allocation-free. Works on the capture's copy only: the switch's frame is never passed here.
/// What is zeroed: a PAP Authenticate-Request's peer-id and password (RFC 1334 §2.2.1), a CHAP Challenge's or
/// Response's value and name (RFC 1994 §4.1). PAP Ack/Nak and CHAP Success/Failure messages are kept: they say why a
/// login failed and hold no secret. Any other code of these protocols, and a body whose lengths do not add up, is
/// zeroed whole. Bytes after the PPP packet (Ethernet padding) of a PAP or CHAP frame are zeroed too.
/// </remarks>
public static class CredentialRedactor
{
    private const int PppProtocolLength = 2;
    private const int PppControlHeaderLength = 4;

    /// <summary>Redacts <paramref name="captured"/> (the first bytes of the frame <paramref name="info"/> describes).</summary>
    /// <returns>True when the frame is a PAP or CHAP frame and bytes after its control header were zeroed.</returns>
    public static bool Redact(Span<byte> captured, in FrameClass info)
    {
        if (info.Family != EtherTypeFamily.PppoeSession || !PppProtocols.CarriesCredentials(info.PppProtocol))
            return false;

        int control = info.PayloadOffset + FrameClassifier.PppoeHeaderLength + PppProtocolLength;
        int body = control + PppControlHeaderLength;
        if (body >= captured.Length)
            return false;

        // The control length was checked against the PPPoE payload only when the classifier says Complete.
        int packetEnd = info.Status == FrameStatus.Complete
            ? control + ((captured[control + 2] << 8) | captured[control + 3])
            : captured.Length;
        int bodyLength = Math.Min(packetEnd, captured.Length) - body;
        Span<byte> rest = captured[body..];

        switch ((info.PppProtocol, info.PppCode))
        {
            case (PppProtocol.Pap, 2 or 3):
            case (PppProtocol.Chap, 3 or 4):
                return false;
            case (PppProtocol.Pap, 1):
                // Peer-ID-Length, Peer-ID, Passwd-Length, Password.
                ZeroKeepingLengths(rest, bodyLength, countedFields: 2);
                return true;
            case (PppProtocol.Chap, 1 or 2):
                // Value-Size, Value, Name (the rest of the packet).
                ZeroKeepingLengths(rest, bodyLength, countedFields: 1);
                return true;
            default:
                rest.Clear();
                return true;
        }
    }

    /// <summary>Zeroes <paramref name="rest"/> except the length byte of each of the first counted fields that lies inside the packet.</summary>
    private static void ZeroKeepingLengths(Span<byte> rest, int bodyLength, int countedFields)
    {
        Span<int> at = stackalloc int[2];
        Span<byte> value = stackalloc byte[2];
        int kept = 0, position = 0;
        while (kept < countedFields && position < bodyLength)
        {
            at[kept] = position;
            value[kept] = rest[position];
            position += 1 + rest[position];
            kept++;
        }
        rest.Clear();
        for (int i = 0; i < kept; i++)
            rest[at[i]] = value[i];
    }
}
