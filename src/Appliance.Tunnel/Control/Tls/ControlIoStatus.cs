namespace Appliance.Tunnel.Control.Tls;

/// <summary>How a control message read or write ended.</summary>
public enum ControlIoStatus : byte
{
    Ok,
    /// <summary>The transport or TLS session is closed; no more messages.</summary>
    Closed,
    /// <summary>A message beyond the bound (our write over 2048 bytes, or the peer's over the reader's capacity).</summary>
    TooLong,
    /// <summary>The peer's bytes are not the expected message.</summary>
    Malformed,
    /// <summary>TLS reported an error (bad record, alert).</summary>
    TlsError,
    /// <summary>The handshake has not completed successfully.</summary>
    NotAuthenticated,
}

/// <summary>A control message read from the client, or why none was.</summary>
/// <param name="Message">The raw bytes (key-method-2) or empty (text).</param>
/// <param name="Text">The command without its NUL (text reads), else null.</param>
public readonly record struct ControlReadResult(ControlIoStatus Status, ReadOnlyMemory<byte> Message, string? Text)
{
    public bool IsOk => Status == ControlIoStatus.Ok;
}
