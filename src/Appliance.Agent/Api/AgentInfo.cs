using System.Reflection;

namespace Appliance.Agent.Api;

/// <summary>This process: its version and when it started.</summary>
public sealed class AgentInfo(TimeProvider time)
{
    public string Version { get; } = typeof(AgentInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public DateTimeOffset StartedAt { get; } = time.GetUtcNow();
}
