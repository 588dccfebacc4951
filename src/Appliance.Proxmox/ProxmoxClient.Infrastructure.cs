using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Appliance.Proxmox.Access;
using Appliance.Proxmox.Http;
using Appliance.Proxmox.Models;
using Appliance.Proxmox.Tasks;

namespace Appliance.Proxmox;

/// <summary>What an upload puts on a storage (<c>content</c> of <c>…/upload</c>).</summary>
public enum UploadContent
{
    /// <summary>A disk image or OVA for <c>import-from</c> (PVE ≥ 8.4 for qcow2/raw/vmdk).</summary>
    Import,
    /// <summary>An ISO image.</summary>
    Iso,
}

public sealed partial class ProxmoxClient
{
    // pve-storage: import file names may use letters, digits and -._+= only, with a lower-case image extension.
    [GeneratedRegex(@"^[A-Za-z0-9\-._+=]+\.(qcow2|raw|vmdk|ova)$")]
    private static partial Regex ImportFileName();

    [GeneratedRegex(@"^[A-Za-z0-9\-._+=]+\.(iso|img)$")]
    private static partial Regex IsoFileName();

    /// <summary><c>GET /nodes/{node}/network</c>, optionally filtered (e.g. <c>bridge</c>): bridges and their ports.</summary>
    public async Task<IReadOnlyList<NetworkInterface>> GetNetworkInterfacesAsync(string node, string? type = null, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "network");
        var query = new ProxmoxParameters().Add("type", type);
        return Read<List<NetworkInterface>>(await _api.GetAsync(path, query, cancellationToken).ConfigureAwait(false), $"GET {path}");
    }

    /// <summary><c>GET /nodes/{node}/storage</c>, optionally only storages holding <paramref name="content"/> (e.g. <c>import</c>, <c>images</c>).</summary>
    public async Task<IReadOnlyList<StorageSummary>> GetStoragesAsync(string node, string? content = null, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "storage");
        var query = new ProxmoxParameters().Add("content", content);
        return Read<List<StorageSummary>>(await _api.GetAsync(path, query, cancellationToken).ConfigureAwait(false), $"GET {path}");
    }

    /// <summary><c>GET …/storage/{storage}/content</c>, optionally filtered by content type and owning VM.</summary>
    public async Task<IReadOnlyList<StorageVolume>> GetStorageContentAsync(string node, string storage, string? content = null, int? vmId = null, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", node, "storage", storage, "content");
        var query = new ProxmoxParameters().Add("content", content).Add("vmid", vmId);
        return Read<List<StorageVolume>>(await _api.GetAsync(path, query, cancellationToken).ConfigureAwait(false), $"GET {path}");
    }

    /// <summary>
    /// <c>POST …/storage/{storage}/upload</c>: streams <paramref name="image"/> as <paramref name="fileName"/>; returns the copy task.
    /// The body follows pveproxy's strict multipart parser: quoted names, form fields before the file part named
    /// <c>filename</c>, Content-Disposition first, and a Content-Length (no chunking).
    /// </summary>
    /// <param name="node">Node that receives the file (it spools it to /var/tmp first: plan twice the size on its root FS).</param>
    /// <param name="storage">A file-based storage with the content type enabled.</param>
    /// <param name="content">Import (disk images) or ISO.</param>
    /// <param name="fileName">Target name: letters, digits and <c>-._+=</c>, lower-case extension (.qcow2/.raw/.vmdk/.ova, or .iso/.img).</param>
    /// <param name="image">The data; seekable, or give <paramref name="length"/>.</param>
    /// <param name="length">Byte count when <paramref name="image"/> cannot seek.</param>
    /// <param name="sha256">Optional hex SHA-256 for PVE to verify.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public async Task<Upid> UploadAsync(string node, string storage, UploadContent content, string fileName, Stream image, long? length = null,
        string? sha256 = null, CancellationToken cancellationToken = default)
    {
        var pattern = content == UploadContent.Import ? ImportFileName() : IsoFileName();
        if (!pattern.IsMatch(fileName))
        {
            throw new ArgumentException(content == UploadContent.Import
                ? $"upload file name '{fileName}' is not accepted by Proxmox for import; use letters, digits and -._+= with .qcow2, .raw, .vmdk or .ova (rename a cloud .img to .qcow2, decompress .xz/.zst first)"
                : $"upload file name '{fileName}' is not accepted by Proxmox for ISO; use letters, digits and -._+= ending in .iso or .img", nameof(fileName));
        }
        var size = length ?? (image.CanSeek ? image.Length - image.Position : throw new ArgumentException(
            $"upload of '{fileName}' needs its length: Proxmox refuses chunked uploads; pass length or a seekable stream", nameof(length)));

        var path = ApiPath.Of("nodes", node, "storage", storage, "upload");
        using var body = new MultipartFormDataContent();
        body.Add(FormField("content", content == UploadContent.Import ? "import" : "iso"));
        if (sha256 is not null)
        {
            body.Add(FormField("checksum-algorithm", "sha256"));
            body.Add(FormField("checksum", sha256.ToLowerInvariant()));
        }
        var file = new StreamContent(image);
        file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"filename\"", FileName = Quote(fileName) };
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        file.Headers.ContentLength = size;
        body.Add(file);
        var data = await _api.SendContentAsync(HttpMethod.Post, path, body, _connection.UploadTimeout, cancellationToken).ConfigureAwait(false);
        return ReadUpid(data, $"POST {path}");
    }

    private static ByteArrayContent FormField(string name, string value)
    {
        // No Content-Type: pveproxy reads the first header of a part as Content-Disposition.
        var field = new ByteArrayContent(Encoding.UTF8.GetBytes(value));
        field.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = Quote(name) };
        return field;
    }

    private static string Quote(string text) => "\"" + text.Replace("\"", "", StringComparison.Ordinal) + "\"";

    /// <summary><c>GET /access/permissions[?path=…]</c>: the token's effective privileges.</summary>
    public async Task<PermissionMap> GetPermissionsAsync(string? path = null, CancellationToken cancellationToken = default)
    {
        var data = await _api.GetAsync("/access/permissions", new ProxmoxParameters().Add("path", path), cancellationToken).ConfigureAwait(false);
        var paths = new Dictionary<string, IReadOnlyDictionary<string, bool>>(StringComparer.Ordinal);
        if (data.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in data.EnumerateObject())
            {
                var privileges = new Dictionary<string, bool>(StringComparer.Ordinal);
                if (entry.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var privilege in entry.Value.EnumerateObject())
                        privileges[privilege.Name] = ProxmoxJson.Number(privilege.Value) is > 0 || privilege.Value.ValueKind == JsonValueKind.True;
                }
                paths[entry.Name] = privileges;
            }
        }
        return new PermissionMap(paths);
    }

    /// <summary>
    /// Asks PVE for the effective privileges on each path of <paramref name="requirements"/> and reports those the
    /// token lacks. Run it after setup and before provisioning; ACL changes may take a few seconds to show.
    /// </summary>
    public async Task<PrivilegeCheckResult> CheckPrivilegesAsync(IEnumerable<PrivilegeRequirement> requirements, CancellationToken cancellationToken = default)
    {
        var list = requirements.ToList();
        var missing = new List<PrivilegeRequirement>();
        foreach (var group in list.GroupBy(r => r.Path, StringComparer.Ordinal))
        {
            var permissions = await GetPermissionsAsync(group.Key, cancellationToken).ConfigureAwait(false);
            missing.AddRange(PrivilegeCheck.Evaluate(_connection.TokenId, group, permissions).Missing);
        }
        return new PrivilegeCheckResult(_connection.TokenId, missing);
    }

    /// <summary><c>GET /nodes/{node}/tasks/{upid}/status</c>, asking the node named in the UPID.</summary>
    public async Task<TaskState> GetTaskStatusAsync(Upid upid, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", upid.Node, "tasks", upid.Value, "status");
        return Read<TaskState>(await _api.GetAsync(path, null, cancellationToken).ConfigureAwait(false), $"GET /nodes/{upid.Node}/tasks/…/status");
    }

    /// <summary><c>GET /nodes/{node}/tasks/{upid}/log?start=…&amp;limit=…</c>.</summary>
    public async Task<IReadOnlyList<TaskLogLine>> GetTaskLogAsync(Upid upid, int start = 0, int limit = 500, CancellationToken cancellationToken = default)
    {
        var path = ApiPath.Of("nodes", upid.Node, "tasks", upid.Value, "log");
        var query = new ProxmoxParameters().Add("start", start).Add("limit", limit);
        return Read<List<TaskLogLine>>(await _api.GetAsync(path, query, cancellationToken).ConfigureAwait(false), $"GET /nodes/{upid.Node}/tasks/…/log");
    }

    /// <summary>
    /// Polls the task every <see cref="TaskWaitOptions.PollInterval"/> (delays from the injected <see cref="TimeProvider"/>)
    /// until it is <c>stopped</c> or <see cref="TaskWaitOptions.Timeout"/> passes. <c>OK</c> and <c>WARNINGS: n</c>
    /// succeed; anything else fails with the exit status and the last log lines. Never throws for a failed task:
    /// the result says so (<see cref="ProxmoxTaskResult.EnsureSucceeded"/> turns it into an exception).
    /// </summary>
    public async Task<ProxmoxTaskResult> WaitForTaskAsync(Upid upid, TaskWaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= TaskWaitOptions.Default;
        var deadline = _time.GetUtcNow() + options.Timeout;
        while (true)
        {
            var status = await GetTaskStatusAsync(upid, cancellationToken).ConfigureAwait(false);
            if (status.IsStopped)
            {
                var exit = status.ExitStatus ?? "unexpected status";
                var outcome = exit == "OK" ? TaskOutcome.Succeeded
                    : exit.StartsWith("WARNINGS:", StringComparison.Ordinal) ? TaskOutcome.SucceededWithWarnings
                    : TaskOutcome.Failed;
                var tail = outcome == TaskOutcome.Succeeded ? [] : await LogTailAsync(upid, options.LogTailLines, cancellationToken).ConfigureAwait(false);
                Log.TaskEnded(_logger, upid.Value, exit);
                return new ProxmoxTaskResult(upid, outcome, exit, tail);
            }
            if (_time.GetUtcNow() >= deadline)
                return new ProxmoxTaskResult(upid, TaskOutcome.TimedOut, "running", []);
            await Task.Delay(options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<string>> LogTailAsync(Upid upid, int lines, CancellationToken cancellationToken)
    {
        var log = await GetTaskLogAsync(upid, 0, 5000, cancellationToken).ConfigureAwait(false);
        return log.Skip(Math.Max(0, log.Count - lines)).Select(l => l.Text).Where(t => t.Length > 0).ToList();
    }
}
