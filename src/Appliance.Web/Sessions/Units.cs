using System.Globalization;

namespace Appliance.Web.Sessions;

/// <summary>Rates and sizes as operators read them (SI prefixes, one decimal).</summary>
public static class Units
{
    public static string BitsPerSecond(double? bits) => bits is { } b ? Scale(b, "bit/s") : "–";

    public static string Bytes(long bytes) => bytes < 1000 ? bytes.ToString(CultureInfo.InvariantCulture) + " B" : Scale(bytes, "B");

    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Scale(double value, string unit)
    {
        string[] prefixes = ["", "k", "M", "G", "T"];
        int i = 0;
        while (Math.Abs(value) >= 1000 && i < prefixes.Length - 1)
        {
            value /= 1000;
            i++;
        }
        return value.ToString(i == 0 ? "0" : "0.0", CultureInfo.InvariantCulture) + " " + prefixes[i] + unit;
    }
}
