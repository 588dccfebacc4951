using System.Globalization;
using System.Text;

namespace Appliance.Proxmox.Http;

/// <summary>Builds API paths below <c>/api2/json</c>, escaping each variable segment (UPIDs and volume ids contain <c>:</c> and <c>/</c>).</summary>
public static class ApiPath
{
    /// <summary>Joins segments with <c>/</c>; strings are escaped, integers written invariantly.</summary>
    public static string Of(params object[] segments)
    {
        var path = new StringBuilder();
        foreach (var segment in segments)
        {
            path.Append('/');
            path.Append(segment switch
            {
                string text => Uri.EscapeDataString(text),
                IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                _ => Uri.EscapeDataString(segment.ToString() ?? ""),
            });
        }
        return path.ToString();
    }
}
