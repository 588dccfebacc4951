using Appliance.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Appliance.EndToEnd.Tests;

/// <summary>Runs alone: building and booting the image under software emulation takes both cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ImageCollection
{
    public const string Name = "Appliance image";
}

/// <summary>
/// The appliance VM image as an operator gets it: built by deploy/proxmox/build-image.sh, booted by
/// deploy/proxmox/boot-test.sh under QEMU (no KVM) with Proxmox's two NICs, its agent answering HTTPS on 7443
/// through a port forward: /healthz openly, /api/v1/health only with the pairing token the seed preset, then with
/// one written later through the QEMU guest agent as the panel's deploy does.
/// </summary>
[Collection(ImageCollection.Name)]
[Trait("Category", "Image")]
public sealed class ApplianceImageTests(ITestOutputHelper output)
{
    // Measured on 2 cores: build 55-90 s (publish, mmdebstrap, disk), boot to /healthz 44 s (106 s on a loaded machine),
    // the token written through the guest agent adopted 15-20 s later (an agent restart), power-off ~4 s; 2 minutes in all.
    // An image built from the same agent and deploy files is reused from artifacts/image-cache.
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Image_boots_under_qemu_and_its_agent_answers_over_https_with_the_preset_pairing_token()
    {
        string outputDir = RepositoryRoot.Combine("artifacts", "image");
        string cacheDir = RepositoryRoot.Combine("artifacts", "image-cache");

        var build = await ScriptRun.RunAsync(
            RepositoryRoot.Combine("deploy", "proxmox", "build-image.sh"),
            ["--version", "0.0.0-ci", "--cache-dir", cacheDir, outputDir],
            BuildTimeout);
        output.WriteLine(build.Describe("build-image.sh"));
        Assert.True(build.Succeeded, build.Describe("build-image.sh"));
        string image = build.LastLine;
        Assert.True(File.Exists(image), $"build-image.sh named '{image}' on its last line, which is not a file");

        var boot = await ScriptRun.RunAsync(
            RepositoryRoot.Combine("deploy", "proxmox", "boot-test.sh"),
            [image],
            BootTimeout,
            new Dictionary<string, string> { ["BOOT_TEST_TIMEOUT"] = "300" });
        output.WriteLine(boot.Describe("boot-test.sh"));
        Assert.True(boot.Succeeded, boot.Describe("boot-test.sh"));
        Assert.Contains("GET /healthz -> 200 ok", boot.Output, StringComparison.Ordinal);
        Assert.Contains("as published in /var/lib/appliance/api.fingerprint", boot.Output, StringComparison.Ordinal);
        Assert.Contains("GET /api/v1/health without a token -> 401", boot.Output, StringComparison.Ordinal);
        Assert.Contains("GET /api/v1/health with the seed's pairing token -> 200", boot.Output, StringComparison.Ordinal);
        Assert.Contains("\"version\":\"0.0.0-ci\"", boot.Output, StringComparison.Ordinal);
        Assert.Contains("the agent's raw-nic uplink", boot.Output, StringComparison.Ordinal);
        Assert.Contains("a token written through the guest agent is adopted (200), the previous one refused (401)", boot.Output, StringComparison.Ordinal);
    }
}
