using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Appliance.Agent.Handover;

/// <summary>The libc calls of the hand-over that .NET does not offer: sealed memfds and SCM_RIGHTS (fds in a Unix socket
/// message). Linux x86-64 and arm64 (the constants and layouts below are the same on both).</summary>
/// <remarks>Written by hand as the engine's and the state directory's calls are (LibraryImport, source-generated, no
/// runtime marshalling): the package list's Tmds.LibC 0.5.0 would bring a whole libc binding for five calls.</remarks>
internal static unsafe partial class HandoverNative
{
    private const string Libc = "libc";
    private const uint MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
    public const int F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;
    private const int F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
    /// <summary>No further seals, no shrinking, growing or writing: what the reader checks before it trusts the contents.</summary>
    public const int AllSeals = 0x1 | 0x2 | 0x4 | 0x8;
    private const int SOL_SOCKET = 1, SCM_RIGHTS = 1;
    private const int MSG_CMSG_CLOEXEC = 0x40000000, MSG_NOSIGNAL = 0x4000;
    /// <summary>The most fds one hand-over message carries.</summary>
    public const int MaxFds = 32;

    [LibraryImport(Libc, EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "sendmsg", SetLastError = true)]
    private static partial nint SendMessage(nint socket, MessageHeader* message, int flags);

    [LibraryImport(Libc, EntryPoint = "recvmsg", SetLastError = true)]
    private static partial nint ReceiveMessage(nint socket, MessageHeader* message, int flags);

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>A memfd holding <paramref name="contents"/>, sealed against any change; the caller owns the fd.</summary>
    public static int SealedMemory(string name, ReadOnlySpan<byte> contents) => Memory(name, contents, seal: true);

    /// <summary>A memfd holding <paramref name="contents"/>, sealed or not (an unsealed one is what the reader refuses).</summary>
    public static int Memory(string name, ReadOnlySpan<byte> contents, bool seal)
    {
        int fd = MemfdCreate(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
            throw new IOException($"memfd_create failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            using (var handle = new SafeFileHandle(fd, ownsHandle: false))
                RandomAccess.Write(handle, contents, 0);
            if (seal && Fcntl(fd, F_ADD_SEALS, AllSeals) < 0)
                throw new IOException($"sealing the memfd failed: errno {Marshal.GetLastPInvokeError()}");
            return fd;
        }
        catch
        {
            Close(fd);
            throw;
        }
    }

    /// <summary>The contents of a sealed memfd; null with the reason when the fd is not a fully sealed memfd.</summary>
    public static byte[]? ReadSealed(int fd, out string? refusal)
    {
        int seals = Fcntl(fd, F_GET_SEALS, 0);
        if (seals < 0 || (seals & AllSeals) != AllSeals)
        {
            refusal = seals < 0 ? "the hand-over state is not in a memfd" : $"the hand-over state's memfd is not sealed (seals 0x{seals:x})";
            return null;
        }
        using var handle = new SafeFileHandle(fd, ownsHandle: false);
        long length = RandomAccess.GetLength(handle);
        if (length > 256 << 20)
        {
            refusal = $"the hand-over state is too large ({length} bytes)";
            return null;
        }
        var contents = new byte[length];
        int read = 0;
        while (read < contents.Length)
        {
            int n = RandomAccess.Read(handle, contents.AsSpan(read), read);
            if (n <= 0)
                break;
            read += n;
        }
        refusal = read == contents.Length ? null : "the hand-over state could not be read whole";
        return refusal is null ? contents : null;
    }

    /// <summary>Sends <paramref name="payload"/> with <paramref name="fds"/> as SCM_RIGHTS on a connected Unix socket.</summary>
    public static void Send(SafeHandle socket, ReadOnlySpan<byte> payload, ReadOnlySpan<int> fds)
    {
        if (fds.Length > MaxFds)
            throw new ArgumentOutOfRangeException(nameof(fds), $"at most {MaxFds} fds in one message");
        int controlLength = ControlSpace(fds.Length);
        var control = stackalloc byte[ControlSpace(MaxFds)];
        new Span<byte>(control, controlLength).Clear();
        if (fds.Length > 0)
        {
            *(nuint*)control = (nuint)(16 + 4 * fds.Length);
            *(int*)(control + 8) = SOL_SOCKET;
            *(int*)(control + 12) = SCM_RIGHTS;
            fds.CopyTo(new Span<int>(control + 16, fds.Length));
        }
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            fixed (byte* data = payload)
            {
                var vector = new IoVector { Base = data, Length = (nuint)payload.Length };
                var message = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = fds.Length > 0 ? control : null, ControlLength = fds.Length > 0 ? (nuint)controlLength : 0 };
                nint sent = SendMessage(socket.DangerousGetHandle(), &message, MSG_NOSIGNAL);
                if (sent != payload.Length)
                    throw new IOException($"sendmsg failed: {(sent < 0 ? $"errno {Marshal.GetLastPInvokeError()}" : $"{sent} of {payload.Length} bytes")}");
            }
        }
        finally
        {
            if (added)
                socket.DangerousRelease();
        }
    }

    /// <summary>Receives one message and the fds it carries (close-on-exec); the payload's length, or -1 on error.</summary>
    public static int Receive(SafeHandle socket, Span<byte> payload, List<int> fds)
    {
        int controlLength = ControlSpace(MaxFds);
        var control = stackalloc byte[controlLength];
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            fixed (byte* data = payload)
            {
                var vector = new IoVector { Base = data, Length = (nuint)payload.Length };
                var message = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = control, ControlLength = (nuint)controlLength };
                nint received = ReceiveMessage(socket.DangerousGetHandle(), &message, MSG_CMSG_CLOEXEC);
                if (received < 0)
                    return -1;
                for (nuint offset = 0; offset + 16 <= message.ControlLength;)
                {
                    nuint length = *(nuint*)(control + offset);
                    if (length < 16)
                        break;
                    if (*(int*)(control + offset + 8) == SOL_SOCKET && *(int*)(control + offset + 12) == SCM_RIGHTS)
                    {
                        int count = (int)((length - 16) / 4);
                        for (int i = 0; i < count; i++)
                            fds.Add(*(int*)(control + offset + 16 + (nuint)(4 * i)));
                    }
                    offset += (length + 7) & ~(nuint)7;
                }
                return (int)received;
            }
        }
        finally
        {
            if (added)
                socket.DangerousRelease();
        }
    }

    /// <summary>Marks an inherited fd close-on-exec, so no child process (ip, a lab guest) keeps it.</summary>
    public static bool SetCloseOnExec(int fd) => Fcntl(fd, F_SETFD, FD_CLOEXEC) >= 0;

    private static int ControlSpace(int fds) => 16 + ((4 * fds + 7) & ~7);
}
