using Fog.Api.AccountIngest;
using Fog.Attestation.Evidence;
using Fog.Client.Reports;
using Fog.Crypto.Ristretto;
using Fog.Model.Keys;
using Fog.Model.Transactions;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Fog.Services.Ingest;
using Fog.Services.Ledger;
using Fog.Services.Report;
using Fog.Services.View;
using Fog.Storage.Recovery;
using Fog.Testing.Network;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Fog.Client.Tests.EndToEnd;

/// <summary>
/// A whole Fog network on loopback for client end-to-end tests: the dev node, ingest, view, ledger and report over
/// one SQLite recovery DB, each a real server on its own port. Ingest and the ledger server follow the node's ledger
/// through gates, so a test can hold either one back (view behind, ledger behind) or replace the ingest server.
/// Wallets connect with <see cref="FogClient.Connect"/> and <see cref="Config"/>, as a real wallet does.
/// </summary>
internal sealed class FogTestNetwork : IAsyncDisposable
{
    private const ulong UserCapacity = 4096;

    private readonly string _directory;
    private readonly TestNode _node;
    private readonly IRecoveryDb _db;
    private readonly ReportServer _report;
    private readonly ViewServer _view;
    private readonly LedgerServer _ledger;
    private readonly FogReportResolver _resolver;
    private IngestServer _ingest;
    private int _ingestServers;

    private FogTestNetwork(string directory, TestNode node, IRecoveryDb db, ReportServer report, IngestServer ingest, GatedBlockSource ingestBlocks, ViewServer view, LedgerServer ledger, GatedBlockSource ledgerBlocks)
    {
        _directory = directory;
        _node = node;
        _db = db;
        _report = report;
        _ingest = ingest;
        _ingestServers = 1;
        IngestBlocks = ingestBlocks;
        _view = view;
        _ledger = ledger;
        LedgerBlocks = ledgerBlocks;
        Config = new NetworkConfig
        {
            Node = new ServiceEndpoint { Uri = Dial(node.Server.ClientUri), ResponderId = node.Server.ResponderId },
            View = new ServiceEndpoint { Uri = Dial(view.ClientUri), ResponderId = view.ResponderId },
            Ledger = new ServiceEndpoint { Uri = Dial(ledger.ClientUri), ResponderId = ledger.ResponderId },
            FogReportUrl = report.FogReportUrl,
            FogAuthoritySpki = Convert.ToHexStringLower(report.AuthoritySpki),
            TrustedSimulationRoots = [Convert.ToHexStringLower(node.Server.SimulationRootPublicKey)],
            Measurements = new()
            {
                ["consensus"] = [node.Server.EnclaveIdentity.Measurement.ToHex()],
                ["ingest"] = [ingest.EnclaveIdentity.Measurement.ToHex()],
                ["view"] = [view.EnclaveIdentity.Measurement.ToHex()],
                ["ledger"] = [ledger.EnclaveIdentity.Measurement.ToHex()],
            },
        };
        _resolver = new FogReportResolver(Config.PolicyFor("ingest", EnclaveProductId.Ingest));
    }

    /// <summary>How wallets reach and attest this network.</summary>
    public NetworkConfig Config { get; }

    /// <summary>The fog info for new fog users of this network.</summary>
    public FogInfo Fog => new(_report.FogReportUrl, "", _report.AuthoritySpki);

    /// <summary>Blocks as the ingest server receives them: hold it to keep fog view behind.</summary>
    public GatedBlockSource IngestBlocks { get; }

    /// <summary>Blocks as the ledger server receives them: hold it to keep key-image checks behind.</summary>
    public GatedBlockSource LedgerBlocks { get; }

    /// <summary>Blocks in the node's ledger.</summary>
    public ulong NumBlocks => _node.Server.Ledger.NumBlocks;

    /// <summary>Blocks fog view has processed.</summary>
    public ulong ViewBlockCount => _view.Progress.HighestProcessedBlockCount;

    /// <summary>Blocks whose key images fog ledger has loaded.</summary>
    public ulong LedgerBlockCount => _ledger.Progress.NumBlocks;

