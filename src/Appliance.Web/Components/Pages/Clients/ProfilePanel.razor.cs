using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Clients;
using Appliance.Web.Downloads;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Appliance.Web.Components.Pages.Clients;

public partial class ProfilePanel
{
    [Parameter, EditorRequired]
    public long AgentId { get; set; }

    [Parameter, EditorRequired]
    public ClientRow Client { get; set; } = default!;

    [Parameter]
    public EventCallback OnClose { get; set; }

    /// <summary>Called after the client's default transport changed (the list shows it).</summary>
    [Parameter]
    public EventCallback OnChanged { get; set; }

    [Inject]
    private ClientCatalog Catalog { get; set; } = default!;

    [Inject]
    private DownloadLinks Links { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IJSRuntime Js { get; set; } = default!;

    private string Transport { get; set; } = ClientTransportStore.DefaultTransport;

    private string Platform { get; set; } = "windows";

    private string DefaultTransport { get; set; } = ClientTransportStore.DefaultTransport;

    private ProfileNotesDto? Notes { get; set; }

    private string? NotesProblem { get; set; }

    private int LinkHours { get; set; } = (int)DownloadLinks.DefaultValidity.TotalHours;

    private IssuedDownloadLink? IssuedLink { get; set; }

    private bool Copied { get; set; }

    private string? Problem { get; set; }

    private string? _shownFor;

    private string DownloadUrl => DownloadEndpoints.ProfileUrl(AgentId, Client.Name, Transport, Platform);

    private string LinkUrl => IssuedLink is null ? "" : Navigation.BaseUri + IssuedLink.RelativeUrl;

    protected override async Task OnParametersSetAsync()
    {
        if (_shownFor == Client.Name)
            return;
        _shownFor = Client.Name;
        Transport = DefaultTransport = Client.Transport;
        IssuedLink = null;
        await LoadNotesAsync();
    }

    private async Task ChoiceChangedAsync()
    {
        IssuedLink = null;
        await LoadNotesAsync();
    }

    /// <summary>Loads the notes of the platform chosen now; an answer that arrives after the choice changed again is dropped (the later request shows its own).</summary>
    private async Task LoadNotesAsync()
    {
        string platform = Platform;
        try
        {
            var notes = await Catalog.GetNotesAsync(AgentId, platform);
            if (platform != Platform)
                return;
            Notes = notes;
            NotesProblem = null;
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            if (platform != Platform)
                return;
            Notes = null;
            NotesProblem = e.Message;
        }
    }

    private async Task CreateLinkAsync()
    {
        try
        {
            var by = await PanelOperator.OfAsync(Current);
            IssuedLink = await Links.CreateAsync(by, AgentId, Client.Name, Transport, Platform, TimeSpan.FromHours(LinkHours));
            Copied = false;
            Problem = null;
        }
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException)
        {
            Problem = e.Message;
        }
    }

    private async Task MakeDefaultAsync()
    {
        try
        {
            await Catalog.SetTransportAsync(await PanelOperator.OfAsync(Current), AgentId, Client.Name, Transport);
            DefaultTransport = Transport;
            Problem = null;
            await OnChanged.InvokeAsync();
        }
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException)
        {
            Problem = e.Message;
        }
    }

    private async Task CopyAsync()
    {
        try
        {
            await Js.InvokeVoidAsync("navigator.clipboard.writeText", LinkUrl);
            Copied = true;
        }
        catch (JSException)
        {
            // Clipboard refused (no https, no permission): the link stays selectable in the box.
            Copied = false;
        }
    }
}
