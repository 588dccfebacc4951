using Appliance.Tunnel.Frames;
using static System.FormattableString;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>Finds a size-dependent loss by comparing the sizes of frames that went missing with the sizes that do arrive, per direction.</summary>
/// <remarks>Only PPPoE session frames count: discovery frames (PADI…) take a different path through some drivers and filters and say
/// nothing about the session's. Pure; runs off the data path.</remarks>
internal static class FrameSizeReasoning
{
    /// <summary>Answers the client owed and that never reached the switch: lost after <see cref="PppoeDiagnosisThresholds.AnswerTimeout"/>
    /// or once the requester repeated itself.</summary>
    public static List<AwaitedAnswer> Missing(IReadOnlyList<AwaitedAnswer> owed, DateTimeOffset now, PppoeDiagnosisThresholds t)
    {
        var missing = new List<AwaitedAnswer>();
        foreach (var a in owed)
        {
            bool lost = a.Wait switch
            {
                AnswerWait.Superseded => true,
                AnswerWait.Abandoned => a.EndedAt is { } ended && ended - a.RequestedAt >= t.AnswerTimeout,
                _ => now - a.RequestedAt >= t.AnswerTimeout,
            };
            if (lost)
                missing.Add(a);
        }
        return missing;
    }

    /// <summary>"Frames shorter than N bytes from the client never arrive" (or longer than N: large-frame loss).</summary>
    /// <param name="lostTowardBelow">When frames shorter than this are known lost towards the client, requests that short never
    /// reached it and their answers were never sent: they are no evidence about frames from the client.</param>
    public static PppoeFinding? FromClient(PppoeSessionView view, PppoeDiagnosisThresholds t, int lostTowardBelow = 0)
    {
        var missing = Missing(view.AnswersOwedByClient, view.TakenAt, t);
        missing.RemoveAll(a => a.RequestSize < lostTowardBelow);
        if (missing.Count == 0)
            return null;
        if (view.In.SmallestSessionFrame is not { } smallestIn)
            return NoSessionFrameFromClient(view, missing, t);
        // The client must have gone on sending after the first missing answer was due, or it is simply gone.
        long framesBefore = long.MaxValue;
        foreach (var a in missing)
            framesBefore = Math.Min(framesBefore, a.OwnerFramesBefore);
        if (view.In.SessionFrames <= framesBefore)
            return null;

        // An Echo-Reply's size is exact; a Configure-Request's answer is at most the request's size (an Ack repeats the options,
        // a Nak or Reject names some of them), so it proves "short" when even that bound is short, and is no proof either way when not.
        var shortMissing = new List<AwaitedAnswer>();
        foreach (var a in missing)
        {
            if (a.ExpectedSize < smallestIn)
                shortMissing.Add(a);
            else if (a.Code == PppControlCode.EchoReply)
                return LargeLoss(view, missing, t);
        }
        if (shortMissing.Count == 0 || !Enough(shortMissing, view.TakenAt, t))
            return null;
        int largestMissing = 0;
        foreach (var a in shortMissing)
            largestMissing = Math.Max(largestMissing, a.ExpectedSize);
        var evidence = Evidence(shortMissing);
        int threshold = FrameSizeFaults.Threshold(largestMissing, smallestIn);
        return new PppoeFinding(
            FindingSeverity.Error,
            PppoeFindingCodes.ShortFramesLostFromClient,
            Invariant($"Frames shorter than {threshold} bytes from the client never arrive: {Describe(evidence)} never came, while every PPPoE session frame that did come from the client was {smallestIn} bytes or longer{Consequence(view)}."),
            FrameSizeFaults.FixFromClient(threshold))
        {
            Evidence = evidence,
            SizeThreshold = threshold,
            Parameters = FindingParameters.Of(("threshold", threshold), ("smallestArrived", smallestIn), ("ipv6Only", Consequence(view).Length > 0)),
        };
    }

