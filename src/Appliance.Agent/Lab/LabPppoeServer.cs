using Appliance.Contracts;

namespace Appliance.Agent.Lab;

/// <summary>
/// The one-machine lab's ISP: boots a user-mode-linux guest running pppoe-server on a TAP of the lab bridge, restarts it
/// when it dies (at most <see cref="LabPppoeServerOptions.MaxRestarts"/> times in a row), and on shutdown stops it by its
/// PID and removes the TAP.
/// </summary>
/// <remarks>
/// Status moves starting → running (init printed its marker) and back to starting while a dead guest is restarted;
/// "failed" is final for this run (bridge missing, TAP not creatable, restarts used up), "unavailable" means the machine
/// lacks something and says what to install. A guest that ran for <see cref="StableRun"/> resets the restart count.
/// </remarks>
public sealed class LabPppoeServer : IHostedService, ILabPppoeServer, IDisposable
{
    public const string Starting = "starting";
    public const string RunningState = "running";
    public const string Failed = "failed";
    public const string Unavailable = "unavailable";
    public const string ConsoleLogName = "isp-console.log";
    private static readonly TimeSpan StableRun = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan BridgePoll = TimeSpan.FromMilliseconds(200);

    private readonly LabPppoeServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LabPppoeServer> _log;
    private readonly LabNetwork _network;
    private readonly bool _isRoot;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private LabStatusDto _status = new(Starting, "not started");
    private LabGuest? _guest;
    private Task _supervisor = Task.CompletedTask;
    private bool _tapCreated;
    private int _disposed;

    public LabPppoeServer(LabPppoeServerOptions options, TimeProvider time, ILogger<LabPppoeServer> log)
        : this(options, time, log, Environment.IsPrivilegedProcess)
    {
    }

    internal LabPppoeServer(LabPppoeServerOptions options, TimeProvider time, ILogger<LabPppoeServer> log, bool isRoot)
    {
        _options = options;
        _time = time;
        _log = log;
        _isRoot = isRoot;
        _network = new LabNetwork(options.NetworkNamespace);
    }

    public LabStatusDto Status => Volatile.Read(ref _status);

    /// <summary>The running guest's main PID (user-mode-linux), or null.</summary>
    public int? GuestProcessId
    {
        get
        {
            lock (_gate)
                return _guest is { HasExited: false } guest ? guest.Pid : null;
        }
    }

