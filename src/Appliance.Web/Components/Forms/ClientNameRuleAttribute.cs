using System.ComponentModel.DataAnnotations;
using Appliance.Contracts;

namespace Appliance.Web.Components.Forms;

/// <summary>The agent's own client-name rule (<see cref="ClientName"/>), so the form refuses exactly what the agent would.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ClientNameRuleAttribute : ValidationAttribute
{
    /// <summary>Empty is left to <see cref="RequiredAttribute"/>.</summary>
    public override bool IsValid(object? value) => value is not string name || name.Length == 0 || ClientName.Check(name) is null;
}
