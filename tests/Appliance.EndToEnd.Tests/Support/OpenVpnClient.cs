namespace Appliance.EndToEnd.Tests.Support;

/// <summary>The stock OpenVPN 2.6 client, run as a user would with a given .ovpn, in a network namespace.</summary>
public sealed class OpenVpnClient : IDisposable
{
    public const string Connected = "Initialization Sequence Completed";
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(20);
    private readonly OpenVpnProcess _openvpn;

    private OpenVpnClient(OpenVpnProcess openvpn) => _openvpn = openvpn;

    /// <summary>The TAP the client opened (e.g. "tap0"); null until it did.</summary>
    public string? TapName => _openvpn.TapName;

    /// <summary>This run's log (verb 3): "VERIFY ERROR", "AUTH_FAILED", "Initialization Sequence Completed" …</summary>
    public string Log => _openvpn.Log;

    public int Pid => _openvpn.Pid;

    public bool HasExited => _openvpn.HasExited;

    /// <summary>The exit code once openvpn ended (0 after SIGTERM, 1 after a fatal error); null while it runs.</summary>
    public int? ExitCode => _openvpn.ExitCode;

    /// <summary>Starts the client without waiting; for failures to connect, watch <see cref="Log"/>.</summary>
    /// <param name="bridge">If set, the TAP becomes a port of this bridge in <paramref name="ns"/> whenever it opens.</param>
    public static OpenVpnClient Start(NetworkNamespace ns, string profile, string? bridge = null)
    {
        var openvpn = new OpenVpnProcess(ns, profile, bridge);
        try
        {
            openvpn.Start();
        }
        catch
        {
            openvpn.Dispose();
            throw;
        }
        return new OpenVpnClient(openvpn);
    }

    /// <summary>Starts the client with no script options from the fixture: only the profile's own <c>up</c> (if any) touches
    /// the TAP, and nothing bridges it. For proving that a profile brings its TAP up by itself.</summary>
    public static OpenVpnClient StartWithProfileScripts(NetworkNamespace ns, string profile)
    {
        var openvpn = new OpenVpnProcess(ns, profile, bridge: null, profileScripts: true);
        try
        {
            openvpn.Start();
        }
        catch
        {
            openvpn.Dispose();
            throw;
        }
        return new OpenVpnClient(openvpn);
    }

    /// <summary>Starts the client and waits (bounded) until it logs "Initialization Sequence Completed"; its TAP is up by then.</summary>
    public static OpenVpnClient Connect(NetworkNamespace ns, string profile, string? bridge = null, TimeSpan? timeout = null)
    {
        var client = Start(ns, profile, bridge);
        try
        {
            client.WaitUntilConnected(timeout);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return client;
    }

    /// <summary>Throws (with the log) unless the current run reaches "Initialization Sequence Completed" in time.</summary>
    public void WaitUntilConnected(TimeSpan? timeout = null, int occurrences = 1) =>
        _openvpn.ExpectLog(Connected, timeout ?? DefaultConnectTimeout, occurrences);

    public bool WaitForLog(string text, TimeSpan timeout, int occurrences = 1) => _openvpn.WaitForLog(text, timeout, occurrences);

    public bool WaitForExit(TimeSpan timeout) => Poll.Until(() => _openvpn.HasExited, timeout);

    /// <summary>SIGTERM: the client says goodbye (explicit-exit-notify over UDP) and exits.</summary>
    public int Stop() => _openvpn.Stop();

    /// <summary>SIGKILL: the server is not told; it finds out by ping-restart.</summary>
    public int Kill() => _openvpn.Kill();

    /// <summary>Stops this run and starts a new one (a new process, a new session id, a fresh log) without waiting.</summary>
    public void Restart()
    {
        _openvpn.Stop();
        _openvpn.Start();
    }

    /// <summary>Starts a new run (new process, new session id, fresh log) after this one ended, e.g. after <see cref="Kill"/>.</summary>
    public void Relaunch() => _openvpn.Start();

    public void Dispose() => _openvpn.Dispose();
}
