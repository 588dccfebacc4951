using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using BenchmarkDotNet.Attributes;
using static Appliance.Benchmarks.BenchFrames;

namespace Appliance.Benchmarks;

/// <summary>The steps of <see cref="EthernetSwitch.Forward"/> one by one, to see where its time goes.</summary>
[MemoryDiagnoser]
public class SwitchPartsBenchmarks : IDisposable
{
    private EthernetSwitch _switch = null!;
    private SwitchPort _session = null!;
    private byte[] _frame = [];
    private FrameClass _info;
    private long _agingTicks;
    private readonly TimeProvider _clock = TimeProvider.System;

    [GlobalSetup]
    public void Setup()
    {
        _switch = new EthernetSwitch();
        _session = _switch.AddPort("client-1", PortKind.Session, new NullSink());
        _switch.AddPort("ens19", PortKind.Uplink, new NullSink());
        _frame = Ipcp60(Concentrator, Client);
        _info = FrameClassifier.Classify(_frame);
        _agingTicks = (long)(_switch.Options.MacAgingTime.TotalSeconds * TimeProvider.System.TimestampFrequency);
        for (int i = 0; i < 1000; i++)
            _switch.Forward(_session, _frame);
    }

    [Benchmark]
    public long Timestamp() => _clock.GetTimestamp();

    [Benchmark]
    public long CoarseTickCount() => Environment.TickCount64 + _frame.Length;

    [Benchmark]
    public void CountOneDirection() => _session.Counters.In.Record(_info);

    [Benchmark]
    public LearnResult LearnKnownSource() =>
        _switch.Macs.Learn(Client, _session, 8, _agingTicks, TimeProvider.System.GetTimestamp());

    [Benchmark]
    public SwitchPort? LookupDestination() => _switch.Macs.Lookup(Client, _agingTicks, TimeProvider.System.GetTimestamp());

    [GlobalCleanup]
    public void Dispose()
    {
        _switch?.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class NullSink : IFrameSink
    {
        public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
        {
            reason = default;
            return true;
        }
    }
}
