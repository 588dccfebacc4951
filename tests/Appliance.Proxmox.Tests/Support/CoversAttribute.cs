namespace Appliance.Proxmox.Tests.Support;

/// <summary>Marks a contract test as exercising a <see cref="ProxmoxClient"/> call; the coverage test counts these.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class CoversAttribute(string call) : Attribute
{
    /// <summary>The client method name.</summary>
    public string Call { get; } = call;
}
