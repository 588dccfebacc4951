using System.Runtime.Versioning;
using System.Text.Json;
using Appliance.Agent.Api;
using Appliance.Contracts;

namespace Appliance.Agent.Cli;

/// <summary>Finds the running agent on this machine through the local access file it writes at every start.</summary>
[SupportedOSPlatform("linux")]
internal static class LocalAgent
{
    /// <summary>A client of the agent whose state directory is <paramref name="stateDir"/> (resolved like <c>serve</c> does).</summary>
    /// <exception cref="CliException">No local access file (the agent is not running, or never ran with this state directory), or it cannot be read.</exception>
    public static AgentApiClient Connect(string? stateDir)
    {
        string directory = StatePaths.Resolve(stateDir);
        string path = Path.Combine(directory, LocalAccess.FileName);
        LocalAccessFile? file;
        try
        {
            file = JsonSerializer.Deserialize<LocalAccessFile>(File.ReadAllBytes(path), LocalAccessFile.Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CliException($"the agent is not running with state directory '{directory}' (no {path}); start it with 'appliance-agent serve' or 'systemctl start appliance-agent', or name its directory with --state-dir");
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: the state directory belongs to the agent's user; run this as root");
        }
        catch (JsonException e)
        {
            throw new CliException($"{path} is not a local access file ({e.Message}); restart the agent to rewrite it");
        }
        if (file is null || !Uri.TryCreate(file.Url, UriKind.Absolute, out var url) || CertificateFingerprint.TryNormalize(file.Fingerprint) is null)
            throw new CliException($"{path} is incomplete; restart the agent to rewrite it");
        return new AgentApiClient(AgentApiClient.CreateHttpClient(new AgentEndpoint(url, file.Token, file.Fingerprint), TimeSpan.FromSeconds(30)));
    }
}

/// <summary>A CLI failure with a message for the operator (exit code 1).</summary>
internal sealed class CliException : Exception
{
    public CliException(string message) : base(message) { }

    public CliException() { }

    public CliException(string message, Exception inner) : base(message, inner) { }
}
