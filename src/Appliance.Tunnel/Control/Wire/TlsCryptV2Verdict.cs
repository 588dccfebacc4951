using Appliance.Tunnel.Counters;

namespace Appliance.Tunnel.Control.Wire;

/// <summary>A server's answer to an authentic tls-crypt-v2 client key, given before any TLS work.</summary>
public enum TlsCryptV2Verdict : byte
{
    Accepted = 0,
    /// <summary>The key names a certificate serial the server does not know (or a name that does not match it).</summary>
    UnknownClient,
    /// <summary>The certificate the key was made for is revoked.</summary>
    Revoked,
    /// <summary>The operator disabled this client.</summary>
    Disabled,
    /// <summary>The key's not-after (its certificate's) has passed.</summary>
    Expired,
    /// <summary>The key is authentic but its metadata is not in our format (see <see cref="TlsCryptV2MetadataParseResult"/>).</summary>
    UnreadableMetadata,
}

/// <summary>Decides whether an authentic tls-crypt-v2 client may go on to TLS. Called on the receive path: fast, no I/O, never throws.</summary>
public delegate TlsCryptV2Verdict TlsCryptV2ClientPolicy(in TlsCryptV2Metadata metadata);

/// <summary>Traits of <see cref="TlsCryptV2Verdict"/>.</summary>
public static class TlsCryptV2Verdicts
{
    /// <summary>Every refusal is counted as <see cref="DropReason.ClientRefused"/>.</summary>
    public static DropReason ToDropReason(TlsCryptV2Verdict verdict) => DropReason.ClientRefused;

    /// <summary>Stable snake_case name for logs and APIs.</summary>
    public static string Key(TlsCryptV2Verdict verdict) => verdict switch
    {
        TlsCryptV2Verdict.Accepted => "accepted",
        TlsCryptV2Verdict.UnknownClient => "unknown_client",
        TlsCryptV2Verdict.Revoked => "revoked",
        TlsCryptV2Verdict.Disabled => "disabled",
        TlsCryptV2Verdict.Expired => "expired",
        TlsCryptV2Verdict.UnreadableMetadata => "unreadable_metadata",
        _ => "unknown",
    };
}
