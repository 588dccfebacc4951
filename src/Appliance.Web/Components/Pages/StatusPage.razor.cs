using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages;

/// <summary>What an error status means, for pages the status-code middleware re-executes (403, 404, …).</summary>
public partial class StatusPage
{
    [Parameter]
    public int Code { get; set; } = 404;

    private string Title => Code switch
    {
        403 => L["ProblemForbidden"],
        404 => L["ProblemNotFound"],
        _ => L["ProblemStatus", Code],
    };
}
