namespace Appliance.Web.Tests.Http;

/// <summary>A fresh directory under the system temp folder, deleted with everything in it on dispose.</summary>
public sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory() =>
        FullPath = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "panel-test-" + Guid.NewGuid().ToString("N")[..12])).FullName;

    public string FullPath { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(FullPath, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a dying server; the temp folder is cleaned by the system eventually.
        }
    }
}
