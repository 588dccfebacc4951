using Appliance.Tunnel.Capture;
using Appliance.Tunnel.Switching;
using static Appliance.Tunnel.Tests.Capture.CaptureFrames;

namespace Appliance.Tunnel.Tests.Capture;

public sealed class ConcurrentCaptureTests
{
    [Fact]
    public void Frames_from_many_threads_are_all_either_in_the_file_or_counted_lost()
    {
        var file = Path.Combine(Path.GetTempPath(), $"capture-concurrent-{Guid.NewGuid():n}.pcapng");
        try
        {
            const int threads = 4, perThread = 5000;
            using var capture = new PortCapture(new FileStream(file, FileMode.CreateNew), "client-1",
                new CaptureOptions { BufferFrames = 64 });
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                var frame = Session(Concentrator, Client, 60 + t);
                for (int i = 0; i < perThread; i++)
                    capture.OnFrame(frame, (i & 1) == 0 ? FrameDirection.Inbound : FrameDirection.Outbound);
            });
            capture.Stop();

            Assert.Equal(threads * perThread, capture.FramesCaptured + capture.FramesLost);
            Assert.Equal(capture.FramesCaptured, Tshark.Fields(file, "frame.len").Count);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
