using Appliance.Web.Settings;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages;

public partial class SettingsPage
{
    [Inject]
    private SettingsEditor Editor { get; set; } = default!;

    /// <summary>Set by the restore endpoint's redirect: done, refused, no-file.</summary>
    [SupplyParameterFromQuery(Name = "restore")]
    private string? RestoreResult { get; set; }

    [SupplyParameterFromQuery(Name = "problem")]
    private string? RestoreProblemText { get; set; }

    private PanelSettings? Input { get; set; }

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    private string? RestoreProblem => RestoreResult switch
    {
        "refused" => RestoreProblemText,
        "no-file" => L["ProblemNoFile"].Value,
        "unconfirmed" => L["ProblemRestoreUnconfirmed"].Value,
        _ => null,
    };

    private string? RestoreNotice => RestoreResult == "done" ? L["NoticeRestored"].Value : null;

    protected override async Task OnInitializedAsync() => Input = await Editor.ReadAsync();

    private async Task SaveAsync()
    {
        bool saved = await Editor.SaveAsync(Input!);
        Problem = saved ? null : L["ProblemAdminsOnly"].Value;
        Notice = saved ? L["NoticeSaved"].Value : null;
    }
}
