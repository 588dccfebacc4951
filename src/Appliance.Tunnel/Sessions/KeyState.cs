using System.Security.Cryptography;
using System.Threading.Channels;
using Appliance.Tunnel.Control;
using Appliance.Tunnel.Control.Reliability;
using Appliance.Tunnel.Control.Tls;
using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.DataChannel;

namespace Appliance.Tunnel.Sessions;

/// <summary>Where a key state is in its life.</summary>
public enum KeyPhase : byte
{
    /// <summary>Reset, TLS and key exchange under way.</summary>
    Negotiating = 0,
    /// <summary>Data keys exist; the newest active key is the one the session sends with.</summary>
    Active,
    /// <summary>Replaced by a newer key; still decrypts until the transition window ends (lame duck).</summary>
    Retiring,
    /// <summary>Negotiation failed or the key was dropped; nothing is sent or received with it.</summary>
    Closed,
}

/// <summary>One key-id of a session: its reliable control channel, its TLS session, and once negotiated its data keys.</summary>
/// <remarks>
/// A loop of its own (on the thread pool) owns the <see cref="ReliableChannel"/>: it takes the control packets the
/// receive thread posts into a bounded inbox, shuttles bytes between the channel and TLS, and sends what is due.
/// A second task runs the TLS handshake, the key-method-2 exchange and the push, then answers control commands.
/// </remarks>
internal sealed class KeyState : IAsyncDisposable
{
    private const int InboxCapacity = 64;
    private static readonly TimeSpan LingerAfterClose = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(1);
    private long _turns;
    private long _closedAt;
    private readonly TunnelSession _session;
    private readonly TunnelServerOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<byte[]> _inbox;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile DataChannelCrypto? _data;
    private volatile KeyPhase _phase;

