namespace Appliance.Tunnel.Devices;

/// <summary>A device could not be created or configured; the message names the interface and the fix.</summary>
/// <remarks>Thrown only while opening a device (life cycle); the data path reports errors as <see cref="DeviceResult"/> values.</remarks>
public sealed class DeviceSetupException : IOException
{
    public DeviceSetupException(string interfaceName, int errorCode, string message)
        : base(message)
    {
        InterfaceName = interfaceName;
        ErrorCode = errorCode;
    }

    public DeviceSetupException()
    {
        InterfaceName = "";
    }

    public DeviceSetupException(string message)
        : base(message)
    {
        InterfaceName = "";
    }

    public DeviceSetupException(string message, Exception innerException)
        : base(message, innerException)
    {
        InterfaceName = "";
    }

    /// <summary>The interface (or path) the failed step was about.</summary>
    public string InterfaceName { get; }

    /// <summary>The errno of the failed call; 0 when the failure was found without one.</summary>
    public int ErrorCode { get; }
}
