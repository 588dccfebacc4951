using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>
/// Checks values against PVE schema fragments the way pve-common's JSONSchema.pm does: type (booleans only
/// <c>1</c>/<c>0</c> on the wire), enum, pattern (anchored), minimum/maximum, maxLength, named formats and
/// property strings (<c>net[n]</c>, <c>scsi[n]</c>, <c>agent</c>, …).
/// </summary>
public static partial class SchemaChecks
{
    private static readonly ConcurrentDictionary<string, Regex?> Patterns = new();

    /// <summary>Null when the wire text <paramref name="value"/> satisfies <paramref name="schema"/>, else the reason.</summary>
    public static string? CheckWireValue(JsonElement schema, string value)
    {
        var type = Text(schema, "type") ?? "string";
        switch (type)
        {
            case "boolean":
                return value is "1" or "0" ? null : $"boolean must be 1 or 0, got '{value}'";
            case "integer":
                if (!IntegerText().IsMatch(value) || !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                    return $"'{value}' is not an integer";
                return Range(schema, integer);
            case "number":
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    return $"'{value}' is not a number";
                return Range(schema, number);
        }
        if (schema.TryGetProperty("maxLength", out var max) && value.Length > max.GetInt32())
            return $"longer than {max.GetInt32()} characters";
        if (schema.TryGetProperty("minLength", out var min) && value.Length < min.GetInt32())
            return $"shorter than {min.GetInt32()} characters";
        if (schema.TryGetProperty("enum", out var choices) && choices.ValueKind == JsonValueKind.Array
            && !choices.EnumerateArray().Any(c => c.ValueKind == JsonValueKind.String && c.GetString() == value))
            return $"'{value}' is not one of {string.Join(", ", choices.EnumerateArray().Select(c => c.ToString()))}";
        if (Text(schema, "pattern") is { } pattern && Compile(pattern) is { } regex && !regex.IsMatch(value))
            return $"'{value}' does not match pattern {pattern}";
        if (schema.TryGetProperty("format", out var format))
        {
            if (format.ValueKind == JsonValueKind.String)
                return PveFormats.Check(format.GetString()!, value) is { } problem ? $"'{value}': {problem}" : null;
            if (format.ValueKind == JsonValueKind.Object)
                return CheckPropertyString(format, value);
        }
        return null;
    }

    /// <summary>pve-common <c>parse_property_string</c>: comma-separated <c>key=value</c>, one positional default key, aliases.</summary>
    public static string? CheckPropertyString(JsonElement format, string value)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in value.Split(','))
        {
            string key, text;
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                key = part[..equals];
                text = part[(equals + 1)..];
            }
            else if (equals < 0 && DefaultKey(format) is { } defaultKey)
            {
                key = defaultKey;
                text = part;
            }
            else
            {
                return $"'{part}' in '{value}' is neither key=value nor a value for the default key";
            }
            if (!format.TryGetProperty(key, out var keySchema))
                return $"unknown key '{key}' in '{value}'";
            if (Text(keySchema, "alias") is { } alias)
            {
                if (Text(keySchema, "keyAlias") is { } keyAlias)
                {
                    // e.g. net0 "virtio=MAC": model=virtio, macaddr=MAC
                    if (!seen.TryAdd(keyAlias, key))
                        return $"duplicate key '{keyAlias}' in '{value}'";
                }
                key = alias;
                keySchema = format.GetProperty(alias);
            }
            if (!seen.TryAdd(key, text))
                return $"duplicate key '{key}' in '{value}'";
            if (CheckWireValue(keySchema, text) is { } problem)
                return $"key '{key}' in '{value}': {problem}";
        }
        foreach (var key in format.EnumerateObject())
        {
            var s = key.Value;
            if (s.TryGetProperty("alias", out _) || Flag(s, "optional") || seen.ContainsKey(key.Name))
                continue;
            return $"required key '{key.Name}' missing in '{value}'";
        }
        return null;
    }

    /// <summary>Every way <paramref name="value"/> departs from the <c>returns</c> schema, each naming where.</summary>
    public static IEnumerable<string> CheckJson(JsonElement schema, JsonElement value, string where)
    {
        if (schema.ValueKind != JsonValueKind.Object)
            yield break;
        var type = Text(schema, "type");
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (type is not null and not "null" && !Flag(schema, "optional"))
                yield return $"{where}: null where the schema says {type}";
            yield break;
        }
        switch (type)
        {
            case "null":
                yield return $"{where}: the schema says null, got {value.ValueKind}";
                break;
            case "string":
                if (value.ValueKind != JsonValueKind.String)
                {
                    yield return $"{where}: expected a string, got {value.ValueKind}";
                    break;
                }
                var text = value.GetString()!;
                if (schema.TryGetProperty("enum", out var choices) && choices.ValueKind == JsonValueKind.Array && !choices.EnumerateArray().Any(c => c.ToString() == text))
                    yield return $"{where}: '{text}' is not one of {string.Join(", ", choices.EnumerateArray())}";
                if (Text(schema, "pattern") is { } pattern && Compile(pattern) is { } regex && !regex.IsMatch(text))
                    yield return $"{where}: '{text}' does not match {pattern}";
                break;
            case "integer":
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out _))
                    yield return $"{where}: expected an integer, got {value.GetRawText()}";
                break;
            case "number":
                if (value.ValueKind != JsonValueKind.Number)
                    yield return $"{where}: expected a number, got {value.GetRawText()}";
                break;
            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False) && !(value.ValueKind == JsonValueKind.Number && value.GetRawText() is "0" or "1"))
                    yield return $"{where}: expected a boolean (0/1), got {value.GetRawText()}";
                break;
            case "object":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    yield return $"{where}: expected an object, got {value.ValueKind}";
                    break;
                }
                if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
                    break;
                foreach (var property in properties.EnumerateObject())
                {
                    var matches = value.EnumerateObject().Where(p => NameMatches(property.Name, p.Name)).ToList();
                    if (matches.Count == 0 && !Flag(property.Value, "optional") && !property.Name.EndsWith("[n]", StringComparison.Ordinal))
                        yield return $"{where}: missing required property '{property.Name}'";
                    foreach (var match in matches)
                    {
                        foreach (var problem in CheckJson(property.Value, match.Value, $"{where}.{match.Name}"))
                            yield return problem;
                    }
                }
                break;
            case "array":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    yield return $"{where}: expected an array, got {value.ValueKind}";
                    break;
                }
                if (!schema.TryGetProperty("items", out var items))
                    break;
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    foreach (var problem in CheckJson(items, item, $"{where}[{index}]"))
                        yield return problem;
                    index++;
                }
                break;
        }
    }

    /// <summary>True when a schema name (possibly numbered, <c>net[n]</c>) names <paramref name="actual"/>.</summary>
    public static bool NameMatches(string schemaName, string actual)
    {
        if (!schemaName.EndsWith("[n]", StringComparison.Ordinal))
            return schemaName == actual;
        var stem = schemaName[..^3];
        return actual.Length > stem.Length && actual.StartsWith(stem, StringComparison.Ordinal) && actual[stem.Length..].All(char.IsAsciiDigit);
    }

    /// <summary>Perl regex from the schema as .NET: <c>(?^:…)</c> groups become <c>(?:…)</c>; anchored like JSONSchema.pm (<c>^…$</c>).</summary>
    public static Regex? Compile(string perl)
        => Patterns.GetOrAdd(perl, p =>
        {
            var dotnet = PerlFlagGroup().Replace(p, m => "(?" + new string(m.Groups[1].Value.Where(c => c is 'i' or 'm' or 's' or 'x').ToArray()) + ":");
            try
            {
                return new Regex("^(?:" + dotnet + ")$", RegexOptions.CultureInvariant);
            }
            catch (ArgumentException)
            {
                PveFormats.Unchecked.AddOrUpdate("pattern " + p, 1, (_, n) => n + 1);
                return null;
            }
        });

    /// <summary>A string member or null.</summary>
    public static string? Text(JsonElement schema, string name)
        => schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A 0/1 flag member.</summary>
    public static bool Flag(JsonElement schema, string name)
        => schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty(name, out var v) && (v.ValueKind == JsonValueKind.True || (v.ValueKind == JsonValueKind.Number && v.GetInt32() != 0));

    private static string? DefaultKey(JsonElement format)
        => format.EnumerateObject().Where(p => Flag(p.Value, "default_key")).Select(p => p.Name).FirstOrDefault();

    private static string? Range(JsonElement schema, double value)
    {
        if (schema.TryGetProperty("minimum", out var min) && value < min.GetDouble())
            return $"{value.ToString(CultureInfo.InvariantCulture)} is below the minimum {min.GetRawText()}";
        if (schema.TryGetProperty("maximum", out var max) && value > max.GetDouble())
            return $"{value.ToString(CultureInfo.InvariantCulture)} is above the maximum {max.GetRawText()}";
        return null;
    }

    [GeneratedRegex(@"\(\?\^([a-z]*):")]
    private static partial Regex PerlFlagGroup();

    [GeneratedRegex(@"^[+-]?\d+$")]
    private static partial Regex IntegerText();
}
