using System.Text.Json.Serialization;

namespace Appliance.Proxmox.Models;

/// <summary>One certificate of <c>GET /nodes/{node}/certificates/info</c> (pve-root-ca.pem, pve-ssl.pem, pveproxy-ssl.pem).</summary>
public sealed record CertificateInfo
{
    /// <summary>File name, e.g. <c>pve-root-ca.pem</c>.</summary>
    [JsonPropertyName("filename")] public string? FileName { get; init; }

    /// <summary>SHA-256 fingerprint, <c>AB:CD:…</c>.</summary>
    [JsonPropertyName("fingerprint")] public string? Fingerprint { get; init; }

    /// <summary>Subject.</summary>
    [JsonPropertyName("subject")] public string? Subject { get; init; }

    /// <summary>Issuer.</summary>
    [JsonPropertyName("issuer")] public string? Issuer { get; init; }

    /// <summary>Not valid before, Unix seconds.</summary>
    [JsonPropertyName("notbefore")] public long? NotBeforeUnix { get; init; }

    /// <summary>Not valid after, Unix seconds: warn the operator before it.</summary>
    [JsonPropertyName("notafter")] public long? NotAfterUnix { get; init; }

    /// <summary>PEM text.</summary>
    [JsonPropertyName("pem")] public string? Pem { get; init; }

    /// <summary>Subject alternative names.</summary>
    [JsonPropertyName("san")] public IReadOnlyList<string>? SubjectAlternativeNames { get; init; }

    /// <summary>True for the cluster CA, the certificate to trust for later connections.</summary>
    public bool IsClusterAuthority => FileName == "pve-root-ca.pem";
}
