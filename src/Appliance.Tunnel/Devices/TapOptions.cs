namespace Appliance.Tunnel.Devices;

/// <summary>How <see cref="TapDevice.Open"/> sets up a TAP interface.</summary>
public sealed record TapOptions
{
    /// <summary>L3 MTU set on the interface; 1500 carries 1514-byte frames (1518 with one tag, 1522 with QinQ through a bridge).</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>An existing Linux bridge to add the TAP to; null leaves it unbridged.</summary>
    public string? Bridge { get; init; }

    /// <summary>True keeps the interface after dispose (TUNSETPERSIST); false (the default) removes it when the device is disposed.</summary>
    public bool Persistent { get; init; }

    /// <summary>Sets IFF_UP after configuring; default true.</summary>
    public bool BringUp { get; init; } = true;
}
