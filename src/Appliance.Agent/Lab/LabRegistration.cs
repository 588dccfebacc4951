using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Appliance.Agent.Lab;

/// <summary>Adds the one-machine lab's ISP to the agent's host.</summary>
public static class LabRegistration
{
    /// <summary>
    /// When <paramref name="enabled"/>, registers <see cref="LabPppoeServer"/> as the <see cref="ILabPppoeServer"/> and as a
    /// hosted service (after the uplink, which creates the bridge); otherwise registers nothing, so the health document's
    /// lab is null. Call it after the uplink's registration.
    /// </summary>
    /// <param name="labBridge">The lab bridge (the uplink's, e.g. "appl-lab0").</param>
    /// <param name="enabled">No uplink NIC or bridge is configured and the config's lab.pppoeServer is on.</param>
    /// <param name="labDirectory">The state directory's <c>lab/</c> folder (init script, PPP files, UML scratch, console log).</param>
    public static IServiceCollection AddLabPppoeServer(this IServiceCollection services, string labBridge, bool enabled, string labDirectory)
    {
        if (!enabled)
            return services;
        var options = new LabPppoeServerOptions { Bridge = labBridge, Directory = labDirectory };
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new LabPppoeServer(options, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LabPppoeServer>>()));
        services.AddSingleton<ILabPppoeServer>(sp => sp.GetRequiredService<LabPppoeServer>());
        services.AddHostedService(sp => sp.GetRequiredService<LabPppoeServer>());
        return services;
    }
}
