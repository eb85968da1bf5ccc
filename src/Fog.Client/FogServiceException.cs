namespace Fog.Client;

/// <summary>Why a Fog service could not be used.</summary>
public enum FogServiceFailure
{
    /// <summary>No connection: the service is down, or the address is wrong.</summary>
    Unreachable,

    /// <summary>The service's enclave did not prove what the network configuration requires (measurement, signer, root).</summary>
    AttestationFailed,

    /// <summary>The service answered with an error (e.g. not ready yet, or a request it refused).</summary>
    Refused,
}

/// <summary>
/// A Fog service could not be used: which one (<see cref="Service"/>, e.g. "fog view"), where (<see cref="Address"/>)
/// and why (<see cref="Failure"/>). The message is one line a person can act on; the inner exception has the details.
/// </summary>
public sealed class FogServiceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FogServiceException(string service, string address, FogServiceFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Service = service;
        Address = address;
        Failure = failure;
    }

    /// <summary>The service: "fog view", "fog ledger" or "the node".</summary>
    public string Service { get; }

    /// <summary>Where the client tried to reach it (host:port).</summary>
    public string Address { get; }

    /// <summary>Why it could not be used.</summary>
    public FogServiceFailure Failure { get; }
}
