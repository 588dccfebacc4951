using System.Runtime.Versioning;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Agent.State;

/// <summary>The one directory holding all of the agent's state; held by one agent at a time, every file replaced atomically.</summary>
/// <remarks>
/// Invariants: the directory is 0700; a file is never modified in place, only replaced by
/// <see cref="WriteAtomically(string, ReadOnlySpan{byte}, FileSecrecy)"/> (temp file in the same directory, fsync, rename,
/// fsync of the directory), so after a crash at any moment each file holds either its old or its new content;
/// <c>agent.lock</c> carries an flock for as long as this object lives and the holder's PID. Thread-safe: writes of
/// different names may run concurrently; one name has one writer (its owner, e.g. the registry under its own lock).
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class StateDirectory : IDisposable
{
    /// <summary>Where an installed appliance keeps its state (systemd <c>StateDirectory=appliance</c>).</summary>
    public const string InstalledPath = "/var/lib/appliance";
    public const string LockFileName = "agent.lock";
    private const string TempPrefix = ".tmp-";
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode SecretMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PublicMode = SecretMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private readonly SafeFileHandle _lock;

    private StateDirectory(string path, SafeFileHandle lockHandle)
    {
        FullPath = path;
        _lock = lockHandle;
    }

    public string FullPath { get; }

    /// <summary>
    /// The state directory when none is named: systemd's <c>$STATE_DIRECTORY</c> when set (the unit's
    /// <c>StateDirectory=appliance</c>); else <c>.lab/state</c> of the source checkout the agent was built in (a developer
    /// run, e.g. <c>./run.sh</c>; <c>/.lab/</c> is git-ignored); else <see cref="InstalledPath"/>.
    /// </summary>
    /// <param name="stateDirectoryVariable">The value of <c>$STATE_DIRECTORY</c> (systemd may list several, separated by ':'; the first is ours).</param>
    /// <param name="agentBaseDirectory">Where the agent's assembly lives (<see cref="AppContext.BaseDirectory"/>).</param>
    public static string ResolveDefaultPath(string? stateDirectoryVariable, string agentBaseDirectory)
    {
        if (!string.IsNullOrEmpty(stateDirectoryVariable))
            return stateDirectoryVariable.Split(':')[0];
        for (var dir = new DirectoryInfo(agentBaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
                return Path.Combine(dir.FullName, ".lab", "state");
        }
        return InstalledPath;
    }

    /// <summary>Creates the directory if needed (0700), tightens a looser mode, takes the lock and removes temp files a crash left behind.</summary>
    /// <exception cref="StateDirectoryException">Another agent holds the directory, or it cannot be created or locked; the message says which and what to do.</exception>
    public static StateDirectory Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(full, DirectoryMode);
            if ((File.GetUnixFileMode(full) & ~DirectoryMode) != 0)
                File.SetUnixFileMode(full, DirectoryMode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StateDirectoryException($"state directory '{full}' cannot be created or set to mode 0700: {e.Message}; run the agent as the directory's owner or name another with --state-dir", e);
        }

        var lockHandle = TakeLock(full);
        var directory = new StateDirectory(full, lockHandle);
        directory.RemoveLeftoverTemporaries();
        return directory;
    }

    public string PathOf(string name) => Path.Combine(FullPath, CheckName(name));

    public bool Exists(string name) => File.Exists(PathOf(name));

    /// <summary>The file's bytes, or null when it does not exist.</summary>
    public byte[]? TryRead(string name)
    {
        try
        {
            return File.ReadAllBytes(PathOf(name));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Replaces (or creates) <paramref name="name"/> so that a crash at any moment leaves the old or the new content, never a mix; returns once the new content is durable.</summary>
    public void WriteAtomically(string name, ReadOnlySpan<byte> content, FileSecrecy secrecy)
    {
        string target = PathOf(name);
        string temp = Path.Combine(FullPath, TempPrefix + name + "-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)));
        UnixFileMode mode = secrecy == FileSecrecy.Secret ? SecretMode : PublicMode;
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = mode,
            }))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            // The umask may have removed bits but never adds any; a secret is never created readable by others.
            File.Move(temp, target, overwrite: true);
            StateNative.FlushDirectory(FullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new StateDirectoryException($"cannot write '{target}': {e.Message}; check free space and that the agent owns '{FullPath}'", e);
        }
    }

    public void WriteAtomically(string name, string text, FileSecrecy secrecy) =>
        WriteAtomically(name, Encoding.UTF8.GetBytes(text), secrecy);

    /// <summary>Releases the lock; another agent may then open the directory.</summary>
    public void Dispose() => _lock.Dispose();

    private static SafeFileHandle TakeLock(string directory)
    {
        string lockPath = Path.Combine(directory, LockFileName);
        SafeFileHandle handle;
        try
        {
            handle = StateNative.OpenOrCreateReadWrite(lockPath, PublicMode);
        }
        catch (IOException e)
        {
            throw new StateDirectoryException($"cannot open lock file '{lockPath}': {e.Message}", e);
        }
        bool locked;
        try
        {
            locked = StateNative.TryLockExclusive(handle);
        }
        catch (IOException e)
        {
            handle.Dispose();
            throw new StateDirectoryException($"cannot lock '{lockPath}': {e.Message}", e);
        }
        if (!locked)
        {
            string holder = ReadHolder(handle);
            handle.Dispose();
            throw new StateDirectoryException($"state directory '{directory}' is in use by another appliance-agent ({holder}); stop it first, or give this one its own --state-dir");
        }
        byte[] pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        RandomAccess.SetLength(handle, 0);
        RandomAccess.Write(handle, pid, 0);
        return handle;
    }

    private static string ReadHolder(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[32];
        int read = RandomAccess.Read(handle, buffer, 0);
        string text = Encoding.ASCII.GetString(buffer[..read]).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? $"PID {pid}" : "PID unknown";
    }

    private void RemoveLeftoverTemporaries()
    {
        foreach (string temp in Directory.EnumerateFiles(FullPath, TempPrefix + "*"))
            TryDelete(temp);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A temp file that cannot be removed is harmless: it is never read, and the next start retries.
        }
    }

    private static string CheckName(string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or ".." || name.StartsWith(TempPrefix, StringComparison.Ordinal) || name == LockFileName)
            throw new ArgumentException($"'{name}' is not a state file name (a plain file name, not '{LockFileName}' or '{TempPrefix}*')", nameof(name));
        return name;
    }
}
