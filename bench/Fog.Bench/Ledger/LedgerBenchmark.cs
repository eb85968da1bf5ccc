using System.Diagnostics;
using System.Security.Cryptography;
using Fog.Api.FogLedger;
using Fog.Attestation.Channels;
using Fog.Attestation.Evidence;
using Fog.Bench.Oram;
using Fog.Client.Ledger;
using Fog.Crypto.Ristretto;
using Fog.Enclaves;
using Fog.Enclaves.KeyImage;
using Fog.Model.Keys;
using Fog.Model.Ledger;
using Fog.Model.Transactions;
using Fog.Oblivious.Storage;
using Fog.Services.BlockSources;
using Fog.Services.Hosting;
using Fog.Services.Ledger;
using Google.Protobuf;

namespace Fog.Bench.Ledger;

/// <summary>What to measure.</summary>
public sealed record LedgerBenchmarkOptions
{
    /// <summary>The key-image map's capacity (default 2^20, the reference's default).</summary>
    public ulong Capacity { get; init; } = 1UL << 20;

    /// <summary>Spent key images in the ledger (100 per block).</summary>
    public int SpentKeyImages { get; init; } = 20_000;

    /// <summary>Key images per check (default 100, what reference clients send at most); half spent.</summary>
    public int KeyImagesPerCheck { get; init; } = 100;

    /// <summary>Timed checks per measurement.</summary>
    public int Samples { get; init; } = 51;

    /// <summary>Untimed checks first.</summary>
    public int Warmup { get; init; } = 5;

    /// <summary>A short run.</summary>
    public static LedgerBenchmarkOptions Quick => new() { SpentKeyImages = 4_000, Samples = 15, Warmup = 3 };
}

/// <summary>The medians of one run.</summary>
/// <param name="GrpcCheck">A key-image check over gRPC on loopback through <see cref="FogLedgerClient"/>.</param>
/// <param name="EnclaveCheck">The same check in process: client encryption, the enclave's work, client decryption.</param>
/// <param name="HashSetLookup">The same key images looked up in a plain dictionary.</param>
/// <param name="LoadTime">Time from starting the server (building its map) until it has loaded the chain's key images.</param>
public sealed record LedgerBenchmarkReport(TimeSpan GrpcCheck, TimeSpan EnclaveCheck, TimeSpan HashSetLookup, TimeSpan LoadTime)
{
    /// <summary>What the transport adds to the enclave's work.</summary>
    public TimeSpan TransportOverhead => GrpcCheck - EnclaveCheck;
}

/// <summary>
/// Fog ledger key-image check latency: 100 key images against a map of capacity 2^20, over gRPC on loopback (target
/// ≤ 30 ms median), next to the in-process enclave time for the same work and a plain dictionary.
/// </summary>
public static class LedgerBenchmark
{
    /// <summary>Runs the benchmark and prints a table.</summary>
    public static LedgerBenchmarkReport Run(LedgerBenchmarkOptions options, TextWriter output) => RunAsync(options, output).GetAwaiter().GetResult();

