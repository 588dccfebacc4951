namespace Appliance.Web.Proxmox;

/// <summary>Audit action names of the Proxmox pages.</summary>
public static class ProxmoxAuditActions
{
    public const string ConnectionChecked = "proxmox.connection-checked";
    public const string Connected = "proxmox.connected";
    public const string ApplianceVmChosen = "proxmox.appliance-vm-chosen";
    public const string PowerAction = "proxmox.vm-power";
    public const string PreflightFixed = "proxmox.preflight-fixed";
    public const string Deployed = "proxmox.deployed";
    public const string DeployFailed = "proxmox.deploy-failed";
    public const string TemplateImported = "proxmox.template-imported";
    public const string TemplateImportFailed = "proxmox.template-import-failed";
    public const string SshHostKeyPinned = "proxmox.ssh-host-key-pinned";
}
