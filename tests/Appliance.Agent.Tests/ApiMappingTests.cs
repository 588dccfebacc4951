using Appliance.Agent.Api;
using Appliance.Tunnel.Diagnostics;

namespace Appliance.Agent.Tests;

/// <summary>The engine's enums as the API documents them, and the metrics text format.</summary>
public sealed class ApiMappingTests
{
    [Fact]
    public void Every_discovery_state_has_its_documented_kebab_case_name()
    {
        var names = Enum.GetValues<PppoeDiscoveryState>().Select(SessionViews.Discovery).ToList();

        Assert.Equal(["idle", "padi-sent", "offered", "requested", "refused", "session", "terminated"], names);
    }

    [Fact]
    public void Every_negotiator_state_has_a_kebab_case_name()
    {
        var names = Enum.GetValues<PppNegotiationState>().Select(SessionViews.Negotiation).ToList();

        Assert.Equal(["initial", "req-sent", "ack-received", "ack-sent", "opened", "closing", "closed"], names);
    }

    [Fact]
    public void Authentication_outcomes_and_severities_use_the_documented_words()
    {
        Assert.Equal(["none", "pending", "success", "failure"], Enum.GetValues<AuthenticationOutcome>().Select(SessionViews.Outcome));
        Assert.Equal(["info", "warning", "error"], Enum.GetValues<FindingSeverity>().Select(SessionViews.Severity));
    }

    [Fact]
    public void A_size_findings_evidence_reaches_the_api_with_protocol_and_code_names_and_sizes()
    {
        var finding = new PppoeFinding(FindingSeverity.Error, PppoeFindingCodes.ShortFramesLostFromClient, "e", "f")
        {
            Evidence = [new LostFrame(SessionSide.Client, Appliance.Tunnel.Frames.PppProtocol.Ipcp, Appliance.Tunnel.Frames.PppControlCode.ConfigureAck, 2, 32)],
            SizeThreshold = 34,
        };

        var dto = SessionViews.From(finding);

        Assert.Equal(34, dto.SizeThreshold);
        Assert.Equal(new Appliance.Contracts.MissingFrameDto("client", "IPCP", "Configure-Ack", 2, 32), Assert.Single(dto.Evidence!));
    }

    [Fact]
    public void A_probe_result_reaches_the_api_with_its_direction_and_summary()
    {
        var result = new FrameSizeProbeResult([new ProbedSize(33, false), new ProbedSize(34, true)], 34, 34, 34, null, 2, default, TimeSpan.FromSeconds(1.234));

        var dto = SizeProbeViews.ToDto("00000000000000aa", "alice", result, LossDirection.FromClient);

        Assert.Equal(("from-client", 34, 1.23), (dto.Direction, dto.LostBelow, dto.Seconds));
        Assert.Equal([new Appliance.Contracts.ProbedSizeDto(33, false), new Appliance.Contracts.ProbedSizeDto(34, true)], dto.Sizes);
        Assert.StartsWith("Frames shorter than 34 bytes from the client", dto.Summary, StringComparison.Ordinal);
        Assert.Equal(["none", "unknown", "from-client", "toward-client"], Enum.GetValues<LossDirection>().Select(SizeProbeViews.Direction));
    }

    [Fact]
    public void Metrics_text_declares_each_family_once_and_escapes_label_values()
    {
        var text = new PrometheusText();
        text.Family("appliance_x_total", "counter", "X.");
        text.Sample("appliance_x_total", 3, ("client", "a\"b\\c\nd"));
        text.Sample("appliance_x_total", 4, ("client", "plain"));

        Assert.Equal("""
            # HELP appliance_x_total X.
            # TYPE appliance_x_total counter
            appliance_x_total{client="a\"b\\c\nd"} 3
            appliance_x_total{client="plain"} 4

            """.Replace("\r", "", StringComparison.Ordinal), text.ToString());
    }
}
