using System.Text;

namespace Appliance.Proxmox.Config;

/// <summary>
/// A PVE property string (<c>virtio=BC:24:11:00:00:01,bridge=vmbr1,firewall=1,queues=4</c>) as an ordered list of
/// parts, so one field can change while every other field — also ones this panel does not model (queues, rate,
/// trunks) — stays exactly as it was.
/// </summary>
public sealed class PropertyString
{
    private readonly List<(string Key, string? Value)> _parts;

    private PropertyString(List<(string Key, string? Value)> parts) => _parts = parts;

    /// <summary>Splits <paramref name="text"/> at commas into <c>key=value</c> (or bare <c>key</c>) parts.</summary>
    public static PropertyString Parse(string text)
    {
        var parts = new List<(string, string?)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            parts.Add(equals < 0 ? (part, null) : (part[..equals], part[(equals + 1)..]));
        }
        return new PropertyString(parts);
    }

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public string? this[string key] => _parts.FirstOrDefault(p => p.Key == key).Value;

    /// <summary>The first part's key (for <c>netN</c>: the model when written as <c>virtio=MAC</c>).</summary>
    public string? FirstKey => _parts.Count > 0 ? _parts[0].Key : null;

    /// <summary>A copy with <paramref name="key"/> set to <paramref name="value"/> in place, or appended when absent.</summary>
    public PropertyString With(string key, string value)
    {
        var parts = _parts.ToList();
        var index = parts.FindIndex(p => p.Key == key);
        if (index >= 0)
            parts[index] = (key, value);
        else
            parts.Add((key, value));
        return new PropertyString(parts);
    }

    /// <summary>A copy whose first part has key <paramref name="key"/> (its value kept), e.g. <c>e1000=MAC</c> → <c>virtio=MAC</c>.</summary>
    public PropertyString WithFirstKey(string key)
    {
        var parts = _parts.ToList();
        if (parts.Count > 0)
            parts[0] = (key, parts[0].Value);
        return new PropertyString(parts);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (key, value) in _parts)
        {
            if (text.Length > 0)
                text.Append(',');
            text.Append(key);
            if (value is not null)
                text.Append('=').Append(value);
        }
        return text.ToString();
    }
}
