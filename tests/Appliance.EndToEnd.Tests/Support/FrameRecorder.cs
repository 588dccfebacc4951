using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>A port tap that keeps a copy of every frame a switch port takes in or hands out, to check its counters against.</summary>
public sealed class FrameRecorder : IPortTap
{
    private readonly List<(FrameDirection Direction, byte[] Frame)> _frames = [];

    public void OnFrame(ReadOnlySpan<byte> frame, FrameDirection direction)
    {
        var copy = frame.ToArray();
        lock (_frames)
            _frames.Add((direction, copy));
    }

    /// <summary>The frames seen in <paramref name="direction"/> so far, in order.</summary>
    public List<byte[]> Frames(FrameDirection direction)
    {
        lock (_frames)
            return [.. _frames.Where(f => f.Direction == direction).Select(f => f.Frame)];
    }

    /// <summary>The frames of <paramref name="direction"/> that are PPP control packets of <paramref name="protocol"/> with <paramref name="code"/>.</summary>
    public List<byte[]> PppControl(FrameDirection direction, PppProtocol protocol, PppControlCode code) =>
        [.. Frames(direction).Where(f =>
        {
            var info = FrameClassifier.Classify(f);
            return info.HasPppControl && info.PppProtocol == protocol && info.PppCode == (byte)code;
        })];
}
