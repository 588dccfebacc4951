using Appliance.Web.Security;

namespace Appliance.Web.Tests.Http;

public sealed class ReturnUrlsTests
{
    [Theory]
    [InlineData("/audit?user=alice", "/audit?user=alice")]
    [InlineData("/", "/")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/", "/")]
    [InlineData("/\\evil.example/", "/")]
    [InlineData("audit", "/")]
    public void Only_a_path_of_this_site_is_followed(string? returnUrl, string expected) =>
        Assert.Equal(expected, ReturnUrls.Safe(returnUrl));
}
