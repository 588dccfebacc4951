using System.Net;
using System.Runtime.Versioning;
using Appliance.Agent.Lab;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Agent.Tests.Lab;

[SupportedOSPlatform("linux")]
public sealed class LabPppoeServerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task A_stock_pppd_client_on_the_lab_bridge_gets_an_address_from_the_pool_and_stop_leaves_no_guest_or_tap()
    {
        const string bridge = "labbr0";
        using var scratch = new TemporaryStateDirectory();
        using var ns = LabNamespace.Create(bridge);
        var options = new LabPppoeServerOptions
        {
            Bridge = bridge,
            Directory = Path.Combine(scratch.Parent, "lab"),
            NetworkNamespace = ns.Name,
        };
        var server = new LabPppoeServer(options, TimeProvider.System, NullLogger<LabPppoeServer>.Instance);
        try
        {
            await server.StartAsync(CancellationToken.None);
            Assert.True(Until(() => server.Status.State == LabPppoeServer.RunningState, Patience),
                $"lab server not running: {server.Status}; console:\n{ConsoleOf(server)}");
            Assert.Contains($"user '{options.User}'", server.Status.Detail, StringComparison.Ordinal);
            Assert.Contains(options.Password, server.Status.Detail, StringComparison.Ordinal);
            int guestPid = server.GuestProcessId ?? throw new InvalidOperationException("running without a guest PID");
            Assert.True(ns.LinkExists(options.TapName));
            foreach (var secrets in new[] { "pap-secrets", "chap-secrets" })
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(options.Directory, "ppp", secrets)));

            using (var client = PppdClientGuest.Start(ns, bridge, Path.Combine(scratch.Parent, "client"), options.User, options.Password))
            {
                string? address = client.WaitForIpcp(Patience);
                Assert.True(address is not null, $"no IPCP on the client; client console:\n{client.Console}\nlab console:\n{ConsoleOf(server)}");
                Assert.True(InPool(IPAddress.Parse(address), options), $"client got {address}, outside the pool of {options.MaxSessions} from {options.FirstRemoteAddress}");
                Assert.Contains($"remote IP address {options.LocalAddress}", client.Console, StringComparison.Ordinal);
                string? linkLocal = client.WaitForIpv6cp(Patience);
                Assert.True(linkLocal is not null, $"no IPv6CP on the client; client console:\n{client.Console}");
                Assert.Equal(IPAddress.Parse("fe80::2"), IPAddress.Parse(linkLocal));
                Assert.Contains($"remote IP address {address}", ConsoleOf(server), StringComparison.Ordinal);
            }

            // A guest that dies is booted again on the same TAP.
            Assert.Equal(0, LabNamespace.TryRun("kill", ["-KILL", guestPid.ToString(System.Globalization.CultureInfo.InvariantCulture)], out _));
            Assert.True(Until(() => server.GuestProcessId is int pid && pid != guestPid && server.Status.State == LabPppoeServer.RunningState, Patience),
                $"the lab server did not restart its guest: {server.Status}");
            guestPid = server.GuestProcessId ?? throw new InvalidOperationException("running without a guest PID");

            await server.StopAsync(CancellationToken.None);
            Assert.False(Directory.Exists($"/proc/{guestPid}"), $"guest process {guestPid} still exists after stop");
            Assert.Null(server.GuestProcessId);
            Assert.False(ns.LinkExists(options.TapName), $"TAP '{options.TapName}' still exists after stop");
        }
        finally
        {
            server.Dispose();
        }
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task A_guest_that_keeps_dying_is_restarted_a_bounded_number_of_times_then_the_lab_is_failed_with_its_reason()
    {
        const string bridge = "labbr0";
        using var scratch = new TemporaryStateDirectory();
        using var ns = LabNamespace.Create(bridge);
        // /bin/false stands in for a guest that ends at once, whatever its command line.
        var options = new LabPppoeServerOptions
        {
            Bridge = bridge,
            Directory = Path.Combine(scratch.Parent, "lab"),
            NetworkNamespace = ns.Name,
            UmlPath = "/bin/false",
            MaxRestarts = 1,
        };
        using var server = new LabPppoeServer(options, TimeProvider.System, NullLogger<LabPppoeServer>.Instance);

        await server.StartAsync(CancellationToken.None);

        Assert.True(Until(() => server.Status.State == LabPppoeServer.Failed, Patience), $"not failed: {server.Status}");
        Assert.Contains("ended 2 times in a row", server.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllLines(server.ConsoleLog).Count(line => line.StartsWith("=== appliance-agent: boot", StringComparison.Ordinal)));
        await server.StopAsync(CancellationToken.None);
        Assert.False(ns.LinkExists(options.TapName), $"TAP '{options.TapName}' still exists after stop");
    }

    [Fact]
    public async Task Without_user_mode_linux_the_status_is_unavailable_and_names_the_packages_to_install()
    {
        using var scratch = new TemporaryStateDirectory();
        var options = new LabPppoeServerOptions { Bridge = "appl-lab0", Directory = Path.Combine(scratch.Parent, "lab"), UmlPath = Path.Combine(scratch.Parent, "no-linux.uml") };
        using var server = new LabPppoeServer(options, TimeProvider.System, NullLogger<LabPppoeServer>.Instance);

        await server.StartAsync(CancellationToken.None);

        Assert.Equal(LabPppoeServer.Unavailable, server.Status.State);
        Assert.Equal(LabPrerequisites.Missing(options, isRoot: true), server.Status.Detail);
        Assert.Contains("apt-get install user-mode-linux ppp pppoe", server.Status.Detail, StringComparison.Ordinal);
        Assert.False(Directory.Exists(options.Directory), "nothing is created when the lab cannot run");
        await server.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Without_root_the_lab_is_unavailable_and_says_so()
    {
        var options = new LabPppoeServerOptions { Bridge = "appl-lab0", Directory = "/var/lib/appliance/lab" };

        string? missing = LabPrerequisites.Missing(options, isRoot: false);

        Assert.NotNull(missing);
        Assert.Contains("root", missing, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("service name with a space", "appliance lab", "service name")]
    [InlineData("password with a quote", "a\"b", "password")]
    public async Task A_value_the_guest_files_cannot_carry_makes_the_lab_unavailable_without_echoing_the_password(string name, string value, string field)
    {
        _ = name;
        var options = new LabPppoeServerOptions { Bridge = "appl-lab0", Directory = "/nonexistent/lab" };
        options = field == "password" ? options with { Password = value } : options with { ServiceName = value };
        using var server = new LabPppoeServer(options, TimeProvider.System, NullLogger<LabPppoeServer>.Instance);

        await server.StartAsync(CancellationToken.None);

        Assert.Equal(LabPppoeServer.Unavailable, server.Status.State);
        Assert.Contains(field, server.Status.Detail, StringComparison.Ordinal);
        if (field == "password")
            Assert.DoesNotContain(value, server.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_when_disabled_adds_nothing_so_the_health_document_has_no_lab()
    {
        var services = new ServiceCollection();

        services.AddLabPppoeServer("appl-lab0", enabled: false, "/var/lib/appliance/lab");

        Assert.Empty(services);
    }

    [Fact]
    public void Registration_when_enabled_makes_one_server_that_is_both_the_status_source_and_a_hosted_service()
    {
        var services = new ServiceCollection();
        services.AddLogging();

        services.AddLabPppoeServer("appl-lab0", enabled: true, "/var/lib/appliance/lab");

        using var provider = services.BuildServiceProvider();
        var status = provider.GetRequiredService<ILabPppoeServer>();
        Assert.Same(status, Assert.Single(provider.GetServices<IHostedService>()));
        Assert.Equal(LabPppoeServer.Starting, status.Status.State);
    }

    private static bool InPool(IPAddress address, LabPppoeServerOptions options)
    {
        uint first = ToUInt(options.FirstRemoteAddress);
        uint value = ToUInt(address);
        return value >= first && value < first + (uint)options.MaxSessions;
    }

    private static uint ToUInt(IPAddress address) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    private static string ConsoleOf(LabPppoeServer server) => File.Exists(server.ConsoleLog) ? File.ReadAllText(server.ConsoleLog) : "(no console log)";

    private static bool Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
                return true;
            Thread.Sleep(100);
        }
        return condition();
    }
}
