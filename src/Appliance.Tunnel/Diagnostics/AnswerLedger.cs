using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>The answers one end owes (Echo-Replies, Configure-Acks), kept until answered; bounded, allocation-free.</summary>
/// <remarks>Not thread-safe: guarded by the tracker's lock. Unanswered entries survive a new attempt: they are the
/// evidence of what never arrived. When full, the oldest entry gives way.</remarks>
internal sealed class AnswerLedger
{
    public const int Capacity = 32;

    private readonly Entry[] _entries = new Entry[Capacity];
    private long _sequence;

    private struct Entry
    {
        public long Sequence; // 0 = free
        public PppProtocol Protocol;
        public PppControlCode Code;
        public byte Identifier;
        public int ExpectedSize;
        public int RequestSize;
        public long RequestedAt;
        public long OwnerFramesBefore;
        public AnswerWait Wait;
        public long EndedAt;
    }

    /// <summary>The other end sent a request this end owes an answer to.</summary>
    public void Expect(PppProtocol protocol, PppControlCode answer, byte identifier, int expectedSize, int requestSize, long ownerFramesBefore, long timestamp)
    {
        if (answer == PppControlCode.ConfigureAck)
        {
            // RFC 1661 §4.6: the requester's restart timer ran out; its previous request is not awaited any more.
            for (int i = 0; i < _entries.Length; i++)
            {
                ref var e = ref _entries[i];
                if (e.Sequence != 0 && e.Wait == AnswerWait.Pending && e.Protocol == protocol && e.Code == PppControlCode.ConfigureAck)
                {
                    e.Wait = AnswerWait.Superseded;
                    e.EndedAt = timestamp;
                }
            }
        }
        ref var slot = ref _entries[FreeOrOldest()];
        slot.Sequence = ++_sequence;
        slot.Protocol = protocol;
        slot.Code = answer;
        slot.Identifier = identifier;
        slot.ExpectedSize = expectedSize;
        slot.RequestSize = requestSize;
        slot.RequestedAt = timestamp;
        slot.OwnerFramesBefore = ownerFramesBefore;
        slot.Wait = AnswerWait.Pending;
        slot.EndedAt = SnapshotClock.Never;
    }

    /// <summary>This end answered: every request of that protocol and identifier the answer can belong to is settled.</summary>
    /// <returns>The smallest request size the answer settled, or 0 when it matched none.</returns>
    public int Answer(PppProtocol protocol, bool isEchoReply, byte identifier)
    {
        int smallest = 0;
        for (int i = 0; i < _entries.Length; i++)
        {
            ref var e = ref _entries[i];
            if (e.Sequence == 0 || e.Protocol != protocol || e.Identifier != identifier ||
                (e.Code == PppControlCode.EchoReply) != isEchoReply)
            {
                continue;
            }
            if (smallest == 0 || e.RequestSize < smallest)
                smallest = e.RequestSize;
            e.Sequence = 0;
        }
        return smallest;
    }

    /// <summary>This end refused the whole protocol (LCP Protocol-Reject, RFC 1661 §5.7): nothing of it is owed.</summary>
    public void Refuse(PppProtocol protocol)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Protocol == protocol)
                _entries[i].Sequence = 0;
        }
    }

    /// <summary>The link went down: what was still awaited never will be.</summary>
    public void Abandon(long timestamp)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            ref var e = ref _entries[i];
            if (e.Sequence != 0 && e.Wait == AnswerWait.Pending)
            {
                e.Wait = AnswerWait.Abandoned;
                e.EndedAt = timestamp;
            }
        }
    }

    private int FreeOrOldest()
    {
        int oldest = 0;
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].Sequence == 0)
                return i;
            if (_entries[i].Sequence < _entries[oldest].Sequence)
                oldest = i;
        }
        return oldest;
    }

    public IReadOnlyList<AwaitedAnswer> ToView(in SnapshotClock clock, SessionSide owner)
    {
        var list = new List<(long Sequence, AwaitedAnswer Answer)>();
        foreach (var e in _entries)
        {
            if (e.Sequence == 0)
                continue;
            list.Add((e.Sequence, new AwaitedAnswer(owner, e.Protocol, e.Code, e.Identifier, e.ExpectedSize, e.RequestSize,
                clock.At(e.RequestedAt) ?? clock.Now, e.OwnerFramesBefore, e.Wait, clock.At(e.EndedAt))));
        }
        if (list.Count == 0)
            return [];
        list.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var answers = new AwaitedAnswer[list.Count];
        for (int i = 0; i < answers.Length; i++)
            answers[i] = list[i].Answer;
        return answers;
    }
}
