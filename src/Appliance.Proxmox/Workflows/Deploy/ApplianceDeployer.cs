using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Appliance.Proxmox.Config;
using Appliance.Proxmox.GuestAgent;
using Appliance.Proxmox.Tls;

namespace Appliance.Proxmox.Workflows.Deploy;

/// <summary>
/// Deploys an appliance VM from the template and pairs the panel with its agent, without the operator typing anything:
/// full clone → NICs (<c>net0</c> client bridge with the Proxmox firewall always on, <c>net1</c> PPPoE bridge with firewall
/// off — never the same bridge —, both virtio, MACs kept) and
/// cloud-init → start → wait for the QEMU guest agent → write a freshly generated pairing token to
/// <see cref="PairingTokenPath"/> → read the agent's certificate fingerprint from <see cref="FingerprintPath"/> → find the
/// guest's address on <c>net0</c> by MAC. Every step is reported; a failure stops with the step and the reason.
/// </summary>
public sealed class ApplianceDeployer(ProxmoxClient client, TimeProvider time)
{
    /// <summary>Where the agent expects a preset pairing token.</summary>
    public const string PairingTokenPath = "/etc/appliance/pairing.token";

    /// <summary>Where the agent publishes its API certificate's SHA-256 fingerprint.</summary>
    public const string FingerprintPath = "/var/lib/appliance/api.fingerprint";

