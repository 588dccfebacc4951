using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Appliance.Tunnel.Control;
using Appliance.Tunnel.Control.Reliability;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.DataChannel;
using Appliance.Tunnel.Tests.ControlChannel;
using Appliance.Tunnel.Transport;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>
/// Several <see cref="TestPeer"/>s and the server on one <see cref="InMemoryDatagramSocket"/>: what the server sends is
/// handed to the peer at the destination address. The whole UDP session layer in one process, no sockets.
/// </summary>
internal sealed class PeerNetwork : IAsyncDisposable
{
    private readonly ConcurrentDictionary<IPEndPoint, TestPeer> _peers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    public PeerNetwork(IPacketReceiver server)
    {
        Socket = new InMemoryDatagramSocket(server);
        _pump = Task.Run(PumpAsync);
    }

    public InMemoryDatagramSocket Socket { get; }

    /// <summary>Datagrams the server sent to an address no peer holds.</summary>
    public int Unrouted => Volatile.Read(ref _unrouted);
    private int _unrouted;

    public void Attach(TestPeer peer, IPEndPoint address) => _peers[address] = peer;

    public void Detach(IPEndPoint address) => _peers.TryRemove(address, out _);

    private async Task PumpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            bool any = false;
            while (Socket.TryTake(out var sent))
            {
                any = true;
                if (_peers.TryGetValue(sent.To, out var peer))
                    peer.Receive(sent.Datagram);
                else
                    Interlocked.Increment(ref _unrouted);
            }
            if (!any)
                await Task.Delay(5).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }
}

/// <summary>
/// A C# OpenVPN 2.6-style client built from the engine's own pieces: tls-crypt (client direction), the reliable layer,
/// TLS on <see cref="SslStream"/>, key method 2, the push, DATA_V2. Enough of a client to test the session layer in the
/// fast tier: it connects, sends and receives frames, and records the control commands the server sends (HALT, RESTART).
/// </summary>
internal sealed class TestPeer : IAsyncDisposable
{
    private const string Options = "V4,dev-type tap,link-mtu 1573,tun-mtu 1500,proto UDPv4,auth SHA1,keysize 128,key-method 2,tls-client";
    private const string PeerInfo = "IV_VER=2.6.14\nIV_PLAT=linux\nIV_PROTO=990\nIV_CIPHERS=AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305\n";
    private readonly PeerNetwork _network;
    private readonly TestPki _pki;
    private readonly X509Certificate2 _certificate;
    private readonly TlsCryptWrapper _wrap;
    private readonly ReliableChannel _channel;
    private readonly ControlChannelStream _transport = new();
    private readonly SslStream _ssl;
    private readonly ConcurrentQueue<byte[]> _inbox = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sendLock = new();
    private Task? _loop;
    private Task? _commands;
    private uint _wrapCounter;
    private volatile bool _serverResetSeen;
    private DataChannelCrypto? _data;

    public TestPeer(PeerNetwork network, TestPki pki, StaticKey key, X509Certificate2 certificate, IPEndPoint address, TimeProvider time)
    {
        _network = network;
        _pki = pki;
        _certificate = certificate;
        _wrap = new TlsCryptWrapper(key, KeyDirection.Inverse);
        _channel = new ReliableChannel(0, ReliabilityOptions.Default, time);
        _ssl = new SslStream(_transport, leaveInnerStreamOpen: true);
        SessionId = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;
        Address = address;
        network.Attach(this, address);
    }

    public ulong SessionId { get; }
    public ulong ServerSessionId { get; private set; }
    public uint PeerId { get; private set; }
    public IPEndPoint Address { get; private set; }

    /// <summary>Control commands the server sent after the push (HALT,…, RESTART,…, AUTH_FAILED,…).</summary>
    public ConcurrentQueue<string> Commands { get; } = new();

    /// <summary>Ethernet frames the server sent this client.</summary>
    public ConcurrentQueue<byte[]> Frames { get; } = new();

    /// <summary>Runs the reset, TLS, key method 2 and the push; returns once data keys exist.</summary>
    public async Task ConnectAsync()
    {
        _channel.Enqueue(ReliableMessageKind.Reset, ReadOnlyMemory<byte>.Empty);
        _loop = Task.Run(LoopAsync);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = "vpn.appliance.test",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            LocalCertificateSelectionCallback = (_, _, _, _, _) => _certificate,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 c && c.Thumbprint == _pki.Server.Thumbprint,
        };
        await _ssl.AuthenticateAsClientAsync(options).WaitAsync(TimeSpan.FromSeconds(30));

        byte[] preMaster = RandomNumberGenerator.GetBytes(48), random1 = RandomNumberGenerator.GetBytes(32), random2 = RandomNumberGenerator.GetBytes(32);
        var message = new byte[KeyMethod2.ClientMessageSize(Options, "", "", PeerInfo)];
        Assert.True(KeyMethod2.TryWriteClientMessage(message, preMaster, random1, random2, Options, "", "", PeerInfo, out int written));
        await _ssl.WriteAsync(message.AsMemory(0, written));

