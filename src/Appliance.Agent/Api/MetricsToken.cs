using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Appliance.Agent.State;

namespace Appliance.Agent.Api;

/// <summary>
/// A read-only token for a metrics scraper: it opens <c>/metrics</c> and the health document and nothing else, so the
/// scraper's configuration never holds a key to clients, config or captures. Made at first start in
/// <c>metrics-token</c> (mode 0600 in the 0700 state directory; give its content to Prometheus as a bearer token);
/// delete the file and restart the agent to replace it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class MetricsToken
{
    public const string FileName = "metrics-token";

    private MetricsToken(byte[] hash) => Hash = hash;

    public byte[] Hash { get; }

    public static MetricsToken OpenOrCreate(StateDirectory directory)
    {
        string? token = directory.TryRead(FileName) is { } stored ? Encoding.ASCII.GetString(stored).Trim() : null;
        if (string.IsNullOrEmpty(token))
        {
            token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            directory.WriteAtomically(FileName, token + "\n", FileSecrecy.Secret);
        }
        return new MetricsToken(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    public override string ToString() => "metrics token (in metrics-token)";
}
