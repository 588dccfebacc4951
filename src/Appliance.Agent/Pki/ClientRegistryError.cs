namespace Appliance.Agent.Pki;

/// <summary>Why a registry operation was refused; stable values, for the API's error codes.</summary>
public enum ClientRegistryError : byte
{
    None = 0,
    /// <summary>The name breaks <see cref="ClientName"/>'s rule.</summary>
    InvalidName,
    /// <summary>A certificate in force already has this name.</summary>
    NameInUse,
    /// <summary>No certificate in force has this name.</summary>
    NotFound,
    /// <summary>The expiry is not after now, or is after the CA's own expiry.</summary>
    InvalidExpiry,
    /// <summary>The name's last certificate is revoked and none is in force.</summary>
    AlreadyRevoked,
}

/// <summary>The outcome of a registry operation: a value, or an error with a sentence naming the value and the fix.</summary>
public readonly record struct ClientRegistryResult<T>(T? Value, ClientRegistryError Error, string? Detail) where T : class
{
    public bool Succeeded => Error == ClientRegistryError.None;
}

/// <summary>Builds <see cref="ClientRegistryResult{T}"/> values.</summary>
public static class ClientRegistryResult
{
    public static ClientRegistryResult<T> Ok<T>(T value) where T : class => new(value, ClientRegistryError.None, null);

    public static ClientRegistryResult<T> Fail<T>(ClientRegistryError error, string detail) where T : class => new(null, error, detail);
}
