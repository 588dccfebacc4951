using System.Globalization;
using Appliance.Tunnel.Capture;
using Appliance.Tunnel.Switching;
using Microsoft.Extensions.Time.Testing;
using static Appliance.Tunnel.Tests.Capture.CaptureFrames;

namespace Appliance.Tunnel.Tests.Capture;

/// <summary>A capture on a session port of a real switch, read back with tshark.</summary>
public sealed class PortCaptureTests : IDisposable
{
    private static readonly DateTimeOffset Start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);

    private readonly string _directory = Directory.CreateTempSubdirectory("capture-tests-").FullName;
    private readonly FakeTimeProvider _time = new(Start);
    private readonly EthernetSwitch _switch;
    private readonly RecordingSink _clientSide = new();
    private readonly RecordingSink _ispSide = new();
    private readonly SwitchPort _session;
    private readonly SwitchPort _uplink;

    public PortCaptureTests()
    {
        _switch = new EthernetSwitch(time: _time);
        _session = _switch.AddPort("client-1", PortKind.Session, _clientSide);
        _uplink = _switch.AddPort("ens19", PortKind.Uplink, _ispSide);
    }

    public void Dispose()
    {
        _switch.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string NewFile() => Path.Combine(_directory, Guid.NewGuid().ToString("n") + ".pcapng");

    private PortCapture CaptureSession(string file, CaptureOptions? options = null) =>
        PortCapture.Attach(_session, new FileStream(file, FileMode.CreateNew), options, _time);

    private static string EpochText(DateTimeOffset time)
    {
        long nanoseconds = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        return string.Create(CultureInfo.InvariantCulture, $"{nanoseconds / 1_000_000_000}.{nanoseconds % 1_000_000_000:D9}");
    }

    private static readonly string[] SizeNames = ["14", "32", "60", "1514", "1518 tagged"];

    private static byte[] FrameOfSize(string name, MacAddress destination, MacAddress source) => name switch
    {
        "14" => Session(destination, source, 14),
        "32" => IpcpConfigureAck(destination, source),
        "60" => LcpEchoPadded(destination, source),
        "1514" => Session(destination, source, 1514),
        "1518 tagged" => Session(destination, source, 1518, vlan: 10),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Fact]
    public void Frames_of_every_size_are_captured_in_both_directions_with_bytes_time_and_direction()
    {
        var file = NewFile();
        var expected = new List<(byte[] Frame, DateTimeOffset Time, string Direction)>();
        using (var capture = CaptureSession(file))
        {
            foreach (var size in SizeNames)
            {
                var up = FrameOfSize(size, Concentrator, Client);
                expected.Add((up, _time.GetUtcNow(), "1"));
                _switch.Forward(_session, up);
                _time.Advance(TimeSpan.FromTicks(15_003));

                var down = FrameOfSize(size, Client, Concentrator);
                expected.Add((down, _time.GetUtcNow(), "2"));
                _switch.Forward(_uplink, down);
                _time.Advance(TimeSpan.FromMilliseconds(1.5));
            }
            capture.Stop();
            Assert.Equal(CaptureStopReason.Stopped, capture.StopReason);
            Assert.Equal(CaptureState.Stopped, capture.State);
            Assert.Equal(expected.Count, capture.FramesCaptured);
            Assert.Equal(expected.Sum(e => (long)e.Frame.Length), capture.BytesCaptured);
            Assert.Equal(0, capture.FramesLost);
            Assert.Equal(new FileInfo(file).Length, capture.FileBytes);
        }
        Assert.Equal(5, _ispSide.Frames.Count);
        Assert.Equal(5, _clientSide.Frames.Count);
        Assert.Null(_session.Tap);

        var rows = Tshark.Fields(file, "frame.len", "frame.cap_len", "frame.time_epoch", "frame.packet_flags_direction", "frame.interface_name");
        var bytes = Tshark.FrameBytes(file);
        Assert.Equal(expected.Count, rows.Count);
        Assert.Equal(expected.Count, bytes.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var (frame, time, direction) = expected[i];
            Assert.Equal(frame.Length.ToString(CultureInfo.InvariantCulture), rows[i][0]);
            Assert.Equal(frame.Length.ToString(CultureInfo.InvariantCulture), rows[i][1]);
            Assert.Equal(EpochText(time), rows[i][2]);
            Assert.Equal(direction, DirectionBits(rows[i][3]));
            Assert.Equal("client-1", rows[i][4]);
            Assert.Equal(frame, bytes[i]);
        }
    }

    private static string DirectionBits(string field) =>
        (field.StartsWith("0x", StringComparison.Ordinal)
            ? Convert.ToUInt32(field[2..], 16)
            : uint.Parse(field, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture);

    [Fact]
    public void Capture_stops_with_FrameLimit_after_the_last_allowed_frame()
    {
        var file = NewFile();
        using var capture = CaptureSession(file, new CaptureOptions { MaxFrames = 3 });
        for (int i = 0; i < 5; i++)
            _switch.Forward(_session, Session(Concentrator, Client, 60 + i));

        Assert.Equal(CaptureStopReason.FrameLimit, capture.StopReason);
        Assert.Equal(3, capture.FramesCaptured);
        Assert.Equal(5, _ispSide.Frames.Count);
        capture.Stop();
        Assert.Equal(CaptureStopReason.FrameLimit, capture.StopReason);
        Assert.Equal(["60", "61", "62"], Tshark.Fields(file, "frame.len").Select(r => r[0]));
    }

    [Fact]
    public void Capture_stops_with_SizeLimit_before_the_file_would_pass_its_bound()
    {
        var file = NewFile();
        var options = new CaptureOptions { MaxFileBytes = CaptureOptions.MinFileBytes };
        using var capture = CaptureSession(file, options);
        int sent = 0;
        while (capture.StopReason == CaptureStopReason.None && sent < 100)
        {
            _switch.Forward(_session, Session(Concentrator, Client, 1514));
            sent++;
        }
        capture.Stop();

        Assert.Equal(CaptureStopReason.SizeLimit, capture.StopReason);
        long size = new FileInfo(file).Length;
        Assert.True(size <= options.MaxFileBytes, $"file of {size} bytes passes its bound of {options.MaxFileBytes}");
        Assert.True(size + 1514 + 44 > options.MaxFileBytes, $"stopped at {size} bytes with room for another frame");
        Assert.Equal(sent - 1, capture.FramesCaptured);
        Assert.Equal(capture.FramesCaptured, Tshark.Fields(file, "frame.len").Count);
    }

    [Fact]
    public void Capture_stops_with_TimeLimit_when_the_clock_passes_its_duration_even_without_traffic()
    {
        var file = NewFile();
        using var capture = CaptureSession(file, new CaptureOptions { MaxDuration = TimeSpan.FromSeconds(10) });
        _switch.Forward(_session, Session(Concentrator, Client, 100));
        _time.Advance(TimeSpan.FromSeconds(9.999));
        _switch.Forward(_session, Session(Concentrator, Client, 101));
        Assert.Equal(CaptureStopReason.None, capture.StopReason);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(CaptureStopReason.TimeLimit, capture.StopReason);
        _switch.Forward(_session, Session(Concentrator, Client, 102));
        capture.Stop();

        Assert.Equal(CaptureStopReason.TimeLimit, capture.StopReason);
        Assert.Equal(["100", "101"], Tshark.Fields(file, "frame.len").Select(r => r[0]));
    }

    [Fact]
    public void A_frame_arriving_after_the_duration_is_not_recorded_even_before_the_timer_fires()
    {
        var stream = new MemoryStream();
        var clock = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromSeconds(6) };
        using var capture = new PortCapture(stream, "client-1", new CaptureOptions { MaxDuration = TimeSpan.FromSeconds(10) }, clock, leaveOpen: true);
        var frame = Session(Concentrator, Client, 60);
        capture.OnFrame(frame, FrameDirection.Inbound);
        capture.OnFrame(frame, FrameDirection.Inbound);

        Assert.Equal(CaptureStopReason.TimeLimit, capture.StopReason);
        Assert.Equal(1, capture.FramesCaptured);
    }

    [Fact]
    public void Frames_that_find_the_buffer_full_are_counted_lost_and_the_next_written_frame_says_how_many()
    {
        var file = NewFile();
        var stream = new GatedStream(new FileStream(file, FileMode.CreateNew));
        using var capture = new PortCapture(stream, "client-1", new CaptureOptions { BufferFrames = 4 }, _time);
        stream.Hold();
        for (int i = 0; i < 10; i++)
            capture.OnFrame(Session(Concentrator, Client, 100 + i), FrameDirection.Inbound);

        Assert.Equal(4, capture.FramesCaptured);
        Assert.Equal(6, capture.FramesLost);
        stream.Release();
        SpinWait.SpinUntil(() => capture.QueuedFrames == 0, TimeSpan.FromSeconds(10));
        capture.OnFrame(Session(Concentrator, Client, 200), FrameDirection.Outbound);
        capture.Stop();

        var rows = Tshark.Fields(file, "frame.len", "frame.drop_count");
        Assert.Equal(["100", "101", "102", "103", "200"], rows.Select(r => r[0]));
        Assert.Equal(["", "", "", "", "6"], rows.Select(r => r[1]));
    }

    [Fact]
    public void Pap_password_is_zeroed_in_the_capture_while_the_switch_delivers_it_unchanged()
    {
        var file = NewFile();
        var request = PapAuthenticateRequest(Concentrator, Client, "user@hinet.net", "s3cret-pw");
        var original = request.ToArray();
        using (var capture = CaptureSession(file))
        {
            _switch.Forward(_session, request);
            capture.Stop();
        }

        Assert.Equal(original, request);
        Assert.Equal(original, Assert.Single(_ispSide.Frames));
        var captured = Assert.Single(Tshark.FrameBytes(file));
        Assert.Equal(original.Length, captured.Length);
        Assert.Equal(original[..26], captured[..26]);
        int body = 14 + 6 + 2 + 4;
        Assert.Equal(14, captured[body]);
        Assert.All(captured[(body + 1)..(body + 15)], b => Assert.Equal(0, b));
        Assert.Equal(9, captured[body + 15]);
        Assert.All(captured[(body + 16)..], b => Assert.Equal(0, b));

        var row = Assert.Single(Tshark.Fields(file, "pap.peer_id.length", "pap.password.length", "pap.code", "frame.comment"));
        Assert.Equal(["14", "9", "1"], row[..3]);
        Assert.Contains("zeroed", row[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Chap_response_value_and_name_are_zeroed_in_the_capture()
    {
        var file = NewFile();
        var hash = Enumerable.Range(0, 16).Select(i => (byte)(0xA0 + i)).ToArray();
        var response = ChapResponse(Concentrator, Client, hash, "user@hinet.net");
        using (var capture = CaptureSession(file))
        {
            _switch.Forward(_session, response);
            capture.Stop();
        }

        Assert.Equal(response, Assert.Single(_ispSide.Frames));
        var captured = Assert.Single(Tshark.FrameBytes(file));
        int body = 14 + 6 + 2 + 4;
        Assert.Equal(response[..(body + 1)], captured[..(body + 1)]);
        Assert.All(captured[(body + 1)..], b => Assert.Equal(0, b));
        var row = Assert.Single(Tshark.Fields(file, "chap.value_size", "chap.code"));
        Assert.Equal(["16", "2"], row);
    }

    [Fact]
    public void Without_redaction_the_capture_holds_the_password_as_sent()
    {
        var file = NewFile();
        var request = PapAuthenticateRequest(Concentrator, Client, "user", "pw");
        using (var capture = CaptureSession(file, new CaptureOptions { RedactCredentials = false }))
        {
            _switch.Forward(_session, request);
            capture.Stop();
        }
        Assert.Equal(request, Assert.Single(Tshark.FrameBytes(file)));
        Assert.Equal("pw", Assert.Single(Tshark.Fields(file, "pap.password"))[0]);
    }

    [Fact]
    public void Frames_longer_than_the_snap_length_are_cut_and_keep_their_original_length()
    {
        var file = NewFile();
        using (var capture = CaptureSession(file, new CaptureOptions { SnapLength = 64 }))
        {
            _switch.Forward(_session, Session(Concentrator, Client, 1514));
            capture.Stop();
        }
        var row = Assert.Single(Tshark.Fields(file, "frame.len", "frame.cap_len"));
        Assert.Equal(["1514", "64"], row);
    }

    [Fact]
    public void Stop_and_dispose_are_safe_to_repeat_and_frames_after_stop_are_ignored()
    {
        var stream = new MemoryStream();
        var capture = PortCapture.Attach(_session, stream, time: _time);
        Assert.Same(capture, _session.Tap);
        capture.Stop();
        capture.Stop();
        capture.Dispose();
        capture.OnFrame(Session(Concentrator, Client, 60), FrameDirection.Inbound);

        Assert.True(capture.Completion.IsCompleted);
        Assert.Equal(0, capture.FramesCaptured);
        Assert.Equal(0, capture.FramesLost);
        Assert.Null(_session.Tap);
        Assert.Throws<ObjectDisposedException>(() => stream.Length);
    }

    [Fact]
    public void A_second_capture_on_a_port_is_refused_while_the_first_records()
    {
        using var first = PortCapture.Attach(_session, new MemoryStream(), time: _time);
        var error = Assert.Throws<InvalidOperationException>(() => PortCapture.Attach(_session, new MemoryStream(), time: _time));
        Assert.Contains("client-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_output_stops_the_capture_and_counts_its_frames_lost()
    {
        var stream = new GatedStream(new MemoryStream());
        using var capture = new PortCapture(stream, "client-1", time: _time);
        stream.FailWrites = true;
        capture.OnFrame(Session(Concentrator, Client, 60), FrameDirection.Inbound);
        await capture.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(CaptureStopReason.OutputFailed, capture.StopReason);
        Assert.IsType<IOException>(capture.Failure);
        Assert.Equal(1, capture.FramesLost);
    }

    [Fact]
    public void Missing_tshark_fails_with_how_to_install_it_instead_of_skipping()
    {
        var error = Assert.Throws<TsharkMissingException>(() => Tshark.Locate(_directory));
        Assert.Contains("apt-get install tshark", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tshark_is_installed_so_the_file_format_tests_really_ran()
    {
        Assert.True(File.Exists(Tshark.Locate(Environment.GetEnvironmentVariable("PATH"))));
    }
}

/// <summary>A stream whose writes can be held back (to fill the capture buffer) or made to fail (a full disk).</summary>
internal sealed class GatedStream(Stream inner) : Stream
{
    private readonly ManualResetEventSlim _open = new(true);
    public bool FailWrites { get; set; }

    public void Hold() => _open.Reset();
    public void Release() => _open.Set();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (FailWrites)
            throw new IOException("No space left on device");
        _open.Wait();
        inner.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Flush() => inner.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _open.Dispose();
        }
        base.Dispose(disposing);
    }
}
