using System.Text.Json;
using Appliance.Proxmox.GuestAgent;
using Appliance.Proxmox.Http;

namespace Appliance.Proxmox;

public sealed partial class ProxmoxClient
{
    /// <summary>
    /// <c>POST …/agent/ping</c>: succeeds once qemu-guest-agent answers in the guest; throws (500 "QEMU guest agent is
    /// not running") while it boots. Needs VM.GuestAgent.Audit on PVE 9, VM.Monitor on PVE 8.
    /// </summary>
    public async Task PingGuestAgentAsync(string node, int vmId, CancellationToken cancellationToken = default)
        => await _api.PostAsync(ApiPath.Of("nodes", node, "qemu", vmId, "agent", "ping"), null, cancellationToken).ConfigureAwait(false);

    /// <summary><c>GET …/agent/network-get-interfaces</c>: the guest's interfaces and addresses (select by MAC).</summary>
    public async Task<IReadOnlyList<GuestNetworkInterface>> GetGuestNetworkInterfacesAsync(string node, int vmId, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "agent", "network-get-interfaces");
        var data = await _api.GetAsync(path, null, cancellationToken).ConfigureAwait(false);
        if (data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Array)
            return [];
        return Read<List<GuestNetworkInterface>>(result, $"GET {path}");
    }

    /// <summary>
    /// <c>POST …/agent/file-write</c>: writes <paramref name="content"/> (at most 60 KiB) to <paramref name="file"/> in the guest,
    /// replacing it; PVE base64-encodes it for QEMU. Needs VM.GuestAgent.FileWrite on PVE 9, VM.Monitor on PVE 8.
    /// The content never appears in errors or logs.
    /// </summary>
    public async Task WriteGuestFileAsync(string node, int vmId, string file, string content, CancellationToken cancellationToken = default)
    {
        if (!file.StartsWith('/'))
            throw new ArgumentException($"guest file '{file}' is not an absolute path", nameof(file));
        if (content.Length > 61440)
            throw new ArgumentException($"content for guest file '{file}' is {content.Length} characters; the guest agent takes at most 61440", nameof(content));
        var form = new ProxmoxParameters().Add("file", file).Add("content", content);
        await _api.PostAsync(ApiPath.Of("nodes", node, "qemu", vmId, "agent", "file-write"), form, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>GET …/agent/file-read</c>: the text of <paramref name="file"/> in the guest (PVE decodes the base64).
    /// Throws (500) while the file does not exist. Needs VM.GuestAgent.FileRead on PVE 9, VM.Monitor on PVE 8.
    /// </summary>
    public async Task<GuestFileContent> ReadGuestFileAsync(string node, int vmId, string file, CancellationToken cancellationToken = default)
    {
        if (!file.StartsWith('/'))
            throw new ArgumentException($"guest file '{file}' is not an absolute path", nameof(file));
        var path = ApiPath.Of("nodes", node, "qemu", vmId, "agent", "file-read");
        var data = await _api.GetAsync(path, new ProxmoxParameters().Add("file", file), cancellationToken).ConfigureAwait(false);
        var content = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "";
        var truncated = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("truncated", out var t) && ProxmoxJson.Number(t) is > 0;
        return new GuestFileContent(content, truncated);
    }
}
