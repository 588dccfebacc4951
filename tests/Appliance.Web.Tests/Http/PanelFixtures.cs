using System.Net;
using Appliance.Web.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Web.Tests.Http;

/// <summary>Arrangements several tests share: a panel that is set up, users of a role, assertions on redirects.</summary>
public static class PanelFixtures
{
    /// <summary>Creates the first admin through the setup page; the returned client is signed in as that admin.</summary>
    public static async Task<PanelClient> SetUpAsync(this PanelFactory factory)
    {
        var client = factory.NewClient();
        var response = await client.SetupAsync();
        AssertRedirect(response, "/");
        return client;
    }

    /// <summary>Adds a user straight to the store (the users page is interactive; its flow is covered by the browser test).</summary>
    public static async Task<long> AddUserAsync(this PanelFactory factory, string name, string password, string role)
    {
        var hasher = factory.Services.GetRequiredService<IPasswordHasher<PanelUser>>();
        var users = factory.Services.GetRequiredService<UserStore>();
        long? id = await users.TryAddAsync(name, hasher.HashPassword(new PanelUser(), password), role, 0);
        return id ?? throw new InvalidOperationException($"user {name} exists already");
    }

    public static async Task<PanelClient> SignedInClientAsync(this PanelFactory factory, string name = PanelClient.AdminName, string password = PanelClient.AdminPassword)
    {
        var client = factory.NewClient();
        AssertRedirect(await client.SignInAsync(name, password), "/");
        return client;
    }

    public static void AssertRedirect(HttpResponseMessage response, string pathPrefix)
    {
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"expected a redirect to {pathPrefix}, got {(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {Excerpt(response)}");
        string location = response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.PathAndQuery : response.Headers.Location.OriginalString;
        Assert.StartsWith(pathPrefix, location, StringComparison.Ordinal);
    }

    // The page's banners and validation messages, to say why a form post was not accepted.
    private static string Excerpt(HttpResponseMessage response)
    {
        string html = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        var messages = System.Text.RegularExpressions.Regex.Matches(html, "class=\"(banner-text|validation-message)\">([^<]*)<");
        return messages.Count == 0 ? html[Math.Max(0, html.IndexOf("<h1", StringComparison.Ordinal))..][..Math.Min(1500, html.Length - Math.Max(0, html.IndexOf("<h1", StringComparison.Ordinal)))] : string.Join("; ", messages.Select(m => m.Groups[2].Value));
    }

    /// <summary>Refused: sent to the sign-in page, or 401/403.</summary>
    public static bool IsRefusal(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
        || (response.StatusCode == HttpStatusCode.Redirect && (response.Headers.Location?.ToString().Contains("/login", StringComparison.Ordinal) ?? false));
}
