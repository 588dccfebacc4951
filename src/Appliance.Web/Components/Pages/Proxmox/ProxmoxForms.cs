using System.ComponentModel.DataAnnotations;
using System.Net;
using Appliance.Proxmox.Config;
using Appliance.Proxmox.Ssh;
using Appliance.Proxmox.Workflows.Connect;
using Appliance.Proxmox.Workflows.Deploy;
using Appliance.Web.Localization;
using Appliance.Web.Proxmox;

namespace Appliance.Web.Components.Pages.Proxmox;

/// <summary>Patterns the Proxmox forms check next to each field (the workflows check again and name the field in their errors).</summary>
public static class ProxmoxPatterns
{
    public const string BaseUrl = @"^\s*https://[^/\s?#]+/?\s*$";
    public const string TokenId = @"^\s*[^\s@!]+@[^\s@!]+![A-Za-z][A-Za-z0-9._-]*\s*$";
    public const string Secret = @"^\s*\S+\s*$";
    public const string Fingerprint = @"^\s*([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}\s*$";
    public const string Name = @"^[A-Za-z][A-Za-z0-9._-]{0,63}$";
    public const string VmName = @"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";
    public const string User = @"^[a-z_][a-z0-9_-]{0,31}$";
    public const string Cidr = @"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$";
    public const string SshPublicKeys = @"^\s*((ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+=*( [^\r\n]*)?\s*)*$";
    public const string SshPrivateKey = @"(?s)^\s*-----BEGIN [A-Z ]*PRIVATE KEY-----.+-----END [A-Z ]*PRIVATE KEY-----\s*$";
    public const string HostKey = @"^\s*(SHA256:)?[A-Za-z0-9+/]{43}=?\s*$";
    public const int MinVmId = 100;
    public const int MaxVmId = 999_999_999;
}

/// <summary>The connect form: address, token and the fingerprint to expect (empty: show the one seen on first contact).</summary>
public sealed class ConnectForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.BaseUrl, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.BaseUrlFormat))]
    public string BaseUrl { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.TokenId, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.TokenIdFormat))]
    public string TokenId { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.Secret, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.SecretFormat))]
    public string Secret { get; set; } = "";

    [RegularExpression(ProxmoxPatterns.Fingerprint, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.FingerprintFormat))]
    public string? Fingerprint { get; set; }

    public ConnectionCheckRequest ToRequest() => new()
    {
        BaseUrl = new Uri(BaseUrl.Trim()),
        TokenId = TokenId.Trim(),
        Secret = Secret.Trim(),
        Fingerprint = string.IsNullOrWhiteSpace(Fingerprint) ? null : Fingerprint.Trim(),
    };
}

/// <summary>Which VM is the appliance and which bridge carries PPPoE.</summary>
public sealed class ApplianceVmForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    public string Node { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [Range(ProxmoxPatterns.MinVmId, ProxmoxPatterns.MaxVmId, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.VmIdRange))]
    public int? VmId { get; set; }

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.Name, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.NameFormat))]
    public string PppoeBridge { get; set; } = "vmbr1";
}

/// <summary>The bridge whose NIC the pre-flight checks look at.</summary>
public sealed class PreflightForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.Name, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.NameFormat))]
    public string Bridge { get; set; } = "vmbr1";
}

