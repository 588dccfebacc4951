using Microsoft.Playwright;

namespace Appliance.Web.Tests.Browser;

/// <summary>Saves full-page PNGs into <c>TestResults/screenshots/</c> of the repository (found by walking up to Appliance.sln).</summary>
public static class Screenshots
{
    public static string Directory { get; } = FindDirectory();

    public static async Task SaveAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory, name + ".png"), FullPage = true });

    private static string FindDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
                return System.IO.Directory.CreateDirectory(Path.Combine(dir.FullName, "TestResults", "screenshots")).FullName;
        }
        return System.IO.Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
    }
}
