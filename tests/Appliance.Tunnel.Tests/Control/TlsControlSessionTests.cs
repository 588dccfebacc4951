using System.Security.Authentication;
using System.Text;
using Xunit.Abstractions;
using Appliance.Tunnel.Control.Tls;

namespace Appliance.Tunnel.Tests.ControlChannel;

/// <summary>Our TLS server against a .NET TLS client, each over its own reliable channel, across a lossy in-memory link.</summary>
[Collection(PkiCollection.Name)]
public class TlsControlSessionTests(TestPki pki, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private ClientCertificateValidator Validator() => new(pki.Ca, pki.LoadCrl(pki.CrlRevokingMallory));

    private static LossyLink Lossy(int seed) => new(seed, loss: 0.2, duplication: 0.1, reorder: true);

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Timeout);
        return buffer;
    }

    public static TheoryData<string, SslProtocols> Protocols => new()
    {
        { "TLS 1.3", SslProtocols.Tls13 },
        { "TLS 1.2", SslProtocols.Tls12 },
    };

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Handshake_completes_over_a_lossy_link_and_messages_cross_one_per_record(string name, SslProtocols protocol)
    {
        await using var net = new ControlNetwork(pki, Validator(), Lossy(seed: name.Length), protocol);
        var (server, clientError) = await net.HandshakeAsync(pki, pki.Alice);

        Assert.True(server.Succeeded, $"{server.Outcome} {server.Refusal} {server.Detail}");
        Assert.Null(clientError);
        Assert.Equal("alice", net.Server.PeerCommonName);
        Assert.Equal("alice", net.Server.PeerCertificate?.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false));
        Assert.Equal(protocol, net.Server.Protocol);

        // Client → server: the key-method-2 message and a command, read by their own framing.
        byte[] keyMessage = ControlMessageReaderTests.ClientKeyMethod2("V4,dev-type tap,tls-client", "", "", "IV_VER=2.6.14\nIV_PROTO=990\n");
        await net.Client.WriteAsync(keyMessage).AsTask().WaitAsync(Timeout);
        await net.Client.WriteAsync(Encoding.ASCII.GetBytes("PUSH_REQUEST\0")).AsTask().WaitAsync(Timeout);
        var key = await net.Server.ReadKeyMethod2Async().AsTask().WaitAsync(Timeout);
        Assert.Equal(ControlIoStatus.Ok, key.Status);
        Assert.Equal(keyMessage, key.Message.ToArray());
        var command = await net.Server.ReadTextAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal(("PUSH_REQUEST", ControlIoStatus.Ok), (command.Text, command.Status));

        // Server → client: three messages, each one record.
        int before = ControlNetwork.Records(net.ServerToClientBytes()).Count;
        byte[] reply = new byte[200];
        Random.Shared.NextBytes(reply);
        const string push = "PUSH_REPLY,ping 10,ping-restart 60,peer-id 5,cipher AES-256-GCM";
        byte[] big = new byte[TlsControlOptions.ProtocolMaxMessageLength];
        Assert.Equal(ControlIoStatus.Ok, await net.Server.WriteMessageAsync(reply).AsTask().WaitAsync(Timeout));
        Assert.Equal(ControlIoStatus.Ok, await net.Server.WriteTextAsync(push).AsTask().WaitAsync(Timeout));
        Assert.Equal(ControlIoStatus.Ok, await net.Server.WriteMessageAsync(big).AsTask().WaitAsync(Timeout));
        byte[] pushBytes = Encoding.ASCII.GetBytes(push + "\0");
        byte[] expected = [.. reply, .. pushBytes, .. big];
        Assert.Equal(expected, await ReadExactlyAsync(net.Client, expected.Length));

        var records = ControlNetwork.Records(net.ServerToClientBytes());
        output.WriteLine($"{name}: records s→c {string.Join(" ", records.Select(r => $"{r.Type}:{r.Length}"))}; clock jumps {net.ClockJumps}; lost {net.Link.Lost}, duplicated {net.Link.Duplicated}");
        var after = records.Skip(before).ToList();
        Assert.Equal(3, after.Count);
        int overhead = after[0].Length - reply.Length;
        Assert.InRange(overhead, 16, 40);
        Assert.Equal([reply.Length + overhead, pushBytes.Length + overhead, big.Length + overhead], after.Select(r => r.Length));
        Assert.All(after, r => Assert.Equal(23, r.Type));
        Assert.True(net.Link.Lost > 0, "the link should have lost packets");
    }

    public static TheoryData<string, ClientCertificateRefusal> Refusals => new()
    {
        { "foreign CA", ClientCertificateRefusal.UnknownCa },
        { "expired", ClientCertificateRefusal.Expired },
        { "revoked", ClientCertificateRefusal.Revoked },
        { "no certificate", ClientCertificateRefusal.NoCertificate },
        { "server certificate", ClientCertificateRefusal.MissingClientAuthEku },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Bad_client_is_refused_with_the_reason_as_a_value(string which, ClientCertificateRefusal expected)
    {
        var certificate = which switch
        {
            "foreign CA" => pki.Foreign,
            "expired" => pki.Expired,
            "revoked" => pki.Revoked,
            "no certificate" => null,
            "server certificate" => pki.ServerAuthOnly,
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };
        await using var net = new ControlNetwork(pki, Validator(), Lossy(seed: which.Length));
        var (server, _) = await net.HandshakeAsync(pki, certificate);
        Assert.Equal(TlsHandshakeOutcome.CertificateRefused, server.Outcome);
        Assert.Equal(expected, server.Refusal);
        Assert.Null(net.Server.PeerCommonName);
        Assert.Equal(ControlIoStatus.NotAuthenticated, await net.Server.WriteTextAsync("PUSH_REPLY"));
    }

    /// <summary>
    /// Finding, .NET 10.0 on Linux: the client certificate is judged after OpenSSL finished the handshake, so a refused
    /// client gets our Finished (and TLS 1.3 tickets) and no alert; it learns nothing until its hand-window runs out.
    /// (dotnet/runtime PR 115996 moves the check into the handshake, with alerts, in a later release.)
    /// </summary>
    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Refused_client_sees_a_completed_handshake_and_no_alert(string name, SslProtocols protocol)
    {
        await using var net = new ControlNetwork(pki, Validator(), new LossyLink(seed: name.Length), protocol);
        var (server, clientError) = await net.HandshakeAsync(pki, pki.Revoked);
        Assert.Equal(ClientCertificateRefusal.Revoked, server.Refusal);
        Assert.Null(clientError);
        await Task.Delay(100);
        Assert.DoesNotContain(ControlNetwork.Records(net.ServerToClientBytes()), r => r.Type == 21);
    }

    [Fact]
    public async Task Revoked_client_is_refused_on_reconnect_after_the_crl_is_swapped_at_runtime()
    {
        var validator = Validator();
        await using (var first = new ControlNetwork(pki, validator, Lossy(seed: 5)))
        {
            var (server, _) = await first.HandshakeAsync(pki, pki.Carol);
            Assert.True(server.Succeeded, server.Detail);
        }

        validator.RevocationList = pki.LoadCrl(pki.CrlRevokingMalloryAndCarol);

        await using var second = new ControlNetwork(pki, validator, Lossy(seed: 6));
        var (again, _) = await second.HandshakeAsync(pki, pki.Carol);
        Assert.Equal((TlsHandshakeOutcome.CertificateRefused, ClientCertificateRefusal.Revoked), (again.Outcome, again.Refusal));
    }

    [Fact]
    public async Task Key_message_and_command_in_one_record_are_both_read()
    {
        await using var net = new ControlNetwork(pki, Validator(), Lossy(seed: 11));
        var (server, _) = await net.HandshakeAsync(pki, pki.Alice);
        Assert.True(server.Succeeded);
        byte[] keyMessage = ControlMessageReaderTests.ClientKeyMethod2("V4,dev-type tap,tls-client", "", "", "IV_VER=2.6.14\n");
        byte[] both = [.. keyMessage, .. Encoding.ASCII.GetBytes("EXIT\0")];
        await net.Client.WriteAsync(both).AsTask().WaitAsync(Timeout);
        Assert.Equal(keyMessage, (await net.Server.ReadKeyMethod2Async().AsTask().WaitAsync(Timeout)).Message.ToArray());
        Assert.Equal("EXIT", (await net.Server.ReadTextAsync().AsTask().WaitAsync(Timeout)).Text);
    }

    [Fact]
    public async Task Message_over_2048_bytes_is_refused_before_reaching_tls()
    {
        await using var net = new ControlNetwork(pki, Validator(), new LossyLink(seed: 7));
        var (server, _) = await net.HandshakeAsync(pki, pki.Alice);
        Assert.True(server.Succeeded);
        Assert.Equal(ControlIoStatus.TooLong, await net.Server.WriteMessageAsync(new byte[2049]));
    }

    [Fact]
    public async Task Closing_the_transport_ends_a_pending_read_with_closed()
    {
        await using var net = new ControlNetwork(pki, Validator(), new LossyLink(seed: 8));
        var (server, _) = await net.HandshakeAsync(pki, pki.Alice);
        Assert.True(server.Succeeded);
        var read = net.Server.ReadTextAsync().AsTask();
        await Task.Delay(20);
        Assert.False(read.IsCompleted);
        net.Server.Close();
        Assert.Equal(ControlIoStatus.Closed, (await read.WaitAsync(Timeout)).Status);
    }

    [Fact]
    public async Task Transport_closed_mid_handshake_is_a_value_not_an_exception()
    {
        await using var net = new ControlNetwork(pki, Validator(), new LossyLink(seed: 9, loss: 1.0));
        var handshake = net.Server.AuthenticateAsync();
        // Nothing ever arrives (the client never starts): the key state gives up.
        net.Server.Close();
        var result = await handshake.WaitAsync(Timeout);
        Assert.Equal(TlsHandshakeOutcome.TransportClosed, result.Outcome);
    }

    [Fact]
    public async Task Cancelled_handshake_is_reported_as_cancelled()
    {
        await using var net = new ControlNetwork(pki, Validator(), new LossyLink(seed: 10, loss: 1.0));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var result = await net.Server.AuthenticateAsync(cancel.Token).WaitAsync(Timeout);
        Assert.Equal(TlsHandshakeOutcome.Cancelled, result.Outcome);
    }
}
