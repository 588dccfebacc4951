namespace Appliance.Agent.State;

/// <summary>Who may read a state file besides the agent's user.</summary>
public enum FileSecrecy : byte
{
    /// <summary>Mode 0644: certificates and the CRL (the directory's 0700 still keeps others out).</summary>
    Public,
    /// <summary>Mode 0600: private keys, the tls-crypt key, the registry holding client keys.</summary>
    Secret,
}
