using System.Net.Http.Json;
using Appliance.Contracts;

namespace Appliance.Web.Agents;

/// <summary>Result of asking the agent for its status: the status, or an operator-readable reason it could not be had.</summary>
public sealed record AgentReading(AgentStatus? Status, string? Problem);

/// <summary>Talks to one agent's control API.</summary>
public sealed class AgentClient(HttpClient http)
{
    public Uri? BaseAddress => http.BaseAddress;

    public async Task<AgentReading> ReadStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var status = await http.GetFromJsonAsync<AgentStatus>("health", cancellationToken);
            return status is null
                ? new AgentReading(null, $"agent at {http.BaseAddress} answered with an empty body")
                : new AgentReading(status, null);
        }
        catch (HttpRequestException e)
        {
            return new AgentReading(null, $"agent at {http.BaseAddress} is not reachable ({e.HttpRequestError}); is it running? Start the appliance with ./run.sh");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AgentReading(null, $"agent at {http.BaseAddress} did not answer within {http.Timeout.TotalSeconds:0} s");
        }
        catch (System.Text.Json.JsonException e)
        {
            return new AgentReading(null, $"agent at {http.BaseAddress} answered something that is not its status: {e.Message}");
        }
    }
}

public static class AgentClientRegistration
{
    /// <summary>Registers the client of the local agent at <c>Agent:Url</c> (default http://127.0.0.1:7080/).</summary>
    public static IServiceCollection AddAgentClient(this IServiceCollection services, IConfiguration configuration)
    {
        var url = configuration["Agent:Url"] ?? "http://127.0.0.1:7080/";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseAddress))
            throw new InvalidOperationException($"Agent:Url '{url}' is not an absolute URL; set it like http://127.0.0.1:7080/");
        services.AddHttpClient<AgentClient>(c =>
        {
            c.BaseAddress = baseAddress;
            c.Timeout = TimeSpan.FromSeconds(5);
        });
        return services;
    }
}
