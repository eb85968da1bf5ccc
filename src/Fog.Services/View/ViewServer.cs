using Fog.Attestation.Evidence;
using Fog.Enclaves;
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
public sealed partial class ViewServer : IAsyncDisposable
{
    /// <summary>The gRPC health service name of the client API.</summary>
    public const string HealthServiceName = "fog_view.FogViewAPI";

    private readonly FogServer _server;
    private readonly SimulatedAttestation _attestation;
    private readonly IViewEnclave _enclave;
    private readonly ViewLoader _loader;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loading;
    private int _disposed;

    private ViewServer(FogServer server, SimulatedAttestation attestation, IViewEnclave enclave, ViewLoader loader)
    {
        _server = server;
        _attestation = attestation;
        _enclave = enclave;
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

    /// <summary>The (simulated) view enclave's identity: what a client's policy must accept.</summary>
    public EnclaveIdentity EnclaveIdentity => _enclave.Identity;

    /// <summary>The simulation root clients must trust to attest this server.</summary>
    public byte[] SimulationRootPublicKey => _attestation.RootPublicKey.ToArray();

    /// <summary>Whether the first full load finished (queries are answered).</summary>
    public bool IsReady => _loader.IsCaughtUp;

    /// <summary>Completes when the first full load finished.</summary>
    public Task CaughtUp => _loader.CaughtUp;

    /// <summary>The block counts the server reports now.</summary>
    public ViewProgress Progress => _loader.Progress;

    /// <summary>Records in the enclave's oblivious map.</summary>
    public ulong RecordCount => _enclave.RecordCount;

    /// <summary>Starts a view server reading <paramref name="recoveryDb"/> (which the caller keeps and disposes after the server).</summary>
    public static async Task<ViewServer> StartAsync(ViewServerOptions options, IRecoveryDb recoveryDb, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(recoveryDb);
        options.Validate();
        var responderId = options.ResponderId ?? $"{options.Listen.Host}:{options.Listen.Port}";
        var attestation = SimulatedAttestation.Load(options.SimulationRootPath);
        IViewEnclave? enclave = null;
        try
        {
            var identity = SimulatedAttestation.IdentityOf(ViewEnclaveFactory.EnclaveName, typeof(EnclaveAssembly).Assembly, EnclaveProductId.View);
            enclave = ViewEnclaveFactory.Create(attestation.ProviderFor(identity), responderId, options.ToEnclaveOptions());
            var viewEnclave = enclave;
            var server = await FogServer.StartAsync(
                new FogServerOptions { Name = "Fog view", Listen = options.Listen, Admin = options.Admin, Metrics = options.Metrics, LogLevel = options.LogLevel, JsonLogs = options.JsonLogs },
                services => services.TryAddSingleton(provider =>
                {
                    var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Fog.View");
                    return new ViewRuntime(viewEnclave, recoveryDb, new ViewLoader(recoveryDb, viewEnclave, options, logger), logger);
                }),
                app => app.MapGrpcService<FogViewApiService>(),
                cancellationToken).ConfigureAwait(false);

            var runtime = server.Services.GetRequiredService<ViewRuntime>();
            LogStarting(runtime.Logger, attestation.WarningFor(identity), responderId, enclave.Capacity, options.MaxSearchKeysPerQuery);
            var view = new ViewServer(server, attestation, enclave, runtime.Loader);
            if (!view.IsReady)
            {
                view.SetHealth(serving: false);
            }

            return view;
        }
        catch
        {
            enclave?.Dispose();
            attestation.Dispose();
            throw;
        }
    }

    /// <summary>Completes when the server stops (Ctrl-C or SIGTERM in a console host).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _server.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops loading and serving; in-flight calls finish first.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loading.ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        _enclave.Dispose();
        _attestation.Dispose();
        _stop.Dispose();
    }

    private void SetHealth(bool serving)
    {
        _server.SetHealth("", serving);
        _server.SetHealth(HealthServiceName, serving);
    }

    [LoggerMessage(EventId = 5200, Level = LogLevel.Warning, Message = "{SimulationWarning} Fog view starting: responder id {ResponderId}, map capacity {Capacity}, at most {MaxSearchKeys} search keys per query; NOT_SERVING until the recovery DB is loaded")]
    private static partial void LogStarting(ILogger logger, string simulationWarning, string responderId, ulong capacity, int maxSearchKeys);
}
