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
/// deploy/proxmox/boot-test.sh under QEMU (no KVM), its agent answering /health through a port forward.
/// </summary>
[Collection(ImageCollection.Name)]
[Trait("Category", "Image")]
public sealed class ApplianceImageTests(ITestOutputHelper output)
{
    // Measured on 2 cores: build ~60 s (publish, mmdebstrap, disk), boot to /health ~40 s, power-off ~7 s.
    // An image built from the same agent and deploy files is reused from artifacts/image-cache.
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Image_boots_under_qemu_and_its_agent_answers_health()
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
        Assert.Contains("GET /health -> 200", boot.Output, StringComparison.Ordinal);
        Assert.Contains("\"version\":\"0.0.0-ci\"", boot.Output, StringComparison.Ordinal);
    }
}
