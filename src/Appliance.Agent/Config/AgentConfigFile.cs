using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Agent.State;
using Appliance.Contracts;
using Microsoft.Extensions.Configuration;

namespace Appliance.Agent.Config;

/// <summary>Where the agent's configuration comes from and where a change is written: file, then environment, then flags.</summary>
/// <remarks>
/// The file is <c>--config PATH</c> when given (it must exist; a change is written back to it). Otherwise a change made
/// through the API lives in <c>agent.json</c> in the state directory and, once there, is what the agent reads; until then
/// it reads <see cref="AgentConfigDefaults.DefaultConfigPath"/> when that exists (the operator's seed, read-only to the
/// agent under its systemd unit), else the built-in defaults. Environment variables <c>APPLIANCE_SECTION__KEY</c>
/// override the file; flags override both.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class AgentConfigFile
{
    public const string StateFileName = "agent.json";

    /// <summary>How config documents are written and read (PUT bodies too): camelCase, unknown members refused, every member required.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    private AgentConfigFile(string path, bool exists, string savePath)
    {
        Path = path;
        Exists = exists;
        SavePath = savePath;
    }

    /// <summary>The file read at start.</summary>
    public string Path { get; private set; }

    public bool Exists { get; private set; }

    /// <summary>Where a change is written (and read from at the next start).</summary>
    public string SavePath { get; }

    public static AgentConfigFile Locate(string? named, string statePath) => Locate(named, statePath, AgentConfigDefaults.DefaultConfigPath);

    internal static AgentConfigFile Locate(string? named, string statePath, string seedPath)
    {
        if (named is not null)
        {
            string full = System.IO.Path.GetFullPath(named);
            return new AgentConfigFile(full, File.Exists(full), full);
        }
        string inState = System.IO.Path.Combine(statePath, StateFileName);
        if (File.Exists(inState))
            return new AgentConfigFile(inState, true, inState);
        return File.Exists(seedPath)
            ? new AgentConfigFile(seedPath, true, inState)
            : new AgentConfigFile(inState, false, inState);
    }

    /// <summary>Reads the layered configuration; every problem is named by its key (or the file and line when it does not parse).</summary>
    public (AgentConfigDto? Config, ConfigErrors Errors) Load(IReadOnlyDictionary<string, string?> flagOverrides, IDictionary<string, string?>? environment, string hostName)
    {
        var builder = new ConfigurationBuilder();
        if (Exists)
        {
            try
            {
                // Read once here so a syntax error is reported with the file's name; the provider then parses the same bytes.
                using var document = JsonDocument.Parse(File.ReadAllBytes(Path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                    return (null, Error(Path, "must hold a JSON object"));
            }
            catch (JsonException e)
            {
                return (null, Error(Path, $"is not valid JSON: {e.Message}"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, Error(Path, $"cannot be read: {e.Message}"));
            }
            builder.AddJsonFile(Path, optional: false, reloadOnChange: false);
        }
        var fromEnvironment = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                // Every key is SECTION__KEY; other APPLIANCE_* variables (the unit's APPLIANCE_AGENT_ARGS) are not config.
                if (name.StartsWith(AgentConfigDefaults.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && name.Contains("__", StringComparison.Ordinal))
                    fromEnvironment[name[AgentConfigDefaults.EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = value;
            }
        }
        builder.AddInMemoryCollection(fromEnvironment);
        builder.AddInMemoryCollection(flagOverrides);
        return AgentConfigReader.Read(builder.Build(), hostName);
    }

    /// <summary>Replaces the file with <paramref name="config"/> so that a crash leaves the old or the new document, never a mix.</summary>
    public void Save(AgentConfigDto config)
    {
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(config, Json);
        string directory = System.IO.Path.GetDirectoryName(SavePath)!;
        string temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(SavePath)}.tmp-{Environment.ProcessId}");
        using (var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        }))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, SavePath, overwrite: true);
        StateNative.FlushDirectory(directory);
        Path = SavePath;
        Exists = true;
    }

    /// <summary>The process environment as a dictionary (the variables the config may read).</summary>
    public static Dictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = entry.Value as string;
        return result;
    }

    private static ConfigErrors Error(string path, string problem)
    {
        var errors = new ConfigErrors();
        errors.Add(path, problem);
        return errors;
    }
}
