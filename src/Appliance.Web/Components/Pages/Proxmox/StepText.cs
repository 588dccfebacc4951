using Appliance.Web.Proxmox;
using Microsoft.Extensions.Localization;

namespace Appliance.Web.Components.Pages.Proxmox;

/// <summary>How the pages name a workflow step and word its message: the step's title, never its id; a message as a sentence.</summary>
public static class StepText
{
    /// <summary>"Start the VM" for <c>start</c>; an unknown id reads as "a step" rather than the raw id.</summary>
    public static string Title(IStringLocalizer<ProxmoxText> text, string? id)
        => id is not null && text["Step-" + id] is { ResourceNotFound: false } title ? title.Value : text["StepUnknown"].Value;

    /// <summary>A workflow message as a sentence: first letter capital, a full stop at the end.</summary>
    public static string Sentence(string? message)
    {
        var text = (message ?? "").Trim();
        if (text.Length == 0)
            return text;
        text = char.ToUpperInvariant(text[0]) + text[1..];
        return text[^1] is '.' or '!' or '?' or ')' ? text : text + ".";
    }
}
