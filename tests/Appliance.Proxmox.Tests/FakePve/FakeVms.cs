using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>
/// VM state of the fake, driven by PVE's handler names and the schema rather than per-path code: a create or config
/// write stores every parameter the schema lists as a config option (the properties of <c>vm_config</c>'s returns),
/// <c>delete</c> removes options, a clone copies the source, power and template handlers set status and the template
/// flag, a destroy removes a stopped VM. <c>GET …/config</c> and <c>GET …/status/current</c> answer from this state when no canned answer is set.
/// PVE digests with SHA-1 (40 hex digits, the schema's limit); the fake uses 20 bytes of SHA-256. A <c>digest</c> that does not match the stored config is refused as PVE does.
/// </summary>
public sealed class FakeVms
{
    private readonly ConcurrentDictionary<int, VmState> _vms = new();
    private readonly HashSet<string> _configOptions;

    /// <summary>Learns the config option names from the schema.</summary>
    public FakeVms(ApiSchema schema)
    {
        var returns = schema.Endpoint("GET", "/nodes/{node}/qemu/{vmid}/config").Returns;
        _configOptions = returns.GetProperty("properties").EnumerateObject().Select(p => p.Name).Where(n => n != "digest").ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Adds a VM with <paramref name="config"/> (option → property string).</summary>
    public void Add(int vmId, IReadOnlyDictionary<string, string> config, string status = "stopped", bool template = false)
        => _vms[vmId] = new VmState(new SortedDictionary<string, string>(config.ToDictionary(), StringComparer.Ordinal), status, template);

    /// <summary>The stored config of <paramref name="vmId"/>, or null.</summary>
    public IReadOnlyDictionary<string, string>? Config(int vmId)
        => _vms.TryGetValue(vmId, out var vm) ? new Dictionary<string, string>(vm.Config) : null;

    /// <summary>The status of <paramref name="vmId"/> (<c>running</c>/<c>stopped</c>), or null.</summary>
    public string? Status(int vmId) => _vms.TryGetValue(vmId, out var vm) ? vm.Status : null;

    /// <summary>True when <paramref name="vmId"/> was converted to a template.</summary>
    public bool IsTemplate(int vmId) => _vms.TryGetValue(vmId, out var vm) && vm.Template;

    /// <summary>Applies the side effect of a validated request; returns PVE's error text when it refuses it.</summary>
    public string? Apply(SchemaEndpoint endpoint, IReadOnlyDictionary<string, List<string?>> parameters)
    {
        string? Value(string name) => parameters.TryGetValue(name, out var v) ? v.FirstOrDefault() : null;
        int? Id(string name) => int.TryParse(Value(name), out var id) ? id : null;
        var vmId = Id("vmid");
        switch (endpoint.Name)
        {
            case "create_vm":
                if (_vms.ContainsKey(vmId!.Value))
                    return $"unable to create VM {vmId}: config file already exists";
                _vms[vmId.Value] = new VmState(new SortedDictionary<string, string>(StringComparer.Ordinal), "stopped", false);
                return Write(vmId.Value, parameters);
            case "clone_vm":
                if (vmId is not { } source || !_vms.TryGetValue(source, out var original))
                    return null;
                var copy = new SortedDictionary<string, string>(original.Config, StringComparer.Ordinal);
                if (Value("name") is { } name)
                    copy["name"] = name;
                _vms[Id("newid")!.Value] = new VmState(copy, "stopped", false);
                return null;
            case "update_vm_async" or "update_vm":
                return vmId is { } id && _vms.ContainsKey(id) ? Write(id, parameters) : null;
            case "vm_start" or "vm_reboot":
                return SetStatus(vmId, "running");
            case "vm_stop" or "vm_shutdown":
                return SetStatus(vmId, "stopped");
            case "destroy_vm":
                if (vmId is { } d && _vms.TryGetValue(d, out var doomed))
                {
                    if (doomed.Status == "running")
                        return $"VM {d} is running - destroy failed";
                    _vms.TryRemove(d, out _);
                }
                return null;
            case "template":
                if (vmId is { } t && _vms.TryGetValue(t, out var vm))
                    vm.Template = true;
                return null;
            default:
                return null;
        }
    }

    private JsonArray? List()
    {
        if (_vms.IsEmpty)
            return null;
        var list = new JsonArray();
        foreach (var (id, vm) in _vms.OrderBy(v => v.Key))
        {
            var entry = new JsonObject { ["vmid"] = id, ["status"] = vm.Status };
            lock (vm)
            {
                if (vm.Config.TryGetValue("name", out var name))
                    entry["name"] = name;
                if (vm.Template)
                    entry["template"] = 1;
            }
            list.Add(entry);
        }
        return list;
    }

    /// <summary>
    /// The answer of <c>vmlist</c> (every VM held, when any is), <c>vm_config</c> or <c>vm_status</c> from state, or null
    /// when the VM is unknown here.
    /// </summary>
    public JsonNode? Answer(SchemaEndpoint endpoint, int? vmId)
    {
        if (endpoint.Name == "vmlist")
            return List();
        if (vmId is not { } id || !_vms.TryGetValue(id, out var vm))
            return null;
        switch (endpoint.Name)
        {
            case "vm_config":
                var config = new JsonObject();
                lock (vm)
                {
                    foreach (var (key, value) in vm.Config)
                        config[key] = value;
                    config["digest"] = Digest(vm.Config);
                    if (vm.Template)
                        config["template"] = 1;
                }
                return config;
            case "vm_status":
                var status = new JsonObject { ["vmid"] = id, ["status"] = vm.Status, ["ha"] = new JsonObject { ["managed"] = 0 } };
                lock (vm)
                {
                    if (vm.Config.TryGetValue("name", out var name))
                        status["name"] = name;
                    if (vm.Config.TryGetValue("agent", out var agent))
                        status["agent"] = agent.StartsWith('1') || agent.Contains("enabled=1", StringComparison.Ordinal) ? 1 : 0;
                    if (vm.Template)
                        status["template"] = 1;
                }
                return status;
            default:
                return null;
        }
    }

    private string? Write(int vmId, IReadOnlyDictionary<string, List<string?>> parameters)
    {
        var vm = _vms[vmId];
        lock (vm)
        {
            if (parameters.TryGetValue("digest", out var digest) && digest.FirstOrDefault() is { } expected && expected != Digest(vm.Config))
                return "detected modified configuration - file changed by another user? Try again.";
            foreach (var (name, values) in parameters)
            {
                if (_configOptions.Contains(name) || _configOptions.Contains(NumberedTemplate(name)))
                    vm.Config[name] = values.FirstOrDefault() ?? "";
            }
            if (parameters.TryGetValue("delete", out var deletions))
            {
                foreach (var option in (deletions.FirstOrDefault() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                    vm.Config.Remove(option);
            }
        }
        return null;
    }

    private string? SetStatus(int? vmId, string status)
    {
        if (vmId is { } id && _vms.TryGetValue(id, out var vm))
        {
            if (vm.Template && status == "running")
                return $"you can't start a vm if it's a template";
            vm.Status = status;
        }
        return null;
    }

    private static string NumberedTemplate(string name)
    {
        var digits = name.Length;
        while (digits > 0 && char.IsAsciiDigit(name[digits - 1]))
            digits--;
        return digits < name.Length && digits > 0 ? name[..digits] + "[n]" : name;
    }

    private static string Digest(IDictionary<string, string> config)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(config))).AsSpan(0, 20));

    private sealed class VmState(SortedDictionary<string, string> config, string status, bool template)
    {
        public SortedDictionary<string, string> Config { get; } = config;
        public string Status { get; set; } = status;
        public bool Template { get; set; } = template;
    }
}
