using Appliance.Tunnel.Control.Tls;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Tunnel.Tests.ControlChannel;

[Collection(PkiCollection.Name)]
public class ClientCertificateValidatorTests(TestPki pki)
{
    private ClientCertificateValidator NewValidator(byte[]? crl = null, TimeProvider? time = null) =>
        new(pki.Ca, crl is null ? null : pki.LoadCrl(crl), time);

    [Fact]
    public void Client_of_our_ca_with_client_auth_is_accepted_with_its_common_name()
    {
        var check = NewValidator(pki.CrlRevokingMallory).Validate(pki.Alice);
        Assert.True(check.IsAccepted, check.Detail);
        Assert.Equal("alice", check.CommonName);
    }

    public static TheoryData<string, ClientCertificateRefusal> Refusals => new()
    {
        { "foreign CA", ClientCertificateRefusal.UnknownCa },
        { "expired", ClientCertificateRefusal.Expired },
        { "not yet valid", ClientCertificateRefusal.NotYetValid },
        { "revoked", ClientCertificateRefusal.Revoked },
        { "server certificate", ClientCertificateRefusal.MissingClientAuthEku },
        { "our CA itself", ClientCertificateRefusal.UnknownCa },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Bad_client_certificate_is_refused_with_its_reason(string which, ClientCertificateRefusal expected)
    {
        var certificate = which switch
        {
            "foreign CA" => pki.Foreign,
            "expired" => pki.Expired,
            "not yet valid" => pki.NotYetValid,
            "revoked" => pki.Revoked,
            "server certificate" => pki.ServerAuthOnly,
            "our CA itself" => pki.Ca,
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        };
        var check = NewValidator(pki.CrlRevokingMallory).Validate(certificate);
        Assert.Equal(expected, check.Refusal);
        Assert.False(string.IsNullOrEmpty(check.Detail));
    }

    [Fact]
    public void No_certificate_is_refused_as_such()
    {
        Assert.Equal(ClientCertificateRefusal.NoCertificate, NewValidator().Validate(null).Refusal);
    }

    [Fact]
    public void Expiry_follows_the_injected_clock()
    {
        var time = new FakeTimeProvider(pki.Now);
        var validator = NewValidator(time: time);
        Assert.True(validator.Validate(pki.Alice).IsAccepted);
        time.Advance(TimeSpan.FromDays(366));
        var check = validator.Validate(pki.Alice);
        Assert.Equal(ClientCertificateRefusal.Expired, check.Refusal);
        Assert.Contains("alice", check.Detail);
    }

    [Fact]
    public void Without_a_crl_a_listed_certificate_passes_and_swapping_one_in_refuses_it()
    {
        var validator = NewValidator();
        Assert.True(validator.Validate(pki.Carol).IsAccepted);
        validator.RevocationList = pki.LoadCrl(pki.CrlRevokingMalloryAndCarol);
        Assert.Equal(ClientCertificateRefusal.Revoked, validator.Validate(pki.Carol).Refusal);
        validator.RevocationList = pki.LoadCrl(pki.CrlRevokingMallory);
        Assert.True(validator.Validate(pki.Carol).IsAccepted);
    }

    [Fact]
    public void Stale_crl_is_reported_but_still_applies()
    {
        var time = new FakeTimeProvider(pki.Now);
        var validator = NewValidator(pki.CrlRevokingMallory, time);
        Assert.False(validator.IsRevocationListStale);
        time.Advance(TimeSpan.FromDays(8));
        Assert.True(validator.IsRevocationListStale);
        Assert.Equal(ClientCertificateRefusal.Revoked, validator.Validate(pki.Revoked).Refusal);
    }
}
