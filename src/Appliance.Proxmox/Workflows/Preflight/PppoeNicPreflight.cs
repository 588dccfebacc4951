using System.Globalization;
using Appliance.Proxmox.Config;
using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Models;
using Appliance.Proxmox.Tasks;

namespace Appliance.Proxmox.Workflows.Preflight;

/// <summary>
/// Checks that a VM's PPPoE NIC can carry the ISP's frames (brief §5): the bridge exists with a physical port and an
/// MTU of at least 1500, the VM has a virtio NIC on it with the Proxmox firewall off (with it on, the VM's MAC filter
/// drops the remote clients' MACs) and an MTU setting that suits the bridge. NIC problems come with an API fix that
/// rewrites only the field concerned.
/// </summary>
public sealed class PppoeNicPreflight(ProxmoxClient client, TaskWaitOptions? fixWait = null)
{
    private static readonly string[] PhysicalTypes = ["eth", "bond", "vlan"];
    private static readonly string[] NicModels = ["virtio", "e1000", "e1000e", "rtl8139", "vmxnet3", "i82551", "i82557b", "i82559er", "ne2k_isa", "ne2k_pci", "pcnet", "e1000-82540em", "e1000-82544gc", "e1000-82545em"];
    private readonly TaskWaitOptions _fixWait = fixWait ?? new TaskWaitOptions { Timeout = TimeSpan.FromMinutes(1) };

