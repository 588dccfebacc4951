using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Appliance.Proxmox.Http;

/// <summary>
/// JSON settings for PVE answers, which are loose: numbers arrive as strings (<c>cpulimit</c>, <c>vmid</c>, <c>mtu</c>),
/// booleans as <c>0</c>/<c>1</c>, and integers may exceed 32 bits.
/// </summary>
public static class ProxmoxJson
{
    /// <summary>Options used for every answer.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new LooseBooleanConverter());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Reads <c>true</c>/<c>false</c>, <c>0</c>/<c>1</c> and their string forms.</summary>
    private sealed class LooseBooleanConverter : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType switch
            {
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                JsonTokenType.Number => reader.TryGetInt64(out var n) ? n != 0 : reader.GetDouble() != 0,
                JsonTokenType.String => ParseString(reader.GetString()),
                _ => throw new JsonException($"expected a boolean, 0/1 or \"0\"/\"1\", found {reader.TokenType}"),
            };

        private static bool ParseString(string? text) => text?.Trim().ToLowerInvariant() switch
        {
            "1" or "true" or "yes" or "on" => true,
            "0" or "false" or "no" or "off" or "" or null => false,
            var other => throw new JsonException($"expected a boolean, found \"{other}\""),
        };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options)
            => writer.WriteNumberValue(value ? 1 : 0);
    }

    /// <summary>Reads a JSON scalar as invariant text (strings as-is, numbers as written).</summary>
    public static string? ScalarText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True => "1",
        JsonValueKind.False => "0",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => element.GetRawText(),
    };

    /// <summary>Reads a JSON number or numeric string as a double.</summary>
    public static double? Number(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String when double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
