using System.Reflection;
using Appliance.Proxmox.Tests.Support;

namespace Appliance.Proxmox.Tests;

/// <summary>Every call the client can make has a contract test against the schema-generated node.</summary>
public sealed class CoverageTests
{
    [Fact]
    public void Every_client_call_has_a_contract_test()
    {
        var calls = ClientCalls();
        var covered = typeof(CoverageTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .SelectMany(m => m.GetCustomAttributes<CoversAttribute>())
            .Select(a => a.Call)
            .ToHashSet(StringComparer.Ordinal);

        var uncovered = calls.Except(covered).Order().ToList();
        var unknown = covered.Except(calls).Order().ToList();

        Assert.True(uncovered.Count == 0, $"client calls without a [Covers] contract test: {string.Join(", ", uncovered)}");
        Assert.True(unknown.Count == 0, $"[Covers] names no client call: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void The_client_offers_the_calls_the_panel_needs()
        => Assert.True(ClientCalls().Count >= 30, $"only {ClientCalls().Count} calls found; did reflection miss partial files?");

    private static HashSet<string> ClientCalls()
        => typeof(ProxmoxClient).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name != nameof(IDisposable.Dispose))
            .Select(m => m.Name)
            .ToHashSet(StringComparer.Ordinal);
}