    public KeyState(TunnelSession session, int keyId, TunnelServerOptions options, TimeProvider time)
    {
        _inbox = System.Threading.Channels.Channel.CreateBounded<byte[]>(new BoundedChannelOptions(InboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        _session = session;
        _options = options;
        _time = time;
        KeyId = keyId;
        Channel = new ReliableChannel((byte)keyId, ReliabilityOptions.Default, time);
        Tls = new TlsControlSession(options.Tls, options.ClientValidator, logger: session.Logger);
    }

    public int KeyId { get; }
    public ReliableChannel Channel { get; }
    public TlsControlSession Tls { get; }
    public long ActivatedAt { get; private set; }

    /// <summary>When a retiring key stops decrypting (timestamp).</summary>
    public long RetireAt { get; set; }

    public KeyPhase Phase => _phase;

    /// <summary>The data keys, once negotiated; null before and after.</summary>
    public DataChannelCrypto? Data => _data;

    /// <summary>True once this key state has sent its own reset (we initiated, or answered the peer's).</summary>
    public bool ResetQueued { get; private set; }

    public void Start(bool sendReset)
    {
        if (sendReset)
            QueueReset();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues our reset (HARD_RESET_SERVER_V2 for key-id 0, SOFT_RESET_V1 otherwise) as message id 0.</summary>
    private void QueueReset()
    {
        if (ResetQueued)
            return;
        ResetQueued = true;
        Channel.Enqueue(ReliableMessageKind.Reset, ReadOnlyMemory<byte>.Empty);
    }

    /// <summary>Hands a clear control packet (already authenticated and checked against the session ids) to the loop.</summary>
    public bool Post(byte[] plainPacket) => _inbox.Writer.TryWrite(plainPacket);

    public void Retire(long retireAt)
    {
        if (_phase == KeyPhase.Active)
        {
            RetireAt = retireAt;
            _phase = KeyPhase.Retiring;
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        var negotiation = NegotiateAsync(token);
        var acks = new uint[ReliabilityOptions.ProtocolMaxAcks];
        try
        {
            while (!token.IsCancellationRequested)
            {
                while (_inbox.Reader.TryRead(out var packet))
                    Process(packet);
                Tls.Transport.Exchange(Channel);
                Flush(acks);

                if (Channel.Status == HandshakeStatus.Expired && _phase == KeyPhase.Negotiating)
                {
                    _session.OnKeyFailed(this, "handshake did not complete within the hand-window (60 s)");
                    break;
                }
                // A closed key lingers until its last messages (AUTH_FAILED, HALT) are acknowledged, or a few seconds pass.
                if (negotiation.IsCompleted && _phase == KeyPhase.Closed
                    && (Channel.AllSentAcknowledged || _time.GetElapsedTime(_closedAt) > LingerAfterClose))
                    break;

                Interlocked.Increment(ref _turns);
                if (SleepBeforeNextTurn(Channel.TimeUntilNextEvent()) is not { } delay)
                    continue;
                await WaitForWorkAsync(delay, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Log.LoopFailed(_session.Logger, _session.Name, e);
            _session.OnKeyFailed(this, "internal error: " + e.GetType().Name);
        }
        // Let the negotiation task see the closed transport and finish.
        Tls.Close();
        try
        {
            await negotiation.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// How long the loop may sleep given <see cref="ReliableChannel.TimeUntilNextEvent"/>: null to run again at once
    /// (something is due now), otherwise at most <see cref="MaxSleep"/> so closing and linger are noticed.
    /// </summary>
    /// <remarks>
    /// Nothing in flight is <see cref="Timeout.InfiniteTimeSpan"/> (−1 ms): it means "sleep", not "due". Reading it as
    /// due once made every established, idle key spin its loop on a pool thread (about 3/4 of a core per session).
    /// </remarks>
    internal static TimeSpan? SleepBeforeNextTurn(TimeSpan untilNextEvent) =>
        untilNextEvent == Timeout.InfiniteTimeSpan || untilNextEvent > MaxSleep ? MaxSleep
        : untilNextEvent <= TimeSpan.Zero ? null
        : untilNextEvent;

    /// <summary>Turns of the loop so far (tests: an idle key must not spin).</summary>
    internal long Turns => Interlocked.Read(ref _turns);

    private async Task WaitForWorkAsync(TimeSpan delay, CancellationToken token)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(token);
        var inbox = _inbox.Reader.WaitToReadAsync(wake.Token).AsTask();
        var tls = Tls.Transport.WaitForActivityAsync(wake.Token).AsTask();
        var timer = Task.Delay(delay, _time, wake.Token);
        await Task.WhenAny(inbox, tls, timer).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
    }

    private void Process(byte[] plain)
    {
        if (ControlPacket.TryParse(plain, out var packet) != ControlParseResult.Ok)
            return;
        Span<uint> acks = stackalloc uint[ControlPacket.MaxAcks];
        int count = packet.AckCount;
        for (int i = 0; i < count; i++)
            acks[i] = packet.AckId(i);
        if (packet.Opcode == Opcode.AckV1)
        {
            Channel.ReceiveAck(acks[..count]);
            return;
        }
        Channel.ReceiveControl(packet.MessageId, packet.Payload, acks[..count]);
        if (packet.Opcode is Opcode.ControlHardResetClientV2 or Opcode.ControlHardResetClientV3 or Opcode.ControlSoftResetV1)
            QueueReset();
    }

    private void Flush(uint[] acks)
    {
        while (Channel.TryTakePacket(acks, out var outgoing))
        {
            var opcode = outgoing.Message.Kind == ReliableMessageKind.Reset
                ? (KeyId == 0 ? Opcode.ControlHardResetServerV2 : Opcode.ControlSoftResetV1)
                : Opcode.ControlV1;
            _session.SendControl(opcode, KeyId, acks.AsSpan(0, outgoing.AckCount), outgoing.Message.MessageId, outgoing.Message.Payload.Span);
        }
        int pure;
        while ((pure = Channel.TakePureAck(acks)) > 0)
            _session.SendControl(Opcode.AckV1, KeyId, acks.AsSpan(0, pure), 0, []);
    }

    /// <summary>TLS handshake, key method 2, data keys, push; then control commands until the transport closes.</summary>
    private async Task NegotiateAsync(CancellationToken token)
    {
        try
        {
            var handshake = await Tls.AuthenticateAsync(token).ConfigureAwait(false);
            if (!handshake.Succeeded)
            {
                if (handshake.Outcome == TlsHandshakeOutcome.CertificateRefused)
                {
                    if (Tls.IsRefusedInBand)
                        await RefuseInBandAsync(RefusalText(handshake.Refusal), token).ConfigureAwait(false);
                    _session.OnRefused(this, $"client certificate refused ({handshake.Refusal}): {handshake.Detail}");
                }
                else
                {
                    _session.OnKeyFailed(this, $"TLS handshake failed ({handshake.Outcome}): {handshake.Detail}");
                }
                return;
            }

            var read = await Tls.ReadKeyMethod2Async(token).ConfigureAwait(false);
            if (!read.IsOk)
            {
                _session.OnKeyFailed(this, $"no key-method-2 message from the client ({read.Status})");
                return;
            }
            var parse = KeyMethod2.TryParseClientMessage(read.Message.Span, out var client);
            if (client is null)
            {
                _session.OnKeyFailed(this, $"the client's key-method-2 message is malformed ({parse})");
                return;
            }
            using (client)
            {
                if (!await ExchangeKeysAsync(client, handshake.CommonName ?? "", token).ConfigureAwait(false))
                    return;
            }
            await AnswerCommandsAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>The 2.6 client reads our key-method-2 message before any command: answer its key message with
    /// throw-away randoms (no data key is ever made), then send AUTH_FAILED so it stops with the reason.</summary>
    private async Task RefuseInBandAsync(string reason, CancellationToken token)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(token);
        patience.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            var read = await Tls.ReadKeyMethod2Async(patience.Token).ConfigureAwait(false);
            byte[] reply = [];
            if (read.IsOk)
            {
                reply = new byte[KeyMethod2.ServerMessageSize(_session.ServerOptionsString)];
                KeyMethod2.TryWriteServerMessage(reply, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), _session.ServerOptionsString, out _);
            }
            await Tls.WriteRefusalAsync(reason, reply, patience.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!token.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> ExchangeKeysAsync(KeyMethod2ClientMessage client, string commonName, CancellationToken token)
    {
        var peer = client.PeerInfo;
        DataCipher cipher;
        if (KeyId == 0 && !_session.IsEstablished)
        {
            var negotiation = PushReply.NegotiateCipher(_session.ServerCiphers, peer);
            if (!negotiation.Succeeded)
            {
                await Tls.WriteTextAsync(ControlMessage.NoSharedCipher, token).ConfigureAwait(false);
                _session.OnRefused(this, $"no shared data cipher: the client offers '{peer.Ciphers}'");
                return false;
            }
            cipher = negotiation.Cipher;
        }
        else
        {
            cipher = _session.Cipher;
        }
        if (!_session.AcceptsIdentity(this, commonName))
            return false;

        byte[] random1 = RandomNumberGenerator.GetBytes(32);
        byte[] random2 = RandomNumberGenerator.GetBytes(32);
        byte[] reply = new byte[KeyMethod2.ServerMessageSize(_session.ServerOptionsString)];
        KeyMethod2.TryWriteServerMessage(reply, random1, random2, _session.ServerOptionsString, out int written);
        if (await Tls.WriteMessageAsync(reply.AsMemory(0, written), token).ConfigureAwait(false) != ControlIoStatus.Ok)
        {
            _session.OnKeyFailed(this, "could not send our key-method-2 message");
            return false;
        }

        using (var block = KeyBlock.FromPrf(client.PreMaster, client.Random1, random1, client.Random2, random2, _session.PeerSessionId, _session.Id))
            _data = DataChannelCrypto.ForServer(cipher, block, KeyId, _session.PeerId, _time);
        CryptographicOperations.ZeroMemory(random1);
        CryptographicOperations.ZeroMemory(random2);

        ActivatedAt = _time.GetTimestamp();
        _phase = KeyPhase.Active;
        Channel.MarkEstablished();
        _session.OnKeyActive(this, cipher, peer, Tls);

        // A 2.6 client (IV_PROTO bit 2) takes the push without asking; older ones send PUSH_REQUEST, answered below.
        if (KeyId == 0 && peer.Protocol.HasFlag(IvProtoFlags.RequestPush))
            await SendPushAsync(token).ConfigureAwait(false);
        return true;
    }

    private async Task SendPushAsync(CancellationToken token)
    {
        string push = _session.BuildPushReply();
        await Tls.WriteTextAsync(push, token).ConfigureAwait(false);
    }

    private async Task AnswerCommandsAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            var read = await Tls.ReadTextAsync(token).ConfigureAwait(false);
            if (!read.IsOk || read.Text is null)
                return;
            switch (ControlMessage.Classify(System.Text.Encoding.UTF8.GetBytes(read.Text)))
            {
                case ControlCommand.PushRequest:
                    await SendPushAsync(token).ConfigureAwait(false);
                    break;
                case ControlCommand.Exit:
                    _session.OnClientExit();
                    break;
            }
        }
    }

    /// <summary>Sends a text command (RESTART, HALT, AUTH_FAILED) on this key's TLS session; best effort.</summary>
    public async Task SendCommandAsync(string command)
    {
        if (_phase is KeyPhase.Active or KeyPhase.Retiring)
            await Tls.WriteTextAsync(command, _stop.Token).ConfigureAwait(false);
    }

    private static string RefusalText(ClientCertificateRefusal? refusal) => refusal switch
    {
        ClientCertificateRefusal.Revoked => "certificate revoked",
        ClientCertificateRefusal.Expired => "certificate expired",
        ClientCertificateRefusal.NotYetValid => "certificate not yet valid",
        ClientCertificateRefusal.UnknownCa => "certificate not issued by this appliance",
        ClientCertificateRefusal.MissingClientAuthEku => "certificate is not a client certificate",
        ClientCertificateRefusal.NoCertificate => "no client certificate",
        _ => "certificate refused",
    };

    public void Close()
    {
        if (_phase != KeyPhase.Closed)
            _closedAt = _time.GetTimestamp();
        _phase = KeyPhase.Closed;
    }

    public async ValueTask DisposeAsync()
    {
        _phase = KeyPhase.Closed;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        await Tls.DisposeAsync().ConfigureAwait(false);
        // The receive thread or a sender may still hold the data keys for a moment: free them a little later.
        var data = _data;
        _data = null;
        if (data is not null)
            _ = Task.Delay(TimeSpan.FromSeconds(10), _time).ContinueWith(_ => data.Dispose(), TaskScheduler.Default);
        _stop.Dispose();
    }
}
