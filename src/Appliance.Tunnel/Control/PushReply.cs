using System.Globalization;
using System.Text;
using Appliance.Tunnel.DataChannel;

namespace Appliance.Tunnel.Control;

/// <summary>Outcome of data-cipher negotiation: the chosen cipher, or no shared one.</summary>
public readonly record struct CipherNegotiation(bool Succeeded, DataCipher Cipher)
{
    public static CipherNegotiation NoSharedCipher => default;
}

/// <summary>
/// The minimal pure-L2 push (protocol brief §7.3):
/// <c>PUSH_REPLY,ping P,ping-restart R,peer-id N,cipher X[,protocol-flags cc-exit]</c>. No ifconfig, routes,
/// compression, key-derivation, tls-ekm or dyn-tls-crypt.
/// </summary>
public static class PushReply
{
    public const int DefaultPing = 10;
    public const int DefaultPingRestart = 60;

    /// <summary>First cipher of <paramref name="serverPreference"/> the client supports (2.5+ rule).</summary>
    public static CipherNegotiation NegotiateCipher(ReadOnlySpan<DataCipher> serverPreference, PeerInfo client)
    {
        foreach (DataCipher cipher in serverPreference)
        {
            if (client.Supports(cipher))
            {
                return new CipherNegotiation(true, cipher);
            }
        }
        return CipherNegotiation.NoSharedCipher;
    }

    /// <summary>Builds the reply; <c>protocol-flags cc-exit</c> only when the client announced IV_PROTO bit 7.</summary>
    public static string Build(uint peerId, DataCipher cipher, PeerInfo client, int ping = DefaultPing, int pingRestart = DefaultPingRestart) =>
        Build(peerId, cipher, client.Protocol.HasFlag(IvProtoFlags.CcExitNotify), ping, pingRestart);

    public static string Build(uint peerId, DataCipher cipher, bool ccExit, int ping = DefaultPing, int pingRestart = DefaultPingRestart)
    {
        if (peerId >= DataPacketHeader.NoPeerId)
        {
            throw new ArgumentOutOfRangeException(nameof(peerId), peerId, "peer-id is 24 bits and 0xFFFFFF means none");
        }
        var reply = new StringBuilder("PUSH_REPLY", 128);
        reply.Append(CultureInfo.InvariantCulture, $",ping {ping},ping-restart {pingRestart},peer-id {peerId},cipher {DataCiphers.Name(cipher)}");
        if (ccExit)
        {
            reply.Append(",protocol-flags cc-exit");
        }
        return reply.ToString();
    }
}
