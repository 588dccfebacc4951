namespace Appliance.EndToEnd.Tests.Support;

/// <summary>Files a fixture writes for the programs it starts: private to root, scripts executable.</summary>
public static class ScratchFiles
{
    public static void WritePrivate(string path, string text) => Write(path, text, UnixFileMode.UserRead | UnixFileMode.UserWrite);

    public static void WriteExecutable(string path, string text) =>
        Write(path, text, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    private static void Write(string path, string text, UnixFileMode mode)
    {
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, mode);
    }
}
