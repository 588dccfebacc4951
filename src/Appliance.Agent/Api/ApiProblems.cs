using Appliance.Agent.Config;
using Appliance.Agent.Pki;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Agent.Api;

/// <summary>The API's RFC 7807 answers, each with a stable <c>code</c> extension.</summary>
internal static class ApiProblems
{
    public static ProblemHttpResult NotFound(string detail, string code = "not-found") => Problem(404, "Not found", detail, code);

    public static ProblemHttpResult Conflict(string detail, string code) => Problem(409, "Conflict", detail, code);

    public static ProblemHttpResult BadRequest(string detail, string code = "invalid") => Problem(400, "Bad request", detail, code);

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string detail) =>
        TypedResults.ValidationProblem(errors, detail, extensions: new Dictionary<string, object?> { ["code"] = "validation-failed" });

    public static ValidationProblem Invalid(string field, string problem) => Invalid(new Dictionary<string, string[]> { [field] = [problem] }, problem);

    public static ValidationProblem Invalid(ConfigErrors errors) => Invalid(errors.ToDictionary(), "the configuration has " + errors.Count + " problem(s): " + errors);

    public static ProblemHttpResult Problem(int status, string title, string detail, string code) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>A registry refusal as 400 (bad input), 404 (no such client) or 409 (conflict).</summary>
    public static IResult From(ClientRegistryError error, string? detail, string field = "name")
    {
        string text = detail ?? error.ToString();
        return error switch
        {
            ClientRegistryError.NotFound => NotFound(text, "client-not-found"),
            ClientRegistryError.NameInUse => Conflict(text, "client-exists"),
            ClientRegistryError.AlreadyRevoked => Conflict(text, "client-revoked"),
            ClientRegistryError.InvalidExpiry => Invalid("expiresAt", text),
            _ => Invalid(field, text),
        };
    }
}
