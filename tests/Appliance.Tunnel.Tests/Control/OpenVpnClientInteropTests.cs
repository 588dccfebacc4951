using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Tunnel.Control;
using Appliance.Tunnel.Control.Tls;
using Xunit.Abstractions;
using static Appliance.Tunnel.Tests.Support.OpenVpnLoopbackProcess;

namespace Appliance.Tunnel.Tests.ControlChannel;

/// <summary>A test that needs the real OpenVPN binary (Debian package openvpn; ./test.sh installs it, ./test.sh --fast leaves these out by their EndToEnd trait).</summary>
public sealed class OpenVpnFactAttribute : FactAttribute
{
    public const string Binary = "/usr/sbin/openvpn";
}

/// <summary>A theory that needs the real OpenVPN binary, like <see cref="OpenVpnFactAttribute"/>.</summary>
public sealed class OpenVpnTheoryAttribute : TheoryAttribute;

/// <summary>The real OpenVPN 2.6 client against our reliable channel and TLS session (no tls-crypt, <c>dev null</c>, loopback UDP).</summary>
[Collection(PkiCollection.Name)]
[Trait("Category", "EndToEnd")]
public sealed class OpenVpnClientInteropTests(TestPki pki, ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ovpn-control-").FullName;

    [OpenVpnFact]
    public async Task Real_client_verifies_us_sends_its_key_message_and_accepts_our_reply_and_push()
    {
        var validator = new ClientCertificateValidator(pki.Ca, pki.LoadCrl(pki.CrlRevokingMallory));
        await using var session = new TlsControlSession(new TlsControlOptions { ServerCertificate = pki.ServerContext }, validator);
        await using var server = new PlainUdpControlServer(session);
        var log = new StringBuilder();
        using var client = StartClient(server.Port, pki.Alice, log);
        try
        {
            var handshake = await session.AuthenticateAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(handshake.Succeeded, $"{handshake.Outcome} {handshake.Refusal} {handshake.Detail}");
            Assert.Equal("alice", session.PeerCommonName);

            var key = await session.ReadKeyMethod2Async().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(ControlIoStatus.Ok, key.Status);
            Assert.Equal(KeyMethod2ParseResult.Ok, KeyMethod2.TryParseClientMessage(key.Message.Span, out var clientKey));
            using (clientKey)
            {
                Assert.Equal("2.6.14", clientKey!.PeerInfo.Version);
                Assert.True(clientKey.PeerInfo.Protocol.HasFlag(IvProtoFlags.CcExitNotify));
            }

            Assert.Equal(ControlIoStatus.Ok, await session.WriteMessageAsync(ServerKeyMethod2()));
            Assert.Equal(ControlIoStatus.Ok, await session.WriteTextAsync("PUSH_REPLY,ping 10,ping-restart 60,peer-id 1,cipher AES-256-GCM"));

            await WaitForAsync(log, "Initialization Sequence Completed", TimeSpan.FromSeconds(30));
            string text = Snapshot(log);
            Assert.Contains("VERIFY OK", text);
            Assert.Contains("Control Channel: TLSv1.3", text);
            Assert.Contains("PUSH: Received control message: 'PUSH_REPLY,ping 10,ping-restart 60,peer-id 1,cipher AES-256-GCM'", text);
            Assert.DoesNotContain("PUSH_REQUEST", text);
            output.WriteLine($"packets in {server.PacketsIn}, out {server.PacketsOut}; counters {server.Channel.Counters}");
        }
        finally
        {
            if (!client.HasExited)
                client.Kill();
            await client.WaitForExitAsync();
            output.WriteLine(Snapshot(log));
        }
    }

    [OpenVpnFact]
    public async Task Real_client_with_a_revoked_certificate_is_refused_as_revoked()
    {
        var validator = new ClientCertificateValidator(pki.Ca, pki.LoadCrl(pki.CrlRevokingMallory));
        await using var session = new TlsControlSession(new TlsControlOptions { ServerCertificate = pki.ServerContext }, validator);
        await using var server = new PlainUdpControlServer(session);
        var log = new StringBuilder();
        using var client = StartClient(server.Port, pki.Revoked, log);
        try
        {
            var handshake = await session.AuthenticateAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal((TlsHandshakeOutcome.CertificateRefused, ClientCertificateRefusal.Revoked), (handshake.Outcome, handshake.Refusal));
            Assert.Equal("mallory", handshake.CommonName);
            // .NET 10 on Linux sends no alert for a refused client certificate: the client believes TLS is up and
            // waits for our key-method-2 reply until its hand-window ends (see TlsControlSessionTests).
        }
        finally
        {
            if (!client.HasExited)
                client.Kill();
            await client.WaitForExitAsync();
            output.WriteLine(Snapshot(log));
        }
    }

    /// <summary>§4.2, written by the key-method-2 codec with fresh randoms.</summary>
    private static byte[] ServerKeyMethod2()
    {
        const string options = "V4,dev-type null,link-mtu 1549,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,key-method 2,tls-server";
        var message = new byte[KeyMethod2.ServerMessageSize(options)];
        Assert.True(KeyMethod2.TryWriteServerMessage(message, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), options, out int written));
        Assert.Equal(message.Length, written);
        return message;
    }

    private Process StartClient(int port, X509Certificate2 certificate, StringBuilder log)
    {
        File.WriteAllText(Path.Combine(_directory, "ca.pem"), pki.Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory, "client.pem"), certificate.ExportCertificatePem());
        using (var key = certificate.GetECDsaPrivateKey()!)
            File.WriteAllText(Path.Combine(_directory, "client.key"), key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(_directory, "client.ovpn"), $"""
            client
            dev null
            proto udp4
            remote 127.0.0.1 {port}
            nobind
            ca ca.pem
            cert client.pem
            key client.key
            remote-cert-tls server
            tls-exit
            hand-window 30
            connect-retry-max 1
            verb 4
            """);
        return Start(_directory, log);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
