using System.ComponentModel.DataAnnotations;
using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Clients;
using Appliance.Web.Components.Forms;
using Appliance.Web.Localization;
using Appliance.Web.Sessions;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages.Clients;

/// <summary>The new-client form.</summary>
public sealed class NewClientForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [ClientNameRule(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.ClientName))]
    public string Name { get; set; } = "";

    /// <summary>Days until the certificate expires; empty for the agent's default.</summary>
    [Range(1, 3650)]
    public int? ValidDays { get; set; }

    public string Transport { get; set; } = ClientTransportStore.DefaultTransport;
}

public partial class ClientsPage
{
    [Inject]
    private ClientCatalog Catalog { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    private IReadOnlyList<ClientRow> Rows { get; set; } = [];

    private string Search { get; set; } = "";

    private IEnumerable<ClientRow> VisibleRows => string.IsNullOrWhiteSpace(Search)
        ? Rows
        : Rows.Where(r => r.Name.Contains(Search.Trim(), StringComparison.OrdinalIgnoreCase)
            || r.Status.Contains(Search.Trim(), StringComparison.OrdinalIgnoreCase));

    private ClientRow? Profile { get; set; }

    [Inject]
    private EndedSessionCatalog EndedCatalog { get; set; } = default!;

    /// <summary>Each client's newest ended session the agent keeps.</summary>
    private IReadOnlyDictionary<string, EndedSessionDto> LastSessions { get; set; } = new Dictionary<string, EndedSessionDto>();

    /// <summary>The last session opened under the grid (a client's "last session").</summary>
    private EndedSessionDto? LastShown { get; set; }

    private NewClientForm Input { get; set; } = new();

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        await LoadAgentAsync();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        if (Agent is null)
            return;
        try
        {
            Rows = await Catalog.ListAsync(Agent.Id);
            LastSessions = await EndedCatalog.LastPerClientAsync(Agent.Id);
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            Problem = e.Message;
            Rows = [];
        }
    }

    private async Task CreateAsync()
    {
        DateTimeOffset? expires = Input.ValidDays is { } days ? Time.GetUtcNow().AddDays(days) : null;
        if (await ActAsync(async by => await Catalog.IssueAsync(by, Agent!.Id, Input.Name, expires, Input.Transport), T["NoticeClientCreated", Input.Name.Trim()]))
            Input = new NewClientForm();
    }

    private Task<bool> DisableAsync(ClientRow row) => ActAsync(by => Catalog.DisableAsync(by, Agent!.Id, row.Name), T["NoticeClientDisabled", row.Name]);

    private Task<bool> SetConcurrentAsync(ClientRow row, bool allowed) =>
        ActAsync(by => Catalog.SetConcurrentAsync(by, Agent!.Id, row.Name, allowed), T[allowed ? "NoticeClientSeveral" : "NoticeClientOne", row.Name]);

    private Task<bool> EnableAsync(ClientRow row) => ActAsync(by => Catalog.EnableAsync(by, Agent!.Id, row.Name), T["NoticeClientEnabled", row.Name]);

    private Task<bool> RenewAsync(ClientRow row) => ActAsync(by => Catalog.RenewAsync(by, Agent!.Id, row.Name, null), T["NoticeClientRenewed", row.Name]);

    private Task<bool> RevokeAsync(ClientRow row) => ActAsync(by => Catalog.RevokeAsync(by, Agent!.Id, row.Name), T["NoticeClientRevoked", row.Name]);

    /// <summary>Runs one admin action; an error shows in the banner, never as an exception page.</summary>
    private async Task<bool> ActAsync(Func<PanelOperator, Task> action, string success)
    {
        try
        {
            await action(await OperatorAsync());
            Notice = success;
            Problem = null;
            await LoadAsync();
            return true;
        }
        catch (AgentApiException e) when (e.Errors.Count > 0)
        {
            Problem = e.Message + ": " + string.Join("; ", e.Errors.SelectMany(kv => kv.Value.Select(v => $"{kv.Key}: {v}")));
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException or UnauthorizedAccessException or ArgumentException)
        {
            Problem = e.Message;
        }
        Notice = null;
        return false;
    }
}
