using System.Net;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Sessions;
using Appliance.Tunnel.Switching;
using Appliance.Tunnel.Tests.ControlChannel;
using Appliance.Tunnel.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.Sessions;

/// <summary>
/// A restart or upgrade that the clients do not notice: the old server exports its live sessions, a new server (a
/// new switch, as in a new process) imports them, and the client goes on sending and receiving on the same keys with
/// no new handshake. And what the importer refuses: another appliance's state, a truncated or altered one.
/// </summary>
[Collection(PkiCollection.Name)]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "disposed in the test")]
public sealed class CarryOverTests(TestPki pki)
{
    private static readonly IPEndPoint AliceHome = new(IPAddress.Parse("127.0.0.1"), 44001);
    private const string Identity = "AA:BB:CC";
    private readonly FakeTimeProvider _time = new(pki.Now);

    private TunnelServer NewServer(StaticKey key, EthernetSwitch sw) => new(new TunnelServerOptions
    {
        Listen = [new ListenEndpoint(TunnelProtocol.Udp, new IPEndPoint(IPAddress.Loopback, 0))],
        Tls = new TlsControlOptions { ServerCertificate = pki.ServerContext },
        ClientValidator = new ClientCertificateValidator(pki.Ca, time: _time),
        ControlWrapping = new ControlWrapping(ControlWrapMode.TlsCrypt, key),
        Ping = TimeSpan.FromHours(1),
        PingRestart = TimeSpan.FromHours(2),
    }, sw, _time);

    [Fact]
    public async Task A_session_carried_to_a_new_server_goes_on_with_the_same_keys_and_no_new_handshake()
    {
        using var key = StaticKey.Generate();
        using var oldSwitch = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var oldLan = new RecordingSink();
        var oldLanPort = oldSwitch.AddPort("lan", PortKind.Uplink, oldLan);
        var oldServer = NewServer(key, oldSwitch);
        var oldNetwork = new PeerNetwork(oldServer);
        await using var alice = new TestPeer(oldNetwork, pki, key, pki.Alice, AliceHome, _time);
        await alice.ConnectAsync();
        alice.SendFrame(Frame(60, 0x0A, 0x0B));
        await WaitUntilAsync(() => oldLan.Frames.Count == 1, "no frame before the restart");
        oldSwitch.Forward(oldLanPort, Frame(60, 0x0B, 0x0A));
        await WaitUntilAsync(() => alice.Frames.Count == 1, "no frame toward the client before the restart");
        var before = Assert.Single(oldServer.Sessions);

        var blob = TunnelStateCodec.Encode(oldServer.ExportState(Identity));
        await oldNetwork.DisposeAsync();
        await oldServer.DisposeAsync();

        using var newSwitch = new EthernetSwitch(new SwitchOptions { Policy = SwitchPolicy.AllLayer2 });
        var newLan = new RecordingSink();
        var newLanPort = newSwitch.AddPort("lan", PortKind.Uplink, newLan);
        await using var newServer = NewServer(key, newSwitch);
        await using var newNetwork = new PeerNetwork(newServer);
        Assert.True(TunnelStateCodec.TryDecode(blob, Identity, out var state, out var refusal), refusal);
        Assert.Equal(1, newServer.ImportState(state!, newNetwork.Socket));
        alice.Rebind(newNetwork);

        // Toward the client first: the MAC it owned is known, so the frame goes to it, not flooded nowhere.
        newSwitch.Forward(newLanPort, Frame(32, 0x0B, 0x0A));
        await WaitUntilAsync(() => alice.Frames.Count == 2, "the client got nothing from the new server");
        alice.SendFrame(Frame(14, 0x0A, 0x0B));
        alice.SendFrame(Frame(1514, 0x0A, 0x0B));
        await WaitUntilAsync(() => newLan.Frames.Count == 2, "the new server dropped the client's frames");

        var after = Assert.Single(newServer.Sessions);
        Assert.Equal((before.Id, before.PeerId, before.CommonName, before.Cipher), (after.Id, after.PeerId, after.CommonName, after.Cipher));
        Assert.True(after.IsEstablished);
        Assert.Equal(0, newServer.ResetsAnswered);
        Assert.Equal(0, after.Port!.Counters.Snapshot().In.DroppedFrames);
        Assert.Equal([14, 1514], newLan.Frames.Select(f => f.Length));
    }

    [Fact]
    public void A_state_from_another_appliance_or_a_damaged_one_is_refused_with_the_reason()
    {
        var state = new TunnelState(TunnelState.CurrentFormat, Identity, pki.Now, []);
        var blob = TunnelStateCodec.Encode(state);

        Assert.True(TunnelStateCodec.TryDecode(blob, Identity, out _, out _));
        Assert.False(TunnelStateCodec.TryDecode(blob, "11:22:33", out var other, out string? why));
        Assert.Null(other);
        Assert.Contains("another appliance", why, StringComparison.Ordinal);
        Assert.False(TunnelStateCodec.TryDecode(blob.AsSpan(0, blob.Length - 3), Identity, out _, out why));
        Assert.Contains("corrupted or truncated", why, StringComparison.Ordinal);
        var altered = (byte[])blob.Clone();
        altered[^2] ^= 0x01;
        Assert.False(TunnelStateCodec.TryDecode(altered, Identity, out _, out why));
        Assert.Contains("digest does not match", why, StringComparison.Ordinal);
        Assert.False(TunnelStateCodec.TryDecode("garbage"u8, Identity, out _, out why));
        Assert.Contains("not ours", why, StringComparison.Ordinal);
        var future = TunnelStateCodec.Encode(state with { Format = TunnelState.CurrentFormat + 1 });
        Assert.False(TunnelStateCodec.TryDecode(future, Identity, out _, out why));
        Assert.Contains("this build reads format", why, StringComparison.Ordinal);
    }

    [Fact]
    public void The_state_never_shows_its_key_material_as_text()
    {
        var keyState = new Appliance.Tunnel.DataChannel.DataKeyState(Appliance.Tunnel.DataChannel.DataCipher.Aes256Gcm, 0, 5,
            [1, 2, 3], [4], [5], [6], 10, 9, 1);

        Assert.DoesNotContain("1, 2, 3", keyState.ToString(), StringComparison.Ordinal);
        Assert.Contains("not shown", keyState.ToString(), StringComparison.Ordinal);
    }

    private static byte[] Frame(int size, byte source, byte destination) => FrameBuilder.Numbered(size, source, destination, 0x8863);

    private static Task WaitUntilAsync(Func<bool> condition, string failure) =>
        Eventually.TrueAsync(condition, TimeSpan.FromSeconds(20), failure);
}
