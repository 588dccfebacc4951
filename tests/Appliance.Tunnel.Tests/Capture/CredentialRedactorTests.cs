using Appliance.Tunnel.Capture;
using Appliance.Tunnel.Frames;
using static Appliance.Tunnel.Tests.Capture.CaptureFrames;

namespace Appliance.Tunnel.Tests.Capture;

public sealed class CredentialRedactorTests
{
    private const int Body = 14 + 6 + 2 + 4;

    private static byte[] Redacted(byte[] frame, out bool redacted)
    {
        var copy = frame.ToArray();
        redacted = CredentialRedactor.Redact(copy, FrameClassifier.Classify(frame));
        return copy;
    }

    [Fact]
    public void Pap_request_keeps_headers_and_both_lengths_and_zeroes_peer_id_and_password()
    {
        var frame = PapAuthenticateRequest(Concentrator, Client, "bob", "hunter2");
        var copy = Redacted(frame, out bool redacted);

        Assert.True(redacted);
        Assert.Equal(frame[..Body], copy[..Body]);
        Assert.Equal<byte>([3, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0], copy[Body..]);
    }

    [Fact]
    public void Pap_request_behind_a_vlan_tag_is_redacted_at_the_shifted_offset()
    {
        var body = new byte[] { 3, (byte)'b', (byte)'o', (byte)'b', 2, (byte)'p', (byte)'w' };
        var frame = CaptureFrames.Control(Concentrator, Client, PppProtocols.PapValue, 1, 1, body, vlan: 7);
        var copy = Redacted(frame, out bool redacted);

        Assert.True(redacted);
        Assert.Equal<byte>([3, 0, 0, 0, 2, 0, 0], copy[(Body + 4)..]);
    }

    [Fact]
    public void Pap_request_whose_peer_id_length_overruns_the_packet_is_zeroed_whole_after_that_length()
    {
        var frame = CaptureFrames.Control(Concentrator, Client, PppProtocols.PapValue, 1, 1, [200, (byte)'s', (byte)'e', (byte)'c']);
        var copy = Redacted(frame, out _);
        Assert.Equal<byte>([200, 0, 0, 0], copy[Body..]);
    }

    [Fact]
    public void Chap_challenge_value_and_name_are_zeroed()
    {
        var frame = CaptureFrames.Control(Concentrator, Client, PppProtocols.ChapValue, 1, 1, [2, 0xAA, 0xBB, (byte)'a', (byte)'c']);
        var copy = Redacted(frame, out bool redacted);
        Assert.True(redacted);
        Assert.Equal<byte>([2, 0, 0, 0, 0], copy[Body..]);
    }

    [Fact]
    public void Pap_nak_message_is_kept_because_it_says_why_a_login_failed()
    {
        var message = "Login incorrect"u8.ToArray();
        var frame = CaptureFrames.Control(Client, Concentrator, PppProtocols.PapValue, 3, 1, [(byte)message.Length, .. message]);
        var copy = Redacted(frame, out bool redacted);
        Assert.False(redacted);
        Assert.Equal(frame, copy);
    }

    [Fact]
    public void Unknown_pap_code_has_its_whole_body_zeroed()
    {
        var frame = CaptureFrames.Control(Concentrator, Client, PppProtocols.PapValue, 9, 1, [1, 2, 3, 4]);
        var copy = Redacted(frame, out bool redacted);
        Assert.True(redacted);
        Assert.Equal<byte>([0, 0, 0, 0], copy[Body..]);
    }

    [Fact]
    public void Ethernet_padding_after_a_pap_request_is_zeroed_too()
    {
        var packet = PapAuthenticateRequest(Concentrator, Client, "a", "b");
        var frame = new byte[60];
        packet.CopyTo(frame, 0);
        frame.AsSpan(packet.Length).Fill(0x5A);
        var copy = Redacted(frame, out _);
        Assert.All(copy[packet.Length..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_copy_cut_by_the_snap_length_is_redacted_up_to_its_end()
    {
        var frame = PapAuthenticateRequest(Concentrator, Client, "someone", "password");
        var cut = frame[..(Body + 4)];
        Assert.True(CredentialRedactor.Redact(cut, FrameClassifier.Classify(frame)));
        Assert.Equal<byte>([7, 0, 0, 0], cut[Body..]);
    }

    [Fact]
    public void Frames_that_carry_no_credentials_are_left_alone()
    {
        foreach (var frame in new[]
        {
            IpcpConfigureAck(Concentrator, Client),
            LcpEchoPadded(Concentrator, Client),
            Session(Concentrator, Client, 1514),
            Session(Concentrator, Client, 14),
            Session(Concentrator, Client, 22, PppProtocols.PapValue),
        })
        {
            var copy = Redacted(frame, out bool redacted);
            Assert.False(redacted);
            Assert.Equal(frame, copy);
        }
    }
}
