using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Appliance.Agent.Api;

/// <summary>Turns unreadable requests (malformed JSON, unknown or missing members) into a 400 problem naming the problem; anything else into a 500 without internals.</summary>
internal static class BadRequests
{
    public static async Task HandleAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        if (error is BadHttpRequestException bad)
        {
            string detail = bad.InnerException is JsonException json ? $"{bad.Message} {json.Message}" : bad.Message;
            await ApiProblems.Problem(bad.StatusCode, "Bad request", detail, "bad-request").ExecuteAsync(context);
            return;
        }
        await ApiProblems.Problem(500, "Internal error", "the agent failed to answer this request; its log has the details", "internal-error").ExecuteAsync(context);
    }
}
