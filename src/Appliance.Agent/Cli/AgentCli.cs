using System.CommandLine;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json;
using Appliance.Contracts;

namespace Appliance.Agent.Cli;

/// <summary>
/// The operator's commands in the same binary (<c>appliance-agent client add NAME</c>, <c>sessions</c>, ...): each talks to
/// the running daemon through <see cref="AgentApiClient"/> with the local access file, printing lines or, with
/// <c>--json</c>, the API's documents.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class AgentCli
{
    private static readonly JsonSerializerOptions Indented = new(AgentApiClient.Json) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Option<string?> StateDir = new("--state-dir") { Description = "the agent's state directory (default: as serve resolves it)", Recursive = true };
    private static readonly Option<bool> Json = new("--json") { Description = "print the API's JSON instead of text", Recursive = true };

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("appliance-agent: the L2 PPPoE appliance's daemon ('serve') and its operator commands");
        root.Add(StateDir);
        root.Add(Json);
        root.Add(new Command("serve", "run the daemon: the tunnel, the switch and the HTTPS control API (see 'appliance-agent serve --help')"));
        root.Add(ClientCommand(output));
        root.Add(Simple("sessions", "list live sessions with their counters", output, async (api, json, ct) =>
        {
            var sessions = await api.GetSessionsAsync(ct);
            if (json)
                return sessions;
            foreach (var s in sessions)
                output.WriteLine($"{s.Id}  {s.CommonName ?? "-",-20} {s.Transport} {s.Remote,-22} {(s.Established ? "up" : "handshake")}  in {s.In?.Frames ?? 0} frames  out {s.Out?.Frames ?? 0} frames  since {s.ConnectedAt:u}");
            if (sessions.Count == 0)
                output.WriteLine("no sessions");
            return null;
        }));
        root.Add(Simple("status", "the agent's health", output, async (api, json, ct) =>
        {
            var health = await api.GetHealthAsync(ct);
            if (json)
                return health;
            output.WriteLine($"agent {health.Version}, up since {health.StartedAt:u}");
            output.WriteLine($"uplink: {(health.Uplink.Length == 0 ? "none" : health.Uplink)} ({health.UplinkKind})");
            output.WriteLine($"tunnel: {string.Join(", ", health.Listeners)}");
            output.WriteLine($"sessions: {health.Sessions}; clients in force: {health.Clients}; server name: {health.ServerName}");
            if (health.Lab is { } lab)
                output.WriteLine($"lab: {lab.State} ({lab.Detail})");
            return null;
        }));
        root.Add(CaptureCommand(output));
        root.Add(ProbeCommand(output));
        root.Add(new Command("help", "show this help"));
        var parse = root.Parse(args);
        if (args.Length == 0 || (args.Length == 1 && args[0] == "help"))
            parse = root.Parse(["--help"]);
        return parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static Command ClientCommand(TextWriter output)
    {
        var client = new Command("client", "issue, list, revoke, renew clients and write their profiles");
        var name = new Argument<string>("NAME") { Description = "the client's name (its certificate's common name)" };
        var expires = new Option<DateTimeOffset?>("--expires") { Description = "expiry date, e.g. 2027-06-30 (default: profiles.clientValidityDays)" };

        var add = new Command("add", "issue a client certificate") { name, expires };
        add.SetAction((parse, ct) => Run(parse, output, async (api, json) =>
        {
            var dto = await api.IssueClientAsync(new IssueClientRequest(parse.GetValue(name)!, parse.GetValue(expires)), ct);
            return json ? dto : Describe(dto, output, "issued");
        }, ct));
        client.Add(add);

        var list = new Command("list", "list the clients");
        list.SetAction((parse, ct) => Run(parse, output, async (api, json) =>
        {
            var clients = await api.GetClientsAsync(ct);
            if (json)
                return clients;
            foreach (var c in clients)
                output.WriteLine($"{c.Name,-24} {c.Status,-9} expires {c.ExpiresAt:yyyy-MM-dd}  serial {c.Serial}  live sessions {c.LiveSessions}");
            if (clients.Count == 0)
                output.WriteLine("no clients; issue one with 'appliance-agent client add NAME'");
            return null;
        }, ct));
        client.Add(list);

        var revoke = new Command("revoke", "revoke a client's certificate (irreversible; its sessions close at once)") { name };
        revoke.SetAction((parse, ct) => Run(parse, output, async (api, json) =>
        {
            var dto = await api.RevokeClientAsync(parse.GetValue(name)!, ct);
            return json ? dto : Describe(dto, output, "revoked");
        }, ct));
        client.Add(revoke);

        var renew = new Command("renew", "issue a new certificate for the client and revoke the old one") { name, expires };
        renew.SetAction((parse, ct) => Run(parse, output, async (api, json) =>
        {
            var dto = await api.RenewClientAsync(parse.GetValue(name)!, new RenewClientRequest(parse.GetValue(expires)), ct);
            return json ? dto : Describe(dto, output, "renewed");
        }, ct));
        client.Add(renew);

        var tcp = new Option<bool>("--tcp") { Description = "a TCP profile (default UDP)" };
        var platform = new Option<string>("--platform") { Description = "windows, linux or macos", DefaultValueFactory = _ => "windows" };
        var file = new Option<string?>("--output", "-o") { Description = "write the profile to FILE (default: the suggested file name in the current directory; '-' for standard output)" };
        var wrap = new Option<string>("--wrap") { Description = "tls-crypt-v2 (the client's own key) or tls-crypt (the shared key, for older clients)", DefaultValueFactory = _ => "tls-crypt-v2" };
        var profile = new Command("profile", "write the client's .ovpn profile (it holds the client's private key)") { name, tcp, platform, wrap, file };
        profile.SetAction((parse, ct) => Run(parse, output, async (api, json) =>
        {
            var (fileName, content) = await api.GetProfileAsync(parse.GetValue(name)!, parse.GetValue(tcp) ? "tcp" : "udp", parse.GetValue(platform)!, parse.GetValue(wrap)!, ct);
            string target = parse.GetValue(file) ?? fileName;
            if (target == "-")
            {
                output.Write(content);
                return null;
            }
            await WriteSecretFileAsync(target, System.Text.Encoding.UTF8.GetBytes(content), ct);
            if (json)
                return new { file = Path.GetFullPath(target) };
            output.WriteLine($"wrote {target} (mode 0600: it holds the client's private key)");
            return null;
        }, ct));
        client.Add(profile);
        return client;
    }

    private static Command ProbeCommand(TextWriter output)
    {
        var session = new Argument<string>("SESSION") { Description = "the session id (see 'appliance-agent sessions')" };
        var probe = new Command("probe", "measure which frame sizes make the round trip through a session's PPPoE link (LCP Echo-Requests, 30 bytes up)") { session };
        probe.SetAction((parse, ct) => Run(parse, output, async (api, json) =>
        {
            var dto = await api.ProbeFrameSizesAsync(parse.GetValue(session)!, ct);
            if (json)
                return dto;
            output.WriteLine($"session {dto.SessionId} ({dto.ClientName}), {dto.Requests} requests in {dto.Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s:");
            output.WriteLine(dto.Summary);
            output.WriteLine($"smallest round trip: {dto.SmallestRoundTrip?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, largest: {dto.LargestRoundTrip?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, lost direction: {dto.Direction}");
            return null;
        }, ct));
        return probe;
    }

    private static Command CaptureCommand(TextWriter output)
    {
        var capture = new Command("capture", "capture a session's frames into a pcapng file on the agent");
        var session = new Argument<string>("SESSION") { Description = "the session id (see 'appliance-agent sessions')" };
        var seconds = new Option<int?>("--seconds") { Description = "stop after this many seconds (default 600)" };
        var start = new Command("start", "start capturing a session") { session, seconds };
        start.SetAction((parse, ct) => Run(parse, output, async (api, json) =>
        {
            var dto = await api.StartCaptureAsync(parse.GetValue(session)!, new CaptureRequest(MaxSeconds: parse.GetValue(seconds)), ct);
            if (json)
                return dto;
            output.WriteLine($"capture {dto.Id} of session {dto.SessionId} ({dto.ClientName}) started; stop it with 'appliance-agent capture stop {dto.Id}'");
            return null;
        }, ct));
        capture.Add(start);

        var id = new Argument<string>("ID") { Description = "the capture id" };
        var stop = new Command("stop", "stop a capture") { id };
        stop.SetAction((parse, ct) => Run(parse, output, async (api, json) =>
        {
            var dto = await api.StopCaptureAsync(parse.GetValue(id)!, ct);
            if (json)
                return dto;
            output.WriteLine($"capture {dto.Id}: {dto.State} ({dto.StopReason}), {dto.Frames} frames, {dto.FileBytes} bytes");
            return null;
        }, ct));
        capture.Add(stop);

        var file = new Option<string>("--output", "-o") { Description = "where to write the pcapng file", Required = true };
        var get = new Command("get", "download a capture's pcapng file") { id, file };
        get.SetAction((parse, ct) => Run(parse, output, async (api, json) =>
        {
            var dto = await api.GetCaptureAsync(parse.GetValue(id)!, ct);
            byte[] bytes = await api.GetCaptureFileAsync(parse.GetValue(id)!, ct);
            await WriteSecretFileAsync(parse.GetValue(file)!, bytes, ct);
            if (json)
                return dto;
            output.WriteLine($"wrote {parse.GetValue(file)} ({bytes.Length} bytes, {dto.Frames} frames){(dto.HoldsCredentials ? "; it holds PPP credentials: do not hand it on" : "")}");
            return null;
        }, ct));
        capture.Add(get);
        return capture;
    }

    private static Command Simple(string name, string description, TextWriter output, Func<AgentApiClient, bool, CancellationToken, Task<object?>> action)
    {
        var command = new Command(name, description);
        command.SetAction((parse, ct) => Run(parse, output, (api, json) => action(api, json, ct), ct));
        return command;
    }

    private static async Task<int> Run(ParseResult parse, TextWriter output, Func<AgentApiClient, bool, Task<object?>> action, CancellationToken ct)
    {
        bool json = parse.GetValue(Json);
        try
        {
            var api = LocalAgent.Connect(parse.GetValue(StateDir));
            var document = await action(api, json);
            if (json && document is not null)
                output.WriteLine(JsonSerializer.Serialize(document, document.GetType(), Indented));
            return 0;
        }
        catch (CliException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("appliance-agent: " + e.Message);
            return 1;
        }
        catch (AgentApiException e)
        {
            string message = e.Failure == AgentApiFailure.Unreachable
                ? e.Message + " (is the agent running? 'systemctl status appliance-agent')"
                : e.Message;
            await parse.InvocationConfiguration.Error.WriteLineAsync("appliance-agent: " + message);
            foreach (var (field, problems) in e.Errors)
                await parse.InvocationConfiguration.Error.WriteLineAsync($"appliance-agent:   {field}: {string.Join("; ", problems)}");
            _ = ct;
            return 1;
        }
        catch (IOException e)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync("appliance-agent: " + e.Message);
            return 1;
        }
    }

    private static object? Describe(ClientDto client, TextWriter output, string what)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what} client '{client.Name}': {client.Status}, serial {client.Serial}, expires {client.ExpiresAt:yyyy-MM-dd}; profile: 'appliance-agent client profile {client.Name}'"));
        return null;
    }

    private static async Task WriteSecretFileAsync(string path, byte[] content, CancellationToken ct)
    {
        await using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        await stream.WriteAsync(content, ct);
    }
}
