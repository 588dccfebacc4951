using System.Runtime.Versioning;

namespace Appliance.Agent.Pki;

/// <summary>A pairing token written by the deploy flow (through the QEMU guest agent) before the first start: adopted once, then deleted.</summary>
[SupportedOSPlatform("linux")]
public static class PresetPairing
{
    /// <summary>Adopts the token in <paramref name="path"/> when the file exists; true when it did.</summary>
    /// <exception cref="IOException">The file exists but cannot be read or deleted; the message names it.</exception>
    public static bool TryAdopt(string path, PairingToken pairing)
    {
        if (!File.Exists(path))
            return false;
        string token = File.ReadAllText(path).Trim();
        if (token.Length < 16 || token.Any(char.IsWhiteSpace))
            throw new IOException($"preset pairing token file '{path}' does not hold one token of at least 16 characters; fix or delete it");
        pairing.Adopt(token);
        File.Delete(path);
        return true;
    }
}
