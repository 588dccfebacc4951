using System.Net.Sockets;
using System.Security.Authentication;
using Appliance.Proxmox.Access;
using Appliance.Proxmox.Connection;
using Appliance.Proxmox.Errors;
using Appliance.Proxmox.Models;
using Appliance.Proxmox.Tls;

namespace Appliance.Proxmox.Workflows.Connect;

/// <summary>What the operator typed to connect the panel to Proxmox, and what the token should be able to reach.</summary>
public sealed record ConnectionCheckRequest
{
    /// <summary>The node's API address, e.g. <c>https://pve.lan:8006</c>.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Token id, <c>USER@REALM!TOKENID</c>.</summary>
    public required string TokenId { get; init; }

    /// <summary>Token secret.</summary>
    public required string Secret { get; init; }

    /// <summary>The certificate fingerprint to expect; null trusts the one presented on this first contact.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>Node to check node privileges on; null: the first online node.</summary>
    public string? Node { get; init; }

    /// <summary>ACL path of the appliance VM(s): <c>/vms</c> before it exists, <c>/vms/{vmid}</c> or a pool path.</summary>
    public string VmPath { get; init; } = "/vms";

    /// <summary>Storage the image is uploaded to (needs <c>import</c> content).</summary>
    public string ImageStorage { get; init; } = "local";

    /// <summary>Storage for the VM disks.</summary>
    public string DiskStorage { get; init; } = "local-lvm";

    /// <summary>Bridges the appliance's NICs attach to.</summary>
    public IReadOnlyList<string> Bridges { get; init; } = ["vmbr0", "vmbr1"];
}

/// <summary>What a connection check found, for the settings page to render.</summary>
public sealed record ConnectionCheckResult
{
    /// <summary>True when the node was reached, trusted and the token accepted (privileges may still be missing).</summary>
    public bool Connected { get; init; }

    /// <summary>SHA-256 fingerprint of the certificate the node presented (null when it could not be reached).</summary>
    public string? FingerprintSeen { get; init; }

    /// <summary>True when no fingerprint was given and <see cref="FingerprintSeen"/> was trusted on this first contact: show it for the operator to compare with Node → System → Certificates.</summary>
    public bool TrustedOnFirstContact { get; init; }

    /// <summary>PVE version.</summary>
    public PveVersion? Version { get; init; }

    /// <summary>The cluster's nodes.</summary>
    public IReadOnlyList<NodeSummary> Nodes { get; init; } = [];

    /// <summary>The node privileges were checked on.</summary>
    public string? CheckedNode { get; init; }

    /// <summary>Privileges the token lacks, each with its path and purpose.</summary>
    public IReadOnlyList<PrivilegeRequirement> MissingPrivileges { get; init; } = [];

    /// <summary>One grant command per path with missing privileges.</summary>
    public IReadOnlyList<string> PrivilegeAdvice { get; init; } = [];

    /// <summary>The PEM of the cluster CA (pve-root-ca.pem) to trust from now on, when the node returned it.</summary>
    public string? ClusterCaPem { get; init; }

    /// <summary>Why the check failed (names the thing and the fix); null when connected.</summary>
    public string? Error { get; init; }

    /// <summary>True when connected and no privilege is missing.</summary>
    public bool Ready => Connected && MissingPrivileges.Count == 0;
}

/// <summary>
/// Connects with what the operator typed: reads the presented certificate first (nothing sent), trusts it on first
/// contact or compares it with the given fingerprint (the token is never sent to a node that fails), then lists the
/// nodes and reports which of the panel's privileges the token lacks on which path.
/// </summary>
public sealed class ConnectionCheck(TimeProvider time)
{
    /// <summary>Runs the check; every failure is a result, not an exception (cancellation aside).</summary>
    public async Task<ConnectionCheckResult> RunAsync(ConnectionCheckRequest request, CancellationToken cancellationToken = default)
    {
        var connection = new ProxmoxConnection { BaseUrl = request.BaseUrl, TokenId = request.TokenId, Secret = request.Secret, PinnedFingerprint = request.Fingerprint };
        var problems = connection.Validate();
        if (problems.Count > 0)
            return new ConnectionCheckResult { Error = string.Join("; ", problems) };

        PresentedCertificate presented;
        try
        {
            presented = await FirstContactProbe.ProbeAsync(request.BaseUrl, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or AuthenticationException or IOException or InvalidOperationException)
        {
            return new ConnectionCheckResult { Error = $"could not reach Proxmox at {request.BaseUrl.Authority} over TLS ({e.Message}); check the address and port (8006) and that the panel can reach the node" };
        }

        var firstContact = request.Fingerprint is null;
        if (!firstContact && !CertificateFingerprint.AreEqual(request.Fingerprint, presented.Fingerprint))
        {
            return new ConnectionCheckResult
            {
                FingerprintSeen = presented.Fingerprint,
                Error = $"the node at {request.BaseUrl.Authority} presented certificate fingerprint {presented.Fingerprint}, not the expected {request.Fingerprint}; " +
                        "the token was not sent. Compare with Node → System → Certificates in the Proxmox GUI and enter the fingerprint shown there",
            };
        }
        connection.PinnedFingerprint = presented.Fingerprint;

        using var client = new ProxmoxClient(connection, time);
        try
        {
            var version = await client.GetVersionAsync(cancellationToken).ConfigureAwait(false);
            var nodes = await client.GetNodesAsync(cancellationToken).ConfigureAwait(false);
            var node = request.Node ?? nodes.FirstOrDefault(n => n.Status == "online")?.Node ?? (nodes.Count > 0 ? nodes[0].Node : null);
            if (node is null)
                return new ConnectionCheckResult { FingerprintSeen = presented.Fingerprint, TrustedOnFirstContact = firstContact, Version = version, Error = "Proxmox lists no nodes to this token; grant it Sys.Audit on /nodes" };
            if (request.Node is not null && nodes.All(n => n.Node != request.Node))
                return new ConnectionCheckResult { FingerprintSeen = presented.Fingerprint, TrustedOnFirstContact = firstContact, Version = version, Nodes = nodes, Error = $"node '{request.Node}' is not in this cluster; pick one of {string.Join(", ", nodes.Select(n => n.Node))}" };

            var needed = AppliancePrivileges.ForPath(node, request.VmPath, request.ImageStorage, request.DiskStorage, request.Bridges, version.Major);
            var privileges = await client.CheckPrivilegesAsync(needed, cancellationToken).ConfigureAwait(false);
            var certificates = await client.GetCertificatesAsync(node, cancellationToken).ConfigureAwait(false);
            return new ConnectionCheckResult
            {
                Connected = true,
                FingerprintSeen = presented.Fingerprint,
                TrustedOnFirstContact = firstContact,
                Version = version,
                Nodes = nodes,
                CheckedNode = node,
                MissingPrivileges = privileges.Missing,
                PrivilegeAdvice = privileges.Describe(),
                ClusterCaPem = certificates.FirstOrDefault(c => c.IsClusterAuthority)?.Pem,
            };
        }
        catch (ProxmoxException e)
        {
            return new ConnectionCheckResult { FingerprintSeen = presented.Fingerprint, TrustedOnFirstContact = firstContact, Error = e.Message };
        }
    }
}
