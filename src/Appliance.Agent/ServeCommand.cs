using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Appliance.Agent.Api;
using Appliance.Agent.Config;
using Appliance.Agent.Handover;
using Appliance.Agent.Hosting;
using Appliance.Agent.Lab;
using Appliance.Agent.Pki;
using Appliance.Agent.State;
using Appliance.Agent.Tunnel;
using Appliance.Contracts;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Appliance.Agent;

/// <summary><c>appliance-agent serve</c>: hosts the engine and the HTTPS control API until stopped.</summary>
/// <remarks>Exit codes: 0 stopped, 1 could not start (state, ports, devices), 2 bad flags or configuration.</remarks>
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
        return await RunAsync(options);
    }

    [SupportedOSPlatform("linux")]
    private static async Task<int> RunAsync(AgentOptions options)
    {
        string statePath = StatePaths.Resolve(options.StatePath);
        var configFile = AgentConfigFile.Locate(options.ConfigPath, statePath);
        if (options.ConfigPath is not null && !configFile.Exists)
        {
            Console.Error.WriteLine($"appliance-agent: config file '{configFile.Path}' (--config) does not exist");
            return 2;
        }
        var (config, configErrors) = configFile.Load(options.ToConfigOverrides(), AgentConfigFile.ProcessEnvironment(), Dns.GetHostName());
        if (config is null)
        {
            Console.Error.WriteLine($"appliance-agent: the configuration ({(configFile.Exists ? configFile.Path : "built-in defaults")}, APPLIANCE_* variables, flags) is invalid:");
            foreach (string line in configErrors.Lines())
                Console.Error.WriteLine("appliance-agent: " + line);
            return 2;
        }

        // Before the state directory's lock: a predecessor that hands over holds it until it has handed over.
        var incoming = await HandoverIntake.ReceiveAsync(statePath, TimeSpan.FromSeconds(10));
        ApplianceState state;
        X509Certificate2 apiCertificate;
        PresetPairing.Outcome preset;
        try
        {
            state = await HandoverIntake.OpenStateAsync(statePath, patient: incoming is not null);
        }
        catch (StateDirectoryException e)
        {
            incoming?.Dispose();
            Console.Error.WriteLine("appliance-agent: " + e.Message);
            return 1;
        }
        using var _ = state;
        var handover = HandoverIntake.Check(incoming, state, statePath, options.HandoverWaitSeconds);
        try
        {
            preset = PresetPairing.TryAdopt(options.PairingTokenPath, state.Pairing);
            apiCertificate = ApiCertificate.LoadOrCreate(state, TimeProvider.System);
        }
        catch (Exception e) when (e is StateDirectoryException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("appliance-agent: " + e.Message);
            return 1;
        }
        using var __ = apiCertificate;
        if (preset == PresetPairing.Outcome.Adopted)
            Console.WriteLine($"appliance-agent: adopted the preset pairing token from {options.PairingTokenPath} (stored as a hash; the file is deleted)");
        else if (preset == PresetPairing.Outcome.AdoptedNotDeleted)
            Console.WriteLine($"appliance-agent: adopted the preset pairing token from {options.PairingTokenPath} (stored as a hash) but could not delete the file; delete it once the panel has paired");
        else if (state.CreatedCa || state.NewPairingToken is not null)
            Console.WriteLine(FirstStartMessage(state));
        if (!state.CreatedCa && (state.Ca.CreatedTlsCryptV2ServerKey || state.Clients.TlsCryptV2KeysAddedAtOpen))
            Console.WriteLine($"appliance-agent: created the tls-crypt-v2 server key in {state.Directory.FullPath} and a tls-crypt-v2 key for each client in force; " +
                "profiles downloaded from now on use it (clients are then refused before TLS once revoked or disabled); older profiles keep working with tls-crypt");

        var app = Build(options, config, configFile, state, apiCertificate, handover);
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"appliance-agent: cannot start: {e.Message}");
            await app.DisposeAsync();
            return 1;
        }
        app.Services.GetRequiredService<AgentHandover>().FinishIntake();
        var url = BoundUrl(app);
        string fingerprint = CertificateFingerprint.Of(apiCertificate);
        app.Services.GetRequiredService<LocalAccess>().Publish(state.Directory, url, fingerprint);
        var uplink = app.Services.GetRequiredService<Uplink>();
        var tunnel = app.Services.GetRequiredService<TunnelHost>();
        Console.WriteLine($"appliance-agent {app.Services.GetRequiredService<AgentInfo>().Version}: API on {url} (certificate {fingerprint}); " +
            $"tunnel on {string.Join(", ", tunnel.Listeners)}; uplink {uplink.Description}; state in {state.Directory.FullPath}; " +
            $"local access file {state.Directory.PathOf(LocalAccess.FileName)}; config {(configFile.Exists ? configFile.Path : "built-in defaults")}");
        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        // The token dies with this process; a leftover file would only send the CLI to a closed port.
        File.Delete(state.Directory.PathOf(LocalAccess.FileName));
        return 0;
    }

    [SupportedOSPlatform("linux")]
    private static WebApplication Build(AgentOptions options, AgentConfigDto config, AgentConfigFile configFile, ApplianceState state, X509Certificate2 apiCertificate, HandoverSettings handover)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.AddSystemdIntegration();
        builder.WebHost.UseKestrelHttpsConfiguration();
        // Validated with the rest of the config.
        _ = ListenAddress.TryParseEndPoint(config.Api.Listen, out var apiEndpoint, out _);
        builder.WebHost.ConfigureKestrel(k => k.Listen(apiEndpoint, listen => listen.UseHttps(apiCertificate)));
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        builder.Services
            .AddAgentEngine(options, config, configFile, state, handover)
            .AddAgentApi(apiCertificate);
        // After the engine: the lab's ISP joins the bridge the uplink creates.
        bool labUplink = config.Uplink.Nic is null && config.Uplink.Bridge is null;
        builder.Services.AddLabPppoeServer(config.Uplink.LabBridge, enabled: labUplink && config.Lab.PppoeServer, state.Directory.PathOf("lab"));

        var app = builder.Build();
        app.UseAgentApi();
        return app;
    }

    private static Uri BoundUrl(WebApplication app)
    {
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "https://127.0.0.1:7443";
        var uri = new Uri(address);
        // A wildcard listener is reached locally through loopback.
        string host = uri.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : uri.Host;
        return new UriBuilder("https", host, uri.Port, "/").Uri;
    }

    /// <summary>One line; the pairing token is the only secret the agent ever prints, and only the start that created it.</summary>
    [SupportedOSPlatform("linux")]
    private static string FirstStartMessage(ApplianceState state)
    {
        string created = state.CreatedCa
            ? $"created CA '{state.Ca.Certificate.Subject}', server certificate '{state.Ca.ServerName}' and tls-crypt keys in {state.Directory.FullPath}"
            : $"state in {state.Directory.FullPath}";
        return state.NewPairingToken is { } token
            ? $"appliance-agent: first start: {created}; pairing token (shown only now, stored as a hash): {token} - paste it into the panel's 'Add appliance' form"
            : $"appliance-agent: first start: {created}";
    }
}
