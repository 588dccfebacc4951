using Microsoft.AspNetCore.Hosting;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Web.Tests.Http;

/// <summary>The panel in-process over its own temporary data directory; <see cref="Clock"/> drives lockouts and TOTP.</summary>
public class PanelFactory : WebApplicationFactory<Program>
{
    private readonly TemporaryDirectory? _ownedDirectory;

    public PanelFactory(string? dataDirectory = null)
    {
        if (dataDirectory is null)
        {
            _ownedDirectory = new TemporaryDirectory();
            dataDirectory = _ownedDirectory.FullPath;
        }
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Settings the test wants, e.g. <c>Panel:Lockout:MaxFailedAttempts</c>.</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>A client that keeps cookies and does not follow redirects (tests look at them).</summary>
    public PanelClient NewClient(bool https = false)
    {
        var jar = new CookieContainer();
        var http = CreateDefaultClient(new Uri(https ? "https://localhost/" : "http://localhost/"), new CookieContainerHandler(jar));
        return new PanelClient(http) { CookieJar = jar };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Panel:DataDirectory", DataDirectory);
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, ConnectionAddressFilter>();
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            _ownedDirectory?.Dispose();
        }
    }
}
