using System.Text;
using Appliance.Contracts;
using Appliance.Web.Localization;
using Microsoft.Extensions.Localization;

namespace Appliance.Web.Sessions;

/// <summary>
/// A finding's explanation and fix in the panel's language, worded from its code and parameters through
/// <c>AgentText*.resx</c>; the agent's English text for a code (or a variant, or a parameter) the panel does not know.
/// </summary>
/// <remarks>
/// Keys: <c>Finding_{code}[_{variant}]_Explanation</c>; the fix is the first of <c>Finding_{code}_{variant}_Fix</c>,
/// <c>Finding_{code}_Fix_{first error tag}</c>, <c>Finding_{code}_Fix_{size threshold}</c>, <c>Finding_{code}_Fix</c>.
/// Templates name parameters in braces (<c>{threshold}</c>); a few are made here: <c>{missing}</c> (the evidence, worded),
/// <c>{errors}</c> (the PPPoE error tags, worded), <c>{ipv6OnlyClause}</c> and <c>{guiSuffix}</c>. A template naming a
/// value the finding does not carry falls back to the agent's text, so an older agent never shows a half-filled sentence.
/// </remarks>
public static class FindingText
{
    public const string Prefix = "Finding_";

    public static string Explanation(PppoeFindingDto finding, IStringLocalizer<AgentText> text)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return Worded(finding, text) ?? finding.Explanation;
    }

    /// <summary>The fix in the panel's language; the agent's when the explanation is the agent's too (never a sentence in one language and its fix in another).</summary>
    public static string Fix(PppoeFindingDto finding, IStringLocalizer<AgentText> text)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (Worded(finding, text) is null)
            return finding.Fix;
        string? variant = Parameter(finding, "variant");
        string? firstError = Parameter(finding, "errors")?.Split(',')[0];
        string? template = First(text,
            variant is null ? null : $"{Prefix}{finding.Code}_{variant}_Fix",
            string.IsNullOrEmpty(firstError) ? null : $"{Prefix}{finding.Code}_Fix_{firstError}",
            finding.SizeThreshold is { } n ? $"{Prefix}{finding.Code}_Fix_{n}" : null,
            $"{Prefix}{finding.Code}_Fix");
        return Fill(template, finding, text) ?? finding.Fix;
    }

    private static string? Worded(PppoeFindingDto finding, IStringLocalizer<AgentText> text)
    {
        string? variant = Parameter(finding, "variant");
        string? template = First(text, variant is null ? null : $"{Prefix}{finding.Code}_{variant}_Explanation", $"{Prefix}{finding.Code}_Explanation");
        return Fill(template, finding, text);
    }

    /// <summary>"IPCP Configure-Ack (id 2, 32 bytes) and 5 × LCP Echo-Reply (30 bytes)" in the panel's language.</summary>
    public static string Missing(IReadOnlyList<MissingFrameDto> frames, IStringLocalizer<AgentText> text)
    {
        var parts = new List<string>();
        var done = new bool[frames.Count];
        for (int i = 0; i < frames.Count; i++)
        {
            if (done[i])
                continue;
            var f = frames[i];
            int count = 0;
            for (int j = i; j < frames.Count; j++)
            {
                var g = frames[j];
                if (!done[j] && g.Protocol == f.Protocol && g.Code == f.Code && g.Size == f.Size)
                {
                    done[j] = true;
                    count++;
                }
            }
            parts.Add(count == 1
                ? text["Finding_MissingOne", f.Protocol, f.Code, f.Identifier, f.Size].Value
                : text["Finding_MissingMany", count, f.Protocol, f.Code, f.Size].Value);
        }
        return parts.Count <= 1
            ? parts.FirstOrDefault() ?? ""
            : string.Join(text["Finding_ListSeparator"].Value, parts.GetRange(0, parts.Count - 1)) + text["Finding_ListLast"].Value + parts[^1];
    }

    private static string? Parameter(PppoeFindingDto finding, string name) =>
        finding.Parameters is { } p && p.TryGetValue(name, out var value) ? value : null;

    private static string? First(IStringLocalizer<AgentText> text, params string?[] keys)
    {
        foreach (string? key in keys)
        {
            if (key is null)
                continue;
            var found = text[key];
            if (!found.ResourceNotFound)
                return found.Value;
        }
        return null;
    }

    /// <summary>The template with every <c>{name}</c> filled, or null when one cannot be.</summary>
    private static string? Fill(string? template, PppoeFindingDto finding, IStringLocalizer<AgentText> text)
    {
        if (template is null)
            return null;
        var result = new StringBuilder(template.Length + 64);
        int at = 0;
        while (at < template.Length)
        {
            int open = template.IndexOf('{', at);
            if (open < 0)
            {
                result.Append(template, at, template.Length - at);
                break;
            }
            int close = template.IndexOf('}', open);
            if (close < 0)
                return null;
            result.Append(template, at, open - at);
            if (Value(template[(open + 1)..close], finding, text) is not { } value)
                return null;
            result.Append(value);
            at = close + 1;
        }
        return result.ToString();
    }

    private static string? Value(string name, PppoeFindingDto finding, IStringLocalizer<AgentText> text) => name switch
    {
        "missing" => finding.Evidence is { Count: > 0 } evidence ? Missing(evidence, text) : null,
        "errors" => Parameter(finding, "errors") is { Length: > 0 } errors ? Errors(errors, text) : null,
        "ipv6OnlyClause" => Parameter(finding, "ipv6Only") switch
        {
            "true" => text["Finding_Ipv6OnlyClause"].Value,
            "false" => "",
            _ => null,
        },
        "guiSuffix" => Parameter(finding, "gui") switch
        {
            null => null,
            "" => "",
            var gui => text["Finding_GuiSuffix", gui].Value,
        },
        _ => Parameter(finding, name),
    };

    private static string? Errors(string errors, IStringLocalizer<AgentText> text)
    {
        var worded = new List<string>();
        foreach (string tag in errors.Split(','))
        {
            var found = text["PppoeError_" + tag];
            if (found.ResourceNotFound)
                return null;
            worded.Add(found.Value);
        }
        return string.Join(text["Finding_ErrorSeparator"].Value, worded);
    }
}
