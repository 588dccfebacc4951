using System.Collections.Concurrent;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Appliance.Agent.State;
using Appliance.Contracts;
using Appliance.Tunnel.Capture;
using Appliance.Tunnel.Sessions;

namespace Appliance.Agent.Captures;

/// <summary>The session captures the API started: pcapng files in <c>&lt;state&gt;/captures/</c>, bounded in number and size.</summary>
/// <remarks>
/// At most <see cref="MaxRunning"/> run at once and <see cref="MaxKept"/> files are kept (the oldest finished one is
/// removed to make room); a capture whose session closes is stopped by <see cref="CaptureWatcher"/> and stays listed and
/// downloadable with the ended session until the ended-session retention forgets that session (<see cref="ForgetSession"/>)
/// or room is made. Files do not outlive the agent: the directory is emptied at start, since their metadata lives in memory only.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class CaptureStore
{
    public const string DirectoryName = "captures";
    public const int MaxRunning = 8;
    public const int MaxKept = 32;
    /// <summary>The most the capture files may take together, counting each running capture at its own bound.</summary>
    public const long MaxTotalBytes = 2L << 30;

    private readonly ConcurrentDictionary<string, CaptureEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;

    public CaptureStore(StateDirectory state, TimeProvider time)
    {
        _time = time;
        Directory = Path.Combine(state.FullPath, DirectoryName);
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (string leftover in System.IO.Directory.EnumerateFiles(Directory))
            File.Delete(leftover);
    }

    public string Directory { get; }

    /// <summary>Every problem with a request, by field; empty when it may start.</summary>
    public static Dictionary<string, string[]> Validate(CaptureRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.MaxSeconds is { } seconds && seconds is < 1 or > 604800)
            errors["maxSeconds"] = [$"{seconds} is outside 1..604800"];
        if (request.MaxBytes is { } bytes && bytes is < CaptureOptions.MinFileBytes or > 1L << 30)
            errors["maxBytes"] = [$"{bytes} is outside {CaptureOptions.MinFileBytes}..1073741824"];
        if (request.MaxFrames is { } frames && frames < 1)
            errors["maxFrames"] = [$"{frames} must be at least 1"];
        return errors;
    }

    /// <summary>Starts capturing <paramref name="session"/>; a problem (why not) instead when it cannot.</summary>
    public (CaptureEntry? Entry, string? Conflict) Start(TunnelSession session, CaptureRequest request)
    {
        if (session.Port is not { IsLive: true } port || session.IsClosing)
            return (null, $"session {session.Name} is not established (or is closing): nothing to capture");
        lock (_gate)
        {
            int running = 0;
            foreach (var e in _entries.Values)
                if (e.IsRunning)
                    running++;
            if (running >= MaxRunning)
                return (null, $"{MaxRunning} captures are running already; stop one first");
            if (port.Tap is not null)
                return (null, $"session {session.Name} is being captured already; stop that capture first");
            long maxBytes = request.MaxBytes ?? 64L * 1024 * 1024;
            if (!MakeRoom(maxBytes))
                return (null, $"the captures would take more than {MaxTotalBytes >> 20} MiB together; stop or delete one, or ask for fewer bytes (maxBytes)");
            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            string path = Path.Combine(Directory, id + ".pcapng");
            var options = new CaptureOptions
            {
                MaxDuration = TimeSpan.FromSeconds(request.MaxSeconds ?? 600),
                MaxFileBytes = maxBytes,
                MaxFrames = request.MaxFrames,
                RedactCredentials = request.RedactCredentials,
            };
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.Read | FileShare.Delete,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            PortCapture capture;
            try
            {
                capture = PortCapture.Attach(port, stream, options, _time);
            }
            catch
            {
                stream.Dispose();
                File.Delete(path);
                throw;
            }
            var entry = new CaptureEntry(id, session.Name, session.CommonName, _time.GetUtcNow(), path, capture, port, !request.RedactCredentials, _time);
            entry.WatchEngineStop();
            _entries[id] = entry;
            return (entry, null);
        }
    }

    public CaptureEntry? Find(string id) => _entries.TryGetValue(id, out var entry) ? entry : null;

    /// <summary>Newest first.</summary>
    public List<CaptureEntry> List()
    {
        var list = new List<CaptureEntry>(_entries.Values);
        list.Sort((a, b) => b.StartedAt.CompareTo(a.StartedAt));
        return list;
    }

    /// <summary>Removes a finished capture and its file; false when it is still running.</summary>
    public bool Delete(CaptureEntry entry)
    {
        if (entry.IsRunning)
            return false;
        _entries.TryRemove(entry.Id, out _);
        File.Delete(entry.Path);
        return true;
    }

    /// <summary>Removes the finished captures of a session the ended-session retention forgot (a running one is left to its bounds).</summary>
    public void ForgetSession(string sessionId)
    {
        foreach (var entry in _entries.Values)
        {
            if (string.Equals(entry.SessionId, sessionId, StringComparison.OrdinalIgnoreCase))
                Delete(entry);
        }
    }

    /// <summary>Stops running captures whose session port left the switch.</summary>
    public IEnumerable<CaptureEntry> StopOrphans()
    {
        foreach (var entry in _entries.Values)
        {
            if (entry.IsRunning && !entry.Port.IsLive)
            {
                entry.Stop(CaptureEntry.SessionClosed, _time.GetUtcNow());
                yield return entry;
            }
        }
    }

    public void StopAll()
    {
        foreach (var entry in _entries.Values)
            if (entry.IsRunning)
                entry.Stop("agent-stopped", _time.GetUtcNow());
    }

    /// <summary>Removes the oldest finished captures until one more fits in count and in bytes; false when it cannot.</summary>
    private bool MakeRoom(long maxBytes)
    {
        while (_entries.Count >= MaxKept || Committed() + maxBytes > MaxTotalBytes)
        {
            CaptureEntry? oldest = null;
            foreach (var e in _entries.Values)
                if (!e.IsRunning && (oldest is null || e.StartedAt < oldest.StartedAt))
                    oldest = e;
            if (oldest is null)
                return _entries.Count < MaxKept && Committed() + maxBytes <= MaxTotalBytes;
            Delete(oldest);
        }
        return true;
    }

    /// <summary>Bytes the kept files hold, running captures counted at their bound.</summary>
    private long Committed()
    {
        long total = 0;
        foreach (var e in _entries.Values)
            total += e.IsRunning ? e.MaxBytes : e.FileBytes;
        return total;
    }
}
