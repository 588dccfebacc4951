namespace Appliance.Agent.Api;

/// <summary>Which token a caller presented: it decides what the caller may do, and the audit log names it.</summary>
public enum ApiToken
{
    /// <summary>The pairing token the panel holds: everything.</summary>
    Pairing,

    /// <summary>This run's local-access token (the CLI on the appliance, run.sh's lab panel): everything.</summary>
    Local,

    /// <summary>The metrics token (a Prometheus scraper): <c>/metrics</c> and the health document, nothing else.</summary>
    Metrics,
}

/// <summary>The claims a token grants, and the authorization policies over them.</summary>
public static class ApiScopes
{
    public const string ClaimType = "scope";
    public const string Full = "full";
    public const string ReadMetrics = "metrics";

    /// <summary>The policy of <c>/metrics</c> and the health document: any token.</summary>
    public const string MetricsPolicy = "metrics";

    public static string Of(ApiToken token) => token == ApiToken.Metrics ? ReadMetrics : Full;

    /// <summary>The name the audit log and the logs use for a token (never the token itself).</summary>
    public static string Name(ApiToken token) => token switch
    {
        ApiToken.Pairing => "pairing",
        ApiToken.Local => "local",
        _ => "metrics",
    };
}
