using Appliance.Proxmox.Tests.FakePve;
using Appliance.Proxmox.Tls;

namespace Appliance.Web.Tests.Proxmox;

/// <summary>
/// A small PVE 9.1 node as the schema-generated fake serves it: node <c>pve</c>, bridges vmbr0 and vmbr1 (port enp2s0),
/// the appliance VM 100 with its PPPoE NIC on vmbr1, the appliance template 9000, and a guest agent that answers at once.
/// </summary>
public static class PveScenario
{
    public const string Node = "pve";
    public const int ApplianceVmId = 100;
    public const int TemplateVmId = 9000;
    public const int NextVmId = 101;
    public const string TemplateMac = "BC:24:11:AA:BB:01";
    public const string GuestAddress = "192.0.2.50";
    public const string AgentFingerprint = "12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0:12:34:56:78:9A:BC:DE:F0";

    /// <summary>Every privilege the panel asks for (PVE 9 names).</summary>
    public static readonly string[] AllPrivileges =
    [
        "VM.Audit", "VM.PowerMgmt", "VM.Allocate", "VM.Clone", "VM.Config.Disk", "VM.Config.Network", "VM.Config.Cloudinit", "VM.Config.Options",
        "VM.Config.CPU", "VM.Config.Memory", "VM.Config.HWType", "VM.GuestAgent.Audit", "VM.GuestAgent.FileWrite", "VM.GuestAgent.FileRead",
        "Datastore.AllocateTemplate", "Datastore.Audit", "Datastore.AllocateSpace", "Sys.Audit", "SDN.Use",
    ];

    /// <summary>Version, nodes, certificates, permissions (all but <paramref name="withheld"/>), network, storages, resources, next id.</summary>
    public static void Cluster(FakePveServer pve, params string[] withheld)
    {
        pve.Respond("GET", "/version", new { version = "9.1.2", release = "9.1", repoid = "4c1ab1fa" });
        pve.Respond("GET", "/nodes", new object[]
        {
            new { node = Node, status = "online", ssl_fingerprint = pve.Fingerprint, cpu = 0.031, maxcpu = 8, mem = 4_000_000_000L, maxmem = 16_000_000_000L, uptime = 86_400 },
        });
        pve.Respond("GET", "/access/permissions", new Dictionary<string, object>
        {
            ["/"] = AllPrivileges.Where(p => !withheld.Contains(p)).ToDictionary(p => p, _ => 1),
        });
        pve.Respond("GET", "/nodes/{node}/certificates/info", new object[]
        {
            new { filename = "pve-root-ca.pem", fingerprint = CertificateFingerprint.Of(TestCertificates.ClusterAuthority), pem = TestCertificates.Pem(TestCertificates.ClusterAuthority) },
        });
        pve.Respond("GET", "/nodes/{node}/network", new object[]
        {
            new { iface = "vmbr0", type = "bridge", active = 1, bridge_ports = "enp1s0", cidr = "192.0.2.5/24", gateway = "192.0.2.1", method = "static" },
            new { iface = "vmbr1", type = "bridge", active = 1, bridge_ports = "enp2s0", method = "manual", comments = "PPPoE", mtu = 1500 },
            new { iface = "enp1s0", type = "eth", active = 1, method = "manual" },
            new { iface = "enp2s0", type = "eth", active = 1, method = "manual" },
        });
        pve.Respond("GET", "/nodes/{node}/storage", new object[]
        {
            new { storage = "local", type = "dir", content = "iso,vztmpl,backup,import", active = 1, enabled = 1 },
            new { storage = "local-lvm", type = "lvmthin", content = "images,rootdir", active = 1, enabled = 1 },
        });
        pve.Respond("GET", "/cluster/resources", new object[]
        {
            new { id = $"qemu/{ApplianceVmId}", type = "qemu", node = Node, status = "running", name = "l2vpn-appliance", vmid = ApplianceVmId, template = 0 },
            new { id = $"qemu/{TemplateVmId}", type = "qemu", node = Node, status = "stopped", name = "l2vpn-appliance-template", vmid = TemplateVmId, template = 1 },
        });
        pve.Respond("GET", "/cluster/nextid", NextVmId);
    }

    /// <summary>The appliance VM 100, running, its PPPoE NIC on vmbr1 with the firewall as given; an hour of RRD samples.</summary>
    public static void ApplianceVm(FakePveServer pve, bool pppoeFirewallOn, DateTimeOffset now)
    {
        pve.Vms.Add(ApplianceVmId, new Dictionary<string, string>
        {
            ["name"] = "l2vpn-appliance", ["agent"] = "enabled=1",
            ["net0"] = "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=0",
            ["net1"] = $"virtio=BC:24:11:00:00:02,bridge=vmbr1,firewall={(pppoeFirewallOn ? 1 : 0)}",
        }, status: "running");
        var start = now.ToUnixTimeSeconds() / 60 * 60 - 59 * 60;
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/rrddata", Enumerable.Range(0, 60).Select(i => (object)new
        {
            time = start + i * 60,
            cpu = 0.05 + 0.04 * Math.Sin(i / 6.0),
            maxcpu = 2,
            mem = 400_000_000L + i * 2_000_000L,
            maxmem = 1_073_741_824L,
            netin = 20_000.0 + 5_000 * Math.Cos(i / 5.0),
            netout = 12_000.0 + 4_000 * Math.Sin(i / 4.0),
        }).ToArray());
    }

    /// <summary>The appliance template 9000 (net0 with a fixed MAC), and a guest agent that answers as a booted appliance.</summary>
    public static void TemplateAndGuest(FakePveServer pve)
    {
        pve.Vms.Add(TemplateVmId, new Dictionary<string, string>
        {
            ["name"] = "l2vpn-appliance-template", ["agent"] = "enabled=1", ["scsi0"] = "local-lvm:base-9000-disk-0,size=2G",
            ["net0"] = $"virtio={TemplateMac},bridge=vmbr0,firewall=0",
        }, template: true);
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/agent/file-read", new { content = AgentFingerprint + "\n" });
        pve.Respond("GET", "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces", new Dictionary<string, object>
        {
            ["result"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = "ens18", ["hardware-address"] = TemplateMac.ToLowerInvariant(),
                    ["ip-addresses"] = new[] { new Dictionary<string, object> { ["ip-address"] = GuestAddress, ["ip-address-type"] = "ipv4", ["prefix"] = 24 } },
                },
            },
        });
    }
}
