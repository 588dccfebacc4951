using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Frames;
using BenchmarkDotNet.Attributes;
using static Appliance.Benchmarks.BenchFrames;

namespace Appliance.Benchmarks;

/// <summary>Reading a frame's headers, alone and followed by counting it.</summary>
[MemoryDiagnoser]
[FramesPerSecond]
public class ClassifierBenchmarks
{
    private byte[] _frame = [];
    private readonly DirectionCounters _counters = new();

    /// <summary>60: IPCP control frame; 1514: full-size IPv4 data frame.</summary>
    [Params(60, 1514)]
    public int FrameLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frame = OfLength(FrameLength, Concentrator, Client);
        // Warm the counter stripes so their one-time allocation is not measured.
        for (int i = 0; i < 1000; i++)
            _counters.Record(FrameClassifier.Classify(_frame));
    }

    [Benchmark(Baseline = true)]
    public FrameStatus Classify() => FrameClassifier.Classify(_frame).Status;

    [Benchmark]
    public void ClassifyAndCount() => _counters.Record(FrameClassifier.Classify(_frame));
}
