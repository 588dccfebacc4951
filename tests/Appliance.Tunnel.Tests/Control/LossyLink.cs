using Appliance.Tunnel.Control.Reliability;

namespace Appliance.Tunnel.Tests.ControlChannel;

/// <summary>One control packet as the codec would carry it, without bytes on the wire: message (absent for a pure ACK) and ACK ids.</summary>
public sealed record LinkPacket(bool IsPureAck, uint MessageId, ReliableMessageKind Kind, byte[] Payload, uint[] Acks);

/// <summary>An in-memory, deterministic (seeded) network between two reliable channels that loses, duplicates and reorders packets.</summary>
/// <remarks>Test double for the UDP/TCP transport plus codec; not thread-safe, driven by one test loop.</remarks>
public sealed class LossyLink
{
    private readonly Random _random;
    private readonly List<LinkPacket>[] _inFlight = [[], []];

    public LossyLink(int seed, double loss = 0, double duplication = 0, bool reorder = false)
    {
        _random = new Random(seed);
        Loss = loss;
        Duplication = duplication;
        Reorder = reorder;
    }

    public double Loss { get; set; }
    public double Duplication { get; set; }
    public bool Reorder { get; set; }
    public int Sent { get; private set; }
    public int Lost { get; private set; }
    public int Duplicated { get; private set; }

    /// <summary>Observes every packet sent towards <c>to</c>, before loss (a capture point on the sender's side).</summary>
    public Action<int, LinkPacket>? OnSend { get; set; }

    public bool IsEmpty => _inFlight[0].Count == 0 && _inFlight[1].Count == 0;

    /// <summary>Sends towards side <paramref name="to"/> (0 or 1).</summary>
    public void Send(int to, LinkPacket packet)
    {
        Sent++;
        OnSend?.Invoke(to, packet);
        if (_random.NextDouble() < Loss)
        {
            Lost++;
            return;
        }
        _inFlight[to].Add(packet);
        if (_random.NextDouble() < Duplication)
        {
            Duplicated++;
            _inFlight[to].Insert(_random.Next(_inFlight[to].Count + 1), packet);
        }
    }

    public bool TryReceive(int side, out LinkPacket packet)
    {
        var queue = _inFlight[side];
        if (queue.Count == 0)
        {
            packet = null!;
            return false;
        }
        int index = Reorder ? _random.Next(queue.Count) : 0;
        packet = queue[index];
        queue.RemoveAt(index);
        return true;
    }

    /// <summary>Everything the channel has to send now: due messages with piggy-backed ACKs, then pure ACKs.</summary>
    public bool Flush(ReliableChannel channel, int to)
    {
        Span<uint> acks = stackalloc uint[ReliabilityOptions.ProtocolMaxAcks];
        bool sent = false;
        while (channel.TryTakePacket(acks, out var packet))
        {
            var m = packet.Message;
            Send(to, new LinkPacket(false, m.MessageId, m.Kind, m.Payload.ToArray(), acks[..packet.AckCount].ToArray()));
            sent = true;
        }
        int count;
        while ((count = channel.TakePureAck(acks)) > 0)
        {
            Send(to, new LinkPacket(true, 0, default, [], acks[..count].ToArray()));
            sent = true;
        }
        return sent;
    }

    /// <summary>Hands up to <paramref name="max"/> packets waiting at <paramref name="side"/> to its channel.</summary>
    public int Deliver(ReliableChannel channel, int side, int max = int.MaxValue)
    {
        int delivered = 0;
        while (delivered < max && TryReceive(side, out var packet))
        {
            if (packet.IsPureAck)
                channel.ReceiveAck(packet.Acks);
            else
                channel.ReceiveControl(packet.MessageId, packet.Payload, packet.Acks);
            delivered++;
        }
        return delivered;
    }
}
