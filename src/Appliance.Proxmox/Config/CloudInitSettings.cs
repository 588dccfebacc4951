using System.Globalization;
using Appliance.Proxmox.Http;

namespace Appliance.Proxmox.Config;

/// <summary>Cloud-init options of the appliance VM: user, SSH keys, per-NIC addressing.</summary>
public sealed record CloudInitSettings
{
    /// <summary>Guest user whose keys are set (<c>ciuser</c>).</summary>
    public string? User { get; init; }

    /// <summary>OpenSSH public keys, one per entry (<c>sshkeys</c>).</summary>
    public IReadOnlyList<string> SshPublicKeys { get; init; } = [];

    /// <summary>Addressing per NIC index (<c>ipconfigN</c>).</summary>
    public IReadOnlyDictionary<int, IpConfig> IpConfigs { get; init; } = new Dictionary<int, IpConfig>();

    /// <summary>Package upgrade on first boot (<c>ciupgrade</c>); off for an appliance that must boot offline.</summary>
    public bool? UpgradePackages { get; init; }

    /// <summary>DNS server(s), space-separated (<c>nameserver</c>).</summary>
    public string? Nameserver { get; init; }

    /// <summary>
    /// <c>sshkeys</c> must be percent-encoded before form encoding: PVE's <c>urlencoded</c> format allows only
    /// <c>A–Z a–z 0–9 - _ . ! ~ * ' ( ) %</c> (pve-common <c>pve_verify_urlencoded</c>). Keys are joined with a newline.
    /// </summary>
    public static string EncodeSshKeys(IEnumerable<string> keys)
        => Uri.EscapeDataString(string.Join('\n', keys.Select(k => k.Trim()).Where(k => k.Length > 0)));

    /// <summary>The wire parameters.</summary>
    public ProxmoxParameters ToParameters()
    {
        var parameters = new ProxmoxParameters().Add("ciuser", User);
        if (SshPublicKeys.Count > 0)
            parameters.Add("sshkeys", EncodeSshKeys(SshPublicKeys));
        foreach (var (index, config) in IpConfigs.OrderBy(p => p.Key))
            parameters.Add(string.Create(CultureInfo.InvariantCulture, $"ipconfig{index}"), config.ToPropertyString());
        parameters.Add("ciupgrade", UpgradePackages);
        parameters.Add("nameserver", Nameserver);
        return parameters;
    }
}
