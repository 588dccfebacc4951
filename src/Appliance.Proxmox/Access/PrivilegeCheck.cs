namespace Appliance.Proxmox.Access;

/// <summary>Effective permissions as <c>GET /access/permissions</c> reports them: path → privilege → propagates.</summary>
public sealed class PermissionMap
{
    private readonly Dictionary<string, Dictionary<string, bool>> _paths;

    /// <summary>Wraps a path → (privilege → propagate) map.</summary>
    public PermissionMap(IReadOnlyDictionary<string, IReadOnlyDictionary<string, bool>> paths)
        => _paths = paths.ToDictionary(p => Normalize(p.Key), p => p.Value.ToDictionary(q => q.Key, q => q.Value, StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>The paths listed.</summary>
    public IEnumerable<string> Paths => _paths.Keys;

    /// <summary>
    /// True when <paramref name="privilege"/> holds on <paramref name="path"/>: listed on the path itself, or on the
    /// nearest listed ancestor with propagation.
    /// </summary>
    public bool Grants(string path, string privilege)
    {
        var current = Normalize(path);
        if (_paths.TryGetValue(current, out var own))
            return own.ContainsKey(privilege);
        while (current != "/")
        {
            current = Parent(current);
            if (_paths.TryGetValue(current, out var inherited))
                return inherited.TryGetValue(privilege, out var propagates) && propagates;
        }
        return false;
    }

    private static string Normalize(string path)
        => path.Length > 1 ? "/" + path.Trim('/') : "/";

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }
}

/// <summary>Which needed privileges a token lacks, with the commands that grant them.</summary>
public sealed partial record PrivilegeCheckResult(string TokenId, IReadOnlyList<PrivilegeRequirement> Missing)
{
    /// <summary>True when nothing is missing.</summary>
    public bool IsSatisfied => Missing.Count == 0;

    /// <summary>One operator line per missing privilege, grouped by path.</summary>
    public IReadOnlyList<string> Describe()
    {
        var user = TokenId.Contains('!', StringComparison.Ordinal) ? TokenId[..TokenId.IndexOf('!', StringComparison.Ordinal)] : TokenId;
        return Missing
            .GroupBy(m => m.Path, StringComparer.Ordinal)
            .Select(g => $"the token '{TokenId}' lacks {string.Join(", ", g.Select(m => m.Privilege))} on {g.Key} " +
                         $"(needed to {string.Join("; ", g.Select(m => m.Purpose))}); grant a role with them to user and token: " +
                         $"pveum acl modify {g.Key} --roles <role> --users {user} and again with --tokens '{TokenId}'")
            .ToList();
    }
}

public sealed partial record PrivilegeCheckResult
{
    /// <summary>The role <see cref="Commands"/> creates (or extends) to hold what is missing.</summary>
    public const string RoleName = "ApplianceL2Vpn";

    /// <summary>
    /// The exact <c>pveum</c> commands, to run as root on a node, that grant what is missing: one role holding every missing
    /// privilege (created, or extended when it exists), then per path an ACL for the user and one for the token (a token
    /// with privilege separation needs both).
    /// </summary>
    public IReadOnlyList<string> Commands()
    {
        if (Missing.Count == 0)
            return [];
        var user = TokenId.Contains('!', StringComparison.Ordinal) ? TokenId[..TokenId.IndexOf('!', StringComparison.Ordinal)] : TokenId;
        var privileges = string.Join(",", Missing.Select(m => m.Privilege).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var commands = new List<string>
        {
            $"pveum role add {RoleName} --privs '{privileges}' || pveum role modify {RoleName} --append 1 --privs '{privileges}'",
        };
        foreach (var path in Missing.Select(m => m.Path).Distinct(StringComparer.Ordinal))
        {
            commands.Add($"pveum acl modify {path} --roles {RoleName} --users '{user}'");
            commands.Add($"pveum acl modify {path} --roles {RoleName} --tokens '{TokenId}'");
        }
        return commands;
    }
}

/// <summary>Compares needed privileges with effective permissions.</summary>
public static class PrivilegeCheck
{
    /// <summary>The requirements <paramref name="permissions"/> does not grant.</summary>
    public static PrivilegeCheckResult Evaluate(string tokenId, IEnumerable<PrivilegeRequirement> requirements, PermissionMap permissions)
        => new(tokenId, requirements.Where(r => !permissions.Grants(r.Path, r.Privilege)).ToList());
}
