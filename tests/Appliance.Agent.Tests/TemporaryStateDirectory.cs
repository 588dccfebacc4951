namespace Appliance.Agent.Tests;

/// <summary>A fresh path under /tmp for one test's state directory; deleted with everything in it at dispose.</summary>
public sealed class TemporaryStateDirectory : IDisposable
{
    public TemporaryStateDirectory()
    {
        Parent = Path.Combine(Path.GetTempPath(), "appliance-agent-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Parent);
        StatePath = Path.Combine(Parent, "state");
    }

    /// <summary>Holds the state directory, so a test can watch it being created.</summary>
    public string Parent { get; }

    /// <summary>The state directory itself (not created yet).</summary>
    public string StatePath { get; }

    public string FileIn(string name) => Path.Combine(StatePath, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Parent, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: /tmp is cleaned anyway.
        }
    }
}
