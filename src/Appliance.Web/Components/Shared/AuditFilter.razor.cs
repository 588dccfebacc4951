using Appliance.Web.Components.Forms;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Shared;

/// <summary>The audit log filter: user, action prefix, time range (UTC); says what is wrong beside the field.</summary>
public partial class AuditFilter
{
    /// <summary>The known action names, offered while typing.</summary>
    [Parameter]
    public IReadOnlyList<string> Actions { get; set; } = [];

    /// <summary>Raised with the query when a valid filter is applied or cleared.</summary>
    [Parameter]
    public EventCallback<Appliance.Web.Audit.AuditQuery> OnApply { get; set; }

    private AuditFilterForm Input { get; set; } = new();

    private Task ApplyAsync() => OnApply.InvokeAsync(Input.ToQuery());

    private Task ClearAsync()
    {
        Input = new AuditFilterForm();
        return OnApply.InvokeAsync(Input.ToQuery());
    }
}
