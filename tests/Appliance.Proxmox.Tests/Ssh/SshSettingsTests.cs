using Appliance.Proxmox.Ssh;

namespace Appliance.Proxmox.Tests.Ssh;

/// <summary>SSH settings, host key fingerprints and shell quoting; no server needed.</summary>
public sealed class SshSettingsTests
{
    private const string Key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA-not-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n";

    [Fact]
    public void Problems_are_named_and_the_key_never_shows()
    {
        var settings = new SshHostSettings { Host = "", Port = 0, PrivateKey = "ssh-ed25519 AAAA public", PinnedHostKey = "MD5:ab:cd" };

        var problems = settings.Validate();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Contains("SSH Host is missing", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("not a private key", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'MD5:ab:cd' is not a SHA-256 host key fingerprint", StringComparison.Ordinal));
        Assert.DoesNotContain("PRIVATE", new SshHostSettings { Host = "pve", PrivateKey = Key }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_key_is_refused_before_connecting_without_echoing_it()
    {
        var thrown = await Assert.ThrowsAsync<ArgumentException>(() => SshPveShell.ConnectAsync(new SshHostSettings { Host = "192.0.2.1", PrivateKey = Key }));

        Assert.Contains("could not be read", thrown.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-real-key", thrown.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", "uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", true)]
    [InlineData("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", "uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s=", true)]
    [InlineData("SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", "SHA256:UNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", false)]
    [InlineData("SHA256:short", "SHA256:short", false)]
    public void Host_key_fingerprints_compare_exactly_with_prefix_and_padding_optional(string left, string right, bool equal)
        => Assert.Equal(equal, SshHostKeyPin.AreEqual(left, right));

    [Theory]
    [InlineData("local-lvm:0,import-from=/var/tmp/a.qcow2", "local-lvm:0,import-from=/var/tmp/a.qcow2")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("a b;c$(x)", "'a b;c$(x)'")]
    [InlineData("", "''")]
    public void Arguments_are_quoted_only_when_the_shell_would_read_them_otherwise(string argument, string quoted)
        => Assert.Equal(quoted, ShellQuote.Quote(argument));
}
