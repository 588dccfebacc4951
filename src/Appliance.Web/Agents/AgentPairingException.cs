namespace Appliance.Web.Agents;

/// <summary>Pairing was refused; the message says why and what to do, and never holds the token.</summary>
public sealed class AgentPairingException : Exception
{
    public AgentPairingException() : this("pairing failed") { }

    public AgentPairingException(string message) : base(message) { }

    public AgentPairingException(string message, Exception inner) : base(message, inner) { }
}
