using Fog.Api.AccountIngest;
using Fog.Api.IngestCommon;
using Fog.Services.Hosting;
using Fog.Services.Ingest;
using Fog.Storage.Recovery;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;

namespace Fog.Services.Tests.Ingest.Support;

/// <summary>
/// Ingest servers on loopback sharing a test chain, a recovery database (each server with its own client of it), a
/// simulation root and a machine sealing secret, each with its own state file — as a cluster on one machine.
/// </summary>
internal sealed class IngestCluster : IAsyncDisposable
{
    private readonly Dictionary<string, IngestNode> _nodes = [];

    private IngestCluster(string directory, IngestTestDatabase database)
    {
        Directory = directory;
        Database = database;
    }

    public string Directory { get; }

    public IngestTestDatabase Database { get; }

    public IRecoveryDb Db => Database.Db;

    public TestChain Chain { get; } = new();

    public static async Task<IngestCluster> CreateAsync(string backend)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("fog-ingest-test-").FullName;
        try
        {
            return new IngestCluster(directory, await IngestTestDatabase.CreateAsync(backend, directory));
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    public IngestNode this[string name] => _nodes[name];

    /// <summary>Starts (or restarts, keeping its state file) the node <paramref name="name"/>.</summary>
    public async Task<IngestNode> StartAsync(string name, Func<IngestServerOptions, IngestServerOptions>? configure = null)
    {
        if (_nodes.TryGetValue(name, out var running) && running.IsRunning)
        {
            throw new InvalidOperationException($"{name} is running.");
        }

        var options = new IngestServerOptions
        {
            Listen = new FogEndpoint("127.0.0.1", 0),
            PeerListen = new FogEndpoint("127.0.0.1", 0),
            Metrics = new FogEndpoint("127.0.0.1", 0),
            PeerResponderId = name,
            StateFilePath = StateFile(name),
            SimulationRootPath = Path.Combine(Directory, "simulation-root.key"),
            SealingSecretPath = Path.Combine(Directory, "sealing.key"),
            UserCapacity = 4096,
            PollInterval = TimeSpan.FromMilliseconds(50),
            PeerCheckupPeriod = TimeSpan.FromHours(1),
            MaxRetryDelay = TimeSpan.FromSeconds(2),
            EnclaveParallelism = 1,
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        options = configure?.Invoke(options) ?? options;
        var db = await Database.Connection.OpenAsync();
        try
        {
            var server = await IngestServer.StartAsync(options, Chain, db);
            var node = new IngestNode(name, server, db);
            _nodes[name] = node;
            return node;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    public string StateFile(string name) => Path.Combine(Directory, name + ".state");

    /// <summary>Makes every running node's peer list the given nodes (this server included), through the admin API.</summary>
    public async Task SetPeersAsync(params string[] names)
    {
        var request = new Fog.Api.IngestCommon.SetPeersRequest();
        request.IngestPeerUris.AddRange(names.Select(n => _nodes[n].PeerUri));
        foreach (var name in names)
        {
            await _nodes[name].Admin.SetPeersAsync(request);
        }
    }

    /// <summary>Waits (polling) until <paramref name="condition"/> holds; fails the test after 60 s.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Timed out waiting until {what}.");
    }

    /// <summary>Waits until <paramref name="node"/> has stored every block of the chain.</summary>
    public Task WaitForChainAsync(IngestNode node) =>
        WaitUntilAsync(async () => (await node.StatusAsync()).NextBlockIndex == Chain.NumBlocks, $"{node.Name} ingested all {Chain.NumBlocks} blocks");

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values)
        {
            await node.StopAsync();
        }

        await Database.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One ingest server of a cluster, with an admin client.</summary>
internal sealed class IngestNode(string name, IngestServer server, IRecoveryDb db)
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(server.ClientUri);

    public string Name { get; } = name;

    public IngestServer Server { get; } = server;

    public bool IsRunning { get; private set; } = true;

    public AccountIngestAPI.AccountIngestAPIClient Admin => new(_channel);

    /// <summary>This node's peer URI (with its responder id).</summary>
    public string PeerUri => Server.PeerUri.ToString();

    public async Task<IngestSummary> StatusAsync() => await Admin.GetStatusAsync(new Empty());

    public async Task<byte[]> IngressKeyAsync() => (await StatusAsync()).IngressPubkey.Data.ToByteArray();

    public async Task StopAsync()
    {
        if (!IsRunning)
        {
            return;
        }

        IsRunning = false;
        _channel.Dispose();
        await Server.DisposeAsync();
        await db.DisposeAsync();
    }
}
