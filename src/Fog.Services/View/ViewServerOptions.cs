using Fog.Attestation.Channels;
using Fog.Enclaves.View;
using Fog.Oblivious.Storage;
using Fog.Services.Hosting;
using Microsoft.Extensions.Logging;

namespace Fog.Services.View;

/// <summary>Settings of a fog view server. Every setting has its default here and is checked by <see cref="Validate"/>.</summary>
public sealed record ViewServerOptions : IEnclaveServerOptions
{
    /// <summary>The client port: <c>fog_view.FogViewAPI</c> and gRPC health (default 127.0.0.1:5200).</summary>
    public FogEndpoint Listen { get; init; } = new("127.0.0.1", 5200);

    /// <summary>The admin port (gRPC health; default 127.0.0.1:5600); null for none.</summary>
    public FogEndpoint? Admin { get; init; } = new("127.0.0.1", 5600);

    /// <summary>Prometheus metrics at /metrics, HTTP/1.1 (default 127.0.0.1:5601); null for none.</summary>
    public FogEndpoint? Metrics { get; init; } = new("127.0.0.1", 5601);

    /// <summary>The simulation root's key file (shared by every service of a dev network; created when missing).</summary>
    public required string SimulationRootPath { get; init; }

    /// <summary>The responder id clients use as the Noise prologue (default: the listen endpoint's host:port).</summary>
    public string? ResponderId { get; init; }

    /// <summary>Desired capacity of the enclave's oblivious map (default 2^20 records; about 75 % usable).</summary>
    public ulong OmapCapacity { get; init; } = ViewEnclaveOptions.DefaultCapacity;

    /// <summary>Most search keys one query may carry (default 1000).</summary>
    public int MaxSearchKeysPerQuery { get; init; } = ViewEnclaveOptions.DefaultMaxSearchKeysPerQuery;

    /// <summary>Attested client sessions kept (default 10,000).</summary>
    public int MaxSessions { get; init; } = AttestedResponderOptions.DefaultMaxSessions;

    /// <summary>Blocks read from the recovery DB per ingress key per request (default 1000, as the reference).</summary>
    public int BlockQueryBatchSize { get; init; } = 1000;

    /// <summary>How long the loader waits between polls of the recovery DB once caught up (default 250 ms, as the reference).</summary>
    public TimeSpan DbPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long the highest processed block count may stay behind known blocks before a warning names the key it waits for (default 60 s).</summary>
    public TimeSpan StallWarningAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Where the enclave map's ORAM trees live: in memory (default), or untrusted memory below a trusted top, encrypted
    /// and authenticated; <c>Prefault</c> touches every page at start so the first queries do not pay for page faults.
    /// </summary>
    public OramStorageOptions MapStorage { get; init; } = new();

    /// <summary>The minimum log level (default Information).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Write logs as JSON lines (for log collectors) instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> whose message names the bad one.</summary>
    public void Validate()
    {
        EnclaveServerOptions.ValidateHostSettings(this);
        if (BlockQueryBatchSize is < 1 or > 100_000)
        {
            throw new ArgumentException($"--block-query-batch-size must be between 1 and 100000 (got {BlockQueryBatchSize}).");
        }

        if (DbPollInterval <= TimeSpan.Zero || DbPollInterval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException($"--db-poll-interval-ms must be between 0 and 10 minutes (got {DbPollInterval}).");
        }

        if (StallWarningAfter <= TimeSpan.Zero)
        {
            throw new ArgumentException("The stall warning delay must be positive.");
        }

        EnclaveServerOptions.ValidateEnclaveSettings(ToEnclaveOptions().Validate, property => property switch
        {
            nameof(ViewEnclaveOptions.Capacity) => $"--omap-capacity must be between 16 and 2^32 (got {OmapCapacity}).",
            nameof(ViewEnclaveOptions.MaxSearchKeysPerQuery) => $"--max-search-keys must be between 1 and 100000 (got {MaxSearchKeysPerQuery}).",
            _ => null,
        });
    }

    internal ViewEnclaveOptions ToEnclaveOptions() => new() { Capacity = OmapCapacity, MaxSearchKeysPerQuery = MaxSearchKeysPerQuery, MaxSessions = MaxSessions, Storage = MapStorage };
}
