using Fog.Attestation.Evidence;
using Fog.Client.Ledger;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Fog.Services.Ledger;
using Fog.Storage.Ledger;
using Fog.Testing.Ledger;
using Fog.Testing.Network;
using NSec.Cryptography;

namespace Fog.Services.Tests.Ledger;

/// <summary>
/// The reference's ledger test chain (reference/ledger-and-report.md §7): an origin block with one output, then blocks
/// spending {k0,k1}, {k3,k4,k5}, {k6,k7,k8} with 2, 3 and 3 outputs, each signed at its index as timestamp — written to
/// an LMDB ledger in a temporary directory.
/// </summary>
public sealed class TestChain : IDisposable
{
    private TestChain(string directory, KeyImage[] keyImages, TxOut[] outputs)
    {
        Directory = directory;
        KeyImages = keyImages;
        Outputs = outputs;
    }

    public string Directory { get; }

    public string LedgerPath => Path.Combine(Directory, "ledger");

    public string SimulationRootPath => Path.Combine(Directory, "simulation-root.key");

    /// <summary>k0 … k8; k2 is never spent.</summary>
    public KeyImage[] KeyImages { get; }

    /// <summary>Every output, by global index.</summary>
    public TxOut[] Outputs { get; }

    public static TestChain Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("fog-ledger-test-").FullName;
        var keyImages = Enumerable.Range(0, 9).Select(_ => LedgerFixtures.RandomKeyImage()).ToArray();
        var outputs = new List<TxOut>();
        using var signer = Key.Create(SignatureAlgorithm.Ed25519);
        using (var store = LmdbLedgerStore.Open(Path.Combine(directory, "ledger")))
        {
            (int[] Spent, int Outputs)[] blocks = [([], 1), ([0, 1], 2), ([3, 4, 5], 3), ([6, 7, 8], 3)];
            foreach (var (spent, count) in blocks)
            {
                var contents = new BlockContents(spent.Select(i => keyImages[i]).ToList(), Enumerable.Range(0, count).Select(_ => LedgerFixtures.RandomOutput()).ToList());
                var next = LedgerFixtures.NextBlock(store, contents);
                var signed = next.Block.Index == 0 ? next : new BlockData(next.Block, next.Contents, BlockSignature.Sign(next.Block, signer, next.Block.Index));
                Assert.Equal(LedgerAppendResult.Ok, store.Append(signed));
                outputs.AddRange(contents.Outputs);
            }
        }

        return new TestChain(directory, keyImages, outputs.ToArray());
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A ledger server on ephemeral loopback ports, and clients for it.</summary>
public sealed class TestLedgerServer : IAsyncDisposable
{
    private TestLedgerServer(LedgerServer server)
    {
        Server = server;
        Policy = new AttestationPolicy([server.EnclaveIdentity.Measurement], EnclaveProductId.Ledger, trustedSimulationRoots: [server.SimulationRootPublicKey]);
    }

    public LedgerServer Server { get; }

    public AttestationPolicy Policy { get; }

    public static LedgerServerOptions Options(string simulationRootPath) => new()
    {
        Listen = new FogEndpoint("127.0.0.1", 0),
        Metrics = new FogEndpoint("127.0.0.1", 0),
        SimulationRootPath = simulationRootPath,
        ResponderId = "test-ledger:7200",
        OmapCapacity = 4096,
        LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
    };

    public static async Task<TestLedgerServer> StartAsync(TestChain chain, LedgerServerOptions? options = null) =>
        await StartAsync(new LocalBlockSource(chain.LedgerPath, TimeSpan.FromMilliseconds(20)), options ?? Options(chain.SimulationRootPath));

    public static async Task<TestLedgerServer> StartAsync(IBlockSource source, LedgerServerOptions options) =>
        new(await LedgerServer.StartAsync(options, source));

    public FogLedgerClient NewClient() => new(Server.ClientUri, Server.ResponderId, Policy);

    public async Task WaitForBlocksAsync(ulong numBlocks)
    {
        await Server.CaughtUp.WaitAsync(TimeSpan.FromSeconds(60));
        await Eventually.HoldsAsync(() => Server.Progress.NumBlocks >= numBlocks, () => $"{numBlocks} blocks loaded (now {Server.Progress.NumBlocks})");
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
