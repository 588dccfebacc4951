using System.Runtime.Versioning;
using Appliance.Agent.Config;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;

namespace Appliance.Agent.Api;

/// <summary>The configuration: GET it, PUT a whole new one (validated, written atomically, applied where it can be live).</summary>
[SupportedOSPlatform("linux")]
internal static class ConfigApi
{
    public static IEndpointRouteBuilder MapConfigApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(ApiRoutes.Config, (LiveConfig config) => TypedResults.Ok(config.Current)).WithTags("config");
        app.MapPut(ApiRoutes.Config, Put).WithTags("config");
        return app;
    }

    private static IResult Put(AgentConfigDto proposed, LiveConfig config, EndedSessions ended, ILogger<LiveConfig> log)
    {
        ConfigChangeResult? result;
        ConfigErrors errors;
        try
        {
            (result, errors) = config.Change(proposed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ApiProblems.Problem(500, "Config not written", $"cannot write '{config.FilePath}': {e.Message}; nothing was changed", "config-not-written");
        }
        if (result is null)
            return ApiProblems.Invalid(errors);
        // A lower retention forgets the surplus ended sessions (and their captures) now.
        ended.Trim();
        Log.ConfigChanged(log, result.Applied, result.RestartRequired);
        return TypedResults.Ok(result);
    }
}
