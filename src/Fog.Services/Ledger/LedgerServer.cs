using Fog.Attestation.Evidence;
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
public sealed partial class LedgerServer : EnclaveServer
{
    /// <summary>The gRPC health service name of the key-image API.</summary>
    public const string HealthServiceName = "fog_ledger.FogKeyImageAPI";

    // Answered from the ledger itself, so serving from the start; the key-image APIs wait for the loader.
    private static readonly string[] AlwaysServingServices = ["fog_ledger.FogMerkleProofAPI", "fog_ledger.FogBlockAPI", "fog_ledger.FogUntrustedTxOutApi"];

    private readonly LedgerRuntime _runtime;

    private LedgerServer(EnclaveServerHost host, LedgerRuntime runtime)
        : base(host, runtime.Loader, HealthServiceName, "fog_ledger.LedgerAPI")
    {
        _runtime = runtime;
        foreach (var service in AlwaysServingServices)
        {
            Server.SetHealth(service, serving: true);
        }
    }

    /// <summary>How far the key images are loaded.</summary>
    public KeyImageProgress Progress => _runtime.Loader.Progress;

    /// <summary>
    /// Starts a ledger server over <paramref name="source"/>, which it owns from then on (disposed with the server, or
    /// at once if starting fails).
    /// </summary>
    public static async Task<LedgerServer> StartAsync(LedgerServerOptions options, IBlockSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        var setup = new EnclaveServerSetup<IKeyImageEnclave>(
            "Fog ledger",
            KeyImageEnclaveFactory.EnclaveName,
            EnclaveProductId.Ledger,
            (provider, responderId) => KeyImageEnclaveFactory.Create(provider, responderId, options.ToEnclaveOptions()),
            (services, enclave) => services.TryAddSingleton(provider =>
            {
                var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Fog.Ledger");
                return new LedgerRuntime(enclave, source, new KeyImageLoader(source, enclave, logger), options);
            }),
            app =>
            {
                app.MapGrpcService<FogKeyImageApiService>();
                app.MapGrpcService<LedgerApiService>();
                app.MapGrpcService<FogMerkleProofApiService>();
                app.MapGrpcService<FogBlockApiService>();
                app.MapGrpcService<FogUntrustedTxOutApiService>();
            });
        return await EnclaveServerHost.StartAsync(
            options,
            setup,
            ownedInput: source,
            host =>
            {
                var runtime = host.Server.Services.GetRequiredService<LedgerRuntime>();
                var logger = host.Server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fog.Ledger");
                LogStarting(logger, host.SimulationWarning, runtime.Enclave.ResponderId, runtime.Enclave.Capacity);
                return new LedgerServer(host, runtime);
            },
            cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 7200, Level = LogLevel.Warning, Message = "{SimulationWarning} Fog ledger starting: responder id {ResponderId}, key-image map capacity {Capacity}; key-image checks NOT_SERVING until the chain is loaded")]
    private static partial void LogStarting(ILogger logger, string simulationWarning, string responderId, ulong capacity);
}
