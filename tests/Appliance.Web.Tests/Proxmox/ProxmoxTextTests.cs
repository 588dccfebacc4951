using System.Text.RegularExpressions;
using System.Xml.Linq;
using Appliance.Proxmox.Workflows;
using Appliance.Proxmox.Workflows.Preflight;

namespace Appliance.Web.Tests.Proxmox;

/// <summary>Every string the Proxmox pages ask for exists in English and Traditional Chinese, including the ones named after step and check ids.</summary>
public sealed partial class ProxmoxTextTests
{
    // Step ids the deploy and import workflows report (see their READMEs), and the id the panel adds when no site is stored.
    private static readonly string[] StepIds =
    [
        "reserve-id", "clone", "configure", "start", "wait-guest-agent", "write-pairing-token", "read-fingerprint", "find-address", "paired", "cleanup",
        "browser-upload", "version", "import-route", "upload", "create", "ssh", "ssh-connect", "ssh-copy", "ssh-import", "ssh-cleanup", "template", "connect",
    ];

    [Fact]
    public void Every_key_used_is_in_both_languages()
    {
        string web = Path.Combine(RepositoryRoot(), "src", "Appliance.Web");
        var used = Directory.EnumerateFiles(Path.Combine(web, "Components", "Pages", "Proxmox"), "*.*")
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".razor.cs", StringComparison.Ordinal))
            .SelectMany(f => KeyPattern().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Where(k => !k.EndsWith('-') && k != "State")
            .Concat(StepIds.Select(id => "Step-" + id))
            .Concat(typeof(PreflightCheckIds).GetFields().Select(f => "Check-" + (string)f.GetValue(null)!))
            .Concat(Enum.GetNames<StepState>().Select(s => "State" + s))
            .Concat(["Series-cpu", "Series-memory", "Series-netin", "Series-netout"])
            .Concat(typeof(Appliance.Web.Proxmox.ProxmoxValidationText).GetProperties().Select(p => "Validation" + p.Name))
            .ToHashSet(StringComparer.Ordinal);

        foreach (string file in new[] { "ProxmoxText.resx", "ProxmoxText.zh-Hant.resx" })
        {
            var defined = XDocument.Load(Path.Combine(web, "Proxmox", file)).Root!.Elements("data")
                .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!, StringComparer.Ordinal);
            var missing = used.Where(k => !defined.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
            Assert.True(missing.Count == 0, $"{file} lacks: {string.Join(", ", missing)}");
            Assert.All(defined, d => Assert.False(string.IsNullOrWhiteSpace(d.Value), $"{file}: {d.Key} is empty"));
        }
    }

    [Fact]
    public void Chinese_strings_keep_every_placeholder_of_the_english_ones()
    {
        string folder = Path.Combine(RepositoryRoot(), "src", "Appliance.Web", "Proxmox");
        var english = Load(Path.Combine(folder, "ProxmoxText.resx"));
        var chinese = Load(Path.Combine(folder, "ProxmoxText.zh-Hant.resx"));
        foreach (var (key, text) in english)
        {
            var wanted = PlaceholderPattern().Matches(text).Select(m => m.Value).Order(StringComparer.Ordinal);
            var got = PlaceholderPattern().Matches(chinese[key]).Select(m => m.Value).Order(StringComparer.Ordinal);
            Assert.True(wanted.SequenceEqual(got), $"{key}: '{text}' vs '{chinese[key]}'");
        }
    }

    private static Dictionary<string, string> Load(string path) => XDocument.Load(path).Root!.Elements("data")
        .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!, StringComparer.Ordinal);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("the repository root (Appliance.sln) is not above the test's directory");
    }

    [GeneratedRegex(@"(?<![A-Za-z])P\[""([A-Za-z-]+)""")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();
}
