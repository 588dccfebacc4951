namespace Appliance.Contracts;

/// <summary>The rule for client and server names: 1-64 characters of [A-Za-z0-9._-], so a name is a valid CN, file name and profile line without quoting.</summary>
public static class ClientName
{
    /// <summary>RFC 5280 ub-common-name.</summary>
    public const int MaxLength = 64;

    /// <summary>Null when valid, else a sentence naming the value and the rule.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
            return "a name is needed: 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'";
        if (name.Length > MaxLength)
            return $"name '{name[..20]}...' is {name.Length} characters; at most {MaxLength} are allowed";
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                return $"name '{name}' contains '{(char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString())}'; only A-Z, a-z, 0-9, '.', '_' and '-' are allowed";
        }
        if (name is "." or "..")
            return $"name '{name}' is not allowed";
        return null;
    }
}
