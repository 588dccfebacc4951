using Appliance.Web.Audit;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages;

/// <summary>The audit log, newest first, filtered by user, action and time range.</summary>
public partial class AuditPage
{
    [Inject]
    private AuditLog Log { get; set; } = default!;

    private IReadOnlyList<AuditEntry> Entries { get; set; } = [];

    private IReadOnlyList<string> Actions { get; set; } = [];

    protected override async Task OnInitializedAsync()
    {
        Actions = await Log.ListActionsAsync();
        await ApplyAsync(new AuditQuery());
    }

    private async Task ApplyAsync(AuditQuery query) => Entries = await Log.QueryAsync(query);
}
