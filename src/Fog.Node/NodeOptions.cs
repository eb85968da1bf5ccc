using Fog.Model.Addresses;
using Fog.Model.Transactions;
using Fog.Services.Hosting;

namespace Fog.Node;

/// <summary>Settings of the dev node. Every setting has its default here and is checked by <see cref="Validate"/>.</summary>
public sealed record NodeOptions
{
    /// <summary>The client port: consensus client API, blockchain API and the node API (default 127.0.0.1:3200).</summary>
    public FogEndpoint Listen { get; init; } = new("127.0.0.1", 3200);

    /// <summary>The admin port: the faucet (default 127.0.0.1:3400).</summary>
    public FogEndpoint Admin { get; init; } = new("127.0.0.1", 3400);

    /// <summary>Prometheus metrics at /metrics, HTTP/1.1 (default 127.0.0.1:3401).</summary>
    public FogEndpoint Metrics { get; init; } = new("127.0.0.1", 3401);

    /// <summary>The ledger directory (an LMDB environment); created with an origin block when empty.</summary>
    public string LedgerPath { get; init; } = "fog-node-ledger";

    /// <summary>The most often a block is formed (default 1 s); an idle node forms one as soon as a transaction arrives.</summary>
    public TimeSpan BlockInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Most transactions per block (the reference caps at 5000).</summary>
    public int MaxTransactionsPerBlock { get; init; } = 5000;

    /// <summary>The block version new blocks get (default the newest, 4).</summary>
    public BlockVersion BlockVersion { get; init; } = BlockVersion.Max;

    /// <summary>Token id → minimum fee (default MOB only, 0.0004 MOB).</summary>
    public IReadOnlyDictionary<ulong, ulong> MinimumFees { get; init; } = new Dictionary<ulong, ulong> { [Amount.MobTokenId] = 400_000_000 };

    /// <summary>
    /// Who the origin block pays when the ledger is created: each entry gets <c>Outputs</c> outputs of <c>Value</c>.
    /// Default: the faucet, 100 outputs of 100 000 MOB.
    /// </summary>
    public IReadOnlyList<OriginFunding>? Origin { get; init; }

    /// <summary>The file holding the node's Ed25519 block-signing key (created 0600 when missing); default: in the ledger directory.</summary>
    public string? SigningKeyPath { get; init; }

    /// <summary>The responder id clients use when attesting the node (default: the listen endpoint's host:port).</summary>
    public string? ResponderId { get; init; }

    /// <summary>The simulation root's key file (shared by every service of a dev network; created when missing).</summary>
    public required string SimulationRootPath { get; init; }

    /// <summary>Logging and server settings.</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>Write logs as JSON lines (for log collectors) instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Checks the settings; the message names the bad one.</summary>
    public void Validate()
    {
        if (BlockInterval <= TimeSpan.Zero || BlockInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentException("--block-interval must be between 0 and 1 hour.");
        }

        if (MaxTransactionsPerBlock < 1)
        {
            throw new ArgumentException("The maximum transactions per block must be at least 1.");
        }

        if (BlockVersion.Value is < 1 || BlockVersion > BlockVersion.Max)
        {
            throw new ArgumentException($"--block-version must be 1 to {BlockVersion.Max}.");
        }

        if (string.IsNullOrWhiteSpace(LedgerPath))
        {
            throw new ArgumentException("--ledger must name a directory.");
        }

        if (Origin is { } origin && (origin.Count == 0 || origin.Any(o => o.Outputs < 1 || o.Value == 0)))
        {
            throw new ArgumentException("Every origin funding entry needs at least one output of a positive value.");
        }
    }
}

/// <summary>Funding in the origin block.</summary>
/// <param name="Recipient">Who is paid.</param>
/// <param name="Value">Value of each output (picoMOB).</param>
/// <param name="Outputs">How many outputs.</param>
public sealed record OriginFunding(PublicAddress Recipient, ulong Value, int Outputs);
