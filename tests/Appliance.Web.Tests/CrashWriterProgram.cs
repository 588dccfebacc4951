using System.Globalization;
using Appliance.Web.Audit;
using Appliance.Web.Data;

namespace Appliance.Web.Tests;

/// <summary>
/// This assembly's entry point. The test runner never calls it; <see cref="Http.DurabilityTests"/> runs the assembly as a child
/// process with <c>crash-writer DATA-DIR</c>, which appends audit entries in a loop until it is killed and prints
/// <c>committed N</c> after each insert has returned (that is, after its transaction committed).
/// </summary>
public static class CrashWriterProgram
{
    public const string Command = "crash-writer";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 2 || args[0] != Command)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} DATA-DIR (run by DurabilityTests)");
            return 2;
        }
        var directory = PanelDataDirectory.Create(args[1]);
        var database = new PanelDatabase(directory.DatabasePath);
        await using (var connection = await database.OpenAsync())
            await SchemaMigrator.MigrateAsync(connection);
        var log = new AuditLog(database, TimeProvider.System);
        var actor = new AuditActor("crash-writer", "127.0.0.1");
        Console.WriteLine("ready");
        for (long i = 0; ; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            // A detail of some size so pages fill and the WAL grows and checkpoints while the writer is killed.
            await log.RecordAsync(actor, "crash.test", n, new string('x', 200 + (int)(i % 800)));
            Console.WriteLine("committed " + n);
        }
    }
}
