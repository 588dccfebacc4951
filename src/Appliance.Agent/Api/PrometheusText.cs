using System.Globalization;
using System.Text;

namespace Appliance.Agent.Api;

/// <summary>Writes the Prometheus text exposition format (version 0.0.4): families with HELP and TYPE, then their samples.</summary>
/// <remarks>Not thread-safe: one instance per scrape.</remarks>
internal sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(16 * 1024);
    private readonly Dictionary<string, List<string>> _families = new(StringComparer.Ordinal);
    private readonly List<(string Name, string Help, string Type)> _order = [];

    public void Family(string name, string type, string help)
    {
        if (_families.ContainsKey(name))
            return;
        _families[name] = [];
        _order.Add((name, help, type));
    }

    public void Sample(string name, long value, params (string Name, string Value)[] labels)
    {
        var line = new StringBuilder(name);
        if (labels.Length > 0)
        {
            line.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                    line.Append(',');
                line.Append(labels[i].Name).Append("=\"").Append(Escape(labels[i].Value)).Append('"');
            }
            line.Append('}');
        }
        line.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture));
        _families[name].Add(line.ToString());
    }

    public override string ToString()
    {
        _text.Clear();
        foreach (var (name, help, type) in _order)
        {
            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (string line in _families[name])
                _text.Append(line).Append('\n');
        }
        return _text.ToString();
    }

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
