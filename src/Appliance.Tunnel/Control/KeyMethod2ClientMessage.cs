using System.Security.Cryptography;
using System.Text;

namespace Appliance.Tunnel.Control;

/// <summary>
/// The client's key-method-2 message: key material for the PRF, its options string, optional credentials
/// and peer-info.
/// </summary>
/// <remarks>
/// Holds secrets (pre-master, username, password): <see cref="ToString"/> never shows them and
/// <see cref="Dispose"/> zeroes them. Keep it only until keys are derived and credentials checked.
/// </remarks>
public sealed class KeyMethod2ClientMessage : IDisposable
{
    private readonly byte[] _preMaster;
    private readonly byte[] _random1;
    private readonly byte[] _random2;
    private readonly byte[] _username;
    private readonly byte[] _password;

    internal KeyMethod2ClientMessage(byte[] preMaster, byte[] random1, byte[] random2, string options,
        byte[] username, byte[] password, string peerInfoText)
    {
        _preMaster = preMaster;
        _random1 = random1;
        _random2 = random2;
        Options = options;
        _username = username;
        _password = password;
        PeerInfoText = peerInfoText;
        PeerInfo = PeerInfo.Parse(peerInfoText);
    }

    public ReadOnlySpan<byte> PreMaster => _preMaster;
    public ReadOnlySpan<byte> Random1 => _random1;
    public ReadOnlySpan<byte> Random2 => _random2;
    /// <summary>The client's OCC options string, e.g. <c>V4,dev-type tap,…,tls-client</c>.</summary>
    public string Options { get; }
    /// <summary>UTF-8 username without NUL; empty when the client sent none.</summary>
    public ReadOnlySpan<byte> Username => _username;
    /// <summary>UTF-8 password without NUL; empty when the client sent none.</summary>
    public ReadOnlySpan<byte> Password => _password;
    public bool HasCredentials => _username.Length > 0 || _password.Length > 0;
    public string PeerInfoText { get; }
    public PeerInfo PeerInfo { get; }

    /// <summary>The username as text, for the authenticator; never log it.</summary>
    public string UsernameText() => Encoding.UTF8.GetString(_username);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_preMaster);
        CryptographicOperations.ZeroMemory(_username);
        CryptographicOperations.ZeroMemory(_password);
    }

    public override string ToString() =>
        $"key-method 2 from client (options '{Options}', credentials {(HasCredentials ? "present" : "absent")}, " +
        $"IV_VER={PeerInfo.Version ?? "?"}, IV_PLAT={PeerInfo.Platform ?? "?"})";
}
