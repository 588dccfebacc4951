using System.Globalization;

namespace Appliance.Tunnel.Tests.Support;

/// <summary>What Wireshark's dissectors said about one frame: a row of the <c>.tshark.tsv</c> written beside a capture.</summary>
/// <remarks>Fields a frame does not carry are null. The PPP control code and identifier come from whichever of
/// <c>ppp.code</c> (LCP, IPCP, IPv6CP), <c>pap.code</c> or <c>chap.code</c> tshark filled.</remarks>
public sealed record TsharkDissection(
    int Number,
    int Length,
    string Destination,
    ushort? EtherType,
    byte? PppoeVersion,
    byte? PppoeType,
    byte? PppoeCode,
    ushort? PppoeSessionId,
    ushort? PppoePayloadLength,
    ushort? PppProtocol,
    byte? ControlCode,
    byte? ControlIdentifier,
    string ProtocolColumn)
{
    /// <summary>Reads a tab-separated file written by <c>tshark -T fields -E header=y -E occurrence=f</c> with the columns of tests/lab/record-pppoe-vector.sh.</summary>
    public static IReadOnlyList<TsharkDissection> ReadFile(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0)
            throw new InvalidDataException($"tshark expectation '{path}' is empty; it needs a header line");
        string[] header = lines[0].Split('\t');
        int Column(string field)
        {
            int index = Array.IndexOf(header, field);
            if (index < 0)
                throw new InvalidDataException($"tshark expectation '{path}' has no column '{field}'; columns: {string.Join(", ", header)}");
            return index;
        }

        int number = Column("frame.number"), length = Column("frame.len"), destination = Column("eth.dst"), etherType = Column("eth.type");
        int version = Column("pppoe.version"), type = Column("pppoe.type"), code = Column("pppoe.code");
        int session = Column("pppoe.session_id"), payloadLength = Column("pppoe.payload_length"), protocol = Column("ppp.protocol");
        int pppCode = Column("ppp.code"), pppId = Column("ppp.identifier"), papCode = Column("pap.code"), papId = Column("pap.identifier");
        int chapCode = Column("chap.code"), chapId = Column("chap.identifier"), protocolColumn = Column("_ws.col.Protocol");

        var rows = new List<TsharkDissection>(lines.Length - 1);
        foreach (string line in lines.Skip(1))
        {
            if (line.Length == 0)
                continue;
            string[] f = line.Split('\t');
            rows.Add(new TsharkDissection(
                Number: (int)Parse(f[number])!.Value,
                Length: (int)Parse(f[length])!.Value,
                Destination: f[destination],
                EtherType: (ushort?)Parse(f[etherType]),
                PppoeVersion: (byte?)Parse(f[version]),
                PppoeType: (byte?)Parse(f[type]),
                PppoeCode: (byte?)Parse(f[code]),
                PppoeSessionId: (ushort?)Parse(f[session]),
                PppoePayloadLength: (ushort?)Parse(f[payloadLength]),
                PppProtocol: (ushort?)Parse(f[protocol]),
                ControlCode: (byte?)(Parse(f[pppCode]) ?? Parse(f[papCode]) ?? Parse(f[chapCode])),
                ControlIdentifier: (byte?)(Parse(f[pppId]) ?? Parse(f[papId]) ?? Parse(f[chapId])),
                ProtocolColumn: f[protocolColumn]));
        }
        return rows;
    }

    /// <summary>tshark prints BASE_HEX fields as 0x.. and BASE_DEC fields in decimal.</summary>
    private static long? Parse(string text)
    {
        if (text.Length == 0)
            return null;
        return text.StartsWith("0x", StringComparison.Ordinal)
            ? long.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : long.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }
}
