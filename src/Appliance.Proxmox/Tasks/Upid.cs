namespace Appliance.Proxmox.Tasks;

/// <summary>
/// A PVE task id: <c>UPID:&lt;node&gt;:&lt;pid&gt;:&lt;pstart&gt;:&lt;starttime&gt;:&lt;type&gt;:&lt;id&gt;:&lt;user&gt;:</c>
/// (pve-common <c>PVE/UPID.pm</c>). The node is the one to ask for the task's status.
/// </summary>
public sealed record Upid
{
    private Upid(string value, string node, string type, string id, string user)
        => (Value, Node, Type, Id, User) = (value, node, type, id, user);

    /// <summary>The full UPID text.</summary>
    public string Value { get; }

    /// <summary>Node that runs the task.</summary>
    public string Node { get; }

    /// <summary>Task type, e.g. <c>qmstart</c>, <c>qmclone</c>, <c>imgcopy</c>.</summary>
    public string Type { get; }

    /// <summary>Object id, usually the VMID (for a clone: the source); may be empty.</summary>
    public string Id { get; }

    /// <summary>Who started it, e.g. <c>panel@pve!appliance</c>.</summary>
    public string User { get; }

    /// <summary>Parses a UPID; false when the text is not one.</summary>
    public static bool TryParse(string? text, out Upid? upid)
    {
        upid = null;
        if (text is null || !text.StartsWith("UPID:", StringComparison.Ordinal))
            return false;
        var fields = text.Split(':');
        // UPID, node, pid, pstart, starttime, type, id, user, "" (trailing colon); ids may hold no colon.
        if (fields.Length < 9 || fields[1].Length == 0)
            return false;
        upid = new Upid(text, fields[1], fields[5], fields[6], fields[7]);
        return true;
    }

    /// <summary>Parses a UPID or throws <see cref="FormatException"/> naming the value.</summary>
    public static Upid Parse(string text)
        => TryParse(text, out var upid) ? upid! : throw new FormatException($"'{text}' is not a Proxmox task id (UPID:node:pid:pstart:starttime:type:id:user:)");

    /// <inheritdoc />
    public override string ToString() => Value;
}
