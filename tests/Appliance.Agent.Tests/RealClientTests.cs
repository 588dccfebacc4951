using System.Diagnostics;
using System.Runtime.Versioning;
using Appliance.Agent.Tests.Support;
using Appliance.Contracts;
using Appliance.Tunnel.Devices;
using Xunit.Abstractions;

namespace Appliance.Agent.Tests;

/// <summary>
/// The real OpenVPN 2.6 client against the real daemon on loopback, with profiles the daemon rendered: the session and
/// its counters over the API, revocation, disabling, captures and a live config change.
/// </summary>
[Trait("Category", "EndToEnd")]
[SupportedOSPlatform("linux")]
public sealed class RealClientTests(DaemonFixture fixture, ITestOutputHelper output) : IClassFixture<DaemonFixture>
{
    // Profiles use tls-crypt-v2 by default; the CLI test asks for the shared tls-crypt key, which old profiles carry.
    private const string OldProfileWrap = "tls-crypt";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    /// <summary>How soon a revoked or disabled client's session must be gone (seen 1.7-2.7 s; generous for a loaded machine).</summary>
    private static readonly TimeSpan Disconnected = TimeSpan.FromSeconds(15);
    private AgentApiClient Api => fixture.Daemon.Api;

    [Fact]
    public async Task A_client_issued_over_the_api_connects_and_its_frames_are_counted_by_size_on_its_session()
    {
        var clock = Stopwatch.StartNew();
        using var client = await ConnectAsync("rc-counted");
        var session = await EstablishedSessionAsync("rc-counted");
        output.WriteLine($"connected in {clock.ElapsedMilliseconds} ms");

        // Frames the client's OS never sends on its own: PPPoE discovery of sizes in three distinct classes.
        var sent = new Dictionary<string, int> { ["14-33"] = 5, ["60-63"] = 4, ["1024-1514"] = 3 };
        SendFromClientTap(client, [.. Repeat(32, 5), .. Repeat(60, 4), .. Repeat(1514, 3)]);

        var counted = await PollAsync(() => Api.GetSessionAsync(session.Id), s => s.In!.ByPppoeCode.GetValueOrDefault("PADI") >= 12);
        Assert.Equal(12, counted.In!.ByPppoeCode["PADI"]);
        foreach (var (sizeClass, frames) in sent)
            Assert.Equal(frames, counted.In.BySize[sizeClass]);
        Assert.Equal(12, counted.In.ByFamily["PppoeDiscovery"]);
        Assert.Contains("02:00:5e:a1:b2:c3", counted.ClientMacs, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("udp", counted.Transport);
        Assert.Equal("AES-256-GCM", counted.Cipher);
        Assert.NotNull(counted.Pppoe);
        Assert.Equal("padi-sent", counted.Pppoe!.Discovery.State);
        Assert.Equal(12, counted.Pppoe.Discovery.Padi);

        var health = await Api.GetHealthAsync();
        Assert.True(health.Sessions >= 1);
        var metrics = AgentApiTests.PrometheusSamples(await Api.GetMetricsAsync());
        Assert.Contains(metrics, m => m.Name == "appliance_port_frames_by_size_total" && m.Labels.Contains("client=\"rc-counted\"", StringComparison.Ordinal)
            && m.Labels.Contains("size=\"14-33\"", StringComparison.Ordinal) && m.Labels.Contains("direction=\"in\"", StringComparison.Ordinal) && m.Value == 5);
        Assert.Equal(1, (await Api.GetClientAsync("rc-counted")).LiveSessions);
        output.WriteLine($"whole test {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task A_capture_over_the_api_holds_the_frames_and_tshark_reads_it()
    {
        using var client = await ConnectAsync("rc-captured");
        var session = await EstablishedSessionAsync("rc-captured");

        var capture = await Api.StartCaptureAsync(session.Id, new CaptureRequest(MaxSeconds: 120));
        Assert.Equal("running", capture.State);
        var conflict = await Assert.ThrowsAsync<AgentApiException>(() => Api.StartCaptureAsync(session.Id, new CaptureRequest()));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, conflict.Status);
        var invalid = await Assert.ThrowsAsync<AgentApiException>(() => Api.StartCaptureAsync(session.Id, new CaptureRequest(MaxSeconds: 0, MaxBytes: 10)));
        Assert.Equal(["maxBytes", "maxSeconds"], invalid.Errors.Keys.Order(StringComparer.Ordinal));

        SendFromClientTap(client, [32, 60, 1514]);
        await PollAsync(() => Api.GetCaptureAsync(capture.Id), c => c.Frames >= 3);
        var stopped = await Api.StopCaptureAsync(capture.Id);
        Assert.Equal("stopped", stopped.State);
        Assert.Equal("requested", stopped.StopReason);
        Assert.Contains(await Api.GetCapturesAsync(), c => c.Id == capture.Id);

        string file = Path.Combine(fixture.Daemon.StatePath, "..", $"{capture.Id}-download.pcapng");
        await File.WriteAllBytesAsync(file, await Api.GetCaptureFileAsync(capture.Id));
        var (exit, text, error) = await Tshark(file, "-Y", "pppoe.code == 0x09", "-T", "fields", "-e", "frame.len");
        Assert.True(exit == 0, error);
        Assert.Equal(["32", "60", "1514"], text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        await Api.DeleteCaptureAsync(capture.Id);
        await Assert.ThrowsAsync<AgentApiException>(() => Api.GetCaptureAsync(capture.Id));

        var bounded = await Api.StartCaptureAsync(session.Id, new CaptureRequest(MaxFrames: 2));
        SendFromClientTap(client, [32, 32, 32]);
        var full = await PollAsync(() => Api.GetCaptureAsync(bounded.Id), c => c.State != "running");
        Assert.Equal(("stopped", "max-frames", 2L), (full.State, full.StopReason, full.Frames));
        Assert.NotNull(full.StoppedAt);
    }

    [Fact]
    public async Task A_capture_taken_with_the_cli_is_a_pcapng_file()
    {
        using var client = await ConnectAsync("rc-cli-capture");
        var session = await EstablishedSessionAsync("rc-cli-capture");

        var (exit, text, error) = await fixture.Daemon.RunCliAsync("capture", "start", session.Id, "--seconds", "60", "--json");
        Assert.True(exit == 0, error);
        var capture = System.Text.Json.JsonSerializer.Deserialize<CaptureDto>(text, AgentApiClient.Json)!;
        SendFromClientTap(client, [32, 32]);
        await PollAsync(() => Api.GetCaptureAsync(capture.Id), c => c.Frames >= 2);
        (exit, text, error) = await fixture.Daemon.RunCliAsync("capture", "stop", capture.Id);
        Assert.True(exit == 0, error);
        Assert.Contains("stopped (requested)", text, StringComparison.Ordinal);
        string file = Path.Combine(Path.GetTempPath(), $"agent-cli-{capture.Id}.pcapng");
        try
        {
            (exit, _, error) = await fixture.Daemon.RunCliAsync("capture", "get", capture.Id, "-o", file);
            Assert.True(exit == 0, error);
            byte[] bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal([0x0A, 0x0D, 0x0D, 0x0A], bytes[..4]); // pcapng section header block
            var (tsharkExit, frames, tsharkError) = await Tshark(file, "-T", "fields", "-e", "frame.len", "-Y", "pppoe.code == 0x09");
            Assert.True(tsharkExit == 0, tsharkError);
            Assert.Equal(["32", "32"], frames.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_daemons_output_holds_no_token_and_no_key()
    {
        using var client = await ConnectAsync("rc-quiet");
        await EstablishedSessionAsync("rc-quiet");
        await Api.GetProfileAsync("rc-quiet", "tcp", "windows");

        string output = fixture.Daemon.Output;
        Assert.DoesNotContain(fixture.Daemon.Access.Token, output, StringComparison.Ordinal);
        Assert.DoesNotContain(DaemonFixture.PairingToken, output, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", output, StringComparison.Ordinal);
        Assert.DoesNotContain("OpenVPN Static key", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_capture_stops_when_its_session_closes()
    {
        using var client = await ConnectAsync("rc-capture-closed");
        var session = await EstablishedSessionAsync("rc-capture-closed");
        var capture = await Api.StartCaptureAsync(session.Id, new CaptureRequest(MaxSeconds: 300));

        await Api.KickSessionAsync(session.Id, halt: true);

        var stopped = await PollAsync(() => Api.GetCaptureAsync(capture.Id), c => c.State != "running");
        Assert.Equal("session-closed", stopped.StopReason);
    }

    [Fact]
    public async Task A_kicked_client_reconnects_on_the_same_tap_with_the_same_mac()
    {
        using var client = await ConnectAsync("rc-kicked");
        var session = await EstablishedSessionAsync("rc-kicked");
        await client.WaitForLogAsync("Initialization Sequence Completed", Patience);
        string tap = client.TapName!;
        var before = TapIdentity(tap);

        await Api.KickSessionAsync(session.Id, halt: false);

        var again = await PollAsync(() => Api.GetSessionsAsync(), s => s.Any(x => x.CommonName == "rc-kicked" && x.Established && x.Id != session.Id));
        output.WriteLine($"reconnected as {again.First(x => x.CommonName == "rc-kicked" && x.Established && x.Id != session.Id).Id}");
        Assert.Equal(before, TapIdentity(tap));
        Assert.Contains("Preserving previous TUN/TAP instance", client.Log, StringComparison.Ordinal);
    }

    /// <summary>The kernel's ifindex and MAC of a tap: both change when the client deletes and recreates it.</summary>
    private static (string Index, string Mac) TapIdentity(string tap) =>
        (File.ReadAllText($"/sys/class/net/{tap}/ifindex").Trim(), File.ReadAllText($"/sys/class/net/{tap}/address").Trim());

    [Fact]
    public async Task A_kicked_session_is_kept_with_its_last_counters_pppoe_view_and_capture_and_the_probe_is_refused_without_lcp()
    {
        using var client = await ConnectAsync("rc-ended");
        var session = await EstablishedSessionAsync("rc-ended");
        var capture = await Api.StartCaptureAsync(session.Id, new CaptureRequest());
        SendFromClientTap(client, [32, 32, 60]);
        await PollAsync(() => Api.GetSessionAsync(session.Id), s => s.In!.ByPppoeCode.GetValueOrDefault("PADI") >= 3);

        // Discovery only, no LCP: the probe is refused (and audited), not attempted.
        var refused = await Assert.ThrowsAsync<AgentApiException>(() => Api.ProbeFrameSizesAsync(session.Id));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("LCP", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"audit: frame size probe of session {session.Id} (rc-ended) refused", fixture.Daemon.Output, StringComparison.Ordinal);

        await Api.KickSessionAsync(session.Id, halt: true);

        var ended = await PollAsync(() => Api.GetEndedSessionsAsync("rc-ended"), e => e.Count > 0);
        var last = Assert.Single(ended).Last;
        Assert.Equal(session.Id, last.Id);
        Assert.Equal(3, last.In!.ByPppoeCode["PADI"]);
        Assert.Equal(3, last.Pppoe!.Discovery.Padi);
        Assert.Contains(await Api.GetEndedSessionsAsync(), e => e.Last.Id == session.Id);
        Assert.DoesNotContain(await Api.GetEndedSessionsAsync("rc-someone-else"), e => e.Last.Id == session.Id);
        Assert.Equal(3, (await Api.GetEndedSessionAsync(session.Id)).Last.Pppoe!.Discovery.Padi);

        // The session's capture is stopped with it and stays listed and downloadable while the session is kept.
        var kept = await PollAsync(() => Api.GetCaptureAsync(capture.Id), c => c.State == "stopped");
        Assert.Equal("session-closed", kept.StopReason);
        Assert.Contains(await Api.GetCapturesAsync(), c => c.Id == capture.Id && c.SessionId == session.Id);
        Assert.True((await Api.GetCaptureFileAsync(capture.Id)).Length > 0);
    }

    [Fact]
    public async Task A_lower_retention_forgets_the_oldest_ended_session_and_deletes_its_capture_at_once()
    {
        using var client = await ConnectAsync("rc-retained");
        var first = await EstablishedSessionAsync("rc-retained");
        var capture = await Api.StartCaptureAsync(first.Id, new CaptureRequest());
        await Api.KickSessionAsync(first.Id, halt: false);
        var again = await PollAsync(() => Api.GetSessionsAsync(), s => s.Any(x => x.CommonName == "rc-retained" && x.Established && x.Id != first.Id));
        string second = again.First(x => x.CommonName == "rc-retained" && x.Established && x.Id != first.Id).Id;
        // The kicked session ends once its grace period is over, maybe after the new one is up: the retention keeps the last ended.
        await PollAsync(() => Api.GetEndedSessionsAsync("rc-retained"), e => e.Any(x => x.Last.Id == first.Id));
        await Api.KickSessionAsync(second, halt: true);
        await PollAsync(() => Api.GetEndedSessionsAsync("rc-retained"), e => e.Count == 2);
        await PollAsync(() => Api.GetCaptureAsync(capture.Id), c => c.State == "stopped");
        var before = await Api.GetConfigAsync();
        try
        {
            var result = await Api.PutConfigAsync(before with { Tunnel = before.Tunnel with { EndedSessionsPerClient = 1 } });

            Assert.Equal(["tunnel.endedSessionsPerClient"], result.Applied);
            Assert.Equal(second, Assert.Single(await Api.GetEndedSessionsAsync("rc-retained")).Last.Id);
            var forgotten = await Assert.ThrowsAsync<AgentApiException>(() => Api.GetEndedSessionAsync(first.Id));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, forgotten.Status);
            var deleted = await Assert.ThrowsAsync<AgentApiException>(() => Api.GetCaptureAsync(capture.Id));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, deleted.Status);
            Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(fixture.Daemon.StatePath, "captures")), f => f.Contains(capture.Id, StringComparison.Ordinal));
        }
        finally
        {
            await Api.PutConfigAsync(before);
        }
    }

    [Fact]
    public async Task A_revoked_client_is_disconnected_within_seconds_and_refused_on_reconnect()
    {
        using (var client = await ConnectAsync("rc-revoked"))
        {
            await EstablishedSessionAsync("rc-revoked");
            var clock = Stopwatch.StartNew();

            await Api.RevokeClientAsync("rc-revoked");

            await PollAsync(() => Api.GetSessionsAsync(), s => !s.Any(x => x.CommonName == "rc-revoked" && x.Established), Disconnected);
            output.WriteLine($"revoked session gone from the API after {clock.ElapsedMilliseconds} ms");
            Assert.True(await client.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the revoked client should be told to stop (HALT)");
        }
        var gone = await Assert.ThrowsAsync<AgentApiException>(() => Api.GetProfileAsync("rc-revoked", "udp", "linux"));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, gone.Status);
        await AssertRefusedBeforeTlsAsync("rc-revoked", _profiles["rc-revoked"]);
    }

    [Fact]
    public async Task A_disabled_client_is_disconnected_and_refused_until_enabled_again()
    {
        await Api.IssueClientAsync(new IssueClientRequest("rc-disabled"));
        var (_, profile) = await Api.GetProfileAsync("rc-disabled", "udp", "linux");
        using (var client = OpenVpnClientProcess.Start(profile))
        {
            await EstablishedSessionAsync("rc-disabled");
            var clock = Stopwatch.StartNew();

            await Api.DisableClientAsync("rc-disabled");

            await PollAsync(() => Api.GetSessionsAsync(), s => !s.Any(x => x.CommonName == "rc-disabled" && x.Established), Disconnected);
            output.WriteLine($"disabled session gone from the API after {clock.ElapsedMilliseconds} ms");
            Assert.True(await client.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the disabled client should be told to stop (HALT)");
        }
        await AssertRefusedBeforeTlsAsync("rc-disabled", profile);

        await Api.EnableClientAsync("rc-disabled");
        using var again = OpenVpnClientProcess.Start(profile);
        await EstablishedSessionAsync("rc-disabled");
    }

    [Fact]
    public async Task A_client_issued_with_the_cli_connects_over_tcp()
    {
        var (exit, text, error) = await fixture.Daemon.RunCliAsync("client", "add", "rc-cli");
        Assert.True(exit == 0, error);
        Assert.Contains("issued client 'rc-cli'", text, StringComparison.Ordinal);
        string file = Path.Combine(Path.GetTempPath(), $"rc-cli-{Guid.NewGuid():N}.ovpn");
        try
        {
            (exit, _, error) = await fixture.Daemon.RunCliAsync("client", "profile", "rc-cli", "--tcp", "--platform", "linux", "--wrap", OldProfileWrap, "-o", file);
            Assert.True(exit == 0, error);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

            using var client = OpenVpnClientProcess.Start(await File.ReadAllTextAsync(file));
            var session = await EstablishedSessionAsync("rc-cli");
            Assert.Equal("tcp", session.Transport);

            (exit, text, _) = await fixture.Daemon.RunCliAsync("sessions", "--json");
            Assert.Equal(0, exit);
            Assert.Contains(session.Id, text, StringComparison.Ordinal);
            (exit, text, _) = await fixture.Daemon.RunCliAsync("client", "list");
            Assert.Contains("rc-cli", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_live_config_change_applies_the_switch_keys_and_keeps_the_sessions()
    {
        using var client = await ConnectAsync("rc-config");
        var session = await EstablishedSessionAsync("rc-config");
        var before = await Api.GetConfigAsync();

        var result = await Api.PutConfigAsync(before with
        {
            Switch = before.Switch with { SessionMacLimit = 4, MacAgingSeconds = 600 },
            Tunnel = before.Tunnel with { MaxSessions = 100 },
        });

        Assert.Equal(["switch.sessionMacLimit", "switch.macAgingSeconds"], result.Applied);
        Assert.Equal(["tunnel.maxSessions"], result.RestartRequired);
        Assert.Equal(4, (await Api.GetConfigAsync()).Switch.SessionMacLimit);
        Assert.Contains("\"sessionMacLimit\": 4", await File.ReadAllTextAsync(fixture.Daemon.ConfigPath), StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var still = await Api.GetSessionAsync(session.Id);
        Assert.True(still.Established);
        Assert.False(client.HasExited);
    }

    // ------------------------------------------------------------------ helpers

    private async Task<OpenVpnClientProcess> ConnectAsync(string name)
    {
        await Api.IssueClientAsync(new IssueClientRequest(name));
        var (fileName, profile) = await Api.GetProfileAsync(name, "udp", "linux");
        Assert.Equal($"{name}-udp.ovpn", fileName);
        _profiles[name] = profile;
        return OpenVpnClientProcess.Start(profile);
    }

    private async Task<SessionDto> EstablishedSessionAsync(string name)
    {
        var sessions = await PollAsync(() => Api.GetSessionsAsync(), s => s.Any(x => x.CommonName == name && x.Established));
        return sessions.Single(x => x.CommonName == name && x.Established);
    }

    /// <summary>A client with the tls-crypt-v2 <paramref name="profile"/> is refused at its opening, before any TLS (the key's
    /// metadata names a revoked or disabled client), and gets no session: a client_refused drop, never a refusal after TLS.</summary>
    private async Task AssertRefusedBeforeTlsAsync(string name, string profile)
    {
        Assert.Contains("<tls-crypt-v2>", profile, StringComparison.Ordinal);
        var before = await RefusalCountsAsync();
        using var client = OpenVpnClientProcess.Start(profile);
        await PollAsync(RefusalCountsAsync, r => r.BeforeTls > before.BeforeTls);
        Assert.Equal(before.AfterTls, (await RefusalCountsAsync()).AfterTls);
        Assert.DoesNotContain(await Api.GetSessionsAsync(), s => s.CommonName == name && s.Established);
    }

    private readonly Dictionary<string, string> _profiles = [];

    /// <summary>Refusals after TLS (certificate checks) and tls-crypt-v2 openings refused before any TLS (client policy).</summary>
    private async Task<(long AfterTls, long BeforeTls)> RefusalCountsAsync()
    {
        var samples = AgentApiTests.PrometheusSamples(await Api.GetMetricsAsync());
        return (samples.Single(s => s.Name == "appliance_tunnel_refusals_total").Value,
            samples.Where(s => s.Name == "appliance_tunnel_unattributed_drops_total" && s.Labels.Contains("reason=\"client_refused\"", StringComparison.Ordinal)).Sum(s => s.Value));
    }

    private static void SendFromClientTap(OpenVpnClientProcess client, IEnumerable<int> lengths)
    {
        Assert.NotNull(client.TapName);
        using var device = RawSocketDevice.Open(client.TapName!);
        foreach (int length in lengths)
        {
            var result = device.Write(PppoeFrames.Padi(length));
            Assert.Equal(DeviceStatus.Ok, result.Status);
        }
    }

    private static IEnumerable<int> Repeat(int length, int count) => Enumerable.Repeat(length, count);

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (true)
        {
            var value = await read();
            if (done(value))
                return value;
            Assert.True(DateTime.UtcNow < deadline, $"gave up waiting; last value: {System.Text.Json.JsonSerializer.Serialize(value)}");
            await Task.Delay(100);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> Tshark(string file, params string[] args)
    {
        var start = new ProcessStartInfo("tshark") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-r");
        start.ArgumentList.Add(file);
        foreach (string arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string text = await process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, text, error);
    }
}