        var buffer = new byte[4096];
        int read = await _ssl.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(KeyMethod2ParseResult.Ok, KeyMethod2.TryParseServerMessage(buffer.AsSpan(0, read), out var server));
        string push = await ReadCommandAsync(buffer);
        Assert.StartsWith("PUSH_REPLY", push, StringComparison.Ordinal);
        var cipher = DataCipher.Aes256Gcm;
        foreach (string option in push.Split(','))
        {
            if (option.StartsWith("peer-id ", StringComparison.Ordinal))
                PeerId = uint.Parse(option.AsSpan("peer-id ".Length), System.Globalization.CultureInfo.InvariantCulture);
            else if (option.StartsWith("cipher ", StringComparison.Ordinal))
                Assert.True(DataCiphers.TryParse(option.AsSpan("cipher ".Length), out cipher));
        }
        using var block = KeyBlock.FromPrf(preMaster, random1, server!.Random1, random2, server.Random2, SessionId, ServerSessionId);
        _data = DataChannelCrypto.ForClient(cipher, block, 0, PeerId);
        _commands = Task.Run(ReadCommandsAsync);
    }

    /// <summary>A DATA_V2 packet carrying <paramref name="frame"/> under this client's current key.</summary>
    public byte[] Seal(ReadOnlySpan<byte> frame)
    {
        var buffer = new byte[frame.Length + 64];
        frame.CopyTo(buffer.AsSpan(DataPacketHeader.OverheadV2));
        Assert.Equal(DataEncryptResult.Ok, _data!.EncryptV2(buffer, frame.Length, out int length));
        return buffer[..length];
    }

    /// <summary>Sends a frame from this client's address.</summary>
    public void SendFrame(ReadOnlySpan<byte> frame) => _network.Socket.Deliver(Seal(frame), Address);

    /// <summary>The client's NAT mapping changes: from now on it sends from, and is reached at, <paramref name="address"/>.</summary>
    public void MoveTo(IPEndPoint address)
    {
        _network.Detach(Address);
        Address = address;
        _network.Attach(this, address);
    }

    internal void Receive(byte[] datagram)
    {
        _inbox.Enqueue(datagram);
        _wake.Release();
    }

    private async Task LoopAsync()
    {
        var acks = new uint[ReliabilityOptions.ProtocolMaxAcks];
        while (!_stop.IsCancellationRequested)
        {
            while (_inbox.TryDequeue(out var datagram))
                Handle(datagram);
            // Like the 2.6 client: TLS starts once our reset is acknowledged by the server's.
            if (_serverResetSeen)
                _transport.Exchange(_channel);
            Flush(acks);
            try
            {
                await Task.WhenAny(_wake.WaitAsync(_stop.Token), _transport.WaitForActivityAsync(_stop.Token).AsTask(), Task.Delay(50, _stop.Token)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Handle(byte[] datagram)
    {
        var opcode = OpcodeByte.OpcodeOf(datagram[0]);
        if (OpcodeByte.IsData(opcode))
        {
            if (_data is null || _data.Decrypt(datagram, out int offset, out int length) != DataDecryptResult.Ok)
                return;
            var payload = datagram.AsSpan(offset, length);
            if (!PingPacket.IsPing(payload))
                Frames.Enqueue(payload.ToArray());
            return;
        }
        var plain = new byte[datagram.Length];
        if (_wrap.Unwrap(datagram, plain, out int plainLength, out _) != UnwrapResult.Ok
            || ControlPacket.TryParse(plain.AsSpan(0, plainLength), out var packet) != ControlParseResult.Ok)
            return;
        if (packet.Opcode == Opcode.ControlHardResetServerV2)
        {
            ServerSessionId = packet.SessionId;
            _serverResetSeen = true;
        }
        if (packet.SessionId != ServerSessionId)
            return;
        Span<uint> acks = stackalloc uint[packet.AckCount];
        for (int i = 0; i < acks.Length; i++)
            acks[i] = packet.AckId(i);
        if (packet.Opcode == Opcode.AckV1)
            _channel.ReceiveAck(acks);
        else
            _channel.ReceiveControl(packet.MessageId, packet.Payload, acks);
    }

    private void Flush(uint[] acks)
    {
        while (_channel.TryTakePacket(acks, out var outgoing))
        {
            var opcode = outgoing.Message.Kind == ReliableMessageKind.Reset ? Opcode.ControlHardResetClientV2 : Opcode.ControlV1;
            SendControl(opcode, acks.AsSpan(0, outgoing.AckCount), outgoing.Message.MessageId, outgoing.Message.Payload.Span);
        }
        int pure;
        while ((pure = _channel.TakePureAck(acks)) > 0)
            SendControl(Opcode.AckV1, acks.AsSpan(0, pure), 0, []);
    }

    private void SendControl(Opcode opcode, ReadOnlySpan<uint> acks, uint messageId, ReadOnlySpan<byte> payload)
    {
        var plain = new byte[ControlPacket.SizeOf(opcode, acks.Length, payload.Length)];
        Assert.True(ControlPacket.TryWrite(plain, opcode, 0, SessionId, acks, ServerSessionId, messageId, payload, out int length));
        var wire = new byte[length + 64];
        int written;
        lock (_sendLock)
            Assert.True(_wrap.TryWrap(plain.AsSpan(0, length), new WrapReplayId(++_wrapCounter, 1_700_000_000), wire, out written));
        _network.Socket.Deliver(wire.AsSpan(0, written), Address);
    }

    private async Task<string> ReadCommandAsync(byte[] buffer)
    {
        int read = await _ssl.ReadAsync(buffer, _stop.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        return Encoding.ASCII.GetString(buffer, 0, read).TrimEnd('\0');
    }

    private async Task ReadCommandsAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            string command;
            try
            {
                command = await ReadCommandAsync(buffer);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or TimeoutException or ObjectDisposedException)
            {
                if (e is TimeoutException)
                    continue;
                return;
            }
            if (command.Length == 0)
                return;
            Commands.Enqueue(command);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _transport.CompleteInbound();
        if (_loop is not null)
            await _loop;
        if (_commands is not null)
        {
            try
            {
                await _commands.WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
            }
        }
        _network.Detach(Address);
        _data?.Dispose();
        _wrap.Dispose();
        await _ssl.DisposeAsync();
        await _transport.DisposeAsync();
        _stop.Dispose();
        _wake.Dispose();
    }
}
