using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Appliance.Web.Tests.Components;

/// <summary>Every string the agent-facing pages ask for exists in English and in Traditional Chinese.</summary>
public sealed partial class AgentTextTests
{
    // Keys built at run time: a prefix and the values the agent or the panel sends.
    private static readonly string[] DynamicKeys =
    [
        "Status_active", "Status_disabled", "Status_expired", "Status_revoked",
        "Platform_windows", "Platform_linux", "Platform_macos",
        "Severity_info", "Severity_warning", "Severity_error",
        "Range_hours", "Range_days", "Range_months",
    ];

    [Fact]
    public void Every_key_used_is_in_both_languages()
    {
        string web = Path.Combine(RepositoryRoot(), "src", "Appliance.Web");
        var used = Directory.EnumerateFiles(Path.Combine(web, "Components"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".razor.cs", StringComparison.Ordinal) || f.EndsWith("Page.cs", StringComparison.Ordinal))
            .SelectMany(f => KeyPattern().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Where(k => !k.EndsWith('_'))
            .Concat(DynamicKeys)
            .ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(used);

        foreach (string file in new[] { "AgentText.resx", "AgentText.zh-Hant.resx" })
        {
            var defined = XDocument.Load(Path.Combine(web, "Localization", file)).Root!.Elements("data")
                .Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);
            var missing = used.Where(k => !defined.Contains(k)).Order(StringComparer.Ordinal).ToList();
            Assert.True(missing.Count == 0, $"{file} lacks: {string.Join(", ", missing)}");
        }
    }

    internal static string RepositoryRootForTests() => RepositoryRoot();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (Appliance.sln) is not above the test's directory");
    }

    [GeneratedRegex(@"(?<![A-Za-z])(?:T|Strings)\[""([A-Za-z_]+)""")]
    private static partial Regex KeyPattern();
}
