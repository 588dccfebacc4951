using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Appliance.Agent.State;

namespace Appliance.Agent.Api;

/// <summary>
/// A token for this machine's own tools (the CLI, a lab panel started by run.sh): new at every start, written with
/// its URL and the API's fingerprint to <c>local-access.json</c> (mode 0600, inside the 0700 state directory).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LocalAccess
{
    public const string FileName = "local-access.json";

    private readonly string _token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public LocalAccess() => TokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(_token));

    public byte[] TokenHash { get; }

    /// <summary>Writes the file once the API's address is known.</summary>
    public void Publish(StateDirectory directory, Uri url, string fingerprint) =>
        directory.WriteAtomically(FileName, JsonSerializer.SerializeToUtf8Bytes(new LocalAccessFile(url.ToString(), _token, fingerprint), LocalAccessFile.Json), FileSecrecy.Secret);

    public override string ToString() => "local access token (in local-access.json)";
}

/// <summary>The content of <c>local-access.json</c>.</summary>
public sealed record LocalAccessFile(string Url, string Token, string Fingerprint)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public override string ToString() => $"local access to {Url}";
}
