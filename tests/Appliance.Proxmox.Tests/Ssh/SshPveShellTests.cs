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
    public async Task The_host_key_is_read_without_authenticating_an_unpinned_connect_is_refused_and_a_pinned_one_accepted()
    {
        using var lab = SshdLab.Start();

        var seen = await SshHostKeyProbe.ReadAsync(lab.Address, 22, TimeSpan.FromSeconds(30));
        var unpinned = await Assert.ThrowsAsync<ArgumentException>(() => SshPveShell.ConnectAsync(Settings(lab, pin: null)));
        await using var pinned = await SshPveShell.ConnectAsync(Settings(lab, pin: seen));

        Assert.Equal(lab.HostKeyFingerprint, seen);
        Assert.Contains("has not been confirmed", unpinned.Message, StringComparison.Ordinal);
        Assert.Equal(seen, pinned.HostKeyFingerprint);
        Assert.DoesNotContain(lab.Log, line => line.Contains("host-key-probe", StringComparison.Ordinal));
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
