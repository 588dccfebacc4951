using System.Text;
using System.Text.RegularExpressions;

namespace Appliance.Proxmox.Tests.FakePve;

/// <summary>
/// The upload body as pveproxy's <c>file_upload_multipart</c> reads it: quoted <c>name="…"</c>, each part's first
/// header is Content-Disposition, form fields before the file part, the file part named <c>filename</c> with
/// <c>filename="…"</c>. Problems become violations naming the part.
/// </summary>
public static partial class UploadParser
{
    /// <summary>Fields (the file part becomes <c>filename</c> = its file name), file byte count, and wire problems.</summary>
    public static (Dictionary<string, List<string?>> Fields, long FileBytes, List<(string Part, string Problem)> Problems) Parse(string contentType, byte[] body)
    {
        var fields = new Dictionary<string, List<string?>>(StringComparer.Ordinal);
        var problems = new List<(string, string)>();
        long fileBytes = 0;
        var boundaryMatch = Boundary().Match(contentType);
        if (!boundaryMatch.Success)
        {
            problems.Add(("body", $"Content-Type '{contentType}' is not multipart/form-data with a boundary"));
            return (fields, 0, problems);
        }
        var boundary = "--" + boundaryMatch.Groups[1].Value.Trim('"');
        // Latin-1 keeps one char per byte, so offsets match the body.
        var text = Encoding.Latin1.GetString(body);
        var sawFile = false;
        foreach (var rawPart in text.Split(boundary).Skip(1))
        {
            if (rawPart.StartsWith("--", StringComparison.Ordinal))
                break;
            var part = rawPart.StartsWith("\r\n", StringComparison.Ordinal) ? rawPart[2..] : rawPart;
            var headerEnd = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headerEnd < 0)
            {
                problems.Add(("part", "no blank line after the part headers"));
                continue;
            }
            var headers = part[..headerEnd].Split("\r\n");
            var content = part[(headerEnd + 4)..];
            if (content.EndsWith("\r\n", StringComparison.Ordinal))
                content = content[..^2];
            var disposition = headers[0];
            if (!disposition.StartsWith("Content-Disposition:", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(("part", $"first header is '{disposition}', pveproxy expects Content-Disposition first"));
                disposition = headers.FirstOrDefault(h => h.StartsWith("Content-Disposition:", StringComparison.OrdinalIgnoreCase)) ?? "";
            }
            var name = QuotedName().Match(disposition);
            if (!name.Success)
            {
                problems.Add((disposition, "name is not quoted (pveproxy needs name=\"…\")"));
                continue;
            }
            var fileName = QuotedFileName().Match(disposition);
            if (fileName.Success)
            {
                sawFile = true;
                if (name.Groups[1].Value != "filename")
                    problems.Add((name.Groups[1].Value, "the file part must be named 'filename'"));
                fields["filename"] = [fileName.Groups[1].Value];
                fileBytes = content.Length;
            }
            else
            {
                if (sawFile)
                    problems.Add((name.Groups[1].Value, "form field after the file part; pveproxy reads fields only before it"));
                if (!fields.TryGetValue(name.Groups[1].Value, out var values))
                    fields[name.Groups[1].Value] = values = [];
                values.Add(Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(content)));
            }
        }
        if (!sawFile)
            problems.Add(("filename", "no file part (name=\"filename\"; filename=\"…\")"));
        return (fields, fileBytes, problems);
    }

    [GeneratedRegex(@"boundary=(""[^""]+""|[^;\s]+)")]
    private static partial Regex Boundary();

    [GeneratedRegex(@";\s*name=""([^""]*)""")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@";\s*filename=""([^""]*)""")]
    private static partial Regex QuotedFileName();
}
