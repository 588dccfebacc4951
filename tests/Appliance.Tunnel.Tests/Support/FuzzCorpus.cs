using System.Security.Cryptography;
using Appliance.Tunnel.Control.Wire;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>Seeds for the wire fuzzer: packets recorded from a real client's exchange, plus packets we wrap ourselves with
/// the server's static key for every opcode and both wraps (tls-crypt, tls-auth/SHA1), so the fuzzer starts from bytes
/// that pass the first checks and mutates from there.</summary>
/// <remarks>Shared with bench/Appliance.FuzzBench (linked source): no test framework in here.</remarks>
internal sealed class FuzzCorpus
{
    private readonly List<byte[]> _seeds = [];

    public IReadOnlyList<byte[]> Seeds => _seeds;

    /// <summary>How many seeds came from a recording (the rest are synthetic).</summary>
    public int Recorded { get; private set; }

    public void AddRecorded(IEnumerable<byte[]> packets)
    {
        foreach (var packet in packets)
        {
            if (packet.Length > 0)
            {
                _seeds.Add(packet);
                Recorded++;
            }
        }
    }

    /// <summary>Every control opcode (3..11, the legal ones and the removed v1 resets), every key id, with 0..8 ACKs and
    /// payloads from empty to a full TLS record, under both wraps; DATA_V1 and DATA_V2 with AEAD-shaped bodies and the
    /// given peer-ids (a live session's, and unknown ones).</summary>
    public void AddSynthetic(StaticKey key, IReadOnlyList<uint> peerIds, int seed = 1)
    {
        var random = new Random(seed);
        foreach (bool tlsAuth in new[] { false, true })
        {
            using var forger = new ClientPacketForger(key, tlsAuth);
            foreach (var opcode in new[] { Opcode.ControlSoftResetV1, Opcode.ControlV1, Opcode.AckV1, Opcode.ControlHardResetClientV2,
                         Opcode.ControlHardResetServerV2, Opcode.ControlHardResetClientV3, Opcode.ControlWkcV1 })
            {
                foreach (int acks in new[] { 0, 1, 4, 8 })
                {
                    foreach (int payload in new[] { 0, 1, 100, 1100 })
                    {
                        if (opcode == Opcode.AckV1 && (acks == 0 || payload > 0))
                            continue;
                        var ids = new uint[acks];
                        for (int i = 0; i < acks; i++)
                            ids[i] = (uint)random.Next(0, 16);
                        var body = new byte[payload];
                        random.NextBytes(body);
                        int keyId = random.Next(0, 8);
                        _seeds.Add(forger.Control(opcode, keyId, ClientPacketForger.NewSessionId(), ids, ClientPacketForger.NewSessionId(),
                            (uint)random.Next(0, 20), body));
                    }
                }
            }
            // The opening reset itself, pristine in shape; the fuzzer never sends a seed unchanged.
            _seeds.Add(forger.FirstReset());
        }
        // Opcodes 1 and 2 (key-method 1, removed) and the undefined 0, 12..31: just shaped like a control packet.
        foreach (int opcode in new[] { 0, 1, 2, 12, 13, 31 })
        {
            var packet = new byte[54];
            random.NextBytes(packet);
            packet[0] = (byte)(opcode << 3);
            _seeds.Add(packet);
        }
        foreach (uint peerId in peerIds)
        {
            foreach (int length in new[] { 4, 8, 24, 40, 100, 1538 })
            {
                // §5: DATA_V2 = op|key 1, peer-id 3, packet-id 4, tag 16, ciphertext.
                var data = new byte[length];
                RandomNumberGenerator.Fill(data);
                data[0] = (byte)((9 << 3) | random.Next(0, 8));
                data[1] = (byte)(peerId >> 16);
                data[2] = (byte)(peerId >> 8);
                data[3] = (byte)peerId;
                _seeds.Add(data);
            }
        }
        foreach (int length in new[] { 1, 20, 100, 1500 })
        {
            var data = new byte[length];
            RandomNumberGenerator.Fill(data);
            data[0] = (byte)((6 << 3) | random.Next(0, 8));
            _seeds.Add(data);
        }
    }
}
