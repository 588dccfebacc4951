using Appliance.Contracts;

namespace Appliance.Agent.Config;

/// <summary>Which keys differ between two configurations, split into those applied live and those that wait for a restart.</summary>
public static class ConfigChanges
{
    /// <summary>Keys the running agent applies at once: the switch's options (swapped atomically), what profiles are rendered with, and how
    /// many ended sessions are kept.</summary>
    public static readonly IReadOnlySet<string> LiveKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "tunnel.endedSessionsPerClient", "switch.policy", "switch.sessionMacLimit", "switch.isolation", "switch.macAgingSeconds",
        "profiles.serverHost", "profiles.udpPort", "profiles.tcpPort", "profiles.clientValidityDays",
    };

    public static ConfigChangeResult Diff(AgentConfigDto before, AgentConfigDto after)
    {
        var applied = new List<string>();
        var restart = new List<string>();
        void Compare<T>(string key, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
                (LiveKeys.Contains(key) ? applied : restart).Add(key);
        }
        void CompareList(string key, IReadOnlyList<string> a, IReadOnlyList<string> b)
        {
            if (!a.SequenceEqual(b, StringComparer.Ordinal))
                restart.Add(key);
        }
        Compare("api.listen", before.Api.Listen, after.Api.Listen);
        CompareList("tunnel.listen", before.Tunnel.Listen, after.Tunnel.Listen);
        CompareList("tunnel.ciphers", before.Tunnel.Ciphers, after.Tunnel.Ciphers);
        Compare("tunnel.maxSessions", before.Tunnel.MaxSessions, after.Tunnel.MaxSessions);
        Compare("tunnel.pingSeconds", before.Tunnel.PingSeconds, after.Tunnel.PingSeconds);
        Compare("tunnel.pingRestartSeconds", before.Tunnel.PingRestartSeconds, after.Tunnel.PingRestartSeconds);
        Compare("tunnel.renegotiateSeconds", before.Tunnel.RenegotiateSeconds, after.Tunnel.RenegotiateSeconds);
        Compare("tunnel.endedSessionsPerClient", before.Tunnel.EndedSessionsPerClient, after.Tunnel.EndedSessionsPerClient);
        Compare("uplink.nic", before.Uplink.Nic, after.Uplink.Nic);
        Compare("uplink.bridge", before.Uplink.Bridge, after.Uplink.Bridge);
        Compare("uplink.labBridge", before.Uplink.LabBridge, after.Uplink.LabBridge);
        Compare("uplink.mtu", before.Uplink.Mtu, after.Uplink.Mtu);
        Compare("switch.policy", before.Switch.Policy, after.Switch.Policy);
        Compare("switch.sessionMacLimit", before.Switch.SessionMacLimit, after.Switch.SessionMacLimit);
        Compare("switch.isolation", before.Switch.Isolation, after.Switch.Isolation);
        Compare("switch.macAgingSeconds", before.Switch.MacAgingSeconds, after.Switch.MacAgingSeconds);
        Compare("profiles.serverHost", before.Profiles.ServerHost, after.Profiles.ServerHost);
        Compare("profiles.udpPort", before.Profiles.UdpPort, after.Profiles.UdpPort);
        Compare("profiles.tcpPort", before.Profiles.TcpPort, after.Profiles.TcpPort);
        Compare("profiles.clientValidityDays", before.Profiles.ClientValidityDays, after.Profiles.ClientValidityDays);
        Compare("lab.pppoeServer", before.Lab.PppoeServer, after.Lab.PppoeServer);
        return new ConfigChangeResult(applied, restart);
    }
}
