using System.Globalization;
using System.Resources;

namespace Appliance.Web.Proxmox;

/// <summary>Validation messages of the Proxmox forms (<c>ErrorMessageResourceType</c>), from <c>ProxmoxText.resx</c> in the current UI culture.</summary>
public static class ProxmoxValidationText
{
    private static readonly ResourceManager Resources = new(typeof(ProxmoxText).FullName!, typeof(ProxmoxText).Assembly);

    public static string BaseUrlFormat => Get(nameof(BaseUrlFormat));
    public static string TokenIdFormat => Get(nameof(TokenIdFormat));
    public static string SecretFormat => Get(nameof(SecretFormat));
    public static string FingerprintFormat => Get(nameof(FingerprintFormat));
    public static string VmIdRange => Get(nameof(VmIdRange));
    public static string VmNameFormat => Get(nameof(VmNameFormat));
    public static string NameFormat => Get(nameof(NameFormat));
    public static string CidrFormat => Get(nameof(CidrFormat));
    public static string GatewayFormat => Get(nameof(GatewayFormat));
    public static string SshPublicKeyFormat => Get(nameof(SshPublicKeyFormat));
    public static string SshPrivateKeyFormat => Get(nameof(SshPrivateKeyFormat));
    public static string HostKeyFormat => Get(nameof(HostKeyFormat));
    public static string PortRange => Get(nameof(PortRange));
    public static string UserFormat => Get(nameof(UserFormat));
    public static string SameBridge => Get(nameof(SameBridge));

    private static string Get(string name) => Resources.GetString("Validation" + name, CultureInfo.CurrentUICulture) ?? name;
}
