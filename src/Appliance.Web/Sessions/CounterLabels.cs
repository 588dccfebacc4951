namespace Appliance.Web.Sessions;

/// <summary>
/// How the agent's stable counter keys read on a page: "PppoeSession" as "PPPoE session", "IPV6CP Configure-Ack" as
/// "IPv6CP Configure-Ack". The keys themselves stay as the API gives them (data attributes, links, history).
/// </summary>
public static class CounterLabels
{
    private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
    {
        ["Truncated"] = "Truncated",
        ["IPv4"] = "IPv4",
        ["Arp"] = "ARP",
        ["IPv6"] = "IPv6",
        ["PppoeDiscovery"] = "PPPoE discovery",
        ["PppoeSession"] = "PPPoE session",
        ["Lldp"] = "LLDP",
        ["Ieee8023Length"] = "802.3 length",
        ["IPV4"] = "IPv4",
        ["IPV6"] = "IPv6",
        ["IPV6CP"] = "IPv6CP",
        ["OTHER"] = "Other",
    };

    public static string Display(string key)
    {
        if (Words.TryGetValue(key, out var word))
            return word;
        int space = key.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && Words.TryGetValue(key[..space], out var protocol) ? protocol + key[space..] : key;
    }
}
