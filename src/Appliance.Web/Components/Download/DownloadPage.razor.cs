using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Downloads;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Download;

/// <summary>
/// The page a user opens from a one-time link, without signing in: what the profile is for, the platform's notes, and a
/// button that downloads it (and so uses the link up). A used or expired link answers 410, an unknown one 404.
/// </summary>
public partial class DownloadPage
{
    [Parameter]
    public string Token { get; set; } = "";

    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    [Inject]
    private DownloadLinks Links { get; set; } = default!;

    private DownloadLinkState State { get; set; }

    private DownloadLink? Link { get; set; }

    private ProfileNotesDto? Notes { get; set; }

    private string? NotesProblem { get; set; }

    protected override async Task OnInitializedAsync()
    {
        (State, Link) = await Links.InspectAsync(Token);
        if (HttpContext is { Response.HasStarted: false } http)
        {
            http.Response.StatusCode = State switch
            {
                DownloadLinkState.Usable => StatusCodes.Status200OK,
                DownloadLinkState.Gone => StatusCodes.Status410Gone,
                _ => StatusCodes.Status404NotFound,
            };
            // The token is in the URL: keep it out of caches and of the Referer of anything the page loads.
            http.Response.Headers.CacheControl = "no-store";
            // This page is its own 404/410 answer: the panel's status page wants a sign-in, the user has none.
            if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } statusPages)
                statusPages.Enabled = false;
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
        }
        if (State == DownloadLinkState.Usable && Link is not null)
        {
            try
            {
                Notes = await Links.GetNotesAsync(Link);
            }
            catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
            {
                NotesProblem = e.Message;
            }
        }
    }
}
