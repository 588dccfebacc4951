using System.Globalization;
using System.Net;
using Appliance.Tunnel.Sessions;

namespace Appliance.Agent.Config;

/// <summary>Parses the config's listen addresses: <c>ADDRESS:PORT</c> for the API, <c>udp|tcp ADDRESS:PORT</c> for the tunnel.</summary>
/// <remarks>Port 0 asks the kernel for a free port (tests); the bound port is then reported by health and the local access file.</remarks>
public static class ListenAddress
{
    public static bool TryParseEndPoint(string? text, out IPEndPoint endPoint, out string problem)
    {
        endPoint = new IPEndPoint(IPAddress.Any, 0);
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "is empty; give ADDRESS:PORT, e.g. 0.0.0.0:7443";
            return false;
        }
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            problem = "is not ADDRESS:PORT (e.g. 0.0.0.0:1194 or [::]:1194)";
            return false;
        }
        if (port > IPEndPoint.MaxPort)
        {
            problem = $"port {port.ToString(CultureInfo.InvariantCulture)} is outside 0..65535";
            return false;
        }
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        if (!IPAddress.TryParse(host, out var address))
        {
            problem = $"'{host}' is not an IPv4 or IPv6 address (host names are not accepted here)";
            return false;
        }
        endPoint = new IPEndPoint(address, port);
        return true;
    }

    public static bool TryParseTunnel(string? text, out ListenEndpoint listen, out string problem)
    {
        listen = new ListenEndpoint(TunnelProtocol.Udp, new IPEndPoint(IPAddress.Any, 0));
        string trimmed = text?.Trim() ?? "";
        int space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        if (space < 0)
        {
            problem = "is not 'udp ADDRESS:PORT' or 'tcp ADDRESS:PORT'";
            return false;
        }
        TunnelProtocol protocol;
        switch (trimmed[..space].ToLowerInvariant())
        {
            case "udp":
                protocol = TunnelProtocol.Udp;
                break;
            case "tcp":
                protocol = TunnelProtocol.Tcp;
                break;
            default:
                problem = $"transport '{trimmed[..space]}' is neither udp nor tcp";
                return false;
        }
        if (!TryParseEndPoint(trimmed[(space + 1)..].Trim(), out var endPoint, out problem))
            return false;
        listen = new ListenEndpoint(protocol, endPoint);
        return true;
    }
}
