namespace Appliance.Agent.State;

/// <summary>The state directory cannot be used as it is: held by another agent, unreadable, or holding a file that does not parse. The message names the path and the fix.</summary>
public sealed class StateDirectoryException : Exception
{
    public StateDirectoryException(string message) : base(message) { }
    public StateDirectoryException(string message, Exception innerException) : base(message, innerException) { }
    public StateDirectoryException() { }
}
