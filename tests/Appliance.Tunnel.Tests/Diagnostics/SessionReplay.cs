using Appliance.Tunnel.Diagnostics;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.Diagnostics;

/// <summary>Feeds frames to a <see cref="PppoeSessionTracker"/> on a fake clock, as the client's switch port would see them.</summary>
internal sealed class SessionReplay
{
    /// <summary>The recorded server guest (pppoe-server), per tests/lab/README.md and Vectors/README.md.</summary>
    public static readonly MacAddress Server = MacAddress.Parse("02:00:5e:10:00:01");
    /// <summary>The recorded client guest (pppd).</summary>
    public static readonly MacAddress Client = MacAddress.Parse("02:00:5e:10:00:02");

    /// <summary>Time between replayed frames when the capture's own timestamps are not used.</summary>
    public static readonly TimeSpan FrameSpacing = TimeSpan.FromMilliseconds(50);

    public SessionReplay() => Tracker = new PppoeSessionTracker(Time);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    public PppoeSessionTracker Tracker { get; }

    /// <summary>On the client's port, frames from the client come In; everything else goes Out towards it.</summary>
    public static FrameDirection DirectionOf(ReadOnlySpan<byte> frame) =>
        MacAddress.Read(frame[6..]) == Server ? FrameDirection.Outbound : FrameDirection.Inbound;

    public void Frame(byte[] frame)
    {
        Tracker.OnFrame(frame, FrameClassifier.Classify(frame), DirectionOf(frame), Time.GetTimestamp());
        Time.Advance(FrameSpacing);
    }

    public void Frames(IEnumerable<byte[]> frames)
    {
        foreach (var frame in frames)
            Frame(frame);
    }

    public void Wait(TimeSpan time) => Time.Advance(time);

    public PppoeSessionView View() => Tracker.Snapshot();

    public IReadOnlyList<PppoeFinding> Findings() => PppoeDiagnosis.Diagnose(View());

    public static IReadOnlyList<byte[]> Capture(string name)
    {
        var frames = new List<byte[]>();
        foreach (var frame in CaptureVector.Load(name).Frames)
            frames.Add(frame.Data);
        return frames;
    }

    /// <summary>The capture's frames before the client's LCP Terminate-Request: the session as it stood while up.</summary>
    public static IReadOnlyList<byte[]> UpToHangUp(string name)
    {
        var frames = new List<byte[]>();
        foreach (var frame in Capture(name))
        {
            var info = FrameClassifier.Classify(frame);
            if (info.PppProtocol == PppProtocol.Lcp && info.PppCode == (byte)PppControlCode.TerminateRequest)
                break;
            frames.Add(frame);
        }
        return frames;
    }

    /// <summary>What the faulty Windows TAP driver let through: every frame from the client shorter than 34 bytes removed.</summary>
    public static IReadOnlyList<byte[]> WithoutShortClientFrames(IEnumerable<byte[]> frames)
    {
        var kept = new List<byte[]>();
        foreach (var frame in frames)
        {
            if (DirectionOf(frame) == FrameDirection.Inbound && frame.Length < 34)
                continue;
            kept.Add(frame);
        }
        return kept;
    }

    /// <summary>An ISP IPCP Configure-Request like the capture's (IP-Address option), 32 bytes, unpadded.</summary>
    public static byte[] IspIpcpConfigureRequest(byte identifier, ushort sessionId = 1)
    {
        var frame = FrameBuilder.PppControl(Client, Server, sessionId, PppProtocols.IpcpValue, (byte)PppControlCode.ConfigureRequest, identifier, optionBytes: 6);
        frame[26] = 3; // RFC 1332 §3.3 IP-Address
        frame[27] = 6;
        frame[28] = 10; frame[29] = 67; frame[30] = 0; frame[31] = 1;
        return frame;
    }

    public static byte[] Control(FrameDirection direction, ushort protocol, PppControlCode code, byte identifier, int optionBytes = 0, ushort sessionId = 1) =>
        direction == FrameDirection.Inbound
            ? FrameBuilder.PppControl(Server, Client, sessionId, protocol, (byte)code, identifier, optionBytes)
            : FrameBuilder.PppControl(Client, Server, sessionId, protocol, (byte)code, identifier, optionBytes);

    public static byte[] Discovery(FrameDirection direction, PppoeDiscoveryCode code, ushort sessionId = 0)
    {
        var destination = direction == FrameDirection.Inbound
            ? (code == PppoeDiscoveryCode.Padi ? MacAddress.Broadcast : Server)
            : Client;
        var source = direction == FrameDirection.Inbound ? Client : Server;
        return FrameBuilder.PppoeDiscovery(destination, source, code, sessionId);
    }
}