    /// <summary>
    /// Runs the deploy; failures, timeouts and a cancellation through <paramref name="cancellationToken"/> are results, and a
    /// VM it cloned is removed again (unless <see cref="DeployRequest.KeepFailedVm"/>); the clean-up itself is not cancelled.
    /// </summary>
    public async Task<DeployResult> DeployAsync(DeployRequest request, IProgress<WorkflowStep>? progress = null, CancellationToken cancellationToken = default)
    {
        var steps = new StepRunner(client, time, progress);
        int? vmId = request.NewVmId;
        string? token = null;
        try
        {
            if (request.Problems() is { Count: > 0 } problems)
                throw steps.Fail("check", string.Join("; ", problems));
            var node = request.Node;
            vmId ??= await steps.RunAsync("reserve-id", "asking Proxmox for a free VM id", () => client.GetNextVmIdAsync(cancellationToken), id => $"VM id {id} is free").ConfigureAwait(false);
            var id = vmId.Value;

            await steps.RunTaskAsync("clone", $"cloning template {request.TemplateVmId} to VM {id} ({request.Name}, full copy)", $"VM {id} cloned",
                () => client.CloneVmAsync(node, request.TemplateVmId, new VmCloneRequest { NewVmId = id, Name = request.Name, Full = true, Storage = request.TargetStorage }, cancellationToken),
                request.CloneWait, cancellationToken).ConfigureAwait(false);

            var config = await steps.RunAsync("configure", $"reading VM {id}'s config", () => client.GetVmConfigAsync(node, id, cancellationToken: cancellationToken), _ => "config read").ConfigureAwait(false);
            var clientMac = config.NetworkDevices.TryGetValue(0, out var n0) && n0.MacAddress is { } m0 ? m0 : NewMac();
            var pppoeMac = config.NetworkDevices.TryGetValue(1, out var n1) && n1.MacAddress is { } m1 ? m1 : NewMac();
            var change = new VmConfigChange()
                .SetNetworkDevice(0, new NetworkDevice { MacAddress = clientMac, Bridge = request.ClientBridge, Firewall = true })
                .SetNetworkDevice(1, new NetworkDevice { MacAddress = pppoeMac, Bridge = request.PppoeBridge, Firewall = false })
                .Set("agent", "enabled=1")
                .SetCloudInit(new CloudInitSettings
                {
                    User = request.CloudInitUser,
                    SshPublicKeys = request.SshPublicKeys,
                    IpConfigs = new Dictionary<int, IpConfig> { [0] = request.ClientAddress },
                    UpgradePackages = false,
                });
            if (config.Digest is { } digest)
                change.ExpectDigest(digest);
            await steps.RunTaskAsync("configure", $"connecting net0 to {request.ClientBridge} (firewall on), net1 to {request.PppoeBridge} (firewall off) and setting cloud-init",
                "NICs and cloud-init set", () => client.SetVmConfigAsync(node, id, change, cancellationToken), request.TaskWait, cancellationToken).ConfigureAwait(false);

            await steps.RunTaskAsync("start", $"starting VM {id}", $"VM {id} started", () => client.StartVmAsync(node, id, cancellationToken), request.TaskWait, cancellationToken).ConfigureAwait(false);

            await steps.PollAsync("wait-guest-agent", "waiting for the guest to boot and its QEMU guest agent to answer",
                async () => { await client.PingGuestAgentAsync(node, id, cancellationToken).ConfigureAwait(false); return "up"; },
                _ => "guest agent answers", request.GuestAgentTimeout, request.PollInterval,
                last => $"the QEMU guest agent of VM {id} did not answer within {request.GuestAgentTimeout.TotalMinutes:0.#} minutes ({last ?? "no answer"}); " +
                        "open the VM's console to see whether it boots, and check that the template has 'QEMU Guest Agent' enabled and qemu-guest-agent installed",
                cancellationToken).ConfigureAwait(false);

            token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            await steps.RunAsync("write-pairing-token", $"placing a new pairing token in the guest ({PairingTokenPath})",
                async () => { await client.WriteGuestFileAsync(node, id, PairingTokenPath, token, cancellationToken).ConfigureAwait(false); return true; },
                _ => "pairing token placed").ConfigureAwait(false);

            var fingerprint = await steps.PollAsync("read-fingerprint", $"waiting for the agent to publish its certificate fingerprint ({FingerprintPath})",
                async () => ParseFingerprint((await client.ReadGuestFileAsync(node, id, FingerprintPath, cancellationToken).ConfigureAwait(false)).Content),
                f => $"agent certificate fingerprint {f}", request.PairingTimeout, request.PollInterval,
                last => $"the agent in VM {id} did not publish a SHA-256 fingerprint in {FingerprintPath} within {request.PairingTimeout.TotalMinutes:0.#} minutes ({last ?? "file present but not a fingerprint"}); " +
                        "check on the VM's console that appliance-agent runs (systemctl status appliance-agent)",
                cancellationToken).ConfigureAwait(false);

            var address = await steps.PollAsync("find-address", $"waiting for net0 ({clientMac}) to get an address",
                async () => Usable(await client.GetGuestNetworkInterfacesAsync(node, id, cancellationToken).ConfigureAwait(false), clientMac),
                a => $"net0 has address {a}", request.PairingTimeout, request.PollInterval,
                _ => $"net0 ({clientMac}) of VM {id} got no usable address within {request.PairingTimeout.TotalMinutes:0.#} minutes; " +
                     $"check DHCP on bridge {request.ClientBridge} or set a static address for the deploy",
                cancellationToken).ConfigureAwait(false);

            var host = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
            var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"https://{host}:{request.AgentPort}"));
            steps.Report("paired", StepState.Succeeded, $"agent at {url}, certificate {fingerprint}");
            return new DeployResult { VmId = id, AgentUrl = url, PairingToken = token, AgentFingerprint = fingerprint };
        }
        catch (StepFailedException e)
        {
            return new DeployResult { VmId = vmId, FailedStep = e.StepId, Error = e.Message + await CleanUpAsync(steps, request, vmId, e.StepId).ConfigureAwait(false) };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var step = steps.Cancelled("reserve-id");
            return new DeployResult { VmId = vmId, FailedStep = step, Error = "The deploy was cancelled." + await CleanUpAsync(steps, request, vmId, step).ConfigureAwait(false) };
        }
        catch (ArgumentException e)
        {
            return new DeployResult { VmId = vmId, FailedStep = "configure", Error = e.Message };
        }
    }

    /// <summary>Removes (or keeps, if asked) the VM once the clone step is past; says what happened, for the error text.</summary>
    private async Task<string> CleanUpAsync(StepRunner steps, DeployRequest request, int? vmId, string failedStep)
    {
        // Before and during the clone nothing of ours exists (an id given may be someone else's VM: never touch it then).
        if (vmId is not { } created || failedStep is "check" or "reserve-id" or "clone")
            return "";
        return request.KeepFailedVm
            ? $" VM {created} was kept for inspection; remove it in Proxmox (More → Remove) before retrying with the same id."
            : await RemoveAsync(steps, request, created, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Stops (if running) and destroys the half-deployed VM; says what happened, for the error text.</summary>
    private async Task<string> RemoveAsync(StepRunner steps, DeployRequest request, int vmId, CancellationToken cancellationToken)
    {
        try
        {
            var status = await client.GetVmStatusAsync(request.Node, vmId, cancellationToken).ConfigureAwait(false);
            if (status.IsRunning)
            {
                await steps.RunTaskAsync("cleanup", $"stopping VM {vmId}", $"VM {vmId} stopped",
                    () => client.StopVmAsync(request.Node, vmId, cancellationToken), request.TaskWait, cancellationToken).ConfigureAwait(false);
            }
            await steps.RunTaskAsync("cleanup", $"removing VM {vmId}", $"VM {vmId} removed",
                () => client.DeleteVmAsync(request.Node, vmId, cancellationToken: cancellationToken), request.TaskWait, cancellationToken).ConfigureAwait(false);
            return $" VM {vmId} was removed again.";
        }
        catch (Exception e) when (e is StepFailedException or Errors.ProxmoxException)
        {
            return $" Removing VM {vmId} failed too ({e.Message}); remove it in Proxmox (More → Remove).";
        }
    }

    /// <summary>A MAC in Proxmox's default prefix (BC:24:11), as PVE generates for a NIC without one.</summary>
    private static string NewMac()
    {
        var bytes = RandomNumberGenerator.GetBytes(3);
        return string.Create(CultureInfo.InvariantCulture, $"BC:24:11:{bytes[0]:X2}:{bytes[1]:X2}:{bytes[2]:X2}");
    }

    private static IPAddress? Usable(IReadOnlyList<GuestNetworkInterface> interfaces, string mac)
        => interfaces.FirstOrDefault(i => i.HasMac(mac))?.UsableAddress();

    /// <summary>Reads <c>AB:CD:…</c>, bare hex or <c>sha256:</c>-prefixed hex; null while the file holds no fingerprint yet.</summary>
    internal static string? ParseFingerprint(string content)
    {
        var text = content.Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (text.StartsWith("sha256", StringComparison.OrdinalIgnoreCase))
            text = text[6..].TrimStart(':', '=', ' ');
        else if (space > 0)
            text = text[..space];
        return CertificateFingerprint.TryNormalize(text, out var hex) ? CertificateFingerprint.Format(Convert.FromHexString(hex)) : null;
    }
}
