namespace Appliance.Tunnel.Control;

/// <summary>The server's key-method-2 reply as a client reads it (test peers and tools).</summary>
public sealed record KeyMethod2ServerMessage(byte[] Random1, byte[] Random2, string Options)
{
    public override string ToString() => $"key-method 2 from server (options '{Options}')";
}
