using Fog.Attestation.Evidence;
using Fog.Enclaves.View;
using Fog.Services.Hosting;
using Fog.Storage.Recovery;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Fog.Services.View;

/// <summary>
/// A running fog view server (the composition root): the view enclave in simulation mode, the loader that fills it from
/// the recovery DB, and <c>fog_view.FogViewAPI</c> on the client port. gRPC health reports NOT_SERVING, and queries are
/// refused as not ready, until the first full load finished; from then on the highest processed block count says how
/// far the loaded records reach.
/// </summary>
/// <example>
/// <code>
/// await using var db = await new RecoveryDbBuilder().UseSqlite("recovery.db").BuildAsync();
/// await using var view = await ViewServer.StartAsync(new ViewServerOptions { SimulationRootPath = "sim-root.key" }, db);
/// await view.CaughtUp;                       // optional: wait for the first full load
/// await view.WaitForShutdownAsync();
/// </code>
/// </example>
public sealed partial class ViewServer : EnclaveServer
{
    /// <summary>The gRPC health service name of the client API.</summary>
    public const string HealthServiceName = "fog_view.FogViewAPI";

    private readonly ViewRuntime _runtime;

    private ViewServer(EnclaveServerHost host, ViewRuntime runtime)
        : base(host, runtime.Loader, HealthServiceName)
    {
        _runtime = runtime;
    }

    /// <summary>The block counts the server reports now.</summary>
    public ViewProgress Progress => _runtime.Loader.Progress;

    /// <summary>Records in the enclave's oblivious map.</summary>
    public ulong RecordCount => _runtime.Enclave.RecordCount;

    /// <summary>Starts a view server reading <paramref name="recoveryDb"/> (which the caller keeps and disposes after the server).</summary>
    public static async Task<ViewServer> StartAsync(ViewServerOptions options, IRecoveryDb recoveryDb, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(recoveryDb);
        var setup = new EnclaveServerSetup<IViewEnclave>(
            "Fog view",
            ViewEnclaveFactory.EnclaveName,
            EnclaveProductId.View,
            (provider, responderId) => ViewEnclaveFactory.Create(provider, responderId, options.ToEnclaveOptions()),
            (services, enclave) => services.TryAddSingleton(provider =>
            {
                var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Fog.View");
                return new ViewRuntime(enclave, recoveryDb, new ViewLoader(recoveryDb, enclave, options, logger), logger);
            }),
            app => app.MapGrpcService<FogViewApiService>());
        return await EnclaveServerHost.StartAsync(
            options,
            setup,
            ownedInput: null,
            host =>
            {
                var runtime = host.Server.Services.GetRequiredService<ViewRuntime>();
                LogStarting(runtime.Logger, host.SimulationWarning, runtime.Enclave.ResponderId, runtime.Enclave.Capacity, options.MaxSearchKeysPerQuery);
                return new ViewServer(host, runtime);
            },
            cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Warning, Message = "{SimulationWarning} Fog view starting: responder id {ResponderId}, map capacity {Capacity}, at most {MaxSearchKeys} search keys per query; NOT_SERVING until the recovery DB is loaded")]
    private static partial void LogStarting(ILogger logger, string simulationWarning, string responderId, ulong capacity, int maxSearchKeys);
}
