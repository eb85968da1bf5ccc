using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Fog.Services.Hosting;

/// <summary>Where and how a Fog server listens.</summary>
public sealed record FogServerOptions
{
    /// <summary>The service name, for logs.</summary>
    public required string Name { get; init; }

    /// <summary>The client-facing gRPC endpoint (HTTP/2).</summary>
    public required FogEndpoint Listen { get; init; }

    /// <summary>The admin gRPC endpoint (HTTP/2); null for none.</summary>
    public FogEndpoint? Admin { get; init; }

    /// <summary>
    /// The Prometheus endpoint: /metrics over HTTP/1.1 (cleartext HTTP/2 and HTTP/1.1 cannot share a port, and
    /// scrapers speak HTTP/1.1); null for none.
    /// </summary>
    public FogEndpoint? Metrics { get; init; }

    /// <summary>The minimum log level.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Write logs as JSON lines instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Largest request message the server accepts (default 16 MiB).</summary>
    public int MaxReceiveMessageSize { get; init; } = 16 * 1024 * 1024;
}

/// <summary>Marks an endpoint as reachable on the admin port only.</summary>
public sealed class AdminPortOnlyAttribute : Attribute;

/// <summary>
/// A running Fog gRPC server on Kestrel: the client port (HTTP/2 without TLS), an optional admin port (admin gRPC and
/// Prometheus metrics), gRPC health (services start NOT_SERVING until they say they are ready), structured logs.
/// The composition root is built in-process, so tests and the demo start servers without subprocesses.
/// </summary>
public sealed class FogServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FogServer(WebApplication app, Uri clientUri, Uri? adminUri, Uri? metricsUri)
    {
        _app = app;
        ClientUri = clientUri;
        AdminUri = adminUri;
        MetricsUri = metricsUri;
    }

    /// <summary>The URI clients connect to (with the real port when 0 was asked for).</summary>
    public Uri ClientUri { get; }

    /// <summary>The admin URI, or null.</summary>
    public Uri? AdminUri { get; }

    /// <summary>The metrics base URI (scrape <c>/metrics</c>), or null.</summary>
    public Uri? MetricsUri { get; }

    /// <summary>The server's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Sets a service's gRPC health status (clients and orchestrators check it before sending work).</summary>
    public void SetHealth(string service, bool serving) =>
        Services.GetRequiredService<HealthServiceImpl>().SetStatus(service, serving
            ? Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving
            : Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing);

    /// <summary>
    /// Builds and starts a server: <paramref name="configureServices"/> registers the service's parts,
    /// <paramref name="map"/> maps its gRPC services (mark admin-only ones with <see cref="AdminPortOnlyAttribute"/>).
    /// </summary>
    public static async Task<FogServer> StartAsync(
        FogServerOptions options,
        Action<IServiceCollection> configureServices,
        Action<WebApplication> map,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configureServices);
        ArgumentNullException.ThrowIfNull(map);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc.AspNetCore", LogLevel.Warning);

        // A failed start (e.g. a port in use) is thrown to the caller, which reports it once; the host's own log
        // of it would repeat it with a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole();
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Listen.BindAddress, options.Listen.Port, listen => listen.Protocols = HttpProtocols.Http2);
            if (options.Admin is { } admin)
            {
                kestrel.Listen(admin.BindAddress, admin.Port, listen => listen.Protocols = HttpProtocols.Http2);
            }

            if (options.Metrics is { } metrics)
            {
                kestrel.Listen(metrics.BindAddress, metrics.Port, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageSize;
            grpc.EnableDetailedErrors = false;
        });
        builder.Services.AddSingleton<HealthServiceImpl>();
        builder.Services.AddSingleton(new AdminPort());
        configureServices(builder.Services);

        var app = builder.Build();
        var adminPort = app.Services.GetRequiredService<AdminPort>();
        app.UseRouting();
        app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            var port = context.Connection.LocalPort;
            if ((endpoint?.Metadata.GetMetadata<AdminPortOnlyAttribute>() is not null && port != adminPort.Port) ||
                (endpoint?.Metadata.GetMetadata<MetricsPortOnly>() is not null && port != adminPort.MetricsPort))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
        app.MapGrpcService<HealthServiceImpl>();
        if (options.Metrics is not null)
        {
            app.MapMetrics("/metrics").WithMetadata(new MetricsPortOnly());
        }

        map(app);
        await app.StartAsync(cancellationToken);

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        // Kestrel reports addresses in the order the endpoints were configured.
        var next = 0;
        var clientUri = Resolve(addresses[next++], options.Listen);
        Uri? adminUri = null;
        Uri? metricsUri = null;
        if (options.Admin is { } adminEndpoint)
        {
            adminUri = Resolve(addresses[next++], adminEndpoint);
            adminPort.Port = adminUri.Port;
        }

        if (options.Metrics is { } metricsEndpoint)
        {
            metricsUri = Resolve(addresses[next], metricsEndpoint);
            adminPort.MetricsPort = metricsUri.Port;
        }

        app.Logger.LogInformation(
            "{Service} listening on {ClientUri}{Admin}{Metrics}",
            options.Name,
            clientUri,
            adminUri is null ? "" : $", admin on {adminUri}",
            metricsUri is null ? "" : $", metrics on {metricsUri}metrics");
        return new FogServer(app, clientUri, adminUri, metricsUri);
    }

    /// <summary>Completes when the server stops (Ctrl-C or SIGTERM in a console host).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops gracefully: in-flight calls finish, then the server shuts down.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // Kestrel reports the bound address (e.g. http://127.0.0.1:41234); clients should use the configured host name.
    private static Uri Resolve(Uri bound, FogEndpoint endpoint)
    {
        var host = endpoint.Host is "*" or "0.0.0.0" ? "127.0.0.1" : endpoint.Host;
        return new UriBuilder(bound) { Host = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host }.Uri;
    }

    private sealed class AdminPort
    {
        public int Port { get; set; } = -1;

        public int MetricsPort { get; set; } = -1;
    }

    private sealed class MetricsPortOnly;
}
