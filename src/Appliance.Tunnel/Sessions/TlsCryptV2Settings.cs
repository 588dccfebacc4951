using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Sessions;

/// <summary>The tls-crypt-v2 side of a server: its server key, and the policy that admits or refuses a client from its key's metadata before any TLS.</summary>
/// <param name="ServerKey">Owned by the caller (the agent's state); the engine only reads it.</param>
/// <param name="Policy">Called on the receive path for every authentic opening: fast, no I/O, never throws.</param>
public sealed record TlsCryptV2Settings(TlsCryptV2ServerKey ServerKey, TlsCryptV2ClientPolicy Policy)
{
    /// <summary>An unwrapper for opening packets (opcode 10 / 11); one per receiving thread.</summary>
    public TlsCryptV2ServerUnwrapper CreateUnwrapper() => new(ServerKey);

    public override string ToString() => "tls-crypt-v2";
}
