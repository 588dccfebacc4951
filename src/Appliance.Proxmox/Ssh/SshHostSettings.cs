using System.Globalization;

namespace Appliance.Proxmox.Ssh;

/// <summary>
/// How to reach a PVE host over SSH for the jobs the API cannot do (brief §6): address, user, private key and the
/// pinned host key. The key never appears in <see cref="ToString"/>, logs or errors.
/// </summary>
public sealed record SshHostSettings
{
    /// <summary>Host name or address of the PVE node.</summary>
    public required string Host { get; init; }

    /// <summary>SSH port.</summary>
    public int Port { get; init; } = 22;

    /// <summary>Login user; <c>root</c> for <c>qm</c>/<c>pvesm</c>.</summary>
    public string User { get; init; } = "root";

    /// <summary>The private key in OpenSSH or PEM form.</summary>
    public required string PrivateKey { get; init; }

    /// <summary>
    /// The host key fingerprint confirmed earlier, as OpenSSH prints it (<c>SHA256:base64</c>); null on first contact,
    /// when the presented key is accepted and reported in <see cref="IPveShell.HostKeyFingerprint"/> to be stored.
    /// </summary>
    public string? PinnedHostKey { get; init; }

    /// <summary>Deadline for connecting and authenticating.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Every problem with these settings, each naming the field and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
            errors.Add("SSH Host is missing; enter the Proxmox node's address");
        if (Port is < 1 or > 65535)
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"SSH Port {Port} is outside 1–65535; the default is 22"));
        if (string.IsNullOrWhiteSpace(User))
            errors.Add("SSH User is missing; use root (qm and pvesm need it)");
        if (string.IsNullOrWhiteSpace(PrivateKey) || !PrivateKey.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            errors.Add("SSH PrivateKey is missing or not a private key (expected -----BEGIN OPENSSH PRIVATE KEY----- or a PEM key)");
        if (PinnedHostKey is not null && !SshHostKeyPin.TryNormalize(PinnedHostKey, out _))
            errors.Add($"SSH PinnedHostKey '{PinnedHostKey}' is not a SHA-256 host key fingerprint (SHA256:<43 base64 characters>, as ssh-keygen -lf prints it)");
        return errors;
    }

    /// <summary>Describes the target without the key.</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"ssh {User}@{Host}:{Port} key *** pin {PinnedHostKey ?? "(first contact)"}");
}
