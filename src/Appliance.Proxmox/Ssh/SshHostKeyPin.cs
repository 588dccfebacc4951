namespace Appliance.Proxmox.Ssh;

/// <summary>Host key fingerprints as OpenSSH shows them (<c>SHA256:</c> + unpadded base64 of the key's SHA-256).</summary>
public static class SshHostKeyPin
{
    /// <summary>Formats SSH.NET's unpadded base64 SHA-256 as <c>SHA256:…</c>.</summary>
    public static string Format(string unpaddedBase64) => "SHA256:" + unpaddedBase64.TrimEnd('=');

    /// <summary>Reduces a fingerprint to its 43 base64 characters; false when it is not one. The prefix and padding are optional.</summary>
    public static bool TryNormalize(string? text, out string normalized)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var value = text.Trim();
        if (value.StartsWith("SHA256:", StringComparison.Ordinal))
            value = value["SHA256:".Length..];
        value = value.TrimEnd('=');
        if (value.Length != 43 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
            return false;
        normalized = value;
        return true;
    }

    /// <summary>True when both name the same key (base64 is case-sensitive, so compared exactly).</summary>
    public static bool AreEqual(string? left, string? right)
        => TryNormalize(left, out var a) && TryNormalize(right, out var b) && string.Equals(a, b, StringComparison.Ordinal);
}

/// <summary>The host presented a key other than the pinned one: no password, key or command was sent.</summary>
public sealed class SshHostKeyMismatchException(string host, string pinned, string presented)
    : Exception($"the SSH host key of {host} changed: it presented {presented}, the panel pinned {pinned}. Nothing was sent. " +
                "If the Proxmox host was reinstalled or its keys regenerated, check the new key on the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) " +
                "and confirm it in the panel; otherwise someone may be intercepting the connection")
{
    /// <summary>The fingerprint pinned.</summary>
    public string Pinned { get; } = pinned;

    /// <summary>The fingerprint presented.</summary>
    public string Presented { get; } = presented;
}
