using System.Security.Cryptography;
using Appliance.Proxmox.Ssh;

namespace Appliance.Proxmox.Tests.Ssh;

/// <summary>SSH to a real OpenSSH server in a namespace: host key pinning, commands, SFTP upload.</summary>
[Trait("Category", "EndToEnd")]
public sealed class SshPveShellTests
{
    private static SshHostSettings Settings(SshdLab lab, string? pin) => new()
    {
        Host = lab.Address,
        User = "root",
        PrivateKey = lab.ClientPrivateKey,
        PinnedHostKey = pin,
    };

    [Fact]
    public async Task First_contact_reports_the_host_key_fingerprint_ssh_keygen_shows_and_a_pinned_reconnect_is_accepted()
    {
        using var lab = SshdLab.Start();

        string seen;
        await using (var first = await SshPveShell.ConnectAsync(Settings(lab, pin: null)))
        {
            seen = first.HostKeyFingerprint;
            Assert.True(first.HostKeyWasNew);
        }
        await using var again = await SshPveShell.ConnectAsync(Settings(lab, pin: seen));

        Assert.Equal(lab.HostKeyFingerprint, seen);
        Assert.False(again.HostKeyWasNew);
        Assert.Equal(seen, again.HostKeyFingerprint);
    }

    [Fact]
    public async Task Changed_host_key_is_refused_naming_both_fingerprints_before_authenticating()
    {
        using var lab = SshdLab.Start();
        var pinned = lab.HostKeyFingerprint;
        lab.ReplaceHostKey();

        var thrown = await Assert.ThrowsAsync<SshHostKeyMismatchException>(() => SshPveShell.ConnectAsync(Settings(lab, pinned)));

        Assert.Equal(pinned, thrown.Pinned);
        Assert.Equal(lab.HostKeyFingerprint, thrown.Presented);
        Assert.Contains("changed", thrown.Message, StringComparison.Ordinal);
        Assert.Contains(lab.HostKeyFingerprint, thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(lab.Log, line => line.Contains("Accepted publickey", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Command_returns_output_error_and_exit_status()
    {
        using var lab = SshdLab.Start();
        await using var shell = await SshPveShell.ConnectAsync(Settings(lab, lab.HostKeyFingerprint));

        var result = await shell.RunAsync("id -u; echo to-stderr >&2; exit 3");
        var quoted = await shell.RunAsync(ShellQuote.Command("printf", "%s|", "it's", "a b;c"));

        Assert.Equal((3, "0\n", "to-stderr\n"), (result.ExitStatus, result.Output, result.Error));
        Assert.Equal("it's|a b;c|", quoted.Output);
    }

    [Fact]
    public async Task Sftp_upload_writes_the_exact_bytes()
    {
        using var lab = SshdLab.Start();
        await using var shell = await SshPveShell.ConnectAsync(Settings(lab, lab.HostKeyFingerprint));
        var image = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var target = Path.Combine(lab.Directory, "appliance-test.qcow2");

        await shell.UploadAsync(new MemoryStream(image), target);
        var remoteHash = await shell.RunAsync(ShellQuote.Command("sha256sum", target));

        Assert.Equal(image, await File.ReadAllBytesAsync(target));
        Assert.StartsWith(Convert.ToHexStringLower(SHA256.HashData(image)), remoteHash.Output, StringComparison.Ordinal);
    }
}
