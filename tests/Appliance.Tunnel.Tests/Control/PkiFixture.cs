namespace Appliance.Tunnel.Tests.ControlChannel;

[CollectionDefinition(Name)]
public sealed class PkiCollection : ICollectionFixture<TestPki>
{
    public const string Name = "Control channel PKI";
}
