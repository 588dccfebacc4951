using Appliance.Proxmox.Http;

namespace Appliance.Proxmox.Config;

/// <summary>A set of VM config options to write (<c>POST/PUT …/config</c>, or the options of a create).</summary>
/// <remarks>Option names are PVE's (<c>net0</c>, <c>scsi0</c>, <c>boot</c>); values go out form-encoded, so <c>boot=order=scsi0;net0</c> arrives intact.</remarks>
public sealed class VmConfigChange
{
    private readonly List<string> _deletions = [];

    /// <summary>The options to set, in order.</summary>
    public ProxmoxParameters Options { get; } = new();

    /// <summary>Config digest from a previous read; PVE refuses the change if the config changed meanwhile.</summary>
    public string? Digest { get; private set; }

    /// <summary>Sets a string option.</summary>
    public VmConfigChange Set(string option, string value)
    {
        Options.Add(option, value);
        return this;
    }

    /// <summary>Sets a boolean option (sent as <c>1</c>/<c>0</c>).</summary>
    public VmConfigChange Set(string option, bool value)
    {
        Options.Add(option, value);
        return this;
    }

    /// <summary>Sets an integer option.</summary>
    public VmConfigChange Set(string option, long value)
    {
        Options.Add(option, value);
        return this;
    }

    /// <summary>Sets NIC <c>net{index}</c>.</summary>
    public VmConfigChange SetNetworkDevice(int index, NetworkDevice device)
        => Set($"net{index}", device.ToPropertyString());

    /// <summary>Adds the cloud-init options of <paramref name="settings"/>.</summary>
    public VmConfigChange SetCloudInit(CloudInitSettings settings)
    {
        Options.AddRange(settings.ToParameters());
        return this;
    }

    /// <summary>Removes options (sent as <c>delete=a,b</c>).</summary>
    public VmConfigChange Delete(params string[] options)
    {
        _deletions.AddRange(options);
        return this;
    }

    /// <summary>Refuses the change if the config digest differs from <paramref name="digest"/>.</summary>
    public VmConfigChange ExpectDigest(string digest)
    {
        Digest = digest;
        return this;
    }

    /// <summary>The wire parameters.</summary>
    public ProxmoxParameters ToParameters()
    {
        var parameters = new ProxmoxParameters().AddRange(Options);
        if (_deletions.Count > 0)
            parameters.Add("delete", string.Join(',', _deletions));
        parameters.Add("digest", Digest);
        return parameters;
    }
}
