using System.Collections.Concurrent;
using Appliance.Tunnel.Frames;
using Appliance.Tunnel.Tests.Support;
using CsCheck;

namespace Appliance.Tunnel.Tests.Frames;

/// <summary>The classifier on input from the wire that no peer should send: random, cut short, or corrupted.</summary>
/// <remarks>A failure prints the CsCheck seed; pass it to Sample's seed argument to replay the case.</remarks>
public sealed class FrameClassifierPropertyTests
{
    private static readonly byte[][] CapturedFrames = CaptureVector.AllPppoeFrames().Select(f => f.Frame.Data).ToArray();

    [Fact]
    public void Random_bytes_of_0_to_2000_never_throw_and_every_reported_field_is_on_the_wire()
    {
        Gen.Byte.Array[0, 2000].Sample(
            bytes => Assert.Null(ClassificationInvariants.FirstViolation(bytes, FrameClassifier.Classify(bytes))),
            iter: 20_000);
    }

    /// <summary>Random bytes rarely reach the PPPoE and PPP parsers; these frames do, with every header field random or near a boundary.</summary>
    private static readonly Gen<byte[]> PppoeShapedFrames = CreatePppoeShapedFrames();

    [Fact]
    public void Random_pppoe_shaped_frames_never_throw_and_every_reported_field_is_on_the_wire()
    {
        PppoeShapedFrames.Sample(
            bytes => Assert.Null(ClassificationInvariants.FirstViolation(bytes, FrameClassifier.Classify(bytes))),
            iter: 50_000);
    }

    [Fact]
    public void Pppoe_shaped_generator_reaches_every_status_so_the_property_above_means_something()
    {
        var seen = new ConcurrentDictionary<FrameStatus, bool>();
        // Some statuses need several random choices to line up: sample in rounds until all appear (or give up).
        for (int round = 0; round < 25 && seen.Count < Enum.GetValues<FrameStatus>().Length; round++)
            PppoeShapedFrames.Sample(bytes => { seen[FrameClassifier.Classify(bytes).Status] = true; }, iter: 20_000);

        Assert.Equal(Enum.GetValues<FrameStatus>().Order(), seen.Keys.Order());
    }

    [Fact]
    public void Every_prefix_of_every_captured_frame_reads_a_correct_subset_and_never_guesses_deeper()
    {
        // Exhaustive rather than sampled: the captures are small enough to try every cut.
        Assert.NotEmpty(CapturedFrames);
        foreach (byte[] frame in CapturedFrames)
        {
            var whole = FrameClassifier.Classify(frame);
            Assert.Equal(FrameStatus.Complete, whole.Status);
            for (int cut = 0; cut < frame.Length; cut++)
            {
                byte[] prefix = frame[..cut];
                var part = FrameClassifier.Classify(prefix);
                string where = $"frame {Convert.ToHexString(frame)} cut at {cut}";

                Assert.True(ClassificationInvariants.FirstViolation(prefix, part) is null,
                    $"{where}: {ClassificationInvariants.FirstViolation(prefix, part)}");
                if (part.Status == FrameStatus.Complete)
                {
                    // Only a cut in trailing bytes the headers do not cover may read as Complete, and then reads the same.
                    Assert.True(cut >= whole.PayloadOffset + 6 + whole.PppoeLength, $"{where}: Complete inside the PPPoE payload");
                    Assert.Equal(whole with { Length = cut, SizeClass = part.SizeClass }, part);
                    continue;
                }

                Assert.True(part.Family == whole.Family || part.Family == EtherTypeFamily.Truncated, where);
                Assert.True(part.PppoeSessionId == whole.PppoeSessionId || part.PppoeSessionId == 0, where);
                Assert.True(part.PppoeCode == whole.PppoeCode || part.PppoeCode == PppoeDiscoveryCode.None, where);
                Assert.True(part.PppProtocol == whole.PppProtocol || part.PppProtocol == PppProtocol.None, where);
                Assert.True(part.PppCode == whole.PppCode || part.PppCode == 0, where);
                Assert.True(part.PppIdentifier == whole.PppIdentifier || part.PppIdentifier == 0, where);
                if (cut < 14 + 6 + 2 + 4)
                    Assert.False(part.HasPppControl, $"{where}: a control code from a cut control header");
                if (cut < 14 + 6 + 2)
                    Assert.Equal(PppProtocol.None, part.PppProtocol);
            }
        }
    }

    [Fact]
    public void Single_byte_mutations_of_captured_frames_never_throw_and_every_reported_field_is_on_the_wire()
    {
        var mutations =
            from index in Gen.Int[0, CapturedFrames.Length - 1]
            from position in Gen.Int[0, 2047]
            from value in Gen.Byte
            select (index, position, value);

        mutations.Sample(
            (index, position, value) =>
            {
                byte[] frame = (byte[])CapturedFrames[index].Clone();
                frame[position % frame.Length] = value;
                Assert.Null(ClassificationInvariants.FirstViolation(frame, FrameClassifier.Classify(frame)));
            },
            iter: 50_000);
    }

    private static Gen<byte[]> CreatePppoeShapedFrames()
    {
        var tpid = Gen.OneOf<ushort>(0x8100, 0x88A8, 0x9100);
        var etherType = Gen.OneOf(Gen.OneOf<ushort>(0x8863, 0x8864, 0x8864, 0x0800, 0x86DD), Gen.UShort);
        var pppProtocol = Gen.OneOf(Gen.OneOf<ushort>(0xC021, 0xC023, 0xC223, 0x8021, 0x8057, 0x0021, 0x0057), Gen.UShort);
        var smallLength = Gen.OneOf(Gen.UShort[0, 40], Gen.UShort);
        return
            from destination in Gen.Byte.Array[6]
            from tags in tpid.Select(Gen.UShort, (t, tci) => new SyntheticFrame.Tag(t, (ushort)(tci & 0x0FFF), (byte)(tci >> 13))).Array[0, 3]
            from type in etherType
            from versionType in Gen.OneOf(Gen.Const((byte)0x11), Gen.Byte)
            from code in Gen.OneOf(Gen.OneOf<byte>(0x00, 0x09, 0x07, 0x19, 0x65, 0xA7, 0xD3), Gen.Byte)
            from session in Gen.UShort
            from pppoeLength in smallLength
            from protocol in pppProtocol
            from controlCode in Gen.Byte[0, 12]
            from identifier in Gen.Byte
            from controlLength in smallLength
            from tail in Gen.Byte.Array[0, 64]
            from cut in Gen.Int[0, 200]
            let control = SyntheticFrame.Control(controlCode, identifier, tail, controlLength)
            let ppp = SyntheticFrame.Ppp(protocol, control)
            let frame = SyntheticFrame.Ethernet(destination, type, SyntheticFrame.Pppoe(code, session, ppp, pppoeLength, versionType), tags)
            select frame[..Math.Min(cut, frame.Length)];
    }
}
