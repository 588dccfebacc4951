using System.Diagnostics;

namespace Appliance.Agent;

/// <summary>Runs iproute2's <c>ip</c> with an argument list (never a shell string) and returns its result as a value.</summary>
internal static class IpCommand
{
    public static (bool Ok, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            string error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode == 0, error.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (false, $"cannot run 'ip' ({e.Message}); install iproute2");
        }
    }

    public static bool InterfaceExists(string name) => Directory.Exists(Path.Combine("/sys/class/net", name));
}
