using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;

namespace Appliance.Tunnel.Switching;

/// <summary>A MAC-learning switch joining one uplink and many session ports, counting every frame it does not forward.</summary>
/// <remarks>
/// <see cref="Forward"/> is the data path: it may run on many threads at once (one per ingress port),
/// takes no lock and allocates nothing once addresses are learned. Adding and removing ports swaps an
/// immutable port array; <see cref="Options"/> swaps a whole immutable record.
/// </remarks>
public sealed class EthernetSwitch : IDisposable
{
    private readonly TimeProvider _time;
    private readonly object _portsLock = new();
    private readonly ITimer _sweeper;
    private readonly ITimer _clock;
    // A coarse clock for MAC aging: reading the system clock costs a third of Forward, and aging
    // works in minutes, so a timestamp refreshed every second is exact enough.
    private long _now;
    private SwitchPort[] _ports = [];
    private SwitchOptions _options;
    private long _agingTicks;
    private int _nextPortId;

    public EthernetSwitch(SwitchOptions? options = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _options = new SwitchOptions();
        Options = options ?? _options;
        Macs = new MacTable(_time);
        _now = _time.GetTimestamp();
        _clock = _time.CreateTimer(_ => Volatile.Write(ref _now, _time.GetTimestamp()), null, ClockResolution, ClockResolution);
        _sweeper = _time.CreateTimer(_ => SweepMacs(), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
    }

    /// <summary>How stale the switch's notion of "now" may be for MAC aging.</summary>
    public static readonly TimeSpan ClockResolution = TimeSpan.FromSeconds(1);

    public MacTable Macs { get; }

    /// <summary>Records <paramref name="address"/> as behind <paramref name="port"/>, as a frame from it would: for a port
    /// carried over from another process, so frames toward its client are not flooded until the client speaks.</summary>
    public LearnResult Teach(SwitchPort port, MacAddress address)
    {
        ArgumentNullException.ThrowIfNull(port);
        var options = Volatile.Read(ref _options);
        int limit = port.Kind == PortKind.Uplink ? options.MaxMacsOnUplink : options.MaxMacsPerSession;
        return Macs.Learn(address, port, limit, Volatile.Read(ref _agingTicks), Volatile.Read(ref _now));
    }

    public SwitchOptions Options
    {
        get => Volatile.Read(ref _options);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var errors = value.Validate();
            if (errors.Count > 0)
                throw new ArgumentException("invalid switch options: " + string.Join("; ", errors), nameof(value));
            Volatile.Write(ref _agingTicks, (long)(value.MacAgingTime.TotalSeconds * _time.TimestampFrequency));
            Volatile.Write(ref _options, value);
        }
    }

    /// <summary>The ports in the order they were added; a snapshot.</summary>
    public IReadOnlyList<SwitchPort> Ports => Volatile.Read(ref _ports);

