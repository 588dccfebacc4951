namespace Appliance.Tunnel.Control;

/// <summary>Why a key-method-2 message did or did not parse.</summary>
public enum KeyMethod2ParseResult : byte
{
    Ok = 0,
    /// <summary>Ends inside a fixed field or a string.</summary>
    Truncated,
    /// <summary>The first four bytes are not zero (the removed key method 1 had no such prefix).</summary>
    NonZeroPrefix,
    /// <summary>The key-method byte (low nibble) is not 2.</summary>
    UnsupportedKeyMethod,
    /// <summary>The options string is empty or longer than 2.6 accepts (512 bytes with NUL).</summary>
    InvalidOptionsString,
    /// <summary>A username or password longer than 2.6 accepts.</summary>
    CredentialTooLong,
}
