using System.Text.Json;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>A request parameter that breaks the PVE schema.</summary>
/// <param name="Request">e.g. <c>POST /nodes/{node}/qemu</c>.</param>
/// <param name="Parameter">The parameter name as sent.</param>
/// <param name="Reason">What is wrong.</param>
public sealed record SchemaViolation(string Request, string Parameter, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Request}: parameter '{Parameter}': {Reason}";
}

/// <summary>Checks a request's parameters against its endpoint's <c>parameters</c> schema.</summary>
public static class RequestValidator
{
    /// <summary>Every violation: unknown names, bad values, repeated keys, missing required and <c>requires</c> partners.</summary>
    public static IReadOnlyList<SchemaViolation> Validate(SchemaEndpoint endpoint, IReadOnlyDictionary<string, List<string?>> parameters)
    {
        var request = endpoint.ToString();
        var violations = new List<SchemaViolation>();
        var properties = endpoint.Properties.ToList();
        foreach (var (name, values) in parameters)
        {
            var match = properties.FirstOrDefault(p => SchemaChecks.NameMatches(p.Name, name));
            if (match.Value.ValueKind == JsonValueKind.Undefined)
            {
                if (endpoint.ClosedParameters)
                    violations.Add(new(request, name, $"not a parameter of {request} in the PVE 9.1 schema"));
                continue;
            }
            var schema = match.Value;
            var isArray = SchemaChecks.Text(schema, "type") == "array";
            if (values.Count > 1 && !isArray)
                violations.Add(new(request, name, $"sent {values.Count} times (PVE turns a repeated key into an array; a raw '&' or ';' in a value does this)"));
            foreach (var value in values)
            {
                if (value is null)
                {
                    violations.Add(new(request, name, "has no value (a raw ';' or '&' inside another value splits it here)"));
                    continue;
                }
                var itemSchema = isArray && schema.TryGetProperty("items", out var items) ? items : schema;
                if (SchemaChecks.CheckWireValue(itemSchema, value) is { } problem)
                    violations.Add(new(request, name, problem));
            }
            if (SchemaChecks.Text(schema, "requires") is { } partner && !parameters.ContainsKey(partner))
                violations.Add(new(request, name, $"requires '{partner}' as well"));
        }
        foreach (var property in properties)
        {
            if (SchemaChecks.Flag(property.Value, "optional") || property.Name.EndsWith("[n]", StringComparison.Ordinal))
                continue;
            if (!parameters.ContainsKey(property.Name))
                violations.Add(new(request, property.Name, "required but missing"));
        }
        return violations;
    }
}
