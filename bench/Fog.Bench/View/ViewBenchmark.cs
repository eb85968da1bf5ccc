using System.Diagnostics;
using System.Security.Cryptography;
using Fog.Api.FogView;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Bench.Oram;
using Fog.Client.View;
using Fog.Crypto.Kex;
using Fog.Crypto.Ristretto;
using Fog.Enclaves;
using Fog.Enclaves.View;
using Fog.Oblivious.Storage;
using Fog.Services.Hosting;
using Fog.Services.View;
using Fog.Storage.Recovery;
using Google.Protobuf;

namespace Fog.Bench.View;

/// <summary>What to measure.</summary>
public sealed record ViewBenchmarkOptions
{
    /// <summary>The oblivious map's capacity (default 2^20, the reference's default).</summary>
    public ulong Capacity { get; init; } = 1UL << 20;

    /// <summary>Records loaded (the lookup cost does not depend on it; it sets how many keys can hit).</summary>
    public int Records { get; init; } = 20_000;

    /// <summary>Search keys per query (default 500, what reference clients send at most); half hit, half miss.</summary>
    public int SearchKeys { get; init; } = 500;

    /// <summary>Timed queries per measurement.</summary>
    public int Samples { get; init; } = 31;

    /// <summary>Untimed queries first.</summary>
    public int Warmup { get; init; } = 5;

    /// <summary>A short run (well under a minute after the maps are built).</summary>
    public static ViewBenchmarkOptions Quick => new() { Records = 4_000, Samples = 9, Warmup = 3 };
}

/// <summary>The medians of one run.</summary>
/// <param name="GrpcQuery">A query over gRPC on loopback through <see cref="FogViewClient"/> (attested channel, server, enclave).</param>
/// <param name="EnclaveQuery">The same query in process: client encryption, the enclave's decryption, oblivious reads, encoding and encryption, client decryption.</param>
/// <param name="DictionaryLookup">The same keys looked up in a plain dictionary (no obliviousness, no crypto).</param>
/// <param name="LoadTime">Time from starting the server (building its map) until it has loaded the records from the recovery DB.</param>
public sealed record ViewBenchmarkReport(TimeSpan GrpcQuery, TimeSpan EnclaveQuery, TimeSpan DictionaryLookup, TimeSpan LoadTime)
{
    /// <summary>What the transport (gRPC, HTTP/2, the host's event read) adds to the enclave's work.</summary>
    public TimeSpan TransportOverhead => GrpcQuery - EnclaveQuery;
}

/// <summary>
/// Fog view query latency: a query of 500 search keys against a map of capacity 2^20, over gRPC on loopback (target
/// ≤ 100 ms median), next to the in-process enclave time for the same work (the difference is the transport) and a
/// dictionary doing the lookups without obliviousness or cryptography.
/// </summary>
public static class ViewBenchmark
{
    /// <summary>Runs the benchmark and prints a table.</summary>
    public static ViewBenchmarkReport Run(ViewBenchmarkOptions options, TextWriter output) => RunAsync(options, output).GetAwaiter().GetResult();

