using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Tunnel.Control.Tls;

/// <summary>The server side of one key state's TLS session over the control channel: handshake with client-certificate checks, then one control message per TLS record.</summary>
/// <remarks>
/// The key state's loop owns the <see cref="Reliability.ReliableChannel"/> and shuttles bytes with <see cref="ControlChannelStream.Exchange"/>;
/// this type runs on the thread pool. At most one read and one write may be outstanding at a time (SslStream's rule).
/// Every failure is a value: the handshake returns a <see cref="TlsHandshakeResult"/>, reads a <see cref="ControlReadResult"/>,
/// writes a <see cref="ControlIoStatus"/>.
/// </remarks>
public sealed class TlsControlSession : IAsyncDisposable
{
    private readonly TlsControlOptions _options;
    private readonly ClientCertificateValidator _validator;
    private readonly ILogger _logger;
    private readonly SslStream _ssl;
    private readonly ControlMessageReader _reader;
    private ClientCertificateCheck? _check;
    private X509Certificate2? _peerCertificate;
    private bool _authenticated;
    private bool _refusedInBand;

    public TlsControlSession(TlsControlOptions options, ClientCertificateValidator validator, ControlChannelStream? transport = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(validator);
        _options = options;
        _validator = validator;
        _logger = logger ?? NullLogger.Instance;
        Transport = transport ?? new ControlChannelStream();
        _ssl = new SslStream(Transport, leaveInnerStreamOpen: true);
        _reader = new ControlMessageReader(options.MaxIncomingLength, options.MaxMessageLength);
    }

    /// <summary>The stream TLS runs on; the loop exchanges its bytes with the key state's reliable channel.</summary>
    public ControlChannelStream Transport { get; }

    /// <summary>The verdict on the client's certificate, once the handshake got that far.</summary>
    public ClientCertificateCheck? CertificateCheck => _check;

    /// <summary>The accepted client certificate's subject CN (the user name for policy and logs), null before a successful handshake.</summary>
    public string? PeerCommonName => _authenticated ? _check?.CommonName : null;

    /// <summary>A copy of the accepted client certificate, null before a successful handshake.</summary>
    public X509Certificate2? PeerCertificate => _authenticated ? _peerCertificate : null;

    public SslProtocols Protocol => _authenticated ? _ssl.SslProtocol : SslProtocols.None;

    public TlsCipherSuite CipherSuite => _authenticated ? _ssl.NegotiatedCipherSuite : default;

    /// <summary>Runs the TLS server handshake to its end; never throws for network or peer failures.</summary>
    public async Task<TlsHandshakeResult> AuthenticateAsync(CancellationToken cancellationToken = default)
    {
        var sslOptions = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _options.ServerCertificate,
            EnabledSslProtocols = _options.Protocols,
            ClientCertificateRequired = true,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowRenegotiation = false,
            AllowTlsResume = false,
            RemoteCertificateValidationCallback = ValidateClientCertificate,
        };
        TlsHandshakeResult result;
        try
        {
            await _ssl.AuthenticateAsServerAsync(sslOptions, cancellationToken).ConfigureAwait(false);
            _authenticated = _check is { IsAccepted: true };
            _refusedInBand = !_authenticated && _options.RefuseInBand;
            result = _authenticated
                ? new(TlsHandshakeOutcome.Completed, null, _check!.Value.CommonName, null)
                : _check is { IsAccepted: false } refusedInBand
                    ? new(TlsHandshakeOutcome.CertificateRefused, refusedInBand.Refusal, refusedInBand.CommonName, refusedInBand.Detail)
                    : new(TlsHandshakeOutcome.CertificateRefused, ClientCertificateRefusal.NoCertificate, null, "the client presented no certificate");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = new(TlsHandshakeOutcome.Cancelled, null, _check?.CommonName, "handshake cancelled");
        }
        catch (Exception e) when (e is AuthenticationException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            result = _check is { IsAccepted: false } refused
                ? new(TlsHandshakeOutcome.CertificateRefused, refused.Refusal, refused.CommonName, refused.Detail)
                : e is AuthenticationException
                    ? new(TlsHandshakeOutcome.TlsError, null, _check?.CommonName, e.Message)
                    : new(TlsHandshakeOutcome.TransportClosed, null, _check?.CommonName, e.Message);
        }

