using Fog.Attestation;
using Fog.Attestation.Evidence;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Fog.Node.Grpc;
using Fog.Services.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace Fog.Node;

/// <summary>
/// The dev node as a running server (the composition root): the node core over a ledger, its simulated consensus
/// enclave for attested transaction proposals, the gRPC services on the client and admin ports, and the block producer.
/// </summary>
public sealed class NodeServer : IAsyncDisposable
{
    private readonly FogServer _server;
    private readonly SimulatedEnclaveHost _enclave;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _producer;
    private readonly Key _signingKey;

    private readonly ILedgerStore _ledger;
    private int _disposed;

    private NodeServer(FogServer server, SimulatedEnclaveHost enclave, DevNode node, ILedgerStore ledger, Key signingKey, string responderId)
    {
        _server = server;
        _ledger = ledger;
        _enclave = enclave;
        Node = node;
        _signingKey = signingKey;
        ResponderId = responderId;
        _producer = Task.Run(() => node.RunAsync(_stop.Token));
    }

    /// <summary>The node core.</summary>
    public DevNode Node { get; }

    /// <summary>The ledger the node appends to (safe to read from other components of this process).</summary>
    public ILedgerStore Ledger => _ledger;

    /// <summary>The client URI (consensus client, blockchain and node APIs).</summary>
    public Uri ClientUri => _server.ClientUri;

    /// <summary>The admin URI (faucet).</summary>
    public Uri AdminUri => _server.AdminUri!;

    /// <summary>The metrics base URI.</summary>
    public Uri MetricsUri => _server.MetricsUri!;

    /// <summary>The responder id clients attest the node with.</summary>
    public string ResponderId { get; }

    /// <summary>The (simulated) consensus enclave's identity.</summary>
    public EnclaveIdentity EnclaveIdentity => _enclave.Identity;

    /// <summary>The simulation root clients must trust to attest this node.</summary>
    public byte[] SimulationRootPublicKey => _enclave.SimulationRootPublicKey.ToArray();

    /// <summary>Starts a node over <paramref name="ledger"/> (which it then owns).</summary>
    public static async Task<NodeServer> StartAsync(NodeOptions options, ILedgerStore ledger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ledger);
        options.Validate();
        var signingKey = LoadSigningKey(options.SigningKeyPath ?? Path.Combine(options.LedgerPath, "node-signing.key"));
        var responderId = options.ResponderId ?? $"{options.Listen.Host}:{options.Listen.Port}";
        var enclave = SimulatedEnclaveHost.Create(options.SimulationRootPath, "consensus", typeof(DevNode).Assembly, EnclaveProductId.Consensus, responderId);
        DevNode? node = null;
        try
        {
            var server = await FogServer.StartAsync(
                new FogServerOptions { Name = "Fog dev node", Listen = options.Listen, Admin = options.Admin, Metrics = options.Metrics, LogLevel = options.LogLevel, JsonLogs = options.JsonLogs },
                services =>
                {
                    services.AddSingleton(provider =>
                    {
                        var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Fog.Node");
                        logger.LogWarning("{Warning}", enclave.SimulationWarning);
                        return node = new DevNode(options, ledger, signingKey, new UncheckedRangeProofs(), logger);
                    });
                    services.AddSingleton(enclave.Responder);
                },
                app =>
                {
                    app.MapGrpcService<NodeAttestedApi>();
                    app.MapGrpcService<ConsensusClientService>();
                    app.MapGrpcService<BlockchainService>();
                    app.MapGrpcService<NodeApiService>();
                    app.MapGrpcService<NodeAdminService>().WithMetadata(new AdminPortOnlyAttribute());
                },
                cancellationToken).ConfigureAwait(false);

            // Create the node (origin block, faucet scan) before answering anything.
            node = server.Services.GetRequiredService<DevNode>();
            server.SetHealth("", serving: true);
            return new NodeServer(server, enclave, node, ledger, signingKey, responderId);
        }
        catch
        {
            node?.Dispose();
            enclave.Dispose();
            signingKey.Dispose();
            (ledger as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Completes when the server stops.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _server.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the producer and the server; pending transactions are dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _producer.ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        Node.Dispose();
        (_ledger as IDisposable)?.Dispose();
        _enclave.Dispose();
        _signingKey.Dispose();
        _stop.Dispose();
    }

    private static Key LoadSigningKey(string path)
    {
        Span<byte> seed = stackalloc byte[32];
        try
        {
            SecretFile.LoadOrCreate(path, seed, "block-signing key");
            return Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
        }
    }
}