    /// <summary>Runs every check that its predecessors allow (no NIC checks without a bridge).</summary>
    public async Task<PreflightReport> CheckAsync(string node, int vmId, string bridge, CancellationToken cancellationToken = default)
    {
        var checks = new List<PreflightCheck>();
        var interfaces = await client.GetNetworkInterfacesAsync(node, null, cancellationToken).ConfigureAwait(false);
        var found = interfaces.FirstOrDefault(i => i.Name == bridge && i.Type is "bridge" or "OVSBridge");
        if (found is null)
        {
            var candidates = CandidatePorts(interfaces);
            checks.Add(new(PreflightCheckIds.BridgeExists, false,
                $"bridge {bridge} does not exist on node {node} (or the token lacks SDN.Audit/SDN.Use on /sdn/zones/localnetwork/{bridge}, which hides it): " +
                "create it under Node → System → Network → Create → Linux Bridge with the modem/ONT-facing NIC as bridge port and no IP address, then Apply Configuration",
                candidates.Count == 0 ? null : new BridgeFix(PreflightCheckIds.BridgeExists, $"create bridge {bridge} on a free NIC ({string.Join(", ", candidates)}) and apply", bridge, true, candidates, [], null)));
            return new PreflightReport(node, vmId, bridge, checks);
        }
        checks.Add(new(PreflightCheckIds.BridgeExists, true, $"bridge {bridge} exists on node {node}"));
        checks.Add(CheckPhysicalPort(found, interfaces));
        var bridgeMtu = found.Mtu ?? 1500;
        checks.Add(bridgeMtu >= 1500
            ? new(PreflightCheckIds.BridgeMtu, true, $"bridge {bridge} has MTU {bridgeMtu}")
            : new(PreflightCheckIds.BridgeMtu, false,
                $"bridge {bridge} has MTU {bridgeMtu}, below the 1500 a PPPoE link needs (1492 for PPP plus 8 bytes of PPPoE); set MTU 1500 (or 1508 for RFC 4638) on {bridge} and its port under Node → System → Network",
                new BridgeFix(PreflightCheckIds.BridgeMtu, $"set MTU 1500 on bridge {bridge} and apply", bridge, false, [], found.Ports, 1500)));

        var config = await client.GetVmConfigAsync(node, vmId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var nic = config.Options
            .Where(o => o.Key.StartsWith("net", StringComparison.Ordinal) && int.TryParse(o.Key.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(o => (Index: int.Parse(o.Key.AsSpan(3), CultureInfo.InvariantCulture), Value: PropertyString.Parse(o.Value)))
            .OrderBy(n => n.Index)
            .FirstOrDefault(n => n.Value["bridge"] == bridge);
        if (nic.Value is null)
        {
            var free = Enumerable.Range(0, 32).First(i => config[$"net{i}"] is null);
            var value = new NetworkDevice { Bridge = bridge, Firewall = false, Mtu = bridgeMtu > 1500 ? 1 : null }.ToPropertyString();
            checks.Add(new(PreflightCheckIds.NicOnBridge, false,
                $"VM {vmId} has no NIC on bridge {bridge}; add one (virtio, firewall off) — the fix adds net{free}; the guest sees it after a reboot",
                new NicFix(PreflightCheckIds.NicOnBridge, $"add net{free}: {value}", free, value, config.Digest)));
            return new PreflightReport(node, vmId, bridge, checks);
        }
        var (index, nicValue) = nic;
        checks.Add(new(PreflightCheckIds.NicOnBridge, true, $"VM {vmId} has net{index} on bridge {bridge}"));
        checks.Add(nicValue["firewall"] == "1"
            ? new(PreflightCheckIds.NicFirewallOff, false,
                $"net{index} of VM {vmId} has the Proxmox firewall on: its MAC filter drops frames from the remote clients' MACs, so PPPoE through the tunnel fails; turn it off (firewall=0) on this NIC",
                new NicFix(PreflightCheckIds.NicFirewallOff, $"set firewall=0 on net{index}", index, nicValue.With("firewall", "0").ToString(), config.Digest))
            : new(PreflightCheckIds.NicFirewallOff, true, $"net{index} has the Proxmox firewall off"));

        var model = ModelOf(nicValue);
        checks.Add(model == "virtio"
            ? new(PreflightCheckIds.NicModelVirtio, true, $"net{index} is virtio")
            : new(PreflightCheckIds.NicModelVirtio, false,
                $"net{index} of VM {vmId} is {model}, not virtio: the appliance image carries only virtio drivers, and MTU settings need virtio; switch the model to virtio (MAC kept; effective after a reboot)",
                new NicFix(PreflightCheckIds.NicModelVirtio, $"set model virtio on net{index}", index, WithModel(nicValue, "virtio").ToString(), config.Digest)));

        checks.Add(CheckNicMtu(vmId, index, nicValue, bridge, bridgeMtu, config.Digest));
        return new PreflightReport(node, vmId, bridge, checks);
    }

    /// <summary>
    /// Applies <paramref name="fix"/> and waits for its task. A <see cref="NicFix"/> writes the new <c>netN</c> only if the
    /// config is unchanged since the check; a <see cref="BridgeFix"/> changes the node's network and applies it, using
    /// <paramref name="port"/> (one of its candidates; may be omitted when there is only one).
    /// </summary>
    public async Task<OperatorMessage> ApplyFixAsync(string node, int vmId, PreflightFix fix, string? port = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return fix switch
            {
                NicFix nic => await ApplyNicFixAsync(node, vmId, nic, cancellationToken).ConfigureAwait(false),
                BridgeFix bridge => await ApplyBridgeFixAsync(node, bridge, port, cancellationToken).ConfigureAwait(false),
                _ => throw new ArgumentException($"unknown fix {fix.GetType().Name} for check {fix.CheckId}", nameof(fix)),
            };
        }
        catch (ProxmoxException e)
        {
            var changed = e.Message.Contains("modified configuration", StringComparison.OrdinalIgnoreCase)
                ? " (the VM's config changed since the check: run the checks again)" : "";
            return new OperatorMessage(MessageLevel.Error, e.Message + changed);
        }
    }

    private async Task<OperatorMessage> ApplyNicFixAsync(string node, int vmId, NicFix fix, CancellationToken cancellationToken)
    {
        var change = new VmConfigChange().Set($"net{fix.NicIndex}", fix.NewValue);
        if (fix.ConfigDigest is not null)
            change.ExpectDigest(fix.ConfigDigest);
        var upid = await client.SetVmConfigAsync(node, vmId, change, cancellationToken).ConfigureAwait(false);
        var result = await client.WaitForTaskAsync(upid, _fixWait, cancellationToken).ConfigureAwait(false);
        return result.Error is { } error
            ? new OperatorMessage(MessageLevel.Error, error.Message)
            : new OperatorMessage(MessageLevel.Success, $"VM {vmId}: {fix.Description}; run the checks again to confirm");
    }

    private async Task<OperatorMessage> ApplyBridgeFixAsync(string node, BridgeFix fix, string? port, CancellationToken cancellationToken)
    {
        var ports = fix.KeepPorts.ToList();
        if (fix.CandidatePorts.Count > 0)
        {
            port ??= fix.CandidatePorts.Count == 1 ? fix.CandidatePorts[0] : null;
            if (port is null || !fix.CandidatePorts.Contains(port))
            {
                return new OperatorMessage(MessageLevel.Error,
                    $"choose the NIC the modem/ONT is plugged into for bridge {fix.Bridge}: one of {string.Join(", ", fix.CandidatePorts)}" + (port is null ? "" : $" ('{port}' is not one of them)"));
            }
            ports.Add(port);
        }
        if (fix.Create)
            await client.CreateBridgeAsync(node, fix.Bridge, ports, fix.Mtu, "PPPoE (L2 VPN appliance)", cancellationToken).ConfigureAwait(false);
        else
            await client.UpdateBridgeAsync(node, fix.Bridge, fix.CandidatePorts.Count > 0 ? ports : null, fix.Mtu, cancellationToken).ConfigureAwait(false);
        var upid = await client.ApplyNetworkChangesAsync(node, cancellationToken).ConfigureAwait(false);
        var result = await client.WaitForTaskAsync(upid, _fixWait, cancellationToken).ConfigureAwait(false);
        return result.Error is { } error
            ? new OperatorMessage(MessageLevel.Error, error.Message + $"; the change to {fix.Bridge} is still pending on node {node}: review it under Node → System → Network (Revert or Apply Configuration)")
            : new OperatorMessage(MessageLevel.Success, $"node {node}: {fix.Description.Replace(" and apply", "", StringComparison.Ordinal)}{(port is null ? "" : $" (port {port})")}, network configuration applied; run the checks again to confirm");
    }

    /// <summary>Physical NICs that no bridge uses and that carry no address: where the modem/ONT can be plugged.</summary>
    private static List<string> CandidatePorts(IReadOnlyList<NetworkInterface> interfaces)
    {
        var used = interfaces.Where(i => i.IsBridge).SelectMany(i => i.Ports).ToHashSet(StringComparer.Ordinal);
        return interfaces.Where(i => i.Type == "eth" && !used.Contains(i.Name) && i.Cidr is null).Select(i => i.Name).Order(StringComparer.Ordinal).ToList();
    }

    private static PreflightCheck CheckPhysicalPort(NetworkInterface bridge, IReadOnlyList<NetworkInterface> interfaces)
    {
        var ports = bridge.Ports;
        var physical = ports.Where(p => interfaces.Any(i => i.Name == p && PhysicalTypes.Contains(i.Type))).ToList();
        if (physical.Count > 0)
            return new(PreflightCheckIds.BridgePhysicalPort, true, $"bridge {bridge.Name} holds physical port {string.Join(", ", physical)}");
        var candidates = CandidatePorts(interfaces);
        var fix = candidates.Count == 0 ? null
            : new BridgeFix(PreflightCheckIds.BridgePhysicalPort, $"add a free NIC ({string.Join(", ", candidates)}) to bridge {bridge.Name} and apply", bridge.Name, false, candidates, ports, null);
        return new(PreflightCheckIds.BridgePhysicalPort, false, ports.Count == 0
            ? $"bridge {bridge.Name} has no bridge port, so it reaches no modem or ONT; set its bridge ports to the NIC the modem/ONT is plugged into (Node → System → Network → {bridge.Name} → Bridge ports) and apply"
            : $"bridge {bridge.Name} has port(s) {string.Join(", ", ports)} but none is a physical NIC, bond or VLAN on this node; make the modem/ONT-facing NIC its bridge port and apply", fix);
    }

    private static PreflightCheck CheckNicMtu(int vmId, int index, PropertyString nic, string bridge, int bridgeMtu, string? digest)
    {
        var text = nic["mtu"];
        int? mtu = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
        var fix = new NicFix(PreflightCheckIds.NicMtu, $"set mtu=1 on net{index} (inherit the bridge's {bridgeMtu})", index, nic.With("mtu", "1").ToString(), digest);
        if (mtu == 1)
            return new(PreflightCheckIds.NicMtu, true, $"net{index} inherits the bridge MTU ({bridgeMtu})");
        if (mtu is null)
        {
            return bridgeMtu <= 1500
                ? new(PreflightCheckIds.NicMtu, true, $"net{index} uses the default MTU 1500, as bridge {bridge}")
                : new(PreflightCheckIds.NicMtu, false,
                    $"bridge {bridge} has MTU {bridgeMtu} but net{index} of VM {vmId} stays at 1500, so the guest cannot use the larger frames (RFC 4638); set mtu=1 on the NIC to inherit the bridge MTU", fix);
        }
        if (mtu < 1500)
            return new(PreflightCheckIds.NicMtu, false, $"net{index} of VM {vmId} has MTU {mtu}, below the 1500 a PPPoE link needs; set mtu=1 to inherit the bridge's {bridgeMtu}", fix);
        if (mtu > bridgeMtu)
            return new(PreflightCheckIds.NicMtu, false, $"net{index} of VM {vmId} has MTU {mtu}, above bridge {bridge}'s {bridgeMtu}: larger frames would be dropped; set mtu=1 to inherit the bridge MTU", fix);
        return new(PreflightCheckIds.NicMtu, true, $"net{index} has MTU {mtu} (bridge {bridgeMtu})");
    }

    private static string ModelOf(PropertyString nic)
        => nic["model"] ?? (nic.FirstKey is { } first && NicModels.Contains(first) ? first : "unknown");

    private static PropertyString WithModel(PropertyString nic, string model)
        => nic["model"] is not null ? nic.With("model", model) : nic.WithFirstKey(model);
}
