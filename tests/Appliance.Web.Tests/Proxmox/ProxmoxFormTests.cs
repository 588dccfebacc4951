using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Appliance.Web.Components.Pages.Proxmox;

namespace Appliance.Web.Tests.Proxmox;

/// <summary>What the Proxmox forms refuse next to the field, before any call.</summary>
public sealed class ProxmoxFormTests
{
    private static List<ValidationResult> Validate(object form)
    {
        CultureInfo.CurrentUICulture = new CultureInfo("en");
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(form, new ValidationContext(form), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Deploy_form_refuses_the_same_bridge_for_clients_and_pppoe_under_the_pppoe_field()
    {
        var results = Validate(new DeployForm { TemplateVmId = 9000, Node = "pve", ClientBridge = "vmbr0", PppoeBridge = "vmbr0" });

        var refused = Assert.Single(results);
        Assert.Equal([nameof(DeployForm.PppoeBridge)], refused.MemberNames);
        Assert.Contains("bridge of its own", refused.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_form_takes_two_bridges_and_an_optional_dial_host()
    {
        Assert.Empty(Validate(new DeployForm { TemplateVmId = 9000, Node = "pve", ClientBridge = "vmbr0", PppoeBridge = "vmbr1", DialHost = "vpn.example.net" }));
        Assert.Single(Validate(new DeployForm { TemplateVmId = 9000, Node = "pve", ClientBridge = "vmbr0", PppoeBridge = "vmbr1", DialHost = "vpn example" }));
    }
}
