using Appliance.Tunnel.Control.Wire;
using Appliance.Tunnel.Counters;
using Appliance.Tunnel.Sessions;

namespace Appliance.Tunnel.Tests.Protocol;

public class TlsCryptV2EarlyNegotiationTests
{
    [Theory]
    [InlineData("first_packet_of_a_2_6_client", 0x0F000000u, true)]
    [InlineData("later_packet_of_a_2_6_client", 0x0F000003u, true)]
    [InlineData("counter_from_one", 1u, false)]
    [InlineData("only_some_marker_bits", 0x07000000u, false)]
    public void Early_negotiation_is_announced_by_the_replay_counters_top_byte(string name, uint counter, bool announced)
    {
        Assert.NotNull(name);
        Assert.Equal(announced, TlsCryptV2EarlyNegotiation.IsAnnounced(new WrapReplayId(counter, 1)));
    }

    [Fact]
    public void Resend_wkc_request_is_the_flags_tlv_with_bit_one()
    {
        byte[] tlv = new byte[TlsCryptV2EarlyNegotiation.ResendWrappedKeyTlvSize];
        Assert.Equal(6, TlsCryptV2EarlyNegotiation.WriteResendWrappedKeyTlv(tlv));
        Assert.Equal("000100020001", Convert.ToHexString(tlv));
    }

    [Fact]
    public void Refused_client_is_counted_under_its_own_drop_reason()
    {
        Assert.Equal("client_refused", DropReasons.Key(DropReason.ClientRefused));
        Assert.InRange((int)DropReason.ClientRefused, 0, DropReasons.Count - 1);
    }

    [Fact]
    public void Control_wrapping_holds_the_shared_key_and_optionally_tls_crypt_v2()
    {
        using var shared = StaticKey.Generate();
        using var serverKey = TlsCryptV2ServerKey.Generate();
        var v1Only = new ControlWrapping(ControlWrapMode.TlsCrypt, shared);
        var both = v1Only with { TlsCryptV2 = new TlsCryptV2Settings(serverKey, (in TlsCryptV2Metadata _) => TlsCryptV2Verdict.Accepted) };

        Assert.Null(v1Only.TlsCryptV2);
        Assert.Equal("tls-crypt", v1Only.ToString());
        Assert.Equal("tls-crypt + tls-crypt-v2", both.ToString());
        using var v1Wrapper = both.CreateServerWrapper();
        Assert.IsType<TlsCryptWrapper>(v1Wrapper);
        using var unwrapper = both.TlsCryptV2!.CreateUnwrapper();
        Assert.Throws<ArgumentOutOfRangeException>(() => new ControlWrapping(ControlWrapMode.TlsCryptV2, shared).CreateServerWrapper());
    }
}