    /// <summary>
    /// Not one PPPoE session frame ever came from the client, though a session was set up (PADS) and the ISP's requests needed answers,
    /// while its discovery frames (PADI, the PADR with the AC-Cookie) did come, all longer than every missing answer, and it went on
    /// sending them after the first answer was due: frames shorter than somewhere between the largest missing answer and the smallest
    /// discovery frame are lost. LCP never opens, so nothing else can narrow it (the probe needs LCP Opened).
    /// </summary>
    private static PppoeFinding? NoSessionFrameFromClient(PppoeSessionView view, List<AwaitedAnswer> missing, PppoeDiagnosisThresholds t)
    {
        // The ISP's requests owed an answer are session frames: a session was set up (PADS), in this attempt or an earlier one.
        if (view.In.SessionFrames > 0 || view.In.SmallestDiscoveryFrame is not { } smallestDiscovery)
            return null;
        int largestMissing = 0;
        var firstDue = DateTimeOffset.MaxValue;
        foreach (var a in missing)
        {
            // Only an upper bound of a Configure-Ack's size is known: it proves "short" only when even the bound is under every arrival.
            if (a.ExpectedSize >= smallestDiscovery)
                return null;
            largestMissing = Math.Max(largestMissing, a.ExpectedSize);
            if (a.RequestedAt + t.AnswerTimeout < firstDue)
                firstDue = a.RequestedAt + t.AnswerTimeout;
        }
        // Alive: it went on sending (a new PADI, a PADT) after the first answer was due, or the ISP asked twice as often as a size
        // finding needs (a client that stops at the first failure, as Windows does, sends nothing more); else it may simply have gone.
        bool alive = view.In.LastFrameAt is { } last && last > firstDue;
        if (!(alive ? Enough(missing, view.TakenAt, t) : missing.Count >= 2 * t.MissingFramesForSizeFinding))
            return null;
        var evidence = Evidence(missing);
        int threshold = FrameSizeFaults.Threshold(largestMissing, smallestDiscovery);
        return new PppoeFinding(
            FindingSeverity.Error,
            PppoeFindingCodes.ShortFramesLostFromClient,
            Invariant($"Frames shorter than {threshold} bytes from the client never arrive: not one PPPoE session frame came from it, though it owed {Describe(evidence)}, while its discovery frames of {smallestDiscovery} bytes and more did come; so LCP never opens. The evidence bounds the cut between {largestMissing + 1} and {smallestDiscovery} bytes{KnownFault(threshold)}; the size probe needs LCP Opened and cannot narrow it."),
            FrameSizeFaults.FixFromClient(threshold))
        {
            Evidence = evidence,
            SizeThreshold = threshold,
            Parameters = FindingParameters.Of((FindingParameters.Variant, "no-session-frame"), ("threshold", threshold),
                ("lowerBound", largestMissing + 1), ("smallestDiscovery", smallestDiscovery)),
        };
    }

    private static string KnownFault(int threshold) => threshold switch
    {
        FrameSizeFaults.EthernetMinimum => " (60 is the Ethernet minimum: runts refused instead of padded)",
        FrameSizeFaults.TapWindows6Threshold => " (34 is TAP-Windows6's old IPv4-header check)",
        _ => "",
    };

    /// <summary>Exact-size answers missing only above every size that arrives, and above <see cref="PppoeDiagnosisThresholds.LargeFrameSize"/>.</summary>
    private static PppoeFinding? LargeLoss(PppoeSessionView view, List<AwaitedAnswer> missing, PppoeDiagnosisThresholds t)
    {
        var large = new List<AwaitedAnswer>();
        foreach (var a in missing)
        {
            if (a.Code != PppControlCode.EchoReply)
                continue;
            if (a.ExpectedSize <= t.LargeFrameSize || a.ExpectedSize <= view.In.LargestSessionFrame)
                return null;
            large.Add(a);
        }
        return large.Count == 0 || !Enough(large, view.TakenAt, t)
            ? null
            : LargeFramesLost(Evidence(large), view.In.LargestSessionFrame, "from the client");
    }

    /// <summary>"Frames shorter than N bytes toward the client never arrive": the client repeated requests the ISP had answered, or left
    /// requests unanswered whose answers would have been of a size that does arrive from it.</summary>
    public static PppoeFinding? TowardClient(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        if (view.SmallestDeliveredToClient is not { } delivered)
            return null;
        var lost = new List<LostFrame>(view.LostTowardClient);
        if (view.In.SmallestSessionFrame is { } smallestIn)
        {
            foreach (var a in Missing(view.AnswersOwedByClient, view.TakenAt, t))
            {
                // Its answer would have been long enough to arrive from the client, and the client went on sending: the request never reached it.
                if (a.ExpectedSize >= smallestIn && view.In.SessionFrames > a.OwnerFramesBefore)
                    lost.Add(new LostFrame(SessionSide.Isp, a.Protocol, a.Code == PppControlCode.EchoReply ? PppControlCode.EchoRequest : PppControlCode.ConfigureRequest, a.Identifier, a.RequestSize));
            }
        }
        if (lost.Count < t.MissingFramesForSizeFinding)
            return null;
        int largestLost = 0;
        foreach (var f in lost)
            largestLost = Math.Max(largestLost, f.Size);
        if (largestLost >= delivered)
            return null;
        int threshold = FrameSizeFaults.Threshold(largestLost, delivered);
        var evidence = Distinct(lost);
        return new PppoeFinding(
            FindingSeverity.Error,
            PppoeFindingCodes.ShortFramesLostTowardClient,
            Invariant($"Frames shorter than {threshold} bytes sent towards the client never reach it: {Describe(evidence)} went unheeded by the client, while frames of {delivered} bytes and more sent towards it were answered."),
            FrameSizeFaults.FixTowardClient(threshold))
        { Evidence = evidence, SizeThreshold = threshold, Parameters = FindingParameters.Of(("threshold", threshold), ("delivered", delivered)) };
    }

