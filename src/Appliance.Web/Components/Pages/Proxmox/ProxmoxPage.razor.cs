using Appliance.Proxmox.Models;
using Appliance.Proxmox.Workflows.Connect;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Proxmox;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages.Proxmox;

/// <summary>The stored Proxmox connection and its nodes; admins check and save a new one.</summary>
public partial class ProxmoxPage
{
    [Inject]
    private ProxmoxConnector Connector { get; set; } = default!;

    [Inject]
    private CurrentActor Current { get; set; } = default!;

    private ProxmoxSite? Site { get; set; }

    private IReadOnlyList<NodeSummary> Nodes { get; set; } = [];

    private string? NodesProblem { get; set; }

    private ConnectForm Input { get; set; } = new();

    private ConnectionCheckRequest? CheckedRequest { get; set; }

    private ConnectionCheckResult? Checked { get; set; }

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
        Site = await Connector.ReadSiteAsync();
        if (Site is null)
            return;
        var nodes = await Connector.ReadNodesAsync();
        Nodes = nodes.Value ?? [];
        NodesProblem = nodes.Problem;
    }

    private Task CheckAsync()
    {
        ConnectionCheckRequest request;
        try
        {
            request = Input.ToRequest();
        }
        catch (UriFormatException e)
        {
            Problem = e.Message;
            return Task.CompletedTask;
        }
        return RunCheckAsync(request);
    }

    // The operator vouches for the certificate shown: the same check again, now expecting exactly that fingerprint.
    private Task ConfirmCertificateAsync() =>
        CheckedRequest is { } request && Checked?.FingerprintSeen is { } seen
            ? RunCheckAsync(request with { Fingerprint = seen, FingerprintConfirmedOnScreen = true })
            : Task.CompletedTask;

    private async Task RunCheckAsync(ConnectionCheckRequest request)
    {
        Busy = true;
        Problem = Notice = null;
        try
        {
            Checked = await Connector.CheckAsync(await PanelOperator.OfAsync(Current), request);
            CheckedRequest = request;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or UriFormatException)
        {
            Problem = e.Message;
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task SaveAsync()
    {
        if (Checked is null || CheckedRequest is null)
            return;
        Busy = true;
        try
        {
            await Connector.SaveAsync(await PanelOperator.OfAsync(Current), CheckedRequest, Checked);
            Notice = P["NoticeConnected", CheckedRequest.BaseUrl.Authority];
            Problem = null;
            // The secret is not kept on the page once stored.
            Input = new ConnectForm();
            Checked = null;
            CheckedRequest = null;
            await LoadAsync();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or InvalidOperationException)
        {
            Problem = e.Message;
        }
        finally
        {
            Busy = false;
        }
    }
}
