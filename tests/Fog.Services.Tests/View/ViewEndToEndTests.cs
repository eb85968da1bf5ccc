using Fog.Api.Node;
using Fog.Attestation.Evidence;
using Fog.Client;
using Fog.Client.Balance;
using Fog.Client.Ledger;
using Fog.Client.Node;
using Fog.Client.Payments;
using Fog.Client.Reports;
using Fog.Model.Addresses;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Model.Transactions;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Fog.Services.Ingest;
using Fog.Services.Ledger;
using Fog.Services.Report;
using Fog.Services.View;
using Fog.Testing.Network;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fog.Services.Tests.View;

/// <summary>
/// The whole path over real servers: a dev node, the real ingest following it, the view server on ingest's recovery DB,
/// the ledger server following the node. Fog users are paid with real transactions; each finds exactly its own records
/// through view, a balance check through the SDK adds them up, and a spend shows up through the ledger's key images.
/// </summary>
public sealed class ViewEndToEndTests
{
    private const ulong Mob = 1_000_000_000_000;

    [Fact]
    public async Task RealIngestViewAndLedger_EachUserFindsExactlyItsPayments_AndTheBalanceFollowsASpend()
    {
        var directory = Directory.CreateTempSubdirectory("fog-view-e2e-").FullName;
        try
        {
            await using var node = await TestNode.StartAsync(Path.Combine(directory, "node"));
            var simulationRoot = Path.Combine(directory, "node", "simulation-root.key");
            var recoveryDb = RecoveryDbConnection.Sqlite(Path.Combine(directory, "recovery.db"));
            await using var ingest = await IngestServer.StartAsync(new IngestServerOptions
            {
                Listen = new FogEndpoint("127.0.0.1", 0),
                PeerListen = new FogEndpoint("127.0.0.1", 0),
                Metrics = null,
                PeerResponderId = "ingest-view-e2e",
                NodeUri = node.Server.ClientUri,
                LedgerCopyPath = Path.Combine(directory, "ingest-ledger"),
                RecoveryDb = recoveryDb,
                StateFilePath = Path.Combine(directory, "ingest.state"),
                SimulationRootPath = simulationRoot,
                SealingSecretPath = Path.Combine(directory, "sealing.key"),
                UserCapacity = 4096,
                PollInterval = TimeSpan.FromMilliseconds(50),
                LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            });
            using (var admin = Grpc.Net.Client.GrpcChannel.ForAddress(ingest.ClientUri))
            {
                await new Api.AccountIngest.AccountIngestAPI.AccountIngestAPIClient(admin).ActivateAsync(new Empty());
            }

            await using var viewDb = await recoveryDb.OpenAsync();
            await using var view = await ViewServer.StartAsync(
                new ViewServerOptions
                {
                    Listen = new FogEndpoint("127.0.0.1", 0),
                    Admin = null,
                    Metrics = null,
                    SimulationRootPath = simulationRoot,
                    ResponderId = "e2e-view:5200",
                    OmapCapacity = 4096,
                    DbPollInterval = TimeSpan.FromMilliseconds(20),
                    LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
                },
                viewDb);
            await using var ledger = await LedgerServer.StartAsync(
                TestLedgerServerOptions(simulationRoot),
                new RemoteBlockSource(node.Server.ClientUri, Path.Combine(directory, "ledger-copy"), NullLogger.Instance));

            // The report server publishes ingest's key; fog users' addresses point at it.
            await using var reportDb = await recoveryDb.OpenAsync();
            var chain = DevCertificateChain.Create();
            var (chainPath, keyPath, _) = chain.WriteTo(Path.Combine(directory, "report-chain"));
            await using var report = await ReportServer.StartAsync(
                new ReportServerOptions { Listen = new FogEndpoint("127.0.0.1", 0), Metrics = null, SigningChainPath = chainPath, SigningKeyPath = keyPath, CacheDuration = TimeSpan.Zero, LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
                reportDb);
            var fog = new FogInfo(report.FogReportUrl, "", chain.RootSubjectPublicKeyInfo);
            using var alice = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)21, 32).ToArray(), fog);
            using var bob = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)22, 32).ToArray(), fog);
            using var carol = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)23, 32).ToArray(), fog);
            using var dave = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)24, 32).ToArray());
            var ingress = ingest.Summary.IngressPubkey.Data;
            var faucet = new NodeAdminAPI.NodeAdminAPIClient(node.AdminChannel);
            async Task<FaucetResponse> PayAsync(AccountKey to, ulong amount)
            {
                var paid = await faucet.FaucetAsync(new FaucetRequest { B58Address = to.DefaultSubaddress.ToB58(), Amount = amount, FogIngressPublicKey = ingress });
                Assert.Equal("", paid.Error);
                return paid;
            }

            await PayAsync(alice, 10 * Mob);
            await PayAsync(bob, 7 * Mob);
            var last = await PayAsync(alice, 5 * Mob);
            await Eventually.HoldsAsync(() => view.Progress.HighestProcessedBlockCount > last.BlockIndex, () => $"view processed block {last.BlockIndex} (now {view.Progress})");

            var viewPolicy = new AttestationPolicy([view.EnclaveIdentity.Measurement], EnclaveProductId.View, trustedSimulationRoots: [view.SimulationRootPublicKey]);
            using var viewClient = new Fog.Client.View.FogViewClient(view.ClientUri, view.ResponderId, viewPolicy);
            Assert.Equal([5 * Mob, 10 * Mob], (await ViewSearch.FindRecordsAsync(viewClient, alice)).Select(r => AmountOf(r, alice)).Order());
            Assert.Equal([7 * Mob], (await ViewSearch.FindRecordsAsync(viewClient, bob)).Select(r => AmountOf(r, bob)));
            Assert.Empty(await ViewSearch.FindRecordsAsync(viewClient, carol));

            // The SDK's balance check over these servers.
            var ledgerPolicy = new AttestationPolicy([ledger.EnclaveIdentity.Measurement], EnclaveProductId.Ledger, trustedSimulationRoots: [ledger.SimulationRootPublicKey]);
            using var ledgerClient = new FogLedgerClient(ledger.ClientUri, ledger.ResponderId, ledgerPolicy);
            using var nodeClient = new NodeClient(node.Server.ClientUri, node.Server.ResponderId, node.Policy);
            await Eventually.HoldsAsync(() => ledger.Progress.NumBlocks > last.BlockIndex, () => $"ledger loaded block {last.BlockIndex}");
            using var resolver = new FogReportResolver(new AttestationPolicy([ingest.EnclaveIdentity.Measurement], EnclaveProductId.Ingest, trustedSimulationRoots: [ingest.SimulationRootPublicKey]));
            using var wallet = new FogClient(alice, new FogClientState(), viewClient, ledgerClient, ledgerClient, ledgerClient, new Submitter(nodeClient), new Resolver(resolver));
            var before = await wallet.CheckBalanceAsync();
            Assert.Equal(15 * Mob, before.Mob);
            Assert.True(before.ValidAtBlockCount > last.BlockIndex);

            // Alice pays Dave (no fog): the inputs she spent are reported spent by the ledger, and her change comes back
            // through ingest and view.
            var sent = await wallet.SendAsync(dave.DefaultSubaddress, new Amount(3 * Mob, 0));
            Assert.Equal(SendStatus.Confirmed, sent.Status);
            await Eventually.HoldsAsync(() => ledger.Progress.NumBlocks > sent.BlockIndex && view.Progress.HighestProcessedBlockCount > sent.BlockIndex, () => $"both services past block {sent.BlockIndex}");
            var records = await ViewSearch.FindRecordsAsync(viewClient, alice);
            var keyImages = records.Select(r => KeyImageOf(r, alice)).ToList();
            var check = await ledgerClient.CheckKeyImagesAsync(keyImages);
            Assert.Contains(check.Results, r => r.IsSpent && r.SpentAt == sent.BlockIndex);
            Assert.All(check.Results, r => Assert.NotEqual(Fog.Api.FogLedger.KeyImageResultCode.KeyImageError, r.Code));
            var unspent = records.Where((_, i) => !check.Results[i].IsSpent).Aggregate(0UL, (sum, r) => sum + AmountOf(r, alice));

            var after = await wallet.CheckBalanceAsync();
            Assert.Equal(before.Mob - (3 * Mob) - sent.Fee, after.Mob);
            Assert.Equal(unspent, after.Mob);
            Assert.True(after.ValidAtBlockCount > sent.BlockIndex);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static LedgerServerOptions TestLedgerServerOptions(string simulationRoot) => new()
    {
        Listen = new FogEndpoint("127.0.0.1", 0),
        Metrics = null,
        SimulationRootPath = simulationRoot,
        ResponderId = "e2e-ledger:7200",
        OmapCapacity = 4096,
        LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
    };

    private static ulong AmountOf(TxOutRecord record, AccountKey account)
    {
        Assert.Equal(TxOutRecordError.None, record.TryRecover(account.ViewPrivateKey, out _, out var amount));
        return amount.Value;
    }

    private static KeyImage KeyImageOf(TxOutRecord record, AccountKey account)
    {
        Assert.Equal(TxOutRecordError.None, record.TryRecover(account.ViewPrivateKey, out var txOut, out _));
        var subaddress = txOut!.BelongsTo(account, AccountKey.DefaultSubaddressIndex) ? AccountKey.DefaultSubaddressIndex : AccountKey.ChangeSubaddressIndex;
        Assert.True(txOut.BelongsTo(account, subaddress));
        using var spend = account.SubaddressSpendPrivate(subaddress);
        return txOut.KeyImage(account.ViewPrivateKey, spend);
    }

    /// <summary>The SDK's report resolver as a payment needs it.</summary>
    private sealed class Resolver(FogReportResolver resolver) : IFogReportResolver
    {
        public Task<ValidatedFogPubkey> ResolveAsync(PublicAddress address, CancellationToken cancellationToken) => resolver.ResolveAsync(address, cancellationToken);
    }

    /// <summary>The dev node as the SDK's transaction submitter.</summary>
    private sealed class Submitter(NodeClient node) : ITransactionSubmitter
    {
        public async Task<(ulong NumBlocks, BlockVersion BlockVersion, IReadOnlyDictionary<ulong, ulong> MinimumFees)> GetNetworkInfoAsync(CancellationToken cancellationToken)
        {
            var info = await node.GetLedgerInfoAsync(cancellationToken);
            return (info.NumBlocks, new BlockVersion(info.BlockVersion), info.MinimumFees.ToDictionary(p => p.Key, p => p.Value));
        }

        public Task<TxValidationResult> ProposeAsync(Tx tx, CancellationToken cancellationToken) => node.ProposeAsync(tx, cancellationToken);

        public async Task<ulong?> FindBlockOfAsync(ReadOnlyMemory<byte> txOutPublicKey, CancellationToken cancellationToken)
        {
            var found = await node.FindTxOutsAsync([txOutPublicKey], cancellationToken);
            return found is [{ Found: true } location] ? location.BlockIndex : null;
        }
    }
}
