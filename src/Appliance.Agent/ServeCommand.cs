using System.Reflection;
using System.Runtime.Versioning;
using Appliance.Agent.Pki;
using Appliance.Agent.State;
using Appliance.Contracts;
using Appliance.Tunnel.Switching;

namespace Appliance.Agent;

/// <summary><c>appliance-agent serve</c>: hosts the engine and the control API until stopped.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (options, errors) = AgentOptions.Parse(args);
        if (options is null)
        {
            foreach (var error in errors)
                Console.Error.WriteLine("appliance-agent: " + error);
            return 2;
        }

        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("appliance-agent: serve runs on Linux only (TAP devices, packet sockets, flock on the state directory)");
            return 1;
        }
        string statePath = options.StatePath ?? StateDirectory.ResolveDefaultPath(Environment.GetEnvironmentVariable("STATE_DIRECTORY"), AppContext.BaseDirectory);
        ApplianceState state;
        try
        {
            state = ApplianceState.Open(statePath, new ServerIdentity(), TimeProvider.System);
        }
        catch (StateDirectoryException e)
        {
            Console.Error.WriteLine("appliance-agent: " + e.Message);
            return 1;
        }
        using var _ = state;
        if (state.CreatedCa || state.NewPairingToken is not null)
            Console.WriteLine(FirstStartMessage(state));

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(options.Listen));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new EthernetSwitch(
            new SwitchOptions { Policy = options.AllLayer2 ? SwitchPolicy.AllLayer2 : SwitchPolicy.PppoeOnly },
            sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton(state.Clients);
        builder.Services.AddHostedService<RevocationListRefresher>();
        builder.Services.AddSingleton<Uplink>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Uplink>());

        var app = builder.Build();
        var started = DateTimeOffset.UtcNow;
        string version = typeof(ServeCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

        app.MapGet("/health", (EthernetSwitch sw, Uplink uplink) => TypedResults.Ok(Status(sw, uplink, version, started)));
        app.MapGet("/api/v1/ports", (EthernetSwitch sw) =>
        {
            var ports = new List<PortStatus>();
            foreach (var port in sw.Ports)
                ports.Add(CounterDtos.From(port));
            return TypedResults.Ok(ports);
        });

        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"appliance-agent: cannot start: {e.Message}");
            return 1;
        }
        var uplinkInfo = app.Services.GetRequiredService<Uplink>();
        Console.WriteLine($"appliance-agent {version}: API on http://{options.Listen}/ (GET /health, GET /api/v1/ports); uplink {uplinkInfo.Description}; state in {state.Directory.FullPath}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>One line; the pairing token is the only secret the agent ever prints, and only the start that created it.</summary>
    [SupportedOSPlatform("linux")]
    private static string FirstStartMessage(ApplianceState state)
    {
        string created = state.CreatedCa
            ? $"created CA '{state.Ca.Certificate.Subject}', server certificate '{state.Ca.ServerName}' and tls-crypt key in {state.Directory.FullPath}"
            : $"state in {state.Directory.FullPath}";
        return state.NewPairingToken is { } token
            ? $"appliance-agent: first start: {created}; pairing token (shown only now, stored as a hash): {token} - paste it into the panel's 'Add appliance' form"
            : $"appliance-agent: first start: {created}";
    }

    private static AgentStatus Status(EthernetSwitch sw, Uplink uplink, string version, DateTimeOffset started)
    {
        var ports = new List<PortStatus>();
        foreach (var port in sw.Ports)
            ports.Add(CounterDtos.From(port));
        return new AgentStatus(version, uplink.Name, uplink.Kind, started, ports);
    }
}
