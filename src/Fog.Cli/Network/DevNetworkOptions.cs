using Fog.Services.Hosting;
using Microsoft.Extensions.Logging;

namespace Fog.Cli.Network;

/// <summary>Where a dev network keeps its data and which ports its services use.</summary>
internal sealed record DevNetworkOptions
{
    /// <summary>The directory holding every service's data (created when missing; reused when it exists).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The host every service listens on and clients dial.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>True to let the system choose every port (the demo); false for the documented default ports (<c>fog up</c>).</summary>
    public bool EphemeralPorts { get; init; }

    /// <summary>Longest time between blocks while transactions wait (the node forms a block as soon as one arrives when idle).</summary>
    public TimeSpan BlockInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Capacity of the view and key-image oblivious maps. The services' default (2^20) suits an operator; a dev
    /// network holds few outputs, and a smaller map starts in a fraction of the time.
    /// </summary>
    public ulong OmapCapacity { get; init; } = 1UL << 16;

    /// <summary>Users the ingest enclave's RNG map holds.</summary>
    public ulong IngestUserCapacity { get; init; } = 1UL << 12;

    /// <summary>Minimum level of the services' logs.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Warning;

    /// <summary>The endpoint of one service port: <paramref name="defaultPort"/>, or 0 (any) with <see cref="EphemeralPorts"/>.</summary>
    public FogEndpoint Endpoint(int defaultPort) => new(Host, EphemeralPorts ? 0 : defaultPort);
}
