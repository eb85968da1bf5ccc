using Fog.Api.Attest;
using Fog.Api.Report;
using Fog.Attestation.Reports;
using Fog.Services.Hosting;
using Fog.Services.Ingest;
using Fog.Storage.Recovery;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Fog.Services.Report;

/// <summary>Settings of the fog report server. Defaults here; <see cref="Validate"/> checks them.</summary>
public sealed record ReportServerOptions
{
    /// <summary>The client port serving <c>report.ReportAPI</c> (default 127.0.0.1:6200).</summary>
    public FogEndpoint Listen { get; init; } = new("127.0.0.1", 6200);

    /// <summary>Prometheus metrics at /metrics, HTTP/1.1 (default 127.0.0.1:6401); null for none.</summary>
    public FogEndpoint? Metrics { get; init; } = new("127.0.0.1", 6401);

    /// <summary>The recovery database the ingest servers publish reports to (required unless one is passed to <see cref="ReportServer.StartAsync(ReportServerOptions, IRecoveryDb, CancellationToken)"/>).</summary>
    public RecoveryDbConnection? RecoveryDb { get; init; }

    /// <summary>PEM file with the signing chain, leaf (Ed25519) first, root last (required).</summary>
    public string SigningChainPath { get; init; } = "";

    /// <summary>PEM file with the leaf's Ed25519 private key, PKCS#8 (required).</summary>
    public string SigningKeyPath { get; init; } = "";

    /// <summary>
    /// How long a signed response is reused before the reports are read again (default 1 s): repeated calls get the
    /// same bytes and cost no database read. Ingest publishes before every block, so this bounds staleness.
    /// </summary>
    public TimeSpan CacheDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Minimum log level.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Write logs as JSON lines (for log collectors) instead of plain text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Checks the settings; the message names the bad one.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SigningChainPath) || string.IsNullOrWhiteSpace(SigningKeyPath))
        {
            throw new ArgumentException("--signing-chain and --signing-key are required (`fog report dev-chain` creates a development chain).");
        }

        if (CacheDuration < TimeSpan.Zero || CacheDuration > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("--cache-seconds must be between 0 and 600.");
        }
    }
}

/// <summary>
/// The fog report server (ledger-and-report.md §4): serves the ingest reports stored in the recovery database, signed
/// by the operator's leaf key with the X.509 chain leaf first, so senders can check the ingress key belongs to the
/// authority named in the recipient's address. No authentication; responses are deterministic and cached briefly.
/// </summary>
public sealed class ReportServer : IAsyncDisposable
{
    private readonly FogServer _server;
    private readonly ReportSigningMaterial _signing;
    private readonly IRecoveryDb? _ownedDb;

    private ReportServer(FogServer server, ReportSigningMaterial signing, IRecoveryDb? ownedDb)
    {
        _server = server;
        _signing = signing;
        _ownedDb = ownedDb;
    }

    /// <summary>The client URI.</summary>
    public Uri ClientUri => _server.ClientUri;

    /// <summary>The metrics base URI, or null.</summary>
    public Uri? MetricsUri => _server.MetricsUri;

    /// <summary>The URI to put in fog addresses (<c>insecure-fog://host:port/</c>).</summary>
    public string FogReportUrl => $"insecure-fog://{ClientUri.Host}:{ClientUri.Port}/";

    /// <summary>The fog authority SPKI users' account keys must hold.</summary>
    public byte[] AuthoritySpki => _signing.RootSubjectPublicKeyInfo;

