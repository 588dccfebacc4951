using Appliance.Tunnel.Capture;
using Appliance.Tunnel.Switching;
using BenchmarkDotNet.Attributes;
using static Appliance.Benchmarks.BenchFrames;

namespace Appliance.Benchmarks;

/// <summary>What a capture adds to the data path: <see cref="PortCapture.OnFrame"/> into a file that discards.</summary>
/// <remarks>When the writer falls behind, frames take the cheaper "buffer full" path and are counted lost; the
/// benchmark prints how many frames were captured and lost so the mean can be read with that in mind.</remarks>
[MemoryDiagnoser]
[FramesPerSecond]
public class CaptureBenchmarks : IDisposable
{
    private PortCapture _capture = null!;
    private byte[] _frame = [];

    [Params(60, 1514)]
    public int FrameLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frame = OfLength(FrameLength, Concentrator, Client);
        _capture = new PortCapture(Stream.Null, "client-1", new CaptureOptions
        {
            MaxFileBytes = long.MaxValue,
            MaxDuration = CaptureOptions.MaxMaxDuration,
        });
    }

    [Benchmark]
    public void OnFrame() => _capture.OnFrame(_frame, FrameDirection.Inbound);

    [GlobalCleanup]
    public void Dispose()
    {
        if (_capture is not null)
        {
            _capture.Stop();
            Console.WriteLine($"// capture of {FrameLength}-byte frames: {_capture.FramesCaptured} captured, {_capture.FramesLost} lost, stop reason {_capture.StopReason}");
        }
        GC.SuppressFinalize(this);
    }
}
