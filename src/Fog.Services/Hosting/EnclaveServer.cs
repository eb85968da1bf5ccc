using Fog.Attestation.Evidence;

namespace Fog.Services.Hosting;

/// <summary>
/// What a running fog view or fog ledger server shares: the gRPC host in front of a (simulated) enclave, and the loader
/// that fills the enclave's oblivious map in the background. The server's readiness-gated health services report
/// NOT_SERVING until the loader's first catch-up and SERVING from then on; queries are refused as not ready until then.
/// </summary>
public abstract class EnclaveServer : IAsyncDisposable
{
    private readonly EnclaveServerHost _host;
    private readonly IEnclaveLoader _loader;
    private readonly string[] _readinessGatedServices;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loading;
    private int _disposed;

    /// <summary>Starts <paramref name="loader"/>; the server owns <paramref name="host"/> from here on.</summary>
    /// <param name="host">The started gRPC host and enclave.</param>
    /// <param name="loader">The loader to run until the server is disposed.</param>
    /// <param name="readinessGatedServices">Health service names that follow the loader's readiness (the overall "" status always does).</param>
    private protected EnclaveServer(EnclaveServerHost host, IEnclaveLoader loader, params string[] readinessGatedServices)
    {
        _host = host;
        _loader = loader;
        _readinessGatedServices = readinessGatedServices;

        // NOT_SERVING before the loader starts, so a quick first catch-up cannot be overwritten by it.
        SetHealth(serving: false);
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
    public Uri ClientUri => _host.Server.ClientUri;

    /// <summary>The admin URI, or null.</summary>
    public Uri? AdminUri => _host.Server.AdminUri;

    /// <summary>The metrics base URI (scrape <c>/metrics</c>), or null.</summary>
    public Uri? MetricsUri => _host.Server.MetricsUri;

    /// <summary>The responder id clients attest the enclave with.</summary>
    public string ResponderId => _host.Enclave.ResponderId;

    /// <summary>The (simulated) enclave's identity: what a client's policy must accept.</summary>
    public EnclaveIdentity EnclaveIdentity => _host.Enclave.Identity;

    /// <summary>The simulation root clients must trust to attest this server.</summary>
    public byte[] SimulationRootPublicKey => _host.SimulationRootPublicKey.ToArray();

    /// <summary>Whether the loader's first catch-up finished (queries are answered).</summary>
    public bool IsReady => _loader.IsCaughtUp;

    /// <summary>Completes when the loader's first catch-up finished.</summary>
    public Task CaughtUp => _loader.CaughtUp;

    /// <summary>The gRPC host, for services that are not gated on readiness.</summary>
    private protected FogServer Server => _host.Server;

    /// <summary>Completes when the server stops (Ctrl-C or SIGTERM in a console host).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _host.Server.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops loading and serving (in-flight calls finish first), then disposes what the server owns.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loading.ConfigureAwait(false);
        await _host.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    private void SetHealth(bool serving)
    {
        _host.Server.SetHealth("", serving);
        foreach (var service in _readinessGatedServices)
        {
            _host.Server.SetHealth(service, serving);
        }
    }
}
