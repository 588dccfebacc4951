namespace Appliance.Proxmox.Console;

/// <summary>Which PVE console viewer to open.</summary>
public enum ConsoleViewer
{
    /// <summary>noVNC on the VM's display.</summary>
    NoVnc,
    /// <summary>xterm.js on the VM's serial port (needs <c>serial0=socket</c>).</summary>
    XtermJs,
}

/// <summary>
/// Links to the PVE web console of a VM. No API call: the PVE GUI opens its console from these query parameters
/// (<c>/?console=kvm&amp;novnc=1&amp;vmid=…&amp;node=…</c>) and authenticates the operator with their own PVE login
/// in that browser tab; the panel's API token is never put in a link.
/// </summary>
public static class ConsoleLink
{
    /// <summary>The console URL for VM <paramref name="vmId"/> on <paramref name="node"/> at <paramref name="baseUrl"/>.</summary>
    public static Uri For(Uri baseUrl, string node, int vmId, string? vmName = null, ConsoleViewer viewer = ConsoleViewer.NoVnc)
    {
        var query = new List<string> { "console=kvm" };
        query.Add(viewer == ConsoleViewer.XtermJs ? "xtermjs=1" : "novnc=1");
        query.Add($"vmid={vmId}");
        if (vmName is not null)
            query.Add("vmname=" + Uri.EscapeDataString(vmName));
        query.Add("node=" + Uri.EscapeDataString(node));
        query.Add("resize=off");
        query.Add("cmd=");
        var builder = new UriBuilder(baseUrl) { Path = "/", Query = string.Join('&', query) };
        return builder.Uri;
    }
}
