using System.Net;

namespace Appliance.Web.Tests.Http;

public sealed class RestartAndRateLimitTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_restart_keeps_everyone_signed_in()
    {
        string cookie;
        using (var before = new PanelFactory(_data.FullPath))
        {
            using var admin = await before.SetUpAsync();
            var response = await admin.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            cookie = string.Join("; ", admin.CookieHeader());
        }
        Assert.True(Directory.EnumerateFiles(Path.Combine(_data.FullPath, "keys"), "*.xml").Any(), "no data-protection key beside the database");

        using var after = new PanelFactory(_data.FullPath);
        using var client = after.NewClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await client.Http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Sign_in_posts_from_one_address_are_rate_limited()
    {
        using var panel = new PanelFactory(_data.FullPath);
        panel.Settings["Panel:Lockout:PostsPerMinutePerAddress"] = "3";
        (await panel.SetUpAsync()).Dispose();
        using var client = panel.NewClient();
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 4; i++)
            statuses.Add((await client.SignInAsync("nobody", "whatever it is")).StatusCode);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }
}
