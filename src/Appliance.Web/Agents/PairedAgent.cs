using Appliance.Contracts;

namespace Appliance.Web.Agents;

/// <summary>An agent the panel is paired with: where it is, the pinned certificate, and (unprotected only in memory) its token.</summary>
public sealed record PairedAgent(long Id, string Name, Uri Url, string Fingerprint, DateTimeOffset PairedAt, string PairedBy)
{
    /// <summary>The fingerprint as operators compare it: the first bytes are enough to tell two certificates apart at a glance.</summary>
    public string ShortFingerprint => Fingerprint.Length > 11 ? Fingerprint[..11] + "…" : Fingerprint;
}

/// <summary>A paired agent together with its pairing token, for building a pinned client.</summary>
internal sealed record PairedAgentSecret(PairedAgent Agent, string Token)
{
    public AgentEndpoint Endpoint => new(Agent.Url, Token, Agent.Fingerprint);
}
