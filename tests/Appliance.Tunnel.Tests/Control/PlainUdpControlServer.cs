using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Appliance.Tunnel.Control.Reliability;
using Appliance.Tunnel.Control.Tls;

namespace Appliance.Tunnel.Tests.ControlChannel;

/// <summary>
/// Just enough of a server to put our reliable channel and TLS session in front of a real OpenVPN client: UDP on
/// loopback, control packets without tls-auth/tls-crypt (<c>op | sid | ACK block | message id | payload</c>, §1.4),
/// key-id 0 only, one client. A test stand-in for the real codec and transport, which live elsewhere.
/// </summary>
public sealed class PlainUdpControlServer : IAsyncDisposable
{
    private const byte HardResetClientV2 = 7, HardResetServerV2 = 8, ControlV1 = 4, AckV1 = 5;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly byte[] _sessionId = RandomNumberGenerator.GetBytes(8);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private byte[]? _clientSessionId;
    private EndPoint? _client;

    public PlainUdpControlServer(TlsControlSession session)
    {
        Session = session;
        Channel = new ReliableChannel(0);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;
    public ReliableChannel Channel { get; }
    public TlsControlSession Session { get; }
    public int PacketsIn { get; private set; }
    public int PacketsOut { get; private set; }

    private async Task RunAsync(CancellationToken stop)
    {
        var buffer = new byte[2048];
        while (!stop.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                wait.CancelAfter(TimeSpan.FromMilliseconds(10));
                try
                {
                    var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), wait.Token);
                    Handle(buffer.AsSpan(0, received.ReceivedBytes), received.RemoteEndPoint);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            Session.Transport.Exchange(Channel);
            await FlushAsync(stop);
        }
    }

    private void Handle(ReadOnlySpan<byte> packet, EndPoint from)
    {
        if (packet.Length < 10)
            return;
        PacketsIn++;
        byte op = (byte)(packet[0] >> 3);
        if ((packet[0] & 7) != 0)
            return;
        var sid = packet.Slice(1, 8);
        int ackCount = packet[9];
        int offset = 10;
        var acks = new uint[ackCount];
        for (int i = 0; i < ackCount; i++, offset += 4)
            acks[i] = BinaryPrimitives.ReadUInt32BigEndian(packet[offset..]);
        if (ackCount > 0)
            offset += 8;
        if (op == HardResetClientV2 && _clientSessionId is null)
        {
            _clientSessionId = sid.ToArray();
            _client = from;
            Channel.ReceiveControl(BinaryPrimitives.ReadUInt32BigEndian(packet[offset..]), [], acks);
            Channel.Enqueue(ReliableMessageKind.Reset, ReadOnlyMemory<byte>.Empty);
            return;
        }
        if (_clientSessionId is null || !sid.SequenceEqual(_clientSessionId))
            return;
        if (op == AckV1)
            Channel.ReceiveAck(acks);
        else
            Channel.ReceiveControl(BinaryPrimitives.ReadUInt32BigEndian(packet[offset..]), packet[(offset + 4)..], acks);
    }

    private async Task FlushAsync(CancellationToken stop)
    {
        if (_client is null)
            return;
        var acks = new uint[8];
        while (Channel.TryTakePacket(acks, out var packet))
        {
            byte op = packet.Message.Kind == ReliableMessageKind.Reset ? HardResetServerV2 : ControlV1;
            await SendAsync(Encode(op, acks.AsSpan(0, packet.AckCount), packet.Message.MessageId, packet.Message.Payload.Span), stop);
        }
        int count;
        while ((count = Channel.TakePureAck(acks)) > 0)
            await SendAsync(Encode(AckV1, acks.AsSpan(0, count), null, []), stop);
    }

    private byte[] Encode(byte op, ReadOnlySpan<uint> acks, uint? messageId, ReadOnlySpan<byte> payload)
    {
        var bytes = new List<byte>(64 + payload.Length) { (byte)(op << 3) };
        bytes.AddRange(_sessionId);
        bytes.Add((byte)acks.Length);
        Span<byte> word = stackalloc byte[4];
        foreach (uint id in acks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(word, id);
            bytes.AddRange(word);
        }
        if (acks.Length > 0)
            bytes.AddRange(_clientSessionId!);
        if (messageId is { } id2)
        {
            BinaryPrimitives.WriteUInt32BigEndian(word, id2);
            bytes.AddRange(word);
        }
        bytes.AddRange(payload);
        return [.. bytes];
    }

    private async Task SendAsync(byte[] datagram, CancellationToken stop)
    {
        PacketsOut++;
        await _socket.SendToAsync(datagram, SocketFlags.None, _client!, stop);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
        }
        _socket.Dispose();
        _stop.Dispose();
    }
}
