using Fog.Api.Node;
using Fog.Attestation.Evidence;
using Fog.Client.Reports;
using Fog.Model.FogData;
using Fog.Model.Keys;
using Fog.Services.Hosting;
using Fog.Services.Ingest;
using Fog.Services.Report;
using Fog.Services.Tests.Ingest.Support;
using Fog.Testing.Network;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Fog.Services.Tests.Ingest;

/// <summary>
/// The whole sender-to-recipient path over real servers: a dev node, an ingest server following it over gRPC, a report
/// server, all on one SQLite recovery DB. The sender resolves the recipient's fog report, the node pays the fog
/// address with a real transaction, ingest tags the output, and the recipient finds and recovers it.
/// </summary>
public sealed class IngestEndToEndTests
{
    [Fact]
    public async Task Dev_node_pays_a_fog_address_and_the_recipient_recovers_the_record_ingest_wrote()
    {
        var directory = Directory.CreateTempSubdirectory("fog-ingest-e2e-").FullName;
        try
        {
            await using var node = await TestNode.StartAsync(Path.Combine(directory, "node"));
            var recoveryDb = RecoveryDbConnection.Sqlite(Path.Combine(directory, "recovery.db"));
            await using var ingest = await IngestServer.StartAsync(new IngestServerOptions
            {
                Listen = new FogEndpoint("127.0.0.1", 0),
                PeerListen = new FogEndpoint("127.0.0.1", 0),
                Metrics = null,
                PeerResponderId = "ingest-e2e",
                NodeUri = node.Server.ClientUri,
                LedgerCopyPath = Path.Combine(directory, "ingest-ledger"),
                RecoveryDb = recoveryDb,
                StateFilePath = Path.Combine(directory, "ingest.state"),
                SimulationRootPath = Path.Combine(directory, "node", "simulation-root.key"),
                SealingSecretPath = Path.Combine(directory, "sealing.key"),
                UserCapacity = 4096,
                PollInterval = TimeSpan.FromMilliseconds(50),
                LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            });
            using var admin = Grpc.Net.Client.GrpcChannel.ForAddress(ingest.ClientUri);
            await new Api.AccountIngest.AccountIngestAPI.AccountIngestAPIClient(admin).ActivateAsync(new Empty());

            await using var db = await recoveryDb.OpenAsync();
            var chain = DevCertificateChain.Create();
            var (chainPath, keyPath, _) = chain.WriteTo(Path.Combine(directory, "report-chain"));
            await using var report = await ReportServer.StartAsync(
                new ReportServerOptions
                {
                    Listen = new FogEndpoint("127.0.0.1", 0),
                    Metrics = null,
                    SigningChainPath = chainPath,
                    SigningKeyPath = keyPath,
                    CacheDuration = TimeSpan.Zero,
                    LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
                },
                db);

            // The sender resolves the recipient's ingress key through the report server, checking everything.
            using var recipient = AccountKey.FromRootEntropy(Enumerable.Repeat((byte)77, 32).ToArray(), new FogInfo(report.FogReportUrl, "", chain.RootSubjectPublicKeyInfo));
            var policy = new AttestationPolicy([ingest.EnclaveIdentity.Measurement], EnclaveProductId.Ingest, trustedSimulationRoots: [ingest.SimulationRootPublicKey]);
            using var resolver = new FogReportResolver(policy);
            var resolved = await resolver.ResolveAsync(recipient.DefaultSubaddress);
            Assert.Equal(ingest.Summary.IngressPubkey.Data.ToByteArray(), resolved.IngressPublicKey.ToArray());
            Assert.True(resolved.PubkeyExpiry > node.Server.Node.Read(l => l.NumBlocks));

            const ulong paid = 3_210_000_000_000;
            var payment = await new NodeAdminAPI.NodeAdminAPIClient(node.AdminChannel).FaucetAsync(new FaucetRequest
            {
                B58Address = recipient.DefaultSubaddress.ToB58(),
                Amount = paid,
                FogIngressPublicKey = ByteString.CopyFrom(resolved.IngressPublicKey.Bytes),
            });
            Assert.Equal("", payment.Error);

            await IngestCluster.WaitUntilAsync(() => Task.FromResult(ingest.Summary.NextBlockIndex > payment.BlockIndex), $"ingest stored block {payment.BlockIndex}");

            var found = Assert.Single(await RecoveryViewer.FindAsync(db, recipient));
            Assert.Equal(payment.BlockIndex, found.BlockIndex);
            Assert.Equal(TxOutRecordError.None, found.TryRecover(recipient.ViewPrivateKey, out var txOut, out var amount));
            Assert.Equal(paid, amount.Value);
            Assert.Equal(payment.TxOut.PublicKey.Data.ToByteArray(), txOut!.PublicKey.ToArray());
            var located = Assert.Single(await node.Client.FindTxOutsAsync([txOut.PublicKey.ToArray()]));
            Assert.Equal(located.GlobalIndex, found.GlobalIndex);

            // Every output of the block got a record (the faucet's change is chaff nobody can read).
            var stored = await db.GetTxOutsByBlockAndKeyAsync(resolved.IngressPublicKey, payment.BlockIndex);
            Assert.Equal(node.Server.Node.Read(l => l.GetBlockData(payment.BlockIndex)!.Contents.Outputs.Count), stored!.Count);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