/// <summary>The deploy form.</summary>
public sealed class DeployForm : IValidatableObject
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [Range(ProxmoxPatterns.MinVmId, ProxmoxPatterns.MaxVmId, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.VmIdRange))]
    public int? TemplateVmId { get; set; }

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.VmName, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.VmNameFormat))]
    public string Name { get; set; } = "l2vpn-appliance";

    [Range(ProxmoxPatterns.MinVmId, ProxmoxPatterns.MaxVmId, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.VmIdRange))]
    public int? NewVmId { get; set; }

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    public string Node { get; set; } = "";

    [RegularExpression(ProxmoxPatterns.Name, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.NameFormat))]
    public string? TargetStorage { get; set; }

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.Name, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.NameFormat))]
    public string ClientBridge { get; set; } = "vmbr0";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.Name, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.NameFormat))]
    public string PppoeBridge { get; set; } = "vmbr1";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.User, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.UserFormat))]
    public string CloudInitUser { get; set; } = "appliance";

    [RegularExpression(ProxmoxPatterns.SshPublicKeys, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.SshPublicKeyFormat))]
    public string? SshPublicKeys { get; set; }

    /// <summary>DHCP on net0, else <see cref="Address"/> and <see cref="Gateway"/>.</summary>
    public bool UseDhcp { get; set; } = true;

    [RegularExpression(ProxmoxPatterns.Cidr, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.CidrFormat))]
    public string? Address { get; set; }

    public string? Gateway { get; set; }

    /// <summary>The host the new agent's profiles dial; blank keeps the VM's host name (the Agents page changes it later).</summary>
    [Components.AgentParts.DialHost]
    public string? DialHost { get; set; }

    /// <summary>What the deploy writes into the new agent's config once it is paired, or null.</summary>
    public Appliance.Web.Agents.DialAddress? ToDialAddress() => string.IsNullOrWhiteSpace(DialHost) ? null : new(DialHost.Trim(), 0, 0);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.Equals(ClientBridge?.Trim(), PppoeBridge?.Trim(), StringComparison.Ordinal))
            yield return new ValidationResult(ProxmoxValidationText.SameBridge, [nameof(PppoeBridge)]);
        if (UseDhcp)
            yield break;
        if (string.IsNullOrWhiteSpace(Address))
            yield return new ValidationResult(ValidationText.Required, [nameof(Address)]);
        if (!string.IsNullOrWhiteSpace(Gateway) && !(IPAddress.TryParse(Gateway.Trim(), out var gateway) && gateway.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
            yield return new ValidationResult(ProxmoxValidationText.GatewayFormat, [nameof(Gateway)]);
    }

    public DeployRequest ToRequest() => new()
    {
        Node = Node,
        TemplateVmId = TemplateVmId!.Value,
        NewVmId = NewVmId,
        Name = Name.Trim(),
        TargetStorage = string.IsNullOrWhiteSpace(TargetStorage) ? null : TargetStorage,
        ClientBridge = ClientBridge,
        PppoeBridge = PppoeBridge,
        CloudInitUser = CloudInitUser,
        SshPublicKeys = (SshPublicKeys ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        ClientAddress = UseDhcp ? IpConfig.Dhcp : IpConfig.Static(Address!.Trim(), string.IsNullOrWhiteSpace(Gateway) ? null : Gateway.Trim()),
    };
}

/// <summary>Where the template's image comes from.</summary>
public enum ImageSource
{
    /// <summary>A file on the panel host.</summary>
    PanelHost,
    /// <summary>A file uploaded from the browser.</summary>
    Browser,
}

/// <summary>The template import form.</summary>
public sealed class TemplateForm : IValidatableObject
{
    public ImageSource Source { get; set; } = ImageSource.PanelHost;

    public string? HostPath { get; set; }

    /// <summary>Name of the file chosen in the browser (set by the page when one is picked).</summary>
    public string? UploadFileName { get; set; }

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    public string Node { get; set; } = "";

    [Range(ProxmoxPatterns.MinVmId, ProxmoxPatterns.MaxVmId, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.VmIdRange))]
    public int? VmId { get; set; }

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.VmName, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.VmNameFormat))]
    public string Name { get; set; } = "l2vpn-appliance-template";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.Name, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.NameFormat))]
    public string ImportStorage { get; set; } = "local";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.Name, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.NameFormat))]
    public string DiskStorage { get; set; } = "local-lvm";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.Name, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.NameFormat))]
    public string Bridge { get; set; } = "vmbr0";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Source == ImageSource.PanelHost)
        {
            if (string.IsNullOrWhiteSpace(HostPath))
                yield return new ValidationResult(ValidationText.Required, [nameof(HostPath)]);
            else if (TemplateImportService.CheckHostFile(HostPath.Trim()) is { } problem)
                yield return new ValidationResult(problem, [nameof(HostPath)]);
        }
        else if (string.IsNullOrEmpty(UploadFileName))
        {
            yield return new ValidationResult(ValidationText.Required, [nameof(UploadFileName)]);
        }
    }

    public TemplateImportChoices ToChoices(SshHostSettings? ssh) => new()
    {
        Node = Node,
        VmId = VmId,
        Name = Name.Trim(),
        ImportStorage = ImportStorage,
        DiskStorage = DiskStorage,
        Bridge = Bridge,
        Ssh = ssh,
    };
}

/// <summary>SSH access to the node, asked for when the API cannot import the image.</summary>
public sealed class SshForm : IValidatableObject
{
    /// <summary>A key is stored already: an empty <see cref="PrivateKey"/> keeps it.</summary>
    public bool HasStoredKey { get; set; }

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    public string Host { get; set; } = "";

    [Range(1, 65535, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.PortRange))]
    public int Port { get; set; } = 22;

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [RegularExpression(ProxmoxPatterns.User, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.UserFormat))]
    public string User { get; set; } = "root";

    [RegularExpression(ProxmoxPatterns.SshPrivateKey, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.SshPrivateKeyFormat))]
    public string? PrivateKey { get; set; }

    [RegularExpression(ProxmoxPatterns.HostKey, ErrorMessageResourceType = typeof(ProxmoxValidationText), ErrorMessageResourceName = nameof(ProxmoxValidationText.HostKeyFormat))]
    public string? PinnedHostKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!HasStoredKey && string.IsNullOrWhiteSpace(PrivateKey))
            yield return new ValidationResult(ValidationText.Required, [nameof(PrivateKey)]);
    }

    /// <summary>The settings, with <paramref name="storedKey"/> when no key was typed.</summary>
    public SshHostSettings ToSettings(string? storedKey) => new()
    {
        Host = Host.Trim(),
        Port = Port,
        User = User.Trim(),
        PrivateKey = string.IsNullOrWhiteSpace(PrivateKey) ? storedKey ?? "" : PrivateKey.Trim() + "\n",
        PinnedHostKey = string.IsNullOrWhiteSpace(PinnedHostKey) ? null : PinnedHostKey.Trim(),
    };
}
