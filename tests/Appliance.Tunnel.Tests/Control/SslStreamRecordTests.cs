using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Appliance.Tunnel.Tests.ControlChannel;

/// <summary>Facts about .NET's SslStream on Linux that the control channel's design rests on.</summary>
[Collection(PkiCollection.Name)]
public class SslStreamRecordTests(TestPki pki)
{
    /// <summary>
    /// Two records waiting in the socket come out of ONE ReadAsync (both TLS 1.2 and 1.3, .NET 10.0 on Linux/OpenSSL):
    /// read boundaries are not message boundaries, so the reader must frame messages by their content.
    /// </summary>
    [Theory]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12)]
    public async Task One_read_returns_the_plaintext_of_two_buffered_records(SslProtocols protocol)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var clientSocket = new TcpClient();
        await clientSocket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var serverSocket = await listener.AcceptTcpClientAsync();
        await using var server = new SslStream(serverSocket.GetStream());
        await using var client = new SslStream(clientSocket.GetStream());
        var serverHandshake = server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = pki.ServerContext,
            EnabledSslProtocols = protocol,
        });
        var clientHandshake = client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "vpn.appliance.test",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
        });
        await Task.WhenAll(serverHandshake, clientHandshake).WaitAsync(TimeSpan.FromSeconds(30));

        await server.WriteAsync(Encoding.ASCII.GetBytes("FIRST\0"));
        await server.WriteAsync(Encoding.ASCII.GetBytes("SECOND\0"));
        await Task.Delay(300);
        var buffer = new byte[4096];
        int n = await client.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("FIRST\0SECOND\0", Encoding.ASCII.GetString(buffer, 0, n));
    }
}