    public SwitchPort AddPort(string name, PortKind kind, IFrameSink sink)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(sink);
        lock (_portsLock)
        {
            var port = new SwitchPort(++_nextPortId, name, kind, sink);
            var ports = new SwitchPort[_ports.Length + 1];
            _ports.CopyTo(ports, 0);
            ports[^1] = port;
            Volatile.Write(ref _ports, ports);
            return port;
        }
    }

    /// <summary>Takes a port off the switch and forgets its addresses; frames in flight to it are dropped as <see cref="DropReason.PortClosed"/>.</summary>
    public void RemovePort(SwitchPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        lock (_portsLock)
        {
            int index = Array.IndexOf(_ports, port);
            if (index < 0)
                return;
            port.MarkRemoved();
            var ports = new SwitchPort[_ports.Length - 1];
            Array.Copy(_ports, 0, ports, 0, index);
            Array.Copy(_ports, index + 1, ports, index, _ports.Length - index - 1);
            Volatile.Write(ref _ports, ports);
        }
        Macs.Forget(port);
    }

    /// <summary>Takes one frame that arrived on <paramref name="ingress"/>: counts it, learns its source, delivers or drops it with a reason.</summary>
    public void Forward(SwitchPort ingress, ReadOnlySpan<byte> frame)
    {
        var info = FrameClassifier.Classify(frame);
        ingress.Counters.In.Record(info);
        ingress.Tap?.OnFrame(frame, FrameDirection.Inbound);
        if (ingress.Interceptor is { } interceptor && interceptor.TryTake(frame, info))
        {
            ingress.Counters.In.RecordDrop(DropReason.ConsumedByProbe, frame.Length);
            return;
        }
        ingress.Observer?.OnFrame(frame, info, FrameDirection.Inbound, Volatile.Read(ref _now));

        if (!ingress.IsLive)
        {
            ingress.Counters.In.RecordDrop(DropReason.PortClosed, frame.Length);
            return;
        }
        var options = Volatile.Read(ref _options);
        if (info.Status == FrameStatus.Runt)
        {
            ingress.Counters.In.RecordDrop(DropReason.Truncated, frame.Length);
            return;
        }
        if (frame.Length > options.MaxFrameLength(info.VlanCount))
        {
            ingress.Counters.In.RecordDrop(DropReason.Oversize, frame.Length);
            return;
        }
        if (info.SourceIsGroup)
        {
            ingress.Counters.In.RecordDrop(DropReason.InvalidSourceAddress, frame.Length);
            return;
        }
        if (options.Policy == SwitchPolicy.PppoeOnly && !info.IsPppoe)
        {
            ingress.Counters.In.RecordDrop(DropReason.FilteredByPolicy, frame.Length);
            return;
        }

        long now = Volatile.Read(ref _now);
        long agingTicks = Volatile.Read(ref _agingTicks);
        int limit = ingress.Kind == PortKind.Uplink ? options.MaxMacsOnUplink : options.MaxMacsPerSession;
        switch (Macs.Learn(MacAddress.Read(frame[6..]), ingress, limit, agingTicks, now))
        {
            case LearnResult.LimitReached:
                ingress.Counters.In.RecordDrop(DropReason.MacLimitReached, frame.Length);
                return;
            case LearnResult.OwnedByOtherPort:
                ingress.Counters.In.RecordDrop(DropReason.MacOwnedByOtherPort, frame.Length);
                return;
        }

        if (info.Destination == DestinationKind.Unicast)
        {
            var egress = Macs.Lookup(MacAddress.Read(frame), agingTicks, now);
            if (egress is not null)
            {
                if (ReferenceEquals(egress, ingress))
                    ingress.Counters.In.RecordDrop(DropReason.NoDestination, frame.Length);
                else if (!MayPass(ingress, egress, options))
                    ingress.Counters.In.RecordDrop(DropReason.FilteredByPolicy, frame.Length);
                else
                    Deliver(egress, frame, info, now);
                return;
            }
        }

        // Broadcast, multicast and unknown unicast: every other port the policy allows.
        int delivered = 0;
        foreach (var port in Volatile.Read(ref _ports))
        {
            if (ReferenceEquals(port, ingress) || !MayPass(ingress, port, options))
                continue;
            Deliver(port, frame, info, now);
            delivered++;
        }
        if (delivered == 0)
            ingress.Counters.In.RecordDrop(DropReason.NoDestination, frame.Length);
    }

    /// <summary>
    /// Sends a frame the appliance made itself (a size probe's request) out of <paramref name="egress"/>: counted Out and captured,
    /// but not shown to the port's observer, whose view is of the client's and the ISP's own frames.
    /// </summary>
    /// <returns>False with a reason when the port is gone or its device refused the frame.</returns>
    public bool Inject(SwitchPort egress, ReadOnlySpan<byte> frame, out DropReason reason)
    {
        ArgumentNullException.ThrowIfNull(egress);
        var info = FrameClassifier.Classify(frame);
        if (!egress.IsLive || frame.Length > Volatile.Read(ref _options).MaxFrameLength(info.VlanCount))
        {
            reason = egress.IsLive ? DropReason.Oversize : DropReason.PortClosed;
            egress.Counters.Out.RecordDrop(reason, frame.Length);
            return false;
        }
        if (!egress.Sink.TrySend(frame, out reason))
        {
            egress.Counters.Out.RecordDrop(reason, frame.Length);
            return false;
        }
        egress.Counters.Out.Record(info);
        egress.Tap?.OnFrame(frame, FrameDirection.Outbound);
        return true;
    }

    private static bool MayPass(SwitchPort from, SwitchPort to, SwitchOptions options) =>
        !(options.IsolateSessions && from.Kind == PortKind.Session && to.Kind == PortKind.Session);

    private static void Deliver(SwitchPort egress, ReadOnlySpan<byte> frame, in FrameClass info, long now)
    {
        if (!egress.IsLive)
        {
            egress.Counters.Out.RecordDrop(DropReason.PortClosed, frame.Length);
            return;
        }
        // The observer hears of the frame before the device sends it: a client answers within microseconds, and its
        // answer, read on another thread, must not reach the observer before the frame it answers (a PPP tracker would
        // take the Ack for an answer to nothing). A frame the device then refuses is in the Out drop counters.
        egress.Observer?.OnFrame(frame, info, FrameDirection.Outbound, now);
        if (egress.Sink.TrySend(frame, out var reason))
        {
            egress.Counters.Out.Record(info);
            egress.Tap?.OnFrame(frame, FrameDirection.Outbound);
        }
        else
        {
            egress.Counters.Out.RecordDrop(reason, frame.Length);
        }
    }

    /// <summary>Removes aged-out addresses now (also runs every 10 s).</summary>
    public int SweepMacs() => Macs.Sweep(Volatile.Read(ref _agingTicks), _time.GetTimestamp());

    public void Dispose()
    {
        _sweeper.Dispose();
        _clock.Dispose();
    }
}
