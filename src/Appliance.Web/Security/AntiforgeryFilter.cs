using Microsoft.AspNetCore.Antiforgery;

namespace Appliance.Web.Security;

/// <summary>Refuses a form post without a valid antiforgery token with 400, for endpoints that bind no form field themselves.</summary>
public static class AntiforgeryFilter
{
    public static TBuilder RequireAntiforgery<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var antiforgery = context.HttpContext.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context.HttpContext))
                return TypedResults.Problem(
                    "The form has no valid antiforgery token; reload the page and submit it again.",
                    statusCode: StatusCodes.Status400BadRequest, title: "antiforgery-token-invalid");
            return await next(context);
        });
}
