using Fog.Attestation.Channels;
using Fog.Enclaves.KeyImage;
using Fog.Oblivious.Storage;
using Fog.Services.Hosting;
using Microsoft.Extensions.Logging;

namespace Fog.Services.Ledger;

/// <summary>Settings of a fog ledger server. Every setting has its default here and is checked by <see cref="Validate"/>.</summary>
public sealed record LedgerServerOptions : IEnclaveServerOptions
{
    /// <summary>The reference's cap on indices per <c>GetOutputs</c> request.</summary>
    public const int DefaultMaxOutputsPerRequest = 2000;

    /// <summary>
    /// The client port: <c>FogKeyImageAPI</c>, <c>FogMerkleProofAPI</c>, <c>LedgerAPI</c>, <c>FogBlockAPI</c>,
    /// <c>FogUntrustedTxOutApi</c> and gRPC health (default 127.0.0.1:7200).
    /// </summary>
    public FogEndpoint Listen { get; init; } = new("127.0.0.1", 7200);

    /// <summary>An admin port (gRPC health only; default none: the ledger has no admin API).</summary>
    public FogEndpoint? Admin { get; init; }

    /// <summary>Prometheus metrics at /metrics, HTTP/1.1 (default 127.0.0.1:7601); null for none.</summary>
    public FogEndpoint? Metrics { get; init; } = new("127.0.0.1", 7601);

    /// <summary>The simulation root's key file (shared by every service of a dev network; created when missing).</summary>
    public required string SimulationRootPath { get; init; }

    /// <summary>The responder id clients use as the Noise prologue (default: the listen endpoint's host:port).</summary>
    public string? ResponderId { get; init; }

    /// <summary>Desired capacity of the enclave's key-image map (default 2^20; about 75 % usable).</summary>
    public ulong OmapCapacity { get; init; } = KeyImageEnclaveOptions.DefaultCapacity;

    /// <summary>Most key images one check may carry (default 1000; reference clients send at most 100).</summary>
    public int MaxKeyImagesPerQuery { get; init; } = KeyImageEnclaveOptions.DefaultMaxKeyImagesPerQuery;

    /// <summary>Attested client sessions kept (default 10,000).</summary>
    public int MaxSessions { get; init; } = AttestedResponderOptions.DefaultMaxSessions;

    /// <summary>Most indices one <c>GetOutputs</c> request may carry (default 2000, as the reference).</summary>
    public int MaxOutputsPerRequest { get; init; } = DefaultMaxOutputsPerRequest;

    /// <summary>Most blocks one <c>GetBlocks</c> request may return (default 1000).</summary>
    public int MaxBlocksPerRequest { get; init; } = 1000;

    /// <summary>Most public keys one <c>GetTxOuts</c> request may carry (default 2000).</summary>
    public int MaxTxOutsPerRequest { get; init; } = 2000;

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
        foreach (var (value, name) in new[] { (MaxOutputsPerRequest, "--max-outputs"), (MaxBlocksPerRequest, "--max-blocks"), (MaxTxOutsPerRequest, "--max-tx-outs") })
        {
            if (value is < 1 or > 100_000)
            {
                throw new ArgumentException($"{name} must be between 1 and 100000 (got {value}).");
            }
        }

        EnclaveServerOptions.ValidateEnclaveSettings(ToEnclaveOptions().Validate, property => property switch
        {
            nameof(KeyImageEnclaveOptions.Capacity) => $"--omap-capacity must be between 64 and 2^34 (got {OmapCapacity}).",
            nameof(KeyImageEnclaveOptions.MaxKeyImagesPerQuery) => $"--max-key-images must be between 1 and 100000 (got {MaxKeyImagesPerQuery}).",
            _ => null,
        });
    }

    internal KeyImageEnclaveOptions ToEnclaveOptions() => new() { Capacity = OmapCapacity, MaxKeyImagesPerQuery = MaxKeyImagesPerQuery, MaxSessions = MaxSessions, Storage = MapStorage };
}
