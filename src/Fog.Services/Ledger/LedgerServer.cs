using Fog.Attestation.Evidence;
using Fog.Enclaves;
using Fog.Enclaves.KeyImage;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Fog.Services.Ledger;

/// <summary>
/// A running fog ledger server (the composition root): the ledger enclave in simulation mode with its key-image map, the
/// loader that follows the block source, and on the client port the attested key-image check (unary and streaming), the
/// attested outputs-with-proofs API, and the untrusted block and TxOut lookups. Key-image checks are refused as not
/// ready (and health reports NOT_SERVING) until the blocks present at start are loaded.
/// </summary>
/// <example>
/// <code>
/// await using var ledger = await LedgerServer.StartAsync(
///     new LedgerServerOptions { SimulationRootPath = "sim-root.key" }, new LocalBlockSource("fog-node-ledger"));
/// await ledger.WaitForShutdownAsync();
/// </code>
/// </example>
public sealed partial class LedgerServer : IAsyncDisposable
{
    /// <summary>The gRPC health service name of the key-image API.</summary>
    public const string HealthServiceName = "fog_ledger.FogKeyImageAPI";

    private readonly FogServer _server;
    private readonly SimulatedAttestation _attestation;
    private readonly IKeyImageEnclave _enclave;
    private readonly IBlockSource _source;
    private readonly KeyImageLoader _loader;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loading;
    private int _disposed;

    private LedgerServer(FogServer server, SimulatedAttestation attestation, IKeyImageEnclave enclave, IBlockSource source, KeyImageLoader loader)
    {
        _server = server;
        _attestation = attestation;
        _enclave = enclave;
        _source = source;
        _loader = loader;
        _loading = Task.Run(() => _loader.RunAsync(_stop.Token));
        _ = _loader.CaughtUp.ContinueWith(
            _ =>
            {
                if (Volatile.Read(ref _disposed) == 0)
                {
                    SetHealth(serving: true);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The client URI.</summary>
    public Uri ClientUri => _server.ClientUri;

    /// <summary>The admin URI, or null.</summary>
    public Uri? AdminUri => _server.AdminUri;

    /// <summary>The metrics base URI (scrape <c>/metrics</c>), or null.</summary>
    public Uri? MetricsUri => _server.MetricsUri;

    /// <summary>The responder id clients attest the enclave with.</summary>
    public string ResponderId => _enclave.ResponderId;

    /// <summary>The (simulated) ledger enclave's identity: what a client's policy must accept.</summary>
    public EnclaveIdentity EnclaveIdentity => _enclave.Identity;

    /// <summary>The simulation root clients must trust to attest this server.</summary>
    public byte[] SimulationRootPublicKey => _attestation.RootPublicKey.ToArray();

    /// <summary>Whether the blocks present at start are loaded (key-image checks are answered).</summary>
    public bool IsReady => _loader.IsCaughtUp;

    /// <summary>Completes when the blocks present at start are loaded.</summary>
    public Task CaughtUp => _loader.CaughtUp;

    /// <summary>How far the key images are loaded.</summary>
    public KeyImageProgress Progress => _loader.Progress;

    /// <summary>
    /// Starts a ledger server over <paramref name="source"/>, which it owns from then on (disposed with the server, or
    /// at once if starting fails).
    /// </summary>
    public static async Task<LedgerServer> StartAsync(LedgerServerOptions options, IBlockSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        SimulatedAttestation? attestation = null;
        IKeyImageEnclave? enclave = null;
        try
        {
            options.Validate();
            var responderId = options.ResponderId ?? $"{options.Listen.Host}:{options.Listen.Port}";
            attestation = SimulatedAttestation.Load(options.SimulationRootPath);
            var identity = SimulatedAttestation.IdentityOf(KeyImageEnclaveFactory.EnclaveName, typeof(EnclaveAssembly).Assembly, EnclaveProductId.Ledger);
            enclave = KeyImageEnclaveFactory.Create(attestation.ProviderFor(identity), responderId, options.ToEnclaveOptions());
            var ledgerEnclave = enclave;
            var server = await FogServer.StartAsync(
                new FogServerOptions { Name = "Fog ledger", Listen = options.Listen, Admin = options.Admin, Metrics = options.Metrics, LogLevel = options.LogLevel, JsonLogs = options.JsonLogs },
                services => services.TryAddSingleton(provider =>
                {
                    var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Fog.Ledger");
                    return new LedgerRuntime(ledgerEnclave, source, new KeyImageLoader(source, ledgerEnclave, logger), options);
                }),
                app =>
                {
                    app.MapGrpcService<FogKeyImageApiService>();
                    app.MapGrpcService<LedgerApiService>();
                    app.MapGrpcService<FogMerkleProofApiService>();
                    app.MapGrpcService<FogBlockApiService>();
                    app.MapGrpcService<FogUntrustedTxOutApiService>();
                },
                cancellationToken).ConfigureAwait(false);

            var runtime = server.Services.GetRequiredService<LedgerRuntime>();
            LogStarting(server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fog.Ledger"), attestation.WarningFor(identity), responderId, enclave.Capacity);
            var ledger = new LedgerServer(server, attestation, enclave, source, runtime.Loader);
            foreach (var service in new[] { "fog_ledger.FogMerkleProofAPI", "fog_ledger.FogBlockAPI", "fog_ledger.FogUntrustedTxOutApi" })
            {
                server.SetHealth(service, serving: true);
            }

            if (!ledger.IsReady)
            {
                ledger.SetHealth(serving: false);
            }

            return ledger;
        }
        catch
        {
            enclave?.Dispose();
            attestation?.Dispose();
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Completes when the server stops (Ctrl-C or SIGTERM in a console host).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _server.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops loading and serving, then disposes the block source.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loading.ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        await _source.DisposeAsync().ConfigureAwait(false);
        _enclave.Dispose();
        _attestation.Dispose();
        _stop.Dispose();
    }

    private void SetHealth(bool serving)
    {
        _server.SetHealth("", serving);
        _server.SetHealth(HealthServiceName, serving);
        _server.SetHealth("fog_ledger.LedgerAPI", serving);
    }

    [LoggerMessage(EventId = 7200, Level = LogLevel.Warning, Message = "{SimulationWarning} Fog ledger starting: responder id {ResponderId}, key-image map capacity {Capacity}; key-image checks NOT_SERVING until the chain is loaded")]
    private static partial void LogStarting(ILogger logger, string simulationWarning, string responderId, ulong capacity);
}
