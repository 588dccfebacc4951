namespace Appliance.Proxmox.Errors;

/// <summary>Carries a <see cref="ProxmoxError"/> out of a typed call; the message is the operator message.</summary>
public sealed class ProxmoxException : Exception
{
    /// <summary>Wraps <paramref name="error"/>.</summary>
    public ProxmoxException(ProxmoxError error, Exception? inner = null) : base(error.Message, inner) => Error = error;

    /// <summary>The failure as a value.</summary>
    public ProxmoxError Error { get; }
}
