using System.Runtime.Versioning;
using Appliance.Agent.Pki;

namespace Appliance.Agent.State;

/// <summary>Everything the agent keeps on disk, opened together: the locked directory, the CA set, the pairing token and the client registry.</summary>
[SupportedOSPlatform("linux")]
public sealed class ApplianceState : IDisposable
{
    private ApplianceState(StateDirectory directory, ApplianceCa ca, PairingToken pairing, ClientRegistry clients, bool createdCa, string? newPairingToken)
    {
        Directory = directory;
        Ca = ca;
        Pairing = pairing;
        Clients = clients;
        CreatedCa = createdCa;
        NewPairingToken = newPairingToken;
    }

    public StateDirectory Directory { get; }
    public ApplianceCa Ca { get; }
    public PairingToken Pairing { get; }
    public ClientRegistry Clients { get; }

    /// <summary>True when this start created the CA, server certificate and tls-crypt key (first start).</summary>
    public bool CreatedCa { get; }

    /// <summary>The pairing token when this start created it: shown to the operator once, never logged, not kept.</summary>
    public string? NewPairingToken { get; }

    /// <summary>Opens (creating on first start) the state in <paramref name="path"/>.</summary>
    /// <exception cref="StateDirectoryException">The directory is held by another agent or holds a broken file; the message names it and the fix.</exception>
    public static ApplianceState Open(string path, ServerIdentity identity, TimeProvider time)
    {
        var directory = StateDirectory.Open(path);
        try
        {
            var ca = ApplianceCa.OpenOrCreate(directory, identity, time, out bool createdCa);
            try
            {
                var pairing = PairingToken.OpenOrCreate(directory, out string? newToken);
                var clients = ClientRegistry.Open(directory, ca, time);
                return new ApplianceState(directory, ca, pairing, clients, createdCa, newToken);
            }
            catch
            {
                ca.Dispose();
                throw;
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Ca.Dispose();
        Directory.Dispose();
    }
}
