using Microsoft.Extensions.Hosting.Systemd;

namespace Appliance.Agent.Hosting;

/// <summary>
/// <c>serve</c> under systemd's <c>Type=notify</c> (deploy/proxmox/appliance-agent.service): READY=1 once every hosted service
/// has started and Kestrel listens (the API answers), STOPPING=1 when a stop begins (SIGTERM from systemd), journal-style
/// console logs. Microsoft.Extensions.Hosting.Systemd does the work.
/// </summary>
public static class SystemdIntegration
{
    private const string NotifySocketVariable = "NOTIFY_SOCKET";

    /// <summary>
    /// Uses the systemd lifetime when systemd started the agent, or whenever <c>$NOTIFY_SOCKET</c> names a notification
    /// socket: the library alone checks only for systemd as the parent process, which misses a manager that runs the agent
    /// through a wrapper (e.g. <c>ip netns exec</c>) and sd_notify-compatible supervisors. Otherwise nothing changes.
    /// </summary>
    public static IHostApplicationBuilder AddSystemdIntegration(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (SystemdHelpers.IsSystemdService())
        {
            builder.Services.AddSystemd();
        }
        else if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(NotifySocketVariable)))
        {
            // The same lifetime and notifier AddSystemd registers, without the journal log format (no journal here).
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            builder.Services.AddSingleton<IHostLifetime, SystemdLifetime>();
        }
        return builder;
    }
}
