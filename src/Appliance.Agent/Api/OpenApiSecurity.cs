using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Appliance.Agent.Api;

/// <summary>Says in the OpenAPI document what the fallback policy enforces: every operation needs the bearer token.</summary>
internal static class OpenApiSecurity
{
    public const string SchemeName = "Bearer";

    public static OpenApiOptions RequireBearer(this OpenApiOptions options) => options.AddDocumentTransformer((document, _, _) =>
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The pairing token (or this run's local-access token). Not needed for /healthz and the pairing proof.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] }];
        return Task.CompletedTask;
    });
}
