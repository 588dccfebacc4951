using System.Globalization;
using Appliance.Agent.Pki;
using Appliance.Agent.State;

namespace Appliance.Agent.Tests;

/// <summary>
/// This assembly's entry point. The test runner never calls it; <see cref="RegistryCrashTests"/> runs the assembly as a child
/// process with <c>crash-writer STATE-DIR ROUND</c>, which changes the registry in a loop until it is killed and prints one
/// line after each change has returned (that is, after it is durable).
/// </summary>
public static class CrashWriterProgram
{
    public const string Command = "crash-writer";

    public static int Main(string[] args)
    {
        if (args.Length != 3 || args[0] != Command || !OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine($"usage: {Command} STATE-DIR ROUND (run by RegistryCrashTests)");
            return 2;
        }
        string round = args[2];
        using var state = ApplianceState.Open(args[1], new ServerIdentity(), TimeProvider.System);
        var clients = state.Clients;
        Console.WriteLine("ready");
        var inForce = new List<string>();
        foreach (var record in clients.List())
            if (!record.IsRevoked)
                inForce.Add(record.Name);
        for (int i = 0; ; i++)
        {
            string name = $"r{round}-c{i.ToString(CultureInfo.InvariantCulture)}";
            var issued = clients.Issue(name);
            if (!issued.Succeeded)
                return Fail(issued.Detail);
            Console.WriteLine($"issued {name} {issued.Value!.Record.SerialNumber}");
            inForce.Add(name);

            if (i % 3 == 2)
            {
                string victim = inForce[Random.Shared.Next(inForce.Count)];
                var revoked = clients.Revoke(victim);
                if (!revoked.Succeeded)
                    return Fail(revoked.Detail);
                inForce.Remove(victim);
                Console.WriteLine($"revoked {victim} {revoked.Value!.SerialNumber}");
            }
            if (i % 4 == 3 && inForce.Count > 0)
            {
                string toggled = inForce[Random.Shared.Next(inForce.Count)];
                bool disable = clients.FindLatest(toggled) is not { Disabled: true };
                var changed = clients.SetDisabled(toggled, disable);
                if (!changed.Succeeded)
                    return Fail(changed.Detail);
                Console.WriteLine($"{(disable ? "disabled" : "enabled")} {toggled} {changed.Value!.SerialNumber}");
            }
            if (i % 5 == 4 && inForce.Count > 0)
            {
                string renewing = inForce[Random.Shared.Next(inForce.Count)];
                var renewed = clients.Renew(renewing);
                if (!renewed.Succeeded)
                    return Fail(renewed.Detail);
                Console.WriteLine($"renewed {renewing} {renewed.Value!.Record.RenewedFrom} {renewed.Value.Record.SerialNumber}");
            }
        }
    }

    private static int Fail(string? detail)
    {
        Console.WriteLine("failed " + detail);
        return 1;
    }
}
