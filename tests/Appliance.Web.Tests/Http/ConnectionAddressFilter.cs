using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Appliance.Web.Tests.Http;

/// <summary>
/// The in-process test server has no TCP connection, so no peer address: a request may name the address its "connection"
/// comes from in <see cref="HeaderName"/>, set before the panel's own pipeline sees the request (as Kestrel would).
/// </summary>
public sealed class ConnectionAddressFilter : IStartupFilter
{
    public const string HeaderName = "X-Test-Connection-Address";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.Remove(HeaderName, out var value) && IPAddress.TryParse(value.ToString(), out var address))
                context.Connection.RemoteIpAddress = address;
            return nextMiddleware(context);
        });
        next(app);
    };
}