    /// <summary>Runs the benchmark and prints a table.</summary>
    public static async Task<LedgerBenchmarkReport> RunAsync(LedgerBenchmarkOptions options, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var ledger = MakeLedger(options.SpentKeyImages);
        var spent = Enumerable.Range(0, (int)ledger.NumBlocks).SelectMany(i => ledger.GetBlockData((ulong)i)!.Contents.KeyImages).ToArray();
        var query = spent.Take(options.KeyImagesPerCheck / 2).Select(k => k.ToArray())
            .Concat(Enumerable.Range(0, options.KeyImagesPerCheck - (options.KeyImagesPerCheck / 2)).Select(_ => RandomNumberGenerator.GetBytes(32)))
            .OrderBy(_ => RandomNumberGenerator.GetInt32(int.MaxValue))
            .ToArray();
        var directory = Directory.CreateTempSubdirectory("fog-bench-ledger-").FullName;
        try
        {
            var (grpc, load) = await MeasureGrpcAsync(options, directory, ledger, query).ConfigureAwait(false);
            var enclave = MeasureEnclave(options, ledger, query);
            var baseline = MeasureDictionary(options, spent, query);
            var report = new LedgerBenchmarkReport(grpc, enclave, baseline, load);

            output.WriteLine($"fog ledger: {options.KeyImagesPerCheck} key images per check (half spent), map capacity {options.Capacity}, {spent.Length} spent key images; medians of {options.Samples}");
            var table = new TablePrinter("measurement", ">median", ">vs target");
            table.Add("check over gRPC (loopback)", Ms(report.GrpcCheck), $"target ≤ 30 ms: {(report.GrpcCheck.TotalMilliseconds <= 30 ? "met" : "MISSED")}");
            table.Add("same check in process (enclave)", Ms(report.EnclaveCheck), "");
            table.Add("transport overhead", Ms(report.TransportOverhead), "");
            table.Add("dictionary baseline (not oblivious)", Ms(report.HashSetLookup), $"enclave / dictionary {report.EnclaveCheck / report.HashSetLookup:F0}x");
            table.Add("server start and load from the ledger", Ms(report.LoadTime), $"{spent.Length / report.LoadTime.TotalSeconds:F0} key images/s");
            table.WriteTo(output);
            return report;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F2} ms";

    // One output per block (a block needs one), 100 random key images per block after the origin.
    private static InMemoryLedger MakeLedger(int spentKeyImages)
    {
        var ledger = new InMemoryLedger();
        using var payee = AccountKey.FromRootEntropy(RandomNumberGenerator.GetBytes(32));
        TxOut Output()
        {
            using var txKey = RistrettoPrivate.Generate();
            return TxOut.Create(BlockVersion.Max, new Amount(1, 0), payee.DefaultSubaddress, txKey, Fog.Model.FogData.FogHint.Fake());
        }

        ledger.AppendContents(new BlockContents([], [Output()]));
        for (var left = spentKeyImages; left > 0; left -= 100)
        {
            var keyImages = Enumerable.Range(0, Math.Min(100, left)).Select(_ => new KeyImage(RandomNumberGenerator.GetBytes(32))).ToList();
            ledger.AppendContents(new BlockContents(keyImages, [Output()]));
        }

        return ledger;
    }

    private static async Task<(TimeSpan Check, TimeSpan Load)> MeasureGrpcAsync(LedgerBenchmarkOptions options, string directory, InMemoryLedger ledger, byte[][] query)
    {
        var serverOptions = new LedgerServerOptions
        {
            Listen = new FogEndpoint("127.0.0.1", 0),
            Metrics = null,
            SimulationRootPath = Path.Combine(directory, "simulation-root.key"),
            ResponderId = "bench-ledger:7200",
            OmapCapacity = options.Capacity,
            MaxKeyImagesPerQuery = Math.Max(options.KeyImagesPerCheck, KeyImageEnclaveOptions.DefaultMaxKeyImagesPerQuery),
            MapStorage = new OramStorageOptions { Prefault = true },
            LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        };
        var started = Stopwatch.StartNew();
        await using var server = await LedgerServer.StartAsync(serverOptions, new InProcessBlockSource(ledger)).ConfigureAwait(false);
        await server.CaughtUp.ConfigureAwait(false);
        var load = started.Elapsed;
        var policy = new AttestationPolicy([server.EnclaveIdentity.Measurement], EnclaveProductId.Ledger, trustedSimulationRoots: [server.SimulationRootPublicKey]);
        using var client = new FogLedgerClient(server.ClientUri, server.ResponderId, policy);
        var request = query.Select(k => (ReadOnlyMemory<byte>)k).ToList();
        var samples = new List<double>();
        for (var i = 0; i < options.Warmup + options.Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            var response = await client.CheckKeyImagesAsync(request).ConfigureAwait(false);
            watch.Stop();
            if (response.Results.Count(r => r.IsSpent) != query.Length / 2)
            {
                throw new InvalidOperationException("The ledger server did not find the key images it loaded.");
            }

            if (i >= options.Warmup)
            {
                samples.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return (TimeSpan.FromMilliseconds(Samples.Median(samples)), load);
    }

    private static TimeSpan MeasureEnclave(LedgerBenchmarkOptions options, InMemoryLedger ledger, byte[][] query)
    {
        using var root = SimulationRoot.Generate();
        using var quotingKey = root.IssueQuotingKey();
        var identity = new EnclaveIdentity(EnclaveMeasurement.OfAssembly(KeyImageEnclaveFactory.EnclaveName, typeof(EnclaveAssembly).Assembly), EnclaveSignerId.FogSimulation, EnclaveProductId.Ledger, 1, false);
        using var enclave = KeyImageEnclaveFactory.Create(
            new SimulatedQuotingProvider(quotingKey, identity),
            "bench-ledger:7200",
            new KeyImageEnclaveOptions { Capacity = options.Capacity, MaxKeyImagesPerQuery = Math.Max(options.KeyImagesPerCheck, KeyImageEnclaveOptions.DefaultMaxKeyImagesPerQuery), Storage = new OramStorageOptions { Prefault = true } });
        for (ulong i = 0; i < ledger.NumBlocks; i++)
        {
            var block = ledger.GetBlockData(i)!;
            enclave.AddKeyImages(block.Contents.KeyImages.Select(k => new KeyImageRecord(k.ToArray(), i, block.Timestamp ?? ulong.MaxValue)).ToList());
        }

        using var initiator = AttestedInitiator.StartClient("bench-ledger:7200");
        if (!enclave.TryAccept(initiator.CreateRequest(), out var reply, out _) ||
            !initiator.TryComplete(reply, new SimulatedEvidenceVerifier(new AttestationPolicy([identity.Measurement], EnclaveProductId.Ledger, trustedSimulationRoots: [root.PublicKey.ToArray()])), out var channel, out _))
        {
            throw new InvalidOperationException("The in-process handshake failed.");
        }

        using (channel)
        {
            var request = new CheckKeyImagesRequest();
            request.Queries.AddRange(query.Select(k => new KeyImageQuery { KeyImage = new Fog.Api.External.KeyImage { Data = ByteString.CopyFrom(k) } }));
            var plaintext = request.ToByteArray();
            var untrusted = new CheckKeyImagesResponse { NumBlocks = ledger.NumBlocks, GlobalTxoCount = ledger.NumTxOuts };
            var samples = new List<double>();
            for (var i = 0; i < options.Warmup + options.Samples; i++)
            {
                var watch = Stopwatch.StartNew();
                var result = enclave.CheckKeyImages(channel.Encrypt(plaintext), untrusted);
                if (result.Status != LedgerRequestStatus.Ok || !channel.TryDecrypt(result.Response!, out var response, out _))
                {
                    throw new InvalidOperationException($"The in-process check failed: {result.Status}.");
                }

                var parsed = CheckKeyImagesResponse.Parser.ParseFrom(response);
                watch.Stop();
                if (parsed.Results.Count(r => r.KeyImageResultCode == (uint)KeyImageResultCode.Spent) != query.Length / 2)
                {
                    throw new InvalidOperationException("The enclave did not find the key images it loaded.");
                }

                if (i >= options.Warmup)
                {
                    samples.Add(watch.Elapsed.TotalMilliseconds);
                }
            }

            return TimeSpan.FromMilliseconds(Samples.Median(samples));
        }
    }

    private static TimeSpan MeasureDictionary(LedgerBenchmarkOptions options, KeyImage[] spent, byte[][] query)
    {
        var map = spent.Select((k, i) => (Key: Convert.ToHexString(k.Bytes), Block: (ulong)i)).ToDictionary(e => e.Key, e => e.Block);
        var results = new ulong[query.Length];
        var samples = new List<double>();
        for (var i = 0; i < options.Warmup + options.Samples; i++)
        {
            var watch = Stopwatch.StartNew();
            for (var k = 0; k < query.Length; k++)
            {
                results[k] = map.TryGetValue(Convert.ToHexString(query[k]), out var block) ? block : ulong.MaxValue;
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
