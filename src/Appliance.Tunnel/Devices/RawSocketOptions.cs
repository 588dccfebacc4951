namespace Appliance.Tunnel.Devices;

/// <summary>How <see cref="RawSocketDevice.Open"/> sets up its AF_PACKET socket.</summary>
public sealed record RawSocketOptions
{
    /// <summary>Receive every frame on the wire, not only those for the NIC's MAC (PACKET_MR_PROMISC; undone when the socket closes).</summary>
    public bool Promiscuous { get; init; } = true;

    /// <summary>Socket receive buffer; bursts beyond it are dropped by the kernel. Raised past rmem_max when running as root.</summary>
    public int ReceiveBufferBytes { get; init; } = 4 << 20;
}
