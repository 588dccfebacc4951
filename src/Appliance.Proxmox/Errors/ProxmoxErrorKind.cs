namespace Appliance.Proxmox.Errors;

/// <summary>What went wrong talking to Proxmox VE, coarse enough for the panel to pick a remedy.</summary>
public enum ProxmoxErrorKind
{
    /// <summary>401: the token id or secret was refused, or the token expired.</summary>
    Authentication,
    /// <summary>403: the token lacks a privilege on a path.</summary>
    Permission,
    /// <summary>400: parameters failed PVE's schema validation; see <see cref="ProxmoxError.ParameterErrors"/>.</summary>
    InvalidParameters,
    /// <summary>404 or 501: the path or method does not exist on this PVE version.</summary>
    NotFound,
    /// <summary>500: the call was valid but failed on the node (locked VM, missing guest agent, …).</summary>
    ServerFailure,
    /// <summary>595/596/599: pveproxy could not reach the node or daemon that serves the call.</summary>
    ProxyFailure,
    /// <summary>No HTTP answer: DNS, TCP, timeout.</summary>
    Connection,
    /// <summary>The node's certificate matched neither the pin nor the cluster CA.</summary>
    Certificate,
    /// <summary>A task ended with an error exit status, or did not end in time.</summary>
    TaskFailed,
    /// <summary>The answer could not be understood (not the PVE JSON envelope).</summary>
    UnexpectedResponse,
}
