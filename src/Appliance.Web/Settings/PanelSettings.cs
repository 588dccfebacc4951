using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Appliance.Web.Localization;

namespace Appliance.Web.Settings;

/// <summary>The settings an admin edits on the Settings page, with their keys and defaults.</summary>
public sealed class PanelSettings
{
    public const string PanelNameKey = "panel.name";
    public const string HistoryRetentionDaysKey = "history.retention-days";
    public const string DefaultPanelName = "L2 PPPoE appliance";
    public const int DefaultHistoryRetentionDays = 90;

    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [StringLength(60, ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.PanelNameLength))]
    public string PanelName { get; set; } = DefaultPanelName;

    [Range(1, 3650, ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.RetentionRange))]
    public int HistoryRetentionDays { get; set; } = DefaultHistoryRetentionDays;

    public static PanelSettings From(IReadOnlyDictionary<string, string> values) => new()
    {
        PanelName = values.TryGetValue(PanelNameKey, out var name) ? name : DefaultPanelName,
        HistoryRetentionDays = values.TryGetValue(HistoryRetentionDaysKey, out var days)
            && int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out int d) ? d : DefaultHistoryRetentionDays,
    };

    public IReadOnlyDictionary<string, string> ToValues() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PanelNameKey] = PanelName.Trim(),
        [HistoryRetentionDaysKey] = HistoryRetentionDays.ToString(CultureInfo.InvariantCulture),
    };
}
