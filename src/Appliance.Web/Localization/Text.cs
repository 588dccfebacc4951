namespace Appliance.Web.Localization;

/// <summary>Marker of the panel's UI strings (<c>Localization/Text.resx</c>, <c>Text.zh-Hant.resx</c>): inject <c>IStringLocalizer&lt;Text&gt;</c>.</summary>
public sealed class Text;
