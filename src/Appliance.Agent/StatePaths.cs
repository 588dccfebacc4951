using System.Runtime.Versioning;
using Appliance.Agent.State;

namespace Appliance.Agent;

/// <summary>Resolves the state directory the same way for <c>serve</c> and the CLI.</summary>
[SupportedOSPlatform("linux")]
internal static class StatePaths
{
    public static string Resolve(string? named) =>
        named ?? StateDirectory.ResolveDefaultPath(Environment.GetEnvironmentVariable("STATE_DIRECTORY"), AppContext.BaseDirectory);
}
