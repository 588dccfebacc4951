namespace Appliance.Tunnel.Switching;

/// <summary>Switch settings. Immutable: an edit builds a new instance and swaps it in whole.</summary>
public sealed record SwitchOptions
{
    /// <summary>Largest L3 payload of an untagged frame: 1500 gives 1514-byte frames.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>VLAN tags a frame may carry on top of <see cref="Mtu"/> (each adds 4 bytes): 2 allows QinQ up to 1522.</summary>
    public int MaxVlanTags { get; init; } = 2;

    public SwitchPolicy Policy { get; init; } = SwitchPolicy.PppoeOnly;

    /// <summary>When true (the default), sessions reach only the uplink, never each other.</summary>
    public bool IsolateSessions { get; init; } = true;

    /// <summary>How long a MAC address stays learned without traffic from it.</summary>
    public TimeSpan MacAgingTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most MAC addresses one session port may own; a client behind a tap has one or a few.</summary>
    public int MaxMacsPerSession { get; init; } = 8;

    /// <summary>Most MAC addresses the uplink may own; bounds the table against a flood of random sources.</summary>
    public int MaxMacsOnUplink { get; init; } = 4096;

    /// <summary>Largest frame a port accepts carrying <paramref name="vlanTags"/> tags.</summary>
    public int MaxFrameLength(int vlanTags) => Mtu + 14 + 4 * Math.Min(vlanTags, MaxVlanTags);

    /// <summary>Every problem with these settings, or none.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Mtu is < 576 or > 65535 - 14)
            errors.Add($"Mtu: {Mtu} is outside 576..65521");
        if (MaxVlanTags is < 0 or > 8)
            errors.Add($"MaxVlanTags: {MaxVlanTags} is outside 0..8");
        if (MacAgingTime <= TimeSpan.Zero)
            errors.Add($"MacAgingTime: {MacAgingTime} must be positive");
        if (MaxMacsPerSession < 1)
            errors.Add($"MaxMacsPerSession: {MaxMacsPerSession} must be at least 1");
        if (MaxMacsOnUplink < 1)
            errors.Add($"MaxMacsOnUplink: {MaxMacsOnUplink} must be at least 1");
        return errors;
    }
}
