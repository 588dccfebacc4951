using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Agent.State;

/// <summary>The two libc calls .NET does not offer: opening a directory (to fsync it) and flock without .NET's own FileShare locking.</summary>
/// <remarks>
/// .NET refuses to open a directory as a file (<see cref="File.OpenHandle(string, FileMode, FileAccess, FileShare, FileOptions, long)"/>
/// throws on one), yet a rename is durable only once its directory is fsynced. The returned descriptors are wrapped in
/// <see cref="SafeFileHandle"/>, so <see cref="RandomAccess"/> reads, writes and flushes them. Linux x86-64 and arm64: the flag
/// values below are the same on both (O_DIRECTORY is not, so it is not used).
/// </remarks>
internal static partial class StateNative
{
    private const string Libc = "libc";
    private const int O_RDONLY = 0x0;
    private const int O_RDWR = 0x2;
    private const int O_CREAT = 0x40;
    private const int O_CLOEXEC = 0x80000;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int EWOULDBLOCK = 11;

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(SafeFileHandle fd, int operation);

    /// <summary>Opens a file or a directory read-only, bypassing .NET's advisory FileShare locks.</summary>
    public static SafeFileHandle OpenReadOnly(string path) => Wrap(Open(path, O_RDONLY | O_CLOEXEC, 0), path);

    /// <summary>Opens (creating with <paramref name="mode"/>) a file read-write, bypassing .NET's advisory FileShare locks.</summary>
    public static SafeFileHandle OpenOrCreateReadWrite(string path, UnixFileMode mode) => Wrap(Open(path, O_RDWR | O_CREAT | O_CLOEXEC, (int)mode), path);

    /// <summary>flock(LOCK_EX | LOCK_NB): false when another open file holds the lock. The kernel drops it when the holder dies, even by SIGKILL.</summary>
    public static bool TryLockExclusive(SafeFileHandle handle)
    {
        if (Flock(handle, LOCK_EX | LOCK_NB) == 0)
            return true;
        int errno = Marshal.GetLastPInvokeError();
        if (errno == EWOULDBLOCK)
            return false;
        throw new IOException($"flock failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    /// <summary>fsync on a directory: makes the renames and creations in it durable.</summary>
    public static void FlushDirectory(string path)
    {
        using var handle = OpenReadOnly(path);
        RandomAccess.FlushToDisk(handle);
    }

    private static SafeFileHandle Wrap(int fd, string path)
    {
        if (fd >= 0)
            return new SafeFileHandle(fd, ownsHandle: true);
        int errno = Marshal.GetLastPInvokeError();
        throw new IOException($"cannot open '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
