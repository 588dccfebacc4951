using Appliance.Tunnel.Switching;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>PPPoE discovery of the latest attempt: state, addresses, session id, and how many of each packet.</summary>
public sealed record PppoeDiscoveryView
{
    public PppoeDiscoveryState State { get; init; }
    /// <summary>Discovery attempts seen: a PADI after a session, a refusal or a PADT starts a new one.</summary>
    public long Attempts { get; init; }
    public MacAddress? ClientMac { get; init; }
    /// <summary>The access concentrator: the PADS's source, else the PADR's destination, else the first PADO's source.</summary>
    public MacAddress? AccessConcentratorMac { get; init; }
    /// <summary>The PPPoE session id the PADS assigned; null before.</summary>
    public ushort? SessionId { get; init; }
    /// <summary>True when no PADS was seen and the session id was taken from session frames.</summary>
    public bool JoinedMidSession { get; init; }
    public long Padi { get; init; }
    public long Pado { get; init; }
    public long Padr { get; init; }
    public long Pads { get; init; }
    public long Padt { get; init; }
    public long Padm { get; init; }
    /// <summary>Discovery frames from the wrong end or with an unknown code.</summary>
    public long UnexpectedFrames { get; init; }
    /// <summary>Error tags in offers (PADO).</summary>
    public PppoeErrorTags OfferErrors { get; init; }
    /// <summary>Error tags of a refusing PADS (a PADS with session id 0 and no tag counts as a generic error).</summary>
    public PppoeErrorTags SessionErrors { get; init; }
    public DateTimeOffset? FirstPadiAt { get; init; }
    public DateTimeOffset? LastPadiAt { get; init; }
    public DateTimeOffset? FirstPadoAt { get; init; }
    public DateTimeOffset? FirstPadrAt { get; init; }
    public DateTimeOffset? LastPadrAt { get; init; }
    public DateTimeOffset? SessionAt { get; init; }
    public DateTimeOffset? TerminatedAt { get; init; }
    /// <summary>The end whose PADT ended the session.</summary>
    public SessionSide? TerminatedBy { get; init; }

    public static PppoeDiscoveryView Empty { get; } = new();
}
