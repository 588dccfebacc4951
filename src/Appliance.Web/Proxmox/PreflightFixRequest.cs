using Appliance.Proxmox.Workflows.Preflight;

namespace Appliance.Web.Proxmox;

/// <summary>An admin's confirmed fix: the fix and, for a bridge fix with several free NICs, the port they picked.</summary>
public sealed record PreflightFixRequest(PreflightFix Fix, string? Port);
