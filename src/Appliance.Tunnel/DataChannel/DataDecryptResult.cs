using Appliance.Tunnel.Counters;

namespace Appliance.Tunnel.DataChannel;

/// <summary>Outcome of <see cref="DataChannelCrypto.Decrypt"/>.</summary>
public enum DataDecryptResult : byte
{
    Ok = 0,
    /// <summary>Shorter than header + tag + one payload byte.</summary>
    Truncated,
    /// <summary>Not a P_DATA_V1 / P_DATA_V2 packet.</summary>
    NotData,
    /// <summary>The key-id in the first byte is not this key's.</summary>
    WrongKeyId,
    /// <summary>The AEAD tag does not verify.</summary>
    BadTag,
    /// <summary>Authentic, but its packet id was seen, is too old, or expired (see <see cref="Replay.ReplayCheck"/>).</summary>
    Replay,
}

/// <summary>Maps <see cref="DataDecryptResult"/> to the shared drop reasons.</summary>
public static class DataDecryptResults
{
    public static DropReason ToDropReason(DataDecryptResult result) => result switch
    {
        DataDecryptResult.BadTag => DropReason.BadAuthenticationTag,
        DataDecryptResult.Replay => DropReason.Replay,
        DataDecryptResult.WrongKeyId => DropReason.UnknownKey,
        _ => DropReason.Malformed,
    };
}
