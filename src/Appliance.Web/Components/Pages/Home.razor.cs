using Appliance.Web.Agents;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages;

public partial class Home
{
    private AgentReading? _reading;

    [Inject]
    private AgentClient Agent { get; set; } = default!;

    protected override Task OnInitializedAsync() => RefreshAsync();

    private async Task RefreshAsync() => _reading = await Agent.ReadStatusAsync(CancellationToken.None);
}
