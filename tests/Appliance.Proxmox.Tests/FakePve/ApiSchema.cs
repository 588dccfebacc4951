using System.Text.Json;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>One method on one path of the PVE schema.</summary>
/// <param name="Method">GET, POST, PUT or DELETE.</param>
/// <param name="PathTemplate">e.g. <c>/nodes/{node}/qemu/{vmid}/status/start</c>.</param>
/// <param name="Name">PVE's handler name, e.g. <c>vm_start</c>.</param>
/// <param name="Parameters">The <c>parameters</c> schema (object with <c>properties</c>).</param>
/// <param name="Returns">The <c>returns</c> schema.</param>
public sealed record SchemaEndpoint(string Method, string PathTemplate, string Name, JsonElement Parameters, JsonElement Returns)
{
    /// <summary>The parameter properties, empty when none.</summary>
    public IEnumerable<JsonProperty> Properties
        => Parameters.ValueKind == JsonValueKind.Object && Parameters.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object
            ? p.EnumerateObject() : [];

    /// <summary>False when the schema allows parameters it does not list.</summary>
    public bool ClosedParameters
        => !(Parameters.TryGetProperty("additionalProperties", out var a) && a.ValueKind == JsonValueKind.Number && a.GetInt32() == 1);

    /// <summary><c>METHOD /path</c>.</summary>
    public override string ToString() => $"{Method} {PathTemplate}";
}

/// <summary>
/// The PVE API schema (apidata.json) as a route table: the tree of <c>{path, info{METHOD: spec}, children}</c>
/// becomes a trie of path segments where <c>{name}</c> segments match any value.
/// </summary>
public sealed class ApiSchema
{
    private static readonly Lazy<ApiSchema> Shipped = new(() => Load(Path.Combine(AppContext.BaseDirectory, "Schema", "apidata.json")));

    private readonly RouteNode _root = new();
    private readonly List<SchemaEndpoint> _endpoints = [];

    /// <summary>The PVE 9.1 schema copied beside the tests.</summary>
    public static ApiSchema Pve91 => Shipped.Value;

    /// <summary>Every method spec.</summary>
    public IReadOnlyList<SchemaEndpoint> Endpoints => _endpoints;

    /// <summary>Reads apidata.json.</summary>
    public static ApiSchema Load(string file)
    {
        using var stream = File.OpenRead(file);
        using var document = JsonDocument.Parse(stream);
        var schema = new ApiSchema();
        foreach (var node in document.RootElement.EnumerateArray())
            schema.Add(node);
        return schema;
    }

    private void Add(JsonElement node)
    {
        var path = node.GetProperty("path").GetString()!;
        if (node.TryGetProperty("info", out var info))
        {
            var route = _root;
            foreach (var segment in Segments(path))
                route = route.Child(segment);
            route.Path = path;
            foreach (var method in info.EnumerateObject())
            {
                var spec = method.Value;
                var endpoint = new SchemaEndpoint(method.Name, path,
                    spec.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
                    spec.TryGetProperty("parameters", out var p) ? p.Clone() : default,
                    spec.TryGetProperty("returns", out var r) ? r.Clone() : default);
                route.Methods[method.Name] = endpoint;
                _endpoints.Add(endpoint);
            }
        }
        if (node.TryGetProperty("children", out var children) && children.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in children.EnumerateArray())
                Add(child);
        }
    }

    /// <summary>Finds the schema path for a concrete request path; collects <c>{variable}</c> values.</summary>
    public bool TryMatch(string path, out string? template, out IReadOnlyDictionary<string, SchemaEndpoint> methods, out Dictionary<string, string> variables)
    {
        variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var found = Match(_root, Segments(path), 0, variables);
        template = found?.Path;
        methods = found?.Methods ?? new Dictionary<string, SchemaEndpoint>();
        return found?.Path is not null;
    }

    /// <summary>The endpoint for <paramref name="method"/> on <paramref name="template"/>, or throws naming both.</summary>
    public SchemaEndpoint Endpoint(string method, string template)
        => _endpoints.FirstOrDefault(e => e.Method == method && e.PathTemplate == template)
           ?? throw new ArgumentException($"the PVE schema has no {method} {template}");

    private static RouteNode? Match(RouteNode node, string[] segments, int index, Dictionary<string, string> variables)
    {
        if (index == segments.Length)
            return node.Path is null ? null : node;
        if (node.Literals.TryGetValue(segments[index], out var literal) && Match(literal, segments, index + 1, variables) is { } exact)
            return exact;
        foreach (var (name, child) in node.Variables)
        {
            if (Match(child, segments, index + 1, variables) is { } found)
            {
                variables[name] = segments[index];
                return found;
            }
        }
        return null;
    }

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private sealed class RouteNode
    {
        public string? Path { get; set; }
        public Dictionary<string, RouteNode> Literals { get; } = new(StringComparer.Ordinal);
        public List<(string Name, RouteNode Node)> Variables { get; } = [];
        public Dictionary<string, SchemaEndpoint> Methods { get; } = new(StringComparer.Ordinal);

        public RouteNode Child(string segment)
        {
            if (segment.StartsWith('{') && segment.EndsWith('}'))
            {
                var name = segment[1..^1];
                foreach (var (existing, node) in Variables)
                {
                    if (existing == name)
                        return node;
                }
                var created = new RouteNode();
                Variables.Add((name, created));
                return created;
            }
            if (!Literals.TryGetValue(segment, out var child))
                Literals[segment] = child = new RouteNode();
            return child;
        }
    }
}
