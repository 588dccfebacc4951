using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Tunnel.Control.Tls;

namespace Appliance.Tunnel.Tests.ControlChannel;

[Collection(PkiCollection.Name)]
public class CertificateRevocationListTests(TestPki pki)
{
    [Fact]
    public void Crl_from_the_builder_lists_exactly_the_revoked_serials()
    {
        var crl = pki.LoadCrl(pki.CrlRevokingMalloryAndCarol);
        Assert.Equal(2, crl.Count);
        Assert.True(crl.IsRevoked(pki.Revoked));
        Assert.True(crl.IsRevoked(pki.Carol));
        Assert.False(crl.IsRevoked(pki.Alice));
        Assert.Equal(pki.Ca.SubjectName.RawData, crl.Issuer.RawData);
        Assert.Equal(pki.Now.AddDays(7).ToUnixTimeSeconds(), crl.NextUpdate!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public void Pem_crl_loads_like_der()
    {
        string pem = PemEncoding.WriteString("X509 CRL", pki.CrlRevokingMallory);
        Assert.True(CertificateRevocationList.TryLoad(System.Text.Encoding.ASCII.GetBytes(pem), pki.Ca, out var crl, out var error), error);
        Assert.True(crl!.IsRevoked(pki.Revoked));
    }

    [Fact]
    public void Empty_crl_revokes_nothing()
    {
        var crl = pki.LoadCrl(pki.BuildCrl(pki.Ca, 3));
        Assert.Equal(0, crl.Count);
        Assert.False(crl.IsRevoked(pki.Revoked));
    }

    [Fact]
    public void Crl_signed_by_another_ca_is_refused()
    {
        byte[] foreign = pki.BuildCrl(pki.ForeignCa, 1, pki.Alice);
        Assert.False(CertificateRevocationList.TryLoad(foreign, pki.Ca, out _, out var error));
        Assert.Contains("signature", error);
    }

    [Fact]
    public void Tampered_crl_is_refused()
    {
        byte[] crl = (byte[])pki.CrlRevokingMallory.Clone();
        crl[^80] ^= 0x01;
        Assert.False(CertificateRevocationList.TryLoad(crl, pki.Ca, out _, out var error));
        Assert.NotNull(error);
    }

    [Fact]
    public void Garbage_is_refused_without_throwing()
    {
        Assert.False(CertificateRevocationList.TryLoad([0x30, 0x03, 0x02, 0x01], pki.Ca, out _, out var e1));
        Assert.NotNull(e1);
        Assert.False(CertificateRevocationList.TryLoad("hello"u8, pki.Ca, out _, out var e2));
        Assert.NotNull(e2);
    }

    [Fact]
    public void Validator_refuses_a_crl_of_another_issuer()
    {
        var validator = new ClientCertificateValidator(pki.ForeignCa);
        Assert.Throws<ArgumentException>(() => validator.RevocationList = pki.LoadCrl(pki.CrlRevokingMallory));
    }

    [Fact]
    public void Dotnet_crl_builder_load_reads_our_crl_but_offers_no_lookup()
    {
        // Finding: .NET 10 parses a CRL only into a builder; membership can be probed only destructively.
        var builder = CertificateRevocationListBuilder.Load(pki.CrlRevokingMallory, out var number);
        Assert.Equal(1, (int)number);
        Assert.True(builder.RemoveEntry(pki.Revoked.SerialNumberBytes.Span));
        Assert.False(builder.RemoveEntry(pki.Alice.SerialNumberBytes.Span));
    }
}
