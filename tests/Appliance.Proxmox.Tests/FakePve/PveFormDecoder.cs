using System.Text;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>
/// pve-http-server's <c>decode_urlencoded</c>, re-stated: pairs split on <c>&amp;</c> and <c>;</c>, a value ends at a
/// second <c>=</c>, <c>+</c> becomes a space, <c>%XX</c> is decoded, a repeated key becomes a list, a key without
/// <c>=</c> has no value. A client that does not escape <c>;</c>, <c>+</c> and <c>=</c> is caught here, as on a real node.
/// </summary>
public static class PveFormDecoder
{
    /// <summary>Decodes a query string or form body.</summary>
    public static Dictionary<string, List<string?>> Decode(string? data)
    {
        var result = new Dictionary<string, List<string?>>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(data))
            return result;
        foreach (var pair in data.Split('&', ';'))
        {
            // Perl: my ($k, $v) = split(/=/, $kv);  (fields after a second '=' are dropped)
            var fields = pair.Split('=');
            var key = Unescape(fields[0]);
            string? value = fields.Length > 1 ? Unescape(fields[1]) : null;
            if (!result.TryGetValue(key, out var values))
                result[key] = values = [];
            values.Add(value);
        }
        return result;
    }

    private static string Unescape(string text)
    {
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
                bytes.Add((byte)' ');
            else if (c == '%' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
