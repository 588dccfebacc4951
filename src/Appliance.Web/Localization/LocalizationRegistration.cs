using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.Extensions.WebEncoders;
using Microsoft.AspNetCore.Localization;

namespace Appliance.Web.Localization;

public static class LocalizationRegistration
{
    /// <summary>The languages of the panel; the first is the default.</summary>
    public static readonly IReadOnlyList<string> Cultures = ["en", "zh-Hant"];

    public static WebApplicationBuilder AddPanelLocalization(this WebApplicationBuilder builder)
    {
        builder.Services.AddLocalization();
        // Chinese text goes out as characters, not as &#x...; escapes (smaller pages, readable source).
        builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = Cultures.Select(c => new CultureInfo(c)).ToList();
            options.DefaultRequestCulture = new RequestCulture(cultures[0]);
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.FallBackToParentUICultures = true;
            // Order: ?culture= (links on the sign-in page), the cookie the language switcher sets, then the browser's languages.
            options.RequestCultureProviders =
            [
                new QueryStringRequestCultureProvider(),
                new CookieRequestCultureProvider(),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return builder;
    }

    public static bool IsSupported(string? culture) => culture is not null && Cultures.Contains(culture, StringComparer.OrdinalIgnoreCase);
}
