using Fog.Api.AccountIngest;
using Fog.Api.IngestCommon;
using Fog.Cli.Commands;
using Fog.Client;
using Fog.Node;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Fog.Services.Ingest;
using Fog.Services.Ledger;
using Fog.Services.Report;
using Fog.Services.View;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;

namespace Fog.Cli.Network;

/// <summary>
/// A whole Fog network in one process, every service on its own loopback port speaking real gRPC: the dev node (LMDB
/// ledger), ingest, view, ledger and report over one SQLite recovery database. Ingest and ledger follow the node's
/// ledger in-process (LMDB allows one environment per file per process). Enclaves run in simulation mode.
/// </summary>
/// <remarks>
/// The data directory holds everything (<c>node-ledger/</c>, <c>recovery.sqlite</c>, <c>report/</c>, the ingest state
/// and sealing secret, the simulation root) and <c>fog-network.json</c>, which wallets read; starting again on the same
/// directory resumes the same network with the same ingress key.
/// </remarks>
internal sealed class DevNetwork : IAsyncDisposable
{
    /// <summary>The network configuration's file name inside the data directory.</summary>
    public const string NetworkFileName = "fog-network.json";

    private readonly List<IAsyncDisposable> _parts;

    private DevNetwork(string dataDirectory, List<IAsyncDisposable> parts, NodeServer node, IngestServer ingest, ViewServer view, LedgerServer ledger, ReportServer report, NetworkConfig config)
    {
        DataDirectory = dataDirectory;
        _parts = parts;
        Node = node;
        Ingest = ingest;
        View = view;
        Ledger = ledger;
        Report = report;
        Config = config;
    }

    /// <summary>The data directory (absolute).</summary>
    public string DataDirectory { get; }

    /// <summary>Where <see cref="Config"/> is saved.</summary>
    public string ConfigPath => Path.Combine(DataDirectory, NetworkFileName);

    /// <summary>The dev node.</summary>
    public NodeServer Node { get; }

    /// <summary>The ingest server (active).</summary>
    public IngestServer Ingest { get; }

    /// <summary>The view server.</summary>
    public ViewServer View { get; }

    /// <summary>The ledger server.</summary>
    public LedgerServer Ledger { get; }

    /// <summary>The report server.</summary>
    public ReportServer Report { get; }

    /// <summary>How clients reach and attest this network.</summary>
    public NetworkConfig Config { get; }

