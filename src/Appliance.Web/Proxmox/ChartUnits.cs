using System.Globalization;

namespace Appliance.Web.Proxmox;

/// <summary>Axis labels of the VM graphs: percent, bytes and bytes per second in binary units.</summary>
public static class ChartUnits
{
    private static readonly string[] Prefixes = ["", "Ki", "Mi", "Gi", "Ti"];

    public static string Format(double value, string unit) => unit switch
    {
        "%" => value.ToString("0.#", CultureInfo.CurrentCulture) + " %",
        "bytes" => Binary(value) + "B",
        "bytes/s" => Binary(value) + "B/s",
        _ => value.ToString("0.##", CultureInfo.CurrentCulture),
    };

    private static string Binary(double value)
    {
        int prefix = 0;
        while (Math.Abs(value) >= 1024 && prefix < Prefixes.Length - 1)
        {
            value /= 1024;
            prefix++;
        }
        return value.ToString(prefix == 0 ? "0" : "0.#", CultureInfo.CurrentCulture) + " " + Prefixes[prefix];
    }
}
