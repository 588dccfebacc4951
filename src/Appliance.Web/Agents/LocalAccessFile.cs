using System.Text.Json;

namespace Appliance.Web.Agents;

/// <summary>The file a local agent writes at start (<c>local-access.json</c>): its API URL, pairing token and certificate fingerprint.</summary>
public sealed record LocalAccessFile(string Url, string Token, string Fingerprint)
{
    /// <summary>Reads the file; null while it does not exist yet (the agent has not started). Throws with the path named when it is malformed.</summary>
    public static async Task<LocalAccessFile?> TryReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            return null;
        LocalAccessFile? file;
        try
        {
            await using var stream = File.OpenRead(path);
            file = await JsonSerializer.DeserializeAsync<LocalAccessFile>(stream, Appliance.Contracts.AgentApiClient.Json, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the agent's local access file '{path}' is not valid JSON ({e.Message}); expected {{\"url\",\"token\",\"fingerprint\"}}", e);
        }
        if (file is null || string.IsNullOrWhiteSpace(file.Url) || string.IsNullOrWhiteSpace(file.Token) || string.IsNullOrWhiteSpace(file.Fingerprint))
            throw new InvalidDataException($"the agent's local access file '{path}' lacks url, token or fingerprint");
        return file;
    }
}
