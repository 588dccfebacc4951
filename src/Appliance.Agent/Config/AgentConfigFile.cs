using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Serialization;
using Appliance.Agent.State;
using Appliance.Contracts;
using Microsoft.Extensions.Configuration;

namespace Appliance.Agent.Config;

/// <summary>Where the agent's configuration comes from and where a change is written: file, then environment, then flags.</summary>
/// <remarks>
/// The file is <c>--config PATH</c> when given (it must exist); else <see cref="AgentConfigDefaults.DefaultConfigPath"/>
/// when it exists; else <c>agent.json</c> in the state directory when it exists (where a PUT writes when no file was
/// named). Environment variables <c>APPLIANCE_SECTION__KEY</c> override the file; flags override both.
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

    private AgentConfigFile(string path, bool exists)
    {
        Path = path;
        Exists = exists;
    }

    /// <summary>The file read at start and written by a change.</summary>
    public string Path { get; }

    public bool Exists { get; }

    public static AgentConfigFile Locate(string? named, string statePath)
    {
        if (named is not null)
            return new AgentConfigFile(System.IO.Path.GetFullPath(named), File.Exists(named));
        if (File.Exists(AgentConfigDefaults.DefaultConfigPath))
            return new AgentConfigFile(AgentConfigDefaults.DefaultConfigPath, true);
        string inState = System.IO.Path.Combine(statePath, StateFileName);
        return new AgentConfigFile(inState, File.Exists(inState));
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
                if (name.StartsWith(AgentConfigDefaults.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
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
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        string temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.tmp-{Environment.ProcessId}");
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
        File.Move(temp, Path, overwrite: true);
        StateNative.FlushDirectory(directory);
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
