using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Diagnostics;

/// <summary>What the client's own behaviour shows about frames sent towards it: which arrived, which evidently did not.</summary>
/// <remarks>Not thread-safe: guarded by the tracker's lock. Allocation-free; bounded.</remarks>
internal sealed class DeliveryEvidence
{
    public const int Capacity = 16;

    private readonly LastAnswer[] _lastAnswers = new LastAnswer[3];
    private readonly LostEntry[] _lost = new LostEntry[Capacity];
    private int _lostCount;
    private int _lostNext;

    /// <summary>Smallest frame sent towards the client that the client answered: it arrived. 0 when none.</summary>
    public int SmallestDelivered { get; private set; }

    private struct LastAnswer
    {
        public bool Valid;
        public byte Identifier;
        public PppControlCode Code;
        public int Size;
    }

    private struct LostEntry
    {
        public PppProtocol Protocol;
        public PppControlCode Code;
        public byte Identifier;
        public int Size;
    }

    private static int Slot(PppProtocol protocol) => protocol switch
    {
        PppProtocol.Lcp => 0,
        PppProtocol.Ipcp => 1,
        _ => 2,
    };

    public void Delivered(int size)
    {
        if (size > 0 && (SmallestDelivered == 0 || size < SmallestDelivered))
            SmallestDelivered = size;
    }

    /// <summary>The ISP answered the client's Configure-Request (Ack, Nak or Reject) with this frame.</summary>
    public void AnsweredClient(PppProtocol protocol, PppControlCode code, byte identifier, int size)
    {
        ref var a = ref _lastAnswers[Slot(protocol)];
        a.Valid = true;
        a.Identifier = identifier;
        a.Code = code;
        a.Size = size;
    }

    /// <summary>The client sent a Configure-Request: the same identifier again after the ISP answered it means the answer never reached it (RFC 1661 §4.6: only the restart timer repeats an identifier).</summary>
    public void ClientRequested(PppProtocol protocol, byte identifier)
    {
        ref var a = ref _lastAnswers[Slot(protocol)];
        if (!a.Valid)
            return;
        a.Valid = false;
        if (a.Identifier != identifier)
        {
            // A new request: the previous answer was read (a Nak or Reject leads to a new request).
            Delivered(a.Size);
            return;
        }
        ref var lost = ref _lost[_lostNext];
        lost.Protocol = protocol;
        lost.Code = a.Code;
        lost.Identifier = identifier;
        lost.Size = a.Size;
        _lostNext = (_lostNext + 1) % Capacity;
        if (_lostCount < Capacity)
            _lostCount++;
    }

    public IReadOnlyList<LostFrame> LostTowardClient()
    {
        if (_lostCount == 0)
            return [];
        var lost = new LostFrame[_lostCount];
        int start = _lostCount < Capacity ? 0 : _lostNext;
        for (int i = 0; i < _lostCount; i++)
        {
            var e = _lost[(start + i) % Capacity];
            lost[i] = new LostFrame(SessionSide.Isp, e.Protocol, e.Code, e.Identifier, e.Size);
        }
        return lost;
    }

    /// <summary>A new attempt: pending answers belong to the old session; evidence of losses stays.</summary>
    public void ForgetAnswers()
    {
        for (int i = 0; i < _lastAnswers.Length; i++)
            _lastAnswers[i].Valid = false;
    }
}