        switch (result.Outcome)
        {
            case TlsHandshakeOutcome.Completed:
                TlsControlLog.HandshakeCompleted(_logger, result.CommonName, _ssl.SslProtocol, _ssl.NegotiatedCipherSuite);
                break;
            case TlsHandshakeOutcome.CertificateRefused:
                TlsControlLog.CertificateRefused(_logger, result.Refusal!.Value, result.Detail);
                break;
            default:
                TlsControlLog.HandshakeFailed(_logger, result.Outcome, result.Detail);
                break;
        }
        return result;
    }

    private bool ValidateClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // The platform's verdict (errors) is ignored: it trusts system roots. Ours trusts only our CA.
        X509Certificate2? presented = certificate switch
        {
            null => null,
            X509Certificate2 c2 => c2,
            _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
        };
        if (_validator.IsRevocationListStale)
            TlsControlLog.StaleRevocationList(_logger, _validator.RevocationList?.NextUpdate);
        var check = _validator.Validate(presented);
        _check = check;
        if (check.IsAccepted && presented is not null)
            _peerCertificate = X509CertificateLoader.LoadCertificate(presented.RawDataMemory.Span);
        return check.IsAccepted || _options.RefuseInBand;
    }

    /// <summary>True between a refused handshake (with <see cref="TlsControlOptions.RefuseInBand"/>) and <see cref="WriteRefusalAsync"/>:
    /// the caller may read the client's key-method-2 message (and nothing else) to answer it before the refusal.</summary>
    public bool IsRefusedInBand => _refusedInBand;

    /// <summary>After a handshake that ended in <see cref="TlsHandshakeOutcome.CertificateRefused"/> with in-band refusal on,
    /// writes <paramref name="keyMethod2Reply"/> (the 2.6 client reads a key-method-2 message before any command; its keys
    /// are never used) and then <c>AUTH_FAILED,&lt;reason&gt;</c>, so the client stops with a readable message. Nothing else
    /// can be sent to a refused peer, before or after.</summary>
    public async ValueTask<ControlIoStatus> WriteRefusalAsync(string reason, ReadOnlyMemory<byte> keyMethod2Reply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (!_refusedInBand)
            return ControlIoStatus.NotAuthenticated;
        _refusedInBand = false;
        byte[] refusal = Encoding.UTF8.GetBytes("AUTH_FAILED," + reason + "\0");
        try
        {
            if (!keyMethod2Reply.IsEmpty)
                await _ssl.WriteAsync(keyMethod2Reply, cancellationToken).ConfigureAwait(false);
            await _ssl.WriteAsync(refusal, cancellationToken).ConfigureAwait(false);
            return ControlIoStatus.Ok;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return ControlIoStatus.Closed;
        }
    }

    /// <summary>Writes one control message as exactly one TLS record (one SslStream write), e.g. the key-method-2 reply or <c>PUSH_REPLY,…\0</c>.</summary>
    /// <remarks>Never join two messages into one call: a 2.6 client discards what follows the key-method-2 message in its read.</remarks>
    public async ValueTask<ControlIoStatus> WriteMessageAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (!_authenticated)
            return ControlIoStatus.NotAuthenticated;
        if (message.Length > _options.MaxMessageLength || message.IsEmpty)
            return ControlIoStatus.TooLong;
        try
        {
            await _ssl.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            return ControlIoStatus.Ok;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return ControlIoStatus.Closed;
        }
    }

    /// <summary>Writes a text command with its terminating NUL as one record.</summary>
    public ValueTask<ControlIoStatus> WriteTextAsync(string command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(command) + 1];
        Encoding.UTF8.GetBytes(command, bytes);
        return WriteMessageAsync(bytes, cancellationToken);
    }

    /// <summary>Reads the client's key-method-2 message (§4.1), framed by its length fields; returns its raw bytes for the key-method-2 parser.</summary>
    public ValueTask<ControlReadResult> ReadKeyMethod2Async(CancellationToken cancellationToken = default) =>
        ReadAsync(static (ControlMessageReader r, out ControlReadResult result) =>
        {
            var status = r.TryTakeKeyMethod2(out var message);
            result = new(status == ControlParseStatus.Complete ? ControlIoStatus.Ok : ToIoStatus(status), message, null);
            return status;
        }, cancellationToken);

    /// <summary>Reads the next NUL-terminated text command (<c>PUSH_REQUEST</c>, <c>EXIT</c>, …), without the NUL.</summary>
    public ValueTask<ControlReadResult> ReadTextAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(static (ControlMessageReader r, out ControlReadResult result) =>
        {
            var status = r.TryTakeText(out var text);
            result = new(status == ControlParseStatus.Complete ? ControlIoStatus.Ok : ToIoStatus(status), default, status == ControlParseStatus.Complete ? text : null);
            return status;
        }, cancellationToken);

    private delegate ControlParseStatus Parse(ControlMessageReader reader, out ControlReadResult result);

    private async ValueTask<ControlReadResult> ReadAsync(Parse parse, CancellationToken cancellationToken)
    {
        if (!_authenticated && !_refusedInBand)
            return new(ControlIoStatus.NotAuthenticated, default, null);
        while (true)
        {
            var status = parse(_reader, out var result);
            if (status != ControlParseStatus.NeedMore)
            {
                if (status != ControlParseStatus.Complete)
                    TlsControlLog.MessageRefused(_logger, PeerCommonName, result.Status, _reader.Buffered);
                return result;
            }
            var room = _reader.GetReadBuffer();
            if (room.IsEmpty)
            {
                TlsControlLog.MessageRefused(_logger, PeerCommonName, ControlIoStatus.TooLong, _reader.Buffered);
                return new(ControlIoStatus.TooLong, default, null);
            }
            int read;
            try
            {
                read = await _ssl.ReadAsync(room, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                return new(e is IOException { InnerException: AuthenticationException } ? ControlIoStatus.TlsError : ControlIoStatus.Closed, default, null);
            }
            if (read == 0)
                return new(ControlIoStatus.Closed, default, null);
            _reader.Advance(read);
        }
    }

    private static ControlIoStatus ToIoStatus(ControlParseStatus status) => status switch
    {
        ControlParseStatus.TooLong => ControlIoStatus.TooLong,
        ControlParseStatus.Malformed => ControlIoStatus.Malformed,
        _ => ControlIoStatus.Ok,
    };

    /// <summary>No more bytes will arrive: pending and later reads end with <see cref="ControlIoStatus.Closed"/> (OpenVPN sends no close_notify).</summary>
    public void Close() => Transport.CompleteInbound();

    public async ValueTask DisposeAsync()
    {
        Transport.CompleteInbound();
        await _ssl.DisposeAsync().ConfigureAwait(false);
        await Transport.DisposeAsync().ConfigureAwait(false);
        _peerCertificate?.Dispose();
    }
}
