using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Tunnel.Control;
using Appliance.Tunnel.DataChannel;

namespace Appliance.Tunnel.Sessions;

/// <summary>Everything the next process needs to take over the live sessions without the clients noticing
/// (<see cref="TunnelServer.ExportState"/>, <see cref="TunnelServer.ImportState"/>). Holds key material: it travels in
/// memory only (a sealed memfd between the two processes), never to disk or a log.</summary>
/// <param name="Format">Bumped on any incompatible change; a build that does not know it starts clean and says why.</param>
/// <param name="Identity">Who exported it (the appliance's server certificate fingerprint): another appliance's state is refused.</param>
public sealed record TunnelState(int Format, string Identity, DateTimeOffset ExportedAt, IReadOnlyList<SessionState> Sessions)
{
    public const int CurrentFormat = 1;

    public override string ToString() => $"tunnel state v{Format} of {Identity}: {Sessions.Count} sessions (key material not shown)";
}

/// <summary>One authenticated UDP session as carried over: identity, address, control-wrap counters and the live data keys.</summary>
/// <param name="Address">The client's socket address as the receiving socket reports it (family, size and bytes).</param>
/// <param name="ClientWrapKey">The tls-crypt-v2 client key Kc of the session, or null when it uses the shared key.</param>
/// <param name="Macs">The MAC addresses its switch port owned, so frames toward the client are not flooded meanwhile.</param>
public sealed record SessionState(
    ulong Id,
    ulong PeerSessionId,
    uint PeerId,
    int AddressFamily,
    byte[] Address,
    string CommonName,
    byte[] CertificateDer,
    DataCipher Cipher,
    string? TlsDescription,
    PeerInfo? Peer,
    DateTimeOffset ConnectedAt,
    int Renegotiations,
    byte[]? ClientWrapKey,
    uint WrapTime,
    uint WrapCounter,
    uint? ReceiveSenderTime,
    uint ReceiveHighest,
    ulong ReceiveSeen,
    int SendKeyId,
    IReadOnlyList<DataKeyState> Keys,
    IReadOnlyList<string> Macs)
{
    public override string ToString() => $"session {Id:x16} of '{CommonName}' (key material not shown)";
}

/// <summary>Encodes a <see cref="TunnelState"/> for the hand-over, and refuses what cannot be taken over, with the reason.</summary>
/// <remarks>Layout: 8-byte magic, SHA-256 of the JSON body, the body (camelCase JSON). A truncated or altered blob fails
/// the digest; a well-formed one from another format or another appliance is refused by name.</remarks>
public static class TunnelStateCodec
{
    private static readonly byte[] Magic = "APPLSTv1"u8.ToArray();

    public static byte[] Encode(TunnelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(state, TunnelStateJson.Default.TunnelState);
        var blob = new byte[Magic.Length + 32 + body.Length];
        Magic.CopyTo(blob, 0);
        SHA256.HashData(body, blob.AsSpan(Magic.Length, 32));
        body.CopyTo(blob, Magic.Length + 32);
        CryptographicOperations.ZeroMemory(body);
        return blob;
    }

    /// <summary>Reads a blob from the previous process; false with a reason an operator can read when it cannot be used.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> blob, string expectedIdentity, out TunnelState? state, out string? refusal)
    {
        state = null;
        if (blob.Length < Magic.Length + 32 || !blob[..Magic.Length].SequenceEqual(Magic))
        {
            refusal = $"the hand-over state is not ours or is truncated ({blob.Length} bytes, no header)";
            return false;
        }
        var body = blob[(Magic.Length + 32)..];
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(body, digest);
        if (!CryptographicOperations.FixedTimeEquals(digest, blob.Slice(Magic.Length, 32)))
        {
            refusal = $"the hand-over state is corrupted or truncated ({blob.Length} bytes; its digest does not match)";
            return false;
        }
        try
        {
            state = JsonSerializer.Deserialize(body, TunnelStateJson.Default.TunnelState);
        }
        catch (JsonException e)
        {
            refusal = $"the hand-over state does not read as this build's format ({e.Message})";
            return false;
        }
        if (state is null)
        {
            refusal = "the hand-over state is empty";
            return false;
        }
        if (state.Format != TunnelState.CurrentFormat)
        {
            refusal = $"the hand-over state has format {state.Format}; this build reads format {TunnelState.CurrentFormat}";
            state = null;
            return false;
        }
        if (!string.Equals(state.Identity, expectedIdentity, StringComparison.Ordinal))
        {
            refusal = $"the hand-over state belongs to another appliance ({state.Identity}), not this one ({expectedIdentity})";
            state = null;
            return false;
        }
        refusal = null;
        return true;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(TunnelState))]
internal sealed partial class TunnelStateJson : JsonSerializerContext;
