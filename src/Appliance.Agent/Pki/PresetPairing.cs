using System.Runtime.Versioning;

namespace Appliance.Agent.Pki;

/// <summary>A pairing token written by the deploy flow (through the QEMU guest agent) before the start: adopted, then deleted.</summary>
[SupportedOSPlatform("linux")]
public static class PresetPairing
{
    /// <summary>What happened to a preset token file.</summary>
    public enum Outcome : byte
    {
        /// <summary>No file: the stored token stays.</summary>
        None,
        Adopted,
        /// <summary>Adopted, but the file could not be deleted (e.g. a read-only /etc under systemd): adopting it again at the next start is harmless.</summary>
        AdoptedNotDeleted,
    }

    /// <summary>Adopts the token in <paramref name="path"/> when the file exists.</summary>
    /// <exception cref="IOException">The file exists but cannot be read or holds no token; the message names it.</exception>
    public static Outcome TryAdopt(string path, PairingToken pairing)
    {
        if (!File.Exists(path))
            return Outcome.None;
        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"preset pairing token file '{path}' cannot be read by the agent ({e.Message}); make it readable by the agent's user or delete it", e);
        }
        if (token.Length < 16 || token.Any(char.IsWhiteSpace))
            throw new IOException($"preset pairing token file '{path}' does not hold one token of at least 16 characters; fix or delete it");
        pairing.Adopt(token);
        try
        {
            File.Delete(path);
            return Outcome.Adopted;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Outcome.AdoptedNotDeleted;
        }
    }
}
