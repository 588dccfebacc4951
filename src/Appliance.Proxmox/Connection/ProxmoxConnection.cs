using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Appliance.Proxmox.Tls;

namespace Appliance.Proxmox.Connection;

/// <summary>Where the Proxmox VE API is and how the panel authenticates to it and trusts its certificate.</summary>
/// <remarks>The secret never appears in <see cref="ToString"/>, in validation messages or in logs.</remarks>
public sealed partial class ProxmoxConnection
{
    /// <summary>Base URL of one cluster node, e.g. <c>https://pve.lan:8006</c>; any node answers for the whole cluster.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Full API token id, <c>USER@REALM!TOKENID</c>.</summary>
    public string TokenId { get; set; } = "";

    /// <summary>The token secret (a UUID shown once when the token was created).</summary>
    public string Secret { get; set; } = "";

    /// <summary>SHA-256 fingerprint of the node certificate the operator confirmed; colons and case are ignored.</summary>
    public string? PinnedFingerprint { get; set; }

    /// <summary>PEM of the cluster CA (<c>/etc/pve/pve-root-ca.pem</c>); leaves it signed are trusted even after renewal.</summary>
    public string? TrustedClusterCaPem { get; set; }

    /// <summary>Deadline for one ordinary API request (uploads use <see cref="UploadTimeout"/>).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Deadline for a new connection (TCP and TLS) to be established; a node that accepts and then stalls hits it.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline for one image upload, which streams the whole file.</summary>
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromHours(2);

    // USER@REALM!TOKENID as accepted by pve-access-control (userid pattern of GET /access/permissions).
    [GeneratedRegex(@"^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$")]
    private static partial Regex TokenIdPattern();

    /// <summary>User part of the token id (<c>USER@REALM</c>), to whom the token's ACLs must also be granted.</summary>
    public string UserId => TokenId.Contains('!', StringComparison.Ordinal) ? TokenId[..TokenId.IndexOf('!', StringComparison.Ordinal)] : TokenId;

    /// <summary>Every problem with these settings, each naming the field, the value (never the secret) and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BaseUrl is null)
            errors.Add("Proxmox BaseUrl is missing; set it to the node's API address, e.g. https://pve.lan:8006");
        else if (!BaseUrl.IsAbsoluteUri || BaseUrl.Scheme != Uri.UriSchemeHttps)
            errors.Add($"Proxmox BaseUrl '{BaseUrl}' is not an absolute https:// URL; use e.g. https://pve.lan:8006 (pveproxy only speaks HTTPS)");
        else if (BaseUrl.AbsolutePath.Length > 1 || BaseUrl.Query.Length > 0)
            errors.Add($"Proxmox BaseUrl '{BaseUrl}' carries a path or query; give only scheme, host and port, e.g. https://{BaseUrl.Authority}");

        if (string.IsNullOrWhiteSpace(TokenId))
            errors.Add("Proxmox TokenId is missing; create one under Datacenter → Permissions → API Tokens and enter it as USER@REALM!TOKENID, e.g. panel@pve!appliance");
        else if (!TokenIdPattern().IsMatch(TokenId))
            errors.Add($"Proxmox TokenId '{TokenId}' is not of the form USER@REALM!TOKENID; enter the full token id, e.g. panel@pve!appliance");

        if (string.IsNullOrWhiteSpace(Secret))
            errors.Add("Proxmox Secret is missing; paste the token secret shown once when the token was created (or create a new token)");
        else if (Secret.Any(char.IsWhiteSpace))
            errors.Add("Proxmox Secret contains whitespace; paste the token secret again without spaces or line breaks");

        if (PinnedFingerprint is not null && !CertificateFingerprint.TryNormalize(PinnedFingerprint, out _))
            errors.Add($"Proxmox PinnedFingerprint '{PinnedFingerprint}' is not a SHA-256 fingerprint (32 bytes as hex, colons optional); copy it from Node → System → Certificates or from the first-contact probe");

        if (TrustedClusterCaPem is not null && !ClusterCertificateAuthority.TryLoad(TrustedClusterCaPem, out _, out var caProblem))
            errors.Add($"Proxmox TrustedClusterCaPem is not usable: {caProblem}; paste the PEM of /etc/pve/pve-root-ca.pem or fetch it with GET /nodes/{{node}}/certificates/info");

        if (RequestTimeout <= TimeSpan.Zero)
            errors.Add($"Proxmox RequestTimeout '{RequestTimeout}' must be positive; 60 seconds suits ordinary calls");
        if (ConnectTimeout <= TimeSpan.Zero)
            errors.Add($"Proxmox ConnectTimeout '{ConnectTimeout}' must be positive; 10 seconds suits a node on the local network");
        if (UploadTimeout <= TimeSpan.Zero)
            errors.Add($"Proxmox UploadTimeout '{UploadTimeout}' must be positive; allow minutes per GiB of image");
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem from <see cref="Validate"/>.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
            throw new ArgumentException(string.Join("; ", errors), nameof(ProxmoxConnection));
    }

    /// <summary>Describes the connection without the secret.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Proxmox {BaseUrl} token {TokenId} secret ***");
        if (PinnedFingerprint is not null)
            text.Append(CultureInfo.InvariantCulture, $" pin {PinnedFingerprint}");
        if (TrustedClusterCaPem is not null)
            text.Append(" with cluster CA");
        return text.ToString();
    }
}
