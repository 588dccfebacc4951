namespace Appliance.Proxmox.Config;

/// <summary>Disk values for importing an uploaded image: <c>STORAGE:0,import-from=STORAGE:import/FILE.qcow2</c>.</summary>
public static class DiskImport
{
    /// <summary>
    /// A disk on <paramref name="targetStorage"/> filled from the volume <paramref name="sourceVolume"/>
    /// (e.g. <c>local:import/appliance.qcow2</c>). A volume id, never a host path: paths are root@pam-only.
    /// </summary>
    public static string FromVolume(string targetStorage, string sourceVolume, string? extraOptions = null)
    {
        if (sourceVolume.StartsWith('/'))
            throw new ArgumentException($"import source '{sourceVolume}' is a host path, which only root@pam may import; upload it to an import storage and use its volume id (e.g. local:import/appliance.qcow2)", nameof(sourceVolume));
        if (!sourceVolume.Contains(':', StringComparison.Ordinal))
            throw new ArgumentException($"import source '{sourceVolume}' is not a volume id STORAGE:import/FILE", nameof(sourceVolume));
        var value = $"{targetStorage}:0,import-from={sourceVolume}";
        return extraOptions is null ? value : $"{value},{extraOptions}";
    }

    /// <summary>The import volume id an upload of <paramref name="fileName"/> to <paramref name="storage"/> creates.</summary>
    public static string ImportVolumeId(string storage, string fileName) => $"{storage}:import/{fileName}";
}
