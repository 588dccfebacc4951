using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>Key holders (they have the profile's tls-crypt key) who complete the stateless cookie, a first reset and then an
/// ACK of the server's answer carrying the cookie, and never start TLS: each makes the server hold a handshake in progress.
/// Paced at 100 attempts a second (the default new-session bucket) from <c>sources</c> loopback addresses 127.0.1.x.
/// The sockets stay open (and the attempts alive) until this object is disposed.</summary>
internal sealed class HalfOpenAttempts : IDisposable
{
    private readonly List<Socket> _sockets = [];

    public int Answered { get; private set; }
    public int Acknowledged { get; private set; }
    public TimeSpan Took { get; private set; }

    public async Task RunAsync(IPEndPoint server, StaticKey key, int attempts, int sources = 32, double perSecond = 100)
    {
        using var forger = new ClientPacketForger(key);
        var answer = new byte[2048];
        var plain = new byte[2048];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < attempts; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            if (clock.Elapsed < due)
                await Task.Delay(due - clock.Elapsed);
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 2_000 };
            _sockets.Add(socket);
            socket.Bind(new IPEndPoint(new IPAddress([127, 0, 1, (byte)(1 + i % sources)]), 0));
            socket.Connect(server);
            ulong clientId = ClientPacketForger.NewSessionId();
            socket.Send(forger.FirstReset(clientId));
            if (!TryReadCookie(socket, key, answer, plain, out ulong cookie))
                continue;
            Answered++;
            // The cookie is the server's session id: acknowledge its reset (message id 0) and stop there.
            socket.Send(forger.Control(Opcode.AckV1, 0, clientId, [0u], cookie, 0, []));
            Acknowledged++;
        }
        Took = clock.Elapsed;
    }

    /// <summary>Reads the server's answer and takes its session id (the cookie) when it is a server reset under the key.</summary>
    private static bool TryReadCookie(Socket socket, StaticKey key, byte[] answer, byte[] plain, out ulong cookie)
    {
        cookie = 0;
        int length;
        try
        {
            length = socket.Receive(answer);
        }
        catch (SocketException)
        {
            return false;
        }
        using var reader = new TlsCryptWrapper(key, KeyDirection.Inverse);
        if (reader.Unwrap(answer.AsSpan(0, length), plain, out int plainLength, out _) != UnwrapResult.Ok
            || ControlPacket.TryParse(plain.AsSpan(0, plainLength), out var reset) != ControlParseResult.Ok
            || reset.Opcode != Opcode.ControlHardResetServerV2)
            return false;
        cookie = reset.SessionId;
        return true;
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
            socket.Dispose();
    }
}
