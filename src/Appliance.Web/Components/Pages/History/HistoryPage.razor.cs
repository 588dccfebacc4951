using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Appliance.Web.Agents;
using Appliance.Web.Audit;
using Appliance.Web.History;
using Appliance.Web.Sessions;
using Appliance.Web.Settings;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.Pages.History;

/// <summary>The history settings form (ranges as in <see cref="HistorySettings.Validate"/>).</summary>
public sealed class HistorySettingsForm
{
    [Range(2, 3600)]
    public int SampleSeconds { get; set; }

    [Range(1, 3650)]
    public int SampleRetentionDays { get; set; }

    [Range(1, 3650)]
    public int MinuteRetentionDays { get; set; }

    [Range(1, 3650)]
    public int HourRetentionDays { get; set; }

    [Range(1, 36500)]
    public int DayRetentionDays { get; set; }

    public static HistorySettingsForm From(HistorySettings s) => new()
    {
        SampleSeconds = s.SampleSeconds,
        SampleRetentionDays = s.SampleRetentionDays,
        MinuteRetentionDays = s.MinuteRetentionDays,
        HourRetentionDays = s.HourRetentionDays,
        DayRetentionDays = s.DayRetentionDays,
    };

    public HistorySettings ToSettings() => new(SampleSeconds, SampleRetentionDays, MinuteRetentionDays, HourRetentionDays, DayRetentionDays);
}

public partial class HistoryPage
{
    [Inject]
    private HistoryStore History { get; set; } = default!;

    [Inject]
    private SettingsStore SettingsStore { get; set; } = default!;

    [Inject]
    private AuditLog Audit { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "client")]
    public string? ClientQuery { get; set; }

    private IReadOnlyList<ClientTotals> Totals { get; set; } = [];

    private string? Client { get; set; }

    private HistoryRange Range { get; set; } = HistoryRange.All[0];

    private IReadOnlyList<HistoryPoint> Points { get; set; } = [];

    private HistorySettingsForm Settings { get; set; } = new();

    [Inject]
    private EndedSessionCatalog EndedCatalog { get; set; } = default!;

    /// <summary>The ended sessions every paired agent keeps, newest first.</summary>
    private IReadOnlyList<EndedSessionRow> EndedRows { get; set; } = [];

    private IReadOnlyList<string> EndedProblems { get; set; } = [];

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        await LoadAgentAsync();
        Settings = HistorySettingsForm.From(await HistorySettings.ReadAsync(SettingsStore));
        if (Agent is null)
            return;
        (EndedRows, EndedProblems) = await EndedCatalog.AcrossAgentsAsync();
        Totals = await History.TotalsAsync(Agent.Id);
        Client = ClientQuery ?? (Totals.Count > 0 ? Totals[0].ClientName : null);
        await LoadSeriesAsync();
    }

    private async Task SelectAsync(string client)
    {
        Client = client;
        await LoadSeriesAsync();
    }

    private async Task ChangeRangeAsync(HistoryRange range)
    {
        Range = range;
        await LoadSeriesAsync();
    }

    private async Task LoadSeriesAsync()
    {
        if (Agent is null || Client is null)
            return;
        var (from, until) = Range.Window(Time.GetUtcNow());
        Points = await History.SeriesAsync(Agent.Id, Client, Range.Source, Range.Bucket, from, until);
    }

    private string FormatBucket(object value) => value is DateTimeOffset at
        ? at.ToString(Range.Bucket == Granularity.Hour ? "MM-dd HH:00" : "yyyy-MM-dd", CultureInfo.InvariantCulture)
        : "";

    private async Task SaveSettingsAsync()
    {
        try
        {
            var by = await OperatorAsync();
            by.RequireAdmin("change the history settings");
            var settings = Settings.ToSettings();
            await settings.SaveAsync(SettingsStore);
            await Audit.RecordAsync(by.Actor, AuditActions.SettingChanged, "history",
                $"sample {settings.SampleSeconds} s; keep samples {settings.SampleRetentionDays} d, minutes {settings.MinuteRetentionDays} d, hours {settings.HourRetentionDays} d, days {settings.DayRetentionDays} d");
            Notice = T["NoticeSaved"];
            Problem = null;
        }
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException)
        {
            Problem = e.Message;
        }
    }
}
