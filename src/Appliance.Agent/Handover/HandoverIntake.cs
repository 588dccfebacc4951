using System.Collections;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Appliance.Agent.Pki;
using Appliance.Agent.State;
using Appliance.Tunnel.Sessions;

namespace Appliance.Agent.Handover;

/// <summary>The start of <c>serve</c>: takes what a previous process handed over (systemd's fd store, else a predecessor
/// waiting on the state directory's socket) and checks it before anything uses it. A state that does not fit (another
/// appliance, another format, truncated, damaged, not a sealed memfd) is refused with one line saying why, every handed
/// fd is closed, and the agent starts clean.</summary>
[SupportedOSPlatform("linux")]
internal static class HandoverIntake
{
    /// <summary>What the previous process hands over. When another agent still holds the state directory (it was just
    /// sent SIGTERM and is stopping its API first), waits up to <paramref name="patience"/> for its hand-over socket.</summary>
    public static async Task<HandoverBundle?> ReceiveAsync(string statePath, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (Receive(statePath) is { } bundle)
                return bundle;
            if (!LockHeld(statePath) || DateTime.UtcNow > deadline)
                return null;
            await Task.Delay(50);
        }
    }

    /// <summary>True while a live agent holds the state directory's lock (the kernel drops it when the holder dies).</summary>
    private static bool LockHeld(string statePath)
    {
        string path = Path.Combine(statePath, StateDirectory.LockFileName);
        if (!File.Exists(path))
            return false;
        try
        {
            using var handle = StateNative.OpenReadOnly(path);
            return !StateNative.TryLockExclusive(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StateDirectoryException)
        {
            return false;
        }
    }

    private static HandoverBundle? Receive(string statePath)
    {
        var environment = ProcessEnvironment();
        try
        {
            return SystemdFdStore.Read(environment, Environment.ProcessId) ?? UnixSocketHandover.TryReceive(statePath);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"appliance-agent: the hand-over could not be received ({e.Message}); starting clean");
            return null;
        }
        finally
        {
            SystemdFdStore.ForgetEnvironment();
        }
    }

    /// <summary>Opens the state directory; after a hand-over, waits up to 15 s for the predecessor to let go of its lock.</summary>
    public static async Task<ApplianceState> OpenStateAsync(string statePath, bool patient)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                return ApplianceState.Open(statePath, new ServerIdentity(), TimeProvider.System);
            }
            catch (StateDirectoryException e) when (patient && e.Message.Contains("in use", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Decodes the handed state against this appliance's identity; refuses the whole hand-over when it does not fit.</summary>
    public static HandoverSettings Check(HandoverBundle? incoming, ApplianceState state, string statePath, int waitSeconds)
    {
        string? notify = SystemdFdStore.Available(ProcessEnvironment()) ? Environment.GetEnvironmentVariable("NOTIFY_SOCKET") : null;
        var settings = new HandoverSettings(statePath, TimeSpan.FromSeconds(waitSeconds), notify, null, null, []);
        if (incoming is null)
            return settings;
        var names = incoming.Names;
        var carried = Decode(incoming, AgentHandover.IdentityOf(state.Ca), out string? refusal);
        if (carried is null)
        {
            var closed = incoming.CloseUnclaimed();
            Console.Error.WriteLine($"appliance-agent: the hand-over from {incoming.Source} is refused: {refusal}; starting clean ({closed.Count} handed fds closed)");
            return settings with { ReceivedNames = names };
        }
        Console.WriteLine($"appliance-agent: taking over from {incoming.Source}: {carried.Sessions.Count} sessions; fds {string.Join(", ", incoming.Names)}");
        return settings with { Incoming = incoming, CarriedState = carried, ReceivedNames = names };
    }

    private static TunnelState? Decode(HandoverBundle incoming, string identity, out string? refusal)
    {
        int fd = incoming.Take(HandoverBundle.StateName);
        if (fd < 0)
        {
            refusal = "it holds no state";
            return null;
        }
        byte[]? blob = null;
        try
        {
            blob = HandoverNative.ReadSealed(fd, out refusal);
            if (blob is null)
                return null;
            return TunnelStateCodec.TryDecode(blob, identity, out var carried, out refusal) ? carried : null;
        }
        finally
        {
            HandoverNative.Close(fd);
            if (blob is not null)
                CryptographicOperations.ZeroMemory(blob);
        }
    }

    private static Dictionary<string, string?> ProcessEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            environment[(string)entry.Key] = entry.Value as string;
        return environment;
    }
}
