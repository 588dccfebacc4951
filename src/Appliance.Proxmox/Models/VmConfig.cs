using System.Text.Json;
using Appliance.Proxmox.Config;
using Appliance.Proxmox.Http;

namespace Appliance.Proxmox.Models;

/// <summary>
/// A VM config (<c>GET …/config</c>) as option → value text: keys are dynamic (<c>net0</c>, <c>scsi0</c>,
/// <c>unused0</c>, <c>ipconfig0</c>), so it is a dictionary, not a class. <c>sshkeys</c> stays percent-encoded.
/// </summary>
public sealed class VmConfig
{
    private VmConfig(IReadOnlyDictionary<string, string> options, string? digest) => (Options, Digest) = (options, digest);

    /// <summary>All options except <c>digest</c>.</summary>
    public IReadOnlyDictionary<string, string> Options { get; }

    /// <summary>SHA-1 of the config file, for <see cref="VmConfigChange.ExpectDigest"/>.</summary>
    public string? Digest { get; }

    /// <summary>An option's value or null.</summary>
    public string? this[string option] => Options.TryGetValue(option, out var value) ? value : null;

    /// <summary>The NICs by index (<c>netN</c>).</summary>
    public IReadOnlyDictionary<int, NetworkDevice> NetworkDevices
    {
        get
        {
            var devices = new SortedDictionary<int, NetworkDevice>();
            foreach (var (key, value) in Options)
            {
                if (key.StartsWith("net", StringComparison.Ordinal) && int.TryParse(key.AsSpan(3), out var index) && NetworkDevice.TryParse(value) is { } device)
                    devices[index] = device;
            }
            return devices;
        }
    }

    /// <summary>The decoded <c>sshkeys</c>, one key per entry.</summary>
    public IReadOnlyList<string> SshPublicKeys
        => this["sshkeys"] is { } encoded ? Uri.UnescapeDataString(encoded).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];

    internal static VmConfig FromJson(JsonElement data)
    {
        var options = new SortedDictionary<string, string>(StringComparer.Ordinal);
        string? digest = null;
        if (data.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in data.EnumerateObject())
            {
                var text = ProxmoxJson.ScalarText(property.Value);
                if (text is null)
                    continue;
                if (property.NameEquals("digest"))
                    digest = text;
                else
                    options[property.Name] = text;
            }
        }
        return new VmConfig(options, digest);
    }
}
