using System.Globalization;
using System.Text;

namespace Appliance.Proxmox.Http;

/// <summary>
/// Ordered request parameters in PVE's wire conventions: booleans as <c>1</c>/<c>0</c>, numbers invariant, and every
/// value percent-encoded when written, because PVE's form decoder splits on <c>;</c>, turns <c>+</c> into a space and
/// cuts a value at a second <c>=</c> (pve-http-server <c>decode_urlencoded</c>).
/// </summary>
public sealed class ProxmoxParameters
{
    private readonly List<KeyValuePair<string, string>> _pairs = [];

    /// <summary>The parameters in the order they were added.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs => _pairs;

    /// <summary>True when nothing was added.</summary>
    public bool IsEmpty => _pairs.Count == 0;

    /// <summary>Adds a string value; <c>null</c> leaves the parameter out.</summary>
    public ProxmoxParameters Add(string name, string? value)
    {
        if (value is not null)
            _pairs.Add(new(name, value));
        return this;
    }

    /// <summary>Adds a boolean as <c>1</c>/<c>0</c> (PVE refuses <c>true</c>/<c>false</c>); <c>null</c> leaves it out.</summary>
    public ProxmoxParameters Add(string name, bool? value)
        => value is null ? this : Add(name, ToWire(value.Value));

    /// <summary>Adds an integer; <c>null</c> leaves it out.</summary>
    public ProxmoxParameters Add(string name, long? value)
        => value is null ? this : Add(name, value.Value.ToString(CultureInfo.InvariantCulture));

    /// <summary>PVE's boolean spelling.</summary>
    public static string ToWire(bool value) => value ? "1" : "0";

    /// <summary>The value of <paramref name="name"/>, or null.</summary>
    public string? this[string name]
        => _pairs.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.Ordinal)).Value;

    /// <summary>Appends all of <paramref name="other"/>.</summary>
    public ProxmoxParameters AddRange(ProxmoxParameters other)
    {
        _pairs.AddRange(other._pairs);
        return this;
    }

    /// <summary>A form body; <see cref="FormUrlEncodedContent"/> escapes <c>;</c>, <c>+</c> and <c>=</c> inside values.</summary>
    public FormUrlEncodedContent ToFormContent() => new(_pairs);

    /// <summary>A query string (without <c>?</c>) encoded like <see cref="ToFormContent"/>.</summary>
    public string ToQueryString()
    {
        var query = new StringBuilder();
        foreach (var (name, value) in _pairs)
        {
            if (query.Length > 0)
                query.Append('&');
            query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return query.ToString();
    }
}
