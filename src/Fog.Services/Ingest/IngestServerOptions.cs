using Fog.Enclaves.Ingest;
using Fog.Services.Hosting;
using Microsoft.Extensions.Logging;

namespace Fog.Services.Ingest;

/// <summary>
/// Settings of the fog ingest server. Defaults are the reference's (ingest.md §5) and live here only;
/// <see cref="Validate"/> checks them at start-up.
/// </summary>
public sealed record IngestServerOptions
{
    /// <summary>The client port: the ingest admin API <c>account_ingest.AccountIngestAPI</c> (default 127.0.0.1:4200).</summary>
    public FogEndpoint Listen { get; init; } = new("127.0.0.1", 4200);

    /// <summary>The peer port: <c>ingest_peer.AccountIngestPeerAPI</c> and the peers' attested handshake (default 127.0.0.1:8090).</summary>
    public FogEndpoint PeerListen { get; init; } = new("127.0.0.1", IngestPeerUri.DefaultInsecurePort);

    /// <summary>Prometheus metrics at /metrics, HTTP/1.1 (default 127.0.0.1:4401); null for none.</summary>
    public FogEndpoint? Metrics { get; init; } = new("127.0.0.1", 4401);

    /// <summary>
    /// This server's responder id: its identity in peer lists and its enclave's Noise prologue. Default: the peer
    /// endpoint's host:port (required when that port is 0).
    /// </summary>
    public string? PeerResponderId { get; init; }

    /// <summary>The ledger to follow: a node's LMDB directory on this machine (or use <see cref="NodeUri"/>).</summary>
    public string? LedgerPath { get; init; }

    /// <summary>The node to follow over gRPC, copying its chain into <see cref="LedgerCopyPath"/> (or use <see cref="LedgerPath"/>).</summary>
    public Uri? NodeUri { get; init; }

    /// <summary>Where the chain of <see cref="NodeUri"/> is copied (default "fog-ingest-ledger").</summary>
    public string LedgerCopyPath { get; init; } = "fog-ingest-ledger";

    /// <summary>The recovery database (required unless one is passed to <c>IngestServer.StartAsync</c>).</summary>
    public RecoveryDbConnection? RecoveryDb { get; init; }

    /// <summary>The state file: summary and sealed ingress key, rewritten after every block (default "fog-ingest-state").</summary>
    public string StateFilePath { get; init; } = "fog-ingest-state";

    /// <summary>The simulation root's key file shared by the dev network's services (default "fog-simulation-root.key").</summary>
    public string SimulationRootPath { get; init; } = "fog-simulation-root.key";

    /// <summary>The machine sealing secret the ingress key is sealed under (default "fog-sealing.key", created 0600).</summary>
    public string SealingSecretPath { get; init; } = "fog-sealing.key";

    /// <summary>Desired capacity of the enclave's RNG counter map, a power of two (default 262,144).</summary>
    public ulong UserCapacity { get; init; } = IngestEnclaveOptions.DefaultUserCapacity;

    /// <summary>Most TxOuts passed to the enclave in one call (the chunk size; default 100,000).</summary>
    public int MaxTransactions { get; init; } = 100_000;

    /// <summary>Blocks after the next one during which senders may use the published ingress key (default 10).</summary>
    public ulong PubkeyExpiryWindow { get; init; } = 10;

    /// <summary>How often an idle server checks for activation, and an active one for new blocks (default 250 ms).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often an active server checks its peers hold its key and peer list (default 60 s).</summary>
    public TimeSpan PeerCheckupPeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait between retries of a transient database failure (default 30 s; the wait grows by 1 s per try).</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Deadline of each call to a peer (default 10 s).</summary>
    public TimeSpan PeerCallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The report id the server publishes under (default "", what addresses usually name).</summary>
    public string FogReportId { get; init; } = "";

    /// <summary>The initial peer list (igp:// URIs, this server's own included); empty keeps the state file's.</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>Threads for the enclave's per-TxOut cryptography (default: all cores).</summary>
    public int EnclaveParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Minimum log level.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Write logs as JSON lines (for log collectors) instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>The responder id in effect.</summary>
    public string EffectiveResponderId => PeerResponderId ?? $"{PeerListen.Host}:{PeerListen.Port}";

    /// <summary>Checks the settings; the message names the bad one.</summary>
    public void Validate()
    {
        if (PeerResponderId is null && PeerListen.Port == 0)
        {
            throw new ArgumentException("--peer-responder-id is required when the peer port is 0 (chosen at start-up): peers must know this server's responder id in advance.");
        }

        if (UserCapacity < 128 || !ulong.IsPow2(UserCapacity))
        {
            throw new ArgumentException($"--user-capacity must be a power of two of at least 128 (got {UserCapacity}).");
        }

        if (MaxTransactions < 1)
        {
            throw new ArgumentException("--max-transactions must be at least 1.");
        }

        if (PubkeyExpiryWindow is 0 or > 1_000_000)
        {
            throw new ArgumentException("--pubkey-expiry-window must be between 1 and 1,000,000 blocks.");
        }

        if (PollInterval <= TimeSpan.Zero || PeerCheckupPeriod <= TimeSpan.Zero || MaxRetryDelay <= TimeSpan.Zero || PeerCallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Intervals and timeouts must be positive.");
        }

        if (FogReportId.Length > 64)
        {
            throw new ArgumentException("--fog-report-id is at most 64 characters.");
        }

        if (string.IsNullOrWhiteSpace(StateFilePath))
        {
            throw new ArgumentException("--state-file must name a file.");
        }

        foreach (var peer in Peers)
        {
            if (!IngestPeerUri.TryParse(peer, out _, out var error))
            {
                throw new ArgumentException($"--peers: {error}.");
            }
        }
    }
}