    /// <summary>Runs the benchmark and prints a table.</summary>
    public static async Task<ViewBenchmarkReport> RunAsync(ViewBenchmarkOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var records = MakeRecords(options.Records);
        var keys = ChooseKeys(records, options.SearchKeys);
        var directory = Directory.CreateTempSubdirectory("fog-bench-view-").FullName;
        try
        {
            var (grpc, load) = await MeasureGrpcAsync(options, directory, records, keys).ConfigureAwait(false);
            var enclave = MeasureEnclave(options, records, keys);
            var dictionary = MeasureDictionary(options, records, keys);
            var report = new ViewBenchmarkReport(grpc, enclave, dictionary, load);

            output.WriteLine($"fog view: {options.SearchKeys} search keys per query ({options.SearchKeys / 2} hit), map capacity {options.Capacity}, {options.Records} records; medians of {options.Samples}");
            var table = new TablePrinter("measurement", ">median", ">vs target");
            table.Add("query over gRPC (loopback)", Ms(report.GrpcQuery), $"target ≤ 100 ms: {(report.GrpcQuery.TotalMilliseconds <= 100 ? "met" : "MISSED")}");
            table.Add("same query in process (enclave)", Ms(report.EnclaveQuery), "");
            table.Add("transport overhead", Ms(report.TransportOverhead), "");
            table.Add("dictionary baseline (not oblivious)", Ms(report.DictionaryLookup), $"enclave / dictionary {report.EnclaveQuery / report.DictionaryLookup:F0}x");
            table.Add("server start and load from the recovery DB", Ms(report.LoadTime), $"{options.Records / report.LoadTime.TotalSeconds:F0} records/s");
            table.WriteTo(output);
            return report;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F2} ms";

    private static ETxOutRecord[] MakeRecords(int count) =>
        Enumerable.Range(0, count).Select(_ => new ETxOutRecord(RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(237))).ToArray();

    private static byte[][] ChooseKeys(ETxOutRecord[] records, int count)
    {
        var hits = Enumerable.Range(0, count / 2).Select(i => records[i * records.Length / (count / 2)].SearchKey.ToArray());
        var misses = Enumerable.Range(0, count - (count / 2)).Select(_ => RandomNumberGenerator.GetBytes(16));
        return hits.Concat(misses).OrderBy(_ => RandomNumberGenerator.GetInt32(int.MaxValue)).ToArray();
    }

    private static async Task<(TimeSpan Query, TimeSpan Load)> MeasureGrpcAsync(ViewBenchmarkOptions options, string directory, ETxOutRecord[] records, byte[][] keys)
    {
        await using var db = await new RecoveryDbBuilder().UseSqlite(Path.Combine(directory, "recovery.db")).BuildAsync().ConfigureAwait(false);
        var ingress = RistrettoPrivate.Generate().PublicKey;
        await db.NewIngressKeyAsync(ingress, 0).ConfigureAwait(false);
        var invocation = await db.NewIngestInvocationAsync(null, ingress, new KexRngPubkey(RistrettoPrivate.Generate().PublicKey.ToArray(), 0), 0).ConfigureAwait(false);
        ulong block = 0;
        foreach (var chunk in records.Chunk(100))
        {
            await db.AddBlockDataAsync(invocation, block, (block + 1) * 100, 1_700_000_000 + block, chunk).ConfigureAwait(false);
            block++;
        }

        var serverOptions = new ViewServerOptions
        {
            Listen = new FogEndpoint("127.0.0.1", 0),
            Admin = null,
            Metrics = null,
            SimulationRootPath = Path.Combine(directory, "simulation-root.key"),
            ResponderId = "bench-view:5200",
            OmapCapacity = options.Capacity,
            MaxSearchKeysPerQuery = Math.Max(options.SearchKeys, ViewEnclaveOptions.DefaultMaxSearchKeysPerQuery),
            MapStorage = new OramStorageOptions { Prefault = true },
            DbPollInterval = TimeSpan.FromMilliseconds(50),
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        var started = Stopwatch.StartNew();
        await using var server = await ViewServer.StartAsync(serverOptions, db).ConfigureAwait(false);
        await server.CaughtUp.ConfigureAwait(false);
        var load = started.Elapsed;
        if (server.RecordCount != (ulong)records.Length)
        {
            throw new InvalidOperationException($"The server loaded {server.RecordCount} of {records.Length} records.");
        }

        var policy = new AttestationPolicy([server.EnclaveIdentity.Measurement], EnclaveProductId.View, trustedSimulationRoots: [server.SimulationRootPublicKey]);
        using var client = new FogViewClient(server.ClientUri, server.ResponderId, policy);
        var request = keys.Select(k => (ReadOnlyMemory<byte>)k).ToList();
        var samples = new List<double>();
        for (var i = 0; i < options.Warmup + options.Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            var response = await client.QueryAsync(request).ConfigureAwait(false);
            watch.Stop();
            if (response.Results.Count(r => r.IsFound) != keys.Length / 2)
            {
                throw new InvalidOperationException("The view server did not find the records it loaded.");
            }

            if (i >= options.Warmup)
            {
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return (TimeSpan.FromMilliseconds(Samples.Median(samples)), load);
    }

    private static TimeSpan MeasureEnclave(ViewBenchmarkOptions options, ETxOutRecord[] records, byte[][] keys)
    {
        using var root = SimulationRoot.Generate();
        using var quotingKey = root.IssueQuotingKey();
        var identity = new EnclaveIdentity(EnclaveMeasurement.OfAssembly(ViewEnclaveFactory.EnclaveName, typeof(EnclaveAssembly).Assembly), EnclaveSignerId.FogSimulation, EnclaveProductId.View, 1, false);
        using var enclave = ViewEnclaveFactory.Create(
            new SimulatedQuotingProvider(quotingKey, identity),
            "bench-view:5200",
            new ViewEnclaveOptions { Capacity = options.Capacity, MaxSearchKeysPerQuery = Math.Max(options.SearchKeys, ViewEnclaveOptions.DefaultMaxSearchKeysPerQuery), Storage = new OramStorageOptions { Prefault = true } });
        foreach (var chunk in records.Chunk(100))
        {
            if (!enclave.AddRecords(chunk.Select(r => new ViewRecord(r.SearchKey, r.Payload)).ToList()).IsOk)
            {
                throw new InvalidOperationException("The enclave refused the records.");
            }
        }

        using var initiator = AttestedInitiator.StartClient("bench-view:5200");
        if (!enclave.TryAccept(initiator.CreateRequest(), out var reply, out _) ||
            !initiator.TryComplete(reply, new SimulatedEvidenceVerifier(new AttestationPolicy([identity.Measurement], EnclaveProductId.View, trustedSimulationRoots: [root.PublicKey.ToArray()])), out var channel, out _))
        {
            throw new InvalidOperationException("The in-process handshake failed.");
        }

        using (channel)
        {
            var query = new QueryRequest();
            query.GetTxos.AddRange(keys.Select(ByteString.CopyFrom));
            var plaintext = query.ToByteArray();
            var aad = new QueryRequestAAD { StartFromUserEventId = long.MaxValue }.ToByteArray();
            var untrusted = new QueryResponse { HighestProcessedBlockCount = 200, LastKnownBlockCount = 200, NextStartFromUserEventId = long.MaxValue };
            var samples = new List<double>();
            for (var i = 0; i < options.Warmup + options.Samples; i++)
            {
                var watch = Stopwatch.StartNew();
                var result = enclave.Query(channel.Encrypt(plaintext, aad), untrusted);
                if (result.Status != ViewQueryStatus.Ok || !channel.TryDecrypt(result.Response!, out var response, out _))
                {
                    throw new InvalidOperationException($"The in-process query failed: {result.Status}.");
                }

                var parsed = QueryResponse.Parser.ParseFrom(response);
                watch.Stop();
                if (parsed.FixedTxOutSearchResults.Count(r => r.ResultCode == (uint)TxOutSearchResultCode.Found) != keys.Length / 2)
                {
                    throw new InvalidOperationException("The enclave did not find the records it loaded.");
                }

                if (i >= options.Warmup)
                {
                    samples.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            return TimeSpan.FromMilliseconds(Samples.Median(samples));
        }
    }

    private static TimeSpan MeasureDictionary(ViewBenchmarkOptions options, ETxOutRecord[] records, byte[][] keys)
    {
        var map = records.ToDictionary(r => new UInt128(BitConverter.ToUInt64(r.SearchKey.Span), BitConverter.ToUInt64(r.SearchKey.Span[8..])), r => r.Payload.ToArray());
        var output = new byte[keys.Length * 255];
        var samples = new List<double>();
        for (var i = 0; i < options.Warmup + options.Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            for (var k = 0; k < keys.Length; k++)
            {
                var slot = output.AsSpan(k * 255, 255);
                slot.Clear();
                if (map.TryGetValue(new UInt128(BitConverter.ToUInt64(keys[k]), BitConverter.ToUInt64(keys[k], 8)), out var payload))
                {
                    payload.CopyTo(slot);
                }
            }

            watch.Stop();
            if (i >= options.Warmup)
            {
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return TimeSpan.FromMilliseconds(Samples.Median(samples));
    }
}
