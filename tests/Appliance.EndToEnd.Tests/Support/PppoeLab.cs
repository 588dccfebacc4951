using System.Globalization;
using System.Security.Cryptography;

namespace Appliance.EndToEnd.Tests.Support;

/// <summary>
/// PPPoE peers in user-mode-linux guests (tests/lab/README.md): a pppoe-server ("the ISP") and any number of pppd
/// clients, each guest on a TAP of its own that this lab adds to a bridge in a namespace the caller owns.
/// </summary>
/// <remarks>
/// The ISP hands out 10.67.0.2, .3, … from <see cref="ServerAddress"/>, fe80::1 ↔ fe80::2 on every session, PAP
/// user "e2e", up to 16 sessions, services "e2e" and "e2e-a-service-name-of-30-bytes". Every guest has a unique umid and a scratch directory under this lab's temporary
/// directory; dispose stops each guest by its PID (then SIGKILLs the process group that guest leads, where UML's helper
/// processes live), deletes its TAP and then the directory.
/// </remarks>
public sealed class PppoeLab : IDisposable
{
    public const string ServerAddress = "10.67.0.1";
    public const string ServerLinkLocal = "fe80::1";
    private readonly DirectoryInfo _directory;
    private readonly string _initPath;
    private readonly List<PppoeGuest> _guests = [];

    public PppoeLab()
    {
        _directory = Directory.CreateTempSubdirectory("appl-uml-");
        _initPath = Path.Combine(_directory.FullName, "guest-init.sh");
        ScratchFiles.WriteExecutable(_initPath, GuestInit.Script);
    }

    public IReadOnlyList<PppoeGuest> Guests => _guests;

    /// <summary>Boots the pppoe-server guest on a new TAP in <paramref name="bridge"/> of <paramref name="ns"/>; does not wait.</summary>
    /// <param name="echoInterval">pppd's lcp-echo-interval in seconds (a link dies after 5 unanswered echoes).</param>
    public PppoeGuest StartServer(NetworkNamespace ns, string bridge, int echoInterval = 1) => Boot(ns, bridge, PppoeRole.Server, echoInterval, []);

    /// <summary>Boots a pppd guest, which dials at once and keeps dialling until a session is up; does not wait.</summary>
    /// <param name="pppdOptions">More pppd options (words without spaces or commas), e.g. <c>noip</c>.</param>
    public PppoeGuest StartClient(NetworkNamespace ns, string bridge, int echoInterval = 1, IReadOnlyList<string>? pppdOptions = null) =>
        Boot(ns, bridge, PppoeRole.Client, echoInterval, pppdOptions ?? []);

    public void Dispose()
    {
        List<Exception> failures = [];
        foreach (var guest in _guests)
        {
            try
            {
                guest.Dispose();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        _directory.Delete(recursive: true);
        if (failures.Count > 0)
            throw new AggregateException("stopping PPPoE guests failed", failures);
    }

    /// <summary>Characters a pppd option cannot have on the guest's kernel command line (words are split there, commas joined).</summary>
    private static readonly System.Buffers.SearchValues<char> NotOnCommandLine = System.Buffers.SearchValues.Create(" ,\t\n\"'$`\\");

    private PppoeGuest Boot(NetworkNamespace ns, string bridge, PppoeRole role, int echoInterval, IReadOnlyList<string> pppdOptions)
    {
        foreach (string option in pppdOptions)
        {
            if (option.Length == 0 || option.AsSpan().ContainsAny(NotOnCommandLine))
                throw new ArgumentException($"pppd option '{option}' cannot travel on the guest's command line", nameof(pppdOptions));
        }
        byte[] random = RandomNumberGenerator.GetBytes(4);
        string id = Convert.ToHexStringLower(random);
        string umid = $"e2e-{id}";
        // IFNAMSIZ: at most 15 characters.
        string tap = $"uml{(role == PppoeRole.Server ? 's' : 'c')}-{id[..6]}";
        string mac = $"02:00:5e:{random[0]:x2}:{random[1]:x2}:{(_guests.Count & 0xff).ToString("x2", CultureInfo.InvariantCulture)}";
        var host = _directory.CreateSubdirectory($"host-{umid}");
        ns.AddTap(tap, bridge);
        string[] args =
        [
            "mem=128M", "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "ro",
            $"eth0=tuntap,{tap},{mac}", "con=null", "con0=null,fd:1", "ssl=null",
            $"uml_dir={_directory.FullName}", $"umid={umid}",
            $"e2erole={(role == PppoeRole.Server ? "server" : "client")}", $"e2ehost={host.FullName}",
            $"e2eecho={echoInterval.ToString(CultureInfo.InvariantCulture)}",
            .. (pppdOptions.Count > 0 ? (string[])[$"e2eextra={string.Join(',', pppdOptions)}"] : []),
            $"init={_initPath}",
        ];
        NamespaceProcess process;
        try
        {
            process = ns.Start("linux.uml", args, Path.Combine(_directory.FullName, $"{umid}.console.log"), ownProcessGroup: true);
        }
        catch
        {
            NetworkNamespace.TryRun("ip", ["-n", ns.Name, "link", "del", tap], out _);
            throw;
        }
        var guest = new PppoeGuest(role, umid, tap, mac, ns, host.FullName, process);
        _guests.Add(guest);
        return guest;
    }
}

public enum PppoeRole
{
    Server,
    Client,
}
