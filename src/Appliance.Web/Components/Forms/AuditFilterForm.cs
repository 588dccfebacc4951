using System.ComponentModel.DataAnnotations;
using Appliance.Web.Audit;
using Appliance.Web.Localization;

namespace Appliance.Web.Components.Forms;

/// <summary>The audit page's filter as typed; times are the browser's local wall-clock, read as UTC offsets by the page.</summary>
public sealed class AuditFilterForm : IValidatableObject
{
    [StringLength(64)]
    public string? UserName { get; set; }

    [StringLength(64)]
    public string? Action { get; set; }

    public DateTime? From { get; set; }

    public DateTime? Until { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (From is { } from && Until is { } until && until <= from)
            yield return new ValidationResult(ValidationText.UntilBeforeFrom, [nameof(Until)]);
    }

    /// <summary>The query for the log; times are taken as UTC.</summary>
    public AuditQuery ToQuery() => new(
        string.IsNullOrWhiteSpace(UserName) ? null : UserName.Trim(),
        string.IsNullOrWhiteSpace(Action) ? null : Action.Trim(),
        From is { } f ? new DateTimeOffset(DateTime.SpecifyKind(f, DateTimeKind.Utc)) : null,
        Until is { } u ? new DateTimeOffset(DateTime.SpecifyKind(u, DateTimeKind.Utc)) : null);
}
