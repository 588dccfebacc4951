using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Appliance.Proxmox.Errors;

/// <summary>Turns PVE's HTTP error answers into <see cref="ProxmoxError"/> values with operator messages.</summary>
public static partial class ProxmoxErrorTranslator
{
    // pve-access-control RPCEnvironment::check: "Permission check failed (<path>, <priv>)"; older variants omit the privilege.
    [GeneratedRegex(@"Permission check failed \((?<path>[^,)]+)(?:,\s*(?<priv>[^)]+))?\)")]
    private static partial Regex PermissionCheckFailed();

    /// <summary>Builds the error for a non-success answer.</summary>
    /// <param name="request">Method and path, e.g. <c>GET /nodes</c>.</param>
    /// <param name="statusCode">HTTP status.</param>
    /// <param name="reasonPhrase">HTTP reason phrase, where PVE puts its message.</param>
    /// <param name="body">Response body, possibly empty or not JSON.</param>
    /// <param name="tokenId">The token id (never the secret), for the grant command.</param>
    public static ProxmoxError FromResponse(string request, int statusCode, string? reasonPhrase, string? body, string tokenId)
    {
        var (message, parameterErrors) = ReadBody(body);
        var reason = FirstNonEmpty(message, reasonPhrase, $"HTTP {statusCode}");
        switch (statusCode)
        {
            case 401:
                return new ProxmoxError(ProxmoxErrorKind.Authentication,
                    $"Proxmox refused the API token '{tokenId}' for {request} ({statusCode} {reason}); check the token id and secret in the panel's Proxmox settings, " +
                    "and that the token exists and has not expired (Datacenter → Permissions → API Tokens)",
                    request, statusCode, reason);
            case 403:
                return Forbidden(request, statusCode, reason, tokenId);
            case 400:
                var details = parameterErrors.Count == 0
                    ? reason
                    : string.Join("; ", parameterErrors.Select(p => $"parameter '{p.Key}': {p.Value.Trim()}"));
                return new ProxmoxError(ProxmoxErrorKind.InvalidParameters,
                    $"Proxmox rejected {request}: {details}; correct the value(s) named (this usually means the panel and the PVE version disagree on the API)",
                    request, statusCode, reason)
                { ParameterErrors = parameterErrors };
            case 404 or 501:
                return new ProxmoxError(ProxmoxErrorKind.NotFound,
                    $"Proxmox does not know {request} ({statusCode} {reason}); the node may run an older Proxmox VE than this panel needs (9.x, import uploads need ≥ 8.4), or the VM/storage does not exist",
                    request, statusCode, reason);
            case 595 or 596 or 599:
                return new ProxmoxError(ProxmoxErrorKind.ProxyFailure,
                    $"Proxmox could not forward {request} to the node or service that serves it ({statusCode} {reason}); check that the target node is online and reachable over the cluster network, " +
                    "and retry (slow synchronous calls hit pveproxy's 30 s limit)",
                    request, statusCode, reason);
            default:
                return new ProxmoxError(ProxmoxErrorKind.ServerFailure,
                    $"Proxmox failed {request} ({statusCode}): {reason}{HintFor(reason)}",
                    request, statusCode, reason);
        }
    }

    private static ProxmoxError Forbidden(string request, int statusCode, string reason, string tokenId)
    {
        var match = PermissionCheckFailed().Match(reason);
        if (!match.Success)
        {
            return new ProxmoxError(ProxmoxErrorKind.Permission,
                $"Proxmox denied {request} to token '{tokenId}' ({statusCode} {reason}); check the token's roles with GET /access/permissions",
                request, statusCode, reason);
        }
        var path = match.Groups["path"].Value.Trim();
        var privilege = match.Groups["priv"].Success ? match.Groups["priv"].Value.Trim() : null;
        var user = tokenId.Contains('!', StringComparison.Ordinal) ? tokenId[..tokenId.IndexOf('!', StringComparison.Ordinal)] : tokenId;
        var what = privilege is null ? "a required privilege" : privilege;
        return new ProxmoxError(ProxmoxErrorKind.Permission,
            $"the token '{tokenId}' lacks {what} on {path} ({request}); grant a role containing {what} on {path} to both the user and the token " +
            $"(privilege-separated tokens need both): pveum acl modify {path} --roles <role> --users {user} and again with --tokens '{tokenId}'",
            request, statusCode, reason)
        { PermissionPath = path, MissingPrivilege = privilege };
    }

    private static string HintFor(string reason)
    {
        if (reason.Contains("is locked", StringComparison.OrdinalIgnoreCase))
            return "; another task (clone, backup, create) holds the VM lock: wait for it to finish under Datacenter → Tasks and retry";
        if (reason.Contains("guest agent is not running", StringComparison.OrdinalIgnoreCase))
            return "; the VM is still booting or qemu-guest-agent is not installed; wait and retry";
        if (reason.Contains("got timeout", StringComparison.OrdinalIgnoreCase))
            return "; a lock is held by a parallel operation: run provisioning steps one at a time and retry";
        return "";
    }

    private static (string? Message, IReadOnlyDictionary<string, string> ParameterErrors) ReadBody(string? body)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body))
            return (null, parameters);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, parameters);
            string? message = null;
            if (document.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                message = m.GetString()?.Trim();
            if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in errors.EnumerateObject())
                    parameters[entry.Name] = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText();
            }
            return (message, parameters);
        }
        catch (JsonException)
        {
            return (null, parameters);
        }
    }

    private static string FirstNonEmpty(params string?[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (!string.IsNullOrWhiteSpace(candidate))
                return candidate.Trim();
        }
        return string.Create(CultureInfo.InvariantCulture, $"no reason given");
    }
}
