namespace Appliance.Proxmox.Ssh;

/// <summary>POSIX shell quoting for arguments of remote commands.</summary>
public static class ShellQuote
{
    /// <summary>Wraps <paramref name="argument"/> in single quotes (a quote inside becomes <c>'\''</c>).</summary>
    public static string Quote(string argument)
        => argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or ',' or '@' or '+')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A command line of <paramref name="program"/> and its quoted arguments.</summary>
    public static string Command(string program, params string[] arguments)
        => string.Join(' ', new[] { Quote(program) }.Concat(arguments.Select(Quote)));
}
