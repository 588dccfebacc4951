using System.Runtime.Versioning;
using System.Security.Cryptography;
using Appliance.EndToEnd.Tests.Support;

namespace Appliance.EndToEnd.Tests;

/// <summary>
/// deploy/proxmox/install-on-pve.sh run against stand-ins for the Proxmox VE commands (qm, pvesm, pvesh,
/// pveversion, ip, qemu-img, id) that log every call and answer like a PVE host: the script's logic runs
/// for real, and the calls it makes are checked against the hardware the appliance needs.
/// </summary>
[Trait("Category", "Deploy")]
[SupportedOSPlatform("linux")]
public sealed class InstallOnPveScriptTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    // One script behind every stand-in name; it tells them apart by $0.
    private const string Stub = """
        #!/usr/bin/env bash
        set -u
        state=${PVE_STUB_STATE:?}
        name=$(basename "$0")
        printf '%s %s\n' "$name" "$*" >>"$state/calls.log"
        [[ "$name $*" == *"${PVE_STUB_FAIL:-no failure asked}"* ]] && { echo "stub: failing '$name $*' as asked" >&2; exit 1; }
        case "$name" in
          id) echo 0 ;;
          pveversion) echo "pve-manager/${PVE_STUB_VERSION}/faa83925c9641325 (running kernel: 6.8.4-2-pve)" ;;
          pvesm) printf 'Name Type Status Total Used Available %%\nlocal-lvm lvmthin active 100 1 99 1.00%%\n' ;;
          pvesh)
            case "$2" in
              */agent/file-write) printf '%s' "$6" >"$state/guest-pairing.token" ;;
              */agent/file-read) printf '{"content":"%s\\n","bytes-read":96}\n' "${PVE_STUB_FINGERPRINT:?}" ;;
              *) n=$(cat "$state/nextid" 2>/dev/null || echo 100); echo "$n"; echo $((n + 1)) >"$state/nextid" ;;
            esac ;;
          ip) printf '7: vmbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n8: vmbr1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n' ;;
          qemu-img) echo "file format: qcow2" ;;
          qm)
            case "$1" in
              status) [[ -e $state/vm-$2 ]] || { echo "Configuration file for VM $2 does not exist" >&2; exit 2; }; echo "status: stopped" ;;
              create) : >"$state/vm-$2" ;;
              clone) : >"$state/vm-$3" ;;
              importdisk) echo "unused0: local-lvm:vm-$2-disk-0" >>"$state/vm-$2" ;;
              template) echo "template: 1" >>"$state/vm-$2" ;;
              config) [[ -e $state/vm-$2 ]] || exit 2; cat "$state/vm-$2"; echo "name: appliance-template" ;;
              destroy) rm -f "$state/vm-$2" ;;
              guest) echo '[{"name":"lo","ip-addresses":[{"ip-address":"127.0.0.1"}]},{"name":"ens18","ip-addresses":[{"ip-address-type":"ipv4","ip-address":"192.0.2.10","prefix":24}]}]' ;;
            esac ;;
        esac
        exit 0
        """;

    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("appliance-pve-stub-");

    public InstallOnPveScriptTests()
    {
        string bin = Path.Combine(_dir.FullName, "bin");
        Directory.CreateDirectory(bin);
        string stub = Path.Combine(bin, "pve-stub");
        File.WriteAllText(stub, Stub.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var name in new[] { "qm", "pvesm", "pvesh", "pveversion", "ip", "qemu-img", "id" })
            File.CreateSymbolicLink(Path.Combine(bin, name), "pve-stub");
        File.WriteAllText(Path.Combine(_dir.FullName, "appliance-1.0.0.qcow2"), "not really a qcow2: qemu-img is a stand-in");
        File.WriteAllText(Path.Combine(_dir.FullName, "keys.pub"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGl0ZXN0a2V5IGZvciB0aGUgc3R1Yg== operator\n");
    }

    public void Dispose() => _dir.Delete(recursive: true);

    private string Image => Path.Combine(_dir.FullName, "appliance-1.0.0.qcow2");

    /// <summary>What the guest's agent published as its API certificate fingerprint (read back through the guest agent).</summary>
    private readonly string _fingerprint = string.Join(':', Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).Chunk(2).Select(pair => new string(pair)));

    private async Task<(ScriptResult Result, string[] Calls)> InstallAsync(string pveVersion, string? failOn = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = Path.Combine(_dir.FullName, "bin") + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["PVE_STUB_STATE"] = _dir.FullName,
            ["PVE_STUB_VERSION"] = pveVersion,
            ["PVE_STUB_FINGERPRINT"] = _fingerprint,
            // One look for the guest agent: a stand-in that does not answer would otherwise be polled for 3 minutes.
            ["APPLIANCE_AGENT_WAIT"] = "0",
        };
        if (failOn is not null)
            environment["PVE_STUB_FAIL"] = failOn;
        var result = await ScriptRun.RunAsync("bash",
            ["deploy/proxmox/install-on-pve.sh", "--image", Image, "--storage", "local-lvm", "--bridge", "vmbr0",
             "--pppoe-bridge", "vmbr1", "--ssh-key", Path.Combine(_dir.FullName, "keys.pub")],
            Patience, environment);
        string log = Path.Combine(_dir.FullName, "calls.log");
        var calls = File.Exists(log) ? File.ReadAllLines(log) : [];
        return (result, calls);
    }

    private static void AssertCalled(string[] calls, string expected, ScriptResult result) =>
        Assert.True(calls.Contains(expected), $"expected the call\n  {expected}\namong\n  {string.Join("\n  ", calls)}\n{result.Describe("install-on-pve.sh")}");

    [Fact]
    public async Task On_PVE_8_it_imports_the_disk_in_qm_create_makes_a_template_and_starts_a_full_clone()
    {
        var (result, calls) = await InstallAsync("8.2.4");

        Assert.True(result.Succeeded, result.Describe("install-on-pve.sh"));
        AssertCalled(calls,
            "qm create 100 --name appliance-template --ostype l26 --machine q35 --cores 2 --memory 1024 --scsihw virtio-scsi-single " +
            "--net0 virtio,bridge=vmbr0,firewall=1 --net1 virtio,bridge=vmbr1,firewall=0 --serial0 socket --vga serial0 --agent enabled=1 " +
            "--onboot 1 --tags appliance --description L2 VPN appliance template, from appliance-1.0.0.qcow2 " +
            $"--scsi0 local-lvm:0,import-from={Image},discard=on,iothread=1", result);
        AssertCalled(calls, "qm set 100 --scsi1 local-lvm:cloudinit --boot order=scsi0", result);
        AssertCalled(calls, $"qm set 100 --ciuser appliance --sshkeys {_dir.FullName}/keys.pub --ipconfig0 ip=dhcp --ciupgrade 0", result);
        AssertCalled(calls, "qm template 100", result);
        AssertCalled(calls, "qm clone 100 101 --name appliance --full 1 --storage local-lvm", result);
        AssertCalled(calls, "qm start 101", result);
        Assert.DoesNotContain(calls, call => call.StartsWith("qm destroy", StringComparison.Ordinal));
        Assert.Contains("agent API: https://192.0.2.10:7443/", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_the_start_it_writes_a_fresh_pairing_token_through_the_guest_agent_and_prints_it_once_with_the_fingerprint()
    {
        var (result, calls) = await InstallAsync("8.2.4");

        Assert.True(result.Succeeded, result.Describe("install-on-pve.sh"));
        string tokenFile = Path.Combine(_dir.FullName, "guest-pairing.token");
        Assert.True(File.Exists(tokenFile), $"no agent/file-write of the pairing token\n{result.Describe("install-on-pve.sh")}");
        string token = File.ReadAllText(tokenFile);
        // 32 random bytes in base64url, as the panel's deploy makes them.
        Assert.Matches("^[A-Za-z0-9_-]{43}$", token);
        int start = Array.IndexOf(calls, "qm start 101");
        int write = Array.FindIndex(calls, call => call.StartsWith("pvesh create /nodes/localhost/qemu/101/agent/file-write --file /etc/appliance/pairing.token --content ", StringComparison.Ordinal));
        Assert.True(start >= 0 && write > start, $"the token must be written after the start\n  {string.Join("\n  ", calls)}");
        AssertCalled(calls, "pvesh get /nodes/localhost/qemu/101/agent/file-read --file /var/lib/appliance/api.fingerprint --output-format json", result);

        var lines = result.Output.Split('\n');
        Assert.Single(lines, line => line.Contains(token, StringComparison.Ordinal) && line.Contains("pairing token", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.StartsWith('+') && line.Contains(token, StringComparison.Ordinal));
        Assert.Contains($"API certificate SHA-256: {_fingerprint}", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_guest_agent_it_says_where_the_agent_printed_its_pairing_token()
    {
        var (result, calls) = await InstallAsync("8.2.4", failOn: "qm agent 101 ping");

        Assert.True(result.Succeeded, result.Describe("install-on-pve.sh"));
        Assert.DoesNotContain(calls, call => call.Contains("agent/file-write", StringComparison.Ordinal));
        Assert.Contains("journalctl -u appliance-agent | grep 'pairing token'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_PVE_7_1_it_falls_back_to_qm_importdisk_and_leaves_out_ciupgrade()
    {
        var (result, calls) = await InstallAsync("7.1-12");

        Assert.True(result.Succeeded, result.Describe("install-on-pve.sh"));
        AssertCalled(calls, $"qm importdisk 100 {Image} local-lvm", result);
        AssertCalled(calls, "qm set 100 --scsi0 local-lvm:vm-100-disk-0,discard=on,iothread=1 --delete unused0", result);
        Assert.DoesNotContain(calls, call => call.Contains("import-from", StringComparison.Ordinal) || call.Contains("--ciupgrade", StringComparison.Ordinal));
        AssertCalled(calls, "qm template 100", result);
    }

    [Fact]
    public async Task A_failed_step_destroys_the_half_made_template_again()
    {
        var (result, calls) = await InstallAsync("8.2.4", failOn: "qm template 100");

        Assert.False(result.Succeeded, result.Describe("install-on-pve.sh"));
        AssertCalled(calls, "qm destroy 100 --purge 1", result);
        Assert.DoesNotContain(calls, call => call.StartsWith("qm clone", StringComparison.Ordinal));
    }
}
