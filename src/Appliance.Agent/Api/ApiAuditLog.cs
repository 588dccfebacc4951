using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Agent.State;

namespace Appliance.Agent.Api;

/// <summary>One line of the agent's audit log: which token did what, when, from where, and how it ended.</summary>
/// <param name="Token">The token's name (<c>pairing</c>, <c>local</c>, <c>metrics</c>), or <c>wrong</c> / <c>none</c> for a refused caller; never the token.</param>
public sealed record ApiAuditEntry(DateTimeOffset At, string Token, string Method, string Path, int Status, string Remote);

/// <summary>
/// The agent's own record of what was done through its API, in <c>audit.log</c> in the state directory (JSON lines,
/// mode 0600): every change (any method but GET/HEAD), every read of key material (a profile holds the client's private
/// key; a capture holds traffic), and every refused caller (wrong token, missing scope, over the failure limit).
/// Routine reads (health, sessions, the stream, metrics) are not recorded. Rotated once past
/// <see cref="MaxBytes"/> to <c>audit.log.1</c>. Thread-safe.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ApiAuditLog(StateDirectory directory, TimeProvider time)
{
    public const string FileName = "audit.log";
    public const long MaxBytes = 8L * 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };
    private readonly Lock _gate = new();

    public string FilePath => directory.PathOf(FileName);

    /// <summary>True when a request with this outcome belongs in the log.</summary>
    public static bool IsAudited(string method, string path, int status) =>
        status is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status429TooManyRequests
        || !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        || path.EndsWith("/profile", StringComparison.Ordinal)
        || path.EndsWith("/pcapng", StringComparison.Ordinal);

    public void Record(string token, string method, string path, int status, string remote)
    {
        var entry = new ApiAuditEntry(time.GetUtcNow(), token, method, path, status, remote);
        byte[] line = JsonSerializer.SerializeToUtf8Bytes(entry, Json);
        lock (_gate)
        {
            var info = new FileInfo(FilePath);
            if (info.Exists && info.Length + line.Length + 1 > MaxBytes)
                File.Move(FilePath, FilePath + ".1", overwrite: true);
            using var stream = new FileStream(FilePath, new FileStreamOptions
            {
                Mode = FileMode.Append,
                Access = FileAccess.Write,
                Share = FileShare.Read,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            stream.Write(line);
            stream.WriteByte((byte)'\n');
        }
    }

    /// <summary>The newest <paramref name="count"/> entries, oldest first.</summary>
    public IReadOnlyList<ApiAuditEntry> ReadLast(int count)
    {
        lock (_gate)
        {
            if (!File.Exists(FilePath))
                return [];
            var lines = File.ReadAllLines(FilePath);
            var entries = new List<ApiAuditEntry>();
            for (int i = Math.Max(0, lines.Length - count); i < lines.Length; i++)
            {
                if (JsonSerializer.Deserialize<ApiAuditEntry>(lines[i], Json) is { } entry)
                    entries.Add(entry);
            }
            return entries;
        }
    }

    /// <summary>Records the request once its answer is known, when <see cref="IsAudited"/> says so.</summary>
    public static IApplicationBuilder UseApiAudit(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var log = context.RequestServices.GetRequiredService<ApiAuditLog>();
        try
        {
            await next(context);
        }
        finally
        {
            int status = context.Response.StatusCode;
            string path = context.Request.Path.Value ?? "";
            if (IsAudited(context.Request.Method, path, status))
            {
                string token = context.User.Identity?.IsAuthenticated == true
                    ? context.User.Identity.Name ?? "?"
                    : context.Request.Headers.Authorization.Count > 0 ? "wrong" : "none";
                log.Record(token, context.Request.Method, path, status, context.Connection.RemoteIpAddress?.ToString() ?? "?");
            }
        }
    });
}
