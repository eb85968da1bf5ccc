using Fog.Attestation.Evidence;
using Fog.Attestation.Sealing;
using Fog.Enclaves.Ingest;
using Fog.Model.Keys;
using Fog.Services.Hosting;
using Fog.Services.Report;
using Fog.Storage.Recovery;

namespace Fog.Client.Tests.Reports;

/// <summary>
/// A real report server on loopback over a SQLite recovery DB, with reports published from real (simulated) ingest
/// enclaves and a development signing chain.
/// </summary>
internal sealed class ReportTestNetwork : IAsyncDisposable
{
    public static readonly EnclaveMeasurement IngestMeasurement = EnclaveMeasurement.Compute("ingest", "report test ingest build"u8);
    public static readonly EnclaveMeasurement OtherMeasurement = EnclaveMeasurement.Compute("ingest", "report test rogue build"u8);

    private readonly List<IIngestEnclave> _enclaves = [];

    private ReportTestNetwork(string directory, IRecoveryDb db, DevCertificateChain chain, ReportServer server)
    {
        Directory = directory;
        Db = db;
        Chain = chain;
        Server = server;
    }

    public string Directory { get; }

    public IRecoveryDb Db { get; }

    public DevCertificateChain Chain { get; }

    public ReportServer Server { get; }

    public SimulationRoot Root { get; } = SimulationRoot.Generate();

    public MachineSealingSecret SealingSecret { get; } = MachineSealingSecret.CreateEphemeral();

    public SimulatedQuotingKey QuotingKey => _quotingKey ??= Root.IssueQuotingKey();

    private SimulatedQuotingKey? _quotingKey;

    public AttestationPolicy IngestPolicy => new([IngestMeasurement], EnclaveProductId.Ingest, trustedSimulationRoots: [Root.PublicKey.ToArray()]);

    public static async Task<ReportTestNetwork> StartAsync(TimeSpan? cacheDuration = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("fog-report-test-").FullName;
        var db = await new RecoveryDbBuilder().UseSqlite(Path.Combine(directory, "recovery.db")).BuildAsync();
        var chain = DevCertificateChain.Create();
        var (chainPath, keyPath, _) = chain.WriteTo(Path.Combine(directory, "chain"));
        var server = await ReportServer.StartAsync(
            new ReportServerOptions
            {
                Listen = new FogEndpoint("127.0.0.1", 0),
                Metrics = new FogEndpoint("127.0.0.1", 0),
                SigningChainPath = chainPath,
                SigningKeyPath = keyPath,
                CacheDuration = cacheDuration ?? TimeSpan.Zero,
                LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
            },
            db);
        return new ReportTestNetwork(directory, db, chain, server);
    }

    /// <summary>An ingest enclave of <paramref name="measurement"/> whose report is published under <paramref name="reportId"/>.</summary>
    public async Task<IIngestEnclave> PublishAsync(string reportId = "", ulong pubkeyExpiry = 100, EnclaveMeasurement? measurement = null, SimulatedQuotingKey? quotingKey = null)
    {
        var enclave = IngestEnclaveFactory.Create(
            new SimulatedQuotingProvider(quotingKey ?? QuotingKey, new EnclaveIdentity(measurement ?? IngestMeasurement, EnclaveSignerId.FogSimulation, EnclaveProductId.Ingest, 1, false)),
            "ingest-report-test",
            new IngestEnclaveOptions { UserCapacity = 128, SealingSecret = SealingSecret });
        _enclaves.Add(enclave);
        var report = enclave.GetReport();
        var key = Fog.Crypto.Ristretto.RistrettoPublic.From(report.IngressPublicKey);
        await Db.NewIngressKeyAsync(key, 0);
        await Db.SetReportAsync(key, reportId, new Fog.Storage.Recovery.ReportData(null, report.Evidence, pubkeyExpiry));
        return enclave;
    }

    /// <summary>An account whose addresses name this server and its chain's root as fog authority.</summary>
    public AccountKey Account(byte seed, string reportId = "", byte[]? authoritySpki = null, string? url = null) =>
        AccountKey.FromRootEntropy(Enumerable.Repeat(seed, 32).ToArray(), new FogInfo(url ?? Server.FogReportUrl, reportId, authoritySpki ?? Chain.RootSubjectPublicKeyInfo));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Db.DisposeAsync();
        _enclaves.ForEach(e => e.Dispose());
        _quotingKey?.Dispose();
        Root.Dispose();
        SealingSecret.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