    /// <summary>The active ingest server's ingress public key.</summary>
    public RistrettoPublic IngressKey => RistrettoPublic.From(_ingest.Summary.IngressPubkey.Data.Span);

    public static async Task<FogTestNetwork> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("fog-client-e2e-").FullName;
        var node = await TestNode.StartAsync(Path.Combine(directory, "node"));
        var db = await RecoveryDbConnection.Sqlite(Path.Combine(directory, "recovery.sqlite")).OpenAsync();
        var chain = DevCertificateChain.Create();
        var (chainPath, keyPath, _) = chain.WriteTo(Path.Combine(directory, "report-chain"));
        var report = await ReportServer.StartAsync(
            new ReportServerOptions { Listen = Loopback, Metrics = null, SigningChainPath = chainPath, SigningKeyPath = keyPath, CacheDuration = TimeSpan.Zero, LogLevel = LogLevel.Warning },
            db);
        var ingestBlocks = new GatedBlockSource(new InProcessBlockSource(node.Server.Ledger, TimeSpan.FromMilliseconds(20)), open: true);
        var ingest = await StartIngestAsync(directory, node, db, ingestBlocks, 1);
        await AdminAsync(ingest, admin => admin.ActivateAsync(new Empty()).ResponseAsync);
        var view = await ViewServer.StartAsync(
            new ViewServerOptions
            {
                Listen = Loopback,
                Admin = null,
                Metrics = null,
                SimulationRootPath = SimulationRoot(node),
                ResponderId = "view.client-e2e",
                OmapCapacity = UserCapacity,
                DbPollInterval = TimeSpan.FromMilliseconds(20),
                LogLevel = LogLevel.Warning,
            },
            db);
        var ledgerBlocks = new GatedBlockSource(new InProcessBlockSource(node.Server.Ledger, TimeSpan.FromMilliseconds(20)), open: true);
        var ledger = await LedgerServer.StartAsync(
            new LedgerServerOptions
            {
                Listen = Loopback,
                Metrics = null,
                SimulationRootPath = SimulationRoot(node),
                ResponderId = "ledger.client-e2e",
                OmapCapacity = UserCapacity,
                LogLevel = LogLevel.Warning,
            },
            ledgerBlocks);
        var network = new FogTestNetwork(directory, node, db, report, ingest, ingestBlocks, view, ledger, ledgerBlocks);
        await Task.WhenAll(view.CaughtUp, ledger.CaughtUp);
        return network;
    }

    /// <summary>A wallet session: a client over this network's configuration, resuming <paramref name="state"/> if given.</summary>
    public FogClient Wallet(AccountKey account, Fog.Client.Balance.FogClientState? state = null) => FogClient.Connect(Config, account, state);

    /// <summary>
    /// The faucet pays <paramref name="to"/> with a real transaction; a fog recipient's hint is encrypted to the key
    /// its fog report publishes (resolved and verified as a sender does). Returns the block index.
    /// </summary>
    public async Task<ulong> PayFromFaucetAsync(AccountKey to, ulong value)
    {
        var ingress = to.DefaultSubaddress.HasFog ? (await _resolver.ResolveAsync(to.DefaultSubaddress)).IngressPublicKey : null;
        var paid = await _node.Server.Node.PayFromFaucetAsync(to.DefaultSubaddress, new Amount(value, Amount.MobTokenId), ingress, CancellationToken.None);
        Assert.True(paid.Succeeded, paid.Error);
        return paid.BlockIndex;
    }

    /// <summary>Waits until fog view has processed and fog ledger has loaded at least <paramref name="blockCount"/> blocks.</summary>
    public Task CaughtUpToAsync(ulong blockCount) =>
        Eventually.HoldsAsync(() => ViewBlockCount >= blockCount && LedgerBlockCount >= blockCount, () => $"view and ledger at {blockCount} blocks (view {ViewBlockCount}, ledger {LedgerBlockCount})");

    /// <summary>
    /// The ingest server stops for good (its process dies): its ingress key stays published, and nobody scans with it.
    /// </summary>
    public async Task KillIngestAsync() => await _ingest.DisposeAsync();

    /// <summary>
    /// What an operator does when the active ingest server died and no backup holds its key (reference overseer
    /// scenario): a new server reports the old key lost, which records the blocks fog will never scan, and activates with
    /// a new ingress key.
    /// </summary>
    public async Task ReplaceIngestWithNewKeyAsync(RistrettoPublic lostKey)
    {
        await _ingest.DisposeAsync();
        _ingestServers++;
        _ingest = await StartIngestAsync(_directory, _node, _db, IngestBlocks, _ingestServers);
        await AdminAsync(_ingest, async admin =>
        {
            await admin.ReportLostIngressKeyAsync(new ReportLostIngressKeyRequest { Key = new Api.External.CompressedRistretto { Data = ByteString.CopyFrom(lostKey.ToArray()) } });
            await admin.ActivateAsync(new Empty());
        });
    }

    /// <summary>Ground truth from the node's ledger: what <paramref name="account"/> owned after <paramref name="blockCount"/> blocks.</summary>
    public ulong TrueBalance(AccountKey account, ulong blockCount)
    {
        var ledger = _node.Server.Ledger;
        var received = new List<(KeyImage KeyImage, ulong Value)>();
        var spent = new HashSet<KeyImage>();
        for (var index = 0UL; index < blockCount; index++)
        {
            var block = ledger.GetBlockData(index) ?? throw new InvalidOperationException($"The ledger has no block {index}.");
            spent.UnionWith(block.Contents.KeyImages);
            foreach (var output in block.Contents.Outputs)
            {
                foreach (var subaddress in new[] { AccountKey.DefaultSubaddressIndex, AccountKey.ChangeSubaddressIndex })
                {
                    if (output.BelongsTo(account, subaddress) && output.TryGetAmount(account.ViewPrivateKey, out var amount))
                    {
                        using var spend = account.SubaddressSpendPrivate(subaddress);
                        received.Add((output.KeyImage(account.ViewPrivateKey, spend), amount.Value));
                    }
                }
            }
        }

        return received.Where(r => !spent.Contains(r.KeyImage)).Aggregate(0UL, (sum, r) => sum + r.Value);
    }

    public async ValueTask DisposeAsync()
    {
        _resolver.Dispose();
        await _ledger.DisposeAsync();
        await _view.DisposeAsync();
        await _ingest.DisposeAsync();
        await IngestBlocks.DisposeAsync();
        await _report.DisposeAsync();
        await _db.DisposeAsync();
        await _node.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static FogEndpoint Loopback => new("127.0.0.1", 0);

    private static string SimulationRoot(TestNode node) => Path.Combine(node.Directory, "simulation-root.key");

    private static string Dial(Uri uri) => new FogEndpoint(uri.Host, uri.Port).ToString();

    /// <summary>Calls the ingest admin API, as <c>fog ingest</c> does.</summary>
    private static async Task AdminAsync(IngestServer ingest, Func<AccountIngestAPI.AccountIngestAPIClient, Task> call)
    {
        using var channel = GrpcChannel.ForAddress(ingest.ClientUri);
        await call(new AccountIngestAPI.AccountIngestAPIClient(channel));
    }

    private static Task<IngestServer> StartIngestAsync(string directory, TestNode node, IRecoveryDb db, IBlockSource blocks, int number) =>
        IngestServer.StartAsync(
            new IngestServerOptions
            {
                Listen = Loopback,
                PeerListen = Loopback,
                Metrics = null,
                PeerResponderId = $"ingest-{number}.client-e2e",
                StateFilePath = Path.Combine(directory, $"ingest-{number}.state"),
                SealingSecretPath = Path.Combine(directory, $"ingest-{number}-sealing.key"),
                SimulationRootPath = SimulationRoot(node),
                UserCapacity = UserCapacity,
                PollInterval = TimeSpan.FromMilliseconds(20),
                LogLevel = LogLevel.Warning,
            },
            blocks,
            db);
}
