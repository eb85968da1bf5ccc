using Fog.Api.AccountIngest;
using Fog.Api.IngestCommon;
using Fog.Api.IngestPeer;
using Fog.Attestation.Evidence;
using Fog.Attestation.Sealing;
using Fog.Enclaves.Ingest;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Fog.Storage.Recovery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fog.Services.Ingest;

/// <summary>
/// The fog ingest server as a running process (the composition root): the simulated ingest enclave, the controller
/// following the block source and writing to the recovery database, the admin API on the client port, the peer API
/// and the peers' attested handshake on the peer port, and metrics.
/// </summary>
/// <remarks>SIMULATION MODE: the enclave runs without a hardware TEE; the server logs a warning saying so at start-up.</remarks>
public sealed partial class IngestServer : IAsyncDisposable
{
    private readonly FogServer _server;
    private readonly IngestController _controller;
    private readonly IIngestEnclave _enclave;
    private readonly MachineSealingSecret _sealing;
    private readonly SimulatedAttestation _attestation;
    private readonly IBlockSource? _ownedSource;
    private readonly IRecoveryDb? _ownedDb;
    private int _disposed;

    private IngestServer(FogServer server, IngestController controller, IIngestEnclave enclave, MachineSealingSecret sealing, SimulatedAttestation attestation, IBlockSource? ownedSource, IRecoveryDb? ownedDb, string responderId)
    {
        _server = server;
        _controller = controller;
        _enclave = enclave;
        _sealing = sealing;
        _attestation = attestation;
        _ownedSource = ownedSource;
        _ownedDb = ownedDb;
        ResponderId = responderId;
    }

    /// <summary>The client (admin API) URI.</summary>
    public Uri ClientUri => _server.ClientUri;

    /// <summary>The peer port's gRPC URI.</summary>
    public Uri PeerGrpcUri => _server.AdminUri!;

    /// <summary>This server's peer URI, as other servers list it (<c>insecure-igp://host:port/?responder-id=…</c>).</summary>
    public IngestPeerUri PeerUri => new(PeerGrpcUri.Host, PeerGrpcUri.Port, false, ResponderId);

    /// <summary>The metrics base URI, or null.</summary>
    public Uri? MetricsUri => _server.MetricsUri;

    /// <summary>This server's responder id.</summary>
    public string ResponderId { get; }

    /// <summary>The enclave's identity (what senders' and peers' policies must accept).</summary>
    public EnclaveIdentity EnclaveIdentity => _enclave.Identity;

    /// <summary>The simulation root the enclave's evidence chains to.</summary>
    public byte[] SimulationRootPublicKey => _attestation.RootPublicKey.ToArray();

    /// <summary>The current status.</summary>
    public IngestSummary Summary => _controller.Summary;

    /// <summary>Starts a server that opens the block source and recovery database its options name (and owns them).</summary>
    public static async Task<IngestServer> StartAsync(IngestServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.LedgerPath is null && options.NodeUri is null)
        {
            throw new ArgumentException("Give the ledger to follow: --ledger <LMDB directory> or --node <node URI>.");
        }

