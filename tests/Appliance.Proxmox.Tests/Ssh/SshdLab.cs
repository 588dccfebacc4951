using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Appliance.Proxmox.Tests.Ssh;

/// <summary>
/// A real OpenSSH server in a network namespace this test creates: a veth pair with a /30 from 10.0.0.0/8 picked at
/// random, throw-away host and client keys, its own sshd_config (key-only, no PAM, authorized keys and PID file in a
/// scratch directory; no system file is used). Dispose kills sshd by PID, deletes the namespace (and with it the
/// veth pair) and the scratch directory.
/// </summary>
public sealed class SshdLab : IDisposable
{
    private readonly string _namespace;
    private readonly string _hostSide;
    private Process? _sshd;

    private SshdLab(string name, string hostSide, string directory, string address)
        => (_namespace, _hostSide, Directory, Address) = (name, hostSide, directory, address);

    /// <summary>Scratch directory holding keys, config and uploaded files.</summary>
    public string Directory { get; }

    /// <summary>The server's address (namespace side of the veth).</summary>
    public string Address { get; }

    /// <summary>The client's private key (OpenSSH format).</summary>
    public string ClientPrivateKey => File.ReadAllText(Path.Combine(Directory, "client_ed25519"));

    /// <summary>The server's host key fingerprint as <c>ssh-keygen -lf</c> prints it (<c>SHA256:…</c>).</summary>
    public string HostKeyFingerprint => Run("ssh-keygen", "-l", "-E", "sha256", "-f", Path.Combine(Directory, "host_ed25519.pub")).Split(' ')[1];

    /// <summary>A directory put first on the PATH of the sessions (for stand-in programs such as <c>qm</c>).</summary>
    public string BinDirectory => Path.Combine(Directory, "bin");

    /// <summary>Creates the namespace, keys and config and starts sshd; waits until it accepts TCP.</summary>
    public static SshdLab Start()
    {
        var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var octets = RandomNumberGenerator.GetBytes(2);
        var subnet = string.Create(CultureInfo.InvariantCulture, $"10.{200 + octets[0] % 50}.{octets[1]}");
        var directory = System.IO.Directory.CreateTempSubdirectory("appl-sshd-").FullName;
        var lab = new SshdLab($"appl-ssh-{suffix}", $"vsh{suffix}", directory, $"{subnet}.2");
        try
        {
            Run("ip", "netns", "add", lab._namespace);
            Run("ip", "-n", lab._namespace, "link", "set", "lo", "up");
            Run("ip", "link", "add", lab._hostSide, "type", "veth", "peer", "name", "eth0", "netns", lab._namespace);
            Run("ip", "addr", "add", $"{subnet}.1/30", "dev", lab._hostSide);
            Run("ip", "link", "set", lab._hostSide, "up");
            Run("ip", "-n", lab._namespace, "addr", "add", $"{subnet}.2/30", "dev", "eth0");
            Run("ip", "-n", lab._namespace, "link", "set", "eth0", "up");
            Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "client", "-f", Path.Combine(directory, "client_ed25519"));
            File.Copy(Path.Combine(directory, "client_ed25519.pub"), Path.Combine(directory, "authorized_keys"));
            lab.NewHostKey();
            System.IO.Directory.CreateDirectory(lab.BinDirectory);
            File.WriteAllText(Path.Combine(directory, "sshd_config"), string.Join('\n',
                $"ListenAddress {lab.Address}",
                "Port 22",
                $"HostKey {Path.Combine(directory, "host_ed25519")}",
                $"AuthorizedKeysFile {Path.Combine(directory, "authorized_keys")}",
                $"PidFile {Path.Combine(directory, "sshd.pid")}",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "Subsystem sftp internal-sftp",
                "LogLevel VERBOSE",
                $"SetEnv PATH={lab.BinDirectory}:/usr/sbin:/usr/bin:/sbin:/bin",
                ""));
            lab.StartSshd();
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Replaces the host key (as a reinstalled host would) and restarts sshd.</summary>
    public void ReplaceHostKey()
    {
        StopSshd();
        NewHostKey();
        StartSshd();
    }

    private void NewHostKey()
    {
        foreach (var file in new[] { "host_ed25519", "host_ed25519.pub" })
            File.Delete(Path.Combine(Directory, file));
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "host", "-f", Path.Combine(Directory, "host_ed25519"));
    }

    private void StartSshd()
    {
        // OpenSSH needs its privilege separation directory; a Debian package normally creates it at boot.
        System.IO.Directory.CreateDirectory("/run/sshd");
        var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", _namespace, "/usr/sbin/sshd", "-D", "-e", "-f", Path.Combine(Directory, "sshd_config") })
            start.ArgumentList.Add(argument);
        // ip netns exec execs sshd, so this PID is sshd's own (-D keeps it in the foreground).
        _sshd = Process.Start(start)!;
        _sshd.BeginOutputReadLine();
        _sshd.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Log) Log.Add(e.Data); };
        _sshd.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_sshd.HasExited)
                throw new InvalidOperationException($"sshd exited with {_sshd.ExitCode}: {string.Join('\n', Log)}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(Address, 22);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>sshd's log lines (stderr, -e).</summary>
    public List<string> Log { get; } = [];

    private void StopSshd()
    {
        if (_sshd is null)
            return;
        if (!_sshd.HasExited)
        {
            _sshd.Kill();
            _sshd.WaitForExit(10_000);
        }
        _sshd.Dispose();
        _sshd = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        StopSshd();
        TryRun("ip", "netns", "del", _namespace);
        TryRun("ip", "link", "del", _hostSide);
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    private static string Run(string program, params string[] arguments)
    {
        var (code, output) = Execute(program, arguments);
        return code == 0 ? output : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({code}): {output}");
    }

    private static void TryRun(string program, params string[] arguments) => Execute(program, arguments);

    private static (int Code, string Output) Execute(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
