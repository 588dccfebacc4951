using System.ComponentModel.DataAnnotations;
using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Localization;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages.Agents;

/// <summary>A paired agent with its health, or why it cannot be had.</summary>
public sealed record AgentRow(PairedAgent Agent, AgentHealthDto? Health, string? Problem)
{
    public string Name => Agent.Name;
    public string Url => Agent.Url.ToString();
    public DateTimeOffset PairedAt => Agent.PairedAt;
}

/// <summary>The pair-an-agent form.</summary>
public sealed class PairAgentForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [StringLength(64)]
    public string Name { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    public string Url { get; set; } = "";

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    public string Token { get; set; } = "";
}

public partial class AgentsPage
{
    [Inject]
    private AgentStore AgentStore { get; set; } = default!;

    [Inject]
    private AgentConnections Connections { get; set; } = default!;

    [Inject]
    private AgentPairing Pairing { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    private IReadOnlyList<AgentRow> Rows { get; set; } = [];

    private PairAgentForm Input { get; set; } = new();

    private bool IsAdmin { get; set; }

    private bool Busy { get; set; }

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    protected override async Task OnInitializedAsync()
    {
        IsAdmin = await Current.IsAdminAsync();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        var agents = await AgentStore.ListAsync();
        Rows = await Task.WhenAll(agents.Select(ReadHealthAsync));
    }

    private async Task<AgentRow> ReadHealthAsync(PairedAgent agent)
    {
        try
        {
            var client = await Connections.GetAsync(agent.Id);
            return new AgentRow(agent, await client.GetHealthAsync(), null);
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            return new AgentRow(agent, null, e.Message);
        }
    }

    private async Task PairAsync()
    {
        Busy = true;
        try
        {
            var agent = await Pairing.PairAsync(await PanelOperator.OfAsync(Current), Input.Name, Input.Url, Input.Token);
            Notice = T["NoticePaired", agent.Name, agent.ShortFingerprint];
            Problem = null;
            Input = new PairAgentForm();
            await LoadAsync();
        }
        catch (Exception e) when (e is AgentPairingException or UnauthorizedAccessException)
        {
            Problem = e.Message;
            Notice = null;
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task UnpairAsync(AgentRow row)
    {
        try
        {
            await Pairing.UnpairAsync(await PanelOperator.OfAsync(Current), row.Agent.Id);
            Notice = T["NoticeUnpaired", row.Name];
            Problem = null;
        }
        catch (Exception e) when (e is AgentNotPairedException or UnauthorizedAccessException)
        {
            Problem = e.Message;
        }
        await LoadAsync();
    }
}
