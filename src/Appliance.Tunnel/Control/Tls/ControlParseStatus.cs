namespace Appliance.Tunnel.Control.Tls;

/// <summary>Result of looking for one control message in the bytes read so far.</summary>
public enum ControlParseStatus : byte
{
    /// <summary>A whole message was taken from the buffer.</summary>
    Complete,
    /// <summary>The buffer holds the start of a message only: read more.</summary>
    NeedMore,
    /// <summary>The bytes cannot be this message (e.g. key method other than 2): break the session.</summary>
    Malformed,
    /// <summary>The message would exceed the buffer's bound: break the session.</summary>
    TooLong,
}
