using System.Diagnostics;
using System.Globalization;

namespace Appliance.Tunnel.Tests.Capture;

/// <summary>Reads capture files with the real Wireshark dissector, so the tests check the file format against its reference reader.</summary>
/// <remarks>A missing tshark fails the test with how to install it: CI installs it, and a silent skip would hide a broken writer.</remarks>
internal static class Tshark
{
    private static readonly Lazy<string> Executable = new(() => Locate(Environment.GetEnvironmentVariable("PATH")));

    /// <summary>Finds tshark on <paramref name="searchPath"/> (a PATH value) or throws with the fix.</summary>
    public static string Locate(string? searchPath)
    {
        foreach (var directory in (searchPath ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "tshark");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new TsharkMissingException(
            $"tshark was not found on PATH '{searchPath}'; the capture tests read their files with it. " +
            "Install it (Debian/Ubuntu: apt-get install tshark) — CI does.");
    }

    /// <summary>One row per frame, the given fields in order (empty string when a frame lacks the field).</summary>
    public static IReadOnlyList<string[]> Fields(string file, params string[] fields)
    {
        var arguments = new List<string> { "-r", file, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f" };
        foreach (var field in fields)
        {
            arguments.Add("-e");
            arguments.Add(field);
        }
        var rows = new List<string[]>();
        foreach (var line in Run(arguments).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            rows.Add(line.Split('\t'));
        return rows;
    }

    /// <summary>The captured bytes of every frame, from tshark's hex dump of each frame.</summary>
    public static IReadOnlyList<byte[]> FrameBytes(string file)
    {
        // Each packet is dumped as lines "0000  xx xx ... xx   ascii", packets separated by a blank line.
        var frames = new List<byte[]>();
        var current = new List<byte>();
        foreach (var raw in Run(["-r", file, "-x", "-Q"]).Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (current.Count > 0)
                    frames.Add([.. current]);
                current.Clear();
                continue;
            }
            // Offset (4 hex digits), two spaces, then up to 16 bytes as "xx " before the ASCII column.
            for (int i = 0; i < 16; i++)
            {
                int at = 6 + i * 3;
                if (at + 2 > line.Length || line[at] == ' ')
                    break;
                current.Add(byte.Parse(line.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
        if (current.Count > 0)
            frames.Add([.. current]);
        return frames;
    }

    private static string Run(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(Executable.Value)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("tshark did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException("tshark took more than 60 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"tshark {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}

internal sealed class TsharkMissingException(string message) : Exception(message);
