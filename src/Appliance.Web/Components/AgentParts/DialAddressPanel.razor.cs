using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Appliance.Contracts;
using Appliance.Web.Agents;
using Appliance.Web.Auth;
using Appliance.Web.Localization;
using Microsoft.AspNetCore.Components;

namespace Appliance.Web.Components.AgentParts;

/// <summary>The dial-address form: a host name or address, and two ports where blank means the listener's port.</summary>
public sealed class DialAddressForm
{
    [Required(ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.Required))]
    [DialHost]
    public string Host { get; set; } = "";

    [Range(1, 65535, ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.PortRange))]
    public int? UdpPort { get; set; }

    [Range(1, 65535, ErrorMessageResourceType = typeof(ValidationText), ErrorMessageResourceName = nameof(ValidationText.PortRange))]
    public int? TcpPort { get; set; }

    public static DialAddressForm Of(DialAddress address) => new()
    {
        Host = address.ServerHost,
        UdpPort = address.UdpPort == 0 ? null : address.UdpPort,
        TcpPort = address.TcpPort == 0 ? null : address.TcpPort,
    };

    public DialAddress ToAddress() => new(Host.Trim(), UdpPort ?? 0, TcpPort ?? 0);
}

/// <summary>A DNS name or IP address (blank is left to <see cref="RequiredAttribute"/>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DialHostAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
        => value is not string host || string.IsNullOrWhiteSpace(host) || AgentDialAddress.IsHost(host)
            ? ValidationResult.Success
            : new ValidationResult(ValidationText.DialHost, validationContext.MemberName is { } member ? [member] : null);
}

public partial class DialAddressPanel
{
    [Inject]
    private AgentDialAddress DialAddresses { get; set; } = default!;

    [Inject]
    private CurrentActor Actor { get; set; } = default!;

    [Parameter, EditorRequired]
    public long AgentId { get; set; }

    [Parameter, EditorRequired]
    public string AgentName { get; set; } = "";

    /// <summary>The agent's tunnel listeners (from health), to say which port "the listener's port" is.</summary>
    [Parameter]
    public IReadOnlyList<string>? Listeners { get; set; }

    [Parameter]
    public bool IsAdmin { get; set; }

    private DialAddress? Current { get; set; }

    private DialAddressForm Input { get; set; } = new();

    private bool Busy { get; set; }

    private string? Problem { get; set; }

    private string? Notice { get; set; }

    protected override async Task OnParametersSetAsync()
    {
        if (Current is not null)
            return;
        try
        {
            Current = await DialAddresses.GetAsync(AgentId);
            Input = DialAddressForm.Of(Current);
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException)
        {
            Problem = T["DialUnreadable", e.Message];
        }
    }

    private string PortText(int port, string transport)
        => DialAddress.Effective(port, transport, Listeners) is { } effective
            ? port == 0 ? T["DialListenerPort", effective.ToString(CultureInfo.InvariantCulture)] : effective.ToString(CultureInfo.InvariantCulture)
            : T["DialListenerPortUnknown"];

    private string? WarningText(string host) => AgentDialAddress.Check(host) switch
    {
        DialAddressWarning.PrivateAddress => T["DialWarnPrivate", host.Trim()].Value,
        DialAddressWarning.SingleLabel => T["DialWarnSingleLabel", host.Trim()].Value,
        DialAddressWarning.LocalName => T["DialWarnLocal", host.Trim()].Value,
        _ => null,
    };

    private async Task SaveAsync()
    {
        Busy = true;
        Notice = null;
        Problem = null;
        try
        {
            var address = Input.ToAddress();
            await DialAddresses.SaveAsync(await PanelOperator.OfAsync(Actor), AgentId, address);
            Current = address;
            Notice = T["DialSaved", AgentName];
        }
        catch (Exception e) when (e is AgentApiException or AgentNotPairedException or ArgumentException or UnauthorizedAccessException)
        {
            Problem = T["DialNotSaved", e is AgentApiException { Errors.Count: > 0 } refused ? string.Join("; ", refused.Errors.SelectMany(kv => kv.Value)) : e.Message];
        }
        finally
        {
            Busy = false;
        }
    }
}
