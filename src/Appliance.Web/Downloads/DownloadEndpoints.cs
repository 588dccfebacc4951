using System.Text;
using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Clients;
using Microsoft.AspNetCore.Http.HttpResults;
using Appliance.Web.Sessions;

namespace Appliance.Web.Downloads;

/// <summary>The file downloads of the agent-facing pages: profiles and captures for admins, and one-time links for anyone holding one.</summary>
public static class DownloadEndpoints
{
    public const string ProfileContentType = "application/x-openvpn-profile";
    public const string CaptureContentType = "application/vnd.tcpdump.pcap";

    public static string ProfileUrl(long agentId, string client, string transport, string platform) =>
        $"agents/{agentId}/clients/{Uri.EscapeDataString(client)}/profile?transport={transport}&platform={platform}";

    public static string CaptureUrl(long agentId, string captureId) => $"agents/{agentId}/captures/{Uri.EscapeDataString(captureId)}/pcapng";

    public static string LinkDownloadUrl(string token) => $"d/{token}/profile";

    public static IEndpointRouteBuilder MapAgentDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/agents/{agentId:long}/clients/{name}/profile", DownloadProfileAsync).RequireAuthorization(PanelPolicies.Admin);
        app.MapGet("/agents/{agentId:long}/captures/{captureId}/pcapng", DownloadCaptureAsync).RequireAuthorization(PanelPolicies.Admin);
        // Anyone with the link may download once: the token is the authorization. POST, because it consumes the link.
        app.MapPost("/d/{token}/profile", RedeemLinkAsync).AllowAnonymous().DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> DownloadProfileAsync(
        long agentId, string name, string? transport, string? platform, HttpContext http, ClientCatalog clients, CancellationToken ct)
    {
        try
        {
            var by = PanelOperator.Of(http);
            var (fileName, content) = await clients.DownloadProfileAsync(by, agentId, name, transport ?? "udp", platform ?? "windows", ct);
            return TypedResults.File(Encoding.UTF8.GetBytes(content), ProfileContentType, fileName);
        }
        catch (ArgumentException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            return AgentProblem(e);
        }
    }

    private static async Task<IResult> DownloadCaptureAsync(long agentId, string captureId, HttpContext http, SessionActions sessions, CancellationToken ct)
    {
        try
        {
            var by = PanelOperator.Of(http);
            var (fileName, content) = await sessions.DownloadCaptureAsync(by, agentId, captureId, ct);
            return TypedResults.File(content, CaptureContentType, fileName);
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            return AgentProblem(e);
        }
    }

    private static async Task<IResult> RedeemLinkAsync(string token, HttpContext http, DownloadLinks links, CancellationToken ct)
    {
        try
        {
            var (state, profile) = await links.RedeemAsync(token, http.Connection.RemoteIpAddress?.ToString(), ct);
            return state switch
            {
                DownloadLinkState.Usable when profile is { } p => TypedResults.File(Encoding.UTF8.GetBytes(p.Content), ProfileContentType, p.FileName),
                DownloadLinkState.Gone => TypedResults.Problem("This download link was already used or has expired; ask your administrator for a new one.", statusCode: StatusCodes.Status410Gone),
                _ => TypedResults.Problem("There is no such download link; check that it was copied completely.", statusCode: StatusCodes.Status404NotFound),
            };
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            return TypedResults.Problem("The appliance cannot hand out the profile right now; the link is still valid, try again later.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static ProblemHttpResult AgentProblem(Exception e) => e switch
    {
        AgentApiException { Failure: AgentApiFailure.NotFound } => TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound),
        AgentNotPairedException => TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound),
        _ => TypedResults.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway),
    };
}
