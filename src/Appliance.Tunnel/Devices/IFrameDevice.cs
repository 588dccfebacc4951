namespace Appliance.Tunnel.Devices;

/// <summary>Outcome of one device read or write; failures are values, not exceptions.</summary>
public enum DeviceStatus : byte
{
    Ok = 0,
    /// <summary>The device was disposed; no more frames will come.</summary>
    Closed,
    /// <summary>The kernel refused the call; <see cref="DeviceResult.ErrorCode"/> holds errno.</summary>
    Error,
}

/// <summary>Status, frame length and errno of one device call.</summary>
public readonly record struct DeviceResult(DeviceStatus Status, int Length, int ErrorCode = 0)
{
    public static DeviceResult Closed => new(DeviceStatus.Closed, 0);
    public static DeviceResult Ok(int length) => new(DeviceStatus.Ok, length);
    public static DeviceResult Error(int errno) => new(DeviceStatus.Error, 0, errno);
}

/// <summary>A source and sink of whole Ethernet frames: a TAP interface, a raw NIC socket, or an in-memory double.</summary>
/// <remarks>Frames cross unchanged: no minimum length beyond the 14-byte header, no padding, VLAN tags in band.</remarks>
public interface IFrameDevice : IDisposable
{
    /// <summary>The interface name (or the double's label), for logs and operators.</summary>
    string Name { get; }

    /// <summary>Blocks until one frame is copied into <paramref name="buffer"/>; returns <see cref="DeviceStatus.Closed"/> once disposed.</summary>
    /// <remarks>One reader at a time. Must not allocate.</remarks>
    DeviceResult Read(Span<byte> buffer);

    /// <summary>Sends one frame. Safe to call from several threads. Must not allocate.</summary>
    DeviceResult Write(ReadOnlySpan<byte> frame);
}
