namespace Appliance.Tunnel.Diagnostics;

/// <summary>How much a finding matters to the operator.</summary>
public enum FindingSeverity : byte
{
    /// <summary>Worth knowing; nothing is broken.</summary>
    Info = 0,
    /// <summary>Something does not work as expected; the session may still be usable.</summary>
    Warning,
    /// <summary>The session cannot work until this is fixed.</summary>
    Error,
}

/// <summary>One conclusion of <see cref="PppoeDiagnosis"/>: a stable code, what is wrong in one sentence, and the fix.</summary>
/// <param name="Code">Stable, kebab-case, from <see cref="PppoeFindingCodes"/>: for APIs, alerts and documentation links.</param>
/// <param name="Explanation">One sentence with the numbers that led to it; never a user name or password.</param>
/// <param name="Fix">What the operator should do.</param>
public sealed record PppoeFinding(FindingSeverity Severity, string Code, string Explanation, string Fix)
{
    /// <summary>The frames that should have crossed and did not, with their sizes: what the explanation rests on. Empty when the finding rests on counts alone.</summary>
    public IReadOnlyList<LostFrame> Evidence { get; init; } = [];
    /// <summary>For a frame-size finding: frames shorter than this never arrive (or, for large-frame loss, longer than this). Null otherwise.</summary>
    public int? SizeThreshold { get; init; }
    /// <summary>The values <see cref="Explanation"/> and <see cref="Fix"/> are made of, by name (invariant text; never a secret), so a reader
    /// can word the finding in another language; <c>variant</c> tells apart the texts of one code. Empty when the text has no values.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = FindingParameters.None;
}

/// <summary>Builds <see cref="PppoeFinding.Parameters"/>: numbers and names as invariant text.</summary>
public static class FindingParameters
{
    /// <summary>The name that tells apart the texts one code has (e.g. ipv6-only's "refused-by-client").</summary>
    public const string Variant = "variant";

    public static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>(0, StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, string> Of(params (string Name, object Value)[] values)
    {
        var result = new Dictionary<string, string>(values.Length, StringComparer.Ordinal);
        foreach (var (name, value) in values)
            result[name] = value switch
            {
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => value.ToString() ?? "",
            };
        return result;
    }
}

/// <summary>The stable codes of <see cref="PppoeFinding"/>; never renamed, only added to.</summary>
public static class PppoeFindingCodes
{
    /// <summary>The origin case: the client's short frames (the 32-byte IPCP Configure-Ack) never arrive.</summary>
    public const string ShortFramesLostFromClient = "short-frames-lost-from-client";
    /// <summary>Frames shorter than a size sent towards the client never reach it.</summary>
    public const string ShortFramesLostTowardClient = "short-frames-lost-toward-client";
    /// <summary>Frames longer than about 1400 bytes are lost on the way (a path that drops IP fragments).</summary>
    public const string LargeFramesLost = "large-frames-lost";
    /// <summary>The client's TAP-Windows6, by its OpenVPN version, is one that drops frames shorter than 34 bytes.</summary>
    public const string ClientDriverDropsShortFrames = "client-driver-drops-short-frames";
    /// <summary>The ISP keeps asking for IPCP and the client answers nothing, though its short frames do arrive.</summary>
    public const string IpcpUnansweredByClient = "ipcp-unanswered-by-client";
    /// <summary>PADIs and no PADO.</summary>
    public const string NoAccessConcentrator = "no-access-concentrator";
    /// <summary>A PADO and no PADR.</summary>
    public const string OfferIgnoredByClient = "offer-ignored-by-client";
    /// <summary>A PADS refusing the session, error tags, or PADRs without a PADS.</summary>
    public const string AccessConcentratorRefuses = "access-concentrator-refuses";
    /// <summary>PAP Authenticate-Nak or CHAP Failure.</summary>
    public const string AuthenticationFailed = "authentication-failed";
    /// <summary>The client's LCP Echo-Requests go unanswered: the link towards the ISP is dead.</summary>
    public const string LcpEchoUnansweredByIsp = "lcp-echo-unanswered-by-isp";
    /// <summary>The ISP's LCP Echo-Requests go unanswered: the client is gone.</summary>
    public const string LcpEchoUnansweredByClient = "lcp-echo-unanswered-by-client";
    /// <summary>IPCP opened, and the client sends no IPv4.</summary>
    public const string IPv4NotSentByClient = "ipv4-not-sent-by-client";
    /// <summary>IPCP opened, the client sends IPv4, nothing comes back.</summary>
    public const string IPv4Unanswered = "ipv4-unanswered";
    /// <summary>IPv6CP opened, and the client sends no IPv6.</summary>
    public const string IPv6NotSentByClient = "ipv6-not-sent-by-client";
    /// <summary>IPv6CP opened, the client sends IPv6, nothing comes back.</summary>
    public const string IPv6Unanswered = "ipv6-unanswered";
    /// <summary>IPv6CP opened and IPCP never did.</summary>
    public const string IPv6Only = "ipv6-only";
    /// <summary>IPCP opened and IPv6 was never negotiated.</summary>
    public const string IPv4Only = "ipv4-only";
    /// <summary>Frames above the largest allowed size dropped as oversize on the client's port or the uplink.</summary>
    public const string OversizeFramesDropped = "oversize-frames-dropped";
}
