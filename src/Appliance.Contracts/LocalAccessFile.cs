using System.Text.Json;

namespace Appliance.Contracts;

/// <summary>
/// <c>local-access.json</c> in the agent's state directory (mode 0600): how a tool on the agent's own machine reaches it
/// (the CLI, a lab panel started by run.sh). The token is new at every agent start; the file is deleted at a clean stop.
/// </summary>
public sealed record LocalAccessFile(string Url, string Token, string Fingerprint)
{
    public const string FileName = "local-access.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Reads the file; throws <see cref="IOException"/> (missing, unreadable) or <see cref="JsonException"/> / <see cref="FormatException"/> (not such a file).</summary>
    public static LocalAccessFile Read(string path)
    {
        var file = JsonSerializer.Deserialize<LocalAccessFile>(File.ReadAllBytes(path), Json);
        if (file is null || !Uri.TryCreate(file.Url, UriKind.Absolute, out _) || string.IsNullOrEmpty(file.Token) || CertificateFingerprint.TryNormalize(file.Fingerprint) is null)
            throw new FormatException($"{path} is not a complete local access file (url, token, fingerprint)");
        return file;
    }

    public AgentEndpoint ToEndpoint() => new(new Uri(Url), Token, Fingerprint);

    public override string ToString() => $"local access to {Url}";
}