    /// <summary>Starts a server over the recovery database named in the options (which it then owns).</summary>
    public static async Task<ReportServer> StartAsync(ReportServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = options.RecoveryDb ?? throw new ArgumentException("--recovery-db is required.");
        var db = await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await StartAsync(options, db, owned: true, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await db.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Starts a server over <paramref name="db"/> (borrowed; the caller disposes it after the server).</summary>
    public static Task<ReportServer> StartAsync(ReportServerOptions options, IRecoveryDb db, CancellationToken cancellationToken = default) =>
        StartAsync(options, db, owned: false, cancellationToken);

    /// <summary>Completes when the server stops.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _server.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        _signing.Dispose();
        if (_ownedDb is not null)
        {
            await _ownedDb.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<ReportServer> StartAsync(ReportServerOptions options, IRecoveryDb db, bool owned, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(db);
        options.Validate();
        var signing = ReportSigningMaterial.Load(options.SigningChainPath, options.SigningKeyPath, DateTimeOffset.UtcNow);
        try
        {
            var server = await FogServer.StartAsync(
                new FogServerOptions { Name = "Fog report server", Listen = options.Listen, Metrics = options.Metrics, LogLevel = options.LogLevel, JsonLogs = options.JsonLogs },
                services =>
                {
                    services.AddSingleton(signing);
                    services.AddSingleton(db);
                    services.AddSingleton(new ReportCache(options.CacheDuration));
                },
                app => app.MapGrpcService<ReportApiService>(),
                cancellationToken).ConfigureAwait(false);
            var logger = server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fog.Report");
            ReportLog.SigningChain(logger, signing.RootSubject, Convert.ToHexStringLower(signing.RootSubjectPublicKeyInfo), signing.NotAfter);
            server.SetHealth("", serving: true);
            server.SetHealth(ReportAPI.Descriptor.FullName, serving: true);
            return new ReportServer(server, signing, owned ? db : null);
        }
        catch
        {
            signing.Dispose();
            throw;
        }
    }
}

/// <summary>The last signed response and when it was made.</summary>
internal sealed class ReportCache(TimeSpan duration)
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private (ReportResponse Response, long Timestamp)? _current;

    internal async Task<ReportResponse> GetAsync(Func<Task<ReportResponse>> build, CancellationToken cancellationToken)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Fresh() is { } again)
            {
                return again;
            }

            var response = await build().ConfigureAwait(false);
            _current = (response, Environment.TickCount64);
            return response;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private ReportResponse? Fresh() =>
        _current is { } current && Environment.TickCount64 - current.Timestamp < duration.TotalMilliseconds ? current.Response : null;
}

/// <summary><c>report.ReportAPI</c>: every stored report, signed.</summary>
internal sealed partial class ReportApiService(IRecoveryDb db, ReportSigningMaterial signing, ReportCache cache, ILogger<ReportApiService> logger) : ReportAPI.ReportAPIBase
{
    private static readonly Counter Requests = Metrics.CreateCounter("fog_report_requests_total", "GetReports calls answered.");
    private static readonly Gauge ReportCount = Metrics.CreateGauge("fog_report_reports", "Reports in the last signed response.");

    public override async Task<ReportResponse> GetReports(ReportRequest request, ServerCallContext context)
    {
        var response = await cache.GetAsync(BuildAsync, context.CancellationToken).ConfigureAwait(false);
        Requests.Inc();
        return response;
    }

    private async Task<ReportResponse> BuildAsync()
    {
        IReadOnlyList<ReportEntry> entries;
        try
        {
            entries = await db.GetAllReportsAsync().ConfigureAwait(false);
        }
        catch (RecoveryDbException e)
        {
            ReportLog.DatabaseFailed(logger, e.Error.ToString(), e.Message);
            throw new RpcException(new Status(
                e.IsTransient ? StatusCode.Unavailable : StatusCode.Internal,
                e.IsTransient ? "The recovery database is unavailable; retry shortly." : "The recovery database failed to return the reports."));
        }

        var response = new ReportResponse();
        foreach (var entry in entries)
        {
            var report = new Api.Report.Report { FogReportId = entry.FogReportId, PubkeyExpiry = entry.Data.PubkeyExpiry };
            if (TryParseEvidence(entry.Data.Report.Span, out var evidence))
            {
                report.FogSimulatedEvidence = evidence;
            }
            else
            {
                ReportLog.UnreadableEvidence(logger, entry.FogReportId);
            }

            response.Reports.Add(report);
        }

        response.Chain.AddRange(signing.Chain.Select(ByteString.CopyFrom));
        response.Signature = ByteString.CopyFrom(signing.Sign(ReportDigest.Compute(response.Reports)));
        ReportCount.Set(response.Reports.Count);
        return response;
    }

    private static bool TryParseEvidence(ReadOnlySpan<byte> bytes, out FogSimulatedEvidence evidence)
    {
        evidence = null!;
        try
        {
            var envelope = FogEvidenceEnvelope.Parser.ParseFrom(bytes);
            if (envelope.FogSimulatedEvidence is { } simulated)
            {
                evidence = simulated;
                return true;
            }
        }
        catch (InvalidProtocolBufferException)
        {
        }

        return false;
    }
}

/// <summary>Log messages of the report server.</summary>
internal static partial class ReportLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information, Message = "Signing reports with a chain rooted at '{Root}' (authority SPKI {Spki}); the chain expires {NotAfter:O}")]
    internal static partial void SigningChain(ILogger logger, string root, string spki, DateTime notAfter);

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "The recovery database failed ({Error}): {Reason}")]
    internal static partial void DatabaseFailed(ILogger logger, string error, string reason);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Report '{ReportId}' holds evidence this server cannot read; it is served without evidence")]
    internal static partial void UnreadableEvidence(ILogger logger, string reportId);
}
