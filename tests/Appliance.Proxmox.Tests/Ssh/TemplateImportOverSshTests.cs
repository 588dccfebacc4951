using System.Security.Cryptography;
using Appliance.Proxmox.Ssh;
using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tests.Support;
using Appliance.Proxmox.Workflows.TemplateImport;

namespace Appliance.Proxmox.Tests.Ssh;

/// <summary>
/// The template import's SSH fallback end to end: the schema-generated PVE API says 8.2, the image goes over real
/// SFTP to a real sshd, and a stand-in <c>qm</c> on the session's PATH records what it was asked to import.
/// </summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TemplateImportOverSshTests
{
    [Fact]
    public async Task Old_pve_gets_the_image_over_sftp_and_qm_imports_it_from_the_copied_path()
    {
        using var lab = SshdLab.Start();
        var log = Path.Combine(lab.Directory, "qm.log");
        var qm = Path.Combine(lab.BinDirectory, "qm");
        await File.WriteAllTextAsync(qm, $$"""
            #!/bin/sh
            echo "qm $*" >> {{log}}
            for a in "$@"; do
              case "$a" in *import-from=*) p=${a#*import-from=}; sha256sum "${p%%,*}" >> {{log}}; stat -c %a "$(dirname "${p%%,*}")" >> {{log}};; esac
            done
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(qm, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await using var pve = await FakePveServer.StartAsync();
        pve.Respond("GET", "/version", new { version = "8.2.7", release = "8.2", repoid = "3e76eec2" });
        using var client = Pve.Client(pve);
        var image = Support.Qcow2.Image(2 * 1024 * 1024 + 5);
        var request = new TemplateImportRequest
        {
            Node = "pve",
            VmId = 9000,
            ImageFileName = "appliance-1.4.0.qcow2",
            OpenImage = () => new MemoryStream(image),
            DiskStorage = "local-lvm",
            SshScratchDirectory = lab.Directory,
            Ssh = new SshHostSettings { Host = lab.Address, PrivateKey = lab.ClientPrivateKey, PinnedHostKey = lab.HostKeyFingerprint },
        };

        var result = await new TemplateImporter(client, new InstantDelayTimeProvider()).ImportAsync(request);

        Assert.True(result.Succeeded, result.Error);
        Assert.True(result.UsedSsh);
        Assert.Equal(lab.HostKeyFingerprint, result.SshHostKeyFingerprint);
        var lines = await File.ReadAllLinesAsync(log);
        // The copy went into a fresh directory made by mktemp -d (0700, random name) and is gone with it.
        var match = System.Text.RegularExpressions.Regex.Match(lines[0],
            $"^qm set 9000 --scsi0 local-lvm:0,import-from=({System.Text.RegularExpressions.Regex.Escape(lab.Directory)}/appliance-import\\.[A-Za-z0-9]{{10}})/appliance-1\\.4\\.0\\.qcow2,discard=on,iothread=1 --boot order=scsi0$");
        Assert.True(match.Success, lines[0]);
        var copied = match.Groups[1].Value + "/appliance-1.4.0.qcow2";
        Assert.Equal($"{Convert.ToHexStringLower(SHA256.HashData(image))}  {copied}", lines[1]);
        Assert.Equal("700", lines[2]);
        Assert.False(Directory.Exists(match.Groups[1].Value));
        Assert.True(pve.Vms.IsTemplate(9000));
    }
}
