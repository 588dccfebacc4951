namespace Appliance.Web.Proxmox;

/// <summary>Marker of the Proxmox pages' strings: <c>Proxmox/ProxmoxText.resx</c> and <c>ProxmoxText.zh-Hant.resx</c>.</summary>
public sealed class ProxmoxText;
