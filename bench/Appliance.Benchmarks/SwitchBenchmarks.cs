using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Switching;
using BenchmarkDotNet.Attributes;
using static Appliance.Benchmarks.BenchFrames;

namespace Appliance.Benchmarks;

/// <summary>The whole data path of <see cref="EthernetSwitch.Forward"/>: classify, count in, learn, look up, deliver, count out.</summary>
[MemoryDiagnoser]
[FramesPerSecond]
public class SwitchBenchmarks : IDisposable
{
    private EthernetSwitch _switch = null!;
    private SwitchPort _session = null!;
    private SwitchPort _uplink = null!;
    private byte[] _upstream = [];
    private byte[] _downstream = [];

    [Params(60, 1514)]
    public int FrameLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _switch = new EthernetSwitch();
        _session = _switch.AddPort("client-1", PortKind.Session, DiscardingSink.Instance);
        _uplink = _switch.AddPort("ens19", PortKind.Uplink, DiscardingSink.Instance);
        _upstream = OfLength(FrameLength, Concentrator, Client);
        _downstream = OfLength(FrameLength, Client, Concentrator);
        // Learn both MACs and warm the counter stripes: the measured path is the steady state.
        for (int i = 0; i < 1000; i++)
        {
            _switch.Forward(_session, _upstream);
            _switch.Forward(_uplink, _downstream);
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _switch?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public void SessionToUplink() => _switch.Forward(_session, _upstream);

    [Benchmark]
    public void UplinkToSession() => _switch.Forward(_uplink, _downstream);

    private sealed class DiscardingSink : IFrameSink
    {
        public static readonly DiscardingSink Instance = new();

        public bool TrySend(ReadOnlySpan<byte> frame, out DropReason reason)
        {
            reason = default;
            return true;
        }
    }
}
