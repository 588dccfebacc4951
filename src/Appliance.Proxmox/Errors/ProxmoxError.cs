namespace Appliance.Proxmox.Errors;

/// <summary>A failed Proxmox call as a value: kind, the operator message (thing, value, fix) and the raw facts behind it.</summary>
/// <param name="Kind">Coarse category.</param>
/// <param name="Message">What the operator reads: names the request, what PVE said and what to do.</param>
/// <param name="Request">Method and path, e.g. <c>POST /nodes/pve/qemu/100/status/start</c>; never the query or body.</param>
/// <param name="StatusCode">HTTP status, 0 when no answer arrived.</param>
/// <param name="Reason">PVE's own reason text (HTTP reason phrase or body <c>message</c>).</param>
public sealed record ProxmoxError(ProxmoxErrorKind Kind, string Message, string Request, int StatusCode, string Reason)
{
    /// <summary>Per-parameter reasons of a 400 answer (<c>errors</c> map); empty otherwise.</summary>
    public IReadOnlyDictionary<string, string> ParameterErrors { get; init; } = new Dictionary<string, string>();

    /// <summary>For a 403 <c>Permission check failed (path, privilege)</c>: the ACL path.</summary>
    public string? PermissionPath { get; init; }

    /// <summary>For a 403 <c>Permission check failed (path, privilege)</c>: the missing privilege.</summary>
    public string? MissingPrivilege { get; init; }

    /// <inheritdoc />
    public override string ToString() => Message;
}
