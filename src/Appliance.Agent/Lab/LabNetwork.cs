namespace Appliance.Agent.Lab;

/// <summary>The links the lab touches (the bridge it joins, the TAP it owns), in the agent's namespace or a named one.</summary>
internal sealed class LabNetwork(string? networkNamespace)
{
    public bool Exists(string name) => networkNamespace is null
        ? IpCommand.InterfaceExists(name)
        : IpCommand.Run(Ip("link", "show", "dev", name)).Ok;

    /// <summary>Creates a persistent TAP (the guest opens it by name), up, as a port of <paramref name="bridge"/>; a stale one of the same name is replaced.</summary>
    public (bool Ok, string Error) AddTap(string tap, string bridge)
    {
        if (Exists(tap))
            DeleteLink(tap);
        var added = IpCommand.Run(Ip("tuntap", "add", "dev", tap, "mode", "tap"));
        if (!added.Ok)
            return added;
        var joined = IpCommand.Run(Ip("link", "set", tap, "master", bridge, "up"));
        if (!joined.Ok)
            DeleteLink(tap);
        return joined;
    }

    public void DeleteLink(string name) => IpCommand.Run(Ip("link", "del", name));

    private string[] Ip(params string[] arguments) => networkNamespace is null ? arguments : ["-n", networkNamespace, .. arguments];
}
