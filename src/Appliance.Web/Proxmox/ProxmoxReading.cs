using Appliance.Proxmox.Errors;

namespace Appliance.Web.Proxmox;

/// <summary>A value read from Proxmox, or the operator message saying why it could not be had (never a stack trace).</summary>
public sealed record ProxmoxReading<T>(T? Value, string? Problem)
{
    public bool Succeeded => Problem is null;
}

public static class ProxmoxReading
{
    /// <summary>Runs <paramref name="read"/>; a Proxmox refusal, an unreachable node or missing setup becomes the problem.</summary>
    public static async Task<ProxmoxReading<T>> FromAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return new ProxmoxReading<T>(await read(), null);
        }
        catch (ProxmoxException e)
        {
            return new ProxmoxReading<T>(default, e.Message);
        }
        catch (ProxmoxSetupMissingException e)
        {
            return new ProxmoxReading<T>(default, e.Message);
        }
    }
}
