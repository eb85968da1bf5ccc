using Fog.Attestation.Evidence;
using Fog.Client.Node;
using Fog.Node;
using Fog.Services.Hosting;
using Fog.Storage.Ledger;
using Grpc.Net.Client;

namespace Fog.Testing.Network;

/// <summary>A dev node on loopback (ephemeral ports) over an LMDB ledger in a temporary directory, with a client.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private TestNode(string directory, NodeServer server)
    {
        Directory = directory;
        Server = server;
        Policy = new AttestationPolicy([server.EnclaveIdentity.Measurement], EnclaveProductId.Consensus, trustedSimulationRoots: [server.SimulationRootPublicKey]);
        Client = new NodeClient(server.ClientUri, server.ResponderId, Policy);
        AdminChannel = GrpcChannel.ForAddress(server.AdminUri);
        ClientChannel = GrpcChannel.ForAddress(server.ClientUri);
    }

    public string Directory { get; }

    public NodeServer Server { get; }

    public AttestationPolicy Policy { get; }

    public NodeClient Client { get; }

    public GrpcChannel AdminChannel { get; }

    public GrpcChannel ClientChannel { get; }

    public string LedgerPath => Path.Combine(Directory, "ledger");

    public static async Task<TestNode> StartAsync(string? directory = null, TimeSpan? blockInterval = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("fog-node-test-").FullName;
        var options = new NodeOptions
        {
            Listen = new FogEndpoint("127.0.0.1", 0),
            Admin = new FogEndpoint("127.0.0.1", 0),
            Metrics = new FogEndpoint("127.0.0.1", 0),
            LedgerPath = Path.Combine(directory, "ledger"),
            SimulationRootPath = Path.Combine(directory, "simulation-root.key"),
            ResponderId = "test-node",
            BlockInterval = blockInterval ?? TimeSpan.FromMilliseconds(100),
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        var server = await NodeServer.StartAsync(options, LmdbLedgerStore.Open(options.LedgerPath));
        return new TestNode(directory, server);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        AdminChannel.Dispose();
        ClientChannel.Dispose();
        await Server.DisposeAsync();
    }

    public void DeleteDirectory() => System.IO.Directory.Delete(Directory, recursive: true);
}
