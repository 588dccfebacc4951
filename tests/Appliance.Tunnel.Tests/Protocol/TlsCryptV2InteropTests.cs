using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Tests.ControlChannel;
using Appliance.Tunnel.Tests.Support;
using Xunit.Abstractions;
using static Appliance.Tunnel.Tests.Support.OpenVpnLoopbackProcess;

namespace Appliance.Tunnel.Tests.Protocol;

/// <summary>Our tls-crypt-v2 keys and unwrapping against the real OpenVPN 2.6 binary: its key generator, its server and its client (loopback only).</summary>
[Collection(PkiCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class TlsCryptV2InteropTests(TestPki pki, ITestOutputHelper output) : IDisposable
{
    private static readonly DateTimeOffset NotAfter = DateTimeOffset.FromUnixTimeSeconds(1_893_456_000);
    private readonly string _directory = Directory.CreateTempSubdirectory("ovpn-tcv2-").FullName;

    [OpenVpnFact]
    public async Task Client_key_made_by_openvpn_genkey_unwraps_with_its_server_key_to_its_kc_and_user_metadata()
    {
        string directory = NewDirectory();
        await GenKeyAsync(directory, "--genkey", "tls-crypt-v2-server", "s.key");
        await GenKeyAsync(directory, "--tls-crypt-v2", "s.key", "--genkey", "tls-crypt-v2-client", "c.key", Convert.ToBase64String("serial=4A0B"u8));

        Assert.Equal(TlsCryptV2KeyParseResult.Ok, TlsCryptV2ServerKey.TryParse(File.ReadAllText(Path.Combine(directory, "s.key")), out var serverKey));
        Assert.Equal(TlsCryptV2KeyParseResult.Ok, TlsCryptV2ClientKey.TryParse(File.ReadAllText(Path.Combine(directory, "c.key")), out var clientKey));
        using (serverKey)
        using (clientKey)
        using (var cipher = new TlsCryptV2WrappedKeyCipher(serverKey!))
        {
            byte[] clear = new byte[TlsCryptV2WrappedKey.MaxLength];
            Assert.Equal(TlsCryptV2UnwrapResult.Ok, cipher.Unwrap(clientKey!.WrappedKey, clear, out int metadataLength));
            Assert.Equal(clientKey.ClientKey.ToArray(), clear[..256]);
            Assert.Equal([0x00, .. "serial=4A0B"u8], clear.AsSpan(256, metadataLength).ToArray());
            // Ours rewritten by us is byte for byte what openvpn wrote.
            Assert.Equal(File.ReadAllText(Path.Combine(directory, "s.key")), serverKey!.ToPemText());
            Assert.Equal(File.ReadAllText(Path.Combine(directory, "c.key")).TrimEnd('\n'), clientKey.ToPemText().TrimEnd('\n'));
        }
    }

    [OpenVpnFact]
    public async Task Client_key_made_by_openvpn_without_metadata_carries_its_timestamp_type_which_our_parser_refuses()
    {
        string directory = NewDirectory();
        await GenKeyAsync(directory, "--genkey", "tls-crypt-v2-server", "s.key");
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await GenKeyAsync(directory, "--tls-crypt-v2", "s.key", "--genkey", "tls-crypt-v2-client", "c.key");

        TlsCryptV2ServerKey.TryParse(File.ReadAllText(Path.Combine(directory, "s.key")), out var serverKey);
        TlsCryptV2ClientKey.TryParse(File.ReadAllText(Path.Combine(directory, "c.key")), out var clientKey);
        using (serverKey)
        using (clientKey)
        using (var cipher = new TlsCryptV2WrappedKeyCipher(serverKey!))
        {
            byte[] clear = new byte[TlsCryptV2WrappedKey.MaxLength];
            Assert.Equal(TlsCryptV2UnwrapResult.Ok, cipher.Unwrap(clientKey!.WrappedKey, clear, out int metadataLength));
            Assert.Equal(9, metadataLength);
            Assert.Equal(0x01, clear[256]);
            long stamp = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(clear.AsSpan(257));
            Assert.InRange(stamp, before - 2, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2);
            Assert.Equal(TlsCryptV2MetadataParseResult.NotUserType, TlsCryptV2Metadata.TryParse(clear.AsSpan(256, metadataLength), out _));
        }
    }

    [OpenVpnFact]
    public async Task Keys_we_make_connect_a_real_openvpn_server_and_client()
    {
        using var serverKey = TlsCryptV2ServerKey.Generate();
        using var clientKey = TlsCryptV2ClientKey.Create(serverKey, TlsCryptV2Metadata.Encode(pki.Alice.SerialNumberBytes.Span, "alice", NotAfter));
        int port = FreeUdpPort();
        using var server = StartReferenceServer(port, serverKey, out var serverLog);
        using var client = StartClient(port, clientKey, out var clientLog);
        try
        {
            await WaitForAsync(clientLog, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            await WaitForAsync(serverLog, "Initialization Sequence Completed", TimeSpan.FromSeconds(10));
            Assert.Contains("Control Channel: using tls-crypt-v2 key", Snapshot(serverLog), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(client, clientLog, "client");
            await StopAsync(server, serverLog, "server");
        }
    }

    [OpenVpnFact]
    public async Task Real_server_refuses_a_key_we_wrapped_for_another_server_key()
    {
        using var serverKey = TlsCryptV2ServerKey.Generate();
        using var otherKey = TlsCryptV2ServerKey.Generate();
        using var clientKey = TlsCryptV2ClientKey.Create(otherKey, TlsCryptV2Metadata.Encode(pki.Alice.SerialNumberBytes.Span, "alice", NotAfter));
        int port = FreeUdpPort();
        using var server = StartReferenceServer(port, serverKey, out var serverLog);
        using var client = StartClient(port, clientKey, out var clientLog);
        try
        {
            await WaitForAsync(serverLog, "Can not unwrap tls-crypt-v2 client key", TimeSpan.FromSeconds(20));
            Assert.DoesNotContain("Initialization Sequence Completed", Snapshot(clientLog), StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(client, clientLog, "client");
            await StopAsync(server, serverLog, "server");
        }
    }

    [OpenVpnFact]
    public async Task Real_clients_opening_unwraps_with_our_code_and_it_resends_its_wkc_when_our_reset_asks()
    {
        using var serverKey = TlsCryptV2ServerKey.Generate();
        byte[] metadata = TlsCryptV2Metadata.Encode(pki.Alice.SerialNumberBytes.Span, "alice", NotAfter);
        using var clientKey = TlsCryptV2ClientKey.Create(serverKey, metadata);
        using var unwrapper = new TlsCryptV2ServerUnwrapper(serverKey);
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
        using var client = StartClient(port, clientKey, out var clientLog);
        try
        {
            var first = await socket.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(15));
            output.WriteLine($"opening ({first.Buffer.Length} B): {Convert.ToHexString(first.Buffer)}");
            byte[] work = new byte[first.Buffer.Length];
            Assert.Equal(TlsCryptV2UnwrapResult.Ok, unwrapper.Unwrap(first.Buffer, work, out var opening));
            Assert.Equal(clientKey.ClientKey.ToArray(), opening.ClientKey.ToArray());
            Assert.Equal(metadata, opening.Metadata.ToArray());
            output.WriteLine($"replay id: counter 0x{opening.ReplayId.Counter:X8} time {opening.ReplayId.Time}");
            // The 2.6 client sets its counter to 0x0F000000 and increments before sending.
            Assert.Equal(0x0F000001u, opening.ReplayId.Counter);
            Assert.True(opening.AnnouncesEarlyNegotiation);
            Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(opening.Plain, out var reset));
            Assert.Equal(Opcode.ControlHardResetClientV3, reset.Opcode);
            Assert.Equal(0, reset.KeyId);
            Assert.Equal(0u, reset.MessageId);
            Assert.Equal(0, reset.AckCount);
            Assert.True(reset.Payload.IsEmpty);
            ulong clientSession = reset.SessionId;
            Assert.Equal(TlsCryptV2Verdict.Accepted, opening.Admit((in TlsCryptV2Metadata m) =>
                m.CommonName == "alice" && m.SerialNumber == Convert.ToHexString(pki.Alice.SerialNumberBytes.Span) && m.NotAfter == NotAfter
                    ? TlsCryptV2Verdict.Accepted : TlsCryptV2Verdict.UnknownClient, out _, out _));
            using var wrapper = opening.CreateServerWrapper();

            // Our reset: ACK of message 0, message 0, payload = the resend-WKc flags TLV.
            const ulong serverSession = 0x5EED5EED5EED5EED;
            byte[] tlv = new byte[TlsCryptV2EarlyNegotiation.ResendWrappedKeyTlvSize];
            TlsCryptV2EarlyNegotiation.WriteResendWrappedKeyTlv(tlv);
            byte[] plain = new byte[64];
            Assert.True(ControlPacket.TryWrite(plain, Opcode.ControlHardResetServerV2, 0, serverSession, [0u], clientSession, 0, tlv, out int plainLength));
            byte[] replyWire = new byte[plainLength + wrapper.Overhead];
            Assert.True(wrapper.TryWrap(plain.AsSpan(0, plainLength), new WrapReplayId(1, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds()), replyWire, out _));
            await socket.SendAsync(replyWire, first.RemoteEndPoint);

            var next = await ReceiveOtherThanAsync(socket, first.Buffer, TimeSpan.FromSeconds(15));
            output.WriteLine($"next ({next.Length} B): {Convert.ToHexString(next)}");
            Assert.Equal(Opcode.ControlWkcV1, OpcodeByte.OpcodeOf(next[0]));
            byte[] nextWork = new byte[next.Length];
            Assert.Equal(TlsCryptV2UnwrapResult.Ok, unwrapper.Unwrap(next, nextWork, out var resent));
            Assert.Equal(clientKey.ClientKey.ToArray(), resent.ClientKey.ToArray());
            Assert.Equal(0x0F000002u, resent.ReplayId.Counter);
            Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(resent.Plain, out var wkcPacket));
            Assert.Equal(clientSession, wkcPacket.SessionId);
            Assert.Equal(1, wkcPacket.AckCount);
            Assert.Equal(0u, wkcPacket.AckId(0));
            Assert.Equal(serverSession, wkcPacket.PeerSessionId);
            // Not an empty WKC_V1: the 2.6 client puts its ClientHello (message 1, a TLS handshake record) in it.
            Assert.Equal(1u, wkcPacket.MessageId);
            Assert.Equal(0x16, wkcPacket.Payload[0]);
        }
        finally
        {
            await StopAsync(client, clientLog, "client");
        }
    }

    [OpenVpnFact]
    public async Task Real_client_not_asked_to_resend_goes_on_with_plain_tls_crypt_under_its_kc()
    {
        using var serverKey = TlsCryptV2ServerKey.Generate();
        using var clientKey = TlsCryptV2ClientKey.Create(serverKey, TlsCryptV2Metadata.Encode(pki.Alice.SerialNumberBytes.Span, "alice", NotAfter));
        using var unwrapper = new TlsCryptV2ServerUnwrapper(serverKey);
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = StartClient(((IPEndPoint)socket.Client.LocalEndPoint!).Port, clientKey, out var clientLog);
        try
        {
            var first = await socket.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(15));
            byte[] work = new byte[first.Buffer.Length];
            Assert.Equal(TlsCryptV2UnwrapResult.Ok, unwrapper.Unwrap(first.Buffer, work, out var opening));
            Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(opening.Plain, out var reset));
            using var wrapper = opening.CreateServerWrapper();
            const ulong serverSession = 0x5EED5EED5EED5EED;
            byte[] plain = new byte[64];
            Assert.True(ControlPacket.TryWrite(plain, Opcode.ControlHardResetServerV2, 0, serverSession, [0u], reset.SessionId, 0, [], out int plainLength));
            byte[] replyWire = new byte[plainLength + wrapper.Overhead];
            Assert.True(wrapper.TryWrap(plain.AsSpan(0, plainLength), new WrapReplayId(1, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds()), replyWire, out _));
            await socket.SendAsync(replyWire, first.RemoteEndPoint);

            var next = await ReceiveOtherThanAsync(socket, first.Buffer, TimeSpan.FromSeconds(15));
            Assert.Equal(Opcode.ControlV1, OpcodeByte.OpcodeOf(next[0]));
            byte[] nextPlain = new byte[next.Length];
            Assert.Equal(UnwrapResult.Ok, wrapper.Unwrap(next, nextPlain, out int nextLength, out var replayId));
            Assert.Equal(0x0F000002u, replayId.Counter);
            Assert.Equal(ControlParseResult.Ok, ControlPacket.TryParse(nextPlain.AsSpan(0, nextLength), out var hello));
            Assert.Equal(1u, hello.MessageId);
            Assert.Equal(0x16, hello.Payload[0]);
        }
        finally
        {
            await StopAsync(client, clientLog, "client");
        }
    }

    private static async Task<byte[]> ReceiveOtherThanAsync(UdpClient socket, byte[] opening, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var received = await socket.ReceiveAsync().WaitAsync(deadline - DateTime.UtcNow);
            // A retransmitted opening (same message, fresh replay id) is skipped.
            if (OpcodeByte.OpcodeOf(received.Buffer[0]) != OpcodeByte.OpcodeOf(opening[0]))
                return received.Buffer;
        }
    }

    private Process StartReferenceServer(int port, TlsCryptV2ServerKey serverKey, out StringBuilder log)
    {
        string directory = NewDirectory();
        WritePki(directory, pki.Server);
        File.WriteAllText(Path.Combine(directory, "v2-server.key"), serverKey.ToPemText());
        File.WriteAllText(Path.Combine(directory, "server.conf"), $"""
            tls-server
            dev null
            proto udp4
            local 127.0.0.1
            lport {port}
            ca ca.pem
            cert cert.pem
            key key.pem
            dh none
            tls-crypt-v2 v2-server.key
            hand-window 30
            verb 4
            """);
        log = new StringBuilder();
        return OpenVpnLoopbackProcess.Start(directory, "server.conf", log);
    }

    private Process StartClient(int port, TlsCryptV2ClientKey clientKey, out StringBuilder log)
    {
        string directory = NewDirectory();
        WritePki(directory, pki.Alice);
        File.WriteAllText(Path.Combine(directory, "v2-client.key"), clientKey.ToPemText());
        File.WriteAllText(Path.Combine(directory, "client.ovpn"), $"""
            tls-client
            dev null
            proto udp4
            remote 127.0.0.1 {port}
            nobind
            ca ca.pem
            cert cert.pem
            key key.pem
            tls-crypt-v2 v2-client.key
            remote-cert-tls server
            hand-window 30
            connect-retry-max 1
            verb 4
            """);
        log = new StringBuilder();
        return OpenVpnLoopbackProcess.Start(directory, log);
    }

    private void WritePki(string directory, X509Certificate2 certificate)
    {
        File.WriteAllText(Path.Combine(directory, "ca.pem"), pki.Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        using var key = certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
    }

    private static async Task GenKeyAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(OpenVpnFactAttribute.Binary)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string text = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(process.ExitCode == 0, $"openvpn {string.Join(' ', arguments)} exited {process.ExitCode}: {text}");
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }

    private string NewDirectory() => Directory.CreateDirectory(Path.Combine(_directory, Guid.NewGuid().ToString("n"))).FullName;

    private async Task StopAsync(Process process, StringBuilder log, string who)
    {
        if (!process.HasExited)
            process.Kill();
        await process.WaitForExitAsync();
        output.WriteLine($"--- {who} ---");
        output.WriteLine(Snapshot(log));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
