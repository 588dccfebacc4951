using System.Runtime.Versioning;
using System.Text;
using Appliance.Agent.State;

namespace Appliance.Agent.Tests;

[SupportedOSPlatform("linux")]
public sealed class StateDirectoryTests : IDisposable
{
    private const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Mode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TemporaryStateDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Open_creates_the_directory_with_mode_0700_and_a_lock_file()
    {
        using var directory = StateDirectory.Open(_temp.StatePath);

        Assert.Equal(Mode0700, File.GetUnixFileMode(_temp.StatePath));
        Assert.True(File.Exists(_temp.FileIn(StateDirectory.LockFileName)));
        Assert.Equal(_temp.StatePath, directory.FullPath);
    }

    [Fact]
    public void A_looser_existing_directory_is_tightened_to_0700()
    {
        Directory.CreateDirectory(_temp.StatePath);
        File.SetUnixFileMode(_temp.StatePath, Mode0700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        using var directory = StateDirectory.Open(_temp.StatePath);

        Assert.Equal(Mode0700, File.GetUnixFileMode(_temp.StatePath));
    }

    [Fact]
    public void A_second_agent_is_refused_with_the_pid_of_the_first_and_may_open_once_it_is_gone()
    {
        var first = StateDirectory.Open(_temp.StatePath);

        var refused = Assert.Throws<StateDirectoryException>(() => StateDirectory.Open(_temp.StatePath));
        Assert.Contains($"'{_temp.StatePath}' is in use by another appliance-agent (PID {Environment.ProcessId})", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--state-dir", refused.Message, StringComparison.Ordinal);

        first.Dispose();
        using var second = StateDirectory.Open(_temp.StatePath);
    }

    [Fact]
    public void Secrets_are_written_0600_and_public_files_0644_replacing_the_old_content()
    {
        using var directory = StateDirectory.Open(_temp.StatePath);

        directory.WriteAtomically("secret.key", "one", FileSecrecy.Secret);
        directory.WriteAtomically("secret.key", "two", FileSecrecy.Secret);
        directory.WriteAtomically("public.crt", "cert", FileSecrecy.Public);

        Assert.Equal("two", File.ReadAllText(_temp.FileIn("secret.key")));
        Assert.Equal(Mode0600, File.GetUnixFileMode(_temp.FileIn("secret.key")));
        Assert.Equal(Mode0600 | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(_temp.FileIn("public.crt")));
        Assert.Equal(["agent.lock", "public.crt", "secret.key"], Directory.GetFiles(_temp.StatePath).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Temp_files_a_crash_left_behind_are_removed_at_open_and_never_read()
    {
        Directory.CreateDirectory(_temp.StatePath);
        File.WriteAllText(_temp.FileIn(".tmp-clients.json-0a1b2c"), "half a file");

        using var directory = StateDirectory.Open(_temp.StatePath);

        Assert.False(File.Exists(_temp.FileIn(".tmp-clients.json-0a1b2c")));
        Assert.Null(directory.TryRead("clients.json"));
    }

    [Theory]
    [InlineData("a path", "../escape")]
    [InlineData("the lock file", "agent.lock")]
    [InlineData("a temp file name", ".tmp-x")]
    public void Names_outside_the_directory_or_reserved_are_refused(string what, string name)
    {
        using var directory = StateDirectory.Open(_temp.StatePath);

        var refused = Assert.Throws<ArgumentException>(() => directory.WriteAtomically(name, Encoding.UTF8.GetBytes("x"), FileSecrecy.Public));
        Assert.True(refused.Message.Contains($"'{name}' is not a state file name", StringComparison.Ordinal), what);
    }

    [Fact]
    public void Systemd_state_directory_wins_over_every_other_default()
    {
        Assert.Equal("/var/lib/appliance", StateDirectory.ResolveDefaultPath("/var/lib/appliance:/var/lib/other", AppContext.BaseDirectory));
    }

    [Fact]
    public void A_build_inside_a_source_checkout_keeps_its_state_in_the_ignored_lab_folder()
    {
        string checkout = _temp.Parent;
        File.WriteAllText(Path.Combine(checkout, "Appliance.sln"), "");
        string binary = Directory.CreateDirectory(Path.Combine(checkout, "src", "Appliance.Agent", "bin", "Debug", "net10.0")).FullName;

        Assert.Equal(Path.Combine(checkout, ".lab", "state"), StateDirectory.ResolveDefaultPath(null, binary));
    }

    [Fact]
    public void An_installed_agent_keeps_its_state_in_var_lib_appliance()
    {
        string installed = Directory.CreateDirectory(Path.Combine(_temp.Parent, "opt", "appliance-agent")).FullName;

        Assert.Equal(StateDirectory.InstalledPath, StateDirectory.ResolveDefaultPath("", installed));
    }
}
