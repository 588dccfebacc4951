namespace Appliance.Web.Data;

/// <summary>Where the panel keeps its database and data-protection keys.</summary>
public sealed record PanelDataDirectory(string FullPath)
{
    /// <summary>Where an installed panel keeps its data.</summary>
    public const string InstalledPath = "/var/lib/appliance-panel";

    public const string ConfigurationKey = "Panel:DataDirectory";
    public const string EnvironmentVariable = "PANEL_DATA";

    public string DatabasePath => Path.Combine(FullPath, "panel.db");

    public string KeysPath => Path.Combine(FullPath, "keys");

    /// <summary>
    /// <c>Panel:DataDirectory</c> when configured; else <c>$PANEL_DATA</c>; else <c>.lab/panel</c> of the source checkout the
    /// panel was built in (a developer run such as <c>./run.sh</c>; <c>/.lab/</c> is git-ignored); else <see cref="InstalledPath"/>.
    /// </summary>
    public static string ResolvePath(string? configured, string? environmentVariable, string baseDirectory)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return Path.GetFullPath(configured);
        if (!string.IsNullOrWhiteSpace(environmentVariable))
            return Path.GetFullPath(environmentVariable);
        for (var dir = new DirectoryInfo(baseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
                return Path.Combine(dir.FullName, ".lab", "panel");
        }
        return InstalledPath;
    }

    /// <summary>
    /// Creates an empty database file readable by the owner only (0600) when there is none; SQLite then gives its -wal and
    /// -shm files the same mode. The file holds password hashes and TOTP secrets.
    /// </summary>
    public void CreateDatabaseFileIfMissing()
    {
        if (File.Exists(DatabasePath))
            return;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var file = new FileStream(DatabasePath, options);
        }
        catch (IOException) when (File.Exists(DatabasePath))
        {
            // Created meanwhile by another opener: fine, it is the same file.
        }
    }

    /// <summary>Creates the directory (0700 on Unix) when missing.</summary>
    public static PanelDataDirectory Create(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(path);
            else
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"panel data directory '{path}' cannot be created: {e.Message}; set {ConfigurationKey} or ${EnvironmentVariable} to a writable directory", e);
        }
        return new PanelDataDirectory(path);
    }
}
