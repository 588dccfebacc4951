using Appliance.Tunnel.Counters;


namespace Appliance.Tunnel.Switching;

/// <summary>One port of an <see cref="EthernetSwitch"/>: a name, a role, a sink for egress frames and its counters.</summary>
public sealed class SwitchPort
{
    private volatile IPortTap? _tap;
    private volatile IFrameObserver? _observer;
    /// <summary>The interceptor's storage, for a compare-and-swap claim (one probe per port).</summary>
    internal IFrameInterceptor? InterceptorSlot;
    private volatile bool _live = true;
    internal int LearnedMacs;

    internal SwitchPort(int id, string name, PortKind kind, IFrameSink sink)
    {
        Id = id;
        Name = name;
        Kind = kind;
        Sink = sink;
    }

    /// <summary>Unique for the switch's lifetime; never reused.</summary>
    public int Id { get; }
    public string Name { get; }
    public PortKind Kind { get; }
    public IFrameSink Sink { get; }
    public PortCounters Counters { get; } = new();

    /// <summary>False once removed from the switch: its MACs may then be learned elsewhere.</summary>
    public bool IsLive => _live;

    /// <summary>Number of MAC addresses this port owns right now.</summary>
    public int LearnedMacCount => Volatile.Read(ref LearnedMacs);

    /// <summary>Observer of every frame in and out (a capture); null when none.</summary>
    public IPortTap? Tap
    {
        get => _tap;
        set => _tap = value;
    }

    /// <summary>
    /// Observer of every frame in and out with its classification (a PPPoE session tracker); null when none. Outbound frames
    /// are observed as they are handed to the device, before any answer to them can come in.
    /// </summary>
    public IFrameObserver? Observer
    {
        get => _observer;
        set => _observer = value;
    }

    /// <summary>
    /// Sees every frame from the port's device before it is forwarded or observed, and may take it (counted In and as the drop
    /// <see cref="DropReason.ConsumedByProbe"/>): a size probe taking the client's answers to its own requests. Null when none.
    /// </summary>
    public IFrameInterceptor? Interceptor
    {
        get => Volatile.Read(ref InterceptorSlot);
        set => Volatile.Write(ref InterceptorSlot, value);
    }

    internal void MarkRemoved() => _live = false;

    public override string ToString() => $"{Kind} port {Id} '{Name}'";
}