    /// <summary>Starts every service, activates ingest when it is new, and writes the network configuration.</summary>
    /// <param name="options">Data directory and ports.</param>
    /// <param name="progress">Receives one line per service started.</param>
    /// <param name="cancellationToken">Stops start-up.</param>
    public static async Task<DevNetwork> StartAsync(DevNetworkOptions options, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = Directory.CreateDirectory(options.DataDirectory).FullName;
        var root = Path.Combine(data, "simulation-root.key");
        var parts = new List<IAsyncDisposable>();
        try
        {
            var nodeOptions = new NodeOptions
            {
                Listen = options.Endpoint(3200),
                Admin = options.Endpoint(3400),
                Metrics = options.Endpoint(3401),
                LedgerPath = Path.Combine(data, "node-ledger"),
                BlockInterval = options.BlockInterval,
                SimulationRootPath = root,
                ResponderId = ResponderId(options, "node", 3200),
                LogLevel = options.LogLevel,
            };
            Directory.CreateDirectory(nodeOptions.LedgerPath);
            var node = await NodeServer.StartAsync(nodeOptions, NodeCommands.OpenLedger(nodeOptions.LedgerPath), cancellationToken).ConfigureAwait(false);
            parts.Add(node);
            progress?.Report($"dev node      {Dial(node.ClientUri)}  ({node.Ledger.NumBlocks} blocks)");

            var db = await RecoveryDbConnection.Sqlite(Path.Combine(data, "recovery.sqlite")).OpenAsync(cancellationToken).ConfigureAwait(false);
            parts.Add(db);
            var blocks = new InProcessBlockSource(node.Ledger);

            var chain = ReportChain(Path.Combine(data, "report"));
            var report = await ReportServer.StartAsync(
                new ReportServerOptions
                {
                    Listen = options.Endpoint(6200),
                    Metrics = options.Endpoint(6401),
                    SigningChainPath = chain.ChainPath,
                    SigningKeyPath = chain.KeyPath,
                    LogLevel = options.LogLevel,
                },
                db,
                cancellationToken).ConfigureAwait(false);
            parts.Add(report);
            progress?.Report($"fog report    {report.FogReportUrl}");

            var ingest = await IngestServer.StartAsync(
                new IngestServerOptions
                {
                    Listen = options.Endpoint(4200),
                    PeerListen = options.Endpoint(IngestPeerUri.DefaultInsecurePort),
                    Metrics = options.Endpoint(4401),
                    PeerResponderId = ResponderId(options, "ingest", IngestPeerUri.DefaultInsecurePort),
                    StateFilePath = Path.Combine(data, "ingest-state"),
                    SealingSecretPath = Path.Combine(data, "ingest-sealing.key"),
                    SimulationRootPath = root,
                    UserCapacity = options.IngestUserCapacity,
                    PollInterval = TimeSpan.FromMilliseconds(50),
                    LogLevel = options.LogLevel,
                },
                blocks,
                db,
                cancellationToken).ConfigureAwait(false);
            parts.Add(ingest);
            var summary = await ActivateAsync(ingest, cancellationToken).ConfigureAwait(false);
            progress?.Report($"fog ingest    {Dial(ingest.ClientUri)}  (active; ingress key {Convert.ToHexStringLower(summary.IngressPubkey.Data.Span)[..16]}…)");

            var view = await ViewServer.StartAsync(
                new ViewServerOptions
                {
                    Listen = options.Endpoint(5200),
                    Admin = options.Endpoint(5600),
                    Metrics = options.Endpoint(5601),
                    SimulationRootPath = root,
                    ResponderId = ResponderId(options, "view", 5200),
                    OmapCapacity = options.OmapCapacity,
                    DbPollInterval = TimeSpan.FromMilliseconds(50),
                    LogLevel = options.LogLevel,
                },
                db,
                cancellationToken).ConfigureAwait(false);
            parts.Add(view);
            progress?.Report($"fog view      {Dial(view.ClientUri)}");

            var ledger = await LedgerServer.StartAsync(
                new LedgerServerOptions
                {
                    Listen = options.Endpoint(7200),
                    Metrics = options.Endpoint(7601),
                    SimulationRootPath = root,
                    ResponderId = ResponderId(options, "ledger", 7200),
                    OmapCapacity = options.OmapCapacity,
                    LogLevel = options.LogLevel,
                },
                blocks,
                cancellationToken).ConfigureAwait(false);
            parts.Add(ledger);
            progress?.Report($"fog ledger    {Dial(ledger.ClientUri)}");

            var config = new NetworkConfig
            {
                Node = new ServiceEndpoint { Uri = Dial(node.ClientUri), ResponderId = node.ResponderId },
                View = new ServiceEndpoint { Uri = Dial(view.ClientUri), ResponderId = view.ResponderId },
                Ledger = new ServiceEndpoint { Uri = Dial(ledger.ClientUri), ResponderId = ledger.ResponderId },
                FogReportUrl = report.FogReportUrl,
                FogAuthoritySpki = Convert.ToHexStringLower(report.AuthoritySpki),
                TrustedSimulationRoots = [Convert.ToHexStringLower(node.SimulationRootPublicKey)],
                Measurements = new()
                {
                    ["consensus"] = [node.EnclaveIdentity.Measurement.ToHex()],
                    ["ingest"] = [ingest.EnclaveIdentity.Measurement.ToHex()],
                    ["view"] = [view.EnclaveIdentity.Measurement.ToHex()],
                    ["ledger"] = [ledger.EnclaveIdentity.Measurement.ToHex()],
                },
            };
            var network = new DevNetwork(data, parts, node, ingest, view, ledger, report, config);
            config.Save(network.ConfigPath);
            return network;
        }
        catch
        {
            await DisposeAllAsync(parts).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Completes when the view and ledger servers have loaded everything they had at start-up.</summary>
    public Task CaughtUpAsync(CancellationToken cancellationToken = default) =>
        Task.WhenAll(View.CaughtUp, Ledger.CaughtUp).WaitAsync(cancellationToken);

    /// <summary>Stops the services in the reverse order of their start.</summary>
    public ValueTask DisposeAsync() => DisposeAllAsync(_parts);

    private static async ValueTask DisposeAllAsync(List<IAsyncDisposable> parts)
    {
        for (var i = parts.Count - 1; i >= 0; i--)
        {
            await parts[i].DisposeAsync().ConfigureAwait(false);
        }

        parts.Clear();
    }

    /// <summary>
    /// With fixed ports, the usual host:port; with ports chosen at start-up, a name (the responder id is the Noise
    /// prologue, fixed before the port is known).
    /// </summary>
    private static string ResponderId(DevNetworkOptions options, string service, int defaultPort) =>
        options.EphemeralPorts ? $"{service}.fog-dev" : $"{options.Host}:{defaultPort}";

    private static string Dial(Uri uri) => new FogEndpoint(uri.Host, uri.Port).ToString();

    private static (string ChainPath, string KeyPath) ReportChain(string directory)
    {
        var chainPath = Path.Combine(directory, "chain.pem");
        var keyPath = Path.Combine(directory, "signing-key.pem");
        if (!File.Exists(chainPath) || !File.Exists(keyPath))
        {
            var written = DevCertificateChain.Create().WriteTo(directory);
            return (written.ChainPath, written.KeyPath);
        }

        return (chainPath, keyPath);
    }

    private static async Task<IngestSummary> ActivateAsync(IngestServer ingest, CancellationToken cancellationToken)
    {
        if (ingest.Summary.Mode == IngestControllerMode.Active)
        {
            return ingest.Summary;
        }

        // Through the admin API, as an operator would (fog ingest activate).
        using var channel = GrpcChannel.ForAddress(ingest.ClientUri);
        return await new AccountIngestAPI.AccountIngestAPIClient(channel).ActivateAsync(new Empty(), cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
    }
}
