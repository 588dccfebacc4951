namespace Appliance.Tunnel.Control;

/// <summary>Bits of the client's <c>IV_PROTO</c> peer-info value (ssl.h, 2.6.14; bits 10–12 from 2.7).</summary>
[Flags]
public enum IvProtoFlags
{
    None = 0,
    /// <summary>Bit 1: P_DATA_V2 and peer-id.</summary>
    DataV2 = 1 << 1,
    /// <summary>Bit 2: accepts PUSH_REPLY without sending PUSH_REQUEST.</summary>
    RequestPush = 1 << 2,
    /// <summary>Bit 3: can derive data keys with the TLS exporter (tls-ekm).</summary>
    TlsKeyExport = 1 << 3,
    /// <summary>Bit 4: keywords in AUTH_PENDING.</summary>
    AuthPendingKeywords = 1 << 4,
    /// <summary>Bit 5: peer-to-peer NCP (not a pull client).</summary>
    NcpP2p = 1 << 5,
    /// <summary>Bit 6: the <c>dns</c> option.</summary>
    DnsOption = 1 << 6,
    /// <summary>Bit 7: EXIT over the control channel (cc-exit).</summary>
    CcExitNotify = 1 << 7,
    /// <summary>Bit 8: AUTH_FAILED,TEMP.</summary>
    AuthFailTemp = 1 << 8,
    /// <summary>Bit 9: dynamic tls-crypt.</summary>
    DynamicTlsCrypt = 1 << 9,
    /// <summary>Bit 10 (2.7): epoch data format.</summary>
    EpochDataFormat = 1 << 10,
    /// <summary>Bit 11 (2.7): new dns option format.</summary>
    DnsOptionV2 = 1 << 11,
    /// <summary>Bit 12 (2.7): PUSH_UPDATE.</summary>
    PushUpdate = 1 << 12,
}