    /// <summary>Where the guest's console goes (kernel messages, pppd's log of every session).</summary>
    public string ConsoleLog => Path.Combine(_options.Directory, ConsoleLogName);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if ((_options.Invalid() ?? LabPrerequisites.Missing(_options, _isRoot)) is { } missing)
        {
            SetStatus(Unavailable, missing);
            LabLog.Unavailable(_log, missing);
            return Task.CompletedTask;
        }
        SetStatus(Starting, $"waiting for bridge '{_options.Bridge}'");
        // Booting takes seconds: the host does not wait for it, the status tells how far it got.
        _supervisor = Task.Run(() => SuperviseAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _supervisor.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's stop timeout passed: tear down anyway, below.
        }
        TearDown();
    }

    /// <summary>Idempotent: the container disposes this once per service type it is registered as.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _stopping.Cancel();
        TearDown();
        _stopping.Dispose();
    }

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        if (!OperatingSystem.IsLinux())
            return; // StartAsync reported it unavailable
        try
        {
            if (!await WaitForBridgeAsync(stopping).ConfigureAwait(false))
            {
                Fail($"lab bridge '{_options.Bridge}' does not exist after {_options.BridgeWait.TotalSeconds:0} s (the uplink creates it)");
                return;
            }
            string version = LabPrerequisites.UmlModuleVersion(_options)!;
            string script = LabGuestInit.Write(_options, version);
            File.WriteAllText(ConsoleLog, "");
            var (ok, error) = _network.AddTap(_options.TapName, _options.Bridge);
            if (!ok)
            {
                Fail($"cannot create TAP '{_options.TapName}' on bridge '{_options.Bridge}': {error}");
                return;
            }
            lock (_gate)
                _tapCreated = true;
            await RunGuestsAsync(script, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutdown while booting or waiting: StopAsync tears down.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            Fail($"{e.Message} (console: {ConsoleLog})");
        }
    }

    private async Task RunGuestsAsync(string script, CancellationToken stopping)
    {
        int restarts = 0;
        while (true)
        {
            SetStatus(Starting, restarts == 0
                ? $"booting the user-mode-linux guest (console: {ConsoleLog})"
                : $"restarting the guest after it ended ({restarts} of {_options.MaxRestarts}; console: {ConsoleLog})");
            File.AppendAllText(ConsoleLog, $"=== appliance-agent: boot {restarts + 1} at {_time.GetUtcNow():u} ===\n");
            var guest = LabGuest.Start(_options, script, ConsoleLog);
            lock (_gate)
                _guest = guest;
            LabLog.Booting(_log, guest.Pid, _options.TapName, _options.Bridge, ConsoleLog);
            var exited = guest.WaitForExitAsync(stopping);
            Task first;
            using (var bootWait = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                first = await Task.WhenAny(guest.Running, exited, Task.Delay(_options.BootTimeout, _time, bootWait.Token)).ConfigureAwait(false);
                await bootWait.CancelAsync().ConfigureAwait(false);
            }
            stopping.ThrowIfCancellationRequested();
            var bootedAt = _time.GetTimestamp();
            if (first == guest.Running)
            {
                SetStatus(RunningState, _options.Offer());
                LabLog.Running(_log, _options.Bridge, _options.ServiceName, _options.User);
                await exited.ConfigureAwait(false);
            }
            else if (first != exited)
            {
                guest.Stop();
            }
            stopping.ThrowIfCancellationRequested();
            string ended = first == exited || first == guest.Running
                ? "ended"
                : $"did not report pppoe-server running within {_options.BootTimeout.TotalSeconds:0} s";
            string tail = guest.Tail();
            lock (_gate)
                _guest = null;
            guest.Dispose();
            if (first == guest.Running && _time.GetElapsedTime(bootedAt) >= StableRun)
                restarts = 0;
            if (restarts >= _options.MaxRestarts)
            {
                Fail($"the guest {ended} {restarts + 1} times in a row; last console lines: {tail} (console: {ConsoleLog})");
                return;
            }
            restarts++;
            LabLog.GuestEnded(_log, restarts, _options.MaxRestarts, tail);
            // Backoff 2, 4, 8 … s: a guest that dies at once does not spin.
            await Task.Delay(TimeSpan.FromSeconds(1 << Math.Min(restarts, 5)), _time, stopping).ConfigureAwait(false);
        }
    }

    private async Task<bool> WaitForBridgeAsync(CancellationToken stopping)
    {
        long started = _time.GetTimestamp();
        while (!_network.Exists(_options.Bridge))
        {
            if (_time.GetElapsedTime(started) >= _options.BridgeWait)
                return false;
            await Task.Delay(BridgePoll, _time, stopping).ConfigureAwait(false);
        }
        return true;
    }

    private void TearDown()
    {
        LabGuest? guest;
        bool tap;
        lock (_gate)
        {
            (guest, _guest) = (_guest, null);
            (tap, _tapCreated) = (_tapCreated, false);
        }
        int pid = guest?.Pid ?? 0;
        guest?.Dispose();
        if (tap)
            _network.DeleteLink(_options.TapName);
        if (guest is not null || tap)
            LabLog.Stopped(_log, pid, _options.TapName);
    }

    private void Fail(string reason)
    {
        SetStatus(Failed, reason);
        LabLog.Failed(_log, reason);
    }

    private void SetStatus(string state, string detail) => Volatile.Write(ref _status, new LabStatusDto(state, detail));
}
