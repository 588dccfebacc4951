namespace Appliance.Tunnel.Control.Wire;

/// <summary>Which 128-byte half of a 256-byte key each direction uses (crypto.c key_direction_state_init).</summary>
public enum KeyDirection : byte
{
    /// <summary>No key-direction: key 0 both ways (tls-auth without a direction).</summary>
    Bidirectional = 0,
    /// <summary>Send with key 0, receive with key 1: tls-crypt server, tls-auth <c>key-direction 0</c>.</summary>
    Normal,
    /// <summary>Send with key 1, receive with key 0: tls-crypt client, tls-auth <c>key-direction 1</c>.</summary>
    Inverse,
}

/// <summary>Key indexes for a <see cref="KeyDirection"/>.</summary>
public static class KeyDirections
{
    public static int SendIndex(KeyDirection direction) => direction == KeyDirection.Inverse ? 1 : 0;

    public static int ReceiveIndex(KeyDirection direction) => direction == KeyDirection.Normal ? 1 : 0;
}