    /// <summary>The <see cref="LargeFrameCheck"/> at LCP Opened: the client answered the small Echo-Request and not the largest frame, twice.</summary>
    public static PppoeFinding? LargeFrameCheckLost(PppoeSessionView view, PppoeDiagnosisThresholds t)
    {
        if (view.LargeFrameCheck is not { LargeFramesLost: true } check || check.LargeSize <= t.LargeFrameSize)
            return null;
        int arrived = Math.Max(check.ControlSize, view.In.LargestSessionFrame);
        return new PppoeFinding(
            FindingSeverity.Error,
            PppoeFindingCodes.LargeFramesLost,
            Invariant($"Large frames between the client and the appliance are lost on the way: when LCP opened, the appliance sent the client LCP Echo-Requests of {check.ControlSize} and {check.LargeSize} bytes; the {check.ControlSize}-byte one was answered, the {check.LargeSize}-byte one twice not, while frames up to {arrived} bytes do arrive. Over UDP a {check.LargeSize}-byte frame is a datagram larger than a 1500-byte path carries whole, so a path that drops IP fragments loses it; full-size downloads will stall."),
            FrameSizeFaults.FixLargeFrames)
        {
            Evidence = [new LostFrame(SessionSide.Isp, PppProtocol.Lcp, PppControlCode.EchoRequest, FrameSizeProbe.FirstIdentifier, check.LargeSize)],
            SizeThreshold = arrived,
            Parameters = FindingParameters.Of((FindingParameters.Variant, "check"), ("controlSize", check.ControlSize),
                ("largeSize", check.LargeSize), ("largestArrived", arrived)),
        };
    }

    public static PppoeFinding LargeFramesLost(IReadOnlyList<LostFrame> evidence, int largestArrived, string direction) =>
        new(FindingSeverity.Error,
            PppoeFindingCodes.LargeFramesLost,
            Invariant($"Large frames {direction} are lost on the way: {Describe(evidence)} never arrived, while frames up to {largestArrived} bytes do."),
            FrameSizeFaults.FixLargeFrames)
        {
            Evidence = evidence,
            SizeThreshold = largestArrived,
            Parameters = FindingParameters.Of((FindingParameters.Variant, direction == "from the client" ? "from-client" : "toward-client"), ("largestArrived", largestArrived)),
        };

    private static bool Enough(List<AwaitedAnswer> missing, DateTimeOffset now, PppoeDiagnosisThresholds t)
    {
        if (missing.Count >= t.MissingFramesForSizeFinding)
            return true;
        var oldest = missing[0].RequestedAt;
        return now - oldest >= t.UnansweredIpcpTime;
    }

    private static string Consequence(PppoeSessionView view) =>
        !view.Ipcp.WasOpened && view.Ipv6cp.WasOpened ? ", so IPv4 never comes up while IPv6CP (larger frames) opened" : "";

    private static List<LostFrame> Evidence(List<AwaitedAnswer> missing)
    {
        var frames = new List<LostFrame>(missing.Count);
        foreach (var a in missing)
            frames.Add(new LostFrame(a.Owner, a.Protocol, a.Code, a.Identifier, a.ExpectedSize));
        return Distinct(frames);
    }

    /// <summary>One line per frame: a retransmitted request's missing answers are the same frame.</summary>
    private static List<LostFrame> Distinct(List<LostFrame> frames)
    {
        var distinct = new List<LostFrame>(frames.Count);
        foreach (var f in frames)
        {
            if (!distinct.Contains(f))
                distinct.Add(f);
        }
        return distinct;
    }

    /// <summary>"the IPCP Configure-Ack (id 2, 32 bytes) and 5 LCP Echo-Replies (30 bytes)".</summary>
    public static string Describe(IReadOnlyList<LostFrame> frames)
    {
        var parts = new List<string>();
        var done = new bool[frames.Count];
        for (int i = 0; i < frames.Count; i++)
        {
            if (done[i])
                continue;
            var f = frames[i];
            int count = 0;
            for (int j = i; j < frames.Count; j++)
            {
                var g = frames[j];
                if (!done[j] && g.Protocol == f.Protocol && g.Code == f.Code && g.Size == f.Size)
                {
                    done[j] = true;
                    count++;
                }
            }
            string name = Invariant($"{ProtocolName(f.Protocol)} {PppControlCodes.Name(f.Protocol, (int)f.Code)}");
            parts.Add(count == 1
                ? Invariant($"the {name} (id {f.Identifier}, {f.Size} bytes)")
                : Invariant($"{count} {Plural(name)} ({f.Size} bytes)"));
        }
        return parts.Count switch
        {
            0 => "nothing",
            1 => parts[0],
            _ => string.Join(", ", parts.GetRange(0, parts.Count - 1)) + " and " + parts[^1],
        };
    }

    private static string Plural(string name) => name.EndsWith('y') ? name[..^1] + "ies" : name + "s";

    public static string ProtocolName(PppProtocol protocol) => protocol switch
    {
        PppProtocol.Lcp => "LCP",
        PppProtocol.Ipcp => "IPCP",
        PppProtocol.Ipv6cp => "IPv6CP",
        PppProtocol.Pap => "PAP",
        PppProtocol.Chap => "CHAP",
        _ => protocol.ToString(),
    };
}
