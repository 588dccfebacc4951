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

    /// <summary>
    /// The certificate fingerprint to expect: pasted by the operator, or the one a previous check showed and the operator
    /// confirmed. Null: the check only reads the presented certificate for the operator to confirm, and sends no token.
    /// </summary>
    public string? Fingerprint { get; init; }

    /// <summary>True when <see cref="Fingerprint"/> is one the operator confirmed on screen rather than pasted (for the audit).</summary>
    public bool FingerprintConfirmedOnScreen { get; init; }

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

    /// <summary>True when the pinned fingerprint is one the operator confirmed on screen (not pasted).</summary>
    public bool TrustedOnFirstContact { get; init; }

    /// <summary>
    /// True when no fingerprint was given: the node was only asked for its certificate (<see cref="Certificate"/>), no token
    /// was sent, and the operator must confirm the certificate before the check goes on.
    /// </summary>
    public bool NeedsConfirmation { get; init; }

    /// <summary>The certificate the node presented, to compare with Node → System → Certificates.</summary>
    public PresentedCertificate? Certificate { get; init; }

    /// <summary>What the check could not read but did not need (e.g. the cluster CA), each with what it means.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

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

    /// <summary>The <c>pveum</c> commands that grant every missing privilege (<see cref="PrivilegeCheckResult.Commands"/>).</summary>
    public IReadOnlyList<string> PrivilegeCommands { get; init; } = [];

    /// <summary>The PEM of the cluster CA (pve-root-ca.pem) to trust from now on, when the node returned it.</summary>
    public string? ClusterCaPem { get; init; }

    /// <summary>Why the check failed (names the thing and the fix); null when connected.</summary>
    public string? Error { get; init; }

    /// <summary>True when connected and no privilege is missing.</summary>
    public bool Ready => Connected && MissingPrivileges.Count == 0;
}

/// <summary>
/// Connects with what the operator typed: reads the presented certificate first (nothing sent); without a fingerprint it
/// stops there for the operator to confirm the certificate; with one it compares (the token is never sent to a node that
/// fails), then lists the nodes and reports which of the panel's privileges the token lacks on which path.
/// </summary>
public sealed class ConnectionCheck(TimeProvider time)
{
    /// <summary>How long setting up a connection (TCP and TLS) may take, for the first-contact probe and the API calls.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Runs the check; every failure is a result, not an exception (cancellation aside).</summary>
    public async Task<ConnectionCheckResult> RunAsync(ConnectionCheckRequest request, CancellationToken cancellationToken = default)
    {
        var connection = new ProxmoxConnection { BaseUrl = request.BaseUrl, TokenId = request.TokenId, Secret = request.Secret, PinnedFingerprint = request.Fingerprint, ConnectTimeout = ConnectTimeout };
        var problems = connection.Validate();
        if (problems.Count > 0)
            return new ConnectionCheckResult { Error = string.Join("; ", problems) };

        PresentedCertificate presented;
        try
        {
            presented = await FirstContactProbe.ProbeAsync(request.BaseUrl, ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or AuthenticationException or IOException or InvalidOperationException or TimeoutException)
        {
            return new ConnectionCheckResult { Error = $"could not reach Proxmox at {request.BaseUrl.Authority} over TLS ({e.Message}); check the address and port (8006) and that the panel can reach the node" };
        }

        // The token goes only to a node whose certificate the operator vouched for: pasted, or shown and confirmed.
        if (request.Fingerprint is null)
            return new ConnectionCheckResult { FingerprintSeen = presented.Fingerprint, Certificate = presented, NeedsConfirmation = true };
        var firstContact = request.FingerprintConfirmedOnScreen;
        if (!CertificateFingerprint.AreEqual(request.Fingerprint, presented.Fingerprint))
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
            // The cluster CA only spares a confirmation after the node certificate is renewed: without it the pin alone is trusted.
            string? clusterCaPem = null;
            var notes = new List<string>();
            try
            {
                var certificates = await client.GetCertificatesAsync(node, cancellationToken).ConfigureAwait(false);
                clusterCaPem = certificates.FirstOrDefault(c => c.IsClusterAuthority)?.Pem;
            }
            catch (ProxmoxException e)
            {
                notes.Add($"the cluster CA could not be read from node {node} ({e.Error.Reason}); only the confirmed fingerprint is trusted, " +
                          "so when the node certificate is renewed the panel will ask to confirm the new one (grant Sys.Audit on /nodes/" + node + " to avoid that)");
            }
            return new ConnectionCheckResult
            {
                Connected = true,
                Certificate = presented,
                Notes = notes,
                FingerprintSeen = presented.Fingerprint,
                TrustedOnFirstContact = firstContact,
                Version = version,
                Nodes = nodes,
                CheckedNode = node,
                MissingPrivileges = privileges.Missing,
                PrivilegeAdvice = privileges.Describe(),
                PrivilegeCommands = privileges.Commands(),
                ClusterCaPem = clusterCaPem,
            };
        }
        catch (ProxmoxException e)
        {
            return new ConnectionCheckResult { FingerprintSeen = presented.Fingerprint, TrustedOnFirstContact = firstContact, Error = e.Message };
        }
    }
}
