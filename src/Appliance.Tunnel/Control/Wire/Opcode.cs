namespace Appliance.Tunnel.Control.Wire;

/// <summary>OpenVPN packet opcodes: the upper 5 bits of the first byte (ssl_pkt.h).</summary>
public enum Opcode : byte
{
    /// <summary>Starts a renegotiation under a new key-id.</summary>
    ControlSoftResetV1 = 3,
    /// <summary>Carries TLS bytes.</summary>
    ControlV1 = 4,
    /// <summary>ACK block only; no message id.</summary>
    AckV1 = 5,
    /// <summary>Data without peer-id.</summary>
    DataV1 = 6,
    /// <summary>First client packet of a session (key method 2).</summary>
    ControlHardResetClientV2 = 7,
    /// <summary>Server's answer to a client hard reset.</summary>
    ControlHardResetServerV2 = 8,
    /// <summary>Data with a 24-bit peer-id.</summary>
    DataV2 = 9,
    /// <summary>tls-crypt-v2 client hard reset (wrapped client key appended).</summary>
    ControlHardResetClientV3 = 10,
    /// <summary>tls-crypt-v2 control packet with the wrapped client key appended.</summary>
    ControlWkcV1 = 11,
}

/// <summary>The first byte of every OpenVPN packet: <c>opcode &lt;&lt; 3 | key_id</c>.</summary>
public static class OpcodeByte
{
    /// <summary>Key ids are 3 bits.</summary>
    public const int MaxKeyId = 7;

    public static byte Compose(Opcode opcode, int keyId)
    {
        if ((uint)keyId > MaxKeyId)
        {
            throw new ArgumentOutOfRangeException(nameof(keyId), keyId, "key id is 0..7");
        }
        return (byte)(((int)opcode << 3) | keyId);
    }

    public static Opcode OpcodeOf(byte first) => (Opcode)(first >> 3);

    public static int KeyIdOf(byte first) => first & MaxKeyId;

    /// <summary>True for the opcodes 2.6 accepts on the control channel (3..5, 7, 8, 10, 11).</summary>
    public static bool IsControl(Opcode opcode) => opcode is Opcode.ControlSoftResetV1 or Opcode.ControlV1 or Opcode.AckV1
        or Opcode.ControlHardResetClientV2 or Opcode.ControlHardResetServerV2
        or Opcode.ControlHardResetClientV3 or Opcode.ControlWkcV1;

    public static bool IsData(Opcode opcode) => opcode is Opcode.DataV1 or Opcode.DataV2;

    /// <summary>Classifies a received datagram by its first byte; false for an empty one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out Opcode opcode, out int keyId)
    {
        if (packet.IsEmpty)
        {
            opcode = 0;
            keyId = 0;
            return false;
        }
        opcode = OpcodeOf(packet[0]);
        keyId = KeyIdOf(packet[0]);
        return true;
    }
}
