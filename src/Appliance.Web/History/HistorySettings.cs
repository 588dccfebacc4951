using System.Globalization;
using Appliance.Web.Settings;

namespace Appliance.Web.History;

/// <summary>How often the history samples the agents, and how many days each granularity is kept.</summary>
public sealed record HistorySettings(int SampleSeconds, int SampleRetentionDays, int MinuteRetentionDays, int HourRetentionDays, int DayRetentionDays)
{
    public const string SampleSecondsKey = "history.sample-seconds";
    public const string SampleRetentionKey = "history.retention.samples-days";
    public const string MinuteRetentionKey = "history.retention.minutes-days";
    public const string HourRetentionKey = "history.retention.hours-days";
    public const string DayRetentionKey = "history.retention.days-days";

    public static HistorySettings Default { get; } = new(10, 2, 7, 90, 3650);

    public TimeSpan SampleInterval => TimeSpan.FromSeconds(SampleSeconds);

    public static async Task<HistorySettings> ReadAsync(SettingsStore settings)
    {
        var values = await settings.ReadAllAsync();
        return new HistorySettings(
            Read(values, SampleSecondsKey, Default.SampleSeconds, 2, 3600),
            Read(values, SampleRetentionKey, Default.SampleRetentionDays, 1, 3650),
            Read(values, MinuteRetentionKey, Default.MinuteRetentionDays, 1, 3650),
            Read(values, HourRetentionKey, Default.HourRetentionDays, 1, 3650),
            Read(values, DayRetentionKey, Default.DayRetentionDays, 1, 36500));
    }

    /// <summary>Every value out of range, named; empty when all are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Check(errors, "sample interval (s)", SampleSeconds, 2, 3600);
        Check(errors, "samples kept (days)", SampleRetentionDays, 1, 3650);
        Check(errors, "minutes kept (days)", MinuteRetentionDays, 1, 3650);
        Check(errors, "hours kept (days)", HourRetentionDays, 1, 3650);
        Check(errors, "days kept (days)", DayRetentionDays, 1, 36500);
        return errors;
    }

    public async Task SaveAsync(SettingsStore settings)
    {
        var errors = Validate();
        if (errors.Count > 0)
            throw new ArgumentException("history settings: " + string.Join("; ", errors));
        await settings.SetAsync(SampleSecondsKey, SampleSeconds.ToString(CultureInfo.InvariantCulture));
        await settings.SetAsync(SampleRetentionKey, SampleRetentionDays.ToString(CultureInfo.InvariantCulture));
        await settings.SetAsync(MinuteRetentionKey, MinuteRetentionDays.ToString(CultureInfo.InvariantCulture));
        await settings.SetAsync(HourRetentionKey, HourRetentionDays.ToString(CultureInfo.InvariantCulture));
        await settings.SetAsync(DayRetentionKey, DayRetentionDays.ToString(CultureInfo.InvariantCulture));
    }

    private static int Read(IReadOnlyDictionary<string, string> values, string key, int fallback, int min, int max) =>
        values.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
            ? v
            : fallback;

    private static void Check(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
            errors.Add($"{name} is {value}, must be {min}..{max}");
    }
}
