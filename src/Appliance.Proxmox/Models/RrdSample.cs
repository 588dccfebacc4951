using System.Text.Json;
using Appliance.Proxmox.Http;

namespace Appliance.Proxmox.Models;

/// <summary>RRD time frames of <c>…/rrddata</c>.</summary>
public enum RrdTimeframe
{
    /// <summary>Last hour, one sample a minute.</summary>
    Hour,
    /// <summary>Last day.</summary>
    Day,
    /// <summary>Last week.</summary>
    Week,
    /// <summary>Last month.</summary>
    Month,
    /// <summary>Last year.</summary>
    Year,
}

/// <summary>RRD consolidation of <c>…/rrddata</c>.</summary>
public enum RrdConsolidation
{
    /// <summary>Mean per interval.</summary>
    Average,
    /// <summary>Peak per interval.</summary>
    Max,
}

/// <summary>
/// One RRD sample. Fields are absent while the VM was stopped; <c>netin</c>/<c>netout</c>/<c>diskread</c>/
/// <c>diskwrite</c> are per-second rates and <c>cpu</c> a 0–1 fraction of the VM's vCPUs.
/// </summary>
public sealed record RrdSample(DateTimeOffset Time, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>A field or null when absent.</summary>
    public double? this[string field] => Values.TryGetValue(field, out var value) ? value : null;

    internal static RrdSample FromJson(JsonElement item)
    {
        long time = 0;
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var property in item.EnumerateObject())
        {
            if (ProxmoxJson.Number(property.Value) is not { } number)
                continue;
            if (property.NameEquals("time"))
                time = (long)number;
            else
                values[property.Name] = number;
        }
        return new RrdSample(DateTimeOffset.FromUnixTimeSeconds(time), values);
    }
}