        var connection = options.RecoveryDb ?? throw new ArgumentException("--recovery-db is required.");
        var db = await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await StartAsync(options, null, db, ownsDb: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts a server over <paramref name="source"/> and <paramref name="db"/> (borrowed: the caller disposes them after the server).</summary>
    public static Task<IngestServer> StartAsync(IngestServerOptions options, IBlockSource source, IRecoveryDb db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(db);
        return StartAsync(options, source, db, ownsDb: false, cancellationToken);
    }

    /// <summary>Completes when the server stops.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _server.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the block loop, then the server; the enclave's keys are wiped (the sealed ingress key is in the state file).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _controller.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        _enclave.Dispose();
        _sealing.Dispose();
        _attestation.Dispose();
        if (_ownedSource is not null)
        {
            await _ownedSource.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownedDb is not null)
        {
            await _ownedDb.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<IngestServer> StartAsync(IngestServerOptions options, IBlockSource? source, IRecoveryDb db, bool ownsDb, CancellationToken cancellationToken)
    {
        options.Validate();
        var responderId = options.EffectiveResponderId;
        var peers = options.Peers.Select(IngestPeerUri.Parse).ToList();
        if (peers.Count > 0 && peers.All(p => p.ResponderId != responderId))
        {
            throw new ArgumentException($"--peers must include this server's own responder id '{responderId}'.");
        }

        var attestation = SimulatedAttestation.Load(options.SimulationRootPath);
        MachineSealingSecret? sealing = null;
        IIngestEnclave? enclave = null;
        IBlockSource? ownedSource = null;
        try
        {
            sealing = MachineSealingSecret.LoadOrCreate(options.SealingSecretPath);
            var identity = SimulatedAttestation.IdentityOf("ingest", typeof(IIngestEnclave).Assembly, EnclaveProductId.Ingest);
            enclave = IngestEnclaveFactory.Create(
                attestation.ProviderFor(identity),
                responderId,
                new IngestEnclaveOptions
                {
                    UserCapacity = options.UserCapacity,
                    SealingSecret = sealing,
                    TrustedSimulationRoots = [attestation.RootPublicKey.ToArray()],
                    Parallelism = options.EnclaveParallelism,
                });
            var (initial, stateNote) = RestoreState(options, enclave, peers);

            var ports = new PortHolder();
            IngestController? controller = null;
            var server = await FogServer.StartAsync(
                new FogServerOptions { Name = "Fog ingest server", Listen = options.Listen, Admin = options.PeerListen, Metrics = options.Metrics, LogLevel = options.LogLevel, JsonLogs = options.JsonLogs },
                services => services.AddSingleton(enclave).AddSingleton(provider =>
                {
                    var loggers = provider.GetRequiredService<ILoggerFactory>();
                    source ??= ownedSource = options.LedgerPath is { } path
                        ? new LocalBlockSource(path, options.PollInterval)
                        : new RemoteBlockSource(options.NodeUri!, options.LedgerCopyPath, loggers.CreateLogger("Fog.Ingest.BlockSource"));
                    return controller = new IngestController(options, enclave, db, source, initial, loggers.CreateLogger("Fog.Ingest"));
                }),
                app =>
                {
                    // The admin API answers on the client port only; the peer API and handshake on the peer port only.
                    app.Use(async (context, next) =>
                    {
                        if (context.GetEndpoint()?.Metadata.GetMetadata<ClientPortOnly>() is not null && context.Connection.LocalPort != ports.Client)
                        {
                            context.Response.StatusCode = StatusCodes.Status404NotFound;
                            return;
                        }

                        await next(context).ConfigureAwait(false);
                    });
                    app.MapGrpcService<IngestAdminService>().WithMetadata(new ClientPortOnly());
                    app.MapGrpcService<IngestPeerService>().WithMetadata(new AdminPortOnlyAttribute());
                    app.MapGrpcService<IngestPeerAttestedApi>().WithMetadata(new AdminPortOnlyAttribute());
                },
                cancellationToken).ConfigureAwait(false);
            ports.Client = server.ClientUri.Port;
            try
            {
                var logger = server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fog.Ingest");
                LogSimulation(logger, attestation.WarningFor(identity));
                if (stateNote is not null)
                {
                    LogStateFile(logger, stateNote);
                }

                _ = server.Services.GetRequiredService<IngestController>();
                controller!.Start();
                server.SetHealth("", serving: true);
                server.SetHealth(AccountIngestAPI.Descriptor.FullName, serving: true);
                server.SetHealth(AccountIngestPeerAPI.Descriptor.FullName, serving: true);
                return new IngestServer(server, controller, enclave, sealing, attestation, ownedSource, ownsDb ? db : null, responderId);
            }
            catch
            {
                if (controller is not null)
                {
                    await controller.DisposeAsync().ConfigureAwait(false);
                }

                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            enclave?.Dispose();
            sealing?.Dispose();
            attestation.Dispose();
            if (ownedSource is not null)
            {
                await ownedSource.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Reads the state file: the sealed ingress key goes back into the enclave; mode, window, next block and peers are restored.</summary>
    private static (IngestInitialState State, string? Note) RestoreState(IngestServerOptions options, IIngestEnclave enclave, List<IngestPeerUri> peers)
    {
        var outcome = IngestStateFileStore.TryRead(options.StateFilePath, out var state);
        if (outcome != IngestStateFileStore.ReadOutcome.Read)
        {
            var note = outcome == IngestStateFileStore.ReadOutcome.MovedAside
                ? $"The state file '{Path.GetFullPath(options.StateFilePath)}' did not parse; it was moved to '.bak' and the server starts with a new ingress key."
                : null;
            return (new IngestInitialState(IngestControllerMode.Idle, 0, options.PubkeyExpiryWindow, Sorted(peers)), note);
        }

        if (!state!.SealedIngressKey.IsEmpty && !enclave.TryLoadSealedIngressKey(state.SealedIngressKey.Span, out var error))
        {
            var backup = IngestStateFileStore.MoveAside(options.StateFilePath);
            throw new InvalidOperationException(
                $"The sealed ingress key in '{Path.GetFullPath(options.StateFilePath)}' cannot be unsealed ({error}: another enclave build, or another machine's sealing secret). " +
                $"The file was moved to '{backup}'; restart to run with a new ingress key, or restore the right sealing secret.");
        }

        var summary = state.Summary;
        if (peers.Count == 0)
        {
            peers = summary.Peers.Select(p => IngestPeerUri.TryParse(p, out var uri, out _) ? uri : null).OfType<IngestPeerUri>().ToList();
        }

        var window = summary.PubkeyExpiryWindow == 0 ? options.PubkeyExpiryWindow : summary.PubkeyExpiryWindow;
        return (new IngestInitialState(summary.Mode, summary.NextBlockIndex, window, Sorted(peers)), null);
    }

    private static List<IngestPeerUri> Sorted(IEnumerable<IngestPeerUri> peers) =>
        peers.GroupBy(p => p.ResponderId).Select(g => g.First()).OrderBy(p => p.ResponderId, StringComparer.Ordinal).ToList();

    [LoggerMessage(EventId = 450, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogSimulation(ILogger logger, string warning);

    [LoggerMessage(EventId = 451, Level = LogLevel.Warning, Message = "{Note}")]
    private static partial void LogStateFile(ILogger logger, string note);

    private sealed class PortHolder
    {
        public int Client { get; set; } = -1;
    }

    /// <summary>Marks an endpoint as reachable on the client port only.</summary>
    private sealed class ClientPortOnly;
}
