using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Proxmox.Connection;
using Appliance.Proxmox.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>A request as the fake decoded it (PVE's decoding rules), after schema checks.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Template, IReadOnlyDictionary<string, List<string?>> Parameters, string? ContentType, long? ContentLength, long UploadedBytes)
{
    /// <summary>The single value of <paramref name="name"/> as PVE would see it.</summary>
    public string? this[string name] => Parameters.TryGetValue(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>Thrown at dispose when the client sent requests that break the schema.</summary>
public sealed class SchemaViolationException(IEnumerable<SchemaViolation> violations)
    : Exception("requests broke the PVE 9.1 schema:\n" + string.Join("\n", violations));

/// <summary>
/// A Proxmox VE API generated from apidata.json, served over real HTTPS on 127.0.0.1 by Kestrel. Routes, parameter
/// checks and answer checks all come from the schema; tests add canned <c>data</c> (checked against <c>returns</c>),
/// scripted tasks and scripted errors. Any schema violation answers 400 like PVE and fails the test at dispose.
/// </summary>
public sealed class FakePveServer : IAsyncDisposable
{
    /// <summary>The only token the fake accepts.</summary>
    public const string TokenId = "panel@pve!appliance";

    /// <summary>Its secret.</summary>
    public const string Secret = "5f0c7a7e-3c55-4f0e-9d2a-8e1b6c4d2a10";

    private readonly WebApplication _app;
    private readonly Dictionary<(string Method, string Path), JsonElement> _canned = [];
    private readonly Dictionary<(string Method, string Path), (int Status, string Reason, JsonObject Body)> _failures = [];
    private readonly Dictionary<(string Method, string Path), int> _failuresLeft = [];
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<SchemaViolation> _violations = [];
    private bool _violationsExpected;

    private FakePveServer(WebApplication app, X509Certificate2 certificate, ConnectionStall stall)
    {
        _app = app;
        Certificate = certificate;
        Stall = stall;
    }

    /// <summary>Makes the node stall new connections (accepted, never answered) on demand.</summary>
    public ConnectionStall Stall { get; }

    /// <summary>The schema behind the routes.</summary>
    public static ApiSchema Schema => ApiSchema.Pve91;

    /// <summary>Task scripting.</summary>
    public FakeTasks Tasks { get; } = new();

    /// <summary>VM state kept from creates, clones, config writes and power actions.</summary>
    public FakeVms Vms { get; } = new(Schema);

    /// <summary>The certificate served.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 of <see cref="Certificate"/> as PVE shows it.</summary>
    public string Fingerprint => CertificateFingerprint.Of(Certificate);

    /// <summary><c>https://127.0.0.1:port</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests seen, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests { get { lock (_requests) return _requests.ToList(); } }

    /// <summary>Schema violations seen.</summary>
    public IReadOnlyList<SchemaViolation> Violations { get { lock (_violations) return _violations.ToList(); } }

    /// <summary>Starts the fake with <paramref name="certificate"/> (default: the shared CA-signed node certificate).</summary>
    public static async Task<FakePveServer> StartAsync(X509Certificate2? certificate = null)
    {
        certificate ??= TestCertificates.Node;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        var stall = new ConnectionStall();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            // pveproxy speaks HTTP/1.1 and carries its messages in the reason phrase.
            listen.Protocols = HttpProtocols.Http1;
            // Ahead of TLS: a stalled connection never sees a handshake.
            listen.Use(next => connection => stall.HandleAsync(connection, next));
            listen.UseHttps(certificate);
        }));
        var app = builder.Build();
        var server = new FakePveServer(app, certificate, stall);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address);
        return server;
    }

    /// <summary>Connection settings for the fake's token, pinned to its certificate unless told otherwise.</summary>
    public ProxmoxConnection Connection(string? pin = "", string? caPem = null) => new()
    {
        BaseUrl = BaseUrl,
        TokenId = TokenId,
        Secret = Secret,
        PinnedFingerprint = pin == "" ? Fingerprint : pin,
        TrustedClusterCaPem = caPem,
    };

    /// <summary>
    /// Answers <paramref name="method"/> on <paramref name="path"/> (a schema template like <c>/nodes/{node}/qemu</c>
    /// or a concrete path) with <paramref name="data"/>; throws if <paramref name="data"/> breaks the schema's <c>returns</c>.
    /// </summary>
    public void Respond(string method, string path, object? data)
    {
        var endpoint = EndpointFor(method, path);
        var element = JsonSerializer.SerializeToElement(data);
        var problems = SchemaChecks.CheckJson(endpoint.Returns, element, "data").ToList();
        if (problems.Count > 0)
            throw new ArgumentException($"canned answer for {endpoint} breaks the schema's returns: {string.Join("; ", problems)}");
        lock (_canned)
            _canned[(method, path)] = element;
    }

    /// <summary>Answers <paramref name="method"/> on <paramref name="path"/> with an HTTP error as PVE sends it.</summary>
    public void Fail(string method, string path, int status, string reason, IReadOnlyDictionary<string, string>? parameterErrors = null)
    {
        EndpointFor(method, path);
        var body = new JsonObject { ["data"] = null, ["message"] = reason + "\n" };
        if (parameterErrors is not null)
            body["errors"] = new JsonObject(parameterErrors.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value + "\n"))));
        lock (_failures)
            _failures[(method, path)] = (status, reason, body);
    }

    /// <summary>Like <see cref="Fail"/> for the next <paramref name="times"/> requests only (a guest agent still booting, a file not yet written).</summary>
    public void FailTimes(string method, string path, int times, int status, string reason)
    {
        Fail(method, path, status, reason);
        lock (_failures)
            _failuresLeft[(method, path)] = times;
    }

    /// <summary>For tests of the fake itself: violations are expected and do not fail dispose.</summary>
    public void ExpectViolations() => _violationsExpected = true;

    /// <summary>The last request to <paramref name="template"/> by <paramref name="method"/>.</summary>
    public RecordedRequest Last(string method, string template)
        => Requests.LastOrDefault(r => r.Method == method && r.Template == template)
           ?? throw new InvalidOperationException($"no {method} {template} was received; got: {string.Join(", ", Requests.Select(r => $"{r.Method} {r.Path}"))}");

    private static SchemaEndpoint EndpointFor(string method, string path)
    {
        var template = path.Contains('{', StringComparison.Ordinal) ? path
            : Schema.TryMatch(path, out var t, out _, out _) ? t! : throw new ArgumentException($"{path} is not in the PVE schema");
        return Schema.Endpoint(method, template);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var method = context.Request.Method;
        var fullPath = context.Request.Path.Value ?? "";
        const string prefix = "/api2/json";
        if (!fullPath.StartsWith(prefix, StringComparison.Ordinal))
        {
            Violate(new SchemaViolation($"{method} {fullPath}", "(path)", "not below /api2/json"));
            await WriteAsync(context, 404, "Not Found", new JsonObject { ["data"] = null });
            return;
        }
        var path = fullPath[prefix.Length..];

        // pve-http-server Formatter.pm: "PVEAPIToken=USER@REALM!TOKENID=SECRET" (a space after the word is also accepted).
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization != $"PVEAPIToken={TokenId}={Secret}" && authorization != $"PVEAPIToken {TokenId}={Secret}")
        {
            await WriteAsync(context, 401, "authentication failure", new JsonObject { ["data"] = null });
            return;
        }

        if (!Schema.TryMatch(path, out var template, out var methods, out var variables) || !methods.TryGetValue(method, out var endpoint))
        {
            Violate(new SchemaViolation($"{method} {path}", "(path)", template is null ? "no such path in the PVE schema" : $"the schema has no {method} on {template}"));
            await WriteAsync(context, 501, $"Method '{method} {path}' not implemented", new JsonObject { ["data"] = null });
            return;
        }

        var (parameters, uploaded, wireProblems) = await ReadParametersAsync(context, method);
        foreach (var (name, value) in variables)
        {
            if (!parameters.ContainsKey(name))
                parameters[name] = [Uri.UnescapeDataString(value)];
        }
        var violations = RequestValidator.Validate(endpoint, parameters).Concat(wireProblems.Select(p => new SchemaViolation(endpoint.ToString(), p.Part, p.Problem))).ToList();
        lock (_requests)
            _requests.Add(new RecordedRequest(method, path, template, parameters, context.Request.ContentType, context.Request.ContentLength, uploaded));
        if (violations.Count > 0)
        {
            foreach (var violation in violations)
                Violate(violation);
            var errors = new JsonObject();
            foreach (var violation in violations)
                errors[violation.Parameter] = violation.Reason + "\n";
            await WriteAsync(context, 400, "Parameter verification failed.", new JsonObject { ["data"] = null, ["errors"] = errors });
            return;
        }

        (int Status, string Reason, JsonObject Body) failure;
        bool failing;
        lock (_failures)
        {
            var key = _failures.ContainsKey((method, path)) ? (method, path) : (method, template!);
            failing = _failures.TryGetValue(key, out failure);
            if (failing && _failuresLeft.ContainsKey(key) && --_failuresLeft[key] <= 0)
            {
                _failures.Remove(key);
                _failuresLeft.Remove(key);
            }
        }
        if (failing)
        {
            await WriteAsync(context, failure.Status, failure.Reason, JsonNode.Parse(failure.Body.ToJsonString())!.AsObject());
            return;
        }

        if (Vms.Apply(endpoint, parameters) is { } refused)
        {
            await WriteAsync(context, 500, refused, new JsonObject { ["data"] = null, ["message"] = refused + "\n" });
            return;
        }
        var data = Answer(endpoint, path, parameters, out var missing);
        if (missing is not null)
        {
            await WriteAsync(context, 500, missing, new JsonObject { ["data"] = null, ["message"] = missing });
            return;
        }
        var problems = SchemaChecks.CheckJson(endpoint.Returns, JsonSerializer.SerializeToElement(data), "data").ToList();
        if (problems.Count > 0)
            throw new InvalidOperationException($"the fake's own answer to {endpoint} breaks the schema: {string.Join("; ", problems)}");
        await WriteAsync(context, 200, "OK", new JsonObject { ["data"] = data });
    }

    private JsonNode? Answer(SchemaEndpoint endpoint, string path, Dictionary<string, List<string?>> parameters, out string? missing)
    {
        missing = null;
        string? Value(string name) => parameters.TryGetValue(name, out var v) ? v.FirstOrDefault() : null;
        switch (endpoint.PathTemplate)
        {
            case "/nodes/{node}/tasks/{upid}/status":
                var status = Tasks.Poll(Value("upid")!);
                if (status is null)
                    missing = $"no such task '{Value("upid")}'";
                return status;
            case "/nodes/{node}/tasks/{upid}/log":
                var log = Tasks.Log(Value("upid")!, int.Parse(Value("start") ?? "0", CultureInfo.InvariantCulture), int.Parse(Value("limit") ?? "50", CultureInfo.InvariantCulture));
                if (log is null)
                    missing = $"no such task '{Value("upid")}'";
                return log;
        }
        lock (_canned)
        {
            if (_canned.TryGetValue((endpoint.Method, path), out var exact) || _canned.TryGetValue((endpoint.Method, endpoint.PathTemplate), out exact))
                return JsonNode.Parse(exact.GetRawText());
        }
        if (Vms.Answer(endpoint, int.TryParse(Value("vmid"), out var vmId) ? vmId : null) is { } state)
            return state;
        // Writes whose schema returns a string hand out a task id (the UPID pattern).
        if (endpoint.Method != "GET" && SchemaChecks.Text(endpoint.Returns, "type") == "string")
            return Tasks.Start(Value("node") ?? "pve", TaskType(endpoint.Name), Value("vmid") ?? "", TokenId);
        return Synthesize(endpoint.Returns);
    }

    private static string TaskType(string handler) => handler switch
    {
        "vm_start" => "qmstart",
        "vm_shutdown" => "qmshutdown",
        "vm_stop" => "qmstop",
        "vm_reboot" => "qmreboot",
        "clone_vm" => "qmclone",
        "template" => "qmtemplate",
        "create_vm" => "qmcreate",
        "update_vm_async" => "qmconfig",
        "upload" => "imgcopy",
        "destroy_vm" => "qmdestroy",
        _ => handler.Replace("_", "", StringComparison.Ordinal),
    };

    /// <summary>The smallest answer the <c>returns</c> schema allows: required members only, empty lists.</summary>
    private static JsonNode? Synthesize(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
            return null;
        switch (SchemaChecks.Text(schema, "type"))
        {
            case "object":
                var result = new JsonObject();
                if (schema.TryGetProperty("properties", out var properties))
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        if (!SchemaChecks.Flag(property.Value, "optional") && !property.Name.EndsWith("[n]", StringComparison.Ordinal))
                            result[property.Name] = Synthesize(property.Value);
                    }
                }
                return result;
            case "array": return new JsonArray();
            case "string": return PveFormats.Sample(schema);
            case "integer": return schema.TryGetProperty("minimum", out var min) ? min.GetInt64() : 0;
            case "number": return 0.0;
            case "boolean": return 0;
            default: return null;
        }
    }

    private static async Task<(Dictionary<string, List<string?>> Parameters, long Uploaded, List<(string Part, string Problem)> Problems)> ReadParametersAsync(HttpContext context, string method)
    {
        var problems = new List<(string, string)>();
        if (method is "GET" or "DELETE")
            return (PveFormDecoder.Decode(context.Request.QueryString.Value?.TrimStart('?')), 0, problems);
        var contentType = context.Request.ContentType ?? "";
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        if (contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            if (context.Request.ContentLength is null)
                problems.Add(("body", "no Content-Length: pveproxy refuses chunked uploads"));
            var (fields, bytes, wire) = UploadParser.Parse(contentType, buffer.ToArray());
            problems.AddRange(wire);
            return (fields, bytes, problems);
        }
        if (buffer.Length > 0 && !contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
            problems.Add(("body", $"Content-Type '{contentType}' is not a form"));
        return (PveFormDecoder.Decode(System.Text.Encoding.UTF8.GetString(buffer.ToArray())), 0, problems);
    }

    private static async Task WriteAsync(HttpContext context, int status, string reason, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reason;
        context.Response.ContentType = "application/json;charset=UTF-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private void Violate(SchemaViolation violation)
    {
        lock (_violations)
            _violations.Add(violation);
    }

    /// <summary>Stops the server; throws <see cref="SchemaViolationException"/> if unexpected violations were seen.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        var violations = Violations;
        if (violations.Count > 0 && !_violationsExpected)
            throw new SchemaViolationException(violations);
    }
}
