using System.ComponentModel.DataAnnotations;
using Appliance.Web.Components.Pages.Clients;

namespace Appliance.Web.Tests.Components;

/// <summary>The panel refuses exactly the client names the agent refuses (one rule, in Contracts).</summary>
public sealed class NewClientFormTests
{
    [Theory]
    [InlineData("alice")]
    [InlineData("site-7.office_2")]
    [InlineData("a")]
    public void A_name_the_agent_accepts_is_accepted(string name) => Assert.Empty(Problems(name));

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    [InlineData("ümlaut")]
    public void A_name_the_agent_refuses_is_refused_with_the_rule(string name)
    {
        var problem = Assert.Single(Problems(name));
        Assert.Contains("64", problem.ErrorMessage, StringComparison.Ordinal);
        Assert.NotNull(Appliance.Contracts.ClientName.Check(name));
    }

    [Fact]
    public void A_name_of_65_characters_is_refused() => Assert.Single(Problems(new string('a', 65)));

    private static List<ValidationResult> Problems(string name)
    {
        var form = new NewClientForm { Name = name };
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(form, new ValidationContext(form), results, validateAllProperties: true);
        return results;
    }
}
