using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Appliance.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Appliance.Agent.Api;

/// <summary>The pairing proof: anonymous and rate-limited; proves the agent holds the token without the token crossing the wire.</summary>
[SupportedOSPlatform("linux")]
internal static class PairingApi
{
    public const string RateLimitPolicy = "pairing";

    public static IEndpointRouteBuilder MapPairingApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(ApiRoutes.PairingProof, Proof).AllowAnonymous().RequireRateLimiting(RateLimitPolicy).WithTags("pairing");
        return app;
    }

    private static Results<Ok<PairingProofResponse>, ValidationProblem> Proof(PairingProofRequest request, ApiAccess access, X509Certificate2 apiCertificate)
    {
        if (string.IsNullOrWhiteSpace(request.Nonce) || request.Nonce.Length is < 16 or > 256)
            return ApiProblems.Invalid("nonce", "nonce must be 16..256 characters (PairingProofs.NewNonce makes one)");
        string fingerprint = CertificateFingerprint.Of(apiCertificate);
        return TypedResults.Ok(new PairingProofResponse(fingerprint, PairingProofs.Compute(access.Pairing.Hash, request.Nonce, fingerprint)));
    }
}
