using Appliance.Web.Agents;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages;

public partial class Home
{
    private IReadOnlyList<AgentOverviewRow>? _rows;

    [Inject]
    private AgentOverview Overview { get; set; } = default!;

    protected override Task OnInitializedAsync() => RefreshAsync();

    private async Task RefreshAsync() => _rows = await Overview.ReadAsync(CancellationToken.None);
}
