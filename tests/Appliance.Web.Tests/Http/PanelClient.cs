using System.Net;
using System.Text.RegularExpressions;

namespace Appliance.Web.Tests.Http;

/// <summary>A browser-like HTTP client of the panel: keeps cookies, reads antiforgery tokens from pages, posts their forms.</summary>
public sealed partial class PanelClient(HttpClient http) : IDisposable
{
    public const string AdminName = "admin";
    public const string AdminPassword = "correct horse battery";

    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(path);

    /// <summary>The antiforgery token of the form on <paramref name="page"/> (the page must render one).</summary>
    public async Task<string> ReadTokenAsync(string page)
    {
        var response = await Http.GetAsync(page);
        string html = await response.Content.ReadAsStringAsync();
        var match = TokenPattern().Match(html);
        Assert.True(match.Success, $"GET {page} answered {(int)response.StatusCode} without an antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Posts a Blazor static form (<paramref name="handler"/> is its FormName) with the token read from <paramref name="page"/>.</summary>
    public async Task<HttpResponseMessage> PostPageFormAsync(string page, string handler, IReadOnlyDictionary<string, string> fields, string? postTo = null)
    {
        string token = await ReadTokenAsync(page);
        var form = new Dictionary<string, string>(fields) { ["_handler"] = handler, ["__RequestVerificationToken"] = token };
        return await Http.PostAsync(postTo ?? page, new FormUrlEncodedContent(form));
    }

    /// <summary>Posts to an endpoint with a token read from <paramref name="tokenPage"/>.</summary>
    public async Task<HttpResponseMessage> PostEndpointAsync(string path, string tokenPage, IReadOnlyDictionary<string, string>? fields = null)
    {
        string token = await ReadTokenAsync(tokenPage);
        var form = new Dictionary<string, string>(fields ?? new Dictionary<string, string>()) { ["__RequestVerificationToken"] = token };
        return await Http.PostAsync(path, new FormUrlEncodedContent(form));
    }

    public Task<HttpResponseMessage> SetupAsync(string userName = AdminName, string password = AdminPassword, string? confirm = null) =>
        PostPageFormAsync("/setup", "setup", new Dictionary<string, string>
        {
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = confirm ?? password,
        });

    public Task<HttpResponseMessage> SignInAsync(string userName = AdminName, string password = AdminPassword) =>
        PostPageFormAsync("/login", "login", new Dictionary<string, string>
        {
            ["Input.UserName"] = userName,
            ["Input.Password"] = password,
        });

    public Task<HttpResponseMessage> SendCodeAsync(string code) =>
        PostPageFormAsync("/login/code", "login-code", new Dictionary<string, string> { ["Input.Code"] = code });

    public async Task<string> HtmlAsync(string path)
    {
        var response = await Http.GetAsync(path);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The cookies this client holds for the panel, as "name=value" pairs (to replay them from another client).</summary>
    public IEnumerable<string> CookieHeader()
    {
        var handler = CookieJar ?? throw new InvalidOperationException("the client has no cookie jar");
        return handler.GetCookies(Http.BaseAddress!).Select(c => $"{c.Name}={c.Value}");
    }

    /// <summary>Set by <see cref="PanelFactory.NewClient"/> when it builds the client with its own cookie container.</summary>
    public CookieContainer? CookieJar { get; init; }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
